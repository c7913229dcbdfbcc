"""The autograde step that replaces nbgrader's `Execute`: grade in the kit's sandbox, never in a kernel.

nbgrader's `Execute` would run every cell of the student's notebook in a kernel
with the instructor's rights (able to edit gradebook.db, read the hidden tests,
or skip test cells with a `skip-execution` tag). Here nothing of the notebook is
executed: `grade_submission` grades the student's *submitted* folder (untouched
by nbgrader's copying) with the hidden suites, running student code only in the
sandbox, and each graded function's grade cell gets the kit's feedback as its
stdout and the points, a Python float within the cell's points, as its result.
"""
from pathlib import Path
from typing import List, Tuple

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from ..grade import grade_submission
from ..results import GRADED_FUNCTIONS, CheckResult, GradeResult
from .cells import GRADE_ID_PREFIX, NOTEBOOK_ID, function_grade_cell, replace_function_grade_cells


def function_report(checks: List[CheckResult]) -> str:
    """One line per check of a function, and the feedback line under each failed one."""
    lines = []
    for check in checks:
        lines.append(f"{'PASS' if check.passed else 'FAIL'}  {check.score:g}/{check.max_score:g}  {check.name}")
        if not check.passed:
            lines.append(f"      {check.feedback}")
    return "\n".join(lines) + "\n"


def graded_cell(function: str, max_points: float, result: GradeResult) -> NotebookNode:
    """The function's grade cell with the kit's report and its points, clamped to [0, max_points]."""
    cell = function_grade_cell(function, max_points)
    points = min(max(result.points_by_function()[function], 0.0), max_points)
    checks = [check for check in result.checks if check.function == function]
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=function_report(checks)),
                    nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(points))},
                                           execution_count=1)]
    cell.execution_count = 1
    return cell


class GradeInSandbox(NbGraderPreprocessor):
    """Set each graded function's grade cell from the sandboxed hidden suite; execute nothing."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> Tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        if info["notebook"] != NOTEBOOK_ID:
            return nb, resources
        coursedir = CourseDirectory(config=self.config)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]))
        result = grade_submission(submitted)
        self.log.info("%s: %g/%g points from the hidden suite (flags: %s)", info["student"], result.score,
                      result.max_score, ", ".join(result.flags) or "none")
        with Gradebook(info["db_url"]) as gradebook:
            try:
                max_points = {function: gradebook.find_grade_cell(GRADE_ID_PREFIX + function, info["notebook"],
                                                                  info["assignment"]).max_score
                              for function in GRADED_FUNCTIONS}
            except MissingEntry:
                raise ValueError(f"the gradebook has no function grade cells for {info['assignment']}: run "
                                 "`nbgrader generate_assignment` with the kit's nbgrader_config.py") from None
        cells = [graded_cell(function, max_points[function], result) for function in GRADED_FUNCTIONS]
        return replace_function_grade_cells(nb, cells), resources
