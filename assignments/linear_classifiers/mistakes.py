"""The catalogue of classic mistakes, computed in the trusted process, and the diagnosis it supports.

A student's loss (or gradient) is compared with the reference's; when they
differ it is compared with each variant below, and the first variant it matches
names the mistake. Variants combine one data-term mistake with one
regularisation mistake, so 'not averaged and regularisation missing' is found too.
"""
from itertools import product
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from autograder.rubric import close

CONVENTION_NOTE = ("This matches the 0.5 * reg * sum(W * W) convention of older CS231n solutions "
                   "(gradient reg * W); this kit uses reg * sum(W * W), whose gradient is 2 * reg * W.")


def _rows(y):
    return np.arange(len(y))


def svm_data(W, X, y, *, delta=1.0, include_correct=False, average=True,
             subtract_correct=True, ties_count=False):
    """Data term of the hinge loss and its gradient, with the given deviations."""
    scores = X @ W
    margins = scores - scores[_rows(y), y][:, None] + delta
    active = (margins >= 0) if ties_count else (margins > 0)
    if not include_correct:
        active[_rows(y), y] = False
    loss = np.sum(margins * active)
    dscores = active.astype(float)
    if subtract_correct:
        dscores[_rows(y), y] -= active.sum(axis=1)
    scale = len(y) if average else 1
    return loss / scale, X.T @ dscores / scale


def softmax_data(W, X, y, *, average=True, subtract_correct=True):
    """Data term of the cross-entropy loss and its gradient, with the given deviations."""
    scores = X @ W
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    dscores = np.exp(log_probs)
    if subtract_correct:
        dscores[_rows(y), y] -= 1
    scale = len(y) if average else 1
    return -log_probs[_rows(y), y].sum() / scale, X.T @ dscores / scale


def classes_from_labels(data: Callable) -> Callable:
    """A data term computed as if there were only max(y) + 1 classes: W's last columns get no gradient."""
    def variant(W, X, y):
        used = int(np.max(y)) + 1
        loss, grad = data(W[:, :used], X, y)
        return loss, np.hstack([grad, np.zeros((W.shape[0], W.shape[1] - used))])
    return variant


CLASSES_FROM_LABELS = "the number of classes taken from the labels (max(y) + 1) instead of W.shape[1]"

# name -> (loss factor, gradient factor) of reg * sum(W * W) and of 2 * reg * W
REGULARISERS = {
    None: (1.0, 1.0),
    "regularisation missing": (0.0, 0.0),
    "regularisation halved": (0.5, 0.5),
    "regularisation doubled": (2.0, 2.0),
    "the regulariser's gradient is reg * W instead of 2 * reg * W": (1.0, 0.5),
}

SVM_DATA_VARIANTS: Dict[Optional[str], Callable] = {
    None: lambda W, X, y: svm_data(W, X, y),
    "the correct class is counted in the margin sum": lambda W, X, y: svm_data(W, X, y, include_correct=True),
    "not averaged over the N examples": lambda W, X, y: svm_data(W, X, y, average=False),
    "the -X[i] term for the correct class is missing from the gradient":
        lambda W, X, y: svm_data(W, X, y, subtract_correct=False),
    "wrong margin (0 instead of 1)": lambda W, X, y: svm_data(W, X, y, delta=0.0),
    "wrong margin (2 instead of 1)": lambda W, X, y: svm_data(W, X, y, delta=2.0),
    CLASSES_FROM_LABELS: classes_from_labels(svm_data),
}

SOFTMAX_DATA_VARIANTS: Dict[Optional[str], Callable] = {
    None: lambda W, X, y: softmax_data(W, X, y),
    "not averaged over the N examples": lambda W, X, y: softmax_data(W, X, y, average=False),
    "the -1 for the correct class is missing from the gradient":
        lambda W, X, y: softmax_data(W, X, y, subtract_correct=False),
    CLASSES_FROM_LABELS: classes_from_labels(softmax_data),
}


def variants(loss_kind: str, W, X, y, reg) -> List[Tuple[str, float, np.ndarray]]:
    """(mistake description, loss, dW) for every catalogued combination except the correct one."""
    data_variants = SVM_DATA_VARIANTS if loss_kind == "svm" else SOFTMAX_DATA_VARIANTS
    W, X = np.asarray(W, dtype=float), np.asarray(X, dtype=float)
    results = []
    for (data_name, data), (reg_name, (loss_factor, grad_factor)) in product(
            data_variants.items(), REGULARISERS.items()):
        if data_name is None and reg_name is None:
            continue
        data_loss, data_grad = data(W, X, y)
        loss = data_loss + loss_factor * reg * np.sum(W * W)
        grad = data_grad + grad_factor * 2 * reg * W
        name = " and ".join(part for part in (data_name, reg_name) if part)
        results.append((name, loss, grad))
    return results


def tie_tolerant_gradient(W, X, y, reg) -> np.ndarray:
    """The SVM gradient with margins of exactly 0 counted as active: an equally valid subgradient."""
    return svm_data(np.asarray(W, float), np.asarray(X, float), y, ties_count=True)[1] + 2 * reg * W


def diagnose(loss_kind: str, problem, student_value, which: str,
             student_loss: Optional[float] = None) -> Tuple[Optional[str], str]:
    """Name the catalogued mistake that reproduces the student's loss ('loss') or gradient ('dW').

    For a gradient, variants whose loss also matches student_loss come first,
    since several mistakes share a gradient; one whose loss does not is named
    as what the gradient alone shows. Returns (mistake or None, sentence).
    """
    W = np.asarray(problem.W, dtype=float)
    student = np.asarray(student_value, dtype=float)
    if which == "dW" and student.shape == W.T.shape and W.shape != W.T.shape:
        return "gradient transposed", f"dW has shape {student.shape}, W's transposed: dW must be shaped like W {W.shape}."
    candidates = variants(loss_kind, W, problem.X, problem.y, problem.reg)
    if which == "dW" and student_loss is not None:
        candidates.sort(key=lambda variant: not close(student_loss, variant[1]))
    for name, loss, grad in candidates:
        if close(student, loss if which == "loss" else grad):
            if which == "dW" and student_loss is not None and not close(student_loss, loss):
                return name, f"Your dW is what this mistake gives, though your loss does not make it: {name}."
            sentence = f"Likely mistake: {name}."
            if "halved" in name:
                sentence += " " + CONVENTION_NOTE
            return name, sentence
    if which == "dW" and not np.any(student):
        return None, "Your dW is all zeros: nothing is added to it after np.zeros_like(W)."
    return None, "It matches none of the classic mistakes the grader knows; compare your formula with the lecture's."
