"""Item analysis of a graded class: `grades/report.html`, one static page with embedded plots.

Shows what an instructor looks for after grading: which checks most of the class
failed, the classic mistakes diagnosed most often, the score distribution, the
slowest submissions and the flagged ones. `python -m autograder report grades/`
rebuilds it from the stored results without grading anything.
"""
import argparse
import base64
import csv
import io
import itertools
import statistics
from collections import Counter
from html import escape
from pathlib import Path
from typing import Dict, List, Tuple

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from . import gradebook
from .results import GRADED_FUNCTIONS, GradeResult

HELP = "write the item-analysis report (report.html) of a grades folder"
REPORT_NAME = "report.html"
TOP = 10
BAR_COLOURS = ((50, "#c44e52"), (80, "#dd8452"), (101, "#55a868"))  # (under this % passed, colour)
# Readable from a phone (390 px) to a desktop: long names and words wrap instead of widening the page.
STYLE = """body { font-family: sans-serif; max-width: 60em; margin: 1em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25em 0.8em; text-align: left; overflow-wrap: anywhere; }
td.number { text-align: right; font-variant-numeric: tabular-nums; overflow-wrap: normal; }
img { max-width: 100%; height: auto; }
h3 { margin: 1em 0 0.3em; font-size: 1em; }
.bars { display: grid; grid-template-columns: minmax(0, 34em) minmax(4em, 1fr) 3em; gap: 0.25em 0.6em;
        align-items: center; margin-bottom: 1.5em; font-size: 0.9em; }
.bar { background: #eee; height: 0.9em; }
.bar span { display: block; height: 100%; }
.bars .number { text-align: right; font-variant-numeric: tabular-nums; }
.bars p { overflow-wrap: anywhere; margin: 0; }
@media (max-width: 30em) { .bars { grid-template-columns: minmax(0, 1fr) 3em; } .bars p { grid-column: 1 / -1; } }"""


def check_pass_rates(results: Dict[str, GradeResult]) -> List[Tuple[str, str, str, int, int]]:
    """(function, check, kind, passed, graded) per check, by graded function, then in the grader's order."""
    rates: Dict[Tuple[str, str], list] = {}
    for result in results.values():
        for check in result.checks:
            counts = rates.setdefault((check.function, check.name), [check.kind, 0, 0])
            counts[1] += check.passed
            counts[2] += 1
    rows = [(function, name, kind, passed, graded) for (function, name), (kind, passed, graded) in rates.items()]
    order = {function: index for index, function in enumerate(GRADED_FUNCTIONS)}
    return sorted(rows, key=lambda row: order.get(row[0], len(order)))


def common_mistakes(results: Dict[str, GradeResult]) -> List[Tuple[str, str, int]]:
    """(function, mistake, number of submissions making it), most common first."""
    counts = Counter()
    for result in results.values():
        counts.update({(check.function, check.mistake) for check in result.checks if check.mistake})
    return [(function, mistake, count) for (function, mistake), count in counts.most_common(TOP)]


def png_data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def score_histogram(results: Dict[str, GradeResult]) -> str:
    scores = [result.score for result in results.values()]
    top = max([result.max_score for result in results.values()] + [1.0])
    figure = Figure(figsize=(7, 3))
    axes = figure.subplots()
    axes.hist(scores, bins=20, range=(0, top), color="#4c72b0", edgecolor="white")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(f"score (out of {top:g})")
    axes.set_ylabel("submissions")
    axes.set_title("Score distribution")
    return png_data_uri(figure)


def pass_rate_bars(rates: List[Tuple[str, str, str, int, int]]) -> str:
    """Each check's share of the class that passed as a bar beside its whole name, per graded function
    (HTML rather than a plot, so that a long name wraps on a narrow screen instead of being cut)."""
    parts = []
    for function, rows in itertools.groupby(rates, key=lambda rate: rate[0]):
        parts.append(f'<h3>{escape(function)}</h3><div class="bars">')
        for _, name, _, passed, graded in rows:
            share = 100 * passed / graded
            colour = next(colour for limit, colour in BAR_COLOURS if share < limit)
            parts.append(f"<p>{escape(name.removeprefix(function + ': '))}</p>"
                         f'<div class="bar" title="{passed} of {graded} passed"><span style="width: {share:.1f}%; '
                         f'background: {colour}"></span></div><span class="number">{share:.0f}%</span>')
        parts.append("</div>")
    return "".join(parts)


