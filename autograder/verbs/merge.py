"""`python -m autograder merge SHARD_DIRS... --out grades/`: combine the folders of grade-all shards.

Every `<student>/results.json` of every shard folder is copied into the output
folder, then the combined gradebook and report are written. A student found in
more than one shard is accepted only when each copy holds the same grade (same
submission and grader fingerprints, same flags, same points per check: the
grading time may differ); otherwise nothing is written.
"""
import argparse
from pathlib import Path
from typing import Dict, List

from ..batch import gradebook
from ..pipeline.results import GradeResult
from ..project import write_json_atomically
from . import CommandError
from .grade_all import write_summaries

HELP = "combine the output folders of grade-all --shard runs into one grades folder, gradebook and report"


class MergeError(Exception):
    """The shards disagree about a student."""


def same_grade_key(data: dict) -> tuple:
    """What two copies of a student's results.json must share to be the same grade."""
    extra = data["extra_data"]
    return (extra.get("fingerprint"), sorted(extra.get("flags", [])),
            [(test["extra_data"]["id"], test["score"], test["max_score"]) for test in data["tests"]])


def merge_shards(shards: List[Path]) -> Dict[str, dict]:
    """Stored results by student across all shards; MergeError when a student's copies differ."""
    merged: Dict[str, dict] = {}
    found_in: Dict[str, Path] = {}
    for shard in shards:
        for student, data in gradebook.read_grades(shard).items():
            if student not in merged:
                merged[student], found_in[student] = data, shard
            elif same_grade_key(data) != same_grade_key(merged[student]):
                raise MergeError(f"{student} has different results in {found_in[student]} and {shard}: "
                                 "regrade that student, or merge only one of those folders")
    return dict(sorted(merged.items()))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("shards", type=Path, nargs="+", metavar="SHARD_DIR",
                        help="output folders of grade-all --shard runs")
    parser.add_argument("--out", type=Path, default=Path("grades"), help="merged grades folder (default: %(default)s)")


def run(args: argparse.Namespace) -> int:
    missing = [str(shard) for shard in args.shards if not shard.is_dir()]
    if missing:
        raise CommandError(f"not a folder: {', '.join(missing)}: give the output folders of grade-all --shard")
    try:
        merged = merge_shards(args.shards)
        results = {student: GradeResult.from_gradescope(data) for student, data in merged.items()}
        assignment = gradebook.class_assignment(results, args.assignment)
    except (MergeError, gradebook.GradesError) as error:
        raise CommandError(str(error)) from None
    for student, data in merged.items():
        write_json_atomically(gradebook.results_path(args.out, student), data)
    csv_path, report_path = write_summaries(args.out, results, assignment)
    print(f"merged {len(merged)} students from {len(args.shards)} folders: gradebook {csv_path}, report {report_path}")
    return 0
