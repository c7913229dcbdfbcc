"""Checks of LinearClassifier.train and predict, run through the harness loss (see sandbox/harness.py).

Column 0 of the training data holds each example's index / 1000, so every
recorded minibatch row says which example it is.
"""
from dataclasses import dataclass
from typing import List

import numpy as np

from autograder.sandbox.harness import LOSS_FUNCTIONS, squared_error_loss
from autograder.sandbox.process import NotNumeric, StudentError
from autograder.scoring import Deduction

NUM_TRAIN, NUM_FEATURES = 50, 4
LABELS = (0, 1, 3)  # class 2 never appears: C must still be max(y) + 1 = 4
RUNS = [dict(learning_rate=0.05, reg=0.01, num_iters=30, batch_size=40, seed=1),
        dict(learning_rate=0.02, reg=0.03, num_iters=5, batch_size=20, seed=2)]
OVERSIZED_BATCH = dict(learning_rate=0.05, reg=0.01, num_iters=3, batch_size=2 * NUM_TRAIN, seed=3)


def training_data():
    """Separable clusters, an index column first and a bias column last."""
    rng = np.random.default_rng(12)
    y = rng.choice(LABELS, size=NUM_TRAIN)
    centres = {label: 2.0 * rng.standard_normal(NUM_FEATURES) for label in LABELS}
    features = np.array([centres[label] for label in y]) + 0.3 * rng.standard_normal((NUM_TRAIN, NUM_FEATURES))
    X = np.hstack([np.arange(NUM_TRAIN)[:, None] / 1000, features, np.ones((NUM_TRAIN, 1))])
    return X, y


@dataclass
class TrainRun:
    """What one call of train did: the history it returned and each loss call's inputs."""
    settings: dict
    history: np.ndarray
    batches: np.ndarray
    labels: np.ndarray
    regs: np.ndarray
    weights: np.ndarray
    final_W: np.ndarray

    def example_indices(self) -> np.ndarray:
        return np.rint(self.batches[..., 0] * 1000).astype(int)


def _as_runs(values, plan) -> List[TrainRun]:
    if any(isinstance(value, NotNumeric) for value in values) or len(values) != 1 + 6 * len(plan):
        raise Deduction("train's loss history could not be read: return a list of numbers, one per iteration.")
    return [TrainRun(dict(step), *values[1 + 6 * i: 7 + 6 * i]) for i, step in enumerate(plan)]


def _run(grading, key, plan):
    """Run a training plan once per grading; failures are cached and raised again for every check."""
    if key not in grading.cache:
        X, y = training_data()
        try:
            reply = grading.student.operate("train", X, y, [dict(step) for step in plan], function=key)
            grading.cache[key] = (bool(reply.values[0]), _as_runs(reply.values, plan))
        except (StudentError, Deduction) as error:
            grading.cache[key] = error
    if isinstance(grading.cache[key], Exception):
        raise grading.cache[key]
    return grading.cache[key]


def training_runs(grading):
    """(W was None before training, [run, run]) for two successive train calls on one classifier."""
    return _run(grading, "train", RUNS)


def check_initialisation(grading):
    was_none, (first, second) = training_runs(grading)
    X, y = training_data()
    expected_shape = (X.shape[1], max(LABELS) + 1)
    if not was_none:
        raise Deduction("A new classifier should have W = None until train is first called.")
    if first.weights.shape[1:] != expected_shape:
        raise Deduction(f"W should be initialised with shape (D, C) = {expected_shape}, C = max(y) + 1 "
                        f"(labels need not all appear); yours had shape {first.weights.shape[1:]}.",
                        "wrong number of classes")
    spread = float(np.std(first.weights[0]))
    if not 2e-4 <= spread <= 5e-3:
        raise Deduction(f"The initial W should be small random numbers (0.001 * randn); yours has "
                        f"standard deviation {spread:.2g}.", "wrong initial scale")
    if not np.array_equal(second.weights[0], first.final_W):
        raise Deduction("A second call of train started from a new W: initialise W only when it is None.",
                        "W re-initialised")


