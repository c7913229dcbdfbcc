"""k-nearest neighbours (CS231n assignment 1): L2 distances three ways, the majority vote, cross-validating k."""
