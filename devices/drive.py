"""Time-dependent coherent drives: holding segments plus Gaussian control pulses.

All drives oscillate at the pump photon energy (the rotating frame) and are described by
their complex input field ``a_in(t)`` in √µW, so ``|a_in|**2`` is the incident power in
µW. A :class:`Drive` is a sum of

* holding segments ``√P_s e^{iφ_s} w_s(t)`` with smooth edges
  ``w_s = ¼ (1 + tanh((t - t_on)/τ)) (1 - tanh((t - t_off)/τ))``, and
* Gaussian pulses whose intensity ``P_k exp(-4 ln2 (t - t_k)² / w_k²)`` has a FWHM
  ``w_k`` and an energy ``E_k = P_k w_k √(π / (4 ln 2))``.

Fields add coherently, so a pulse in phase with the holding beam pushes the cavity up
its S-curve and an anti-phase pulse (φ = π) pulls it down: this is how gates are set and
reset. :class:`TriangleSweep` ramps the power linearly up and down for hysteresis loops.
"""

import math

import equinox as eqx
import jax.numpy as jnp
import numpy as np

from photonics import checks
from photonics.errors import input_error

#: ∫ exp(-4 ln2 t²/w²) dt / w: pulse energy = peak power × FWHM × this.
GAUSSIAN_AREA = math.sqrt(math.pi / (4.0 * math.log(2.0)))


class Drive(eqx.Module):
    """Holding segments plus Gaussian pulses (each field an array, one entry per item).

    Attributes:
        hold_power_uW, hold_phase_rad, hold_on_ps, hold_off_ps: shape (S,).
        edge_ps: rise time τ of the holding edges (scalar > 0).
        pulse_energy_fJ, pulse_time_ps, pulse_width_ps, pulse_phase_rad: shape (K,);
            ``pulse_time_ps`` is the centre, ``pulse_width_ps`` the intensity FWHM.
    """

    hold_power_uW: jnp.ndarray
    hold_phase_rad: jnp.ndarray
    hold_on_ps: jnp.ndarray
    hold_off_ps: jnp.ndarray
    edge_ps: jnp.ndarray
    pulse_energy_fJ: jnp.ndarray
    pulse_time_ps: jnp.ndarray
    pulse_width_ps: jnp.ndarray
    pulse_phase_rad: jnp.ndarray

    def pulse_peak_power_uW(self):
        """Peak power (µW) of each pulse: E / (w √(π / 4 ln 2)); 1 fJ/ps = 1000 µW."""
        return 1e3 * self.pulse_energy_fJ / (self.pulse_width_ps * GAUSSIAN_AREA)

    def amplitude(self, t_ps):
        """Complex input field a_in(t) in √µW at time ``t_ps`` (a scalar)."""
        rise = 0.5 * (1.0 + jnp.tanh((t_ps - self.hold_on_ps) / self.edge_ps))
        fall = 0.5 * (1.0 - jnp.tanh((t_ps - self.hold_off_ps) / self.edge_ps))
        hold = jnp.sqrt(self.hold_power_uW) * jnp.exp(1j * self.hold_phase_rad)
        envelope = jnp.exp(
            -2.0
            * math.log(2.0)
            * ((t_ps - self.pulse_time_ps) / self.pulse_width_ps) ** 2
        )
        pulses = jnp.sqrt(self.pulse_peak_power_uW()) * envelope
        pulses = pulses * jnp.exp(1j * self.pulse_phase_rad)
        return jnp.sum(hold * rise * fall) + jnp.sum(pulses)

    def min_width_ps(self):
        """The shortest time scale of the drive (pulse FWHM or edge), in ps."""
        return jnp.min(jnp.concatenate([self.pulse_width_ps, self.edge_ps[None]]))


class TriangleSweep(eqx.Module):
    """Power ramped linearly 0 → ``peak_power_uW`` → 0 over ``period_ps``."""

    peak_power_uW: jnp.ndarray
    period_ps: jnp.ndarray

    def amplitude(self, t_ps):
        """Real input field √P(t) in √µW, P(t) = P_max (1 - |2t/T - 1|)."""
        shape = 1.0 - jnp.abs(2.0 * t_ps / self.period_ps - 1.0)
        return jnp.sqrt(self.peak_power_uW * jnp.clip(shape, 0.0, 1.0)) + 0j

    def min_width_ps(self):
        """The sweep has no short features: a hundredth of the period."""
        return 0.01 * self.period_ps


