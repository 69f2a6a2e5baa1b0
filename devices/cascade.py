"""Cascades: the transmitted field of one gate drives the next, simulated end to end.

All cavities of a circuit are integrated as one ODE system. Cavity ``j`` is driven by
its own holding beam and pulses plus the transmitted fields of the cavities feeding it,

    a_in,j(t) = a_ext,j(t) + Σ_i C_ji a_T,i(t),   a_T,i = √κ_out ψ_C,i  (in √µW),

with ``C_ji = √(η_c 10^(-L/10) / F) e^{iφ}`` for a coupling efficiency η_c, a
propagation loss L (dB), an equal split into F branches (fan-out) and an interconnect
phase φ. The coupling is feed-forward and instantaneous: propagation delay (about 1 ps
per 100 µm of waveguide) and light reflected back into the driving gate are neglected,
so the isolation Miller asks of a logic device (Nat. Photon. 4, 3 (2010)) is assumed,
not modelled.

Topology: stage 1 is a gate (:mod:`devices.logic`) with the circuit's inputs; its
output splits into ``fan_out`` branches, each a chain of ``stages - 1`` buffers (a
cavity whose only input is the previous stage's transmitted light). Every output must
equal the Boolean function of stage 1.

Bias of the buffers, stated plainly: at the middle of the bistable window the MoSe₂
switch's "1" output (tens of µW) is far below the continuous input that takes an
identical gate across its upper fold (hundreds of µW), so the gain is below 1 (see
:func:`devices.logic_metrics.cascadability`). The buffers are therefore held close to
their upper fold, at the hold whose input threshold lies, in field amplitude, midway
between the arriving "0" and "1" fields: the holding beam then supplies the output
power (gain through the holding beam, as in a transistor's supply). The price is a
narrow tolerance on the holding power, reported as ``hold_tolerance``; the interconnect
phase φ is set so that the "1" of the driving gate arrives in phase with the holding
beam of the next.
"""

import dataclasses
import logging
import math

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from devices.drive import make_drive
from devices.dynamics import SimulationError
from devices.logic import (
    GATE_FUNCTIONS,
    InfeasibleDesign,
    gate_drive,
    input_combinations,
    stack_drives,
)
from devices.params import photon_flux_per_ps, rate_per_ps
from devices.steady_state import bistable_window, steady_states
from photonics import checks
from photonics.units import db_to_power_ratio

logger = logging.getLogger(__name__)


def output_field_per_psi(model):
    """√(κ_out / flux per µW): multiplies ψ_C to give the transmitted field in √µW."""
    per_uW = 1.0 / photon_flux_per_ps(1.0, model.pump_energy_meV)
    return jnp.sqrt(rate_per_ps(model.kappa_out_meV) * per_uW)


@dataclasses.dataclass(frozen=True)
class Buffer:
    """A buffer stage: holding power and the field amplitudes that arrive at it.

    Attributes:
        hold_power_uW: its holding power.
        arriving_high, arriving_low: |field| (√µW) of a "1" and a "0" at its input.
        hold_tolerance: relative width of the holding-power interval over which a
            "1" switches it and a "0" does not (0 if none).
        low_uW, high_uW: its steady lower/upper transmission at its hold.
    """

    hold_power_uW: float
    arriving_high: float
    arriving_low: float
    hold_tolerance: float
    low_uW: float
    high_uW: float


MIN_HOLD_TOLERANCE = 0.01
"""Smallest relative holding-power interval a buffer accepts (laser stability)."""


def _tolerance(top, high_uW, low_uW, coupling):
    b_hi, b_lo = math.sqrt(coupling * high_uW), math.sqrt(coupling * low_uW)
    hold = (top - 0.5 * (b_hi + b_lo)) ** 2
    return ((top - b_lo) ** 2 - (top - b_hi) ** 2) / hold


