"""similarity: disguised copies are found, independent solutions and shared starter code are not, hostile files
are survived, and the instructor's page escapes everything that comes from a submission."""
import csv
import os
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from autograder.__main__ import main
from autograder.assignment import Assignment, load
from autograder.batch import gradebook
from autograder.pipeline.results import GradeResult
from autograder.similarity import CSV_NAME, HTML_NAME, compare, report
from autograder.similarity.compare import Release, Units
from autograder.similarity.fingerprints import statement_prints
from autograder.similarity.normalise import normalise_module
from autograder.verbs.report import REPORT_NAME, write_report
from benchmarks.similarity_eval import disguise, originals

LOSSES = list(originals.LOSSES)
ASSIGNMENT = load("linear_classifiers")
UNITS = Units.of(ASSIGNMENT)
STARTER = ASSIGNMENT.release_dir / ASSIGNMENT.module_folder


@pytest.fixture(scope="module")
def release() -> Release:
    return Release.from_folder(UNITS, STARTER)


@pytest.fixture(scope="module")
def students():
    return [originals.build_modules(student) for student in range(originals.STUDENTS)]


@pytest.fixture(scope="module")
def fingerprinted(release, students):
    """The independent students' entries, fingerprinted once."""
    return {f"s{i}": entry(release, f"s{i}", modules) for i, modules in enumerate(students)}


def entry(release, name, modules):
    return release.entry(name, {module: text.encode() for module, text in modules.items()})


def analyse(release, modules_by_name, ready=None):
    """Analysis of a class: modules to fingerprint by name, plus entries already fingerprinted."""
    entries = {name: entry(release, name, modules) for name, modules in modules_by_name.items()}
    return compare.analyse({**entries, **(ready or {})}, release)


def pair_of(analysis, a, b):
    return next((p for p in analysis.pairs if {p.a, p.b} == {a, b}), None)


def tokens(source: str, unit: str = "f"):
    return [token for token, _ in normalise_module(source.encode(), "m").units[unit].tokens]


def test_normalisation_ignores_names_layout_comments_literals_order_and_loop_form():
    original = '''
def f(W, X):
    """Docstring."""
    total = 0
    for row in X:
        total += row.sum()   # comment
    rows = []
    for i in range(3):
        if i > 0:
            rows.append(i * 2)
    a = X @ W
    b = np.maximum(0, a)
    return total, rows, b
'''
    disguised = '''
def f(weights, data):
    # a new comment
    b_ = np.maximum(0.0,
                    data@weights)  if False else None
    rows_list = [k * 2.0 for k in range(3) if k > 0]
    acc = sum(r.sum() for r in data)
    return acc, rows_list, b_
'''
    reordered = '''
def f(weights, data):
    rows_list = [k * 2.0 for k in range(3) if k > 0]
    first = data @ weights
    acc = sum(r.sum() for r in data)
    second = np.maximum(0, first)
    return acc, rows_list, second
'''
    assert tokens(original) == tokens(reordered)
    assert tokens(original) != tokens(disguised), "a changed expression is a change"


DISGUISES = {**disguise.TRANSFORMATIONS, "equivalents": disguise.HARDER["equivalents"]}


def test_a_bare_numpy_call_does_not_pin_the_order_and_arithmetic_on_numbers_is_a_number():
    written = "def f(W, X):\n    c = np.zeros(3)\n    np.add.at(c, X, 1)\n    s = np.sum(W) * 0.5\n    return c, s\n"
    moved = ("def f(W, X):\n    s = np.sum(W) * (1 / 2)\n    c = np.zeros(3)\n    np.add.at(c, X, -(-1))\n"
             "    return c, s\n")
    assert tokens(written) == tokens(moved)
    looped = "def f(W, X):\n    t = 0\n    for x in X:\n        t += x @ W\n    return t\n"
    assert tokens(looped) == tokens("def f(W, X):\n    t = np.sum([x.dot(W) for x in X])\n    return t\n")


