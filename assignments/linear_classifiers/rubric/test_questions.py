"""Rubric for the notebook's inline questions with a definite answer: 6 points, 1 each.

Each answer cell (nbgrader grade_id answer_*) runs alone in the sandbox; its
check names the cell, so nbgrader shows each answer's point next to it.
"""
import math

import numpy as np

from autograder.rubric import Deduction, notebook_answer, question

CLASS_COUNTS = [2, 3, 10]


@question("answer_svm_init_loss")
def test_svm_loss_at_initialisation(grading):
    """SVM loss at initialisation, as a function of C"""
    values = notebook_answer(grading, "answer_svm_init_loss", CLASS_COUNTS)
    if not np.allclose(values, [c - 1 for c in CLASS_COUNTS]):
        raise Deduction("Not quite: with all scores about 0, what does each wrong class add to the loss?")


@question("answer_softmax_init_loss")
def test_softmax_loss_at_initialisation(grading):
    """softmax loss at initialisation, as a function of C"""
    values = notebook_answer(grading, "answer_softmax_init_loss", CLASS_COUNTS)
    if not np.allclose(values, [math.log(c) for c in CLASS_COUNTS]):
        raise Deduction("Not quite: with all scores equal, what probability does the correct class get?")


@question("answer_svm_loss_all_classes_init")
def test_svm_loss_summing_over_all_classes(grading):
    """SVM loss at initialisation if the sum included the correct class"""
    values = notebook_answer(grading, "answer_svm_loss_all_classes_init", CLASS_COUNTS)
    if not np.allclose(values, CLASS_COUNTS):
        raise Deduction("Not quite: what does the term j = y_i add, whatever the scores?")


@question("answer_svm_loss_range")
def test_svm_loss_range(grading):
    """smallest and largest possible SVM loss"""
    if not np.array_equal(notebook_answer(grading, "answer_svm_loss_range"), [0.0, np.inf]):
        raise Deduction("Not quite: give (min, max); can a hinge term be negative, and is it bounded?")


@question("answer_softmax_loss_range")
def test_softmax_loss_range(grading):
    """smallest and largest possible softmax loss"""
    if not np.array_equal(notebook_answer(grading, "answer_softmax_loss_range"), [0.0, np.inf]):
        raise Deduction("Not quite: give (min, max); what is -log p as p goes to 1 and to 0?")


@question("answer_l2_prefers")
def test_l2_preference(grading):
    """which of w1 = [1,0,0,0] and w2 = [.25,.25,.25,.25] L2 regularisation prefers"""
    choice = notebook_answer(grading, "answer_l2_prefers", ["w1", "w2"])
    if choice.tolist() != [1]:
        raise Deduction("Not quite: compare sum(w * w) for the two; answer 'w1' or 'w2'.")
