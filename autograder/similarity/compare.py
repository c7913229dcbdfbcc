"""Score every pair of a class, per graded function and per module, without all-pairs work on text.

Each submission (or known file) is reduced to winnowed fingerprints per unit
(normalise.py, fingerprints.py). Fingerprints that carry no evidence are
dropped before any pair is scored:
- the release's starter code (signatures, given lines, docstrings);
- fragments common to the class: those found in at least COMMON_SHARE of the
  class's independent lineages (and at least COMMON_MIN of them). A lineage is
  a group of submissions linked by copy-like similarity (pooled Dice >= LINEAGE),
  counted once, so a copy ring, even one edited in different places per copy,
  cannot make its own copied code look "common". Against a known file, a unit
  that keeps at least VERBATIM of it with only the starter discounted matches it
  however common it is: a public solution the whole class copied is still found.
A unit's score for a pair is the Dice coefficient 2|A & B| / (|A| + |B|) of
what remains, scaled down by shared / MIN_SHARED when the two share fewer than
MIN_SHARED fingerprints (a one-line function or a two-line step of a loop cannot
tell anyone apart), so that one rule, score >= THRESHOLD, flags a unit. Pairs
come from sparse matrix products over fingerprint columns, a block of rows at a
time, so time and memory grow with the number of fingerprints, not with text.
"""
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

import numpy as np
from scipy import sparse

from ..assignment import Assignment
from .fingerprints import Span, statement_prints, winnow
from .normalise import MAX_CHARS, Module, normalise_module

THRESHOLD = 0.5      # a pair is flagged when one of its units scores at least this
MIN_SHARED = 24      # kept fingerprints two units must share for a full score (about 6 lines of own code)
LINEAGE = 0.5        # pooled Dice that links two submissions into one lineage when counting what is common
COMMON_SHARE = 0.2   # share of lineages from which a fragment counts as common to the class
COMMON_MIN = 3       # ... and at least this many lineages
LARGEST_LINEAGE = 0.5  # share of the class one lineage may hold at most
MAJORITY = 0.9       # share of the class from which a fragment is ignored when finding lineages (a release)
VERBATIM = 0.8       # a unit this close to a known file (only the starter discounted) matches it, however common
LISTED = 0.3         # pairs below this in every unit are not listed
RECORDED = 0.1       # unit scores below this are not kept (blank in the CSV)
BLOCK = 256          # rows per sparse product block (bounds memory)

Prints = Dict[int, List[Span]]
Location = Tuple[str, str]  # (module, qualified name in it; the module's own name for the whole module)


@dataclass(frozen=True)
class Units:
    """The units compared for an assignment: each graded function, then each graded module as a whole."""
    functions: Dict[str, Location]  # graded function -> (module, qualified name in it), in the rubric's order
    modules: Tuple[str, ...]        # the graded modules (file stems); unit "<module>.py" is the whole module

    @classmethod
    def of(cls, assignment: Assignment) -> "Units":
        """The units of an assignment's graded functions and modules, in the rubric's order."""
        return cls({function: assignment.location(function) for function in assignment.functions},
                   assignment.modules)

    @cached_property
    def module_units(self) -> Dict[str, Location]:
        """One unit per graded module, named like its file."""
        return {f"{module}.py": (module, module) for module in self.modules}

    @cached_property
    def locations(self) -> Dict[str, Location]:
        """Every unit, functions first, and where it is."""
        return {**self.functions, **self.module_units}


@dataclass
class Entry:
    """One submission or known file: parsed modules (for display) and fingerprints per unit."""
    name: str
    modules: Dict[str, Module] = field(default_factory=dict)
    prints: Dict[str, Prints] = field(default_factory=dict)
    where: Dict[str, Tuple[str, int, int]] = field(default_factory=dict)  # unit -> (module, first, last line)
    problems: List[str] = field(default_factory=list)


@dataclass(slots=True)
class Pair:
    """Two entries' scores per unit (see the module's docstring) and how many fingerprints they share."""
    a: str
    b: str
    scores: Dict[str, float]
    matched: Dict[str, int]
    known: bool = False         # b is a known outside solution
    strength: float = 0.0       # the best score of any unit, set once scoring is complete

    @property
    def flagged(self) -> bool:
        return self.strength >= THRESHOLD

    def flagged_units(self, units: Units) -> List[str]:
        """The units scoring at least THRESHOLD, in the units' order."""
        return [unit for unit in units.locations if self.scores.get(unit, 0.0) >= THRESHOLD]


@dataclass
class Analysis:
    """Everything the report needs: the units, entries, listed pairs, discounted fingerprints per unit."""
    units: Units
    entries: Dict[str, Entry]
    known: Dict[str, Entry]
    pairs: List[Pair]
    excluded: Dict[str, Set[int]]  # per unit: the starter's fingerprints and those common to the class
    starter: Set[int] = field(default_factory=set)

    def flagged(self) -> List[Pair]:
        return sorted((pair for pair in self.pairs if pair.flagged), key=lambda pair: -pair.strength)


