"""Engines for data-dependent products ``A @ B``, where both operands change per input.

Attention's ``Q K^T`` and ``softmax(.) V`` have no weight to keep in a mesh. Three
engines run them, each with the engine interface of :mod:`nn_mapping.plan`
(``compile``, ``apply``, ``tiles``) on the canonical operands ``A`` ``(B, M, K)`` (the
``lhs``) and ``X`` ``(B, K, n)``; each has its own noise model:

* :class:`ReprogrammedMeshEngine` (``"reprogrammed_mesh"``): per product, the SVD
  ``A_t = U diag(s) V^H`` of every ``N x N`` tile of ``A`` is written into a mesh
  (Shen et al. 2017), then ``X`` streams through as for a static weight. Physical: the
  SVD, the tile gain ``max(s)`` applied after detection, the path loss of
  ``2N + 1`` MZIs (calibrated out of the gain but costing photons), DAC on ``X``,
  coherent/intensity detection and ADC (:mod:`nn_mapping.detection`). Approximation:
  the Clements decomposition of each product is not run inside the traced program
  (:func:`photonics.decompose` is a host-side loop); instead each realised unitary is
  ``U C(H)`` with ``C(H) = (1 - iH/2)^-1 (1 + iH/2)`` (the Cayley map, unitary) of a
  random Hermitian ``H`` whose Frobenius norm matches, to first order, the error of a
  Clements mesh with phase errors of rms ``sigma`` on its ``N(N-1)`` MZI phases and
  ``N`` output phases: ``E |H|_F^2 = sigma^2 (3 N (N - 1) / 2 + N)`` (an internal
  phase moves both rows of its MZI). ``sigma^2`` is the hardware's
  ``phase_error_std_rad^2`` plus the phase-DAC quantisation variance
  ``(2 pi / 2**phase_bits)^2 / 12``. The error is redrawn per product from the call's
  noise key (fresh phases, fresh quantisation errors); without a noise key it comes
  from the chip key, so calls are repeatable. Each product sets every phase shifter of
  its tiles and waits for them to settle: :func:`programming_events` counts it.
* :class:`CrossbarEngine` (``"crossbar"``): the dynamic photonic tensor core of
  Zhu, Gu et al., "Lightening-Transformer", HPCA 2024. Both operands are DAC-quantised
  and modulated every cycle; each element of ``A`` fans out to ``N`` columns and each
  element of ``X`` to ``N`` rows of an ``N x N`` crossbar; every crossing interferes
  ``a`` and ``x`` on a coupler and a balanced photodiode pair sums ``a x`` over ``N``
  wavelengths (one ``k``-tile). Partial sums of ``k``-tiles are digitised separately
  and added electronically.
* :class:`HomodyneEngine` (``"homodyne"``): Hamerly et al., PRX 9, 021032 (2019).
  ``X``'s elements fan out to the ``N`` detectors of a core, each detector meets its
  own row of ``A`` (one channel per output, not split) on a beam splitter and an
  integrating balanced receiver accumulates ``sum_k a x`` over ``k`` time steps; one
  readout (thermal noise and ADC once) per output, whatever ``k``.

Noise of the two-operand engines (per detection, Gaussian limit of shot noise):
operands normalised to their DAC full scales ``u, v`` in [-1, 1] become amplitudes
``sqrt(n_a) u`` and ``sqrt(n_x) v`` (photons per sample ``n = n0 T / fan-out``,
``n0`` the hardware's full-scale photons per sample, ``T`` the path transmission);
a balanced pair returns ``2 eta sqrt(n_a n_x) sum u v`` with variance
``eta sum(n_a u^2 + n_x v^2) + 2 sigma_th^2``. ADC ranges are a fraction (set by
calibration, 1 without it) of the worst case ``|sum u v| <= k``.

Converter ranges. With the mapper's calibration (the ``X`` operands of each op),
``X``'s DAC full scale is fixed by calibration and ``A``'s is taken per product from
its largest magnitude (a block-floating-point DAC, computed electronically before
modulation); ADC ranges are then the worst case. With an :class:`OperandCalibration`
(both operands; :func:`nn_mapping.attention.calibrate_dynamic` builds them) both DAC
ranges are fixed and the ADC range is narrowed to the calibration data.

Limitations: real operands only (attention is real); the ``A`` operand of a static
weight cannot go here (use the ``"mesh"`` engine); no crosstalk between crossbar
cells or relative-intensity noise; the reprogrammed mesh's error is the statistical
model above, not the per-phase error of the actual decomposition.
"""

