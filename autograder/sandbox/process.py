"""The trusted side of the sandbox: start a confined worker, call it, survive whatever it does.

A Worker starts its worker process (boot.py, which confines itself: see
confine.py) lazily and again after any crash or timeout, and hands it the graded
files (as the assignment's package) and the assignment's harness in its
configuration. A function
that timed out or crashed the worker stays failed for the rest of the grading
(repeating it would only cost time), and a module whose import did so is
replaced by a placeholder in later workers, so its siblings still import.

Each Worker also owns a private folder under the temporary directory, locked
while it lives: the worker's files go there only where no box could be made, and
it is removed as soon as a box is up. Folders whose lock nobody holds (left by a
grader killed where there was no box) are removed by the next Worker.
"""
import base64
import fcntl
import json
import os
import select
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Tuple

import numpy as np

from . import cputime, protocol

if TYPE_CHECKING:
    from ..assignment import Assignment

KIT = Path(__file__).resolve().parent
HARNESS = "kit/harness.py"  # where the assignment's worker-side harness is written, outside the student's package
SYSTEM_READABLE = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc/ld.so.cache")
FOLDER_PREFIX = "linclass-sandbox-"
STALE_AFTER = 60.0  # seconds
# glibc's malloc with fixed thresholds: memory a call frees is kept for the next call, in every worker alike.
# (Left to adjust themselves, the thresholds follow each worker's history, and a worker whose arrays come
# back to it as fresh pages from the kernel pays for those page faults: the reference's calls cost 2x the
# student's in the speed check, and timing compared the allocators rather than the code.)
SAME_ALLOCATOR = {"MALLOC_MMAP_THRESHOLD_": str(64 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(256 * 2**20)}
SIGNAL_MEANINGS = {signal.SIGXCPU: ("timeout", "it used up its CPU-time limit"),
                   signal.SIGXFSZ: ("crash", "it wrote more than the file-size limit"),
                   signal.SIGSEGV: ("crash", "it crashed (segmentation fault)"),
                   signal.SIGKILL: ("memory", "it was killed, most likely for using too much memory")}


@dataclass(frozen=True)
class Limits:
    """Resource limits for one worker process and its calls."""
    memory_bytes: int = 4 * 2**30
    cpu_seconds: int = 600
    file_bytes: int = 16 * 2**20
    disk_bytes: int = 32 * 2**20   # the box's writable folder, all files together
    processes: int = 32            # inside a box; outside one the worker may start none
    open_files: int = 256
    call_timeout: float = 3.0      # a call with no reference time to go by (imports, harness steps)
    answer_timeout: float = 1.0    # a notebook answer cell: a definition or a one-line computation
    call_floor: float = 1.0        # a call the reference makes in t seconds gets max(floor, factor * t) ...
    call_factor: float = 50.0
    call_ceiling: float = 10.0     # ... and never more than this
    startup_timeout: float = 30.0
    total_seconds: float = 180.0

    def timeout_after(self, reference_seconds: float) -> float:
        """The time a student's call may take when the reference needs reference_seconds for it."""
        return min(self.call_ceiling, max(self.call_floor, self.call_factor * reference_seconds))

    def rlimits(self) -> Dict[str, int]:
        return {"RLIMIT_AS": self.memory_bytes, "RLIMIT_CPU": self.cpu_seconds,
                "RLIMIT_FSIZE": self.file_bytes, "RLIMIT_NOFILE": self.open_files, "RLIMIT_CORE": 0}


def _folders(path: str) -> List[str]:
    """'pkg/a/b' -> ['pkg/a', 'pkg/a/b']: the package folders that each need an __init__.py."""
    parts = path.split("/")
    return ["/".join(parts[:depth]) for depth in range(2, len(parts) + 1)]


def missing_protections(protections: Dict[str, str]) -> List[str]:
    """Names of the protections a worker reported missing (or failed to prove), or that never started."""
    return [name for name, state in protections.items() if state.startswith(("missing", "NO", "no worker"))]


class SandboxIncomplete(Exception):
    """A strict grader's worker lacks some protection: nothing of the student's may run in it."""


class StudentError(Exception):
    """Student code failed: kind is one of protocol.ERROR_KINDS, message is safe to show."""

    def __init__(self, kind: str, message: str, where: str = ""):
        super().__init__(message)
        self.kind, self.message, self.where = kind, message, where

    def __str__(self) -> str:
        return f"{self.message} ({self.where})" if self.where else self.message


def readable_paths(protected: List[Path]) -> Tuple[List[str], List[str]]:
    """(what a worker may read: the interpreter, its libraries, the system's, the worker's code;
    the folders of the protected paths inside those, which the box shows empty)."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, str(KIT),
                  os.path.dirname(np.__path__[0]), *site.getsitepackages(), *SYSTEM_READABLE}
    readable = sorted({os.path.realpath(path) for path in candidates if os.path.exists(path)})
    folders = {path.resolve() if path.is_dir() else path.resolve().parent for path in protected}
    masked = sorted({str(folder) for folder in folders  # the box shows them empty
                     if any(folder.is_relative_to(root) for root in readable)})
    return readable, masked


def unprivileged_account(user: str) -> Tuple[int, int]:
    """(uid, gid) a root grader's workers run as; anyone else's keep their own."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    import pwd
    account = pwd.getpwnam(user)
    return account.pw_uid, account.pw_gid


def remove_stale_folders() -> None:
    """Remove the private folders of workers whose grader is gone (their lock is free).

    A folder younger than STALE_AFTER seconds is left alone: its worker may not have taken
    its lock yet (another grading process creating its Worker at this very moment).
    """
    root = Path(tempfile.gettempdir())
    for folder in root.glob(FOLDER_PREFIX + "*"):
        try:
            status = folder.lstat()
            young = time.time() - status.st_mtime < STALE_AFTER
            if folder.is_symlink() or status.st_uid != os.geteuid() or young:
                continue
            with open(folder / "lock", "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


class Worker:
    """One confined worker process serving calls on one set of graded modules."""

    def __init__(self, assignment: "Assignment", modules: Dict[str, bytes], limits: Limits = Limits(),
                 protected: List[Path] = (), user: str = "nobody",
                 unavailable: Optional[Dict[str, str]] = None, trusted: bool = False, strict: bool = False,
                 program: str = "worker"):
        """assignment: whose package layout and harness the worker uses;
        modules: name -> source of the graded files; unavailable: name -> why a module is absent;
        protected: files the worker must not be able to read (it proves so at start-up);
        trusted: the reference, which keeps the grader's user where no box can be made;
        strict: refuse to run anything unless every protection is active (SandboxIncomplete);
        program: the module beside boot.py that serves the requests once the worker is confined."""
        self.assignment = assignment
        self.limits = limits
        self.protected = [Path(p) for p in protected]
        self.owner = unprivileged_account(user)
        self.trusted, self.strict, self.program = trusted, strict, program
        remove_stale_folders()
        self.folder: Optional[Path] = None  # made when the worker starts (see _make_folder)
        self.box: Optional[Path] = None
        package = "pkg/" + assignment.package.replace(".", "/")
        self.files = {**{f"{folder}/__init__.py": b"" for folder in _folders(package)},
                      **{f"{package}/{name}.py": source for name, source in modules.items()},
                      HARNESS: assignment.harness.read_bytes()}
        self.broken: Dict[str, StudentError] = {  # "module" or "module.function" -> sticky failure
            name: StudentError("missing", why) for name, why in (unavailable or {}).items()}
        self.imported: set = set()
        self.stored: Dict[str, np.ndarray] = {}
        self.generated: Dict[str, dict] = {}  # name -> spec of an array made in the worker (protocol.generate)
        self.protections: Dict[str, str] = {}
        self.process: Optional[subprocess.Popen] = None
        self.deadline = time.monotonic() + limits.total_seconds

    def _make_folder(self) -> None:
        """The private folder (see the module docstring): the worker's files go to its box/ only where
        no box can be made; once a box is up it is removed, so a grader killed then leaves nothing."""
        self.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
        self._lock = open(self.folder / "lock", "w")
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self.box = self.folder / "box"
        self.box.mkdir(mode=0o700)
        if os.geteuid() == 0 and not self.trusted:
            self.folder.chmod(0o711)
            os.chown(self.box, *self.owner)

    def _remove_folder(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self._lock.close()
            self.folder = None

    def _configuration(self, fds: List[int]) -> dict:
        readable, masked = readable_paths(self.protected)
        return {"program": self.program, "readable": readable, "masked": masked, "box_bytes": self.limits.disk_bytes,
                "owner": list(self.owner), "trusted": self.trusted, "fallback_folder": str(self.box),
                "rlimits": self.limits.rlimits(), "processes": self.limits.processes,
                "forbidden": [str(p) for p in self.protected],
                "package": self.assignment.package, "aliases": list(self.assignment.package_aliases),
                "imports": {module: list(needed) for module, needed in self.assignment.imports.items()},
                "functions": {module: self.assignment.module_functions(module) for module in self.assignment.modules},
                "harness": HARNESS,
                "placeholders": {name: str(error) for name, error in self.broken.items() if "." not in name},
                "files": {name: base64.b64encode(data).decode() for name, data in self.files.items()},
                "fds": fds}

    def _start(self):
        if self.folder is None:
            self._make_folder()
        config_read, config_write = os.pipe()
        requests_read, requests_write = os.pipe()
        replies_read, replies_write = os.pipe()
        environment = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **SAME_ALLOCATOR,
                       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-B", str(KIT / "boot.py"), str(os.getpid()), str(config_read)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                cwd="/", env=environment, start_new_session=True,
                pass_fds=(config_read, requests_read, replies_write))
        finally:
            for descriptor in (config_read, requests_read, replies_write):
                os.close(descriptor)
        self.requests, self.replies = requests_write, replies_read
        try:
            with os.fdopen(config_write, "wb") as stream:
                stream.write(json.dumps(self._configuration([requests_read, replies_write])).encode())
        except OSError:
            raise self._ended() from None
        header, _ = self._receive(self.limits.startup_timeout)
        self.protections = {str(name): str(state) for name, state in header["protections"].items()}
        missing = [f"{name} ({self.protections[name]})" for name in missing_protections(self.protections)]
        if self.strict and missing:
            self.stop()
            raise SandboxIncomplete("refusing to run student code without " + "; ".join(missing))
        if "box" not in missing_protections(self.protections):
            self._remove_folder()  # the box holds the files; nothing of this worker stays on disk
        self.imported = set()
        if self.stored:
            self._send({"op": "store", "names": list(self.stored)}, list(self.stored.values()))
            self._receive(self.limits.startup_timeout)
        if self.generated:
            self._send({"op": "generate", "arrays": list(self.generated.values())})
            self._receive(self.limits.startup_timeout)

    def renew(self) -> None:
        """Give a worker that serves several gradings (the reference) a fresh total budget."""
        self.deadline = time.monotonic() + self.limits.total_seconds

    def start(self) -> Dict[str, str]:
        """Start the worker now (it starts on the first call otherwise); return its protections."""
        if self.process is None:
            self._start()
        return self.protections

    def cpu_sample(self) -> Optional[cputime.CpuSample]:
        """The CPU time this worker's processes have used so far, from the kernel (None while none runs)."""
        return cputime.sample(self.process.pid) if self.process is not None else None

    def _send(self, header, arrays=()):
        try:
            protocol.write_message(self.requests, header, arrays)
        except OSError:
            raise self._ended() from None

    def _receive(self, timeout):
        deadline = time.monotonic() + min(timeout, max(0.0, self.deadline - time.monotonic()))
        try:
            return protocol.read_message(self.replies, protocol.MAX_REPLY_BYTES, deadline)
        except TimeoutError:
            self.stop()
            if time.monotonic() >= self.deadline:
                raise StudentError("timeout", "the submission used up its total time budget "
                                   f"({self.limits.total_seconds:.0f} s)") from None
            raise StudentError("timeout", f"it did not finish within {timeout:g} s "
                               "(an infinite loop, or far too slow)") from None
        except EOFError:
            raise self._ended() from None
        except protocol.ProtocolError as error:
            self.stop()
            raise StudentError("bad_output", f"its process sent an unreadable reply ({error})") from None

    def _ended(self) -> StudentError:
        """The worker died: say why, from its exit status."""
        code = self.process.wait() if self.process else None
        self.stop()
        if code is not None and code < 0 and -code in SIGNAL_MEANINGS:
            return StudentError(*SIGNAL_MEANINGS[-code])
        return StudentError("crash", f"the process running it ended abruptly (exit code {code}), "
                            "e.g. through os._exit or sys.exit at import")

    def request(self, header: dict, arrays=(), timeout: Optional[float] = None,
                callback: Optional[Callable] = None):
        """Send one request and return (results, arrays) of its reply; StudentError on any failure.

        While it runs the worker may ask for callbacks (see protocol.py): each is
        answered with callback(name, values) -> list of arrays, computed here; if
        callback is None or raises, the worker is stopped and the error raised.
        """
        if time.monotonic() >= self.deadline:
            raise StudentError("timeout", "the submission used up its total time budget "
                               f"({self.limits.total_seconds:.0f} s)")
        if self.process is None:
            self._start()
        self._send(header, arrays)
        reply, reply_arrays = self._receive(timeout or self.limits.call_timeout)
        while "callback" in reply:
            try:
                if callback is None:
                    raise StudentError("bad_output", "its process asked for a callback the grader does not offer")
                values = [_value(slot, reply_arrays) for slot in reply.get("results", [])]
                answer = [np.asarray(value) for value in callback(str(reply["callback"]), values)]
            except BaseException:
                self.stop()
                raise
            self._send({"op": "callback_reply", "results": [{"array": i} for i in range(len(answer))]}, answer)
            reply, reply_arrays = self._receive(timeout or self.limits.call_timeout)
        if not reply.get("ok"):
            kind = reply.get("error") if reply.get("error") in protocol.ERROR_KINDS else "protocol"
            raise StudentError(kind, str(reply.get("message", ""))[:400], str(reply.get("where", ""))[:200])
        return reply, reply_arrays

    def _with_sticky_failures(self, key, header, arrays, timeout, callback=None, sticky=True):
        if key in self.broken:
            raise self.broken[key].with_traceback(None)  # not a growing chain of raises
        try:
            return self.request(header, arrays, timeout, callback)
        except StudentError as error:
            if sticky and error.kind in ("timeout", "crash", "memory", "bad_output"):
                self.broken[key] = error
            raise

    def _ensure_imported(self, module):
        if module in self.broken:
            raise self.broken[module].with_traceback(None)  # not a growing chain of raises
        if module in self.imported and self.process is not None:
            return
        try:
            self.request({"op": "import", "module": module}, timeout=self.limits.call_timeout)
        except StudentError as error:
            self.broken[module] = error
            raise
        self.imported.add(module)

    def generate(self, *specs: dict) -> None:
        """Have the worker make arrays (see protocol.generate, which makes the same ones here) that later
        calls refer to by name (Stored): large data without its bytes crossing the pipe."""
        for spec in specs:
            self.stored.pop(spec["name"], None)
            self.generated[spec["name"]] = spec
        if self.process is not None:
            self.request({"op": "generate", "arrays": list(specs)})

    def store(self, **arrays: np.ndarray) -> None:
        """Send arrays once; later calls refer to them by name (see protocol.py)."""
        for name in arrays:
            self.generated.pop(name, None)
        self.stored.update(arrays)
        if self.process is not None:
            self.request({"op": "store", "names": list(arrays)}, list(arrays.values()))

    def call(self, module: str, function: str, *args, timeout: Optional[float] = None,
             seed: int = 0, echo: bool = False) -> "Reply":
        """Call module.function(*args) in the worker: its outputs, and (echo: the worker sends the array
        arguments back after the call, which costs their size again) which arguments it changed."""
        return self.operate("call", *args, module=module, function=function, timeout=timeout, seed=seed,
                            echo=echo)

    def operate(self, op: str, *args, module: str = "", function: str = "",
                timeout: Optional[float] = None, seed: int = 0, callback: Optional[Callable] = None,
                echo: bool = False, sticky: bool = True) -> "Reply":
        """Run a worker operation (a plain call or a harness op) on the student's module, if it names one.

        callback answers the operation's callbacks (see request). A function that
        hangs, crashes or answers garbage fails at once when asked again, unless
        the call was not sticky (one with a short limit for information only). Which array
        arguments a call changed is decided here, by comparing the arrays the
        worker echoes back with those sent.
        """
        if module:
            self._ensure_imported(module)
        slots, arrays, sent = [], [], []
        for index, arg in enumerate(args):
            if isinstance(arg, Stored):
                slots.append({"stored": arg.name})
            elif isinstance(arg, np.ndarray):
                slots.append({"array": len(arrays)})
                arrays.append(arg)
                sent.append(index)
            else:
                slots.append({"json": arg})
        header = {"op": op, "module": module, "function": function, "args": slots, "seed": seed, "echo": echo}
        key = f"{module}.{function or op}"
        reply, reply_arrays = self._with_sticky_failures(key, header, arrays, timeout, callback, sticky)
        try:
            values = [_value(slot, reply_arrays) for slot in reply.get("results", [])]
            echoed = [_value(slot, reply_arrays) for slot in reply.get("echo", [])] if echo else []
        except (TypeError, ValueError, AttributeError):
            raise StudentError("bad_output", "its process sent an unreadable reply") from None
        if echo and len(echoed) != len(sent):
            raise StudentError("bad_output", "its process did not send back the call's arguments")
        mutated = [index for index, original, after in zip(sent, arrays, echoed) if not _same_array(after, original)]
        return Reply(values, mutated)

    def stop(self) -> None:
        """Kill the worker and everything it started, and wait until they are gone."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
            _wait_for_end_of_file(self.replies, time.monotonic() + 5.0)
            os.close(self.requests)
            os.close(self.replies)
            self.process = None

    def close(self) -> None:
        self.stop()
        self._remove_folder()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


@dataclass
class Reply:
    """A successful operation: its outputs (arrays, or NotNumeric) and the indices of mutated arguments."""
    values: list
    mutated: List[int]


@dataclass(frozen=True)
class Stored:
    """An argument that refers to an array sent earlier with Worker.store."""
    name: str


class NotNumeric:
    """A worker output that was not a number or numeric array; only its type name is known."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


def _value(slot, arrays):
    """A numeric array (0-d as a scalar when the worker says it was one), else NotNumeric."""
    try:
        if "array" in slot:
            array = arrays[slot["array"]]
            if array.dtype.kind not in "biuf":  # a forged reply may carry any .npy: strings, records, dates
                return NotNumeric(f"ndarray of {array.dtype.kind}")
            return array[()] if slot.get("python") in ("float", "int", "bool") and array.ndim == 0 else array
        return NotNumeric(str(slot["json"]["type"])[:80])
    except (KeyError, IndexError, TypeError):
        raise StudentError("bad_output", "its process sent an unreadable reply") from None


def _same_array(value, original: np.ndarray) -> bool:
    return isinstance(value, np.ndarray) and value.shape == original.shape and value.dtype == original.dtype \
        and bool(np.array_equal(value, original, equal_nan=original.dtype.kind in "fc"))


def _wait_for_end_of_file(descriptor: int, deadline: float) -> None:
    """Read until every holder of the pipe's other end is gone (the box's last process has died)."""
    while time.monotonic() < deadline:
        if select.select([descriptor], [], [], max(0.0, deadline - time.monotonic()))[0]:
            if not os.read(descriptor, 1 << 16):
                return
