"""Analog accumulation of a tile row: exact sums, summed noise variances, one ADC."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nn_mapping import detection, svd, tiling
from nn_mapping.accuracy import digits_hardware, digits_mlp_accuracy
from nn_mapping.hardware import Hardware
from nn_mapping.program import compile_matrix
from photonics.errors import InputError
from photonics.testing import assert_allclose

CORE = 8


def _operator(w, hw, calibration=None, x_scale=1.0):
    operator = svd.realise(svd.compile_weights(w, CORE), hw)
    if calibration is not None:
        operator = svd.calibrate_adc(operator, calibration, x_scale, hw)
    return operator


@pytest.mark.parametrize("complex_", [False, True])
def test_noiseless_analog_equals_digital_equals_dense(complex_):
    rng = np.random.default_rng(0)
    w = rng.normal(size=(2, 20, 37))
    if complex_:
        w = w + 1j * rng.normal(size=w.shape)
    x = jnp.asarray(rng.uniform(-1, 1, size=(2, 37, 5)))
    outputs = {}
    for mode in ("digital", "analog"):
        hw = Hardware.ideal(CORE).replace(accumulation=mode)
        outputs[mode] = svd.apply(_operator(w, hw), x, 1.0, hw)
    scale = CORE * np.sqrt(37) * np.abs(w).max()
    assert_allclose(outputs["analog"], w @ x, dtype=np.float64, scale=scale)
    assert_allclose(outputs["analog"], outputs["digital"], np.float64, scale)
    assert jnp.iscomplexobj(outputs["analog"]) == complex_


def test_analog_program_float32_matches_dense():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(24, 40)).astype(np.float32)
    hw = Hardware.ideal(16).replace(accumulation="analog")
    program = compile_matrix(w, hw)
    x = rng.uniform(-1, 1, size=(8, 40)).astype(np.float32)
    y = jax.vmap(program)(jnp.asarray(x))
    assert y.dtype == jnp.float32
    assert_allclose(y, x @ w.T, dtype=np.float32, scale=16 * np.sqrt(40))


def _closed_form_variance(operator, u, hw):
    """``sum_c gain_c**2 var_c`` per output from the balanced-detection formula."""
    t = np.asarray(operator.t_real) + 1j * np.asarray(operator.t_imag)
    fields = np.einsum("brcij,bcj->brci", t, u.reshape(1, -1, CORE))
    scale = hw.full_scale_photons**0.5
    full_scale = np.asarray(operator.full_scale)
    if hw.detection == "coherent":
        reference = hw.lo_photons**0.5
    else:
        reference = full_scale * scale
    eta, thermal = hw.quantum_efficiency, hw.thermal_noise_electrons
    current = eta * (np.abs(fields * scale) ** 2 + reference**2) + 2 * thermal**2
    variance = current / (2 * eta * reference) ** 2 / scale**2
    gain = np.asarray(operator.gain)[..., None]
    return np.sum(gain**2 * variance, axis=2).reshape(-1)


@pytest.mark.parametrize("complex_", [False, True])
@pytest.mark.parametrize("detection_mode", ["coherent", "intensity"])
def test_analog_noise_variance_is_sum_of_tile_variances(detection_mode, complex_):
    rng = np.random.default_rng(2)
    w = rng.normal(size=(1, 16, 32))  # 2 tile rows x 4 tile columns
    u = rng.uniform(-1, 1, size=32)
    if complex_:
        w = w + 1j * rng.normal(size=w.shape)
        u = u + 1j * rng.uniform(-1, 1, size=32)
    # A local oscillator as weak as the signal makes the signal's own shot noise
    # as large as the oscillator's (coherent); intensity readout's reference scales
    # with the ADC range.
    base = Hardware.ideal(CORE).replace(
        power_mW=1e-3,
        lo_power_mW=1e-3,
        detection=detection_mode,
        adc_headroom=100.0,
    )
    samples = 20000
    x = jnp.asarray(np.broadcast_to(u[None, :, None], (1, 32, samples)))
    variances = {}
    for mode in ("digital", "analog"):
        hw = base.replace(accumulation=mode)
        operator = _operator(w, hw)
        y = np.asarray(svd.apply(operator, x, 1.0, hw, jax.random.key(3))[0])
        # Each quadrature has the full variance.
        variances[mode] = np.concatenate([np.var(y.real, -1), np.var(y.imag, -1)])
        variances[mode] = variances[mode][: 32 if complex_ else 16]
    # adc_headroom = 100 keeps every noisy sample far inside the ADC range.
    limit = np.asarray(operator.sum_full_scale).reshape(-1, 1)
    assert np.all(np.abs(y.real) < limit) and np.all(np.abs(y.imag) < limit)
    expected = _closed_form_variance(operator, u, base)
    expected = np.tile(expected, 2 if complex_ else 1)
    # A sample variance of 20000 Gaussian draws has a relative spread of 1 %.
    np.testing.assert_allclose(variances["analog"], expected, rtol=0.05)
    np.testing.assert_allclose(variances["digital"], expected, rtol=0.05)
    ratio = np.mean(variances["analog"] / expected)
    assert ratio == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize("complex_", [False, True])
def test_summed_column_powers_equal_a_loop_over_tiles(complex_):
    rng = np.random.default_rng(6)
    t = rng.normal(size=(2, 3, 4, 5, 5)) + 1j * rng.normal(size=(2, 3, 4, 5, 5))
    u = rng.normal(size=(2, 4, 5, 7))
    if complex_:
        u = u + 1j * rng.normal(size=u.shape)
    got = tiling.sum_column_powers(jnp.asarray(t.real), jnp.asarray(t.imag), u)
    fields = np.einsum("brcij,bcjn->brcin", t, u)
    assert_allclose(got, np.sum(np.abs(fields) ** 2, axis=2), np.float64, scale=50)


@pytest.mark.parametrize("bits", [3, 6])
def test_analog_adc_error_at_most_half_lsb_of_its_full_scale(bits):
    rng = np.random.default_rng(4)
    w = rng.normal(size=(1, 16, 40))
    x = jnp.asarray(rng.uniform(-2, 2, size=(1, 40, 64)))
    x_scale = 2.0
    hw = Hardware.ideal(CORE).replace(adc_bits=bits, accumulation="analog")
    operator = _operator(w, hw, calibration=x, x_scale=x_scale)
    y = np.asarray(svd.apply(operator, x, x_scale, hw))
    full_scale = np.asarray(operator.sum_full_scale).reshape(-1)[:, None] * x_scale
    step = detection.lsb(bits, full_scale)
    error = np.abs(y[0] - np.asarray(w @ x)[0])
    assert np.all(error <= step / 2 * (1 + 1e-9) + 1e-12 * full_scale)
    # One conversion per output: every output lies on its ADC's grid.
    levels = (y[0] + full_scale) / step
    np.testing.assert_allclose(levels, np.round(levels), atol=1e-6)
    assert np.max(error) > step.min() / 100


def test_analog_full_scale_is_calibrated_on_the_sum():
    rng = np.random.default_rng(5)
    w = rng.normal(size=(1, 8, 32))
    x = jnp.asarray(rng.uniform(-1, 1, size=(1, 32, 50)))
    hw = Hardware.ideal(CORE).replace(accumulation="analog")
    worst = _operator(w, hw)
    calibrated = _operator(w, hw, calibration=x)
    peak = np.max(np.abs(np.asarray(w @ x)), axis=-1)
    np.testing.assert_allclose(calibrated.sum_full_scale.reshape(-1), peak[0])
    assert np.all(np.asarray(worst.sum_full_scale) >= peak - 1e-12)


def test_unknown_accumulation_is_rejected():
    with pytest.raises(InputError, match="accumulation"):
        Hardware(accumulation="optical")
    assert Hardware().accumulation == "digital"


def test_digits_accuracy_with_analog_accumulation_close_to_digital():
    hw = digits_hardware(bits=8, power_mW=1.0, accumulation="analog")
    result = digits_mlp_accuracy(hardware=hw)
    assert result["digital"] > 0.9
    assert abs(result["drop"]) <= 0.02
