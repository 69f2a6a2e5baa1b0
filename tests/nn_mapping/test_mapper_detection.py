"""Converters and detection: LSB bounds, shot-noise statistics, readout scaling."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nn_mapping import detection
from nn_mapping.hardware import Hardware
from nn_mapping.program import compile_matrix


@pytest.mark.parametrize("bits", [1, 2, 3, 8])
def test_quantisation_error_at_most_half_lsb(bits):
    full_scale = 2.5
    x = jnp.linspace(-full_scale, full_scale, 10001)
    q = detection.quantize(x, bits, full_scale)
    step = detection.lsb(bits, full_scale)
    assert float(jnp.max(jnp.abs(q - x))) <= step / 2 * (1 + 1e-9)
    assert len(np.unique(np.round(np.asarray(q), 9))) == 2**bits


def test_quantiser_clips_and_passes_gradient_straight_through():
    q = detection.quantize(jnp.array([-9.0, 9.0]), 4, 1.0)
    np.testing.assert_allclose(q, [-1.0, 1.0])
    grad = jax.grad(lambda x: detection.quantize(x, 3, 1.0))(0.3)
    assert grad == 1.0
    assert jax.grad(lambda x: detection.quantize(x, 3, 1.0))(3.0) == 0.0


@pytest.mark.parametrize("photons", [20.0, 400.0, 1e4])
def test_shot_noise_variance_equals_detected_photons(photons):
    eta = 0.8
    counts = detection.photodetect(
        jax.random.key(0), jnp.full((40000,), photons), eta, 0.0
    )
    mean, var = float(jnp.mean(counts)), float(jnp.var(counts))
    assert mean == pytest.approx(eta * photons, rel=0.01)
    # The sample variance of 40000 draws has a relative spread of about 0.7 %.
    assert var == pytest.approx(eta * photons, rel=0.04)


def test_thermal_noise_adds_in_quadrature():
    counts = detection.photodetect(
        jax.random.key(1), jnp.full((40000,), 100.0), 1.0, 30.0
    )
    assert float(jnp.var(counts)) == pytest.approx(100.0 + 900.0, rel=0.04)


def test_balanced_detection_statistics():
    signal = jnp.full((40000,), 3.0 + 4.0j)
    reference, eta, thermal = 50.0, 0.9, 5.0
    estimate = detection.balanced_quadrature(
        jax.random.key(2), signal, reference, eta, thermal
    )
    expected_var = (eta * (25.0 + reference**2) + 2 * thermal**2) / (
        2 * eta * reference
    ) ** 2
    assert float(jnp.mean(estimate)) == pytest.approx(3.0, abs=0.02)
    assert float(jnp.var(estimate)) == pytest.approx(expected_var, rel=0.04)


def test_output_noise_falls_as_inverse_root_power():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(8, 8))
    x = jnp.asarray(rng.uniform(-1, 1, size=(400, 8)))
    errors = []
    for power in (1e-4, 1e-2):
        hw = Hardware.ideal(8).replace(power_mW=power, thermal_noise_electrons=0.0)
        program = compile_matrix(w, hw)
        keys = jax.random.split(jax.random.key(3), x.shape[0])
        y = jax.vmap(lambda xi, k, p=program: p(xi, key=k))(x, keys)
        errors.append(float(jnp.std(y - x @ w.T)))
    # 100x the photons: shot-noise-limited rms error 10x smaller.
    assert errors[0] / errors[1] == pytest.approx(10.0, rel=0.1)


def test_intensity_readout_is_noisier_than_coherent_at_low_power():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(8, 8))
    x = jnp.asarray(rng.uniform(-1, 1, size=(200, 8)))
    errors = {}
    for mode in ("coherent", "intensity"):
        hw = Hardware.ideal(8).replace(power_mW=1e-4, detection=mode)
        program = compile_matrix(w, hw)
        keys = jax.random.split(jax.random.key(4), x.shape[0])
        y = jax.vmap(lambda xi, k, p=program: p(xi, key=k))(x, keys)
        errors[mode] = float(jnp.std(y - x @ w.T))
    assert errors["intensity"] > errors["coherent"]


def test_dac_converts_to_normalised_drive():
    u = detection.convert_inputs(jnp.array([-4.0, 1.0, 8.0]), None, 2.0)
    np.testing.assert_allclose(u, [-1.0, 0.5, 1.0])
    z = detection.convert_inputs(jnp.array([1.0 - 3.0j]), 8, 2.0)
    assert abs(float(z.real[0]) - 0.5) <= detection.lsb(8, 1.0) / 2
    assert float(z.imag[0]) == -1.0


def test_inputs_beyond_the_dac_range_are_clipped():
    rng = np.random.default_rng(5)
    w = rng.normal(size=(6, 5))
    program = compile_matrix(w, Hardware.ideal(8), input_scale=1.0)
    x = jnp.asarray([3.0, -0.5, -2.0, 0.25, 1.0])
    expected = w @ np.clip(np.asarray(x), -1.0, 1.0)
    np.testing.assert_allclose(program(x), expected, rtol=1e-10, atol=1e-12)


def test_outputs_beyond_the_calibrated_adc_range_saturate():
    from nn_mapping.program import compile_function

    rng = np.random.default_rng(6)
    w = rng.normal(size=(6, 5))
    small = jnp.asarray(rng.uniform(-0.2, 0.2, size=(32, 5)))
    hw = Hardware.ideal(8).replace(dac_headroom=10.0)
    program = compile_function(
        lambda x: w @ x, small[0], hardware=hw, calibration=(small,)
    )
    # One tile: each output's ADC range is the largest |W x| seen in calibration.
    peak = np.max(np.abs(np.asarray(small) @ w.T), axis=0)
    x = jnp.asarray(rng.uniform(-1, 1, size=(16, 5)))
    got = jax.vmap(program)(x)
    expected = np.clip(np.asarray(x) @ w.T, -peak, peak)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)
    assert np.any(np.abs(np.asarray(x) @ w.T) > peak)


@pytest.mark.parametrize("bits", [3, 6])
def test_adc_rounds_each_output_to_its_calibrated_grid(bits):
    from nn_mapping.program import compile_function

    rng = np.random.default_rng(7)
    w = rng.normal(size=(6, 5))
    xs = jnp.asarray(rng.uniform(-1, 1, size=(64, 5)))
    hw = Hardware.ideal(8).replace(adc_bits=bits)
    program = compile_function(lambda x: w @ x, xs[0], hardware=hw, calibration=(xs,))
    exact = np.asarray(xs) @ w.T
    peak = np.max(np.abs(exact), axis=0)
    step = 2 * peak / (2**bits - 1)
    # Independent uniform quantiser on [-peak, peak] with 2**bits levels.
    expected = np.round((exact + peak) / step) * step - peak
    np.testing.assert_allclose(jax.vmap(program)(xs), expected, rtol=1e-9, atol=1e-9)
