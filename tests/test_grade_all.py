"""grade-all: finds every layout, shards stably, regrades only what changed, confines failures, resumes."""
import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from autograder.__main__ import main
from autograder.assignment import load
from autograder.batch import RosterError, find_submissions, grade_class, gradebook, parse_shard, shard_of
from autograder.pipeline.results import CheckResult, GradeResult
from tests.conftest import ROOT

# What a student hands in, relative to the assignment folder (the grader also reads the notebook's answers).
SUBMITTED_FILES = ("classifiers/linear_svm.py", "classifiers/softmax.py", "classifiers/linear_classifier.py",
                   "linear_classifiers.ipynb")
CORRECT = ROOT / "solutions" / "linear_classifiers"
STUBS = ROOT / "assignment" / "linear_classifiers"
LINEAR = load("linear_classifiers")


def fake_grading(submission: Path, assignment) -> GradeResult:
    """A stand-in grader driven by the submission's `behaviour` file: a score out of 10, or raise / die / hang.

    FAKE_DELAY (seconds) slows it down; FAKE_LOG names a file where each grading appends its student.
    """
    submission = Path(submission)
    if os.environ.get("FAKE_LOG"):
        with open(os.environ["FAKE_LOG"], "a") as log:
            log.write(submission.name + "\n")
    time.sleep(float(os.environ.get("FAKE_DELAY", "0")))
    behaviour = (submission / "behaviour").read_text().strip()
    if behaviour == "raise":
        raise RuntimeError("the grader tripped over this one")
    if behaviour == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    if behaviour == "hang":
        time.sleep(3600)
    check = CheckResult(id="test_fake.py::test_works", name="train: works", function="train", kind="sgd",
                        max_score=10.0, score=float(behaviour), feedback="")
    return GradeResult(assignment.name, str(submission), checks=[check], execution_time=0.01)


def make_class(folder: Path, behaviours: dict) -> dict:
    """A folder-per-student class for fake_grading; returns find_submissions of it."""
    for student, behaviour in behaviours.items():
        (folder / student).mkdir(parents=True)
        (folder / student / "behaviour").write_text(str(behaviour))
    return find_submissions(folder, LINEAR.name)


def stored(grades: Path) -> dict:
    return gradebook.load_grades(grades)


def test_every_layout_is_found_with_the_student_name(tmp_path):
    submitted = tmp_path / "submitted"
    for student in ("alice", "bob"):
        (submitted / student / "linear_classifiers").mkdir(parents=True)
    (submitted / "bob" / "other_assignment").mkdir()
    (submitted / "carol").mkdir()  # submitted nothing of this assignment: graded as a whole (missing files)
    assert find_submissions(submitted, LINEAR.name) == {"alice": submitted / "alice" / "linear_classifiers",
                                           "bob": submitted / "bob" / "linear_classifiers",
                                           "carol": submitted / "carol"}
    assert find_submissions(submitted, "other_assignment")["bob"] == submitted / "bob" / "other_assignment"

    mixed = tmp_path / "mixed"
    (mixed / "dave" / "cs231n" / "classifiers").mkdir(parents=True)
    (mixed / "erin.zip").write_bytes(b"")
    (mixed / "notes.txt").write_text("not a submission")
    (mixed / ".DS_Store").mkdir()
    (mixed / "__MACOSX").mkdir()
    assert find_submissions(mixed, LINEAR.name) == {"dave": mixed / "dave", "erin": mixed / "erin.zip"}


def test_two_submissions_of_one_student_are_refused(tmp_path):
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice.zip").write_bytes(b"")
    with pytest.raises(RosterError, match="alice has two submissions"):
        find_submissions(tmp_path, LINEAR.name)


def test_shards_split_the_class_by_a_hash_of_the_name():
    students = [f"student{index:03d}" for index in range(200)]
    for shards in (1, 2, 3, 7):
        assigned = [shard_of(student, shards) for student in students]
        assert set(assigned) == set(range(1, shards + 1)), "every shard gets students"
    expected = int.from_bytes(hashlib.sha256(b"alice").digest()[:8], "big") % 4 + 1
    assert shard_of("alice", 4) == expected, "the documented rule, the same on every machine"
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "2", "a/b", "1/0"):
        with pytest.raises(Exception, match="K/N"):
            parse_shard(bad)


