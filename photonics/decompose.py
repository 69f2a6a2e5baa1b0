"""Decomposition of a unitary into MZI phases (Clements and Reck).

The unitary is reduced to a diagonal phase screen by Givens nulling with the MZI
``T(theta, phi)`` of :mod:`photonics.components`: right multiplications by ``T^H``
(columns ``k, k+1``) and, for Clements, left multiplications by ``T`` (rows ``k, k+1``).
The left ones are then moved through the phase screen with
``T(theta, phi)^H diag(d1, d2) = diag(-exp(-1j phi) d2, d2) T(theta, arg(-d1 / d2))``,
giving ``U = D T_K ... T_1`` (Clements, Optica 3, 1460 (2016); Reck et al., PRL 73,
58 (1994)).

Each nulling step touches two rows or columns, so the whole decomposition costs
O(N^3) operations; it runs as one jit-compiled loop in complex128 inside a local x64
context, whatever the global precision.
"""

import functools
import logging

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from photonics.checks import as_numeric_array, check_finite, check_square, check_unitary
from photonics.errors import input_error
from photonics.mesh import Mesh
from photonics.topology import mesh_layout

logger = logging.getLogger(__name__)


def _right_angles(a, b):
    """(theta, phi) of the T whose T^H, on the right, nulls ``a`` against ``b``."""
    theta = jnp.arctan2(jnp.abs(a), jnp.abs(b))
    return theta, jnp.angle(a) - jnp.angle(b)


def _left_angles(a, b):
    """(theta, phi) of the T that, applied on the left, nulls ``b`` below ``a``."""
    theta = jnp.arctan2(jnp.abs(b), jnp.abs(a))
    return theta, jnp.angle(b) - jnp.angle(a) + jnp.pi


def _null_right(ut, record, index, r, k):
    """Null ``u[r, k]`` against ``u[r, k + 1]`` by ``T^H`` on columns ``k, k + 1``.

    Works on the transpose ``ut = u.T``, so that the two columns are two contiguous
    rows: XLA updates a row slice in place inside the loop, while a column slice
    update copies the whole matrix at every step (20x slower at N = 256).
    """
    n = ut.shape[0]
    cols = lax.dynamic_slice(ut, (k, 0), (2, n))
    theta, phi = _right_angles(cols[0, r], cols[1, r])
    e = jnp.exp(-1j * phi)
    c, s = jnp.cos(theta), jnp.sin(theta)
    new0 = cols[0] * (e * c) - cols[1] * s
    new1 = cols[0] * (e * s) + cols[1] * c
    ut = lax.dynamic_update_slice(ut, jnp.stack([new0, new1], axis=0), (k, 0))
    return ut, record.at[:, index].set(jnp.stack([theta, phi]))


def _null_left(u, record, index, k, col):
    n = u.shape[0]
    rows = lax.dynamic_slice(u, (k, 0), (2, n))
    theta, phi = _left_angles(rows[0, col], rows[1, col])
    e = jnp.exp(1j * phi)
    c, s = jnp.cos(theta), jnp.sin(theta)
    new0 = rows[0] * (e * c) - rows[1] * s
    new1 = rows[0] * (e * s) + rows[1] * c
    u = lax.dynamic_update_slice(u, jnp.stack([new0, new1], axis=0), (k, 0))
    return u, record.at[:, index].set(jnp.stack([theta, phi]))


def _clements_diagonals(t, state):
    """Diagonal ``2 t`` (nulled from the right, on ``u.T``), then ``2 t + 1`` (from
    the left, on ``u``); two transposes per pair of diagonals."""
    u, record = state
    n = u.shape[0]
    i = 2 * t
    start = i * (i + 1) // 2

    def right(j, state):
        return _null_right(*state, start + j, n - 1 - j, i - j)

    ut, record = lax.fori_loop(0, i + 1, right, (u.T, record))
    state = (ut.T, record)
    i = i + 1
    start = i * (i + 1) // 2

    def left(j, state):
        return _null_left(*state, start + j - 1, n + j - i - 3, j - 1)

    return lax.fori_loop(1, jnp.where(i < n - 1, i + 2, 1), left, state)


def _reck_row(i, state):
    n = state[0].shape[0]
    start = i * (n - 1) - i * (i - 1) // 2

    def body(j, state):
        return _null_right(*state, start + j, n - 1 - i, j)

    return lax.fori_loop(0, n - 1 - i, body, state)


def _move_left_ops(diagonal, phi, pairs):
    """Move the left operations through the phase screen, last performed first.

    Returns the final phase screen and the new external phase of each left operation.
    """

    def step(d, op):
        phi, k = op
        d1, d2 = d[k], d[k + 1]
        d = d.at[k].set(-jnp.exp(-1j * phi) * d2)
        return d, jnp.angle(-d1 / d2)

    return lax.scan(step, diagonal, (phi, pairs))


