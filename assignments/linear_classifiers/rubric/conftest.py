"""Fixtures of the linear-classifier rubric; `grading`, the grading under way, comes from the engine's plugin.

Each fixture is state several checks share, computed once per grading: the
problems drawn with the secret, whether a loss really computes from its data,
the two training runs, and the data the speed checks time on.
"""
from functools import cache

import pytest

from autograder.rubric import Deduction, credited_once
from autograder.rubric.plugin import *  # noqa: F401,F403 (the engine's hooks and the grading fixture)

from ..losses import DEV_SHAPE, SPEED_SHAPE, call_loss, dependence_failure, reference_loss, share_data
from ..problems import ProblemSet
from ..classifier import RUNS, train


@pytest.fixture(scope="session")
def problems(grading) -> ProblemSet:
    """Every problem the loss checks pose, drawn with the grading's secret."""
    return ProblemSet(grading.secret)


@pytest.fixture(scope="session")
def computes_a_loss(grading, problems):
    """computes_a_loss(function) deducts unless the function's loss and dW are finite and really depend on
    X, y and W (decided once per function): checks that do not compare with the reference need that first."""
    def failure(function: str) -> str:
        try:
            return dependence_failure(grading, problems, function)
        except Deduction as error:  # what it returns is unusable (kept, so the other checks do not call it again)
            return error.message.rstrip(".")

    return credited_once(failure, "computes a loss from the data", "does not compute a loss")


@pytest.fixture(scope="session")
def value_outputs(grading, problems):
    """value_outputs(function): [(problem, the student's output, the reference's (loss, dW))] on every value
    problem, called once for the loss and the gradient checks alike."""
    @cache
    def outputs(function: str) -> list:
        return [(problem, call_loss(grading, function, problem), reference_loss(grading, function, problem))
                for problem in problems.value_problems()]
    return outputs


@pytest.fixture(scope="session")
def training_runs(grading):
    """Two successive train calls on one classifier; if they fail, every check that needs them fails alike."""
    return train(grading, RUNS)


@pytest.fixture(scope="session")
def speed_data(grading):
    """The speed checks' X, y, stored in the student's worker and the reference's."""
    return share_data(grading, "speed", [grading.student, grading.reference], SPEED_SHAPE, 7)


@pytest.fixture(scope="session")
def dev_data(grading):
    """dev_data(): CS231n's dev-set shape, stored in the student's worker on first use (for a reported figure)."""
    return cache(lambda: share_data(grading, "dev", [grading.student], DEV_SHAPE, 9))
