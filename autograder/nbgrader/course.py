"""Values nbgrader_config.py computes from the course directory."""
import os
import sys
from pathlib import Path
from typing import Dict, List

from .. import assignment as assignments
from ..project import CACHES, listed_files

KIT_STEPS = "autograder.nbgrader."  # the kit's steps, by the name nbgrader imports them with


def student_files(source_root: Path) -> Dict[str, List[str]]:
    """For `Autograde.exclude_overwriting`: every file but the notebooks, for each assignment in source_root.

    nbgrader would otherwise copy the instructor's files over the student's at
    autograde (#940): the solutions' modules into autograded/ and on to feedback.
    """
    return {folder.name: [path.as_posix() for path in listed_files(folder, ignored_data()) if path.suffix != ".ipynb"]
            for folder in sorted(source_root.iterdir()) if folder.is_dir()}


def ignored_data() -> List[str]:
    """Every assignment's downloaded-data patterns."""
    return sorted({pattern for name in assignments.names() for pattern in assignments.load(name).data_files})


def course_ignore() -> List[str]:
    """For `CourseDirectory.ignore`: what the kit's release skips (caches, every assignment's downloaded data),
    so nbgrader releases the same files and collect leaves a student's download in the exchange."""
    return [*CACHES, *ignored_data()]


def put_interpreter_scripts_on_path() -> None:
    """nbgrader runs `alembic` by name: make the running interpreter's scripts folder (a venv's bin/) findable."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join(filter(None, [scripts, os.environ.get("PATH")]))


def dotted(step: type) -> str:
    """A class by its import name: nbgrader and nbconvert import steps given so, and names serialise."""
    return f"{step.__module__}.{step.__qualname__}"


def generate_steps() -> List[str]:
    """nbgrader's generate_assignment steps, by name, with the kit's: hidden tests refused first, the
    kit's grade cells added before nbgrader checksums and saves the cells and dropped after, the kit's
    release of the modules last."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import CheckCellMetadata, SaveCells
    steps = [dotted(step) for step in GenerateAssignment.class_traits()["preprocessors"].default()]
    steps.insert(steps.index(dotted(SaveCells)) + 1, KIT_STEPS + "generate.DropKitGradeCells")
    steps.insert(steps.index(dotted(CheckCellMetadata)), KIT_STEPS + "generate.AddKitGradeCells")
    return [KIT_STEPS + "generate.RefuseHiddenTests", *steps, KIT_STEPS + "generate.ReleaseKitModules"]


def autograde_steps() -> List[str]:
    """nbgrader's autograde steps, by name, with its `Execute` swapped for the kit's two sandboxed steps
    (run the notebook for display, then grade the submitted files), and the student's Markdown escaped last."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute
    steps = [dotted(step) for step in Autograde.class_traits()["autograde_preprocessors"].default()]
    at = steps.index(dotted(Execute))
    steps[at:at + 1] = [KIT_STEPS + "execute.ExecuteInSandbox", KIT_STEPS + "autograde.GradeInSandbox"]
    return steps + [KIT_STEPS + "markdown.EscapeStudentHtml"]
