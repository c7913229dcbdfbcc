"""The text report: one block per graded function, no padding, the sandbox in one line when all is well."""
from autograder.pipeline.report import text_report
from autograder.pipeline.results import CheckResult, GradeResult

ALL_ACTIVE = {"box": "own PID, mount, network and IPC namespaces", "user": "uid 65534, no capabilities"}


def result(protections=ALL_ACTIVE) -> GradeResult:
    checks = [CheckResult("test_classifier.py::test_step", "train: steps W", "train", "sgd", 4, 4, "Passed."),
              CheckResult("test_losses.py::test_loss[svm_loss_naive]", "svm_loss_naive: loss matches",
                          "svm_loss_naive", "values", 4, 0, "Likely mistake: not averaged over the N examples."),
              CheckResult("test_losses.py::test_dW[svm_loss_naive]", "svm_loss_naive: dW matches", "svm_loss_naive",
                          "values", 4, 4, "Passed.")]
    return GradeResult("linear_classifiers", "alice", checks, protections=protections)


def test_checks_are_grouped_per_function_in_rubric_order():
    lines = text_report(result()).splitlines()
    assert lines.index("svm_loss_naive: 4 / 8") < lines.index("train: 4 / 4")
    naive = lines.index("svm_loss_naive: 4 / 8")
    assert lines[naive + 1].split() == ["FAIL", "0/4", "loss", "matches"]
    assert "not averaged over the N examples" in lines[naive + 2]
    assert lines[naive + 3].split() == ["PASS", "4/4", "dW", "matches"]


def test_no_line_is_padded():
    assert not [line for line in text_report(result()).splitlines() if line != line.rstrip()]


def test_sandbox_block_is_one_line_when_all_is_active_and_names_what_is_missing():
    assert "Sandbox: all 2 protections active (--verbose lists them)." in text_report(result())
    verbose = text_report(result(), verbose=True)
    assert "  box: own PID, mount, network and IPC namespaces" in verbose
    missing = text_report(result({**ALL_ACTIVE, "box": "missing: unshare: Operation not permitted"}))
    assert "Sandbox: 1 of 2 protections missing:" in missing
    assert "  box: missing: unshare: Operation not permitted" in missing and "  user:" not in missing
