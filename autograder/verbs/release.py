"""`python -m autograder release [--check]`: generate the student release `assignment/<name>/` from `solutions/<name>/`.

Every region between `### BEGIN SOLUTION` and `### END SOLUTION` (nbgrader's
markers) is replaced by a stub. In a module the stub raises NotImplementedError
naming the function and the region's `# Hint:` line; in a notebook it is
nbgrader's own stub. Notebooks are released without outputs and with the metadata
nbgrader adds (locked cells undeletable, checksums), so `nbgrader generate_assignment`
writes the same bytes as this command. Everything else is copied verbatim, but
caches and the assignment's downloaded data (its data_files).
"""
import argparse
import ast
import filecmp
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator, List, Tuple

from ..assignment import load
from ..project import listed_files
from . import CommandError

HELP = "generate the student release from solutions/ (or check that it is up to date)"
BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
HINT_PREFIX = "# Hint:"
NOTEBOOK_STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
MARKDOWN_STUB = "YOUR ANSWER HERE"


class ReleaseError(Exception):
    """The source cannot be released as it stands (e.g. an unclosed solution region)."""


def solution_regions(lines: List[str], where: str) -> Iterator[Tuple[int, int]]:
    """Yield (begin, end) line indices of each solution region, markers included."""
    begin = None
    for index, line in enumerate(lines):
        marker = line.strip()
        if marker.startswith(BEGIN_SOLUTION):
            if begin is not None:
                raise ReleaseError(f"{where}:{index + 1}: nested {BEGIN_SOLUTION}")
            begin = index
        elif marker.startswith(END_SOLUTION):
            if begin is None:
                raise ReleaseError(f"{where}:{index + 1}: {END_SOLUTION} without a begin")
            yield begin, index
            begin = None
    if begin is not None:
        raise ReleaseError(f"{where}:{begin + 1}: {BEGIN_SOLUTION} is never closed")


def split_solution_lines(source: str, where: str) -> Tuple[List[str], List[str]]:
    """(lines inside solution regions, all other lines) of a source; markers count as outside."""
    lines = source.splitlines()
    inside = {index for begin, end in solution_regions(lines, where) for index in range(begin + 1, end)}
    return ([lines[i] for i in sorted(inside)], [line for i, line in enumerate(lines) if i not in inside])


def replace_regions(source: str, where: str,
                    stub_for: Callable[[List[str], int, int], str]) -> str:
    """Replace each solution region with stub_for(lines, begin, end), indented like the marker."""
    lines = source.splitlines(keepends=True)
    output, position = [], 0
    for begin, end in solution_regions(lines, where):
        indent = lines[begin][:len(lines[begin]) - len(lines[begin].lstrip())]
        output.extend(lines[position:begin])
        stub = "\n".join(indent + stub_line for stub_line in stub_for(lines, begin, end).splitlines())
        output.append(stub + ("\n" if lines[end].endswith("\n") else ""))  # end a cell as nbgrader does
        position = end + 1
    output.extend(lines[position:])
    return "".join(output)


