"""The checks shared by the four loss functions; the test files declare which function gets which, for how many points."""
from dataclasses import dataclass
from typing import List

import numpy as np

from autograder import mistakes, problems
from autograder.reference import reference_module
from autograder.sandbox.process import NotNumeric, Stored
from autograder.scoring import Deduction, GradingContext
from autograder.timing import MAX_RATIO, compare_speed, naive_speedup
from autograder.vectorised import example_loops

MODULE = {"svm_loss_naive": "linear_svm", "svm_loss_vectorized": "linear_svm",
          "softmax_loss_naive": "softmax", "softmax_loss_vectorized": "softmax"}
FLOAT_TYPES = ("float", "float64", "float32", "float16", "longdouble", "ndarray")
NUMERICAL_STEP = 1e-2      # exact for the hinge away from kinks; O(h^2) error for softmax
GRADIENT_TOLERANCE = 1e-2  # CS231n reads a relative error above 1e-2 as a wrong gradient
SPEED_SHAPE = (20000, 64, 10)  # per-example Python overhead dominates here, so loops show
DEV_SHAPE = (500, 3073, 10)    # CS231n's dev set, where the notebook reports its speedup


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


def reference_loss(function: str, problem: problems.Problem):
    """The reference's (loss, dW), computed in the trusted process."""
    module = reference_module(f"classifiers.{MODULE[function]}")
    return getattr(module, f"{loss_kind(function)}_loss_vectorized")(*problem.args)


def call_loss(grading: GradingContext, function: str, problem: problems.Problem) -> LossOutput:
    """The student's (loss, dW) on a problem, or a Deduction saying what is wrong with the return value."""
    reply = grading.student.call(MODULE[function], function, *problem.args)
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


def check_loss_values(grading, function):
    for problem in problems.value_problems():
        output = call_loss(grading, function, problem)
        expected, _ = reference_loss(function, problem)
        if not mistakes.close(output.loss, expected):
            mistake, sentence = mistakes.diagnose(loss_kind(function), problem, output.loss, "loss")
            raise Deduction(f"On a problem with {problem.description}, your loss differs from the "
                            f"reference. {sentence}", mistake)


def check_gradient_values(grading, function):
    for problem in problems.value_problems():
        output = call_loss(grading, function, problem)
        _, expected = reference_loss(function, problem)
        accepted = [expected]
        if loss_kind(function) == "svm":  # at a kink either one-sided slope is a valid subgradient
            accepted.append(mistakes.tie_tolerant_gradient(*problem.args))
        if not any(mistakes.close(output.dW, candidate) for candidate in accepted):
            mistake, sentence = mistakes.diagnose(loss_kind(function), problem, output.dW, "dW", output.loss)
            raise Deduction(f"On a problem with {problem.description}, your dW differs from the "
                            f"reference. {sentence}", mistake)


def check_numerical_gradient(grading, function):
    """The student's dW against centred differences of the student's own loss, away from kinks."""
    computes_a_loss(grading, function)
    problem = problems.gradient_check_problem()
    output = call_loss(grading, function, problem)
    if output.dW.shape != problem.W.shape:
        raise Deduction(f"dW has shape {output.dW.shape} but must be shaped like W {problem.W.shape}.")
    rng = np.random.default_rng(5)
    for _ in range(6):
        index = tuple(int(rng.integers(n)) for n in problem.W.shape)
        losses = []
        for step in (NUMERICAL_STEP, -NUMERICAL_STEP):
            W = problem.W.copy()
            W[index] += step
            losses.append(call_loss(grading, function, problems.Problem("", W, problem.X, problem.y,
                                                                           problem.reg)).loss)
        numerical = (losses[0] - losses[1]) / (2 * NUMERICAL_STEP)
        analytic = float(output.dW[index])
        error = abs(numerical - analytic) / max(abs(numerical) + abs(analytic), 1e-6)
        if not error <= GRADIENT_TOLERANCE:
            raise Deduction(f"Your analytic dW disagrees with a numerical gradient of your own loss at "
                            f"W{list(index)} (relative error {error:.1e}, allowed {GRADIENT_TOLERANCE:g}): "
                            "dW is not the gradient of the loss you return.", "gradient inconsistent with loss")


def check_initial_loss(grading, function):
    for num_classes in (3, 10):
        problem = problems.initialisation_problem(num_classes)
        loss = call_loss(grading, function, problem).loss
        if loss_kind(function) == "svm":
            expected, why = num_classes - 1, "every wrong class's margin is about 1, so about C - 1"
            known = {num_classes: "the correct class is counted in the margin sum",
                     len(problem.y) * (num_classes - 1): "not averaged over the N examples"}
        else:
            expected, why = np.log(num_classes), "every class is equally likely, so about log C"
            known = {len(problem.y) * np.log(num_classes): "not averaged over the N examples"}
        if not abs(loss - expected) <= 0.05:
            mistake = next((name for value, name in known.items() if abs(loss - value) <= 0.05), None)
            sentence = f" Likely mistake: {mistake}." if mistake else ""
            raise Deduction(f"With tiny W, reg=0 and C={num_classes}, the loss should be what the lecture "
                            f"predicts ({why}); yours is {loss:.4g}.{sentence}", mistake)


