"""Checks of LinearClassifier.train and predict, by values the grader computes and checks itself.

train runs in the worker, but its loss is a callback to the grader (see
sandbox/harness.py): for every loss call the grader receives (X_batch, y_batch,
W, reg), keeps them, and answers with a squared-error loss and gradient it
computes. So each check compares what train sent and returned with the grader's
own records: batch rows must be rows of X with their own labels, each W must be
the previous one minus learning_rate times the gradient the grader handed out,
the history must be the losses it handed out. Nothing recorded in the worker
counts. The data are drawn with the grading's secret (see problems.py).
"""
from dataclasses import dataclass, field
from typing import List

import numpy as np

from autograder.sandbox.process import NotNumeric, StudentError
from autograder.scoring import Deduction

NUM_TRAIN, NUM_FEATURES = 50, 4
LABELS = (0, 1, 3)  # class 2 never appears: C must still be max(y) + 1 = 4
RUNS = [dict(learning_rate=0.05, reg=0.01, num_iters=30, batch_size=40, seed=1),
        dict(learning_rate=0.02, reg=0.03, num_iters=5, batch_size=20, seed=2)]
MAX_LOSS_CALLS = 200
MAX_CLASSES = 64  # a W the grader will compute with; more columns cannot come from these labels
CLASSIFIERS = (("LinearSVM", "linear_svm", "svm"), ("Softmax", "softmax", "softmax"))


def squared_error_loss(W, X, y, reg):
    """0.5 * mean ||X W - onehot(y)||^2 + reg * sum(W * W), and its gradient.

    Labels beyond W's columns (a W with too few classes) get no target, so that
    mistake costs only the initialisation check.
    """
    residual = X @ W
    known = (y >= 0) & (y < W.shape[1])
    residual[np.arange(len(y))[known], y[known]] -= 1
    loss = 0.5 * np.sum(residual * residual) / len(y) + reg * np.sum(W * W)
    return float(loss), X.T @ residual / len(y) + 2 * reg * W


def training_data(grading):
    """Separable clusters (all rows distinct) with a bias column last."""
    rng = grading.problems.rng(12)
    y = rng.choice(LABELS, size=NUM_TRAIN)
    centres = {label: 2.0 * rng.standard_normal(NUM_FEATURES) for label in LABELS}
    features = np.array([centres[label] for label in y]) + 0.3 * rng.standard_normal((NUM_TRAIN, NUM_FEATURES))
    return np.hstack([features, np.ones((NUM_TRAIN, 1))]), y


@dataclass
class LossCall:
    """One call of the loss during train: what train sent, and what the grader answered."""
    X_batch: np.ndarray
    y_batch: np.ndarray
    W: np.ndarray
    reg: float
    loss: float
    grad: np.ndarray


@dataclass
class LossService:
    """Answers train's loss callbacks with the grader's own squared-error loss, recording every call."""
    dim: int
    calls: List[LossCall] = field(default_factory=list)

    def __call__(self, name, values):
        if name != "loss" or len(values) != 4:
            raise StudentError("bad_output", "its process made a loss call the grader did not expect")
        if len(self.calls) >= MAX_LOSS_CALLS:
            raise StudentError("bad_output", f"train called the loss more than {MAX_LOSS_CALLS} times")
        X_batch, y_batch, W, reg = values
        if not _is_array(W) or W.ndim != 2 or W.shape[0] != self.dim or not 0 < W.shape[1] <= MAX_CLASSES:
            raise Deduction(f"When train called self.loss, self.W was {W!r} with shape {np.shape(W)}: initialise "
                            f"W as a (D, C) array before the loop.")
        if not (_is_array(X_batch) and _is_array(y_batch)) or X_batch.ndim != 2 or X_batch.shape[1] != self.dim \
                or y_batch.shape != X_batch.shape[:1] or not np.array_equal(y_batch, np.round(y_batch)):
            raise Deduction(f"train passed the loss an X_batch of shape {np.shape(X_batch)} and a y_batch of shape "
                            f"{np.shape(y_batch)}: expected (batch_size, D) rows and batch_size integer labels.")
        if not _is_array(np.asarray(reg)) or np.size(reg) != 1:
            raise Deduction(f"train passed the loss reg = {reg!r}: pass train's own reg, a number.")
        W, X_batch = np.asarray(W, dtype=float), np.asarray(X_batch, dtype=float)
        labels, reg = y_batch.astype(int), float(np.asarray(reg, dtype=float).reshape(-1)[0])
        loss, grad = squared_error_loss(W, X_batch, labels, reg)
        self.calls.append(LossCall(X_batch, labels, W, reg, loss, grad))
        return [np.float64(loss), grad]


@dataclass
class TrainRun:
    """One call of train: its settings, the loss calls the grader answered, what train returned."""
    settings: dict
    calls: List[LossCall]
    history: object
    final_W: object

    def weights_after(self) -> list:
        """The W the grader saw after each step: the next loss call's, then the final one."""
        return [call.W for call in self.calls[1:]] + [self.final_W]


