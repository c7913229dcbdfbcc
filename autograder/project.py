"""Where the kit's folders are, and the one way it writes a file: atomically.

In the repository (or an editable install) `solutions/`, `assignment/` and
`assignments/` sit beside `autograder/`; after a plain `pip install .` the
reference solutions are where pyproject.toml's data-files put them.
"""
import fnmatch
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Iterable, List, Union

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions" if (ROOT / "solutions").is_dir() else \
    Path(sys.prefix) / "share" / "linclass-kit" / "solutions"
RELEASES = ROOT / "assignment"


def write_atomically(path: Path, content: Union[str, bytes]) -> None:
    """Replace path in one step (readers see the old file or the whole new one, never a torn one), mode 0644."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content.encode() if isinstance(content, str) else content)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_json_atomically(path: Path, data: dict) -> None:
    write_atomically(path, json.dumps(data, indent=2))


CACHES = ("__pycache__", ".ipynb_checkpoints", ".pytest_cache", "*.pyc")


def is_skipped(relative: Path, data_files: Iterable[str] = ()) -> bool:
    """Is this path (relative to a folder of the kit's) a cache, or downloaded data matching data_files?"""
    patterns = (*CACHES, *data_files)
    return any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in patterns)


def listed_files(folder: Path, data_files: Iterable[str] = ()) -> List[Path]:
    """The files below folder that the kit releases, packages or fingerprints (relative, sorted): all
    but caches and downloaded data."""
    return sorted(path.relative_to(folder) for path in Path(folder).rglob("*")
                  if path.is_file() and not is_skipped(path.relative_to(folder), data_files))
