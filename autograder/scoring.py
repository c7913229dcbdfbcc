"""Score: run the hidden pytest suite against a sandboxed submission and collect one result per check.

The suite lives in autograder/hidden/. Each test carries
`@pytest.mark.rubric(points=..., function=..., kind=...)`; its docstring is the
check's name. A test fails with `Deduction` (a message for the student, and the
mistake it diagnosed); a StudentError escaping a test (the student's code raised,
hung, crashed) becomes feedback naming what happened. Anything else is a bug of
the grader: the check scores 0, the submission is flagged `grader_error`, and
the student sees no traceback.
"""
import os
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set

import pytest

from .problems import ProblemSet, grading_secret
from .results import CHECK_KINDS, GRADED_FUNCTIONS, CheckResult
from .sandbox.process import StudentError, Worker
from .submission import unreadable_notebook

NO_AUTOLOAD = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
HIDDEN_SUITE = Path(__file__).resolve().parent / "hidden"
ERROR_FLAGS = {"import": "import_error", "missing": "missing_file", "timeout": "timeout",
               "crash": "crash", "memory": "memory", "bad_output": "bad_output", "protocol": "bad_output"}


class Deduction(Exception):
    """A failed check: message is written for the student; mistake names a catalogued mistake."""

    def __init__(self, message: str, mistake: Optional[str] = None):
        super().__init__(message)
        self.message, self.mistake = message, mistake


@dataclass
class GradingContext:
    """What the hidden tests see: the student's worker, its sources, the reference worker, and notes."""
    student: Worker
    reference: Worker
    sources: Dict[str, str]
    answers: Dict[str, str] = field(default_factory=dict)  # notebook answer name -> cell source
    notebook_problem: str = ""
    notes: List[str] = field(default_factory=list)
    cache: Dict[str, object] = field(default_factory=dict)
    secret: Optional[int] = None  # mixed into every problem (see problems.py); by default from the sources

    def __post_init__(self):
        if self.secret is None:
            self.secret = grading_secret(self.sources, self.answers)

    @property
    def problems(self) -> ProblemSet:
        return ProblemSet(self.secret)


def describe_student_error(function: str, error: StudentError) -> str:
    """One line for the student about a failure of their code."""
    if error.kind == "not_implemented":
        stub = error.message.split(": ")[1] if error.message.count(": ") >= 2 else function
        return f"{stub} is not implemented yet."
    if error.kind in ("missing", "import"):
        return f"{function} could not be graded: {error}"
    return f"{function} failed: {error}"


def flag_for(error: StudentError) -> Optional[str]:
    if error.kind == "import" and error.message.startswith("SyntaxError"):
        return "syntax_error"
    return ERROR_FLAGS.get(error.kind)


class RubricPlugin:
    """Collects a CheckResult for every rubric test of the hidden suite."""

    def __init__(self, context: GradingContext):
        self.context = context
        self.checks: List[CheckResult] = []
        self.flags: List[str] = []
        self.error_kinds: Set[str] = set()  # what the student's code did when checks failed on it
        if unreadable_notebook(context.notebook_problem):
            self._flag("bad_notebook")

    @pytest.hookimpl
    def pytest_configure(self, config):
        config.option.tbstyle = "native"  # a failed check's traceback is never shown: do not format it slowly

    @pytest.hookimpl
    def pytest_collection_modifyitems(self, items):
        """Every rubric marker names a known function and kind and positive points, or nothing runs."""
        for item in items:
            marker = item.get_closest_marker("rubric")
            rubric = marker.kwargs if marker else {}
            if marker and not (rubric.get("function") in GRADED_FUNCTIONS and rubric.get("kind") in CHECK_KINDS
                               and isinstance(rubric.get("points"), (int, float)) and rubric["points"] > 0):
                raise pytest.UsageError(f"{item.nodeid}: malformed rubric marker {rubric}")

    @pytest.fixture(scope="session")
    def grading(self) -> GradingContext:
        return self.context

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        marker = item.get_closest_marker("rubric")
        if marker and (call.when == "call" or (call.when == "setup" and report.failed)):
            self.checks.append(self._check(item, marker.kwargs, call.excinfo))
        return report

    def _check(self, item, rubric, excinfo) -> CheckResult:
        function = rubric["function"]
        name = f"{function}: {(item.function.__doc__ or item.name).strip().splitlines()[0]}"
        mistake, score = None, 0.0
        if excinfo is None:
            feedback, score = "Passed.", float(rubric["points"])
        elif isinstance(excinfo.value, Deduction):
            feedback, mistake = excinfo.value.message, excinfo.value.mistake
        elif isinstance(excinfo.value, StudentError):
            feedback = describe_student_error(function, excinfo.value)
            self.error_kinds.add(excinfo.value.kind)
            self._flag(flag_for(excinfo.value))
        else:
            feedback = "The grader hit an internal error on this check; your instructor has been told."
            self._flag("grader_error")
            print(f"grader error in {item.nodeid}:\n{''.join(traceback.format_exception(excinfo.value))}",
                  file=sys.stderr)
        return CheckResult(name=name, function=function, kind=rubric["kind"],
                           max_score=float(rubric["points"]), score=score, feedback=feedback, mistake=mistake)

    def _flag(self, flag):
        if flag and flag not in self.flags:
            self.flags.append(flag)


def run_hidden_suite(context: GradingContext, suite: Path = HIDDEN_SUITE) -> RubricPlugin:
    """Run every hidden check against the context; the plugin holds the results.

    A suite that does not run cleanly (a module that fails to import, a malformed
    rubric marker, pytest's own usage error) flags the grading `grader_error`: it
    must never look like a submission that scored 0 of 0.
    """
    plugin = RubricPlugin(context)
    arguments = [str(suite), "-p", "no:cacheprovider", "-p", "no:terminal",
                 "-p", "no:logging", "-W", "ignore", "--rootdir", str(suite)]
    autoload = os.environ.get(NO_AUTOLOAD)
    os.environ[NO_AUTOLOAD] = "1"  # installed pytest plugins have no say in grading (and cost start-up time)
    try:
        status = pytest.main(arguments, plugins=[plugin])
    finally:
        if autoload is None:
            del os.environ[NO_AUTOLOAD]
        else:
            os.environ[NO_AUTOLOAD] = autoload
    if status not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED) or not plugin.checks:
        print(f"grader error: the hidden suite {suite} ended with {status!r} after {len(plugin.checks)} "
              "checks", file=sys.stderr)
        plugin._flag("grader_error")
    return plugin
