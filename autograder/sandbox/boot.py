"""Entry point of a worker: confine this process, lay out its files, then serve (worker.py).

Started by process.py as `python -I -B boot.py GRADER_PID CONFIG_FD`. The
configuration (JSON) arrives on CONFIG_FD, naming the program to serve (a module
beside this one with `run(config, folder, protections)`: worker.py for graded
calls); nothing but the standard library is
imported before the box is entered, because namespaces need a single thread.
Order: die with the grader; enter the box (confine.enter_box) or, where the
kernel or container refuses, stay put in a private folder; write the files;
import numpy and the server; drop privileges, rlimits, Landlock, seccomp; prove
the protected files unreadable; only then import student code.
"""
import base64
import importlib
import json
import os
import sys

KIT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, KIT)
import confine  # noqa: E402


def read_config(descriptor: int) -> dict:
    chunks = []
    while True:
        chunk = os.read(descriptor, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(descriptor)
    return json.loads(b"".join(chunks))


def enter_box(config: dict) -> tuple:
    """(the folder student files go to, what the box is): the box's /box, or the grader's folder."""
    owner = tuple(config["owner"])
    try:
        description = confine.enter_box(config["readable"], config["masked"], config["box_bytes"], owner)
        return confine.BOX, description
    except confine.Refused as error:
        return config["fallback_folder"], f"missing: {error}"


def write_files(folder: str, files: dict) -> None:
    for relative, encoded in files.items():
        path = os.path.join(folder, relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as stream:
            stream.write(base64.b64decode(encoded))


def reachable_by_others(path: str) -> bool:
    """True when every folder on the way to path can be searched by any user."""
    path = os.path.realpath(path)
    if not os.path.isdir(path):
        path = os.path.dirname(path)
    while True:
        if not os.stat(path).st_mode & 0o001:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


def unprivileged_user(config: dict, boxed: bool):
    """The (uid, gid) root becomes, or None when it must stay (its interpreter would be unreachable)."""
    if config["trusted"] and not boxed:
        return None  # the reference keeps the grader's user, so its files stay the grader's alone
    if not boxed and not all(reachable_by_others(path) for path in config["readable"] if os.path.exists(path)):
        return None
    return tuple(config["owner"])


def main() -> None:
    confine.die_with_parent(int(sys.argv[1]))
    config = read_config(int(sys.argv[2]))
    folder, box = enter_box(config)
    os.chdir(folder)
    write_files(folder, config["files"])
    os.environ.update(HOME=folder, TMPDIR=os.path.join(folder, "tmp"))
    os.makedirs(os.environ["TMPDIR"], exist_ok=True)
    program = importlib.import_module(config["program"])  # the server, numpy with it: after the box, before the locks
    boxed = not box.startswith("missing")
    protections = {"box": box, "disk": f"{config['box_bytes'] // 2**20} MiB writable" if boxed else
                   f"missing: no total limit outside the box ({config['rlimits']['RLIMIT_FSIZE'] // 2**20} MiB "
                   "per file)"}
    user = unprivileged_user(config, boxed)
    if user and os.getuid() == 0:
        os.chown(os.environ["TMPDIR"], *user)  # the student's scratch space is the student's
    protections["user"] = confine.drop_privileges(user)
    rlimits = dict(config["rlimits"], RLIMIT_NPROC=config["processes"] if boxed else 1)
    protections["rlimits"] = confine.limit_resources(rlimits)
    threads = len(os.listdir("/proc/self/task")) if os.path.isdir("/proc/self/task") else 1
    if threads > 1:  # Landlock and seccomp would bind only this thread
        protections["landlock"] = protections["seccomp"] = f"missing: the worker has {threads} threads"
    else:
        protections["landlock"] = confine.restrict_filesystem(config["readable"] + [KIT], [folder],
                                                              [f"/dev/{name}" for name in confine.DEVICES])
        protections["seccomp"] = confine.install_seccomp()
    program.run(config, folder, protections)


if __name__ == "__main__":
    main()
