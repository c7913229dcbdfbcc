"""The student release is generated from solutions/, is up to date, and leaks no solution line."""
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder.project import is_skipped
from autograder.verbs import release
from tests.conftest import LINEAR, ROOT


def solution_lines(path):
    """Stripped, non-blank lines inside solution regions that do not also appear outside them."""
    inside, outside = release.split_solution_lines(path.read_text(), str(path))
    return {line.strip() for line in inside} - {line.strip() for line in outside} - {""}


def test_release_is_in_sync_with_solutions(solutions_dir, release_dir):
    stale = release.stale_files(solutions_dir, release_dir)
    assert not stale, f"assignment/ is out of date for {stale}: run `python -m autograder release`"


def test_release_contains_no_solution_line(solutions_dir, release_dir):
    modules = [p for p in solutions_dir.rglob("*.py") if release.BEGIN_SOLUTION in p.read_text()]
    assert len(modules) >= 3, "expected solution regions in the three graded modules"
    for module in modules:
        released = (release_dir / module.relative_to(solutions_dir)).read_text()
        released_lines = {line.strip() for line in released.splitlines()}
        leaked = solution_lines(module) & released_lines
        assert not leaked, f"{module.name} leaks solution lines into the release: {sorted(leaked)}"


def test_every_stub_names_its_function_and_hint():
    source = '''def f(x):
    y = 1
    ### BEGIN SOLUTION
    # Hint: double it.
    y = 2 * x
    ### END SOLUTION
    return y
'''
    released = release.strip_module(source, "f.py")
    assert "2 * x" not in released
    assert "raise NotImplementedError('f: double it.')" in released
    namespace = {}
    exec(compile(released, "f.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="f: double it"):
        namespace["f"](3)


@pytest.mark.parametrize("source, problem", [
    ("def f():\n    ### BEGIN SOLUTION\n    # Hint: h\n    pass\n", "never closed"),
    ("def f():\n    pass\n    ### END SOLUTION\n", "without a begin"),
    ("def f(:\n    pass\n", "not valid Python"),
    ("def f():\n    ### BEGIN SOLUTION\n    pass\n    ### END SOLUTION\n", "Hint"),
    ("### BEGIN SOLUTION\n# Hint: h\nx = 1\n### END SOLUTION\n", "inside a function"),
])
def test_malformed_regions_are_refused_with_their_line(source, problem):
    with pytest.raises(release.ReleaseError, match=problem):
        release.strip_module(source, "bad.py")


def test_notebook_release_clears_solutions_answers_and_outputs():
    notebook = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("a = 1\n### BEGIN SOLUTION\nb = secret()\n### END SOLUTION\n")
    code.outputs = [nbformat.v4.new_output("stream", text="secret output")]
    code.execution_count = 3
    answer = nbformat.v4.new_markdown_cell("The secret answer.")
    answer.metadata["nbgrader"] = {"solution": True, "grade": True, "points": 1, "grade_id": "q1"}
    notebook.cells = [code, answer]
    released = release.strip_notebook(notebook, "nb.ipynb")
    text = nbformat.writes(released)
    assert "secret" not in text
    assert released.cells[0].source.startswith("a = 1\n# YOUR CODE HERE\nraise NotImplementedError()")
    assert released.cells[0].execution_count is None
    assert released.cells[1].source == release.MARKDOWN_STUB


def test_check_mode_reports_a_stale_release(tmp_path, solutions_dir):
    release.write_release(solutions_dir, tmp_path / "assignment" / "linear_classifiers")
    target = tmp_path / "assignment" / "linear_classifiers" / "classifiers" / "softmax.py"
    target.write_text(target.read_text() + "\n# edited by hand\n")
    command = [sys.executable, "-m", "autograder", "release", "--release", str(tmp_path / "assignment"), "--check"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert "classifiers/softmax.py" in result.stdout


def test_the_released_notebook_carries_nbgraders_locks_and_checksums(release_dir):
    """As `nbgrader generate_assignment` writes it (test_nbgrader.py compares the bytes): a locked cell cannot be
    deleted or edited in Jupyter, a solution cell cannot be deleted, and each has the checksum nbgrader compares."""
    cells = nbformat.read(release_dir / "linear_classifiers.ipynb", as_version=4).cells
    locked = [cell for cell in cells if cell.metadata.get("nbgrader", {}).get("locked")]
    solutions = [cell for cell in cells if cell.metadata.get("nbgrader", {}).get("solution")]
    assert locked and solutions
    assert all(cell.metadata.get("deletable") is False and cell.metadata.get("editable") is False for cell in locked)
    assert all(cell.metadata.get("deletable") is False and "editable" not in cell.metadata for cell in solutions)
    assert all(len(cell.metadata["nbgrader"]["checksum"]) == 32 for cell in locked + solutions)


def test_caches_and_downloaded_data_are_never_released(tmp_path, solutions_dir):
    source = tmp_path / "solutions" / "linear_classifiers"
    shutil.copytree(solutions_dir, source)
    datasets = source / "datasets"
    for junk in ("cifar-10-batches-py/data_batch_1", "cifar-10-python.tar.gz", "cifar-10-python.tar.gz.part",
                 ".cifar-10-extract-x1/cifar-10-batches-py/test_batch", "__pycache__/get_cifar10.cpython-311.pyc"):
        (datasets / junk).parent.mkdir(parents=True, exist_ok=True)
        (datasets / junk).write_bytes(b"data")
    files = {path.as_posix() for path in release.build_release(source, tmp_path / "release", LINEAR.data_files)}
    assert {path for path in files if path.startswith("datasets/")} == \
        {"datasets/.gitignore", "datasets/README.md", "datasets/get_cifar10.py"}


def test_what_git_ignores_in_datasets_is_what_the_release_skips(solutions_dir):
    ignored = [line.strip().rstrip("/") for line in (solutions_dir / "datasets" / ".gitignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    assert ignored and all(is_skipped(Path(name), LINEAR.data_files) for name in ignored)
