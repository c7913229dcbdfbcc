"""`python -m autograder grade SUBMISSION`: find -> sandbox -> score -> report, for one submission."""
import argparse
import atexit
import sys
import time
from pathlib import Path
from typing import Dict, List

from .problems import key_file
from .reference import SOLUTIONS
from .report import text_report
from .results import GradeResult, write_json_atomically
from .sandbox.process import Limits, SandboxIncomplete, Worker
from .scoring import HIDDEN_SUITE, GradingContext, run_hidden_suite
from .submission import GRADED_MODULES, find_submission

HELP = "grade one submission (a folder or .zip) with the hidden suites"
REFERENCE_DIR = SOLUTIONS / "linear_classifiers" / "classifiers"


def protected_files():
    """Files a worker must not be able to read (the hidden suite, the reference, the key the
    problems are drawn with); the worker proves it cannot at start-up."""
    key = [key_file()] if key_file().exists() else []
    return sorted(HIDDEN_SUITE.glob("*.py")) + sorted(REFERENCE_DIR.glob("*.py")) + key


def _flatten_protections(protections: dict) -> dict:
    flat = {}
    for name, state in protections.items():
        if isinstance(state, dict):
            flat.update({f"{name} {key}": value for key, value in state.items()})
        else:
            flat[name] = state
    return flat


_REFERENCE_WORKERS: Dict[Limits, Worker] = {}


def reference_worker(limits: Limits, protected: List[Path]) -> Worker:
    """The reference's worker, started once per process and kept for every grading it does
    (a grade-all grading process grades many submissions); each grading renews its time budget."""
    if limits not in _REFERENCE_WORKERS:
        sources = {name: (REFERENCE_DIR / f"{name}.py").read_bytes() for name in GRADED_MODULES}
        _REFERENCE_WORKERS[limits] = Worker(sources, limits, protected, trusted=True)
        atexit.register(_REFERENCE_WORKERS[limits].close)
    worker = _REFERENCE_WORKERS[limits]
    worker.renew()
    return worker


def grade_submission(submission: Path, limits: Limits = Limits(), strict: bool = False) -> GradeResult:
    """Grade one submission; bad input becomes zero points and flags, never an exception.

    strict: raise SandboxIncomplete, before any student code runs, unless every protection is active.
    """
    start = time.monotonic()
    found = find_submission(Path(submission))
    protected = protected_files()
    reference = reference_worker(limits, protected)
    reference_files = [reference.box] if reference.box else []  # only where the reference has no box
    with Worker(found.sources, limits, protected + reference_files, unavailable=found.problems,
                strict=strict) as student:
        if strict:
            student.start()
        sources = {name: source.decode("utf-8", "replace") for name, source in found.sources.items()}
        context = GradingContext(student=student, reference=reference, sources=sources,
                                 answers=found.answers, notebook_problem=found.notebook_problem)
        plugin = run_hidden_suite(context)
        protections = student.protections
    flags = list(plugin.flags)
    if found.problems and "missing_file" not in flags:
        flags.insert(0, "missing_file")
    if found.unusable() or (plugin.error_kinds and plugin.error_kinds <= {"not_implemented", "missing"}
                            and not any(check.score for check in plugin.checks)):
        flags.insert(0, "not_attempted")  # nothing handed in, or nothing but the release's stubs
    notes_first = [found.unusable()] if found.unusable() else []
    notes = notes_first + [f"warning: {warning}" for warning in found.warnings] + context.notes
    return GradeResult(submission=str(submission), checks=plugin.checks,
                       execution_time=time.monotonic() - start, flags=flags,
                       protections=_flatten_protections(protections) or
                       {"sandbox": "no worker was started (nothing importable to grade)"},
                       notes=notes)


def grade_submission_strictly(submission: Path) -> GradeResult:
    """grade_submission(strict=True), by a name grade-all's grading processes can import."""
    return grade_submission(submission, strict=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", type=Path, help="a folder or .zip holding linear_svm.py, softmax.py, "
                                                      "linear_classifier.py (anywhere inside)")
    parser.add_argument("--out", type=Path, help="also write Gradescope's results.json here")
    parser.add_argument("--strict", action="store_true",
                        help="refuse to grade unless every sandbox protection is active (exit code 3)")
    parser.add_argument("--verbose", action="store_true", help="list every sandbox protection in the report")


def run(args: argparse.Namespace) -> int:
    unusable = find_submission(args.submission).unusable()
    try:
        result = grade_submission(args.submission, strict=args.strict)
    except SandboxIncomplete as error:
        print(f"error: {error}. Nothing was graded: see the README's 'What the sandbox does' for how to "
              "get every protection (or drop --strict).", file=sys.stderr)
        if args.out:
            write_json_atomically(args.out, {"score": 0, "output": f"The grader refused to run: {error}. "
                                             "Your instructor has been told.", "tests": []})
        return 3
    if unusable:
        print(f"error: {unusable}", file=sys.stderr)
    else:
        print(text_report(result, args.verbose))
    if args.out:
        write_json_atomically(args.out, result.to_gradescope())
        print(f"wrote {args.out}")
    return 4 if unusable else 0