@pytest.mark.parametrize("transformation", list(DISGUISES))
def test_each_disguise_alone_and_combined_is_found_in_every_loss(release, students, fingerprinted, transformation):
    for student in (2, 6):  # styles with lists and sums to rewrite, and statements to reorder
        copy = {module: DISGUISES[transformation](text) for module, text in students[student].items()}
        assert copy != students[student]
        originals.check_correct(copy)  # a disguise keeps the code working
        analysis = analyse(release, {"copy": copy}, fingerprinted)
        pair = pair_of(analysis, f"s{student}", "copy")
        assert pair is not None and pair.flagged
        assert set(LOSSES) <= set(pair.flagged_units(UNITS)), (transformation, student, pair.scores)


def test_a_copy_edited_statement_by_statement_is_still_flagged(release, students, fingerprinted):
    """Every third assignment rewritten: the short functions may drop under the threshold, the pair does not."""
    for student in range(originals.STUDENTS):
        copy = {module: disguise.HARDER["all+hand_edits"](text) for module, text in students[student].items()}
        pair = pair_of(analyse(release, {"copy": copy}, fingerprinted), f"s{student}", "copy")
        assert pair.flagged and pair.strength >= 0.6, (student, pair.scores)


def test_untouched_statements_keep_their_fingerprints_when_their_neighbours_are_edited():
    lines = ["scores = X.dot(W)", "correct = scores[np.arange(X.shape[0]), y]",
             "margins = np.maximum(0, scores - correct[:, None] + 1)", "margins[np.arange(X.shape[0]), y] = 0",
             "loss = margins.sum() / X.shape[0] + reg * np.sum(W * W)", "mask = (margins > 0).astype(float)"]
    edited = [line if i % 2 else line.replace(" = ", " = (", 1) + ") if True else None" for i, line in enumerate(lines)]

    def statements(body):
        source = "def f(W, X, y, reg):\n" + "".join(f"    {line}\n" for line in body)
        return set(statement_prints(normalise_module(source.encode(), "m").units["f"].statements))
    assert len(statements(lines) & statements(edited)) == 3


def test_independent_solutions_are_not_flagged(release, fingerprinted):
    analysis = compare.analyse(fingerprinted, release)
    assert analysis.flagged() == [], [(p.a, p.b, p.scores) for p in analysis.flagged()]


def test_a_copy_ring_is_not_discounted_as_common_code(release, students, fingerprinted):
    """Seven copies of one student in a class of fourteen: their code is in half the class, but in one lineage."""
    ring = {f"copy-{name}": {m: transform(t) for m, t in students[0].items()}
            for name, transform in disguise.TRANSFORMATIONS.items()}
    analysis = analyse(release, ring, fingerprinted)
    members, _ = compare.clusters(analysis.pairs)[0]
    assert sorted(members) == sorted(["s0", *ring])
    assert all(pair.a in members and pair.b in members for pair in analysis.flagged())


def test_a_ring_of_imperfect_copies_is_not_discounted_as_common_code(release, students):
    """Three originals, each with three copies edited in different places: in a class this small, the
    shared code is in most lineages unless copies that score as copies count as one lineage."""
    ring = {}
    for student in range(3):
        ring[f"s{student}"] = students[student]
        for offset in range(3):
            ring[f"s{student}-{offset}"] = {module: disguise.everything(disguise.hand_edits(text, offset))
                                            for module, text in students[student].items()}
    flagged = analyse(release, ring).flagged()
    assert {frozenset((pair.a[:2], pair.b[:2])) for pair in flagged} == {frozenset([f"s{i}"]) for i in range(3)}
    assert len(flagged) == 3 * 6, "every pair within each group of four"


def test_no_lineage_swallows_the_class():
    """A chain of overlapping submissions stops at half the class, so something can still be common."""
    chain = [compare.Entry(f"e{i}", prints={"svm_loss_naive": {h: [(1, 1)] for h in range(10 * i, 10 * i + 30)}})
             for i in range(10)]
    sizes = Counter(compare.lineages(chain, set()))
    assert max(sizes.values()) == 5 and sum(sizes.values()) == 10


