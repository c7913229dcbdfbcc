"""The sandbox contains what student code does, and reports its protections honestly."""
import io
import os
import socket
import struct
import threading
import time

import numpy as np
import pytest

from autograder.pipeline.grade import protected_files
from autograder.sandbox import protocol
from autograder.sandbox.process import Limits, NotNumeric, Stored, StudentError, Worker, missing_protections
from tests.conftest import LINEAR, ROOT

PROBES = '''
import os, socket, time
import numpy as np

def read(path):
    with open(path) as stream:
        return float(len(stream.read()))

def write(path):
    with open(path, "w") as stream:
        stream.write("x")
    return 1.0

def connect(port):
    connection = socket.create_connection(("127.0.0.1", int(port)), timeout=2)
    connection.close()
    return 1.0

def sleep(seconds):
    time.sleep(seconds)
    return 1.0

def add(a, b):
    return a + b

def an_object():
    return object()

def environment():
    return float(len([key for key in os.environ if "SECRET" in key]))

def spin(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass

def busy(seconds, where):
    """Spend CPU here, in a thread that ends before the call returns, or in a child that is reaped."""
    if where == "thread":
        import threading
        thread = threading.Thread(target=spin, args=(seconds,))
        thread.start()
        thread.join()
    elif where == "child":
        child = os.fork()
        if child == 0:
            spin(seconds)
            os._exit(0)
        os.waitpid(child, 0)
    else:
        spin(seconds)
    return 1.0
'''


@pytest.fixture
def worker(monkeypatch):
    monkeypatch.setenv("LINCLASS_TEST_SECRET", "do not leak")
    with Worker(LINEAR, {"linear_svm": PROBES.encode()}, Limits(call_timeout=3.0), protected_files()) as probe:
        probe.call("linear_svm", "add", 1.0, 2.0)
        yield probe


@pytest.mark.parametrize("where", ["here", "thread", "child"])
def test_cpu_time_counts_work_hidden_in_threads_and_children(worker, where):
    """The speed check's clock: what a call made the box compute, wherever in the box it ran."""
    if where != "here" and "box" in missing_protections(worker.protections):
        pytest.skip("outside a box the worker may start no thread or process at all")
    before = worker.cpu_sample()
    worker.call("linear_svm", "busy", 0.3, where)
    seconds = before.seconds_until(worker.cpu_sample())
    assert seconds is not None, "this kernel keeps no per-thread CPU counts"
    assert 0.28 <= seconds <= 0.6, seconds


def test_generated_arrays_are_the_graders_bit_for_bit_and_outlive_a_restart(worker):
    spec = {"name": "big", "seed": 12345, "shape": [300, 7], "kind": "normal"}
    worker.generate(spec)
    expected = protocol.generate(spec)
    assert worker.call("linear_svm", "add", Stored("big"), 0.0).values[0].tobytes() == expected.tobytes()
    with pytest.raises(StudentError, match="did not finish"):
        worker.call("linear_svm", "sleep", 10.0, timeout=0.5)
    again = worker.call("linear_svm", "add", Stored("big"), 1.0).values[0]  # a new worker, the same data
    assert np.array_equal(again, expected + 1.0)
    worker.generate(dict(spec, seed=6))  # a new array under the same name replaces the old one
    assert list(worker.generated) == ["big"] and not np.array_equal(
        worker.call("linear_svm", "add", Stored("big"), 0.0).values[0], expected)


def test_hidden_suite_and_solutions_are_unreadable(worker):
    for secret in (ROOT / "assignments" / "linear_classifiers" / "rubric" / "test_losses.py",
                   ROOT / "solutions" / "linear_classifiers" / "classifiers" / "softmax.py"):
        with pytest.raises(StudentError) as error:
            worker.call("linear_svm", "read", str(secret))
        assert "PermissionError" in error.value.message or "FileNotFoundError" in error.value.message


def test_writes_outside_the_sandbox_are_denied(worker, tmp_path):
    with pytest.raises(StudentError, match="PermissionError|FileNotFoundError|Read-only"):
        worker.call("linear_svm", "write", str(tmp_path / "escaped"))
    assert not (tmp_path / "escaped").exists()


def test_no_network_even_to_loopback(worker):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(3)
    accepted = []
    thread = threading.Thread(target=lambda: _accept(server, accepted))
    thread.start()
    with pytest.raises(StudentError):
        worker.call("linear_svm", "connect", server.getsockname()[1])
    thread.join()
    server.close()
    assert not accepted


def _accept(server, accepted):
    try:
        accepted.append(server.accept())
    except OSError:
        pass


def test_environment_is_scrubbed(worker):
    assert worker.call("linear_svm", "environment").values[0] == 0


def test_a_hung_call_times_out_and_the_next_call_works(worker):
    start = time.monotonic()
    with pytest.raises(StudentError) as error:
        worker.call("linear_svm", "sleep", 60.0)
    assert error.value.kind == "timeout" and time.monotonic() - start < 10
    assert worker.call("linear_svm", "add", 2.0, 3.0).values[0] == 5.0
    with pytest.raises(StudentError, match="did not finish"):  # sticky: not waited for again
        worker.call("linear_svm", "sleep", 0.0)


def test_non_numeric_outputs_are_only_named(worker):
    assert isinstance(worker.call("linear_svm", "an_object").values[0], NotNumeric)


def test_a_pickled_object_array_is_never_loaded():
    buffer = io.BytesIO()
    np.save(buffer, np.array([object()], dtype=object), allow_pickle=True)
    blob = buffer.getvalue()
    header = b'{"ok": true, "results": [{"array": 0}], "npy": [%d]}' % len(blob)
    with pytest.raises(protocol.ProtocolError):
        protocol.decode(struct.pack(">I", len(header)) + header + blob)


def test_oversized_replies_are_refused():
    read_end, write_end = os.pipe()
    os.write(write_end, struct.pack(">Q", protocol.MAX_REPLY_BYTES + 1))
    with pytest.raises(protocol.ProtocolError, match="exceeds"):
        protocol.read_message(read_end, protocol.MAX_REPLY_BYTES, time.monotonic() + 1)
