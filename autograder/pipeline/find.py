"""Stage 1, find: a submission's graded files, by file name, anywhere in a folder or a .zip.

The assignment's notebook is read too, for its auto-graded answer cells: parsed
as JSON here, never executed here; each answer's source runs only in the sandbox.

Any layout is found unchanged (this kit's, a course's original one, a flat folder): where a
module appears twice, the copy inside the assignment's module folder wins. Only
the graded files are read, each at most MAX_FILE_BYTES, so a zip bomb, a path
that escapes the archive, or a symlink to a secret never gets further than this
module.
"""
import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Dict, List

from ..assignment import Assignment

MAX_FILE_BYTES = 1 * 2**20
MAX_NOTEBOOK_BYTES = 20 * 2**20
MAX_SEEN = 12
IGNORED_PARTS = ("__MACOSX", ".ipynb_checkpoints", "__pycache__")


@dataclass
class Submission:
    """The graded modules' sources, and for each module that could not be read, why."""
    path: Path
    assignment: Assignment
    sources: Dict[str, bytes] = field(default_factory=dict)
    problems: Dict[str, str] = field(default_factory=dict)
    warnings: List[str] = field(default_factory=list)
    answers: Dict[str, str] = field(default_factory=dict)  # answer name -> its cell's source
    notebook_problem: str = ""
    seen: List[str] = field(default_factory=list)  # files it holds (the first MAX_SEEN), for messages

    def unusable(self) -> str:
        """Why nothing of this submission can be graded (one line), or '' when something can."""
        if self.sources or self.answers or any("larger than" in problem or "could not" in problem
                                               for problem in self.problems.values()):
            return ""
        files = [f"{module}.py" for module in self.assignment.modules]
        files += [self.assignment.notebook] if self.assignment.questions else []
        expected = ", ".join(files[:-1]) + f" or {files[-1]}" if len(files) > 1 else files[0]
        path = self.path
        if not path.exists():
            return f"{path} does not exist: pass the folder or .zip that holds {expected}"
        if path.is_file() and path.suffix.lower() != ".zip":
            return f"{path} is a file, not a folder or a .zip: pass the folder or .zip that holds {expected}"
        broken_zip = next((problem for problem in self.problems.values() if "not a readable zip" in problem), "")
        if broken_zip:
            return f"{broken_zip}: expected a .zip holding {expected}"
        found = ", ".join(self.seen) + (", ..." if len(self.seen) == MAX_SEEN else "") if self.seen else "nothing"
        return f"{path} holds none of {expected} (found: {found})"


UNREADABLE_NOTEBOOK = "could not be read as a notebook"


class NotebookError(ValueError):
    """The notebook is not a notebook: bad JSON, too deep, too large, or not nbformat's structure."""


def _text(value) -> str:
    if isinstance(value, list) and all(isinstance(part, str) for part in value):
        return "".join(value)
    if isinstance(value, str):
        return value
    raise NotebookError("a cell's source is neither text nor a list of lines")


def answer_cells(notebook: bytes) -> Dict[str, str]:
    """Sources of the code cells whose nbgrader grade_id is answer_*, else that define an answer_* name.

    NotebookError (or RecursionError, for absurdly deep JSON) if it is not a notebook.
    """
    document = json.loads(notebook)
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise NotebookError("it has no list of cells")
    answers = {}
    for cell in document["cells"]:
        if not isinstance(cell, dict):
            raise NotebookError("a cell is not an object")
        if cell.get("cell_type") != "code":
            continue
        source = _text(cell.get("source", ""))
        metadata = cell.get("metadata", {})
        nbgrader = metadata.get("nbgrader", {}) if isinstance(metadata, dict) else {}
        grade_id = str(nbgrader.get("grade_id", "")) if isinstance(nbgrader, dict) else ""
        names = [grade_id] if grade_id.startswith("answer_") else \
            re.findall(r"^(?:def\s+)?(answer_\w+)\s*[(=]", source, flags=re.MULTILINE)
        for name in names:
            answers.setdefault(name, source)
    return answers


def unreadable_notebook(problem: str) -> bool:
    """Does this notebook problem mean a notebook was there but could not be read (rather than missing)?"""
    return UNREADABLE_NOTEBOOK in problem


def _read_notebook(submission: Submission, read, size: int) -> None:
    """Fill submission.answers from the notebook; any failure only sets notebook_problem."""
    notebook = submission.assignment.notebook
    if size > MAX_NOTEBOOK_BYTES:
        submission.notebook_problem = (f"{notebook} {UNREADABLE_NOTEBOOK}: it is larger than "
                                       f"{MAX_NOTEBOOK_BYTES // 2**20} MiB")
        return
    try:
        submission.answers = answer_cells(read())
        if not submission.answers:
            submission.notebook_problem = (f"{notebook} holds no answer cells (code cells defining answer_... "
                                           "names); the release's notebook has them")
    except RecursionError:
        submission.notebook_problem = f"{notebook} {UNREADABLE_NOTEBOOK}: its JSON is nested too deeply"
    except NotebookError as error:
        submission.notebook_problem = f"{notebook} {UNREADABLE_NOTEBOOK}: {error}"
    except Exception as error:  # bad JSON, bad encoding, a zip member that cannot be read, memory
        submission.notebook_problem = f"{notebook} {UNREADABLE_NOTEBOOK} ({type(error).__name__})"


