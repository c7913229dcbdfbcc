"""Import the instructor's reference solution (solutions/<id>/) in the trusted process only."""
import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
# In the repository (or an editable install) beside autograder/; in a plain `pip install .`, where
# pyproject.toml's data-files put it.
SOLUTIONS = ROOT / "solutions" if (ROOT / "solutions").is_dir() else Path(sys.prefix) / "share" / "linclass-kit" / "solutions"


def load_reference_package(assignment: str = "linear_classifiers",
                           solutions: Path = SOLUTIONS) -> str:
    """Import solutions/<assignment> under a private name; return that package name."""
    package = f"_reference_{assignment}"
    if package not in sys.modules:
        location = solutions / assignment
        spec = importlib.util.spec_from_file_location(
            package, location / "__init__.py", submodule_search_locations=[str(location)])
        module = importlib.util.module_from_spec(spec)
        sys.modules[package] = module
        spec.loader.exec_module(module)
    return package


def reference_module(name: str, assignment: str = "linear_classifiers") -> ModuleType:
    """A module of the reference, e.g. reference_module('classifiers.linear_svm')."""
    return importlib.import_module(f"{load_reference_package(assignment)}.{name}")
