"""Disguise a module the way a student hiding a copy would: each transformation alone, or all of them.

Every transformation reads the source with ast or tokenize and edits the text at
the positions they give, so it changes only what it names and keeps the code's
behaviour (the evaluation checks the disguised losses against the reference):
- rename: every local variable and parameter gets a new name, consistently;
- reformat: 2-space indentation, no spaces around operators, double quotes,
  long lines wrapped after commas (comments kept);
- comments: comments and docstrings removed, a new comment put in front of each body;
- literals: integral floats written `1.`, ints in arithmetic made floats
  (`+ 1` -> `+ 1.0`), einsum subscripts renamed;
- reorder: adjacent assignments that do not depend on each other swapped;
- comprehension: `acc = []` + an append loop <-> a list comprehension, and
  `s = 0` + an accumulating loop <-> `sum(...)`, in both directions, and a
  lone accumulating loop `for t in it: s += e` -> `s += sum(e for t in it)`;
- all: every one of the above, in that order.
HARDER holds a robustness check outside the issue's list: `equivalents` respells
matrix products (`a.dot(b)`, `np.dot(a, b)`, `a @ b`), sums (`np.sum(a)`,
`a.sum()`) and `x += e` as `x = x + e`. Measured before the detector learnt
these spellings, it cost recall (0.29-0.71 per loss function); it is kept to
show that, and to catch a regression. `hand_edits` rewrites every third
assignment (`x = e` -> `x = e if True else None`), as a student editing a copy line
by line would: nothing undoes it, it measures what partial copies score.
"""
import ast
import io
import keyword
import tokenize
from typing import Callable, Dict, Iterable, List, Set, Tuple

from autograder.similarity.normalise import loop_nest, source_lines

