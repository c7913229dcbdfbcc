"""Softmax (cross-entropy) loss with L2 regularisation reg * sum(W * W)."""
import numpy as np


def softmax_loss_naive(W, X, y, reg):
    """Softmax loss and its gradient, computed with explicit loops.

    Inputs:
    - W: (D, C) float weights.
    - X: (N, D) float minibatch, one example per row.
    - y: (N,) int labels; y[i] = c means X[i] has label c, 0 <= c < C.
    - reg: float, L2 regularisation strength.

    Returns a tuple (loss, dW): loss is a float (mean cross-entropy over the N
    examples plus reg * sum(W * W)); dW, shaped like W, is its gradient.
    Must stay finite when the scores are large (shift them before exp).
    """
    loss = 0.0
    dW = np.zeros_like(W)
    ### BEGIN SOLUTION
    # Hint: per example, shift the scores by their max, take -log of the correct class's probability, and add x_i * (p - onehot) to dW.
    num_train = X.shape[0]
    for i in range(num_train):
        scores = X[i].dot(W)
        scores = scores - np.max(scores)
        log_normaliser = np.log(np.sum(np.exp(scores)))
        loss += log_normaliser - scores[y[i]]
        probs = np.exp(scores - log_normaliser)
        probs[y[i]] -= 1
        dW += np.outer(X[i], probs)
    loss /= num_train
    dW /= num_train
    loss += reg * np.sum(W * W)
    dW += 2 * reg * W
    ### END SOLUTION
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    """Softmax loss and gradient without a Python loop over examples.

    Same inputs and outputs as softmax_loss_naive.
    """
    loss = 0.0
    dW = np.zeros_like(W)
    ### BEGIN SOLUTION
    # Hint: shift each row of scores by its max, use log-sum-exp for the loss, and X.T @ (probs - onehot) for the gradient.
    num_train = X.shape[0]
    rows = np.arange(num_train)
    scores = X @ W
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[rows, y].mean() + reg * np.sum(W * W)

    dscores = np.exp(log_probs)
    dscores[rows, y] -= 1
    dscores /= num_train
    dW = X.T @ dscores + 2 * reg * W
    ### END SOLUTION
    return loss, dW
