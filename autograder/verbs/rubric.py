"""`python -m autograder rubric`: print the rubric, read from the assignment's rubric suite itself.

Each check with its points and kind, per graded function in the assignment's
order, and its stable id (the rubric test's node id) with --ids.
"""
import argparse
from collections import defaultdict

from ..assignment import load
from ..pipeline.report import function_order
from ..pipeline.score import RubricError, collect_rubric
from . import CommandError

HELP = "print the assignment's rubric: every check with its points, per graded function"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ids", action="store_true", help="also print each check's id (its rubric test's node id)")


def run(args: argparse.Namespace) -> int:
    assignment = load(args.assignment)
    try:
        checks = collect_rubric(assignment)
    except RubricError as error:
        raise CommandError(str(error)) from None
    by_function = defaultdict(list)
    for check in checks:
        by_function[check.function].append(check)
    print(f"{assignment.title} ({assignment.name})")
    for function in function_order(assignment.name, by_function):
        rows = by_function[function]
        print(f"{function} ({sum(check.points for check in rows):g} points)")
        for check in rows:
            print(f"  {check.points:>2g}  {check.kind:<10} {check.name.removeprefix(function + ': ')}"
                  + (f"  [{check.id}]" if args.ids else ""))
    print(f"total: {sum(check.points for check in checks):g} points")
    return 0
