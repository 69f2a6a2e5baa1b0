"""All-optical logic gates from the bistable polariton switch, with simulated tables.

Scheme (Liew, Kavokin and Shelykh, PRL 101, 016402 (2008); Espinosa-Ortega and Liew,
PRB 87, 195305 (2013)). Every gate is one cavity held inside its bistable window by a
holding beam and reset to the lower branch before each operation. Input bits are
Gaussian pulses at the pump frequency, all with the same centre and width, so their
fields add coherently into one pulse of amplitude ``Σ_k √E_k e^{iφ_k}``. The output bit
is the transmitted power at the sampling time, compared with the geometric mean of the
lower- and upper-branch transmissions at the holding power. With ``E_th`` the smallest
switching energy of an in-phase pulse (measured by bisection on the simulation) and
``m`` the design margin (> 1):

* OR: each input in phase with ``E = m E_th``: one pulse alone crosses the upper fold.
* AND: each input in phase with ``E = E_th / 2`` (the geometric centre of the open
  interval (E_th/4, E_th)): one pulse stays below threshold, two coherent pulses carry
  ``4 E = 2 E_th``.
* NOT (clocked): a clock pulse ``E_c = m E_th`` in phase sets the cavity; the input is
  a pulse of the same amplitude in anti-phase (φ = π) that cancels the clock.
* NAND (clocked): clock ``E_c = 4 m E_th``; each input carries half the clock amplitude
  in anti-phase (``E = m E_th``), so one input leaves ``m E_th`` and two cancel it.
* XOR: the inputs in quadrature with the holding beam, A at +π/2 and B at -π/2, each
  ``m`` times its own measured threshold (the larger one, so both carry one
  amplitude); alone each switches, together they cancel exactly.

The design reads the holding power from the device's bistable window and the pulse
energies from the simulated thresholds; nothing is typed in. The truth table is then
simulated for every input combination in one vmapped solve and compared with the
Boolean function; a wrong table is reported as ``correct=False``.

Limitations: the inputs must be phase-locked to the holding beam (NOT, NAND and XOR
rely on interference); the gate reads one port and assumes the next stage does not
reflect light back (no input/output isolation is modelled, Miller, Nat. Photon. 4, 3
(2010)); thresholds are found for one pulse width and sampling time.
"""

import dataclasses
import itertools
import logging
import math

import jax
import jax.numpy as jnp
import numpy as np

from devices.drive import check_pulses_in_window, make_drive
from devices.dynamics import simulate_batch
from devices.metrics import (
    SwitchProtocol,
    holding_power_uW,
    prepare_switch,
    switching_threshold,
)
from devices.params import lower_polariton_energy_meV, with_pump_energy
from devices.steady_state import bistable_window, fold_points, steady_states
from photonics import checks
from photonics.errors import InputError, input_error

logger = logging.getLogger(__name__)

#: The Boolean function of each gate, on a tuple of input bits.
GATE_FUNCTIONS = {
    "NOT": lambda bits: 1 - bits[0],
    "AND": lambda bits: bits[0] & bits[1],
    "OR": lambda bits: bits[0] | bits[1],
    "NAND": lambda bits: 1 - (bits[0] & bits[1]),
    "XOR": lambda bits: bits[0] ^ bits[1],
}
#: Number of inputs of each gate.
GATE_INPUTS = {"NOT": 1, "AND": 2, "OR": 2, "NAND": 2, "XOR": 2}
#: Gates that use a clock pulse that sets the cavity unless the inputs cancel it.
CLOCKED_GATES = ("NOT", "NAND")


class InfeasibleDesign(InputError):
    """A gate that cannot work with this device; the message gives the nearest fix."""


@dataclasses.dataclass(frozen=True)
class GateTiming:
    """Timing and bias of a single gate operation (host numbers, ps).

    Attributes:
        pulse_width_ps: intensity FWHM of every input and clock pulse.
        pulse_time_ps: centre of the pulses, after the cavity settled on the lower
            branch.
        sample_time_ps: when the output is read.
        hold_fraction: holding power within the bistable window (0: lower fold,
            1: upper fold).
        margin: energy margin m (> 1) of the design, see the module docstring.
    """

    pulse_width_ps: float = 1.0
    pulse_time_ps: float = 3.0
    sample_time_ps: float = 13.0
    hold_fraction: float = 0.5
    margin: float = 2.0

    @property
    def t_end_ps(self):
        """End of the simulated window: half a picosecond after the sample."""
        return self.sample_time_ps + 0.5

    def protocol(self, phase_rad=0.0):
        """The :class:`devices.SwitchProtocol` for a threshold at ``phase_rad``."""
        return SwitchProtocol(
            pulse_width_ps=self.pulse_width_ps,
            pulse_time_ps=self.pulse_time_ps,
            t_end_ps=self.t_end_ps,
            hold_fraction=self.hold_fraction,
            pulse_phase_rad=phase_rad,
        )


