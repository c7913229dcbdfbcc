"""Multiclass SVM (hinge) loss with margin 1 and L2 regularisation reg * sum(W * W)."""
import numpy as np


def svm_loss_naive(W, X, y, reg):
    """Multiclass SVM loss and its gradient, computed with explicit loops.

    Inputs:
    - W: (D, C) float weights.
    - X: (N, D) float minibatch, one example per row.
    - y: (N,) int labels; y[i] = c means X[i] has label c, 0 <= c < C.
    - reg: float, L2 regularisation strength.

    Returns a tuple (loss, dW): loss is a float (mean hinge loss over the N
    examples plus reg * sum(W * W)); dW, shaped like W, is its gradient.
    """
    dW = np.zeros_like(W)
    loss = 0.0
    num_train = X.shape[0]
    num_classes = W.shape[1]
    # YOUR CODE HERE
    raise NotImplementedError('svm_loss_naive: loop over examples and wrong classes; each positive margin adds to the loss and moves two columns of dW.')
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    """Multiclass SVM loss and gradient without a Python loop over examples.

    Same inputs and outputs as svm_loss_naive.
    """
    loss = 0.0
    dW = np.zeros_like(W)
    # YOUR CODE HERE
    raise NotImplementedError('svm_loss_vectorized: compute all margins as one (N, C) array, then turn "which margins are positive" into a matrix for X.T @ (...).')
    return loss, dW
