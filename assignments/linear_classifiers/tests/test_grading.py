"""The grader gives full marks to correct code in any style, and each mistake costs exactly its checks.

Every fixture is graded for real (sandbox and all); see fixtures/.
"""
import json
from pathlib import Path

import pytest

from autograder.assignment import load
from autograder.pipeline.grade import grade_submission
from autograder.pipeline.report import text_report
from autograder.rubric.fixtures import assert_fails_exactly, failed_checks, sampled
from autograder.sandbox.process import Limits

from .fixtures.buggy import BUGGY
from .fixtures.correct import CORRECT
from .fixtures.forged import FORGED
from .fixtures.hostile import EXPECTED_FLAGS, HOSTILE
from .fixtures.submissions import ROOT, build

TEST_LIMITS = Limits()  # the limits real gradings use: hostile fixtures hit them on purpose
ASSIGNMENT = load("linear_classifiers")


def assert_plain_text(text):
    """No escape sequence, control character (but newlines) or bidi override reaches a reader."""
    forbidden = [c for c in text if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) < 0xa0 or 0x202a <= ord(c) <= 0x202e]
    assert not forbidden, f"control characters reached the output: {forbidden[:5]}"


@pytest.mark.parametrize("fixture", sampled(CORRECT))
def test_correct_solutions_get_full_marks(fixture, tmp_path):
    result = grade_submission(build(fixture, tmp_path), ASSIGNMENT, limits=TEST_LIMITS)
    assert result.max_score == 100
    assert result.score == 100, "\n".join(f"{c.name}: {c.feedback}" for c in failed_checks(result))
    assert not result.flags


@pytest.mark.parametrize("fixture", sampled(BUGGY))
def test_each_classic_mistake_costs_exactly_its_checks(fixture, tmp_path):
    result = grade_submission(build(fixture, tmp_path), ASSIGNMENT, limits=TEST_LIMITS)
    assert_fails_exactly(result, fixture)
    assert not result.flags


@pytest.mark.parametrize("fixture", sampled(HOSTILE))
def test_hostile_submissions_are_contained(fixture, tmp_path):
    result = grade_submission(build(fixture, tmp_path), ASSIGNMENT, limits=TEST_LIMITS)
    assert_fails_exactly(result, fixture)
    expected_flag = EXPECTED_FLAGS.get(fixture.name)
    if expected_flag:
        assert expected_flag in result.flags, result.flags
    assert "grader_error" not in result.flags
    assert not (ROOT / "tests" / "PWNED").exists() and not Path("/tmp/linclass-pwned").exists()
    for check in result.checks:
        assert "raise Deduction(" not in check.feedback and "BEGIN SOLUTION" not in check.feedback


@pytest.mark.parametrize("fixture", sampled(FORGED))
def test_forgeries_get_exactly_their_score(fixture, tmp_path):
    result = grade_submission(build(fixture, tmp_path), ASSIGNMENT, limits=TEST_LIMITS)
    assert_fails_exactly(result, fixture)
    assert "grader_error" not in result.flags
    report = text_report(result)
    assert_plain_text(report)
    assert_plain_text(json.dumps(result.to_gradescope(), ensure_ascii=False))
    assert [line for line in report.splitlines() if line.startswith("Total:")] == [f"Total: {result.score:g} / 100"]
