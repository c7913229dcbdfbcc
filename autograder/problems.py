"""Seeded problems the hidden checks pose: fixed, so grading the same submission twice agrees."""
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


def random_problem(seed: int, num_train: int, dim: int, num_classes: int, reg: float,
                   weight_scale: float = 0.5, description: str = "") -> Problem:
    rng = np.random.default_rng(seed)
    W = weight_scale * rng.standard_normal((dim, num_classes))
    X = rng.standard_normal((num_train, dim))
    y = rng.integers(num_classes, size=num_train)
    label = description or f"N={num_train}, D={dim}, C={num_classes}, reg={reg}"
    return Problem(label, W, X, y, reg)


def tie_problem(seed: int = 11) -> Problem:
    """Small integers make some hinge margins exactly 0 (scores differ by exactly 1)."""
    rng = np.random.default_rng(seed)
    W = rng.integers(-1, 2, size=(6, 4)).astype(float)
    X = rng.integers(-1, 2, size=(30, 6)).astype(float)
    y = rng.integers(4, size=30)
    return Problem("ties exactly at the hinge margin (N=30, D=6, C=4, reg=0.25)", W, X, y, 0.25)


def value_problems() -> list:
    """The problems on which values are compared with the reference.

    reg is large enough that a missing, halved or doubled regulariser changes
    the loss and the gradient far beyond the tolerance.
    """
    return [
        random_problem(1, 40, 20, 5, 0.1),
        random_problem(2, 1, 8, 3, 0.5, description="a single example (N=1, D=8, C=3, reg=0.5)"),
        random_problem(3, 30, 10, 2, 0.2, description="two classes (N=30, D=10, C=2, reg=0.2)"),
        tie_problem(),
        random_problem(4, 50, 3073, 10, 1.0, weight_scale=0.01,
                       description="large D (N=50, D=3073, C=10, reg=1.0)"),
    ]


def hinge_margins(problem: Problem) -> np.ndarray:
    scores = problem.X @ problem.W
    return scores - scores[np.arange(len(problem.y)), problem.y][:, None] + 1


def gradient_check_problem(min_margin: float = 0.2) -> Problem:
    """A problem whose hinge margins all stay at least min_margin away from the kink."""
    for seed in range(100, 1000):
        problem = random_problem(seed, 6, 8, 3, 0.5, description="N=6, D=8, C=3, reg=0.5")
        margins = hinge_margins(problem)
        if np.min(np.abs(margins)) > min_margin:
            return problem
    raise RuntimeError("no problem away from the kinks")


def initialisation_problem(num_classes: int) -> Problem:
    """Tiny weights and no regularisation: the loss the lecture predicts at initialisation."""
    return random_problem(20 + num_classes, 100, 30, num_classes, 0.0, weight_scale=1e-6,
                          description=f"tiny W, reg=0, C={num_classes}")


def offset_problem(offset: float) -> tuple:
    """The same problem twice, the second with every score raised by offset (through the bias column)."""
    rng = np.random.default_rng(31)
    X = np.hstack([rng.standard_normal((25, 6)), np.ones((25, 1))])
    W = rng.standard_normal((7, 5))
    y = rng.integers(5, size=25)
    shifted = W.copy()
    shifted[-1] += offset
    base = Problem("moderate scores (reg=0)", W, X, y, 0.0)
    return base, Problem(f"the same scores plus {offset:g} (reg=0)", shifted, X, y, 0.0)
