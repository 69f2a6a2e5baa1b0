"""An arbitrary matrix as an optical operator: SVD, two meshes and attenuators.

Each ``N x N`` tile ``W_t`` of a weight (see :mod:`nn_mapping.tiling`) is factorised
``W_t = U diag(s) V^H`` (Shen et al., Nat. Photon. 11, 441 (2017)). Light crosses the
mesh programmed with ``V^H``, a column of attenuators with transmissions
``sigma = s / max(s)`` (all at most 1, since a passive chip cannot amplify), then the
mesh programmed with ``U``; the global gain ``max(s)`` is applied after detection.

Execution on a chip. :func:`realise` samples one chip (imperfections per MZI from
:mod:`photonics.imperfections`, one independent chip per tile) and builds each tile's
imperfect transfer matrix ``T = U_chip diag(sigma) V_chip`` once. The program then
applies ``T`` to a batch as one dense product: light propagation through a linear
passive circuit is exactly this matrix product, so the physics is unchanged and the
cost per input is that of a matmul. The gain is calibrated against the mean power
transmission of each sampled mesh, ``|M|_F**2 / N``, as a real system calibrates its
insertion loss; what remains of the imperfections is the error of the mapping.
"""

import logging

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from nn_mapping import detection, tiling
from photonics.decompose import decompose
from photonics.imperfections import sample_chip
from photonics.mesh import Mesh, transfer_matrix

logger = logging.getLogger(__name__)


class SVDOperator(eqx.Module):
    """A stack of weights compiled onto tiled cores (no chip sampled yet).

    Attributes:
        u_mesh: stacked :class:`photonics.Mesh` of the ``U`` factors, leading axes
            ``(B, R, C)``.
        v_mesh: stacked meshes of the ``V^H`` factors, same axes.
        sigma: ``(B, R, C, N)`` attenuator transmissions (amplitude) in [0, 1].
        gain: ``(B, R, C)`` largest singular value of each tile.
        shape: ``(M, K)`` of one weight.
        core_size: ``N``.
        is_complex: whether the weights are complex.
    """

    u_mesh: Mesh
    v_mesh: Mesh
    sigma: jax.Array
    gain: jax.Array
    shape: tuple[int, int] = eqx.field(static=True)
    core_size: int = eqx.field(static=True)
    is_complex: bool = eqx.field(static=True)

    @property
    def grid(self):
        """``(B, R, C)``: weights, tile rows, tile columns."""
        return tuple(self.gain.shape)


class RealisedOperator(eqx.Module):
    """An :class:`SVDOperator` on one sampled chip, ready to run.

    Attributes:
        t_real, t_imag: ``(B, R, C, N, N)`` real and imaginary parts of each tile's
            transfer matrix ``U_chip diag(sigma) V_chip`` (amplitude, dimensionless).
        gain: ``(B, R, C)`` electronic gain applied to each tile's detected output.
        full_scale: ``(B, R, C, N)`` ADC full scale of each output, normalised to
            the full-scale input amplitude. :func:`realise` sets the worst case (the
            largest output any input within the DAC range can produce, the row sums
            of ``|T|``); :func:`calibrate_adc` narrows it to the calibration data.
        shape: ``(M, K)``.
        core_size: ``N``.
        is_complex: whether the weight is complex (read both quadratures).
    """

    t_real: jax.Array
    t_imag: jax.Array
    gain: jax.Array
    full_scale: jax.Array
    shape: tuple[int, int] = eqx.field(static=True)
    core_size: int = eqx.field(static=True)
    is_complex: bool = eqx.field(static=True)


def svd_tiles(tiles):
    """Batched SVD of ``(..., N, N)`` tiles: ``(u, sigma, vh, gain)`` in float64.

    ``tiles = gain[..., None, None] * u @ diag(sigma) @ vh`` with ``sigma <= 1``;
    all-zero tiles get ``gain = 0`` and ``sigma = 0``.
    """
    dtype = np.complex128 if np.iscomplexobj(tiles) else np.float64
    u, s, vh = np.linalg.svd(np.asarray(tiles, dtype))
    gain = s[..., 0]
    safe = np.where(gain > 0, gain, 1.0)
    return u, s / safe[..., None], vh, gain


