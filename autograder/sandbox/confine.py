"""Confine the worker before any student code runs: the box, then the locks on the process inside it.

Runs in the worker process (stdlib only, no numpy: namespaces need a single thread).
Two layers, each applied as far as the kernel and container allow, each reported:

1. The box (`enter_box`): new PID, mount, network, IPC and UTS namespaces (plus a
   user namespace when the grader is not root). The worker becomes process 2 of
   its own PID namespace under a small init (process 1) that dies with the grader
   (PR_SET_PDEATHSIG), which tears the namespace down with everything in it. Its
   root is a fresh tmpfs holding read-only binds of the interpreter and system
   libraries only, a private /proc, a few /dev nodes and a size-limited writable
   /box; the hidden suite and the reference are not in it (masked if they sit
   inside a bound folder).
2. The locks (`lock_down`): an unprivileged user (root drops to `nobody`; in a
   user namespace every capability is dropped), no_new_privs, rlimits, Landlock
   (files, TCP, signals and abstract unix sockets scoped to the box), and a
   seccomp filter denying signals to other processes, ptrace, sockets, namespace
   and mount calls. These also work where containers forbid namespaces.
"""
import ctypes
import errno
import os
import platform
import resource
import select
import struct

libc = ctypes.CDLL(None, use_errno=True)

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP = 0x10000000, 0x20000000, 0x40000000, 0x02000000
NAMESPACE_FLAGS = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET \
    | CLONE_NEWCGROUP
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND, MS_REC, MS_PRIVATE, MS_RELATIME = \
    32, 1024, 2048, 4096, 16384, 1 << 18, 1 << 21
LOCKED_MOUNT_FLAGS = {os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC,
                      os.ST_NOATIME: MS_NOATIME, os.ST_NODIRATIME: MS_NODIRATIME, os.ST_RELATIME: MS_RELATIME}
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_SECCOMP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 22, 38
DEVICES = ("null", "zero", "full", "random", "urandom")
MERGED_USR_LINKS = ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
BOX = "/box"
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}.get(platform.machine(), -1)


class Refused(Exception):
    """A confinement step the kernel or container did not allow."""


def _check(result: int, what: str) -> int:
    if result < 0:
        raise Refused(f"{what}: {os.strerror(ctypes.get_errno())}")
    return result


def _mount(source, target, fstype, flags, data=None) -> None:
    encode = lambda text: text.encode() if text is not None else None  # noqa: E731
    _check(libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)),
           f"mount {target}")


def die_with_parent(expected_parent: int) -> None:
    """Be killed when the parent dies; exit now if it already has."""
    libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)
    if os.getppid() != expected_parent:
        os._exit(70)


# ---------------------------------------------------------------------------- the box

def enter_box(readable: list, masked: list, box_bytes: int, owner: tuple) -> str:
    """Move this process into a fresh box and return its description, or raise Refused.

    On success this returns in a new process, pid 2 of the box's PID namespace,
    whose root holds only `readable` (read-only, with `masked` paths hidden) and
    a writable BOX of `box_bytes` belonging to `owner` (uid, gid); the calling
    process stays outside, waits, and exits as the box does. On Refused the
    caller is still the only process, possibly in some new namespaces, and goes
    on without a box.
    """
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    _check(libc.unshare(flags | (CLONE_NEWUSER if uid else 0)), "unshare")
    if uid:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
        owner = (uid, gid)
    status_read, status_write = os.pipe()
    alive_read, alive_write = os.pipe()  # EOF on it tells the box that this process is gone
    init = os.fork()
    if init:
        os.close(status_write)
        os.close(alive_read)
        answer = os.read(status_read, 4096).decode(errors="replace")
        if answer == "ok":
            _close_all_but({status_read, alive_write})
            _leave_with(_wait_for(init))
        os.waitpid(init, 0)
        os.close(status_read)
        os.close(alive_write)
        raise Refused(answer or "the box's first process died while it was being built")
    os.close(status_read)
    os.close(alive_write)
    libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)
    if select.select([alive_read], [], [], 0)[0]:
        os._exit(70)
    try:
        _build_root(readable, masked, box_bytes, owner)
    except (Refused, OSError) as error:
        os.write(status_write, str(error).encode())
        os._exit(71)
    worker = os.fork()
    if worker:
        _be_init(worker, status_write, alive_read)
    die_with_parent(1)
    os.close(status_write)
    os.close(alive_read)
    return "own PID, mount, network and IPC namespaces" + (" (user namespace)" if uid else "")


def _be_init(worker: int, status_write: int, alive_read: int) -> None:
    """Process 1 of the box: reap orphans until the worker ends, then end the box (and all in it)."""
    import signal
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_DFL)  # an init ignores default-handled signals from inside
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    os.write(status_write, b"ok")
    _close_all_but({alive_read})
    status = _wait_for(worker)
    os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))


def _write(path: str, text: str) -> None:
    try:
        with open(path, "w") as stream:
            stream.write(text)
    except OSError as error:
        raise Refused(f"{path}: {error.strerror}") from None


