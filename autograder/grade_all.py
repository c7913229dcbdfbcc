"""`python -m autograder grade-all SUBMISSIONS --out grades/`: grade a whole class.

SUBMISSIONS holds one submission per student, in any of these layouts:
- nbgrader's `submitted/<student>/<assignment>/` (give the `submitted/` folder);
- a folder per student, `<student>/` holding the graded files anywhere inside;
- a zip per student, `<student>.zip`.

Each student's result goes to `grades/<student>/results.json` (see gradebook.py:
a result is kept while the submission and the grader are unchanged, so a rerun,
after an interruption too, grades only what is missing or stale), then come
`grades/gradebook.csv` and the item-analysis `grades/report.html`.

`--shard K/N` grades only the students of shard K of N (K counts from 1): a
student is in shard 1 + (the first 8 bytes of sha256(name), big-endian) mod N,
a rule that depends on the name alone, not on the machine, the Python process or
the rest of the class. Merge the shards' folders with `python -m autograder merge`.
"""
import argparse
import hashlib
import os
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from tqdm import tqdm

from . import gradebook, item_analysis
from .batch import Grading, grade_in_parallel
from .results import GradeResult

HELP = "grade every submission of a class in parallel into a grades folder, gradebook and report"
DEFAULT_ASSIGNMENT = "linear_classifiers"


class RosterError(Exception):
    """The submissions folder cannot be read as one submission per student."""


def find_submissions(folder: Path, assignment: str = DEFAULT_ASSIGNMENT) -> Dict[str, Path]:
    """Submission path by student name, in any of the layouts above.

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
    """The 1-based shard of a student (see the module's docstring)."""
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


def real_grading(strict: bool = False) -> Grading:
    """The kit's grader (strict: only in a complete sandbox), imported only when needed."""
    from .grade import grade_submission, grade_submission_strictly
    return grade_submission_strictly if strict else grade_submission


def grade_class(submissions: Dict[str, Path], grades: Path, grading: Optional[Grading] = None,
                jobs: int = os.cpu_count() or 1, timeout: float = 600.0, progress: bool = True) -> List[str]:
    """Grade every submission whose stored result is missing or stale; return the students graded now."""
    grader = gradebook.grader_fingerprint()
    fingerprints = {student: {"submission": gradebook.submission_fingerprint(path), "grader": grader}
                    for student, path in submissions.items()}
    pending = {student: path for student, path in submissions.items()
               if not gradebook.is_up_to_date(grades, student, fingerprints[student])}
    if pending:
        results = grade_in_parallel(pending, grading or real_grading(), jobs, timeout)
        for student, result in tqdm(results, total=len(pending), unit="submission", desc="grading",
                                    disable=not progress):
            gradebook.save_result(grades, student, result, fingerprints[student])
    return list(pending)


def write_summaries(grades: Path, results: Dict[str, GradeResult]) -> Tuple[Path, Path]:
    """The gradebook CSV and the item-analysis report of these results, in the grades folder."""
    return gradebook.write_gradebook(grades, results), item_analysis.write_report(grades, results)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", type=Path,
                        help="folder of submissions: nbgrader's submitted/, a folder per student, or zips")
    parser.add_argument("--out", type=Path, default=Path("grades"), help="grades folder (default: %(default)s)")
    parser.add_argument("--assignment", default=DEFAULT_ASSIGNMENT,
                        help="assignment id: the folder inside each nbgrader submission (default: %(default)s)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="submissions graded at the same time (default: the number of cores, %(default)s)")
    parser.add_argument("--shard", type=parse_shard, metavar="K/N",
                        help="grade only shard K of N of the class (by a hash of the student's name)")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds after which one submission's grading is stopped (default: %(default)g)")
    parser.add_argument("--strict", action="store_true",
                        help="grade nobody unless every sandbox protection is active (each student is then "
                             "flagged grader_error, and graded on the next run)")


def run(args: argparse.Namespace) -> int:
    if not args.submissions.is_dir():
        print(f"error: {args.submissions} is not a folder: give the folder holding the class's submissions")
        return 2
    if args.jobs < 1:
        print(f"error: --jobs must be at least 1 (got {args.jobs})")
        return 2
    try:
        submissions = find_submissions(args.submissions, args.assignment)
    except RosterError as error:
        print(f"error: {error}")
        return 2
    if args.shard:
        submissions = {student: path for student, path in submissions.items()
                       if shard_of(student, args.shard[1]) == args.shard[0]}
    graded = grade_class(submissions, args.out, real_grading(args.strict), jobs=args.jobs, timeout=args.timeout)
    results = gradebook.load_grades(args.out, submissions)
    csv_path, report_path = write_summaries(args.out, results)
    print(f"{len(submissions)} submissions: {len(graded)} graded now, {len(submissions) - len(graded)} up to date; "
          f"gradebook {csv_path}, report {report_path}")
    failed = [student for student, result in results.items() if "grader_error" in result.flags]
    if failed:
        print(f"the grader failed on {len(failed)} (zero points, flag grader_error, retried on the next run): "
              + ", ".join(failed))
    return 0
