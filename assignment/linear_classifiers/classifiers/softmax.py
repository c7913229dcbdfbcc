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
    # YOUR CODE HERE
    raise NotImplementedError("softmax_loss_naive: per example, shift the scores by their max, take -log of the correct class's probability, and add x_i * (p - onehot) to dW.")
    return loss, dW


def softmax_loss_vectorized(W, X, y, reg):
    """Softmax loss and gradient without a Python loop over examples.

    Same inputs and outputs as softmax_loss_naive.
    """
    loss = 0.0
    dW = np.zeros_like(W)
    # YOUR CODE HERE
    raise NotImplementedError('softmax_loss_vectorized: shift each row of scores by its max, use log-sum-exp for the loss, and X.T @ (probs - onehot) for the gradient.')
    return loss, dW