def decompose_many(unitaries, topology):
    """Decompose ``(T, N, N)`` unitaries, returning one stacked :class:`Mesh`."""
    meshes = [decompose(u, topology) for u in unitaries]
    return jax.tree.map(lambda *leaves: np.stack(leaves), *meshes)


def _reshape_mesh(mesh, lead):
    return jax.tree.map(lambda a: a.reshape(lead + a.shape[1:]), mesh)


def compile_weights(weights, core_size, topology="clements"):
    """Compile ``(B, M, K)`` weights onto ``N x N`` cores (deterministic, no chip).

    Args:
        weights: ``(B, M, K)`` real or complex array (numpy or JAX).
        core_size: ``N``.
        topology: ``"clements"`` or ``"reck"``.

    Returns:
        An :class:`SVDOperator`.
    """
    weights = np.asarray(weights)
    tiles = tiling.to_tiles(weights, core_size)
    lead = tiles.shape[:3]
    flat = tiles.reshape((-1, core_size, core_size))
    u, sigma, vh, gain = svd_tiles(flat)
    u_mesh = decompose_many(u, topology)
    v_mesh = decompose_many(vh, topology)
    logger.debug("compiled %s weights onto %d tiles", weights.shape, flat.shape[0])
    return SVDOperator(
        u_mesh=_reshape_mesh(u_mesh, lead),
        v_mesh=_reshape_mesh(v_mesh, lead),
        sigma=sigma.reshape((*lead, core_size)),
        gain=gain.reshape(lead),
        shape=tuple(int(d) for d in weights.shape[1:]),
        core_size=core_size,
        is_complex=bool(np.iscomplexobj(weights)),
    )


@eqx.filter_jit
def _mesh_matrices(mesh, keys, imperfections):
    def one(m, key):
        chip = None if key is None else sample_chip(key, m, imperfections)
        return transfer_matrix(m, chip)

    if keys is None:
        return jax.vmap(lambda m: one(m, None))(mesh)
    return jax.vmap(one)(mesh, keys)


def _flatten(tree, count):
    return jax.tree.map(lambda a: jnp.asarray(a).reshape((count, *a.shape[3:])), tree)


def _transmission(matrix):
    n = matrix.shape[-1]
    return jnp.sum(jnp.abs(matrix) ** 2, axis=(-2, -1)) / n


def realise(operator, hw, key=None):
    """Sample one chip for every tile of ``operator`` and build the transfer matrices.

    Args:
        operator: an :class:`SVDOperator`.
        hw: the :class:`nn_mapping.hardware.Hardware` (imperfections, ADC range).
        key: ``jax.random`` key of the chip; ``None`` (or hardware without
            imperfections) gives the ideal, programmed meshes.

    Returns:
        A :class:`RealisedOperator`.
    """
    lead = operator.grid
    count = int(np.prod(lead))
    u_mesh, v_mesh = _flatten(operator.u_mesh, count), _flatten(operator.v_mesh, count)
    keys_u = keys_v = None
    if key is not None and hw.has_imperfections:
        keys_u, keys_v = jnp.split(jax.random.split(key, 2 * count), 2)
    spec = hw.imperfections()
    mat_u = _mesh_matrices(u_mesh, keys_u, spec)
    mat_v = _mesh_matrices(v_mesh, keys_v, spec)
    sigma = jnp.asarray(operator.sigma).reshape(count, -1)
    transfer = (mat_u * sigma[:, None, :].astype(mat_u.dtype)) @ mat_v
    gain = jnp.asarray(operator.gain).reshape(count)
    gain = gain / jnp.sqrt(_transmission(mat_u) * _transmission(mat_v))
    full_scale = hw.adc_headroom * jnp.sum(jnp.abs(transfer), axis=-1)
    shape5 = lead + transfer.shape[-2:]
    return RealisedOperator(
        t_real=jnp.real(transfer).reshape(shape5),
        t_imag=jnp.imag(transfer).reshape(shape5),
        gain=gain.reshape(lead),
        full_scale=full_scale.reshape((*lead, -1)),
        shape=operator.shape,
        core_size=operator.core_size,
        is_complex=operator.is_complex,
    )


