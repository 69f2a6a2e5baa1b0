"""Switching experiments and their metrics.

The switch is held inside its bistable window by a holding beam, starts on the lower
branch, and receives one Gaussian control pulse in phase with the holding beam. It has
switched when, at the end of the window, its population lies above the middle (unstable)
steady state. The switching energy is the smallest incident control energy that
switches it, found by bisection on the simulation itself (each step is one jitted
diffrax solve). The switching time is the 10-90 % rise of the transmitted power; the
contrast compares the outputs of the two stable states at the holding power.
"""

import logging
import math

import equinox as eqx
import jax
import numpy as np

from devices.drive import make_drive
from devices.dynamics import simulate
from devices.steady_state import bistable_window, steady_states
from photonics import checks
from photonics.errors import input_error
from photonics.units import (
    energy_J_to_photons,
    fJ_J,
    ps_s,
    wavelength_nm_from_energy_meV,
)

logger = logging.getLogger(__name__)


class SwitchProtocol(eqx.Module):
    """Timing of a switching experiment (all in ps, static host numbers).

    Attributes:
        pulse_width_ps: control pulse intensity FWHM.
        pulse_time_ps: control pulse centre.
        t_end_ps: end of the simulated window.
        hold_fraction: holding power position in the window, 0 = lower fold power,
            1 = upper fold power.
        pulse_phase_rad: control phase relative to the holding beam.
    """

    pulse_width_ps: float = 1.0
    pulse_time_ps: float = 4.0
    t_end_ps: float = 40.0
    hold_fraction: float = 0.5
    pulse_phase_rad: float = 0.0


def holding_power_uW(model, hold_fraction=0.5):
    """Holding power ``P_lo + f (P_hi - P_lo)`` inside the bistable window (µW).

    Raises:
        InputError: if the model is not bistable or the fraction is outside (0, 1).
    """
    checks.check_fraction("hold_fraction", hold_fraction)
    if not 0.0 < hold_fraction < 1.0:
        raise input_error(
            "hold_fraction", "a number strictly between 0 and 1", hold_fraction
        )
    window = bistable_window(model)
    low, high = window.lower_fold_power_uW, window.upper_fold_power_uW
    return low + hold_fraction * (high - low)


class SwitchSetup(eqx.Module):
    """The holding point of a switch: the three steady states at the holding power."""

    hold_power_uW: float
    states: object
    protocol: SwitchProtocol


def prepare_switch(model, protocol=None):
    """Holding power and steady states of ``protocol`` (default: the default one)."""
    protocol = SwitchProtocol() if protocol is None else protocol
    power = holding_power_uW(model, protocol.hold_fraction)
    states = jax.jit(steady_states)(model, power)
    return SwitchSetup(hold_power_uW=power, states=states, protocol=protocol)


def switch_trace(model, setup, pulse_energy_fJ, **kwargs):
    """Simulate the switch from its lower state with one control pulse.

    Args:
        model: cavity model; setup: from :func:`prepare_switch`;
        pulse_energy_fJ: incident control energy in fJ (>= 0).
        **kwargs: passed to :func:`devices.simulate` (n_save, max_steps, rtol).

    Returns:
        :class:`devices.Trajectory`.
    """
    p = setup.protocol
    drive = make_drive(
        setup.hold_power_uW,
        pulse_energy_fJ=[pulse_energy_fJ],
        pulse_time_ps=[p.pulse_time_ps],
        pulse_width_ps=[p.pulse_width_ps],
        pulse_phase_rad=[p.pulse_phase_rad],
    )
    return simulate(model, drive, p.t_end_ps, psi0=setup.states.fields[0], **kwargs)


def has_switched(setup, trajectory):
    """Whether the final population lies above the middle (unstable) steady state."""
    return bool(trajectory.population[-1] > float(setup.states.population[1]))


class SwitchingThreshold(eqx.Module):
    """Result of :func:`switching_threshold` (host numbers).

    Attributes:
        energy_J, energy_fJ, photons: incident control energy at threshold.
        hold_power_uW: the holding power used.
        simulations: number of solves the bisection took.
    """

    energy_J: float
    energy_fJ: float
    photons: float
    hold_power_uW: float
    simulations: int


def switching_threshold(model, setup=None, *, guess_fJ=1.0, rtol=1e-3, max_fJ=1e5):
    """Smallest control energy that switches the cavity, by bisection on simulations.

    The bracket is grown by factors of 2 from ``guess_fJ``, then bisected in log energy
    until its ends differ by a factor below ``1 + rtol``.

    Args:
        model: a bistable cavity model.
        setup: from :func:`prepare_switch` (default protocol if None).
        guess_fJ: starting energy in fJ (> 0).
        rtol: relative precision of the threshold (> 0).
        max_fJ: give up above this energy.

    Returns:
        :class:`SwitchingThreshold` (the upper end of the final bracket).

    Raises:
        InputError: if no pulse up to ``max_fJ`` switches the cavity.
    """
    setup = prepare_switch(model) if setup is None else setup
    checks.check_positive("guess_fJ", guess_fJ)
    checks.check_positive("rtol", rtol)
    count = [0]

    def switched(energy):
        count[0] += 1
        return has_switched(setup, switch_trace(model, setup, energy, n_save=64))

    low, high = _bracket(switched, guess_fJ, max_fJ)
    while high / low > 1.0 + rtol:
        mid = math.sqrt(low * high)
        low, high = (low, mid) if switched(mid) else (mid, high)
    logger.info("switching threshold %.4g fJ after %d solves", high, count[0])
    return _threshold_result(model, high, setup.hold_power_uW, count[0])


