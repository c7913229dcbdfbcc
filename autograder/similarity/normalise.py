"""Student source -> token streams that survive the usual disguises, per graded function and per module.

Student code is parsed (tokenize, ast), never imported or run. Each function's
body becomes a pre-order stream of AST tokens, after these normalisations:
- identifiers: a function's parameters become P0, P1, ... (the signature is
  given), every other name V; attribute, keyword and NumPy names stay (they are
  the API, a renamer cannot change them); import aliases become the module name;
- comments and formatting vanish with the AST; docstrings and `pass` are dropped;
- equivalent spellings are one: `a.dot(b)`, `np.dot(a, b)` and `np.matmul(a, b)`
  read as `a @ b`, `np.sum(a, ...)` as `a.sum(...)` (and the other reductions),
  `x += e` as `x = x + e`;
- literals: numbers (and arithmetic on numbers only) become N, strings S (True/False/None stay,
  np.newaxis is None);
- `acc = []; for t in it: acc.append(e)` becomes `acc = [e for t in it]`,
  `s = 0; for t in it: s += e` becomes `s = sum(e for t in it)` and a lone
  `for t in it: s += e` becomes `s += sum(e for t in it)` (list, set and
  generator comprehensions are one token), so a loop rewritten as a
  comprehension, or back, gives the same stream;
- the statements of every block are put in a canonical order that respects
  their data dependencies (Kahn's algorithm, ties broken by the statements'
  normalised tokens), so reordering independent statements changes nothing.
Each token keeps its source line, for highlighting.
"""
import ast
import hashlib
import heapq
import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import AbstractSet, Dict, Iterable, List, Optional, Set, Tuple

MODULE_ALIASES = {"numpy": "np"}
KEPT_NAMES = frozenset(
    "range xrange len sum max min abs zip enumerate float int bool list dict set tuple print map filter sorted "
    "reversed any all round isinstance super object self np numpy math random".split())
COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp)
REDUCTIONS = {"sum": "sum", "max": "max", "amax": "max", "min": "min", "amin": "min", "mean": "mean",
              "argmax": "argmax", "argmin": "argmin", "prod": "prod"}
BARRIERS = (ast.Return, ast.Raise, ast.Break, ast.Continue, ast.Global, ast.Nonlocal, ast.Delete, ast.Assert)
MAX_DEPTH = 120          # deeper expressions end in one token: hostile nesting cannot exhaust the stack
MAX_CHARS = 128 * 1024  # per module: a huge file is compared on its beginning
MAX_TOKENS = 60_000     # per unit
MAX_BLOCK_TO_SORT = 300  # statements; longer blocks keep their order

Token = Tuple[str, int]  # (token, source line)


Statement = Tuple[str, ...]  # a simple statement's normalised tokens


@dataclass
class Unit:
    """One comparable piece of a module: a graded function or the whole module, as a token stream
    and as its simple statements (not the release's) with their first and last lines."""
    name: str
    tokens: List[Token]
    first_line: int
    last_line: int
    statements: List[Tuple[Statement, int, int]] = field(default_factory=list)


@dataclass
class Module:
    """A parsed module: its text (for display), its units, its simple statements, what went wrong reading it."""
    text: str
    units: Dict[str, Unit] = field(default_factory=dict)
    statements: Set[Statement] = field(default_factory=set)
    problem: str = ""


def decode(source: bytes) -> str:
    """Text of a module's bytes: its `# coding:` declaration or UTF-8, undecodable bytes replaced."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding, errors="replace")
    except (SyntaxError, LookupError, ValueError):
        return source.decode("utf-8", errors="replace")


LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def source_lines(text: str) -> List[str]:
    """Lines as Python numbers them (ended by \\n, \\r\\n or \\r), ends kept; str.splitlines also splits
    at \\x0c, \\x85 or \\u2028, which would shift every line number after one of them."""
    return LINE.findall(text)


PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError)
PY2_PRINT = re.compile(r"^([ \t]*)print(?:[ \t]+(?![(=])(.*?)|[ \t]*)[ \t]*(\r?)$", re.M)
LEADING_TABS = re.compile(r"^[ \t]+", re.M)


def python2_as_python3(text: str) -> str:
    """Python 2 code, readable by Python 3's parser: `print x` as `print(x)`, leading tabs as 8 columns."""
    text = LEADING_TABS.sub(lambda match: match.group(0).expandtabs(8), text)
    return PY2_PRINT.sub(lambda match: f"{match.group(1)}print({(match.group(2) or '').lstrip('>')}){match.group(3)}",
                         text)


