"""The autograde step that shows the instructor what the student saw: run the notebook in the sandbox.

nbgrader's `Execute` would run the student's notebook in a kernel with the
instructor's rights. ExecuteInSandbox runs it in a box like the graded code's
(autograder/sandbox/notebook_runner.py: no network, no gradebook, no hidden
suite, no reference, its own time and memory budget) on the student's submitted
files, and writes what each code cell printed and drew into the autograded
notebook that formgrader and the feedback show.

Everything the box sends back is the student's and is treated as hostile:
only plain text (escape sequences and control characters stripped, capped) and
PNG images (signature and dimensions checked, capped) are kept, never HTML or
JavaScript, and nothing of it feeds a grade: the grade cells are filled later,
by GradeInSandbox, from the sandboxed hidden suite alone.
"""
import base64
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

import nbformat
import numpy as np
from nbconvert.exporters.exporter import ResourcesDict
from nbformat import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Float, Int

from ..assignment import Assignment
from ..pipeline.find import ignored
from ..pipeline.grade import protected_files
from ..pipeline.results import sanitise
from ..sandbox.process import Limits, SandboxIncomplete, StudentError, Worker, missing_protections
from .cells import is_kit_grade_cell, kit_assignment

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SKIP_TAG = "skip-execution"


@dataclass(frozen=True)
class OutputLimits:
    """What the autograded notebook may carry of one student's outputs."""
    cell_characters: int = 64 * 1024
    notebook_characters: int = 512 * 1024
    image_bytes: int = 2 * 2**20
    notebook_image_bytes: int = 8 * 2**20
    image_side: int = 4096           # pixels: a small PNG may still decode to gigabytes
    outputs_per_cell: int = 64
    traceback_lines: int = 40
    file_bytes: int = 2 * 2**20      # student files copied into the box, each
    files_bytes: int = 16 * 2**20    # and all together (the box has 32 MiB)


def clean_text(text, limit: int) -> str:
    """Plain text, line breaks kept: each line sanitised like every other result; at most limit characters."""
    text = str(text)[:4 * limit + 256]  # escape sequences shrink; never sanitise megabytes
    return "\n".join(sanitise(line) for line in text.split("\n"))[:limit]


def png_size(data: bytes) -> Tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; ValueError if data is not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return struct.unpack(">II", data[16:24])


def box_files(folder: Path, limits: OutputLimits) -> Tuple[Dict[str, bytes], List[str]]:
    """(relative path -> bytes of the submitted folder's regular files but notebooks, what was left out).

    Symbolic links are never followed; hidden folders, caches and files over the
    limits are left out, so the box gets the student's modules and small data only.
    """
    files, left_out, total = {}, [], 0
    for root, folders, names in os.walk(folder):
        folders[:] = sorted(name for name in folders if not ignored([name]))
        for name in sorted(names):
            path = Path(root) / name
            relative = path.relative_to(folder)
            if ignored(relative.parts) or path.suffix == ".ipynb" or path.is_symlink() or not path.is_file():
                continue
            size = path.stat().st_size
            if size > limits.file_bytes or total + size > limits.files_bytes:
                left_out.append(relative.as_posix())
                continue
            files[relative.as_posix()] = path.read_bytes()
            total += size
    return files, left_out


@dataclass
class OutputBudget:
    """Turns the box's replies into nbformat outputs, within the notebook's limits."""
    limits: OutputLimits
    characters: int = 0
    image_bytes: int = 0
    dropped: List[str] = field(default_factory=list)

    def text(self, text, limit: int) -> str:
        text = clean_text(text, min(limit, max(0, self.limits.notebook_characters - self.characters)))
        self.characters += len(text)
        return text

    def image(self, data: bytes) -> str:
        """The PNG as base64, or '' (and a note) when it is not a PNG or over a limit."""
        try:
            width, height = png_size(data)
        except ValueError:
            return self._drop("an image that was not a PNG")
        if max(width, height) > self.limits.image_side or len(data) > self.limits.image_bytes:
            return self._drop(f"a {width}x{height} image of {len(data)} bytes, over the limits")
        if self.image_bytes + len(data) > self.limits.notebook_image_bytes:
            return self._drop("an image past the notebook's total for images")
        self.image_bytes += len(data)
        return base64.b64encode(data).decode()

    def _drop(self, what: str) -> str:
        self.dropped.append(what)
        return ""

    def outputs(self, reply: dict, images: list, execution_count: int) -> List[NotebookNode]:
        """The outputs of one cell; anything malformed is skipped, never trusted."""
        outputs, cell_characters = [], self.limits.cell_characters
        raw = reply.get("outputs")
        for item in (raw if isinstance(raw, list) else [])[:self.limits.outputs_per_cell]:
            output = self._output(item, images, execution_count, cell_characters) if isinstance(item, dict) else None
            if output is not None:
                outputs.append(output)
                cell_characters -= sum(len(part) for part in _texts(output))
        return outputs

    def _output(self, item: dict, images: list, execution_count: int, room: int):
        kind = item.get("type")
        if kind == "stream":
            name = "stderr" if item.get("name") == "stderr" else "stdout"
            text = self.text(item.get("text", ""), room)
            return nbformat.v4.new_output("stream", name=name, text=text) if text else None
        if kind == "error":
            traceback = item.get("traceback")
            lines = [self.text(line, room) for line in (traceback if isinstance(traceback, list) else [])]
            return nbformat.v4.new_output("error", ename=clean_text(item.get("ename", "Error"), 200),
                                          evalue=self.text(item.get("evalue", ""), 2000),
                                          traceback=lines[-self.limits.traceback_lines:])
        if kind in ("display_data", "execute_result"):
            data = self._data(item.get("data"), images, room)
            if not data:
                return None
            extra = {"execution_count": execution_count} if kind == "execute_result" else {}
            return nbformat.v4.new_output(kind, data=data, **extra)
        return None

    def _data(self, data, images: list, room: int) -> dict:
        """text/plain and image/png only: no HTML, JavaScript or SVG reaches the instructor's browser."""
        if not isinstance(data, dict):
            return {}
        kept = {}
        if isinstance(data.get("text/plain"), str):
            kept["text/plain"] = self.text(data["text/plain"], room)
        slot = data.get("image/png")
        index = slot.get("array") if isinstance(slot, dict) else None
        if isinstance(index, int) and 0 <= index < len(images):
            array = images[index]
            if isinstance(array, np.ndarray) and array.dtype == np.uint8 and array.ndim == 1:
                encoded = self.image(array.tobytes())
                if encoded:
                    kept["image/png"] = encoded
        return kept


