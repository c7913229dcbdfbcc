"""Independently written correct solutions, in several styles, for the similarity evaluation set.

Seven "students" per loss function: student i's body for a function is
SOLUTIONS[function][i]. Student 0 is the kit's reference (solutions/), students
1-4 of svm_loss_vectorized and student 1 of the softmax functions take the
correct fixtures' styles (assignments/linear_classifiers/tests/fixtures/correct.py),
and the rest were written for this set, each in its own style (loops, while loops, list building,
einsum, boolean masks, np.add.at, one-hot matmuls, loops over classes, ...).
CS231n's own naive SVM is left out: the reference is that very loop, so the
two are one solution, not two independent ones. train and predict are three
short lines; the students combine five variants of each, no two alike.
Each body fills the release's stub (assignment/), after the stub's given lines
(`loss`, `dW`, and for the naive losses `num_train`, `num_classes`) and before
its `return loss, dW`. `build_modules` assembles a student's three modules and
`check_correct` proves every body computes the reference's loss and gradient.
"""
import re
from typing import Dict, List

from autograder.assignment import load
from assignments.linear_classifiers.tests.fixtures.correct import (ADD_AT, CLASS_LOOP, EINSUM, EINSUM_SOFTMAX,
                                                                    NEG_LOG_PROB, TIES_COUNT)

ASSIGNMENT = load("linear_classifiers")
STARTER = ASSIGNMENT.release_dir / ASSIGNMENT.module_folder
REFERENCE = ASSIGNMENT.reference_dir
MODULES = ASSIGNMENT.modules
LOSSES = ("svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive", "softmax_loss_vectorized")
STUDENTS = 7


def _fixture_body(code: str) -> str:
    """The body of a correct fixture's function (assignments/linear_classifiers/tests/fixtures/correct.py), dedented."""
    return "\n".join(line[4:] for line in code.strip("\n").splitlines()[1:])


def _reference_body(module: str, function: str) -> str:
    """The reference's solution region of a function, dedented (solutions/ is the source of truth)."""
    text = (REFERENCE / f"{module}.py").read_text()
    start = text.index(f"def {function}(")
    region = re.search(r"### BEGIN SOLUTION\n.*?\n(.*?)\s*### END SOLUTION", text[start:], re.S).group(1)
    return "\n".join(line[4:] for line in region.splitlines())


SVM_NAIVE = [
    _reference_body("linear_svm", "svm_loss_naive"),
    '''
for i in range(num_train):
    scores_i = np.dot(W.T, X[i])
    hinge = np.maximum(0.0, scores_i - scores_i[y[i]] + 1)
    hinge[y[i]] = 0.0
    loss += hinge.sum()
    indicator = (hinge > 0).astype(float)
    indicator[y[i]] = -indicator.sum()
    dW += np.outer(X[i], indicator)
loss /= num_train
dW /= num_train
loss += reg * np.sum(W * W)
dW += 2 * reg * W
''',
    '''
for i in range(num_train):
    s = W.T.dot(X[i])
    m = s - s[y[i]] + 1
    m[y[i]] = 0
    for j in np.nonzero(m > 0)[0]:
        loss += m[j]
        dW[:, j] += X[i]
        dW[:, y[i]] -= X[i]
loss = loss / num_train + reg * np.sum(W ** 2)
dW = dW / num_train + 2 * reg * W
''',
    '''
for i in range(num_train):
    xi = X[i]
    label = y[i]
    class_scores = xi @ W
    count = 0
    for c in range(num_classes):
        if c != label:
            diff = class_scores[c] - class_scores[label] + 1.0
            if diff > 0:
                count += 1
                loss += diff
                dW[:, c] = dW[:, c] + xi
    dW[:, label] = dW[:, label] - count * xi
loss /= num_train
loss += reg * (W * W).sum()
dW /= num_train
dW += reg * 2 * W
''',
    '''
i = 0
while i < num_train:
    row_scores = np.dot(X[i], W)
    j = 0
    while j < num_classes:
        if j != y[i]:
            hinge = max(0.0, row_scores[j] - row_scores[y[i]] + 1)
            loss += hinge
            if hinge > 0:
                dW[:, j] += X[i]
                dW[:, y[i]] -= X[i]
        j += 1
    i += 1
penalty = reg * np.sum(np.square(W))
loss = loss / num_train + penalty
dW = dW / num_train + 2 * reg * W
''',
    '''
dim = W.shape[0]
for n in range(num_train):
    sc = np.zeros(num_classes)
    for c in range(num_classes):
        for d in range(dim):
            sc[c] += X[n, d] * W[d, c]
    for c in range(num_classes):
        if c == y[n]:
            continue
        g = sc[c] - sc[y[n]] + 1
        if g <= 0:
            continue
        loss += g
        for d in range(dim):
            dW[d, c] += X[n, d]
            dW[d, y[n]] -= X[n, d]
loss = loss / num_train
dW = dW / num_train
loss = loss + reg * np.sum(W * W)
dW = dW + 2 * reg * W
''',
    '''
for i in range(num_train):
    scores = X[i].dot(W)
    margins = []
    for j in range(num_classes):
        margins.append(scores[j] - scores[y[i]] + 1 if j != y[i] else 0.0)
    positive = [j for j in range(num_classes) if margins[j] > 0]
    loss += sum(margins[j] for j in positive)
    for j in positive:
        dW[:, j] += X[i]
    dW[:, y[i]] -= len(positive) * X[i]
loss = loss / num_train + reg * np.sum(W * W)
dW = dW / num_train + 2 * reg * W
''',
]

