"""What a rubric's checks work with: the `grading` fixture, and the Deduction a failed check raises."""
from dataclasses import dataclass, field
from types import ModuleType
from typing import Dict, List, Optional

import numpy as np

from ..assignment import Assignment
from ..pipeline.reference import reference_module
from ..pipeline.secret import grading_secret
from ..sandbox.process import Worker


class Deduction(Exception):
    """A failed check: message is written for the student; mistake names a catalogued mistake."""

    def __init__(self, message: str, mistake: Optional[str] = None):
        super().__init__(message)
        self.message, self.mistake = message, mistake


@dataclass
class GradingContext:
    """One grading: the student's worker and the reference's, the submission's sources, and notes for the report.

    Every check's data should be drawn with rng(seed): mixed with the grading's
    secret, so nobody can know it before submitting.
    """
    assignment: Assignment
    student: Worker
    reference: Worker
    sources: Dict[str, str]                                 # graded module -> its text
    answers: Dict[str, str] = field(default_factory=dict)   # notebook answer name -> its cell's source
    notebook_problem: str = ""                              # why the notebook's answers could not be read
    notes: List[str] = field(default_factory=list)          # lines for the report (measured speed, say)
    secret: Optional[int] = None                            # by default from the sources (see pipeline/secret.py)

    def __post_init__(self):
        if self.secret is None:
            self.secret = grading_secret(self.sources, self.answers)

    def rng(self, seed: int) -> np.random.Generator:
        """A generator for one check's data: seed and the grading's secret together."""
        return np.random.default_rng([seed, self.secret])

    def reference_module(self, module: str) -> ModuleType:
        """A graded module of the reference solution, run here in the trusted process."""
        return reference_module(self.assignment, module)
