"""The untrusted side: confine this process, then import and call student code on request.

Started by process.py as `python -I worker.py CONFIG_JSON`; requests arrive and
replies leave on the two pipe descriptors named in the config (stdout and stderr
go to /dev/null, so prints cannot corrupt the channel). Everything before `serve()` is the kit's code;
once a student module is imported this process is assumed hostile, and the
grader believes nothing it sends beyond well-formed numeric arrays.
"""
import ctypes
import importlib
import json
import os
import random
import resource
import sys
import traceback
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

import harness  # noqa: E402
import protocol  # noqa: E402

CLONE_NEWNET = 0x40000000
PACKAGE = "cs231n.classifiers"
# Real submissions import their siblings under any of these package names.
PACKAGE_ALIASES = ("linear_classifiers.classifiers", "classifiers")
TOP_ALIASES = {"linear_classifiers": "cs231n"}
# Names NumPy 2 removed that older CS231n code still uses.
NUMPY_ALIASES = {"float": float, "int": int, "bool": bool, "object": object, "str": str,
                 "complex": complex, "long": int, "unicode": str, "float_": np.float64,
                 "complex_": np.complex128, "NaN": np.nan, "NAN": np.nan, "Inf": np.inf,
                 "Infinity": np.inf, "infty": np.inf, "PINF": np.inf, "NINF": -np.inf,
                 "product": np.prod, "cumproduct": np.cumprod, "sometrue": np.any,
                 "alltrue": np.all, "round_": np.round}


def limit_resources(limits: dict) -> dict:
    """Apply rlimits; process count is not enforced for root, so say so."""
    status = {}
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))
        status[name] = "active"
    if os.geteuid() == 0 and "RLIMIT_NPROC" in status:
        status["RLIMIT_NPROC"] = "not enforced: the worker runs as root"
    return status


def isolate_network() -> str:
    """Move into a network namespace of our own: no interfaces, no routes, no network."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET) == 0:
        return "active"
    return f"unavailable: unshare(CLONE_NEWNET) failed ({os.strerror(ctypes.get_errno())})"


def drop_privileges(user: str) -> str:
    """Become an unprivileged user when running as root and the interpreter stays reachable."""
    if os.geteuid() != 0:
        return "active (not running as root)"
    import pwd
    try:
        account = pwd.getpwnam(user)
    except KeyError:
        return f"unavailable: no user '{user}'"
    for directory in {sys.prefix, sys.base_prefix, os.path.dirname(np.__file__)}:
        if not _reachable_by_others(directory):
            return f"unavailable: {directory} is not reachable by '{user}', so the worker stays root"
    os.setgroups([])
    os.setgid(account.pw_gid)
    os.setuid(account.pw_uid)
    return f"active (running as '{user}')"


def _reachable_by_others(path: str) -> bool:
    """True when every directory on the way to path is searchable by any user."""
    path = os.path.realpath(path)
    while True:
        if not os.stat(path).st_mode & 0o001:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


def restrict_filesystem(readable: list, writable: list) -> str:
    """Landlock: read-only access to the listed directories, full access to the sandbox, none elsewhere."""
    try:
        import landlock
    except ImportError:
        return "unavailable: the landlock package is not installed"
    try:
        read_only = landlock.FSAccess.EXECUTE | landlock.FSAccess.READ_FILE | landlock.FSAccess.READ_DIR
        ruleset = landlock.Ruleset()
        ruleset.allow(*[path for path in readable if os.path.isdir(path)], rules=read_only)
        ruleset.allow(*writable)
        ruleset.apply()
    except Exception as error:  # any failure here means no Landlock, which the report must say
        return f"unavailable: {type(error).__name__}: {error}"
    return "active"


def probe_forbidden(paths: list) -> list:
    """The paths that this process can still read, which should be none."""
    readable = []
    for path in paths:
        try:
            with open(path, "rb") as stream:
                stream.read(1)
            readable.append(path)
        except OSError:
            pass
    return readable


def install_numpy_aliases() -> None:
    for name, value in NUMPY_ALIASES.items():
        if name not in np.__dict__:
            setattr(np, name, value)


class StudentModules:
    """Imports the submission's graded modules under every name real submissions use."""

    def __init__(self, package_root: str, placeholders: dict):
        self.placeholders = placeholders  # module -> why it must not be imported
        self.failures = {}  # module -> the error its import raised (raised again on every request)
        sys.path.insert(0, package_root)
        importlib.import_module(PACKAGE)
        for alias in PACKAGE_ALIASES:
            sys.modules[alias] = sys.modules[PACKAGE]
        for alias, real in TOP_ALIASES.items():
            sys.modules[alias] = sys.modules[real]

    def load(self, name: str) -> types.ModuleType:
        if name in self.failures:
            raise self.failures[name]
        qualified = f"{PACKAGE}.{name}"
        if qualified in sys.modules:
            return sys.modules[qualified]
        if name in self.placeholders:
            module = self._placeholder(name, self.placeholders[name])
        else:
            if name == "linear_classifier":
                for dependency in harness.LOSS_MODULES:
                    self._load_or_placeholder(dependency)
            module = importlib.import_module(qualified)
        self._alias(name, module)
        return module

    def stand_in(self, name: str) -> types.ModuleType:
        """The module linear_classifier sees under this name: the real one, or its placeholder."""
        self.load("linear_classifier")
        return sys.modules[f"{PACKAGE}.{name}"]

    def _alias(self, name, module):
        for alias in PACKAGE_ALIASES:
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
        module = types.ModuleType(f"{PACKAGE}.{name}")

        def unavailable(*args, **kwargs):
            raise ImportError(reason)

        for function in harness.LOSS_MODULES.get(name, ()):
            setattr(module, function, unavailable)
        sys.modules[f"{PACKAGE}.{name}"] = module
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
    message = f"{type(error).__name__}: {error}"
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


