"""formgrader in a real headless browser: what an instructor sees when grading a submitted notebook.

A one-student course (alice, correct, see test_nbgrader.py) goes through every
nbgrader command; then a Jupyter server with nbgrader's formgrader serves it and
Debian's chromium, driven by chromedriver through selenium, opens alice's
grading page: her plots and the per-function and per-answer scores are there,
a manual grade typed into a written answer is saved, and `nbgrader export`
finds it. Skips, saying what is missing, without selenium, chromium or
chromedriver (`.ci/run` installs them).
"""
import csv
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install -r requirements.txt)")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install selenium)")

from nbgrader.api import Gradebook  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from autograder.nbgrader.cells import grade_cells  # noqa: E402
from tests.conftest import ASSIGNMENT  # noqa: E402
from tests.jupyter_env import jupyter_home  # noqa: E402
from tests.test_nbgrader import (build_course, kit_cell_points, run_nbgrader, work_as_alice,  # noqa: E402
                                 write_answers)

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if not (BROWSER and DRIVER):
    pytest.skip("formgrader's browser test needs Debian's chromium and chromium-driver "
                "(apt-get install chromium chromium-driver; .ci/run does)", allow_module_level=True)

TOKEN = "linclass-formgrader-test"
MANUAL_POINTS = 0.5  # typed into alice's written answer about the templates
WRITTEN = "written_templates"
# Her answer also tries to run JavaScript in the instructor's page (nbconvert renders Markdown's raw HTML).
ANSWER = "Blurry averages of each class. <img src=\"x\" onerror=\"document.title = 'pwned'\">"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def work_as_alice_with_html(folder: Path, course: Path) -> None:
    work_as_alice(folder, course)
    write_answers(folder, {WRITTEN: ANSWER})


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return build_course(tmp_path_factory, students=("alice",), work={"alice": work_as_alice_with_html})


@pytest.fixture(scope="module")
def formgrader(course):
    """A Jupyter server with formgrader on the course; yields its base URL; logs to course/server.log."""
    port = free_port()
    env = dict(os.environ, **jupyter_home(course / ".home"))
    config = Path(env["JUPYTER_CONFIG_DIR"])
    config.mkdir(parents=True, exist_ok=True)
    (config / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {"nbgrader.server_extensions.formgrader": True}},
         "FormgradeExtension": {"debug": True}}))  # debug: the "Current configuration" panel
    log = open(course / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
         f"--ServerApp.root_dir={course}", f"--IdentityProvider.token={TOKEN}"],
        cwd=course, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"the Jupyter server did not start:\n{(course / 'server.log').read_text()}")
            time.sleep(0.3)
    yield base
    server.terminate()
    server.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def screenshot(driver, name: str) -> None:
    """Keep a screenshot where FORMGRADER_SCREENSHOTS points (for the closing notes of a change)."""
    folder = os.environ.get("FORMGRADER_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(folder) / f"{name}.png"))


def score_of(driver, grade_id: str) -> str:
    """The score formgrader shows for a grade cell: the auto score is its input's placeholder."""
    return driver.find_element(By.CSS_SELECTOR, f"input.score[id='{grade_id}']").get_attribute("placeholder")


@pytest.mark.slow
def test_grading_page_shows_plots_and_scores_and_a_manual_grade_reaches_the_export(course, formgrader, browser):
    from autograder.pipeline.grade import grade_submission
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "alice").id
    browser.get(f"{formgrader}/tree?token={TOKEN}")  # logs in: formgrader's API calls need the cookie
    browser.get(f"{formgrader}/formgrader/manage_assignments")
    WebDriverWait(browser, 30).until(lambda driver: driver.find_elements(By.LINK_TEXT, ASSIGNMENT))
    browser.find_element(By.PARTIAL_LINK_TEXT, "Current configuration").click()
    panel = WebDriverWait(browser, 10).until(lambda driver: driver.find_element(By.CSS_SELECTOR, "pre").text)
    configuration = json.loads(panel)  # readable: every value the kit sets is plain data
    assert "autograder.nbgrader.execute.ExecuteInSandbox" in configuration["Autograde"]["autograde_preprocessors"]
    screenshot(browser, "manage_assignments")

    browser.get(f"{formgrader}/formgrader/submissions/{submission}/")
    expected = kit_cell_points(grade_submission(course / "submitted" / "alice" / ASSIGNMENT))
    WebDriverWait(browser, 30).until(lambda driver: score_of(driver, "grade_svm_loss_naive") != "")
    plots = browser.find_elements(By.CSS_SELECTOR, ".output_png img, img[src^='data:image/png']")
    assert len(plots) == 8 and all(plot.size["width"] > 100 for plot in plots)
    for spec in grade_cells(ASSIGNMENT):
        assert float(score_of(browser, spec.grade_id)) == expected[spec.grade_id] == spec.points, spec.grade_id
    answer = browser.find_element(By.ID, "grade_answer_svm_init_loss")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", answer)
    screenshot(browser, "grading_page_answer")

    assert browser.title == ASSIGNMENT  # her onerror handler did not run: it shows as text
    panel = browser.find_element(By.XPATH, f"//input[@id='{WRITTEN}']/ancestor::div[contains(@class, 'nbgrader_cell')]")
    assert 'onerror="document.title' in panel.text
    written = browser.find_element(By.CSS_SELECTOR, f"input.score[id='{WRITTEN}']")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", written)
    written.clear()
    written.send_keys(str(MANUAL_POINTS), Keys.TAB)
    WebDriverWait(browser, 30).until(lambda driver: manual_score(course) == MANUAL_POINTS)
    screenshot(browser, "grading_page_written")

    run_nbgrader("export", "--to=after.csv", cwd=course)
    with open(course / "after.csv", newline="") as stream:
        row = next(csv.DictReader(stream))
    assert float(row["written"]) == MANUAL_POINTS
    assert float(row["score"]) == 100 + MANUAL_POINTS
    assert "not serializable" not in (course / "server.log").read_text()


def manual_score(course: Path):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return gradebook.find_grade(WRITTEN, ASSIGNMENT, ASSIGNMENT, "alice").manual_score
