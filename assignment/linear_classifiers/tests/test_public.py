"""Public checks for your linear classifiers: run `python -m pytest` on this folder.

They hold no reference answers: they check properties any correct solution has.
"""
import copy

import numpy as np
import pytest

from classifiers.linear_classifier import LinearClassifier, LinearSVM, Softmax  # (conftest.py: this folder's)
from classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
from classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized
from gradient_check import grad_check_sparse

LOSSES = {
    "svm_loss_naive": svm_loss_naive,
    "svm_loss_vectorized": svm_loss_vectorized,
    "softmax_loss_naive": softmax_loss_naive,
    "softmax_loss_vectorized": softmax_loss_vectorized,
}
SVM_LOSSES = ["svm_loss_naive", "svm_loss_vectorized"]
SOFTMAX_LOSSES = ["softmax_loss_naive", "softmax_loss_vectorized"]


def random_problem(seed, num_train=40, dim=12, num_classes=5, weight_scale=0.01):
    """A small random problem: W (D, C), X (N, D), y (N,)."""
    rng = np.random.default_rng(seed)
    W = weight_scale * rng.standard_normal((dim, num_classes))
    X = rng.standard_normal((num_train, dim))
    y = rng.integers(num_classes, size=num_train)
    return W, X, y


def away_from_kinks(seed):
    """A problem where no hinge margin is near 0, so centred differences are exact there."""
    for attempt in range(100):
        W, X, y = random_problem(seed + 1000 * attempt, weight_scale=0.5)
        scores = X @ W
        margins = scores - scores[np.arange(len(y)), y][:, None] + 1
        if np.min(np.abs(margins)) > 1e-3:
            return W, X, y
    raise RuntimeError("could not draw a problem away from the hinge's kinks")


@pytest.mark.parametrize("name", LOSSES)
def test_returns_float_loss_and_gradient_shaped_like_W(name):
    W, X, y = random_problem(0)
    loss, dW = LOSSES[name](W, X, y, 0.1)
    assert np.ndim(loss) == 0 and np.isfinite(float(loss)), \
        f"{name} should return the loss as a single finite number, got {type(loss).__name__} {np.shape(loss)}"
    assert np.shape(dW) == W.shape, \
        f"{name} should return dW shaped like W {W.shape}, got {np.shape(dW)}"


@pytest.mark.parametrize("name", LOSSES)
def test_does_not_modify_its_inputs(name):
    W, X, y = random_problem(1)
    originals = copy.deepcopy((W, X, y))
    LOSSES[name](W, X, y, 0.1)
    for label, before, after in zip("WXy", originals, (W, X, y)):
        assert np.array_equal(before, after), f"{name} changed its input {label}: work on a copy"


@pytest.mark.parametrize("name", SVM_LOSSES)
@pytest.mark.parametrize("num_classes", [3, 10])
def test_svm_loss_at_initialisation(name, num_classes):
    W, X, y = random_problem(2, num_classes=num_classes, weight_scale=1e-6)
    loss, _ = LOSSES[name](W, X, y, 0.0)
    expected = num_classes - 1
    assert abs(loss - expected) < 1e-2, (
        f"{name}: with tiny W all scores are about 0, so every wrong class's margin is about 1 "
        f"and the loss should be about C - 1 = {expected}; got {float(loss):.4f}")


@pytest.mark.parametrize("name", SOFTMAX_LOSSES)
@pytest.mark.parametrize("num_classes", [3, 10])
def test_softmax_loss_at_initialisation(name, num_classes):
    W, X, y = random_problem(3, num_classes=num_classes, weight_scale=1e-6)
    loss, _ = LOSSES[name](W, X, y, 0.0)
    expected = np.log(num_classes)
    assert abs(loss - expected) < 1e-2, (
        f"{name}: with tiny W every class is equally likely, so the loss should be about "
        f"log C = {expected:.4f}; got {float(loss):.4f}")


@pytest.mark.parametrize("reg", [0.0, 0.5])
@pytest.mark.parametrize("name", LOSSES)
def test_gradient_matches_numerical_gradient(name, reg):
    W, X, y = away_from_kinks(4)
    loss_fn = LOSSES[name]
    _, dW = loss_fn(W, X, y, reg)
    errors = grad_check_sparse(lambda w: loss_fn(w, X, y, reg)[0], W.copy(), np.asarray(dW),
                               num_checks=15, seed=5)
    worst = max(errors)
    assert worst < 1e-4, (
        f"{name} (reg={reg}): your analytic dW disagrees with the numerical gradient of your own "
        f"loss (worst relative error {worst:.1e}; below 1e-4 is expected)")


