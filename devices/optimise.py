"""Gradient-based choice of a switch's operating point, checked against a grid search.

The operating point of a bistable Kerr switch (:class:`devices.KerrCavity`, e.g. the
lower-polariton reduction of a nanocavity preset) is the pump detuning ``Δ`` above the
polariton (meV), the holding power (as its fraction ``f`` of the bistable window) and
the control pulse width ``w`` (ps, intensity FWHM). :func:`optimise_operating_point`
minimises a smooth switching energy over them with optax, with gradients through the
diffrax solve, subject to a contrast and a switching-time constraint (penalties):

* switching energy ``E_s``: the control energy that lifts the population, two pulse
  widths after the pulse centre, to ``(1 + margin)`` times the middle (unstable)
  steady state. Found by bisection in ``log E`` on the simulation; its
  gradient follows from the implicit-function theorem at the root, so no derivative
  flows through the iterations. It is a smooth stand-in for the bisection threshold of
  :func:`devices.switching_threshold`, against which it is validated;
* contrast: ``10 log10(T_up / T_low)`` of the transmitted powers of the two stable
  states at the holding power;
* switching time: ``w + ln 9 / r``, with ``r`` the slowest decay rate of the upper
  state (eigenvalues of the Jacobian): the 10-90 % approach to the new state, slowed
  near the fold (critical slowing down).

Steady-state populations are refined with one implicit Newton step so that their
gradients are exact; fold powers use the envelope theorem (``dP/dn = 0`` there).
References: Liew, Kavokin and Shelykh, PRL 101, 016402 (2008) (polariton switching);
Baas et al., PRA 69, 023809 (2004) (bistability).
"""

import itertools
import logging
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from devices.drive import Drive
from devices.dynamics import trajectory_kernel
from devices.params import KerrCavity, with_pump_energy
from devices.steady_state import fold_points, steady_states
from photonics.calibration import minimise
from photonics.errors import input_error

logger = logging.getLogger(__name__)

_LOG9 = math.log(9.0)


class OperatingPoint(eqx.Module):
    """Unconstrained parameters of an operating point.

    Attributes:
        detuning_meV: pump energy minus polariton energy (meV).
        hold_logit: ``logit(f)``, ``f`` the holding power's place in the window.
        log_width_ps: natural log of the pulse FWHM in ps.
    """

    detuning_meV: jax.Array
    hold_logit: jax.Array
    log_width_ps: jax.Array


def operating_point(detuning_meV, hold_fraction, pulse_width_ps):
    """An :class:`OperatingPoint` from physical values (float64 scalars).

    Raises:
        InputError: for ``hold_fraction`` outside (0, 1) or a width <= 0.
    """
    if not 0.0 < hold_fraction < 1.0:
        raise input_error("hold_fraction", "a number in (0, 1)", hold_fraction)
    if not pulse_width_ps > 0.0:
        raise input_error("pulse_width_ps", "a width > 0 ps", pulse_width_ps)
    logit = math.log(hold_fraction / (1.0 - hold_fraction))
    values = (detuning_meV, logit, math.log(pulse_width_ps))
    return OperatingPoint(*(jnp.asarray(float(v)) for v in values))


def physical(point):
    """``(detuning_meV, hold_fraction, pulse_width_ps)`` of ``point`` (traceable)."""
    return (
        point.detuning_meV,
        jax.nn.sigmoid(point.hold_logit),
        jnp.exp(point.log_width_ps),
    )


def _at(model, detuning_meV):
    return with_pump_energy(model, model.polariton_energy_meV + detuning_meV)


def _hold_power_uW(model, fraction):
    folds = fold_points(model)
    n = jax.lax.stop_gradient(folds.population)
    upper, lower = model.input_power_uW(n[0]), model.input_power_uW(n[1])
    return lower + fraction * (upper - lower), folds


def _refined(model, n, power_uW):
    """``n`` with the implicit-function gradient of ``P_in(n) = power_uW``."""
    n = jax.lax.stop_gradient(n)
    slope = jax.lax.stop_gradient(jax.grad(model.input_power_uW)(n))
    return n - (model.input_power_uW(n) - power_uW) / slope


def _decay_rate_per_ps(model, psi, power_uW):
    """Slowest decay rate (1/ps) of the single-mode Jacobian at ``psi``."""
    drive = model.drive_per_ps(jnp.sqrt(power_uW) + 0j)

    def field(y):
        d = model.vector_field(y[:1] + 1j * y[1:], drive)
        return jnp.concatenate([jnp.real(d), jnp.imag(d)])

    j = jax.jacfwd(field)(jnp.concatenate([jnp.real(psi), jnp.imag(psi)]))
    half_trace = 0.5 * (j[0, 0] + j[1, 1])
    det = j[0, 0] * j[1, 1] - j[0, 1] * j[1, 0]
    root = jnp.sqrt(half_trace**2 - det + 0j)
    return -jnp.max(jnp.real(jnp.stack([half_trace + root, half_trace - root])))


