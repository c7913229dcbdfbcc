"""The grade verb end to end: stubs, determinism, results.json, zips and bad input."""
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.assignment import load
from autograder.pipeline.grade import grade_submission
from autograder.pipeline.results import GradeResult, validate
from tests.conftest import ROOT
from assignments.linear_classifiers.tests.fixtures.forged import FORGED
from assignments.linear_classifiers.tests.fixtures.submissions import NOTEBOOK, REFERENCE, build


@pytest.fixture(scope="module")
def reference_result():
    return grade_submission(ROOT / "solutions" / "linear_classifiers")


def test_stubs_score_zero_with_not_implemented_feedback(release_dir):
    result = grade_submission(release_dir)
    assert result.score == 0 and result.max_score == 100
    for check in result.checks:
        expected = "is not answered yet" if check.function == "questions" else "is not implemented yet"
        assert expected in check.feedback, (check.name, check.feedback)
    assert "grader_error" not in result.flags and "not_attempted" in result.flags


def test_grading_twice_gives_identical_results(reference_result):
    again = grade_submission(ROOT / "solutions" / "linear_classifiers")
    first, second = reference_result.to_gradescope(), again.to_gradescope()
    assert first["tests"] == second["tests"]
    assert first["score"] == second["score"] == 100


def test_cli_prints_report_and_writes_gradescope_results(tmp_path):
    out = tmp_path / "results.json"
    command = [sys.executable, "-m", "autograder", "grade", "solutions/linear_classifiers", "--out", str(out)]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert "Total: 100 / 100" in completed.stdout and "Sandbox: all 7 protections active" in completed.stdout
    results = json.loads(out.read_text())
    validate(results)
    assignment = load("linear_classifiers")
    assert {"score", "max_score", "execution_time", "output", "tests"} <= set(results)
    assert results["score"] == results["max_score"] == 100 and results["extra_data"]["assignment"] == assignment.name
    for test in results["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility", "tags"} <= set(test)
        function, kind = test["tags"]
        assert function in assignment.graded and kind in assignment.kinds
        assert test["status"] == "passed"
    assert {tuple(test["tags"])[0] for test in results["tests"]} == set(assignment.graded)
    ids = [test["extra_data"]["id"] for test in results["tests"]]
    assert len(set(ids)) == len(ids) and "test_losses.py::test_api[svm_loss_naive]" in ids


def unusable_submissions(folder: Path) -> dict:
    """Things handed in that hold nothing to grade, and words their one line of error must contain."""
    (folder / "empty").mkdir()
    (folder / "other").mkdir()
    (folder / "other" / "knn.py").write_text("x = 1\n")
    with zipfile.ZipFile(folder / "other.zip", "w") as bundle:
        bundle.writestr("hw2/k_nearest_neighbor.py", "x = 1\n")
    (folder / "corrupt.zip").write_bytes(b"PK\x03\x04 this is not really a zip")
    (folder / "answers.ipynb").write_text("{}")
    return {"empty": "(found: nothing)", "other": "(found: knn.py)", "other.zip": "(found: hw2/k_nearest_neighbor.py)",
            "corrupt.zip": "is not a readable zip file", "answers.ipynb": "is a file, not a folder or a .zip",
            "nowhere": "does not exist"}


def test_an_unusable_submission_gets_one_line_a_nonzero_exit_and_a_zero(tmp_path):
    for name, words in unusable_submissions(tmp_path).items():
        results = tmp_path / f"{name}.json"
        command = [sys.executable, "-m", "autograder", "grade", str(tmp_path / name), "--out", str(results)]
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert completed.returncode == 4, (name, completed.stdout, completed.stderr)
        assert completed.stderr.count("\n") == 1 and completed.stderr.startswith("error: "), completed.stderr
        assert words in completed.stderr and "linear_svm.py" in completed.stderr, completed.stderr
        result = GradeResult.from_gradescope(json.loads(results.read_text()))
        assert result.score == 0 and "not_attempted" in result.flags, (name, result.flags)


def test_zip_with_junk_and_nested_folders_grades_fully(tmp_path):
    archive = tmp_path / "submission.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for module in ("linear_svm", "softmax", "linear_classifier"):
            source = (REFERENCE / f"{module}.py").read_text()
            bundle.writestr(f"student/assignment1/cs231n/classifiers/{module}.py", source)
            bundle.writestr(f"__MACOSX/student/assignment1/cs231n/classifiers/._{module}.py", "\x00junk")
            bundle.writestr(f"../../escape/{module}.py", "raise SystemExit")
        bundle.writestr("student/.ipynb_checkpoints/linear_svm.py", "raise SystemExit")
        bundle.writestr("student/notes.txt", "hello")
        bundle.writestr(f"student/assignment1/{NOTEBOOK.name}", NOTEBOOK.read_text())
    result = grade_submission(archive)
    assert result.score == 100, [(c.name, c.feedback) for c in result.checks if not c.passed]


def test_a_file_that_is_not_a_zip_scores_zero_with_a_clear_message(tmp_path):
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"PK\x03\x04 this is not really a zip")
    result = grade_submission(archive)
    assert result.score == 0 and "missing_file" in result.flags
    assert all("not a readable zip" in check.feedback for check in result.checks), \
        [check.feedback for check in result.checks]


def test_duplicate_files_are_resolved_and_reported(tmp_path):
    for folder in ("classifiers", "old_attempt"):
        (tmp_path / folder).mkdir()
        for module in ("linear_svm", "softmax", "linear_classifier"):
            (tmp_path / folder / f"{module}.py").write_text((REFERENCE / f"{module}.py").read_text())
    (tmp_path / "old_attempt" / "linear_svm.py").write_text("raise SystemExit")
    (tmp_path / NOTEBOOK.name).write_text(NOTEBOOK.read_text())
    result = grade_submission(tmp_path)
    assert result.score == 100
    assert any("several files are named linear_svm.py" in note for note in result.notes)


def test_cli_writes_results_for_a_deep_notebook_and_escape_codes(tmp_path):
    """An unreadable notebook and a hostile exception message still give a plain report and results.json."""
    fixture = next(f for f in FORGED if f.name == "escape_codes_in_an_exception")
    submission = build(fixture, tmp_path)
    (submission / NOTEBOOK.name).write_text("[" * 100000 + "]" * 100000)
    out = tmp_path / "results.json"
    command = [sys.executable, "-m", "autograder", "grade", str(submission), "--out", str(out)]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert "\x1b" not in completed.stdout and "\u202e" not in completed.stdout
    assert [line for line in completed.stdout.splitlines() if line.startswith("Total:")] == ["Total: 79 / 100"]
    results = json.loads(out.read_text())
    assert results["score"] == 79 and "bad_notebook" in results["extra_data"]["flags"]
    assert not any("\x1b" in test["output"] for test in results["tests"])


def test_a_grader_error_is_exit_code_5_and_a_line_on_stderr(monkeypatch, capsys, solutions_dir):
    from autograder.__main__ import main
    from autograder.pipeline import grade
    from autograder.rubric.plugin import Record
    monkeypatch.setattr(grade, "run_rubric", lambda context: Record(flags=["grader_error"]))
    assert main(["grade", str(solutions_dir)]) == 5
    printed = capsys.readouterr()
    assert printed.err.startswith("error: the grader failed") and "Flags:" in printed.out