import dataclasses
import logging
import math
import typing

import equinox as eqx
import jax
import jax.numpy as jnp

from nn_mapping import detection, svd, tiling
from photonics.errors import input_error
from photonics.hardware_energy import OpticalEnergyConfig
from photonics.laser_budget import svd_mesh_depth, svd_mesh_mzis

logger = logging.getLogger(__name__)

#: Names of the engines of this module, in the order of the command line.
DYNAMIC_ENGINES = ("crossbar", "homodyne", "reprogrammed_mesh")
_TINY = 1e-30


class OperandCalibration(typing.NamedTuple):
    """Calibration data of a dynamic op: both canonical operands per example.

    Attributes:
        weight: ``(S, B, M, K)`` lhs operands of ``S`` calibration examples.
        x: ``(S, B, K, n)`` rhs operands of the same examples.
    """

    weight: jax.Array
    x: jax.Array


class DynamicState(eqx.Module):
    """Converter ranges of a dynamic op.

    Attributes:
        weight_scale: DAC full scale of the ``A`` operand (largest magnitude), or 0
            to take it per product from the operand itself.
        input_scale: DAC full scale of the ``X`` operand.
        range_fraction: each ADC full scale as a fraction of the engine's worst case.
        chip_key: key of the chip (reprogrammed mesh errors without a noise key).
    """

    weight_scale: jax.Array
    input_scale: jax.Array
    range_fraction: jax.Array
    chip_key: jax.Array | None = None


def _real_check(name, value):
    if jnp.iscomplexobj(value):
        raise input_error(name, "real operands for a dynamic engine", "complex")


def _operand_scale(w, state):
    """Per-product ``A`` full scale where the state holds none: ``(B, 1, 1)``."""
    own = jnp.max(jnp.abs(w), axis=(-2, -1), keepdims=True)
    own = jnp.where(own > 0, own, 1.0)
    fixed = jnp.asarray(state.weight_scale, w.dtype)
    return jnp.where(fixed > 0, fixed, own)


def _split_k(u, v, core_size):
    """``(B, M, K)`` and ``(B, K, n)`` to ``(B, C, M, N)`` and ``(B, C, N, n)``."""
    b, m, k = u.shape
    cols = math.ceil(k / core_size)
    pad = cols * core_size - k
    u = jnp.pad(u, ((0, 0), (0, 0), (0, pad))).reshape(b, m, cols, core_size)
    return jnp.moveaxis(u, 2, 1), tiling.split_inputs(v, cols, core_size)


def _transmission(loss_dB):
    return 10.0 ** (-loss_dB / 10.0)


def dot_product_std(u, v, photons_a, photons_x, hw):
    """Standard deviation of a balanced-detection estimate of ``sum_k u v``.

    Args:
        u: ``(..., M, k)`` normalised ``A`` drives in [-1, 1].
        v: ``(..., k, n)`` normalised ``X`` drives.
        photons_a, photons_x: photons per sample of a full-scale element of each
            operand at the detector (after fan-out and loss).
        hw: the :class:`nn_mapping.hardware.Hardware` (efficiency, thermal noise).

    Returns:
        ``(..., M, n)`` noise std in units of ``sum u v``: ``sqrt(eta (n_a sum u^2
        + n_x sum v^2) + 2 sigma_th^2) / (2 eta sqrt(n_a n_x))``.
    """
    eta, thermal = hw.quantum_efficiency, hw.thermal_noise_electrons
    power_a = jnp.sum(u**2, axis=-1)[..., :, None]
    power_x = jnp.sum(v**2, axis=-2)[..., None, :]
    current = eta * (photons_a * power_a + photons_x * power_x) + 2 * thermal**2
    return jnp.sqrt(current) / (2 * eta * math.sqrt(photons_a * photons_x))


