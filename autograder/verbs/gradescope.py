"""`python -m autograder gradescope --out autograder.zip`: an assignment's grader as a Gradescope autograder.

The zip holds `setup.sh` and `run_autograder` at its root (Gradescope unpacks it
into /autograder/source), `requirements-grading.txt`, the engine (`autograder/`),
the assignment's package (`assignments/<name>/`: its rubric, harness and the
requirements of its submissions, its own tests left out) and its reference
solution (`solutions/<name>/`).
setup.sh builds the virtual environment /autograder/venv with what grading needs;
run_autograder grades /autograder/submission into /autograder/results/results.json.
Both read the root from $AUTOGRADER_ROOT when it is set, so the layout can be
tried outside Gradescope.
"""
import argparse
import zipfile
from pathlib import Path
from typing import List

from ..assignment import Assignment, load
from ..project import ROOT, listed_files

HELP = "build an assignment's Gradescope autograder zip (setup.sh, run_autograder, the grader and the reference)"
SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder's image.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y python3 python3-venv
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10) and "the kit needs Python 3.10+: choose a newer base image")'
python3 -m venv "$ROOT/venv"
"$ROOT/venv/bin/python" -m pip install -r "$ROOT/source/requirements-grading.txt" \
    -r "$ROOT/source/__REQUIREMENTS__"
chmod -R go+rX "$ROOT/venv"  # student code runs as an unprivileged user: the interpreter must stay readable
"""
RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission, as root.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source"
# Student code runs as an unprivileged user: whatever that user must not read must not be readable by it,
# even where the container allows no sandbox namespaces (setup.sh left the interpreter readable).
chmod -R go-rwx "$ROOT/source/assignments" "$ROOT/source/solutions"
exec "$ROOT/venv/bin/python" -m autograder grade --assignment __ASSIGNMENT__ "$ROOT/submission" \
    --out "$ROOT/results/results.json"__STRICT__
"""
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the same sources give the same zip, byte for byte


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    entry = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    entry.external_attr = (0o100755 if executable else 0o100644) << 16
    entry.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(entry, data)


def packaged_files(assignment: Assignment) -> List[Path]:
    """What the zip holds besides its scripts, relative to the kit's root."""
    folders = [ROOT / "autograder", assignment.package_dir, assignment.source_dir]
    files = [folder.relative_to(ROOT) / relative for folder in folders
             for relative in listed_files(folder, assignment.data_files)]
    tests = assignment.package_dir.relative_to(ROOT) / "tests"
    return [Path("assignments/__init__.py")] + [path for path in files if not path.is_relative_to(tests)]


def build_zip(out: Path, assignment: Assignment, strict: bool = False) -> List[str]:
    """Write the autograder zip; return the names it holds. strict: its runner grades only in a full sandbox."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w") as archive:
        setup = SETUP_SH.replace("__REQUIREMENTS__", assignment.requirements.relative_to(ROOT).as_posix())
        _add(archive, "setup.sh", setup.encode(), executable=True)
        runner = RUN_AUTOGRADER.replace("__ASSIGNMENT__", assignment.name)
        runner = runner.replace("__STRICT__", " --strict" if strict else "")
        _add(archive, "run_autograder", runner.encode(), executable=True)
        _add(archive, "requirements-grading.txt", (ROOT / "requirements-grading.txt").read_bytes())
        for relative in packaged_files(assignment):
            _add(archive, relative.as_posix(), (ROOT / relative).read_bytes())
        return archive.namelist()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("autograder.zip"),
                        help="where to write the zip (default: %(default)s)")
    parser.add_argument("--strict", action="store_true",
                        help="the runner refuses to grade unless every sandbox protection is active "
                             "(see the README for the Docker options that allow them)")


def run(args: argparse.Namespace) -> int:
    assignment = load(args.assignment)
    names = build_zip(args.out, assignment, strict=args.strict)
    print(f"wrote {args.out} ({len(names)} files): upload it as the Gradescope autograder of {assignment.name}")
    return 0
