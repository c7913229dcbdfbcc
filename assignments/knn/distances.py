"""What the distance checks share: calling a distance method in the sandbox, the reference's answer,
the catalogue of classic mistakes, the data gate, and the speed check's rounds and judge.

The checks themselves are in rubric/test_distances.py.
"""
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from autograder.rubric import Deduction, GradingContext, NotNumeric, Stored, close
from autograder.rubric.timing import Timed

from . import MODULE
from .problems import DistanceProblem, ProblemSet

SPEED_ROUNDS = 10
RELATIVE_CHANGE = 1e-6  # far above rounding, far below what real distances do when their rows move


@dataclass
class DistanceOutput:
    dists: np.ndarray   # as floats
    dtype: np.dtype     # as returned
    mutated: List[str]  # which of X_train, y_train, X the call changed (only when asked for)


def reference_distances(grading: GradingContext, X_train: np.ndarray, X: np.ndarray) -> np.ndarray:
    """The reference's dists (num_test, num_train), computed in the trusted process."""
    classifier = grading.reference_module(MODULE).KNearestNeighbor()
    classifier.train(X_train, np.zeros(len(X_train), dtype=int))
    return classifier.compute_distances_no_loops(X)


def call_distances(grading: GradingContext, function: str, problem: DistanceProblem,
                   echo: bool = False) -> DistanceOutput:
    """The student's dists on a problem, or a Deduction saying what is wrong with the return value.

    The call may take what the reference needs for the same problem, times a
    generous factor (the reference's two-loop version, for the two-loop method).
    echo: also find out which inputs the call changed.
    """
    start = time.perf_counter()
    reference = grading.reference_module(MODULE).KNearestNeighbor()
    reference.train(problem.X_train, problem.y_train)
    getattr(reference, function)(problem.X)
    timeout = grading.student.limits.timeout_after(time.perf_counter() - start)
    values = grading.student.operate("distances", function, problem.X_train, problem.y_train, problem.X, echo,
                                     module=MODULE, function=function, timeout=timeout).values
    dists = values[0] if values else None
    if not isinstance(dists, np.ndarray) or dists.ndim != 2:
        raise Deduction(f"{function} must return the distances as a 2-D numpy array of shape (num_test, num_train), "
                        f"not {dists!r}.")
    mutated = []
    if echo:
        sent = (problem.X_train, problem.y_train, problem.X)
        after = values[1:4]
        mutated = [name for name, original, now in zip(("X_train", "y_train", "X"), sent, after)
                   if not (isinstance(now, np.ndarray) and now.shape == original.shape
                           and np.array_equal(now, original))]
    return DistanceOutput(dists.astype(float), dists.dtype, mutated)


def _squared(X_train, X):
    return ((X[:, None, :] - X_train[None, :, :]) ** 2).sum(axis=2)


# name -> what the (num_test, num_train) answer is when that mistake is made
MISTAKES: Dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "squared distances (the square root is missing)": _squared,
    "L1 (Manhattan) distances instead of L2": lambda X_train, X: np.abs(X[:, None, :] - X_train[None, :, :]).sum(2),
    "the cross term of the expansion is -x.t instead of -2 x.t":
        lambda X_train, X: np.sqrt(np.maximum(_squared(X_train, X) + X @ X_train.T, 0)),
    "the mean over the features instead of their sum (sqrt(mean((x - t)^2)))":
        lambda X_train, X: np.sqrt(_squared(X_train, X) / X.shape[1]),
    "the sum has no axis: one number per test row, summed over every training row, fills the whole row":
        lambda X_train, X: np.repeat(np.sqrt(_squared(X_train, X).sum(axis=1, keepdims=True)), len(X_train), axis=1),
}


def mistake_variants(X_train: np.ndarray, X: np.ndarray, reference: np.ndarray) -> List[Tuple[str, np.ndarray]]:
    """(mistake, the answer it gives) for every catalogued mistake, each also transposed."""
    variants = [(name, mistake(X_train, X)) for name, mistake in MISTAKES.items()]
    variants += [("distances transposed: (num_train, num_test) instead of (num_test, num_train)", reference.T)]
    variants += [(f"{name}, and transposed", answer.T) for name, answer in variants[:len(MISTAKES)]]
    return variants


def diagnose(problem: DistanceProblem, student: np.ndarray, reference: np.ndarray) -> Tuple[Optional[str], str]:
    """(the catalogued mistake that reproduces the student's dists or None, a sentence for the student)."""
    for name, answer in mistake_variants(problem.X_train, problem.X, reference):
        if close(student, answer):
            return name, f"Likely mistake: {name}."
    if student.shape != reference.shape:
        return None, f"dists has shape {student.shape}; it must be (num_test, num_train) = {reference.shape}."
    zeros = reference == 0
    if np.any(zeros) and not np.all(np.isfinite(student[zeros])):
        return None, ("A distance that is exactly 0 came out as NaN: rounding can leave the expanded square a tiny "
                      "bit below 0, so clip it at 0 before the square root.")
    if not np.all(np.isfinite(student)):
        return None, "Some of your distances are not finite (NaN or inf)."
    if not np.any(student):
        return None, "Your distances are all zeros: dists is returned as it was created, nothing is written into it."
    return None, "It matches none of the classic mistakes the grader knows; compare your formula with the L2 distance."


def dependence_failure(grading: GradingContext, problems: ProblemSet, function: str) -> str:
    """Why the method does not compute distances from its rows ('' if it does).

    Checks that do not compare values with the reference are credited only when
    this is '', so a stub, a constant, a NaN or an answer that ignores one of
    the two sets of rows cannot collect them.
    """
    for base, changes in problems.dependence_problems():
        before = call_distances(grading, function, base).dists
        if not np.all(np.isfinite(before)):
            return "its distances are not finite (NaN or inf)"
        if not np.any(before):
            return "its distances are all zeros"
        for change in changes:
            after = call_distances(grading, function, change).dists
            scale = max(float(np.max(np.abs(before))), 1e-300)
            if after.shape == before.shape and np.max(np.abs(after - before)) <= RELATIVE_CHANGE * scale:
                return f"its distances (practically) do not change when {change.description}"
    return ""


def share_speed_rows(grading: GradingContext, problems: ProblemSet) -> np.ndarray:
    """The speed check's test rows, sent once to the student's worker and the reference's."""
    X = problems.speed_test_rows()
    for worker in (grading.student, grading.reference):
        worker.store(X_speed=X)
    return X


def timed_rounds(problems: ProblemSet, function: str, seed: int):
    """SPEED_ROUNDS requests of function on the stored test rows, each with fresh training rows."""
    for _, X_train in zip(range(SPEED_ROUNDS), problems.speed_training_rows(seed)):
        yield Timed(MODULE, function, (function, X_train, np.arange(len(X_train)) % 3, Stored("X_speed"), False),
                    op="distances")


def timed_answer_judge(X: np.ndarray):
    """judge(request, student_values, reference_values) -> '' if the student's timed answer is right, else why not.

    Right is the reference's dists, or a catalogued mistake's (those already cost
    their value checks).
    """
    def judge(request, student, reference):
        dists = student[0] if student else None
        if not isinstance(dists, np.ndarray) or isinstance(reference[0], NotNumeric):
            return "it did not return an array of distances"
        X_train = request.args[1]
        if close(dists, reference[0]) or any(close(dists, answer) for _, answer in
                                             mistake_variants(X_train, X, reference[0])):
            return ""
        return "its distances differ from the reference's"
    return judge
