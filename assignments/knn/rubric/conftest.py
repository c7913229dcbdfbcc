"""Fixtures of the kNN rubric; `grading`, the grading under way, comes from the engine's plugin.

Each fixture is state several checks share, computed once per grading: the
problems drawn with the secret, whether a distance method really computes from
its rows, and the test rows the speed check times on.
"""
from functools import cache

import pytest

from autograder.rubric import Deduction
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
    @cache
    def failure(function: str) -> str:
        return dependence_failure(grading, problems, function)

    def require(function: str) -> None:
        if failure(function):
            raise Deduction(f"This is credited once {function} computes distances from its rows: "
                            f"{failure(function)}.", "does not compute distances")
    return require


@pytest.fixture(scope="session")
def speed_rows(grading, problems):
    """The speed check's test rows, stored in the student's worker and the reference's."""
    return share_speed_rows(grading, problems)
