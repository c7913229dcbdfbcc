"""`python -m autograder similarity SUBMISSIONS --out grades/ [--known FOLDER]`: who shared code, shown side by side.

Reads the same submissions folder as grade-all (find_submissions, then each
submission's graded files with find_submission), parses every graded module
(never imports or runs it), and compares every pair of the class per graded
function and per module (see autograder/similarity/compare.py for the method).
The release's starter code (`--starter`, by default the assignment's release)
is discounted. Writes `similarity.csv` and `similarity.html` into the grades
folder, and rebuilds the item-analysis report there, if there is one, so it
links to them. `--known` adds outside solutions (any .py files below a folder,
e.g. public repositories): submissions that match one are reported with the
matched file. Nothing it writes is meant for students.
"""
import argparse
import os
import time
from pathlib import Path
from typing import Dict, Optional, Tuple

from ..assignment import Assignment, load
from ..batch import RosterError, find_submissions, gradebook
from ..pipeline.find import MAX_FILE_BYTES, find_submission
from ..project import write_atomically
from ..similarity import CSV_NAME, HTML_NAME, report
from ..similarity.compare import Analysis, Entry, Release, Units, analyse, clusters
from . import CommandError
from .report import REPORT_NAME, write_report

HELP = "find pairs and groups of similar submissions (disguised copies too) for an instructor to review"
MAX_KNOWN_FILES = 20_000


def class_entries(submissions: Dict[str, Path], release: Release, assignment: Assignment) -> Dict[str, Entry]:
    """Fingerprints of every student's graded modules (an unreadable module is simply absent)."""
    return {student: release.entry(student, find_submission(path, assignment).sources)
            for student, path in submissions.items()}


def known_entries(folder: Path, release: Release) -> Dict[str, Entry]:
    """Fingerprints of every regular .py file below folder (no links, no hidden folders, at most MAX_FILE_BYTES
    each) that is named like a graded module or defines a graded function (other files are not even parsed)."""
    units = release.units
    markers = [f"def {qualified.split('.')[-1]}(".encode() for _, qualified in units.functions.values()]
    entries: Dict[str, Entry] = {}
    for directory, folders, files in os.walk(folder, followlinks=False):
        folders[:] = sorted(name for name in folders if not name.startswith(".") and name != "__pycache__")
        for name in sorted(files):
            path = Path(directory) / name
            if not name.endswith(".py") or path.is_symlink() or not path.is_file() or \
                    path.stat().st_size > MAX_FILE_BYTES or len(entries) >= MAX_KNOWN_FILES:
                continue
            source = path.read_bytes()
            if name[:-3] not in units.modules and not any(marker in source for marker in markers):
                continue
            relative = path.relative_to(folder).as_posix()
            entry = release.known_file(relative, source)
            if entry.prints:
                entries[relative] = entry
    return entries


def write_outputs(out: Path, analysis: Analysis, release_found: bool, known_folder: str = "") -> Tuple[Path, Path]:
    """similarity.csv and similarity.html in the grades folder (atomically)."""
    csv_path, html_path = out / CSV_NAME, out / HTML_NAME
    write_atomically(csv_path, report.pairs_csv(analysis))
    write_atomically(html_path, report.render_html(analysis, release_found, known_folder))
    return csv_path, html_path


def relink_report(out: Path, assignment: Assignment) -> Optional[Path]:
    """Rebuild an existing item-analysis report so it links to the similarity page (not one of another assignment's
    results: that report is left as it is)."""
    if not (out / REPORT_NAME).exists():
        return None
    try:
        results = gradebook.load_grades(out)
        return write_report(out, results, gradebook.class_assignment(results, assignment.name))
    except gradebook.GradesError:
        return None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submissions", type=Path,
                        help="folder of submissions, as for grade-all: nbgrader's submitted/, "
                             "a folder per student, or zips")
    parser.add_argument("--out", type=Path, default=Path("grades"), help="grades folder (default: %(default)s)")
    parser.add_argument("--known", type=Path, metavar="FOLDER",
                        help="folder of solutions collected elsewhere (e.g. public repositories): every .py below it")
    parser.add_argument("--starter", type=Path, metavar="FOLDER",
                        help="folder of the release's starter modules, discounted (default: the graded modules' "
                             "folder in the assignment's release, assignment/NAME/)")


def compare_class(args: argparse.Namespace, assignment: Assignment, starter: Path) -> Analysis:
    """Fingerprint the class (and the known files) and score every pair; RosterError if the folder is not a class."""
    release = Release.from_folder(Units.of(assignment), starter if starter.is_dir() else None)
    known = known_entries(args.known, release) if args.known else {}
    students = find_submissions(args.submissions, assignment.name)
    return analyse(class_entries(students, release, assignment), release, known)


def run(args: argparse.Namespace) -> int:
    assignment = load(args.assignment)
    starter = args.starter or assignment.release_dir / assignment.module_folder
    for folder, what in ((args.submissions, "the class's submissions"), (args.known, "the known solutions")):
        if folder is not None and not folder.is_dir():
            raise CommandError(f"{folder} is not a folder: give the folder holding {what}")
    started = time.perf_counter()
    try:
        analysis = compare_class(args, assignment, starter)
    except RosterError as error:
        raise CommandError(str(error)) from None
    csv_path, html_path = write_outputs(args.out, analysis, starter.is_dir(), str(args.known or ""))
    flagged = analysis.flagged()
    print(f"{len(analysis.entries)} submissions compared in {time.perf_counter() - started:.1f} s: "
          f"{sum(not p.known for p in flagged)} flagged pairs in {len(clusters(analysis.pairs))} groups, "
          f"{sum(p.known for p in flagged)} matches with {len(analysis.known)} known files; {csv_path}, {html_path} "
          "(for instructors only: evidence to review, not a verdict)")
    linked = relink_report(args.out, assignment)
    if linked:
        print(f"rebuilt {linked} with a link to the similarity page")
    return 0
