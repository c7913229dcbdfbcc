"""How fast is the reference? Prints, measured side by side in one run at CS231n's dev shape:

- each vectorised loss+gradient divided by the time of the two matrix products it
  cannot avoid (X @ W and X.T @ dScores): the target is at most 1.5;
- the naive/vectorised speedup of each loss.

Both with single-threaded BLAS and with the default thread count.
Run: python benchmarks/bench_losses.py [--repeats 30]
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from autograder.assignment import load  # noqa: E402
from autograder.pipeline.reference import reference_module  # noqa: E402

N, D, C = 500, 3073, 10
TARGET_RATIO = 1.5


def best_times(functions, repeats):
    """Best wall time of each function, calls interleaved so that machine noise hits all alike."""
    best = [float("inf")] * len(functions)
    for _ in range(repeats):
        for index, function in enumerate(functions):
            start = time.perf_counter()
            function()
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def measure(repeats):
    svm = reference_module(load("linear_classifiers"), "linear_svm")
    softmax = reference_module(load("linear_classifiers"), "softmax")
    rng = np.random.default_rng(0)
    W = 1e-4 * rng.standard_normal((D, C))
    X = rng.standard_normal((N, D))
    y = rng.integers(C, size=N)
    dscores = rng.standard_normal((N, C))
    matmuls, svm_vec, softmax_vec = best_times([
        lambda: (X @ W, X.T @ dscores),
        lambda: svm.svm_loss_vectorized(W, X, y, 1e-3),
        lambda: softmax.softmax_loss_vectorized(W, X, y, 1e-3),
    ], repeats)
    svm_naive, softmax_naive = best_times([
        lambda: svm.svm_loss_naive(W, X, y, 1e-3),
        lambda: softmax.softmax_loss_naive(W, X, y, 1e-3),
    ], max(3, repeats // 10))
    return {
        "two matmuls (ms)": 1e3 * matmuls,
        "svm vectorised / matmuls": svm_vec / matmuls,
        "softmax vectorised / matmuls": softmax_vec / matmuls,
        "svm naive / vectorised": svm_naive / svm_vec,
        "softmax naive / vectorised": softmax_naive / softmax_vec,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="timed repeats per function (best is kept)")
    args = parser.parse_args(argv)
    print(f"shape N={N}, D={D}, C={C}; best of {args.repeats} interleaved repeats")
    results = {}
    with threadpool_limits(limits=1, user_api="blas"):
        results["1 BLAS thread"] = measure(args.repeats)
    results["default threads"] = measure(args.repeats)
    names = list(next(iter(results.values())))
    print(f"{'':32}" + "".join(f"{column:>18}" for column in results))
    for name in names:
        print(f"{name:32}" + "".join(f"{results[column][name]:18.2f}" for column in results))
    worst = max(results[c][n] for c in results for n in names if n.endswith("/ matmuls"))
    verdict = "meets" if worst <= TARGET_RATIO else "MISSES"
    print(f"worst vectorised/matmuls ratio {worst:.2f}: {verdict} the {TARGET_RATIO}x target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
