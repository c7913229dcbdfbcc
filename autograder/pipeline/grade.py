"""One submission through the pipeline: find -> sandbox -> score -> report (see the package's docstring)."""
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional

from .. import assignment as assignments
from ..assignment import Assignment
from ..rubric.context import GradingContext
from ..project import SOLUTIONS
from ..sandbox.process import Limits, Worker
from .find import Submission, find_submission, unreadable_notebook
from .reference import reference_worker
from .results import GradeResult
from .score import run_rubric
from .secret import key_file


def protected_files() -> List[Path]:
    """Files a worker must not be able to read: every assignment's package (rubrics, helpers, their tests),
    every solution, and the key the problems are drawn with. The worker proves it cannot."""
    files = [path for folder in (assignments.packages_dir(), SOLUTIONS) for path in sorted(folder.rglob("*.py"))
             if "__pycache__" not in path.parts]
    return files + ([key_file()] if key_file().exists() else [])


@contextmanager
def open_grading(found: Submission, limits: Limits = Limits(), strict: bool = False) -> Iterator[GradingContext]:
    """A GradingContext for a found submission: its worker (closed on leaving) and the reference's (kept).

    strict: raise SandboxIncomplete, before any student code runs, unless every protection is active.
    """
    protected = protected_files()
    reference = reference_worker(found.assignment, limits, protected)
    reference_files = [reference.box] if reference.box else []  # only where the reference has no box
    with Worker(found.assignment, found.sources, limits, protected + reference_files,
                unavailable=found.problems, strict=strict) as student:
        if strict:
            student.start()
        sources = {name: source.decode("utf-8", "replace") for name, source in found.sources.items()}
        yield GradingContext(found.assignment, student, reference, sources, answers=found.answers,
                             notebook_problem=found.notebook_problem)


def _flatten(protections: Dict[str, object]) -> Dict[str, str]:
    flat = {}
    for name, state in protections.items():
        if isinstance(state, dict):
            flat.update({f"{name} {key}": value for key, value in state.items()})
        else:
            flat[name] = state
    return flat


def grade_submission(submission: Path, assignment: Optional[Assignment] = None, *, limits: Limits = Limits(),
                     strict: bool = False) -> GradeResult:
    """Grade one submission (of the default assignment unless one is given); bad input becomes zero points
    and flags, never an exception. strict: see open_grading."""
    start = time.monotonic()
    assignment = assignment or assignments.load()
    found = find_submission(Path(submission), assignment)
    with open_grading(found, limits, strict) as context:
        record = run_rubric(context)
        protections = context.student.protections
    flags = (["bad_notebook"] if unreadable_notebook(found.notebook_problem) else []) + record.flags
    if found.problems and "missing_file" not in flags:
        flags.insert(0, "missing_file")
    if found.unusable() or (record.error_kinds and record.error_kinds <= {"not_implemented", "missing"}
                            and not any(check.score for check in record.checks)):
        flags.insert(0, "not_attempted")  # nothing handed in, or nothing but the release's stubs
    notes = [found.unusable()] if found.unusable() else []
    notes += [f"warning: {warning}" for warning in found.warnings] + context.notes
    return GradeResult(assignment=assignment.name, submission=str(submission), checks=record.checks,
                       execution_time=time.monotonic() - start, flags=flags,
                       protections=_flatten(protections) or
                       {"sandbox": "no worker was started (nothing importable to grade)"},
                       notes=notes)


def grade_strictly(submission: Path, assignment: Optional[Assignment] = None) -> GradeResult:
    """grade_submission(strict=True), by a name grade-all's grading processes can import."""
    return grade_submission(submission, assignment, strict=True)
