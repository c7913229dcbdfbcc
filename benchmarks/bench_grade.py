"""How long does grading one submission take? Prints wall time per submission kind.

Run: python benchmarks/bench_grade.py [--repeats 3]
Grades the reference, the student stubs and a loop-over-examples submission
(the slowest honest case: the speed check times its loops).
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder.pipeline.grade import grade_submission  # noqa: E402
from assignments.linear_classifiers.tests.fixtures.buggy import BUGGY  # noqa: E402
from assignments.linear_classifiers.tests.fixtures.submissions import ROOT, build  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="gradings per submission (median shown)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        loops = next(f for f in BUGGY if f.name == "svm_vectorized_loops_over_examples")
        submissions = {"reference": ROOT / "solutions" / "linear_classifiers",
                       "stubs": ROOT / "assignment" / "linear_classifiers",
                       "loop over examples": build(loops, Path(scratch))}
        for name, path in submissions.items():
            times = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                result = grade_submission(path)
                times.append(time.perf_counter() - start)
            print(f"{name:20} {statistics.median(times):5.2f} s median of {args.repeats} "
                  f"(score {result.score:g}/{result.max_score:g})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
