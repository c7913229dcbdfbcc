"""Static check that a "vectorised" function has no Python loop over the examples.

Names are tracked through assignments: the example count (X.shape[0], len(y),
N from `N, D = X.shape`, ...) and arrays with one row per example (X, y, X @ W,
...). A for loop, comprehension or while loop whose iteration depends on the
example count, or that iterates over the rows of such an array, is a loop over
examples; a loop over the classes (range(C), range(W.shape[1])) is allowed.
Module-level functions it calls are followed, so a loop hidden in a helper (or
a call to the naive version) counts too.
"""
import ast
from typing import Dict, List, Optional, Set

ROW_ARRAY_ARGUMENTS = (1, 2)  # positions of X and y in f(W, X, y, reg)


def _names(node: ast.AST) -> Set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


class _Taint:
    """Which names hold the example count and which hold per-example arrays."""

    def __init__(self, row_arrays: Set[str]):
        self.counts: Set[str] = set()
        self.rows: Set[str] = set(row_arrays)

    def is_count(self, node: ast.AST) -> bool:
        """Does this expression depend on the number of examples?"""
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in self.counts:
                return True
            if isinstance(sub, ast.Subscript) and isinstance(sub.value, ast.Attribute) \
                    and sub.value.attr == "shape" and self.is_rows(sub.value.value) \
                    and isinstance(sub.slice, ast.Constant) and sub.slice.value in (0, -2):
                return True
            if isinstance(sub, ast.Attribute) and sub.attr == "size" and self.is_rows(sub.value):
                return True
            if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id == "len" \
                    and sub.args and self.is_rows(sub.args[0]):
                return True
        return False

    def is_rows(self, node: ast.AST) -> bool:
        """Is this an array with one entry or row per example?"""
        return bool(_names(node) & self.rows)

    def learn(self, target: ast.AST, value: ast.AST) -> None:
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
            for element, element_value in zip(target.elts, value.elts):
                self.learn(element, element_value)
            return
        if isinstance(target, ast.Tuple) and isinstance(value, ast.Attribute) and value.attr == "shape" \
                and self.is_rows(value.value) and target.elts and isinstance(target.elts[0], ast.Name):
            self.counts.add(target.elts[0].id)  # N, D = X.shape
            return
        for name in _names(target) if isinstance(target, (ast.Name, ast.Tuple)) else ():
            if self.is_count(value):
                self.counts.add(name)
            elif self.is_rows(value):
                self.rows.add(name)


def _loop_over_examples(iterable: ast.AST, taint: _Taint) -> bool:
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) \
            and iterable.func.id in ("range", "enumerate", "zip", "reversed", "sorted", "list"):
        return any(_loop_over_examples(arg, taint) or taint.is_count(arg) for arg in iterable.args)
    return taint.is_count(iterable) or taint.is_rows(iterable)


def _position(node: ast.AST):
    located = node.iter if isinstance(node, ast.comprehension) else node
    return getattr(located, "lineno", 0), getattr(located, "col_offset", 0)


def _function_loops(function: ast.FunctionDef, graded: bool) -> List[str]:
    """Lines of loops over examples directly inside function.

    In the graded function X and y hold the examples; a helper's arguments are
    unknown, so all of them are assumed to.
    """
    arguments = [a.arg for a in function.args.args]
    row_arrays = [arguments[i] for i in ROW_ARRAY_ARGUMENTS if i < len(arguments)] if graded else arguments
    taint = _Taint(set(row_arrays))
    findings = []
    for node in sorted(ast.walk(function), key=_position):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                taint.learn(target, node.value)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            taint.learn(node.target, node.value)
        elif isinstance(node, (ast.For, ast.comprehension)) and _loop_over_examples(node.iter, taint):
            findings.append(f"line {_position(node)[0]}: a loop over the examples")
        elif isinstance(node, ast.While):
            findings.append(f"line {node.lineno}: a while loop")
    return findings


def example_loops(source: str, function_name: str) -> Optional[List[str]]:
    """Loops over examples reachable from function_name; None if the function is not defined in source."""
    module = ast.parse(source)
    functions: Dict[str, ast.FunctionDef] = {node.name: node for node in module.body
                                             if isinstance(node, ast.FunctionDef)}
    if function_name not in functions:
        return None
    findings, pending, seen = [], [function_name], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        function = functions[name]
        findings += [f"{name}, {finding}" for finding in _function_loops(function, name == function_name)]
        pending += [call.func.id for call in ast.walk(function) if isinstance(call, ast.Call)
                    and isinstance(call.func, ast.Name) and call.func.id in functions]
    return findings
