"""The grade cells that carry the hidden suite's points into nbgrader: one per graded function.

They live in the gradebook only (recorded at generate_assignment, never released):
at autograde the kit appends them, filled, to each student's notebook, so the
student's notebook has no say in their source, points or output.
"""
from functools import lru_cache
from typing import Dict, List

import nbformat
from nbformat import NotebookNode

from ..results import GRADED_FUNCTIONS
from ..rubric import collect_rubric
from ..submission import NOTEBOOK

GRADE_ID_PREFIX = "grade_"
NOTEBOOK_ID = NOTEBOOK.removesuffix(".ipynb")  # the notebook whose gradebook entry holds the grade cells
FUNCTION_GRADE_IDS = tuple(GRADE_ID_PREFIX + function for function in GRADED_FUNCTIONS)


def grade_id_of(cell: NotebookNode) -> str:
    return str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))


def is_function_grade_cell(cell: NotebookNode) -> bool:
    return grade_id_of(cell) in FUNCTION_GRADE_IDS


@lru_cache(maxsize=1)
def rubric_points() -> Dict[str, float]:
    """Maximum points of each graded function, read from the hidden suite's rubric markers."""
    points = {function: 0.0 for function in GRADED_FUNCTIONS}
    for function, _kind, check_points, _doc in collect_rubric():
        points[function] += float(check_points)
    return points


def function_grade_cell(function: str, points: float) -> NotebookNode:
    """A locked, auto-graded code cell worth `points` for one graded function, without output."""
    cell = nbformat.v4.new_code_cell(
        f"# {function}: graded by the kit's hidden test suite, in its sandbox, on your submitted files.\n"
        "# After autograding, its report is below and the points are the last line.")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": GRADE_ID_PREFIX + function, "locked": True,
                                 "points": float(points), "schema_version": 3, "solution": False,
                                 "task": False}
    cell.id = GRADE_ID_PREFIX + function
    return cell


def replace_function_grade_cells(nb: NotebookNode, new_cells: List[NotebookNode]) -> NotebookNode:
    """nb with every function grade cell removed (whoever wrote it) and new_cells appended."""
    nb.cells = [cell for cell in nb.cells if not is_function_grade_cell(cell)] + list(new_cells)
    return nb
