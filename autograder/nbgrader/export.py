"""`nbgrader export`: one row per student and assignment, one column per graded function.

nbgrader's own CSV has only totals; this one also has the points of each graded
function (the kit's grade cells, each answer's counted under `questions`), the
manually graded answers as `written`, and nbgrader's late penalty, so it reads
like the kit's own gradebook.csv. With several assignments, the columns are
every assignment's graded functions, in the course's order; a row leaves the
columns of other assignments empty.
"""
import csv
from typing import Dict, List

from nbgrader.api import Assignment, Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

from .cells import grade_cells, kit_assignment

TOTALS = ("written", "raw_score", "late_penalty", "score", "max_score")


def columns(assignments: List[Assignment]) -> List[str]:
    functions = [function for assignment in assignments if kit_assignment(assignment.name)
                 for function in kit_assignment(assignment.name).graded]
    return ["assignment", "student_id", *dict.fromkeys(functions), *TOTALS]


def submission_row(gradebook: Gradebook, assignment: Assignment, student: str) -> Dict[str, object]:
    """The export row of one submission; every grade is 0 when the student submitted nothing."""
    kit = kit_assignment(assignment.name)
    row = dict.fromkeys([*(kit.graded if kit else ()), *TOTALS], 0.0)
    row.update(assignment=assignment.name, student_id=student, max_score=assignment.max_score)
    try:
        submission = gradebook.find_submission(assignment.name, student)
    except MissingEntry:
        return row
    function_of = {cell.grade_id: cell.function for cell in grade_cells(assignment.name)}
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            column = function_of.get(grade.name, "written")
            row[column] = round(row[column] + grade.score, 6)
    penalty = submission.late_submission_penalty or 0.0
    row.update(raw_score=submission.score, late_penalty=penalty, score=round(submission.score - penalty, 6))
    return row


class FunctionGradesCsvExport(ExportPlugin):
    """CSV export with the points of each graded function (written to `--to`, default grades.csv)."""

    def export(self, gradebook: Gradebook) -> None:
        destination = self.to or "grades.csv"
        wanted_assignments = {str(name) for name in self.assignment}
        wanted_students = {str(name) for name in self.student}
        assignments = [assignment for assignment in gradebook.assignments
                       if not wanted_assignments or assignment.name in wanted_assignments]
        students = [student.id for student in gradebook.students
                    if not wanted_students or student.id in wanted_students]
        self.log.info("Exporting grades per graded function to %s", destination)
        with open(destination, "w", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=columns(assignments))
            writer.writeheader()
            for assignment in assignments:
                for student in students:
                    writer.writerow(submission_row(gradebook, assignment, student))
