"""The rubric runs as plain pytest: checks validated at collection, stable ids, a broken rubric flagged (not 0 of 0)."""
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.assignment import load
from autograder.pipeline.score import run_rubric
from autograder.rubric.context import GradingContext
from tests.conftest import ROOT

GOOD_CHECK = '''
from autograder.rubric import check

@check(points=1, function="predict", kind="values")
def test_fine(grading):
    """a check that passes"""
'''
CONFTEST = "from autograder.rubric.plugin import *  # noqa\n"


def run_suite(folder: Path, **modules):
    """Run a rubric written into folder as if it were the linear classifiers' (which has `predict`).

    Each run imports its files afresh: pytest keeps test modules in sys.modules by name, as the
    engine wants for its own rubric, and these throw-away rubrics reuse their names."""
    for name in ["conftest", *modules]:
        sys.modules.pop(name, None)
    (folder / "conftest.py").write_text(CONFTEST)
    for name, source in modules.items():
        (folder / f"{name}.py").write_text(source)
    context = GradingContext(load("linear_classifiers"), student=None, reference=None, sources={}, secret=0)
    return run_rubric(context, folder)


def test_a_clean_suite_raises_no_flag_and_names_each_check_by_its_node_id(tmp_path):
    record = run_suite(tmp_path, test_good=GOOD_CHECK)
    assert [(check.id, check.score) for check in record.checks] == [("test_good.py::test_fine", 1.0)]
    assert not record.flags


def test_rewording_a_check_keeps_its_id(tmp_path):
    first = run_suite(tmp_path, test_good=GOOD_CHECK).checks[0]
    second = run_suite(tmp_path, test_good=GOOD_CHECK.replace("a check that passes", "predict is fine")).checks[0]
    assert first.id == second.id and first.name != second.name


@pytest.mark.parametrize("broken", [
    "import no_such_module_anywhere\n",
    GOOD_CHECK.replace('kind="values"', 'kind="valeus"'),
    GOOD_CHECK.replace("points=1", "points=0"),
    GOOD_CHECK.replace('function="predict"', 'function="knn_predict"'),
    GOOD_CHECK.replace('@check(points=1, function="predict", kind="values")\n', ""),
    GOOD_CHECK.replace('"""a check that passes"""', 'raise KeyError("a bug of the grader")'),
    GOOD_CHECK + "\n\ndef test_teardown(grading, request):\n    request.addfinalizer(lambda: 1 / 0)\n"
                 "test_teardown = check(points=1, function='predict', kind='values')(test_teardown)\n",
], ids=["import error", "unknown kind", "no points", "unknown function", "no marker", "grader bug",
        "teardown error"])
def test_a_broken_rubric_flags_grader_error(tmp_path, broken):
    record = run_suite(tmp_path, test_good=GOOD_CHECK, test_broken=broken)
    assert "grader_error" in record.flags


def test_a_rubric_with_no_checks_flags_grader_error(tmp_path):
    assert "grader_error" in run_suite(tmp_path, test_good="x = 1\n").flags


def run_rubric_by_hand(*arguments):
    rubric = load("linear_classifiers").rubric_dir
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", str(rubric), *arguments],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_an_instructor_runs_the_rubric_on_a_submission_with_pytest(tmp_path):
    submission = tmp_path / "student"
    (submission / "classifiers").mkdir(parents=True)
    reference = load("linear_classifiers").reference_dir
    for module in ("linear_svm", "softmax", "linear_classifier"):
        source = (reference / f"{module}.py").read_text()
        if module == "softmax":
            source = source.replace("loss /= num_train", "pass", 1)
        (submission / "classifiers" / f"{module}.py").write_text(source)
    everything = run_rubric_by_hand("--submission", str(ROOT / "solutions" / "linear_classifiers"), "-q")
    assert everything.returncode == 0, everything.stdout[-2000:]
    assert "39 passed" in everything.stdout and "Total: 100 / 100" in everything.stdout
    one = run_rubric_by_hand("--submission", str(submission), "-k", "test_loss_values and softmax_loss_naive", "-q")
    assert one.returncode == 1 and "1 failed, 38 deselected" in one.stdout, one.stdout[-2000:]
    assert "not averaged over the N examples" in one.stdout and "Total: 0 / 4" in one.stdout


def test_without_a_submission_the_rubric_says_what_it_needs(tmp_path):
    completed = run_rubric_by_hand("-q", "-rs")
    assert completed.returncode == 0 and "39 skipped" in completed.stdout
    assert "run it with --submission PATH" in completed.stdout
