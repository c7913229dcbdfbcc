"""Run untrusted student code in a confined worker process and talk to it safely.

- protocol.py: the wire format both sides share (JSON header + .npy arrays, never pickle).
- boot.py, confine.py: a worker's start: its box and the locks on it, before any student code.
- worker.py:   the untrusted side; imports and calls student code, and runs the assignment's harness
               (its worker-side operations beyond a plain call, loaded from the assignment's package).
- notebook_runner.py: the untrusted side of running a student's notebook, for display only.
- process.py:  the trusted side; starts, feeds, times out and restarts workers.
- cputime.py:  what a worker's processes have cost in CPU time, read by the grader from the kernel.
"""
