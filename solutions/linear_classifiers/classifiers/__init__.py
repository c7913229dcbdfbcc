"""The graded modules: the two losses and the SGD classifier that trains with them."""
