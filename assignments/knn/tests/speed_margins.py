"""How far from the speed check's limit each style of compute_distances_no_loops lands, measured here.

`python -m assignments.knn.tests.speed_margins [ROUNDS]` grades each fixture's
no-loop version with the rubric's own timed rounds and judge (SPEED_SHAPE, the
reference's worker timed alongside) and prints the lowest and highest ratio of
ROUNDS measurements (default 5). Correct styles must stay far below MAX_RATIO,
Python work per test row or per pair far above it.
"""
import sys
import tempfile
from pathlib import Path

from autograder.assignment import load
from autograder.pipeline.find import find_submission
from autograder.pipeline.grade import open_grading
from autograder.rubric.timing import MAX_RATIO, compare_speed

from ..distances import share_speed_rows, timed_answer_judge, timed_rounds
from ..problems import SPEED_SHAPE, ProblemSet
from .fixtures.buggy import BUGGY
from .fixtures.correct import CORRECT
from .fixtures.submissions import NONE, build

STYLES = ["reference", "cs231n_layout_and_idioms", "linalg_norm_and_argpartition", "counter_einsum_and_math_sqrt",
          "float32_distances", "scipy_cdist_and_a_comprehension", "no_loops_hides_a_loop_over_the_features_in_a_helper",
          "no_loops_calls_the_one_loop_version", "no_loops_with_a_python_metric_per_pair"]
UNLIMITED = 1e9  # compare_speed then measures its minimum of rounds and never stops early on the verdict


def ratios(path: Path, measurements: int) -> list:
    """The student-to-reference ratio of measurements timed comparisons, each the best of its rounds."""
    found = []
    with open_grading(find_submission(path, load("knn"))) as grading:
        problems = ProblemSet(grading.secret)
        judge = timed_answer_judge(share_speed_rows(grading, problems))
        for seed in range(measurements):
            timing = compare_speed(grading.student, grading.reference, timed_rounds(problems, NONE, 100 + seed),
                                   judge, UNLIMITED)
            found.append(float("nan") if timing.wrong else timing.ratio)
    return found


def main(measurements: int) -> None:
    fixtures = {fixture.name: fixture for fixture in CORRECT + BUGGY}
    print(f"num_test, num_train, D = {SPEED_SHAPE}; the limit is {MAX_RATIO:g}x")
    with tempfile.TemporaryDirectory() as folder:
        for name in STYLES:
            found = ratios(build(fixtures[name], Path(folder)), measurements)
            print(f"{name:55} {min(found):6.1f}x to {max(found):6.1f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
