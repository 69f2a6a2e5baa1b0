"""Clocked operation of a gate: bit periods, reset, bit streams, eyes and error rates.

Each bit of period ``T`` runs: holding beam on at the start of the bit (smooth edge)
and a settling time for the cavity to reach the lower branch; the input (and clock)
pulses; the output is sampled after the gate's sampling delay; then the holding beam is
switched off, which empties the cavity (reset to the lower branch, at no optical cost),
until the next bit. A pseudo-random bit sequence (PRBS7, x⁷ + x⁶ + 1) drives the
inputs; the transmitted trace is folded into an eye and the decided bits are counted
against the Boolean function.

The bit error rate versus input energy comes from truncated-Wigner trajectories
(:func:`devices.simulate_wigner`) of single operations, the pulse energies of the
design scaled together; an error is a final exciton number on the wrong side of the
unstable middle state. Limitation: the Wigner sampling resolves error rates down to
about one over the number of trajectories; smaller rates read as 0.
"""

import dataclasses
import logging

import jax
import numpy as np

from devices.drive import make_drive
from devices.dynamics import simulate
from devices.logic import GATE_FUNCTIONS, gate_drive, input_combinations
from devices.noise import simulate_wigner
from devices.steady_state import steady_states
from photonics import checks
from photonics.errors import input_error

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ClockTiming:
    """Timing of one bit beyond the gate's own pulse-to-sample delay (ps).

    Attributes:
        settle_ps: from holding beam on to the pulse centre.
        reset_ps: holding beam off between the sample and the next bit.
        edge_ps: rise and fall time of the holding beam.
    """

    settle_ps: float = 7.0
    reset_ps: float = 5.0
    edge_ps: float = 1.0


def bit_period_ps(gate_timing, clock=None):
    """Bit period ``settle + (sample - pulse) + 0.5 + reset`` in ps."""
    clock = ClockTiming() if clock is None else clock
    delay = gate_timing.sample_time_ps - gate_timing.pulse_time_ps
    return clock.settle_ps + delay + 0.5 + clock.reset_ps


def prbs7(n_bits, seed=0x5A):
    """``n_bits`` of the PRBS7 sequence (x⁷ + x⁶ + 1) from a non-zero 7-bit seed."""
    n_bits = checks.check_int("n_bits", n_bits, minimum=1)
    state = int(seed) & 0x7F
    if state == 0:
        raise input_error("seed", "a non-zero 7-bit integer", seed)
    bits = []
    for _ in range(n_bits):
        new = ((state >> 6) ^ (state >> 5)) & 1
        state = ((state << 1) | new) & 0x7F
        bits.append(new)
    return np.array(bits, dtype=int)


def stream_drive(design, bits, clock=None):
    """The drive of a bit stream ``bits`` (shape (N, n_inputs)) through ``design``."""
    clock = ClockTiming() if clock is None else clock
    t = design.timing
    period = bit_period_ps(t, clock)
    starts = np.arange(bits.shape[0]) * period
    pulse = starts + clock.settle_ps
    n_in = bits.shape[1]
    energies = np.concatenate(
        [bits * np.asarray(design.input_energy_fJ), np.full((len(bits), 1), 1.0)],
        axis=1,
    )
    energies[:, -1] *= design.clock_energy_fJ
    phases = np.tile([*design.input_phase_rad, 0.0], (len(bits), 1))
    return make_drive(
        np.full(len(bits), design.hold_power_uW),
        hold_on_ps=starts,
        hold_off_ps=pulse + (t.sample_time_ps - t.pulse_time_ps) + 0.5,
        pulse_energy_fJ=energies.ravel(),
        pulse_time_ps=np.repeat(pulse, n_in + 1),
        pulse_width_ps=t.pulse_width_ps,
        pulse_phase_rad=phases.ravel(),
        edge_ps=clock.edge_ps,
    )


@dataclasses.dataclass(frozen=True)
class StreamResult:
    """A bit stream through a gate.

    Attributes:
        inputs: shape (N, n_inputs); expected, decided: shape (N,) output bits.
        errors: number of wrong bits; samples_uW: output at each sampling time.
        eye_opening_uW: lowest sampled "1" minus highest sampled "0".
        bit_period_ps: T; trajectory: the simulated :class:`devices.Trajectory`.
        sample_offset_ps: sampling time within a bit.
    """

    inputs: np.ndarray
    expected: np.ndarray
    decided: np.ndarray
    errors: int
    samples_uW: np.ndarray
    eye_opening_uW: float
    bit_period_ps: float
    sample_offset_ps: float
    trajectory: object


