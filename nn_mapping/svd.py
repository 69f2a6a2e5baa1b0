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

Detection follows ``hw.accumulation`` (see :mod:`nn_mapping.hardware`): with
``"digital"`` every tile output is detected and digitised on its own and the
digitised partial sums of a tile row are added electronically; with ``"analog"`` the
gain-weighted photocurrents of a tile row are integrated on the receiver and each
output is digitised once, on an ADC range calibrated for the sum.
"""

import contextlib
import logging

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from nn_mapping import detection, tiling
from photonics.decompose import decompose_batch
from photonics.imperfections import sample_chip
from photonics.mesh import Mesh, transfer_matrix

logger = logging.getLogger(__name__)

CHUNK_TILES = 1024
"""Most unitaries decomposed in one vectorised call (bounds the loop's memory)."""


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
            With analog accumulation it still sets each detector's intensity
            reference.
        sum_full_scale: ``(B, R, N)`` ADC full scale of each output of a tile row
            under analog accumulation, in the same normalised units as the
            integrated signal ``sum_c gain_c T_c u_c``: worst case
            ``sum_c gain_c full_scale_c`` from :func:`realise`, narrowed by
            :func:`calibrate_adc`.
        shape: ``(M, K)``.
        core_size: ``N``.
        is_complex: whether the weight is complex (read both quadratures).
    """

    t_real: jax.Array
    t_imag: jax.Array
    gain: jax.Array
    full_scale: jax.Array
    sum_full_scale: jax.Array
    shape: tuple[int, int] = eqx.field(static=True)
    core_size: int = eqx.field(static=True)
    is_complex: bool = eqx.field(static=True)


@contextlib.contextmanager
def _serial_blas():
    """Run LAPACK/BLAS on one thread inside the block, where ``threadpoolctl`` exists.

    The SVDs and unitarity checks of a stack of small tiles gain nothing from BLAS
    threads, and on a loaded machine spinning BLAS threads make them tens of times
    slower; without ``threadpoolctl`` the block runs unchanged.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def svd_tiles(tiles):
    """Batched SVD of ``(..., N, N)`` tiles: ``(u, sigma, vh, gain)`` in float64.

    ``tiles = gain[..., None, None] * u @ diag(sigma) @ vh`` with ``sigma <= 1``;
    all-zero tiles get ``gain = 0`` and ``sigma = 0``. One LAPACK call for the whole
    stack.
    """
    dtype = np.complex128 if np.iscomplexobj(tiles) else np.float64
    with _serial_blas():
        u, s, vh = np.linalg.svd(np.asarray(tiles, dtype))
    gain = s[..., 0]
    safe = np.where(gain > 0, gain, 1.0)
    return u, s / safe[..., None], vh, gain


def decompose_many(unitaries, topology, chunk=CHUNK_TILES):
    """Decompose ``(T, N, N)`` unitaries, returning one stacked :class:`Mesh`.

    Calls :func:`photonics.decompose.decompose_batch` (one vectorised loop) on chunks
    of at most ``chunk`` unitaries, which bounds the memory of the loop's state; the
    phases equal those of :func:`photonics.decompose.decompose` tile by tile.
    """
    unitaries = np.asarray(unitaries)
    with _serial_blas():
        meshes = [
            decompose_batch(unitaries[i : i + chunk], topology)
            for i in range(0, unitaries.shape[0], chunk)
        ]
    if len(meshes) == 1:
        return meshes[0]
    return jax.tree.map(lambda *leaves: np.concatenate(leaves), *meshes)


def _reshape_mesh(mesh, lead):
    return jax.tree.map(lambda a: a.reshape(lead + a.shape[1:]), mesh)


def compile_weights(weights, core_size, topology="clements"):
    """Compile ``(B, M, K)`` weights onto ``N x N`` cores (deterministic, no chip).

    All tiles are factorised by one batched SVD, and the ``U`` and ``V^H`` factors of
    every tile are decomposed together by :func:`decompose_many`.

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
    count = flat.shape[0]
    u, sigma, vh, gain = svd_tiles(flat)
    meshes = decompose_many(np.concatenate([u, vh]), topology)
    u_mesh = jax.tree.map(lambda a: a[:count], meshes)
    v_mesh = jax.tree.map(lambda a: a[count:], meshes)
    logger.debug("compiled %s weights onto %d tiles", weights.shape, count)
    return SVDOperator(
        u_mesh=_reshape_mesh(u_mesh, lead),
        v_mesh=_reshape_mesh(v_mesh, lead),
        sigma=sigma.reshape((*lead, core_size)),
        gain=gain.reshape(lead),
        shape=tuple(int(d) for d in weights.shape[1:]),
        core_size=core_size,
        is_complex=bool(np.iscomplexobj(weights)),
    )


def _flatten(tree, count):
    return jax.tree.map(lambda a: jnp.asarray(a).reshape((count, *a.shape[3:])), tree)


def _transmission(matrix):
    n = matrix.shape[-1]
    return jnp.sum(jnp.abs(matrix) ** 2, axis=(-2, -1)) / n


def _mesh_matrices(mesh, keys, imperfections):
    """Transfer matrices of a stack of meshes, each on its own chip (``keys``)."""
    if keys is None:
        return jax.vmap(transfer_matrix)(mesh)

    def one(m, key):
        return transfer_matrix(m, sample_chip(key, m, imperfections))

    return jax.vmap(one)(mesh, keys)


@eqx.filter_jit
def _realise_tiles(operator, key, imperfections, adc_headroom):
    """Transfer matrices, calibrated gains and worst-case ADC ranges of all tiles.

    The ``U`` and ``V^H`` meshes of the ``T`` tiles go through one vmapped kernel;
    chip ``i`` of the ``2 T`` chips drawn from ``key`` belongs to ``U`` mesh ``i``
    for ``i < T`` and to ``V^H`` mesh ``i - T`` otherwise.
    """
    lead = operator.grid
    count = int(np.prod(lead))
    meshes = jax.tree.map(
        lambda a, b: jnp.concatenate([a, b]),
        _flatten(operator.u_mesh, count),
        _flatten(operator.v_mesh, count),
    )
    keys = None if key is None else jax.random.split(key, 2 * count)
    matrices = _mesh_matrices(meshes, keys, imperfections)
    mat_u, mat_v = matrices[:count], matrices[count:]
    sigma = jnp.asarray(operator.sigma).reshape(count, 1, -1).astype(mat_u.dtype)
    transfer = (mat_u * sigma) @ mat_v
    gain = jnp.asarray(operator.gain).reshape(count)
    gain = gain / jnp.sqrt(_transmission(mat_u) * _transmission(mat_v))
    full_scale = adc_headroom * jnp.sum(jnp.abs(transfer), axis=-1)
    full_scale = full_scale.reshape((*lead, -1))
    gain = gain.reshape(lead)
    transfer = transfer.reshape(lead + transfer.shape[-2:])
    return RealisedOperator(
        t_real=jnp.real(transfer),
        t_imag=jnp.imag(transfer),
        gain=gain,
        full_scale=full_scale,
        sum_full_scale=jnp.sum(gain[..., None] * full_scale, axis=2),
        shape=operator.shape,
        core_size=operator.core_size,
        is_complex=operator.is_complex,
    )


def realise(operator, hw, key=None):
    """Sample one chip for every tile of ``operator`` and build the transfer matrices.

    All tiles are realised by one jit-compiled, vmapped kernel (chip sampling and
    transfer matrices of every mesh at once); the transfer matrices are built here,
    once, so that running the operator costs one batched product per call.

    Args:
        operator: an :class:`SVDOperator`.
        hw: the :class:`nn_mapping.hardware.Hardware` (imperfections, ADC range).
        key: ``jax.random`` key of the chip; ``None`` (or hardware without
            imperfections) gives the ideal, programmed meshes.

    Returns:
        A :class:`RealisedOperator`.
    """
    if key is None or not hw.has_imperfections:
        key = None
    return _realise_tiles(operator, key, hw.imperfections(), hw.adc_headroom)


def _column_major(t, dtype):
    """``(B, R, C, N, N)`` tile matrices as ``(B, C, R N, N)``: per tile column, the
    matrices of its ``R`` tiles stacked along the output axis."""
    b, r, c, n, _ = t.shape
    return t.astype(dtype).transpose(0, 2, 1, 3, 4).reshape(b, c, r * n, n)


def _tile_fields(operator, u):
    """Output fields of every tile: ``(real, imag)``, each ``(B, C, R, N, n)``.

    ``u`` is the ``(B, C, N, n)`` normalised drive. The tiles of one tile column share
    their inputs, so each column is one dense ``R N x N`` product with the column's
    inputs (one batched matmul per quadrature for the whole operator); every tile's
    output stays separate for its own detectors and ADC. Under ``jit`` a quadrature
    that nothing reads (the imaginary part of a noiseless real readout) is dropped.
    """
    b, rows, cols, n_core, _ = operator.t_real.shape
    dtype = jnp.real(u).dtype

    def product(t, v):
        y = jnp.einsum("bcij,bcjn->bcin", _column_major(t, dtype), v)
        return y.reshape(b, cols, rows, n_core, -1)

    return _complex_product(product, operator, u)


def _complex_product(product, operator, u):
    """``(Re, Im)`` of ``T u`` from a real bilinear ``product`` of T's planes and u."""
    t_re, t_im = operator.t_real, operator.t_imag
    if not jnp.iscomplexobj(u):
        return product(t_re, u), product(t_im, u)
    u_re, u_im = jnp.real(u), jnp.imag(u)
    real = product(t_re, u_re) - product(t_im, u_im)
    imag = product(t_re, u_im) + product(t_im, u_re)
    return real, imag


def _by_column(a):
    """``(B, R, C, ...)`` to the ``(B, C, R, ...)`` layout of :func:`_tile_fields`."""
    return jnp.swapaxes(a, 1, 2)


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


def _peak(real, imag):
    """Largest quadrature magnitude over the last (sample) axis."""
    return jnp.maximum(jnp.max(jnp.abs(real), axis=-1), jnp.max(jnp.abs(imag), axis=-1))


def _integrated_fields(operator, u):
    """Noise-free integrated signals of analog accumulation: ``(real, imag)``.

    Each is ``(B, R, N, n)``: ``sum_c gain_c T_rc u_c`` for the ``(B, C, N, n)``
    drive ``u``, computed as one dense product per quadrature with the gain-weighted
    tiles reassembled into one matrix (the sum over a tile row is the matrix
    product's own sum over its inner axis).
    """
    b, rows, cols, n_core, _ = operator.t_real.shape
    dtype = jnp.real(u).dtype
    gain = operator.gain.astype(dtype)[..., None, None]
    shape = (rows * n_core, cols * n_core)

    def product(t, v):
        dense = tiling.from_tiles(t.astype(dtype) * gain, shape)
        return (dense @ v.reshape(b, shape[1], -1)).reshape(b, rows, n_core, -1)

    return _complex_product(product, operator, u)


@eqx.filter_jit
def _calibrated_full_scale(operator, calibration, input_scale, dac_bits, headroom):
    """Calibrated ADC full scales ``(B, R, C, N)`` per tile and ``(B, R, N)`` per
    integrated output (each the worst case where the calibration peak is zero)."""
    u = detection.convert_inputs(calibration, dac_bits, input_scale)
    u = tiling.split_inputs(u, operator.gain.shape[2], operator.core_size)
    u = u.astype(jnp.result_type(u.dtype, operator.t_real.dtype))
    real, imag = _tile_fields(operator, u)
    peak = _by_column(_peak(real, imag)).astype(operator.full_scale.dtype)
    tile = jnp.where(peak > 0, headroom * peak, operator.full_scale)

    total = _peak(*_integrated_fields(operator, u))
    total = total.astype(operator.sum_full_scale.dtype)
    summed = jnp.where(total > 0, headroom * total, operator.sum_full_scale)
    return tile, summed


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
        quadrature each tile output reached, and ``sum_full_scale`` = the same for
        each gain-weighted sum over a tile row (analog accumulation); the worst case
        where the largest is zero.
    """
    if np.ndim(calibration) == 0:
        return operator
    full_scale, sum_full_scale = _calibrated_full_scale(
        operator,
        jnp.asarray(calibration),
        jnp.asarray(input_scale),
        hw.dac_bits,
        hw.adc_headroom,
    )
    return eqx.tree_at(
        lambda o: (o.full_scale, o.sum_full_scale),
        operator,
        (full_scale, sum_full_scale),
    )


def _read_digital(operator, fields, hw, quadratures, key):
    """Per-tile detection and ADC, digitised partial sums added: ``(B, R, N, n)``."""
    dtype = fields[0].dtype
    full_scale = _by_column(operator.full_scale).astype(dtype)[..., None]
    detected = detection.read_outputs(key, fields, full_scale, hw, quadratures)
    gain = _by_column(operator.gain).astype(dtype)[..., None, None]
    return tiling.sum_columns(detected * gain, 1)


def _integrated_variance(operator, u, hw):
    """Noise variance of each integrated output, ``(B, R, N, n)``.

    ``sum_c gain_c**2 var_c`` with each tile detector's ``var_c = a_c |s_c|**2 +
    f_c`` (:func:`nn_mapping.detection.balanced_noise_terms`): the signal-shot-noise
    part is the summed power of the tiles with rows scaled by ``gain_c sqrt(a_c)``
    (:func:`nn_mapping.tiling.sum_column_powers`), the rest a constant per output.
    A detector whose tile has zero gain or whose output range is zero contributes
    nothing, as its ADC would read zero in digital accumulation.
    """
    dtype = jnp.real(u).dtype
    full_scale = operator.full_scale.astype(dtype)
    per_power, floor = detection.balanced_noise_terms(full_scale, hw)
    gain = operator.gain.astype(dtype)[..., None]
    live = (gain > 0) & (full_scale > 0)
    weight = jnp.where(live, gain * jnp.sqrt(per_power), 0)[..., None]
    floor = jnp.sum(jnp.where(live, gain**2 * floor, 0), axis=2)
    t_re = operator.t_real.astype(dtype) * weight
    t_im = operator.t_imag.astype(dtype) * weight
    return tiling.sum_column_powers(t_re, t_im, u) + floor[..., None]


def _read_analog(operator, u, hw, quadratures, key):
    """Integrated photocurrents of each tile row, one ADC per output: ``(B, R, N, n)``.

    The noise of the integrated output has the gain-squared-weighted sum of the
    tiles' detector variances; one draw per output and quadrature.
    """
    sums = _integrated_fields(operator, u)[:quadratures]
    variance = _integrated_variance(operator, u, hw) if hw.noisy else None
    full_scale = operator.sum_full_scale.astype(sums[0].dtype)[..., None]
    return detection.read_integrated(key, sums, variance, full_scale, hw)


def apply(operator, x, x_scale, hw, key=None):
    """Run inputs through a realised operator: DAC, cores, detection, ADC, sums.

    The tiles' precomputed transfer matrices are applied as one batched product in
    the real precision of ``x`` (float32 inputs never touch complex128). With
    ``hw.accumulation == "digital"``, detection noise and ADC quantisation then act
    on all tile outputs at once, each tile output with its own detector noise and its
    own ADC, and the digitised partial sums of a tile row are added electronically.
    With ``"analog"``, the gain-weighted photocurrents of a tile row are integrated
    on the receiver: the noise-free signals add, the detector noise variances add
    (one Gaussian draw per output and quadrature), and one ADC per output digitises
    the sum on ``operator.sum_full_scale``; ``C`` times fewer conversions, each
    needing the dynamic range of the sum. No approximation: this is the per-tile
    model of :mod:`nn_mapping.tiling` and :mod:`nn_mapping.detection`, vectorised.

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
    cols = operator.gain.shape[2]
    u = detection.convert_inputs(x, hw.dac_bits, x_scale)
    u = tiling.split_inputs(u, cols, operator.core_size)
    quadratures = 2 if (operator.is_complex or jnp.iscomplexobj(u)) else 1
    if hw.accumulation == "analog":
        partial = _read_analog(operator, u, hw, quadratures, key)
    else:
        fields = _tile_fields(operator, u)
        partial = _read_digital(operator, fields, hw, quadratures, key)
    b, rows, n_core, n = partial.shape
    return partial.reshape(b, rows * n_core, n)[:, :m] * x_scale
