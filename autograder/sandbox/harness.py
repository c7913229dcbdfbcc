"""Worker-side operations that need more than one plain call into student code.

They grade `train`, `predict` and the classifiers' delegation with a loss the
harness supplies, so a broken loss function costs only its own checks. The
harness loss is a plain squared error (no graded function is shipped into the
sandbox); the grader recomputes everything it records, trusting none of it.
"""
import numpy as np

LOSS_MODULES = {"linear_svm": ("svm_loss_naive", "svm_loss_vectorized"),
                "softmax": ("softmax_loss_naive", "softmax_loss_vectorized")}
LOSS_FUNCTIONS = tuple(name for names in LOSS_MODULES.values() for name in names)


def squared_error_loss(W, X, y, reg):
    """0.5 * mean ||X W - onehot(y)||^2 + reg * sum(W * W), and its gradient.

    Labels beyond W's columns (a W with too few classes) get no target, so that
    mistake costs only the initialisation check.
    """
    residual = X @ W
    known = y < W.shape[1]
    residual[np.arange(len(y))[known], y[known]] -= 1
    loss = 0.5 * np.sum(residual * residual) / len(y) + reg * np.sum(W * W)
    return float(loss), X.T @ residual / len(y) + 2 * reg * W


def run_train(modules, X, y, plan):
    """Train a recording subclass of the student's LinearClassifier, once per step of plan.

    Returns [W was None before training, then per train call: the returned history,
    and each loss call's X_batch, y_batch, reg and W (stacked), then W afterwards].
    """
    base = modules.load("linear_classifier").LinearClassifier

    class RecordingClassifier(base):
        def loss(self, X_batch, y_batch, reg):
            if self.W is None:
                raise RuntimeError("self.W is still None when the loss is called: initialise it first")
            record.append((np.array(X_batch, dtype=float), np.array(y_batch), float(reg),
                           np.array(self.W, dtype=float)))
            return squared_error_loss(np.asarray(self.W, dtype=float), np.asarray(X_batch, dtype=float),
                                      np.asarray(y_batch), reg)

    model = RecordingClassifier()
    results = [model.W is None]
    for step in plan:
        record = []
        np.random.seed(step.pop("seed"))
        history = np.asarray(model.train(X, y, **step), dtype=float)
        if not record:
            record = [(np.zeros((0, X.shape[1])), np.zeros(0, dtype=int), 0.0, np.zeros((0, 0)))]
        batches, labels, regs, weights = zip(*record)
        results += [history, np.stack(batches), np.stack(labels), np.array(regs), np.stack(weights),
                    np.array(model.W, dtype=float)]
    return results


def run_predict(modules, W, X):
    """The student's predict with a known W."""
    model = modules.load("linear_classifier").LinearClassifier()
    model.W = W
    return [model.predict(X)]


def run_delegation(modules, W, X, y, reg):
    """Which loss functions LinearSVM.loss and Softmax.loss call, as a (2, 4) array of call counts."""
    classifier_module = modules.load("linear_classifier")
    targets = [classifier_module] + [modules.stand_in(name) for name in LOSS_MODULES]
    originals = {id(getattr(module, name)): name for module in targets[1:]
                 for name in LOSS_FUNCTIONS if hasattr(module, name)}
    counts = []
    for class_name in ("LinearSVM", "Softmax"):
        calls = dict.fromkeys(LOSS_FUNCTIONS, 0)

        def sentinel_for(name):
            def sentinel(W_, X_, y_, reg_):
                calls[name] += 1
                return 0.0, np.zeros_like(np.asarray(W_, dtype=float))
            return sentinel

        patched = []
        for module in targets:
            for attribute, value in list(vars(module).items()):
                if id(value) in originals:
                    patched.append((module, attribute, value))
                    setattr(module, attribute, sentinel_for(originals[id(value)]))
        try:
            model = getattr(classifier_module, class_name)()
            model.W = W
            model.loss(X, y, reg)
        finally:
            for module, attribute, value in patched:
                setattr(module, attribute, value)
        counts.append([calls[name] for name in LOSS_FUNCTIONS])
    return [np.array(counts)]


def run_answer(modules, source, name, inputs):
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


OPERATIONS = {"train": run_train, "predict": run_predict, "delegation": run_delegation, "answer": run_answer}
