"""The public tests students run: they pass on the reference and fail in one clear line on the stubs."""
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def run_public_tests(folder):
    command = [sys.executable, "-m", "pytest", str(folder), "-q"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def on_solutions(solutions_dir):
    return run_public_tests(solutions_dir)


@pytest.fixture(scope="module")
def on_stubs(release_dir):
    return run_public_tests(release_dir)


def test_public_tests_pass_on_the_reference(on_solutions):
    assert on_solutions.returncode == 0, on_solutions.stdout[-3000:]
    assert "hidden checks" in on_solutions.stdout, "a full pass must say the hidden checks still decide the grade"


def test_public_tests_fail_on_every_stub(on_stubs):
    assert on_stubs.returncode == 1
    summary = re.search(r"(\d+) failed", on_stubs.stdout)
    assert summary and "passed" not in on_stubs.stdout.splitlines()[-1], on_stubs.stdout[-2000:]
    assert "hidden checks" not in on_stubs.stdout


@pytest.mark.parametrize("name", ["svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive",
                                  "softmax_loss_vectorized", "LinearClassifier.train",
                                  "LinearClassifier.predict"])
def test_each_stub_fails_with_one_clear_line(on_stubs, name):
    assert f"{name} is not implemented yet" in on_stubs.stdout
    assert "Traceback" not in on_stubs.stdout and "During handling" not in on_stubs.stdout
