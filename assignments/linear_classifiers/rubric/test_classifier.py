"""Rubric for LinearClassifier (linear_classifier.py): 20 points (train 14, predict 6).

train is graded with a loss the grader computes (a callback from the worker,
see classifier.py), so a broken loss function does not also cost these points,
and every check compares values with the grader's own records.
"""
import numpy as np

from autograder.rubric import check, Deduction

from ..classifier import (CLASSIFIERS, LABELS, describe_step, example_indices, is_array, loss_calls, outcome,
                          predicted_labels, same_outcome, tracks_its_inputs, training_data)


@check(points=3, function="train", kind="sgd")
def test_train_initialises_W_lazily_once(grading, training_runs):
    """initialises W = 0.001 * randn(D, max(y) + 1) on the first call only"""
    first, second = training_runs
    X, _ = training_data(grading)
    expected_shape = (X.shape[1], max(LABELS) + 1)
    start = loss_calls(first)[0].W
    if start.shape != expected_shape:
        raise Deduction(f"W should be initialised with shape (D, C) = {expected_shape}, C = max(y) + 1 "
                        f"(labels need not all appear); yours had shape {start.shape}.",
                        "wrong number of classes")
    spread = float(np.std(start))
    if not 2e-4 <= spread <= 5e-3:
        raise Deduction(f"The initial W should be small random numbers (0.001 * randn); yours has "
                        f"standard deviation {spread:.2g}.", "wrong initial scale")
    finished = first.final_W
    if not (is_array(finished) and np.array_equal(loss_calls(second)[0].W, finished)):
        raise Deduction("A second call of train started from a new W: initialise W only when it is None.",
                        "W re-initialised")


@check(points=4, function="train", kind="sgd")
def test_train_draws_random_minibatches(grading, training_runs):
    """draws batch_size random rows (with or without replacement) and their labels each iteration"""
    X, y = training_data(grading)
    for run in training_runs:
        size, iterations = run.settings["batch_size"], run.settings["num_iters"]
        calls = run.iterations()
        if len(calls) != iterations:
            raise Deduction(f"With num_iters={iterations}, train should call the loss once per iteration; "
                            f"it called it {len(calls)} times.")
        drawn = []
        for call in calls:
            if call.X_batch.shape != (size, X.shape[1]):
                raise Deduction(f"With batch_size={size}, each minibatch should have {size} rows of X; "
                                f"one had shape {call.X_batch.shape}.")
            indices = example_indices(call.X_batch, X)
            if indices is None or not np.array_equal(call.y_batch, y[indices]):
                raise Deduction("Minibatches must be rows of X with their own labels from y (same random indices "
                                "for both).", "minibatch rows and labels mismatched")
            drawn.append(tuple(indices))
        if len(set(drawn)) == 1 and iterations > 1:
            raise Deduction("Every iteration used the same minibatch: draw new random indices each iteration.")


@check(points=4, function="train", kind="sgd")
def test_train_takes_sgd_steps(training_runs):
    """passes reg to the loss and steps W -= learning_rate * grad"""
    for run in training_runs:
        lr, reg = run.settings["learning_rate"], run.settings["reg"]
        calls = run.iterations()
        passed = [call.reg for call in calls if not np.isclose(call.reg, reg)]
        if passed:
            raise Deduction(f"train must pass its reg ({reg}) to the loss; the loss received {passed[0]}.",
                            "reg not passed to the loss")
        for call, following in zip(calls, run.weights_after()):
            if not (is_array(following) and np.shape(following) == call.W.shape):
                raise Deduction(f"After training, self.W should be a (D, C) array; it is {following!r}.")
            if not np.allclose(following, call.W - lr * call.grad, rtol=1e-6, atol=1e-9):
                raise Deduction(describe_step(call.W, following, call.grad, lr), "wrong SGD step")


@check(points=1, function="train", kind="sgd")
def test_train_returns_loss_history(training_runs):
    """returns the num_iters minibatch losses"""
    for run in training_runs:
        iterations = run.settings["num_iters"]
        history = run.history
        if not is_array(history) or history.shape != (iterations,):
            raise Deduction(f"train should return a list of {iterations} losses, one per iteration; "
                            f"it returned {history!r} of shape {np.shape(history)}.")
        given = [call.loss for call in run.iterations()]
        if len(given) != iterations or not np.allclose(history, given, rtol=1e-9, atol=0):
            raise Deduction("train should return the minibatch losses, in order, as the loss function gave them.")


@check(points=2, function="train", kind="api")
def test_classifiers_use_vectorised_losses(grading, problems):
    """LinearSVM and Softmax use the vectorised losses"""
    problem = problems.random_problem(13, 200, 50, 10, 0.1, weight_scale=0.01)
    for class_name, module, kind in CLASSIFIERS:
        expected = f"{kind}_loss_vectorized"
        got = outcome(lambda: grading.student.operate("classifier_loss", class_name, *problem.args,
                                                      module="linear_classifier", function=f"{class_name}.loss"))
        if got[0] == "error" and got[1].kind in ("missing", "import"):  # linear_classifier.py itself
            raise got[1]
        own = outcome(lambda: grading.student.call(module, expected, *problem.args))
        if same_outcome(got, own):
            continue
        if got[0] == "error":
            raise got[1]
        others = [(name, other_module) for _, other_module, other_kind in CLASSIFIERS
                  for name in (f"{other_kind}_loss_naive", f"{other_kind}_loss_vectorized") if name != expected]
        used = next((name for name, other_module in others
                     if same_outcome(got, outcome(lambda: grading.student.call(other_module, name, *problem.args)))),
                    None)
        what = f"it called {used}" if used else f"what it returns differs from what your {expected} returns"
        raise Deduction(f"{class_name}.loss should return {expected}(self.W, X_batch, y_batch, reg); {what}.")


@check(points=4, function="predict", kind="values")
def test_predict_returns_argmax(grading):
    """labels are the highest-scoring classes"""
    labels, expected = predicted_labels(grading)
    if labels.size != expected.size or not np.array_equal(labels.reshape(-1), expected):
        raise Deduction("predict should return, per example, the class with the highest score X @ W.",
                        "predict is not the argmax")


@check(points=2, function="predict", kind="api")
def test_predict_shape(grading):
    """one whole-number label per example, shape (N,)"""
    labels, expected = predicted_labels(grading)
    if not tracks_its_inputs(grading):  # so a constant or precomputed answer earns nothing
        raise Deduction("predict's labels do not follow its inputs (reordering the rows of X should reorder "
                        "them): compute them from X and self.W.", "predict ignores its inputs")
    if labels.shape != expected.shape:
        raise Deduction(f"predict should return an array of shape (N,) = {expected.shape}; "
                        f"yours has shape {labels.shape}.")
    if not np.all(np.isfinite(labels)) or not np.array_equal(labels, np.round(labels)):
        raise Deduction("predict should return whole-number class labels.")
