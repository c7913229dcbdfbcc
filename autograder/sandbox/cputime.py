"""CPU time a worker and everything it started have used, read by the grader from /proc.

The speed check compares CPU time rather than wall time: on a loaded machine a
longer call is preempted more often than a short one, so wall-clock ratios rise
with the load, while the CPU a call uses barely moves. It is read in the trusted
process, from the kernel's accounting of the worker's process tree (the process
the grader started, the box's init, the worker and anything they started), so
nothing the student's code says about itself enters it.

Two counts: per live thread, `schedstat` (nanoseconds, precise); per process,
`stat`'s utime + stime + cutime + cstime (clock ticks, but including threads
that have ended and children that were reaped). A call that starts or ends
threads or processes, or whose coarse count exceeds the precise one beyond
rounding, is measured with the larger of the two, so work hidden in a thread
that is gone before the call returns is still counted. Where the kernel keeps no
per-thread count (no schedstat), there is no CPU time and the caller falls back
to wall time.
"""
import os
from dataclasses import dataclass
from typing import FrozenSet, List, Optional, Tuple

TICK = 1.0 / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuSample:
    """The worker tree's CPU time at one moment."""
    root: int                          # the process the grader started
    precise: Optional[float]           # seconds, summed over live threads; None where the kernel does not say
    coarse: float                      # seconds, summed over processes (ended threads, reaped children included)
    tasks: FrozenSet[Tuple[int, int]]  # (process, thread) ids alive then

    def seconds_until(self, later: "CpuSample") -> Optional[float]:
        """CPU seconds used between this sample and a later one (None without per-thread counts, or when the
        worker was restarted in between)."""
        if self.precise is None or later.precise is None or later.root != self.root:
            return None
        precise, coarse = later.precise - self.precise, later.coarse - self.coarse
        processes = len({pid for pid, _ in self.tasks | later.tasks})
        rounding = TICK * (2 * processes + 1)
        if later.tasks != self.tasks or coarse > precise + rounding:
            return max(precise, coarse)
        return precise


def _children(pid: int) -> List[int]:
    """pid's children, from the kernel's per-thread lists, or by every process's parent where it keeps none."""
    if not os.path.exists(f"/proc/{pid}/task/{pid}/children"):
        return [int(other) for other in os.listdir("/proc") if other.isdigit() and _parent(other) == pid]
    found = []
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for thread in threads:
        try:
            with open(f"/proc/{pid}/task/{thread}/children") as stream:
                found += [int(child) for child in stream.read().split()]
        except OSError:
            continue
    return found


def _parent(pid: str) -> int:
    stat = _read(f"/proc/{pid}/stat")
    fields = stat[stat.rfind(")") + 2:].split()
    return int(fields[1]) if len(fields) > 1 else -1


def process_tree(root: int) -> List[int]:
    """root and all its descendants that are still alive (or not yet reaped)."""
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending += _children(pid)
    return tree


def _read(path: str) -> str:
    try:
        with open(path) as stream:
            return stream.read()
    except OSError:
        return ""


def sample(root: int) -> CpuSample:
    """The CPU time of root's process tree now (processes that vanish while it is read count as gone)."""
    precise, coarse, tasks, counted = 0.0, 0.0, set(), False
    for pid in process_tree(root):
        stat = _read(f"/proc/{pid}/stat")
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) < 15:
            continue
        coarse += sum(int(value) for value in fields[11:15]) * TICK  # utime, stime, cutime, cstime
        try:
            threads = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for thread in threads:
            schedstat = _read(f"/proc/{pid}/task/{thread}/schedstat").split()
            if schedstat:
                precise += int(schedstat[0]) / 1e9
                counted = True
            tasks.add((pid, int(thread)))
    return CpuSample(root, precise if counted else None, coarse, frozenset(tasks))