SVM_VECTORIZED = [
    _reference_body("linear_svm", "svm_loss_vectorized"),
    _fixture_body(EINSUM),
    _fixture_body(ADD_AT),
    _fixture_body(CLASS_LOOP),
    _fixture_body(TIES_COUNT),
    '''
n = X.shape[0]
c = W.shape[1]
onehot = np.eye(c)[y]
s = X.dot(W)
correct = np.sum(s * onehot, axis=1, keepdims=True)
m = np.maximum(s - correct + 1, 0) * (1 - onehot)
loss = m.sum() / n + reg * np.sum(W * W)
indicator = (m > 0).astype(float)
coeff = indicator - onehot * indicator.sum(axis=1, keepdims=True)
dW = X.T.dot(coeff) / n + 2 * reg * W
''',
    '''
N = len(y)
S = np.matmul(X, W)
true_scores = np.choose(y, S.T)
M = S - true_scores[:, None] + 1
mask = np.ones_like(M, dtype=bool)
mask[np.arange(N), y] = False
M = np.where(mask & (M > 0), M, 0)
loss = np.sum(M) / N + reg * np.sum(W ** 2)
G = np.where(M > 0, 1.0, 0.0)
G[np.arange(N), y] = -np.count_nonzero(M, axis=1)
dW = np.matmul(X.T, G) / N + 2 * reg * W
''',
]

SOFTMAX_NAIVE = [
    _reference_body("softmax", "softmax_loss_naive"),
    _fixture_body(NEG_LOG_PROB),
    '''
num_train = X.shape[0]
num_classes = W.shape[1]
for i in range(num_train):
    f = X[i] @ W
    f = f - f.max()
    exps = [np.exp(v) for v in f]
    total = sum(exps)
    loss -= np.log(exps[y[i]] / total)
    for k in range(num_classes):
        p_k = exps[k] / total
        dW[:, k] += (p_k - (k == y[i])) * X[i]
loss = loss / num_train + reg * np.sum(W * W)
dW = dW / num_train + 2 * reg * W
''',
    '''
n = X.shape[0]
for idx in range(n):
    z = np.dot(X[idx], W)
    zmax = np.max(z)
    lse = zmax + np.log(np.sum(np.exp(z - zmax)))
    loss += lse - z[y[idx]]
    p = np.exp(z - lse)
    onehot = np.zeros_like(p)
    onehot[y[idx]] = 1
    dW += np.outer(X[idx], p - onehot)
loss /= n
dW /= n
loss += reg * np.sum(W * W)
dW += 2 * reg * W
''',
    '''
N, C = X.shape[0], W.shape[1]
i = 0
while i < N:
    scores = X[i].dot(W)
    scores -= np.max(scores)
    denom = 0.0
    for c in range(C):
        denom += np.exp(scores[c])
    loss += np.log(denom) - scores[y[i]]
    for c in range(C):
        dW[:, c] += np.exp(scores[c]) / denom * X[i]
    dW[:, y[i]] -= X[i]
    i += 1
loss = loss / N + reg * np.sum(W * W)
dW = dW / N + 2 * reg * W
''',
    '''
def stable_softmax(v):
    e = np.exp(v - np.max(v))
    return e / e.sum()

num_examples = X.shape[0]
for n in range(num_examples):
    probs = stable_softmax(X[n].dot(W))
    loss += -np.log(probs[y[n]])
    target = np.zeros(W.shape[1])
    target[y[n]] = 1.0
    dW += X[n][:, None] * (probs - target)[None, :]
loss = loss / num_examples + reg * np.sum(W * W)
dW = dW / num_examples + 2 * reg * W
''',
    '''
num_train, num_classes = X.shape[0], W.shape[1]
losses = []
for i in range(num_train):
    logits = W.T @ X[i]
    logits = logits - logits.max()
    log_p = logits - np.log(np.exp(logits).sum())
    losses.append(-log_p[y[i]])
    grads = [np.exp(log_p[c]) * X[i] for c in range(num_classes)]
    grads[y[i]] = grads[y[i]] - X[i]
    dW += np.stack(grads, axis=1)
loss = np.mean(losses) + reg * np.sum(W * W)
dW = dW / num_train + 2 * reg * W
''',
]

