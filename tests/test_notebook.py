"""The guided notebook: the solution runs headless to a good accuracy, the release stops at the first stub,
the structure follows lecture 3, and the release shows no solution.

Each notebook runs in its own folder (its kernel's working directory), so its `classifiers` package is the
one next to it; nothing here imports from solutions/ or assignment/.
"""
import ast
import json
import re
import textwrap
import time

import nbclient
import nbformat
import pytest

from autograder.verbs import release
from tests.jupyter_env import jupyter_home

NOTEBOOK = "linear_classifiers.ipynb"
TIME_LIMIT_SECONDS = 300
MIN_ACCURACY = 0.90
ACCURACY_NAMES = ["svm_val_accuracy", "svm_test_accuracy", "softmax_val_accuracy", "softmax_test_accuracy"]
# The lecture's order; each numbered "## " heading must contain its words (case-insensitive).
SECTIONS = ["SVM loss", "Regularisation", "Softmax", "Optimisation", "Training"]
# grade_id of each auto-graded answer cell -> the name it defines and a check of the reference answer.
ANSWERS = {
    "answer_svm_init_loss": ("answer_svm_init_loss", lambda f: f(10) == 9 and f(3) == 2),
    "answer_softmax_init_loss": ("answer_softmax_init_loss",
                                 lambda f: abs(f(10) - 2.302585) < 1e-6 and abs(f(3) - 1.098612) < 1e-6),
    "answer_svm_loss_all_classes_init": ("answer_svm_loss_all_classes_init", lambda f: f(10) == 10 and f(3) == 3),
    "answer_svm_loss_range": ("answer_svm_loss_range", lambda r: tuple(r) == (0, float("inf"))),
    "answer_softmax_loss_range": ("answer_softmax_loss_range", lambda r: tuple(r) == (0, float("inf"))),
    "answer_l2_prefers": ("answer_l2_prefers", lambda s: s == "w2"),
}
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def read(path):
    assert path.is_file(), f"{path} is missing: run `python -m autograder release`"
    return nbformat.read(path, as_version=4)


def execute(notebook, folder):
    """Run the notebook in place with folder as the kernel's working directory."""
    client = nbclient.NotebookClient(notebook, timeout=TIME_LIMIT_SECONDS, kernel_name="python3",
                                     resources={"metadata": {"path": str(folder)}})
    client.execute()