def ignored(parts) -> bool:
    """Is this path (as parts) hidden, or a cache or macOS archive folder, never read as the student's?"""
    return any(part.startswith(".") or part in IGNORED_PARTS for part in parts)


def _preference(submission: Submission):
    """Prefer a file inside the assignment's module folder, then the shallowest, then alphabetical."""
    folder = submission.assignment.module_folder
    return lambda parts: (folder not in parts[:-1], len(parts), "/".join(parts))


def _choose(submission: Submission, module: str, candidates: List[tuple]):
    """The one candidate path (as parts) for module, recording a warning or problem."""
    name = f"{module}.py"
    candidates = sorted(candidates, key=_preference(submission))
    if not candidates:
        submission.problems[module] = f"{name} was not found in the submission"
        return None
    if len(candidates) > 1:
        others = ", ".join("/".join(parts) for parts in candidates[1:])
        submission.warnings.append(f"several files are named {name}; graded {'/'.join(candidates[0])} "
                                   f"(also found: {others})")
    return candidates[0]


def _from_zip(path: Path, submission: Submission) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except Exception as error:  # not a zip, truncated, unsupported: never a crash of the grader
        for module in submission.assignment.modules:
            submission.problems[module] = f"{path.name} is not a readable zip file ({error})"
        submission.notebook_problem = f"{path.name} is not a readable zip file ({error})"
        return
    with archive:
        members = {}
        for info in archive.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or not parts or ignored(parts) or ".." in parts or info.filename.startswith("/"):
                continue
            if len(submission.seen) < MAX_SEEN:
                submission.seen.append("/".join(parts))
            members.setdefault(parts[-1], []).append((parts, info))
        preference = _preference(submission)
        notebooks = sorted(members.get(submission.assignment.notebook, []), key=lambda member: preference(member[0]))
        if notebooks:
            info = notebooks[0][1]
            _read_notebook(submission, lambda: archive.open(info).read(), info.file_size)
        for module in submission.assignment.modules:
            by_parts = {parts: info for parts, info in members.get(f"{module}.py", [])}
            chosen = _choose(submission, module, list(by_parts))
            if chosen is None:
                continue
            info = by_parts[chosen]
            if info.file_size > MAX_FILE_BYTES:
                submission.problems[module] = f"{module}.py is larger than {MAX_FILE_BYTES // 1024} KiB"
                continue
            try:
                submission.sources[module] = archive.open(info).read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES]
            except Exception as error:  # corrupt data (zlib.error), encryption, unsupported compression
                submission.problems[module] = f"{module}.py could not be extracted from the zip ({error})"


def _from_folder(path: Path, submission: Submission) -> None:
    modules, notebook_name = submission.assignment.modules, submission.assignment.notebook
    found: Dict[str, List[tuple]] = {}
    for directory, folders, files in os.walk(path, followlinks=False):
        relative = Path(directory).relative_to(path).parts
        folders[:] = [folder for folder in folders if not ignored((folder,))]
        for name in files:
            if len(submission.seen) < MAX_SEEN and not ignored(relative + (name,)):
                submission.seen.append("/".join(relative + (name,)))
            key = name[:-3] if name.endswith(".py") and name[:-3] in modules else name
            if key in modules + (notebook_name,) and not ignored((name,)):
                found.setdefault(key, []).append(relative + (name,))
    notebooks = sorted(found.get(notebook_name, []), key=_preference(submission))
    if notebooks and not path.joinpath(*notebooks[0]).is_symlink():
        notebook = path.joinpath(*notebooks[0])
        _read_notebook(submission, notebook.read_bytes, notebook.stat().st_size)
    for module in modules:
        chosen = _choose(submission, module, found.get(module, []))
        if chosen is None:
            continue
        file = path.joinpath(*chosen)
        if file.is_symlink() or not file.is_file():
            submission.problems[module] = f"{module}.py is a link or not a regular file"
        elif file.stat().st_size > MAX_FILE_BYTES:
            submission.problems[module] = f"{module}.py is larger than {MAX_FILE_BYTES // 1024} KiB"
        else:
            try:
                submission.sources[module] = file.read_bytes()
            except OSError as error:
                submission.problems[module] = f"{module}.py could not be read ({error.strerror})"


def find_submission(path: Path, assignment: Assignment) -> Submission:
    """Read the assignment's graded modules from the submission at path (a folder or a .zip), and its
    notebook's answers where the rubric grades them; never raises for bad input."""
    path = Path(path)
    submission = Submission(path, assignment)
    if path.is_dir():
        _from_folder(path, submission)
    elif path.is_file():
        _from_zip(path, submission)
    else:
        for module in assignment.modules:
            submission.problems[module] = f"{path} does not exist"
    if not assignment.questions:
        submission.answers, submission.notebook_problem = {}, ""
    elif not submission.answers and not submission.notebook_problem:
        submission.notebook_problem = f"{assignment.notebook} with its answer cells was not found in the submission"
    return submission
