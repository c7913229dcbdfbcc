"""What a module-level name is bound to once its module has run, read from the source without running it.

The static vectorisation check (vectorised.py) must judge the object a graded
name ends up bound to, not the first `def` it finds. So every module-level
binding is collected in source order (`def`, `class`, `name = expr`, imports,
and the unusual forms: `for`, `with`, `except ... as`, `:=`, `del`, `+=`), and a
name resolves to its last unconditional binding and any conditional one after
it, as of a point in the module for code that runs at import (an alias
`f = g`, a decorator) or at the end for code that runs when called (a
function body).

What cannot be followed statically is refused with StaticCheckError: reflection
that can rebind names at run time (globals(), setattr, exec, __code__,
sys.modules, ...), a `global` statement for a module-level name, assigning to an
imported module's attribute (np.dot = ...), names nothing in the file defines,
and a followed name imported from outside a few standard numeric modules.

The source is decoded as Python decodes it (python_source): a UTF-8 BOM or a
coding declaration is honoured, so nothing can hide behind a codec.
"""
import ast
import builtins
import importlib.util
import symtable
from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

from ..sandbox.compat import PYTHON2_BUILTINS

ALLOWED_IMPORTS = ("numpy", "math", "builtins", "past", "future", "six", "__future__", "random", "typing",
                   "scipy", "functools", "itertools", "operator", "time", "copy")
REFLECTION_NAMES = {"globals", "locals", "vars", "exec", "eval", "compile", "setattr", "delattr", "getattr",
                    "__import__", "__builtins__", "breakpoint"}
REFLECTION_ATTRIBUTES = {"__dict__", "__code__", "__globals__", "__builtins__", "__closure__", "__defaults__",
                         "__kwdefaults__", "__wrapped__", "__func__", "__self__", "__getattribute__",
                         "__setattr__", "__subclasses__", "modules", "f_globals", "f_locals", "f_back",
                         "__loader__", "__spec__"}
DYNAMIC_IMPORTS = ("importlib", "gc", "ctypes", "inspect", "types")
MODULE_NAMES = {"__name__", "__file__", "__doc__", "__package__", "__spec__", "__loader__", "__annotations__"}
Position = Tuple[int, int]
END: Position = (10**9, 0)


class StaticCheckError(ValueError):
    """The source does something the static check cannot follow; the message says what, for a student."""


def python_source(text: str) -> str:
    """The source as the interpreter reads it: a UTF-8 BOM and any coding declaration honoured.

    text is the file as the grader decoded it from UTF-8; it is encoded back and
    decoded the way import does (importlib.util.decode_source).
    """
    try:
        return importlib.util.decode_source(text.encode("utf-8", "surrogateescape"))
    except (SyntaxError, LookupError, ValueError) as error:
        raise StaticCheckError(f"the file could not be decoded the way Python reads it ({error}); save it as "
                               "UTF-8 without a coding declaration") from None


@dataclass(eq=False)
class Binding:
    """One module-level binding of name: kind is def, class, value, import or other (a form not followed)."""
    name: str
    kind: str
    node: ast.AST
    position: Position
    conditional: bool
    source_module: str = ""
    owner: Optional["Binding"] = None  # the class statement a method binding belongs to


def _position(node: ast.AST) -> Position:
    return getattr(node, "lineno", 0), getattr(node, "col_offset", 0)


def _target_names(target: ast.AST) -> List[str]:
    return [node.id for node in ast.walk(target) if isinstance(node, ast.Name)]


