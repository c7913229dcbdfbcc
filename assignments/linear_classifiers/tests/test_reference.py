"""Properties of the reference solution that the rubric relies on."""
import numpy as np
import pytest

from autograder.assignment import load
from autograder.pipeline.reference import reference_module

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
