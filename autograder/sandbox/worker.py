"""The untrusted side: import and call student code on request, in a process boot.py has confined.

boot.py enters the box and imports this module (numpy with it) before the
locks go on, then calls `run`. Requests arrive and replies leave on the two pipe
descriptors named in the config (stdout and stderr go to /dev/null, so prints
cannot corrupt the channel). Once a student module is imported this process is
assumed hostile, and the grader believes nothing it sends beyond well-formed
numeric arrays.
"""
import difflib
import importlib
import importlib.util
import os
import random
import sys
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

import compat  # noqa: E402
import protocol  # noqa: E402


def probe_forbidden(paths: list) -> list:
    """The paths that this process can still read, which should be none."""
    readable = []
    for path in paths:
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                with open(path, "rb") as stream:
                    stream.read(1)
            readable.append(path)
        except OSError:
            pass
    return readable


class StudentModules:
    """Imports the submission's graded modules under every name real submissions use.

    The package is the assignment's (config "package"), also reachable by its
    aliases (config "aliases", e.g. the kit's own folder names), and each module
    by its bare name too. A module that imports graded siblings (config
    "imports") gets a placeholder for a sibling that fails to import, whose
    functions raise ImportError, so each broken file costs only its own checks.
    """

    def __init__(self, package_root: str, config: dict):
        self.package = config["package"]
        self.aliases = config["aliases"]
        self.imports = config["imports"]  # module -> the graded modules it imports
        self.functions = config["functions"]  # module -> the graded functions a placeholder defines
        self.placeholders = dict(config["placeholders"])  # module -> why it must not be imported
        self.failures = {}  # module -> the error its import raised (raised again on every request)
        sys.path.insert(0, package_root)
        importlib.import_module(self.package)
        for alias in self.aliases:
            self._alias_package(alias)

    def _alias_package(self, alias: str) -> None:
        """Make the package importable as alias, and alias's parents as the package's (same depth only)."""
        sys.modules[alias] = sys.modules[self.package]
        alias_parts, package_parts = alias.split("."), self.package.split(".")
        if len(alias_parts) == len(package_parts):
            for depth in range(1, len(alias_parts)):
                sys.modules.setdefault(".".join(alias_parts[:depth]), sys.modules[".".join(package_parts[:depth])])

    def load(self, name: str) -> types.ModuleType:
        if name in self.failures:
            raise self.failures[name]
        qualified = f"{self.package}.{name}"
        if qualified in sys.modules:
            return sys.modules[qualified]
        if name in self.placeholders:
            module = self._placeholder(name, self.placeholders[name])
        else:
            for dependency in self.imports.get(name, ()):
                self._load_or_placeholder(dependency)
            module = importlib.import_module(qualified)
        self._alias(name, module)
        return module

    def _alias(self, name, module):
        for alias in self.aliases:
            sys.modules[f"{alias}.{name}"] = module
        sys.modules.setdefault(name, module)

    def _load_or_placeholder(self, name):
        """Import a sibling; if it fails, remember why and stand a placeholder in for it."""
        try:
            self.load(name)
        except BaseException as error:  # a broken sibling must not break this module's import
            self.failures.setdefault(name, error)
            reason = f"{name}.py could not be imported ({type(error).__name__}: {error})"
            self._alias(name, self._placeholder(name, reason))

    def _placeholder(self, name, reason):
        module = types.ModuleType(f"{self.package}.{name}")

        def unavailable(*args, **kwargs):
            raise ImportError(reason)

        for function in self.functions.get(name, ()):
            setattr(module, function, unavailable)
        sys.modules[f"{self.package}.{name}"] = module
        return module


def student_location(error: BaseException, package_root: str) -> str:
    """'file.py, line N, in function' of the innermost frame in the student's own files."""
    if isinstance(error, SyntaxError) and error.filename and error.filename.startswith(package_root):
        return f"{os.path.basename(error.filename)}, line {error.lineno}"
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if frame.filename.startswith(package_root)]
    if not frames:
        return ""
    frame = frames[-1]
    return f"{os.path.basename(frame.filename)}, line {frame.lineno}, in {frame.name}"


def near_name(error: BaseException) -> str:
    """' (did you mean x?)' for an attribute missing from an object that has one of a close name."""
    name, owner = getattr(error, "name", None), getattr(error, "obj", None)
    if not isinstance(error, AttributeError) or not isinstance(name, str) or owner is None:
        return ""
    try:
        known = [attribute for attribute in dir(owner) if not attribute.startswith("__")]
    except Exception:  # a hostile __dir__
        return ""
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def missing_from_student_file(error: BaseException, package_root: str) -> str:
    """'file.py defines no name' for an attribute looked up in vain on one of the student's modules."""
    owner = getattr(error, "obj", None)
    path = getattr(owner, "__file__", None) if isinstance(owner, types.ModuleType) else None
    if isinstance(error, AttributeError) and isinstance(path, str) and path.startswith(package_root):
        return f"{os.path.basename(path)} defines no {error.name}"
    return ""


