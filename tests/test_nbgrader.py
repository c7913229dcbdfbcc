"""nbgrader end to end: a temporary course, three students, nbgrader's own commands in order.

The course is a copy of the kit (autograder/, solutions/, nbgrader_config.py). Students
alice (correct), bob (regularisation missing from svm_loss_naive's loss) and mallory
(hostile: her modules, an answer cell and her notebook attack the gradebook, and her
notebook ends with NOTEBOOK_TRICKS) fetch, edit and submit through a local exchange; the
instructor collects, autogrades (each notebook runs in the sandbox, for its outputs),
generates feedback and exports. Every command runs as a subprocess, as whatever user runs
the tests (root in CI), with Jupyter's folders inside the test's own. The last tests run
notebook cells in the sandbox directly and feed hostile replies to the grader's side.
"""
import base64
import csv
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat import NotebookNode

pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install -r requirements.txt)")

from nbgrader.utils import determine_grade  # noqa: E402

from autograder.pipeline.grade import grade_submission  # noqa: E402
from autograder.nbgrader.autograde import graded_cell  # noqa: E402
from autograder.pipeline.grade import protected_files  # noqa: E402
from autograder.nbgrader.cells import (cell_of, grade_cells, grade_id_of, kit_grade_ids, new_grade_cell,  # noqa: E402
                                       points_by_function, replace_grade_cells)
from autograder.nbgrader.execute import OutputBudget, OutputLimits, box_files, run_notebook  # noqa: E402
from autograder.sandbox.process import Limits  # noqa: E402
from autograder.nbgrader.course import student_files  # noqa: E402
from autograder.nbgrader.generate import RefuseHiddenTests  # noqa: E402
from autograder.pipeline.results import CheckResult, GradeResult  # noqa: E402
from autograder.project import listed_files  # noqa: E402
from tests.conftest import ASSIGNMENT, LINEAR, ROOT  # noqa: E402
from tests.jupyter_env import jupyter_home  # noqa: E402

COURSE_FILES = ("autograder", "assignments", "solutions", "nbgrader_config.py")
STUDENTS = ("alice", "bob", "mallory")
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
REGULARISED_LOSS = "    loss += reg * np.sum(W * W)\n"
# Marker files a hostile payload would create if it ever ran with the instructor's rights.
PAYLOAD = '''
import pathlib, sqlite3
database = sqlite3.connect({gradebook!r})
database.execute("UPDATE grade SET auto_score = 1000, manual_score = 1000")
database.commit()
pathlib.Path({marker!r}).write_text("ran")
'''

# Cells mallory's notebook ends with, in this order (the hang last: the cells after it do not run).
NOTEBOOK_TRICKS = {
    "megabytes": 'print("x" * 5_000_000)',
    "html": "from IPython.display import HTML, Javascript, display\n"
            "display(HTML('<script>document.title = \"pwned\"</script>'))\n"
            "display(Javascript('document.title = \"pwned\"'))",
    "escape codes": 'print("\\x1b]0;pwned\\x07\\x1b[2J cleared")',
    "hidden suite": 'print(open("{hidden}").read())',
    "hang": "while True:\n    pass",
}
CELL_TIMEOUT = 5  # seconds, for the autograde of the course fixture
DOWNLOADED_DATA = Path("datasets") / "cifar-10-batches-py" / "data_batch_1"  # in bob's folder


def run_nbgrader(*args: str, cwd: Path, scripts_on_path: bool = True) -> str:
    """Run `python -m nbgrader ARGS` in cwd; fail the test with nbgrader's output if it fails."""
    scripts = str(Path(sys.executable).parent)
    path = [entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry and entry != scripts]
    env = dict(os.environ, PATH=os.pathsep.join(([scripts] if scripts_on_path else []) + path),
               PYTHONDONTWRITEBYTECODE="1", **jupyter_home(cwd / ".home"))
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


