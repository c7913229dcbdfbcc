"""The pytest plugin every rubric runs under: markers checked, one result per check, run by the engine or by hand.

A rubric's conftest.py takes its hooks and the `grading` fixture
(`from autograder.rubric.plugin import *`), so they apply to the rubric's folder
only, however pytest was started. The engine (pipeline/score.py) runs the
rubric with a prepared GradingContext;
an instructor runs it directly, `python -m pytest assignments/<name>/rubric
--submission PATH [-k ...] [--pdb]`, and the plugin grades PATH itself and
prints the kit's report at the end. Either way:

- at collection every test must carry one valid `rubric` marker (a graded
  function of its assignment, a kind the assignment declares, points > 0), or
  nothing runs (pytest's usage error);
- each check's outcome becomes a CheckResult whose id is its node id inside the
  rubric folder (`test_file.py::test_name[case]`), stable when its docstring or
  feedback is reworded;
- a Deduction is a lost check; a StudentError is a lost check whose feedback
  names what the student's code did; anything else is the grader's own error,
  which scores 0, flags `grader_error` and shows the student no traceback.
"""
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Set

import pytest

from .. import assignment as assignments
from ..pipeline.results import CheckResult
from ..sandbox.process import StudentError
from .context import Deduction, GradingContext

__all__ = ["pytest_addoption", "pytest_configure", "pytest_collection_modifyitems", "grading",
           "pytest_runtest_makereport", "pytest_terminal_summary"]

CONTEXT = pytest.StashKey[GradingContext]()
ASSIGNMENT = pytest.StashKey[assignments.Assignment]()
RUBRIC_DIR = pytest.StashKey[Path]()  # what check ids are relative to
STARTED = pytest.StashKey[float]()
ERROR_FLAGS = {"import": "import_error", "missing": "missing_file", "timeout": "timeout",
               "crash": "crash", "memory": "memory", "bad_output": "bad_output", "protocol": "bad_output"}


@dataclass
class Record:
    """What one run of a rubric found: a CheckResult per check, flags, and what the grader could not grade."""
    checks: List[CheckResult] = field(default_factory=list)
    flags: List[str] = field(default_factory=list)
    error_kinds: Set[str] = field(default_factory=set)   # what the student's code did when checks failed on it
    collected: int = 0                                   # rubric tests collected
    ungraded: List[str] = field(default_factory=list)    # failures that are no check's verdict (grader errors)

    def flag(self, flag: Optional[str]) -> None:
        if flag and flag not in self.flags:
            self.flags.append(flag)


RECORD = pytest.StashKey[Record]()


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


def check_id(item: pytest.Item) -> str:
    """The check's stable id: its node id relative to the rubric folder."""
    rubric_dir = item.config.stash[RUBRIC_DIR]
    return f"{Path(item.path).resolve().relative_to(rubric_dir).as_posix()}::{item.nodeid.split('::', 1)[1]}"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("rubric", "grading a submission with this rubric")
    try:
        group.addoption("--submission", metavar="PATH", help="the folder or .zip to grade (running a rubric by hand)")
        group.addoption("--strict-sandbox", action="store_true",
                        help="refuse to grade without every sandbox protection")
    except ValueError:  # another assignment's rubric, collected in the same run, added them already
        pass


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rubric(points, function, kind): a graded check and its points")
    config.stash.setdefault(RECORD, Record())
    config.stash[STARTED] = time.monotonic()


def _validate(item: pytest.Item) -> assignments.Assignment:
    """The item's assignment (the engine's, or the package holding the file), once its rubric marker is known
    to be well formed; UsageError otherwise."""
    assignment = item.config.stash.get(ASSIGNMENT, None) or assignments.of_path(Path(item.path))
    markers = list(item.iter_markers("rubric"))
    rubric = markers[0].kwargs if len(markers) == 1 else {}
    points = rubric.get("points")
    problems = [f"{len(markers)} rubric markers (exactly one is needed)"] if len(markers) != 1 else []
    if assignment is None:
        problems.append("the file is in no assignment's package")
    else:
        if rubric.get("function") not in assignment.graded:
            problems.append(f"function {rubric.get('function')!r} is not one of {', '.join(assignment.graded)}")
        if rubric.get("kind") not in assignment.kinds:
            problems.append(f"kind {rubric.get('kind')!r} is not one of {', '.join(assignment.kinds)}")
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not points > 0:
        problems.append(f"points {points!r} is not a positive number")
    if "answer" in rubric and not str(rubric["answer"]).startswith("answer_"):
        problems.append(f"answer {rubric['answer']!r} does not name a notebook answer cell (answer_*)")
    if set(rubric) - {"points", "function", "kind", "answer"}:
        problems.append(f"unknown marker arguments {sorted(set(rubric) - {'points', 'function', 'kind', 'answer'})}")
    if problems:
        raise pytest.UsageError(f"{item.nodeid}: malformed rubric check: {'; '.join(problems)}")
    return assignment


