"""Speed of a student's vectorised loss relative to the reference, robust to a noisy machine.

Both run in sandboxed workers with single-threaded BLAS on the same stored data;
each round times one reference call and one student call back to back, and the
best time of each is kept. A call's time is the CPU time its worker's processes
used for it, read here, in the trusted process, from the kernel's accounting
(sandbox/cputime.py): load on the machine barely changes it, where it would
stretch a long call's wall time more than a short one's. (Where the kernel
keeps no per-thread counts, the round trip's wall time is used.)
Every round uses a fresh W drawn with the grading's secret, so a submission
cannot cache or precompute its way to speed, and every timed answer is checked:
a function that answers fast only when it is timed gains nothing.
"""
import time
from dataclasses import dataclass
from typing import Callable

import numpy as np

from .sandbox.process import Stored, Worker

MAX_RATIO = 8.0        # in CPU time: loops over examples measure 70-120x here, einsum and class loops 2-5x
CLEAR_PASS_RATIO = 4.0
CLEAR_FAIL_RATIO = 30.0
MIN_ROUNDS, MAX_ROUNDS = 3, 12
REG = 1e-3  # the regularisation of every timed call


@dataclass
class Timing:
    student_seconds: float
    reference_seconds: float
    wrong: str = ""  # why a timed answer of the student's was wrong, if one was

    @property
    def ratio(self) -> float:
        return self.student_seconds / self.reference_seconds

    @property
    def fast_enough(self) -> bool:
        return self.ratio <= MAX_RATIO


def _timed_call(worker: Worker, module: str, function: str, W: np.ndarray, X: Stored, y: Stored,
                timeout: float):
    """(seconds, outputs) of one call: its worker's CPU time, or else the round trip's wall time."""
    before, start = worker.cpu_sample(), time.perf_counter()
    values = worker.call(module, function, W, X, y, REG, timeout=timeout).values
    wall, after = time.perf_counter() - start, worker.cpu_sample()
    cpu = before.seconds_until(after) if before is not None and after is not None else None
    return (wall if cpu is None else cpu), values


def compare_speed(student: Worker, reference: Worker, module: str, function: str, X: Stored,
                  y: Stored, rng: np.random.Generator, dim: int, num_classes: int,
                  judge: Callable) -> Timing:
    """Best-of-rounds student and reference times on the stored X, y that both workers hold.

    Every timed answer of the student's is judged against the reference's for the
    same W: judge(W, reg, student_outputs, reference_outputs) returns '' when it is
    right, else why not, and the first wrong answer ends the comparison.
    """
    best_student = best_reference = float("inf")
    for round_number in range(1, MAX_ROUNDS + 1):
        W = 1e-3 * rng.standard_normal((dim, num_classes))
        seconds, expected = _timed_call(reference, module, function, W, X, y, reference.limits.call_ceiling)
        best_reference = min(best_reference, seconds)
        seconds, answer = _timed_call(student, module, function, W, X, y,
                                      student.limits.timeout_after(best_reference))
        best_student = min(best_student, seconds)
        wrong = judge(W, REG, answer, expected)
        if wrong:
            return Timing(best_student, best_reference, wrong)
        ratio = best_student / best_reference
        if round_number >= MIN_ROUNDS and (ratio <= CLEAR_PASS_RATIO or ratio >= CLEAR_FAIL_RATIO):
            break
    return Timing(best_student, best_reference)


def naive_speedup(student: Worker, module: str, naive: str, vectorised: str, X: Stored, y: Stored,
                  dim: int, num_classes: int, rounds: int = 1) -> float:
    """The student's own naive/vectorised time ratio on the stored data (CS231n's figure)."""
    W = 1e-4 * np.random.default_rng(1).standard_normal((dim, num_classes))
    best = {}
    for _ in range(rounds):
        for function in (naive, vectorised):
            best[function] = min(best.get(function, float("inf")),
                                 _timed_call(student, module, function, W, X, y,
                                             student.limits.call_ceiling)[0])
    return best[naive] / best[vectorised]
