"""nbgrader runs every assignment of the kit: its release, the kit's grade cells, autograde and export.

tests/test_nbgrader.py walks the default assignment through every trap with three
students; here each other assignment, the ones added later included, goes through
generate, release, fetch, submit, collect, autograde and export with one student
who hands in the reference.
"""
import csv

import nbformat
import pytest

from autograder import assignment as assignments
from autograder.nbgrader.cells import grade_cells, grade_id_of
from autograder.pipeline.grade import grade_submission
from autograder.project import listed_files
from tests.test_nbgrader import copy_course, run_nbgrader

EXCHANGE = "--course=linclass"


def hand_in_the_reference(folder, spec) -> None:
    """Fill the fetched release with the reference's modules and the solution notebook's answers."""
    for module in spec.modules:
        target = folder / spec.module_folder / f"{module}.py"
        target.write_bytes((spec.reference_dir / f"{module}.py").read_bytes())
    solved = {grade_id_of(cell): cell.source for cell in nbformat.read(spec.source_dir / spec.notebook, 4).cells}
    notebook = nbformat.read(folder / spec.notebook, 4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = solved[grade_id_of(cell)]
    nbformat.write(notebook, folder / spec.notebook)


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name in assignments.names() if name != assignments.default_name()])
def test_each_assignment_runs_through_nbgrader(name, tmp_path):
    spec = assignments.load(name)
    course = copy_course(tmp_path / "course")
    run_nbgrader("generate_assignment", name, cwd=course)
    tracked, generated = spec.release_dir, course / "assignment" / name
    files = listed_files(tracked, spec.data_files)
    assert listed_files(generated, spec.data_files) == files
    assert all((generated / path).read_bytes() == (tracked / path).read_bytes() for path in files), \
        "nbgrader's release differs from the kit's"
    run_nbgrader("release_assignment", name, cwd=course)
    exchange = [EXCHANGE, f"--Exchange.root={course / 'exchange'}"]
    workspace = tmp_path / "student"
    workspace.mkdir()
    run_nbgrader("fetch_assignment", name, *exchange, cwd=workspace)
    hand_in_the_reference(workspace / name, spec)
    run_nbgrader("submit", name, *exchange, "--student=ann", cwd=workspace)
    run_nbgrader("collect", name, cwd=course)
    run_nbgrader("autograde", name, "--ExecuteInSandbox.cell_timeout=30", cwd=course)
    run_nbgrader("export", "--to=grades.csv", cwd=course)
    with open(course / "grades.csv", newline="") as stream:
        (row,) = [row for row in csv.DictReader(stream) if row["assignment"] == name]
    expected = grade_submission(course / "submitted" / "ann" / name, spec).points_by_function(spec.graded)
    assert {function: float(row[function]) for function in spec.graded} == expected
    assert sum(expected.values()) == 100 == sum(cell.points for cell in grade_cells(name))
    autograded = nbformat.read(course / "autograded" / "ann" / name / spec.notebook, 4)
    assert sorted(grade_id_of(cell) for cell in autograded.cells
                  if grade_id_of(cell).startswith("grade_")) == sorted(cell.grade_id for cell in grade_cells(name))
