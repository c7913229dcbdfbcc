"""What the student gets: the public tests pass on the reference and fail in one clear line per stub on the
release, and the release shows no line of a solution."""
import re
import subprocess
import sys

import nbformat
import pytest

from autograder.assignment import load
from autograder.verbs import release

KNN = load("knn")
STUBS = ["KNearestNeighbor.compute_distances_two_loops", "KNearestNeighbor.compute_distances_one_loop",
         "KNearestNeighbor.compute_distances_no_loops", "KNearestNeighbor.predict_labels", "cross_validate",
         "best_k"]


def run_public_tests(folder):
    return subprocess.run([sys.executable, "-m", "pytest", str(folder), "-q", "-p", "no:cacheprovider"],
                          cwd=folder, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def on_stubs():
    return run_public_tests(KNN.release_dir)


def test_public_tests_pass_on_the_reference():
    passed = run_public_tests(KNN.source_dir)
    assert passed.returncode == 0, passed.stdout[-3000:]
    assert "hidden checks" in passed.stdout, "a full pass must say the hidden checks still decide the grade"


def test_public_tests_fail_on_the_stubs(on_stubs):
    assert on_stubs.returncode == 1 and re.search(r"\d+ failed", on_stubs.stdout), on_stubs.stdout[-2000:]
    assert "passed" not in on_stubs.stdout.splitlines()[-1] and "hidden checks" not in on_stubs.stdout


@pytest.mark.parametrize("name", STUBS)
def test_each_stub_fails_with_one_clear_line(on_stubs, name):
    assert f"{name} is not implemented yet (" in on_stubs.stdout
    assert "Traceback" not in on_stubs.stdout and "During handling" not in on_stubs.stdout


def notebook_lines(path, solution: bool) -> set:
    """Stripped lines of a notebook's cells: inside solution regions and solution cells, or outside them."""
    found = set()
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution"):
            inside, outside = cell.source.splitlines(), []
        else:
            inside, outside = release.split_solution_lines(cell.source, str(path))
        found |= {line.strip() for line in (inside if solution else outside)}
    return found - {""}


def test_the_release_shows_no_solution_line():
    module = KNN.reference_dir / "k_nearest_neighbor.py"
    inside, outside = release.split_solution_lines(module.read_text(), str(module))
    secret = {line.strip() for line in inside} - {line.strip() for line in outside} - {""}
    released = KNN.release_dir / KNN.module_folder / module.name
    assert len(secret) > 10 and not secret & {line.strip() for line in released.read_text().splitlines()}
    notebook = KNN.source_dir / KNN.notebook
    hidden = notebook_lines(notebook, solution=True) - notebook_lines(notebook, solution=False)
    shown = {line.strip() for cell in nbformat.read(KNN.release_dir / KNN.notebook, as_version=4).cells
             for line in cell.source.splitlines()}
    assert len(hidden) > 10 and not hidden & shown, sorted(hidden & shown)
