"""`python -m autograder grade-all SUBMISSIONS --out grades/`: grade a whole class.

SUBMISSIONS holds one submission per student, in any of these layouts:
- nbgrader's `submitted/<student>/<assignment>/` (give the `submitted/` folder);
- a folder per student, `<student>/` holding the graded files anywhere inside;
- a zip per student, `<student>.zip`.

Each student's result goes to `grades/<student>/results.json` (a result is kept
while the submission and the grader are unchanged, so a rerun, after an
interruption too, grades only what is missing or stale), then come
`grades/gradebook.csv` and the item-analysis `grades/report.html`.

`--shard K/N` grades only the students of shard K of N (K counts from 1): a
student is in shard 1 + (the first 8 bytes of sha256(name), big-endian) mod N,
a rule that depends on the name alone, not on the machine, the Python process or
the rest of the class. Merge the shards' folders with `python -m autograder merge`.
"""
import argparse
import os
from pathlib import Path
from typing import Dict, Tuple

from ..assignment import Assignment, load
from ..batch import RosterError, find_submissions, grade_class, parse_shard, real_grading, shard_of
from ..batch import gradebook
from ..pipeline.results import GradeResult
from . import CommandError

HELP = "grade every submission of a class in parallel into a grades folder, gradebook and report"


def write_summaries(grades: Path, results: Dict[str, GradeResult], assignment: Assignment) -> Tuple[Path, Path]:
    """The gradebook CSV and the item-analysis report of these results, in the grades folder."""
    from .report import write_report  # matplotlib: only once there is a class to draw
    return gradebook.write_gradebook(grades, results, assignment), write_report(grades, results, assignment)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", type=Path,
                        help="folder of submissions: nbgrader's submitted/, a folder per student, or zips "
                             "(nbgrader's folder inside each is the assignment's name)")
    parser.add_argument("--out", type=Path, default=Path("grades"), help="grades folder (default: %(default)s)")
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
    assignment = load(args.assignment)
    if not args.submissions.is_dir():
        raise CommandError(f"{args.submissions} is not a folder: give the folder holding the class's submissions")
    if args.jobs < 1:
        raise CommandError(f"--jobs must be at least 1 (got {args.jobs})")
    try:
        submissions = find_submissions(args.submissions, assignment.name)
    except RosterError as error:
        raise CommandError(str(error)) from None
    if args.shard:
        submissions = {student: path for student, path in submissions.items()
                       if shard_of(student, args.shard[1]) == args.shard[0]}
    graded = grade_class(submissions, args.out, assignment, real_grading(args.strict), jobs=args.jobs,
                         timeout=args.timeout)
    results = gradebook.load_grades(args.out, submissions)
    csv_path, report_path = write_summaries(args.out, results, assignment)
    print(f"{len(submissions)} submissions: {len(graded)} graded now, {len(submissions) - len(graded)} up to date; "
          f"gradebook {csv_path}, report {report_path}")
    failed = [student for student, result in results.items() if "grader_error" in result.flags]
    if failed:
        print(f"the grader failed on {len(failed)} (zero points, flag grader_error, retried on the next run): "
              + ", ".join(failed))
    return 0