def _weakest_coupling(top, bottom, high_uW, low_uW, coupling):
    """Smallest coupling above ``coupling`` whose tolerance reaches the minimum, by
    bisection up to the overshoot limit (the tolerance grows with the coupling)."""
    a, b = coupling, (top - bottom) ** 2 / high_uW
    for _ in range(60):
        mid = 0.5 * (a + b)
        ok = _tolerance(top, high_uW, low_uW, mid) >= MIN_HOLD_TOLERANCE
        a, b = (a, mid) if ok else (mid, b)
    return b


def design_buffer(model, window, high_uW, low_uW, coupling):
    """Hold a buffer so that a "1" of ``high_uW`` (× coupling) crosses its upper fold.

    Raises:
        InfeasibleDesign: if the "1" cannot be told from the "0" by any holding power
            inside the bistable window, or only within a holding-power interval
            narrower than :data:`MIN_HOLD_TOLERANCE` (a link too weak), with the
            nearest feasible coupling.
    """
    top = math.sqrt(window.upper_fold_power_uW)
    bottom = math.sqrt(window.lower_fold_power_uW)
    b_hi, b_lo = math.sqrt(coupling * high_uW), math.sqrt(coupling * low_uW)
    amplitude = top - 0.5 * (b_hi + b_lo)
    if not amplitude > bottom:
        need = (top - bottom) ** 2 / high_uW
        raise InfeasibleDesign(
            f"coupling: expected a '1' that fits the bistable window, received "
            f"{coupling:.3g} × {high_uW:.3g} uW that overshoots it (nearest feasible "
            f"setting: coupling × loss below {need:.3g})"
        )
    hold = amplitude**2
    span = (top - b_lo) ** 2 - (top - b_hi) ** 2
    if not span >= MIN_HOLD_TOLERANCE * hold:
        need = _weakest_coupling(top, bottom, high_uW, low_uW, coupling)
        raise InfeasibleDesign(
            f"coupling: expected a '1' and a '0' that differ by at least "
            f"{MIN_HOLD_TOLERANCE:.0%} of the buffer's holding power, received "
            f"coupling × loss = {coupling:.3g}, whose levels differ by "
            f"{span / hold:.2%} (nearest feasible setting: coupling × loss of "
            f"{need:.3g} or more)"
        )
    states = jax.jit(steady_states)(model, hold)
    return Buffer(
        hold_power_uW=hold,
        arriving_high=b_hi,
        arriving_low=b_lo,
        hold_tolerance=max(0.0, span / hold),
        low_uW=float(states.transmitted_uW[0]),
        high_uW=float(states.transmitted_uW[2]),
    )


class Circuit(eqx.Module):
    """Feed-forward circuit of identical cavities (one ``model``).

    Attributes:
        model: the cavity model shared by all nodes.
        coupling_re, coupling_im: real and imaginary parts of the matrix C (n, n),
            C[j, i] from node i's output to node j (split because diffrax solves
            real systems).
    """

    model: eqx.Module
    coupling_re: jnp.ndarray
    coupling_im: jnp.ndarray

    def field(self, t, y, drives):
        """Real vector field of all nodes, y = (Re ψ, Im ψ) flattened."""
        n, m = self.coupling_re.shape[0], self.model.n_modes
        psi = (y[: n * m] + 1j * y[n * m :]).reshape(n, m)
        a_ext = jax.vmap(lambda d: d.amplitude(t))(drives)
        coupling = self.coupling_re + 1j * self.coupling_im
        a_in = a_ext + coupling @ (output_field_per_psi(self.model) * psi[:, 0])
        f = jax.vmap(self.model.drive_per_ps)(a_in)
        d = jax.vmap(self.model.vector_field)(psi, f).ravel()
        return jnp.concatenate([jnp.real(d), jnp.imag(d)]).astype(y.dtype)


