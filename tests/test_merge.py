"""merge: shards combine into one grades folder; a student graded differently twice is refused."""
import json

import pytest

from autograder.batch import gradebook
from autograder.verbs import merge
from autograder.__main__ import main
from autograder.pipeline.results import CheckResult, GradeResult
from tests.test_grade_all import real_class, run_cli  # noqa: F401 (real_class is a fixture)

FINGERPRINT = {"submission": "s", "grader": "g"}


def result(score: float, seconds: float = 1.0, flags=(), name: str = "values",
           assignment: str = "linear_classifiers") -> GradeResult:
    check = CheckResult(id="test_losses.py::test_loss_values[svm_loss_naive]", name=f"svm_loss_naive: {name}",
                        function="svm_loss_naive", kind="values", max_score=10.0, score=score, feedback="")
    return GradeResult(assignment, "x", checks=[check], execution_time=seconds, flags=list(flags))


def shard(folder, **students):
    for student, grade in students.items():
        gradebook.save_result(folder, student, grade, FINGERPRINT)
    return folder


def merge_cli(capsys, *shards, out):
    """(exit code, printed output: stdout, then stderr) of `python -m autograder merge`, run in this process."""
    code = main(["merge", *map(str, shards), "--out", str(out)])
    printed = capsys.readouterr()
    return code, printed.out + printed.err


def test_shards_merge_into_one_gradebook_and_report(tmp_path, capsys):
    first = shard(tmp_path / "shard-1", alice=result(10), bob=result(3, flags=["timeout"]))
    second = shard(tmp_path / "shard-2", carol=result(7))
    code, output = merge_cli(capsys, first, second, out=tmp_path / "grades")
    assert code == 0 and "merged 3 students from 2 folders" in output, output
    grades = tmp_path / "grades"
    for source in (first, second):
        for path in source.glob("*/results.json"):
            assert json.loads((grades / path.parent.name / "results.json").read_text()) == json.loads(path.read_text())
    rows = (grades / "gradebook.csv").read_text().splitlines()[1:]
    assert [row.split(",")[0] for row in rows] == ["alice", "bob", "carol"]
    assert rows[1].endswith(",3,10,timeout")
    assert "bob" in (grades / "report.html").read_text()


def test_the_same_grade_in_two_shards_is_accepted(tmp_path):
    first = shard(tmp_path / "a", alice=result(10, seconds=1.0))
    second = shard(tmp_path / "b", alice=result(10, seconds=2.5))
    assert list(merge.merge_shards([first, second])) == ["alice"], "grading time may differ"


def test_a_check_reworded_between_shards_is_still_the_same_grade(tmp_path):
    first = shard(tmp_path / "a", alice=result(10, name="loss matches the reference"))
    second = shard(tmp_path / "b", alice=result(10, name="the loss equals the reference's"))
    assert list(merge.merge_shards([first, second])) == ["alice"], "checks are compared by their id"


def test_results_of_two_assignments_are_not_merged(tmp_path, capsys):
    first = shard(tmp_path / "a", alice=result(10))
    second = shard(tmp_path / "b", bob=result(10, assignment="knn"))
    code, output = merge_cli(capsys, first, second, out=tmp_path / "grades")
    assert code == 2 and "keep one assignment per grades folder" in output and output.count("\n") == 1
    assert not (tmp_path / "grades").exists()


def test_a_student_with_different_results_is_refused_and_nothing_written(tmp_path, capsys):
    first = shard(tmp_path / "a", alice=result(10), bob=result(1))
    second = shard(tmp_path / "b", alice=result(4))
    assert merge_cli(capsys, first, second, out=tmp_path / "grades") == (
        2, f"error: alice has different results in {first} and {second}: "
           "regrade that student, or merge only one of those folders\n")
    assert not (tmp_path / "grades").exists()

    gradebook.save_result(second, "alice", result(10), {"submission": "changed", "grader": "g"})
    assert merge_cli(capsys, first, second, out=tmp_path / "grades")[0] == 2, "another submission is another grade"


def test_missing_or_foreign_folders_get_one_line(tmp_path, capsys):
    code, output = merge_cli(capsys, tmp_path / "nowhere", out=tmp_path / "grades")
    assert code == 2 and output.startswith("error: not a folder:") and output.count("\n") == 1
    (tmp_path / "odd" / "alice").mkdir(parents=True)
    (tmp_path / "odd" / "alice" / "results.json").write_text("{not json")
    code, output = merge_cli(capsys, tmp_path / "odd", out=tmp_path / "grades")
    assert code == 2 and "is not a readable results.json" in output and output.count("\n") == 1


@pytest.mark.slow
def test_sharded_real_grading_merges_to_the_whole_class(real_class, tmp_path, capsys):  # noqa: F811
    shards = [tmp_path / "shard-1", tmp_path / "shard-2"]
    for number, folder in enumerate(shards, start=1):
        done = run_cli("grade-all", real_class, "--shard", f"{number}/2", "--out", folder, "--jobs", "2")
        assert done.returncode == 0, done.stdout + done.stderr
        assert (folder / "gradebook.csv").is_file()
    graded = [sorted(path.parent.name for path in folder.glob("*/results.json")) for folder in shards]
    assert sorted(graded[0] + graded[1]) == ["alice", "bob", "carol"], "each student in exactly one shard"
    assert merge_cli(capsys, *shards, out=tmp_path / "grades")[0] == 0
    rows = (tmp_path / "grades" / "gradebook.csv").read_text().splitlines()[1:]
    assert {row.split(",")[0]: row.split(",")[-3] for row in rows} == {"alice": "100", "bob": "0", "carol": "100"}
