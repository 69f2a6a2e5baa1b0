"""Mesh propagation as one Pallas kernel: every column applied to a batch block.

:func:`propagate_pallas` computes the same ``outputs = U @ inputs`` as
:func:`photonics.propagate` with ``method="columns"``, but as a single kernel launch:
each program of the grid takes a block of the batch, runs a loop over all column
pairs of the mesh on it and applies the output phase screen, so the fields make one
round trip to memory instead of one per column.

Layout. Pallas refs hold no complex numbers, so every complex array is split into real
and imaginary parts. The fields are split into even modes ``E`` and odd modes ``O``
(each ``(batch, H)``, ``H`` a power of two with ``2 H >= N``, padded with zeros). An
even column couples ``(E[s], O[s])``; an odd column couples ``(O[s], E[s + 1])``: the
even modes are shifted by one slot through a small scratch buffer (GPU Triton kernels
cannot slice values, only refs). Padded slots hold identity MZIs.

Gradients: ``pallas_call`` has no autodiff rule, so the kernel is wrapped in a
``jax.custom_vjp`` whose backward pass is the vector-Jacobian product of the plain JAX
column path; gradients with respect to the phases, the chip and the fields work.

Backends: on the CPU the kernel runs in Pallas interpret mode (slow; for tests). On
GPUs it is lowered with Triton. Other backends use interpret mode.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax
from jax.experimental import pallas as pl

from photonics.mesh import _check_fields, _columns, _complex_dtype, _mesh_coefficients

BLOCK_ELEMENTS = 4096


def _next_power_of_2(n):
    return 1 << max(0, int(n) - 1).bit_length()


def default_interpret():
    """Whether Pallas must run in interpret mode on the default backend (not GPU)."""
    return jax.default_backend() != "gpu"


def _mix(coef_ref, column, u, v):
    """``(a u + b v, c u + d v)`` with split complex parts, ``a..d`` of ``column``."""
    ar, ai, br, bi, cr, ci, dr, di = (coef_ref[column, k][None, :] for k in range(8))
    ur, ui = u
    vr, vi = v
    new_u = (
        ar * ur - ai * ui + br * vr - bi * vi,
        ar * ui + ai * ur + br * vi + bi * vr,
    )
    new_v = (
        cr * ur - ci * ui + dr * vr - di * vi,
        cr * ui + ci * ur + dr * vi + di * vr,
    )
    return new_u, new_v


def _sync(interpret):
    if not interpret:
        from jax.experimental.pallas import triton as plgpu

        plgpu.debug_barrier()


def _shift_in(scratch, x, interpret):
    """``x`` shifted by one slot: ``result[s] = x[s + 1]``, the last slot from pad."""
    h = x.shape[-1]
    _sync(interpret)
    scratch[:, pl.ds(0, h)] = x
    _sync(interpret)
    return scratch[:, pl.ds(1, h)]


def _shift_out(scratch, x, interpret):
    """Inverse of :func:`_shift_in`; slot 0 keeps what :func:`_shift_in` stored."""
    h = x.shape[-1]
    _sync(interpret)
    scratch[:, pl.ds(1, h)] = x
    _sync(interpret)
    return scratch[:, pl.ds(0, h)]


def _column_pair(coef_ref, scratch, interpret, p, state):
    """Apply even column ``2 p`` then odd column ``2 p + 1`` to ``(E, O)``."""
    even, odd = state
    even, odd = _mix(coef_ref, 2 * p, even, odd)
    shifted = [_shift_in(s, x, interpret) for s, x in zip(scratch, even, strict=True)]
    odd, shifted = _mix(coef_ref, 2 * p + 1, odd, shifted)
    pairs = zip(scratch, shifted, strict=True)
    even = tuple(_shift_out(s, x, interpret) for s, x in pairs)
    return even, odd


def _phase(ph_ref, k, x):
    pr, pi = ph_ref[2 * k][None, :], ph_ref[2 * k + 1][None, :]
    return pr * x[0] - pi * x[1], pr * x[1] + pi * x[0]


def _kernel(interpret, coef_ref, ph_ref, er, ei, o_r, oi, *out_refs):
    """One batch block through all columns, then the output phase screen."""
    y_er, y_ei, y_or, y_oi, s_r, s_i = out_refs
    rows, h = er.shape
    zeros = jnp.zeros((rows, h), er.dtype)
    s_r[:, pl.ds(h, h)] = zeros
    s_i[:, pl.ds(h, h)] = zeros
    state = ((er[...], ei[...]), (o_r[...], oi[...]))
    step = functools.partial(_column_pair, coef_ref, (s_r, s_i), interpret)
    even, odd = lax.fori_loop(0, coef_ref.shape[0] // 2, step, state)

    even, odd = _phase(ph_ref, 0, even), _phase(ph_ref, 1, odd)
    y_er[...], y_ei[...] = even
    y_or[...], y_oi[...] = odd


def _identity_padding(coefficients, n_modes, half):
    """``(C, 8, H)`` real coefficients, identity outside each column's used slots."""
    n_columns, n_slots = coefficients.shape[1:]
    identity = jnp.asarray([1, 0, 0, 1], coefficients.dtype)[:, None, None]
    padded = jnp.pad(coefficients, ((0, 0), (0, 0), (0, half - n_slots)))
    used = (n_modes - np.arange(n_columns) % 2) // 2
    keep = np.arange(half)[None, :] < used[:, None]
    padded = jnp.where(keep[None], padded, identity)
    parts = jnp.stack([padded.real, padded.imag], axis=1)
    return parts.reshape(8, n_columns, half).transpose(1, 0, 2)


