"""The kit installs with pip, editable or not, and its `linclass` command grades from any folder."""
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

COPIED = ("autograder", "assignments", "solutions", "pyproject.toml", "requirements-grading.txt", "README.md")


@pytest.mark.slow
@pytest.mark.parametrize("editable", [False, True], ids=["pip install .", "pip install -e ."])
def test_the_installed_command_grades_from_any_folder(tmp_path, editable):
    source = tmp_path / "kit"
    source.mkdir()
    for name in COPIED:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copyfile
        copy(ROOT / name, source / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                            if (ROOT / name).is_dir() else {}))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    install = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--no-deps",
               *(["-e"] if editable else []), str(source)]
    done = subprocess.run(install, capture_output=True, text=True, timeout=600)
    if done.returncode and "Could not fetch URL" in done.stdout + done.stderr:
        pytest.skip("pip could not reach PyPI for its build dependencies")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    graded = subprocess.run([str(venv / "bin" / "linclass"), "grade", str(ROOT / "solutions" / "linear_classifiers")],
                            cwd=elsewhere, capture_output=True, text=True, timeout=300)
    assert graded.returncode == 0, graded.stdout[-2000:] + graded.stderr[-2000:]
    assert "Total: 100 / 100" in graded.stdout and "Sandbox: all 7 protections active" in graded.stdout