@dataclasses.dataclass(frozen=True)
class GateDesign:
    """Bias and pulses of one gate (host numbers).

    Attributes:
        name: gate name, a key of :data:`GATE_FUNCTIONS`.
        hold_power_uW: holding power.
        input_energy_fJ, input_phase_rad: per input, incident energy and phase
            relative to the holding beam (tuples).
        clock_energy_fJ: in-phase clock pulse energy (0 for unclocked gates).
        threshold_fJ: measured in-phase switching threshold at this hold.
        timing: the :class:`GateTiming`.
        low_uW, high_uW: steady transmitted power of the lower and upper branches.
        middle_population: population of the unstable middle state.
    """

    name: str
    hold_power_uW: float
    input_energy_fJ: tuple
    input_phase_rad: tuple
    clock_energy_fJ: float
    threshold_fJ: float
    timing: GateTiming
    low_uW: float
    high_uW: float
    middle_population: float

    @property
    def decision_uW(self):
        """Output decision level: the geometric mean of the two branch outputs."""
        return math.sqrt(self.low_uW * self.high_uW)


def input_combinations(n_inputs):
    """All input bit tuples of an ``n_inputs``-input gate, in binary counting order."""
    return list(itertools.product((0, 1), repeat=n_inputs))


def expected_table(name):
    """The Boolean truth table of gate ``name``: list of (inputs..., output) rows."""
    checks.check_choice("gate", name, list(GATE_FUNCTIONS))
    rows = input_combinations(GATE_INPUTS[name])
    return [(*bits, int(GATE_FUNCTIONS[name](bits))) for bits in rows]


def lowest_bistable_detuning_meV(model, max_detuning_meV=None, size=256):
    """Smallest pump detuning above the lower polariton that makes ``model`` bistable.

    Scans ``size`` detunings up to ``max_detuning_meV`` (default: 20 linewidths) with
    the vmapped fold-point search. Returns ``nan`` if none is bistable.
    """
    e_lp = lower_polariton_energy_meV(
        model.cavity_energy_meV, model.exciton_energy_meV, model.rabi_meV
    )
    top = max_detuning_meV or 20.0 * float(getattr(model, "gamma_C_meV", 1.0))
    grid = jnp.linspace(0.0, top, size)

    def bistable(d):
        return fold_points(with_pump_energy(model, e_lp + d)).bistable

    flags = np.asarray(jax.jit(jax.vmap(bistable))(grid))
    return float(grid[np.argmax(flags)]) if flags.any() else math.nan


def check_bistable(model):
    """The bistable window of ``model``, or :class:`InfeasibleDesign` naming the fix."""
    try:
        return bistable_window(model)
    except InputError:
        fix = lowest_bistable_detuning_meV(model)
        e_lp = lower_polariton_energy_meV(
            model.cavity_energy_meV, model.exciton_energy_meV, model.rabi_meV
        )
        now = float(model.pump_energy_meV) - float(e_lp)
        if math.isnan(fix):
            raise InfeasibleDesign(
                f"model: expected a bistable response at the pump detuning, received a "
                f"single-valued one at {now:.3g} meV above the lower polariton, and no "
                "pump detuning up to 20 cavity linewidths makes this device bistable "
                "(nearest feasible setting: a stronger nonlinearity or narrower "
                "linewidths)"
            ) from None
        raise InfeasibleDesign(
            f"model: expected a bistable response at the pump detuning, received a "
            f"single-valued one at {now:.3g} meV above the lower polariton (a gate "
            f"needs a bistable window; nearest feasible setting: pump detuning "
            f"{fix:.3g} meV or more above the lower polariton)"
        ) from None


_THRESHOLD_CACHE = {}


def measure_threshold_fJ(model, timing, phase_rad=0.0, rtol=1e-2):
    """Switching threshold (fJ) of a pulse at ``phase_rad`` under ``timing``.

    Found by bisection on simulations (:func:`devices.switching_threshold`); results
    are cached per (model parameters, timing, phase, rtol) for this process.
    """
    leaves = tuple(float(x) for x in jax.tree.leaves(model))
    key = (type(model).__name__, leaves, timing, float(phase_rad), float(rtol))
    if key not in _THRESHOLD_CACHE:
        setup = prepare_switch(model, timing.protocol(phase_rad))
        energy = switching_threshold(model, setup, rtol=rtol).energy_fJ
        _THRESHOLD_CACHE[key] = energy
    return _THRESHOLD_CACHE[key]


