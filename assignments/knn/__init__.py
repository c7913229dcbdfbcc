"""k-nearest neighbours (CS231n assignment 1): L2 distances with two, one and no loops, the majority vote,
and cross-validating k.

The graded module keeps CS231n's class, method names and signatures, so CS231n's
own starter code and its students' solutions drop in; the cross-validation that
CS231n's notebook does inline is a function of the module here, so it is graded too.
"""
from autograder.assignment import Assignment

MODULE = "k_nearest_neighbor"

ASSIGNMENT = Assignment(
    name="knn",
    title="k-nearest neighbours: L2 distances with two, one and no loops, majority vote, cross-validation of k",
    functions={
        "compute_distances_two_loops": f"{MODULE}.KNearestNeighbor.compute_distances_two_loops",
        "compute_distances_one_loop": f"{MODULE}.KNearestNeighbor.compute_distances_one_loop",
        "compute_distances_no_loops": f"{MODULE}.KNearestNeighbor.compute_distances_no_loops",
        "predict_labels": f"{MODULE}.KNearestNeighbor.predict_labels",
        "cross_validate": f"{MODULE}.cross_validate",
        "best_k": f"{MODULE}.best_k",
    },
    kinds=("values", "ties", "api", "vectorised", "speed"),
    notebook="knn.ipynb",
    questions=True,
    package="cs231n.classifiers",
    package_aliases=("knn.classifiers", "classifiers"),
    module_folder="classifiers",
)