def _drive(power_uW, energy_fJ, width_ps):
    one = jnp.ones(1)
    return Drive(
        hold_power_uW=power_uW * one,
        hold_phase_rad=0.0 * one,
        hold_on_ps=-jnp.inf * one,
        hold_off_ps=jnp.inf * one,
        edge_ps=jnp.asarray(0.5),
        pulse_energy_fJ=energy_fJ * one,
        pulse_time_ps=2.5 * width_ps * one,
        pulse_width_ps=width_ps * one,
        pulse_phase_rad=0.0 * one,
    )


def _lifted_population(model, psi0, power_uW, energy_fJ, width_ps):
    """Population two pulse widths after the control pulse centre."""
    drive = _drive(power_uW, energy_fJ, width_ps)
    trajectory = trajectory_kernel(model, drive, psi0, 4.5 * width_ps, 2, 4096, 1e-6)
    return trajectory.population[-1]


class SwitchTargets(eqx.Module):
    """Constraints, search box and settings of the operating-point search.

    Attributes:
        min_contrast_dB: least contrast between the two stable outputs (dB).
        max_time_ps: longest switching time (ps).
        detuning_range_meV: search box of the pump detuning (meV), inside the
            bistable range of the model.
        hold_range: search box of the holding fraction of the window.
        width_range_ps: search box of the pulse FWHM (ps).
        margin: how far above the middle state the population must be lifted.
        penalty: weight of the squared violations (fJ per dB², ps² or box unit²).
        guess_fJ: centre of the bisection bracket (fJ).
        bisection_steps: bisection steps in ``log E`` over ``guess_fJ * e**±6``
            per switching energy (static).
    """

    min_contrast_dB: float = 3.0
    max_time_ps: float = 6.0
    detuning_range_meV: tuple = (2.0, 4.0)
    hold_range: tuple = (0.2, 0.9)
    width_range_ps: tuple = (0.5, 3.0)
    margin: float = 0.1
    penalty: float = 10.0
    guess_fJ: float = 3.0
    bisection_steps: int = eqx.field(default=30, static=True)


class SwitchFigures(eqx.Module):
    """Figures of merit at one operating point (traced or host scalars).

    Attributes: ``energy_fJ`` (smooth switching energy), ``contrast_dB``,
    ``time_ps`` (switching-time estimate), ``hold_power_uW``, ``objective`` (energy
    plus penalties, fJ).
    """

    energy_fJ: jax.Array
    contrast_dB: jax.Array
    time_ps: jax.Array
    hold_power_uW: jax.Array
    objective: jax.Array


def _switching_energy_fJ(model, psi0, power_uW, width_ps, n_goal, targets):
    """Pulse energy (fJ) lifting the population to ``n_goal``; implicit gradient."""

    def gap(log_e, model, psi0, power_uW, width_ps, n_goal):
        n = _lifted_population(model, psi0, power_uW, jnp.exp(log_e), width_ps)
        return jnp.log(n) - jnp.log(n_goal)

    args = jax.lax.stop_gradient((model, psi0, power_uW, width_ps, n_goal))

    def bisect(_, bounds):
        low, high = bounds
        mid = 0.5 * (low + high)
        above = gap(mid, *args) > 0
        return jnp.where(above, low, mid), jnp.where(above, mid, high)

    centre = jnp.log(jnp.asarray(targets.guess_fJ, jnp.real(psi0).dtype))
    low, high = jax.lax.fori_loop(
        0, targets.bisection_steps, bisect, (centre - 6.0, centre + 6.0)
    )
    root = jax.lax.stop_gradient(0.5 * (low + high))
    slope = jax.lax.stop_gradient(jax.grad(gap)(root, *args))
    return jnp.exp(root - gap(root, model, psi0, power_uW, width_ps, n_goal) / slope)


def _box_violation(value, bounds):
    return jax.nn.relu(bounds[0] - value) ** 2 + jax.nn.relu(value - bounds[1]) ** 2


def switch_figures(model, point, targets):
    """The :class:`SwitchFigures` of ``model`` at ``point`` (jit- and grad-friendly).

    Args:
        model: a bistable :class:`devices.KerrCavity` (float64 leaves).
        point: an :class:`OperatingPoint`; targets: a :class:`SwitchTargets`.
    """
    detuning, fraction, width = physical(point)
    m = _at(model, detuning)
    power, folds = _hold_power_uW(m, fraction)
    states = steady_states(m, jax.lax.stop_gradient(power), folds)
    n = jax.vmap(lambda x: _refined(m, x, power))(states.population)
    fields = jax.vmap(m.steady_fields)(n)
    a_in = jnp.sqrt(power) + 0j
    transmitted, _ = jax.vmap(lambda psi: m.output_powers_uW(psi, a_in))(fields)
    contrast = 10.0 * jnp.log10(transmitted[2] / transmitted[0])
    time = width + _LOG9 / _decay_rate_per_ps(m, fields[2], power)
    goal = (1.0 + targets.margin) * n[1]
    energy = _switching_energy_fJ(m, fields[0], power, width, goal, targets)
    violation = jax.nn.relu(targets.min_contrast_dB - contrast) ** 2
    violation += jax.nn.relu(time - targets.max_time_ps) ** 2
    violation += _box_violation(detuning, targets.detuning_range_meV)
    violation += _box_violation(fraction, targets.hold_range)
    violation += _box_violation(width, targets.width_range_ps)
    objective = energy + targets.penalty * violation
    return SwitchFigures(energy, contrast, time, power, objective)