def _detect(key, signal, std, full_scale, hw):
    """Add Gaussian detection noise (if ``hw.noisy``) and digitise ``signal``."""
    if hw.noisy:
        noise = jax.random.normal(key, signal.shape, signal.dtype)
        signal = signal + std.astype(signal.dtype) * noise
    return detection.quantize(signal, hw.adc_bits, full_scale)


@dataclasses.dataclass(frozen=True)
class _TwoOperandEngine:
    """Shared compile/apply of the engines that modulate both operands each cycle."""

    path_loss_dB: float = 0.0
    max_tiles: int | None = None
    kinds: typing.ClassVar[tuple] = ("dynamic",)

    def compile(self, op, weight, hw, key, calibration):
        """Fix the converter ranges from calibration data (see module docstring).

        Args:
            op: the traced :class:`nn_mapping.trace.LinearStep`.
            weight: unused (``None`` for dynamic ops).
            hw: the hardware.
            key: chip key (unused by this engine).
            calibration: ``(B, K, n)`` ``X`` operands, a number (DAC full scale of
                ``X``), or an :class:`OperandCalibration`.

        Returns:
            A :class:`DynamicState`.
        """
        return _compile_state(self, op, hw, key, calibration)

    def apply(self, state, weight, x, hw, key):
        """``weight`` ``(B, M, K)`` times ``x`` ``(B, K, n)`` on the engine."""
        w_scale = _operand_scale(weight, state)
        x_scale = jnp.asarray(state.input_scale, x.dtype)
        u = detection.convert_inputs(weight / w_scale, hw.dac_bits, 1.0)
        v = detection.convert_inputs(x, hw.dac_bits, x_scale)
        fraction = jnp.asarray(state.range_fraction, x.dtype)
        y = self.normalised(u, v, hw, key, fraction)
        return y * w_scale * x_scale

    def tiles(self, op, hw):
        """``N x N`` tiles of one product's ``A`` operand, times the op's batch."""
        return tiling.tile_count(op.m, op.k, hw.core_size, op.batch)

    def photons(self, hw):
        """Photons per full-scale element of ``(A, X)`` at the detector."""
        raise NotImplementedError

    def normalised(self, u, v, hw, key, fraction):
        """``sum_k u v`` as measured, for drives normalised to [-1, 1]."""
        raise NotImplementedError

    def ideal_normalised(self, u, v, hw):
        """Worst-case ADC ranges and noiseless outputs: ``(worst, exact)``."""
        raise NotImplementedError


@dataclasses.dataclass(frozen=True)
class CrossbarEngine(_TwoOperandEngine):
    """Crossbar photonic tensor core (Zhu, Gu et al., HPCA 2024); see the module.

    Attributes:
        path_loss_dB: loss between modulators and detectors, dB (default 6 dB, the
            energy model's ``crossbar_loss_dB``).
        max_tiles: most ``N x N`` tiles of ``A`` one op may need (the dynamic cores
            available), ``None`` for no limit.
    """

    name: typing.ClassVar[str] = "crossbar"
    path_loss_dB: float = OpticalEnergyConfig.crossbar_loss_dB

    def photons(self, hw):
        """Both operands fan out to ``N`` cells: ``n0 T / N`` each."""
        n = hw.full_scale_photons * _transmission(self.path_loss_dB) / hw.core_size
        return n, n

    def normalised(self, u, v, hw, key, fraction):
        """Per ``k``-tile partial sums, each detected and digitised, then added."""
        u_t, v_t = _split_k(u, v, hw.core_size)
        partial = jnp.einsum("bcmj,bcjn->bcmn", u_t, v_t)
        std = None
        if hw.noisy:
            std = dot_product_std(u_t, v_t, *self.photons(hw), hw)
        full_scale = fraction * min(u.shape[-1], hw.core_size)
        return jnp.sum(_detect(key, partial, std, full_scale, hw), axis=1)

    def ideal_normalised(self, u, v, hw):
        """Worst case ``min(k, N)`` and the noiseless partial sums."""
        u_t, v_t = _split_k(u, v, hw.core_size)
        partial = jnp.einsum("bcmj,bcjn->bcmn", u_t, v_t)
        return min(u.shape[-1], hw.core_size), partial


