"""The grading secret every rubric draws its problems with.

It is an HMAC of the submission under a key only the grader holds
(`os.urandom` on first use, kept in ~/.config/linclass-kit/grading-key, or
LINCLASS_GRADING_KEY): nobody can know the data before submitting, so no answer
can be precomputed, while grading the same submission again poses the same
problems (same feedback, reproducible regrades).
"""
import hashlib
import hmac
import json
import os
import tempfile
from pathlib import Path

KEY_VARIABLE = "LINCLASS_GRADING_KEY"


def key_file() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "linclass-kit" / "grading-key"


def grading_key() -> bytes:
    """The grader's key: from the environment, else its key file (made once, atomically), else a fresh one."""
    if os.environ.get(KEY_VARIABLE):
        return os.environ[KEY_VARIABLE].encode()
    path = key_file()
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError:
        return os.urandom(32)
    try:  # written aside, then linked into place: concurrent graders all read one complete key
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(handle, "wb") as stream:
            stream.write(os.urandom(32).hex().encode())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
        return path.read_bytes()
    except OSError:
        return os.urandom(32)


def grading_secret(sources: dict, answers: dict) -> int:
    """64 bits the submission cannot predict: an HMAC of its graded sources and answers under the grader's key."""
    digest = json.dumps([sorted(sources.items()), sorted(answers.items())]).encode()
    return int.from_bytes(hmac.new(grading_key(), digest, hashlib.sha256).digest()[:8], "big")