def _parse(text: str) -> Tuple[List[ast.stmt], str]:
    """Top-level statements; failing that, those of the text read as Python 2, or else those of every
    top-level chunk that parses alone."""
    try:
        return ast.parse(text).body, ""
    except PARSE_ERRORS as error:
        problem = f"could not be parsed as a whole ({type(error).__name__}); compared what parses"
    text = python2_as_python3(text)
    try:
        return ast.parse(text).body, "was read as Python 2 (print statements, tabs)"
    except PARSE_ERRORS:
        pass
    lines = source_lines(text)
    starts = [i for i, line in enumerate(lines) if line[:1] not in ("", " ", "\t", "\n", "\r", "#", ")", "]", "}")]
    body: List[ast.stmt] = []
    for start, end in zip(starts, starts[1:] + [len(lines)]):
        chunk = "\n" * start + "".join(lines[start:end])  # keep line numbers
        try:
            body.extend(ast.parse(chunk).body)
        except PARSE_ERRORS:
            continue
    return body, problem


def _names(node: ast.AST, context: type) -> Set[str]:
    return {child.id for child in ast.walk(node) if isinstance(child, ast.Name) and isinstance(child.ctx, context)}


def _target_bases(target: ast.AST) -> Set[str]:
    """Names a statement writes through this target (x, x[i], x.a, (a, b))."""
    while isinstance(target, (ast.Subscript, ast.Attribute, ast.Starred)):
        target = target.value
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_target_bases(element) for element in target.elts))
    return set()


def reads_writes(statement: ast.stmt, modules: AbstractSet[str] = frozenset()) -> Tuple[Set[str], Set[str]]:
    """Names a statement reads and writes (in one walk); a bare call may change whatever it touches,
    except the modules and builtins it goes through (`np.add.at(a, i, v)` changes a, not np)."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        header = statement.decorator_list + getattr(getattr(statement, "args", None), "defaults", [])
        return set().union(*(_names(node, ast.Load) for node in header)), {statement.name}
    reads: Set[str] = set()
    writes: Set[str] = set()
    calls: List[ast.Expr] = []
    for node in ast.walk(statement):
        kind = type(node)
        if kind is ast.Name:
            (reads if type(node.ctx) is ast.Load else writes).add(node.id)
        elif kind in (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For):
            for target in getattr(node, "targets", None) or [node.target]:
                writes |= _target_bases(target)
        elif kind is ast.Expr and type(node.value) is ast.Call:
            calls.append(node)
        elif kind is ast.Import:
            writes |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif kind is ast.ImportFrom:
            writes |= {alias.asname or alias.name for alias in node.names}
    for call in calls:
        writes |= _names(call, ast.Load) - modules - KEPT_NAMES
    return reads, writes


def _numeric(node: ast.AST, depth: int = 0) -> bool:
    """Arithmetic on number literals only (at most a few levels deep)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float, complex)) and not isinstance(node.value, bool)
    if depth > 8:
        return False
    if isinstance(node, ast.UnaryOp):
        return _numeric(node.operand, depth + 1)
    return isinstance(node, ast.BinOp) and _numeric(node.left, depth + 1) and _numeric(node.right, depth + 1)


class Canonical(ast.NodeTransformer):
    """Rewrites every statement list: comprehension forms, docstrings dropped (ordering is done by Streamer)."""

    def generic_visit(self, node: ast.AST) -> ast.AST:
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(node, name, self.block(block))
        return super().generic_visit(node)

    def block(self, statements: List[ast.stmt]) -> List[ast.stmt]:
        kept = [s for s in statements if not isinstance(s, ast.Pass) and not (
            isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant) and isinstance(s.value.value, str))]
        result: List[ast.stmt] = []
        for statement in kept:
            init = _initialiser(result, statement)
            folded = _fold_loop(result[init] if init is not None else None, statement)
            if folded is not None and init is not None and isinstance(folded, ast.Assign):
                del result[init]
            result.append(folded or statement)
        return result or statements[:1]