def solution_sources() -> dict:
    """grade_id -> source of each code cell the student writes in (the reference's)."""
    notebook = nbformat.read(ROOT / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    return {grade_id_of(cell): cell.source for cell in notebook.cells
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")}


def answer_sources() -> dict:
    """grade_id -> source of the reference notebook's auto-graded answer cells."""
    return {grade_id: source for grade_id, source in solution_sources().items() if grade_id.startswith("answer_")}


def write_answers(folder: Path, answers: dict, extra_cells=()) -> None:
    """Fill the fetched notebook's answer cells and append extra_cells."""
    path = folder / NOTEBOOK
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        cell.source = answers.get(grade_id_of(cell), cell.source)
    notebook.cells.extend(extra_cells)
    nbformat.write(notebook, path)


def written_points() -> float:
    """Points of the notebook's manually graded answers (nbgrader's max_score counts them, the kit does not)."""
    notebook = nbformat.read(ROOT / "solutions" / ASSIGNMENT / NOTEBOOK, as_version=4)
    return sum(float(cell.metadata["nbgrader"]["points"]) for cell in notebook.cells
               if cell.metadata.get("nbgrader", {}).get("grade"))


def notebook_text(path: Path) -> str:
    """Every cell's source and every text output of a notebook, as one string."""
    cells = nbformat.read(path, as_version=4).cells
    outputs = [output.get("text", "") + output.get("data", {}).get("text/plain", "")
               for cell in cells for output in cell.get("outputs", [])]
    return "\n".join([cell.source for cell in cells] + outputs)


def copy_reference_modules(folder: Path, course: Path) -> None:
    for module in (course / "solutions" / ASSIGNMENT / "classifiers").glob("*.py"):
        (folder / "classifiers" / module.name).write_text(module.read_text())


def work_as_alice(folder: Path, course: Path) -> None:
    copy_reference_modules(folder, course)
    write_answers(folder, solution_sources())


def work_as_bob(folder: Path, course: Path) -> None:
    copy_reference_modules(folder, course)
    module = folder / "classifiers" / "linear_svm.py"
    assert module.read_text().count(REGULARISED_LOSS) == 1, "the reference's regularisation line moved"
    module.write_text(module.read_text().replace(REGULARISED_LOSS, ""))
    write_answers(folder, solution_sources())
    (folder / DOWNLOADED_DATA).parent.mkdir(parents=True)  # as if he had run datasets/get_cifar10.py
    (folder / DOWNLOADED_DATA).write_bytes(bytes(1024))


def work_as_mallory(folder: Path, course: Path) -> None:
    """Reference modules, but everything the issue lists as an attack on the grades."""
    gradebook = str(course / "gradebook.db")
    copy_reference_modules(folder, course)
    module = folder / "classifiers" / "linear_svm.py"
    tamper = PAYLOAD.format(gradebook=gradebook, marker=str(course / "pwned-by-import"))
    module.write_text(module.read_text() + "\ntry:\n" + "".join(f"    {line}\n" for line in tamper.splitlines())
                      + "except Exception:\n    pass\n")
    answers = solution_sources()
    answers["answer_l2_prefers"] = PAYLOAD.format(gradebook=gradebook, marker=str(course / "pwned-by-answer"))
    notebook_cell = nbformat.v4.new_code_cell(PAYLOAD.format(gradebook=gradebook,
                                                             marker=str(course / "pwned-by-notebook")))
    hidden = course / "assignments" / "linear_classifiers" / "rubric" / "test_questions.py"
    tricks = [nbformat.v4.new_code_cell(source.format(hidden=hidden)) for source in NOTEBOOK_TRICKS.values()]
    forged = nbformat.v4.new_code_cell("15.0")  # a grade cell of its own, skipped and pre-filled
    forged.metadata = {"tags": ["skip-execution"],
                       "nbgrader": {"grade": True, "grade_id": "grade_svm_loss_naive", "locked": True,
                                    "points": 1000.0, "schema_version": 3, "solution": False, "task": False}}
    forged.outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "1000.0"}, execution_count=1)]
    write_answers(folder, answers, [notebook_cell, *tricks, forged])


