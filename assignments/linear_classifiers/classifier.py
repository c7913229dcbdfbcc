"""What the checks of LinearClassifier share: training with a loss the grader answers, predicting on known W.

train runs in the worker, but its loss is a callback to the grader (see
harness.py): for every loss call the grader receives (X_batch, y_batch, W,
reg), keeps them, and answers with a squared-error loss and gradient it
computes. So each check (rubric/test_classifier.py) compares what train sent
and returned with the grader's own records; nothing recorded in the worker
counts. The data are drawn with the grading's secret.
"""
from dataclasses import dataclass, field
from typing import List

import numpy as np

from autograder.rubric import Deduction, GradingContext, NotNumeric, StudentError

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


def training_data(grading: GradingContext):
    """Separable clusters (all rows distinct) with a bias column last."""
    rng = grading.rng(12)
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

    def repeats(self, other: "LossCall") -> bool:
        """The same evaluation again: same minibatch, W and reg."""
        return (self.reg == other.reg and all(np.array_equal(mine, theirs) for mine, theirs in
                                              ((self.X_batch, other.X_batch), (self.y_batch, other.y_batch),
                                               (self.W, other.W))))


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
        if not is_array(W) or W.ndim != 2 or W.shape[0] != self.dim or not 0 < W.shape[1] <= MAX_CLASSES:
            raise Deduction(f"When train called self.loss, self.W was {W!r} with shape {np.shape(W)}: initialise "
                            f"W as a (D, C) array before the loop.")
        if not (is_array(X_batch) and is_array(y_batch)) or X_batch.ndim != 2 or X_batch.shape[1] != self.dim \
                or y_batch.shape != X_batch.shape[:1] or not np.array_equal(y_batch, np.round(y_batch)):
            raise Deduction(f"train passed the loss an X_batch {_shape_or_value(X_batch)} and a y_batch "
                            f"{_shape_or_value(y_batch)}: expected (batch_size, D) rows and batch_size integer labels.")
        if not is_array(np.asarray(reg)) or np.size(reg) != 1:
            raise Deduction(f"train passed the loss reg = {reg!r}: pass train's own reg, a number.")
        W, X_batch = np.asarray(W, dtype=float), np.asarray(X_batch, dtype=float)
        labels, reg = y_batch.astype(int), float(np.asarray(reg, dtype=float).reshape(-1)[0])
        loss, grad = squared_error_loss(W, X_batch, labels, reg)
        self.calls.append(LossCall(X_batch, labels, W, reg, loss, grad))
        return [np.float64(loss), grad]


def _shape_or_value(value) -> str:
    return f"of shape {value.shape}" if is_array(value) else "that is not a numeric array"


@dataclass
class TrainRun:
    """One call of train: its settings, the loss calls the grader answered, what train returned."""
    settings: dict
    calls: List[LossCall]
    history: object
    final_W: object

    def iterations(self) -> List[LossCall]:
        """One loss call per iteration: the calls, or, when train evaluated each iteration's loss more than once
        (wasteful but still SGD), the calls that do not repeat the one before, if those are num_iters."""
        calls = loss_calls(self)
        distinct = [call for previous, call in zip([None] + calls[:-1], calls)
                    if previous is None or not call.repeats(previous)]
        return distinct if len(distinct) == self.settings["num_iters"] else calls

    def weights_after(self) -> list:
        """The W the grader saw after each iteration's step: the next iteration's, then the final one."""
        return [call.W for call in self.iterations()[1:]] + [self.final_W]


def train(grading: GradingContext, plan) -> List[TrainRun]:
    """Successive train calls on one classifier of the student's, one per step of plan."""
    X, y = training_data(grading)
    runs = []
    for step in plan:
        settings = dict(step)
        seed = settings.pop("seed")
        service = LossService(X.shape[1])
        reply = grading.student.operate("train", "classifier", X, y, settings, seed=seed, module="linear_classifier",
                                        function="train", callback=service)
        if len(reply.values) != 2:
            raise StudentError("bad_output", "its process sent an unreadable reply")
        runs.append(TrainRun(step, service.calls, *reply.values))
    return runs


def loss_calls(run: TrainRun) -> List[LossCall]:
    if not run.calls:
        raise Deduction("train never called self.loss: each iteration should get the loss and gradient of its "
                        "minibatch from self.loss(X_batch, y_batch, reg).")
    return run.calls


def is_array(value) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.kind in "biuf"


def example_indices(batch: np.ndarray, X: np.ndarray):
    """Index in X of each batch row, or None if some row is not a row of X."""
    distances = ((batch[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    indices = np.argmin(distances, axis=1)
    return indices if np.allclose(batch, X[indices], rtol=1e-6, atol=1e-9) else None


def describe_step(before, following, grad, lr) -> str:
    if np.allclose(following, before):
        return "W never changed: after each loss call, step W -= learning_rate * grad."
    if np.allclose(following, before + lr * grad):
        return "W moved up the gradient: the SGD step subtracts learning_rate * grad."
    if np.allclose(following, before - grad):
        return "The step ignored learning_rate: W -= learning_rate * grad."
    return "Each step should be W -= learning_rate * grad with the gradient of that iteration's minibatch."


def outcome(run):
    """('values', values) of a successful operation, or ('error', StudentError)."""
    try:
        return "values", run().values
    except StudentError as error:
        return "error", error


def same_outcome(first, second) -> bool:
    """Identical outputs (bit for bit), or the same failure (one failure's message inside the other's)."""
    (kind, value), (other_kind, other) = first, second
    if kind != other_kind:
        return False
    if kind == "error":
        return bool(other.message) and other.message in value.message
    return len(value) == len(other) and all(same_value(a, b) for a, b in zip(value, other))


def same_value(a, b) -> bool:
    if isinstance(a, NotNumeric) or isinstance(b, NotNumeric):
        return isinstance(a, NotNumeric) and isinstance(b, NotNumeric) and a.type_name == b.type_name
    return np.shape(a) == np.shape(b) and bool(np.array_equal(a, b, equal_nan=True))


def predict(grading, W, X):
    labels = grading.student.operate("predict", W, X, module="linear_classifier").values[0]
    if isinstance(labels, NotNumeric):
        raise Deduction(f"predict should return a numeric array of labels, not {labels!r}.")
    return np.asarray(labels)


def predicted_labels(grading):
    """(the student's labels, the argmax labels) on a problem drawn with the grading's secret."""
    rng = grading.rng(14)
    W, X = rng.standard_normal((6, 4)), rng.standard_normal((25, 6))
    return predict(grading, W, X), np.argmax(X @ W, axis=1)


def tracks_its_inputs(grading) -> bool:
    """Do the labels follow the data: rows of X permuted permute them, columns of W permuted relabel them?"""
    rng = grading.rng(15)
    W, X = rng.standard_normal((6, 4)), rng.standard_normal((25, 6))
    rows, columns = rng.permutation(25), rng.permutation(4)
    labels = predict(grading, W, X).reshape(-1)
    by_rows = predict(grading, W, X[rows]).reshape(-1)
    by_columns = predict(grading, W[:, columns], X).reshape(-1)
    if not labels.size == by_rows.size == by_columns.size == 25 or len(set(labels.tolist())) < 2:
        return False
    if not np.all((by_columns >= 0) & (by_columns < 4) & (by_columns == np.round(by_columns))):
        return False
    return np.array_equal(by_rows, labels[rows]) and np.array_equal(columns[by_columns.astype(int)], labels)
