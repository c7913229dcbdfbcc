"""`python -m autograder rubric`: print the rubric, read from the hidden suite's own markers."""
import argparse
from collections import defaultdict

import pytest

from .results import GRADED_FUNCTIONS
from .scoring import HIDDEN_SUITE

HELP = "print the hidden suite's rubric: every check with its points, per graded function"


class _Collector:
    """Gathers (function, kind, points, property) of every collected rubric test."""

    def __init__(self):
        self.rows = []

    def pytest_collection_modifyitems(self, items):
        for item in items:
            marker = item.get_closest_marker("rubric")
            if marker:
                doc = (item.function.__doc__ or item.name).strip().splitlines()[0]
                self.rows.append((marker.kwargs["function"], marker.kwargs["kind"],
                                  marker.kwargs["points"], doc))


def collect_rubric() -> list:
    collector = _Collector()
    pytest.main([str(HIDDEN_SUITE), "--collect-only", "-p", "no:cacheprovider", "-p", "no:terminal",
                 "--rootdir", str(HIDDEN_SUITE)], plugins=[collector])
    return collector.rows


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    by_function = defaultdict(list)
    for function, kind, points, doc in collect_rubric():
        by_function[function].append((kind, points, doc))
    total = 0
    for function in GRADED_FUNCTIONS:
        rows = by_function[function]
        subtotal = sum(points for _, points, _ in rows)
        total += subtotal
        print(f"{function} ({subtotal} points)")
        for kind, points, doc in rows:
            print(f"  {points:>2}  {kind:<10} {doc}")
    print(f"total: {total} points")
    return 0
