"""The Gradescope zip holds what the grader needs and grades a submission laid out as Gradescope does.

setup.sh itself is not run here: it needs root for apt-get and downloads the
requirements from PyPI. The test builds the virtual environment setup.sh would
build from the packages already installed (a .pth file pointing at them).
"""
import json
import site
import stat
import subprocess
import sys
import zipfile

import pytest

from autograder.verbs.gradescope import build_zip
from autograder.pipeline.results import GradeResult
from tests.conftest import LINEAR
from tests.test_grade_all import CORRECT, STUBS, write_submission


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("zip") / "autograder.zip"
    build_zip(path, LINEAR)
    return path


def test_the_zip_holds_the_scripts_grader_hidden_suite_and_reference(archive):
    with zipfile.ZipFile(archive) as bundle:
        names = set(bundle.namelist())
        modes = {info.filename: info.external_attr >> 16 for info in bundle.infolist()}
    for needed in ("setup.sh", "run_autograder", "requirements-grading.txt", "autograder/__main__.py",
                   "autograder/pipeline/grade.py", "autograder/sandbox/worker.py", "assignments/__init__.py",
                   "assignments/linear_classifiers/__init__.py", "assignments/linear_classifiers/harness.py",
                   "assignments/linear_classifiers/rubric/test_losses.py",
                   "solutions/linear_classifiers/classifiers/linear_svm.py"):
        assert needed in names, needed
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]
    assert not [name for name in names if name.startswith(("assignment/", "tests/", "grades/"))]
    assert not [name for name in names if name.startswith("assignments/linear_classifiers/tests/")]
    others = [name for name in names if name.startswith(("assignments/", "solutions/"))
              and not name.startswith(("assignments/linear_classifiers/", "solutions/linear_classifiers/"))]
    assert others == ["assignments/__init__.py"], "only this assignment's rubric and reference"
    for script in ("setup.sh", "run_autograder"):
        assert stat.S_IMODE(modes[script]) == 0o755, f"{script} must be executable"


def test_the_same_sources_give_the_same_zip(archive, tmp_path):
    assert build_zip(tmp_path / "again.zip", LINEAR) and (tmp_path / "again.zip").read_bytes() == archive.read_bytes()


def test_the_scripts_are_valid_bash(archive, tmp_path):
    with zipfile.ZipFile(archive) as bundle:
        bundle.extract("setup.sh", tmp_path)
        bundle.extract("run_autograder", tmp_path)
    for script in ("setup.sh", "run_autograder"):
        done = subprocess.run(["bash", "-n", str(tmp_path / script)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert 'pip install -r "$ROOT/source/requirements-grading.txt"' in (tmp_path / "setup.sh").read_text()


def test_a_strict_zip_runs_the_grader_strictly(tmp_path):
    build_zip(tmp_path / "strict.zip", LINEAR, strict=True)
    with zipfile.ZipFile(tmp_path / "strict.zip") as bundle:
        runner = bundle.read("run_autograder").decode()
    build_zip(tmp_path / "plain.zip", LINEAR)
    with zipfile.ZipFile(tmp_path / "plain.zip") as bundle:
        plain = bundle.read("run_autograder").decode()
    assert runner.rstrip().endswith("--strict") and "--strict" not in plain
    assert 'chmod -R go-rwx "$ROOT/source/assignments" "$ROOT/source/solutions"' in runner
    assert "grade --assignment linear_classifiers" in runner


def make_venv_like_setup_sh(venv):
    """A venv at the place setup.sh makes one, seeing this interpreter's installed packages."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (purelib,) = venv.glob("lib/python*/site-packages")
    (purelib / "kit-requirements.pth").write_text("\n".join(site.getsitepackages()) + "\n")


@pytest.mark.parametrize("assignment_dir, expected", [(CORRECT, 100.0), (STUBS, 0.0)], ids=["correct", "stubs"])
def test_run_autograder_grades_a_submission_in_gradescope_layout(archive, tmp_path, assignment_dir, expected):
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(root / "source")
    write_submission(root / "submission", assignment_dir)
    make_venv_like_setup_sh(root / "venv")
    done = subprocess.run(["bash", str(root / "source" / "run_autograder")], capture_output=True, text=True,
                          env={"AUTOGRADER_ROOT": str(root), "PATH": "/usr/bin:/bin"}, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    assert {"score", "max_score", "tests", "execution_time"} <= set(data)
    assert all({"name", "score", "max_score", "status", "output"} <= set(test) for test in data["tests"])
    result = GradeResult.from_gradescope(data)
    assert (result.score, result.max_score) == (expected, 100.0)
