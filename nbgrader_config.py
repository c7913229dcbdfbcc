"""nbgrader's configuration for this kit: the repository is the course directory.

source/ is solutions/, release/ is assignment/ (so `nbgrader generate_assignment`
writes the same release as `python -m autograder release`); submitted/,
autograded/, feedback/, exchange/ and gradebook.db are git-ignored. Grades come
from the kit's hidden suites, run in its sandbox: no student notebook code is
executed by nbgrader. See autograder/nbgrader/ for the why of each setting.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # nbgrader's scripts do not put the course directory on sys.path

from autograder.nbgrader.autograde import GradeInSandbox  # noqa: E402
from autograder.nbgrader.course import put_interpreter_scripts_on_path, student_files  # noqa: E402
from autograder.nbgrader.export import FunctionGradesCsvExport  # noqa: E402
from autograder.nbgrader.generate import (AddFunctionGradeCells, DropFunctionGradeCells,  # noqa: E402
                                          RefuseHiddenTests, ReleaseKitModules)
from autograder.release import SKIPPED_NAMES  # noqa: E402
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests,  # noqa: E402
                                    ClearMarkScheme, ClearOutput, ClearSolutions, ComputeChecksums,
                                    IgnorePattern, IncludeHeaderFooter, InstantiateTests, LimitOutput,
                                    LockCells, SaveAutoGrades, SaveCells)

put_interpreter_scripts_on_path()
c = get_config()  # noqa: F821 (provided by nbgrader's config loader)

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "linclass"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignment"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'gradebook.db'}"
# Skip what the kit's release skips (and nbgrader's own feedback/), so both release the same files.
c.CourseDirectory.ignore = sorted(SKIPPED_NAMES) + ["*.pyc", "feedback"]
c.Exchange.root = str(ROOT / "exchange")  # students pass --Exchange.root=<this path>

# generate_assignment: nbgrader's steps, plus the kit's module release and its function grade cells.
c.GenerateAssignment.preprocessors = [
    RefuseHiddenTests, IncludeHeaderFooter, InstantiateTests, LockCells, ClearSolutions, ClearOutput,
    AddFunctionGradeCells, CheckCellMetadata, ComputeChecksums, SaveCells, DropFunctionGradeCells,
    ClearHiddenTests, ClearMarkScheme, ComputeChecksums, CheckCellMetadata, ReleaseKitModules]

# autograde: no Execute (student code runs only in the kit's sandbox), no instructor file over a student's.
c.Autograde.autograde_preprocessors = [
    GradeInSandbox, IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades,
    AssignLatePenalties, CheckCellMetadata]
c.Autograde.exclude_overwriting = student_files(ROOT / "solutions")

c.ExportApp.plugin_class = FunctionGradesCsvExport
