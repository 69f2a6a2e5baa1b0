"""Gradient-based choice of a switch's operating point, checked against a grid search.

The operating point of a bistable Kerr switch (:class:`devices.KerrCavity`, e.g. the
lower-polariton reduction of a nanocavity preset) is the pump detuning ``Δ`` above the
polariton (meV), the holding power (as its fraction ``f`` of the bistable window) and
the control pulse width ``w`` (ps, intensity FWHM). :func:`optimise_operating_point`
minimises a smooth switching energy over them with optax, with gradients through the
diffrax solve, subject to a contrast and a switching-time constraint:

* switching energy ``E_s``: the control energy that lifts the population, two pulse
  widths after the pulse centre, to ``(1 + margin)`` times the middle (unstable)
  steady state. Found by bisection in ``log E`` on the simulation; its
  gradient follows from the implicit-function theorem at the root, so no derivative
  flows through the iterations. It is a smooth stand-in for the bisection threshold of
  :func:`devices.switching_threshold`, against which :func:`threshold_at` validates it;
* contrast: ``10 log10(T_up / T_low)`` of the transmitted powers of the two stable
  states at the holding power;
* switching time: ``w + ln 9 / r``, with ``r`` the slowest decay rate of the upper
  state (eigenvalues of the Jacobian): the 10-90 % approach to the new state, slowed
  near the fold (critical slowing down).

The objective is ``E_s + penalty * (contrast shortfall² + time excess²)``; the search
box of :class:`SwitchTargets` is a hard constraint: the optimiser works in unit-box
coordinates and projects every step back onto the box (projected gradient), and the
grid search of :func:`grid_search` evaluates the same objective on the same box, so
their optima can be compared directly. With the default targets both constraints bind
at the optimum, which lies inside the box (``tests/devices/test_optimise_device.py``).

Steady-state populations are refined with one implicit Newton step so that their
gradients are exact; fold powers use the envelope theorem (``dP/dn = 0`` there).
References: Liew, Kavokin and Shelykh, PRL 101, 016402 (2008) (polariton switching);
Baas et al., PRA 69, 023809 (2004) (bistability); Bertsekas, *Nonlinear Programming*,
§2.3 (projected gradient methods).
"""

import functools
import itertools
import logging
import math
import time

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from devices.drive import Drive
from devices.dynamics import trajectory_kernel
from devices.metrics import SwitchProtocol, prepare_switch, switching_threshold
from devices.params import KerrCavity, with_pump_energy
from devices.steady_state import fold_points, steady_states
from photonics.calibration import minimise
from photonics.checks import check_int
from photonics.errors import input_error

logger = logging.getLogger(__name__)

_LOG9 = math.log(9.0)


class OperatingPoint(eqx.Module):
    """An operating point of the switch (scalars, traced or concrete).

    Attributes:
        detuning_meV: pump energy minus polariton energy (meV).
        hold_fraction: the holding power's place in the bistable window (0 = lower
            fold power, 1 = upper fold power).
        pulse_width_ps: control pulse intensity FWHM (ps).
    """

    detuning_meV: jax.Array
    hold_fraction: jax.Array
    pulse_width_ps: jax.Array


def operating_point(detuning_meV, hold_fraction, pulse_width_ps):
    """An :class:`OperatingPoint` from host numbers (meV, fraction, ps).

    Raises:
        InputError: for ``hold_fraction`` outside (0, 1) or a width <= 0.
    """
    if not 0.0 < hold_fraction < 1.0:
        raise input_error("hold_fraction", "a number in (0, 1)", hold_fraction)
    if not pulse_width_ps > 0.0:
        raise input_error("pulse_width_ps", "a width > 0 ps", pulse_width_ps)
    values = (detuning_meV, hold_fraction, pulse_width_ps)
    return OperatingPoint(*(jnp.asarray(float(v)) for v in values))