WORK = {"alice": work_as_alice, "bob": work_as_bob, "mallory": work_as_mallory}


def copy_course(folder: Path) -> Path:
    """The kit's course files (COURSE_FILES) copied into folder, caches left out."""
    for name in COURSE_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(source.read_bytes())
    return folder


def release_course(tmp_path_factory) -> Path:
    """A copy of the kit as a course, its assignment generated and released to the course's own exchange."""
    course = copy_course(tmp_path_factory.mktemp("course"))
    # The venv's bin/ is off PATH here: the configuration itself must let nbgrader find `alembic`.
    run_nbgrader("generate_assignment", ASSIGNMENT, cwd=course, scripts_on_path=False)
    run_nbgrader("release_assignment", ASSIGNMENT, cwd=course)
    return course


def build_course(tmp_path_factory, students=STUDENTS, work=None) -> Path:
    """A course run through every nbgrader command, in the walkthrough's order, for these students
    (each working as WORK, or work, says)."""
    course = release_course(tmp_path_factory)
    exchange = ["--course=linclass", f"--Exchange.root={course / 'exchange'}"]
    for student in students:
        workspace = tmp_path_factory.mktemp(student)
        run_nbgrader("fetch_assignment", ASSIGNMENT, *exchange, cwd=workspace)
        {**WORK, **(work or {})}[student](workspace / ASSIGNMENT, course)
        run_nbgrader("submit", ASSIGNMENT, *exchange, f"--student={student}", cwd=workspace)
        assert (workspace / ".home" / "data" / "nbgrader_cache").is_dir(), "nbgrader's cache left the test's folder"
    run_nbgrader("collect", ASSIGNMENT, cwd=course)
    autograde = run_nbgrader("autograde", ASSIGNMENT, f"--ExecuteInSandbox.cell_timeout={CELL_TIMEOUT}", cwd=course)
    assert "SAWarning" not in autograde, autograde  # SQLAlchemy's SAWarnings are silenced in nbgrader_config.py
    run_nbgrader("generate_feedback", ASSIGNMENT, cwd=course)
    run_nbgrader("export", "--to=grades.csv", cwd=course)
    return course


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return build_course(tmp_path_factory)


@pytest.fixture(scope="module")
def kit_grades(course) -> dict:
    """What the kit's own grader gives each student's submitted folder."""
    return {student: grade_submission(course / "submitted" / student / ASSIGNMENT) for student in STUDENTS}


def kit_cell_points(result: GradeResult) -> dict:
    """What the kit's own grading gives each kit grade cell."""
    points = dict.fromkeys(kit_grade_ids(ASSIGNMENT), 0.0)
    for check in result.checks:
        points[cell_of(check, ASSIGNMENT)] = round(points[cell_of(check, ASSIGNMENT)] + check.score, 6)
    return points


def exported_rows(course: Path) -> dict:
    with open(course / "grades.csv", newline="") as stream:
        return {row["student_id"]: row for row in csv.DictReader(stream)}


@pytest.mark.slow
def test_generate_assignment_leaves_the_tracked_release_byte_for_byte(course):
    """The README's `nbgrader generate_assignment --force` writes what `python -m autograder release` wrote:
    git sees no change (the notebook's lock metadata and checksums included)."""
    tracked, generated = ROOT / "assignment" / ASSIGNMENT, course / "assignment" / ASSIGNMENT
    files = listed_files(tracked, LINEAR.data_files)
    assert listed_files(generated, LINEAR.data_files) == files
    for relative in files:
        assert (generated / relative).read_bytes() == (tracked / relative).read_bytes(), relative


