"""What does the Gradescope image cost? Prints setup.sh's time and the installed size, measured in one run.

Builds the assignment's autograder zip, runs its setup.sh in a container of the
Debian base image (tests/docker_base_image.sh builds it, as the Docker test
does), then reports the seconds setup.sh took, the size of /autograder/venv, and
the seconds run_autograder takes to grade the reference in that image.
Run: python benchmarks/bench_gradescope_image.py [--assignment NAME]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.assignment import load  # noqa: E402
from autograder.verbs.gradescope import build_zip  # noqa: E402

BASE_IMAGE = "linclass/debian:bookworm"


def docker(*arguments: str) -> str:
    done = subprocess.run(["docker", *arguments], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"docker {arguments[0]} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done.stdout


def certificates() -> list:
    """Options that let setup.sh's pip trust what this machine's pip trusts (a network may intercept TLS)."""
    bundle = os.environ.get("PIP_CERT") or os.environ.get("SSL_CERT_FILE")
    if not bundle or not Path(bundle).is_file():
        return []
    return ["-v", f"{bundle}:/etc/host-ca-bundle.crt:ro", "-e", "PIP_CERT=/etc/host-ca-bundle.crt"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default=None, help="the assignment (default: the kit's default)")
    args = parser.parse_args(argv)
    assignment = load(args.assignment)
    name = f"linclass-bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        build_zip(folder / "autograder.zip", assignment)
        with zipfile.ZipFile(folder / "autograder.zip") as bundle:
            bundle.extractall(folder / "autograder" / "source")
        for script in ("setup.sh", "run_autograder"):
            (folder / "autograder" / "source" / script).chmod(0o755)
        shutil.copytree(assignment.source_dir / assignment.module_folder, folder / "submission" / "classifiers")
        shutil.copy(assignment.source_dir / assignment.notebook, folder / "submission")
        docker("create", "--name", name, *certificates(), BASE_IMAGE, "bash", "/autograder/source/setup.sh")
        try:
            docker("cp", str(folder / "autograder"), f"{name}:/")
            began = time.perf_counter()
            docker("start", "-a", name)
            setup_seconds = time.perf_counter() - began
            docker("commit", name, f"linclass/bench:{name}")
        finally:
            docker("rm", "-f", name)
        try:
            venv = docker("run", "--rm", f"linclass/bench:{name}", "du", "-sm", "/autograder/venv").split()[0]
            (folder / "results").mkdir()
            began = time.perf_counter()
            docker("run", "--rm", "-v", f"{folder / 'submission'}:/autograder/submission:ro",
                   "-v", f"{folder / 'results'}:/autograder/results", f"linclass/bench:{name}",
                   "/autograder/source/run_autograder")
            grading_seconds = time.perf_counter() - began
        finally:
            docker("rmi", "-f", f"linclass/bench:{name}")
    print(f"{assignment.name}: setup.sh {setup_seconds:.1f} s, /autograder/venv {venv} MB, "
          f"run_autograder on the reference {grading_seconds:.1f} s (container start included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
