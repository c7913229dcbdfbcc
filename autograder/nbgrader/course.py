"""Values nbgrader_config.py computes from the course directory."""
import os
import sys
from pathlib import Path
from typing import Dict, List

from ..release import released_files


def student_files(source_root: Path) -> Dict[str, List[str]]:
    """For `Autograde.exclude_overwriting`: every file but the notebooks, for each assignment in source_root.

    nbgrader would otherwise copy the instructor's files over the student's at
    autograde (#940): the solutions' modules into autograded/ and on to feedback.
    """
    return {folder.name: [path.as_posix() for path in released_files(folder) if path.suffix != ".ipynb"]
            for folder in sorted(source_root.iterdir()) if folder.is_dir()}


def put_interpreter_scripts_on_path() -> None:
    """nbgrader runs `alembic` by name: make the running interpreter's scripts folder (a venv's bin/) findable."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join(filter(None, [scripts, os.environ.get("PATH")]))
