"""The kNN operations that need more than one plain call into the student's code, run in their worker.

The sandbox loads this file into the student's worker (see autograder/sandbox),
so student code can replace any of it: the grader believes only values it can
check against what it computed itself. The arrays an operation sends back
after the call (`echo`) only tell the grader whether the student's code changed
its inputs; a forgery there gains nothing that leaving the inputs alone would
not. cross_validate runs with a classifier whose distances and votes are
callbacks to the grader (`ask`), so a broken distance method or vote costs its
own checks only, and the grader records which rows each fold trained on.
"""
import numpy as np

MODULE = "k_nearest_neighbor"


def _numeric(value):
    """Lists and tuples as arrays (so they travel back as numbers); anything else unchanged."""
    return np.asarray(value) if isinstance(value, (list, tuple)) else value


def _trained(modules, X_train, y_train):
    classifier = modules.load(MODULE).KNearestNeighbor()
    classifier.train(X_train, y_train)
    return classifier


def run_distances(modules, ask, method, X_train, y_train, X, echo):
    """dists of the student's `method` on test rows X after train(X_train, y_train).

    Returns [dists], then with echo [X_train, y_train, X] as they are after the call.
    """
    classifier = _trained(modules, X_train, y_train)
    dists = _numeric(getattr(classifier, method)(X))
    return [dists] + ([X_train, y_train, X] if echo else [])


def run_vote(modules, ask, y_train, dists, k, echo):
    """predict_labels(dists, k=k) of a classifier trained with labels y_train (num_train,).

    Returns [labels], then with echo [dists, y_train] as they are after the call.
    """
    classifier = _trained(modules, np.zeros((len(y_train), 1)), y_train)
    labels = _numeric(classifier.predict_labels(dists, k=k))
    return [labels] + ([dists, y_train] if echo else [])


def _answered_by_the_grader(student_class, ask):
    """The student's classifier (train and predict as they wrote them) whose distances and votes the grader computes."""

    class GraderAnswered(student_class):
        def compute_distances_no_loops(self, X):
            return ask("distances", [np.asarray(self.X_train), np.asarray(X)])[0]

        compute_distances_one_loop = compute_distances_two_loops = compute_distances_no_loops

        def predict_labels(self, dists, k=1):
            return ask("vote", [np.asarray(dists), np.asarray(self.y_train), np.asarray(k)])[0]

    return GraderAnswered


def run_cross_validate(modules, ask, X, y, k_choices, num_folds, echo):
    """The student's cross_validate(X, y, k_choices, num_folds), its classifier answered by the grader.

    Returns the fold accuracies of each k in k_choices (None where the result has
    no entry for it), then with echo [X, y] as they are after the call.
    """
    module = modules.load(MODULE)
    student_class = module.KNearestNeighbor
    module.KNearestNeighbor = _answered_by_the_grader(student_class, ask)
    try:
        k_to_accuracies = module.cross_validate(X, y, list(k_choices), num_folds)
    finally:
        module.KNearestNeighbor = student_class
    found = [k_to_accuracies.get(k) if isinstance(k_to_accuracies, dict) else None for k in k_choices]
    return [_numeric(accuracies) for accuracies in found] + ([X, y] if echo else [])


def run_best_k(modules, ask, k_choices, accuracies):
    """best_k of {k: its row of accuracies (num_folds,)}, the keys in the order of k_choices."""
    table = {k: list(row) for k, row in zip(k_choices, accuracies)}
    return [modules.load(MODULE).best_k(table)]


OPERATIONS = {"distances": run_distances, "vote": run_vote, "cross_validate": run_cross_validate,
              "best_k": run_best_k}
