"""Grade many submissions at once, each in a process of its own, so that no failure spreads.

At most `jobs` grading processes run at a time, each forked from a multiprocessing
forkserver (quick to start, no state shared with the parent or with each other).
A grading function that raises, a grading process that dies, and one still
running after `timeout` seconds each become a zero result flagged `grader_error`
for that student alone; the others go on.
"""
import multiprocessing
import time
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Callable, Dict, Iterator, Tuple, Union

from .results import GradeResult

Grading = Callable[[Path], GradeResult]


def grader_error(submission: Path, why: str) -> GradeResult:
    """The zero result recorded when the grader itself failed on a submission."""
    return GradeResult(submission=str(submission), checks=[], flags=["grader_error"],
                       notes=[f"grading failed: {why}"])


def _grade_and_send(grading: Grading, submission: Path, sender: Connection) -> None:
    """Body of a grading process: send back the GradeResult, or why there is none."""
    try:
        sender.send(grading(submission))
    except Exception as error:  # the grader's own failure, reported for this student only
        sender.send(f"the grader raised {type(error).__name__}: {error}")


def _outcome(receiver: Connection, process: multiprocessing.Process) -> Union[GradeResult, str]:
    """What a finished grading process sent, or why it sent nothing usable."""
    try:
        outcome = receiver.recv()
    except EOFError:
        process.join()
        return f"the grading process died (exit code {process.exitcode})"
    except Exception as error:
        return f"the grading process sent an unreadable reply ({type(error).__name__}: {error})"
    return outcome if isinstance(outcome, (GradeResult, str)) else f"the grader returned a {type(outcome).__name__}"


def _stop(process: multiprocessing.Process, receiver: Connection) -> None:
    """Let a grading process exit on its own for a moment, then kill it."""
    process.join(timeout=1.0)
    if process.is_alive():
        process.kill()
        process.join()
    receiver.close()


def grade_in_parallel(submissions: Dict[str, Path], grading: Grading, jobs: int,
                      timeout: float) -> Iterator[Tuple[str, GradeResult]]:
    """Yield (student, result) as each grading finishes, whatever happened to it.

    `grading` must be a module-level function (it is pickled by name). Its module
    is imported once, in the forkserver, when the forkserver can find it (from its
    working directory or PYTHONPATH: it does not see sys.path changes). Like any
    multiprocessing child, each grading process imports the caller's main module
    again, so a script calling this should keep its module-level imports light.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([grading.__module__])
    waiting = list(reversed(submissions.items()))
    running = {}  # receiving end -> (student, submission, process, deadline)
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                student, submission = waiting.pop()
                receiver, sender = context.Pipe(duplex=False)
                process = context.Process(target=_grade_and_send, args=(grading, submission, sender),
                                          name=f"grade {student}")
                process.start()
                sender.close()
                running[receiver] = (student, submission, process, time.monotonic() + timeout)
            soonest = min(deadline for *_, deadline in running.values())
            ready = wait(list(running), timeout=max(0.0, soonest - time.monotonic()))
            now = time.monotonic()
            for receiver, (student, submission, process, deadline) in list(running.items()):
                if receiver in ready:
                    outcome = _outcome(receiver, process)
                elif now >= deadline:
                    outcome = f"it was still running after {timeout:g} s and was stopped"
                else:
                    continue
                del running[receiver]
                _stop(process, receiver)
                yield student, outcome if isinstance(outcome, GradeResult) else grader_error(submission, outcome)
    finally:
        for receiver, (_, _, process, _) in running.items():
            process.kill()
            _stop(process, receiver)
