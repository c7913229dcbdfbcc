"""The graded module: the k-nearest-neighbour classifier and the cross-validation of its k."""
