"""The trusted side of the sandbox: start a confined worker, call it, survive whatever it does.

A Worker owns one temporary sandbox folder holding the graded files (as the
package `cs231n.classifiers`) and a copy of the worker-side code. It starts the
worker process lazily and again after any crash or timeout. A function that
timed out or crashed the worker stays failed for the rest of the grading
(repeating it would only cost time), and a module whose import did so is
replaced by a placeholder in later workers, so its siblings still import.
"""
import json
import os
import shutil
import signal
import site
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

from . import protocol

KIT_FILES = ("worker.py", "protocol.py", "harness.py")
SYSTEM_READABLE = ("/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/etc", "/proc", "/dev")
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
    processes: int = 64
    open_files: int = 256
    call_timeout: float = 10.0
    startup_timeout: float = 30.0
    total_seconds: float = 180.0

    def rlimits(self) -> Dict[str, int]:
        return {"RLIMIT_AS": self.memory_bytes, "RLIMIT_CPU": self.cpu_seconds,
                "RLIMIT_FSIZE": self.file_bytes, "RLIMIT_NPROC": self.processes,
                "RLIMIT_NOFILE": self.open_files, "RLIMIT_CORE": 0}


class StudentError(Exception):
    """Student code failed: kind is one of protocol.ERROR_KINDS, message is safe to show."""

    def __init__(self, kind: str, message: str, where: str = ""):
        super().__init__(message)
        self.kind, self.message, self.where = kind, message, where

    def __str__(self) -> str:
        return f"{self.message} ({self.where})" if self.where else self.message


def readable_directories(protected: List[Path]) -> List[str]:
    """What a worker may read: the interpreter, its libraries and the system's, never an ancestor of protected."""
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  os.path.dirname(np.__path__[0]), *site.getsitepackages(), *SYSTEM_READABLE}
    resolved = {os.path.realpath(path) for path in candidates if os.path.isdir(path)}
    return sorted(path for path in resolved
                  if not any(Path(p).resolve().is_relative_to(path) for p in protected))


