"""Fabrication and control imperfections of MZI meshes, sampled per chip.

:class:`Imperfections` is the specification (the statistics); :func:`sample_chip` draws
one chip from an explicit ``jax.random`` key; a :class:`Chip` is passed to
:func:`photonics.propagate` and :func:`photonics.transfer_matrix`.

Models, each per MZI slot:

* insertion loss: amplitude ``10**(-L / 20)``,
  ``L ~ max(0, N(loss_dB, loss_std_dB))``;
* coupler splitting-ratio errors: each of the two couplers has ratio
  ``eta ~ clip(1/2 + N(0, splitter_error_std), 0, 1)``;
* static phase errors: ``N(0, phase_error_std_rad)`` added to ``theta``, ``phi`` and to
  each output phase;
* phase quantisation: the programmed internal phase ``2 theta`` and external phase
  ``phi`` are rounded to the grid ``2 pi / 2**phase_bits`` (straight-through gradient);
* thermal crosstalk: each shifter sees ``crosstalk`` times the programmed phase of the
  shifters of the same kind in the neighbouring slots of its column.
"""

import equinox as eqx
import jax
import jax.numpy as jnp

from photonics.checks import check_int, check_positive
from photonics.components import mzi_imperfect_coefficients


class Imperfections(eqx.Module):
    """Statistics of the imperfections of a mesh (see the module docstring).

    Attributes:
        loss_dB: mean insertion loss per MZI in dB (>= 0).
        loss_std_dB: spread of the insertion loss per MZI in dB (>= 0).
        splitter_error_std: standard deviation of each coupler's ratio about 1/2.
        phase_error_std_rad: standard deviation of static phase errors in rad.
        phase_bits: bits of the phase DACs, or ``None`` for continuous phases.
        crosstalk: fraction of a neighbour's phase that a shifter picks up (>= 0).

    Raises:
        InputError: for negative values or ``phase_bits < 1``.
    """

    loss_dB: float = 0.0
    loss_std_dB: float = 0.0
    splitter_error_std: float = 0.0
    phase_error_std_rad: float = 0.0
    phase_bits: int | None = eqx.field(default=None, static=True)
    crosstalk: float = 0.0

    def __check_init__(self):
        for name in ("loss_dB", "loss_std_dB", "splitter_error_std", "crosstalk"):
            check_positive(name, getattr(self, name), allow_zero=True)
        check_positive("phase_error_std_rad", self.phase_error_std_rad, allow_zero=True)
        if self.phase_bits is not None:
            check_int("phase_bits", self.phase_bits, minimum=1)


class Chip(eqx.Module):
    """One sampled realisation of :class:`Imperfections` for a given layout.

    Attributes (``(n_columns, n_slots)`` unless stated): ``eta_in``, ``eta_out``
    coupler ratios; ``theta_error``, ``phi_error`` phase errors (rad); ``amplitude``
    field transmission per MZI; ``out_phase_error`` ``(n_modes,)``; ``crosstalk``;
    ``phase_bits`` (static).
    """

    eta_in: jax.Array
    eta_out: jax.Array
    theta_error: jax.Array
    phi_error: jax.Array
    amplitude: jax.Array
    out_phase_error: jax.Array
    crosstalk: jax.Array
    phase_bits: int | None = eqx.field(static=True)

    def coefficients(self, mesh):
        """``((4, n_columns, n_slots) MZI entries, (n_modes,) out phases)`` on chip."""
        active = jnp.asarray(mesh.layout.active)
        theta = _crosstalk(_quantise(mesh.theta, 2, self.phase_bits), self.crosstalk)
        phi = _crosstalk(_quantise(mesh.phi, 1, self.phase_bits), self.crosstalk)
        theta = jnp.where(active, theta + self.theta_error, 0.0)
        phi = jnp.where(active, phi + self.phi_error, 0.0)
        entries = mzi_imperfect_coefficients(theta, phi, self.eta_in, self.eta_out)
        entries = jnp.stack(entries) * self.amplitude
        out_phase = _quantise(mesh.out_phase, 1, self.phase_bits)
        return entries, out_phase + self.out_phase_error


def _quantise(phase, scale, bits):
    """Round ``scale * phase`` to the grid ``2 pi / 2**bits``, straight-through."""
    if bits is None:
        return phase
    step = 2 * jnp.pi / 2**bits
    rounded = jnp.round(scale * phase / step) * step / scale
    return phase + jax.lax.stop_gradient(rounded - phase)


def _crosstalk(phase, fraction):
    """Add ``fraction`` of the neighbouring slots' phases within each column."""
    padded = jnp.pad(phase, ((0, 0), (1, 1)))
    return phase + fraction * (padded[:, :-2] + padded[:, 2:])


def sample_chip(key, mesh, imperfections):
    """Draw one chip with the statistics ``imperfections`` for the layout of ``mesh``.

    Args:
        key: a ``jax.random`` key.
        mesh: the :class:`photonics.Mesh` (only its layout and dtype are used).
        imperfections: an :class:`Imperfections`.

    Returns:
        A :class:`Chip`; slots without an MZI are ideal and lossless.
    """
    layout = mesh.layout
    shape = (layout.n_columns, layout.n_slots)
    dtype = jnp.asarray(mesh.theta).dtype
    keys = jax.random.split(key, 6)
    normal = [jax.random.normal(k, shape, dtype) for k in keys[:5]]
    active = jnp.asarray(layout.active)
    spec = imperfections

    def ratio(noise):
        eta = jnp.clip(0.5 + spec.splitter_error_std * noise, 0.0, 1.0)
        return jnp.where(active, eta, 0.5)

    loss_dB = jnp.maximum(spec.loss_dB + spec.loss_std_dB * normal[2], 0.0)
    sigma = spec.phase_error_std_rad
    return Chip(
        eta_in=ratio(normal[0]),
        eta_out=ratio(normal[1]),
        theta_error=jnp.where(active, sigma * normal[3], 0.0),
        phi_error=jnp.where(active, sigma * normal[4], 0.0),
        amplitude=jnp.where(active, 10.0 ** (-loss_dB / 20.0), 1.0),
        out_phase_error=sigma * jax.random.normal(keys[5], (layout.n_modes,), dtype),
        crosstalk=jnp.asarray(spec.crosstalk, dtype),
        phase_bits=spec.phase_bits,
    )