def entry_from_modules(name: str, modules: Dict[str, Module], units: Units) -> Entry:
    """An entry from parsed modules by module name (the graded modules' file stems)."""
    entry = Entry(name, modules)
    entry.problems = sorted({f"{module}.py {parsed.problem}" for module, parsed in modules.items() if parsed.problem})
    for unit, (module, qualified) in units.locations.items():
        parsed = modules.get(module)
        found = parsed and (parsed.units.get(qualified) or next(
            (u for key, u in parsed.units.items() if key.split(".")[-1] == qualified.split(".")[-1]), None))
        if found:
            entry.prints[unit] = {**winnow(found.tokens), **statement_prints(found.statements)}
            entry.where[unit] = (module, found.first_line, found.last_line)
    for parsed in modules.values():  # only fingerprints and the text are kept: memory stays bounded
        for unit_tokens in parsed.units.values():
            unit_tokens.tokens, unit_tokens.statements = [], []
        parsed.text = parsed.text[:MAX_CHARS]  # what was compared is what can be shown
        parsed.statements = set()
    return entry


class Release:
    """An assignment's units and the release's starter modules: their lines are left out of every unit,
    their fingerprints discounted."""

    def __init__(self, units: Units, sources: Dict[str, bytes]):
        self.units = units
        modules = {module: normalise_module(source, module) for module, source in sources.items()}
        self.given = {module: frozenset(parsed.statements) for module, parsed in modules.items()}
        skeleton = self.entry("starter", sources)  # what is left of the starter without its given lines
        self.prints = {h for entry in (entry_from_modules("starter", modules, units), skeleton)
                       for unit in entry.prints.values() for h in unit}

    @classmethod
    def from_folder(cls, units: Units, folder: Optional[Path]) -> "Release":
        """The starter modules found in folder (none if folder is None)."""
        files = {module: folder / f"{module}.py" for module in units.modules} if folder else {}
        return cls(units, {module: path.read_bytes() for module, path in files.items() if path.is_file()})

    def entry(self, name: str, sources: Dict[str, bytes]) -> Entry:
        """An entry from a submission's module sources by module name."""
        return entry_from_modules(name, {module: normalise_module(source, module, self.given.get(module, frozenset()))
                                         for module, source in sources.items()}, self.units)

    def known_file(self, name: str, source: bytes) -> Entry:
        """An entry from one outside file: the graded functions defined in it, and the module if named like one."""
        stem = name.rsplit("/", 1)[-1][:-3] if name.endswith(".py") else ""
        if stem in self.units.modules:
            return self.entry(name, {stem: source})
        given = frozenset().union(*self.given.values())
        parsed = normalise_module(source, stem, given)
        entry = entry_from_modules(name, {module: parsed for module in self.units.modules}, self.units)
        for unit in self.units.module_units:
            entry.prints.pop(unit, None)
        return entry


def _matrix(rows: List[Prints], columns: Dict[int, int]) -> sparse.csr_matrix:
    indices, indptr = [], [0]
    for prints in rows:
        indices.extend(sorted({columns[h] for h in prints if h in columns}))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(columns)))


def _products(left: sparse.csr_matrix, right: sparse.csr_matrix, same: bool) -> Iterable[Tuple[int, int, int]]:
    """(row of left, row of right, shared fingerprints) for every pair sharing one, a block of rows at a time."""
    for start in range(0, left.shape[0], BLOCK):
        block = (left[start:start + BLOCK] @ right.T).tocoo()
        for i, j, value in zip(block.row, block.col, block.data):
            i += start
            if not same or i < j:
                yield int(i), int(j), int(value)


class _Lineages:
    """Union-find over entry indices, with the size of each group."""

    def __init__(self, size: int):
        self.parent = list(range(size))
        self.size = [1] * size

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int, largest: Optional[int] = None) -> None:
        """Join the groups of i and j, unless the result would hold more than `largest` entries."""
        i, j = self.find(i), self.find(j)
        if i != j and (largest is None or self.size[i] + self.size[j] <= largest):
            self.parent[i] = j
            self.size[j] += self.size[i]


def lineages(entries: List[Entry], starter: Set[int]) -> List[int]:
    """Lineage id per entry: entries linked by pooled Dice (over all units) >= LINEAGE share one.

    Fingerprints in at least MAJORITY of the entries are left out first: code given to (nearly) everybody by a
    release the kit does not know (the course's original one, say) must not make independent students one lineage.
    """
    pooled = [{h: spans for unit in entry.prints.values() for h, spans in unit.items() if h not in starter}
              for entry in entries]
    counts = Counter(h for prints in pooled for h in prints)
    majority = {h for h, count in counts.items() if count >= max(COMMON_MIN, MAJORITY * len(entries))}
    pooled = [{h: spans for h, spans in prints.items() if h not in majority} for prints in pooled]
    columns = {h: i for i, h in enumerate({h for prints in pooled for h in prints})}
    matrix = _matrix(pooled, columns)
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    links = sorted(((2 * shared / (sizes[i] + sizes[j]), i, j) for i, j, shared in _products(matrix, matrix, True)
                    if 2 * shared >= LINEAGE * (sizes[i] + sizes[j])), reverse=True)
    groups = _Lineages(len(entries))
    for _, i, j in links:  # strongest links first; no lineage swallows the class (then nothing would be common)
        groups.union(i, j, largest=max(2, int(LARGEST_LINEAGE * len(entries))))
    return [groups.find(i) for i in range(len(entries))]