def failure_reply(error: BaseException, package_root: str, importing: bool) -> dict:
    """Describe a failure of student code without leaking anything of the kit's."""
    if isinstance(error, NotImplementedError):
        kind = "not_implemented"
    elif isinstance(error, MemoryError):
        kind = "memory"
    elif importing:
        kind = "import"
    else:
        kind = "exception"
    message = f"{type(error).__name__}: {missing_from_student_file(error, package_root) or error}{near_name(error)}"
    if isinstance(error, SyntaxError):
        message = f"SyntaxError: {error.msg}"
    return {"ok": False, "error": kind, "message": message[:400],
            "where": student_location(error, package_root)}


def to_wire(values):
    """Worker outputs as protocol slots and arrays; non-numeric objects are only named."""
    slots, arrays = [], []
    for value in values:
        if isinstance(value, (bool, int, float, np.number, np.bool_, np.ndarray)):
            array = np.asarray(value)
            if array.dtype.kind in "biuf" and array.nbytes <= protocol.MAX_REPLY_BYTES // 2:
                slots.append({"array": len(arrays), "python": type(value).__name__})
                arrays.append(array)
                continue
        slots.append({"json": {"type": type(value).__name__}})
    return slots, arrays


def run_answer(source: str, name: str, inputs: list) -> list:
    """Run one notebook answer cell and read its answer named name.

    A function is evaluated at each of inputs; a string is returned as its
    index in inputs (-1 if absent); anything else as a float array.
    """
    namespace = {"__name__": "__answer__"}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    value = namespace[name]
    if callable(value):
        return [np.array([float(value(x)) for x in inputs])]
    if isinstance(value, str):
        return [np.array([inputs.index(value) if value in inputs else -1])]
    return [np.asarray(value, dtype=float)]


def load_harness(path: str) -> types.ModuleType:
    """The assignment's worker-side operations (its OPERATIONS: name -> function(modules, ask, *args))."""
    spec = importlib.util.spec_from_file_location("harness", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Server:
    """Answers requests until the grader closes the pipe."""

    def __init__(self, modules: StudentModules, package_root: str, fds, operations: dict):
        self.modules = modules
        self.operations = operations
        self.request_fd, self.reply_fd = fds
        self.package_root = package_root
        self.stored = {}
        self.echo = []

    def arguments(self, slots, arrays):
        values = []
        for slot in slots:
            if "array" in slot:
                values.append(arrays[slot["array"]].copy())
            elif "stored" in slot:
                values.append(self.stored[slot["stored"]].copy())
            else:
                values.append(slot["json"])
        return values

    def callback(self, name, values):
        """Ask the grader for values it computes itself (see protocol.py) and wait for its answer."""
        slots, arrays = to_wire(values)
        protocol.write_message(self.reply_fd, {"callback": name, "results": slots}, arrays)
        header, arrays = protocol.read_message(self.request_fd, protocol.MAX_REQUEST_BYTES)
        if header.get("op") != "callback_reply":
            raise RuntimeError("the grader did not answer the callback")
        return [arrays[slot["array"]] if "array" in slot else slot["json"] for slot in header["results"]]

    def handle(self, header, arrays):
        op = header["op"]
        if op == "store":
            self.stored.update(zip(header["names"], arrays))
            return []
        if op == "generate":
            self.stored.update({spec["name"]: protocol.generate(spec) for spec in header["arrays"]})
            return []
        if op == "import":
            self.modules.load(header["module"])
            return []
        seed = header.get("seed", 0)
        np.random.seed(seed)
        random.seed(seed)
        slots = header.get("args", [])
        args = self.arguments(slots, arrays)
        if op == "call":
            function = getattr(self.modules.load(header["module"]), header["function"])
            result = function(*args)
            if header.get("echo"):
                self.echo = [arg for slot, arg in zip(slots, args) if "array" in slot]
            return list(result) if isinstance(result, (tuple, list)) else [result]
        if op == "answer":
            return run_answer(*args)
        return self.operations[op](self.modules, self.callback, *args)

    def serve(self):
        while True:
            try:
                header, arrays = protocol.read_message(self.request_fd, protocol.MAX_REQUEST_BYTES)
            except EOFError:
                return
            self.echo = []
            try:
                results = self.handle(header, arrays)
                slots, out = to_wire(list(results) + self.echo)
                reply = {"ok": True, "results": slots[:len(results)], "echo": slots[len(results):]}
            except BaseException as error:  # student code may raise anything, SystemExit included
                reply, out = failure_reply(error, self.package_root, header["op"] == "import"), []
            protocol.write_message(self.reply_fd, reply, out)


def run(config: dict, folder: str, protections: dict) -> None:
    """Prove the protected files unreadable, import the student's package, report, serve."""
    compat.install()
    leaked = probe_forbidden(config["forbidden"])
    protections["hidden files unreadable"] = "verified" if not leaked else f"NO: readable {leaked}"
    package_root = os.path.join(folder, "pkg")
    operations = load_harness(os.path.join(folder, config["harness"])).OPERATIONS
    modules = StudentModules(package_root, config)
    protocol.write_message(config["fds"][1], {"ok": True, "protections": protections})
    Server(modules, package_root, config["fds"], operations).serve()
