"""Stage 4, report: a GradeResult as readable text for a person (results.json comes from GradeResult itself)."""
from typing import Dict, Iterable, List

from .. import assignment
from ..sandbox.process import missing_protections
from .results import GradeResult


def function_order(assignment_name: str, functions: Iterable[str]) -> List[str]:
    """The graded functions among functions in their assignment's order (unknown ones after, as they come)."""
    try:
        known = list(assignment.load(assignment_name).graded)
    except assignment.UnknownAssignment:
        known = []
    seen = list(dict.fromkeys(functions))
    return [name for name in known if name in seen] + [name for name in seen if name not in known]


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
    """Per graded function its points, then each check's pass/fail, points and feedback; then notes,
    flags and the sandbox."""
    lines = [f"Submission: {result.submission}"]
    by_function: Dict[str, list] = {}
    for check in result.checks:
        by_function.setdefault(check.function, []).append(check)
    for function in function_order(result.assignment, by_function):
        checks = by_function[function]
        earned, possible = sum(check.score for check in checks), sum(check.max_score for check in checks)
        lines += ["", f"{function}: {earned:g} / {possible:g}"]
        for check in checks:
            points = f"{check.score:g}/{check.max_score:g}"
            name = check.name.removeprefix(f"{function}: ")
            lines.append(f"  {'PASS' if check.passed else 'FAIL'}  {points:>5}  {name}")
            if not check.passed:
                lines.append(f"{'':15}{check.feedback}")
    lines += ["", f"Total: {result.score:g} / {result.max_score:g}"]
    for title, entries in (("Notes", result.notes), ("Flags", result.flags)):
        if entries:
            lines += ["", f"{title}:"] + [f"  {entry}" for entry in entries]
    lines += [""] + sandbox_lines(result.protections, verbose)
    lines.append(f"\nGraded in {result.execution_time:.1f} s.")
    return "\n".join(lines)