class _Collector:
    """Module-level bindings in source order, not descending into function or class bodies."""

    def __init__(self):
        self.bindings: Dict[str, List[Binding]] = {}
        self.star_imports: List[str] = []

    def add(self, name, kind, node, where, conditional, source_module=""):
        binding = Binding(name, kind, node, _position(where), conditional, source_module)
        self.bindings.setdefault(name, []).append(binding)

    def statements(self, statements, conditional: bool):
        for statement in statements:
            self.statement(statement, conditional)

    def statement(self, node, conditional):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.add(node.name, "class" if isinstance(node, ast.ClassDef) else "def", node, node, conditional)
            return
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self.assignment(target, node.value, node, conditional)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self.assignment(node.target, node.value, node, conditional)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            self.imports(node, conditional)
        elif isinstance(node, (ast.AugAssign, ast.Delete)):
            targets = [node.target] if isinstance(node, ast.AugAssign) else node.targets
            for name in [name for target in targets if isinstance(target, ast.Name) for name in _target_names(target)]:
                self.add(name, "other", node, node, conditional)
        for child in ast.iter_child_nodes(node):  # bodies of if / for / while / with / try / match
            if isinstance(child, ast.stmt):
                continue
            self.implicit(child, node, conditional)
        for field in ("body", "orelse", "finalbody", "handlers", "cases"):
            if isinstance(getattr(node, field, None), list):
                self.statements(getattr(node, field), True)

    def implicit(self, expression, statement, conditional):
        """Names bound by for targets, `with ... as`, `except ... as`, match patterns and := at module level."""
        if isinstance(expression, ast.excepthandler) and expression.name:
            self.add(expression.name, "other", statement, expression, conditional)
        if isinstance(statement, (ast.For, ast.AsyncFor)) and expression is statement.target:
            for name in _target_names(expression):
                self.add(name, "other", statement, statement, conditional)
        for node in _walk_outside_functions(expression):
            if isinstance(node, ast.withitem) and node.optional_vars is not None:
                names = _target_names(node.optional_vars)
            elif isinstance(node, ast.NamedExpr):
                names = _target_names(node.target)
            elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
                names = [node.name]
            elif isinstance(node, ast.MatchMapping) and node.rest:
                names = [node.rest]
            else:
                continue
            for name in names:
                self.add(name, "other", statement, statement, conditional)

    def assignment(self, target, value, statement, conditional):
        if isinstance(target, ast.Name):
            self.add(target.id, "value", value, statement, conditional)
        elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)) \
                and len(target.elts) == len(value.elts) and not any(isinstance(e, ast.Starred) for e in target.elts):
            for element, element_value in zip(target.elts, value.elts):
                self.assignment(element, element_value, statement, conditional)
        elif isinstance(target, (ast.Tuple, ast.List, ast.Starred)):
            for name in _target_names(target):
                self.add(name, "other", statement, statement, conditional)

    def imports(self, node, conditional):
        for alias in node.names:
            if isinstance(node, ast.Import):
                name, module = alias.asname or alias.name.split(".")[0], alias.name
            else:
                module = "." * node.level + (node.module or "")
                if alias.name == "*":
                    self.star_imports.append(module)
                    continue
                name = alias.asname or alias.name
            self.add(name, "import", node, node, conditional, module)


def _walk_outside_functions(node: ast.AST):
    """ast.walk that does not enter function bodies or lambdas (their names are not module-level)."""
    pending = [node]
    while pending:
        current = pending.pop()
        yield current
        if not isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            pending.extend(ast.iter_child_nodes(current))


def allowed_import(module: str) -> bool:
    return module.split(".")[0] in ALLOWED_IMPORTS