def physical(point):
    """``(detuning_meV, hold_fraction, pulse_width_ps)`` of ``point`` (traceable)."""
    return point.detuning_meV, point.hold_fraction, point.pulse_width_ps


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

    The defaults make both constraints bind for the MoSe₂ nanocavity's Kerr
    reduction: the energy alone would drive the point to the corner of the box
    nearest the upper fold, where the contrast is lowest.

    Attributes:
        min_contrast_dB: least contrast between the two stable outputs (dB).
        max_time_ps: longest switching time (ps).
        detuning_range_meV: search box of the pump detuning (meV), inside the
            bistable range of the model.
        hold_range: search box of the holding fraction of the window, inside (0, 1).
        width_range_ps: search box of the pulse FWHM (ps), > 0.
        margin: how far above the middle state the population must be lifted.
        penalty: weight of the squared violations (fJ per dB² or per ps²).
        guess_fJ: centre of the bisection bracket (fJ).
        bisection_steps: bisection steps in ``log E`` over ``guess_fJ * e**±6``
            per switching energy (static).
    """

    min_contrast_dB: float = 7.5
    max_time_ps: float = 3.0
    detuning_range_meV: tuple = (2.0, 4.0)
    hold_range: tuple = (0.2, 0.9)
    width_range_ps: tuple = (0.5, 3.0)
    margin: float = 0.1
    penalty: float = 100.0
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


def switch_figures(model, point, targets):
    """The :class:`SwitchFigures` of ``model`` at ``point`` (jit- and grad-friendly).

    The search box of ``targets`` is not applied here (it is a hard constraint of
    the searches); ``point`` may lie anywhere the model is bistable.

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
    objective = energy + targets.penalty * violation
    return SwitchFigures(energy, contrast, time, power, objective)


# --------------------------------------------------------------------------------------
# The search box


def _box(targets):
    """``(3, 2)`` array of the box's lower and upper ends (meV, fraction, ps)."""
    ranges = (targets.detuning_range_meV, targets.hold_range, targets.width_range_ps)
    return np.asarray(ranges, dtype=float)


def _check_targets(targets):
    box = _box(targets)
    if not np.all(box[:, 0] < box[:, 1]):
        raise input_error("targets", "search ranges (low, high) with low < high", box)
    if not (box[1, 0] > 0.0 and box[1, 1] < 1.0 and box[2, 0] > 0.0):
        raise input_error(
            "targets", "hold_range inside (0, 1) and width_range_ps above 0", box
        )


def from_unit(u, targets):
    """The :class:`OperatingPoint` at unit-box coordinates ``u`` (shape (3,))."""
    box = _box(targets)
    return OperatingPoint(*(box[:, 0] + u * (box[:, 1] - box[:, 0])))


def to_unit(point, targets):
    """Unit-box coordinates (shape (3,)) of ``point`` (0 and 1 at the box's ends)."""
    box = _box(targets)
    return (jnp.stack(physical(point)) - box[:, 0]) / (box[:, 1] - box[:, 0])


def _unit_objective(u, model, targets):
    return switch_figures(model, from_unit(u, targets), targets).objective


def _project_onto_unit_box():
    """Optax transformation that moves ``params + updates`` back into ``[0, 1]``."""

    def update(updates, state, params):
        clipped = jax.tree_util.tree_map(
            lambda p, du: jnp.clip(p + du, 0.0, 1.0) - p, params, updates
        )
        return clipped, state

    return optax.GradientTransformation(lambda _: optax.EmptyState(), update)


@functools.lru_cache(maxsize=16)
def _projected(optimiser):
    """``optimiser`` followed by the projection (cached: one compilation each)."""
    return optax.chain(optimiser, _project_onto_unit_box())


@functools.lru_cache(maxsize=16)
def default_optimiser(steps, learning_rate=0.1, b2=0.9):
    """Adam with a cosine decay to 1 % over ``steps`` (rates in unit-box coordinates).

    ``b2 = 0.9`` gives the second-moment estimate a short memory: the first steps
    from the box centre meet penalty gradients a hundred times larger than those
    near the optimum, and a long memory shrinks every later step (measured for
    the MoSe₂ switch, rate 0.05, 100 steps: 1.17 fJ with ``b2 = 0.99`` against
    0.93 fJ with 0.9). Cached, so that repeated calls with the same arguments share
    one compilation.
    """
    schedule = optax.cosine_decay_schedule(learning_rate, steps, alpha=0.01)
    return optax.adam(schedule, b2=b2)


