"""`python -m autograder report grades/`: the item analysis of a graded class, `grades/report.html`.

One static page with embedded plots, for what an instructor looks for after
grading: which checks most of the class failed, the classic mistakes diagnosed
most often, the score distribution, the slowest submissions and the flagged
ones, and a link to the similarity page when `similarity` has written one.
grade-all and merge write it too; this verb rebuilds it from the stored results
without grading anything. Checks are counted by their stable id, so rewording a
check's feedback or docstring between gradings does not split it in two.
"""
import argparse
import base64
import csv
import io
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ..assignment import Assignment
from ..batch import gradebook
from ..pipeline.report import function_order
from ..pipeline.results import GradeResult
from ..project import write_atomically
from . import CommandError

HELP = "write the item-analysis report (report.html) of a grades folder"
REPORT_NAME = "report.html"
TEMPLATE = "report.html.j2"
TOP = 10
BAR_COLOURS = ((50, "#c44e52"), (80, "#dd8452"), (101, "#55a868"))  # (under this % passed, colour)


@dataclass
class CheckRate:
    """How much of the class passed one check (counted by its id; named as in the newest result)."""
    id: str
    function: str
    name: str
    kind: str
    passed: int = 0
    graded: int = 0

    @property
    def share(self) -> float:
        return 100 * self.passed / self.graded

    @property
    def label(self) -> str:
        return self.name.removeprefix(f"{self.function}: ")

    @property
    def colour(self) -> str:
        return next(colour for limit, colour in BAR_COLOURS if self.share < limit)


def check_pass_rates(results: Dict[str, GradeResult], assignment_name: str) -> List[CheckRate]:
    """One CheckRate per check id, by graded function in the assignment's order, then as the rubric ran them."""
    rates: Dict[str, CheckRate] = {}
    for result in results.values():
        for check in result.checks:
            rate = rates.setdefault(check.id, CheckRate(check.id, check.function, check.name, check.kind))
            rate.passed += check.passed
            rate.graded += 1
    order = {function: index for index, function in
             enumerate(function_order(assignment_name, [rate.function for rate in rates.values()]))}
    return sorted(rates.values(), key=lambda rate: order[rate.function])


def common_mistakes(results: Dict[str, GradeResult]) -> List[Tuple[str, str, int]]:
    """(function, mistake, number of submissions making it), most common first."""
    counts = Counter()
    for result in results.values():
        counts.update({(check.function, check.mistake) for check in result.checks if check.mistake})
    return [(function, mistake, count) for (function, mistake), count in counts.most_common(TOP)]


def score_histogram(results: Dict[str, GradeResult]) -> str:
    """The score distribution as a PNG data URI."""
    from matplotlib.figure import Figure  # only here: nothing else of a grading needs matplotlib
    from matplotlib.ticker import MaxNLocator
    scores = [result.score for result in results.values()]
    top = max([result.max_score for result in results.values()] + [1.0])
    figure = Figure(figsize=(7, 3))
    axes = figure.subplots()
    axes.hist(scores, bins=20, range=(0, top), color="#4c72b0", edgecolor="white")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(f"score (out of {top:g})")
    axes.set_ylabel("submissions")
    axes.set_title("Score distribution")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def similarity_summary(grades: Path) -> Optional[dict]:
    """Counts for a link to the similarity page, when `similarity` has written one into the grades folder."""
    from ..similarity import CSV_NAME, HTML_NAME  # (its heavy imports wait until the verb runs)
    if not (grades / HTML_NAME).is_file() or not (grades / CSV_NAME).is_file():
        return None
    try:  # the report must not fail for an unreadable similarity file: the page is only linked
        with (grades / CSV_NAME).open(newline="", encoding="utf-8") as stream:
            flagged = [row for row in csv.DictReader(stream) if row.get("flagged") == "yes"]
    except (OSError, UnicodeDecodeError, csv.Error):
        flagged = []
    known = sum(row.get("other_is_known_file") == "yes" for row in flagged)
    groups = len({row.get("cluster") for row in flagged if row.get("cluster")})
    return {"pairs": len(flagged) - known, "groups": groups, "known": known, "page": HTML_NAME}


def render_report(results: Dict[str, GradeResult], assignment: Assignment, similarity: Optional[dict] = None) -> str:
    """The whole report page (Jinja2, every value escaped); similarity: similarity_summary's counts, if any."""
    import jinja2
    environment = jinja2.Environment(loader=jinja2.PackageLoader("autograder", "templates"), autoescape=True)
    scores = [result.score for result in results.values()]
    rates = check_pass_rates(results, assignment.name)
    flagged = {student: result.flags for student, result in results.items() if result.flags}
    summary = (f"{len(results)} submissions; median score {statistics.median(scores):g}, "
               f"mean {statistics.mean(scores):.3g} out of {max(r.max_score for r in results.values()):g}; "
               f"{len(flagged)} flagged." if results else "No submissions graded yet.")
    by_function = [(function, [rate for rate in rates if rate.function == function])
                   for function in dict.fromkeys(rate.function for rate in rates)]
    return environment.get_template(TEMPLATE).render(
        title=assignment.title, summary=summary, graded=bool(results), similarity=similarity,
        histogram=score_histogram(results) if results else "", by_function=by_function,
        hardest=[[rate.name, rate.kind, rate.passed, rate.graded, rate.share]
                 for rate in sorted(rates, key=lambda rate: rate.passed / rate.graded)],
        mistakes=[list(row) for row in common_mistakes(results)],
        flag_counts=[list(row) for row in Counter(flag for flags in flagged.values() for flag in flags).most_common()],
        flagged=[[student, ", ".join(flags), results[student].score] for student, flags in sorted(flagged.items())],
        slowest=[[student, result.execution_time, result.score] for student, result in
                 sorted(results.items(), key=lambda item: item[1].execution_time, reverse=True)[:TOP]])


def write_report(grades: Path, results: Dict[str, GradeResult], assignment: Assignment) -> Path:
    path = grades / REPORT_NAME
    write_atomically(path, render_report(results, assignment, similarity_summary(grades)))
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("grades", type=Path, help="grades folder written by grade-all or merge")


def run(args: argparse.Namespace) -> int:
    if not args.grades.is_dir():
        raise CommandError(f"{args.grades} is not a folder: give the grades folder written by grade-all or merge")
    try:
        results = gradebook.load_grades(args.grades)
        assignment = gradebook.class_assignment(results, args.assignment)
    except gradebook.GradesError as error:
        raise CommandError(str(error)) from None
    print(f"wrote {write_report(args.grades, results, assignment)} ({len(results)} submissions)")
    return 0
