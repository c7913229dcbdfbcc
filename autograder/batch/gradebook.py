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
import sys
from pathlib import Path
from typing import Dict, Iterable, List, Optional

import numpy as np

from ..assignment import Assignment
from ..pipeline.results import GradeResult
from ..project import ROOT, listed_files, write_atomically, write_json_atomically

RESULTS_NAME = "results.json"
GRADEBOOK_NAME = "gradebook.csv"


class GradesError(Exception):
    """A grades folder holds something this kit did not write (or no longer can read)."""


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes, read in chunks so a huge file costs no memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for chunk in iter(lambda: stream.read(2**20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tree_digest(folder: Path, data_files: Iterable[str] = ()) -> str:
    """sha256 over every file's relative path and content (caches and downloaded data skipped)."""
    digest = hashlib.sha256()
    for relative in listed_files(folder, data_files):
        digest.update(relative.as_posix().encode() + b"\0" + file_digest(folder / relative).encode())
    return digest.hexdigest()


def submission_fingerprint(submission: Path, assignment: Assignment) -> str:
    """Digest of everything the student handed in: a zip's bytes, or every file of a folder."""
    return file_digest(submission) if submission.is_file() else tree_digest(submission, assignment.data_files)


def grader_fingerprint(assignment: Assignment, folders: Optional[List[Path]] = None) -> str:
    """Digest of what decides a grade: the folders (by default the engine, autograder/, the assignment's
    package, its rubric included, and its reference solution) and the Python and NumPy versions."""
    folders = folders or [ROOT / "autograder", assignment.package_dir, assignment.source_dir]
    parts = [tree_digest(folder, assignment.data_files) for folder in folders]
    parts += [f"python {sys.version_info[0]}.{sys.version_info[1]}", f"numpy {np.__version__}"]
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
    except Exception as error:  # jsonschema's ValidationError: not a results.json of this kit
        raise GradesError(f"{path} is not a results.json of this kit ({getattr(error, 'message', error)})") from None
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


def _number(value: float) -> str:
    return f"{value:.10g}"


def gradebook_csv(results: Dict[str, GradeResult], assignment: Assignment) -> str:
    """One row per student: points per graded function of the assignment, total, max, flags joined by ';'."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("student", *assignment.graded, "total", "max", "flags"))
    for student, result in sorted(results.items()):
        points = result.points_by_function(assignment.graded)
        writer.writerow([student, *(_number(points[name]) for name in assignment.graded),
                         _number(result.score), _number(result.max_score), ";".join(result.flags)])
    return buffer.getvalue()


def write_gradebook(grades: Path, results: Dict[str, GradeResult], assignment: Assignment) -> Path:
    path = grades / GRADEBOOK_NAME
    write_atomically(path, gradebook_csv(results, assignment))
    return path


def class_assignment(results: Dict[str, GradeResult], given: Optional[str] = None) -> Assignment:
    """The assignment a grades folder's results are of (given, or the one they record); GradesError when
    they record several, or another than the one given."""
    from ..assignment import load
    recorded = sorted({result.assignment for result in results.values()})
    if len(recorded) > 1 or (given and recorded and recorded != [given]):
        raise GradesError(f"the results are of {', '.join(recorded)}" + (f", not {given}" if given else "") +
                          ": keep one assignment per grades folder")
    return load(given or (recorded[0] if recorded else None))