def _bracket(switched, guess, max_fJ):
    high = guess
    while not switched(high):
        high *= 2.0
        if high > max_fJ:
            raise input_error(
                "pulse_energy_fJ",
                "a switch that flips below max_fJ",
                f"no switching up to {max_fJ:g} fJ",
                "move the holding power closer to the upper fold",
            )
    low = high / 2.0
    while switched(low):
        high, low = low, low / 2.0
        if low < 1e-12 * guess:
            break
    return low, high


def _threshold_result(model, energy_fJ, hold_power_uW, count):
    energy_J = energy_fJ * fJ_J
    wavelength = wavelength_nm_from_energy_meV(float(model.pump_energy_meV))
    return SwitchingThreshold(
        energy_J=energy_J,
        energy_fJ=energy_fJ,
        photons=energy_J_to_photons(energy_J, wavelength),
        hold_power_uW=hold_power_uW,
        simulations=count,
    )


def switching_time_ps(times_ps, signal):
    """10-90 % transition time of ``signal`` between its first and last values (ps).

    t90 is the last time the signal enters the 90 % level for good, t10 the last
    crossing of the 10 % level before it, so transients (the control pulse leaking into
    the output) do not count. Crossing times are linearly interpolated.

    Args:
        times_ps: shape (T,), increasing; signal: shape (T,).

    Returns:
        t90 - t10 in ps.

    Raises:
        InputError: if the signal does not change between its ends.
    """
    t = np.asarray(times_ps, float)
    s = np.asarray(signal, float)
    span = s[-1] - s[0]
    if not abs(span) > 0:
        raise input_error(
            "signal", "a signal that changes between its ends", "a flat one"
        )
    fraction = (s - s[0]) / span
    i90 = _last_entry(fraction >= 0.9)
    i10 = _last_entry(fraction[: i90 + 1] >= 0.1)
    return _crossing(t, fraction, i90, 0.9) - _crossing(t, fraction, i10, 0.1)


def _last_entry(above):
    below = np.flatnonzero(~above)
    return int(below[-1] + 1) if below.size else 0


def _crossing(t, fraction, i, level):
    if i == 0:
        return t[0]
    f0, f1 = fraction[i - 1], fraction[i]
    return t[i - 1] + (level - f0) / (f1 - f0) * (t[i] - t[i - 1])


def contrast_dB(power_a, power_b):
    """Contrast 10 |log10(P_a / P_b)| in dB between two output powers (both > 0)."""
    checks.check_positive("power_a", float(power_a))
    checks.check_positive("power_b", float(power_b))
    return abs(10.0 * math.log10(float(power_a) / float(power_b)))


def holding_energy_per_bit_J(hold_power_uW, bit_period_ps):
    """Energy the holding beam spends per bit: P_hold × bit period, in joules."""
    checks.check_positive("hold_power_uW", hold_power_uW, allow_zero=True)
    checks.check_positive("bit_period_ps", bit_period_ps)
    return hold_power_uW * 1e-6 * bit_period_ps * ps_s


def energy_delay_product_Js(energy_J, delay_s):
    """Energy-delay product in J·s of a switching energy and a switching time."""
    checks.check_positive("energy_J", energy_J, allow_zero=True)
    checks.check_positive("delay_s", delay_s, allow_zero=True)
    return energy_J * delay_s


def characterise(model, protocol=None, *, name="model", bit_period_ps=None, rtol=1e-3):
    """Switching energy, time, contrast and window of a bistable switch, as a dict.

    The switching time is measured with a control pulse of twice the threshold energy;
    the bit period for the holding energy defaults to the protocol's pulse delay plus
    twice the switching time.

    Returns:
        dict with ``preset``, ``switching_energy_fJ``, ``switching_energy_J``,
        ``switching_energy_photons``, ``switching_time_ps``, ``contrast_dB``,
        ``bistable_window`` (fold powers in µW), ``hold_power_uW``,
        ``holding_energy_per_bit_fJ``, ``energy_delay_product_Js`` and the trace.
    """
    setup = prepare_switch(model, protocol)
    window = bistable_window(model)
    threshold = switching_threshold(model, setup, rtol=rtol)
    trace = switch_trace(model, setup, 2.0 * threshold.energy_fJ)
    time_ps = switching_time_ps(trace.times_ps, trace.transmitted_uW)
    low, high = (float(setup.states.transmitted_uW[i]) for i in (0, 2))
    period = setup.protocol.pulse_time_ps + 2.0 * time_ps
    period = period if bit_period_ps is None else bit_period_ps
    return dict(
        preset=name,
        switching_energy_fJ=threshold.energy_fJ,
        switching_energy_J=threshold.energy_J,
        switching_energy_photons=threshold.photons,
        switching_time_ps=time_ps,
        contrast_dB=contrast_dB(high, low),
        bistable_window=dict(
            lower_fold_power_uW=window.lower_fold_power_uW,
            upper_fold_power_uW=window.upper_fold_power_uW,
        ),
        hold_power_uW=setup.hold_power_uW,
        bit_period_ps=period,
        holding_energy_per_bit_fJ=holding_energy_per_bit_J(setup.hold_power_uW, period)
        / fJ_J,
        energy_delay_product_Js=energy_delay_product_Js(
            threshold.energy_J, time_ps * ps_s
        ),
        trace=trace,
        setup=setup,
    )
