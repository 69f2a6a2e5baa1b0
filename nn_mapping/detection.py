"""Converters and photodetection: DAC/ADC quantisation, shot and receiver noise.

Units. Optical fields at the detectors are complex amplitudes in ``sqrt(photons)`` per
sample, so ``|a|**2`` is the mean photon number in one sample. Photodiode outputs are
in electrons per sample. Signals handed to and returned by the converters are
dimensionless, normalised to the converter's full scale.

Models:

* Uniform quantiser (:func:`quantize`): ``2**bits`` levels spanning
  ``[-full_scale, full_scale]`` inclusive, values outside are clipped (saturation).
  The error inside the range is at most half a step (LSB). The gradient is passed
  straight through (the derivative of the clipped value), so a program stays
  differentiable.
* Photodiode (:func:`photodetect`): ``eta n`` electrons for ``n`` incident photons,
  shot noise of variance ``eta n`` and receiver thermal noise of variance
  ``sigma_th**2``. The Poisson count is replaced by its Gaussian limit, accurate for
  more than about ten photoelectrons and differentiable.
* Balanced detection (:func:`balanced_quadrature`): the signal ``s`` and a real
  reference ``r`` meet on a 50:50 coupler, two photodiodes count ``|s +- r|**2 / 2``
  photons each, and the difference ``2 eta r Re(s)`` estimates the in-phase
  quadrature. Its noise variance is ``eta (|s|**2 + r**2) + 2 sigma_th**2``, drawn as
  one Gaussian per sample. Coherent (homodyne) detection uses a strong local
  oscillator (``r**2`` = LO photons); intensity readout uses a reference tapped from
  the signal laser at the output's full-scale amplitude, so its shot noise depends on
  the signal.
* Integrating receiver (:func:`read_integrated`): the photocurrents of several
  balanced detectors, each scaled by a receiver gain ``g_c``, are integrated before
  one ADC conversion. Nothing nonlinear acts between the detectors and the
  integrator, so the sum of independent Gaussian noises is one Gaussian: the
  output is ``sum_c g_c Re(s_c)`` plus noise of variance ``sum_c g_c**2 var_c``
  (each ``var_c`` from :func:`balanced_noise_terms`), drawn once per output and
  quadrature.
"""

import jax
import jax.numpy as jnp
from jax import lax

_TINY = 1e-30


def quantize(x, bits, full_scale):
    """Quantise ``x`` to ``2**bits`` uniform levels on ``[-full_scale, full_scale]``.

    Args:
        x: real array.
        bits: resolution (int >= 1), or ``None`` to only clip.
        full_scale: positive array broadcastable to ``x``; the largest magnitude.

    Returns:
        The quantised values, same shape and dtype as ``x``; gradient straight through
        the clipping.
    """
    full_scale = jnp.maximum(jnp.asarray(full_scale, x.dtype), _TINY)
    clipped = jnp.clip(x, -full_scale, full_scale)
    if bits is None:
        return clipped
    step = 2 * full_scale / (2**bits - 1)
    levels = jnp.round((clipped + full_scale) / step)
    quantised = levels * step - full_scale
    return clipped + lax.stop_gradient(quantised - clipped)


def lsb(bits, full_scale):
    """Step between levels of :func:`quantize`: ``2 full_scale / (2**bits - 1)``."""
    return 2 * full_scale / (2**bits - 1)


def photodetect(key, photons, efficiency, thermal_noise_electrons):
    """Electrons counted by a photodiode in one sample, with shot and thermal noise.

    Args:
        key: ``jax.random`` key.
        photons: mean incident photons per sample (array, >= 0).
        efficiency: quantum efficiency in (0, 1].
        thermal_noise_electrons: rms receiver noise per sample, electrons.

    Returns:
        Electrons per sample: ``eta n + sqrt(eta n) xi_1 + sigma_th xi_2`` (Gaussian
        limit of the Poisson count).
    """
    mean = efficiency * photons
    variance = mean + thermal_noise_electrons**2
    noise = jax.random.normal(key, jnp.shape(mean), jnp.result_type(mean))
    return mean + jnp.sqrt(variance) * noise


