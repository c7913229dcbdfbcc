"""Properties of the reference solution that the rubric relies on."""
import numpy as np
import pytest

from autograder.assignment import load
from autograder.pipeline.reference import reference_module

from ..losses import GRADIENT_TOLERANCE, gradient_errors
from ..problems import ProblemSet

LINEAR = load("linear_classifiers")
LOSSES = [("linear_svm", "svm_loss_naive"), ("linear_svm", "svm_loss_vectorized"),
          ("softmax", "softmax_loss_naive"), ("softmax", "softmax_loss_vectorized")]


def loss_function(module, name):
    return getattr(reference_module(LINEAR, module), name)


@pytest.mark.parametrize("name", ["softmax_loss_naive", "softmax_loss_vectorized"])
@pytest.mark.parametrize("offset", [1e3, 1e5])
def test_softmax_is_exact_when_scores_share_a_large_offset(name, offset):
    rng = np.random.default_rng(0)
    X = np.hstack([rng.standard_normal((30, 6)), np.ones((30, 1))])
    W = rng.standard_normal((7, 4))
    y = rng.integers(4, size=30)
    shifted = W.copy()
    shifted[-1] += offset
    softmax = loss_function("softmax", name)
    loss, dW = softmax(W, X, y, 0.0)
    loss_shifted, dW_shifted = softmax(shifted, X, y, 0.0)
    assert np.isfinite(loss_shifted) and np.all(np.isfinite(dW_shifted))
    assert loss_shifted == pytest.approx(loss, rel=1e-9)
    assert np.allclose(dW_shifted, dW, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("module, name", LOSSES)
def test_losses_leave_their_inputs_alone(module, name):
    rng = np.random.default_rng(1)
    W, X, y = rng.standard_normal((5, 3)), rng.standard_normal((8, 5)), rng.integers(3, size=8)
    before = [a.copy() for a in (W, X, y)]
    loss_function(module, name)(W, X, y, 0.5)
    assert all(np.array_equal(a, b) for a, b in zip(before, (W, X, y)))


def test_train_leaves_data_alone_and_keeps_W_across_calls():
    classifiers = reference_module(LINEAR, "linear_classifier")
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((40, 5)), rng.integers(3, size=40)
    before = X.copy(), y.copy()
    model = classifiers.Softmax()
    model.train(X, y, num_iters=5, batch_size=10)
    first_W = model.W.copy()
    model.train(X, y, num_iters=0)
    assert np.array_equal(model.W, first_W)
    assert np.array_equal(X, before[0]) and np.array_equal(y, before[1])


def float32(loss):
    """The same loss computed in float32, as a correct student's may be."""
    def in_float32(W, X, y, reg):
        value, dW = loss(W.astype(np.float32), X.astype(np.float32), y, np.float32(reg))
        return float(value), np.asarray(dW, dtype=float)
    return in_float32


@pytest.mark.parametrize("precision", ["float64", "float32"])
@pytest.mark.parametrize("module, name", [("linear_svm", "svm_loss_vectorized"),
                                          ("softmax", "softmax_loss_vectorized")])
def test_the_numerical_gradient_check_passes_correct_losses_whatever_the_secret(module, name, precision):
    """The problem and so the sampled entries change with each grading's secret: none may fail correct code
    (entries of dW near 0, where the difference quotient's error and float32 rounding are largest, included)."""
    loss = loss_function(module, name)
    loss = float32(loss) if precision == "float32" else loss
    failing = []
    for secret in range(1500):
        problem = ProblemSet(secret).gradient_check_problem()
        _, dW = loss(*problem.args)
        errors = gradient_errors(lambda W: loss(W, problem.X, problem.y, problem.reg)[0], problem.W, dW)
        failing += [secret for _, error in errors if not error <= GRADIENT_TOLERANCE][:1]
    assert not failing, f"the numerical gradient check fails correct {precision} code for secrets {failing[:5]}"
