"""The kit's HTML pages in a real headless browser: readable at 1280 px and on a 390 px phone.

The pages: nbgrader's feedback for a student whose `svm_loss_naive` forgets to
average (a one-student course run through nbgrader's commands, as in
test_nbgrader.py), and the item analysis `report.html` of a class graded on the
rubric's real checks, with flags and without. Debian's chromium, driven by
chromedriver through selenium, lays each page out as a 1280 px desktop window
and as a 390 px phone (the page must declare a viewport, or a phone shrinks it
to a 980 px layout). JavaScript in the page then lists every element whose own
text does not fit: text wider than its box (spilling out, clipped, cut with an
ellipsis or behind a scroll bar), or text past the right edge of the window or
of a box that clips it. The test fails with that list. Skips, saying what is
missing, without selenium, chromium or chromedriver (`.ci/run` installs them).
"""
import shutil
from pathlib import Path

import pytest

from autograder.verbs import report as item_analysis
from autograder.pipeline.results import CheckResult, GradeResult
from autograder.pipeline.score import collect_rubric
from tests.conftest import ASSIGNMENT, LINEAR

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (BROWSER and DRIVER):
    pytest.skip("the page tests need Debian's chromium and chromium-driver "
                "(apt-get install chromium chromium-driver; .ci/run does)", allow_module_level=True)

# Layout viewports: (width, height, device pixel ratio, mobile). A mobile viewport honours <meta name=viewport>.
WIDTHS = {"desktop": (1280, 900, 1, False), "phone": (390, 844, 3, True)}
MISTAKE_LINE = "not averaged over the N examples"
AVERAGING = "    loss /= num_train\n    dW /= num_train\n"

# Lists what does not fit, as one line each (see the module docstring); returns [layout width, lines].
OVERFLOW_JS = r"""
const width = document.documentElement.clientWidth;
const problems = [];
const describe = el => {
  const text = (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 90);
  const names = typeof el.className === "string" ? el.className.trim() : "";
  const classes = names ? "." + names.split(/\s+/).join(".") : "";
  return `<${el.tagName.toLowerCase()}${classes}> ${JSON.stringify(text)}`;
};
const clipRight = el => {  // where el's text stops being visible: the window's edge, or that of a box that clips
  let right = width;
  for (let box = el; box && box !== document.documentElement; box = box.parentElement) {
    if (getComputedStyle(box).overflowX !== "visible") {
      const rect = box.getBoundingClientRect();
      right = Math.min(right, rect.left + box.clientLeft + box.clientWidth);
    }
  }
  return right;
};
if (document.documentElement.scrollWidth > width + 1) {
  problems.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${width} px layout`);
}
for (const el of document.body.querySelectorAll("*")) {
  const style = getComputedStyle(el);
  if (style.display === "none" || style.visibility === "hidden" || ["SCRIPT", "STYLE"].includes(el.tagName)) continue;
  if (!style.display.startsWith("inline") && el.innerText.trim() && el.scrollHeight > el.clientHeight + 1 &&
      el.clientHeight > 0 && !["auto", "scroll"].includes(style.overflowY)) {  // e.g. a float spilling out of a header
    problems.push(`text below its box (${el.scrollHeight} > ${el.clientHeight} px): ${describe(el)}`);
  }
  const texts = [...el.childNodes].filter(node => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
  if (!texts.length || el.getBoundingClientRect().width === 0) continue;
  if (!style.display.startsWith("inline") && el.scrollWidth > el.clientWidth + 1) {
    problems.push(`text wider than its box (${el.scrollWidth} > ${el.clientWidth} px): ${describe(el)}`);
    continue;
  }
  const limit = clipRight(el);
  for (const node of texts) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const right = range.getBoundingClientRect().right;
    if (right > limit + 1) {
      problems.push(`text past the edge at ${Math.round(limit)} px (to ${Math.round(right)} px): ${describe(el)}`);
      break;
    }
  }
}
return [width, problems];
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium')}",
                     # Nothing leaves the machine: the feedback's MathJax from a CDN fails at once, as offline.
                     "--host-resolver-rules=MAP * ~NOTFOUND"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def overflowing(driver, page: Path, layout: str) -> list:
    """Load page in the given layout; return what does not fit (empty when everything does)."""
    width, height, ratio, mobile = WIDTHS[layout]
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": ratio, "mobile": mobile})
    driver.get(page.as_uri())
    driver.execute_async_script("document.fonts.ready.then(() => arguments[arguments.length - 1]())")
    laid_out, problems = driver.execute_script(OVERFLOW_JS)
    if laid_out != width:
        problems.insert(0, f"laid out {laid_out} px wide for a {width} px screen (no <meta name=viewport>?)")
    return problems


def assert_fits(driver, page: Path, layout: str) -> None:
    problems = overflowing(driver, page, layout)
    assert not problems, f"{page.name} at {layout} width, {len(problems)} problems:\n" + "\n".join(problems)


# ------------------------------------------------------------------ the item analysis

def a_class(flagged: bool) -> dict:
    """A class of six graded on every real check of the rubric: failures with the diagnosed mistakes, flags
    (when flagged), and a student name longer than a phone's line."""
    rubric = collect_rubric(LINEAR)
    mistakes = ["not averaged over the N examples", "regularisation missing from the loss",
                "the correct class counted in the margin sum", None]
    results = {}
    for index, student in enumerate(["alice", "bob", "carol", "dan", "erin",
                                     "a_student_whose_name_is_much_longer_than_a_phone_screen_is_wide"]):
        checks = []
        for row, check in enumerate(rubric):
            failed = (row + index) % (index + 2) == 0
            checks.append(CheckResult(id=check.id, name=check.name, function=check.function, kind=check.kind,
                                      max_score=check.points, score=0.0 if failed else check.points, feedback="",
                                      mistake=mistakes[row % len(mistakes)] if failed else None))
        flags = (["timeout", "import_error"] if index == 5 else ["not_attempted"] if index == 2 else []) \
            if flagged else []
        results[student] = GradeResult(LINEAR.name, student, checks=checks, execution_time=1.5 + index, flags=flags)
    return results


@pytest.mark.parametrize("layout", WIDTHS)
@pytest.mark.parametrize("flagged", [True, False], ids=["flagged", "none-flagged"])
def test_the_item_analysis_fits_the_screen(browser, tmp_path, layout, flagged):
    page = tmp_path / "report.html"
    page.write_text(item_analysis.render_report(a_class(flagged), LINEAR))
    assert_fits(browser, page, layout)


# ------------------------------------------------------------------ nbgrader's feedback

@pytest.fixture(scope="module")
def feedback_page(tmp_path_factory) -> Path:
    """dana's feedback page: every check of hers is right but svm_loss_naive's averaging."""
    pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install -r requirements.txt)")
    from tests.test_nbgrader import build_course, work_as_alice

    def work_as_dana(folder: Path, course: Path) -> None:
        work_as_alice(folder, course)
        module = folder / "classifiers" / "linear_svm.py"
        assert module.read_text().count(AVERAGING) == 1, "the reference's averaging lines moved"
        module.write_text(module.read_text().replace(AVERAGING, ""))

    course = build_course(tmp_path_factory, students=("dana",), work={"dana": work_as_dana})
    page = course / "feedback" / "dana" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert MISTAKE_LINE in page.read_text()
    assert "only to show its outputs here: no point" in page.read_text(), "what the notebook's run was for"
    return page


@pytest.mark.slow
@pytest.mark.parametrize("layout", WIDTHS)
def test_the_feedback_fits_the_screen(browser, feedback_page, layout):
    assert_fits(browser, feedback_page, layout)
