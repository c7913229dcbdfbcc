"""Rubric for predict_labels: 24 points.

Each check poses what it names and nothing else (see problems.py): the nearest
row with k=1; clear majorities whose nearest row is outvoted (k = 3, 5, 7, and
10 with only 3 classes); ties whose larger label is nearest. Labels are
compared with the reference's, computed here in the trusted process.
"""
import numpy as np

from autograder.rubric import Deduction, check

from ..votes import call_vote, first_wrong, follows_its_inputs

FUNCTION = "predict_labels"


@check(points=5, function=FUNCTION, kind="values")
def test_k_1_predicts_the_nearest_label(grading, problems):
    """k=1: the label of the nearest training row"""
    wrong = first_wrong(grading, [problems.nearest_problem()])
    if wrong:
        raise wrong


@check(points=10, function=FUNCTION, kind="values")
def test_majority_of_the_k_nearest(grading, problems):
    """the most common label among the k nearest (k = 3, 5, 7, and 10 with 3 classes)"""
    wrong = first_wrong(grading, problems.majority_problems())
    if wrong:
        raise wrong


@check(points=6, function=FUNCTION, kind="ties")
def test_ties_go_to_the_smaller_label(grading, problems):
    """a tie between labels goes to the smallest of them"""
    wrong = first_wrong(grading, problems.tie_problems())
    if wrong:
        raise wrong


@check(points=3, function=FUNCTION, kind="api")
def test_predict_labels_api(grading, problems):
    """one whole-number label per test row, shape (num_test,), following its inputs; dists left untouched"""
    if not follows_its_inputs(grading, problems):  # so a constant or precomputed answer earns nothing
        raise Deduction("predict_labels's labels do not follow its inputs (reordering the rows of dists should "
                        "reorder them; renaming the training labels should rename them): vote with self.y_train.",
                        "predict_labels ignores its inputs")
    problem = problems.majority_problems()[0]
    output = call_vote(grading, problem, echo=True)
    if output.labels.shape != (len(problem.dists),):
        raise Deduction(f"predict_labels should return an array of shape (num_test,) = ({len(problem.dists)},); "
                        f"yours has shape {output.labels.shape}.")
    if not np.all(np.isfinite(output.labels)) or not np.array_equal(output.labels, np.round(output.labels)):
        raise Deduction("predict_labels should return whole-number labels.")
    if output.mutated:
        raise Deduction(f"predict_labels changed {', '.join(output.mutated)}: work on a copy (np.argsort rather "
                        "than sorting in place); the caller keeps using dists.", "input mutated")