@pytest.mark.slow
def test_exported_csv_equals_the_kits_grades(course, kit_grades):
    rows = exported_rows(course)
    assert sorted(rows) == sorted(STUDENTS)
    for student, result in kit_grades.items():
        exported = {function: float(rows[student][function]) for function in LINEAR.graded}
        assert exported == result.points_by_function(LINEAR.graded), student
        assert float(rows[student]["score"]) == result.score  # the written answers await manual grading
        assert float(rows[student]["max_score"]) == result.max_score + written_points()
    assert kit_grades["alice"].score == 100
    lost = {f for f, points in kit_grades["bob"].points_by_function(LINEAR.graded).items()
            if points < kit_grades["alice"].points_by_function(LINEAR.graded)[f]}
    assert lost == {"svm_loss_naive"}


@pytest.mark.slow
def test_hostile_student_changes_no_grade(course, kit_grades):
    for marker in ("pwned-by-import", "pwned-by-answer", "pwned-by-notebook"):
        assert not (course / marker).exists(), f"{marker}: student code ran with the instructor's rights"
    with sqlite3.connect(course / "gradebook.db") as database:
        assert database.execute("SELECT count(*) FROM grade WHERE auto_score > 100 "
                                "OR manual_score IS NOT NULL").fetchone() == (0,)
    autograded = nbformat.read(course / "autograded" / "mallory" / ASSIGNMENT / NOTEBOOK, as_version=4)
    cells = [cell for cell in autograded.cells if grade_id_of(cell) in kit_grade_ids(ASSIGNMENT)]
    assert sorted(grade_id_of(cell) for cell in cells) == sorted(kit_grade_ids(ASSIGNMENT))  # the forged one replaced
    for cell in cells:
        assert "skip-execution" not in cell.metadata.get("tags", [])
        assert determine_grade(cell)[0] == kit_cell_points(kit_grades["mallory"])[grade_id_of(cell)]


@pytest.mark.slow
def test_collect_leaves_a_students_cifar10_download_out(course):
    """bob's datasets/ went to the exchange with his submission (nbgrader submit copies every file), but
    the course's configuration keeps it out of submitted/ and everything after."""
    exchanged = list((course / "exchange" / "linclass" / "inbound").glob(f"bob+{ASSIGNMENT}+*"))
    assert exchanged and (exchanged[0] / DOWNLOADED_DATA).is_file()
    assert (course / "submitted" / "bob" / ASSIGNMENT / "datasets" / "get_cifar10.py").is_file()
    assert not (course / "submitted" / "bob" / ASSIGNMENT / DOWNLOADED_DATA.parent).exists()


@pytest.mark.slow
def test_autograde_keeps_the_students_modules(course):
    """nbgrader #940: the instructor's modules are never copied over a student's."""
    for student in STUDENTS:
        for module in ("linear_svm.py", "softmax.py", "linear_classifier.py"):
            relative = Path(ASSIGNMENT) / "classifiers" / module
            submitted = (course / "submitted" / student / relative).read_bytes()
            assert (course / "autograded" / student / relative).read_bytes() == submitted
            assert (course / "feedback" / student / relative).read_bytes() == submitted
    assert REGULARISED_LOSS not in (course / "autograded" / "bob" / ASSIGNMENT / "classifiers" /
                                    "linear_svm.py").read_text()


@pytest.mark.slow
def test_feedback_shows_the_kits_report_and_no_hidden_test(course, kit_grades):
    """nbgrader #1363: no line of the hidden suite reaches autograded notebooks or feedback."""
    hidden_lines = {line.strip() for path in (course / "assignments" / "linear_classifiers" / "rubric").glob("*.py")
                    for line in path.read_text().splitlines() if len(line.strip()) >= 30}
    for student in STUDENTS:
        feedback = html.unescape((course / "feedback" / student / ASSIGNMENT /
                                  f"{ASSIGNMENT}.html").read_text())
        autograded = notebook_text(course / "autograded" / student / ASSIGNMENT / NOTEBOOK)
        for text in (feedback, autograded):
            assert not [line for line in hidden_lines if line in text], student
        for check in kit_grades[student].checks:  # the problems' values differ between gradings
            assert check.name in feedback
            assert check.passed or without_numbers(check.feedback) in without_numbers(feedback)


