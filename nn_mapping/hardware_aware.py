"""Hardware-aware training of the digits MLP, judged on the simulated optical program.

A network trained digitally and then mapped meets DAC and ADC rounding and the matrix
errors of its meshes for the first time at inference. Hardware-aware training puts a
differentiable model of those effects in the forward pass (noise-injection and
quantisation-aware training, as in Hughes et al., Optica 5, 864 (2018) and Gu et al.,
"ROQ", DATE 2020):

* DAC: each layer's input is scaled by its largest magnitude in the batch (plus 0.1 %)
  and
  quantised with :func:`nn_mapping.detection.convert_inputs` (straight-through);
* mesh errors: the weight matrix is perturbed by Gaussian noise of relative rms
  ``phase_error_std_rad * sqrt(core_size)``, the output error that phase errors of
  rms ``σ`` cause in a mesh of depth ``N`` (a fresh draw every step);
* ADC: each output is quantised with :func:`nn_mapping.detection.quantize` on the
  batch's largest magnitude plus 0.1 % (straight-through).

The comparison then compiles both networks with the mapper
(:func:`nn_mapping.program.compile_function`) on the same sampled chip and measures
test accuracy on the optical program, so the judge is the full simulator, not the
training model.
"""

import functools
import logging
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from nn_mapping import models
from nn_mapping.accuracy import classification_accuracy, digits_hardware
from nn_mapping.detection import convert_inputs, quantize
from nn_mapping.program import compile_function
from photonics.checks import check_int
from photonics.cli_tools import progress as progress_bar

logger = logging.getLogger(__name__)


class HardwareModel(eqx.Module):
    """The training-time model of the hardware.

    Attributes:
        bits: DAC and ADC resolution, or ``None`` for no quantisation (static).
        weight_noise: relative rms error of each realised weight matrix.
    """

    bits: int | None = eqx.field(static=True)
    weight_noise: float


def hardware_model(hardware):
    """The :class:`HardwareModel` of a :class:`nn_mapping.hardware.Hardware`."""
    noise = hardware.phase_error_std_rad * math.sqrt(hardware.core_size)
    return HardwareModel(bits=hardware.adc_bits, weight_noise=float(noise))


_HEADROOM = 1.001


def _scale(x):
    """Converter full scale: the largest magnitude with 0.1 % headroom, so that no
    value sits on the clipping edge (where the clip's gradient would be halved)."""
    peak = jnp.maximum(jnp.max(jnp.abs(x)), 1e-12)
    return jax.lax.stop_gradient(_HEADROOM * peak)


def optical_linear(w, x, model, key):
    """``x @ w.T`` as the hardware model computes it (``key=None``: no noise).

    Args:
        w: ``(out, in)`` weights; x: ``(batch, in)`` inputs.
        model: a :class:`HardwareModel`; key: ``jax.random`` key or ``None``.
    """
    x_scale = _scale(x)
    drive = convert_inputs(x, model.bits, x_scale) * x_scale
    if key is not None:
        rms = jnp.sqrt(jnp.mean(w**2))
        w = w + model.weight_noise * rms * jax.random.normal(key, w.shape, w.dtype)
    y = drive @ w.T
    return quantize(y, model.bits, _scale(y))


def hardware_apply(params, x, model, key=None):
    """Logits of the MLP ``params`` through the hardware model (``key``: noise)."""
    keys = [None] * len(params) if key is None else jax.random.split(key, len(params))
    for (w, b), k in zip(params[:-1], keys[:-1], strict=True):
        x = jax.nn.relu(optical_linear(w, x, model, k) + b)
    w, b = params[-1]
    return optical_linear(w, x, model, keys[-1]) + b


def _loss(params, x, y, model, key):
    logits = hardware_apply(params, x, model, key)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


@functools.partial(eqx.filter_jit, donate="none")
def _step(params, state, x, y, model, key, optimiser):
    loss, grads = jax.value_and_grad(_loss)(params, x, y, model, key)
    updates, state = optimiser.update(grads, state, params)
    return optax.apply_updates(params, updates), state, loss


