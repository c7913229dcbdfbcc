"""Rubric for the three distance methods: 50 points (two loops 12, one loop 14, no loops 24).

Values are compared with the reference, computed here in the trusted process on
rows drawn with the grading's secret (problems.py); the no-loop version is also
checked for loops, statically, and timed against the reference at many test
rows and few of the rest (problems.SPEED_SHAPE), where Python work per row or
per pair dominates. Measured on the 2-core machine, idle and with both cores
saturated (`python -m assignments.knn.tests.speed_margins`): vectorised styles
(the expansion, np.linalg.norm or einsum with broadcasting, cdist, float32)
0.6-2.2x the reference, a feature loop 0.8-1.1x, a loop over the test rows
36-78x, a Python metric per pair 66-129x; the limit is the kit's 8x.
"""
import pytest

from autograder.rubric import Deduction, case, check, close
from autograder.rubric.loops import graded_loops
from autograder.rubric.timing import MAX_RATIO, Timing, compare_speed

from ..distances import call_distances, diagnose, reference_distances, timed_answer_judge, timed_rounds
from ..problems import SPEED_SHAPE

TWO, ONE, NONE = "compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops"


@pytest.mark.parametrize("function", [case(TWO, 10, "values"), case(ONE, 10, "values"), case(NONE, 10, "values")])
def test_distance_values(grading, problems, function):
    """dists match the reference (one test row, one training row, repeated rows, large D)"""
    for problem in problems.distance_problems():
        output = call_distances(grading, function, problem)
        expected = reference_distances(grading, problem.X_train, problem.X)
        if not close(output.dists, expected):
            mistake, sentence = diagnose(problem, output.dists, expected)
            raise Deduction(f"On {problem.description}, your distances differ from the reference. {sentence}",
                            mistake)


@pytest.mark.parametrize("function", [case(TWO, 2, "api"), case(ONE, 2, "api"), case(NONE, 2, "api")])
def test_distance_api(grading, problems, computes_distances, function):
    """returns a float (num_test, num_train) array and leaves X_train, y_train and X untouched"""
    computes_distances(function)
    problem = problems.api_problem()
    output = call_distances(grading, function, problem, echo=True)
    if output.dists.shape != problem.shape:
        raise Deduction(f"dists has shape {output.dists.shape} but must be (num_test, num_train) = {problem.shape}: "
                        "one row per test point, one column per training point.")
    if output.dtype.kind != "f":
        raise Deduction(f"The distances should be floats; yours have dtype {output.dtype}, which rounds them.")
    if output.mutated:
        raise Deduction(f"{function} changed {', '.join(output.mutated)}: work on copies, the caller keeps using "
                        "its arrays (and the classifier its training data).", "input mutated")


@check(points=2, function=ONE, kind="vectorised")
def test_one_loop_has_a_single_loop(grading, computes_distances):
    """a single Python loop, over the test rows: all training rows at once"""
    computes_distances(ONE)
    loops = graded_loops(grading, ONE, None)
    if len(loops) > 1:
        raise Deduction(f"{ONE} should loop over the test rows only and handle all training rows at once "
                        f"(broadcasting); found {len(loops)} loops: {'; '.join(loops)}.", "more than one loop")


@check(points=6, function=NONE, kind="vectorised")
def test_no_loops_has_no_loop(grading, computes_distances):
    """no Python loop at all, in it or in anything it calls"""
    computes_distances(NONE)
    loops = graded_loops(grading, NONE, None)
    if loops:
        raise Deduction(f"{NONE} must not loop in Python, not even over the features; found: {'; '.join(loops)}. "
                        "Express the whole (num_test, num_train) matrix with array operations.", "a Python loop")


def _describe(timing: Timing) -> str:
    return f"{timing.ratio:.1f}x the reference's time at num_test={SPEED_SHAPE[0]}, num_train={SPEED_SHAPE[1]}, " \
           f"D={SPEED_SHAPE[2]}"


@check(points=6, function=NONE, kind="speed")
def test_no_loops_speed(grading, problems, speed_rows):
    """within 8x the reference's time with many test rows and few features"""
    timing = compare_speed(grading.student, grading.reference, timed_rounds(problems, NONE, 21),
                           timed_answer_judge(speed_rows), MAX_RATIO)
    if timing.wrong:
        raise Deduction(f"{NONE} gave a wrong answer in the timed run ({timing.wrong}), so its speed cannot be "
                        "credited: it must compute the same distances at every size.", "wrong answer when timed")
    grading.notes.append(f"{NONE}: {_describe(timing)} (allowed {MAX_RATIO:g}x)")
    if not timing.fast_enough:
        raise Deduction(f"{NONE} took {_describe(timing)} (allowed {MAX_RATIO:g}x): that is the cost of Python work "
                        "per test row or per pair, a loop or a Python function called for each.",
                        "not vectorised (too slow)")
