"""Tolerances for tests and examples, from one place with documented defaults.

``tolerance(dtype, scale)`` is ``scale`` times a per-precision base:

* float64 / complex128: ``1e-12`` (about 4500 ulp, room for O(N) rounding steps),
* float32 / complex64: ``1e-5`` (about 80 ulp).

Callers pass ``scale`` for the size of the problem (e.g. ``N`` for a mesh of depth N);
they never loosen the base to make a failing test pass.
"""

import numpy as np

_BASE = {8: 1e-12, 4: 1e-5}


def tolerance(dtype, scale=1.0):
    """Absolute tolerance for results computed in ``dtype``, times ``scale``."""
    itemsize = np.dtype(dtype).itemsize
    if np.dtype(dtype).kind == "c":
        itemsize //= 2
    return _BASE.get(itemsize, 1e-3) * scale


def assert_allclose(actual, desired, dtype=None, scale=1.0):
    """Assert ``max |actual - desired| <= tolerance(dtype, scale)``.

    ``dtype`` defaults to the dtype of ``actual``.
    """
    actual = np.asarray(actual)
    desired = np.asarray(desired)
    atol = tolerance(dtype or actual.dtype, scale)
    error = float(np.max(np.abs(actual - desired))) if actual.size else 0.0
    if not error <= atol:
        raise AssertionError(f"max abs error {error:.3e} exceeds tolerance {atol:.3e}")