SOFTMAX_VECTORIZED = [
    _reference_body("softmax", "softmax_loss_vectorized"),
    _fixture_body(EINSUM_SOFTMAX),
    '''
N = X.shape[0]
C = W.shape[1]
logits = X.dot(W)
logits -= np.max(logits, axis=1, keepdims=True)
e = np.exp(logits)
P = e / np.sum(e, axis=1, keepdims=True)
Y = np.zeros((N, C))
Y[np.arange(N), y] = 1
loss = -np.sum(Y * np.log(P)) / N + reg * np.sum(W * W)
dW = X.T.dot(P - Y) / N + 2 * reg * W
''',
    '''
n = len(y)
s = X @ W
s = s - s.max(1)[:, None]
expo = np.exp(s)
norm = expo.sum(1)
correct_mask = np.eye(W.shape[1], dtype=bool)[y]
loss = np.mean(np.log(norm) - s[correct_mask]) + reg * (W ** 2).sum()
grad_s = expo / norm[:, None]
grad_s[correct_mask] -= 1
dW = X.T @ grad_s / n + 2 * reg * W
''',
    '''
num = X.shape[0]
scores = np.dot(X, W)
m = scores.max(axis=1)
lse = m + np.log(np.exp(scores - m[:, np.newaxis]).sum(axis=1))
loss = np.sum(lse - scores[np.arange(num), y]) / num
loss += reg * np.sum(W * W)
probs = np.exp(scores - lse[:, np.newaxis])
np.add.at(probs, (np.arange(num), y), -1)
dW = np.dot(X.T, probs) / num
dW += 2 * reg * W
''',
    '''
num_train, num_classes = X.shape[0], W.shape[1]
scores = X @ W
scores -= scores.max(axis=1, keepdims=True)
denominator = np.zeros(num_train)
for c in range(num_classes):
    denominator += np.exp(scores[:, c])
correct = scores[np.arange(num_train), y]
loss = np.sum(np.log(denominator) - correct) / num_train + reg * np.sum(W * W)
for c in range(num_classes):
    weight = np.exp(scores[:, c]) / denominator - (y == c)
    dW[:, c] = X.T @ weight / num_train
dW += 2 * reg * W
''',
    '''
N = X.shape[0]
Z = np.matmul(X, W)
Z = Z - np.amax(Z, axis=1, keepdims=True)
logsm = Z - np.log(np.sum(np.exp(Z), axis=1, keepdims=True))
picked = np.take_along_axis(logsm, y[:, None], axis=1)
loss = -float(np.mean(picked)) + reg * float(np.sum(W * W))
D = np.exp(logsm)
D[range(N), y] -= 1.0
dW = np.matmul(X.T, D) / N + 2 * reg * W
''',
]