def feasible_input_range_fJ(name, threshold_fJ, clock_energy_fJ=0.0):
    """Open range (low, high) of the per-input energy (fJ) for which ``name`` works.

    Predicted from coherent addition of equal-shape pulses: a pulse of amplitude
    ``Σ √E_k e^{iφ_k}`` switches when ``|Σ √E_k e^{iφ_k}|² > E_th`` (for XOR,
    ``threshold_fJ`` is the larger of the two quadrature thresholds).
    """
    s = math.sqrt(threshold_fJ)
    c = math.sqrt(clock_energy_fJ)
    ranges = {
        "OR": (threshold_fJ, math.inf),
        "XOR": (threshold_fJ, math.inf),
        "AND": (threshold_fJ / 4.0, threshold_fJ),
        "NOT": (max(c - s, 0.0) ** 2, math.inf),
        "NAND": (max(0.5 * (c - s), 0.0) ** 2, max(c - s, 0.0) ** 2),
    }
    return ranges[name]


def _default_energies(name, thresholds, margin):
    """(input energy, clock energy) in fJ of the default design."""
    e0 = thresholds[0.0]
    if name == "XOR":
        return margin * max(thresholds[0.5 * math.pi], thresholds[-0.5 * math.pi]), 0.0
    defaults = {
        "OR": (margin * e0, 0.0),
        "AND": (0.5 * e0, 0.0),
        "NOT": (margin * e0, margin * e0),
        "NAND": (margin * e0, 4.0 * margin * e0),
    }
    return defaults[name]


def _input_phases(name):
    if name == "XOR":
        return (0.5 * math.pi, -0.5 * math.pi)
    phase = math.pi if name in CLOCKED_GATES else 0.0
    return (phase,) * GATE_INPUTS[name]


def _check_energy(name, energy_fJ, low, high, default_fJ):
    if low < energy_fJ < high or (name in ("OR", "XOR") and energy_fJ == low):
        return
    inside = min(max(energy_fJ, 1.05 * low), high / 1.05)
    raise InfeasibleDesign(
        f"input_energy_fJ: expected an energy in ({low:.4g}, {high:.4g}) fJ for a "
        f"{name} gate on this device (set by its simulated switching threshold), "
        f"received {energy_fJ:.4g} fJ (nearest feasible setting: {inside:.4g} fJ; "
        f"the design value is {default_fJ:.4g} fJ)"
    )


def _thresholds(model, name, timing, rtol):
    phases = (0.0, 0.5 * math.pi, -0.5 * math.pi) if name == "XOR" else (0.0,)
    return {p: measure_threshold_fJ(model, timing, p, rtol) for p in phases}


def design_gate(model, name, timing=None, *, input_energy_fJ=None, rtol=1e-2):
    """Design gate ``name`` from the device's bistable window and switching threshold.

    Args:
        model: a bistable cavity model (:class:`devices.TwoModeCavity` or Kerr).
        name: ``"NOT"``, ``"AND"``, ``"OR"``, ``"NAND"`` or ``"XOR"``.
        timing: :class:`GateTiming` (default timing and margin 2).
        input_energy_fJ: override the per-input energy (fJ); must lie in
            :func:`feasible_input_range_fJ`.
        rtol: relative precision of the threshold bisection.

    Returns:
        :class:`GateDesign`.

    Raises:
        InfeasibleDesign: if the model is not bistable (with the nearest bistable pump
            detuning) or ``input_energy_fJ`` cannot make the gate work (with the
            nearest feasible energy).
        InputError: unknown gate, margin <= 1 or hold fraction outside (0, 1).
    """
    checks.check_choice("gate", name, list(GATE_FUNCTIONS))
    timing = GateTiming() if timing is None else timing
    if not timing.margin > 1.0:
        raise input_error("margin", "a design margin > 1", timing.margin)
    check_bistable(model)
    thresholds = _thresholds(model, name, timing, rtol)
    energy, clock = _default_energies(name, thresholds, timing.margin)
    threshold = thresholds[0.0] if name != "XOR" else energy / timing.margin
    low, high = feasible_input_range_fJ(name, threshold, clock)
    if input_energy_fJ is not None:
        _check_energy(name, float(input_energy_fJ), low, high, energy)
        energy = float(input_energy_fJ)
    return _assemble_design(model, name, timing, energy, clock, thresholds[0.0])


def _assemble_design(model, name, timing, energy, clock, threshold):
    hold = holding_power_uW(model, timing.hold_fraction)
    states = jax.jit(steady_states)(model, hold)
    logger.info("%s gate: hold %.4g uW, input %.4g fJ", name, hold, energy)
    return GateDesign(
        name=name,
        hold_power_uW=hold,
        input_energy_fJ=(energy,) * GATE_INPUTS[name],
        input_phase_rad=_input_phases(name),
        clock_energy_fJ=clock,
        threshold_fJ=threshold,
        timing=timing,
        low_uW=float(states.transmitted_uW[0]),
        high_uW=float(states.transmitted_uW[2]),
        middle_population=float(states.population[1]),
    )


