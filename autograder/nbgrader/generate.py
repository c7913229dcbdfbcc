"""Preprocessors for `nbgrader generate_assignment`, listed in nbgrader_config.py.

nbgrader copies an assignment's other files verbatim, so a `.py` module would
be released with its solution regions. ReleaseKitModules rewrites them with the
kit's own release logic (autograder.verbs.release). It is a preprocessor rather than a
`post_convert_hook` because nbgrader logs and ignores a failing hook, which would
leave the solutions in the release; a failing preprocessor fails the assignment
and nbgrader deletes its release folder.
"""
from pathlib import Path
from typing import Tuple

from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

from ..project import listed_files
from ..verbs import release
from .cells import grade_cells, grade_id_of, kit_assignment, new_grade_cell, replace_grade_cells

HIDDEN_TESTS_MARKER = "BEGIN HIDDEN TESTS"


class ReleaseKitModules(NbGraderPreprocessor):
    """Write the kit's release of every file but the notebooks into nbgrader's release folder."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> Tuple[NotebookNode, ResourcesDict]:
        source_dir = Path(resources["metadata"]["path"])
        coursedir = CourseDirectory(config=self.config)
        release_dir = Path(coursedir.format_path(coursedir.release_directory, ".",
                                                 resources["nbgrader"]["assignment"]))
        assignment = kit_assignment(resources["nbgrader"]["assignment"])
        for relative in listed_files(source_dir, assignment.data_files if assignment else ()):
            if relative.suffix != ".ipynb":
                (release_dir / relative).parent.mkdir(parents=True, exist_ok=True)
                release.release_file(source_dir / relative, release_dir / relative)
        return nb, resources


class RefuseHiddenTests(NbGraderPreprocessor):
    """Hidden tests belong to the kit's hidden suite: nbgrader would write them back into feedback (#1363)."""

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict,
                        index: int) -> Tuple[NotebookNode, ResourcesDict]:
        if HIDDEN_TESTS_MARKER in cell.source:
            raise ValueError(f"cell {grade_id_of(cell) or index} of {resources['nbgrader']['notebook']} has "
                             f"{HIDDEN_TESTS_MARKER}: put hidden checks in the assignment's rubric instead")
        return cell, resources


class AddKitGradeCells(NbGraderPreprocessor):
    """Before SaveCells: the kit's grade cells (per answer, per function), so the gradebook records their points."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> Tuple[NotebookNode, ResourcesDict]:
        name = resources["nbgrader"]["assignment"]
        assignment = kit_assignment(name)
        if assignment is not None and resources["nbgrader"]["notebook"] == assignment.notebook_id:
            replace_grade_cells(nb, name, {spec.grade_id: new_grade_cell(spec) for spec in grade_cells(name)})
        return nb, resources


class DropKitGradeCells(NbGraderPreprocessor):
    """After SaveCells: keep the grade cells out of the student's release (it equals the kit's)."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> Tuple[NotebookNode, ResourcesDict]:
        return replace_grade_cells(nb, resources["nbgrader"]["assignment"], {}), resources