def test_the_release_and_common_idioms_are_discounted(release, students):
    """Submitting the untouched release, or sharing only a class-wide idiom, is not suspicious."""
    starter = {module: (STARTER / f"{module}.py").read_text() for module in originals.MODULES}
    idiom = ("scores = X @ W\nmargins = np.maximum(0, scores - scores[np.arange(X.shape[0]), y][:, None] + 1)\n"
             "margins[np.arange(X.shape[0]), y] = 0\nloss = margins.sum() / X.shape[0] + reg * np.sum(W * W)\n")
    with_idiom = {}
    for i, modules in enumerate(students):
        with_idiom[f"s{i}"] = dict(modules)
        body = "\n".join("    " + line for line in idiom.splitlines())
        with_idiom[f"s{i}"]["linear_svm"] = modules["linear_svm"].replace(
            "def svm_loss_vectorized(W, X, y, reg):\n", "def svm_loss_vectorized(W, X, y, reg):\n" + body + "\n")
    analysis = analyse(release, {"blank1": starter, "blank2": starter, **with_idiom})
    assert analysis.flagged() == [], [(p.a, p.b, p.scores) for p in analysis.flagged()]
    common = analysis.excluded["svm_loss_vectorized"] - release.prints
    assert common, "the idiom shared by the whole class is discounted"
    alone = analyse(release, {"s1": with_idiom["s1"], "s2": with_idiom["s2"]})
    in_class = pair_of(analysis, "s1", "s2")
    assert pair_of(alone, "s1", "s2").matched["svm_loss_vectorized"] > \
        (in_class.matched.get("svm_loss_vectorized", 0) if in_class else 0)


GIVEN = """
    num_train, num_classes = X.shape[0], W.shape[1]
    for i in range(num_train):
        scores = X[i].dot(W)
        correct_class_score = scores[y[i]]
        for j in range(num_classes):
            if j == y[i]:
                continue
            margin = scores[j] - correct_class_score + 1
            if margin > 0:
                given_loss = margin
"""


def test_a_release_the_kit_does_not_know_is_discounted_as_common_code(students):
    """CS231n's own release gives code the kit's starter lacks: shared by every lineage, it flags nobody."""
    unknown_release = Release(UNITS, {})

    def with_given(modules):
        changed = dict(modules)
        for module in ("linear_svm", "softmax"):
            for function in LOSSES:
                docstring_end = changed[module].find('"""\n', changed[module].find(f"def {function}(") + 40)
                if function in changed[module]:
                    changed[module] = changed[module][:docstring_end + 4] + GIVEN + changed[module][docstring_end + 4:]
        return changed
    given = {f"s{i}": with_given(modules) for i, modules in enumerate(students)}
    copies = {f"{name}-copy": {m: disguise.everything(t) for m, t in given[name].items()} for name in ("s1", "s4")}
    analysis = compare.analyse({name: entry(unknown_release, name, modules)
                                for name, modules in {**given, **copies}.items()}, unknown_release)
    flagged = {frozenset((pair.a, pair.b)) for pair in analysis.flagged()}
    assert flagged == {frozenset(("s1", "s1-copy")), frozenset(("s4", "s4-copy"))}


def test_python_2_code_is_read_and_compared(release, students, fingerprinted):
    """Old CS231n code: tabs, print statements and xrange, which Python 3's parser refuses."""
    python2 = {module: text.replace("    ", "\t").replace("range(", "xrange(").replace(
        "\treturn loss, dW\n", "\tprint 'loss', loss\n\treturn loss, dW\n") for module, text in students[2].items()}
    copy = release.entry("python2", {module: text.encode() for module, text in python2.items()})
    assert any("Python 2" in problem for problem in copy.problems)
    pair = pair_of(compare.analyse({**fingerprinted, "python2": copy}, release), "s2", "python2")
    assert set(LOSSES) <= set(pair.flagged_units(UNITS))


