"""Worker-side operations that need more than one plain call into student code.

This runs in the student's process, so student code can replace any of it: the
grader believes only values it can check against what it computed itself. train
runs with a loss that is a callback to the grader (`ask("loss", ...)`), so the
batches and W the student's train sends, and the losses and gradients the
grader answers with, are recorded by the grader, never here.
"""
import numpy as np

LOSS_MODULES = {"linear_svm": ("svm_loss_naive", "svm_loss_vectorized"),
                "softmax": ("softmax_loss_naive", "softmax_loss_vectorized")}
LOSS_FUNCTIONS = tuple(name for names in LOSS_MODULES.values() for name in names)

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


def run_answer(modules, ask, source, name, inputs):
    """Run one notebook answer cell and read its answer named name.

    A function is evaluated at each of inputs; a string is returned as its
    index in inputs (-1 if absent); anything else as a float array.
    """
    namespace = {"__name__": "__answer__"}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    value = namespace[name]
    if callable(value):
        return [np.array([float(value(x)) for x in inputs])]
    if isinstance(value, str):
        return [np.array([inputs.index(value) if value in inputs else -1])]
    return [np.asarray(value, dtype=float)]


OPERATIONS = {"train": run_train, "predict": run_predict, "classifier_loss": run_classifier_loss,
              "answer": run_answer}
