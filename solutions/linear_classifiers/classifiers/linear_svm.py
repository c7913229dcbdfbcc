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
    ### BEGIN SOLUTION
    # Hint: loop over examples and wrong classes; each positive margin adds to the loss and moves two columns of dW.
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1
            if margin > 0:
                loss += margin
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    ### END SOLUTION
    return loss, dW


def svm_loss_vectorized(W, X, y, reg):
    """Multiclass SVM loss and gradient without a Python loop over examples.

    Same inputs and outputs as svm_loss_naive.
    """
    loss = 0.0
    dW = np.zeros_like(W)
    ### BEGIN SOLUTION
    # Hint: compute all margins as one (N, C) array, then turn "which margins are positive" into a matrix for X.T @ (...).
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X @ W
    correct_class_scores = scores[rows, y][:, np.newaxis]
    margins = np.maximum(0, scores - correct_class_scores + 1)
    margins[rows, y] = 0
    loss = margins.sum() / num_train + reg * np.sum(W * W)

    dscores = (margins > 0).astype(scores.dtype)
    dscores[rows, y] = -dscores.sum(axis=1)
    dscores /= num_train
    dW = X.T @ dscores + 2 * reg * W
    ### END SOLUTION
    return loss, dW
