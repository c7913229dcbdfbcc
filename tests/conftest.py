"""Shared paths for the kit's own tests; the engine's tests use the linear classifiers as their assignment."""
from pathlib import Path

import pytest

from autograder.assignment import load

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "linear_classifiers"
LINEAR = load(ASSIGNMENT)


@pytest.fixture(scope="session")
def solutions_dir() -> Path:
    return ROOT / "solutions" / ASSIGNMENT


@pytest.fixture(scope="session")
def release_dir() -> Path:
    return ROOT / "assignment" / ASSIGNMENT
