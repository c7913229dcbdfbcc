"""Precision and recall of `similarity` on the kit's own evaluation set, per transformation.

The set: the seven independent students of originals.py (every loss written
in its own style, filled into the release's stubs), and for each transformation
of disguise.py a copy of every student made by that transformation (the copies'
losses are checked against the reference, so a disguise never breaks the code).
For each transformation, a class of the 7 originals and their 7 copies is
analysed like a real one (starter discounted, common fragments from the class);
"mixed" is one class of the originals with all 49 copies (groups of 8 copies of
one origin); "edited ring" gives every original three copies, each edited by hand
in other places (disguise.HARDER), so that no copy is near-identical to another.
A pair is truly copied when both sides come from the same student. Per loss
function, a pair counts as flagged when that function's score reaches the
threshold (the score column of similarity.csv); positives whose function the
transformation left unchanged (text identical) are not counted. "any unit" is
the pair-level verdict of the report (some function or module flagged).
Run: python -m benchmarks.similarity_eval.evaluate [--scores]
"""
import argparse
import ast
import itertools
from typing import Dict, List, Tuple

from autograder.similarity import compare
from autograder.similarity.compare import Release, Units

from . import disguise, originals

Class = Dict[str, Tuple[int, Dict[str, str]]]  # entry name -> (origin, modules)


RELEASE = Release.from_folder(Units.of(originals.ASSIGNMENT), originals.STARTER)


def function_text(modules: Dict[str, str], unit: str) -> str:
    module, qualified = originals.ASSIGNMENT.location(unit)
    tree = ast.parse(modules[module])
    name = qualified.split(".")[-1]
    found = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == name]
    return ast.get_source_segment(modules[module], found[-1]) if found else ""


def make_class(transformations: List[str]) -> Class:
    students: Class = {}
    for student in range(originals.STUDENTS):
        modules = originals.build_modules(student)
        students[f"s{student}"] = (student, modules)
        for name in transformations:
            transform = disguise.TRANSFORMATIONS.get(name) or disguise.HARDER[name]
            copy = {module: transform(text) for module, text in modules.items()}
            originals.check_correct(copy)
            students[f"s{student}-{name}"] = (student, copy)
    return students


def measure(students: Class, units: List[str]) -> Dict[str, Tuple[int, int, int, float, float]]:
    """Per unit (and 'any unit'): TP, FP, FN, lowest positive score, highest negative score."""
    entries = {name: RELEASE.entry(name, {m: t.encode() for m, t in modules.items()})
               for name, (_, modules) in students.items()}
    analysis = compare.analyse(entries, RELEASE)
    listed = {(pair.a, pair.b): pair for pair in analysis.pairs}
    listed.update({(pair.b, pair.a): pair for pair in analysis.pairs})
    counts = {}
    for unit in units + ["any unit"]:
        tp = fp = fn = 0
        lowest, highest = 1.0, 0.0
        for a, b in itertools.combinations(students, 2):
            (origin_a, modules_a), (origin_b, modules_b) = students[a], students[b]
            pair = listed.get((a, b))
            if unit == "any unit":
                flagged, score = bool(pair and pair.flagged), pair.strength if pair else 0.0
            else:
                if origin_a == origin_b and function_text(modules_a, unit) == function_text(modules_b, unit):
                    continue
                score = pair.scores.get(unit, 0.0) if pair else 0.0
                flagged = score >= compare.THRESHOLD
            if origin_a == origin_b:
                tp, fn, lowest = tp + flagged, fn + (not flagged), min(lowest, score)
            else:
                fp, highest = fp + flagged, max(highest, score)
        counts[unit] = (tp, fp, fn, lowest, highest)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scores", action="store_true",
                        help="also print [lowest score of a copy vs highest of two independent students]")
    args = parser.parse_args()
    units = list(originals.LOSSES)
    classes = {name: [name] for name in disguise.TRANSFORMATIONS}
    classes["mixed"] = list(disguise.TRANSFORMATIONS)
    classes.update({name: [name] for name in disguise.HARDER if "@" not in name})
    classes["edited ring"] = [name for name in disguise.HARDER if name.startswith("all+hand_edits")]
    print(f"threshold {compare.THRESHOLD}; precision / recall (copies found / copies) per loss function")
    print("| transformation | " + " | ".join(units + ["any unit"]) + " |")
    print("|---" * (len(units) + 2) + "|")
    for name, transformations in classes.items():
        counts = measure(make_class(transformations), units)
        cells = []
        for unit in units + ["any unit"]:
            tp, fp, fn, lowest, highest = counts[unit]
            precision = f"{tp / (tp + fp):.2f}" if tp + fp else "-"
            cell = f"{precision} / {tp / (tp + fn):.2f} ({tp}/{tp + fn})" if tp + fn else f"{precision} / -"
            cells.append(cell + (f" [{lowest:.2f} vs {highest:.2f}]" if args.scores else ""))
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
