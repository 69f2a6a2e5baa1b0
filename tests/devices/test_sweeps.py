"""The vmapped phase diagram agrees with point-by-point steady states."""

import jax
import numpy as np
from cavities import make_cavity

from devices import (
    fold_points,
    lower_polariton_energy_meV,
    phase_diagram,
    steady_states,
    with_pump_energy,
)


def test_phase_diagram_matches_loop():
    model = make_cavity(pump_detuning_meV=0.0)
    detunings = np.array([0.5, 1.5, 2.5])
    powers = np.geomspace(50.0, 5000.0, 9)
    diagram = phase_diagram(model, detunings, powers)
    lp = lower_polariton_energy_meV(1650.0, 1650.0, 8.0)
    solve, folds_of = jax.jit(steady_states), jax.jit(fold_points)
    for i, d in enumerate(detunings):
        pumped = with_pump_energy(model, lp + d)
        folds = folds_of(pumped)
        for j, p in enumerate(powers):
            states = solve(pumped, p)
            assert int(diagram["stable_count"][i, j]) == int(np.sum(states.stable))
            inside = bool(folds.bistable) and folds.power_uW[1] < p < folds.power_uW[0]
            assert (int(diagram["stable_count"][i, j]) == 2) == inside
    assert int(np.max(diagram["stable_count"][0])) == 1  # below critical detuning
    assert int(np.max(diagram["stable_count"][1])) == 2
