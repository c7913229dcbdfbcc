"""Static check that a "vectorised" function has no Python loop over the examples (or no loop at all).

The rubric says which arguments hold one row per example (`rows`, positions
in the signature). Names are tracked through assignments: the example count
(X.shape[0], len(y), N from `N, D = X.shape`, ...) and arrays with one row per
example (X, y, X @ W, ...). A for loop, comprehension or while loop whose
iteration depends on the example count, or that iterates over the rows of such
an array, is a loop over examples; a loop over anything else (range(C),
range(W.shape[1])) is allowed. Iterating calls (map, filter, functools.reduce,
np.apply_along_axis, np.vectorize, ...) over per-example arrays count as loops
too. With rows=None every loop counts.

What is judged is what the graded name is bound to after import (bindings.py):
a later `f = g`, a decorator or a wrapper counts, and every module-level
function, class or alias reachable from it is followed (for a method, also
the class's methods it calls through `self`), so a loop hidden in a helper (or
a call to a looping version) counts too, as does a recursive call. What the
check cannot follow it refuses (StaticCheckError).
"""
import ast
from typing import Dict, List, Optional, Sequence, Set, Tuple

from ..sandbox.compat import PYTHON2_BUILTINS
from .bindings import Binding, ModuleScope, StaticCheckError, python_source, sibling_tampering
from .context import Deduction

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


class _EveryLoop(_Taint):
    """Every loop counts: everything is per example."""

    def __init__(self):
        super().__init__(set())

    def is_count(self, node: ast.AST) -> bool:
        return True

    def is_rows(self, node: ast.AST) -> bool:
        return True


def _loop_over_examples(iterable: ast.AST, taint: _Taint) -> bool:
    if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) \
            and iterable.func.id in ("range", *PYTHON2_BUILTINS, "enumerate", "zip", "reversed", "sorted", "list"):
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


def _function_loops(function: ast.AST, graded: bool, rows: Optional[Sequence[int]]) -> List[str]:
    """Lines of loops over examples directly inside function (a def or a lambda).

    In the graded function the arguments at positions rows hold the examples;
    a helper's arguments are unknown, so all of them are assumed to.
    """
    arguments = [a.arg for a in function.args.posonlyargs + function.args.args]
    if not graded:
        arguments += [a.arg for a in function.args.kwonlyargs]
        arguments += [a.arg for a in (function.args.vararg, function.args.kwarg) if a is not None]
    row_arrays = [arguments[i] for i in rows if i < len(arguments)] if graded and rows is not None else arguments
    taint = _Taint(set(row_arrays)) if rows is not None else _EveryLoop()
    findings = []
    for node in sorted(ast.walk(function), key=_position):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                taint.learn(target, node.value)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            taint.learn(node.target, node.value)
        elif isinstance(node, (ast.For, ast.comprehension)) and _loop_over_examples(node.iter, taint):
            findings.append(f"line {_position(node)[0]}: a loop" + (" over the examples" if rows is not None else ""))
        elif isinstance(node, ast.While):
            findings.append(f"line {node.lineno}: a while loop")
        elif isinstance(node, ast.Call) and _callee(node) in ITERATING_CALLS \
                and any(_loop_over_examples(arg, taint) for arg in node.args):
            findings.append(f"line {node.lineno}: {_callee(node)}" + (" over the examples" if rows is not None else ""))
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