def run_stream(model, design, n_bits=16, clock=None, seeds=(0x5A, 0x33)):
    """Simulate ``n_bits`` PRBS7 bits through ``design`` in one solve.

    Returns:
        :class:`StreamResult`.
    """
    clock = ClockTiming() if clock is None else clock
    n_in = len(design.input_energy_fJ)
    bits = np.stack([prbs7(n_bits, s) for s in seeds[:n_in]], axis=1)
    period = bit_period_ps(design.timing, clock)
    drive = stream_drive(design, bits, clock)
    t_end = n_bits * period
    n_save = round(t_end / 0.25) + 1
    trace = simulate(model, drive, t_end, n_save=n_save, max_steps=100_000)
    offset = clock.settle_ps + design.timing.sample_time_ps
    offset -= design.timing.pulse_time_ps
    return _decide(design, bits, trace, period, offset)


def _decide(design, bits, trace, period, offset):
    times = np.asarray(trace.times_ps)
    out = np.asarray(trace.transmitted_uW)
    idx = [
        int(np.argmin(np.abs(times - (k * period + offset)))) for k in range(len(bits))
    ]
    samples = out[idx]
    expected = np.array([GATE_FUNCTIONS[design.name](tuple(b)) for b in bits])
    decided = (samples > design.decision_uW).astype(int)
    ones, zeros = samples[expected == 1], samples[expected == 0]
    opening = (ones.min() if ones.size else np.nan) - (
        zeros.max() if zeros.size else np.nan
    )
    return StreamResult(
        inputs=bits,
        expected=expected,
        decided=decided,
        errors=int(np.sum(decided != expected)),
        samples_uW=samples,
        eye_opening_uW=float(opening),
        bit_period_ps=period,
        sample_offset_ps=offset,
        trajectory=trace,
    )


def eye_traces(stream):
    """Fold the output trace into bits: (time within bit, traces (N, S), expected)."""
    times = np.asarray(stream.trajectory.times_ps)
    out = np.asarray(stream.trajectory.transmitted_uW)
    per_bit = round(stream.bit_period_ps / (times[1] - times[0]))
    n = len(stream.expected)
    traces = out[: n * per_bit].reshape(n, per_bit)
    return times[:per_bit], traces, stream.expected


def bit_error_rate(model, design, scale, key, *, n_trajectories=100, dt_ps=0.002):
    """Error rate of one noisy operation, averaged over the input combinations.

    The design's input pulse energies are multiplied by ``scale`` (the clock, if any,
    is kept); each combination is run as ``n_trajectories`` truncated-Wigner samples
    from the lower steady state.

    Args:
        model: the cavity; design: a :class:`devices.logic.GateDesign`.
        scale: factor (> 0) on the input energies.
        key: ``jax.random`` key.
        n_trajectories: samples per input combination; dt_ps: Wigner step.

    Returns:
        The fraction of wrong outputs over all samples (a float).
    """
    checks.check_positive("scale", scale)
    scaled = dataclasses.replace(
        design, input_energy_fJ=tuple(scale * e for e in design.input_energy_fJ)
    )
    psi0 = jax.jit(steady_states)(model, design.hold_power_uW).fields[0]
    combos = input_combinations(len(design.input_energy_fJ))
    wrong = 0
    for bits, sub in zip(combos, jax.random.split(key, len(combos)), strict=True):
        runs = simulate_wigner(
            model,
            gate_drive(scaled, bits),
            sub,
            design.timing.t_end_ps,
            psi0=psi0,
            n_trajectories=n_trajectories,
            dt_ps=dt_ps,
            n_save=2,
        )
        final = np.abs(np.asarray(runs.fields[:, -1, -1])) ** 2 - 0.5
        decided = final > design.middle_population
        wrong += int(np.sum(decided != bool(GATE_FUNCTIONS[design.name](bits))))
    return wrong / (n_trajectories * len(combos))


def ber_versus_energy(model, design, scales, key, **kwargs):
    """Error rate at each scale of the input energies.

    Returns:
        dict with ``scale``, ``input_energy_fJ`` (per input) and ``ber`` lists.
    """
    scales = [float(s) for s in np.atleast_1d(scales)]
    keys = jax.random.split(key, len(scales))
    ber = [
        bit_error_rate(model, design, s, k, **kwargs)
        for s, k in zip(scales, keys, strict=True)
    ]
    energy = [s * design.input_energy_fJ[0] for s in scales]
    logger.info("BER vs energy: %s", list(zip(energy, ber, strict=True)))
    return dict(scale=scales, input_energy_fJ=energy, ber=ber)


def ber_floor(n_trajectories, n_combinations):
    """Smallest non-zero error rate the sampling resolves: 1 / (samples)."""
    return 1.0 / (n_trajectories * n_combinations)
