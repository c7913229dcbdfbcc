"""Rubric for the four loss functions: 74 points (SVM 34, softmax 40).

One test per graded property; its cases say, per function, the points it is
worth. Values are compared with the reference, computed here in the trusted
process on problems drawn with the grading's secret (problems.py).
"""
import numpy as np
import pytest

from autograder.rubric import Deduction, StudentError, case, close
from autograder.rubric.loops import graded_loops
from autograder.rubric.timing import MAX_RATIO, Timed, compare_speed, speedup

from .. import mistakes
from ..losses import (DEV_SHAPE, FLOAT_TYPES, GRADIENT_TOLERANCE, SPEED_SHAPE, TIMED_REG, call_loss, gradient_errors,
                      loss_kind, module_of, naive_of, timed_answer_judge, timed_rounds)
from ..problems import Problem

PER_EXAMPLE_ARGUMENTS = (1, 2)  # X and y in f(W, X, y, reg)
NOTE_TIMEOUT = 2.0  # for the naive loss at the dev shape in the informational speedup: 50x the reference's


@pytest.mark.parametrize("function", [
    case("svm_loss_naive", 4, "values"),
    case("svm_loss_vectorized", 4, "values"),
    case("softmax_loss_naive", 4, "values"),
    case("softmax_loss_vectorized", 4, "values"),
])
def test_loss_values(value_outputs, function):
    """loss matches the reference (several shapes, N=1, C=2, ties at the margin, large D)"""
    for problem, output, (expected, _) in value_outputs(function):
        if not close(output.loss, expected):
            mistake, sentence = mistakes.diagnose(loss_kind(function), problem, output.loss, "loss")
            raise Deduction(f"On a problem with {problem.description}, your loss differs from the "
                            f"reference. {sentence}", mistake)


@pytest.mark.parametrize("function", [
    case("svm_loss_naive", 4, "values"),
    case("svm_loss_vectorized", 4, "values"),
    case("softmax_loss_naive", 4, "values"),
    case("softmax_loss_vectorized", 4, "values"),
])
def test_gradient_values(value_outputs, function):
    """dW matches the reference"""
    for problem, output, (_, expected) in value_outputs(function):
        accepted = [expected]
        if loss_kind(function) == "svm":  # at a kink either one-sided slope is a valid subgradient
            accepted.append(mistakes.tie_tolerant_gradient(*problem.args))
        if not any(close(output.dW, candidate) for candidate in accepted):
            mistake, sentence = mistakes.diagnose(loss_kind(function), problem, output.dW, "dW", output.loss)
            raise Deduction(f"On a problem with {problem.description}, your dW differs from the "
                            f"reference. {sentence}", mistake)


@pytest.mark.parametrize("function", [
    case("svm_loss_naive", 3, "gradient"),
    case("svm_loss_vectorized", 2, "gradient"),
    case("softmax_loss_naive", 3, "gradient"),
    case("softmax_loss_vectorized", 2, "gradient"),
])
def test_numerical_gradient(grading, problems, computes_a_loss, function):
    """dW agrees with a numerical gradient of your own loss"""
    computes_a_loss(function)
    problem = problems.gradient_check_problem()
    output = call_loss(grading, function, problem)
    if output.dW.shape != problem.W.shape:
        raise Deduction(f"dW has shape {output.dW.shape} but must be shaped like W {problem.W.shape}.")

    def own_loss(W):
        return call_loss(grading, function, Problem("", W, problem.X, problem.y, problem.reg)).loss

    for index, error in gradient_errors(own_loss, problem.W, output.dW):
        if not error <= GRADIENT_TOLERANCE:
            raise Deduction(f"Your analytic dW disagrees with a numerical gradient of your own loss at "
                            f"W{list(index)} (relative error {error:.1e}, allowed {GRADIENT_TOLERANCE:g}): "
                            "dW is not the gradient of the loss you return.", "gradient inconsistent with loss")


@pytest.mark.parametrize("function", [
    case("svm_loss_naive", 2, "sanity"),
    case("svm_loss_vectorized", 1, "sanity"),
    case("softmax_loss_naive", 2, "sanity"),
    case("softmax_loss_vectorized", 1, "sanity"),
])
def test_initial_loss(grading, problems, computes_a_loss, function):
    """loss at initialisation is what the lecture predicts (SVM: C - 1, softmax: log C)"""
    computes_a_loss(function)
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


