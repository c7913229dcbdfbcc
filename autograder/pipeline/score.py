"""Stage 3, score: run the assignment's rubric (a pytest suite, see autograder/rubric/) on one grading.

The rubric runs in this process with the grading's context; the plugin
collects one CheckResult per check. A rubric that does not run cleanly (a
module that fails to import, a malformed marker, pytest's own usage error, a
failure that is no check's verdict, a check that never reported) flags the
grading `grader_error`: it must never look like a submission that scored 0 of 0.
"""
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import pytest

from ..assignment import Assignment
from ..rubric.context import GradingContext
from ..rubric.plugin import ASSIGNMENT, CONTEXT, RECORD, RUBRIC_DIR, Record, check_id

NO_AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
CLEAN_EXITS = (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED)  # TESTS_FAILED: some checks were lost


class RubricError(Exception):
    """A rubric that does not collect: it cannot grade anything."""


@contextmanager
def _no_plugin_autoload():
    """Installed pytest plugins have no say in grading (and cost start-up time)."""
    autoload = os.environ.get(NO_AUTOLOAD)
    os.environ[NO_AUTOLOAD] = "1"
    try:
        yield
    finally:
        if autoload is None:
            del os.environ[NO_AUTOLOAD]
        else:
            os.environ[NO_AUTOLOAD] = autoload


class _Engine:
    """Hands the plugin this grading's context, assignment and record, before anything else configures."""

    def __init__(self, context: GradingContext, record: Record, rubric: Path):
        self.context, self.record, self.rubric = context, record, rubric

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[CONTEXT] = self.context
        config.stash[ASSIGNMENT] = self.context.assignment
        config.stash[RUBRIC_DIR] = self.rubric
        config.stash[RECORD] = self.record
        config.option.tbstyle = "native"  # a failed check's traceback is never shown: do not format it slowly


def run_rubric(context: GradingContext, rubric: Optional[Path] = None) -> Record:
    """Every check of the context's assignment (of the rubric folder given, else the assignment's own)
    against it; the record holds the results and flags."""
    record = Record()
    rubric = (rubric or context.assignment.rubric_dir).resolve()
    arguments = [str(rubric), "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:logging", "-W", "ignore",
                 "--rootdir", str(rubric)]
    with _no_plugin_autoload():
        status = pytest.main(arguments, plugins=[_Engine(context, record, rubric)])
    problems = []
    if status not in CLEAN_EXITS:
        problems.append(f"pytest ended with {status!r}")
    if not record.checks or len(record.checks) != record.collected:
        problems.append(f"{len(record.checks)} of {record.collected} checks reported")
    if record.ungraded:
        problems.append(f"failures that are no check's verdict: {', '.join(record.ungraded)}")
    if problems:
        print(f"grader error: the rubric {rubric}: {'; '.join(problems)}", file=sys.stderr)
        record.flag("grader_error")
    return record


@dataclass(frozen=True)
class RubricCheck:
    """One check as the rubric declares it: id, graded function, kind, points, name, the answer cell it grades."""
    id: str
    function: str
    kind: str
    points: float
    name: str
    answer: str = ""


class _Collector:
    def __init__(self):
        self.checks: List[RubricCheck] = []

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: List[pytest.Item]) -> None:
        for item in items:
            marker = item.get_closest_marker("rubric").kwargs
            doc = (item.function.__doc__ or item.name).strip().splitlines()[0]
            self.checks.append(RubricCheck(check_id(item), marker["function"], marker["kind"],
                                           float(marker["points"]), f"{marker['function']}: {doc}",
                                           marker.get("answer", "")))


def collect_rubric(assignment: Assignment) -> List[RubricCheck]:
    """Every check of the assignment's rubric, in the order it runs; RubricError if it does not collect cleanly."""
    collector = _Collector()
    rubric = assignment.rubric_dir
    with _no_plugin_autoload():
        status = pytest.main([str(rubric), "--collect-only", "-p", "no:cacheprovider", "-p", "no:terminal",
                              "--rootdir", str(rubric)],
                             plugins=[collector])
    if status != pytest.ExitCode.OK or not collector.checks:
        raise RubricError(f"the rubric {rubric} does not collect cleanly ({status!r}, {len(collector.checks)} "
                          "checks): run `python -m pytest` on it to see why")
    return collector.checks
