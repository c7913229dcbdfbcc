"""Numerical gradients, to check analytic ones (CS231n's conventions: centred differences, h = 1e-5).

Reading the relative error |num - ana| / (|num| + |ana|):
above 1e-2 the analytic gradient is probably wrong; below 1e-4 is fine for
losses with kinks (the hinge); about 1e-7 or less is good for smooth losses.
"""
from typing import Callable, Optional

import numpy as np


def relative_error(numerical: float, analytic: float) -> float:
    """|num - ana| / (|num| + |ana|), defined as 0 when both are 0."""
    denominator = abs(numerical) + abs(analytic)
    if denominator == 0:
        return 0.0
    return abs(numerical - analytic) / denominator


def eval_numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray,
                            verbose: bool = True, h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of the scalar function f at every entry of x.

    x is perturbed in place one entry at a time and always restored, so it is
    unchanged on return. Costs 2 * x.size evaluations of f.
    """
    grad = np.zeros(x.shape, dtype=float)
    for ix in np.ndindex(*x.shape):
        grad[ix] = _centred_difference(f, x, ix, h)
        if verbose:
            print(ix, grad[ix])
    return grad


def grad_check_sparse(f: Callable[[np.ndarray], float], x: np.ndarray,
                      analytic_grad: np.ndarray, num_checks: int = 10,
                      h: float = 1e-5, seed: Optional[int] = None) -> list:
    """Compare analytic_grad with a centred difference at num_checks random entries of x.

    Prints one line per entry and returns the relative errors, so a caller can
    assert on them. x is restored after every perturbation.
    """
    rng = np.random.default_rng(seed)
    errors = []
    for _ in range(num_checks):
        ix = tuple(int(rng.integers(n)) for n in x.shape)
        numerical = _centred_difference(f, x, ix, h)
        analytic = float(analytic_grad[ix])
        error = relative_error(numerical, analytic)
        errors.append(error)
        print(f"numerical: {numerical:f} analytic: {analytic:f}, relative error: {error:e}")
    return errors


def _centred_difference(f, x, ix, h):
    """(f(x + h e_ix) - f(x - h e_ix)) / 2h, leaving x as it was."""
    old_value = x[ix]
    try:
        x[ix] = old_value + h
        f_plus = f(x)
        x[ix] = old_value - h
        f_minus = f(x)
    finally:
        x[ix] = old_value
    return float((f_plus - f_minus) / (2 * h))