def balanced_variance(signal, reference, efficiency, thermal_noise_electrons):
    """Variance of :func:`balanced_quadrature`'s estimate, in photon-amplitude units.

    ``(eta (|s|**2 + r**2) + 2 sigma_th**2) / (2 eta r)**2``.
    """
    counts = efficiency * (jnp.abs(signal) ** 2 + reference**2)
    current = counts + 2 * thermal_noise_electrons**2
    return current / (2 * efficiency * reference) ** 2


def balanced_quadrature(key, signal, reference, efficiency, thermal_noise_electrons):
    """Estimate ``Re(signal)`` by balanced detection against a real ``reference``.

    Args:
        key: ``jax.random`` key.
        signal: complex amplitudes in sqrt(photons) per sample, any shape.
        reference: real positive reference amplitude in sqrt(photons), broadcastable.
        efficiency: quantum efficiency in (0, 1].
        thermal_noise_electrons: rms receiver noise per photodiode and sample.

    Returns:
        Real array of the signal's shape: ``Re(signal)`` plus Gaussian noise of
        variance :func:`balanced_variance`.
    """
    real = jnp.real(signal)
    variance = balanced_variance(signal, reference, efficiency, thermal_noise_electrons)
    noise = jax.random.normal(key, real.shape, real.dtype)
    return real + jnp.sqrt(variance) * noise


def reference_amplitude(hw, full_scale, scale):
    """Reference amplitude in sqrt(photons) for the readout of ``hw``.

    Args:
        hw: a :class:`nn_mapping.hardware.Hardware`.
        full_scale: normalised full-scale output magnitude per output (array).
        scale: ``sqrt`` of the full-scale input photons per sample.

    Returns:
        ``sqrt(LO photons)`` for coherent detection; ``full_scale * scale`` for
        intensity readout (reference at the output's full-scale amplitude).
    """
    if hw.detection == "coherent":
        return jnp.full_like(full_scale, hw.lo_photons**0.5)
    return jnp.maximum(full_scale * scale, _TINY)


def read_outputs(key, fields, full_scale, hw, quadratures):
    """Detect normalised output fields and digitise them.

    Args:
        key: ``jax.random`` key (unused when ``hw.noisy`` is false; may be ``None``).
        fields: complex output fields normalised to the full-scale input amplitude,
            given as ``(real, imag)`` arrays of equal shape.
        full_scale: normalised ADC full scale, broadcastable to the fields.
        hw: the :class:`nn_mapping.hardware.Hardware`.
        quadratures: 1 to read the in-phase quadrature only (real result), 2 to read
            both (complex result, two balanced detectors per output).

    Returns:
        The digitised normalised outputs: real for one quadrature, complex for two.
    """
    real, imag = fields
    parts = [real, imag][:quadratures]
    if hw.noisy:
        parts = _add_detection_noise(key, real, imag, parts, full_scale, hw)
    parts = [quantize(p, hw.adc_bits, full_scale) for p in parts]
    if quadratures == 1:
        return parts[0]
    return lax.complex(parts[0], parts[1])


def _balanced_variance_photons(real, imag, full_scale, hw):
    """Each balanced detector's noise variance in photon-amplitude units, and the
    amplitude ``scale`` (``sqrt`` of the full-scale input photons) normalising it."""
    scale = hw.full_scale_photons**0.5
    reference = reference_amplitude(hw, full_scale, scale)
    magnitude = jnp.sqrt(real**2 + imag**2) * scale
    efficiency, thermal = hw.quantum_efficiency, hw.thermal_noise_electrons
    return balanced_variance(magnitude, reference, efficiency, thermal), scale


