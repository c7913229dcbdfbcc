"""Public checks for your kNN classifier: run `python -m pytest` in this folder.

They hold no reference answers: they check properties any correct solution has.
"""
import copy

import numpy as np
import pytest

from classifiers.k_nearest_neighbor import KNearestNeighbor, best_k, cross_validate  # (conftest.py: this folder's)

DISTANCES = ["compute_distances_two_loops", "compute_distances_one_loop", "compute_distances_no_loops"]


def trained(X_train, y_train=None):
    """A KNearestNeighbor that has memorised X_train (labels 0, 1, 2, ... unless given)."""
    classifier = KNearestNeighbor()
    classifier.train(X_train, np.arange(len(X_train)) % 3 if y_train is None else y_train)
    return classifier


def pixels(seed, rows, dim=6):
    """Whole-number pixel values, as images have: their distances are exact in floating point."""
    return np.random.default_rng(seed).integers(0, 17, size=(rows, dim)).astype(float)


@pytest.mark.parametrize("method", DISTANCES)
def test_distances_have_one_row_per_test_point_and_one_column_per_training_point(method):
    dists = getattr(trained(pixels(0, 9)), method)(pixels(1, 4))
    assert isinstance(dists, np.ndarray) and dists.shape == (4, 9), \
        f"{method} should return an array of shape (num_test, num_train) = (4, 9), got {np.shape(dists)}"
    assert dists.dtype.kind == "f", f"{method} should return float distances, got dtype {dists.dtype}"


@pytest.mark.parametrize("method", DISTANCES)
def test_a_3_4_5_triangle(method):
    dists = getattr(trained(np.array([[0.0, 0.0], [3.0, 4.0]])), method)(np.array([[3.0, 0.0]]))
    assert np.allclose(dists, [[3.0, 4.0]]), \
        f"{method}: from (3, 0) the L2 distances to (0, 0) and (3, 4) are 3 and 4, got {np.round(dists, 4)}"


@pytest.mark.parametrize("method", DISTANCES)
def test_a_point_is_at_distance_zero_from_itself_and_distances_are_symmetric(method):
    X = pixels(2, 8)
    dists = getattr(trained(X), method)(X)
    assert np.all(np.isfinite(dists)) and np.allclose(np.diag(dists), 0.0), \
        f"{method}: every point is at distance 0 from itself, got the diagonal {np.round(np.diag(dists), 4)}"
    assert np.allclose(dists, dists.T), f"{method}: with the test set equal to the training set, dists is symmetric"
    assert np.all(dists >= 0), f"{method}: distances are never negative"


@pytest.mark.parametrize("method", DISTANCES)
def test_does_not_modify_its_inputs(method):
    X_train, X = pixels(3, 10), pixels(4, 5)
    classifier = trained(X_train)
    before = copy.deepcopy((X_train, X, classifier.y_train))
    getattr(classifier, method)(X)
    for name, original, after in zip(("X_train", "X", "y_train"), before, (X_train, X, classifier.y_train)):
        assert np.array_equal(original, after), f"{method} changed {name}: work on a copy"


def test_the_three_versions_agree():
    rng = np.random.default_rng(5)
    classifier = trained(rng.standard_normal((30, 7)))
    X = rng.standard_normal((12, 7))
    two, one, none = (getattr(classifier, method)(X) for method in DISTANCES)
    assert np.allclose(one, two), f"compute_distances_one_loop and compute_distances_two_loops disagree " \
                                  f"(largest difference {np.max(np.abs(one - two)):.2e})"
    assert np.allclose(none, two), f"compute_distances_no_loops and compute_distances_two_loops disagree " \
                                   f"(largest difference {np.max(np.abs(none - two)):.2e})"


def test_with_k_1_each_training_point_is_its_own_nearest_neighbour():
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((20, 5)), rng.integers(4, size=20)
    classifier = trained(X, y)
    predicted = classifier.predict_labels(classifier.compute_distances_two_loops(X), k=1)
    assert np.array_equal(predicted, y), "with k=1 a training point's nearest neighbour is itself, " \
                                         "so predict_labels should give back its own label"


def voting(labels, distances, k):
    """predict_labels on one test row whose training points have these labels and distances."""
    classifier = trained(np.zeros((len(labels), 1)), np.array(labels))
    return np.asarray(classifier.predict_labels(np.array([distances], dtype=float), k=k))


def test_the_majority_of_the_k_nearest_wins():
    predicted = voting([3, 1, 1, 2, 3], [0.5, 0.7, 0.9, 3.0, 4.0], k=3)
    assert predicted.shape == (1,) and predicted[0] == 1, \
        f"the 3 nearest have labels 3, 1, 1, so the vote is 1; got {predicted}"


def test_a_tie_goes_to_the_smaller_label():
    predicted = voting([2, 1, 0, 0], [0.1, 0.2, 5.0, 6.0], k=2)
    assert predicted[0] == 1, f"the 2 nearest have labels 2 and 1, one vote each: the tie goes to 1; got {predicted}"


def test_predict_gives_the_same_labels_with_every_num_loops():
    rng = np.random.default_rng(8)
    classifier = trained(rng.standard_normal((25, 4)), rng.integers(3, size=25))
    X = rng.standard_normal((10, 4))
    labels = [np.asarray(classifier.predict(X, k=3, num_loops=loops)) for loops in (0, 1, 2)]
    assert all(np.array_equal(labels[0], other) for other in labels[1:]), \
        "predict(X, k=3) should give the same labels whichever num_loops computes the distances"


def clusters(seed, per_class=12, num_classes=3):
    """Well separated clusters, shuffled: kNN classifies them perfectly."""
    rng = np.random.default_rng(seed)
    centres = 10.0 * rng.standard_normal((num_classes, 4))
    X = np.concatenate([centre + 0.1 * rng.standard_normal((per_class, 4)) for centre in centres])
    y = np.repeat(np.arange(num_classes), per_class)
    order = rng.permutation(len(y))
    return X[order], y[order]


def test_cross_validation_gives_num_folds_accuracies_per_k():
    X, y = clusters(9)
    k_choices, num_folds = [1, 3, 5], 4
    k_to_accuracies = cross_validate(X, y, k_choices, num_folds)
    assert isinstance(k_to_accuracies, dict) and sorted(k_to_accuracies) == k_choices, \
        f"cross_validate should return a dict with one entry per k in {k_choices}, got {k_to_accuracies!r}"
    for k, accuracies in k_to_accuracies.items():
        assert len(accuracies) == num_folds and all(0 <= accuracy <= 1 for accuracy in accuracies), \
            f"k={k}: expected {num_folds} accuracies between 0 and 1 (one per fold), got {accuracies}"
        assert np.allclose(accuracies, 1.0), f"k={k}: well separated clusters are classified perfectly, " \
                                             f"got the fold accuracies {accuracies}"


def test_best_k_has_the_highest_mean_accuracy_and_ties_go_to_the_smaller_k():
    assert best_k({1: [0.6, 0.7], 3: [0.9, 0.8], 5: [0.95, 0.5]}) == 3, "k=3 has the highest mean accuracy"
    assert best_k({1: [0.5, 0.5], 3: [0.8, 0.9], 5: [0.8, 0.9]}) == 3, "k=3 and k=5 tie: the smaller k wins"