def _phase_screen(out_phase, half, dtype):
    """``(4, H)``: cos and sin of the output phase on even modes, then odd modes."""
    phase = jnp.pad(out_phase, (0, 2 * half - out_phase.shape[0])).astype(dtype)
    even, odd = phase[0::2], phase[1::2]
    return jnp.stack([jnp.cos(even), jnp.sin(even), jnp.cos(odd), jnp.sin(odd)])


def _split_fields(fields, half, batch):
    """``(E_re, E_im, O_re, O_im)``, each ``(batch, H)``, zero-padded."""
    n = fields.shape[-1]
    x = jnp.pad(fields, ((0, batch - fields.shape[0]), (0, 2 * half - n)))
    even, odd = x[:, 0::2], x[:, 1::2]
    return even.real, even.imag, odd.real, odd.imag


def _merge_fields(parts, n_rows, n_modes):
    er, ei, o_r, oi = parts
    even, odd = er + 1j * ei, o_r + 1j * oi
    merged = jnp.stack([even, odd], axis=-1).reshape(even.shape[0], -1)
    return merged[:n_rows, :n_modes]


def _call_kernel(coefs, screen, parts, block, interpret):
    batch, half = parts[0].shape
    dtype = parts[0].dtype
    row = pl.BlockSpec((block, half), lambda i: (i, 0))
    wide = pl.BlockSpec((block, 2 * half), lambda i: (i, 0))
    field = jax.ShapeDtypeStruct((batch, half), dtype)
    scratch = jax.ShapeDtypeStruct((batch, 2 * half), dtype)
    call = pl.pallas_call(
        functools.partial(_kernel, interpret),
        out_shape=(field,) * 4 + (scratch,) * 2,
        grid=(batch // block,),
        in_specs=[
            pl.BlockSpec(coefs.shape, lambda i: (0, 0, 0)),
            pl.BlockSpec(screen.shape, lambda i: (0, 0)),
            *(row,) * 4,
        ],
        out_specs=(row,) * 4 + (wide,) * 2,
        interpret=interpret,
        name="mesh_propagate",
    )
    return call(coefs, screen, *parts)[:4]


def _block_rows(batch, half, block_rows):
    if block_rows is not None:
        return _next_power_of_2(block_rows)
    return max(1, min(_next_power_of_2(batch), BLOCK_ELEMENTS // half))


def _forward(interpret, block_rows, coefficients, out_phase, fields):
    """The kernel on ``(R, N)`` complex fields."""
    n_rows, n_modes = fields.shape
    if coefficients.shape[1] == 0:
        return fields * jnp.exp(1j * out_phase).astype(fields.dtype)
    half = _next_power_of_2((n_modes + 1) // 2)
    block = _block_rows(n_rows, half, block_rows)
    batch = -(-n_rows // block) * block
    real = jnp.real(fields).dtype
    coefs = _identity_padding(coefficients, n_modes, half).astype(real)
    screen = _phase_screen(out_phase, half, real)
    parts = _split_fields(fields, half, batch)
    outputs = _call_kernel(coefs, screen, parts, block, interpret)
    return _merge_fields(outputs, n_rows, n_modes).astype(fields.dtype)


def _reference(coefficients, out_phase, fields):
    phase = jnp.exp(1j * out_phase).astype(fields.dtype)
    return _columns(fields, coefficients) * phase


@functools.partial(jax.custom_vjp, nondiff_argnums=(0, 1))
def _apply(interpret, block_rows, coefficients, out_phase, fields):
    return _forward(interpret, block_rows, coefficients, out_phase, fields)


def _apply_fwd(interpret, block_rows, coefficients, out_phase, fields):
    outputs = _forward(interpret, block_rows, coefficients, out_phase, fields)
    return outputs, (coefficients, out_phase, fields)


def _apply_bwd(interpret, block_rows, residuals, cotangent):
    _, vjp = jax.vjp(_reference, *residuals)
    return vjp(cotangent)


_apply.defvjp(_apply_fwd, _apply_bwd)


@functools.partial(jax.jit, static_argnames=("interpret", "block_rows"))
def _propagate(mesh, fields, chip, interpret, block_rows):
    fields = fields.astype(_complex_dtype(mesh, fields))
    coefficients, out_phase = _mesh_coefficients(mesh, chip)
    coefficients = coefficients.astype(fields.dtype)
    out_phase = out_phase.astype(jnp.real(fields).dtype)
    rows = fields.reshape(-1, mesh.n_modes)
    outputs = _apply(interpret, block_rows, coefficients, out_phase, rows)
    return outputs.reshape(fields.shape)


def propagate_pallas(mesh, fields, chip=None, interpret=None, block_rows=None):
    """:func:`photonics.propagate` as one fused Pallas kernel over batch blocks.

    Args:
        mesh: a :class:`photonics.Mesh`.
        fields: ``(..., N)`` complex (or real) input amplitudes.
        chip: an optional :class:`photonics.imperfections.Chip`; ``None`` for the
            ideal mesh.
        interpret: run the kernel in Pallas interpret mode; ``None`` chooses it on
            every backend but GPUs.
        block_rows: batch rows per kernel program (rounded up to a power of two);
            ``None`` picks about 4096 elements per block.

    Returns:
        ``(..., N)`` outputs, equal to ``propagate(mesh, fields, chip,
        method="columns")`` to rounding, in the complex dtype that the phases and the
        fields promote to (complex64 is the fast GPU path). Jit-compiled; gradients
        go through a ``custom_vjp`` whose backward pass is the plain JAX path.

    Raises:
        InputError: if the last axis of ``fields`` is not ``N``.
    """
    fields = jnp.asarray(fields)
    _check_fields(mesh, fields, "columns")
    interpret = default_interpret() if interpret is None else bool(interpret)
    return _propagate(mesh, fields, chip, interpret, block_rows)
