"""A class graded at once: its roster, shards, parallel grading processes and the grades folder.

- find_submissions: one submission per student, in nbgrader's, a folder-per-student or a zip-per-student layout;
- shard_of: the deterministic shard of a student, for grading a class on several runners;
- grade_class: grade whatever is missing or stale in a grades folder (processes.py, gradebook.py).
"""
import argparse
import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from ..assignment import Assignment
from . import gradebook

if TYPE_CHECKING:  # processes.py is also the grading processes' main module: imported only when grading
    from .processes import Grading


class RosterError(Exception):
    """The submissions folder cannot be read as one submission per student."""


def find_submissions(folder: Path, assignment: str) -> Dict[str, Path]:
    """Submission path by student name, in any of these layouts:

    - nbgrader's `submitted/<student>/<assignment>/` (give the `submitted/` folder);
    - a folder per student, `<student>/` holding the graded files anywhere inside;
    - a zip per student, `<student>.zip`.

    A student folder holding `<assignment>/` is graded from there (nbgrader),
    any other student folder as a whole (a student who submitted nothing of this
    assignment then gets zero points with a missing_file flag, not silence).
    """
    submissions: Dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith((".", "__")):
            continue
        if path.is_dir():
            student = path.name
            submission = path / assignment if (path / assignment).is_dir() else path
        elif path.suffix.lower() == ".zip":
            student, submission = path.stem, path
        else:
            continue
        if student in submissions:
            raise RosterError(f"{student} has two submissions ({submissions[student].name} and {path.name}): "
                              "keep one of them")
        submissions[student] = submission
    return submissions


def shard_of(student: str, shards: int) -> int:
    """The 1-based shard of a student: 1 + (the first 8 bytes of sha256(name), big-endian) mod shards, a rule
    that depends on the name alone, not on the machine, the Python process or the rest of the class."""
    return int.from_bytes(hashlib.sha256(student.encode()).digest()[:8], "big") % shards + 1


def parse_shard(text: str) -> Tuple[int, int]:
    """argparse type for K/N."""
    try:
        shard, shards = (int(part) for part in text.split("/"))
    except ValueError:
        shard = shards = 0
    if not 1 <= shard <= shards:
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N, e.g. 2/4 (got {text!r})")
    return shard, shards


def real_grading(strict: bool = False) -> "Grading":
    """The kit's grader (strict: only in a complete sandbox), imported only when needed."""
    from ..pipeline.grade import grade_strictly, grade_submission
    return grade_strictly if strict else grade_submission


def grade_class(submissions: Dict[str, Path], grades: Path, assignment: Assignment,
                grading: Optional["Grading"] = None, jobs: int = os.cpu_count() or 1, timeout: float = 600.0,
                progress: bool = True) -> List[str]:
    """Grade every submission whose stored result is missing or stale; return the students graded now."""
    from tqdm import tqdm

    from .processes import grade_in_parallel
    grader = gradebook.grader_fingerprint(assignment)
    fingerprints = {student: {"submission": gradebook.submission_fingerprint(path, assignment), "grader": grader}
                    for student, path in submissions.items()}
    pending = {student: path for student, path in submissions.items()
               if not gradebook.is_up_to_date(grades, student, fingerprints[student])}
    if pending:
        results = grade_in_parallel(pending, assignment.name, grading or real_grading(), jobs, timeout)
        for student, result in tqdm(results, total=len(pending), unit="submission", desc="grading",
                                    disable=not progress):
            gradebook.save_result(grades, student, result, fingerprints[student])
    return list(pending)
