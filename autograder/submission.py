"""Find a submission's graded files: by file name, anywhere in a folder or a .zip.

Both this kit's layout (classifiers/linear_svm.py) and CS231n's
(cs231n/classifiers/linear_svm.py) are found unchanged. Only the graded files
are read, each at most MAX_FILE_BYTES, so a zip bomb, a path that escapes the
archive, or a symlink to a secret never gets further than this module.
"""
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Dict, List

GRADED_MODULES = ("linear_svm", "softmax", "linear_classifier")
MAX_FILE_BYTES = 1 * 2**20
IGNORED_PARTS = ("__MACOSX", ".ipynb_checkpoints", "__pycache__")


@dataclass
class Submission:
    """The graded modules' sources, and for each module that could not be read, why."""
    origin: str
    sources: Dict[str, bytes] = field(default_factory=dict)
    problems: Dict[str, str] = field(default_factory=dict)
    warnings: List[str] = field(default_factory=list)


def _ignored(parts) -> bool:
    return any(part.startswith(".") or part in IGNORED_PARTS for part in parts)


def _preference(parts):
    """Prefer a file inside a `classifiers` folder, then the shallowest, then alphabetical."""
    return ("classifiers" not in parts[:-1], len(parts), "/".join(parts))


def _choose(submission: Submission, module: str, candidates: List[tuple]):
    """The one candidate path (as parts) for module, recording a warning or problem."""
    name = f"{module}.py"
    candidates = sorted(candidates, key=_preference)
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
    except (zipfile.BadZipFile, OSError) as error:
        for module in GRADED_MODULES:
            submission.problems[module] = f"{path.name} is not a readable zip file ({error})"
        return
    with archive:
        members = {}
        for info in archive.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or not parts or _ignored(parts) or ".." in parts or info.filename.startswith("/"):
                continue
            members.setdefault(parts[-1], []).append((parts, info))
        for module in GRADED_MODULES:
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
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
                submission.problems[module] = f"{module}.py could not be extracted from the zip ({error})"


def _from_folder(path: Path, submission: Submission) -> None:
    found: Dict[str, List[tuple]] = {}
    for directory, folders, files in os.walk(path, followlinks=False):
        relative = Path(directory).relative_to(path).parts
        folders[:] = [folder for folder in folders if not _ignored((folder,))]
        for name in files:
            stem = name[:-3] if name.endswith(".py") else None
            if stem in GRADED_MODULES and not _ignored((name,)):
                found.setdefault(stem, []).append(relative + (name,))
    for module in GRADED_MODULES:
        chosen = _choose(submission, module, found.get(module, []))
        if chosen is None:
            continue
        file = path.joinpath(*chosen)
        if file.is_symlink() or not file.is_file():
            submission.problems[module] = f"{module}.py is a link or not a regular file"
        elif file.stat().st_size > MAX_FILE_BYTES:
            submission.problems[module] = f"{module}.py is larger than {MAX_FILE_BYTES // 1024} KiB"
        else:
            submission.sources[module] = file.read_bytes()


def find_submission(path: Path) -> Submission:
    """Read the graded modules of the submission at path (a folder or a .zip); never raises for bad input."""
    path = Path(path)
    submission = Submission(origin=str(path))
    if path.is_dir():
        _from_folder(path, submission)
    elif path.is_file():
        _from_zip(path, submission)
    else:
        for module in GRADED_MODULES:
            submission.problems[module] = f"{path} does not exist"
    return submission
