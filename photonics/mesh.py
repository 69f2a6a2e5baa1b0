"""MZI meshes as PyTrees, and light through them.

A :class:`Mesh` holds the phases of every MZI slot of a :class:`MeshLayout` and the
output phase screen; :func:`propagate` sends a batch of complex fields through it and
:func:`transfer_matrix` returns the matrix it realises, ideal or on a sampled imperfect
chip (:mod:`photonics.imperfections`). Column-vector convention:
``outputs = U @ inputs`` on the last axis of ``fields``.

Propagation is one ``lax.scan`` over pairs of columns (no Python loop over columns at
run time). For large batches it is cheaper to build the transfer matrix once (cost
``~N^3``) and apply it as one dense product than to push every field through every
column (cost ``~B N^2``); ``method="auto"`` picks the cheaper, and both agree to
rounding.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from photonics.components import mzi_coefficients
from photonics.errors import input_error
from photonics.topology import mesh_layout

METHODS = ("auto", "columns", "matrix")


class Mesh(eqx.Module):
    """Phases of an MZI mesh (rad), in the convention of :mod:`photonics.components`.

    Attributes:
        theta: ``(n_columns, n_slots)`` internal phases; unused slots hold 0.
        phi: ``(n_columns, n_slots)`` external phases; unused slots hold 0.
        out_phase: ``(n_modes,)`` output phase screen.
        n_modes: number of modes (static).
        topology: ``"clements"`` or ``"reck"`` (static); fixes the layout.
    """

    theta: jax.Array
    phi: jax.Array
    out_phase: jax.Array
    n_modes: int = eqx.field(static=True)
    topology: str = eqx.field(static=True)

    @property
    def layout(self):
        """The :class:`photonics.topology.MeshLayout` of this mesh."""
        return mesh_layout(self.n_modes, self.topology)

    @property
    def depth(self):
        """Optical depth in MZI columns."""
        return self.layout.depth

    @property
    def mzi_count(self):
        """Number of MZIs, ``N (N - 1) / 2``."""
        return self.layout.mzi_count

    def astype(self, dtype):
        """The same mesh with its phases cast to the real ``dtype``."""
        return eqx.tree_at(
            lambda m: (m.theta, m.phi, m.out_phase),
            self,
            tuple(
                jnp.asarray(x, dtype) for x in (self.theta, self.phi, self.out_phase)
            ),
        )


def _mix(coefficients, upper, lower):
    """One column of 2x2 blocks ``(a, b, c, d)`` on the mode pairs ``(upper, lower)``.

    ``upper`` and ``lower`` are ``(P, B)`` (pairs by batch); each coefficient is
    ``(P,)`` and broadcasts along the batch.
    """
    a, b, c, d = (coef[:, None] for coef in coefficients)
    return a * upper + b * lower, c * upper + d * lower


def _pad_slots(coefficients, n_pairs):
    """Pad ``(4, C, S)`` coefficients to ``n_pairs`` slots with identity blocks."""
    extra = n_pairs - coefficients.shape[-1]
    if extra <= 0:
        return coefficients
    identity = jnp.asarray([1, 0, 0, 1], coefficients.dtype)[:, None, None]
    pad = jnp.broadcast_to(identity, (4, coefficients.shape[1], extra))
    return jnp.concatenate([coefficients, pad], axis=-1)


def _columns(x, coefficients):
    """Propagate ``x`` (``(..., N)``) through all columns; ``coefficients`` is
    ``(4, C, S)`` with ``C`` even.

    The fields are held modes-first and split into even and odd modes, ``(N/2, B)``
    each (``N`` padded to even with an uncoupled mode). An even column then mixes
    ``(even[i], odd[i])`` and an odd column ``(odd[i], even[i + 1])``: contiguous
    slices with the batch as the fast axis, which vectorise well, with no
    interleaving shuffle per column.
    """
    n_columns = coefficients.shape[1]
    if n_columns == 0:
        return x
    batch_shape, n = x.shape[:-1], x.shape[-1]
    half = (n + 1) // 2
    modes = x.reshape(-1, n).T
    modes = jnp.pad(modes, ((0, 2 * half - n), (0, 0)))
    coefficients = _pad_slots(coefficients, half)
    steps = coefficients.reshape(4, n_columns // 2, 2, -1).transpose(1, 2, 0, 3)

    def step(carry, pair):
        even, odd = _mix(pair[0], *carry)
        upper, lower = _mix(pair[1][:, : half - 1], odd[:-1], even[1:])
        odd = jnp.concatenate([upper, odd[-1:]])
        even = jnp.concatenate([even[:1], lower])
        return (even, odd), None

    (even, odd), _ = lax.scan(step, (modes[0::2], modes[1::2]), steps, unroll=2)
    modes = jnp.stack([even, odd], axis=1).reshape(2 * half, -1)[:n]
    return modes.T.reshape(*batch_shape, n)


def _ideal_coefficients(mesh):
    return jnp.stack(mzi_coefficients(mesh.theta, mesh.phi))


def _mesh_coefficients(mesh, chip):
    if chip is None:
        return _ideal_coefficients(mesh), jnp.asarray(mesh.out_phase)
    return chip.coefficients(mesh)


def _complex_dtype(mesh, fields):
    real = jnp.result_type(jnp.asarray(mesh.theta).dtype, jnp.real(fields).dtype)
    return jnp.result_type(real, jnp.complex64)


def _check_fields(mesh, fields, method):
    if fields.ndim < 1 or fields.shape[-1] != mesh.n_modes:
        raise input_error(
            "fields",
            f"an array with last axis of length n_modes = {mesh.n_modes}",
            f"shape {tuple(fields.shape)}",
        )
    if method not in METHODS:
        raise input_error("method", f"one of {METHODS}", repr(method))


def _use_matrix(mesh, fields, method):
    if method != "auto":
        return method == "matrix"
    batch = int(np.prod(fields.shape[:-1], dtype=np.int64))
    return batch > mesh.n_modes


def propagate(mesh, fields, chip=None, method="auto"):
    """Send complex ``fields`` through ``mesh``: ``outputs = U @ inputs``.

    Args:
        mesh: a :class:`Mesh`.
        fields: ``(..., N)`` complex (or real) input amplitudes.
        chip: an optional :class:`photonics.imperfections.Chip` realisation; ``None``
            for the ideal mesh.
        method: ``"columns"`` (column by column), ``"matrix"`` (build the transfer
            matrix, then one dense product) or ``"auto"`` (matrix when the batch is
            larger than ``N``).

    Returns:
        ``(..., N)`` output amplitudes in the complex dtype that the mesh phases and the
        fields promote to. Differentiable in the phases; jit- and vmap-compatible.

    Raises:
        InputError: if the last axis of ``fields`` is not ``N`` or ``method`` is
            unknown.
    """
    fields = jnp.asarray(fields)
    _check_fields(mesh, fields, method)
    fields = fields.astype(_complex_dtype(mesh, fields))
    if _use_matrix(mesh, fields, method):
        return fields @ transfer_matrix(mesh, chip).T
    coefficients, out_phase = _mesh_coefficients(mesh, chip)
    coefficients = coefficients.astype(fields.dtype)
    return _columns(fields, coefficients) * jnp.exp(1j * out_phase).astype(fields.dtype)


def transfer_matrix(mesh, chip=None):
    """The ``(N, N)`` matrix that ``mesh`` realises, ideal or on ``chip``.

    Complex64 for float32 phases, complex128 for float64 phases (under x64).
    """
    dtype = _complex_dtype(mesh, jnp.zeros((), jnp.float32))
    identity = jnp.eye(mesh.n_modes, dtype=dtype)
    return propagate(mesh, identity, chip, method="columns").T