def _train(grading, plan) -> List[TrainRun]:
    X, y = training_data(grading)
    runs = []
    for step in plan:
        settings = dict(step)
        seed = settings.pop("seed")
        service = LossService(X.shape[1])
        reply = grading.student.operate("train", "classifier", X, y, settings, seed=seed, function="train",
                                        callback=service)
        if len(reply.values) != 2:
            raise StudentError("bad_output", "its process sent an unreadable reply")
        runs.append(TrainRun(step, service.calls, *reply.values))
    return runs


def training_runs(grading) -> List[TrainRun]:
    """Two successive train calls on one classifier; a failure is kept and raised again for every check."""
    if "train" not in grading.cache:
        try:
            grading.cache["train"] = _train(grading, RUNS)
        except (StudentError, Deduction) as error:
            grading.cache["train"] = error
    if isinstance(grading.cache["train"], Exception):
        raise grading.cache["train"].with_traceback(None)  # raised again per check: no growing chain
    return grading.cache["train"]


def _calls(run: TrainRun) -> List[LossCall]:
    if not run.calls:
        raise Deduction("train never called self.loss: each iteration should get the loss and gradient of its "
                        "minibatch from self.loss(X_batch, y_batch, reg).")
    return run.calls


def _is_array(value) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind in "biuf"


def check_initialisation(grading):
    first, second = training_runs(grading)
    X, _ = training_data(grading)
    expected_shape = (X.shape[1], max(LABELS) + 1)
    start = _calls(first)[0].W
    if start.shape != expected_shape:
        raise Deduction(f"W should be initialised with shape (D, C) = {expected_shape}, C = max(y) + 1 "
                        f"(labels need not all appear); yours had shape {start.shape}.",
                        "wrong number of classes")
    spread = float(np.std(start))
    if not 2e-4 <= spread <= 5e-3:
        raise Deduction(f"The initial W should be small random numbers (0.001 * randn); yours has "
                        f"standard deviation {spread:.2g}.", "wrong initial scale")
    finished = first.final_W
    if not (_is_array(finished) and np.array_equal(_calls(second)[0].W, finished)):
        raise Deduction("A second call of train started from a new W: initialise W only when it is None.",
                        "W re-initialised")


