"""Linear classifiers (CS231n lecture 3): SVM and softmax losses, gradients, minibatch SGD."""