# --------------------------------------------------------------------------------------
# Gradient search, grid search and the bisection check


def _check_model(model):
    if not isinstance(model, KerrCavity):
        raise input_error(
            "model",
            "a devices.KerrCavity (use devices.kerr_reduction on a two-mode preset)",
            type(model).__name__,
        )


def optimise_operating_point(
    model,
    targets,
    optimiser=None,
    *,
    steps=60,
    key=None,
    start=None,
    progress=False,
):
    """Minimise the switching energy of ``model`` under ``targets``' constraints.

    Projected gradient descent in unit-box coordinates: each ``optimiser`` step is
    followed by a projection onto the box of ``targets``, so every iterate is a
    valid operating point and a boundary optimum is reached exactly. Gradients flow
    through the diffrax solve (implicit function theorem at the bisection root).
    A local method: from other starts it may stop at another point of a flat valley
    (for the MoSe₂ switch, random starts reach objectives within 1 % of the centre
    start's).

    Args:
        model: a bistable :class:`devices.KerrCavity` (e.g.
            ``kerr_reduction(mose2_nanocavity())``), float64 under x64.
        targets: a :class:`SwitchTargets` (constraints and search box).
        optimiser: an ``optax.GradientTransformation`` on the unit-box coordinates
            (default :func:`default_optimiser` ``(steps)``); pass the same object to
            reuse the compilation.
        steps: optimiser steps (>= 1).
        key: ``jax.random`` key; when given (and ``start`` is not) the start is a
            uniform draw in the middle 80 % of the box, otherwise the box centre.
        start: an :class:`OperatingPoint` to start from (projected onto the box).
        progress: show a progress bar.

    Returns:
        ``(point, history)``: the optimised :class:`OperatingPoint` and a dict with
        ``"objective"`` (``(steps + 1,)``, fJ), ``"figures"`` (host dict of
        :class:`SwitchFigures` at the end), ``"evaluations"`` (value-and-gradient
        evaluations, ``steps + 1``) and ``"seconds"`` (wall time, compilation
        included).

    Raises:
        InputError: if ``model`` is not a :class:`devices.KerrCavity`, the box is
            invalid or ``steps < 1``.
    """
    _check_model(model)
    _check_targets(targets)
    check_int("steps", steps, minimum=1)
    optimiser = default_optimiser(steps) if optimiser is None else optimiser
    u0 = _start(targets, start, key)
    clock = time.perf_counter()
    u, losses = minimise(
        _unit_objective, u0, _projected(optimiser), steps=steps,
        args=(model, targets), chunk_steps=10, progress=progress,
        desc="operating point",
    )  # fmt: skip
    point = from_unit(u, targets)
    figures = figures_on_host(model, point, targets)
    seconds = time.perf_counter() - clock
    logger.info("optimised operating point after %d steps: %s", steps, figures)
    return point, dict(
        objective=losses, figures=figures, evaluations=steps + 1, seconds=seconds
    )


def _start(targets, start, key):
    if start is not None:
        return jnp.clip(to_unit(start, targets), 0.0, 1.0)
    if key is not None:
        return jax.random.uniform(key, (3,), minval=0.1, maxval=0.9)
    return jnp.asarray(np.full(3, 0.5))


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


def _grid_values(model, targets, box, points_per_axis):
    """Objective (fJ) on a ``k**3`` grid over ``box``; returns points and values.

    One call of the compiled :func:`switch_figures` per point, the same compiled
    function that gives the optimiser's final figures.
    """
    axes = [np.linspace(lo, hi, points_per_axis) for lo, hi in box]
    grid = np.asarray(list(itertools.product(*axes)))
    values = [
        float(_figures(model, OperatingPoint(*map(jnp.asarray, p)), targets).objective)
        for p in grid
    ]
    return grid, np.asarray(values)


