"""How fast does grade-all grade a class? Prints submissions per minute per class size and worker count.

A class of SIZE cycles through the grader's fixture submissions (assignments/linear_classifiers/tests/fixtures/:
correct, buggy and hostile ones, such as infinite loops that cost a timeout each).
Each configuration times `python -m autograder grade-all` (start-up, gradebook and
report included) on a fresh class in a temporary folder, so nothing is up to date.
Run: python benchmarks/bench_grade_all.py [--sizes 100 500] [--jobs 1 2]  (tqdm's bar goes to stderr)
"""
import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.batch import gradebook  # noqa: E402
from assignments.linear_classifiers.tests.fixtures.buggy import BUGGY  # noqa: E402
from assignments.linear_classifiers.tests.fixtures.correct import CORRECT  # noqa: E402
from assignments.linear_classifiers.tests.fixtures.hostile import HOSTILE  # noqa: E402
from assignments.linear_classifiers.tests.fixtures.submissions import build  # noqa: E402

FIXTURES = CORRECT + BUGGY + HOSTILE


def build_class(folder: Path, size: int) -> dict:
    """size student folders, student i a copy of fixture i % len(FIXTURES)."""
    templates = [build(fixture, folder / "templates") for fixture in FIXTURES]
    submissions = {}
    for index in range(size):
        template = templates[index % len(templates)]
        student = folder / "class" / f"student{index:04d}-{template.name}"
        shutil.copytree(template, student)
        submissions[student.name] = student
    return submissions


def measure(size: int, jobs: int) -> str:
    with tempfile.TemporaryDirectory(prefix="bench-grade-all-") as scratch:
        build_class(Path(scratch), size)
        grades = Path(scratch) / "grades"
        command = [sys.executable, "-m", "autograder", "grade-all", str(Path(scratch) / "class"),
                   "--out", str(grades), "--jobs", str(jobs)]
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        results = gradebook.load_grades(grades)
    errors = sum("grader_error" in result.flags for result in results.values())
    correct = [result.execution_time for student, result in results.items()
               if student.split("-", 1)[1] in {fixture.name for fixture in CORRECT}]
    return (f"{size:>5} {jobs:>4} {seconds:>9.1f} {60 * size / seconds:>12.1f} "
            f"{sum(r.execution_time for r in results.values()) / size:>10.2f} "
            f"{statistics.median(correct):>10.2f} {errors:>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500], help="class sizes (default: 100 500)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts (default: 1 2)")
    args = parser.parse_args()
    print(f"each class cycles through {len(CORRECT)} correct, {len(BUGGY)} buggy and {len(HOSTILE)} hostile fixtures")
    print("s/subm. is the mean grading time inside the grader, s/correct the median for correct submissions; "
          "errors counts grader_error results")
    print(f"{'size':>5} {'jobs':>4} {'seconds':>9} {'subm./min':>12} {'s/subm.':>10} {'s/correct':>10} {'errors':>7}")
    for size in args.sizes:
        for jobs in args.jobs:
            print(measure(size, jobs), flush=True)


if __name__ == "__main__":
    main()
