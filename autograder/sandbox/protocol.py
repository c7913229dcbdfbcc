"""The wire format between the grader and a worker; the one place it is defined.

A message is an 8-byte big-endian length, then a 4-byte header length, a UTF-8
JSON header, and the `.npy` encodings of the message's arrays back to back
(their byte sizes are listed in the header under "npy"). Arrays are read with
allow_pickle=False, so a reply can carry numbers and nothing executable.

Requests (grader -> worker) have an "op"; values inside "args" are
{"array": i} (the i-th array), {"stored": name} (an array sent earlier with the
"store" op) or {"json": value}. Replies have "ok"; when true, "results" lists
values in the same form (worker outputs are arrays, or {"json": {"type": name}}
for an object that is not numeric); when false, "error" is one of ERROR_KINDS
and "message" says what happened. A "call" request with "echo": true gets a
reply that also has "echo": the call's array arguments ({"array": i} slots) as
they were after the call, in argument order, so the grader itself can tell
whether the function changed them (asked only where that is checked: it doubles
the traffic).

A "generate" request makes arrays in the worker instead of sending them: for
each of its "arrays" ({"name", "seed", "shape", "kind": "normal" or "integers",
"high"}), generate(spec) draws the same array on both sides, so the grader
knows every value without the bytes crossing the pipe; the worker keeps them
by name, as "store" does.

Callbacks: while an operation runs, the worker may send a message with
"callback" (a name, e.g. "loss") and "results" (its values, in the reply form)
instead of the reply. The grader answers with a request whose "op" is
"callback_reply" and whose "results" hold the answer's values, then waits
again; the operation's own reply comes last. A callback the grader rejects ends
the worker. The grader computes every callback answer itself, so values it
hands out (a loss and its gradient) are values it can later check for.

This file is copied into every sandbox, so it imports nothing of the kit.
"""
import io
import json
import os
import select
import struct
import time

import numpy as np

ERROR_KINDS = ("exception", "not_implemented", "import", "missing", "timeout", "crash",
               "memory", "bad_output", "protocol")
MAX_REQUEST_BYTES = 512 * 2**20
MAX_REPLY_BYTES = 64 * 2**20


def generate(spec: dict) -> np.ndarray:
    """The array a "generate" request names: standard normal floats or integers in [0, high), from its seed."""
    rng = np.random.default_rng(int(spec["seed"]))
    shape = tuple(int(size) for size in spec["shape"])
    if spec["kind"] == "integers":
        return rng.integers(int(spec["high"]), size=shape)
    return rng.standard_normal(shape)


class ProtocolError(Exception):
    """A message was malformed, too large, or did not arrive in time."""


def encode(header: dict, arrays=()) -> bytes:
    """Serialise a header and arrays into one framed message."""
    blobs = []
    for array in arrays:
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
        blobs.append(buffer.getvalue())
    header = dict(header, npy=[len(blob) for blob in blobs])
    header_bytes = json.dumps(header).encode()
    body = struct.pack(">I", len(header_bytes)) + header_bytes + b"".join(blobs)
    return struct.pack(">Q", len(body)) + body


def decode(body: bytes):
    """Parse a message body into (header, arrays); raise ProtocolError on anything malformed."""
    try:
        (header_length,) = struct.unpack(">I", body[:4])
        header = json.loads(body[4:4 + header_length].decode())
        arrays, offset = [], 4 + header_length
        for size in header.pop("npy"):
            blob = body[offset:offset + size]
            if len(blob) != size:
                raise ProtocolError("truncated array")
            array = np.lib.format.read_array(io.BytesIO(blob), allow_pickle=False)
            arrays.append(array)
            offset += size
    except ProtocolError:
        raise
    except Exception as error:
        raise ProtocolError(f"malformed message ({type(error).__name__})") from None
    if not isinstance(header, dict):
        raise ProtocolError("malformed message (header is not an object)")
    return header, arrays


def write_message(fd: int, header: dict, arrays=()) -> None:
    """Send one message on a file descriptor."""
    data = memoryview(encode(header, arrays))
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _read_exactly(fd: int, size: int, deadline) -> bytes:
    chunks, remaining = [], size
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int, limit: int, deadline=None):
    """Receive one message; EOFError if the peer is gone, TimeoutError past the deadline (monotonic)."""
    (length,) = struct.unpack(">Q", _read_exactly(fd, 8, deadline))
    if length > limit:
        raise ProtocolError(f"message of {length} bytes exceeds the {limit}-byte limit")
    return decode(_read_exactly(fd, length, deadline))