@pytest.mark.parametrize("function", [
    case("svm_loss_naive", 2, "api"),
    case("svm_loss_vectorized", 1, "api"),
    case("softmax_loss_naive", 2, "api"),
    case("softmax_loss_vectorized", 1, "api"),
])
def test_api(grading, problems, computes_a_loss, function):
    """returns a float loss and a W-shaped dW, and leaves its inputs untouched"""
    computes_a_loss(function)
    problem = problems.api_problem()
    output = call_loss(grading, function, problem, echo=True)
    if output.loss_type not in FLOAT_TYPES:
        raise Deduction(f"The loss should be a float scalar; yours is of type {output.loss_type}.")
    if output.dW.shape != problem.W.shape:
        raise Deduction(f"dW has shape {output.dW.shape} but must be shaped like W {problem.W.shape}.")
    if output.mutated:
        names = ", ".join("WXy"[index] if index < 3 else "reg" for index in output.mutated)
        raise Deduction(f"{function} changed its input {names}: work on a copy, callers keep using their arrays.",
                        "input mutated")


@pytest.mark.parametrize("function", [
    case("softmax_loss_naive", 3, "stability"),
    case("softmax_loss_vectorized", 3, "stability"),
])
def test_stability(grading, problems, computes_a_loss, function):
    """finite and unchanged when all scores share a large offset"""
    computes_a_loss(function)
    base, shifted = problems.offset_problem(1e3)
    before = call_loss(grading, function, base)
    after = call_loss(grading, function, shifted)
    if not (np.isfinite(after.loss) and np.all(np.isfinite(after.dW))):
        raise Deduction("When every score is raised by 1000 (a large bias), your loss or dW is not finite: "
                        "exp overflowed. Softmax is unchanged by a common shift, so subtract each row's "
                        "max score before exp.", "softmax without the max shift")
    if not (close(after.loss, before.loss) and close(after.dW, before.dW)):
        raise Deduction("Raising every score by 1000 changed your loss or dW, but softmax is unchanged by "
                        "a common shift: shift by each row's max and keep the computation exact.",
                        "softmax without the max shift")


@pytest.mark.parametrize("function", [
    case("svm_loss_vectorized", 3, "vectorised"),
    case("softmax_loss_vectorized", 3, "vectorised"),
])
def test_no_example_loop(grading, computes_a_loss, function):
    """no Python loop over the examples"""
    computes_a_loss(function)
    loops = graded_loops(grading, function, PER_EXAMPLE_ARGUMENTS)
    if loops:
        raise Deduction(f"A vectorised function must not loop over the examples in Python; found: "
                        f"{'; '.join(loops)}. (A loop over the classes is fine.)", "loop over examples")


def _note_naive_speedup(grading, function, dev_data) -> None:
    """CS231n's figure, for information: how much faster the vectorised version is than the naive one."""
    num_train, dim, num_classes = DEV_SHAPE
    W = 1e-4 * np.random.default_rng(1).standard_normal((dim, num_classes))
    module = module_of(grading, function)
    try:
        times = speedup(grading.student, Timed(module, naive_of(function), (W, *dev_data().stored, TIMED_REG)),
                        Timed(module, function, (W, *dev_data().stored, TIMED_REG)), NOTE_TIMEOUT)
    except StudentError as error:  # informational only: a broken or very slow naive version leaves it out
        if error.kind == "timeout":
            grading.notes.append(f"{naive_of(function)} took more than {NOTE_TIMEOUT:g} s at N={num_train}, "
                                 f"D={dim}, C={num_classes} (the reference's takes about 0.04 s), so the speedup "
                                 "of the vectorised version is left out")
        return
    except ZeroDivisionError:
        return
    grading.notes.append(f"{function}: {times:.1f}x faster than {naive_of(function)} at "
                         f"N={num_train}, D={dim}, C={num_classes} (CPU time of the worker, its round trips included)")


@pytest.mark.parametrize("function", [
    case("svm_loss_vectorized", 4, "speed"),
    case("softmax_loss_vectorized", 4, "speed"),
])
def test_speed(grading, computes_a_loss, speed_data, dev_data, function):
    """within 8x the reference's time at a shape where loops over examples show"""
    computes_a_loss(function)
    num_train, dim, num_classes = SPEED_SHAPE
    timing = compare_speed(grading.student, grading.reference, timed_rounds(grading, function, speed_data, 8),
                           timed_answer_judge(function, speed_data.X, speed_data.y), MAX_RATIO)
    where = f"N={num_train}, D={dim}, C={num_classes}"
    if timing.wrong:
        raise Deduction(f"{function} gave a wrong answer in the timed run at {where} ({timing.wrong}), so its "
                        "speed cannot be credited: it must compute the same loss at every size.",
                        "wrong answer when timed")
    grading.notes.append(f"{function}: {timing.ratio:.1f}x the reference's time at {where} "
                         f"(allowed {MAX_RATIO:g}x)")
    _note_naive_speedup(grading, function, dev_data)
    if not timing.fast_enough:
        raise Deduction(f"{function} took {timing.ratio:.0f}x the reference's time at {where} "
                        f"(allowed {MAX_RATIO:g}x): that is the cost of a Python loop over "
                        "the examples.", "not vectorised (too slow)")
