"""Hardware-aware training of the digits MLP."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from nn_mapping import models
from nn_mapping.accuracy import digits_hardware
from nn_mapping.hardware_aware import (
    HardwareModel,
    compare_training,
    hardware_apply,
    hardware_model,
    in_the_loop_apply,
    measured_errors,
    optical_accuracy,
    train_hardware_aware,
    train_in_the_loop,
)
from nn_mapping.program import compile_function, reprogram
from photonics import InputError


def _small_params(dtype=jnp.float64):
    params = models.init_mlp(jax.random.key(0), (8, 5, 3))
    return [(w.astype(dtype), b.astype(dtype) + 0.1) for w, b in params]


def test_hardware_model_follows_the_hardware():
    model = hardware_model(digits_hardware(bits=4, phase_error_std_rad=0.02))
    assert model.bits == 4
    np.testing.assert_allclose(model.weight_noise, 0.02 * np.sqrt(16))


def test_ideal_forward_pass_is_the_mlp():
    params = _small_params()
    x = jax.random.uniform(jax.random.key(1), (6, 8), jnp.float64)
    ideal = HardwareModel(bits=None, weight_noise=0.0)
    apply = eqx.filter_jit(hardware_apply)
    np.testing.assert_allclose(
        apply(params, x, ideal), models.mlp_apply(params, x), atol=1e-12
    )


def test_gradient_matches_finite_differences_without_noise():
    params = _small_params()
    x = jax.random.uniform(jax.random.key(2), (6, 8), jnp.float64)
    labels = jnp.array([0, 1, 2, 0, 1, 2])
    ideal = HardwareModel(bits=None, weight_noise=0.1)

    def loss(p):
        logits = hardware_apply(p, x, ideal)
        return optax.softmax_cross_entropy_with_integer_labels(logits, labels).mean()

    loss = jax.jit(loss)
    grad = jax.jit(jax.grad(loss))(params)[0][0]
    step = 1e-6
    for index in [(0, 0), (2, 5), (4, 7)]:
        shift = jnp.zeros_like(params[0][0]).at[index].set(step)
        up = [(params[0][0] + shift, params[0][1]), params[1]]
        down = [(params[0][0] - shift, params[0][1]), params[1]]
        numeric = (loss(up) - loss(down)) / (2 * step)
        np.testing.assert_allclose(grad[index], numeric, rtol=1e-6, atol=1e-10)


def test_quantised_forward_pass_has_few_levels():
    params = _small_params()
    x = jax.random.uniform(jax.random.key(3), (50, 8), jnp.float64)
    coarse = HardwareModel(bits=2, weight_noise=0.0)
    logits = hardware_apply(params[:1], x, coarse)  # one layer: ADC levels only
    assert np.unique(np.round(np.asarray(logits - params[0][1]), 9)).size <= 4


def test_training_is_deterministic_and_helps_on_coarse_hardware():
    hardware = digits_hardware(bits=3, phase_error_std_rad=0.05)
    digital, data = models.train_digits_mlp()
    optimiser = optax.adam(3e-3)  # one object: the second run reuses the compilation
    runs = [
        train_hardware_aware(
            digital, data, hardware, optimiser, steps=60, key=jax.random.key(0)
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0][1]["loss"], runs[1][1]["loss"])
    model = hardware_model(hardware)
    x, y = jnp.asarray(data.x_test), jnp.asarray(data.y_test)

    @jax.jit
    def accuracy(params):
        def hits(k):
            return jnp.mean(jnp.argmax(hardware_apply(params, x, model, k), -1) == y)

        return jnp.mean(jax.vmap(hits)(jax.random.split(jax.random.key(9), 5)))

    assert float(accuracy(runs[0][0])) > float(accuracy(digital)) + 0.02


def test_bad_steps():
    digital, data = models.train_digits_mlp()
    with pytest.raises(InputError, match="steps"):
        train_hardware_aware(
            digital, data, digits_hardware(), optax.adam(1e-3), steps=0,
            key=jax.random.key(0),
        )  # fmt: skip


@pytest.mark.slow
def test_hardware_aware_network_keeps_more_accuracy_on_the_optical_program():
    hardware = digits_hardware(bits=3, phase_error_std_rad=0.05)
    _, history = compare_training(
        hardware, steps=300, key=jax.random.key(0), loop_steps=60
    )
    mapped = history["digital_then_mapped"]["optical"]
    aware = history["hardware_aware"]["optical"]
    assert aware > mapped + 0.05
    assert history["in_the_loop"]["optical"] > mapped + 0.05


HARSH = digits_hardware(bits=3, phase_error_std_rad=0.05)


def _program(params, data, key):
    return compile_function(
        models.mlp_function(params), jnp.zeros((64,), jnp.float32), hardware=HARSH,
        key=key, calibration=(jnp.asarray(data.x_train),), name="mlp",
    )  # fmt: skip


def test_in_the_loop_forward_pass_is_the_programs():
    """Digital layers shifted by the measured errors give the program's logits, noise
    draw for noise draw, and the gradient is the digital layers'."""
    digital, data = models.train_digits_mlp()
    program = _program(digital, data, jax.random.key(1))
    x = jnp.asarray(data.x_test[:40], jnp.float32)
    noise = jax.random.key(2)
    errors = measured_errors(program, x, noise)
    keys = jax.random.split(noise, x.shape[0])
    want = jax.vmap(lambda xi, ki: program(xi, key=ki))(x, keys)
    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in digital]
    got = in_the_loop_apply(params, x, errors)
    np.testing.assert_allclose(got, want, atol=1e-5 * float(jnp.max(jnp.abs(want))))
    assert float(jnp.max(jnp.abs(errors[0]))) > 0.01  # the chip is far from ideal
    # d(sum logits)/dW2 is the digital layer's: every row the summed hidden
    # activations, here the ones the hardware produced
    grads = jax.grad(lambda p: jnp.sum(in_the_loop_apply(p, x, errors)))(params)
    (w1, b1), _ = params
    hidden = jax.nn.relu(x @ w1.T + errors[0] + b1)
    expected = jnp.broadcast_to(hidden.sum(0), grads[1][0].shape)
    np.testing.assert_allclose(grads[1][0], expected, rtol=1e-5, atol=1e-4)


