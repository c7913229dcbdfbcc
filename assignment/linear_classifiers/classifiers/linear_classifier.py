"""A linear classifier trained by minibatch SGD, and its SVM and softmax variants."""
import numpy as np

from .linear_svm import svm_loss_vectorized
from .softmax import softmax_loss_vectorized


class LinearClassifier:
    """Scores are X @ W; subclasses choose the loss."""

    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100,
              batch_size=200, verbose=False):
        """Train W with minibatch stochastic gradient descent.

        Inputs:
        - X: (N, D) float training data.
        - y: (N,) int labels in [0, C); C is taken as max(y) + 1.
        - learning_rate: float step size.
        - reg: float regularisation strength, passed to the loss.
        - num_iters: number of SGD steps.
        - batch_size: examples per step, drawn at random with or without replacement
          (with replacement is faster, and needed when batch_size > N).
        - verbose: print the loss every 100 steps.

        Returns the list of the num_iters minibatch losses.
        """
        num_train, dim = X.shape
        num_classes = np.max(y) + 1
        if self.W is None:
            self.W = 0.001 * np.random.randn(dim, num_classes)

        loss_history = []
        for it in range(num_iters):
            # YOUR CODE HERE
            raise NotImplementedError('LinearClassifier.train: draw batch_size random indices (with or without replacement) and take those rows of X and y.')
            loss, grad = self.loss(X_batch, y_batch, reg)
            loss_history.append(loss)
            # YOUR CODE HERE
            raise NotImplementedError('LinearClassifier.train: take one gradient step of size learning_rate on self.W.')
            if verbose and it % 100 == 0:
                print(f"iteration {it} / {num_iters}: loss {loss:f}")
        return loss_history

    def predict(self, X):
        """Predict labels for X: (N, D); returns (N,) ints, the argmax of X @ W per row."""
        y_pred = np.zeros(X.shape[0], dtype=int)
        # YOUR CODE HERE
        raise NotImplementedError('LinearClassifier.predict: the predicted label is the class with the highest score.')
        return y_pred

    def loss(self, X_batch, y_batch, reg):
        """Loss and gradient at self.W on a minibatch; subclasses implement it.

        Returns (loss, dW) like the loss functions.
        """
        raise NotImplementedError("LinearClassifier.loss: use LinearSVM or Softmax")


class LinearSVM(LinearClassifier):
    """Linear classifier trained with the multiclass SVM loss."""

    def loss(self, X_batch, y_batch, reg):
        # YOUR CODE HERE
        raise NotImplementedError('LinearSVM.loss: delegate to the vectorised SVM loss at self.W.')


class Softmax(LinearClassifier):
    """Linear classifier trained with the softmax (cross-entropy) loss."""

    def loss(self, X_batch, y_batch, reg):
        # YOUR CODE HERE
        raise NotImplementedError('Softmax.loss: delegate to the vectorised softmax loss at self.W.')
