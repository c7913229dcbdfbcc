"""Shared paths for the kit's own tests."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "linear_classifiers"


@pytest.fixture(scope="session")
def solutions_dir() -> Path:
    return ROOT / "solutions" / ASSIGNMENT


@pytest.fixture(scope="session")
def release_dir() -> Path:
    return ROOT / "assignment" / ASSIGNMENT
