"""Fixtures of the kNN rubric; `grading`, the grading under way, comes from the engine's plugin.

Each fixture is state several checks share, computed once per grading: the
problems drawn with the secret, whether a distance method really computes from
its rows, and the test rows the speed check times on.
"""
import pytest

from autograder.rubric import credited_once
from autograder.rubric.plugin import *  # noqa: F401,F403 (the engine's hooks and the grading fixture)

from ..distances import dependence_failure, share_speed_rows
from ..problems import ProblemSet


@pytest.fixture(scope="session")
def problems(grading) -> ProblemSet:
    """Every problem the checks pose, drawn with the grading's secret."""
    return ProblemSet(grading.secret)


@pytest.fixture(scope="session")
def computes_distances(grading, problems):
    """computes_distances(function) deducts unless the method's distances are finite and really follow its test
    and training rows (decided once per method): checks that do not compare with the reference need that first."""
    return credited_once(lambda function: dependence_failure(grading, problems, function),
                         "computes distances from its rows", "does not compute distances")


@pytest.fixture(scope="session")
def speed_rows(grading, problems):
    """The speed check's test rows, stored in the student's worker and the reference's."""
    return share_speed_rows(grading, problems)