@dataclasses.dataclass(frozen=True)
class HomodyneEngine(_TwoOperandEngine):
    """Homodyne products with integrating receivers (Hamerly et al., PRX 2019).

    Attributes:
        path_loss_dB: loss between modulators and detectors, dB (default 3 dB, the
            energy model's ``homodyne_loss_dB``).
        max_tiles: most ``N x N`` tiles of ``A`` one op may need, ``None``: no limit.
    """

    name: typing.ClassVar[str] = "homodyne"
    path_loss_dB: float = OpticalEnergyConfig.homodyne_loss_dB

    def photons(self, hw):
        """``A``: one channel per output, ``n0 T``; ``X`` fans out: ``n0 T / N``."""
        n = hw.full_scale_photons * _transmission(self.path_loss_dB)
        return n, n / hw.core_size

    def normalised(self, u, v, hw, key, fraction):
        """One integrated readout per output over all ``k``."""
        exact = jnp.einsum("bmk,bkn->bmn", u, v)
        std = dot_product_std(u, v, *self.photons(hw), hw) if hw.noisy else None
        return _detect(key, exact, std, fraction * u.shape[-1], hw)

    def ideal_normalised(self, u, v, hw):
        """Worst case ``k`` and the noiseless outputs."""
        return u.shape[-1], jnp.einsum("bmk,bkn->bmn", u, v)


def _calibrated_fraction(engine, op, hw, calibration, w_scale, x_scale):
    """Largest calibration output over the worst case, times ``hw.adc_headroom``."""

    def one(w, x):
        u = detection.convert_inputs(jnp.asarray(w) / w_scale, hw.dac_bits, 1.0)
        v = detection.convert_inputs(jnp.asarray(x), hw.dac_bits, x_scale)
        worst, out = engine.ideal_normalised(u, v, hw)
        return jnp.max(jnp.abs(out) / worst)

    peak = float(jnp.max(jax.vmap(one)(calibration.weight, calibration.x)))
    if not peak > 0:
        return 1.0
    return peak * hw.adc_headroom


def _compile_state(engine, op, hw, key, calibration):
    if isinstance(calibration, OperandCalibration):
        _real_check(f"{op.name} calibration", calibration.weight)
        _real_check(f"{op.name} calibration", calibration.x)
        w_scale = svd.input_full_scale(calibration.weight, hw)
        x_scale = svd.input_full_scale(calibration.x, hw)
        fraction = _calibrated_fraction(engine, op, hw, calibration, w_scale, x_scale)
    else:
        w_scale, fraction = 0.0, 1.0
        _real_check(f"{op.name} calibration", calibration)
        x_scale = svd.input_full_scale(calibration, hw)
    logger.debug("%s on %s: ADC range fraction %.3g", op.name, engine.name, fraction)
    return DynamicState(
        jnp.asarray(w_scale), jnp.asarray(x_scale), jnp.asarray(fraction), key
    )


def realised_phase_std_rad(hw):
    """Effective rms phase error per shifter: static error and phase-DAC rounding."""
    variance = hw.phase_error_std_rad**2
    if hw.phase_bits is not None:
        variance += (2 * math.pi / 2**hw.phase_bits) ** 2 / 12
    return math.sqrt(variance)


