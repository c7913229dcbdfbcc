"""Names newer libraries removed that older course code still uses, put back in the worker before it imports
student code (the static checks read them as what they stand for)."""
import builtins

import numpy as np

# Names NumPy 2 removed.
NUMPY_ALIASES = {"float": float, "int": int, "bool": bool, "object": object, "str": str,
                 "complex": complex, "long": int, "unicode": str, "float_": np.float64,
                 "complex_": np.complex128, "NaN": np.nan, "NAN": np.nan, "Inf": np.inf,
                 "Infinity": np.inf, "infty": np.inf, "PINF": np.inf, "NINF": -np.inf,
                 "product": np.prod, "cumproduct": np.cumprod, "sometrue": np.any,
                 "alltrue": np.all, "round_": np.round}
# Python 2's name for range (print statements stay syntax errors, which Python itself explains).
PYTHON2_BUILTINS = {"xrange": range}


def install() -> None:
    for name, value in NUMPY_ALIASES.items():
        if name not in np.__dict__:
            setattr(np, name, value)
    for name, value in PYTHON2_BUILTINS.items():
        setattr(builtins, name, value)