class ModuleScope:
    """The module-level bindings of one source file, and what each binding refers to."""

    def __init__(self, source: str, filename: str = "<submission>"):
        self.tree = ast.parse(source, filename)
        collector = _Collector()
        collector.statements(self.tree.body, False)
        self.bindings, self.star_imports = collector.bindings, collector.star_imports
        self.tables: Dict[tuple, List[symtable.SymbolTable]] = {}
        self._index(symtable.symtable(source, filename, "exec"))
        self._refuse_reflection()

    def _index(self, table):
        for child in table.get_children():
            self.tables.setdefault((child.get_type(), child.get_name(), child.get_lineno()), []).append(child)
            self._index(child)

    def _refuse_reflection(self):
        imported = {name for name, bindings in self.bindings.items() if any(b.kind == "import" for b in bindings)}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Name) and node.id in REFLECTION_NAMES:
                raise StaticCheckError(f"line {node.lineno} uses {node.id}, which can rebind names at run time")
            if isinstance(node, ast.Attribute) and node.attr in REFLECTION_ATTRIBUTES:
                raise StaticCheckError(f"line {node.lineno} uses .{node.attr}, which can rebind names at run time")
            if isinstance(node, ast.Global) and set(node.names) & set(self.bindings):
                raise StaticCheckError(f"line {node.lineno} declares `global {', '.join(node.names)}`, so what "
                                       "those names are bound to changes at run time")
            targets = getattr(node, "targets", None) or \
                ([node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else [])
            for target in targets:
                root = target
                while isinstance(root, (ast.Attribute, ast.Subscript)):
                    root = root.value
                if root is not target and isinstance(root, ast.Name) and root.id in imported:
                    raise StaticCheckError(f"line {node.lineno} assigns to {ast.unparse(target)}, changing what "
                                           "an imported module's functions do")

    def resolve(self, name: str, before: Position = END) -> List[Binding]:
        """The bindings name may have at position before: the last unconditional one and any conditional after it."""
        bindings = [b for b in self.bindings.get(name, []) if b.position < before]
        last = max((i for i, b in enumerate(bindings) if not b.conditional), default=0)
        return bindings[last:]

    def defined(self, name: str) -> bool:
        """Is name something the module or Python itself provides?"""
        if name in self.bindings or name in MODULE_NAMES:
            return True
        if hasattr(builtins, name) or name in PYTHON2_BUILTINS:
            return True
        return bool(self.star_imports) and all(allowed_import(module) for module in self.star_imports)

    def _globals_of(self, node: ast.AST) -> Set[str]:
        """Global names a def, class or lambda refers to, nested functions and comprehensions included."""
        kind = "class" if isinstance(node, ast.ClassDef) else "function"
        name = "lambda" if isinstance(node, ast.Lambda) else node.name
        names = set()
        pending = list(self.tables.get((kind, name, node.lineno), []))
        while pending:
            table = pending.pop()
            names |= {symbol.get_name() for symbol in table.get_symbols()
                      if symbol.is_global() and symbol.is_referenced()}
            pending.extend(table.get_children())
        return names

    def references(self, binding: Binding) -> List[Tuple[str, Position]]:
        """(name, as of which position) for every module-level name the binding's object refers to."""
        node = binding.node
        at_definition = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            decorations = list(node.decorator_list)
            decorations += list(getattr(node, "bases", []))
            decorations += [keyword.value for keyword in getattr(node, "keywords", [])]
            if not isinstance(node, ast.ClassDef):
                decorations += list(node.args.defaults) + [d for d in node.args.kw_defaults if d is not None]
            at_definition = [n.id for d in decorations for n in ast.walk(d) if isinstance(n, ast.Name)]
            at_call = self._globals_of(node)
        elif binding.kind == "value":
            at_definition = [n.id for n in _walk_outside_functions(node) if isinstance(n, ast.Name)]
            at_call = {name for lam in ast.walk(node) if isinstance(lam, ast.Lambda) for name in self._globals_of(lam)}
        else:
            return []
        found = [(name, binding.position) for name in at_definition] + [(name, END) for name in sorted(at_call)]
        unknown = sorted({name for name, _ in found if not self.defined(name)})
        if unknown:
            raise StaticCheckError(f"{binding.name} uses `{unknown[0]}`, which nothing in the file defines")
        return [(name, position) for name, position in found if name in self.bindings]

    def functions(self, binding: Binding) -> List[ast.AST]:
        """The code a binding's object runs: a def itself, a class's methods, lambdas in a value."""
        if binding.kind == "def":
            return [binding.node]
        if binding.kind == "class":
            return [n for n in ast.walk(binding.node) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        if binding.kind == "value":
            return [n for n in ast.walk(binding.node) if isinstance(n, ast.Lambda)]
        return []

    def check_followable(self, binding: Binding, graded: bool) -> None:
        """Raise StaticCheckError if this binding of a followed name cannot be judged statically."""
        line = binding.position[0]
        if binding.kind == "other":
            raise StaticCheckError(f"{binding.name} is bound at line {line} in a way the static check cannot "
                                   "follow; bind it with a plain def")
        if binding.kind == "import" and (graded or not allowed_import(binding.source_module)):
            raise StaticCheckError(f"{binding.name} is imported from {binding.source_module} (line {line}), "
                                   "which the static check cannot read; keep that code in this file")


def _module_lookup_is_fixed(node: ast.Attribute, parents: dict, graded: Set[str]) -> bool:
    """Is this `sys.modules` only read at a constant key that names no graded module (nor its package)?"""
    parent = parents.get(node)
    key = None
    if isinstance(parent, ast.Subscript) and parent.value is node:
        key = parent.slice
    elif isinstance(parent, ast.Attribute) and parent.attr == "get" and isinstance(parents.get(parent), ast.Call):
        arguments = parents[parent].args
        key = arguments[0] if arguments else None
    return isinstance(key, ast.Constant) and isinstance(key.value, str) and \
        not any(name in key.value for name in graded)


def sibling_tampering(source: str, module: str, package: Set[str], graded: Set[str]) -> str:
    """What in another graded file could rebind names of `module` at import ('' if nothing).

    package: every part of the names the graded modules' package goes by;
    graded: the graded modules. Reflection that writes (setattr, __globals__,
    exec, ...), importing `module` (or the package) as a module object, dynamic
    imports, and sys.modules used other than to read one fixed module that is
    not a graded one.
    """
    targets = {module} | package
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Name) and node.id in REFLECTION_NAMES - {"getattr"}:
            return f"line {line} uses {node.id}"
        if isinstance(node, ast.Attribute) and node.attr in REFLECTION_ATTRIBUTES - {"modules"}:
            return f"line {line} uses .{node.attr}"
        if isinstance(node, ast.Attribute) and node.attr == "modules" \
                and not _module_lookup_is_fixed(node, parents, graded | package):
            return f"line {line} looks modules up in sys.modules"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] + [alias.name for alias in node.names]
            imported = [part for module in modules for part in module.split(".")]
            if isinstance(node, ast.Import) and set(imported) & targets \
                    or isinstance(node, ast.ImportFrom) and {a.name for a in node.names} & targets \
                    or imported[0] in DYNAMIC_IMPORTS:
                return f"line {line} has `{ast.unparse(node)}`"
    return ""