def loop_nest(loop: ast.For) -> Optional[Tuple[List[ast.comprehension], ast.stmt]]:
    """The generators of a loop nest whose innermost body is one statement (with `if`s), and that statement."""
    generators = []
    node: ast.AST = loop
    while True:
        if isinstance(node, ast.For) and not node.orelse and len(node.body) == 1:
            generators.append(ast.comprehension(target=node.target, iter=node.iter, ifs=[], is_async=0))
            node = node.body[0]
        elif isinstance(node, ast.If) and generators and not node.orelse and len(node.body) == 1:
            generators[-1].ifs.append(node.test)
            node = node.body[0]
        else:
            break
    return (generators, node) if generators else None


def _accumulator(inner: ast.stmt) -> Optional[str]:
    """The name a loop's single statement appends to (`acc.append(e)`) or adds to (`s += e`, `s = s + e`)."""
    if isinstance(inner, ast.Expr) and isinstance(inner.value, ast.Call) and \
            isinstance(inner.value.func, ast.Attribute) and inner.value.func.attr == "append" and \
            isinstance(inner.value.func.value, ast.Name) and len(inner.value.args) == 1:
        return inner.value.func.value.id
    added = _added(inner)
    return added[0].id if added else None


def _added(inner: ast.stmt) -> Optional[Tuple[ast.Name, ast.expr]]:
    """(s, e) of `s += e` or `s = s + e`, else None."""
    if isinstance(inner, ast.AugAssign) and isinstance(inner.op, ast.Add) and isinstance(inner.target, ast.Name):
        return inner.target, inner.value
    if isinstance(inner, ast.Assign) and len(inner.targets) == 1 and isinstance(inner.targets[0], ast.Name) and \
            isinstance(inner.value, ast.BinOp) and isinstance(inner.value.op, ast.Add) and \
            isinstance(inner.value.left, ast.Name) and inner.value.left.id == inner.targets[0].id:
        return inner.targets[0], inner.value.right
    return None


def _initialiser(previous: List[ast.stmt], loop: ast.stmt) -> Optional[int]:
    """Index in previous of the assignment that starts a loop's accumulator, if nothing else touches it between."""
    found = loop_nest(loop) if isinstance(loop, ast.For) else None
    name = _accumulator(found[1]) if found else None
    for index in range(len(previous) - 1, -1, -1) if name else ():
        statement = previous[index]
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
                isinstance(statement.targets[0], ast.Name) and statement.targets[0].id == name:
            return index
        if any(isinstance(node, ast.Name) and node.id == name for node in ast.walk(statement)):
            return None
    return None


def _sum(value: ast.expr, generators: List[ast.comprehension]) -> ast.Call:
    return ast.Call(func=ast.Name(id="sum", ctx=ast.Load()),
                    args=[ast.GeneratorExp(elt=value, generators=generators)], keywords=[])


def _fold_loop(previous: Optional[ast.stmt], statement: ast.stmt) -> Optional[ast.stmt]:
    """A loop folded into one comprehension assignment (with its initialisation `previous`), or None.

    `acc = []` + append loop -> `acc = [...]`; `s = 0` + `s += e` loop -> `s = sum(...)`;
    any other `s += e` loop -> `s += sum(...)` (then `previous` stays).
    """
    found = loop_nest(statement) if isinstance(statement, ast.For) else None
    if found is None or _accumulator(found[1]) is None:
        return None
    generators, inner = found
    init = previous.value if isinstance(previous, ast.Assign) else None
    if isinstance(inner, ast.Expr):
        if not (isinstance(init, ast.List) and not init.elts):
            return None
        value: ast.expr = ast.ListComp(elt=inner.value.args[0], generators=generators)
    else:
        target, added = _added(inner)
        if not (isinstance(init, ast.Constant) and init.value == 0):
            folded = ast.AugAssign(target=target, op=ast.Add(), value=_sum(added, generators))
            return ast.copy_location(folded, statement)
        value = _sum(added, generators)
    return ast.copy_location(ast.Assign(targets=previous.targets, value=value), statement)


