"""`python -m autograder grade SUBMISSION`: find -> sandbox -> score -> report, for one submission.

SUBMISSION is a folder or a .zip holding the assignment's graded files anywhere
inside (this kit's layout, the course's original one, or none). The report lists every check with
its points and, for a failed one, a line of feedback naming the likely mistake;
`--out` also writes Gradescope's results.json. Exit codes: 0 graded, 3 refused
(--strict without every protection), 4 nothing gradable handed in, 5 the grader
itself failed (flag grader_error: its rubric did not run cleanly; details on stderr).
"""
import argparse
import sys
from pathlib import Path

from ..assignment import load
from ..pipeline.find import find_submission
from ..pipeline.grade import grade_submission
from ..pipeline.report import text_report
from ..pipeline.results import GradeResult
from ..project import write_json_atomically
from ..sandbox.process import SandboxIncomplete

HELP = "grade one submission (a folder or .zip) with the assignment's rubric"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", type=Path, help="a folder or .zip holding the graded files (anywhere inside)")
    parser.add_argument("--out", type=Path, help="also write Gradescope's results.json here")
    parser.add_argument("--strict", action="store_true",
                        help="refuse to grade unless every sandbox protection is active (exit code 3)")
    parser.add_argument("--verbose", action="store_true", help="list every sandbox protection in the report")


def run(args: argparse.Namespace) -> int:
    assignment = load(args.assignment)
    unusable = find_submission(args.submission, assignment).unusable()
    try:
        result = grade_submission(args.submission, assignment, strict=args.strict)
    except SandboxIncomplete as error:
        print(f"error: {error}. Nothing was graded: see the README's 'What the sandbox does' for how to "
              "get every protection (or drop --strict).", file=sys.stderr)
        if args.out:
            refused = GradeResult(assignment.name, str(args.submission), [], flags=["grader_error"],
                                  notes=[f"The grader refused to run: {error}. Your instructor has been told."])
            write_json_atomically(args.out, refused.to_gradescope())
        return 3
    if unusable:
        print(f"error: {unusable}", file=sys.stderr)
    else:
        print(text_report(result, args.verbose))
    if args.out:
        write_json_atomically(args.out, result.to_gradescope())
        print(f"wrote {args.out}")
    if "grader_error" in result.flags:
        print("error: the grader failed on this submission (flag grader_error): see the lines above", file=sys.stderr)
        return 5
    return 4 if unusable else 0
