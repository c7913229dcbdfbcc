"""Static check that a "vectorised" function has no Python loop over the examples.

Names are tracked through assignments: the example count (X.shape[0], len(y),
N from `N, D = X.shape`, ...) and arrays with one row per example (X, y, X @ W,
...). A for loop, comprehension or while loop whose iteration depends on the
example count, or that iterates over the rows of such an array, is a loop over
examples; a loop over the classes (range(C), range(W.shape[1])) is allowed.
Iterating calls (map, filter, functools.reduce, np.apply_along_axis,
np.vectorize, ...) over per-example arrays count as loops too.

What is judged is what the graded name is bound to after import (binding.py):
a later `f = svm_loss_naive`, a decorator or a wrapper counts, and every
module-level function, class or alias reachable from it is followed, so a loop
hidden in a helper (or a call to the naive version) counts too, as does a
recursive call. What the check cannot follow it refuses (StaticCheckError).
"""
import ast
from typing import Dict, List, Optional, Set, Tuple

from .binding import Binding, ModuleScope

ROW_ARRAY_ARGUMENTS = (1, 2)  # positions of X and y in f(W, X, y, reg)
ITERATING_CALLS = {"map", "filter", "reduce", "starmap", "accumulate", "apply_along_axis", "apply_over_axes",
                   "vectorize", "frompyfunc", "fromiter", "nditer", "ndenumerate", "iter"}


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


def _callee(node: ast.AST) -> str:
    """The called name of a call (np.vectorize(f)(X) counts as vectorize)."""
    while isinstance(node, ast.Call):
        node = node.func
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""


def _function_loops(function: ast.AST, graded: bool) -> List[str]:
    """Lines of loops over examples directly inside function (a def or a lambda).

    In the graded function X and y hold the examples; a helper's arguments are
    unknown, so all of them are assumed to.
    """
    arguments = [a.arg for a in function.args.posonlyargs + function.args.args]
    if not graded:
        arguments += [a.arg for a in function.args.kwonlyargs]
        arguments += [a.arg for a in (function.args.vararg, function.args.kwarg) if a is not None]
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
        elif isinstance(node, ast.Call) and _callee(node) in ITERATING_CALLS \
                and any(_loop_over_examples(arg, taint) for arg in node.args):
            findings.append(f"line {node.lineno}: {_callee(node)} over the examples")
    return findings


def _cycles(edges: Dict[int, Set[int]], names: Dict[int, str]) -> List[str]:
    """Functions that can call themselves again (recursion is a loop in disguise)."""
    found = []
    for start in edges:
        pending, seen = list(edges[start]), set()
        while pending:
            current = pending.pop()
            if current == start:
                found.append(f"{names[start]}: a recursive call")
                break
            if current not in seen:
                seen.add(current)
                pending.extend(edges.get(current, ()))
    return found


def example_loops(source: str, function_name: str) -> Optional[List[str]]:
    """Loops over examples reachable from what function_name is bound to; None if the module never binds it.

    StaticCheckError if the module does something the check cannot follow.
    """
    scope = ModuleScope(source)
    if function_name not in scope.bindings:
        return None
    findings: List[str] = []
    edges: Dict[int, Set[int]] = {}
    names: Dict[int, str] = {}
    pending: List[Tuple[Binding, bool]] = [(binding, True) for binding in scope.resolve(function_name)]
    seen = set()
    while pending:
        binding, graded = pending.pop()
        if (id(binding), graded) in seen:
            continue
        seen.add((id(binding), graded))
        names[id(binding)] = binding.name
        scope.check_followable(binding, graded)
        if graded and binding.kind == "value" and isinstance(binding.node, ast.Name):  # f = other_function
            targets = [(target, True) for target in scope.resolve(binding.node.id, binding.position)]
        else:
            for function in scope.functions(binding):
                is_graded = graded and binding.kind == "def"
                findings += [f"{binding.name}, {finding}" for finding in _function_loops(function, is_graded)]
            targets = [(target, False) for name, before in scope.references(binding)
                       for target in scope.resolve(name, before)]
        edges.setdefault(id(binding), set()).update(id(target) for target, _ in targets)
        pending += targets
    return findings + _cycles(edges, names)
