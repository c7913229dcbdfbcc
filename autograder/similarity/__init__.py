"""`python -m autograder similarity SUBMISSIONS --out grades/ [--known FOLDER]`: who shared code, shown side by side.

Reads the same submissions folder as grade-all (find_submissions, then each
submission's graded files with find_submission), parses every graded module
(never imports or runs it), and compares every pair of the class per graded
function and per module (see compare.py for the method). Writes
`similarity.csv` and `similarity.html` into the grades folder, and rebuilds the
item-analysis report there, if there is one, so it links to them. `--known`
adds outside solutions (any .py files below a folder, e.g. public repositories):
submissions that match one are reported with the matched file.
Nothing it writes is meant for students.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Optional, Tuple

from .. import gradebook
from ..grade_all import DEFAULT_ASSIGNMENT, RosterError, find_submissions
from ..submission import MAX_FILE_BYTES, find_submission

if TYPE_CHECKING:  # scipy and Jinja2 are imported when the verb runs, not when item analysis looks for its files
    from .compare import Analysis, Entry, Release

HELP = "find pairs and groups of similar submissions (disguised copies too) for an instructor to review"
CSV_NAME, HTML_NAME = "similarity.csv", "similarity.html"
ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "assignment" / "linear_classifiers" / "classifiers"
MAX_KNOWN_FILES = 20_000


def class_entries(submissions: Dict[str, Path], release: Release) -> Dict[str, Entry]:
    """Fingerprints of every student's graded modules (an unreadable module is simply absent)."""
    return {student: release.entry(student, find_submission(path).sources) for student, path in submissions.items()}


def known_entries(folder: Path, release: Release) -> Dict[str, Entry]:
    """Fingerprints of every regular .py file below folder (no links, no hidden folders, at most 1 MiB each)
    that is named like a graded module or defines a graded function (other files are not even parsed)."""
    from .compare import FUNCTION_UNITS, MODULES
    markers = [f"def {qualified.split('.')[-1]}(".encode() for _, qualified in FUNCTION_UNITS.values()]
    entries: Dict[str, Entry] = {}
    for directory, folders, files in os.walk(folder, followlinks=False):
        folders[:] = sorted(name for name in folders if not name.startswith(".") and name != "__pycache__")
        for name in sorted(files):
            path = Path(directory) / name
            if not name.endswith(".py") or path.is_symlink() or not path.is_file() or \
                    path.stat().st_size > MAX_FILE_BYTES or len(entries) >= MAX_KNOWN_FILES:
                continue
            source = path.read_bytes()
            if name[:-3] not in MODULES and not any(marker in source for marker in markers):
                continue
            relative = path.relative_to(folder).as_posix()
            entry = release.known_file(relative, source)
            if entry.prints:
                entries[relative] = entry
    return entries


def write_outputs(out: Path, analysis: Analysis, release_found: bool, known_folder: str = "") -> Tuple[Path, Path]:
    """similarity.csv and similarity.html in the grades folder (atomically)."""
    from . import report
    out.mkdir(parents=True, exist_ok=True)
    csv_path, html_path = out / CSV_NAME, out / HTML_NAME
    gradebook.write_text_atomically(csv_path, report.pairs_csv(analysis))
    gradebook.write_text_atomically(html_path, report.render_html(analysis, release_found, known_folder))
    return csv_path, html_path


def relink_report(out: Path) -> Optional[Path]:
    """Rebuild an existing item-analysis report so it links to the similarity page."""
    from .. import item_analysis  # matplotlib: only when there is a report to rebuild
    if not (out / item_analysis.REPORT_NAME).exists():
        return None
    try:
        return item_analysis.write_report(out, gradebook.load_grades(out))
    except gradebook.GradesError:
        return None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", type=Path,
                        help="folder of submissions, as for grade-all: nbgrader's submitted/, "
                             "a folder per student, or zips")
    parser.add_argument("--out", type=Path, default=Path("grades"), help="grades folder (default: %(default)s)")
    parser.add_argument("--known", type=Path, metavar="FOLDER",
                        help="folder of solutions collected elsewhere (e.g. public repositories): every .py below it")
    parser.add_argument("--assignment", default=DEFAULT_ASSIGNMENT,
                        help="assignment id: the folder inside each nbgrader submission (default: %(default)s)")
    parser.add_argument("--starter", type=Path, default=STARTER,
                        help="the release's starter modules, discounted (default: the kit's assignment/)")


def compare_class(args: argparse.Namespace) -> Analysis:
    """Fingerprint the class (and the known files) and score every pair; RosterError if the folder is not a class."""
    from .compare import Release, analyse
    release = Release.from_folder(args.starter if args.starter.is_dir() else None)
    known = known_entries(args.known, release) if args.known else {}
    students = find_submissions(args.submissions, args.assignment)
    return analyse(class_entries(students, release), release, known)


def run(args: argparse.Namespace) -> int:
    for folder, what in ((args.submissions, "the class's submissions"), (args.known, "the known solutions")):
        if folder is not None and not folder.is_dir():
            print(f"error: {folder} is not a folder: give the folder holding {what}")
            return 2
    started = time.perf_counter()
    try:
        analysis = compare_class(args)
    except RosterError as error:
        print(f"error: {error}")
        return 2
    csv_path, html_path = write_outputs(args.out, analysis, args.starter.is_dir(), str(args.known or ""))
    from .compare import clusters
    flagged = analysis.flagged()
    print(f"{len(analysis.entries)} submissions compared in {time.perf_counter() - started:.1f} s: "
          f"{sum(not p.known for p in flagged)} flagged pairs in {len(clusters(analysis.pairs))} groups, "
          f"{sum(p.known for p in flagged)} matches with {len(analysis.known)} known files; {csv_path}, {html_path} "
          "(for instructors only: evidence to review, not a verdict)")
    linked = relink_report(args.out)
    if linked:
        print(f"rebuilt {linked} with a link to the similarity page")
    return 0
