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

:func:`train_in_the_loop` goes further and trains through the simulated optical
program itself (hardware in the loop, "physics-aware training", Wright et al.,
Nature 601, 549 (2022)): at every step the current weights are programmed onto the
meshes of the deployment chip (:func:`nn_mapping.program.reprogram`, the chip drawn
from one fixed key), the batch runs through the full simulator (chip imperfections,
DAC, detection noise, ADC), and each layer's output is the measured one, while the
gradient flows through the digital product: ``y = x W^T + stop_gradient(y_hw - x
W^T)``. The forward pass is exactly the program's, so what is trained is what is
deployed; the backward pass is the digital model's.

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
from nn_mapping.program import compile_function, reprogram
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


@eqx.filter_jit
def measured_errors(program, x, key):
    """``measured - exact`` of every optical op of ``program`` on the batch ``x``.

    Args:
        program: a single-example :class:`nn_mapping.program.Program`.
        x: ``(batch, ...)`` inputs; key: detection noise (one key per example, split
            from it as :func:`nn_mapping.accuracy.optical_predictions` does).

    Returns:
        A list, in op order, of ``(batch, ...)`` arrays: each op's output on the
        hardware minus the exact product of the operands it received.
    """
    keys = jax.random.split(key, x.shape[0])
    records = jax.vmap(lambda xi, ki: program.trace_ops(xi, key=ki)[1])(x, keys)
    names = [p.op.name for p in program.optical_ops]
    return [records[n][0] - records[n][1] for n in names]


def in_the_loop_apply(params, x, errors):
    """Logits of the MLP whose layer outputs are shifted by the measured ``errors``.

    With ``errors`` from :func:`measured_errors` on the same ``x`` this is the
    program's forward pass; gradients are those of the digital layers.
    """
    for (w, b), e in zip(params[:-1], errors[:-1], strict=True):
        x = jax.nn.relu(x @ w.T + jax.lax.stop_gradient(e) + b)
    w, b = params[-1]
    return x @ w.T + jax.lax.stop_gradient(errors[-1]) + b


def _in_the_loop_loss(params, x, y, errors):
    logits = in_the_loop_apply(params, x, errors)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


@functools.partial(eqx.filter_jit, donate="none")
def _in_the_loop_step(params, state, x, y, errors, optimiser):
    loss, grads = jax.value_and_grad(_in_the_loop_loss)(params, x, y, errors)
    updates, state = optimiser.update(grads, state, params)
    return optax.apply_updates(params, updates), state, loss


def _compile_mlp(params, data, hardware, chip_key, program=None):
    fn = models.mlp_function(params)
    calibration = (jnp.asarray(data.x_train, jnp.float32),)
    if program is not None:
        return reprogram(program, fn, key=chip_key, calibration=calibration)
    return compile_function(
        fn, jnp.zeros((64,), jnp.float32), hardware=hardware, key=chip_key,
        calibration=calibration, name="mlp",
    )  # fmt: skip


def train_in_the_loop(
    params, data, hardware, optimiser, *, steps, key, batch=256, progress=False
):
    """Fine-tune the MLP ``params`` through the simulated optical program.

    Every step reprograms the chip with the current weights, runs a batch through
    the program and takes an optimiser step on the straight-through gradient (see
    the module docstring).

    Args:
        params: starting layers ``[(W (out, in), b), ...]``.
        data: a :class:`nn_mapping.models.DigitsData`.
        hardware: the :class:`nn_mapping.hardware.Hardware` of the chip.
        optimiser: an ``optax.GradientTransformation``.
        steps: optimiser steps.
        key: ``jax.random`` key; the chip is drawn from ``jax.random.split(key)[0]``
            (:func:`optical_accuracy` with the same key judges on the same chip),
            batches and detection noise from the rest.
        batch: training examples per step (drawn without replacement).
        progress: show a progress bar.

    Returns:
        ``(params, history)``: trained float32 layers and ``{"loss": (steps,)}``,
        the loss of each step's batch as measured on the hardware.

    Raises:
        InputError: for ``steps < 1`` or ``batch < 1``.
    """
    check_int("steps", steps, minimum=1)
    batch = check_int("batch", batch, minimum=1)
    chip_key, loop_key = jax.random.split(key)
    params = [
        (jnp.asarray(w, jnp.float32), jnp.asarray(b, jnp.float32)) for w, b in params
    ]
    x_all = jnp.asarray(data.x_train, jnp.float32)
    y_all = jnp.asarray(data.y_train)
    batch = min(batch, x_all.shape[0])
    program = _compile_mlp(params, data, hardware, chip_key)
    state = optimiser.init(params)
    losses = []
    step_keys = jax.random.split(loop_key, steps)
    for i, k in enumerate(progress_bar(step_keys, "in the loop", steps, progress)):
        pick, noise = jax.random.split(k)
        rows = jax.random.permutation(pick, x_all.shape[0])[:batch]
        x, y = x_all[rows], y_all[rows]
        if i:
            program = _compile_mlp(params, data, hardware, chip_key, program)
        errors = measured_errors(program, x, noise)
        params, state, loss = _in_the_loop_step(params, state, x, y, errors, optimiser)
        losses.append(float(loss))
        if len(losses) % 20 == 0:
            logger.info("in-the-loop step %d: loss %.4f", len(losses), loss)
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
    hardware=None,
    optimiser=None,
    *,
    steps=300,
    key,
    hidden=64,
    loop_steps=0,
    progress=False,
):
    """Digitally trained then mapped, against hardware-aware trained, on one chip.

    Args:
        hardware: the harsh :class:`nn_mapping.hardware.Hardware` (default: 4-bit
            converters, 0.03 rad phase error, core size 16, 1 mW).
        optimiser: for the fine-tuning (default ``optax.adam(3e-3)``).
        steps: hardware-aware steps; key: ``jax.random`` key (noise and chip).
        hidden: width of the hidden layer.
        loop_steps: steps of :func:`train_in_the_loop` on the judging chip as well
            (0: skip it).
        progress: show progress bars.

    Returns:
        ``(params, history)``: the hardware-aware layers and a dict with
        ``"digital_then_mapped"`` and ``"hardware_aware"`` accuracy dicts and the
        training ``"loss"``; with ``loop_steps``, also ``"in_the_loop"`` and
        ``"in_the_loop_loss"``.
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
    if loop_steps:
        looped, loop_trace = train_in_the_loop(
            digital, data, hardware, optimiser, steps=loop_steps, key=chip_key,
            progress=progress,
        )  # fmt: skip
        history["in_the_loop"] = optical_accuracy(looped, data, hardware, chip_key)
        history["in_the_loop_loss"] = loop_trace["loss"]
    logger.info("accuracy on hardware: %s", history)
    return aware, history