def balanced_noise_terms(full_scale, hw):
    """Noise variance of balanced detectors as ``per_power * |s|**2 + floor``.

    The variance of :func:`balanced_variance`, expressed for a signal ``s``
    normalised to the full-scale input amplitude (``S`` photons per sample): with
    reference ``r`` (:func:`reference_amplitude`), the normalised variance is
    ``|s|**2 / (4 eta r**2) + (eta r**2 + 2 sigma_th**2) / (4 eta**2 r**2 S)``. The
    first term is the signal's own shot noise, the second the reference's shot
    noise and the receiver noise.

    Args:
        full_scale: normalised ADC full scale of each detector's output (array;
            sets the reference of intensity readout).
        hw: the :class:`nn_mapping.hardware.Hardware`; must be ``noisy``.

    Returns:
        ``(per_power, floor)``, arrays of ``full_scale``'s shape and dtype.
    """
    photons = hw.full_scale_photons
    reference = reference_amplitude(hw, full_scale, photons**0.5)
    eta, thermal = hw.quantum_efficiency, hw.thermal_noise_electrons
    denominator = 4 * eta * reference**2
    per_power = 1 / denominator
    floor = (eta * reference**2 + 2 * thermal**2) / (eta * denominator * photons)
    return per_power.astype(full_scale.dtype), floor.astype(full_scale.dtype)


def _add_detection_noise(key, real, imag, parts, full_scale, hw):
    """Add each balanced detector's Gaussian noise to its quadrature(s).

    One ``jax.random.normal`` call draws the noise of every detector at once (one
    independent draw per output, quadrature and sample), before any quantisation.
    """
    variance, scale = _balanced_variance_photons(real, imag, full_scale, hw)
    std = jnp.sqrt(variance) / scale
    dtype = parts[0].dtype
    noise = jax.random.normal(key, (len(parts), *parts[0].shape), dtype)
    std = std.astype(dtype)
    return [part + std * xi for part, xi in zip(parts, noise, strict=True)]


def read_integrated(key, sums, variance, full_scale, hw):
    """Digitise the outputs of integrating receivers: one ADC conversion per output.

    Each output integrates the gain-weighted photocurrents of several balanced
    detectors (the tiles of one tile row, see :mod:`nn_mapping.hardware`). Its
    noise is one Gaussian whose variance is the gain-squared-weighted sum of the
    detectors' variances: exact, since independent Gaussian noises are summed
    linearly. The ADC then quantises the sum on its own full scale, with an error of
    at most half its LSB inside the range.

    Args:
        key: ``jax.random`` key (unused when ``hw.noisy`` is false; may be ``None``).
        sums: the noise-free integrated quadratures, ``[real]`` or ``[real, imag]``,
            arrays of equal shape, normalised to the full-scale input amplitude.
        variance: summed noise variance of each output, broadcastable to the sums
            (ignored when ``hw.noisy`` is false; may be ``None``).
        full_scale: normalised ADC full scale of each integrated output.
        hw: the :class:`nn_mapping.hardware.Hardware` (``adc_bits``, ``noisy``).

    Returns:
        The digitised outputs: real for one quadrature, complex for two.
    """
    parts = list(sums)
    if hw.noisy:
        dtype = parts[0].dtype
        noise = jax.random.normal(key, (len(parts), *parts[0].shape), dtype)
        std = jnp.sqrt(variance).astype(dtype)
        parts = [part + std * xi for part, xi in zip(parts, noise, strict=True)]
    parts = [quantize(p, hw.adc_bits, full_scale) for p in parts]
    if len(parts) == 1:
        return parts[0]
    return lax.complex(parts[0], parts[1])


def convert_inputs(x, bits, full_scale):
    """DAC: normalise ``x`` by ``full_scale``, clip to [-1, 1] and quantise.

    Complex inputs are converted per quadrature (an IQ modulator). Returns the
    normalised drive in [-1, 1] (per quadrature), dtype of ``x``.
    """
    u = x / full_scale
    one = jnp.ones((), jnp.real(u).dtype)
    if jnp.iscomplexobj(u):
        return lax.complex(quantize(u.real, bits, one), quantize(u.imag, bits, one))
    return quantize(u, bits, one)
