"""The problems the linear-classifier rubric poses: fixed shapes and edge cases, values drawn with the secret.

The secret (autograder/pipeline/secret.py) is mixed into every draw, so no
answer can be precomputed; the shapes and the structured cases (N=1, C=2, ties
exactly at the hinge margin, large D, margins away from the kinks) are kept
whatever the secret, so verdicts on correct and buggy code do not depend on it.
"""
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Problem:
    """One loss-function input: W (D, C), X (N, D), y (N,), reg, and a phrase describing it."""
    description: str
    W: np.ndarray
    X: np.ndarray
    y: np.ndarray
    reg: float

    @property
    def args(self):
        return self.W, self.X, self.y, self.reg


def hinge_margins(problem: Problem) -> np.ndarray:
    scores = problem.X @ problem.W
    return scores - scores[np.arange(len(problem.y)), problem.y][:, None] + 1


class ProblemSet:
    """Every problem of one grading, drawn from seed and secret together."""

    def __init__(self, secret: int):
        self.secret = secret

    def rng(self, seed: int) -> np.random.Generator:
        return np.random.default_rng([seed, self.secret])

    def random_problem(self, seed: int, num_train: int, dim: int, num_classes: int, reg: float,
                       weight_scale: float = 0.5, description: str = "", num_labels: int = 0) -> Problem:
        """num_labels: how many of the classes, from 0 on, the labels draw from (default: all)."""
        rng = self.rng(seed)
        W = weight_scale * rng.standard_normal((dim, num_classes))
        X = rng.standard_normal((num_train, dim))
        y = rng.integers(num_labels or num_classes, size=num_train)
        label = description or f"N={num_train}, D={dim}, C={num_classes}, reg={reg}"
        return Problem(label, W, X, y, reg)

    def tie_problem(self, seed: int = 11) -> Problem:
        """Small integers make several hinge margins exactly 0 (scores differ by exactly 1)."""
        for attempt in range(100):
            rng = self.rng(seed + 1000 * attempt)
            W = rng.integers(-1, 2, size=(6, 4)).astype(float)
            X = rng.integers(-1, 2, size=(30, 6)).astype(float)
            y = rng.integers(4, size=30)
            problem = Problem("ties exactly at the hinge margin (N=30, D=6, C=4, reg=0.25)", W, X, y, 0.25)
            margins = hinge_margins(problem)
            margins[np.arange(30), y] = 1
            if np.count_nonzero(margins == 0) >= 3:
                return problem
        raise RuntimeError("no problem with ties at the margin")

    def value_problems(self) -> list:
        """The problems on which values are compared with the reference.

        reg is large enough that a missing, halved or doubled regulariser changes
        the loss and the gradient far beyond the tolerance. On the first, the last
        class has no example: C is W's number of columns, not max(y) + 1.
        """
        return [
            self.random_problem(1, 40, 20, 5, 0.1, num_labels=4,
                                description="N=40, D=20, C=5, reg=0.1, class 4 in no label"),
            self.random_problem(2, 1, 8, 3, 0.5, description="a single example (N=1, D=8, C=3, reg=0.5)"),
            self.random_problem(3, 30, 10, 2, 0.2, description="two classes (N=30, D=10, C=2, reg=0.2)"),
            self.tie_problem(),
            self.random_problem(4, 10, 3073, 10, 1.0, weight_scale=0.01,  # N small: a naive loop over D is fine
                                description="large D (N=10, D=3073, C=10, reg=1.0)"),
        ]

    def gradient_check_problem(self, min_margin: float = 0.2) -> Problem:
        """A problem whose hinge margins all stay at least min_margin away from the kink, every class in a label
        (so a loss that takes C from the labels answers consistently: its values checks catch it)."""
        for seed in range(100, 1000):
            problem = self.random_problem(seed, 6, 8, 3, 0.5, description="N=6, D=8, C=3, reg=0.5")
            if np.min(np.abs(hinge_margins(problem))) > min_margin and len(np.unique(problem.y)) == 3:
                return problem
        raise RuntimeError("no problem away from the kinks")

    def initialisation_problem(self, num_classes: int) -> Problem:
        """Tiny weights and no regularisation: the loss the lecture predicts at initialisation."""
        return self.random_problem(20 + num_classes, 100, 30, num_classes, 0.0, weight_scale=1e-6,
                                   description=f"tiny W, reg=0, C={num_classes}")

    def offset_problem(self, offset: float) -> tuple:
        """The same problem twice, the second with every score raised by offset (through the bias column)."""
        rng = self.rng(31)
        X = np.hstack([rng.standard_normal((25, 6)), np.ones((25, 1))])
        W = rng.standard_normal((7, 5))
        y = rng.integers(5, size=25)
        shifted = W.copy()
        shifted[-1] += offset
        base = Problem("moderate scores (reg=0)", W, X, y, 0.0)
        return base, Problem(f"the same scores plus {offset:g} (reg=0)", shifted, X, y, 0.0)

    def api_problem(self) -> Problem:
        return self.random_problem(40, 10, 6, 4, 0.3)

    def dependence_problems(self) -> list:
        """(problem, [y relabelled], [X scaled, W perturbed]): the loss must change for a relabelling (one of two:
        a real loss can barely move for one by chance, not for both) and for a change of the data.

        The bases have the shapes of every problem a value-free check poses (and
        one more), so a function cannot answer honestly at one shape only.
        """
        initial = self.initialisation_problem(3)
        bases = [self.random_problem(41, 40, 20, 5, 0.1), self.gradient_check_problem(), self.api_problem(),
                 self.offset_problem(0.0)[0],
                 Problem("", 1e4 * initial.W, initial.X, initial.y, 0.1)]  # every margin active, by far
        return [(base, *self._changes(base, seed)) for seed, base in enumerate(bases, 42)]

    def _changes(self, problem: Problem, seed: int) -> tuple:
        noise = 0.1 * self.rng(seed).standard_normal(problem.W.shape)
        num_classes = problem.W.shape[1]
        relabelled = [Problem("y changes", problem.W, problem.X, (problem.y + shift) % num_classes, problem.reg)
                      for shift in (1, num_classes - 1)]
        return relabelled, [Problem("X is scaled", problem.W, 1.5 * problem.X, problem.y, problem.reg),
                            Problem("W is perturbed", problem.W + noise, problem.X, problem.y, problem.reg)]