BATCHES = [
    "batch = np.random.choice(num_train, batch_size, replace=True)\nX_batch = X[batch]\ny_batch = y[batch]",
    "idx = np.random.randint(0, num_train, batch_size)\nX_batch, y_batch = X[idx], y[idx]",
    "sample = np.random.choice(np.arange(num_train), size=batch_size)\nX_batch = X[sample, :]\ny_batch = y[sample]",
    "rng_idx = np.random.randint(num_train, size=batch_size)\nX_batch = np.take(X, rng_idx, axis=0)\n"
    "y_batch = np.take(y, rng_idx)",
    "chosen = [np.random.randint(num_train) for _ in range(batch_size)]\nX_batch = X[chosen]\ny_batch = y[chosen]",
]
STEPS = ["self.W = self.W - learning_rate * grad", "self.W -= learning_rate * grad",
         "self.W += -learning_rate * grad", "step = learning_rate * grad\nself.W = self.W - step",
         "self.W -= grad * learning_rate"]
PREDICTS = ["y_pred = np.argmax(X @ self.W, axis=1)", "scores = X.dot(self.W)\ny_pred = scores.argmax(axis=1)",
            "y_pred = np.argmax(np.dot(X, self.W), 1)", "y_pred = (X @ self.W).argmax(1)",
            "s = X @ self.W\ny_pred = np.array([int(np.argmax(row)) for row in s])"]

SOLUTIONS: Dict[str, List[str]] = {
    "svm_loss_naive": SVM_NAIVE, "svm_loss_vectorized": SVM_VECTORIZED,
    "softmax_loss_naive": SOFTMAX_NAIVE, "softmax_loss_vectorized": SOFTMAX_VECTORIZED}


def regions(student: int) -> Dict[str, List[str]]:
    """Bodies for each stub region of a student, by the qualified name its NotImplementedError names."""
    bodies = {function: [SOLUTIONS[function][student]] for function in LOSSES}
    shift = student // 5  # no two of the seven students share all three
    bodies["LinearClassifier.train"] = [BATCHES[student % 5], STEPS[(student + shift) % 5]]
    bodies["LinearClassifier.predict"] = [PREDICTS[(2 * student + 2 * shift) % 5]]
    bodies["LinearSVM.loss"] = ["return svm_loss_vectorized(self.W, X_batch, y_batch, reg)"]
    bodies["Softmax.loss"] = ["return softmax_loss_vectorized(self.W, X_batch, y_batch, reg)"]
    return bodies


STUB = re.compile(r"^( *)# YOUR CODE HERE\n +raise NotImplementedError\(['\"]([\w.]+):.*$", re.M)


def fill(starter: str, bodies: Dict[str, List[str]]) -> str:
    """The starter module with each stub region replaced by the next body for its function."""
    queues = {name: list(texts) for name, texts in bodies.items()}

    def body(match: re.Match) -> str:
        indent, name = match.group(1), match.group(2)
        return "\n".join(indent + line if line.strip() else "" for line in queues[name].pop(0).strip("\n").split("\n"))
    return STUB.sub(body, starter)


def build_modules(student: int) -> Dict[str, str]:
    """Student `student`'s three modules: the release's starter with every stub filled."""
    return {module: fill((STARTER / f"{module}.py").read_text(), regions(student)) for module in MODULES}


def check_correct(modules: Dict[str, str]) -> None:
    """Run (our own, trusted) loss code and compare it with the reference; raises AssertionError if wrong."""
    import numpy as np
    rng = np.random.default_rng(0)
    W, X, y = rng.normal(size=(5, 4)) * 0.1, rng.normal(size=(6, 5)), rng.integers(0, 4, 6)
    namespaces = {}
    for module in ("linear_svm", "softmax"):
        for name, root in (("student", modules[module]), ("reference", (REFERENCE / f"{module}.py").read_text())):
            namespace: dict = {}
            exec(compile(root, f"<{name} {module}>", "exec"), namespace)  # noqa: S102 - the set's own code
            namespaces.setdefault(name, {}).update(namespace)
    for function in LOSSES:
        got = namespaces["student"][function](W, X, y, 0.1)
        want = namespaces["reference"][function](W, X, y, 0.1)
        assert np.allclose(got[0], want[0]) and np.allclose(got[1], want[1]), function