def _zoom(box, full_box, centre, points_per_axis):
    """The sub-box one grid spacing either side of ``centre``, inside ``full_box``."""
    spacing = (box[:, 1] - box[:, 0]) / (points_per_axis - 1)
    low = np.maximum(centre - spacing, full_box[:, 0])
    high = np.minimum(centre + spacing, full_box[:, 1])
    return np.stack([low, high], axis=1)


def grid_search(model, targets, *, points_per_axis=6, refinements=0, progress=False):
    """Evaluate the same objective on a regular grid over the search box.

    The grid includes the box's faces, edges and corners. Each refinement
    evaluates a new ``k**3`` grid on the box one grid spacing either side of the
    best point so far (clipped to the search box), which shrinks the spacing by a
    factor ``(k - 1) / 2``. The zoom follows one point: where the optimum lies in a
    flat valley (as on the contrast limit of the default targets) it refines the
    stretch of valley the first grid happened to hit, not necessarily the best one.

    Args:
        model, targets: as in :func:`optimise_operating_point`.
        points_per_axis: grid points ``k`` along each of the three axes (>= 3).
        refinements: zoomed grids after the first one (>= 0).
        progress: show a progress bar over the grids.

    Returns:
        ``(point, history)``: the best :class:`OperatingPoint` found and a dict with
        ``"figures"`` (host dict at the best point), ``"objective"`` (the first
        grid's values, shape ``(k, k, k)``, fJ), ``"boxes"`` (the box of each grid,
        ``(3, 2)`` each), ``"evaluations"`` (``k**3 * (refinements + 1)``) and
        ``"seconds"`` (wall time, compilation included).

    Raises:
        InputError: for an invalid model, box, ``points_per_axis`` or
            ``refinements``.
    """
    from photonics.cli_tools import progress as progress_bar

    _check_model(model)
    _check_targets(targets)
    check_int("points_per_axis", points_per_axis, minimum=3)
    check_int("refinements", refinements, minimum=0)
    clock = time.perf_counter()
    full_box = box = _box(targets)
    best, best_value, boxes, first = None, np.inf, [], None
    for _ in progress_bar(range(refinements + 1), "grid search", enable=progress):
        boxes.append(box)
        grid, values = _grid_values(model, targets, box, points_per_axis)
        first = values.reshape((points_per_axis,) * 3) if first is None else first
        if values.min() < best_value:
            best, best_value = grid[int(np.argmin(values))], float(values.min())
        box = _zoom(box, full_box, best, points_per_axis)
    point = OperatingPoint(*map(jnp.asarray, best))
    figures = figures_on_host(model, point, targets)
    evaluations = points_per_axis**3 * (refinements + 1)
    logger.info("grid optimum after %d evaluations: %s", evaluations, figures)
    return point, dict(
        figures=figures, objective=first, boxes=boxes, evaluations=evaluations,
        seconds=time.perf_counter() - clock,
    )  # fmt: skip


def threshold_at(model, point, *, t_end_ps=40.0, rtol=1e-2):
    """The bisection switching threshold of :func:`devices.switching_threshold`.

    Simulates the switch at ``point`` with the pulse centred at 2.5 pulse widths,
    as in the smooth energy, and the state judged at ``t_end_ps``; this checks the
    smooth energy of :func:`switch_figures`, which lifts the population 10 % above
    the middle state two widths after the pulse.

    Args:
        model: a bistable :class:`devices.KerrCavity`; point: an
            :class:`OperatingPoint` (concrete values).
        t_end_ps: end of the simulated window (ps); rtol: relative precision.

    Returns:
        :class:`devices.SwitchingThreshold` (energy in fJ and J, solves used).
    """
    _check_model(model)
    detuning, fraction, width = (float(x) for x in physical(point))
    pumped = with_pump_energy(model, model.polariton_energy_meV + detuning)
    protocol = SwitchProtocol(
        pulse_width_ps=width, pulse_time_ps=2.5 * width, t_end_ps=t_end_ps,
        hold_fraction=fraction,
    )  # fmt: skip
    setup = prepare_switch(pumped, protocol)
    return switching_threshold(pumped, setup, rtol=rtol)