def _solve(circuit, drives, psi0, t_end_ps, n_save, max_steps):
    ts = jnp.linspace(0.0, t_end_ps, n_save)
    dtmax = 0.25 * jnp.min(jax.vmap(lambda d: d.min_width_ps())(drives))
    y0 = jnp.concatenate([jnp.real(psi0).ravel(), jnp.imag(psi0).ravel()])
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(circuit.field),
        diffrax.Tsit5(),
        t0=0.0,
        t1=t_end_ps,
        dt0=0.01 * dtmax,
        y0=y0,
        args=drives,
        saveat=diffrax.SaveAt(ts=ts),
        stepsize_controller=diffrax.PIDController(rtol=1e-6, atol=1e-8, dtmax=dtmax),
        max_steps=max_steps,
        throw=False,
    )
    half = y0.size // 2
    psi = (sol.ys[:, :half] + 1j * sol.ys[:, half:]).reshape(n_save, *psi0.shape)
    out = jnp.abs(output_field_per_psi(circuit.model) * psi[..., 0]) ** 2
    return ts, psi, out, sol.result._value


_solve_batch = eqx.filter_jit(
    eqx.filter_vmap(_solve, in_axes=(None, 0, None, None, None, None))
)


@dataclasses.dataclass(frozen=True)
class CascadeDesign:
    """A gate feeding ``fan_out`` chains of buffers.

    Attributes:
        gate: the stage-1 :class:`devices.logic.GateDesign`.
        buffers: per node after the gate, its :class:`Buffer` (branch-major order).
        coupling_matrix: complex (n, n) matrix C of the circuit.
        stages, fan_out: depth (gate included) and number of branches.
        coupling, loss_dB: interconnect efficiency and loss of every link.
        stage_time_ps: simulated time allowed per stage after the pulses.
    """

    gate: object
    buffers: tuple
    coupling_matrix: np.ndarray
    stages: int
    fan_out: int
    coupling: float
    loss_dB: float
    stage_time_ps: float

    @property
    def outputs(self):
        """Indices of the last-stage nodes."""
        per = self.stages - 1
        return [1 + b * per + per - 1 for b in range(self.fan_out)]


def _upper_phase(model, hold_power_uW):
    """Phase (rad) of the transmitted field of the upper branch at ``hold``."""
    states = jax.jit(steady_states)(model, hold_power_uW)
    return float(jnp.angle(states.fields[2][0]))


def design_cascade(
    model,
    gate,
    *,
    stages=2,
    fan_out=2,
    coupling=0.5,
    loss_dB=1.0,
    stage_time_ps=15.0,
):
    """Design a cascade from a designed gate (:func:`devices.logic.design_gate`).

    Args:
        model: the cavity (all stages identical).
        gate: the stage-1 :class:`devices.logic.GateDesign`.
        stages: depth >= 2 (the gate plus ``stages - 1`` buffers per branch).
        fan_out: branches driven by the gate (>= 1), an equal power split.
        coupling: power coupling efficiency of every link, in (0, 1].
        loss_dB: propagation loss of every link (>= 0).
        stage_time_ps: simulated time per stage.

    Raises:
        InputError: bad arguments; InfeasibleDesign: see :func:`design_buffer`.
    """
    stages = checks.check_int("stages", stages, minimum=2)
    fan_out = checks.check_int("fan_out", fan_out, minimum=1)
    checks.check_fraction("coupling", coupling)
    checks.check_positive("loss_dB", loss_dB, allow_zero=True)
    window = bistable_window(model)
    link = coupling * db_to_power_ratio(loss_dB)
    n = 1 + fan_out * (stages - 1)
    matrix = np.zeros((n, n), complex)
    buffers = []
    for _ in range(fan_out):
        # each branch starts at the gate, whose output is split fan_out ways
        src, high, low, hold = 0, gate.high_uW, gate.low_uW, gate.hold_power_uW
        eff = link / fan_out
        for _ in range(stages - 1):
            buf = design_buffer(model, window, high, low, eff)
            phase = -_upper_phase(model, hold)
            node = 1 + len(buffers)
            matrix[node, src] = math.sqrt(eff) * np.exp(1j * phase)
            buffers.append(buf)
            src, high, low, hold = node, buf.high_uW, buf.low_uW, buf.hold_power_uW
            eff = link
    return CascadeDesign(
        gate=gate,
        buffers=tuple(buffers),
        coupling_matrix=matrix,
        stages=stages,
        fan_out=fan_out,
        coupling=coupling,
        loss_dB=loss_dB,
        stage_time_ps=stage_time_ps,
    )


