"""The kNN grader gives full marks to correct code in any style, and each mistake costs exactly its checks.

Every fixture is graded for real (sandbox and all); see fixtures/. The assertions
are the engine's (autograder/rubric/fixtures.py), which hold for any assignment.
"""
import pytest

from autograder.assignment import load
from autograder.pipeline.grade import grade_submission
from autograder.rubric.fixtures import assert_fails_exactly, failed_checks, sampled
from autograder.sandbox.process import Limits

from .fixtures.buggy import BUGGY
from .fixtures.correct import CORRECT
from .fixtures.forged import FORGED
from .fixtures.submissions import DISTANCE_CHECKS, FOLD_CHECKS, QUESTIONS, VOTE_CHECKS, build, every_check

KNN = load("knn")
TEST_LIMITS = Limits()  # the limits real gradings use


def grade(fixture, tmp_path):
    return grade_submission(build(fixture, tmp_path), KNN, limits=TEST_LIMITS)


@pytest.mark.parametrize("fixture", sampled(CORRECT))
def test_correct_solutions_get_full_marks(fixture, tmp_path):
    result = grade(fixture, tmp_path)
    assert result.max_score == 100
    assert result.score == 100, "\n".join(f"{c.name}: {c.feedback}" for c in failed_checks(result))
    assert not result.flags


@pytest.mark.parametrize("fixture", sampled(BUGGY))
def test_each_classic_mistake_costs_exactly_its_checks(fixture, tmp_path):
    result = grade(fixture, tmp_path)
    assert_fails_exactly(result, fixture)
    assert not result.flags


@pytest.mark.parametrize("fixture", sampled(FORGED))
def test_forgeries_and_constants_get_exactly_their_score(fixture, tmp_path):
    result = grade(fixture, tmp_path)
    assert_fails_exactly(result, fixture)
    assert "grader_error" not in result.flags


def test_every_check_has_a_fixture_that_loses_it_alone():
    """For each check of the rubric, some buggy fixture fails that check and no other."""
    alone = {next(iter(fixture.fails)) for fixture in BUGGY if len(fixture.fails) == 1}
    assert alone == every_check(DISTANCE_CHECKS, VOTE_CHECKS, FOLD_CHECKS, QUESTIONS)
