"""The notebook's auto-graded answers: each `answer_*` cell runs alone in the student's sandbox.

A check of an answer is marked with question(name) (1 point by default, under
the rubric's "questions"), so nbgrader shows its point next to the cell, and
reads the answer with notebook_answer: a function is evaluated at each of the
inputs, a string becomes its index among the inputs (-1 if absent), anything
else a float array.
"""
import numpy as np
import pytest

from ..assignment import QUESTIONS
from ..sandbox.process import NotNumeric, StudentError
from .context import Deduction, GradingContext


def question(name: str, points: float = 1, kind: str = "values") -> pytest.MarkDecorator:
    """The marker of a check of the answer cell `name`."""
    return pytest.mark.rubric(points=points, function=QUESTIONS, kind=kind, answer=name)


def notebook_answer(grading: GradingContext, name: str, inputs=()) -> np.ndarray:
    """The student's answer `name` as a float array, or a Deduction saying why there is none."""
    if grading.notebook_problem:
        raise Deduction(f"{name} could not be graded: {grading.notebook_problem}.")
    if name not in grading.answers:
        raise Deduction(f"No answer cell defines {name}: keep the answer cells of the notebook.")
    try:
        value = grading.student.operate("answer", grading.answers[name], name, list(inputs), function=name,
                                        timeout=grading.student.limits.answer_timeout).values[0]
    except StudentError as error:
        if error.kind == "not_implemented":
            raise Deduction(f"{name} is not answered yet.") from None
        raise Deduction(f"Running the cell that answers {name} failed: {error}") from None
    if isinstance(value, NotNumeric):
        raise Deduction(f"{name} has the wrong form ({value!r}); see the question for what to give.")
    return np.asarray(value, dtype=float)