class Streamer:
    """Pre-order token stream of normalised AST nodes, with each block in canonical order.

    Simple statements whose tokens are in `given` (the release's own lines) are left out;
    every simple statement streamed is recorded in `statements`.
    """

    def __init__(self, parameters: Iterable[str] = (), aliases: Optional[Dict[str, str]] = None,
                 given: AbstractSet[Statement] = frozenset()):
        self.parameters = {name: f"P{index}" for index, name in enumerate(parameters)}
        self.aliases = aliases or {}
        self.given = given
        self.statements: Set[Statement] = set()
        self.own: List[Tuple[Statement, int, int]] = []

    def name(self, identifier: str) -> str:
        if identifier in self.parameters:
            return self.parameters[identifier]
        if identifier in self.aliases:
            return self.aliases[identifier]
        if identifier == "xrange":
            return "range"
        return identifier if identifier in KEPT_NAMES else "V"

    def block(self, statements: List[ast.stmt], line: int) -> List[Token]:
        streams = [self.node(statement, 0, line) for statement in statements]
        simple = [not hasattr(statement, "body") for statement in statements]
        keys = [tuple(token for token, _ in stream) for stream in streams]
        self.statements.update(key for key, is_simple in zip(keys, simple) if is_simple)
        kept = [i for i, key in enumerate(keys) if not (simple[i] and key in self.given)]
        self.own.extend((keys[i], statements[i].lineno, getattr(statements[i], "end_lineno", None) or
                         statements[i].lineno) for i in kept if simple[i])
        statements, streams = [statements[i] for i in kept], [streams[i] for i in kept]
        if len(statements) > MAX_BLOCK_TO_SORT:
            return [token for stream in streams for token in stream]
        return [token for index in canonical_order(statements, streams, set(self.aliases))
                for token in streams[index]]

    def equivalent(self, node: ast.AST) -> Optional[ast.AST]:
        """One spelling for equivalent ones: `a @ b` for `a.dot(b)`, `np.dot(a, b)`, `np.matmul(a, b)`;
        `a.sum(...)` for `np.sum(a, ...)` (and the other reductions) and for the builtin `sum(a)`;
        `x = x + e` for `x += e`; a number for arithmetic on numbers."""
        if isinstance(node, ast.AugAssign):
            return ast.Assign(targets=[node.target], value=ast.BinOp(left=node.target, op=node.op, right=node.value))
        if isinstance(node, (ast.BinOp, ast.UnaryOp)) and _numeric(node):
            return ast.Constant(0)  # `1 / 2`, `-1.`, `2 ** -3` are a number like any other
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("sum", "max", "min") \
                and self.name(node.func.id) == node.func.id and len(node.args) == 1 and not node.keywords:
            return ast.Call(func=ast.Attribute(value=node.args[0], attr=node.func.id, ctx=ast.Load()), args=[],
                            keywords=[])  # sum(x) reads as x.sum(), like np.sum(x)
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute) or node.keywords and \
                node.func.attr in ("dot", "matmul"):
            return None
        func, args = node.func, node.args
        numpy = isinstance(func.value, ast.Name) and self.name(func.value.id) == "np"
        if func.attr in ("dot", "matmul") and len(args) == 1 + numpy:
            left, right = (args[0], args[1]) if numpy else (func.value, args[0])
            return ast.BinOp(left=left, op=ast.MatMult(), right=right)
        if numpy and func.attr in REDUCTIONS and args:
            method = ast.Attribute(value=args[0], attr=REDUCTIONS[func.attr], ctx=ast.Load())
            return ast.Call(func=method, args=args[1:], keywords=node.keywords)
        return None

    def node(self, node: ast.AST, depth: int, line: int) -> List[Token]:
        line = getattr(node, "lineno", line)
        if depth > MAX_DEPTH:
            return [("DEEP", line)]
        node = self.equivalent(node) or node
        tokens: List[Token] = []
        if isinstance(node, ast.Name):
            return [(self.name(node.id), line)]
        if isinstance(node, ast.arg):
            return [(self.name(node.arg), line)]
        if isinstance(node, ast.Constant):
            value = node.value
            kind = "S" if isinstance(value, (str, bytes)) else \
                repr(value) if value is None or isinstance(value, bool) else "N"
            return [(kind, line)]
        if isinstance(node, ast.Attribute):
            if node.attr == "newaxis" and isinstance(node.value, ast.Name) and self.name(node.value.id) == "np":
                return [("None", line)]  # np.newaxis is None
            return self.node(node.value, depth + 1, line) + [("." + node.attr, line)]
        if isinstance(node, ast.keyword):
            return [(f"{node.arg}=", line)] + self.node(node.value, depth + 1, line)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return [("import", line)]
        kind = "Comp" if isinstance(node, COMPREHENSIONS) else type(node).__name__
        tokens.append((kind, line))
        for name, value in ast.iter_fields(node):
            if name in ("ctx", "type_comment", "kind", "is_async", "decorator_list", "returns", "annotation"):
                continue
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                tokens += self.block(value, line)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        tokens += self.node(item, depth + 1, line)
            elif isinstance(value, ast.AST):
                tokens += self.node(value, depth + 1, line)
            elif isinstance(value, str) and name != "name":
                tokens.append((value, line))
        return tokens


