"""Item analysis: pass shares, mistakes, scores, slow and flagged submissions, in one static page.

(tests/test_pages.py opens the page in a browser, at a desktop's and a phone's width.)"""
import base64
import re
from html import escape

from autograder.__main__ import main
from autograder.assignment import load
from autograder.batch import gradebook
from autograder.pipeline.results import CheckResult, GradeResult
from autograder.verbs import report as item_analysis

LINEAR = load("linear_classifiers")


def check(function, name, passed, mistake=None):
    return CheckResult(id=f"test_losses.py::test_{name}[{function}]", name=f"{function}: {name}", function=function,
                       kind="values", max_score=5.0, score=5.0 if passed else 0.0, feedback="", mistake=mistake)


def graded(passes, seconds=1.0, flags=(), mistakes=(None, None, None)):
    names = [("svm_loss_naive", "loss"), ("svm_loss_naive", "gradient"), ("softmax_loss_naive", "loss")]
    return GradeResult(LINEAR.name, "s", execution_time=seconds, flags=list(flags),
                       checks=[check(f, n, p, m) for (f, n), p, m in zip(names, passes, mistakes)])


CLASS = {
    "alice": graded([True, True, True], seconds=2.0),
    "bob": graded([True, False, False], seconds=9.5, flags=["timeout"],
                  mistakes=(None, "regularisation halved", "not averaged over the N examples")),
    "carol": graded([False, False, True], seconds=4.0,
                    mistakes=("regularisation halved", "regularisation halved", None)),
    "<script>alert(1)</script>": graded([True, True, False], seconds=0.5, flags=["crash"]),
}


def test_pass_shares_count_each_check_over_the_class():
    rates = item_analysis.check_pass_rates(CLASS, LINEAR.name)
    assert [(rate.function, rate.name, rate.kind, rate.passed, rate.graded) for rate in rates] == [
        ("svm_loss_naive", "svm_loss_naive: loss", "values", 3, 4),
        ("svm_loss_naive", "svm_loss_naive: gradient", "values", 2, 4),
        ("softmax_loss_naive", "softmax_loss_naive: loss", "values", 2, 4)]


def test_a_check_renamed_between_gradings_is_counted_once_by_its_id():
    renamed = graded([False, True, True])
    renamed.checks[0].name = "svm_loss_naive: the loss equals the reference's"
    rates = item_analysis.check_pass_rates({**CLASS, "dave": renamed}, LINEAR.name)
    assert [(rate.passed, rate.graded) for rate in rates] == [(3, 5), (3, 5), (3, 5)]


def test_mistakes_count_submissions_not_checks():
    assert item_analysis.common_mistakes(CLASS) == [
        ("svm_loss_naive", "regularisation halved", 2),
        ("softmax_loss_naive", "not averaged over the N examples", 1)]


def images(html):
    return [base64.b64decode(data) for data in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]


def test_the_report_shows_every_section_and_escapes_names():
    html = item_analysis.render_report(CLASS, LINEAR)
    assert "4 submissions; median score 7.5, mean 8.75 out of 15; 2 flagged." in html
    (png,) = images(html)
    assert png.startswith(b"\x89PNG\r\n\x1a\n"), "the histogram"
    bars = html.split("<h2>Checks: share of the class that passed</h2>")[1].split("<h2>")[0]
    assert bars.index("<h3>svm_loss_naive</h3>") < bars.index("<h3>softmax_loss_naive</h3>")
    assert '<p>gradient</p><div class="bar" title="2 of 4 passed"><span style="width: 50.0%; background: #dd8452">' \
        in bars, "each check by its name within its function, its bar orange from 50% to under 80%"
    assert "<td>regularisation halved</td><td class=\"number\">2</td>" in html
    assert "<td>timeout</td><td class=\"number\">1</td>" in html
    slowest = html.split("Slowest submissions")[1]
    assert slowest.index("bob") < slowest.index("carol") < slowest.index("alice"), "slowest first"
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_long_check_names_are_shown_whole():
    doc = "dW matches a numerical gradient of your own loss at every shape the rubric poses, " * 3
    result = GradeResult(LINEAR.name, "s", checks=[CheckResult(
        id="test_classifier.py::test_long", name=f"train: {doc}", function="train", kind="values", max_score=1.0,
        score=0.0, feedback="")])
    html = item_analysis.render_report({"alice": result}, LINEAR)
    assert f"<p>{escape(doc)}</p>" in html and "\u2026" not in html


def test_flagged_submissions_say_none_once_when_there_are_none():
    unflagged = {student: result for student, result in CLASS.items() if not result.flags}
    section = item_analysis.render_report(unflagged, LINEAR).split("<h2>Flagged submissions</h2>")[1].split("<h2>")[0]
    assert section.strip() == "<p>No submission was flagged.</p>"
    flagged = item_analysis.render_report(CLASS, LINEAR).split("<h2>Flagged submissions</h2>")[1].split("<h2>")[0]
    assert flagged.count("<table>") == 2 and "No submission" not in flagged


def test_an_empty_class_still_gets_a_page():
    assert "No submissions graded yet." in item_analysis.render_report({}, LINEAR)


def test_the_report_verb_rebuilds_the_page_from_stored_results(tmp_path, capsys):
    for student, result in CLASS.items():
        if student.isalpha():
            gradebook.save_result(tmp_path, student, result, {"submission": "s", "grader": "g"})
    assert main(["report", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"wrote {tmp_path / 'report.html'} (3 submissions)\n"
    assert "3 submissions; median score 5, mean 8.33 out of 15; 1 flagged." in (tmp_path / "report.html").read_text()


def test_the_report_links_the_similarity_page_only_when_similarity_has_run(tmp_path):
    assert "Similarity" not in item_analysis.write_report(tmp_path, CLASS, LINEAR).read_text()
    (tmp_path / "similarity.html").write_text("<html></html>")
    (tmp_path / "similarity.csv").write_text(
        "student,other,other_is_known_file,flagged,strength,cluster,flagged_units\n"
        "alice,bob,no,yes,0.9,1,svm_loss_naive\nbob,carol,no,yes,0.7,1,softmax.py\n"
        "alice,public/linear_svm.py,yes,yes,0.8,,linear_svm.py\ncarol,dave,no,no,0.3,,\n")
    html = item_analysis.write_report(tmp_path, CLASS, LINEAR).read_text()
    assert ('<h2>Similarity</h2><p>2 flagged pairs in 1 groups, 1 matches with known outside solutions: '
            '<a href="similarity.html">the similarity page</a>') in html
    assert "not a verdict" in html
