"""What the checks of cross_validate and best_k share: running them in the sandbox, the reference's answers,
and the diagnosis of a wrong cross-validation.

cross_validate runs in the worker with a KNearestNeighbor whose distances and
votes are callbacks to the grader (see harness.py): the grader answers each
with the reference's, computed here, and records which rows of X every fold
trained on and predicted, and which k it voted with. So a broken distance
method or vote costs only its own checks, and the diagnosis below reads the
grader's own records, never anything the worker claims.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np

from autograder.rubric import Deduction, GradingContext, NotNumeric, StudentError

from . import MODULE
from .problems import FoldProblem

MAX_CALLBACKS = 400  # distances and votes together; a real cross-validation of the rubric's problems needs 40


@dataclass
class FoldCall:
    """One distance callback: the indices into X of the rows trained on and of the rows predicted (None: not rows
    of X)."""
    train_rows: Optional[np.ndarray]
    test_rows: Optional[np.ndarray]


def rows_of(part: np.ndarray, X: np.ndarray) -> Optional[np.ndarray]:
    """The index in X of each row of part, or None if some row is not a row of X."""
    if part.ndim != 2 or part.shape[1] != X.shape[1] or not len(part):
        return None
    distances = ((part[:, None, :] - X[None, :, :]) ** 2).sum(axis=2)
    indices = np.argmin(distances, axis=1)
    return indices if np.allclose(part, X[indices], rtol=1e-6, atol=1e-9) else None


@dataclass
class FoldService:
    """Answers cross_validate's callbacks with the reference's distances and votes, recording each."""
    grading: GradingContext
    problem: FoldProblem
    calls: List[FoldCall] = field(default_factory=list)
    ks: List[int] = field(default_factory=list)

    def __call__(self, name, values):
        if len(self.calls) + len(self.ks) >= MAX_CALLBACKS:
            raise StudentError("bad_output", f"cross_validate asked for more than {MAX_CALLBACKS} distance "
                                             "matrices and votes")
        classifier = self.grading.reference_module(MODULE).KNearestNeighbor()
        if name == "distances" and len(values) == 2:
            X_train, X = self._rows(values[0], "training rows"), self._rows(values[1], "rows to predict")
            self.calls.append(FoldCall(rows_of(X_train, self.problem.X), rows_of(X, self.problem.X)))
            classifier.train(X_train, np.zeros(len(X_train), dtype=int))
            return [classifier.compute_distances_no_loops(X)]
        if name == "vote" and len(values) == 3:
            dists, y_train, k = values
            k = self._checked_vote(dists, y_train, k)
            self.ks.append(k)
            classifier.train(np.zeros((len(y_train), 1)), y_train.astype(int))
            return [classifier.predict_labels(dists.astype(float), k=k)]
        raise StudentError("bad_output", "its process made a callback the grader did not expect")

    def _rows(self, value, what: str) -> np.ndarray:
        """value as float rows of the problem's width, or a Deduction if it cannot be rows a fold trains on."""
        limit = 2 * len(self.problem.X)
        if not isinstance(value, np.ndarray) or value.ndim != 2 or value.shape[1] != self.problem.X.shape[1] \
                or not 0 < len(value) <= limit:
            raise Deduction(f"During cross_validate a KNearestNeighbor was asked for distances with {what} of "
                            f"shape {np.shape(value)}: train it on rows of X (D={self.problem.X.shape[1]}) before "
                            "predicting.")
        return value.astype(float)

    def _checked_vote(self, dists, y_train, k) -> int:
        """k as an int, or a Deduction unless the vote asked for is one a cross-validation of this problem can
        ask for."""
        limit = 2 * len(self.problem.X)
        labels_ok = isinstance(y_train, np.ndarray) and y_train.ndim == 1 and 0 < len(y_train) <= limit \
            and np.array_equal(y_train, np.round(y_train)) and np.all((y_train >= 0) & (y_train <= max(self.problem.y)))
        dists_ok = labels_ok and isinstance(dists, np.ndarray) and dists.ndim == 2 and len(dists) <= limit \
            and dists.shape[1] == len(y_train) and np.all(np.isfinite(dists))
        k_ok = isinstance(k, np.ndarray) and k.size == 1 and float(k.reshape(-1)[0]).is_integer() \
            and k.reshape(-1)[0] >= 1
        if not (labels_ok and dists_ok and k_ok):
            shown = k.reshape(-1)[0] if isinstance(k, np.ndarray) and k.size == 1 else f"of shape {np.shape(k)}"
            raise Deduction("During cross_validate, predict_labels was asked to vote with dists of shape "
                            f"{np.shape(dists)}, training labels of shape {np.shape(y_train)} and k {shown}: train "
                            "the classifier on the other folds' rows and labels, and pass a whole-number k >= 1.")
        return int(k.reshape(-1)[0])