def function_names(source: str) -> List[Tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function, 1-based lines."""
    spans = []

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    spans.append((child.lineno, child.end_lineno, name))
                visit(child, name + ".")

    visit(ast.parse(source), "")
    return spans


def strip_module(source: str, where: str) -> str:
    """A module's release: each region raises NotImplementedError('<function>: <hint>')."""
    try:
        spans = function_names(source)
    except SyntaxError as error:
        raise ReleaseError(f"{where}:{error.lineno}: not valid Python ({error.msg})") from None

    def stub(lines, begin, end):
        line_number = begin + 1
        enclosing = [name for first, last, name in spans if first <= line_number <= last]
        if not enclosing:
            raise ReleaseError(f"{where}:{line_number}: a solution region must be inside a function")
        hints = [line.strip()[len(HINT_PREFIX):].strip() for line in lines[begin + 1:end]
                 if line.strip().startswith(HINT_PREFIX)]
        if not hints:
            raise ReleaseError(f"{where}:{line_number}: the region needs a '{HINT_PREFIX} ...' line")
        message = f"{enclosing[-1]}: {hints[0]}"
        return f"# YOUR CODE HERE\nraise NotImplementedError({message!r})"

    return replace_regions(source, where, stub)


def strip_notebook(notebook: "nbformat.NotebookNode", where: str) -> "nbformat.NotebookNode":
    """A notebook's release: solution regions and answers stubbed as nbgrader does, outputs cleared."""
    import nbformat  # only here: grading and batch runs do not need it
    released = nbformat.from_dict(notebook)
    for cell in released.cells:
        is_solution = cell.get("metadata", {}).get("nbgrader", {}).get("solution", False)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if BEGIN_SOLUTION in cell.source:
                cell.source = replace_regions(cell.source, where, lambda *_: NOTEBOOK_STUB)
            elif is_solution:
                cell.source = NOTEBOOK_STUB
        elif is_solution:
            cell.source = MARKDOWN_STUB
    return released


def lock_notebook(notebook: "nbformat.NotebookNode") -> "nbformat.NotebookNode":
    """What nbgrader's generate_assignment adds to a released notebook: its locked cells undeletable (and
    uneditable), and the checksums that tell it whether a student changed a cell."""
    from nbgrader.preprocessors import ComputeChecksums, LockCells  # only here: grading does not need nbgrader
    for step in (LockCells(), ComputeChecksums()):
        notebook, _ = step.preprocess(notebook, {})
    return notebook


def release_file(source: Path, destination: Path) -> None:
    """Write the student version of one file."""
    import nbformat  # only here: grading and batch runs do not need it
    where = str(source)
    if source.suffix == ".py":
        destination.write_text(strip_module(source.read_text(), where))
    elif source.suffix == ".ipynb":
        nbformat.write(lock_notebook(strip_notebook(nbformat.read(source, as_version=4), where)), destination)
    else:
        shutil.copyfile(source, destination)


def build_release(source_dir: Path, release_dir: Path, data_files: Iterable[str] = ()) -> List[Path]:
    """Write the release of source_dir into release_dir (which must not exist); return its files."""
    files = listed_files(source_dir, data_files)
    for relative in files:
        (release_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        release_file(source_dir / relative, release_dir / relative)
    return files


def stale_files(source_dir: Path, release_dir: Path, data_files: Iterable[str] = ()) -> List[str]:
    """Files that differ between a fresh release of source_dir and release_dir (empty when in sync)."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "release"
        expected = set(build_release(source_dir, fresh, data_files))
        actual = set(listed_files(release_dir, data_files)) if release_dir.is_dir() else set()
        differing = [str(path) for path in sorted(expected & actual)
                     if not filecmp.cmp(fresh / path, release_dir / path, shallow=False)]
        return sorted(differing + [str(path) for path in expected ^ actual])


def write_release(source_dir: Path, release_dir: Path, data_files: Iterable[str] = ()) -> List[Path]:
    """Replace release_dir with a fresh release, swapping it in only once it is complete."""
    release_dir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".release-", dir=release_dir.parent))
    try:
        files = build_release(source_dir, scratch / "new", data_files)
        if release_dir.exists():
            release_dir.rename(scratch / "old")
        (scratch / "new").rename(release_dir)
        return files
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", type=Path, help="instructor source folder, holding <assignment>/ "
                                                    "(default: the kit's solutions/)")
    parser.add_argument("--release", type=Path, help="student release folder, to hold <assignment>/ "
                                                     "(default: the kit's assignment/)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the release is out of date")


def run(args: argparse.Namespace) -> int:
    assignment = load(args.assignment)
    source_dir = args.source / assignment.name if args.source else assignment.source_dir
    release_dir = args.release / assignment.name if args.release else assignment.release_dir
    if not source_dir.is_dir():
        raise CommandError(f"{source_dir} is not a folder: the assignment's solutions are not there")
    try:
        if args.check:
            stale = stale_files(source_dir, release_dir, assignment.data_files)
            for path in stale:
                print(f"out of date: {release_dir / path}")
            print("release is up to date" if not stale else
                  f"run `python -m autograder release --assignment {assignment.name}` to regenerate it")
            return 1 if stale else 0
        files = write_release(source_dir, release_dir, assignment.data_files)
    except ReleaseError as error:
        raise CommandError(str(error)) from None
    print(f"released {len(files)} files from {source_dir} to {release_dir}")
    return 0