class _Methods:
    """Method bindings of the module's classes, one Binding object per method (so cycles are seen)."""

    def __init__(self, scope: ModuleScope):
        self.scope = scope
        self.found: Dict[Tuple[int, str], Optional[Binding]] = {}

    def of(self, owner: Binding, method: str) -> Optional[Binding]:
        """The binding of method in a class's body (its last plain def), or in a base class the file defines."""
        key = (id(owner), method)
        if key not in self.found:
            self.found[key] = self._find(owner, method)
        return self.found[key]

    def _find(self, owner: Binding, method: str) -> Optional[Binding]:
        for node in ast.walk(owner.node):
            targets = getattr(node, "targets", None) or [getattr(node, "target", None)]
            if any(isinstance(target, ast.Name) and target.id == method for target in targets if target is not None) \
                    or isinstance(node, ast.ClassDef) and node is not owner.node and node.name == method:
                raise StaticCheckError(f"{owner.name}.{method} is bound at line {node.lineno} in a way the static "
                                       "check cannot follow; bind it with a plain def in the class")
        defs = [node for node in owner.node.body
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == method]
        if defs:
            return Binding(f"{owner.name}.{method}", "def", defs[-1], (defs[-1].lineno, defs[-1].col_offset),
                           False, owner=owner)
        for base in owner.node.bases:
            for candidate in self.scope.resolve(base.id) if isinstance(base, ast.Name) else []:
                found = self.of(candidate, method) if candidate.kind == "class" else None
                if found:
                    return found
        return None

    def bound_to(self, qualified: str) -> Optional[List[Binding]]:
        """What Class.method is bound to (None if the module never binds it); refuses what rebinds it elsewhere."""
        owner_name, method = qualified.split(".", 1)
        for node in ast.walk(self.scope.tree):
            for target in getattr(node, "targets", None) or [getattr(node, "target", None)]:
                if isinstance(target, ast.Attribute) and target.attr == method:
                    raise StaticCheckError(f"line {node.lineno} assigns to {ast.unparse(target)}, so what "
                                           f"{qualified} runs changes at run time")
        found = []
        for owner in self.scope.resolve(owner_name):
            if owner.kind != "class":
                raise StaticCheckError(f"{owner_name} is bound at line {owner.position[0]} to something other "
                                       "than a class statement, which the static check cannot follow")
            binding = self.of(owner, method)
            found += [binding] if binding else []
        return found or None

    def called_through_self(self, binding: Binding) -> List[Binding]:
        """The methods of its own class that a method reaches through `self.name`."""
        if binding.owner is None or not binding.node.args.args:
            return []
        instance = binding.node.args.args[0].arg
        called = (self.of(binding.owner, node.attr) for node in ast.walk(binding.node)
                  if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == instance)
        return [method for method in called if method is not None]


def example_loops(source: str, function_name: str, rows: Optional[Sequence[int]]) -> Optional[List[str]]:
    """Loops over examples (every loop, with rows=None) reachable from what function_name, a module-level
    name or Class.method, is bound to; None if the module never binds it.

    rows: positions of the graded function's per-example arguments. StaticCheckError if
    the module does something the check cannot follow.
    """
    scope = ModuleScope(source)
    methods = _Methods(scope)
    if "." in function_name:
        start = methods.bound_to(function_name)
        if start is None:
            return None
    elif function_name in scope.bindings:
        start = scope.resolve(function_name)
    else:
        return None
    findings: List[str] = []
    edges: Dict[int, Set[int]] = {}
    names: Dict[int, str] = {}
    pending: List[Tuple[Binding, bool]] = [(binding, True) for binding in start]
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
                findings += [f"{binding.name}, {finding}" for finding in _function_loops(function, is_graded, rows)]
            targets = [(target, False) for name, before in scope.references(binding)
                       for target in scope.resolve(name, before)]
            targets += [(method, False) for method in methods.called_through_self(binding)]
        edges.setdefault(id(binding), set()).update(id(target) for target, _ in targets)
        pending += targets
    return findings + _cycles(edges, names)


def graded_loops(grading, function: str, rows: Optional[Sequence[int]]) -> List[str]:
    """example_loops for a graded function of the grading's submission, its file decoded as Python decodes it;
    a Deduction saying why when the check cannot vouch for it: the file does something the check cannot
    follow, another graded file could rebind the module's names at import, or the name is never bound."""
    module, qualified = grading.assignment.location(function)
    try:
        loops = example_loops(python_source(grading.sources[module]), qualified, rows)
        tampering = _sibling_tampering(grading, module)
        if tampering:
            raise StaticCheckError(tampering)
    except StaticCheckError as error:
        raise Deduction(f"The static check could not vouch for {function} in {module}.py: {error}") from None
    except (SyntaxError, RecursionError, MemoryError, ValueError, LookupError):
        raise Deduction(f"{module}.py could not be read for the static check.") from None
    if loops is None:
        raise Deduction(f"No definition of {qualified} found in {module}.py for the static check.")
    return loops


def _sibling_tampering(grading, module: str) -> str:
    """What another graded file does that could rebind this module's names at import ('' if nothing)."""
    assignment = grading.assignment
    package = {part for name in (assignment.package, *assignment.package_aliases) for part in name.split(".")}
    for sibling, text in sorted(grading.sources.items()):
        if sibling == module:
            continue
        try:
            tampering = sibling_tampering(python_source(text), module, package, set(assignment.modules))
        except (StaticCheckError, SyntaxError, RecursionError, MemoryError, ValueError, LookupError):
            continue  # a file that cannot be read cannot be imported either
        if tampering:
            return f"{sibling}.py, {tampering}, which could rebind names of {module}.py"
    return ""
