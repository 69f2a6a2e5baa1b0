"""Operating-point optimisation of the Kerr switch."""

import equinox as eqx
import jax
import numpy as np
import optax
import pytest

from devices import kerr_reduction
from devices.optimise import (
    SwitchTargets,
    figures_on_host,
    from_unit,
    grid_search,
    operating_point,
    optimise_operating_point,
    physical,
    switch_figures,
    threshold_at,
    to_unit,
)
from devices.presets import mose2_nanocavity
from photonics import InputError

MODEL = kerr_reduction(mose2_nanocavity())
TARGETS = SwitchTargets()
NAMES = ("detuning_meV", "hold_fraction", "pulse_width_ps")


@pytest.fixture(scope="module")
def energy_and_grad():
    """One compiled function for the value, the gradient and the figures."""

    def energy(point):
        figures = switch_figures(MODEL, point, TARGETS)
        return figures.energy_fJ, figures

    return jax.jit(jax.value_and_grad(energy, has_aux=True))


def test_gradient_through_the_switch_matches_finite_differences(energy_and_grad):
    point = operating_point(2.5, 0.5, 1.0)
    (_, _), grads = energy_and_grad(point)
    steps = dict(detuning_meV=1e-4, hold_fraction=1e-5, pulse_width_ps=1e-4)
    for name in NAMES:

        def value(delta, name=name):
            shifted = eqx.tree_at(
                lambda p: getattr(p, name), point, getattr(point, name) + delta
            )
            return energy_and_grad(shifted)[0][0]

        step = steps[name]
        numeric = (value(step) - value(-step)) / (2 * step)
        np.testing.assert_allclose(getattr(grads, name), numeric, rtol=2e-3, atol=1e-4)


def test_smooth_energy_tracks_the_bisection_threshold(energy_and_grad):
    point = operating_point(2.5, 0.5, 1.0)
    (smooth, figures), _ = energy_and_grad(point)
    threshold = threshold_at(MODEL, point)
    assert 0.7 < float(smooth) / threshold.energy_fJ < 1.4
    # the constraints are evaluated as defined
    assert float(figures.objective) >= float(smooth)


def test_physical_and_unit_box_round_trip():
    point = operating_point(2.2, 0.3, 1.5)
    np.testing.assert_allclose([float(v) for v in physical(point)], [2.2, 0.3, 1.5])
    u = to_unit(point, TARGETS)
    np.testing.assert_allclose(u, [0.1, 0.1 / 0.7, 0.4], rtol=1e-12)
    back = from_unit(u, TARGETS)
    np.testing.assert_allclose([float(v) for v in physical(back)], [2.2, 0.3, 1.5])
    with pytest.raises(InputError, match="hold_fraction"):
        operating_point(2.0, 1.2, 1.0)
    with pytest.raises(InputError, match="targets"):
        grid_search(MODEL, SwitchTargets(hold_range=(0.5, 1.0)))
    with pytest.raises(InputError, match="steps"):
        optimise_operating_point(MODEL, TARGETS, steps=0)


@pytest.mark.slow
def test_projected_steps_reach_the_corner_of_a_small_box():
    """A small box with loose constraints: the energy falls towards the upper fold
    and towards smaller detunings, so the optimum is the box's edge ``f = 0.9``,
    ``Δ = 2.0 meV``, which the projection must reach exactly and never leave."""
    targets = SwitchTargets(
        min_contrast_dB=3.0, max_time_ps=6.0, detuning_range_meV=(2.0, 2.4),
        hold_range=(0.8, 0.9), width_range_ps=(2.0, 3.0),
    )  # fmt: skip
    point, history = optimise_operating_point(MODEL, targets, optax.adam(0.2), steps=8)
    found = history["figures"]
    assert found["detuning_meV"] == pytest.approx(2.0, abs=1e-12)
    assert found["hold_fraction"] == pytest.approx(0.9, abs=1e-12)
    assert 2.0 <= float(point.pulse_width_ps) <= 3.0
    assert history["evaluations"] == 9 and history["objective"].shape == (9,)
    assert history["objective"][-1] < 0.5 * history["objective"][0]
    corners = [
        figures_on_host(MODEL, operating_point(2.0, 0.9, w), targets)["objective"]
        for w in (2.0, 3.0)
    ]
    assert found["objective"] <= min(corners) * (1 + 1e-3)


@pytest.mark.slow
def test_gradient_optimum_agrees_with_the_grid():
    """The default targets bind both constraints: the optimum lies on the contrast
    limit, in a valley that is flat along the detuning, so the optimiser and a
    refined grid reach the same objective within 5 % at nearby points."""
    runs = [optimise_operating_point(MODEL, TARGETS, steps=150) for _ in range(2)]
    np.testing.assert_array_equal(runs[0][1]["objective"], runs[1][1]["objective"])
    point, history = runs[0]
    grid_point, grid = grid_search(MODEL, TARGETS, points_per_axis=11, refinements=2)
    found, best = history["figures"], grid["figures"]
    assert found["objective"] <= 1.05 * best["objective"]
    assert found["objective"] >= 0.90 * best["objective"]  # the same optimum
    assert found["contrast_dB"] > TARGETS.min_contrast_dB - 0.05
    assert found["time_ps"] < TARGETS.max_time_ps + 0.05
    assert history["evaluations"] * 10 < grid["evaluations"]
    # no point of a fine local grid around the gradient's answer (spacing 0.05 meV,
    # 0.01 of the window, 0.025 ps) is better by more than 0.5 %: a local optimum
    centre = np.array([found[name] for name in NAMES])
    full = np.array([TARGETS.detuning_range_meV, TARGETS.hold_range,
                     TARGETS.width_range_ps])  # fmt: skip
    half = np.array([0.1, 0.02, 0.05])
    low = np.maximum(centre - half, full[:, 0])
    high = np.minimum(centre + half, full[:, 1])
    local = eqx.tree_at(
        lambda t: (t.detuning_range_meV, t.hold_range, t.width_range_ps), TARGETS,
        tuple(zip(low.tolist(), high.tolist(), strict=True)),
    )  # fmt: skip
    _, nearby = grid_search(MODEL, local, points_per_axis=5)
    assert found["objective"] <= 1.005 * nearby["figures"]["objective"]
    # the independent bisection threshold agrees: the found point is as good
    bisected = [threshold_at(MODEL, p).energy_fJ for p in (point, grid_point)]
    assert bisected[0] <= 1.05 * bisected[1]
    for energy, figures in zip(bisected, (found, best), strict=True):
        assert 0.7 < figures["energy_fJ"] / energy < 1.4
