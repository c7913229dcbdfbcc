"""Attacks on the sandbox, run for real: each one must fail inside the box and change nothing outside it.

Every payload is scoped so that it cannot harm the machine even if a defence
failed: signals go only to processes this test started (or are the harmless
signal 0, which only asks whether signalling would be allowed), files are
written only in the box, and planted daemons end by themselves within a minute.
The same tests run as root and, through test_unprivileged_grader, as an
ordinary account.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pytest

from autograder.pipeline.grade import protected_files
from autograder.sandbox.process import (FOLDER_PREFIX, STALE_AFTER, Limits, StudentError, Worker,
                                        remove_stale_folders)
from tests.conftest import LINEAR, ROOT
from tests.graders import ensure_account, passed, run_as, run_tests

# Protections the outer test (test_the_attacks_fail_for_every_kind_of_grader) expects to be missing.
EXPECTED_MISSING = set(filter(None, os.environ.get("LINCLASS_EXPECT_MISSING", "").split(",")))

ATTACKS = '''
import ctypes, os, signal, socket, time
import numpy as np


def may_signal(pids):
    """1.0 for each pid this process is allowed to signal (signal 0 sends nothing)."""
    allowed = []
    for pid in pids:
        try:
            os.kill(int(pid), 0)
            allowed.append(1.0)
        except OSError:
            allowed.append(0.0)
    return np.array(allowed)


def kill(pid, number):
    os.kill(int(pid), int(number))
    return 1.0


def kill_parent():
    os.kill(os.getppid(), signal.SIGKILL)
    return 1.0


def read(path):
    with open(path, "rb") as stream:
        return float(len(stream.read()))


def listdir(path):
    return float(len(os.listdir(path)))


def environment_size():
    return float(sum(len(key) + len(value) for key, value in os.environ.items()))


def has_variable(name):
    return float(name in os.environ or any(name in value for value in os.environ.values()))


def connect_unix(address):
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(2)
    client.connect(address if not address.startswith("@") else "\\0" + address[1:])
    client.sendall(b"pickled payload")
    return 1.0


def fill_disk(megabytes):
    chunk = b"x" * 2**20
    for index in range(int(megabytes)):
        with open(f"filler-{index}", "wb") as stream:
            stream.write(chunk)
    return float(megabytes)


def spin(seconds):
    """Busy (never reading the grader's pipe) for seconds, then return."""
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        pass
    return 1.0


def plant_daemon(tag, seconds):
    """fork, setsid, fork: a daemon named tag that outlives its parent (and ends by itself later)."""
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, tag.encode(), 0, 0, 0)
            end = time.monotonic() + float(seconds)
            while time.monotonic() < end:
                time.sleep(0.05)
        os._exit(0)
    time.sleep(0.2)
    return 1.0