def grader(cell):
    return cell.metadata.get("nbgrader", {})


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    """Kernels inherit this process's environment: point CIFAR-10's folder nowhere, so the digits are used, and
    keep Jupyter's files (kernel connection files, IPython's profile and history) in the test's own folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LINCLASS_DATA", str(tmp_path_factory.mktemp("data") / "no-cifar-10"))
        for name, value in jupyter_home(tmp_path_factory.mktemp("home")).items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="module")
def solution(solutions_dir):
    return read(solutions_dir / NOTEBOOK)


@pytest.fixture(scope="module")
def released(release_dir):
    return read(release_dir / NOTEBOOK)


# ------------------------------------------------------------------ execution (a few seconds each)

@pytest.mark.slow
def test_solution_runs_headless_and_both_classifiers_learn(offline, solutions_dir, solution):
    notebook = nbformat.from_dict(solution)
    report = f"import json\nprint(json.dumps({{name: float(globals()[name]) for name in {ACCURACY_NAMES!r}}}))"
    notebook.cells.append(nbformat.v4.new_code_cell(report))
    start = time.perf_counter()
    execute(notebook, solutions_dir)
    seconds = time.perf_counter() - start

    assert seconds < TIME_LIMIT_SECONDS, f"the solution notebook took {seconds:.0f} s"
    setup = next(cell for cell in notebook.cells if cell.cell_type == "code" and "load_dataset(" in cell.source)
    setup_output = "".join(output.get("text", "") for output in setup.outputs)
    assert "digits" in setup_output, f"expected the offline digits dataset, the setup cell printed: {setup_output}"
    accuracies = json.loads(notebook.cells[-1].outputs[-1]["text"])
    low = {name: value for name, value in accuracies.items() if value < MIN_ACCURACY}
    assert not low, f"accuracies below {MIN_ACCURACY} on digits: {low} (all: {accuracies})"


@pytest.mark.slow
def test_release_stops_at_the_first_stub_with_its_message(offline, release_dir, released):
    notebook = nbformat.from_dict(released)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    first_call = next(i for i, cell in enumerate(code_cells) if "svm_loss_naive(" in cell.source)
    assert not any(release.NOTEBOOK_STUB in cell.source for cell in code_cells[:first_call]), \
        "a notebook stub comes before the first call of svm_loss_naive"

    with pytest.raises(nbclient.exceptions.CellExecutionError) as caught:
        execute(notebook, release_dir)

    error = caught.value
    assert error.ename == "NotImplementedError"
    assert error.evalue.startswith("svm_loss_naive: "), f"the stub's message should name its function: {error.evalue}"
    traceback = ANSI_ESCAPE.sub("", str(error))
    assert str(release_dir / "classifiers" / "linear_svm.py") in traceback, \
        "the error should come from the released module next to the notebook"
    failed = [i for i, cell in enumerate(code_cells) if any(out.output_type == "error" for out in cell.outputs)]
    assert failed == [first_call], f"expected only code cell {first_call} to fail, got {failed}"
    assert all(cell.execution_count is not None for cell in code_cells[:first_call + 1]), \
        "every cell before the stub should have run"
    assert all(cell.execution_count is None for cell in code_cells[first_call + 1:]), \
        "execution should stop at the stub"


# ------------------------------------------------------------------ structure

def test_sections_follow_the_lecture_in_order(solution):
    headings = [line[3:] for cell in solution.cells if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("## ")]
    assert len(headings) == len(SECTIONS), f"expected {len(SECTIONS)} sections, got {headings}"
    for number, (heading, words) in enumerate(zip(headings, SECTIONS), start=1):
        assert heading.startswith(f"{number}. ") and words.lower() in heading.lower(), \
            f"section {number} should be about {words!r}: {heading!r}"


FREE_CELLS = {"settings"}  # hyperparameters students may edit: nbgrader neither locks nor tracks them


def test_every_cell_carries_nbgrader_metadata_with_unique_ids(solution):
    ids = []
    for cell in solution.cells:
        if cell.get("id") in FREE_CELLS:
            assert "nbgrader" not in cell.metadata, "an untracked cell with nbgrader metadata makes autograde warn"
            continue
        meta = grader(cell)
        assert meta.get("schema_version") == 3 and meta.get("task") is False, \
            f"cell without nbgrader metadata: {cell.source[:60]!r}"
        assert {"solution", "grade", "locked", "grade_id"} <= set(meta), f"incomplete nbgrader metadata: {meta}"
        if meta["grade"]:
            assert meta.get("points", 0) > 0, f"{meta['grade_id']} is graded but has no points"
        if meta["solution"] and cell.cell_type == "markdown":
            assert meta["grade"], f"{meta['grade_id']}: a written answer must be graded by hand"
        ids.append(meta["grade_id"])
    assert len(ids) == len(set(ids)), "grade_ids must be unique"


def test_answer_cells_define_their_names_on_their_own(solution):
    answer_cells = [cell for cell in solution.cells if grader(cell).get("grade_id", "").startswith("answer_")]
    found = sorted(grader(cell)["grade_id"] for cell in answer_cells)
    assert found == sorted(ANSWERS), f"answer cells: expected {sorted(ANSWERS)}, found {found}"
    for cell in answer_cells:
        grade_id = grader(cell)["grade_id"]
        name, check = ANSWERS[grade_id]
        assert cell.cell_type == "code", f"{grade_id} must be a code cell"
        assert {key: grader(cell)[key] for key in ("solution", "grade", "locked")} == \
            {"solution": True, "grade": False, "locked": False}, f"{grade_id}: wrong nbgrader flags"
        inside, _ = release.split_solution_lines(cell.source, grade_id)
        region = ast.parse(textwrap.dedent("\n".join(inside)))
        defined = {target.id for node in region.body for target in getattr(node, "targets", [])
                   if isinstance(target, ast.Name)}
        defined |= {node.name for node in region.body if isinstance(node, ast.FunctionDef)}
        assert defined == {name}, f"{grade_id}: its solution region should define exactly {name}, defines {defined}"
        namespace = {}
        try:
            exec(compile(cell.source, grade_id, "exec"), namespace)
        except NameError as error:
            pytest.fail(f"{grade_id} must be self-contained, but uses another cell's variable: {error}")
        assert check(namespace[name]), f"{grade_id}: the reference answer is wrong: {namespace[name]!r}"


def test_committed_solution_has_no_outputs(solution):
    with_outputs = [grader(cell)["grade_id"] for cell in solution.cells if cell.cell_type == "code"
                    and (cell.outputs or cell.execution_count is not None)]
    assert not with_outputs, f"clear the outputs of {with_outputs} before committing"


def test_release_shows_no_solution_text(solution, released):
    secret, public = set(), set()
    for cell in solution.cells:
        if cell.cell_type == "markdown" and grader(cell).get("solution"):
            inside, outside = cell.source.splitlines(), []
        else:
            inside, outside = release.split_solution_lines(cell.source, grader(cell).get("grade_id", "cell"))
        secret.update(line.strip() for line in inside)
        public.update(line.strip() for line in outside)
    secret -= public | {""}
    released_lines = {line.strip() for cell in released.cells for line in cell.source.splitlines()}
    leaked = secret & released_lines
    assert not leaked, f"the released notebook shows solution lines: {sorted(leaked)}"
    assert len(released.cells) == len(solution.cells), "the release should keep every cell"
