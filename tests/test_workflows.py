"""The GitHub Actions workflows run commands that exist, shard consistently, and keep students' copies clean.

The class-grading workflow is the kit's (`.github/workflows/`); the students' one is
in the release, since a student's repository is made from the release's folder
(tests/test_student_folder.py runs its commands in such a repository)."""
import argparse
import fnmatch
import re
import shlex
from pathlib import Path

import pytest
import yaml

from autograder.__main__ import VERBS, add_arguments
from autograder.batch import parse_shard
from tests.conftest import ASSIGNMENT, ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
RELEASE = ROOT / "assignment" / ASSIGNMENT
STUDENT_WORKFLOW = RELEASE / ".github" / "workflows" / "student-tests.yml"


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` key as True


def expand(text: str, context: dict, env: dict) -> str:
    """Substitute ${{ expressions }} from context, then $VARIABLES from env; an unknown one fails."""
    def expression(match):
        key = match.group(1).strip()
        assert key in context, f"the test does not know the expression ${{{{ {key} }}}}"
        return str(context[key])
    text = re.sub(r"\$\{\{(.*?)\}\}", expression, text)
    return re.sub(r"\$\{?(\w+)\}?", lambda match: env[match.group(1)], text)


def run_commands(workflow: dict, job_name: str, context: dict) -> list:
    """The argv of every command in a job's run steps, expanded as the runner would."""
    job = workflow["jobs"][job_name]
    commands = []
    for step in job["steps"]:
        if "run" in step:
            env = {name: expand(str(value), context, {}) for name, value in
                   {**workflow.get("env", {}), **job.get("env", {}), **step.get("env", {})}.items()}
            commands += [shlex.split(expand(line, context, env)) for line in step["run"].splitlines() if line.strip()]
    return commands


def uses(workflow: dict, job_name: str, action: str) -> list:
    return [step.get("with", {}) for step in workflow["jobs"][job_name]["steps"]
            if step.get("uses", "").split("@")[0] == action]


def check_command(argv: list, root: Path = ROOT):
    """Fail unless the command names things that exist (run in root); return the parsed arguments of an
    autograder verb."""
    assert argv[:2] == ["python", "-m"], f"expected `python -m ...`, got {argv}"
    module, arguments = argv[2], argv[3:]
    if module == "autograder":
        verb, arguments = arguments[0], arguments[1:]
        assert verb in VERBS, f"`python -m autograder {verb}` is not a registered verb"
        parser = argparse.ArgumentParser(prog=verb)
        add_arguments(parser, verb)
        return verb, parser.parse_args(arguments)
    if module == "pip":
        files = [arguments[index + 1] for index, argument in enumerate(arguments) if argument == "-r"]
        assert arguments[:2] == ["install", "-r"] and all((root / path).is_file() for path in files), argv
    elif module == "pytest":
        assert all((root / path).exists() for path in arguments), argv
    else:
        pytest.fail(f"unrecognised command {argv}: teach test_workflows.py what it needs")
    return module, None


@pytest.fixture(scope="module")
def grading():
    return load(WORKFLOWS / "grade-class.yml")


def test_the_class_is_graded_in_consistent_shards_then_merged(grading):
    matrix = grading["jobs"]["grade"]["strategy"]["matrix"]
    assert list(matrix) == ["shard"], "job-total counts every matrix combination, so shard must be the only axis"
    shards = len(matrix["shard"])
    assert matrix["shard"] == list(range(1, shards + 1))
    inputs = {f"inputs.{name}": spec["default"] for name, spec in triggers(grading)["workflow_dispatch"]["inputs"].items()}
    uploaded = []
    for shard in matrix["shard"]:
        context = dict(inputs, **{"matrix.shard": shard, "strategy.job-total": shards})
        parsed = dict(check_command(argv) for argv in run_commands(grading, "grade", context))
        assert parse_shard(f"{parsed['grade-all'].shard[0]}/{parsed['grade-all'].shard[1]}") == (shard, shards)
        (upload,) = [{key: expand(str(value), context, {}) for key, value in step.items()}
                     for step in uses(grading, "grade", "actions/upload-artifact")]
        assert Path(upload["path"]) == parsed["grade-all"].out, "each shard uploads what it graded"
        uploaded.append(upload["name"])

    assert grading["jobs"]["merge"]["needs"] == "grade"
    (download,) = uses(grading, "merge", "actions/download-artifact")
    assert all(fnmatch.fnmatch(name, download["pattern"]) for name in uploaded) and "merge-multiple" not in download
    merged = dict(check_command(argv) for argv in run_commands(grading, "merge", {}))["merge"]
    for name in uploaded:  # download-artifact puts each artifact in PATH/NAME; the shell expands the glob
        assert any(fnmatch.fnmatch(f"{download['path']}/{name}", str(pattern)) for pattern in merged.shards), name
    (published,) = uses(grading, "merge", "actions/upload-artifact")
    assert set(published["path"].split()) == {str(merged.out / "gradebook.csv"), str(merged.out / "report.html")}


def test_students_run_the_public_tests_from_their_repository_and_never_see_the_grader():
    text = STUDENT_WORKFLOW.read_text()
    assert "solutions" not in text.lower() and "autograder" not in text.lower()
    workflow = yaml.safe_load(text)
    assert {"push", "pull_request"} <= set(triggers(workflow))
    (job,) = workflow["jobs"]
    commands = run_commands(workflow, job, {})
    assert commands == [["python", "-m", "pip", "install", "-r", "requirements.txt"], ["python", "-m", "pytest"]]
    for argv in commands:
        check_command(argv, root=RELEASE)
    assert uses(workflow, job, "actions/setup-python")
    assert not (WORKFLOWS / STUDENT_WORKFLOW.name).exists(), "the kit's own pushes would run the public tests on stubs"


@pytest.mark.parametrize("path", [WORKFLOWS / "grade-class.yml", STUDENT_WORKFLOW], ids=lambda path: path.name)
def test_every_action_is_pinned_to_a_version(path):
    workflow = load(path)
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            assert "run" in step or re.fullmatch(r"[\w-]+/[\w-]+@v\d+", step["uses"]), step
