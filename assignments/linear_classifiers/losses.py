"""What the loss-function checks share: calling a loss in the sandbox, the reference's answer, the data gate.

The checks themselves are in rubric/test_losses.py.
"""
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, List

import numpy as np

from autograder.rubric import Deduction, GradingContext, NotNumeric, Stored, close
from autograder.rubric.timing import Timed
from autograder.sandbox.protocol import generate

from . import mistakes
from .problems import Problem, ProblemSet

FLOAT_TYPES = ("float", "float64", "float32", "float16", "longdouble", "ndarray")
SPEED_SHAPE = (40000, 16, 4)   # per-example Python overhead dominates here, so loops show
DEV_SHAPE = (500, 3073, 10)    # CS231n's dev set, where the notebook reports its speedup
TIMED_REG = 1e-3               # the regularisation of every timed call
TIMED_WEIGHT_SCALE = 0.1       # scores vary by about 0.4: some margins inactive, so a loss that counts them shows
SPEED_ROUNDS = 12
RELATIVE_CHANGE = 1e-6  # far above rounding (1e-15), far below what a real loss does when its data change
NUMERICAL_STEP = 1e-2      # exact for the hinge away from kinks; O(h^2) error for softmax
GRADIENT_TOLERANCE = 1e-2  # CS231n reads a relative error above 1e-2 as a wrong gradient
# Below this size of |numerical| + |analytic| the error is measured against it: an entry near 0 then allows an
# absolute error of 1e-4 (float32 rounding of the loss alone reaches 1e-5 here); real mistakes are off by 0.1 or more.
GRADIENT_FLOOR = 1e-2
GRADIENT_ENTRIES = 6


@dataclass
class LossOutput:
    loss: float
    dW: np.ndarray
    loss_type: str
    mutated: List[int]


def loss_kind(function: str) -> str:
    return "svm" if function.startswith("svm") else "softmax"


def naive_of(function: str) -> str:
    return function.replace("vectorized", "naive")


def module_of(grading: GradingContext, function: str) -> str:
    return grading.assignment.location(function)[0]


def reference_loss(grading: GradingContext, function: str, problem: Problem):
    """The reference's (loss, dW), computed in the trusted process."""
    module = grading.reference_module(module_of(grading, function))
    return getattr(module, f"{loss_kind(function)}_loss_vectorized")(*problem.args)


def call_loss(grading: GradingContext, function: str, problem: Problem, echo: bool = False) -> LossOutput:
    """The student's (loss, dW) on a problem, or a Deduction saying what is wrong with the return value.

    The call may take what the reference needs for the same problem, times a generous factor.
    echo: also find out which inputs the call changed (LossOutput.mutated; else it is empty).
    """
    start = time.perf_counter()
    reference_loss(grading, function, problem)
    timeout = grading.student.limits.timeout_after(time.perf_counter() - start)
    reply = grading.student.call(module_of(grading, function), function, *problem.args, timeout=timeout, echo=echo)
    if len(reply.values) != 2:
        raise Deduction(f"{function} must return a tuple (loss, dW); it returned {len(reply.values)} value(s).")
    loss, dW = reply.values
    if isinstance(loss, NotNumeric) or np.size(loss) != 1:
        raise Deduction(f"{function} must return the loss as a single number, not {loss!r}.")
    if isinstance(dW, NotNumeric) or np.ndim(dW) != 2:
        raise Deduction(f"{function} must return dW as a 2-D array shaped like W, not {dW!r}.")
    loss_type = "ndarray" if isinstance(loss, np.ndarray) and loss.ndim else type(loss).__name__
    return LossOutput(float(np.asarray(loss).reshape(-1)[0]), np.asarray(dW, dtype=float),
                      loss_type if np.ndim(loss) == 0 else "array", reply.mutated)


def gradient_errors(loss_at: Callable[[np.ndarray], float], W: np.ndarray, dW: np.ndarray):
    """(index, relative error) of dW against a central difference of loss_at, on a few entries of W."""
    rng = np.random.default_rng(5)
    for _ in range(GRADIENT_ENTRIES):
        index = tuple(int(rng.integers(n)) for n in W.shape)
        losses = []
        for step in (NUMERICAL_STEP, -NUMERICAL_STEP):
            moved = W.copy()
            moved[index] += step
            losses.append(loss_at(moved))
        numerical = (losses[0] - losses[1]) / (2 * NUMERICAL_STEP)
        analytic = float(dW[index])
        yield index, abs(numerical - analytic) / max(abs(numerical) + abs(analytic), GRADIENT_FLOOR)