def common_prints(rows: List[Prints], lineage: List[int]) -> Set[int]:
    """Fingerprints found in at least max(COMMON_MIN, COMMON_SHARE * lineages) distinct lineages."""
    seen: Dict[int, Set[int]] = {}
    for prints, group in zip(rows, lineage):
        for h in prints:
            seen.setdefault(h, set()).add(group)
    count = len({group for prints, group in zip(rows, lineage) if prints})
    limit = max(COMMON_MIN, COMMON_SHARE * count)
    return {h for h, groups in seen.items() if len(groups) >= limit}


def _score_unit(unit: str, left: List[Prints], right: List[Prints], excluded: Set[int], same: bool,
                pairs: Dict[Tuple[int, int], Pair], names: Tuple[List[str], List[str]]) -> None:
    vocabulary = {h for prints in left + ([] if same else right) for h in prints if h not in excluded}
    columns = {h: i for i, h in enumerate(vocabulary)}
    a, b = _matrix(left, columns), _matrix(right, columns)
    size_a, size_b = np.asarray(a.sum(axis=1)).ravel(), np.asarray(b.sum(axis=1)).ravel()
    for i, j, shared in _products(a, b, same):
        score = 2 * shared / (size_a[i] + size_b[j]) * min(1.0, shared / MIN_SHARED)
        if score < RECORDED:  # most pairs share a fingerprint or two: keeping them all would cost memory
            continue
        pair = pairs.get((i, j))
        if pair is None:
            pair = pairs[(i, j)] = Pair(names[0][i], names[1][j], {}, {}, known=not same)
        pair.scores[unit], pair.matched[unit] = float(score), shared


def analyse(entries: Dict[str, Entry], release: Release, known: Optional[Dict[str, Entry]] = None) -> Analysis:
    """Score every pair of entries (and every entry against every known file) per unit of the release's."""
    known = known or {}
    names = list(entries)
    rows = [entries[name] for name in names]
    starter_prints = release.prints
    lineage = lineages(rows, starter_prints)
    excluded: Dict[str, Set[int]] = {}
    class_pairs: Dict[Tuple[int, int], Pair] = {}
    known_pairs: Dict[Tuple[int, int], Pair] = {}
    known_names = list(known)
    for unit in release.units.locations:
        unit_rows = [entry.prints.get(unit, {}) for entry in rows]
        excluded[unit] = starter_prints | common_prints(unit_rows, lineage)
        _score_unit(unit, unit_rows, unit_rows, excluded[unit], True, class_pairs, (names, names))
        if known:
            known_rows = [known[name].prints.get(unit, {}) for name in known_names]
            _score_unit(unit, unit_rows, known_rows, excluded[unit], False, known_pairs, (names, known_names))
            verbatim: Dict[Tuple[int, int], Pair] = {}  # a known file the whole class copied is common, yet a match
            _score_unit(unit, unit_rows, known_rows, starter_prints, False, verbatim, (names, known_names))
            for key, copied in verbatim.items():
                pair = known_pairs.setdefault(key, Pair(copied.a, copied.b, {}, {}, known=True))
                if copied.scores[unit] >= VERBATIM and copied.scores[unit] > pair.scores.get(unit, 0.0):
                    pair.scores[unit], pair.matched[unit] = copied.scores[unit], copied.matched[unit]
    listed = []
    for pair in list(class_pairs.values()) + list(known_pairs.values()):
        pair.strength = max(pair.scores.values(), default=0.0)
        if pair.strength >= LISTED:
            listed.append(pair)
    return Analysis(release.units, entries, known, listed, excluded, starter_prints)


def clusters(pairs: List[Pair]) -> List[Tuple[List[str], List[Pair]]]:
    """Groups of students linked by flagged pairs (known files excluded), strongest first."""
    flagged = [pair for pair in pairs if pair.flagged and not pair.known]
    names = sorted({name for pair in flagged for name in (pair.a, pair.b)})
    index = {name: i for i, name in enumerate(names)}
    groups = _Lineages(len(names))
    for pair in flagged:
        groups.union(index[pair.a], index[pair.b])
    members: Dict[int, List[str]] = {}
    for name in names:
        members.setdefault(groups.find(index[name]), []).append(name)
    result = [(group, sorted((p for p in flagged if p.a in group), key=lambda p: -p.strength))
              for group in members.values()]
    return sorted(result, key=lambda item: (-item[1][0].strength, -len(item[0]), item[0]))