def _node_drives(cascade, bits):
    gate = cascade.gate
    k = len(bits) + 1
    t = gate.timing
    drives = [gate_drive(gate, bits)]
    for buf in cascade.buffers:
        drives.append(
            make_drive(
                buf.hold_power_uW,
                pulse_energy_fJ=[0.0] * k,
                pulse_time_ps=[t.pulse_time_ps] * k,
                pulse_width_ps=t.pulse_width_ps,
            )
        )
    return stack_drives(drives)


@dataclasses.dataclass(frozen=True)
class CascadeResult:
    """End-to-end simulation of a cascade for every input combination.

    Attributes:
        design: the :class:`CascadeDesign`.
        truth_table: rows (inputs..., output of each branch).
        expected: rows (inputs..., Boolean output repeated per branch).
        correct: whether all rows match.
        latency_ps: worst delay from the input pulses until every last-stage "1"
            settles above 90 % of its upper-branch level (nan if none).
        times_ps: shape (T,); transmitted_uW: shape (R, T, nodes).
    """

    design: CascadeDesign
    truth_table: list
    expected: list
    correct: bool
    latency_ps: float
    times_ps: np.ndarray
    transmitted_uW: np.ndarray


def simulate_cascade(model, cascade, *, n_save=241, max_steps=50_000):
    """Simulate the whole cascade, all input combinations in one vmapped solve.

    Returns:
        :class:`CascadeResult`.

    Raises:
        SimulationError: if a solve fails.
    """
    gate = cascade.gate
    combos = input_combinations(len(gate.input_energy_fJ))
    drives = stack_drives([_node_drives(cascade, c) for c in combos])
    holds = [gate.hold_power_uW] + [b.hold_power_uW for b in cascade.buffers]
    psi0 = jnp.stack([jax.jit(steady_states)(model, h).fields[0] for h in holds])
    matrix = cascade.coupling_matrix
    circuit = Circuit(model, jnp.asarray(matrix.real), jnp.asarray(matrix.imag))
    t_end = gate.timing.pulse_time_ps + (cascade.stages - 1) * cascade.stage_time_ps
    t_end += gate.timing.sample_time_ps - gate.timing.pulse_time_ps
    ts, _, out, codes = _solve_batch(circuit, drives, psi0, t_end, n_save, max_steps)
    if np.any(np.asarray(codes) != 0) or not np.all(np.isfinite(np.asarray(out))):
        raise SimulationError(
            f"simulate_cascade: expected successful solves, received result codes "
            f"{np.asarray(codes).tolist()} (raise max_steps or shorten stage_time_ps)"
        )
    return _read_cascade(cascade, combos, np.asarray(ts)[0], np.asarray(out))


def _read_cascade(cascade, combos, times, out):
    nodes = cascade.outputs
    highs = np.array([cascade.buffers[i - 1].high_uW for i in nodes])
    lows = np.array([cascade.buffers[i - 1].low_uW for i in nodes])
    decided = (out[:, -1, nodes] > np.sqrt(highs * lows)).astype(int)
    fn = GATE_FUNCTIONS[cascade.gate.name]
    table = [(*c, *map(int, d)) for c, d in zip(combos, decided, strict=True)]
    expected = [(*c, *[int(fn(c))] * len(nodes)) for c in combos]
    settled = out[:, :, nodes] >= 0.9 * highs
    return CascadeResult(
        design=cascade,
        truth_table=table,
        expected=expected,
        correct=table == expected,
        latency_ps=_settling_latency_ps(times, settled, decided, cascade),
        times_ps=times,
        transmitted_uW=out,
    )


def _settling_latency_ps(times, settled, decided, cascade):
    """Worst time from the pulses until a decided "1" stays above 90 % of its level."""
    worst = math.nan
    for row, ok in zip(decided, settled, strict=True):
        for j in np.flatnonzero(row):
            below = np.flatnonzero(~ok[:, j])
            last = below[-1] + 1 if below.size else 0
            t = times[last] if last < times.size else math.nan
            worst = np.nanmax([worst, t - cascade.gate.timing.pulse_time_ps])
    return float(worst)