HOSTILE = {
    "syntax_error": b"import numpy as np\ndef broken(:\n    pass\n",
    "deep_nesting": b"x = " + b"-" * 200_000 + b"1\n",
    "deep_parentheses": b"x = " + b"(" * 199 + b"1" + b")" * 199 + b"\n",
    "deep_blocks": "".join("    " * i + "if x:\n" for i in range(95)).encode() + b"    " * 95 + b"y = 1\n",
    "not_utf8": b"def svm_loss_naive(W, X, y, reg):\n    s = '\xff\xfe\xfa'\n    return s\n",
    "latin1_declared": "# -*- coding: latin-1 -*-\ndef svm_loss_naive(W, X, y, reg):\n    s = 'é'\n".encode("latin-1"),
    "unknown_coding": b"# coding: no-such-codec\nx = 1\n",
    "null_bytes": b"x = 1\x00\x00\ndef f(:\n",
    "huge": b"x = 1\n" * 170_000,
    "empty": b"",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_sources_are_parsed_without_crashing(release, name):
    found = release.entry(name, {"linear_svm": HOSTILE[name], "softmax": HOSTILE[name]})
    assert isinstance(found.prints, dict)


def write_student(folder: Path, modules: dict) -> None:
    folder.mkdir(parents=True)
    for module, text in modules.items():
        (folder / f"{module}.py").write_bytes(text.encode() if isinstance(text, str) else text)


def test_the_verb_writes_csv_and_escaped_html_and_names_known_files(tmp_path, students, capsys):
    submissions, known = tmp_path / "submitted", tmp_path / "public"
    evil = "<script>alert(1)<\\script>"
    softmax = students[3]["softmax"]
    end = softmax.rindex("    return loss, dW")
    marked = dict(students[3], softmax=softmax[:end] + "    note = \"</td></tr><script>alert('code')</script>\"\n"
                  + softmax[end:])
    copied = {m: disguise.everything(t) for m, t in marked.items()}
    write_student(submissions / "s3" / "linear_classifiers" / "classifiers", students[3])
    write_student(submissions / evil / "linear_classifiers" / "classifiers", copied)
    write_student(submissions / "=HYPERLINK(1)" / "cs231n" / "classifiers", students[5])
    write_student(submissions / "hostile" / "classifiers", {"linear_svm": HOSTILE["deep_nesting"],
                                                           "softmax": HOSTILE["not_utf8"]})
    with zipfile.ZipFile(submissions / "zipped.zip", "w") as archive:
        for module, text in students[1].items():
            archive.writestr(f"classifiers/{module}.py", text)
    write_student(known / "someone" / "cs231n" / "classifiers", {"softmax": students[5]["softmax"]})
    (known / "notes.py").write_text("def f(:\n")
    assert main(["similarity", str(submissions), "--out", str(tmp_path / "grades"), "--known", str(known)]) == 0
    assert "5 submissions compared" in capsys.readouterr().out
    with (tmp_path / "grades" / CSV_NAME).open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    flagged = {frozenset((row["student"], row["other"])) for row in rows if row["flagged"] == "yes"}
    assert flagged == {frozenset(("s3", evil)), frozenset(("'=HYPERLINK(1)", "someone/cs231n/classifiers/softmax.py"))}
    html = (tmp_path / "grades" / HTML_NAME).read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;\\script&gt;" in html
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;alert(&#39;code&#39;)" in html, "the student's code, escaped" 
    assert "not a verdict" in html and "never show this page" in html
    assert "someone/cs231n/classifiers/softmax.py" in html


def test_a_known_solution_the_whole_class_copied_is_still_found(release, students):
    """Every student disguised the same public file: its code is common to the class, and still a match."""
    copies = {name: {module: transform(text) for module, text in students[4].items()}
              for name, transform in DISGUISES.items()}
    known = {"public/linear_svm.py": release.known_file("public/linear_svm.py", students[4]["linear_svm"].encode())}
    analysis = compare.analyse({name: entry(release, name, modules) for name, modules in copies.items()}, release,
                               known)
    matched = {pair.a for pair in analysis.flagged()
               if pair.known and "svm_loss_vectorized" in pair.flagged_units(UNITS)}
    assert matched == set(copies)


def test_undecodable_file_names_and_odd_characters_reach_the_files_intact(tmp_path, students):
    submissions = tmp_path / "submitted"
    submissions.mkdir()
    odd = os.fsdecode(b"caf\xe9-\xff")  # not UTF-8: os.listdir gives surrogates back
    for name in (odd, "zo\u00eb"):
        write_student(submissions / name / "classifiers", {
            module: text.replace('"""', '"""\u2603 \ufffd ', 1) for module, text in students[5].items()})
    assert main(["similarity", str(submissions), "--out", str(tmp_path / "grades")]) == 0
    html = (tmp_path / "grades" / HTML_NAME).read_bytes()
    assert html.isascii() and b"zo&#235;" in html and b"&#9731;" in html
    assert "zo\u00eb" in (tmp_path / "grades" / CSV_NAME).read_text(encoding="utf-8")


def test_the_verb_refuses_a_missing_folder(tmp_path, capsys):
    assert main(["similarity", str(tmp_path / "nothing")]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_the_units_are_the_graded_functions_then_the_graded_modules():
    assert list(UNITS.locations) == ["svm_loss_naive", "svm_loss_vectorized", "softmax_loss_naive",
                                     "softmax_loss_vectorized", "train", "predict",
                                     "linear_svm.py", "softmax.py", "linear_classifier.py"]
    assert UNITS.locations["train"] == ("linear_classifier", "LinearClassifier.train")


def test_another_assignment_is_compared_on_its_own_units():
    """Nothing of the comparison is tied to one assignment: units, CSV columns and views follow its functions."""
    toy = Assignment(name="toy", title="Toy", functions={"scale": "ops.scale", "fit": "model.Model.fit"},
                     kinds=(), notebook="toy.ipynb", package="toy")
    toy_units = Units.of(toy)
    assert list(toy_units.locations) == ["scale", "fit", "ops.py", "model.py"]
    ops = ("def scale(x, k):\n    low, high = x.min(axis=0), x.max(axis=0)\n    spread = np.maximum(high - low, 1e-8)\n"
           "    z = (x - low) / spread * k\n    z[np.isnan(z)] = 0\n    order = np.argsort(z, axis=1)[:, ::-1]\n"
           "    top = np.take_along_axis(z, order[:, :k], axis=1)\n    return top.mean(axis=1), order\n")
    model = "class Model:\n    def fit(self, X):\n        self.mean = X.mean(axis=0)\n        return self\n"
    sources = {"ops": ops.encode(), "model": model.encode()}
    release = Release(toy_units, {})
    analysis = compare.analyse({name: release.entry(name, sources) for name in ("a", "b")}, release)
    [pair] = analysis.flagged()
    assert pair.flagged_units(toy_units)[:1] == ["scale"] and "ops.py" in pair.flagged_units(toy_units)
    header = report.pairs_csv(analysis).splitlines()[0].split(",")
    assert header[7:] == [f"{kind}_{unit}" for kind in ("score", "shared") for unit in toy_units.locations]
    assert [view.unit for view in report.views(analysis, pair)][:1] == ["scale"]


def test_an_existing_item_analysis_report_is_rebuilt_with_the_link(tmp_path, students, capsys):
    grades = tmp_path / "grades"
    result = GradeResult(ASSIGNMENT.name, submission="s", checks=[], execution_time=1.0)
    gradebook.save_result(grades, "s0", result, {"submission": "s", "grader": "g"})
    write_report(grades, gradebook.load_grades(grades), ASSIGNMENT)
    assert HTML_NAME not in (grades / REPORT_NAME).read_text()
    for student in (0, 1):
        write_student(tmp_path / "submitted" / f"s{student}" / "classifiers", students[student])
    assert main(["similarity", str(tmp_path / "submitted"), "--out", str(grades)]) == 0
    assert f'href="{HTML_NAME}"' in (grades / REPORT_NAME).read_text()
    assert "rebuilt" in capsys.readouterr().out


def test_the_side_by_side_view_keeps_python_line_numbers_despite_odd_line_ends(release, students):
    odd = '"""A form feed \x0c, a line separator \u2028 and a next line \x85 in a docstring."""\n'
    modules = dict(students[2], linear_svm=odd + students[2]["linear_svm"])
    analysis = analyse(release, {"a": modules, "b": dict(students[2], linear_svm=odd * 2 + students[2]["linear_svm"])})
    views = report.views(analysis, pair_of(analysis, "a", "b"))
    left, right = next(view for view in views if view.unit == "svm_loss_naive").rows[0]
    assert left[1].startswith("def svm_loss_naive(W, X, y, reg):")
    assert right[1].startswith("def svm_loss_naive(W, X, y, reg):") and right[0] == left[0] + 1
