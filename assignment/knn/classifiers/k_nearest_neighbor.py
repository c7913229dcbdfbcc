"""A k-nearest-neighbour classifier with the L2 distance, and the cross-validation that chooses its k."""
from typing import Dict, List, Sequence

import numpy as np


class KNearestNeighbor:
    """kNN with the L2 (Euclidean) distance: training memorises the data, prediction votes among neighbours."""

    def __init__(self):
        self.X_train = None
        self.y_train = None

    def train(self, X: np.ndarray, y: np.ndarray) -> None:
        """Memorise the training data: X (num_train, D) float rows, y (num_train,) int labels."""
        self.X_train = X
        self.y_train = y

    def predict(self, X: np.ndarray, k: int = 1, num_loops: int = 0) -> np.ndarray:
        """Labels of the test rows X (num_test, D): the majority vote of the k nearest training labels.

        num_loops (0, 1 or 2) chooses which implementation computes the distances.
        Returns y_pred: (num_test,) labels.
        """
        if num_loops == 0:
            dists = self.compute_distances_no_loops(X)
        elif num_loops == 1:
            dists = self.compute_distances_one_loop(X)
        elif num_loops == 2:
            dists = self.compute_distances_two_loops(X)
        else:
            raise ValueError(f"Invalid value {num_loops} for num_loops")
        return self.predict_labels(dists, k=k)

    def compute_distances_two_loops(self, X: np.ndarray) -> np.ndarray:
        """L2 distances between every test row and every training row, one pair at a time.

        X: (num_test, D) float. Returns dists: (num_test, num_train) float, where
        dists[i, j] is the distance between X[i] and self.X_train[j].
        """
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            for j in range(num_train):
                # YOUR CODE HERE
                raise NotImplementedError('KNearestNeighbor.compute_distances_two_loops: dists[i, j] is the square root of the sum of squared differences of X[i] and self.X_train[j].')
        return dists

    def compute_distances_one_loop(self, X: np.ndarray) -> np.ndarray:
        """The same distances as compute_distances_two_loops, with a single loop over the test rows."""
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        for i in range(num_test):
            # YOUR CODE HERE
            raise NotImplementedError('KNearestNeighbor.compute_distances_one_loop: subtract X[i] from all training rows at once (broadcasting), then reduce each row to a distance.')
        return dists

    def compute_distances_no_loops(self, X: np.ndarray) -> np.ndarray:
        """The same distances as compute_distances_two_loops, without any Python loop."""
        num_test = X.shape[0]
        num_train = self.X_train.shape[0]
        dists = np.zeros((num_test, num_train))
        # YOUR CODE HERE
        raise NotImplementedError('KNearestNeighbor.compute_distances_no_loops: expand ||x - t||^2 = ||x||^2 - 2 x.t + ||t||^2: one matrix product and two broadcast sums of squares.')
        return dists

    def predict_labels(self, dists: np.ndarray, k: int = 1) -> np.ndarray:
        """The majority label among the k nearest training rows of each test row.

        dists: (num_test, num_train) distances, as the compute_distances_* methods
        return them. A tie between labels goes to the smallest label.
        Returns y_pred: (num_test,) int labels.
        """
        num_test = dists.shape[0]
        y_pred = np.zeros(num_test, dtype=int)
        for i in range(num_test):
            closest_y = []
            # YOUR CODE HERE
            raise NotImplementedError("KNearestNeighbor.predict_labels: np.argsort finds row i's k smallest distances; count their labels (np.bincount), keep the commonest.")
        return y_pred


def cross_validate(X: np.ndarray, y: np.ndarray, k_choices: Sequence[int],
                   num_folds: int) -> Dict[int, List[float]]:
    """The accuracy of kNN on each fold of a num_folds-fold cross-validation, for each k.

    X: (N, D) float, y: (N,) int. The folds are np.array_split(X, num_folds) and
    np.array_split(y, num_folds), in order. Each fold in turn is held out: a
    KNearestNeighbor trained on the other folds predicts it (no-loop distances)
    for each k in k_choices.
    Returns k_to_accuracies: {k: [accuracy on fold 0, ..., on fold num_folds - 1]},
    each accuracy the fraction of the fold's labels predicted right.
    """
    k_to_accuracies = {}
    # YOUR CODE HERE
    raise NotImplementedError('cross_validate: np.array_split into folds; hold each out in turn, train on np.concatenate of the rest, predict it per k.')
    return k_to_accuracies


def best_k(k_to_accuracies: Dict[int, List[float]]) -> int:
    """The k with the highest mean accuracy over the folds; of several with the same mean, the smallest.

    k_to_accuracies: {k: fold accuracies}, as cross_validate returns it.
    """
    # YOUR CODE HERE
    raise NotImplementedError("best_k: average each k's accuracies and keep the k with the highest mean, the smaller k on equal means.")
