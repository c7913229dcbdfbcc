"""What an assignment's rubric is written with: a pytest suite whose tests are graded checks.

A check is a test marked `@check(points, function, kind)` (or parametrised with
`case(...)`, or `@question(name)` for a notebook answer cell, read with
notebook_answer); it uses the `grading` fixture (a GradingContext) and fails with a
Deduction that says, for the student, what is wrong. A StudentError escaping a
check (the student's code raised, hung or crashed) becomes feedback naming what
happened. The plugin (plugin.py) validates every marker at collection, records
one result per check, and lets an instructor run a rubric directly:
`python -m pytest assignments/<name>/rubric --submission PATH`.
"""
from functools import cache
from typing import Callable

import numpy as np
import pytest

from ..sandbox.process import NotNumeric, Stored, StudentError
from .answers import notebook_answer, question
from .context import Deduction, GradingContext

__all__ = ["Deduction", "GradingContext", "NotNumeric", "Stored", "StudentError", "case", "check", "close",
           "credited_once", "notebook_answer", "question"]

RTOL = 1e-4  # float32 solutions stay well inside; every catalogued mistake of the kit's rubrics lands far outside


def check(points: float, function: str, kind: str, answer: str = "") -> pytest.MarkDecorator:
    """The marker of a graded check: its points, the graded function (or "questions") and its kind;
    answer: the notebook answer cell (answer_*) it grades, if it grades one."""
    return pytest.mark.rubric(points=points, function=function, kind=kind, **({"answer": answer} if answer else {}))


def case(function: str, points: float, kind: str):
    """One function's case of a check parametrised over the graded functions."""
    return pytest.param(function, id=function, marks=check(points, function, kind))


def close(student, reference, rtol: float = RTOL) -> bool:
    """Equal up to rtol of the reference's scale (per array, so tiny entries do not dominate); finite only."""
    student, reference = np.asarray(student, dtype=float), np.asarray(reference, dtype=float)
    if student.shape != reference.shape or not np.all(np.isfinite(student)):
        return False
    scale = max(1.0, float(np.max(np.abs(reference)))) if reference.size else 1.0
    return bool(np.all(np.abs(student - reference) <= rtol * scale))


def credited_once(why_not: Callable[[str], str], condition: str, mistake: str) -> Callable[[str], None]:
    """require(function), for checks that credit a function only once it meets condition ("computes a loss
    from the data"): a Deduction saying why_not(function) unless that is ''; why_not is asked once per function."""
    reason = cache(why_not)

    def require(function: str) -> None:
        if reason(function):
            raise Deduction(f"This is credited once {function} {condition}: {reason(function)}.", mistake)
    return require