def _texts(output: NotebookNode) -> List[str]:
    return [output.get("text", ""), output.get("evalue", ""), *output.get("traceback", []),
            output.get("data", {}).get("text/plain", "")]


def stopped_output(error: StudentError) -> NotebookNode:
    """The output of a cell the sandbox stopped (time, memory, a crash): the cells after it did not run."""
    return nbformat.v4.new_output("error", ename="SandboxStopped", evalue=sanitise(str(error)), traceback=[
        f"The sandbox stopped this cell: {sanitise(str(error))}.", "The cells after it were not run."])


class NotebookWorker(Worker):
    """A confined worker that runs notebook cells (notebook_runner.py) on the student's files."""

    def __init__(self, assignment: Assignment, files: Dict[str, bytes], limits: Limits, protected: List[Path],
                 strict: bool = False):
        super().__init__(assignment, {}, limits, protected, strict=strict, program="notebook_runner")
        self.files = dict(files)


def run_notebook(nb: NotebookNode, assignment: Assignment, files: Dict[str, bytes], limits: Limits,
                 protected: List[Path], output_limits: OutputLimits = OutputLimits(), strict: bool = False
                 ) -> List[str]:
    """Execute nb's code cells (not the kit's grade cells, not `skip-execution` ones) in a box, in place.

    Returns notes for the log: the box's missing protections, what was dropped, why it stopped.
    """
    budget, notes, count = OutputBudget(output_limits), [], 0
    with NotebookWorker(assignment, files, limits, protected, strict) as worker:
        try:
            missing = missing_protections(worker.start())
        except (StudentError, SandboxIncomplete) as error:  # the notebook keeps no outputs
            return [f"the notebook was not run: {error}"]
        if missing:
            notes.append("the notebook ran without " + ", ".join(missing))
        for cell in nb.cells:
            if cell.cell_type != "code" or is_kit_grade_cell(cell, assignment.name) \
                    or SKIP_TAG in cell.metadata.get("tags", []):
                continue
            count += 1
            cell.execution_count = count
            try:
                reply, images = worker.request({"op": "cell", "source": cell.source})
            except StudentError as error:
                cell.outputs = [stopped_output(error)]
                notes.append(f"stopped at cell {count}: {sanitise(str(error))}")
                break
            cell.outputs = budget.outputs(reply, images, count)
    return notes + [f"dropped {what}" for what in budget.dropped]


class ExecuteInSandbox(NbGraderPreprocessor):
    """Run the student's notebook in the sandbox so formgrader and the feedback show its outputs."""

    enabled = Bool(True, help="Run each student's notebook in the sandbox to show its outputs (display only)."
                   ).tag(config=True)
    cell_timeout = Float(60.0, help="Seconds one cell may take before its box is killed.").tag(config=True)
    timeout = Float(180.0, help="Seconds one student's whole notebook may take, start-up included.").tag(config=True)
    memory_mb = Int(2048, help="Address space of the notebook's box, in MiB.").tag(config=True)
    strict = Bool(False, help="Run nothing unless every sandbox protection is active.").tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> Tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        assignment = kit_assignment(info["assignment"])
        if not self.enabled or assignment is None or info["notebook"] != assignment.notebook_id:
            return nb, resources
        coursedir = CourseDirectory(config=self.config)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, info["student"], info["assignment"]))
        files, left_out = box_files(submitted, OutputLimits())
        limits = Limits(memory_bytes=self.memory_mb * 2**20, cpu_seconds=int(self.timeout) + 5,
                        call_timeout=self.cell_timeout, total_seconds=self.timeout)
        protected = protected_files() + [Path(coursedir.root) / coursedir.source_directory]
        database = info["db_url"].removeprefix("sqlite:///")
        protected += [Path(database)] if database != info["db_url"] else []
        notes = run_notebook(nb, assignment, files, limits, protected, strict=self.strict)
        for note in ([f"left out of the box: {', '.join(left_out)}"] if left_out else []) + notes:
            self.log.warning("%s: %s", info["student"], note)
        return nb, resources