def _same_array(value, original: np.ndarray) -> bool:
    return isinstance(value, np.ndarray) and value.shape == original.shape and \
        bool(np.array_equal(value, original, equal_nan=original.dtype.kind == "f"))


class Server:
    """Answers requests until the grader closes the pipe."""

    def __init__(self, modules: StudentModules, package_root: str, fds):
        self.modules = modules
        self.request_fd, self.reply_fd = fds
        self.package_root = package_root
        self.stored = {}
        self.mutated = []

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

    def handle(self, header, arrays):
        op = header["op"]
        if op == "store":
            self.stored.update(zip(header["names"], arrays))
            return []
        if op == "import":
            self.modules.load(header["module"])
            return []
        seed = header.get("seed", 0)
        np.random.seed(seed)
        random.seed(seed)
        args = self.arguments(header.get("args", []), arrays)
        if op == "call":
            function = getattr(self.modules.load(header["module"]), header["function"])
            originals = [arg.copy() if isinstance(arg, np.ndarray) else arg for arg in args]
            result = function(*args)
            self.mutated = [index for index, (arg, original) in enumerate(zip(args, originals))
                            if isinstance(original, np.ndarray) and not _same_array(arg, original)]
            return list(result) if isinstance(result, (tuple, list)) else [result]
        return harness.OPERATIONS[op](self.modules, *args)

    def serve(self):
        while True:
            try:
                header, arrays = protocol.read_message(self.request_fd, protocol.MAX_REQUEST_BYTES)
            except EOFError:
                return
            self.mutated = []
            try:
                results = self.handle(header, arrays)
                slots, out = to_wire(results)
                reply = {"ok": True, "results": slots, "mutated": self.mutated}
            except BaseException as error:  # student code may raise anything, SystemExit included
                reply, out = failure_reply(error, self.package_root, header["op"] == "import"), []
            protocol.write_message(self.reply_fd, reply, out)


def main() -> None:
    config = json.loads(sys.argv[1])
    install_numpy_aliases()
    protections = {"rlimits": limit_resources(config["rlimits"]),
                   "network": isolate_network(),
                   "unprivileged user": drop_privileges(config["user"])}
    protections["landlock"] = restrict_filesystem(config["readable"], [config["sandbox"]])
    leaked = probe_forbidden(config["forbidden"])
    protections["hidden files unreadable"] = "verified" if not leaked else f"NO: readable {leaked}"
    modules = StudentModules(config["package_root"], dict(config["placeholders"]))
    protocol.write_message(config["fds"][1], {"ok": True, "protections": protections})
    Server(modules, config["package_root"], config["fds"]).serve()


if __name__ == "__main__":
    main()