def table(headers: List[str], rows: List[list], empty: str = "None.") -> str:
    """An HTML table, or the sentence empty when there are no rows; numbers are right-aligned, everything is escaped."""
    def cell(value):
        if isinstance(value, (int, float)):
            return f'<td class="number">{value:.4g}</td>'
        return f"<td>{escape(str(value))}</td>"
    head = "".join(f"<th>{escape(header)}</th>" for header in headers)
    body = "".join("<tr>" + "".join(cell(value) for value in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>" if rows else f"<p>{escape(empty)}</p>"


def similarity_section(grades: Path) -> str:
    """A link to the similarity page with its counts, when `similarity` has written one into the grades folder."""
    from .similarity import CSV_NAME, HTML_NAME  # (the verb's package; its heavy imports wait until it runs)
    if not (grades / HTML_NAME).is_file() or not (grades / CSV_NAME).is_file():
        return ""
    try:  # the report must not fail for an unreadable similarity file: the page is only linked
        with (grades / CSV_NAME).open(newline="", encoding="utf-8") as stream:
            flagged = [row for row in csv.DictReader(stream) if row.get("flagged") == "yes"]
    except (OSError, UnicodeDecodeError, csv.Error):
        flagged = []
    known = sum(row.get("other_is_known_file") == "yes" for row in flagged)
    groups = len({row.get("cluster") for row in flagged if row.get("cluster")})
    return (f"<h2>Similarity</h2><p>{len(flagged) - known} flagged pairs in {groups} groups, {known} matches with "
            f'known outside solutions: <a href="{escape(HTML_NAME)}">the similarity page</a>, side by side '
            "(for instructors only; similarity is evidence to review, not a verdict).</p>")


def render_report(results: Dict[str, GradeResult], similarity: str = "") -> str:
    """The whole report page; `similarity` is the similarity section's HTML, if any."""
    scores = [result.score for result in results.values()]
    rates = check_pass_rates(results)
    flagged = {student: result.flags for student, result in results.items() if result.flags}
    slowest = sorted(results.items(), key=lambda item: item[1].execution_time, reverse=True)[:TOP]
    flag_counts = Counter(flag for flags in flagged.values() for flag in flags)
    summary = (f"{len(results)} submissions; median score {statistics.median(scores):g}, "
               f"mean {statistics.mean(scores):.3g} out of {max(r.max_score for r in results.values()):g}; "
               f"{len(flagged)} flagged." if results else "No submissions graded yet.")
    sections = [f"<h1>Item analysis</h1><p>{escape(summary)}</p>"]
    if results:
        sections += [
            f'<h2>Score distribution</h2><img alt="histogram of scores" src="{score_histogram(results)}">',
            "<h2>Checks: share of the class that passed</h2>",
            "<p>Per graded function, in the rubric's order (red: under 50% passed, orange: under 80%).</p>",
            pass_rate_bars(rates),
            "<p>The same checks, hardest first:</p>",
            table(["check", "kind", "passed", "graded", "% passed"],
                  [[n, k, p, g, 100 * p / g] for _, n, k, p, g in sorted(rates, key=lambda r: r[3] / r[4])]),
            "<h2>Most common diagnosed mistakes</h2>",
            table(["function", "mistake", "submissions"], [list(row) for row in common_mistakes(results)],
                  empty="No mistake was diagnosed."),
            "<h2>Flagged submissions</h2>",
            table(["flag", "submissions"], [list(row) for row in flag_counts.most_common()]) + table(
                ["student", "flags", "score"],
                [[student, ", ".join(flags), results[student].score] for student, flags in sorted(flagged.items())])
            if flagged else "<p>No submission was flagged.</p>",
            "<h2>Slowest submissions</h2>",
            table(["student", "grading time (s)", "score"],
                  [[student, result.execution_time, result.score] for student, result in slowest]),
        ]
    sections.append(similarity)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Item analysis</title>'
            f"<style>{STYLE}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n")


def write_report(grades: Path, results: Dict[str, GradeResult]) -> Path:
    path = grades / REPORT_NAME
    gradebook.write_text_atomically(path, render_report(results, similarity_section(grades)))
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("grades", type=Path, help="grades folder written by grade-all or merge")


def run(args: argparse.Namespace) -> int:
    if not args.grades.is_dir():
        print(f"error: {args.grades} is not a folder: give the grades folder written by grade-all or merge")
        return 2
    try:
        results = gradebook.load_grades(args.grades)
    except gradebook.GradesError as error:
        print(f"error: {error}")
        return 2
    print(f"wrote {write_report(args.grades, results)} ({len(results)} submissions)")
    return 0
