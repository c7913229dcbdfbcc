"""The checks shared by the four loss functions; the test files declare which function gets which, for how many points."""
import time
from dataclasses import dataclass
from typing import List

import numpy as np

from autograder import mistakes
from autograder.binding import StaticCheckError, python_source, sibling_tampering
from autograder.problems import Problem
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
SPEED_SHAPE = (40000, 16, 4)  # per-example Python overhead dominates here, so loops show
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


def reference_loss(function: str, problem: Problem):
    """The reference's (loss, dW), computed in the trusted process."""
    module = reference_module(f"classifiers.{MODULE[function]}")
    return getattr(module, f"{loss_kind(function)}_loss_vectorized")(*problem.args)


def call_loss(grading: GradingContext, function: str, problem: Problem, echo: bool = False) -> LossOutput:
    """The student's (loss, dW) on a problem, or a Deduction saying what is wrong with the return value.

    The call may take what the reference needs for the same problem, times a generous factor.
    echo: also find out which inputs the call changed (LossOutput.mutated; else it is empty).
    """
    start = time.perf_counter()
    reference_loss(function, problem)
    timeout = grading.student.limits.timeout_after(time.perf_counter() - start)
    reply = grading.student.call(MODULE[function], function, *problem.args, timeout=timeout, echo=echo)
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
    for problem in grading.problems.value_problems():
        output = call_loss(grading, function, problem)
        expected, _ = reference_loss(function, problem)
        if not mistakes.close(output.loss, expected):
            mistake, sentence = mistakes.diagnose(loss_kind(function), problem, output.loss, "loss")
            raise Deduction(f"On a problem with {problem.description}, your loss differs from the "
                            f"reference. {sentence}", mistake)


def check_gradient_values(grading, function):
    for problem in grading.problems.value_problems():
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
    problem = grading.problems.gradient_check_problem()
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
            losses.append(call_loss(grading, function, Problem("", W, problem.X, problem.y, problem.reg)).loss)
        numerical = (losses[0] - losses[1]) / (2 * NUMERICAL_STEP)
        analytic = float(output.dW[index])
        error = abs(numerical - analytic) / max(abs(numerical) + abs(analytic), 1e-6)
        if not error <= GRADIENT_TOLERANCE:
            raise Deduction(f"Your analytic dW disagrees with a numerical gradient of your own loss at "
                            f"W{list(index)} (relative error {error:.1e}, allowed {GRADIENT_TOLERANCE:g}): "
                            "dW is not the gradient of the loss you return.", "gradient inconsistent with loss")


def check_initial_loss(grading, function):
    computes_a_loss(grading, function)
    for num_classes in (3, 10):
        problem = grading.problems.initialisation_problem(num_classes)
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
    problem = grading.problems.api_problem()
    output = call_loss(grading, function, problem, echo=True)
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
    base, shifted = grading.problems.offset_problem(1e3)
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


RELATIVE_CHANGE = 1e-6  # far above rounding (1e-15), far below what a real loss does when its data change


def _changed(before, after) -> bool:
    """Did a loss or gradient really change (relative to its scale), not just in the last digits?"""
    before, after = np.asarray(before, dtype=float), np.asarray(after, dtype=float)
    if before.shape != after.shape:
        return True
    scale = max(float(np.max(np.abs(before))), 1e-300) if before.size else 1.0
    return bool(np.max(np.abs(after - before), initial=0.0) > RELATIVE_CHANGE * scale)


def _dependence_failure(grading, function) -> str:
    """Why the function does not compute a loss from the data and W ('' if it does)."""
    for problem, changes in grading.problems.dependence_problems():
        base = call_loss(grading, function, problem)
        others = [call_loss(grading, function, change) for change in changes]
        for output in [base] + others:
            if not (np.isfinite(output.loss) and np.all(np.isfinite(output.dW))):
                return "its loss or dW is not finite (NaN or inf)"
        if not np.any(base.dW):
            return "its dW is all zeros"
        moved = [_changed(base.loss, other.loss) for other in others]
        if not moved[0] or not any(moved[1:]):  # a real hinge loss may ignore a scaled X when no margin is active
            unchanged = [change.description for change, change_moved in zip(changes, moved) if not change_moved]
            return f"its loss (practically) does not change when {' or '.join(unchanged)}"
        if not any(_changed(base.dW, other.dW) for other in others[1:]):
            return "its dW (practically) does not change when X is scaled or W is perturbed"
    return ""


def computes_a_loss(grading, function) -> None:
    """Deduct unless the function's loss and dW are finite and really depend on X, y and W.

    Checks that do not compare values with the reference (initial loss,
    numerical gradient, API, stability, vectorisation, speed) are credited only
    then, so a stub, a constant, a NaN or a near-constant return cannot collect
    them, while a function with a novel bug still can.
    """
    key = f"computes:{function}"
    if key not in grading.cache:
        grading.cache[key] = _dependence_failure(grading, function)
    if grading.cache[key]:
        raise Deduction(f"This is credited once {function} computes a loss from the data: "
                        f"{grading.cache[key]}.", "does not compute a loss")


