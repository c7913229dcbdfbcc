"""The autograde step that grades in the kit's sandbox: the hidden suites fill the kit's grade cells.

nbgrader's `Execute` would run every cell of the student's notebook in a kernel
with the instructor's rights (able to edit gradebook.db, read the hidden tests,
or skip test cells with a `skip-execution` tag) and take the grades from what the
notebook printed. Here `grade_submission` grades the student's *submitted*
folder (untouched by nbgrader's copying) with the assignment's rubric, running student
code only in the sandbox, and each kit grade cell (one per auto-graded answer,
one per graded function: see cells.py) gets the kit's feedback as its stdout
and its points, a Python float within the cell's points, as its result. The
notebook's own outputs (ExecuteInSandbox, execute.py) are for display only.
"""
from pathlib import Path
from typing import Dict, List, Tuple

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from ..pipeline.grade import grade_submission
from ..pipeline.results import CheckResult, GradeResult
from .cells import GradeCell, cell_of, grade_cells, kit_assignment, new_grade_cell, replace_grade_cells


def function_report(checks: List[CheckResult]) -> str:
    """One line per check, and the feedback line under each failed one."""
    lines = []
    for check in checks:
        lines.append(f"{'PASS' if check.passed else 'FAIL'}  {check.score:g}/{check.max_score:g}  {check.name}")
        if not check.passed:
            lines.append(f"      {check.feedback}")
    return "\n".join(lines) + "\n"


def graded_cell(spec: GradeCell, max_points: float, result: GradeResult) -> NotebookNode:
    """The grade cell with the kit's report of its checks and their points, clamped to [0, max_points]."""
    cell = new_grade_cell(spec)
    checks = [check for check in result.checks if cell_of(check, result.assignment) == spec.grade_id]
    points = min(max(sum(check.score for check in checks), 0.0), max_points)
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=function_report(checks)),
                    nbformat.v4.new_output("execute_result", data={"text/plain": repr(float(points))},
                                           execution_count=None)]
    return cell  # no execution count: the kit's grading is not one of the notebook's cells


def recorded_points(info: dict) -> Dict[str, float]:
    """Points of each kit grade cell as generate_assignment recorded them in the gradebook."""
    with Gradebook(info["db_url"]) as gradebook:
        try:
            return {spec.grade_id: gradebook.find_grade_cell(spec.grade_id, info["notebook"],
                                                             info["assignment"]).max_score
                    for spec in grade_cells(info["assignment"])}
        except MissingEntry:
            raise ValueError(f"the gradebook lacks the kit's grade cells for {info['assignment']}: run "
                             "`nbgrader generate_assignment --force` with the kit's nbgrader_config.py") from None


class GradeInSandbox(NbGraderPreprocessor):
    """Fill each kit grade cell from the sandboxed rubric; the notebook's outputs count for nothing."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> Tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        assignment = kit_assignment(info["assignment"])
        if assignment is None or info["notebook"] != assignment.notebook_id:
            return nb, resources
        coursedir = CourseDirectory(config=self.config)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]))
        result = grade_submission(submitted, assignment)
        self.log.info("%s: %g/%g points from the rubric (flags: %s)", info["student"], result.score,
                      result.max_score, ", ".join(result.flags) or "none")
        max_points = recorded_points(info)
        cells = {spec.grade_id: graded_cell(spec, max_points[spec.grade_id], result)
                 for spec in grade_cells(assignment.name)}
        return replace_grade_cells(nb, assignment.name, cells), resources