WORDS = ["alpha", "beta", "gamma", "delta_", "eps", "zeta", "eta", "theta", "iota", "kappa", "lam", "mu",
         "nu", "xi_", "omicron", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"]
LetterMap = {"n": "i", "d": "j", "c": "k"}


def _replace(text: str, edits: Iterable[Tuple[int, int, int, int, str]]) -> str:
    """Apply (line, col, end_line, end_col, new) edits (1-based lines, UTF-8 byte columns), last first."""
    lines = [line.encode() for line in source_lines(text)]
    for line, col, end_line, end_col, new in sorted(edits, reverse=True):
        head, tail = lines[line - 1][:col], lines[end_line - 1][end_col:]
        lines[line - 1:end_line] = [head + new.encode() + tail]
    return b"".join(lines).decode()


def _lines(text: str) -> List[str]:
    """Lines as Python numbers them, without their ends."""
    return [line.rstrip("\r\n") for line in source_lines(text)]


def _replace_lines(text: str, edits: Iterable[Tuple[int, int, List[str]]]) -> str:
    """Replace whole line ranges (first, last, new lines), bottom-up."""
    lines = _lines(text)
    for first, last, new in sorted(edits, key=lambda edit: -edit[0]):
        lines[first - 1:last] = new
    return "\n".join(lines) + "\n"


def _blocks(tree: ast.AST) -> Iterable[List[ast.stmt]]:
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                yield block


def rename(text: str) -> str:
    tree = ast.parse(text)
    local: Set[str] = set()
    for function in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        local |= {a.arg for a in function.args.args if a.arg != "self"}
        local |= {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    mapping = {name: f"{WORDS[i % len(WORDS)]}{i // len(WORDS) or ''}" for i, name in enumerate(sorted(local))}
    edits = [(n.lineno, n.col_offset, n.end_lineno, n.end_col_offset, mapping[n.id])
             for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in mapping]
    edits += [(a.lineno, a.col_offset, a.lineno, a.col_offset + len(a.arg.encode()), mapping[a.arg])
              for a in ast.walk(tree) if isinstance(a, ast.arg) and a.arg in mapping]
    return _replace(text, edits)


def reformat(text: str) -> str:
    out: List[str] = []
    depth = brackets = width = 0
    start, previous = True, None
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        kind, string = token.type, token.string
        if kind == tokenize.INDENT:
            depth += 1
        elif kind == tokenize.DEDENT:
            depth -= 1
        elif kind in (tokenize.NEWLINE, tokenize.NL) and (brackets == 0 or kind == tokenize.NEWLINE):
            out.append("\n")
            start, previous, width = True, None, 0
        elif kind in (tokenize.NL, tokenize.ENDMARKER, tokenize.ENCODING):
            continue
        else:
            if kind == tokenize.STRING and string.startswith("'") and not string.startswith("'''") \
                    and '"' not in string and "\\" not in string:
                string = '"' + string[1:-1] + '"'
            if start:
                piece = "  " * depth + string
                start = False
            elif kind == tokenize.COMMENT:
                piece = "  " + string
            else:
                piece = _separator(previous, token) + string
            if previous is not None and previous.string == "," and brackets and width > 60:
                piece = "\n" + "  " * (depth + 2) + piece.lstrip()
                width = 0
            out.append(piece)
            width += len(piece)
            brackets += string in "([{" and kind == tokenize.OP
            brackets -= string in ")]}" and kind == tokenize.OP
            previous = token
    return "".join(out)


def _separator(previous: tokenize.TokenInfo, token: tokenize.TokenInfo) -> str:
    wordy = (tokenize.NAME, tokenize.NUMBER, tokenize.STRING)
    if keyword.iskeyword(previous.string) or keyword.iskeyword(token.string):
        return "" if token.string in ":)]}," else " "
    if previous.type in wordy and token.type in wordy:
        return " "
    return " " if previous.string == "," else ""


def comments(text: str) -> str:
    tree = ast.parse(text)
    edits = []
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            doc = body[0]
            indent = " " * doc.col_offset
            new = [indent + "pass"] if len(body) == 1 else []
            if isinstance(node, ast.FunctionDef):
                new.insert(0, indent + "# my own implementation")
            edits.append((doc.lineno, doc.end_lineno, new))
    text = _replace_lines(text, edits)
    kept = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT and token.string != "# my own implementation":
            kept.append((token.start[0], token.start[1], token.end[0], token.end[1], ""))
    lines = _lines(_replace(text, kept))
    return "\n".join(line.rstrip() for line in lines if line.strip() or not line) + "\n"


UNSAFE_CALLS = {"range", "xrange", "arange", "zeros", "ones", "eye", "reshape", "randint", "choice", "empty",
                "full", "randn"}


def literals(text: str) -> str:
    tree = ast.parse(text)
    unsafe: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            unsafe |= {id(n) for n in ast.walk(node.slice)}
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in UNSAFE_CALLS:
                unsafe |= {id(n) for arg in node.args + node.keywords for n in ast.walk(arg)}
    edits = []
    for node in ast.walk(tree):
        operands = [node.left, node.right] if isinstance(node, ast.BinOp) else \
            [node.left] + node.comparators if isinstance(node, ast.Compare) else []
        for child in operands:
            if isinstance(child, ast.Constant) and type(child.value) is int and id(child) not in unsafe:
                edits.append((child.lineno, child.col_offset, child.end_lineno, child.end_col_offset,
                              f"{child.value}.0"))
        if isinstance(node, ast.Constant) and type(node.value) is float and node.value.is_integer() and \
                abs(node.value) < 1e6:
            edits.append((node.lineno, node.col_offset, node.end_lineno, node.end_col_offset, f"{int(node.value)}."))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "einsum" and node.args and \
                isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
            spec = node.args[0]
            renamed = "".join(LetterMap.get(letter, letter) for letter in spec.value)
            edits.append((spec.lineno, spec.col_offset, spec.end_lineno, spec.end_col_offset, repr(renamed)))
    return _replace(text, set(edits))


def _effects(statement: ast.stmt) -> Tuple[Set[str], Set[str]]:
    reads = {n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    writes = {n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
    for target in targets:
        while isinstance(target, (ast.Subscript, ast.Attribute)):
            target = target.value
        if isinstance(target, ast.Name):
            writes.add(target.id)
    return reads, writes


def reorder(text: str) -> str:
    edits = []
    lines = _lines(text)
    for block in _blocks(ast.parse(text)):
        i = 0
        while i < len(block) - 1:
            first, second = block[i], block[i + 1]
            simple = all(isinstance(s, (ast.Assign, ast.AugAssign)) and
                         lines[s.lineno - 1][:s.col_offset].strip() == "" for s in (first, second))
            if simple and first.end_lineno + 1 == second.lineno:
                (reads_1, writes_1), (reads_2, writes_2) = _effects(first), _effects(second)
                if not (writes_1 & (reads_2 | writes_2) or writes_2 & reads_1):
                    new = lines[second.lineno - 1:second.end_lineno] + lines[first.lineno - 1:first.end_lineno]
                    edits.append((first.lineno, second.end_lineno, new))
                    i += 2
                    continue
            i += 1
    return _replace_lines(text, edits)


def _to_comprehension(first: ast.stmt, second: ast.stmt):
    """`acc = []` + append loop -> list comprehension; `s = 0` + `s += e` loop -> sum(...); else None."""
    if not (isinstance(first, ast.Assign) and len(first.targets) == 1 and isinstance(first.targets[0], ast.Name)
            and isinstance(second, ast.For)):
        return None
    name, nest = first.targets[0].id, loop_nest(second)
    if nest is None:
        return None
    generators, inner = nest
    if isinstance(first.value, ast.List) and not first.value.elts and isinstance(inner, ast.Expr) and \
            isinstance(inner.value, ast.Call) and getattr(inner.value.func, "attr", "") == "append" and \
            getattr(inner.value.func.value, "id", "") == name and len(inner.value.args) == 1:
        return f"{name} = {ast.unparse(ast.ListComp(elt=inner.value.args[0], generators=generators))}"
    if isinstance(first.value, ast.Constant) and first.value.value == 0 and isinstance(inner, ast.AugAssign) and \
            isinstance(inner.op, ast.Add) and getattr(inner.target, "id", "") == name:
        return f"{name} = sum({ast.unparse(ast.GeneratorExp(elt=inner.value, generators=generators))})"
    return None


def _to_loop(statement: ast.stmt):
    """`acc = [e for ...]` -> `acc = []` + append loop; `s = sum(e for ...)` or `s += sum(...)` -> loop."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
            isinstance(statement.targets[0], ast.Name):
        name, value, init = statement.targets[0].id, statement.value, True
    elif isinstance(statement, ast.AugAssign) and isinstance(statement.op, ast.Add) and \
            isinstance(statement.target, ast.Name):
        name, value, init = statement.target.id, statement.value, False
    else:
        return None
    if init and isinstance(value, ast.ListComp) and len(value.generators) == 1:
        head, body = [f"{name} = []"], f"{name}.append({ast.unparse(value.elt)})"
    elif isinstance(value, ast.Call) and getattr(value.func, "id", "") == "sum" and len(value.args) == 1 and \
            isinstance(value.args[0], ast.GeneratorExp) and len(value.args[0].generators) == 1:
        value = value.args[0]
        head, body = ([f"{name} = 0"] if init else []), f"{name} += {ast.unparse(value.elt)}"
    else:
        return None
    generator = value.generators[0]
    loop = [f"for {ast.unparse(generator.target)} in {ast.unparse(generator.iter)}:"]
    for test in generator.ifs:
        loop.append("    " * len(loop) + f"if {ast.unparse(test)}:")
    return head + loop + ["    " * len(loop) + body]


def comprehension(text: str) -> str:
    edits = []
    for block in _blocks(ast.parse(text)):
        i = 0
        while i < len(block):
            indent = " " * block[i].col_offset
            folded = _to_comprehension(block[i], block[i + 1]) if i + 1 < len(block) else None
            if folded:
                edits.append((block[i].lineno, block[i + 1].end_lineno, [indent + folded]))
                i += 2
                continue
            nest = loop_nest(block[i]) if isinstance(block[i], ast.For) else None
            if nest and isinstance(nest[1], ast.AugAssign) and isinstance(nest[1].op, ast.Add) and \
                    isinstance(nest[1].target, ast.Name):  # a lone accumulating loop -> `s += sum(...)`
                total = ast.unparse(ast.GeneratorExp(elt=nest[1].value, generators=nest[0]))
                edits.append((block[i].lineno, block[i].end_lineno, [f"{indent}{nest[1].target.id} += sum({total})"]))
                i += 1
                continue
            unfolded = _to_loop(block[i])
            if unfolded:
                edits.append((block[i].lineno, block[i].end_lineno, [indent + line for line in unfolded]))
            i += 1
    return _replace_lines(text, edits)


class _Equivalents(ast.NodeTransformer):
    """`a.dot(b)` / `np.dot(a, b)` -> `a @ b` and back, `np.sum(a)` <-> `a.sum()`, `x += e` -> `x = x + e`."""

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func, args = node.func, node.args
        if isinstance(func, ast.Attribute) and not node.keywords:
            numpy = isinstance(func.value, ast.Name) and func.value.id == "np"
            if func.attr == "dot" and numpy and len(args) == 2:
                return ast.BinOp(left=args[0], op=ast.MatMult(), right=args[1])
            if func.attr == "dot" and not numpy and len(args) == 1:
                return ast.BinOp(left=func.value, op=ast.MatMult(), right=args[0])
            if func.attr == "sum" and numpy and len(args) == 1:
                return ast.Call(func=ast.Attribute(value=args[0], attr="sum", ctx=ast.Load()), args=[], keywords=[])
            if func.attr == "sum" and not numpy and not args:
                return ast.Call(func=ast.Attribute(value=ast.Name(id="np", ctx=ast.Load()), attr="sum",
                                                   ctx=ast.Load()), args=[func.value], keywords=[])
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.MatMult) and not isinstance(node.left, ast.BinOp):
            return ast.Call(func=ast.Attribute(value=ast.Name(id="np", ctx=ast.Load()), attr="dot", ctx=ast.Load()),
                            args=[node.left, node.right], keywords=[])
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.target, ast.Name):
            value = ast.BinOp(left=ast.Name(id=node.target.id, ctx=ast.Load()), op=node.op, right=node.value)
            return ast.Assign(targets=[node.target], value=value, lineno=node.lineno)
        return node


def equivalents(text: str) -> str:
    """Rewrites into equivalent NumPy and Python spellings that the detector does not undo (a robustness check)."""
    lines, edits = _lines(text), []
    for block in _blocks(ast.parse(text)):
        for statement in block:
            if hasattr(statement, "body") or lines[statement.lineno - 1][:statement.col_offset].strip():
                continue
            before = ast.dump(statement)
            changed = ast.fix_missing_locations(_Equivalents().visit(statement))
            if ast.dump(changed) != before:
                new = " " * statement.col_offset + ast.unparse(changed)
                edits.append((statement.lineno, statement.end_lineno, new.splitlines()))
    return _replace_lines(text, edits)


def hand_edits(text: str, offset: int = 0) -> str:
    """Every third assignment to a name in a function (from the `offset`-th) rewritten, `x = e` ->
    `x = e if True else None`: a copy edited by hand, statement by statement, which no normalisation undoes."""
    lines, edits, count = _lines(text), [], 0
    for block in _blocks(ast.parse(text)):
        for statement in block:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
                    isinstance(statement.targets[0], ast.Name) and statement.col_offset > 0 and \
                    not lines[statement.lineno - 1][:statement.col_offset].strip():
                count += 1
                if count % 3 == offset % 3:
                    value = ast.IfExp(test=ast.Constant(True), body=statement.value, orelse=ast.Constant(None))
                    new = ast.unparse(ast.Assign(targets=statement.targets, value=value, lineno=0))
                    edits.append((statement.lineno, statement.end_lineno, [" " * statement.col_offset + new]))
    return _replace_lines(text, edits)


def everything(text: str) -> str:
    for transformation in (comprehension, reorder, literals, rename, comments, reformat):
        text = transformation(text)
    return text


TRANSFORMATIONS: Dict[str, Callable[[str], str]] = {
    "rename": rename, "reformat": reformat, "comments": comments, "literals": literals,
    "reorder": reorder, "comprehension": comprehension, "all": everything}
# Not among the disguises: measured apart (see the module's docstring).
HARDER: Dict[str, Callable[[str], str]] = {
    "equivalents": equivalents, "all+equivalents": lambda text: equivalents(everything(text)),
    "hand_edits": hand_edits, "all+hand_edits": lambda text: hand_edits(everything(text)),
    "all+hand_edits@1": lambda text: everything(hand_edits(text, 1)),
    "all+hand_edits@2": lambda text: everything(hand_edits(text, 2))}