def _sibling_tampering(grading, module) -> str:
    """What another graded file does that could rebind this module's names at import ('' if nothing)."""
    for sibling, text in sorted(grading.sources.items()):
        if sibling == module:
            continue
        try:
            tampering = sibling_tampering(python_source(text), module)
        except (StaticCheckError, SyntaxError, RecursionError, MemoryError, ValueError, LookupError):
            continue  # a file that cannot be read cannot be imported either
        if tampering:
            return f"{sibling}.py, {tampering}, which could rebind names of {module}.py"
    return ""


def check_no_example_loop(grading, function):
    computes_a_loss(grading, function)
    module = MODULE[function]
    try:
        loops = example_loops(python_source(grading.sources[module]), function)
        tampering = _sibling_tampering(grading, module)
        if tampering:
            raise StaticCheckError(tampering)
    except StaticCheckError as error:
        raise Deduction(f"The static check could not vouch for {function} in {module}.py: {error}") from None
    except (SyntaxError, RecursionError, MemoryError, ValueError, LookupError):
        raise Deduction(f"{module}.py could not be read for the static check.") from None
    if loops is None:
        raise Deduction(f"No `def {function}` found in {module}.py for the static check.")
    if loops:
        raise Deduction(f"A vectorised function must not loop over the examples in Python; found: "
                        f"{'; '.join(loops)}. (A loop over the classes is fine.)", "loop over examples")


def _speed_data(grading, key, workers, shape, seed):
    """X, y of the given shape, drawn with the grading's secret and stored once in each worker."""
    if key not in grading.cache:
        num_train, dim, num_classes = shape
        rng = grading.problems.rng(seed)
        X, y = rng.standard_normal((num_train, dim)), rng.integers(num_classes, size=num_train)
        for worker in workers:
            worker.store(**{f"X{key}": X, f"y{key}": y})
        grading.cache[key] = X, y
    return grading.cache[key]


def _timed_answer_judge(function, X, y):
    """judge(W, reg, student_values, reference_values) -> '' if the student's timed answer is right, else why not.

    Right is the reference's (loss, dW), or a catalogued mistake's (those already
    cost their value checks), dW in either orientation.
    """
    def judge(W, reg, student, reference):
        if len(student) != 2 or any(isinstance(value, NotNumeric) for value in student):
            return "it did not return (loss, dW)"
        loss, dW = student
        dWs = [dW, dW.T] if np.ndim(dW) == 2 else [dW]
        loss_ok = mistakes.close(loss, reference[0])
        dW_ok = any(mistakes.close(candidate, reference[1]) for candidate in dWs)
        if not (loss_ok and dW_ok):
            variants = mistakes.variants(loss_kind(function), W, X, y, reg)
            loss_ok = loss_ok or any(mistakes.close(loss, variant[1]) for variant in variants)
            dW_ok = dW_ok or any(mistakes.close(candidate, variant[2]) for variant in variants for candidate in dWs)
        if loss_ok and dW_ok:
            return ""
        return f"its {'loss' if not loss_ok else 'dW'} differs from the reference's"
    return judge


def check_speed(grading, function):
    computes_a_loss(grading, function)
    num_train, dim, num_classes = SPEED_SHAPE
    X, y = _speed_data(grading, "speed", [grading.student, grading.reference], SPEED_SHAPE, 7)
    timing = compare_speed(grading.student, grading.reference, MODULE[function], function,
                           Stored("Xspeed"), Stored("yspeed"), grading.problems.rng(8), dim, num_classes,
                           _timed_answer_judge(function, X, y))
    where = f"N={num_train}, D={dim}, C={num_classes}"
    if timing.wrong:
        raise Deduction(f"{function} gave a wrong answer in the timed run at {where} ({timing.wrong}), so its "
                        "speed cannot be credited: it must compute the same loss at every size.",
                        "wrong answer when timed")
    grading.notes.append(f"{function}: {timing.ratio:.1f}x the reference's time at {where} "
                         f"(allowed {MAX_RATIO:g}x)")
    _report_naive_speedup(grading, function)
    if not timing.fast_enough:
        raise Deduction(f"{function} took {timing.ratio:.0f}x the reference's time at {where} "
                        f"(allowed {MAX_RATIO:g}x): that is the cost of a Python loop over "
                        "the examples.", "not vectorised (too slow)")


def _report_naive_speedup(grading, function):
    """CS231n's figure, for information: how much faster the vectorised version is than the naive one."""
    num_train, dim, num_classes = DEV_SHAPE
    try:
        _speed_data(grading, "dev", [grading.student], DEV_SHAPE, 9)
        speedup = naive_speedup(grading.student, MODULE[function], naive_of(function), function,
                                Stored("Xdev"), Stored("ydev"), dim, num_classes)
    except Exception:  # informational only: a broken naive version just leaves the figure out
        return
    grading.notes.append(f"{function}: {speedup:.1f}x faster than {naive_of(function)} at "
                         f"N={num_train}, D={dim}, C={num_classes} (CPU time of the worker, its round trips included)")
