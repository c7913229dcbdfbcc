"""The engine knows no assignment: it names none of them, and every verb works for each.

Each assignment is a package of data (assignments/<name>/); these tests hold for
every package there, so an assignment added later is covered without a line here.
"""
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import assignment as assignments
from autograder.project import listed_files
from tests.conftest import ROOT

ENGINE = ROOT / "autograder"
NAMES = assignments.names()
# Plain English words some graded functions are named after; the engine may use the words.
ENGLISH = {"train", "predict", "loss", "questions"}


def identifiers(spec: assignments.Assignment) -> set:
    """The names that belong to one assignment: its own, its modules', functions', classes', package's, data's."""
    found = {spec.name, spec.notebook_id, *spec.modules, *spec.functions, *spec.package.split(".")}
    found |= {part for location in spec.functions.values() for part in location.split(".")}
    found |= {part for alias in spec.package_aliases for part in alias.split(".")}
    found |= {re.sub(r"[^\w-]", "", pattern) for pattern in spec.data_files}
    return {name for name in found if name and name not in ENGLISH}


def engine_files():
    return [ENGINE / path for path in listed_files(ENGINE) if path.suffix in (".py", ".j2", ".html", ".json")]


def mentions(spec: assignments.Assignment, files) -> list:
    """'path:line: name' for each of the assignment's names found in files (whole words, any case)."""
    words = sorted(identifiers(spec), key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])", re.IGNORECASE)
    return [f"{path.relative_to(ROOT)}:{number}: {match.group(0)}" for path in files
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            for match in pattern.finditer(line)]


@pytest.mark.parametrize("name", NAMES)
def test_the_engine_names_nothing_of_an_assignment(name):
    hits = mentions(assignments.load(name), engine_files())
    assert not hits, "the engine names assignment-specific things:\n" + "\n".join(hits)


@pytest.mark.parametrize("name", NAMES)
def test_the_grep_finds_an_assignments_names_where_they_are(name):
    """The test above cannot pass by looking at nothing: the same grep finds the names in the rubric."""
    spec = assignments.load(name)
    assert len(mentions(spec, sorted(spec.rubric_dir.glob("*.py")))) > 10 and len(engine_files()) > 40


@pytest.mark.parametrize("name", NAMES)
def test_each_assignment_is_a_complete_package(name):
    spec = assignments.load(name)
    assert spec.harness.is_file() and (spec.rubric_dir / "conftest.py").is_file() and spec.requirements.is_file()
    assert "autograder.rubric.plugin" in (spec.rubric_dir / "conftest.py").read_text()
    assert all((spec.reference_dir / f"{module}.py").is_file() for module in spec.modules)
    assert (spec.source_dir / spec.notebook).is_file() and spec.release_dir.is_dir()
    assert set(spec.kinds) and len(set(spec.graded)) == len(spec.graded)


def run(*arguments, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "autograder", *map(str, arguments)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("name", NAMES)
def test_the_rubric_verb_adds_up_to_100_points_for_each_assignment(name):
    printed = run("rubric", "--assignment", name)
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.splitlines()[-1] == "total: 100 points"


@pytest.mark.parametrize("name", NAMES)
def test_the_release_is_in_sync_for_each_assignment(name):
    checked = run("release", "--assignment", name, "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_unknown_assignment_is_one_line_on_stderr():
    for verb in ("grade", "rubric", "release", "gradescope", "report", "grade-all", "merge", "similarity"):
        arguments = {"grade": ["x"], "report": ["."], "grade-all": ["."], "merge": ["."], "similarity": ["."]}
        printed = run(verb, *arguments.get(verb, []), "--assignment", "no_such_assignment")
        assert printed.returncode == 2, (verb, printed.stdout, printed.stderr)
        assert printed.stderr.startswith("error: no assignment 'no_such_assignment'") and \
            printed.stderr.count("\n") == 1, (verb, printed.stderr)


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name in NAMES if name != assignments.default_name()])
def test_every_verb_works_for_each_assignment(name, tmp_path):
    """grade, grade-all (shards), merge, report, gradescope and similarity on a class of the reference and the stubs
    (the default assignment's own tests do all of this for it, at length)."""
    spec = assignments.load(name)
    graded = run("grade", "--assignment", name, spec.source_dir, "--out", tmp_path / "results.json")
    assert graded.returncode == 0 and "Total: 100 / 100" in graded.stdout, graded.stdout + graded.stderr
    stubs = run("grade", "--assignment", name, spec.release_dir)
    assert stubs.returncode == 0 and "Total: 0 / 100" in stubs.stdout, stubs.stdout + stubs.stderr
    submitted = tmp_path / "submitted"
    for student, folder in (("alice", spec.source_dir), ("bob", spec.release_dir)):
        copy_submission(folder, submitted / student / name, spec)
    for shard in (1, 2):
        done = run("grade-all", "--assignment", name, submitted, "--shard", f"{shard}/2", "--out",
                   tmp_path / f"shard-{shard}", "--jobs", "2")
        assert done.returncode == 0, done.stdout + done.stderr
    merged = run("merge", tmp_path / "shard-1", tmp_path / "shard-2", "--out", tmp_path / "grades")
    assert merged.returncode == 0, merged.stdout + merged.stderr
    rows = (tmp_path / "grades" / "gradebook.csv").read_text().splitlines()
    assert rows[0] == ",".join(["student", *spec.graded, "total", "max", "flags"])
    assert [row.split(",")[-3:] for row in rows[1:]] == [["100", "100", ""], ["0", "100", "not_attempted"]]
    assert run("report", tmp_path / "grades").returncode == 0
    assert spec.title in (tmp_path / "grades" / "report.html").read_text()
    similar = run("similarity", "--assignment", name, submitted, "--out", tmp_path / "grades")
    assert similar.returncode == 0, similar.stdout + similar.stderr
    zipped = run("gradescope", "--assignment", name, "--out", tmp_path / "autograder.zip")
    assert zipped.returncode == 0 and name in zipped.stdout, zipped.stdout + zipped.stderr


def copy_submission(folder: Path, target: Path, spec: assignments.Assignment) -> None:
    """What a student hands in: the graded modules and the notebook, as the release lays them out."""
    for relative in [Path(spec.module_folder) / f"{module}.py" for module in spec.modules] + [Path(spec.notebook)]:
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        (target / relative).write_bytes((folder / relative).read_bytes())
