"""Speed of a student's function relative to the reference, robust to a noisy machine.

Both run in sandboxed workers with single-threaded BLAS on the same stored data;
each round times one reference request and the same request to the student's
worker back to back, and the best time of each is kept. A request's time is the
CPU time its worker's processes used for it, read here, in the trusted process,
from the kernel's accounting (sandbox/cputime.py): load on the machine barely
changes it, where it would stretch a long call's wall time more than a short
one's. (Where the kernel keeps no per-thread counts, the round trip's wall time
is used.) The rubric makes every round's request fresh (new arguments drawn with
the grading's secret), so a submission cannot cache or precompute its way to
speed, and judges every timed answer: a function that answers fast only when it
is timed gains nothing.
"""
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Tuple

from ..sandbox.process import Worker

MAX_RATIO = 8.0        # the default limit; loops over examples measure tens of times the vectorised reference
CLEAR_PASS_RATIO = 4.0
CLEAR_FAIL_RATIO = 30.0
MIN_ROUNDS = 2  # counted rounds, after the first (warm-up) one


@dataclass(frozen=True)
class Timed:
    """One request to time, sent alike to the student's and to the reference's worker."""
    module: str
    function: str
    args: tuple
    op: str = "call"


@dataclass
class Timing:
    student_seconds: float
    reference_seconds: float
    max_ratio: float = MAX_RATIO
    wrong: str = ""  # why a timed answer of the student's was wrong, if one was

    @property
    def ratio(self) -> float:
        return self.student_seconds / self.reference_seconds

    @property
    def fast_enough(self) -> bool:
        return self.ratio <= self.max_ratio


def timed(worker: Worker, request: Timed, timeout: float, sticky: bool = True) -> Tuple[float, list]:
    """(seconds, outputs) of one request: its worker's CPU time, or else the round trip's wall time."""
    before, start = worker.cpu_sample(), time.perf_counter()
    values = worker.operate(request.op, *request.args, module=request.module, function=request.function,
                            timeout=timeout, sticky=sticky).values
    wall, after = time.perf_counter() - start, worker.cpu_sample()
    cpu = before.seconds_until(after) if before is not None and after is not None else None
    return (wall if cpu is None else cpu), values


def compare_speed(student: Worker, reference: Worker, rounds: Iterable[Timed],
                  judge: Callable[[Timed, list, list], str], max_ratio: float = MAX_RATIO) -> Timing:
    """Best-of-rounds student and reference times over rounds (at most as many as it yields).

    The first round warms both workers up (a fresh worker's first calls pay for
    memory the later ones reuse), so its times count only to show a clear failure:
    a cold reference can only flatter the student. Every timed answer of the
    student's is judged against the reference's for the same request:
    judge(request, student_outputs, reference_outputs) returns '' when it is right,
    else why not, and the first wrong answer ends the comparison. The rounds stop
    early once the ratio is clearly beyond the limit (CPU time is barely stretched
    by noise, so one round shows that) or, after MIN_ROUNDS, clearly within it.
    """
    clear_pass, clear_fail = CLEAR_PASS_RATIO * max_ratio / MAX_RATIO, CLEAR_FAIL_RATIO * max_ratio / MAX_RATIO
    best_student = best_reference = float("inf")
    for round_number, request in enumerate(rounds):
        reference_seconds, expected = timed(reference, request, reference.limits.call_ceiling)
        limit = reference_seconds if round_number == 0 else best_reference
        student_seconds, answer = timed(student, request, student.limits.timeout_after(limit))
        wrong = judge(request, answer, expected)
        if wrong:
            return Timing(student_seconds, reference_seconds, max_ratio, wrong)
        if round_number == 0:
            if student_seconds >= clear_fail * reference_seconds:
                return Timing(student_seconds, reference_seconds, max_ratio)
            continue
        best_student, best_reference = min(best_student, student_seconds), min(best_reference, reference_seconds)
        ratio = best_student / best_reference
        if ratio >= clear_fail or round_number >= MIN_ROUNDS and ratio <= clear_pass:
            break
    return Timing(best_student, best_reference, max_ratio)


def speedup(worker: Worker, slow: Timed, fast: Timed, timeout: float) -> float:
    """How many times faster fast runs than slow in the same worker (one run of each), for information: a call
    over timeout raises StudentError without condemning its function for the checks."""
    slow_seconds, _ = timed(worker, slow, timeout, sticky=False)
    fast_seconds, _ = timed(worker, fast, timeout, sticky=False)
    return slow_seconds / fast_seconds
