"""An assignment, as the engine sees it: data that every stage takes as input.

Each assignment is a package `assignments/<name>/` whose `ASSIGNMENT` is an
`Assignment`; beside it sit its worker-side harness (`harness.py`, run in the
sandbox), its helpers, its rubric (`rubric/`, a pytest suite) and the packages
its submissions may import besides the grader's own (`requirements.txt`). Its
reference solution is `solutions/<name>/`, its student release
`assignment/<name>/`. The engine names no assignment: it loads them by name,
and `assignments.DEFAULT` is the one a verb grades when none is given.
"""
import importlib
import pkgutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from .project import RELEASES, SOLUTIONS

QUESTIONS = "questions"  # the rubric's name for the notebook's auto-graded answers, beside the graded functions


class UnknownAssignment(ValueError):
    """No assignment package has that name."""


@dataclass(frozen=True)
class Assignment:
    """What the engine needs to find, run, grade and release one assignment."""
    name: str                      # the id: folder of assignments/, solutions/, assignment/; nbgrader's assignment id
    title: str
    functions: Dict[str, str]      # graded function -> "module.qualified.name", in the rubric's order
    kinds: Tuple[str, ...]         # the kinds of check its rubric has (a results.json tag)
    notebook: str                  # the notebook's file name; its answer_* cells are graded when questions is True
    package: str                   # the package the graded modules are imported as in the sandbox
    package_aliases: Tuple[str, ...] = ()  # other names submissions import that package by
    module_folder: str = ""        # the folder of the graded modules: in the reference, and preferred in a submission
    imports: Dict[str, Tuple[str, ...]] = field(default_factory=dict)  # module -> graded modules it imports
    questions: bool = False        # does the rubric grade the notebook's answer cells?
    data_files: Tuple[str, ...] = ()  # name patterns of downloaded data: never released, fingerprinted or collected

    @property
    def modules(self) -> Tuple[str, ...]:
        """The graded modules (file stems), in the order their functions are graded."""
        return tuple(dict.fromkeys(location.split(".")[0] for location in self.functions.values()))

    @property
    def graded(self) -> Tuple[str, ...]:
        """Every name a rubric check may grade: the functions, then the questions."""
        return (*self.functions, *([QUESTIONS] if self.questions else []))

    def location(self, function: str) -> Tuple[str, str]:
        """(module, qualified name inside it) of a graded function."""
        module, _, qualified = self.functions[function].partition(".")
        return module, qualified

    def module_functions(self, module: str) -> List[str]:
        """The graded functions defined at the top level of a module (a placeholder for it defines them)."""
        return [qualified for module_name, qualified in map(self.location, self.functions)
                if module_name == module and "." not in qualified]

    @property
    def package_dir(self) -> Path:
        return Path(importlib.import_module(f"assignments.{self.name}").__file__).resolve().parent

    @property
    def rubric_dir(self) -> Path:
        return self.package_dir / "rubric"

    @property
    def harness(self) -> Path:
        return self.package_dir / "harness.py"

    @property
    def requirements(self) -> Path:
        """pip's requirements of what its submissions may import beyond the grader's own (installed to grade)."""
        return self.package_dir / "requirements.txt"

    @property
    def source_dir(self) -> Path:
        return SOLUTIONS / self.name

    @property
    def reference_dir(self) -> Path:
        return self.source_dir / self.module_folder

    @property
    def release_dir(self) -> Path:
        return RELEASES / self.name

    @property
    def notebook_id(self) -> str:
        return self.notebook.removesuffix(".ipynb")


def packages_dir() -> Path:
    """The folder of the assignment packages (assignments/)."""
    import assignments
    return Path(assignments.__file__).resolve().parent


def names() -> List[str]:
    """Every assignment package's name, sorted."""
    return sorted(module.name for module in pkgutil.iter_modules([str(packages_dir())]) if module.ispkg)


def load(name: Optional[str] = None) -> Assignment:
    """The assignment called name (the default one for None); UnknownAssignment if there is none."""
    import assignments
    name = name or assignments.DEFAULT
    if name not in names():
        raise UnknownAssignment(f"no assignment '{name}': the kit has {', '.join(names())}")
    assignment = importlib.import_module(f"assignments.{name}").ASSIGNMENT
    if assignment.name != name:
        raise UnknownAssignment(f"assignments/{name}/ declares the assignment '{assignment.name}'")
    return assignment


def default_name() -> str:
    import assignments
    return assignments.DEFAULT


def of_path(path: Path) -> Optional[Assignment]:
    """The assignment whose package holds path (a rubric's test file, say), or None."""
    path = Path(path).resolve()
    for name in names():
        assignment = load(name)
        if path.is_relative_to(assignment.package_dir):
            return assignment
    return None