def _decompose_one(u, left_indices, left_pairs, topology):
    n = u.shape[0]
    record = jnp.zeros((2, n * (n - 1) // 2), dtype=jnp.float64)
    """Decompose one ``(N, N)`` unitary; phases ``(2, K)``, screen, residual."""
    if topology == "clements":
        u, record = lax.fori_loop(0, n // 2, _clements_diagonals, (u, record))
    else:
        ut, record = lax.fori_loop(0, n - 1, _reck_row, (u.T, record))
        u = ut.T
    diagonal = jnp.diagonal(u)
    if left_indices.shape[0]:
        diagonal, new_phi = _move_left_ops(
            diagonal, record[1, left_indices], left_pairs
        )
        record = record.at[1, left_indices].set(new_phi)
    residual = jnp.max(jnp.abs(u - jnp.diag(jnp.diagonal(u))), initial=0.0)
    return record, jnp.angle(diagonal), residual


@functools.partial(jax.jit, static_argnames=("topology",))
def _decompose_kernel(u, left_indices, left_pairs, topology):
    """:func:`_decompose_one` vmapped over a leading batch axis of ``u``."""
    one = functools.partial(_decompose_one, topology=topology)
    return jax.vmap(one, in_axes=(0, None, None))(u, left_indices, left_pairs)


def _validate_unitaries(matrices):
    matrices = as_numeric_array("matrix", matrices)
    if matrices.ndim < 2:
        check_square("matrix", matrices)
    for index in np.ndindex(matrices.shape[:-2]):
        check_square("matrix", matrices[index])
        check_finite("matrix", matrices[index])
        check_unitary("matrix", matrices[index])
    return matrices


def decompose(matrix, topology="clements"):
    """Phases of an MZI mesh that realises the unitary ``matrix``.

    Args:
        matrix: ``(N, N)`` unitary (numpy or JAX, real or complex). Computed in
            float64 whatever its dtype; unitarity is checked to ``1e-8 N`` for float64
            input and ``1e-4 N`` for lower precisions.
        topology: ``"clements"`` (rectangular, depth N) or ``"reck"`` (triangular,
            depth 2N - 3).

    Returns:
        A float64 :class:`photonics.Mesh`; ``transfer_matrix(mesh)`` rebuilds
        ``matrix`` to about ``1e-14 N`` (max abs element) in float64.

    Raises:
        InputError: if ``matrix`` is not square, holds NaN or infinite entries, is not
            numeric, or is not unitary (map arbitrary matrices with the SVD mapper), or
            if ``topology`` is unknown.
    """
    if np.ndim(matrix) != 2:
        check_square("matrix", np.asarray(matrix))
    mesh = decompose_batch(np.asarray(matrix)[None], topology)
    return jax.tree.map(lambda x: x[0], mesh)


def decompose_batch(matrices, topology="clements"):
    """Decompose a stack of unitaries at once (one loop, vectorised over the stack).

    Args:
        matrices: ``(B, N, N)`` unitaries; see :func:`decompose`.
        topology: ``"clements"`` or ``"reck"``.

    Returns:
        A :class:`photonics.Mesh` whose phase arrays have a leading axis ``B``; map
        :func:`photonics.propagate` over it with ``jax.vmap``. Much faster than a
        Python loop of :func:`decompose` for many small meshes (tiles of a large
        matrix), since the per-step loop overhead is shared by the whole stack.

    Raises:
        InputError: as :func:`decompose`, naming the first bad matrix's problem.
    """
    shape = np.shape(matrices)
    if len(shape) != 3:
        raise input_error(
            "matrices", "a (B, N, N) stack of unitaries", f"shape {shape}"
        )
    layout = mesh_layout(shape[-1], topology)
    matrices = np.asarray(_validate_unitaries(matrices), dtype=np.complex128)
    if layout.n_modes == 1:
        return _to_mesh(layout, np.zeros((shape[0], 2, 0)), np.angle(matrices[:, 0]))
    left_performed = np.flatnonzero(layout.left == 1)[::-1].copy()
    with jax.enable_x64(True):
        record, out_phase, residual = _decompose_kernel(
            jnp.asarray(matrices),
            jnp.asarray(left_performed, dtype=jnp.int32),
            jnp.asarray(_performed_pairs(layout)[left_performed], dtype=jnp.int32),
            topology,
        )
        record, out_phase = np.asarray(record), np.asarray(out_phase)
        residual = np.asarray(residual)
    logger.debug(
        "decomposed %d x N=%d (%s), residual %.2e",
        shape[0], layout.n_modes, topology, float(np.max(residual)),
    )  # fmt: skip
    return _to_mesh(layout, record, out_phase)


def _performed_pairs(layout):
    pairs = np.empty(layout.mzi_count, dtype=np.int64)
    pairs[layout.performed] = layout.pairs
    return pairs


def _to_mesh(layout, record, out_phase):
    """Scatter ``(B, 2, K)`` phases into ``(B, n_columns, n_slots)`` slot arrays."""
    batch = record.shape[0]
    theta = np.zeros((batch, layout.n_columns, layout.n_slots))
    phi = np.zeros((batch, layout.n_columns, layout.n_slots))
    theta[:, layout.columns, layout.slots] = record[:, 0, layout.performed]
    phi[:, layout.columns, layout.slots] = np.mod(
        record[:, 1, layout.performed], 2 * np.pi
    )
    out_phase = np.mod(out_phase, 2 * np.pi)
    return Mesh(theta, phi, out_phase, layout.n_modes, layout.topology)
