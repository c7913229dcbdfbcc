"""The Gradescope zip in a real Docker container: set up by its own setup.sh, graded by its own runner.

Gradescope runs the autograder as root in a container with Docker's default
seccomp profile, where namespaces (and, in Docker 20.10, Landlock) are refused.
There the hidden suite and the reference must stay unreadable all the same, and
with the options the README gives every protection must be active.

Needs a Docker daemon and a plain Debian image tagged BASE_IMAGE, which
`tests/docker_base_image.sh` builds from Debian's own packages with debootstrap
(no registry needed); the test skips, saying so, when either is missing.
"""
import json
import os
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest

from autograder.assignment import load
from autograder.verbs.gradescope import build_zip
from assignments.linear_classifiers.tests.fixtures.submissions import Append, Fixture, build

BASE_IMAGE = "linclass/debian:bookworm"
UNREACHABLE = ("Could not fetch URL", "Temporary failure resolving", "Temporary failure in name resolution",
               "No matching distribution found")
FULL_SET = ["--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined", "--security-opt",
            "apparmor=unconfined"]
SNOOP = '''
import glob, os

def _leak():
    found = []
    for pattern in ("/autograder/source/assignments/*/rubric/*.py", "/autograder/source/solutions/*/classifiers/*.py",
                    "/etc/shadow", "/proc/1/environ"):
        for path in glob.glob(pattern) or [pattern]:
            try:
                with open(path, "rb") as stream:
                    found.append(path + ":" + stream.read(60).decode("latin-1"))
            except OSError:
                pass
    return found

_honest = svm_loss_naive


def svm_loss_naive(W, X, y, reg):
    leaked = _leak()
    if leaked:
        raise RuntimeError("LEAKED " + " | ".join(leaked))
    return _honest(W, X, y, reg)
'''


def docker(*arguments, check=True, timeout=900) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *arguments], capture_output=True, text=True, check=check, timeout=timeout)


def _docker_ready() -> str:
    if shutil.which("docker") is None:
        return "no docker command"
    if subprocess.run(["docker", "info"], capture_output=True).returncode != 0:
        return "no Docker daemon is running"
    if subprocess.run(["docker", "image", "inspect", BASE_IMAGE], capture_output=True).returncode != 0:
        return f"no {BASE_IMAGE} image: build it with tests/docker_base_image.sh"
    return ""


pytestmark = [pytest.mark.slow, pytest.mark.skipif(bool(_docker_ready()), reason=_docker_ready() or "ready")]


def host_certificates() -> list:
    """Options that let setup.sh's pip trust what this machine's pip trusts (a network may intercept TLS)."""
    bundle = os.environ.get("PIP_CERT") or os.environ.get("SSL_CERT_FILE")
    if not bundle or not Path(bundle).is_file():
        return []
    return ["-v", f"{bundle}:/etc/host-ca-bundle.crt:ro", "-e", "PIP_CERT=/etc/host-ca-bundle.crt"]


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """The Gradescope image: the zip unpacked into /autograder/source and its setup.sh run."""
    folder = tmp_path_factory.mktemp("gradescope")
    build_zip(folder / "autograder.zip", load("linear_classifiers"))
    with zipfile.ZipFile(folder / "autograder.zip") as bundle:
        bundle.extractall(folder / "autograder" / "source")
    for script in ("setup.sh", "run_autograder"):
        (folder / "autograder" / "source" / script).chmod(0o755)
    name = f"linclass-setup-{uuid.uuid4().hex[:8]}"
    tag = f"linclass/gradescope-test:{name}"
    docker("create", "--name", name, *host_certificates(), BASE_IMAGE, "bash", "/autograder/source/setup.sh")
    try:
        docker("cp", str(folder / "autograder"), f"{name}:/")
        setup = docker("start", "-a", name, check=False)
        if setup.returncode and any(sign in setup.stdout + setup.stderr for sign in UNREACHABLE):
            pytest.skip("setup.sh could not reach Debian's or PyPI's servers from the container")
        assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
        docker("commit", name, tag)
    finally:
        docker("rm", "-f", name, check=False)
    yield tag
    docker("rmi", "-f", tag, check=False)


def grade_in_container(image: str, submission: Path, tmp_path: Path, options=()) -> dict:
    results = tmp_path / "results"
    results.mkdir()
    docker("run", "--rm", *options, "-e", "GRADER_SECRET=do-not-leak",
           "-v", f"{submission}:/autograder/submission:ro", "-v", f"{results}:/autograder/results",
           image, "/autograder/source/run_autograder")
    return json.loads((results / "results.json").read_text())


def feedback(result: dict) -> str:
    return "\n".join(test["output"] for test in result["tests"]) + result.get("output", "")


NO_LANDLOCK = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{  # as Docker releases that predate Landlock
    "names": ["landlock_create_ruleset", "landlock_add_rule", "landlock_restrict_self", "unshare", "setns", "mount"],
    "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}


@pytest.mark.parametrize("landlock", [True, False], ids=["docker-defaults", "no-landlock"])
def test_without_namespaces_the_hidden_files_stay_unreadable(image, tmp_path, landlock):
    snoop = build(Fixture("snoop", {"linear_svm": (Append(SNOOP),)}), tmp_path)
    profile = tmp_path / "seccomp.json"
    profile.write_text(json.dumps(NO_LANDLOCK))
    result = grade_in_container(image, snoop, tmp_path, [] if landlock else ["--security-opt", f"seccomp={profile}"])
    protections = result["extra_data"]["protections"]
    assert protections["hidden files unreadable"] == "verified", protections
    assert protections["user"].startswith("uid 65534")
    assert protections["box"].startswith("missing") and protections["seccomp"].startswith("active")
    assert protections["landlock"].startswith("active" if landlock else "missing")
    assert "LEAKED" not in feedback(result) and "do-not-leak" not in feedback(result)
    assert result["score"] == 100, feedback(result)


def test_with_the_readmes_options_every_protection_is_active(image, tmp_path):
    snoop = build(Fixture("snoop", {"linear_svm": (Append(SNOOP),)}), tmp_path)
    result = grade_in_container(image, snoop, tmp_path, FULL_SET)
    missing = {name: state for name, state in result["extra_data"]["protections"].items()
               if state.startswith(("missing", "NO"))}
    assert not missing and result["score"] == 100, (missing, feedback(result))