def _objective(point, model, targets):
    return switch_figures(model, point, targets).objective


def _check_model(model):
    if not isinstance(model, KerrCavity):
        raise input_error(
            "model",
            "a devices.KerrCavity (use devices.kerr_reduction on a two-mode preset)",
            type(model).__name__,
        )


def _box_centre(targets):
    return operating_point(
        *(0.5 * (lo + hi) for lo, hi in (
            targets.detuning_range_meV, targets.hold_range, targets.width_range_ps
        ))
    )  # fmt: skip


def _random_start(key, targets):
    ranges = (targets.detuning_range_meV, targets.hold_range, targets.width_range_ps)
    u = np.asarray(jax.random.uniform(key, (3,), minval=0.1, maxval=0.9))
    return operating_point(
        *(lo + x * (hi - lo) for x, (lo, hi) in zip(u, ranges, strict=True))
    )


def optimise_operating_point(
    model,
    targets,
    optimiser,
    *,
    steps,
    key,
    start=None,
    random_start=False,
    progress=False,
):
    """Minimise the smooth switching energy of ``model`` under ``targets``' constraints.

    Args:
        model: a bistable :class:`devices.KerrCavity` (e.g.
            ``kerr_reduction(mose2_nanocavity())``), float64 under x64.
        targets: a :class:`SwitchTargets` (constraints and search box).
        optimiser: an ``optax.GradientTransformation`` acting on the unconstrained
            parameters (detuning in meV, hold logit, log width).
        steps: optimiser steps; key: ``jax.random`` key (used for a random start).
        start: an :class:`OperatingPoint` to start from (default: the box centre).
        random_start: start from a uniform draw inside the box instead.
        progress: show a progress bar.

    Returns:
        ``(point, history)``: the optimised :class:`OperatingPoint` and a dict with
        ``"objective"`` (``(steps + 1,)``, fJ), ``"figures"`` (host dict of
        :class:`SwitchFigures` at the end) and ``"evaluations"`` (value-and-gradient
        evaluations, ``steps + 1``).

    Raises:
        InputError: if ``model`` is not a :class:`devices.KerrCavity`.
    """
    _check_model(model)
    if start is None:
        start = _random_start(key, targets) if random_start else _box_centre(targets)
    point, losses = minimise(
        _objective, start, optimiser, steps=steps, args=(model, targets),
        chunk_steps=10, progress=progress, desc="operating point",
    )  # fmt: skip
    figures = figures_on_host(model, point, targets)
    logger.info("optimised operating point: %s", figures)
    return point, dict(objective=losses, figures=figures, evaluations=steps + 1)


@eqx.filter_jit
def _figures(model, point, targets):
    return switch_figures(model, point, targets)


def figures_on_host(model, point, targets):
    """Physical parameters and :class:`SwitchFigures` of ``point`` as a host dict."""
    figures = _figures(model, point, targets)
    detuning, fraction, width = (float(x) for x in physical(point))
    values = {k: float(v) for k, v in vars(figures).items()}
    return dict(
        detuning_meV=detuning, hold_fraction=fraction, pulse_width_ps=width, **values
    )


def grid_search(model, targets, *, points_per_axis=5, progress=False):
    """Evaluate the same objective on a regular grid over the search box.

    Args:
        model, targets: as in :func:`optimise_operating_point`.
        points_per_axis: grid points along each of the three axes (>= 2).
        progress: show a progress bar.

    Returns:
        ``(point, history)``: the best :class:`OperatingPoint` of the grid and a dict
        with ``"figures"`` (host dict at the best point), ``"objective"`` (all values,
        shape ``(k, k, k)``) and ``"evaluations"`` (``k**3``).
    """
    from photonics.cli_tools import progress as progress_bar

    _check_model(model)
    axes = [
        np.linspace(lo, hi, points_per_axis)
        for lo, hi in (
            targets.detuning_range_meV, targets.hold_range, targets.width_range_ps
        )
    ]  # fmt: skip
    grid = list(itertools.product(*axes))
    values = []
    for values_3 in progress_bar(grid, "grid search", enable=progress):
        point = operating_point(*values_3)
        values.append(float(_figures(model, point, targets).objective))
    best = operating_point(*grid[int(np.argmin(values))])
    figures = figures_on_host(model, best, targets)
    logger.info("grid optimum after %d evaluations: %s", len(grid), figures)
    shape = (points_per_axis,) * 3
    return best, dict(
        figures=figures, objective=np.reshape(values, shape), evaluations=len(grid)
    )
