"""The grades folder: one `<student>/results.json` per student, `gradebook.csv` beside them.

Each results.json is Gradescope's format (GradeResult.to_gradescope) with one
addition, `extra_data.fingerprint`: sha256 digests of the graded submission and
of the grader that graded it. A stored result is up to date when both digests
still match and grading did not fail (a `grader_error` result is retried).
"""
import csv
import hashlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Dict, Iterable, Optional

import numpy as np

from .release import released_files
from .results import GRADED_FUNCTIONS, GradeResult, write_json_atomically

ROOT = Path(__file__).resolve().parent.parent
RESULTS_NAME = "results.json"
GRADEBOOK_NAME = "gradebook.csv"
GRADEBOOK_COLUMNS = ("student", *GRADED_FUNCTIONS, "total", "max", "flags")


class GradesError(Exception):
    """A grades folder holds something this kit did not write (or no longer can read)."""


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks so a huge file costs no memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(2**20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tree_digest(folder: Path) -> str:
    """sha256 over every file's relative path and content (caches skipped, symlinks not followed into folders)."""
    digest = hashlib.sha256()
    for relative in released_files(folder):
        digest.update(relative.as_posix().encode() + b"\0" + file_digest(folder / relative).encode())
    return digest.hexdigest()


def submission_fingerprint(submission: Path) -> str:
    """Digest of everything the student handed in: a zip's bytes, or every file of a folder."""
    return file_digest(submission) if submission.is_file() else tree_digest(submission)


def grader_fingerprint(root: Path = ROOT) -> str:
    """Digest of what decides a grade: autograder/ (hidden suites included), solutions/ (the reference),
    and the Python and NumPy versions."""
    parts = [tree_digest(root / "autograder"), tree_digest(root / "solutions"),
             f"python {sys.version_info[0]}.{sys.version_info[1]}", f"numpy {np.__version__}"]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def results_path(grades: Path, student: str) -> Path:
    return grades / student / RESULTS_NAME


def save_result(grades: Path, student: str, result: GradeResult, fingerprint: Dict[str, str]) -> None:
    """Write a student's results.json atomically, its fingerprint included."""
    data = result.to_gradescope()
    data["extra_data"]["fingerprint"] = fingerprint
    write_json_atomically(results_path(grades, student), data)


def read_result(path: Path) -> dict:
    """A stored results.json as written by save_result; GradesError when it is not one."""
    try:
        data = json.loads(path.read_text())
        GradeResult.from_gradescope(data)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise GradesError(f"{path} is not a readable results.json ({error})") from None
    return data


def is_up_to_date(grades: Path, student: str, fingerprint: Dict[str, str]) -> bool:
    """True when the stored result graded this very submission with this very grader, successfully."""
    path = results_path(grades, student)
    if not path.is_file():
        return False
    try:
        extra = read_result(path)["extra_data"]
    except GradesError:
        return False
    return extra.get("fingerprint") == fingerprint and "grader_error" not in extra.get("flags", [])


def read_grades(grades: Path, students: Optional[Iterable[str]] = None) -> Dict[str, dict]:
    """Stored results by student, sorted by name: the given students, or every one in the folder."""
    if students is None:
        students = [path.parent.name for path in grades.glob(f"*/{RESULTS_NAME}")]
    return {student: read_result(results_path(grades, student)) for student in sorted(students)}


def load_grades(grades: Path, students: Optional[Iterable[str]] = None) -> Dict[str, GradeResult]:
    """Like read_grades, as GradeResults."""
    return {student: GradeResult.from_gradescope(data) for student, data in read_grades(grades, students).items()}


def write_text_atomically(path: Path, text: str) -> None:
    """Replace a text file in one step, so a killed run leaves the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _number(value: float) -> str:
    return f"{value:.10g}"


def gradebook_csv(results: Dict[str, GradeResult]) -> str:
    """One row per student: points per graded function, total, max, flags joined by ';'."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(GRADEBOOK_COLUMNS)
    for student, result in sorted(results.items()):
        points = result.points_by_function()
        writer.writerow([student, *(_number(points[name]) for name in GRADED_FUNCTIONS),
                         _number(result.score), _number(result.max_score), ";".join(result.flags)])
    return buffer.getvalue()


def write_gradebook(grades: Path, results: Dict[str, GradeResult]) -> Path:
    path = grades / GRADEBOOK_NAME
    write_text_atomically(path, gradebook_csv(results))
    return path