def test_fingerprints_follow_the_graded_content(tmp_path):
    submission = tmp_path / "alice"
    (submission / "__pycache__").mkdir(parents=True)
    (submission / "linear_svm.py").write_text("x = 1\n")
    before = gradebook.submission_fingerprint(submission, LINEAR)
    (submission / "__pycache__" / "linear_svm.cpython-311.pyc").write_bytes(b"cache")
    assert gradebook.submission_fingerprint(submission, LINEAR) == before, "caches do not count"
    (submission / "linear_svm.py").write_text("x = 2\n")
    edited = gradebook.submission_fingerprint(submission, LINEAR)
    assert edited != before
    (submission / "linear_svm.py").rename(submission / "softmax.py")
    assert gradebook.submission_fingerprint(submission, LINEAR) != edited, "a renamed file counts"
    archive = tmp_path / "bob.zip"
    archive.write_bytes(b"one")
    zipped = gradebook.submission_fingerprint(archive, LINEAR)
    archive.write_bytes(b"two")
    assert gradebook.submission_fingerprint(archive, LINEAR) != zipped

    root = tmp_path / "kit"
    folders = [root / "autograder", root / "assignments/linear_classifiers", root / "solutions/linear_classifiers"]
    for folder in folders:
        (folder / "rubric").mkdir(parents=True)
    (root / "assignments/linear_classifiers/rubric/test_losses.py").write_text("points = 1\n")
    grader = gradebook.grader_fingerprint(LINEAR, folders)
    (root / "assignments/linear_classifiers/rubric/test_losses.py").write_text("points = 2\n")
    assert gradebook.grader_fingerprint(LINEAR, folders) != grader, "a rubric change regrades"
    changed_suite = gradebook.grader_fingerprint(LINEAR, folders)
    (root / "solutions/linear_classifiers/linear_svm.py").write_text("reference\n")
    assert gradebook.grader_fingerprint(LINEAR, folders) != changed_suite, "a reference change regrades"
    (root / "autograder/score.py").write_text("engine\n")
    assert gradebook.grader_fingerprint(LINEAR, folders) != changed_suite, "an engine change regrades"
    assert gradebook.grader_fingerprint(load("linear_classifiers")) == gradebook.grader_fingerprint(LINEAR)


def test_a_rerun_grades_only_what_changed(tmp_path, monkeypatch):
    submissions = make_class(tmp_path / "class", {"alice": 10, "bob": 4, "carol": 0})
    grades = tmp_path / "grades"
    graded = grade_class(submissions, grades, LINEAR, fake_grading, jobs=2, progress=False)
    assert sorted(graded) == ["alice", "bob", "carol"]
    assert {student: result.score for student, result in stored(grades).items()} == \
        {"alice": 10, "bob": 4, "carol": 0}
    assert grade_class(submissions, grades, LINEAR, fake_grading, jobs=2, progress=False) == []

    (tmp_path / "class" / "bob" / "behaviour").write_text("7")
    assert grade_class(submissions, grades, LINEAR, fake_grading, jobs=2, progress=False) == ["bob"]
    assert stored(grades)["bob"].score == 7

    monkeypatch.setattr(gradebook, "grader_fingerprint", lambda assignment: "a new grader")
    graded = grade_class(submissions, grades, LINEAR, fake_grading, jobs=2, progress=False)
    assert sorted(graded) == ["alice", "bob", "carol"]


@pytest.mark.slow
def test_a_failing_grader_or_dying_process_costs_only_that_student(tmp_path):
    behaviours = {"alice": 10, "bob": "raise", "carol": "die", "dave": "hang", "erin": 3}
    submissions = make_class(tmp_path / "class", behaviours)
    grades = tmp_path / "grades"
    start = time.monotonic()
    grade_class(submissions, grades, LINEAR, fake_grading, jobs=2, timeout=2, progress=False)
    assert time.monotonic() - start < 20, "a hung grading is stopped at the timeout"
    results = stored(grades)
    assert results["alice"].score == 10 and results["erin"].score == 3
    assert not results["alice"].flags and not results["erin"].flags
    for student, why in (("bob", "RuntimeError: the grader tripped"), ("carol", "died (exit code -9)"),
                         ("dave", "still running after 2 s")):
        assert results[student].score == 0 and results[student].flags == ["grader_error"], student
        assert why in results[student].notes[0], results[student].notes
    again = grade_class(submissions, grades, LINEAR, fake_grading, jobs=2, timeout=2, progress=False)
    assert sorted(again) == ["bob", "carol", "dave"], "grader errors are retried, good results are kept"