@dataclass
class FoldRun:
    """One run of the student's cross_validate: each k's accuracies as returned, and the grader's records."""
    accuracies: list
    service: FoldService
    mutated: List[str]


def run_cross_validate(grading: GradingContext, problem: FoldProblem, echo: bool = False) -> FoldRun:
    service = FoldService(grading, problem)
    values = grading.student.operate("cross_validate", problem.X, problem.y, list(problem.k_choices),
                                     problem.num_folds, echo, module=MODULE, function="cross_validate",
                                     callback=service).values
    accuracies = values[:len(problem.k_choices)]
    mutated = []
    if echo:
        for name, original, after in zip("Xy", (problem.X, problem.y), values[len(problem.k_choices):]):
            if not (isinstance(after, np.ndarray) and after.shape == original.shape
                    and np.array_equal(after, original)):
                mutated.append(name)
    return FoldRun(accuracies, service, mutated)


def reference_accuracies(grading: GradingContext, problem: FoldProblem) -> Dict[int, List[float]]:
    """The reference's {k: fold accuracies}, computed in the trusted process."""
    return grading.reference_module(MODULE).cross_validate(problem.X, problem.y, list(problem.k_choices),
                                                           problem.num_folds)


def as_accuracies(value, num_folds: int) -> Optional[np.ndarray]:
    """A k's fold accuracies as floats (num_folds,), or None if they are not that."""
    if isinstance(value, NotNumeric) or value is None or np.ndim(value) != 1 or np.size(value) != num_folds:
        return None
    return np.asarray(value, dtype=float)


def diagnose(problem: FoldProblem, run: FoldRun) -> Tuple[Optional[str], str]:
    """(the mistake the grader's records show or None, a sentence for the student)."""
    calls, num_rows = run.service.calls, len(problem.X)
    folds = np.array_split(np.arange(num_rows), problem.num_folds)
    if not calls:
        return None, ("Your cross_validate never asked a KNearestNeighbor for distances, so the grader cannot tell "
                      "which rows each fold used; train a KNearestNeighbor on the other folds and predict the fold.")
    if any(call.train_rows is None or call.test_rows is None for call in calls):
        return "rows changed", ("Your classifier was trained on or predicted rows that are not rows of X: split X "
                                "itself, without changing its values.")
    if any(np.intersect1d(call.train_rows, call.test_rows).size for call in calls):
        return "the held-out fold is in the training set", (
            "Likely mistake: the held-out fold is in the training set as well; train on the other folds only.")
    held_out = {tuple(sorted(call.test_rows)) for call in calls}
    expected = {tuple(fold) for fold in folds}
    if held_out != expected:
        sizes, expected_sizes = sorted(map(len, held_out)), sorted(map(len, expected))
        if sizes != expected_sizes:
            return "folds not made with np.array_split", (
                f"Likely mistake: the folds are not np.array_split's: the folds you held out have {sizes} rows, "
                f"np.array_split(X, {problem.num_folds}) makes folds of {expected_sizes}.")
        return "folds shuffled", ("Likely mistake: the held-out folds are not consecutive slices of X, in order, as "
                                  "np.array_split makes them (were they shuffled?).")
    if any(sorted(call.train_rows) != sorted(set(range(num_rows)) - set(call.test_rows)) for call in calls):
        return "trained on the wrong folds", ("Likely mistake: each fold should be predicted by a classifier "
                                              "trained on all the other folds, each of their rows once.")
    missing = sorted(set(problem.k_choices) - set(run.service.ks))
    if run.service.ks and missing:
        return "k not passed to the vote", f"Likely mistake: k={missing[0]} never reached the vote: pass k=k."
    return None, ("The folds you held out and trained on are right; check that each accuracy is the fraction of the "
                  "fold's labels predicted right, in fold order.")


def reference_best_k(grading: GradingContext, k_choices, table: np.ndarray) -> int:
    """The reference's best_k of {k: its row of the table}, computed in the trusted process."""
    return int(grading.reference_module(MODULE).best_k({k: list(row) for k, row in zip(k_choices, table)}))


def run_best_k(grading: GradingContext, k_choices, table: np.ndarray):
    """The student's best_k on the table, as a number, or a Deduction if it is not one."""
    value = grading.student.operate("best_k", list(k_choices), table, module=MODULE, function="best_k").values[0]
    if isinstance(value, NotNumeric) or np.size(value) != 1:
        raise Deduction(f"best_k should return one k, a number from k_to_accuracies's keys, not {value!r}.")
    return float(np.asarray(value).reshape(-1)[0])