def _as_1d(name, value, nonnegative=False, positive=False):
    array = checks.as_numeric_array(name, value, allow_complex=False)
    array = checks.check_finite(name, np.atleast_1d(array).astype(float))
    if array.ndim != 1:
        raise input_error(name, "a scalar or a 1-D sequence", checks.describe(array))
    if positive and np.any(array <= 0):
        raise input_error(name, "values > 0", array.tolist())
    if nonnegative and np.any(array < 0):
        raise input_error(name, "values >= 0", array.tolist())
    return array


def make_drive(
    hold_power_uW=0.0,
    *,
    pulse_energy_fJ=(),
    pulse_time_ps=(),
    pulse_width_ps=(),
    pulse_phase_rad=(),
    hold_phase_rad=0.0,
    hold_on_ps=-math.inf,
    hold_off_ps=math.inf,
    edge_ps=0.5,
):
    """Build and validate a :class:`Drive` (outside jit).

    Args:
        hold_power_uW: holding power(s) in µW, a scalar or shape (S,), >= 0.
        pulse_energy_fJ: incident pulse energies in fJ, shape (K,), >= 0.
        pulse_time_ps: pulse centres in ps, shape (K,).
        pulse_width_ps: pulse intensity FWHM in ps, shape (K,), > 0 (a scalar is
            broadcast to all pulses).
        pulse_phase_rad: pulse phases relative to the holding beam (default 0).
        hold_phase_rad, hold_on_ps, hold_off_ps: per holding segment
            (default: always on, phase 0).
        edge_ps: rise time of the holding edges in ps (> 0).

    Returns:
        The :class:`Drive`.

    Raises:
        InputError: negative powers or energies, non-positive widths, or arrays of
            different lengths.
    """
    hold = _as_1d("hold_power_uW", hold_power_uW, nonnegative=True)
    energy = _as_1d("pulse_energy_fJ", pulse_energy_fJ, nonnegative=True)
    k = energy.size
    times = _broadcast("pulse_time_ps", _as_1d("pulse_time_ps", pulse_time_ps), k)
    widths = _as_1d("pulse_width_ps", pulse_width_ps, positive=True) if k else energy
    widths = _broadcast("pulse_width_ps", widths, k)
    phases = (
        _as_1d("pulse_phase_rad", pulse_phase_rad) if np.size(pulse_phase_rad) else 0
    )
    phases = _broadcast("pulse_phase_rad", np.zeros(k) + phases, k)
    s = hold.size
    on = _broadcast("hold_on_ps", np.atleast_1d(np.asarray(hold_on_ps, float)), s)
    off = _broadcast("hold_off_ps", np.atleast_1d(np.asarray(hold_off_ps, float)), s)
    hold_phase = _broadcast(
        "hold_phase_rad", _as_1d("hold_phase_rad", hold_phase_rad), s
    )
    checks.check_positive("edge_ps", edge_ps)
    return Drive(
        hold_power_uW=jnp.asarray(hold),
        hold_phase_rad=jnp.asarray(hold_phase),
        hold_on_ps=jnp.asarray(on),
        hold_off_ps=jnp.asarray(off),
        edge_ps=jnp.asarray(float(edge_ps)),
        pulse_energy_fJ=jnp.asarray(energy),
        pulse_time_ps=jnp.asarray(times),
        pulse_width_ps=jnp.asarray(widths),
        pulse_phase_rad=jnp.asarray(phases),
    )


def _broadcast(name, array, size):
    if array.size == size:
        return array
    if array.size == 1:
        return np.full(size, array[0])
    raise input_error(name, f"{size} entries (one per item)", f"{array.size} entries")


def check_pulses_in_window(drive, t_end_ps, t_start_ps=0.0):
    """Raise unless every pulse (centre ± 2 FWHM) lies inside [t_start, t_end].

    Raises:
        InputError: naming ``pulse_width_ps`` or ``pulse_time_ps`` and the window.
    """
    if not isinstance(drive, Drive):
        return
    times = np.asarray(drive.pulse_time_ps)
    widths = np.asarray(drive.pulse_width_ps)
    span = t_end_ps - t_start_ps
    if np.any(2 * widths > span):
        raise input_error(
            "pulse_width_ps",
            f"pulses shorter than half the simulated window ({span:g} ps)",
            widths.tolist(),
        )
    if np.any(times - 2 * widths < t_start_ps) or np.any(times + 2 * widths > t_end_ps):
        raise input_error(
            "pulse_time_ps",
            f"pulse centre ± 2 FWHM inside [{t_start_ps:g}, {t_end_ps:g}] ps",
            times.tolist(),
        )
