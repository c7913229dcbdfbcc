"""Speed of a student's vectorised loss relative to the reference, robust to a noisy machine.

Both run in sandboxed workers with single-threaded BLAS on the same stored data;
each round times one reference call and one student call back to back (round
trips measured here, in the trusted process), and the best time of each is
kept, so load on the machine slows both and is filtered out by the minimum.
Every round uses a fresh W, so a submission cannot cache its way to speed.
"""
import time
from dataclasses import dataclass

import numpy as np

from .sandbox.process import Stored, Worker

MAX_RATIO = 8.0        # loops over examples measure 18-50x here, einsum and class loops under 2.5x
CLEAR_PASS_RATIO = 4.0
CLEAR_FAIL_RATIO = 30.0
MIN_ROUNDS, MAX_ROUNDS = 3, 12


@dataclass
class Timing:
    student_seconds: float
    reference_seconds: float

    @property
    def ratio(self) -> float:
        return self.student_seconds / self.reference_seconds

    @property
    def fast_enough(self) -> bool:
        return self.ratio <= MAX_RATIO


def _round_trip(worker: Worker, module: str, function: str, W: np.ndarray, X: Stored, y: Stored,
                timeout: float) -> float:
    start = time.perf_counter()
    worker.call(module, function, W, X, y, 1e-3, timeout=timeout)
    return time.perf_counter() - start


def compare_speed(student: Worker, reference: Worker, module: str, function: str, X: Stored,
                  y: Stored, dim: int, num_classes: int, timeout: float = 10.0) -> Timing:
    """Best-of-rounds student and reference times on the stored X, y that both workers hold."""
    rng = np.random.default_rng(0)
    best_student = best_reference = float("inf")
    for round_number in range(1, MAX_ROUNDS + 1):
        W = 1e-3 * rng.standard_normal((dim, num_classes))
        best_reference = min(best_reference, _round_trip(reference, module, function, W, X, y, timeout))
        best_student = min(best_student, _round_trip(student, module, function, W, X, y, timeout))
        ratio = best_student / best_reference
        if round_number >= MIN_ROUNDS and (ratio <= CLEAR_PASS_RATIO or ratio >= CLEAR_FAIL_RATIO):
            break
    return Timing(best_student, best_reference)


def naive_speedup(student: Worker, module: str, naive: str, vectorised: str, X: Stored, y: Stored,
                  dim: int, num_classes: int, rounds: int = 2, timeout: float = 30.0) -> float:
    """The student's own naive/vectorised time ratio on the stored data (CS231n's figure)."""
    W = 1e-4 * np.random.default_rng(1).standard_normal((dim, num_classes))
    best = {}
    for _ in range(rounds):
        for function in (naive, vectorised):
            best[function] = min(best.get(function, float("inf")),
                                 _round_trip(student, module, function, W, X, y, timeout))
    return best[naive] / best[vectorised]