def unitary_error(key, shape, sigma_rad, dtype):
    """Random unitaries ``(1 - iH/2)^-1 (1 + iH/2)`` matching a mesh's phase errors.

    Args:
        key: ``jax.random`` key.
        shape: ``(..., N, N)``.
        sigma_rad: rms phase error per shifter, rad.
        dtype: real dtype of the draws.

    Returns:
        Complex unitaries ``C`` with ``E |C - 1|_F^2 ~ sigma^2 (3 N (N - 1) / 2 + N)``
        for small ``sigma`` (the first-order error of a Clements mesh).
    """
    n = shape[-1]
    kr, ki = jax.random.split(key)
    g = jax.random.normal(kr, shape, dtype) + 1j * jax.random.normal(ki, shape, dtype)
    # Entries of g + g^H have E|h|^2 = 4, so E |H|_F^2 = 4 scale^2 N^2.
    scale = sigma_rad * math.sqrt(3 * n * (n - 1) / 2 + n) / (2 * n)
    h = scale * (g + jnp.conj(jnp.swapaxes(g, -1, -2)))
    eye = jnp.eye(n, dtype=h.dtype)
    return jnp.linalg.solve(eye - 0.5j * h, eye + 0.5j * h)


def _realised_tiles(tiles, hw, key, sigma_rad):
    """Transfer matrices and gains of SVD-programmed tiles ``(..., N, N)``."""
    u, s, vh = jnp.linalg.svd(tiles)
    gain = s[..., 0]
    sigma = s / jnp.where(gain > 0, gain, 1.0)[..., None]
    if sigma_rad > 0:
        ku, kv = jax.random.split(key)
        u = u @ unitary_error(ku, u.shape, sigma_rad, tiles.dtype)
        vh = unitary_error(kv, vh.shape, sigma_rad, tiles.dtype) @ vh
    amplitude = 10.0 ** (-hw.loss_dB * svd_mesh_depth(hw.core_size) / 20.0)
    transfer = amplitude * (u * sigma[..., None, :]) @ vh
    return transfer, gain / amplitude


@dataclasses.dataclass(frozen=True)
class ReprogrammedMeshEngine:
    """A mesh programmed with the SVD of one operand per product; see the module.

    Attributes:
        max_tiles: most ``N x N`` tiles one op may need (dynamic cores available),
            ``None`` for no limit.
    """

    max_tiles: int | None = None
    name: typing.ClassVar[str] = "reprogrammed_mesh"
    kinds: typing.ClassVar[tuple] = ("dynamic",)

    def compile(self, op, weight, hw, key, calibration):
        """Fix the converter ranges (as :meth:`CrossbarEngine.compile`)."""
        return _compile_state(self, op, hw, key, calibration)

    def apply(self, state, weight, x, hw, key):
        """Program ``weight``'s tiles, stream ``x`` through: ``(B, M, n)``."""
        error_key = _error_key(state, key)
        x_scale = jnp.asarray(state.input_scale, x.dtype)
        v = detection.convert_inputs(x, hw.dac_bits, x_scale)
        fraction = jnp.asarray(state.range_fraction, x.dtype)
        measured = self._run(weight, v, hw, key, error_key, fraction)
        return measured * x_scale

    def _run(self, weight, v, hw, key, error_key, fraction):
        m = weight.shape[1]
        tiles = jnp.asarray(to_tiles_traced(weight, hw.core_size))
        sigma_rad = realised_phase_std_rad(hw)
        transfer, gain = _realised_tiles(tiles, hw, error_key, sigma_rad)
        v = tiling.split_inputs(v, tiles.shape[2], hw.core_size)
        fields = jnp.einsum("brcij,bcjn->brcin", transfer, v.astype(transfer.dtype))
        worst = jnp.sum(jnp.abs(transfer), axis=-1)[..., None]
        full_scale = fraction * worst
        parts = (jnp.real(fields), jnp.imag(fields))
        detected = detection.read_outputs(key, parts, full_scale, hw, 1)
        partial = detected * gain[..., None, None]
        return tiling.accumulate(partial, m)

    def ideal_normalised(self, u, v, hw):
        """Worst-case ranges (row sums of ``|T|``) and noiseless fields ``T v``."""
        tiles = to_tiles_traced(u, hw.core_size)
        transfer, _ = _realised_tiles(tiles, hw, None, 0.0)
        transfer = jnp.real(transfer)
        v = tiling.split_inputs(v, tiles.shape[2], hw.core_size)
        fields = jnp.einsum("brcij,bcjn->brcin", transfer, v)
        return jnp.sum(jnp.abs(transfer), axis=-1)[..., None], fields

    def tiles(self, op, hw):
        """``N x N`` tiles programmed per call, over the op's batch."""
        return tiling.tile_count(op.m, op.k, hw.core_size, op.batch)