def _example_indices(batch: np.ndarray, X: np.ndarray):
    """Index in X of each batch row, or None if some row is not a row of X."""
    distances = ((batch[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    indices = np.argmin(distances, axis=1)
    return indices if np.allclose(batch, X[indices], rtol=1e-6, atol=1e-9) else None


def check_minibatches(grading):
    X, y = training_data(grading)
    for run in training_runs(grading):
        size, iterations = run.settings["batch_size"], run.settings["num_iters"]
        if len(run.calls) != iterations:
            raise Deduction(f"With num_iters={iterations}, train should call the loss once per iteration; "
                            f"it called it {len(run.calls)} times.")
        drawn = []
        for call in run.calls:
            if call.X_batch.shape != (size, X.shape[1]):
                raise Deduction(f"With batch_size={size}, each minibatch should have {size} rows of X; "
                                f"one had shape {call.X_batch.shape}.")
            indices = _example_indices(call.X_batch, X)
            if indices is None or not np.array_equal(call.y_batch, y[indices]):
                raise Deduction("Minibatches must be rows of X with their own labels from y (same random indices "
                                "for both).", "minibatch rows and labels mismatched")
            drawn.append(tuple(indices))
        if len(set(drawn)) == 1 and iterations > 1:
            raise Deduction("Every iteration used the same minibatch: draw new random indices each iteration.")


def _describe_step(before, following, grad, lr) -> str:
    if np.allclose(following, before):
        return "W never changed: after each loss call, step W -= learning_rate * grad."
    if np.allclose(following, before + lr * grad):
        return "W moved up the gradient: the SGD step subtracts learning_rate * grad."
    if np.allclose(following, before - grad):
        return "The step ignored learning_rate: W -= learning_rate * grad."
    return "Each step should be W -= learning_rate * grad with the gradient of that iteration's minibatch."


def check_update(grading):
    for run in training_runs(grading):
        lr, reg = run.settings["learning_rate"], run.settings["reg"]
        calls = _calls(run)
        passed = [call.reg for call in calls if not np.isclose(call.reg, reg)]
        if passed:
            raise Deduction(f"train must pass its reg ({reg}) to the loss; the loss received {passed[0]}.",
                            "reg not passed to the loss")
        for call, following in zip(calls, run.weights_after()):
            if not (_is_array(following) and np.shape(following) == call.W.shape):
                raise Deduction(f"After training, self.W should be a (D, C) array; it is {following!r}.")
            if not np.allclose(following, call.W - lr * call.grad, rtol=1e-6, atol=1e-9):
                raise Deduction(_describe_step(call.W, following, call.grad, lr), "wrong SGD step")


def check_history(grading):
    for run in training_runs(grading):
        iterations = run.settings["num_iters"]
        history = run.history
        if not _is_array(history) or history.shape != (iterations,):
            raise Deduction(f"train should return a list of {iterations} losses, one per iteration; "
                            f"it returned {history!r} of shape {np.shape(history)}.")
        given = [call.loss for call in run.calls]
        if len(given) != iterations or not np.allclose(history, given, rtol=1e-9, atol=0):
            raise Deduction("train should return the minibatch losses, in order, as the loss function gave them.")


def _outcome(run):
    """('values', values) of a successful operation, or ('error', StudentError)."""
    try:
        return "values", run().values
    except StudentError as error:
        return "error", error


def _same_outcome(first, second) -> bool:
    """Identical outputs (bit for bit), or the same failure (one failure's message inside the other's)."""
    (kind, value), (other_kind, other) = first, second
    if kind != other_kind:
        return False
    if kind == "error":
        return bool(other.message) and other.message in value.message
    return len(value) == len(other) and all(_same_value(a, b) for a, b in zip(value, other))


def _same_value(a, b) -> bool:
    if isinstance(a, NotNumeric) or isinstance(b, NotNumeric):
        return isinstance(a, NotNumeric) and isinstance(b, NotNumeric) and a.type_name == b.type_name
    return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b, equal_nan=True))


def check_delegation(grading):
    """LinearSVM.loss / Softmax.loss must give exactly what the student's own vectorised loss gives."""
    problem = grading.problems.random_problem(13, 200, 50, 10, 0.1, weight_scale=0.01)
    for class_name, module, kind in CLASSIFIERS:
        expected = f"{kind}_loss_vectorized"
        got = _outcome(lambda: grading.student.operate("classifier_loss", class_name, *problem.args,
                                                       function=f"{class_name}.loss"))
        if got[0] == "error" and got[1].kind in ("missing", "import"):  # linear_classifier.py itself
            raise got[1]
        own = _outcome(lambda: grading.student.call(module, expected, *problem.args))
        if _same_outcome(got, own):
            continue
        if got[0] == "error":
            raise got[1]
        others = [(name, other_module) for _, other_module, other_kind in CLASSIFIERS
                  for name in (f"{other_kind}_loss_naive", f"{other_kind}_loss_vectorized") if name != expected]
        used = next((name for name, other_module in others
                     if _same_outcome(got, _outcome(lambda: grading.student.call(other_module, name, *problem.args)))),
                    None)
        what = f"it called {used}" if used else f"what it returns differs from what your {expected} returns"
        raise Deduction(f"{class_name}.loss should return {expected}(self.W, X_batch, y_batch, reg); {what}.")


def _predict(grading, W, X):
    labels = grading.student.operate("predict", W, X).values[0]
    if isinstance(labels, NotNumeric):
        raise Deduction(f"predict should return a numeric array of labels, not {labels!r}.")
    return np.asarray(labels)


def predicted_labels(grading):
    """(the student's labels, the argmax labels) on a problem drawn with the grading's secret."""
    rng = grading.problems.rng(14)
    W, X = rng.standard_normal((6, 4)), rng.standard_normal((25, 6))
    return _predict(grading, W, X), np.argmax(X @ W, axis=1)


def _tracks_its_inputs(grading) -> bool:
    """Do the labels follow the data: rows of X permuted permute them, columns of W permuted relabel them?"""
    rng = grading.problems.rng(15)
    W, X = rng.standard_normal((6, 4)), rng.standard_normal((25, 6))
    rows, columns = rng.permutation(25), rng.permutation(4)
    labels = _predict(grading, W, X).reshape(-1)
    by_rows = _predict(grading, W, X[rows]).reshape(-1)
    by_columns = _predict(grading, W[:, columns], X).reshape(-1)
    if not labels.size == by_rows.size == by_columns.size == 25 or len(set(labels.tolist())) < 2:
        return False
    if not np.all((by_columns >= 0) & (by_columns < 4) & (by_columns == np.round(by_columns))):
        return False
    return np.array_equal(by_rows, labels[rows]) and np.array_equal(columns[by_columns.astype(int)], labels)


def check_predict_labels(grading):
    labels, expected = predicted_labels(grading)
    if labels.size != expected.size or not np.array_equal(labels.reshape(-1), expected):
        raise Deduction("predict should return, per example, the class with the highest score X @ W.",
                        "predict is not the argmax")


def check_predict_api(grading):
    """Credited only for labels that follow the data, so a constant or precomputed answer earns nothing."""
    labels, expected = predicted_labels(grading)
    if not _tracks_its_inputs(grading):
        raise Deduction("predict's labels do not follow its inputs (reordering the rows of X should reorder "
                        "them): compute them from X and self.W.", "predict ignores its inputs")
    if labels.shape != expected.shape:
        raise Deduction(f"predict should return an array of shape (N,) = {expected.shape}; "
                        f"yours has shape {labels.shape}.")
    if not np.all(np.isfinite(labels)) or not np.array_equal(labels, np.round(labels)):
        raise Deduction("predict should return whole-number class labels.")
