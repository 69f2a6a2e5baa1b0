"""Input checks shared by the whole package.

Each check runs on concrete (host) values before any computation, and raises
:class:`photonics.errors.InputError` with one message template: the argument, what was
expected, what was received. Checks on traced values inside ``jit`` use
``equinox.error_if`` at the call site instead.
"""

import numbers

import numpy as np

from photonics.errors import input_error


def describe(value):
    """A short description of ``value`` for an error message."""
    if isinstance(value, np.ndarray) or hasattr(value, "shape"):
        return f"an array of shape {tuple(value.shape)} and dtype {value.dtype}"
    return f"{value!r} ({type(value).__name__})"


def as_numeric_array(name, value, *, allow_complex=True):
    """Convert ``value`` to a numpy array of a real or complex floating/integer dtype.

    Raises:
        InputError: for objects, strings, booleans, or complex values when
            ``allow_complex`` is false.
    """
    try:
        array = np.asarray(value)
    except Exception as error:  # numpy raises many kinds on ragged input
        raise input_error(name, "a numeric array", describe(value)) from error
    kinds = "iuf" + ("c" if allow_complex else "")
    if array.dtype.kind not in kinds:
        expected = (
            "a real or complex numeric array" if allow_complex else "a real array"
        )
        raise input_error(name, expected, f"dtype {array.dtype}")
    return array


def check_finite(name, array):
    """Raise if ``array`` holds NaN or infinite entries; return it unchanged."""
    finite = np.isfinite(array)
    if not np.all(finite):
        bad = int(array.size - np.count_nonzero(finite))
        raise input_error(name, "finite entries", f"{bad} NaN or infinite entries")
    return array


def check_square(name, array):
    """Raise unless ``array`` is a square 2-D matrix with at least one row."""
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.shape[0] < 1:
        raise input_error(name, "a square N x N matrix with N >= 1", describe(array))
    return array


def unitarity_error(matrix):
    """Largest absolute entry of ``U^† U - I``: how far ``matrix`` is from unitary."""
    n = matrix.shape[0]
    gram = matrix.conj().T @ matrix
    return float(np.max(np.abs(gram - np.eye(n))))


def default_unitary_tolerance(matrix):
    """Tolerance on :func:`unitarity_error`: ``1e-8 N`` (float64), ``1e-4 N`` below."""
    n = matrix.shape[0]
    if matrix.dtype in (np.float64, np.complex128):
        return 1e-8 * n
    return 1e-4 * n


def check_unitary(name, matrix, tolerance=None):
    """Raise unless ``matrix`` is unitary within ``tolerance`` (max abs of U†U - I)."""
    tolerance = default_unitary_tolerance(matrix) if tolerance is None else tolerance
    error = unitarity_error(matrix)
    if not error <= tolerance:
        raise input_error(
            name,
            f"a unitary matrix (max |U^H U - I| <= {tolerance:.1e})",
            f"a matrix with max |U^H U - I| = {error:.3e}",
            "to map an arbitrary matrix use the SVD mapper: `--svd` on the command "
            "line, nn_mapping.compile_matrix in Python",
        )
    return matrix


def check_choice(name, value, choices):
    """Raise unless ``value`` is one of ``choices``; return it."""
    if value not in choices:
        options = ", ".join(repr(c) for c in choices)
        raise input_error(name, f"one of {options}", repr(value))
    return value


def check_positive(name, value, *, allow_zero=False):
    """Raise unless ``value`` is a finite real number > 0 (>= 0 with ``allow_zero``)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    ok = ok and np.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        expected = "a finite number >= 0" if allow_zero else "a finite number > 0"
        raise input_error(name, expected, describe(value))
    return value


def check_int(name, value, *, minimum=None, maximum=None):
    """Raise unless ``value`` is an integer within ``[minimum, maximum]``; return it."""
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    ok = ok and (minimum is None or value >= minimum)
    ok = ok and (maximum is None or value <= maximum)
    if not ok:
        bounds = []
        if minimum is not None:
            bounds.append(f">= {minimum}")
        if maximum is not None:
            bounds.append(f"<= {maximum}")
        raise input_error(name, "an integer " + " and ".join(bounds), describe(value))
    return int(value)


def check_fraction(name, value):
    """Raise unless ``value`` is a real number in [0, 1]; return it."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if not (ok and 0.0 <= value <= 1.0):
        raise input_error(name, "a number in [0, 1]", describe(value))
    return value
