"""Where does one grading's time go? Prints seconds per phase for one submission (default: the reference).

Phases: the interpreter's start-up and imports (measured in a fresh `python -c`), the
sandbox workers' start-up, each kind of check (summed over the rubric's tests of that
kind, start-ups excluded) and what is left (pytest's session, reading the submission).
The reference's worker is warm, as in grade-all, which keeps it for every grading.
Run: python benchmarks/profile_grade.py [SUBMISSION] [--repeats 3]  (medians of the repeats)
"""
import argparse
import collections
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.pipeline import score  # noqa: E402
from autograder.pipeline.grade import grade_submission  # noqa: E402
from autograder.sandbox import process  # noqa: E402


class PhaseTimer:
    """A pytest plugin and a Worker wrapper that add up seconds per phase."""

    def __init__(self):
        self.seconds = collections.defaultdict(float)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item):
        start, started_workers = time.perf_counter(), self.seconds["sandbox start-up"]
        try:
            return (yield)
        finally:
            marker = item.get_closest_marker("rubric")
            spent = time.perf_counter() - start - (self.seconds["sandbox start-up"] - started_workers)
            self.seconds[f"checks: {marker.kwargs['kind'] if marker else 'other'}"] += spent

    def timed_start(self, start):
        def wrapper(worker):
            began = time.perf_counter()
            try:
                return start(worker)
            finally:
                self.seconds["sandbox start-up"] += time.perf_counter() - began
        return wrapper


def profile_once(submission: Path) -> dict:
    timer = PhaseTimer()
    original_main, original_start = score.pytest.main, process.Worker._start
    score.pytest.main = lambda arguments, plugins=(): original_main(arguments, plugins=[*plugins, timer])
    process.Worker._start = timer.timed_start(original_start)
    try:
        began = time.perf_counter()
        grade_submission(submission)
        total = time.perf_counter() - began
    finally:
        score.pytest.main, process.Worker._start = original_main, original_start
    timer.seconds["rest (pytest session, reading the submission)"] = total - sum(timer.seconds.values())
    timer.seconds["grading in all"] = total
    return dict(timer.seconds)


def startup_seconds() -> float:
    """A fresh interpreter importing what `python -m autograder grade` imports before it grades."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import autograder.verbs.grade"], cwd=ROOT, check=True)
    return time.perf_counter() - began


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submission", nargs="?", type=Path, default=ROOT / "solutions" / "linear_classifiers")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    grade_submission(args.submission)  # warm: the reference worker is kept per process, as in grade-all
    runs = [profile_once(args.submission) for _ in range(args.repeats)]
    print(f"interpreter start-up and imports: {statistics.median(startup_seconds() for _ in range(args.repeats)):.2f} s")
    for phase in sorted(runs[0], key=lambda name: (name == "grading in all", -runs[0][name])):
        print(f"{phase:48} {statistics.median(run.get(phase, 0.0) for run in runs):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