def train_hardware_aware(
    params, data, hardware, optimiser, *, steps, key, progress=False
):
    """Fine-tune the MLP ``params`` through the hardware model of ``hardware``.

    Args:
        params: starting layers ``[(W (out, in), b), ...]`` (e.g. the digitally
            trained ones from :func:`nn_mapping.models.train_digits_mlp`).
        data: a :class:`nn_mapping.models.DigitsData` (full-batch training).
        hardware: the :class:`nn_mapping.hardware.Hardware` to train for.
        optimiser: an ``optax.GradientTransformation``.
        steps: optimiser steps; key: ``jax.random`` key of the noise draws.
        progress: show a progress bar.

    Returns:
        ``(params, history)``: trained float32 layers and ``{"loss": (steps,)}``.

    Raises:
        InputError: for ``steps < 1``.
    """
    check_int("steps", steps, minimum=1)
    model = hardware_model(hardware)
    params = jax.tree_util.tree_map(jnp.asarray, params)
    x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
    state = optimiser.init(params)
    losses = []
    for k in progress_bar(
        jax.random.split(key, steps), "hardware-aware", steps, progress
    ):
        params, state, loss = _step(params, state, x, y, model, k, optimiser)
        losses.append(float(loss))
        if len(losses) % 50 == 0:
            logger.info("hardware-aware step %d: loss %.4f", len(losses), loss)
    params = [(np.asarray(w, np.float32), np.asarray(b, np.float32)) for w, b in params]
    return params, {"loss": np.asarray(losses)}


def optical_accuracy(params, data, hardware, key):
    """Test accuracy of the MLP ``params`` compiled by the mapper onto ``hardware``.

    The chip is drawn from ``key`` (the same key gives the same chip for any weights)
    and detection noise from a key split off it.

    Returns:
        ``{"digital", "optical", "drop"}`` fractions of the test set.
    """
    chip_key, noise_key = jax.random.split(key)
    fn = models.mlp_function(params)
    program = compile_function(
        fn, jnp.zeros((64,), jnp.float32), hardware=hardware, key=chip_key,
        calibration=(jnp.asarray(data.x_train),), name="mlp",
    )  # fmt: skip
    x_test = jnp.asarray(data.x_test, jnp.float32)
    return classification_accuracy(program, fn, x_test, data.y_test, noise_key)


def compare_training(
    hardware=None, optimiser=None, *, steps=300, key, hidden=64, progress=False
):
    """Digitally trained then mapped, against hardware-aware trained, on one chip.

    Args:
        hardware: the harsh :class:`nn_mapping.hardware.Hardware` (default: 4-bit
            converters, 0.03 rad phase error, core size 16, 1 mW).
        optimiser: for the fine-tuning (default ``optax.adam(3e-3)``).
        steps: hardware-aware steps; key: ``jax.random`` key (noise and chip).
        hidden: width of the hidden layer.

    Returns:
        ``(params, history)``: the hardware-aware layers and a dict with
        ``"digital_then_mapped"`` and ``"hardware_aware"`` accuracy dicts and the
        training ``"loss"``.
    """
    if hardware is None:
        hardware = digits_hardware(bits=4, phase_error_std_rad=0.03)
    optimiser = optax.adam(3e-3) if optimiser is None else optimiser
    train_key, chip_key = jax.random.split(key)
    digital, data = models.train_digits_mlp(hidden=hidden)
    aware, trace = train_hardware_aware(
        digital, data, hardware, optimiser, steps=steps, key=train_key,
        progress=progress,
    )  # fmt: skip
    history = dict(
        digital_then_mapped=optical_accuracy(digital, data, hardware, chip_key),
        hardware_aware=optical_accuracy(aware, data, hardware, chip_key),
        loss=trace["loss"],
    )
    logger.info("accuracy on hardware: %s", history)
    return aware, history