def _changed(before, after) -> bool:
    """Did a loss or gradient really change (relative to its scale), not just in the last digits?"""
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if before.shape != after.shape:
        return True
    scale = max(float(np.max(np.abs(before))), 1e-300) if before.size else 1.0
    return bool(np.max(np.abs(after - before), initial=0.0) > RELATIVE_CHANGE * scale)


def dependence_failure(grading: GradingContext, problems: ProblemSet, function: str) -> str:
    """Why the function does not compute a loss from the data and W ('' if it does).

    Checks that do not compare values with the reference are credited only when
    this is '', so a stub, a constant, a NaN or a near-constant return cannot
    collect them, while a function with a novel bug still can.
    """
    for problem, relabellings, data_changes in problems.dependence_problems():
        base = call_loss(grading, function, problem)
        relabelled = [call_loss(grading, function, change) for change in relabellings]
        changed_data = [call_loss(grading, function, change) for change in data_changes]
        for output in [base, *relabelled, *changed_data]:
            if not (np.isfinite(output.loss) and np.all(np.isfinite(output.dW))):
                return "its loss or dW is not finite (NaN or inf)"
        if not np.any(base.dW):
            return "its dW is all zeros"
        if not any(_changed(base.loss, other.loss) for other in relabelled):
            return "its loss (practically) does not change when y changes"
        # one of the two suffices: a real hinge loss may ignore a scaled X when no margin is active
        if not any(_changed(base.loss, other.loss) for other in changed_data):
            return "its loss (practically) does not change when X is scaled or W is perturbed"
        if not any(_changed(base.dW, other.dW) for other in changed_data):
            return "its dW (practically) does not change when X is scaled or W is perturbed"
    return ""


class SharedData:
    """X (N, D) and y (N,) drawn with the grading's secret, made alike in workers (no bytes sent) and, when
    the grader needs their values (to judge an answer), here."""

    def __init__(self, name: str, num_classes: int, specs: List[dict]):
        self.name, self.num_classes, self.specs = name, num_classes, specs

    @cached_property
    def X(self) -> np.ndarray:
        return generate(self.specs[0])

    @cached_property
    def y(self) -> np.ndarray:
        return generate(self.specs[1])

    @property
    def dim(self) -> int:
        return int(self.specs[0]["shape"][1])

    @property
    def stored(self):
        return Stored(f"X{self.name}"), Stored(f"y{self.name}")


def share_data(grading: GradingContext, name: str, workers, shape, seed: int) -> SharedData:
    num_train, dim, num_classes = shape
    X_seed, y_seed = (int(value) for value in grading.rng(seed).integers(2**63, size=2))
    specs = [{"name": f"X{name}", "seed": X_seed, "shape": [num_train, dim], "kind": "normal"},
             {"name": f"y{name}", "seed": y_seed, "shape": [num_train], "kind": "integers", "high": num_classes}]
    for worker in workers:
        worker.generate(*specs)
    return SharedData(name, num_classes, specs)


def timed_rounds(grading: GradingContext, function: str, data: SharedData, seed: int):
    """SPEED_ROUNDS requests of function on the shared data, each with a fresh W drawn with the secret."""
    rng = grading.rng(seed)
    for _ in range(SPEED_ROUNDS):
        W = TIMED_WEIGHT_SCALE * rng.standard_normal((data.dim, data.num_classes))
        yield Timed(module_of(grading, function), function, (W, *data.stored, TIMED_REG))


def timed_answer_judge(function: str, X: np.ndarray, y: np.ndarray):
    """judge(request, student_values, reference_values) -> '' if the student's timed answer is right, else why not.

    Right is the reference's (loss, dW), or a catalogued mistake's (those already
    cost their value checks), dW in either orientation.
    """
    def judge(request, student, reference):
        W, reg = request.args[0], request.args[3]
        if len(student) != 2 or any(isinstance(value, NotNumeric) for value in student):
            return "it did not return (loss, dW)"
        loss, dW = student
        dWs = [dW, dW.T] if np.ndim(dW) == 2 else [dW]
        loss_ok = close(loss, reference[0])
        dW_ok = any(close(candidate, reference[1]) for candidate in dWs)
        if not (loss_ok and dW_ok):
            variants = mistakes.variants(loss_kind(function), W, X, y, reg)
            loss_ok = loss_ok or any(close(loss, variant[1]) for variant in variants)
            dW_ok = dW_ok or any(close(candidate, variant[2]) for variant in variants for candidate in dWs)
        if loss_ok and dW_ok:
            return ""
        return f"its {'loss' if not loss_ok else 'dW'} differs from the reference's"
    return judge
