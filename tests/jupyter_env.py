"""Jupyter's folders for the tests that run Jupyter tools (nbgrader, a kernel, a Jupyter server).

Jupyter writes into the account's home (nbgrader's cache of fetched and submitted
assignments, kernel connection files, IPython's history and profile): a test
gives these variables to every such process, so nothing outside its own folder
is read or written.
"""
from pathlib import Path


def jupyter_home(home: Path) -> dict:
    """Environment variables that keep Jupyter's configuration, data and runtime files inside home."""
    return {"HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython")}
