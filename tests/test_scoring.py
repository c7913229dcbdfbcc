"""The hidden suite's own failures are the grader's, flagged as such, never a silent 0 of 0."""
from pathlib import Path

import pytest

from autograder.scoring import GradingContext, run_hidden_suite

GOOD_CHECK = '''
import pytest

@pytest.mark.rubric(points=1, function="predict", kind="values")
def test_fine(grading):
    """a check that passes"""
'''


def run_suite(folder: Path, **modules) -> list:
    (folder / "conftest.py").write_text('def pytest_configure(config):\n'
                                        '    config.addinivalue_line("markers", "rubric(points, function, kind)")\n')
    for name, source in modules.items():
        (folder / f"{name}.py").write_text(source)
    plugin = run_hidden_suite(GradingContext(student=None, reference=None, sources={}), folder)
    return plugin


def test_a_clean_suite_raises_no_flag(tmp_path):
    plugin = run_suite(tmp_path, test_good=GOOD_CHECK)
    assert [check.score for check in plugin.checks] == [1.0] and not plugin.flags


@pytest.mark.parametrize("broken", [
    "import no_such_module_anywhere\n",
    GOOD_CHECK.replace('kind="values"', 'kind="valeus"'),
    GOOD_CHECK.replace("points=1", "points=0"),
    GOOD_CHECK.replace('function="predict"', 'function="knn_predict"'),
], ids=["import error", "unknown kind", "no points", "unknown function"])
def test_a_broken_suite_flags_grader_error(tmp_path, broken):
    plugin = run_suite(tmp_path, test_good=GOOD_CHECK, test_broken=broken)
    assert "grader_error" in plugin.flags