def _in_a_rubric(item: pytest.Item) -> bool:
    """Is the item a test of the rubric being run (the engine's), or of some assignment's rubric?"""
    path = Path(item.path).resolve()
    if RUBRIC_DIR in item.config.stash:
        return path.is_relative_to(item.config.stash[RUBRIC_DIR])
    assignment = assignments.of_path(path)
    return assignment is not None and path.is_relative_to(assignment.rubric_dir)


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: List[pytest.Item]) -> None:
    """Every test of a rubric is one well-formed check of one assignment, or nothing runs."""
    checks = [item for item in items if _in_a_rubric(item)]
    found = {assignment.name: assignment for assignment in map(_validate, checks)}
    grading_one = CONTEXT in config.stash or config.getoption("submission", None)
    if len(found) > 1 and grading_one:
        raise pytest.UsageError(f"one rubric grades a submission: these tests are of {', '.join(sorted(found))}")
    if len(found) == 1:
        config.stash[ASSIGNMENT] = next(iter(found.values()))
        config.stash.setdefault(RUBRIC_DIR, config.stash[ASSIGNMENT].rubric_dir)
    config.stash[RECORD].collected = len(checks)


@pytest.fixture(scope="session")
def grading(request: pytest.FixtureRequest) -> GradingContext:
    """The grading under way: the engine's, or (run by hand) one of --submission, started here."""
    config = request.config
    if CONTEXT in config.stash:
        return config.stash[CONTEXT]
    path = config.getoption("submission", None)  # None where pytest started elsewhere, without the option
    if not path:
        pytest.skip("a rubric grades a submission: run it with --submission PATH")
    from ..pipeline.grade import open_grading
    from ..pipeline.find import find_submission
    found = find_submission(Path(path), config.stash[ASSIGNMENT])
    opened = open_grading(found, strict=config.getoption("strict_sandbox"))
    config.stash[CONTEXT] = opened.__enter__()
    request.addfinalizer(lambda: opened.__exit__(None, None, None))
    return config.stash[CONTEXT]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    record = item.config.stash[RECORD]
    marker = item.get_closest_marker("rubric")
    if marker and (call.when == "call" or (call.when == "setup" and report.failed)):
        record.checks.append(_check(item, marker.kwargs, call.excinfo, record))
    elif report.failed:
        record.ungraded.append(item.nodeid)
    return report


def _check(item: pytest.Item, rubric: dict, excinfo, record: Record) -> CheckResult:
    function = rubric["function"]
    name = f"{function}: {(item.function.__doc__ or item.name).strip().splitlines()[0]}"
    mistake, score = None, 0.0
    if excinfo is None:
        feedback, score = "Passed.", float(rubric["points"])
    elif isinstance(excinfo.value, Deduction):
        feedback, mistake = excinfo.value.message, excinfo.value.mistake
    elif isinstance(excinfo.value, StudentError):
        feedback = describe_student_error(function, excinfo.value)
        record.error_kinds.add(excinfo.value.kind)
        record.flag(flag_for(excinfo.value))
    else:
        feedback = "The grader hit an internal error on this check; your instructor has been told."
        record.flag("grader_error")
        print(f"grader error in {item.nodeid}:\n{''.join(traceback.format_exception(excinfo.value))}",
              file=sys.stderr)
    return CheckResult(id=check_id(item), name=name, function=function,
                       kind=rubric["kind"], max_score=float(rubric["points"]), score=score, feedback=feedback,
                       mistake=mistake)


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    """Run by hand: the kit's report of what the checks found."""
    record = config.stash[RECORD]
    if not config.getoption("submission", None) or not record.checks:
        return
    from ..pipeline.report import text_report
    from ..pipeline.results import GradeResult
    context = config.stash.get(CONTEXT, None)
    result = GradeResult(assignment=config.stash[ASSIGNMENT].name, submission=config.getoption("submission"),
                         checks=record.checks, flags=record.flags, notes=context.notes if context else [],
                         protections=context.student.protections if context else {},
                         execution_time=time.monotonic() - config.stash[STARTED])
    terminalreporter.write_sep("=", "the kit's report")
    terminalreporter.write_line(text_report(result))