def _products(t_real, t_imag, u):
    spec = "brcij,bcjn->brcin"
    if not jnp.iscomplexobj(u):
        return jnp.einsum(spec, t_real, u), jnp.einsum(spec, t_imag, u)
    ur, ui = jnp.real(u), jnp.imag(u)
    real = jnp.einsum(spec, t_real, ur) - jnp.einsum(spec, t_imag, ui)
    imag = jnp.einsum(spec, t_real, ui) + jnp.einsum(spec, t_imag, ur)
    return real, imag


def input_full_scale(calibration, hw):
    """DAC full scale from calibration inputs (array) or a given scale (number).

    ``max |x| * hw.dac_headroom`` for an array (1 if all zero); a number is returned
    as it is.
    """
    if np.ndim(calibration) == 0:
        return float(calibration)
    largest = float(jnp.max(jnp.abs(calibration)))
    if not largest > 0:
        logger.warning("calibration inputs are all zero; DAC full scale set to 1")
        return 1.0
    return largest * hw.dac_headroom


def calibrate_adc(operator, calibration, input_scale, hw):
    """Set each output's ADC full scale from the chip's outputs on calibration data.

    Args:
        operator: a :class:`RealisedOperator`.
        calibration: ``(B, K, n)`` calibration inputs, or a number (keep the worst
            case set by :func:`realise`).
        input_scale: the DAC full scale.
        hw: the hardware (DAC bits, ``adc_headroom``).

    Returns:
        The operator with ``full_scale`` = ``hw.adc_headroom`` times the largest
        quadrature each output reached (the worst case where that is zero).
    """
    if np.ndim(calibration) == 0:
        return operator
    u = detection.convert_inputs(jnp.asarray(calibration), hw.dac_bits, input_scale)
    u = tiling.split_inputs(u, operator.gain.shape[2], operator.core_size)
    real, imag = _products(
        operator.t_real,
        operator.t_imag,
        u.astype(operator.t_real.dtype) if not jnp.iscomplexobj(u) else u,
    )
    peak = jnp.maximum(jnp.max(jnp.abs(real), axis=-1), jnp.max(jnp.abs(imag), axis=-1))
    full_scale = jnp.where(peak > 0, hw.adc_headroom * peak, operator.full_scale)
    return eqx.tree_at(lambda o: o.full_scale, operator, full_scale)


def apply(operator, x, x_scale, hw, key=None):
    """Run inputs through a realised operator: DAC, cores, detection, ADC, sums.

    Args:
        operator: a :class:`RealisedOperator` of ``(B, M, K)`` weights.
        x: ``(B, K, n)`` inputs (real or complex), ``n`` vectors per weight.
        x_scale: DAC full scale (largest input magnitude), scalar.
        hw: the :class:`nn_mapping.hardware.Hardware`.
        key: ``jax.random`` key for detection noise; required when ``hw.noisy``.

    Returns:
        ``(B, M, n)`` outputs ``W @ x`` as the hardware measures them: real for a real
        weight and real inputs, complex otherwise.
    """
    m, _k = operator.shape
    n_core = operator.core_size
    cols = operator.gain.shape[2]
    u = detection.convert_inputs(x, hw.dac_bits, x_scale)
    u = tiling.split_inputs(u, cols, n_core)
    dtype = jnp.real(u).dtype
    t_real, t_imag = operator.t_real.astype(dtype), operator.t_imag.astype(dtype)
    fields = _products(t_real, t_imag, u)
    quadratures = 2 if (operator.is_complex or jnp.iscomplexobj(u)) else 1
    full_scale = operator.full_scale.astype(dtype)[..., None]
    detected = detection.read_outputs(key, fields, full_scale, hw, quadratures)
    partial = detected * operator.gain.astype(dtype)[..., None, None]
    return tiling.accumulate(partial, m) * x_scale
