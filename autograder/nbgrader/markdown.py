"""The last autograde step: the student's Markdown is shown as text, never as HTML, in formgrader.

nbconvert renders Markdown with its raw HTML, and nbgrader's formgrade template
ignores `HTMLExporter.sanitize_html`: a written answer holding
`<img src=x onerror=...>` runs JavaScript in the instructor's formgrader page,
with the instructor's session (it can set grades through formgrader's API). So
every Markdown cell of the autograded notebook that is not the instructor's own
(a cell of the source or release notebook, unchanged) has its `<` written as
`&lt;`: the browser shows the same characters and runs none of them. It runs
after SaveAutoGrades, so nbgrader's "unchanged answer" checksums see the
student's cell as submitted.
"""
from pathlib import Path
from typing import Set, Tuple

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor


def markdown_sources(path: Path) -> Set[str]:
    if not path.is_file():
        return set()
    return {cell.source for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "markdown"}


class EscapeStudentHtml(NbGraderPreprocessor):
    """Write `<` as `&lt;` in every Markdown cell that is not one of the instructor's, unchanged."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> Tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        coursedir = CourseDirectory(config=self.config)
        name = f"{info['notebook']}.ipynb"
        instructors = set().union(*(
            markdown_sources(Path(coursedir.format_path(folder, ".", info["assignment"])) / name)
            for folder in (coursedir.source_directory, coursedir.release_directory)))
        for cell in nb.cells:
            if cell.cell_type == "markdown" and cell.source not in instructors:
                cell.source = cell.source.replace("<", "&lt;")
        return nb, resources