def check_api(grading, function):
    computes_a_loss(grading, function)
    problem = problems.random_problem(40, 10, 6, 4, 0.3)
    output = call_loss(grading, function, problem)
    if output.loss_type not in FLOAT_TYPES:
        raise Deduction(f"The loss should be a float scalar; yours is of type {output.loss_type}.")
    if output.dW.shape != problem.W.shape:
        raise Deduction(f"dW has shape {output.dW.shape} but must be shaped like W {problem.W.shape}.")
    if output.mutated:
        names = ", ".join("WXy"[index] if index < 3 else "reg" for index in output.mutated)
        raise Deduction(f"{function} changed its input {names}: work on a copy, callers keep using their arrays.",
                        "input mutated")


def check_stability(grading, function):
    computes_a_loss(grading, function)
    base, shifted = problems.offset_problem(1e3)
    before = call_loss(grading, function, base)
    after = call_loss(grading, function, shifted)
    if not (np.isfinite(after.loss) and np.all(np.isfinite(after.dW))):
        raise Deduction("When every score is raised by 1000 (a large bias), your loss or dW is not finite: "
                        "exp overflowed. Softmax is unchanged by a common shift, so subtract each row's "
                        "max score before exp.", "softmax without the max shift")
    if not (mistakes.close(after.loss, before.loss) and mistakes.close(after.dW, before.dW)):
        raise Deduction("Raising every score by 1000 changed your loss or dW, but softmax is unchanged by "
                        "a common shift: shift by each row's max and keep the computation exact.",
                        "softmax without the max shift")


def computes_a_loss(grading, function) -> None:
    """Deduct unless the function's loss depends on X and y and its dW is not all zeros.

    Checks that do not compare values (numerical gradient, API, stability,
    vectorisation, speed) are credited only then, so a stub or a constant
    return cannot collect them, while a function with a novel bug still can.
    """
    key = f"computes:{function}"
    if key not in grading.cache:
        problem = problems.value_problems()[0]
        rolled = problems.Problem("", problem.W, problem.X, np.roll(problem.y, 1), problem.reg)
        scaled = problems.Problem("", problem.W, 1.5 * problem.X, problem.y, problem.reg)
        base, *others = [call_loss(grading, function, p) for p in (problem, rolled, scaled)]
        grading.cache[key] = bool(np.any(base.dW)) and all(other.loss != base.loss for other in others)
    if not grading.cache[key]:
        raise Deduction(f"This is credited once {function} computes a loss from the data: its loss does "
                        "not change with X or y, or its dW is all zeros.", "does not compute a loss")


def check_no_example_loop(grading, function):
    computes_a_loss(grading, function)
    source = grading.sources[MODULE[function]]
    try:
        loops = example_loops(source, function)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        raise Deduction(f"{MODULE[function]}.py could not be read for the static check.") from None
    if loops is None:
        raise Deduction(f"No `def {function}` found in {MODULE[function]}.py for the static check.")
    if loops:
        raise Deduction(f"A vectorised function must not loop over the examples in Python; found: "
                        f"{'; '.join(loops)}. (A loop over the classes is fine.)", "loop over examples")


def _store_once(grading, key, workers, shape, seed):
    if key not in grading.cache:
        num_train, dim, num_classes = shape
        rng = np.random.default_rng(seed)
        X, y = rng.standard_normal((num_train, dim)), rng.integers(num_classes, size=num_train)
        for worker in workers:
            worker.store(**{f"X{key}": X, f"y{key}": y})
        grading.cache[key] = True


def check_speed(grading, function):
    computes_a_loss(grading, function)
    num_train, dim, num_classes = SPEED_SHAPE
    _store_once(grading, "speed", [grading.student, grading.reference], SPEED_SHAPE, 7)
    timing = compare_speed(grading.student, grading.reference, MODULE[function], function,
                           Stored("Xspeed"), Stored("yspeed"), dim, num_classes)
    grading.notes.append(f"{function}: {timing.ratio:.1f}x the reference's time at N={num_train}, "
                         f"D={dim}, C={num_classes} (allowed {MAX_RATIO:g}x)")
    _report_naive_speedup(grading, function)
    if not timing.fast_enough:
        raise Deduction(f"{function} took {timing.ratio:.0f}x the reference's time at N={num_train}, D={dim}, "
                        f"C={num_classes} (allowed {MAX_RATIO:g}x): that is the cost of a Python loop over "
                        "the examples.", "not vectorised (too slow)")


def _report_naive_speedup(grading, function):
    """CS231n's figure, for information: how much faster the vectorised version is than the naive one."""
    num_train, dim, num_classes = DEV_SHAPE
    try:
        _store_once(grading, "dev", [grading.student], DEV_SHAPE, 8)
        speedup = naive_speedup(grading.student, MODULE[function], naive_of(function), function,
                                Stored("Xdev"), Stored("ydev"), dim, num_classes)
    except Exception:  # informational only: a broken naive version just leaves the figure out
        return
    grading.notes.append(f"{function}: {speedup:.1f}x faster than {naive_of(function)} at "
                         f"N={num_train}, D={dim}, C={num_classes} (sandbox round trips included)")