def canonical_order(statements: List[ast.stmt], streams: List[List[Token]],
                    modules: AbstractSet[str] = frozenset()) -> List[int]:
    """Indices of statements in a dependency-respecting order, ties broken by their tokens, then by a digest
    of the tokens of everything that depends on them (so the order is the same whatever the written order)."""
    count = len(statements)
    effects = [reads_writes(statement, modules) for statement in statements]
    after: List[List[int]] = [[] for _ in range(count)]
    waiting = [0] * count
    for j in range(count):
        reads_j, writes_j = effects[j]
        for i in range(j):
            reads_i, writes_i = effects[i]
            if isinstance(statements[i], BARRIERS) or isinstance(statements[j], BARRIERS) or \
                    writes_i & (reads_j | writes_j) or reads_i & writes_j:
                after[i].append(j)
                waiting[j] += 1
    keys: List[Tuple[Statement, bytes]] = [None] * count  # type: ignore[list-item]
    for i in reversed(range(count)):  # identical statements are told apart by what depends on them
        tokens = tuple(token for token, _ in streams[i])
        downstream = b"".join(sorted(keys[j][1] for j in after[i]))
        keys[i] = (tokens, hashlib.blake2b("\x00".join(tokens).encode() + b"|" + downstream, digest_size=8).digest())
    ready = [(keys[i], i) for i in range(count) if not waiting[i]]
    heapq.heapify(ready)
    order = []
    while ready:
        _, i = heapq.heappop(ready)
        order.append(i)
        for j in after[i]:
            waiting[j] -= 1
            if not waiting[j]:
                heapq.heappush(ready, (keys[j], j))
    return order


def _aliases(body: List[ast.stmt]) -> Dict[str, str]:
    aliases = {}
    for node in body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name.split(".")[0]
                aliases[alias.asname or name] = MODULE_ALIASES.get(name, name)
    return aliases


def _functions(body: List[ast.stmt]) -> Iterable[Tuple[str, ast.FunctionDef]]:
    """(qualified name, def) of top-level functions and methods, in source order (a later def wins)."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for child in node.body:
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{node.name}.{child.name}", child


def _safe_stream(make, fallback_line: int) -> List[Token]:
    try:
        return make()[:MAX_TOKENS]
    except (RecursionError, MemoryError):
        return [("DEEP", fallback_line)]


def normalise_module(source: bytes, module: str, given: AbstractSet[Statement] = frozenset()) -> Module:
    """Units of a module's source: `module` (all of it) and each top-level function or method by qualified name.

    Simple statements in `given` (the starter's, see Module.statements) are left out of every unit.
    """
    text = decode(source)
    cut = text[:MAX_CHARS].rsplit("\n", 1)[0] if len(text) > MAX_CHARS else text
    body, problem = _parse(cut)
    if cut is not text:
        problem = f"is longer than {MAX_CHARS // 1024} KiB; compared its beginning" + \
            (f" ({problem})" if problem else "")
    parsed = Module(text=text, problem=problem)
    try:
        body = Canonical().block(body) if body else body
        for statement in body:
            Canonical().visit(statement)
    except (RecursionError, MemoryError):
        parsed.problem = "nested too deeply to normalise; compared as written"
    aliases = _aliases(body)
    for name, function in _functions(body):
        arguments = function.args
        parameters = [arg.arg for arg in arguments.posonlyargs + arguments.args + arguments.kwonlyargs]
        streamer = Streamer(parameters, aliases, given)
        tokens = _safe_stream(lambda: streamer.block(function.body, function.lineno), function.lineno)
        parsed.units[name] = Unit(name, tokens, function.lineno, getattr(function, "end_lineno", function.lineno),
                                  streamer.own)
        parsed.statements |= streamer.statements
    streamer = Streamer((), aliases, given)
    last = max((getattr(node, "end_lineno", 1) or 1 for node in body), default=1)
    parsed.units[module] = Unit(module, _safe_stream(lambda: streamer.block(body, 1), 1) if body else [], 1, last,
                                streamer.own)
    parsed.statements |= streamer.statements
    return parsed