def _error_key(state, key):
    if key is not None:
        return jax.random.fold_in(key, 7)
    if state.chip_key is not None:
        return state.chip_key
    return jax.random.key(0)


def to_tiles_traced(weights, core_size):
    """Traceable version of :func:`nn_mapping.tiling.to_tiles`: ``(B, R, C, N, N)``."""
    b, m, k = weights.shape
    rows, cols = tiling.tile_grid(m, k, core_size)
    pad = ((0, 0), (0, rows * core_size - m), (0, cols * core_size - k))
    padded = jnp.pad(weights, pad)
    tiles = padded.reshape(b, rows, core_size, cols, core_size)
    return tiles.transpose(0, 1, 3, 2, 4)


def dynamic_engines(**options):
    """A fresh engine table with the mapper's engines and the three dynamic ones.

    Args:
        **options: per engine name, a dict of constructor arguments, e.g.
            ``crossbar={"path_loss_dB": 3.0}``.

    Returns:
        dict name -> engine: ``"mesh"``, ``"electronic"``, ``"crossbar"``,
        ``"homodyne"``, ``"reprogrammed_mesh"``.
    """
    from nn_mapping import plan

    classes = {
        "crossbar": CrossbarEngine,
        "homodyne": HomodyneEngine,
        "reprogrammed_mesh": ReprogrammedMeshEngine,
    }
    unknown = sorted(set(options) - set(classes))
    if unknown:
        raise input_error("engine options", f"names in {sorted(classes)}", unknown)
    table = plan.default_engines()
    for name, cls in classes.items():
        table[name] = cls(**options.get(name, {}))
    return table


def programming_events(op, hw, config=None):
    """Phase shifters set and settling time of a reprogrammed-mesh op, per call.

    Args:
        op: a traced dynamic :class:`nn_mapping.trace.LinearStep`.
        hw: the hardware (core size).
        config: :class:`photonics.hardware_energy.OpticalEnergyConfig` for the
            shifters per MZI, settling time and energy per setting (defaults).

    Returns:
        dict: ``products`` (programmings per call, the op's batch), ``tiles``,
        ``shifters_set``, ``settling_time_us`` (tiles settle one after another on
        ``config.dynamic_cores`` cores) and ``programming_energy_J``.
    """
    config = config or OpticalEnergyConfig()
    tiles = tiling.tile_count(op.m, op.k, hw.core_size, op.batch)
    shifters = tiles * svd_mesh_mzis(hw.core_size) * config.shifters_per_mzi
    rounds = math.ceil(tiles / config.dynamic_cores)
    return {
        "products": op.batch,
        "tiles": tiles,
        "shifters_set": shifters,
        "settling_time_us": rounds * config.settling_time_us,
        "programming_energy_J": shifters * config.reconfiguration_energy_J(),
    }


def check_fits(op, engine, hw):
    """Raise unless the dynamic ``op`` fits ``engine``'s ``max_tiles``.

    Raises:
        InputError: naming the op, its shape and the tiles needed.
    """
    needed = engine.tiles(op, hw)
    limit = getattr(engine, "max_tiles", None)
    if limit is not None and needed > limit:
        raise input_error(
            f"{op.name} on {engine.name}",
            f"at most {limit} tiles of {hw.core_size} x {hw.core_size}",
            f"{op.batch} products of {op.m} x {op.k} needing {needed} tiles",
            "shorten the sequence, shrink the heads or raise max_tiles",
        )
