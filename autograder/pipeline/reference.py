"""The reference solution, in the trusted process and in a kept worker of its own.

A rubric computes expected values by importing the instructor's solution here,
in the grader (reference_module). The speed checks time the reference in a
sandboxed worker like the student's, started once per grading process and
assignment and kept for every grading that process does.
"""
import atexit
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Dict, List, Tuple

from ..assignment import Assignment
from ..sandbox.process import Limits, Worker


def _reference_package(assignment: Assignment) -> str:
    """Import solutions/<name>/ under a private name (so it never shadows a student's module); return that name."""
    package = f"_reference_{assignment.name}"
    if package not in sys.modules:
        location = assignment.source_dir
        spec = importlib.util.spec_from_file_location(
            package, location / "__init__.py", submodule_search_locations=[str(location)])
        module = importlib.util.module_from_spec(spec)
        sys.modules[package] = module
        spec.loader.exec_module(module)
    return package


def reference_module(assignment: Assignment, module: str) -> ModuleType:
    """A graded module of the reference solution, imported in this (trusted) process."""
    folder = f".{assignment.module_folder}" if assignment.module_folder else ""
    return importlib.import_module(f"{_reference_package(assignment)}{folder}.{module}")


def reference_sources(assignment: Assignment) -> Dict[str, bytes]:
    return {module: (assignment.reference_dir / f"{module}.py").read_bytes() for module in assignment.modules}


_WORKERS: Dict[Tuple[str, Limits], Worker] = {}


def reference_worker(assignment: Assignment, limits: Limits, protected: List[Path]) -> Worker:
    """The reference's worker for this assignment and these limits, started once per process and kept
    (a grade-all grading process grades many submissions); each grading renews its time budget."""
    key = (assignment.name, limits)
    if key not in _WORKERS:
        _WORKERS[key] = Worker(assignment, reference_sources(assignment), limits, protected, trusted=True)
        atexit.register(_WORKERS[key].close)
    worker = _WORKERS[key]
    worker.renew()
    return worker