def test_partial_credit_is_a_float_within_the_cells_points():
    checks = [CheckResult(id="test_losses.py::test_x", name="svm_loss_naive: x", function="svm_loss_naive",
                          kind="values", max_score=20.0, score=20.0, feedback="Passed.")]
    spec = next(spec for spec in grade_cells(ASSIGNMENT) if spec.grade_id == "grade_svm_loss_naive")
    cell = graded_cell(spec, 15.0, GradeResult(ASSIGNMENT, "s", checks=checks))
    assert determine_grade(cell) == (15.0, 15.0)
    assert cell.outputs[-1].data["text/plain"] == "15.0"


def test_grade_cells_add_up_to_the_rubric_and_student_files_are_never_overwritten():
    assert set(points_by_function(ASSIGNMENT)) == set(LINEAR.graded)
    assert sum(points_by_function(ASSIGNMENT).values()) == 100
    answers = {spec.answer: spec.points for spec in grade_cells(ASSIGNMENT) if spec.answer}
    assert answers == dict.fromkeys(answer_sources(), 1.0)  # one grade cell, one point, per answer cell
    owned = student_files(ROOT / "solutions")[ASSIGNMENT]
    assert {"classifiers/linear_svm.py", "classifiers/softmax.py", "classifiers/linear_classifier.py"} <= set(owned)
    assert not [name for name in owned if name.endswith(".ipynb")]


