"""How accurate a compiled program is: per-op and output errors, classifier accuracy.

* :func:`accuracy_report`: relative Frobenius error ``|y - y_ref| / |y_ref|`` of every
  optical op (its hardware output against the exact product of the same operands, so
  each op's own error is isolated) and of the program's outputs against the original
  function run in float32 JAX; :func:`batch_accuracy_report` does the same over a
  batch of examples (one jit-compiled, vmapped run, fresh noise per example).
* :func:`classification_accuracy`: accuracy of the digital and the optical program on
  a labelled set, each example with its own detection-noise key.
* :func:`digits_mlp_accuracy`: the whole experiment for the digits MLP of
  :mod:`nn_mapping.models` at a given converter resolution, optical power and phase
  error; :func:`sweep_digits_mlp` repeats it over a grid.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from nn_mapping import models
from nn_mapping.hardware import Hardware
from nn_mapping.program import compile_function, execute


def relative_error(measured, exact):
    """``|measured - exact|_F / |exact|_F`` (0 when both are zero), as a float."""
    measured, exact = jnp.asarray(measured), jnp.asarray(exact)
    scale = float(jnp.linalg.norm(exact.ravel()))
    diff = float(jnp.linalg.norm((measured - exact).ravel()))
    if scale == 0:
        return 0.0 if diff == 0 else float("inf")
    return diff / scale


def _float32(args):
    def cast(a):
        a = jnp.asarray(a)
        return a.astype(jnp.complex64 if jnp.iscomplexobj(a) else jnp.float32)

    return jax.tree.map(cast, args)


def accuracy_report(program, fn, *args, key=None):
    """Relative errors of each optical op and of the outputs of ``program``.

    Args:
        program: a compiled :class:`nn_mapping.program.Program` of ``fn``.
        fn: the original function.
        *args: inputs of the traced shapes.
        key: detection-noise key (required for noisy hardware).

    Returns:
        ``{"ops": {name: error}, "output": error}``; the output error compares the
        flattened outputs with ``fn`` evaluated on float32 copies of ``args``.
    """
    outputs, records = program.trace_ops(*args, key=key)
    return _error_report(outputs, records, fn(*_float32(args)))


def _error_report(outputs, records, reference):
    """``{"ops", "output"}`` from a run's outputs, its per-op ``(measured, exact)``
    records and the float32 reference outputs."""
    ops = {name: relative_error(m, e) for name, (m, e) in records.items()}
    flat_out = jnp.concatenate([jnp.ravel(o) for o in jax.tree.leaves(outputs)])
    flat_ref = jnp.concatenate([jnp.ravel(o) for o in jax.tree.leaves(reference)])
    return {"ops": ops, "output": relative_error(flat_out, flat_ref)}


@eqx.filter_jit
def _recorded_batch(program, x, keys):
    """Outputs and per-op records of a single-example ``program`` over a batch."""

    def one(xi, ki):
        return execute(program, [xi], ki, record=True)

    return jax.vmap(one)(x, keys)


def batch_accuracy_report(program, fn, x, key):
    """:func:`accuracy_report` over a batch of examples of a one-argument program.

    Every example gets its own detection-noise key (split from ``key`` as
    :func:`classification_accuracy` splits it, so both see the same noise). Each
    error is the relative Frobenius error over the whole batch.

    Args:
        program: a program compiled from ``fn`` for one example of ``x.shape[1:]``.
        fn: the original function of one example.
        x: ``(n, ...)`` examples.
        key: detection-noise key.

    Returns:
        ``{"ops": {name: error}, "output": error}``.
    """
    return _recorded_run(program, fn, jnp.asarray(x), key)[1]


def _recorded_run(program, fn, x, key):
    """One recorded, vmapped run over ``x``: ``(outputs, error report)``."""
    program._check_args((x[0],), key)
    outputs, records = _recorded_batch(program, x, jax.random.split(key, x.shape[0]))
    return outputs, _error_report(outputs, records, jax.vmap(fn)(_float32(x)))


def optical_predictions(program, x, key):
    """Class predictions of a single-example ``program`` on a batch ``x``.

    Each example gets its own noise key (split from ``key``).
    """
    keys = jax.random.split(key, x.shape[0])
    logits = jax.vmap(lambda xi, ki: program(xi, key=ki))(x, keys)
    return jnp.argmax(logits, axis=-1)


def classification_accuracy(program, fn, x, labels, key, errors=False):
    """Digital and optical accuracy of a classifier on ``(x, labels)``.

    Args:
        program: compiled from ``fn`` for one example (shape ``x.shape[1:]``).
        fn: the digital classifier, returning logits.
        x: ``(n, ...)`` inputs.
        labels: ``(n,)`` integer labels.
        key: detection-noise key.
        errors: also return ``errors``, the :func:`batch_accuracy_report` of the
            same run (the predictions and the errors come from one execution).

    Returns:
        ``{"digital", "optical", "drop"}`` as fractions (drop = digital - optical),
        and ``errors`` when asked.
    """
    x = jnp.asarray(x)
    labels = jnp.asarray(labels)
    digital = float(jnp.mean(jnp.argmax(jax.vmap(fn)(x), axis=-1) == labels))
    if errors:
        outputs, report = _recorded_run(program, fn, x, key)
        predictions = jnp.argmax(jax.tree.leaves(outputs)[0], axis=-1)
    else:
        predictions = optical_predictions(program, x, key)
    optical = float(jnp.mean(predictions == labels))
    result = {"digital": digital, "optical": optical, "drop": digital - optical}
    if errors:
        result["errors"] = report
    return result


def digits_hardware(
    bits=8, power_mW=1.0, phase_error_std_rad=0.0, core_size=16, **changes
):
    """The hardware of the digits experiments: both converters at ``bits``."""
    return Hardware(
        core_size=core_size,
        dac_bits=bits,
        adc_bits=bits,
        power_mW=power_mW,
        phase_error_std_rad=phase_error_std_rad,
        **changes,
    )


def compile_digits_mlp(hardware, key, hidden=64, seed=0):
    """Train (cached) and compile the digits MLP; returns ``(program, fn, data)``."""
    params, data = models.train_digits_mlp(hidden=hidden, seed=seed)
    fn = models.mlp_function(params)
    example = jnp.zeros((64,), jnp.float32)
    calibration = (jnp.asarray(data.x_train),)
    program = compile_function(
        fn, example, hardware=hardware, key=key, calibration=calibration, name="mlp"
    )
    return program, fn, data


def digits_mlp_accuracy(
    bits=8,
    power_mW=1.0,
    phase_error_std_rad=0.0,
    core_size=16,
    seed=0,
    hardware=None,
    errors=False,
):
    """Test accuracy of the digits MLP, digital against optical.

    Args:
        bits: resolution of the input DACs and output ADCs (``None``: ideal).
        power_mW: optical power per input at full scale (``None``: noiseless).
        phase_error_std_rad: static phase error per shifter, rad.
        core_size: mesh core size ``N``.
        seed: seed of training, the chip and the detection noise.
        hardware: a full :class:`Hardware` instead of the four settings above.
        errors: also return ``errors``, the :func:`batch_accuracy_report` of the
            test set (relative error of every op and of the logits).

    Returns:
        dict with ``digital``, ``optical``, ``drop`` (fractions), the settings,
        ``ops`` (the program summary) and, with ``errors``, ``errors``.

    Raises:
        InputError: for invalid settings (bits < 1, power <= 0, ...).
    """
    if hardware is None:
        hardware = digits_hardware(bits, power_mW, phase_error_std_rad, core_size)
    chip_key, noise_key = jax.random.split(jax.random.key(seed))
    program, fn, data = compile_digits_mlp(hardware, chip_key, seed=seed)
    x_test = jnp.asarray(data.x_test, jnp.float32)
    result = classification_accuracy(
        program, fn, x_test, data.y_test, noise_key, errors=errors
    )
    result.update(
        bits=hardware.adc_bits,
        power_mW=hardware.power_mW,
        phase_error_std_rad=hardware.phase_error_std_rad,
        core_size=hardware.core_size,
        ops=program.summary(),
    )
    return result


def sweep_digits_mlp(parameter, values, seed=0, **fixed):
    """:func:`digits_mlp_accuracy` for each of ``values`` of one ``parameter``.

    Args:
        parameter: ``"bits"``, ``"power_mW"`` or ``"phase_error_std_rad"``.
        values: the values to try.
        seed: seed of every run.
        **fixed: the other settings.

    Returns:
        A list of result dicts (without ``ops``).
    """
    results = []
    for value in values:
        result = digits_mlp_accuracy(seed=seed, **{**fixed, parameter: value})
        result.pop("ops")
        results.append(result)
    return results


def summarise(results, parameter):
    """Rows ``(value, digital, optical)`` of a sweep, as numpy arrays."""
    values = np.array([r[parameter] for r in results], dtype=float)
    digital = np.array([r["digital"] for r in results])
    optical = np.array([r["optical"] for r in results])
    return values, digital, optical