'''


def attacker(**limits) -> Worker:
    worker = Worker(LINEAR, {"linear_svm": ATTACKS.encode()}, Limits(call_timeout=5.0, **limits), protected_files())
    worker.call("linear_svm", "environment_size")  # started and confined
    return worker


@pytest.fixture
def box(monkeypatch):
    monkeypatch.setenv("LINCLASS_TEST_SECRET", "a token the grader must never leak")
    with attacker() as worker:
        yield worker


def processes_named(tag: str) -> list:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == tag[:15]:
                found.append(int(entry.name))
        except OSError:
            pass
    return found


def worker_processes(grader_pid: int) -> list:
    """Live processes started by boot.py for the grader with this pid (boot.py's argv names it)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(arg.endswith(b"boot.py") for arg in argv) and str(grader_pid).encode() in argv:
            found.append(int(entry.name))
    return found


def test_every_protection_is_active_or_reported_missing(box):
    missing = {name for name, state in box.protections.items() if state.startswith(("missing", "NO"))}
    assert missing == EXPECTED_MISSING, box.protections


def test_no_process_outside_the_box_can_be_signalled_or_seen(box):
    sacrificial = subprocess.Popen(["sleep", "60"])
    with attacker() as sibling:
        targets = [os.getpid(), sacrificial.pid, sibling.process.pid]
        if not box.protections["box"].startswith("missing"):
            targets.append(box.process.pid)  # the box's outside half; without a box that is the worker itself
        assert not box.call("linear_svm", "may_signal", np.array(targets)).values[0].any()
        for number in (signal.SIGKILL, signal.SIGSTOP):
            with pytest.raises(StudentError, match="PermissionError"):
                box.call("linear_svm", "kill", sacrificial.pid, int(number))
        with pytest.raises(StudentError, match="PermissionError"):
            box.call("linear_svm", "kill_parent")
        assert sacrificial.poll() is None and sibling.call("linear_svm", "environment_size").values
        hidden = [f"/proc/{os.getpid()}/environ", "/proc/1/environ"]
        if "box" not in EXPECTED_MISSING:  # without a box the socket table is world-readable, but no socket opens
            hidden.append(f"/proc/{os.getpid()}/net/unix")
        for path in hidden:
            with pytest.raises(StudentError, match="Error"):
                box.call("linear_svm", "read", path)
    sacrificial.kill()
    sacrificial.wait()


def test_the_graders_environment_and_root_files_are_unreadable(box):
    assert box.call("linear_svm", "environment_size").values[0] < 300  # PATH, LANG, BLAS threads, malloc, HOME, TMPDIR
    assert box.call("linear_svm", "has_variable", "LINCLASS_TEST_SECRET").values[0] == 0
    for secret in ("/etc/shadow", *map(str, protected_files()),
                   str(ROOT / "solutions"), str(ROOT / "assignments")):
        with pytest.raises(StudentError, match="Error"):
            box.call("linear_svm", "read" if not os.path.isdir(secret) else "listdir", secret)


@pytest.mark.parametrize("abstract", [False, True], ids=["path", "abstract"])
def test_no_unix_socket_of_the_host_is_reachable(box, tmp_path, abstract):
    address = f"@linclass-test-{uuid.uuid4().hex}" if abstract else str(tmp_path / "grader.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind("\0" + address[1:] if abstract else address)
    if not abstract:
        os.chmod(address, 0o777)
        tmp_path.chmod(0o755)
    server.listen()
    server.settimeout(0.5)
    with pytest.raises(StudentError):
        box.call("linear_svm", "connect_unix", address)
    with pytest.raises(socket.timeout):
        server.accept()
    server.close()


def test_disk_use_is_bounded_inside_the_box(box):
    if "disk" in EXPECTED_MISSING:
        assert box.protections["disk"].startswith("missing")
        pytest.skip("without a box there is no total disk limit, and the report says so")
    with pytest.raises(StudentError, match="No space left|too large|Disk quota"):
        box.call("linear_svm", "fill_disk", 128)
    assert box.call("linear_svm", "environment_size").values  # the worker is still serving


def test_a_daemon_dies_with_its_grading(box):
    tag = f"lc{uuid.uuid4().hex[:10]}"
    try:
        box.call("linear_svm", "plant_daemon", tag, 60.0)
    except StudentError as error:  # without a box the worker may start no process at all
        assert "Resource temporarily unavailable" in error.message or "BlockingIOError" in error.message
        return
    assert processes_named(tag), "the daemon was never started, so this test proves nothing"
    box.close()
    deadline = time.monotonic() + 5
    while processes_named(tag) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not processes_named(tag)


def test_nothing_survives_a_grader_killed_with_sigkill(tmp_path):
    tag = f"lc{uuid.uuid4().hex[:10]}"
    script = tmp_path / "grader.py"
    script.write_text(f"""
import sys, time
sys.path.insert(0, {str(ROOT)!r})
from tests.test_sandbox_attacks import attacker
worker = attacker()
try:
    worker.call("linear_svm", "plant_daemon", {tag!r}, 60.0)
except Exception:
    pass
print(worker.box, flush=True)
time.sleep(3600)
""")
    grader = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    folder = Path(grader.stdout.readline().strip()).parent
    assert folder.name.startswith(FOLDER_PREFIX) and worker_processes(grader.pid)
    grader.kill()
    grader.wait()
    deadline = time.monotonic() + 5
    while (worker_processes(grader.pid) or processes_named(tag)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not worker_processes(grader.pid) and not processes_named(tag)
    if "box" not in EXPECTED_MISSING:
        assert not folder.exists(), "a killed grader left its folder on disk, though its box was up"
        return
    with attacker():  # a folder this young may still be taking its lock: it is left alone
        assert folder.exists()
    old = time.time() - 2 * STALE_AFTER
    os.utime(folder, (old, old))
    with attacker():  # the next grader removes what the killed one left
        assert not folder.exists()


def test_the_reference_is_never_on_disk_where_a_student_could_read_it():
    reference = ROOT / "solutions" / "linear_classifiers" / "classifiers" / "linear_svm.py"
    with Worker(LINEAR, {"linear_svm": reference.read_bytes()}, trusted=True) as worker:
        worker.call("linear_svm", "svm_loss_naive", np.zeros((3, 2)), np.ones((2, 3)), np.array([0, 1]), 0.0)
        on_disk = list(worker.folder.rglob("linear_svm.py")) if worker.folder else []
        if on_disk:  # only without a box, in a folder no student's user can enter
            box = worker.box.stat()
            assert box.st_uid == os.geteuid() == 0 and not box.st_mode & 0o077


KINDS_OF_GRADER = {  # (an ordinary account?, container-like?) -> protections that must be reported missing
    "ordinary account": ((True, False), set()),
    "root in a container": ((False, True), {"box", "disk", "landlock"}),
}


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or "LINCLASS_EXPECT_MISSING" in os.environ,
                    reason="needs root to create the account and the container-like grader")
@pytest.mark.parametrize("kind", KINDS_OF_GRADER)
def test_the_attacks_fail_for_every_kind_of_grader(kind):
    (ordinary, container), missing = KINDS_OF_GRADER[kind]
    account = ensure_account().pw_name if ordinary else None
    result = run_tests(ROOT, ["tests/test_sandbox_attacks.py", "-k", "not every_kind"], account, container,
                       {"LINCLASS_EXPECT_MISSING": ",".join(sorted(missing))},
                       private=[] if ordinary else [ROOT / "assignments", ROOT / "solutions"])
    assert result.returncode == 0 and passed(result) >= 8, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or "LINCLASS_EXPECT_MISSING" in os.environ,
                    reason="needs root to create the account and the container-like grader")
def test_an_ordinary_account_in_a_container_is_reported_unprotected():
    """No user namespace, no Landlock, the student's uid is the grader's: only honesty is left."""
    result = run_tests(ROOT, ["tests/test_sandbox_attacks.py", "-k", "every_protection"], ensure_account().pw_name,
                       True, {"LINCLASS_EXPECT_MISSING": "box,disk,hidden files unreadable,landlock"})
    assert result.returncode == 0 and passed(result) == 1, result.stdout[-4000:] + result.stderr[-2000:]


def alive(pid: int) -> bool:
    """Running, stopped or sleeping: anything but gone or a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def children_of(pid: int) -> list:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            pass
    return found


def test_a_busy_worker_dies_with_its_grader_killed_with_sigkill(tmp_path):
    """The worker is in the middle of a call, so only the kernel can end it (no end of its pipe to read):
    as root without a box too, where changing to nobody clears the parent-death signal unless it is set again."""
    script = tmp_path / "grader.py"
    script.write_text(f"""
import sys, threading, time
sys.path.insert(0, {str(ROOT)!r})
from tests.test_sandbox_attacks import attacker
worker = attacker()
threading.Thread(target=lambda: worker.call("linear_svm", "spin", 120.0, timeout=300), daemon=True).start()
print("calling", flush=True)
time.sleep(3600)
""")
    grader = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert grader.stdout.readline().strip() == "calling"
    time.sleep(1.0)  # well inside the spin
    assert worker_processes(grader.pid), "the grader has no worker, so this test proves nothing"
    grader.kill()
    grader.wait()
    deadline = time.monotonic() + 5
    while worker_processes(grader.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not worker_processes(grader.pid), "a worker outlived its grader"


@pytest.mark.slow
def test_nothing_survives_grade_all_killed_with_sigkill(tmp_path):
    from assignments.linear_classifiers.tests.fixtures.hostile import HOSTILE
    from assignments.linear_classifiers.tests.fixtures.submissions import build
    hanging = next(fixture for fixture in HOSTILE if fixture.name == "infinite_loop")
    for student in ("alice", "bob"):
        build(hanging, tmp_path / "class" / student)
    folders_before = set(Path(tempfile.gettempdir()).glob(FOLDER_PREFIX + "*"))
    grade_all = subprocess.Popen([sys.executable, "-m", "autograder", "grade-all", str(tmp_path / "class"),
                                  "--out", str(tmp_path / "grades"), "--jobs", "2"],
                                 cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        graders = children_of(grade_all.pid)
        workers = [pid for grader in graders for pid in worker_processes(grader)]
        if len(workers) >= 2:
            break
        time.sleep(0.1)
    assert workers, "grade-all never started its workers, so this test proves nothing"
    grade_all.kill()
    grade_all.wait()
    deadline = time.monotonic() + 5
    while any(worker_processes(grader) for grader in graders) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [grader for grader in graders if alive(grader)]
    assert not any(worker_processes(grader) for grader in graders)
    left = set(Path(tempfile.gettempdir()).glob(FOLDER_PREFIX + "*")) - folders_before
    if "box" not in EXPECTED_MISSING:  # at most the empty folder of a worker killed while it started
        assert not [path for folder in left for path in folder.rglob("*.py")], "graded files left on disk"
    old = time.time() - 2 * STALE_AFTER
    for folder in left:  # what a killed grader leaves is for the next run to remove
        os.utime(folder, (old, old))
    remove_stale_folders()
    assert not [folder for folder in left if folder.exists()]


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or "LINCLASS_EXPECT_MISSING" in os.environ,
                    reason="needs root to make the container-like grader")
def test_strict_refuses_to_grade_without_the_full_set(tmp_path):
    results = tmp_path / "results.json"
    tmp_path.chmod(0o755)
    command = [sys.executable, "-m", "autograder", "grade", "solutions/linear_classifiers", "--strict",
               "--out", str(results)]
    refused = run_as(command, ROOT, None, True, {}, private=[ROOT / "assignments", ROOT / "solutions"])
    assert refused.returncode == 3 and "refusing to run student code without box" in refused.stderr, refused.stderr
    assert json.loads(results.read_text())["score"] == 0
    graded = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert graded.returncode == 0 and "Total: 100 / 100" in graded.stdout, graded.stdout + graded.stderr


def test_the_key_the_problems_are_drawn_with_is_unreadable():
    from autograder.pipeline.secret import grading_key, key_file
    grading_key()  # made on first use
    with attacker() as box:
        assert box.protections["hidden files unreadable"] == "verified"
        with pytest.raises(StudentError, match="Error"):
            box.call("linear_svm", "read", str(key_file()))
