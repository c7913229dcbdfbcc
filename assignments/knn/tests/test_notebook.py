"""The notebook: the solution runs headless in seconds on the digits and classifies them well, the release
stops at the first stub, and each answer cell defines its answer on its own."""
import time

import nbclient
import nbformat
import pytest

from autograder.assignment import load
from tests.jupyter_env import jupyter_home

KNN = load("knn")
TIME_LIMIT_SECONDS = 60
MIN_TEST_ACCURACY = 0.95
ANSWERS = {"answer_l1_preprocessing": [1, 2, 3], "answer_knn_statements": [2, 4]}


@pytest.fixture(scope="module")
def jupyter(tmp_path_factory):
    """Kernels inherit this process's environment: keep Jupyter's and IPython's files in the test's folder."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in jupyter_home(tmp_path_factory.mktemp("home")).items():
            patch.setenv(name, value)
        yield


def execute(notebook, folder):
    """Run the notebook in place, folder being the kernel's working directory."""
    nbclient.NotebookClient(notebook, timeout=TIME_LIMIT_SECONDS, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}}).execute()


@pytest.mark.slow
def test_the_solution_runs_headless_in_seconds_and_classifies_well(jupyter):
    notebook = nbformat.read(KNN.source_dir / KNN.notebook, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell("print(float(test_accuracy), int(chosen_k))"))
    start = time.perf_counter()
    execute(notebook, KNN.source_dir)
    seconds = time.perf_counter() - start
    assert seconds < TIME_LIMIT_SECONDS, f"the solution notebook took {seconds:.0f} s"
    accuracy, chosen_k = notebook.cells[-1].outputs[-1]["text"].split()
    assert float(accuracy) >= MIN_TEST_ACCURACY and int(chosen_k) >= 1, (accuracy, chosen_k)


@pytest.mark.slow
def test_the_release_stops_at_the_first_stub(jupyter):
    notebook = nbformat.read(KNN.release_dir / KNN.notebook, as_version=4)
    with pytest.raises(nbclient.exceptions.CellExecutionError) as caught:
        execute(notebook, KNN.release_dir)
    assert caught.value.ename == "NotImplementedError"
    assert caught.value.evalue.startswith("KNearestNeighbor.compute_distances_two_loops: ")


def test_each_answer_cell_defines_its_answer_on_its_own():
    cells = {cell.metadata["nbgrader"]["grade_id"]: cell for cell in
             nbformat.read(KNN.source_dir / KNN.notebook, as_version=4).cells
             if cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith("answer_")}
    assert sorted(cells) == sorted(ANSWERS)
    for name, expected in ANSWERS.items():
        flags = {key: cells[name].metadata["nbgrader"][key] for key in ("solution", "grade", "locked")}
        assert cells[name].cell_type == "code" and flags == {"solution": True, "grade": False, "locked": False}
        namespace = {}
        exec(compile(cells[name].source, name, "exec"), namespace)
        assert sorted(namespace[name]) == expected, f"{name}: the reference answer is {namespace[name]!r}"
