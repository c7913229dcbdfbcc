"""Proving a rubric: submissions that are the reference with one named change each, and what their grading must show.

A change is an `Edit` (replace text that must occur exactly once, so a fixture
breaks loudly when the reference drifts), an `Append` (code added at the end of a
module: a later `def` replaces the reference's function, top-level code runs at
import), a `Prepend` (text put first, e.g. a BOM or a coding declaration), a
`Replace` (the whole file) or a `Remove` (the file is missing); changes are keyed
by graded module, or "notebook". A Fixture lists the checks it must fail, each
as (graded function, rubric test name: the test's name in the check's id,
without its case), so rewording a check's feedback or docstring changes no
fixture; the words the failed checks' feedback must contain; and, where given,
the exact score and a flag its result must carry.
"""
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Tuple

import pytest

from ..assignment import Assignment
from ..pipeline.results import CheckResult, GradeResult
from ..project import ROOT

KIT_ROOT = "__KIT_ROOT__"  # in an Append's code: the kit's folder (for hostile code aiming at its files)


@dataclass(frozen=True)
class Edit:
    old: str
    new: str


@dataclass(frozen=True)
class Append:
    code: str


@dataclass(frozen=True)
class Prepend:
    text: str


@dataclass(frozen=True)
class Replace:
    text: str


@dataclass(frozen=True)
class Remove:
    pass


@dataclass(frozen=True)
class Fixture:
    name: str
    changes: Dict[str, tuple]
    fails: FrozenSet[Tuple[str, str]] = frozenset()
    mistake: Optional[str] = None  # words the failed checks' feedback must contain
    layout: Optional[str] = None    # folder the modules sit in inside the submission (default: the module folder)
    score: Optional[float] = None   # the exact total it must get, when the fixture says
    flag: Optional[str] = None      # a flag its result must carry


def checked_by(check_id: str) -> str:
    """The rubric test a check id names: 'test_values.py::test_api[some_function]' -> 'test_api'."""
    return check_id.split("::")[-1].split("[")[0]


def every_check(*tables: Dict[str, List[str]]) -> FrozenSet[Tuple[str, str]]:
    """(function, test) for every test of every function of the tables ({function: [test, ...]})."""
    return frozenset((function, check) for table in tables for function, checks in table.items()
                     for check in checks)


def changed(fixture: Fixture, name: str, source: str) -> Optional[str]:
    """source with the fixture's changes to name applied; None if the file is removed."""
    for change in fixture.changes.get(name, ()):
        if isinstance(change, Remove):
            return None
        if isinstance(change, Edit):
            assert source.count(change.old) == 1, f"{fixture.name}: {change.old!r} is not unique in {name}"
            source = source.replace(change.old, change.new)
        elif isinstance(change, Prepend):
            source = change.text + source
        elif isinstance(change, Replace):
            source = change.text
        else:
            source += "\n\n" + change.code.replace(KIT_ROOT, str(ROOT))
    return source


def build(fixture: Fixture, directory: Path, assignment: Assignment) -> Path:
    """Write the fixture's submission (the graded modules and the notebook) into directory; return its folder."""
    submission = directory / fixture.name
    target = submission / (assignment.module_folder if fixture.layout is None else fixture.layout)
    target.mkdir(parents=True)
    files = {module: (assignment.reference_dir / f"{module}.py", target / f"{module}.py")
             for module in assignment.modules}
    files["notebook"] = (assignment.source_dir / assignment.notebook, submission / assignment.notebook)
    for name, (original, destination) in files.items():
        source = changed(fixture, name, original.read_text())
        if source is not None:
            destination.write_bytes(source.encode("utf-8"))
    return submission


def sampled(fixtures: List[Fixture], fast: int = 2) -> list:
    """Every fixture as a pytest parameter; all but the first `fast` are marked slow, so that the quick run
    (`-m "not slow"`) grades a sample of each kind and the full run grades them all."""
    return [pytest.param(fixture, id=fixture.name, marks=() if index < fast else pytest.mark.slow)
            for index, fixture in enumerate(fixtures)]


def failed_checks(result: GradeResult) -> List[CheckResult]:
    return [check for check in result.checks if not check.passed]


def _matches(check: CheckResult, expected: Tuple[str, str]) -> bool:
    function, test = expected
    return check.function == function and checked_by(check.id) == test


def assert_fails_exactly(result: GradeResult, fixture: Fixture) -> None:
    """The result fails exactly the fixture's checks, each for nothing with feedback and no traceback, names its
    mistake, and has its score and flag where the fixture gives them; every other check gets full points."""
    failed = failed_checks(result)
    unexpected = [check.name for check in failed if not any(_matches(check, e) for e in fixture.fails)]
    missed = [e for e in fixture.fails if not any(_matches(check, e) for check in failed)]
    assert not unexpected and not missed, (
        f"{fixture.name}: unexpected failures {unexpected}, expected failures that passed {missed}\n"
        + "\n".join(f"{c.name}: {c.feedback}" for c in failed))
    for check in failed:
        assert check.score == 0 and check.feedback and "Traceback" not in check.feedback
    if fixture.mistake:
        assert any(fixture.mistake in check.feedback for check in failed), \
            f"{fixture.name}: no feedback names '{fixture.mistake}': {[c.feedback for c in failed]}"
    assert all(check.score == check.max_score for check in result.checks if check.passed)
    if fixture.score is not None:
        assert result.score == fixture.score, f"{fixture.name}: {result.score}, expected {fixture.score}"
    if fixture.flag is not None:
        assert fixture.flag in result.flags, result.flags
