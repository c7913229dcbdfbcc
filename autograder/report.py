"""Report: a GradeResult as readable text for a person (results.json comes from GradeResult itself)."""
from .results import GradeResult


def text_report(result: GradeResult) -> str:
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
    lines += ["", "Sandbox protections:"]
    lines += [f"  {name}: {state}" for name, state in result.protections.items()]
    lines.append(f"\nGraded in {result.execution_time:.1f} s.")
    return "\n".join(lines)