@pytest.mark.parametrize("pair", [SVM_LOSSES, SOFTMAX_LOSSES], ids=["svm", "softmax"])
def test_naive_and_vectorized_agree(pair):
    naive, vectorized = (LOSSES[name] for name in pair)
    W, X, y = random_problem(6, num_train=60)
    loss_naive, dW_naive = naive(W, X, y, 0.3)
    loss_vec, dW_vec = vectorized(W, X, y, 0.3)
    assert abs(loss_naive - loss_vec) <= 1e-6 * max(1.0, abs(loss_naive)), (
        f"{pair[0]} and {pair[1]} disagree on the loss: {float(loss_naive):.8f} vs {float(loss_vec):.8f}")
    assert np.allclose(dW_naive, dW_vec, rtol=1e-5, atol=1e-8), (
        f"{pair[0]} and {pair[1]} disagree on dW (largest difference "
        f"{np.max(np.abs(np.asarray(dW_naive) - np.asarray(dW_vec))):.2e})")


def separable_problem(seed=7, per_class=30, num_classes=3):
    """Well separated clusters with a bias column: a linear classifier can fit them."""
    rng = np.random.default_rng(seed)
    centres = 4.0 * rng.standard_normal((num_classes, 4))
    X = np.concatenate([c + 0.3 * rng.standard_normal((per_class, 4)) for c in centres])
    X = np.hstack([X, np.ones((len(X), 1))])
    y = np.repeat(np.arange(num_classes), per_class)
    return X, y


@pytest.mark.parametrize("classifier_class", [LinearSVM, Softmax])
def test_sgd_lowers_the_loss(classifier_class):
    X, y = separable_problem()
    np.random.seed(0)
    classifier = classifier_class()
    history = classifier.train(X, y, learning_rate=1e-2, reg=1e-4, num_iters=200, batch_size=32)
    name = f"{classifier_class.__name__}.train"
    assert len(history) == 200, f"{name} should return one loss per iteration (200), got {len(history)}"
    start, end = np.mean(history[:10]), np.mean(history[-10:])
    assert end < 0.5 * start, (
        f"{name}: on easy, separable data the loss should fall a lot over 200 steps; "
        f"it went from about {start:.3f} to {end:.3f}")


def test_minibatches_are_random_rows_of_X_with_their_labels():
    X, y = separable_problem()
    batches = []

    class RecordingClassifier(LinearClassifier):
        def loss(self, X_batch, y_batch, reg):
            batches.append((np.array(X_batch), np.array(y_batch)))
            return 0.0, np.zeros_like(self.W)

    np.random.seed(1)
    RecordingClassifier().train(X, y, learning_rate=1e-3, reg=1e-4, num_iters=5, batch_size=16)
    assert len(batches) == 5, f"train should call self.loss once per iteration (5), got {len(batches)} calls"
    drawn = []
    for X_batch, y_batch in batches:
        assert X_batch.shape == (16, X.shape[1]) and y_batch.shape == (16,), (
            f"each minibatch should be batch_size=16 rows of X and 16 labels, got {X_batch.shape} and {y_batch.shape}")
        indices = [np.flatnonzero(np.all(X == row, axis=1)) for row in X_batch]
        assert all(len(index) == 1 for index in indices) and np.array_equal(y_batch, y[[i[0] for i in indices]]), \
            "minibatch rows must be rows of X with their own labels (use the same random indices for X and y)"
        drawn.append(tuple(index[0] for index in indices))
    assert len(set(drawn)) > 1, "every iteration used the same minibatch: draw new random indices each time"


@pytest.mark.parametrize("classifier_class", [LinearSVM, Softmax])
def test_predict_returns_the_highest_scoring_class(classifier_class):
    rng = np.random.default_rng(8)
    classifier = classifier_class()
    classifier.W = rng.standard_normal((6, 4))
    X = rng.standard_normal((25, 6))
    predicted = np.asarray(classifier.predict(X))
    assert predicted.shape == (25,), f"predict should return one label per example (25,), got {predicted.shape}"
    assert np.array_equal(predicted, np.argmax(X @ classifier.W, axis=1)), \
        "predict should return, for each example, the class with the highest score X @ W"