KILLABLE_RUN = """
import sys
from pathlib import Path
from autograder.batch import find_submissions, grade_class
from tests.test_grade_all import LINEAR, fake_grading
grade_class(find_submissions(Path(sys.argv[1]), LINEAR.name), Path(sys.argv[2]), LINEAR, fake_grading, jobs=2,
            progress=False)
"""


def run_in_background(tmp_path, log):
    environment = dict(os.environ, FAKE_DELAY="0.3", FAKE_LOG=str(log))
    return subprocess.Popen([sys.executable, "-c", KILLABLE_RUN, str(tmp_path / "class"), str(tmp_path / "grades")],
                            cwd=ROOT, env=environment, start_new_session=True)


@pytest.mark.slow
def test_a_killed_run_loses_nothing_and_the_next_run_completes_it(tmp_path):
    students = [f"student{index:02d}" for index in range(12)]
    make_class(tmp_path / "class", {student: 5 for student in students})
    grades = tmp_path / "grades"
    first = run_in_background(tmp_path, tmp_path / "first.log")
    try:
        deadline = time.monotonic() + 60
        while len(list(grades.glob("*/results.json"))) < 4:
            assert time.monotonic() < deadline and first.poll() is None, "the first run should still be grading"
            time.sleep(0.05)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    before = {path.parent.name: path.stat() for path in grades.glob("*/results.json")}
    assert 4 <= len(before) < len(students), "killed mid-run"

    second = run_in_background(tmp_path, tmp_path / "second.log")
    assert second.wait(timeout=120) == 0
    results = stored(grades)
    assert sorted(results) == students and all(result.score == 5 for result in results.values())
    regraded = set((tmp_path / "second.log").read_text().split())
    assert regraded == set(students) - set(before), "the rerun grades exactly what the killed run had not saved"
    for student, stat in before.items():
        now = gradebook.results_path(grades, student).stat()
        assert (now.st_ino, now.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns), f"{student} was rewritten"


def write_submission(folder: Path, assignment_dir: Path) -> None:
    for name in SUBMITTED_FILES:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes((assignment_dir / name).read_bytes())


def zip_submission(archive: Path, assignment_dir: Path) -> None:
    with zipfile.ZipFile(archive, "w") as bundle:
        for name in SUBMITTED_FILES:
            bundle.write(assignment_dir / name, name)


@pytest.fixture(scope="module")
def real_class(tmp_path_factory) -> Path:
    """nbgrader's layout with a correct, a stub-only and a zipped correct submission."""
    folder = tmp_path_factory.mktemp("submitted")
    write_submission(folder / "alice" / "linear_classifiers", CORRECT)
    write_submission(folder / "bob" / "linear_classifiers", STUBS)
    zip_submission(folder / "carol.zip", CORRECT)
    return folder


def run_cli(*arguments):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, arguments)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_the_cli_grades_a_class_with_the_real_grader(real_class, tmp_path):
    grades = tmp_path / "grades"
    done = run_cli("grade-all", real_class, "--out", grades, "--jobs", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 submissions: 3 graded now" in done.stdout
    rows = (grades / "gradebook.csv").read_text().splitlines()
    assert rows[0] == "student," + ",".join(LINEAR.graded) + ",total,max,flags"
    totals = {row.split(",")[0]: row.split(",")[-3:] for row in rows[1:]}
    assert totals == {"alice": ["100", "100", ""], "bob": ["0", "100", "not_attempted"], "carol": ["100", "100", ""]}
    assert (grades / "report.html").is_file()
    assert "0 graded now, 3 up to date" in run_cli("grade-all", real_class, "--out", grades).stdout


@pytest.mark.parametrize("arguments, message", [
    (["grade-all", "no-such-folder"], "error: no-such-folder is not a folder"),
    (["grade-all", ".", "--jobs", "0"], "error: --jobs must be at least 1"),
])
def test_cli_mistakes_get_one_line_on_stderr(arguments, message, capsys):
    assert main(arguments) == 2
    output = capsys.readouterr()
    assert output.err.startswith(message) and output.err.count("\n") == 1 and not output.out
