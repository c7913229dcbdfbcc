"""The linear classifiers' worker-side operations: what needs more than one plain call into student code.

The sandbox loads this file into the student's worker (see autograder/sandbox),
so student code can replace any of it: the grader believes only values it can
check against what it computed itself. train runs with a loss that is a
callback to the grader (`ask("loss", ...)`), so the batches and W the student's
train sends, and the losses and gradients the grader answers with, are recorded
by the grader, never here.
"""
import numpy as np

CLASSIFIERS = {}  # name -> a classifier kept between train calls


def run_train(modules, ask, name, X, y, settings):
    """One call of the student's train on classifier `name` (created on first use), its loss asked of the grader.

    Returns [the loss history as returned, W afterwards].
    """
    if name not in CLASSIFIERS:
        base = modules.load("linear_classifier").LinearClassifier

        class GraderLossClassifier(base):
            def loss(self, X_batch, y_batch, reg):
                loss, grad = ask("loss", [np.asarray(X_batch), np.asarray(y_batch), self.W, reg])
                return float(loss), grad

        CLASSIFIERS[name] = GraderLossClassifier()
    model = CLASSIFIERS[name]
    history = model.train(X, y, **settings)
    return [np.asarray(history, dtype=float), model.W]


def run_predict(modules, ask, W, X):
    """The student's predict with a known W."""
    model = modules.load("linear_classifier").LinearClassifier()
    model.W = W
    return [model.predict(X)]


def run_classifier_loss(modules, ask, class_name, W, X, y, reg):
    """(loss, dW) of the student's LinearSVM or Softmax at W."""
    model = getattr(modules.load("linear_classifier"), class_name)()
    model.W = W
    result = model.loss(X, y, reg)
    return list(result) if isinstance(result, (tuple, list)) else [result]


OPERATIONS = {"train": run_train, "predict": run_predict, "classifier_loss": run_classifier_loss}