class Worker:
    """One confined worker process serving calls on one set of graded modules."""

    def __init__(self, modules: Dict[str, bytes], limits: Limits = Limits(),
                 protected: List[Path] = (), user: str = "nobody",
                 unavailable: Optional[Dict[str, str]] = None):
        """modules: name -> source of the graded files; unavailable: name -> why a module is absent."""
        self.limits = limits
        self.protected = [Path(p) for p in protected]
        self.user = user
        self.sandbox = Path(tempfile.mkdtemp(prefix="linclass-sandbox-"))
        self.broken: Dict[str, StudentError] = {  # "module" or "module.function" -> sticky failure
            name: StudentError("missing", why) for name, why in (unavailable or {}).items()}
        self.imported: set = set()
        self.stored: Dict[str, np.ndarray] = {}
        self.protections: Dict[str, str] = {}
        self.process: Optional[subprocess.Popen] = None
        self.deadline = time.monotonic() + limits.total_seconds
        self._lay_out(modules)

    def _lay_out(self, modules):
        kit = self.sandbox / "kit"
        package = self.sandbox / "pkg" / "cs231n" / "classifiers"
        kit.mkdir()
        package.mkdir(parents=True)
        for name in KIT_FILES:
            shutil.copyfile(Path(__file__).parent / name, kit / name)
        (package.parent / "__init__.py").write_text("")
        (package / "__init__.py").write_text("")
        for name, source in modules.items():
            (package / f"{name}.py").write_bytes(source)
        if os.geteuid() == 0:
            _chown_tree(self.sandbox, self.user)

    def _start(self):
        requests_read, requests_write = os.pipe()
        replies_read, replies_write = os.pipe()
        placeholders = {name: str(error) for name, error in self.broken.items() if "." not in name}
        config = {"sandbox": str(self.sandbox), "package_root": str(self.sandbox / "pkg"),
                  "readable": readable_directories(self.protected), "rlimits": self.limits.rlimits(),
                  "user": self.user, "forbidden": [str(p) for p in self.protected if p.is_file()],
                  "placeholders": placeholders, "fds": [requests_read, replies_write]}
        environment = {"PATH": "/usr/bin:/bin", "HOME": str(self.sandbox), "LANG": "C.UTF-8",
                       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-B", str(self.sandbox / "kit" / "worker.py"), json.dumps(config)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                cwd=self.sandbox, env=environment, start_new_session=True,
                pass_fds=(requests_read, replies_write))
        finally:
            os.close(requests_read)
            os.close(replies_write)
        self.requests, self.replies = requests_write, replies_read
        header, _ = self._receive(self.limits.startup_timeout)
        self.protections = header["protections"]
        self.imported = set()
        if self.stored:
            self._send({"op": "store", "names": list(self.stored)}, list(self.stored.values()))
            self._receive(self.limits.startup_timeout)

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

    def request(self, header: dict, arrays=(), timeout: Optional[float] = None):
        """Send one request and return (results, arrays) of its reply; StudentError on any failure."""
        if time.monotonic() >= self.deadline:
            raise StudentError("timeout", "the submission used up its total time budget "
                               f"({self.limits.total_seconds:.0f} s)")
        if self.process is None:
            self._start()
        self._send(header, arrays)
        reply, reply_arrays = self._receive(timeout or self.limits.call_timeout)
        if not reply.get("ok"):
            kind = reply.get("error") if reply.get("error") in protocol.ERROR_KINDS else "protocol"
            raise StudentError(kind, str(reply.get("message", ""))[:400], str(reply.get("where", ""))[:200])
        return reply, reply_arrays

    def _with_sticky_failures(self, key, header, arrays, timeout):
        if key in self.broken:
            raise self.broken[key]
        try:
            return self.request(header, arrays, timeout)
        except StudentError as error:
            if error.kind in ("timeout", "crash", "memory", "bad_output"):
                self.broken[key] = error
            raise

    def _ensure_imported(self, module):
        if module in self.broken:
            raise self.broken[module]
        if module in self.imported and self.process is not None:
            return
        try:
            self.request({"op": "import", "module": module}, timeout=self.limits.call_timeout)
        except StudentError as error:
            self.broken[module] = error
            raise
        self.imported.add(module)

    def store(self, **arrays: np.ndarray) -> None:
        """Send arrays once; later calls refer to them by name (see protocol.py)."""
        self.stored.update(arrays)
        if self.process is not None:
            self.request({"op": "store", "names": list(arrays)}, list(arrays.values()))

    def call(self, module: str, function: str, *args, timeout: Optional[float] = None,
             seed: int = 0) -> "Reply":
        """Call module.function(*args) in the worker: its outputs, and which arguments it changed."""
        return self.operate("call", *args, module=module, function=function, timeout=timeout, seed=seed)

    def operate(self, op: str, *args, module: str = "linear_classifier", function: str = "",
                timeout: Optional[float] = None, seed: int = 0) -> "Reply":
        """Run a worker operation (a plain call or a harness op) on the student's module, if it names one."""
        if module:
            self._ensure_imported(module)
        slots, arrays = [], []
        for arg in args:
            if isinstance(arg, Stored):
                slots.append({"stored": arg.name})
            elif isinstance(arg, np.ndarray):
                slots.append({"array": len(arrays)})
                arrays.append(arg)
            else:
                slots.append({"json": arg})
        header = {"op": op, "module": module, "function": function, "args": slots, "seed": seed}
        key = f"{module}.{function or op}"
        reply, reply_arrays = self._with_sticky_failures(key, header, arrays, timeout)
        try:
            values = [_value(slot, reply_arrays) for slot in reply.get("results", [])]
            mutated = sorted({int(index) for index in reply.get("mutated", [])})
        except (TypeError, ValueError):
            raise StudentError("bad_output", "its process sent an unreadable reply") from None
        return Reply(values, mutated)

    def stop(self) -> None:
        """Kill the worker and everything it started."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
            os.close(self.requests)
            os.close(self.replies)
            self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.sandbox, ignore_errors=True)

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
    try:
        if "array" in slot:
            array = arrays[slot["array"]]
            return array[()] if slot.get("python") in ("float", "int", "bool") else array
        return NotNumeric(str(slot["json"]["type"])[:80])
    except (KeyError, IndexError, TypeError):
        raise StudentError("bad_output", "its process sent an unreadable reply") from None


def _chown_tree(root: Path, user: str) -> None:
    """Give the sandbox to the unprivileged user the worker may drop to."""
    import pwd
    try:
        account = pwd.getpwnam(user)
    except KeyError:
        return
    for path in [root, *root.rglob("*")]:
        os.chown(path, account.pw_uid, account.pw_gid)