def test_reprogram_equals_a_fresh_compile_on_the_same_chip():
    digital, data = models.train_digits_mlp()
    first = _program(digital, data, jax.random.key(1))
    moved = [(w * 1.1, b - 0.05) for w, b in digital]
    again = reprogram(
        first, models.mlp_function(moved), key=jax.random.key(1),
        calibration=(jnp.asarray(data.x_train),),
    )  # fmt: skip
    fresh = _program(moved, data, jax.random.key(1))
    x = jnp.asarray(data.x_test[:5], jnp.float32)
    for xi in x:
        np.testing.assert_allclose(
            again(xi, key=jax.random.key(3)), fresh(xi, key=jax.random.key(3)),
            rtol=1e-5, atol=1e-5,
        )  # fmt: skip
    wrong = models.mlp_function(digital[:1])
    with pytest.raises(InputError, match="fn"):
        reprogram(first, wrong, key=jax.random.key(1))


def test_in_the_loop_training_is_deterministic_and_recovers_accuracy():
    digital, data = models.train_digits_mlp()
    key = jax.random.key(4)
    optimiser = optax.adam(3e-3)
    runs = [
        train_in_the_loop(digital, data, HARSH, optimiser, steps=25, key=key)
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0][1]["loss"], runs[1][1]["loss"])
    before = optical_accuracy(digital, data, HARSH, key)["optical"]
    after = optical_accuracy(runs[0][0], data, HARSH, key)["optical"]
    assert after > before + 0.03
    with pytest.raises(InputError, match="batch"):
        train_in_the_loop(digital, data, HARSH, optimiser, steps=1, key=key, batch=0)
