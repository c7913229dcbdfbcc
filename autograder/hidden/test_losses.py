"""Rubric for the four loss functions: 74 points (SVM 34, softmax 40).

Each test is one graded property; its parameters list, per function, the
points it is worth.
"""
import pytest

from .loss_checks import (check_api, check_gradient_values, check_initial_loss, check_loss_values,
                          check_no_example_loop, check_numerical_gradient, check_speed, check_stability)


def graded(function: str, points: int, kind: str):
    return pytest.param(function, id=function,
                        marks=pytest.mark.rubric(points=points, function=function, kind=kind))


@pytest.mark.parametrize("function", [
    graded("svm_loss_naive", 4, "values"),
    graded("svm_loss_vectorized", 4, "values"),
    graded("softmax_loss_naive", 4, "values"),
    graded("softmax_loss_vectorized", 4, "values"),
])
def test_loss_values(grading, function):
    """loss matches the reference (several shapes, N=1, C=2, ties at the margin, large D)"""
    check_loss_values(grading, function)


@pytest.mark.parametrize("function", [
    graded("svm_loss_naive", 4, "values"),
    graded("svm_loss_vectorized", 4, "values"),
    graded("softmax_loss_naive", 4, "values"),
    graded("softmax_loss_vectorized", 4, "values"),
])
def test_gradient_values(grading, function):
    """dW matches the reference"""
    check_gradient_values(grading, function)


@pytest.mark.parametrize("function", [
    graded("svm_loss_naive", 3, "gradient"),
    graded("svm_loss_vectorized", 2, "gradient"),
    graded("softmax_loss_naive", 3, "gradient"),
    graded("softmax_loss_vectorized", 2, "gradient"),
])
def test_numerical_gradient(grading, function):
    """dW agrees with a numerical gradient of your own loss"""
    check_numerical_gradient(grading, function)


@pytest.mark.parametrize("function", [
    graded("svm_loss_naive", 2, "sanity"),
    graded("svm_loss_vectorized", 1, "sanity"),
    graded("softmax_loss_naive", 2, "sanity"),
    graded("softmax_loss_vectorized", 1, "sanity"),
])
def test_initial_loss(grading, function):
    """loss at initialisation is what the lecture predicts (SVM: C - 1, softmax: log C)"""
    check_initial_loss(grading, function)


@pytest.mark.parametrize("function", [
    graded("svm_loss_naive", 2, "api"),
    graded("svm_loss_vectorized", 1, "api"),
    graded("softmax_loss_naive", 2, "api"),
    graded("softmax_loss_vectorized", 1, "api"),
])
def test_api(grading, function):
    """returns a float loss and a W-shaped dW, and leaves its inputs untouched"""
    check_api(grading, function)


@pytest.mark.parametrize("function", [
    graded("softmax_loss_naive", 3, "stability"),
    graded("softmax_loss_vectorized", 3, "stability"),
])
def test_stability(grading, function):
    """finite and unchanged when all scores share a large offset"""
    check_stability(grading, function)


@pytest.mark.parametrize("function", [
    graded("svm_loss_vectorized", 3, "vectorised"),
    graded("softmax_loss_vectorized", 3, "vectorised"),
])
def test_no_example_loop(grading, function):
    """no Python loop over the examples"""
    check_no_example_loop(grading, function)


@pytest.mark.parametrize("function", [
    graded("svm_loss_vectorized", 4, "speed"),
    graded("softmax_loss_vectorized", 4, "speed"),
])
def test_speed(grading, function):
    """within 8x the reference's time at a shape where loops over examples show"""
    check_speed(grading, function)
