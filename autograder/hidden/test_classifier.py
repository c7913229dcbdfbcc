"""Rubric for LinearClassifier (linear_classifier.py): 20 points (train 14, predict 6).

train is graded with a loss the grader computes (a callback from the worker),
so a broken loss function does not also cost these points, and every check
compares values with the grader's own records.
"""
import pytest

from .classifier_checks import (check_delegation, check_history, check_initialisation, check_minibatches,
                                check_predict_api, check_predict_labels, check_update)

rubric = pytest.mark.rubric


@rubric(points=3, function="train", kind="sgd")
def test_train_initialises_W_lazily_once(grading):
    """initialises W = 0.001 * randn(D, max(y) + 1) on the first call only"""
    check_initialisation(grading)


@rubric(points=4, function="train", kind="sgd")
def test_train_draws_random_minibatches(grading):
    """draws batch_size random rows (with or without replacement) and their labels each iteration"""
    check_minibatches(grading)


@rubric(points=4, function="train", kind="sgd")
def test_train_takes_sgd_steps(grading):
    """passes reg to the loss and steps W -= learning_rate * grad"""
    check_update(grading)


@rubric(points=1, function="train", kind="sgd")
def test_train_returns_loss_history(grading):
    """returns the num_iters minibatch losses"""
    check_history(grading)


@rubric(points=2, function="train", kind="api")
def test_classifiers_use_vectorised_losses(grading):
    """LinearSVM and Softmax use the vectorised losses"""
    check_delegation(grading)


@rubric(points=4, function="predict", kind="values")
def test_predict_returns_argmax(grading):
    """labels are the highest-scoring classes"""
    check_predict_labels(grading)


@rubric(points=2, function="predict", kind="api")
def test_predict_shape(grading):
    """one whole-number label per example, shape (N,)"""
    check_predict_api(grading)
