"""Operating-point optimisation of the Kerr switch."""

import equinox as eqx
import jax
import numpy as np
import optax
import pytest

from devices import SwitchProtocol, kerr_reduction, prepare_switch, switching_threshold
from devices.optimise import (
    SwitchTargets,
    grid_search,
    operating_point,
    optimise_operating_point,
    physical,
    switch_figures,
)
from devices.params import with_pump_energy
from devices.presets import mose2_nanocavity
from photonics import InputError

MODEL = kerr_reduction(mose2_nanocavity())
TARGETS = SwitchTargets()


@pytest.fixture(scope="module")
def energy():
    return jax.jit(lambda p: switch_figures(MODEL, p, TARGETS).energy_fJ)


def test_gradient_through_the_switch_matches_finite_differences(energy):
    point = operating_point(2.5, 0.5, 1.0)
    grads = jax.jit(jax.grad(lambda p: switch_figures(MODEL, p, TARGETS).energy_fJ))(
        point
    )
    step = 1e-4
    for name in ("detuning_meV", "hold_logit", "log_width_ps"):

        def shifted(delta, name=name):
            return eqx.tree_at(
                lambda p: getattr(p, name), point, getattr(point, name) + delta
            )

        numeric = (energy(shifted(step)) - energy(shifted(-step))) / (2 * step)
        np.testing.assert_allclose(getattr(grads, name), numeric, rtol=2e-3, atol=1e-4)


def test_smooth_energy_tracks_the_bisection_threshold(energy):
    detuning, fraction, width = 2.5, 0.5, 1.0
    smooth = float(energy(operating_point(detuning, fraction, width)))
    model = with_pump_energy(MODEL, MODEL.polariton_energy_meV + detuning)
    protocol = SwitchProtocol(
        pulse_width_ps=width, pulse_time_ps=2.5 * width, t_end_ps=40.0,
        hold_fraction=fraction,
    )  # fmt: skip
    threshold = switching_threshold(model, prepare_switch(model, protocol), rtol=1e-2)
    assert 0.7 < smooth / threshold.energy_fJ < 1.4


def test_physical_round_trip():
    values = physical(operating_point(2.2, 0.3, 1.5))
    np.testing.assert_allclose([float(v) for v in values], [2.2, 0.3, 1.5])
    with pytest.raises(InputError, match="hold_fraction"):
        operating_point(2.0, 1.2, 1.0)


@pytest.mark.slow
@pytest.mark.xfail(
    reason="known gap: 60 adam steps reach 0.235 fJ, the 6^3 grid 0.121 fJ "
    "(the optimum lies at the edge of the box, held only by soft penalties)",
    strict=True,
)
def test_gradient_optimum_agrees_with_the_grid():
    optimiser = optax.adam(0.05)
    runs = [
        optimise_operating_point(
            MODEL, TARGETS, optimiser, steps=60, key=jax.random.key(0)
        )
        for _ in range(2)
    ]
    np.testing.assert_array_equal(runs[0][1]["objective"], runs[1][1]["objective"])
    _, grid = grid_search(MODEL, TARGETS, points_per_axis=6)
    found = runs[0][1]["figures"]["objective"]
    assert found <= 1.05 * grid["figures"]["objective"]
    assert runs[0][1]["evaluations"] < grid["evaluations"]
