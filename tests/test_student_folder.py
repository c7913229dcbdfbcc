"""A student's own folder, as the student gets it and with nothing but what it says to install.

The release is fetched through nbgrader's exchange (generate, release and fetch, as
in test_nbgrader.py); a fresh venv gets only the folder's `requirements.txt`; there
the public tests run on the stubs and on finished work, the notebook runs in a
kernel of that venv (in the folder, without CIFAR-10, so its data message is read
too), and the CIFAR-10 downloader starts. The finished folder is then copied to
the root of a repository named as GitHub Classroom names them, where the commands
of its own workflow (`.github/workflows/student-tests.yml`) run as written.
Installing the venv from the package index takes a minute or two (pip's cache,
kept where pip keeps it, makes a rerun quicker).
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from autograder.project import listed_files
from tests.conftest import ASSIGNMENT, LINEAR, ROOT
from tests.jupyter_env import jupyter_home

pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install -r requirements.txt)")

from tests.test_nbgrader import (NOTEBOOK, copy_reference_modules, release_course, run_nbgrader,  # noqa: E402
                                 solution_sources, write_answers)
from tests.test_workflows import STUDENT_WORKFLOW, run_commands  # noqa: E402

pytestmark = pytest.mark.slow
PIP_CACHE = os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))  # the account's, not the test's home
KERNEL = "student-venv"
RELEASE = ROOT / "assignment" / ASSIGNMENT


def student_env(home: Path) -> dict:
    """A student's shell: none of this process's Python paths or data folder; Jupyter's files in home."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("PYTHONPATH", "LINCLASS_DATA", "VIRTUAL_ENV", "PYTHONHOME")}
    return dict(env, PIP_CACHE_DIR=PIP_CACHE, PYTHONDONTWRITEBYTECODE="1", **jupyter_home(home))


def run(argv, cwd: Path, home: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(part) for part in argv], cwd=cwd, env=student_env(home), capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture(scope="module")
def fetched(tmp_path_factory) -> Path:
    """The folder `nbgrader fetch_assignment` leaves in a student's workspace."""
    course = release_course(tmp_path_factory)
    workspace = tmp_path_factory.mktemp("student")
    run_nbgrader("fetch_assignment", ASSIGNMENT, "--course=linclass", f"--Exchange.root={course / 'exchange'}",
                 cwd=workspace)
    return workspace / ASSIGNMENT


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("home")


@pytest.fixture(scope="module")
def python(tmp_path_factory, fetched, home) -> Path:
    """The interpreter of a fresh venv holding the folder's requirements.txt and nothing else."""
    folder = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=120)
    python = folder / "bin" / "python"
    installed = run([python, "-m", "pip", "install", "-q", "-r", "requirements.txt"], fetched, home, timeout=900)
    assert installed.returncode == 0, f"pip install -r requirements.txt failed:\n{installed.stdout}\n{installed.stderr}"
    return python


@pytest.fixture(scope="module")
def finished(tmp_path_factory, fetched) -> Path:
    """A copy of the fetched folder with the work done: the reference modules, the notebook's answers."""
    folder = tmp_path_factory.mktemp("alice") / ASSIGNMENT
    shutil.copytree(fetched, folder)
    copy_reference_modules(folder, ROOT)
    write_answers(folder, solution_sources())
    return folder


def test_the_fetched_folder_is_the_release_with_what_a_student_needs(fetched):
    assert listed_files(fetched, LINEAR.data_files) == listed_files(RELEASE, LINEAR.data_files)
    assert all((fetched / path).read_bytes() == (RELEASE / path).read_bytes()
               for path in listed_files(RELEASE, LINEAR.data_files))
    for needed in ("requirements.txt", "datasets/get_cifar10.py", ".github/workflows/student-tests.yml"):
        assert (fetched / needed).is_file(), needed


def test_on_the_stubs_the_public_tests_say_what_to_write(fetched, python, home):
    result = run([python, "-m", "pytest"], fetched, home)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "FAILED tests/test_public.py::" in result.stdout
    assert "svm_loss_naive is not implemented yet (" in result.stdout
    summary = result.stdout.strip().splitlines()[-1]  # e.g. "26 failed, 4 passed in 0.61s": nothing failed to import
    assert "error" not in summary and "ImportError" not in result.stdout, result.stdout


def test_finished_work_passes_the_public_tests(finished, python, home):
    result = run([python, "-m", "pytest"], finished, home)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "The public checks passed." in result.stdout


def test_the_notebook_runs_in_the_venv_and_its_data_message_holds_in_the_folder(finished, python, home,
                                                                                 monkeypatch):
    import nbclient
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    for name, value in jupyter_home(home).items():  # this process writes the kernel's connection file
        monkeypatch.setenv(name, value)
    kernels = home / "kernels"
    (kernels / KERNEL).mkdir(parents=True, exist_ok=True)
    (kernels / KERNEL / "kernel.json").write_text(json.dumps(
        {"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
         "display_name": "the student's venv", "language": "python"}))
    manager = KernelManager(kernel_name=KERNEL, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    notebook = nbformat.read(finished / NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(notebook, km=manager, timeout=300, resources={"metadata": {"path": str(finished)}})
    client.execute(env=student_env(home))

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(cell.execution_count for cell in code)
    assert not [output for cell in code for output in cell.outputs if output.output_type == "error"]
    setup = "".join(output.get("text", "") for output in code[0].outputs)
    message = re.search(r"run `python (\S+)` in (\S+) or set LINCLASS_DATA", setup)
    assert message, f"the setup cell should say how to get CIFAR-10 in this folder: {setup}"
    script, where = message.groups()
    assert Path(where) == finished.resolve() and (Path(where) / script).is_file()


def test_the_downloader_starts_with_only_the_students_requirements(fetched, python, home):
    result = run([python, "datasets/get_cifar10.py", "--help"], fetched, home)
    assert result.returncode == 0 and "--url" in result.stdout, result.stderr


def test_a_classroom_repository_of_the_folder_runs_its_own_workflow(tmp_path, finished, python, home):
    repository = tmp_path / "linear-classifiers-alice"  # the root of the student's repository, named by Classroom
    shutil.copytree(finished, repository)
    workflow = yaml.safe_load((repository / STUDENT_WORKFLOW.relative_to(RELEASE)).read_text())
    (job,) = workflow["jobs"]
    commands = run_commands(workflow, job, {})
    assert [argv[:3] for argv in commands] == [["python", "-m", "pip"], ["python", "-m", "pytest"]]
    for argv in commands:
        result = run([python, *argv[1:]], repository, home, timeout=600)
        assert result.returncode == 0, f"{' '.join(argv)}:\n{result.stdout}\n{result.stderr}"