def _wait_for(child: int) -> int:
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue
        if pid == child:
            return status


def _leave_with(status: int) -> None:
    """Exit as the box did: by the same signal (raised again here) or with the same code."""
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
    if code > 128:
        import signal
        try:
            signal.signal(code - 128, signal.SIG_DFL)
            os.kill(os.getpid(), code - 128)
        except (OSError, ValueError):
            pass
    os._exit(code)


def _close_all_but(keep: set) -> None:
    low = 3
    for descriptor in sorted(keep):
        os.closerange(low, descriptor)
        low = descriptor + 1
    os.closerange(low, 1 << 16)


def _build_root(readable: list, masked: list, box_bytes: int, owner: tuple) -> None:
    """Lay out the box's root on a tmpfs and pivot into it (see the module docstring)."""
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    bound = []  # what gets bound: each readable path not already inside another
    for path in sorted(readable, key=len):
        if os.path.exists(path) and not any(path.startswith(folder + "/") for folder in bound):
            bound.append(path)
    sources = {path: os.open(path, os.O_PATH | os.O_CLOEXEC)  # opened before /tmp is covered
               for path in bound + [f"/dev/{name}" for name in DEVICES] if os.path.exists(path)}
    new_root = "/tmp"
    _mount("tmpfs", new_root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,nr_inodes=4096,mode=0755")
    for link in MERGED_USR_LINKS:
        if os.path.islink(link):
            os.symlink(os.readlink(link), new_root + link)
    for path, descriptor in sources.items():
        target = new_root + path
        if os.path.isdir(f"/proc/self/fd/{descriptor}"):
            os.makedirs(target, 0o755, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), 0o755, exist_ok=True)
            open(target, "a").close()
        _mount(f"/proc/self/fd/{descriptor}", target, None, MS_BIND | MS_REC)
        if not path.startswith("/dev/"):
            _remount_read_only(target)
    for path in masked:
        target = new_root + path
        if os.path.isdir(target):
            _mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
        elif os.path.exists(target):
            _mount(f"/proc/self/fd/{sources['/dev/null']}", target, None, MS_BIND)
    os.makedirs(new_root + "/proc", 0o755)
    os.makedirs(new_root + BOX, 0o755)
    if not os.path.lexists(new_root + "/tmp"):
        os.symlink(BOX + "/tmp", new_root + "/tmp")
    _mount("tmpfs", new_root + BOX, "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={box_bytes},nr_inodes=8192,mode=0700,uid={owner[0]},gid={owner[1]}")
    for descriptor in sources.values():
        os.close(descriptor)
    os.chdir(new_root)
    _check(libc.syscall(_PIVOT_ROOT, b".", b"."), "pivot_root")
    _check(libc.umount2(b".", MNT_DETACH), "unmount the old root")
    os.chdir("/")
    _mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    try:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except Refused:
        pass  # nothing needs /proc; without it there is only less to see


def _remount_read_only(target: str) -> None:
    """Make a bind mount read-only, keeping the flags a user namespace is not allowed to drop."""
    existing = os.statvfs(target).f_flag
    flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV
    flags |= sum(flag for bit, flag in LOCKED_MOUNT_FLAGS.items() if existing & bit)
    _mount(None, target, None, flags)


# ---------------------------------------------------------------------------- the locks