def gate_drive(design, bits, hold_power_uW=None):
    """The :class:`devices.Drive` of ``design`` for one tuple of input ``bits``.

    The pulses are the inputs (energy × bit) followed by the clock (energy 0 for
    unclocked gates), so every combination has the same pulse count.
    """
    t = design.timing
    energies = [e * b for e, b in zip(design.input_energy_fJ, bits, strict=True)]
    phases = list(design.input_phase_rad)
    hold = design.hold_power_uW if hold_power_uW is None else hold_power_uW
    return make_drive(
        hold,
        pulse_energy_fJ=[*energies, design.clock_energy_fJ],
        pulse_time_ps=[t.pulse_time_ps] * (len(bits) + 1),
        pulse_width_ps=t.pulse_width_ps,
        pulse_phase_rad=[*phases, 0.0],
    )


def stack_drives(drives):
    """Stack drives of equal pulse counts along a new leading batch axis."""
    return jax.tree.map(lambda *leaves: jnp.stack(leaves), *drives)


@dataclasses.dataclass(frozen=True)
class GateResult:
    """Simulated operation of a gate for every input combination.

    Attributes:
        design: the :class:`GateDesign`.
        truth_table: rows (inputs..., simulated output bit).
        expected: rows (inputs..., Boolean output bit).
        correct: whether every simulated row matches.
        output_uW: transmitted power at the sampling time per row, shape (R,).
        latency_ps: worst delay from the pulse centre until the output settles
            above 90 % of the upper-branch level, over the rows whose output is 1
            (nan if none).
        trajectories: the batched :class:`devices.Trajectory` (leading axis R).
    """

    design: GateDesign
    truth_table: list
    expected: list
    correct: bool
    output_uW: np.ndarray
    latency_ps: float
    trajectories: object


def simulate_gate(model, design, *, n_save=121, max_steps=20_000):
    """Simulate ``design`` for every input combination in one vmapped solve.

    Each run starts on the lower steady state at the design's holding power; the
    output bit is ``transmitted(sample_time) > design.decision_uW``.

    Returns:
        :class:`GateResult`.

    Raises:
        SimulationError: if a solve fails.
    """
    t = design.timing
    combos = input_combinations(len(design.input_energy_fJ))
    drives = [gate_drive(design, bits) for bits in combos]
    for drive in drives:
        check_pulses_in_window(drive, t.t_end_ps)
    psi0 = jax.jit(steady_states)(model, design.hold_power_uW).fields[0]
    psi0 = jnp.broadcast_to(psi0, (len(combos), psi0.shape[0]))
    runs = simulate_batch(
        model,
        stack_drives(drives),
        psi0,
        t.t_end_ps,
        n_save=n_save,
        max_steps=max_steps,
    )
    return _read_table(design, combos, runs)


def _read_table(design, combos, runs):
    times = np.asarray(runs.times_ps)[0]
    index = int(np.argmin(np.abs(times - design.timing.sample_time_ps)))
    out = np.asarray(runs.transmitted_uW)[:, index]
    bits = (out > design.decision_uW).astype(int)
    table = [(*c, int(b)) for c, b in zip(combos, bits, strict=True)]
    expected = expected_table(design.name)
    traces = np.asarray(runs.transmitted_uW)[:, : index + 1]
    return GateResult(
        design=design,
        truth_table=table,
        expected=expected,
        correct=table == expected,
        output_uW=out,
        latency_ps=_latency_ps(times[: index + 1], traces[bits == 1], design),
        trajectories=runs,
    )


def _latency_ps(times, traces, design):
    """Worst time from the pulse centre until the output stays above 90 % of the
    upper-branch output (the settled "1" level); ``nan`` when some "1" has not
    settled by the end of ``times`` (the sampling time)."""
    if traces.shape[0] == 0:
        return math.nan
    worst = 0.0
    for trace in traces:
        below = np.flatnonzero(trace < 0.9 * design.high_uW)
        if below.size and below[-1] + 1 >= times.size:
            return math.nan  # a "1" not yet settled at the sampling time
        crossing = times[below[-1] + 1] if below.size else times[0]
        worst = max(worst, crossing - design.timing.pulse_time_ps)
    return float(worst)


def simulate_all_gates(model, timing=None, names=("NOT", "AND", "OR", "NAND", "XOR")):
    """Design and simulate several gates; dict name -> :class:`GateResult`."""
    return {n: simulate_gate(model, design_gate(model, n, timing)) for n in names}