def test_hidden_tests_in_the_notebook_are_refused():
    """nbgrader #1363 at its source: hidden tests stay in the assignment's rubric, never in the notebook."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(2) == 4\n### END HIDDEN TESTS")])
    with pytest.raises(ValueError, match="the assignment's rubric"):
        RefuseHiddenTests().preprocess(notebook, {"nbgrader": {"notebook": "nb"}})


def without_numbers(text: str) -> str:
    return re.sub(r"\d+(\.\d+)?(e[-+]?\d+)?", "#", text)


def outputs_of(path: Path) -> list:
    return [output for cell in nbformat.read(path, as_version=4).cells for output in cell.get("outputs", [])]


@pytest.mark.slow
def test_the_students_outputs_reach_formgrader_and_the_feedback(course):
    """The notebook ran in the sandbox: alice's text and all 8 of her plots are in autograded/ and feedback/."""
    outputs = outputs_of(course / "autograded" / "alice" / ASSIGNMENT / NOTEBOOK)
    images = [output for output in outputs if "image/png" in output.get("data", {})]
    assert len(images) == 8
    assert any("digits: D = 65 features" in output.get("text", "") for output in outputs)
    feedback = (course / "feedback" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert feedback.count('src="data:image/png;base64,') == 8


@pytest.mark.slow
def test_each_answer_cell_is_followed_by_its_own_grade_cell(course, kit_grades):
    for student in STUDENTS:
        cells = nbformat.read(course / "autograded" / student / ASSIGNMENT / NOTEBOOK, as_version=4).cells
        points = kit_cell_points(kit_grades[student])
        for spec in (spec for spec in grade_cells(ASSIGNMENT) if spec.answer):
            at = [grade_id_of(cell) for cell in cells].index(spec.answer)
            assert grade_id_of(cells[at + 1]) == spec.grade_id
            assert determine_grade(cells[at + 1])[0] == points[spec.grade_id]
    assert kit_cell_points(kit_grades["mallory"])["grade_answer_l2_prefers"] == 0  # her payload is no answer


@pytest.mark.slow
def test_the_feedbacks_table_of_contents_names_each_graded_function_and_answer(course):
    feedback = (course / "feedback" / "bob" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    toc = feedback[feedback.index('<div id="toc">'):feedback.index("</ol>")]
    for spec in grade_cells(ASSIGNMENT):
        label = f"Answer <code>{spec.answer}</code>" if spec.answer else f"Graded function <code>{spec.function}</code>"
        assert label in toc
    assert "Test cell" not in toc


@pytest.mark.slow
def test_a_hostile_notebook_shows_only_plain_text_and_stops_at_its_budget(course):
    """Megabytes are capped, HTML and JavaScript dropped, escape codes stripped, the hidden suite unreadable,
    and the hanging cell is stopped after its time; the grades are checked in test_hostile_student_changes_no_grade."""
    cells = nbformat.read(course / "autograded" / "mallory" / ASSIGNMENT / NOTEBOOK, as_version=4).cells
    by_source = {cell.source: cell for cell in cells if cell.cell_type == "code"}
    hidden = course / "assignments" / "linear_classifiers" / "rubric" / "test_questions.py"
    trick = {name: by_source[source.format(hidden=hidden)] for name, source in NOTEBOOK_TRICKS.items()}
    outputs = [output for cell in cells for output in cell.get("outputs", [])]
    assert {mime for output in outputs for mime in output.get("data", {})} <= {"text/plain", "image/png"}
    assert sum(len(json.dumps(output)) for output in outputs) < 2 * 2**20
    assert len(trick["megabytes"].outputs[0].text) <= 64 * 1024
    assert "\x1b" not in json.dumps(trick["escape codes"].outputs) and "\\u001b" not in json.dumps(outputs)
    assert "cleared" in trick["escape codes"].outputs[0].text
    assert [output.output_type for output in trick["hidden suite"].outputs] == ["error"]
    assert trick["hang"].outputs[0].ename == "SandboxStopped"
    assert "did not finish within 5 s" in trick["hang"].outputs[0].evalue


# The notebook's box, without nbgrader: what comes back from it is the student's and is checked here.

def tiny_png(width: int, height: int) -> bytes:
    """A PNG signature and IHDR header claiming width x height (what the grader checks), nothing more."""
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + width.to_bytes(4, "big") + height.to_bytes(4, "big")


def test_replies_from_the_box_keep_only_capped_plain_text_and_checked_pngs():
    budget = OutputBudget(OutputLimits(cell_characters=100))
    images = [np.frombuffer(tiny_png(640, 480), dtype=np.uint8), np.frombuffer(tiny_png(100000, 10), dtype=np.uint8),
              np.frombuffer(b"GIF89a" + bytes(40), dtype=np.uint8), np.zeros(30, dtype=np.float64)]
    reply = {"outputs": [
        {"type": "stream", "name": "stdout", "text": "\x1b]0;title\x07\x1b[31mred\x1b[0m\nline two\r" + "x" * 500},
        {"type": "display_data", "data": {"text/html": "<script>alert(1)</script>", "text/plain": "<HTML>",
                                          "image/svg+xml": "<svg onload=alert(1)>", "image/png": {"array": 0}}},
        {"type": "display_data", "data": {"image/png": {"array": 1}}},   # a decompression bomb
        {"type": "display_data", "data": {"image/png": {"array": 2}}},   # not a PNG
        {"type": "display_data", "data": {"image/png": {"array": 3}}},   # not bytes
        {"type": "display_data", "data": {"image/png": {"array": 9}}},   # no such array
        {"type": "execute_result", "data": "not a dict"}, "not an output", {"type": "unknown"}]}
    outputs = budget.outputs(reply, images, execution_count=3)
    outputs += budget.outputs({"outputs": [{"type": "error", "ename": "E\x1b[2J", "evalue": "v",
                                            "traceback": ["\x1b[1mline\x1b[0m"] * 100}]}, [], 4)
    assert [output.output_type for output in outputs] == ["stream", "display_data", "error"]
    assert outputs[0].text.startswith("red\nline two ") and len(outputs[0].text) == 100
    assert set(outputs[1].data) == {"text/plain", "image/png"}
    assert base64.b64decode(outputs[1].data["image/png"]) == tiny_png(640, 480)
    assert outputs[2].ename == "E" and len(outputs[2].traceback) == 40 and outputs[2].traceback[0] == "line"
    assert len(budget.dropped) == 2  # the bomb and the GIF, each noted for the log
    assert budget.outputs({"outputs": "not a list"}, [], 1) == []


@pytest.fixture
def notebook_folder(tmp_path) -> Path:
    (tmp_path / "helper.py").write_text("VALUE = 42\n")
    (tmp_path / "big.bin").write_bytes(bytes(3 * 2**20))
    (tmp_path / "secret").symlink_to("/etc/passwd")
    return tmp_path


def test_the_box_gets_the_students_small_files_and_no_link(notebook_folder):
    files, left_out = box_files(notebook_folder, OutputLimits())
    assert files == {"helper.py": b"VALUE = 42\n"} and left_out == ["big.bin"]


def run_cells(folder: Path, *sources: str, cell_timeout: float = 20.0) -> NotebookNode:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    files, _ = box_files(folder, OutputLimits())
    limits = Limits(call_timeout=cell_timeout, total_seconds=60.0, memory_bytes=2 * 2**30)
    run_notebook(notebook, LINEAR, files, limits, protected_files())
    return notebook


def test_cells_run_in_the_box_with_the_students_files_and_a_hang_stops_the_rest(notebook_folder):
    notebook = run_cells(
        notebook_folder, "import helper\nhelper.VALUE", "import matplotlib.pyplot as plt\n%matplotlib inline\n"
        "plt.plot([1, 2])\nplt.show()", "import socket\nsocket.socket()",
        f'open("{ROOT / "assignments" / "linear_classifiers" / "rubric" / "test_questions.py"}")', "while True:\n    pass", "print('after')",
        cell_timeout=3.0)
    value, plot, network, hidden, hang, after = notebook.cells
    assert value.outputs[0].data["text/plain"] == "42" and value.execution_count == 1
    assert base64.b64decode(plot.outputs[0].data["image/png"]).startswith(b"\x89PNG")
    assert network.outputs[0].ename == "PermissionError"
    assert hidden.outputs[0].ename in ("FileNotFoundError", "PermissionError")
    assert hang.outputs[0].ename == "SandboxStopped" and "within 3 s" in hang.outputs[0].evalue
    assert after.outputs == [] and after.execution_count is None


def test_a_cell_that_writes_into_the_boxs_pipes_only_stops_its_own_notebook(notebook_folder):
    notebook = run_cells(notebook_folder, "print('before')", "import os\nfor fd in range(3, 64):\n    try:\n"
                         "        os.write(fd, b'garbage!' * 64)\n    except OSError:\n        pass", "print('after')")
    before, garbage, after = notebook.cells
    assert before.outputs[0].text == "before\n"
    assert garbage.outputs[0].ename == "SandboxStopped" and after.outputs == []


def test_a_deleted_answer_cell_still_gets_its_grade_cell_at_the_end():
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("no answers left")])
    replace_grade_cells(notebook, ASSIGNMENT, {spec.grade_id: new_grade_cell(spec) for spec in grade_cells(ASSIGNMENT)})
    assert [grade_id_of(cell) for cell in notebook.cells[1:]] == list(kit_grade_ids(ASSIGNMENT))


def test_the_configuration_is_plain_data_that_names_importable_steps():
    """formgrader shows its configuration as JSON: no class objects in it, and every name imports."""
    from traitlets.config.loader import PyFileConfigLoader
    from traitlets.utils.importstring import import_item
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    json.dumps(config)
    names = [*config.GenerateAssignment.preprocessors, *config.Autograde.autograde_preprocessors,
             config.GenerateFeedback.exporter_class, config.ExportApp.plugin_class]
    assert all(isinstance(import_item(name), type) for name in names)
    assert "nbgrader.preprocessors.execute.Execute" not in config.Autograde.autograde_preprocessors
