"""Report: a GradeResult as readable text for a person (results.json comes from GradeResult itself)."""
from typing import Dict, List

from .results import GradeResult
from .sandbox.process import missing_protections


def sandbox_lines(protections: Dict[str, str], verbose: bool = False) -> List[str]:
    """One line when every protection is active; otherwise one per missing protection; all with verbose."""
    missing = missing_protections(protections)
    if not missing and not verbose:
        return [f"Sandbox: all {len(protections)} protections active (--verbose lists them)."]
    title = f"Sandbox: {len(missing)} of {len(protections)} protections missing" if missing else \
        f"Sandbox: all {len(protections)} protections active"
    shown = protections if verbose else {name: protections[name] for name in missing}
    return [title + ":"] + [f"  {name}: {state}" for name, state in shown.items()]


def text_report(result: GradeResult, verbose: bool = False) -> str:
    """Per check: points, pass/fail and the feedback line; then notes, flags and protections."""
    lines = [f"Submission: {result.submission}", ""]
    width = max((len(check.name) for check in result.checks), default=20)
    for check in result.checks:
        mark = "PASS" if check.passed else "FAIL"
        points = f"{check.score:g}/{check.max_score:g}"
        lines.append(f"{mark}  {points:>5}  {check.name:<{width}}")
        if not check.passed:
            lines.append(f"{'':13}{check.feedback}")
    lines += ["", f"Total: {result.score:g} / {result.max_score:g}"]
    for title, entries in (("Notes", result.notes), ("Flags", result.flags)):
        if entries:
            lines += ["", f"{title}:"] + [f"  {entry}" for entry in entries]
    lines += [""] + sandbox_lines(result.protections, verbose)
    lines.append(f"\nGraded in {result.execution_time:.1f} s.")
    return "\n".join(lines)
