"""The lecture's first optimisation strategy, as a baseline: try random weights, keep the best."""
from typing import Callable, Tuple

import numpy as np


def random_search(loss_fn: Callable[[np.ndarray], float], shape: Tuple[int, int],
                  num_tries: int = 1000, scale: float = 1e-4,
                  seed: int = 0) -> Tuple[np.ndarray, float]:
    """Draw num_tries random W of the given (D, C) shape, return (best_W, best_loss).

    Each W is scale * standard normal; loss_fn maps W to a float. Random search
    finds a W that is better than chance but far from good: it never uses the
    gradient, which is why the lecture moves on to following the slope.
    """
    rng = np.random.default_rng(seed)
    best_W, best_loss = None, float("inf")
    for _ in range(num_tries):
        W = scale * rng.standard_normal(shape)
        loss = float(loss_fn(W))
        if loss < best_loss:
            best_W, best_loss = W, loss
    return best_W, best_loss
