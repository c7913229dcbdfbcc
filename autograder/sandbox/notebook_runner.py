"""The untrusted side of notebook execution: run a student's notebook cells, in a box, for display only.

boot.py confines this process and then calls `run` (the Worker's `program` is
"notebook_runner"). The grader sends one request per code cell ({"op": "cell",
"source": ...}) and gets its outputs back: streams, errors and rich results
(text/plain and PNG images only; a PNG travels as a uint8 array). Cells run in
one IPython InteractiveShell (so `%matplotlib inline`, `%autoreload` and the
last expression's value behave as in Jupyter) inside this process: a Jupyter
kernel needs sockets, which the box's seccomp filter denies.

Sizes are capped here, but once a cell has run this process is the student's:
the grader checks and caps everything again and believes nothing else
(autograder/nbgrader/execute.py). Nothing here ever feeds a grade.
"""
import base64
import io
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy as np  # noqa: E402

import protocol  # noqa: E402
from worker import probe_forbidden  # noqa: E402

MAX_TEXT_CHARACTERS = 64 * 1024     # per cell, all streams together
MAX_PNG_BYTES = 2 * 2**20           # per image
MAX_OUTPUTS = 64                    # per cell
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class CellOutputs:
    """What one cell produced, in nbformat's order: streams merged, text capped, images kept as bytes."""

    def __init__(self):
        self.outputs, self.images, self.characters = [], [], 0

    def stream(self, name: str, text: str) -> None:
        room = MAX_TEXT_CHARACTERS - self.characters
        if room <= 0 or not text:
            return
        text = text[:room]
        self.characters += len(text)
        last = self.outputs[-1] if self.outputs else None
        if last and last["type"] == "stream" and last["name"] == name:
            last["text"] += text
        elif len(self.outputs) < MAX_OUTPUTS:
            self.outputs.append({"type": "stream", "name": name, "text": text})

    def rich(self, kind: str, data: dict) -> None:
        if len(self.outputs) >= MAX_OUTPUTS:
            return
        kept = {}
        text = data.get("text/plain")
        if isinstance(text, str):
            kept["text/plain"] = text[:MAX_TEXT_CHARACTERS]
        png = data.get("image/png")
        if isinstance(png, str):
            try:
                png = base64.b64decode(png)
            except ValueError:
                png = None
        if isinstance(png, bytes) and png.startswith(PNG_SIGNATURE) and len(png) <= MAX_PNG_BYTES:
            kept["image/png"] = {"array": len(self.images)}
            self.images.append(png)
        if kept:
            self.outputs.append({"type": kind, "data": kept})

    def error(self, name: str, value: str, traceback: list) -> None:
        self.outputs.append({"type": "error", "ename": str(name)[:200], "evalue": str(value)[:2000],
                             "traceback": [str(line)[:2000] for line in traceback[-40:]]})


class CapturedStream(io.TextIOBase):
    """sys.stdout / sys.stderr while a cell runs."""

    def __init__(self, name: str, sink):
        self.name, self.sink = name, sink

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        self.sink().stream(self.name, str(text))
        return len(text)


def make_shell(current):
    """An InteractiveShell whose display hooks, publisher and tracebacks write into current()."""
    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            current().rich("display_data", data)

        def clear_output(self, wait=False):
            current().outputs.clear()

    class Hook(DisplayHook):
        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            current().rich("execute_result", format_dict)

        def finish_displayhook(self):
            pass

    class Shell(InteractiveShell):
        def enable_gui(self, gui=None):
            pass  # `%matplotlib inline` needs no event loop

        def _showtraceback(self, etype, evalue, stb):
            current().error(getattr(etype, "__name__", "Error"), evalue, stb)

    config = Config()
    config.HistoryManager.enabled = False  # no sqlite file, no saving thread
    config.InteractiveShell.colors = "NoColor"
    config.InteractiveShell.xmode = "Plain"
    return Shell.instance(config=config, display_pub_class=Publisher, displayhook_class=Hook)


def run(config: dict, folder: str, protections: dict) -> None:
    """Prove the protected files unreadable, report, then run each requested cell in one shell."""
    leaked = probe_forbidden(config["forbidden"])
    protections["hidden files unreadable"] = "verified" if not leaked else f"NO: readable {leaked}"
    request_fd, reply_fd = config["fds"]
    protocol.write_message(reply_fd, {"ok": True, "protections": protections})
    # Agg until `%matplotlib inline`; no multiprocessing for joblib (scikit-learn), which the box cannot give.
    os.environ.update(MPLBACKEND="Agg", MPLCONFIGDIR=os.path.join(folder, ".matplotlib"), JOBLIB_MULTIPROCESSING="0")
    sys.path.insert(0, folder)  # as a kernel started in the notebook's folder
    state = {"cell": CellOutputs()}
    current = lambda: state["cell"]  # noqa: E731
    shell = None
    while True:
        try:
            header, _ = protocol.read_message(request_fd, protocol.MAX_REQUEST_BYTES)
        except EOFError:
            return
        state["cell"] = CellOutputs()
        streams = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = CapturedStream("stdout", current), CapturedStream("stderr", current)
        try:
            shell = shell or make_shell(current)
            shell.run_cell(str(header.get("source", "")), store_history=True)
        except BaseException as error:  # SystemExit and friends from the student's cell
            current().error(type(error).__name__, error, [f"{type(error).__name__}: {error}"])
        finally:
            sys.stdout, sys.stderr = streams
        cell = state["cell"]
        protocol.write_message(reply_fd, {"ok": True, "outputs": cell.outputs},
                               [np.frombuffer(image, dtype=np.uint8) for image in cell.images])
