"""Grade many submissions at once, each grading in a process of its own, so that no failure spreads.

At most `jobs` grading processes run at a time. Each is a fresh interpreter
(`python -m autograder.batch.processes MODULE:FUNCTION PARENT_PID ...`), started
with subprocess, never forked from a server that could be reached: it reads one
submission (its path and assignment, as JSON) per line on its stdin and answers
each with one JSON line on a pipe of its own (GradeResult.to_gradescope(), or why there is none); nothing is
ever unpickled. It dies with its parent (PR_SET_PDEATHSIG), and its sandboxes
die with it, so nothing outlives a killed grade-all. A grading function that
raises, a grading process that dies, and one still running after `timeout`
seconds each become a zero result flagged `grader_error` for that student
alone; a fresh process takes over for the rest.
"""
import importlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

from ..assignment import Assignment, load
from ..pipeline.results import GradeResult
from ..sandbox.confine import die_with_parent

Grading = Callable[[Path, Assignment], GradeResult]
MAX_LINE_BYTES = 64 * 2**20
STARTUP_SECONDS = 120.0


def grader_error(assignment: str, submission: Path, why: str) -> GradeResult:
    """The zero result recorded when the grader itself failed on a submission."""
    return GradeResult(assignment=assignment, submission=str(submission), checks=[], flags=["grader_error"],
                       notes=[f"grading failed: {why}"])


@dataclass
class GradingProcess:
    """One grading process, and the student it is grading (if any)."""
    process: subprocess.Popen
    results: int                       # read end of its result pipe
    buffer: bytearray = field(default_factory=bytearray)
    student: Optional[str] = None
    submission: Optional[Path] = None
    assignment: str = ""
    ready: bool = False                # it has imported the grader (its start-up does not count as grading)
    timeout: float = 0.0
    deadline: float = 0.0

    @classmethod
    def start(cls, grading: Grading) -> "GradingProcess":
        read_end, write_end = os.pipe()
        specification = f"{grading.__module__}:{grading.__qualname__}"
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "autograder.batch.processes", specification, str(os.getpid()),
                 str(write_end), json.dumps(sys.path)],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, pass_fds=(write_end,),
                start_new_session=True)
        finally:
            os.close(write_end)
        return cls(process, read_end)

    def grade(self, student: str, submission: Path, assignment: str, timeout: float) -> None:
        """Send a submission; its time starts now, or once a new process says it is ready."""
        self.student, self.submission, self.assignment, self.timeout = student, submission, assignment, timeout
        self.deadline = time.monotonic() + timeout + (0 if self.ready else STARTUP_SECONDS)
        line = json.dumps({"submission": str(submission), "assignment": assignment})
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def answer(self) -> Optional[GradeResult]:
        """Read what has arrived; the result once its line is complete, else None. EOFError if it died."""
        chunk = os.read(self.results, 1 << 20)
        if not chunk:
            raise EOFError
        self.buffer += chunk
        while b"\n" in self.buffer:
            line, _, rest = bytes(self.buffer).partition(b"\n")
            self.buffer = bytearray(rest)
            message = json.loads(line)
            if message.get("ready"):
                if not self.ready:
                    self.ready, self.deadline = True, time.monotonic() + self.timeout
                continue
            if "error" in message:
                return grader_error(self.assignment, self.submission, str(message["error"]))
            return GradeResult.from_gradescope(message["result"])
        if len(self.buffer) > MAX_LINE_BYTES:
            raise ValueError("an oversized answer")
        return None

    def stop(self, grace: float = 0.0) -> None:
        """End the process: with grace, let an idle one leave on its own first (its workers close)."""
        self.process.stdin.close()
        try:
            self.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        os.close(self.results)


def grade_in_parallel(submissions: Dict[str, Path], assignment: str, grading: Grading, jobs: int,
                      timeout: float) -> Iterator[Tuple[str, GradeResult]]:
    """Yield (student, result) as each grading of the assignment finishes, whatever happened to it.

    `grading` must be a module-level function, importable by name in a new
    interpreter (with this process's sys.path).
    """
    waiting = list(reversed(submissions.items()))
    idle: List[GradingProcess] = []
    busy: Dict[int, GradingProcess] = {}  # result pipe -> process
    try:
        while waiting or busy:
            while waiting and len(busy) < jobs:
                student, submission = waiting.pop()
                worker = _hand_over(idle, grading, student, submission, assignment, timeout)
                if worker is None:
                    yield student, grader_error(assignment, submission, "no grading process could be started")
                else:
                    busy[worker.results] = worker
            soonest = min(worker.deadline for worker in busy.values())
            ready, _, _ = select.select(list(busy), [], [], max(0.0, soonest - time.monotonic()))
            for descriptor in list(busy):
                worker = busy[descriptor]
                outcome = _outcome(worker, descriptor in ready, timeout)
                if outcome is None:
                    continue
                del busy[descriptor]
                result, healthy = outcome
                if healthy:
                    idle.append(worker)
                else:
                    worker.stop()
                yield worker.student, result
    finally:
        for worker in idle:
            worker.stop(grace=5.0)
        for worker in busy.values():
            worker.stop()


def _hand_over(idle: List[GradingProcess], grading: Grading, student: str, submission: Path, assignment: str,
               timeout: float) -> Optional[GradingProcess]:
    """Give the submission to an idle grading process, or to a new one if that one is gone."""
    for _ in range(2):
        worker = idle.pop() if idle else GradingProcess.start(grading)
        try:
            worker.grade(student, submission, assignment, timeout)
            return worker
        except OSError:
            worker.stop()
    return None


def _outcome(worker: GradingProcess, readable: bool, timeout: float) -> Optional[Tuple[GradeResult, bool]]:
    """(result, whether the process can grade again) once its grading is over, else None."""
    if readable:
        try:
            result = worker.answer()
        except EOFError:
            worker.process.wait()
            return grader_error(worker.assignment, worker.submission, f"the grading process died (exit code "
                                f"{worker.process.returncode})"), False
        except (ValueError, KeyError, TypeError) as error:
            return grader_error(worker.assignment, worker.submission, f"the grading process sent an unreadable "
                                f"answer ({type(error).__name__})"), False
        if result is not None:
            return result, True
    if time.monotonic() >= worker.deadline:
        return grader_error(worker.assignment, worker.submission,
                            f"it was still running after {timeout:g} s and was stopped"), False
    return None


def serve(specification: str, results: int) -> None:
    """Body of a grading process: grade each submission named on stdin, answer on `results`."""
    module, _, name = specification.partition(":")
    grading = getattr(importlib.import_module(module), name)
    with os.fdopen(results, "wb") as answers:
        answers.write(b'{"ready": true}\n')
        answers.flush()
        for line in sys.stdin.buffer:
            request = json.loads(line)
            try:
                message = {"result": grading(Path(request["submission"]), load(request["assignment"])).to_gradescope()}
            except Exception as error:  # the grader's own failure, reported for this student only
                message = {"error": f"the grader raised {type(error).__name__}: {error}"}
            answers.write(json.dumps(message).encode() + b"\n")
            answers.flush()


if __name__ == "__main__":
    die_with_parent(int(sys.argv[2]))
    sys.path[:0] = [path for path in json.loads(sys.argv[4]) if path not in sys.path]
    serve(sys.argv[1], int(sys.argv[3]))