def check_minibatches(grading):
    X, y = training_data()
    _, runs = training_runs(grading)
    for run in runs:
        size = run.settings["batch_size"]
        if run.batches.shape[:2] != (run.settings["num_iters"], size):
            raise Deduction(f"With batch_size={size} and num_iters={run.settings['num_iters']}, expected "
                            f"that many minibatches of {size} rows; got shape {run.batches.shape[:2]}.")
        indices = run.example_indices()
        if indices.min() < 0 or indices.max() >= len(y) or not np.allclose(run.batches, X[indices]) \
                or not np.array_equal(run.labels, y[indices]):
            raise Deduction("Minibatches must be rows of X with their own labels from y (same random indices "
                            "for both).", "minibatch rows and labels mismatched")
        if len({tuple(batch) for batch in indices}) == 1:
            raise Deduction("Every iteration used the same minibatch: draw new random indices each iteration.")
    if all(len(set(batch)) == len(batch) for batch in runs[0].example_indices()):
        raise Deduction("No minibatch ever repeated an example: draw the batch with replacement "
                        "(np.random.choice(..., replace=True)).", "sampled without replacement")
    try:
        _run(grading, "train_oversized_batch", [OVERSIZED_BATCH])
    except (StudentError, Deduction) as error:
        raise Deduction(f"train failed when batch_size is larger than N ({error}): drawing with "
                        "replacement allows it.", "sampled without replacement") from None


def check_update(grading):
    _, runs = training_runs(grading)
    for run in runs:
        lr, reg = run.settings["learning_rate"], run.settings["reg"]
        if not np.allclose(run.regs, reg):
            raise Deduction(f"train must pass its reg ({reg}) to the loss; the loss received {run.regs[0]}.",
                            "reg not passed to the loss")
        after = np.concatenate([run.weights[1:], run.final_W[None]])
        for before, following, batch, labels in zip(run.weights, after, run.batches, run.labels):
            _, grad = squared_error_loss(before, batch, labels, reg)
            if not np.allclose(following, before - lr * grad, rtol=1e-6, atol=1e-9):
                raise Deduction(_describe_step(before, following, grad, lr), "wrong SGD step")


def _describe_step(before, following, grad, lr) -> str:
    if np.allclose(following, before):
        return "W never changed: after each loss call, step W -= learning_rate * grad."
    if np.allclose(following, before + lr * grad):
        return "W moved up the gradient: the SGD step subtracts learning_rate * grad."
    if np.allclose(following, before - grad):
        return "The step ignored learning_rate: W -= learning_rate * grad."
    return "Each step should be W -= learning_rate * grad with the gradient of that iteration's minibatch."


def check_history(grading):
    _, runs = training_runs(grading)
    for run in runs:
        expected = [squared_error_loss(W, batch, labels, run.settings["reg"])[0]
                    for W, batch, labels in zip(run.weights, run.batches, run.labels)]
        if run.history.shape != (run.settings["num_iters"],):
            raise Deduction(f"train should return one loss per iteration ({run.settings['num_iters']}); "
                            f"got {run.history.shape[0] if run.history.ndim else 'a single value'}.")
        if not np.allclose(run.history, expected):
            raise Deduction("train should return the minibatch losses, in order, as the loss function gave them.")


def check_delegation(grading):
    rng = np.random.default_rng(13)
    W, X, y = rng.standard_normal((5, 3)), rng.standard_normal((8, 5)), rng.integers(3, size=8)
    calls = grading.student.operate("delegation", W, X, y, 0.1).values[0]
    for row, (class_name, expected) in enumerate([("LinearSVM", "svm_loss_vectorized"),
                                                  ("Softmax", "softmax_loss_vectorized")]):
        called = {name: int(count) for name, count in zip(LOSS_FUNCTIONS, calls[row]) if count}
        if called != {expected: 1}:
            used = ", ".join(called) or "none of the loss functions"
            raise Deduction(f"{class_name}.loss should return {expected}(self.W, X_batch, y_batch, reg); "
                            f"it called {used}.")


def predicted_labels(grading):
    rng = np.random.default_rng(14)
    W, X = rng.standard_normal((6, 4)), rng.standard_normal((25, 6))
    labels = grading.student.operate("predict", W, X).values[0]
    if isinstance(labels, NotNumeric):
        raise Deduction(f"predict should return a numeric array of labels, not {labels!r}.")
    return np.asarray(labels), np.argmax(X @ W, axis=1)


def check_predict_labels(grading):
    labels, expected = predicted_labels(grading)
    if labels.size != expected.size or not np.array_equal(labels.reshape(-1), expected):
        raise Deduction("predict should return, per example, the class with the highest score X @ W.",
                        "predict is not the argmax")


def check_predict_api(grading):
    labels, expected = predicted_labels(grading)
    if labels.shape != expected.shape:
        raise Deduction(f"predict should return an array of shape (N,) = {expected.shape}; "
                        f"yours has shape {labels.shape}.")
    if not np.all(np.isfinite(labels)) or not np.array_equal(labels, np.round(labels)):
        raise Deduction("predict should return whole-number class labels.")
