"""Rubric for the notebook's inline questions with a definite answer: 2 points, 1 each.

Each answer is a list of the numbers of the options that hold; its cell (nbgrader
grade_id answer_*) runs alone in the sandbox, and its check names the cell, so
nbgrader shows each answer's point next to it. The explanations asked for
beside them are written answers, graded by hand.
"""
import numpy as np

from autograder.rubric import Deduction, notebook_answer, question

PREPROCESSING_STEPS = 5
STATEMENTS = 5


def chosen_options(grading, name: str, options: int) -> set:
    """The option numbers an answer cell lists, or a Deduction saying why there are none."""
    numbers = notebook_answer(grading, name).reshape(-1)
    if not np.all((numbers == np.round(numbers)) & (numbers >= 1) & (numbers <= options)):
        raise Deduction(f"{name} should be a list of option numbers from 1 to {options}, such as [1, 3]; "
                        f"yours is {numbers.tolist()[:10]}.")
    return set(numbers.astype(int).tolist())


@question("answer_l1_preprocessing")
def test_preprocessing_that_leaves_l1_knn_unchanged(grading):
    """which preprocessing steps leave an L1 nearest-neighbour classifier unchanged"""
    if chosen_options(grading, "answer_l1_preprocessing", PREPROCESSING_STEPS) != {1, 2, 3}:
        raise Deduction("Not quite: for each step, ask whether every L1 distance changes by the same factor "
                        "(or not at all); a step that treats the pixels differently can reorder the neighbours.")


@question("answer_knn_statements")
def test_true_statements_about_knn(grading):
    """which statements about kNN classification are true for every k"""
    if chosen_options(grading, "answer_knn_statements", STATEMENTS) != {2, 4}:
        raise Deduction("Not quite: try each statement on a small example, and think about what 1-NN does to a "
                        "training point and what predicting a test point has to look at.")
