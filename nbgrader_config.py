"""nbgrader's configuration for this kit: the repository is the course directory.

source/ is solutions/, release/ is assignment/ (so `nbgrader generate_assignment`
writes the same release as `python -m autograder release`); submitted/,
autograded/, feedback/, exchange/ and gradebook.db are git-ignored. Grades come
from the kit's hidden suites, run in its sandbox; the student's notebook runs in
the sandbox too, for its outputs only. Every value here is plain data (steps and
plug-ins by import name), so formgrader can show this configuration. See
autograder/nbgrader/ for the why of each step.
"""
import sys
import warnings
from pathlib import Path

from sqlalchemy.exc import SAWarning

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # nbgrader's scripts do not put the course directory on sys.path

from autograder.nbgrader.course import (autograde_steps, course_ignore, generate_steps,  # noqa: E402
                                        put_interpreter_scripts_on_path, student_files)

put_interpreter_scripts_on_path()
# nbgrader 0.9's gradebook (nbgrader/api.py) reads a new submission's relationships while SQLAlchemy 2 autoflushes,
# and SQLAlchemy warns "Object of type <SubmittedAssignment> not in session, add operation along ... will not
# proceed" several times per student at autograde. nbgrader adds those objects itself right after, and the grades
# are right (tests/test_nbgrader.py compares them with the kit's): the warnings would only alarm instructors.
warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session", category=SAWarning,
                        module=r"nbgrader\.api")

c = get_config()  # noqa: F821 (provided by nbgrader's config loader)

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "linclass"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignment"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'gradebook.db'}"
# Skip what the kit's release skips (caches, downloaded data such as CIFAR-10) and nbgrader's own feedback/, so
# both release the same files, and collect leaves a student's copy of the data in the exchange.
c.CourseDirectory.ignore = [*course_ignore(), "feedback"]
c.Exchange.root = str(ROOT / "exchange")  # students pass --Exchange.root=<this path>

# generate_assignment: nbgrader's steps, plus the kit's module release and its grade cells.
c.GenerateAssignment.preprocessors = generate_steps()
# autograde: nbgrader's steps with Execute swapped for the kit's: the notebook runs in the sandbox for
# its outputs, the submitted files are graded there; no instructor file over a student's.
c.Autograde.autograde_preprocessors = autograde_steps()
c.Autograde.exclude_overwriting = student_files(ROOT / "solutions")
# The notebook's box: seconds per cell and per student, memory (see autograder/nbgrader/execute.py).
c.ExecuteInSandbox.cell_timeout = 60.0
c.ExecuteInSandbox.timeout = 180.0
c.ExecuteInSandbox.memory_mb = 2048

c.GenerateFeedback.exporter_class = "autograder.nbgrader.feedback.FeedbackExporter"
c.ExportApp.plugin_class = "autograder.nbgrader.export.FunctionGradesCsvExport"