def drop_privileges(user: tuple) -> str:
    """No capabilities, no way back: root becomes `user` (uid, gid); anyone else keeps their uid.

    Changing the user clears the kernel's parent-death signal, so it is set again
    here: without a box, that signal is what ends a worker whose grader is killed.
    """
    for capability in range(64):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)
    if os.getuid() == 0 and user is not None:
        parent = os.getppid()
        os.setgroups([])
        os.setgid(user[1])
        os.setuid(user[0])
        die_with_parent(parent)
    header = struct.pack("Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = ctypes.create_string_buffer(24)  # effective, permitted, inheritable: all empty
    _check(libc.capset(header, data), "capset")
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    if os.getuid() == 0:
        return "missing: the worker still runs as root (its interpreter is not readable by an unprivileged user)"
    return f"uid {os.getuid()}, no capabilities"


def limit_resources(limits: dict) -> str:
    for name, value in limits.items():
        resource.setrlimit(getattr(resource, name), (value, value))
    return "active"


LANDLOCK_CREATE_RULESET, LANDLOCK_ADD_RULE, LANDLOCK_RESTRICT_SELF = 444, 445, 446
FS_READ = 1 | 4 | 8                    # execute, read file, read directory
FILE_ONLY_RIGHTS = 1 | 2 | 4 | (1 << 14) | (1 << 15)
FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
NO_DEVICE_NODES = ~((1 << 6) | (1 << 11))  # the box may not make character or block devices


def restrict_filesystem(readable: list, writable: list, devices: list) -> str:
    """Landlock: read-only `readable`, full `writable`, no TCP, signals and abstract sockets kept in."""
    abi = libc.syscall(LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    if abi < 1:
        return f"missing: Landlock is not available ({os.strerror(ctypes.get_errno())})"
    handled = FS_RIGHTS_BY_ABI[max(level for level in FS_RIGHTS_BY_ABI if level <= abi)]
    attributes = struct.pack("QQQ", handled, 3 if abi >= 4 else 0, 3 if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    ruleset = libc.syscall(LANDLOCK_CREATE_RULESET, attributes, ctypes.c_size_t(size), ctypes.c_uint32(0))
    if ruleset < 0:
        return f"missing: landlock_create_ruleset failed ({os.strerror(ctypes.get_errno())})"
    try:
        for paths, rights in ((readable, FS_READ), (writable, handled & NO_DEVICE_NODES),
                              (devices, 2 | 4)):
            for path in paths:
                _allow(ruleset, path, rights & handled)
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        _check(libc.syscall(LANDLOCK_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)), "landlock_restrict_self")
    except Refused as error:
        return f"missing: {error}"
    finally:
        os.close(ruleset)
    scopes = ", signals and abstract sockets scoped" if abi >= 6 else ""
    return f"active (ABI {abi}{', no TCP' if abi >= 4 else ''}{scopes})"


def _allow(ruleset: int, path: str, rights: int) -> None:
    try:
        descriptor = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not os.path.isdir(path):
            rights &= FILE_ONLY_RIGHTS
        rule = struct.pack("=Qi", rights, descriptor)
        _check(libc.syscall(LANDLOCK_ADD_RULE, ruleset, 1, rule, 0), f"landlock rule for {path}")
    finally:
        os.close(descriptor)


# seccomp: syscall numbers by architecture, and the audit architecture each filter insists on.
SYSCALLS = {
    "x86_64": dict(arch=0xC000003E, kill=62, tkill=200, tgkill=234, rt_sigqueueinfo=129,
                   rt_tgsigqueueinfo=297, clone=56, denied=(
                       101, 310, 311, 41,            # ptrace, process_vm_readv/writev, socket
                       424, 434, 438, 312,           # pidfd_send_signal, pidfd_open, pidfd_getfd, kcmp
                       272, 308, 165, 166, 155, 161,  # unshare, setns, mount, umount2, pivot_root, chroot
                       248, 249, 250, 321, 298, 323,  # keys, bpf, perf_event_open, userfaultfd
                       425, 426, 427, 428, 429, 430, 431, 432, 442,  # io_uring, new mount API
                       300, 303, 304, 135)),         # fanotify_init, file handles, personality
    "aarch64": dict(arch=0xC00000B7, kill=129, tkill=130, tgkill=131, rt_sigqueueinfo=138,
                    rt_tgsigqueueinfo=240, clone=220, denied=(
                        117, 270, 271, 198,
                        424, 434, 438, 272,
                        97, 268, 40, 39, 41, 51,
                        217, 218, 219, 280, 241, 282,
                        425, 426, 427, 428, 429, 430, 431, 432, 442,
                        262, 264, 265, 92)),
}
CLONE3 = 435
SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_ERRNO, SECCOMP_RET_ALLOW = 0x80000000, 0x00050000, 0x7FFF0000
LD_W_ABS, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06


def install_seccomp() -> str:
    """Deny what a loss function never needs and a hostile one would use; errors, not kills."""
    table = SYSCALLS.get(platform.machine())
    if table is None:
        return f"missing: no filter for the {platform.machine()} architecture"
    own_pid = os.getpid()
    deny = SECCOMP_RET_ERRNO | errno.EPERM
    program = [(LD_W_ABS, 0, 0, 4), (JEQ, 1, 0, table["arch"]), (RET, 0, 0, SECCOMP_RET_KILL_PROCESS),
               (LD_W_ABS, 0, 0, 0), (JGE, 0, 1, 0x40000000), (RET, 0, 0, deny),
               (JEQ, 0, 1, CLONE3), (RET, 0, 0, SECCOMP_RET_ERRNO | errno.ENOSYS)]
    for number in table["denied"]:
        program += [(JEQ, 0, 1, number), (RET, 0, 0, deny)]
    for name in ("kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"):  # only to itself
        program += [(JEQ, 0, 4, table[name]), (LD_W_ABS, 0, 0, 16), (JEQ, 0, 1, own_pid),
                    (RET, 0, 0, SECCOMP_RET_ALLOW), (RET, 0, 0, deny)]
    program += [(JEQ, 0, 3, table["clone"]), (LD_W_ABS, 0, 0, 16),  # no new namespaces
                (JSET, 0, 1, NAMESPACE_FLAGS), (RET, 0, 0, deny), (RET, 0, 0, SECCOMP_RET_ALLOW)]
    filters = b"".join(struct.pack("HBBI", *instruction) for instruction in program)
    buffer = ctypes.create_string_buffer(filters)
    fprog = struct.pack("HL", len(program), ctypes.addressof(buffer))
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    if libc.prctl(PR_SET_SECCOMP, 2, ctypes.c_char_p(fprog), 0, 0) != 0:
        return f"missing: seccomp refused ({os.strerror(ctypes.get_errno())})"
    return "active (no signals to other processes, ptrace, sockets, namespaces or mounts)"


