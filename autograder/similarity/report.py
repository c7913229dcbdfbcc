"""similarity.csv (every listed pair, scores per unit) and similarity.html (clusters, side-by-side views).

Both are for instructors only and go to the grades folder, never into a
student's feedback. Every string that comes from a submission (names, code,
file names) is escaped by Jinja2's autoescaping; the CSV neutralises cells a
spreadsheet would read as formulas.
"""
import csv
import io
from dataclasses import dataclass
from itertools import zip_longest
from pathlib import Path
from typing import Dict, List, Optional, Set, Tuple

from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import compare, fingerprints
from .compare import Analysis, Entry, Pair
from .normalise import source_lines

MAX_VIEWS = 150        # side-by-side views on the page, strongest pairs first
PAIRS_PER_GROUP = 12   # pairs listed per group in the table of groups
MAX_LINES = 400        # lines shown per side of a view
MAX_LINE_CHARS = 240   # characters shown per line
COLOURS = 8


def _cell(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (and that any encoder can write)."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")  # a file name's undecodable bytes
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def pairs_csv(analysis: Analysis) -> str:
    """One row per listed pair, strongest first: who, verdict, cluster, score and shared fingerprints per unit."""
    cluster_of = {name: index for index, (members, _) in enumerate(compare.clusters(analysis.pairs), 1)
                  for name in members}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    units = list(analysis.units.locations)
    writer.writerow(["student", "other", "other_is_known_file", "flagged", "strength", "cluster", "flagged_units"]
                    + [f"score_{unit}" for unit in units] + [f"shared_{unit}" for unit in units])
    for pair in sorted(analysis.pairs, key=lambda p: (-p.strength, p.a, p.b)):
        cluster = "" if pair.known or not pair.flagged else cluster_of.get(pair.a, "")
        writer.writerow([_cell(pair.a), _cell(pair.b), "yes" if pair.known else "no", "yes" if pair.flagged else "no",
                         f"{pair.strength:.3f}", cluster, " ".join(pair.flagged_units(analysis.units))]
                        + [f"{pair.scores[u]:.3f}" if u in pair.scores else "" for u in units]
                        + [pair.matched.get(u, "") for u in units])
    return buffer.getvalue()


@dataclass
class View:
    """One unit of one pair, side by side: rows of (line, text, colour) per side; colour -1 is unmatched."""
    unit: str
    score: float
    shared: int
    rows: List[Tuple[Optional[Tuple[int, str, int]], Optional[Tuple[int, str, int]]]]


def _region_colours(prints: compare.Prints, shared: Set[int]) -> Dict[int, int]:
    """Colour of each shared fingerprint: that of the run of matched lines it starts in on the left side."""
    lines = sorted({line for h in shared for start, end in prints[h] for line in range(start, end + 1)})
    run_of, run = {}, -1
    for index, line in enumerate(lines):
        run += index == 0 or line != lines[index - 1] + 1
        run_of[line] = run
    return {h: run_of[min(start for start, _ in prints[h])] % COLOURS for h in sorted(shared)}


def _side(entry: Entry, unit: str, colours: Dict[int, int]) -> List[Tuple[int, str, int]]:
    module, first, last = entry.where[unit]
    line_colour: Dict[int, int] = {}
    for h, colour in sorted(colours.items(), key=lambda item: item[1]):
        for start, end in entry.prints[unit].get(h, ()):
            for line in range(start, end + 1):
                line_colour.setdefault(line, colour)
    lines = [line.rstrip("\r\n") for line in source_lines(entry.modules[module].text)]
    lines = lines[first - 1:min(last, first + MAX_LINES - 1)]
    return [(first + i, text[:MAX_LINE_CHARS], line_colour.get(first + i, -1)) for i, text in enumerate(lines)]


def views(analysis: Analysis, pair: Pair) -> List[View]:
    """Side-by-side views of the units that flag a pair (or its best unit), matched lines coloured alike."""
    left = analysis.entries[pair.a]
    right = (analysis.known if pair.known else analysis.entries)[pair.b]
    units = pair.flagged_units(analysis.units) or [max(pair.scores, key=pair.scores.get)]
    shown = []
    for unit in units:
        if unit not in left.where or unit not in right.where:
            continue
        shared = (set(left.prints[unit]) & set(right.prints[unit])) - \
            (analysis.starter if pair.known else analysis.excluded[unit])
        colours = _region_colours(left.prints[unit], shared)
        rows = list(zip_longest(_side(left, unit, colours), _side(right, unit, colours)))
        shown.append(View(unit, pair.scores[unit], pair.matched[unit], rows))
    return shown


def render_html(analysis: Analysis, release_found: bool, known_folder: str = "") -> str:
    """The whole page (see templates/similarity.html), in ASCII: anything else is a character reference,
    so neither the locale's encoding nor a file name's undecodable bytes can stop it being written."""
    environment = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                              autoescape=select_autoescape(default=True, default_for_string=True))
    flagged = analysis.flagged()
    shown = flagged[:MAX_VIEWS]
    anchors = {(pair.a, pair.b, pair.known): f"pair-{index}" for index, pair in enumerate(shown, 1)}
    page = environment.get_template("similarity.html").render(
        analysis=analysis, clusters=compare.clusters(analysis.pairs), known=[p for p in flagged if p.known],
        shown=[(anchors[(p.a, p.b, p.known)], p, views(analysis, p)) for p in shown], anchors=anchors,
        hidden=len(flagged) - len(shown), units=list(analysis.units.locations), compare=compare,
        release_found=release_found, k=fingerprints.K, window=fingerprints.WINDOW, pairs_per_group=PAIRS_PER_GROUP,
        known_folder=known_folder,
        problems=sorted((name, problem) for name, entry in analysis.entries.items() for problem in entry.problems))
    return page.encode("ascii", "xmlcharrefreplace").decode("ascii")
