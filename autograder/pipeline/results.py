"""What grading produces: one CheckResult per rubric check, gathered in a GradeResult.

`GradeResult.to_gradescope()` is Gradescope's results.json format; everything of
the kit's own (the assignment, each check's stable id, graded function, kind and
diagnosed mistake, flags, active protections) travels in its `extra_data`
fields, so `from_gradescope` can read a results.json back without loss for
batch reports and merging. results.schema.json (JSON Schema) says exactly what
a results.json of the kit holds; reading one back validates it.
"""
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List, Optional

SCHEMA = Path(__file__).resolve().parent / "results.schema.json"
# ANSI/VT escape sequences: CSI (ESC [ ... final), OSC/DCS/PM/APC strings (to BEL or ST), other ESC x.
ESCAPE_SEQUENCE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]"
                             r"|[\x1b][\]PX^_].*?(?:\x07|\x1b\\|$)|[\x90\x9d\x98\x9e\x9f].*?(?:\x07|\x9c|$)"
                             r"|\x1b[ -/]*[0-~]?", re.DOTALL)


def sanitise(text) -> str:
    """One line of plain text: escape sequences removed, whitespace controls made spaces, other controls,
    format characters (bidi overrides, zero-width) and lone surrogates dropped.

    Applied to everything a result carries, since much of it comes from student output
    (exception messages, file names, type names) and reaches terminals, results.json and nbgrader.
    """
    text = ESCAPE_SEQUENCE.sub("", str(text))
    text = re.sub(r"[\t\n\r\v\f\x85\u2028\u2029]", " ", text)
    return "".join(character for character in text if unicodedata.category(character) not in ("Cc", "Cf", "Cs"))


@dataclass
class CheckResult:
    """One graded property of one function; id is the rubric test's node id (stable), name is for people."""
    id: str
    name: str
    function: str
    kind: str
    max_score: float
    score: float
    feedback: str
    mistake: Optional[str] = None  # the classic mistake diagnosed, when one was recognised

    def __post_init__(self):
        self.name, self.feedback = sanitise(self.name), sanitise(self.feedback)
        self.mistake = None if self.mistake is None else sanitise(self.mistake)

    @property
    def passed(self) -> bool:
        return self.score >= self.max_score


@dataclass
class GradeResult:
    """Everything known about one graded submission."""
    assignment: str
    submission: str
    checks: List[CheckResult]
    execution_time: float = 0.0
    flags: List[str] = field(default_factory=list)
    protections: Dict[str, str] = field(default_factory=dict)  # protection -> "active" or why not
    notes: List[str] = field(default_factory=list)  # informational lines (e.g. measured speedups)

    def __post_init__(self):
        self.submission = sanitise(self.submission)
        self.flags = [sanitise(flag) for flag in self.flags]
        self.notes = [sanitise(note) for note in self.notes]
        self.protections = {sanitise(name): sanitise(state) for name, state in self.protections.items()}

    @property
    def score(self) -> float:
        return round(sum(check.score for check in self.checks), 6)

    @property
    def max_score(self) -> float:
        return round(sum(check.max_score for check in self.checks), 6)

    def points_by_function(self, functions: Iterable[str]) -> Dict[str, float]:
        """Points earned per graded function, for each of functions (in that order; 0 where no check graded it)."""
        points = {name: 0.0 for name in functions}
        for check in self.checks:
            points[check.function] = round(points.get(check.function, 0.0) + check.score, 6)
        return points

    def to_gradescope(self) -> dict:
        """Gradescope's results.json: score, max_score, execution_time, output, tests[]."""
        return {
            "score": self.score,
            "max_score": self.max_score,
            "execution_time": round(self.execution_time, 3),
            "output": "\n".join(self.notes),
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "tests": [{
                "name": check.name,
                "score": check.score,
                "max_score": check.max_score,
                "status": "passed" if check.passed else "failed",
                "output": check.feedback,
                "visibility": "visible",
                "tags": [check.function, check.kind],
                "extra_data": {"id": check.id, "function": check.function, "kind": check.kind,
                               "mistake": check.mistake},
            } for check in self.checks],
            "extra_data": {"assignment": self.assignment, "submission": self.submission, "flags": self.flags,
                           "protections": self.protections},
        }

    @classmethod
    def from_gradescope(cls, data: dict) -> "GradeResult":
        """Read back what to_gradescope wrote; jsonschema.ValidationError if data is not such a results.json."""
        validate(data)
        extra = data["extra_data"]
        checks = [CheckResult(id=test["extra_data"]["id"], name=test["name"], function=test["extra_data"]["function"],
                              kind=test["extra_data"]["kind"], max_score=test["max_score"],
                              score=test["score"], feedback=test.get("output", ""),
                              mistake=test["extra_data"].get("mistake")) for test in data["tests"]]
        return cls(assignment=extra["assignment"], submission=extra["submission"], checks=checks,
                   execution_time=data.get("execution_time", 0.0), flags=list(extra["flags"]),
                   protections=dict(extra["protections"]), notes=data.get("output", "").splitlines())


@lru_cache(maxsize=1)
def _validator():
    import jsonschema  # only where results are read back: a single grading never needs it
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))


def validate(data: dict) -> None:
    """Raise jsonschema.ValidationError unless data is a results.json of the kit (results.schema.json)."""
    error = next(iter(_validator().iter_errors(data)), None)
    if error is not None:
        raise error
