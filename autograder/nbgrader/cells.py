"""The grade cells that carry a rubric's points into nbgrader.

One grade cell per auto-graded answer of the notebook (`grade_answer_*`, placed
right after its answer cell, so formgrader shows each answer's point and
feedback next to it) and one per graded function for the rest of its checks
(`grade_<function>`, at the end). They live in the gradebook only (recorded at
generate_assignment, never released): at autograde the kit puts them, filled,
into each student's notebook, so the student's notebook has no say in their
source, points or output. nbgrader's assignment id is the kit's assignment name;
an nbgrader assignment that is no kit assignment gets no kit grade cells.
"""
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Optional, Tuple

import nbformat
from nbformat import NotebookNode

from .. import assignment as assignments
from ..pipeline.results import CheckResult
from ..pipeline.score import collect_rubric

GRADE_ID_PREFIX = "grade_"
ANSWER_PREFIX = "answer_"


@dataclass(frozen=True)
class GradeCell:
    """A grade cell of the kit: the checks it sums (by id), and the answer cell it follows, if any."""
    grade_id: str
    function: str
    points: float
    checks: Tuple[str, ...]
    answer: Optional[str] = None


def kit_assignment(name: str) -> Optional[assignments.Assignment]:
    """The kit's assignment nbgrader calls name, or None."""
    return assignments.load(name) if name in assignments.names() else None


@lru_cache(maxsize=None)
def grade_cells(name: str) -> Tuple[GradeCell, ...]:
    """The grade cells of the kit's assignment `name`, read from its rubric: a check that grades an answer
    cell (its marker says which) is graded in that answer's cell, the rest per function."""
    assignment = kit_assignment(name)
    if assignment is None:
        return ()
    by_answer: Dict[str, list] = {}
    by_function: Dict[str, list] = {function: [] for function in assignment.graded}
    for check in collect_rubric(assignment):
        (by_answer.setdefault(check.answer, []) if check.answer else by_function[check.function]).append(check)
    cells = [GradeCell(GRADE_ID_PREFIX + answer, checks[0].function, sum(check.points for check in checks),
                       tuple(check.id for check in checks), answer) for answer, checks in sorted(by_answer.items())]
    cells += [GradeCell(GRADE_ID_PREFIX + function, function, sum(check.points for check in checks),
                        tuple(check.id for check in checks)) for function, checks in by_function.items() if checks]
    return tuple(cells)


def cell_of(check: CheckResult, name: str) -> str:
    """The grade id of the cell a check's points go to: the one that lists it, else its function's."""
    for cell in grade_cells(name):
        if check.id in cell.checks:
            return cell.grade_id
    functions = [cell.grade_id for cell in grade_cells(name) if cell.function == check.function]
    return GRADE_ID_PREFIX + check.function if GRADE_ID_PREFIX + check.function in functions else functions[0]


def kit_grade_ids(name: str) -> Tuple[str, ...]:
    return tuple(cell.grade_id for cell in grade_cells(name))


def grade_id_of(cell: NotebookNode) -> str:
    return str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))


def is_kit_grade_cell(cell: NotebookNode, name: str) -> bool:
    """A grade cell of the kit, or anything that claims its grade id (or any kit-looking one)."""
    grade_id = grade_id_of(cell)
    return grade_id in kit_grade_ids(name) or grade_id.startswith(GRADE_ID_PREFIX + ANSWER_PREFIX)


def points_by_function(name: str) -> Dict[str, float]:
    """Maximum points of each graded function, over all of its grade cells."""
    points: Dict[str, float] = {}
    for cell in grade_cells(name):
        points[cell.function] = points.get(cell.function, 0.0) + cell.points
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


def replace_grade_cells(nb: NotebookNode, name: str, new_cells: Dict[str, NotebookNode]) -> NotebookNode:
    """nb without any kit grade cell (whoever wrote it), then new_cells (grade id -> cell) put back:
    an answer's right after the cell of that answer (at the end if it was deleted), the others at the end."""
    cells = [cell for cell in nb.cells if not is_kit_grade_cell(cell, name)]
    answers = {cell.answer: cell.grade_id for cell in grade_cells(name) if cell.answer and cell.grade_id in new_cells}
    placed, ordered = set(), []
    for cell in cells:
        ordered.append(cell)
        grade_id = answers.get(grade_id_of(cell))
        if grade_id and grade_id not in placed:
            ordered.append(new_cells[grade_id])
            placed.add(grade_id)
    ordered += [new_cells[spec.grade_id] for spec in grade_cells(name)
                if spec.grade_id in new_cells and spec.grade_id not in placed]
    nb.cells = ordered
    return nb
