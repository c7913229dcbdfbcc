"""The grade cells that carry the hidden suite's points into nbgrader.

One grade cell per auto-graded answer of the notebook (`grade_answer_*`, placed
right after its answer cell, so formgrader shows each answer's point and
feedback next to it) and one per graded function for the rest of its checks
(`grade_<function>`, at the end). They live in the gradebook only (recorded at
generate_assignment, never released): at autograde the kit puts them, filled,
into each student's notebook, so the student's notebook has no say in their
source, points or output.
"""
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Optional, Tuple

import nbformat
import pytest
from nbformat import NotebookNode

from ..results import GRADED_FUNCTIONS, CheckResult
from ..rubric import _Collector
from ..scoring import HIDDEN_SUITE
from ..submission import NOTEBOOK

GRADE_ID_PREFIX = "grade_"
ANSWER_PREFIX = "answer_"
NOTEBOOK_ID = NOTEBOOK.removesuffix(".ipynb")  # the notebook whose gradebook entry holds the grade cells


@dataclass(frozen=True)
class GradeCell:
    """A grade cell of the kit: the checks it sums (by name), and the answer cell it follows, if any."""
    grade_id: str
    function: str
    points: float
    checks: Tuple[str, ...]
    answer: Optional[str] = None


class _RubricWithAnswers(_Collector):
    """The rubric's collector, also noting the answer cells each rubric test reads (names it holds)."""

    def pytest_collection_modifyitems(self, items):
        super().pytest_collection_modifyitems(items)
        self.answers = [{value for value in item.function.__code__.co_consts
                         if isinstance(value, str) and value.startswith(ANSWER_PREFIX)}
                        for item in items if item.get_closest_marker("rubric")]


@lru_cache(maxsize=1)
def grade_cells() -> Tuple[GradeCell, ...]:
    """The kit's grade cells, read from the hidden suite: a check whose test reads exactly one answer
    cell (its name is a constant of the test) is graded in that answer's cell, the rest per function."""
    collector = _RubricWithAnswers()
    pytest.main([str(HIDDEN_SUITE), "--collect-only", "-p", "no:cacheprovider", "-p", "no:terminal",
                 "--rootdir", str(HIDDEN_SUITE)], plugins=[collector])
    if not collector.rows:
        raise RuntimeError(f"no rubric test could be collected from {HIDDEN_SUITE}: run "
                           "`python -m autograder rubric` to see why")
    by_answer: Dict[str, list] = {}
    by_function: Dict[str, list] = {function: [] for function in GRADED_FUNCTIONS}
    for (function, _kind, points, doc), answers in zip(collector.rows, collector.answers):
        name, points = f"{function}: {doc}", float(points)
        if len(answers) == 1:
            by_answer.setdefault(next(iter(answers)), []).append((function, points, name))
        else:
            by_function[function].append((points, name))
    cells = [GradeCell(GRADE_ID_PREFIX + answer, rows[0][0], sum(points for _, points, _ in rows),
                       tuple(name for _, _, name in rows), answer) for answer, rows in sorted(by_answer.items())]
    cells += [GradeCell(GRADE_ID_PREFIX + function, function, sum(points for points, _ in rows),
                        tuple(name for _, name in rows)) for function, rows in by_function.items() if rows]
    return tuple(cells)

def cell_of(check: CheckResult) -> str:
    """The grade id of the cell a check's points go to: the one that lists it, else its function's."""
    for cell in grade_cells():
        if check.name in cell.checks:
            return cell.grade_id
    functions = [cell.grade_id for cell in grade_cells() if cell.function == check.function]
    return GRADE_ID_PREFIX + check.function if GRADE_ID_PREFIX + check.function in functions else functions[0]


def kit_grade_ids() -> Tuple[str, ...]:
    return tuple(cell.grade_id for cell in grade_cells())


def grade_id_of(cell: NotebookNode) -> str:
    return str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))


def is_kit_grade_cell(cell: NotebookNode) -> bool:
    """A grade cell of the kit, or anything that claims its grade id (or any kit-looking one)."""
    grade_id = grade_id_of(cell)
    return grade_id in kit_grade_ids() or grade_id.startswith(GRADE_ID_PREFIX + ANSWER_PREFIX)


def points_by_function() -> Dict[str, float]:
    """Maximum points of each graded function, over all of its grade cells."""
    points = {function: 0.0 for function in GRADED_FUNCTIONS}
    for cell in grade_cells():
        points[cell.function] += cell.points
    return points


def new_grade_cell(spec: GradeCell) -> NotebookNode:
    """A locked, auto-graded code cell worth spec.points, without output."""
    what = f"the answer {spec.answer}" if spec.answer else spec.function
    cell = nbformat.v4.new_code_cell(
        f"# {what}: graded by the kit's hidden test suite, in its sandbox, on your submitted files.\n"
        "# After autograding, its report is below and the points are the last line.")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": spec.grade_id, "locked": True,
                                 "points": float(spec.points), "schema_version": 3, "solution": False,
                                 "task": False}
    cell.id = spec.grade_id
    return cell


def replace_grade_cells(nb: NotebookNode, new_cells: Dict[str, NotebookNode]) -> NotebookNode:
    """nb without any kit grade cell (whoever wrote it), then new_cells (grade id -> cell) put back:
    an answer's right after the cell of that answer (at the end if it was deleted), the others at the end."""
    cells = [cell for cell in nb.cells if not is_kit_grade_cell(cell)]
    answers = {cell.answer: cell.grade_id for cell in grade_cells() if cell.answer and cell.grade_id in new_cells}
    placed, ordered = set(), []
    for cell in cells:
        ordered.append(cell)
        grade_id = answers.get(grade_id_of(cell))
        if grade_id and grade_id not in placed:
            ordered.append(new_cells[grade_id])
            placed.add(grade_id)
    ordered += [new_cells[spec.grade_id] for spec in grade_cells()
                if spec.grade_id in new_cells and spec.grade_id not in placed]
    nb.cells = ordered
    return nb
