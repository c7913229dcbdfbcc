"""Run untrusted student code in a confined worker process and talk to it safely.

- protocol.py: the wire format both sides share (JSON header + .npy arrays, never pickle).
- worker.py:   the untrusted side; confines itself, then imports and calls student code.
- harness.py:  worker-side operations beyond a plain call (train with a loss the grader answers, predict, ...).
- process.py:  the trusted side; starts, feeds, times out and restarts workers.
"""
