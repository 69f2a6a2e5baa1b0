"""How close a realised matrix is to its target, and Haar-random unitaries.

* fidelity ``F = |Tr(T^H U)|^2 / (N Tr(U^H U))``: 1 exactly when ``U`` is a multiple of
  ``T`` (uniform loss and a global phase do not count), below 1 otherwise
  (Clements et al., Optica 3, 1460 (2016) use the same normalised overlap);
* relative Frobenius error ``||U - T||_F / ||T||_F``;
* worst element error ``max |U - T|``.
"""

import jax
import jax.numpy as jnp
import numpy as np

from photonics.checks import check_int


def fidelity(target, realised):
    """Normalised overlap ``|Tr(T^H U)|^2 / (N Tr(U^H U))`` of two matrices."""
    target, realised = jnp.asarray(target), jnp.asarray(realised)
    overlap = jnp.abs(jnp.sum(jnp.conj(target) * realised)) ** 2
    norm = target.shape[0] * jnp.sum(jnp.abs(realised) ** 2)
    return overlap / norm


def relative_frobenius_error(target, realised):
    """``||U - T||_F / ||T||_F``."""
    target, realised = jnp.asarray(target), jnp.asarray(realised)
    return jnp.linalg.norm(realised - target) / jnp.linalg.norm(target)


def max_element_error(target, realised):
    """Worst element error ``max |U - T|``."""
    return jnp.max(jnp.abs(jnp.asarray(realised) - jnp.asarray(target)))


def random_unitary(key, n):
    """A Haar-random ``(n, n)`` unitary as a complex128 numpy array.

    QR of a complex Ginibre matrix with the phases of R's diagonal divided out
    (Mezzadri, Notices AMS 54, 592 (2007)); computed in float64 inside a local x64
    context.

    Raises:
        InputError: for ``n < 1``.
    """
    n = check_int("n", n, minimum=1)
    with jax.enable_x64(True):
        parts = jax.random.normal(key, (2, n, n), dtype=jnp.float64)
        q, r = jnp.linalg.qr(parts[0] + 1j * parts[1])
        diagonal = jnp.diagonal(r)
        return np.asarray(q * (diagonal / jnp.abs(diagonal))[None, :])
