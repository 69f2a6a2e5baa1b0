"""Dynamics: steady state of the ODE equals the algebraic one; hysteresis; bad input."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from cavities import TEST_KERR, make_cavity

from devices import (
    SimulationError,
    build_two_mode,
    fold_points,
    hysteresis_loop,
    make_drive,
    simulate,
    simulate_batch,
    simulate_wigner,
    steady_states,
)
from photonics.errors import InputError


@pytest.fixture(scope="module")
def model():
    return make_cavity()


def test_dynamics_relaxes_to_algebraic_steady_state(model):
    power = 0.5 * float(fold_points(model).power_uW[1])  # below the window
    states = steady_states(model, power)
    trajectory = simulate(model, make_drive(power), 20.0, n_save=50)
    np.testing.assert_allclose(
        trajectory.fields[-1], states.fields[0], rtol=1e-5, atol=1e-6
    )


def test_upper_branch_is_a_fixed_point_of_the_dynamics(model):
    folds = fold_points(model)
    power = float(jnp.mean(folds.power_uW))
    upper = steady_states(model, power).fields[2]
    kicked = upper * (1 + 0.02)
    trajectory = simulate(model, make_drive(power), 50.0, psi0=kicked, n_save=20)
    np.testing.assert_allclose(trajectory.fields[-1], upper, rtol=1e-5, atol=1e-6)


def test_hysteresis_loop_has_two_branches(model):
    folds = fold_points(model)
    peak = 1.5 * float(folds.power_uW[0])
    loop = hysteresis_loop(model, peak, 1200.0, n_save=601)
    p, t = np.asarray(loop.input_power_uW), np.asarray(loop.transmitted_uW)
    middle = float(jnp.mean(folds.power_uW))
    up = t[:300][np.argmin(np.abs(p[:300] - middle))]
    down = t[301:][np.argmin(np.abs(p[301:] - middle))]
    states = steady_states(model, middle)
    assert up == pytest.approx(float(states.transmitted_uW[0]), rel=0.05)
    assert down == pytest.approx(float(states.transmitted_uW[2]), rel=0.05)


def test_batch_matches_loop_and_float32(model):
    energies = [0.0, 0.3, 1.0]
    drives = [
        make_drive(500.0, pulse_energy_fJ=e, pulse_time_ps=3.0, pulse_width_ps=1.0)
        for e in energies
    ]
    batch = jax.tree.map(lambda *x: jnp.stack(x), *drives)
    psi0 = jnp.zeros((3, 2), complex)
    out = simulate_batch(model, batch, psi0, 10.0, n_save=20)
    for i, drive in enumerate(drives):
        one = simulate(model, drive, 10.0, n_save=20)
        np.testing.assert_allclose(out.fields[i], one.fields, rtol=1e-9, atol=1e-9)
    model32 = jax.tree.map(lambda x: jnp.asarray(x, jnp.float32), model)
    drive32 = jax.tree.map(lambda x: jnp.asarray(x, jnp.float32), drives[2])
    low = simulate(
        model32, drive32, 10.0, psi0=jnp.zeros(2, jnp.complex64), n_save=20, rtol=1e-4
    )
    assert low.fields.dtype == jnp.complex64
    np.testing.assert_allclose(low.fields, out.fields[2], rtol=2e-3, atol=2e-3)


def test_bad_inputs_name_the_parameter(model):
    with pytest.raises(InputError, match="hold_power_uW"):
        make_drive(-1.0)
    with pytest.raises(InputError, match="pulse_width_ps"):
        make_drive(1.0, pulse_energy_fJ=1.0, pulse_time_ps=1.0, pulse_width_ps=-1.0)
    long_pulse = make_drive(1.0, pulse_energy_fJ=1.0, pulse_time_ps=5, pulse_width_ps=8)
    with pytest.raises(InputError, match="pulse_width_ps"):
        simulate(model, long_pulse, 10.0)
    batch = jax.tree_util.tree_map(lambda x: jnp.stack([x, x]), long_pulse)
    with pytest.raises(InputError, match="pulse_width_ps"):
        simulate_batch(model, batch, jnp.zeros((2, 2), complex), 10.0)
    with pytest.raises(InputError, match="pulse_width_ps"):
        simulate_wigner(model, long_pulse, jax.random.key(0), 10.0)
    with pytest.raises(InputError, match="gamma_C_meV"):
        build_two_mode(
            rabi_meV=8.0,
            gamma_C_meV=-1.0,
            gamma_X_meV=1.0,
            g_X_ueVum2=1.0,
            mode_area_um2=0.15,
            coupling_efficiency=0.3,
            exciton_energy_meV=1650.0,
        )


def test_failed_solve_is_reported_with_parameters(model):
    with pytest.raises(SimulationError, match=r"max_steps_reached.*hold_power_uW"):
        simulate(model, make_drive(500.0), 10.0, max_steps=5, n_save=5)


def test_more_bad_inputs_name_the_parameter(model):
    from devices import KerrCavity, phase_diagram

    with pytest.raises(InputError, match=r"peak_power_uW.*expected.*received"):
        hysteresis_loop(model, -1.0, 100.0)
    with pytest.raises(InputError, match=r"t_end_ps.*expected.*received"):
        simulate(model, make_drive(1.0), -5.0)
    late = make_drive(1.0, pulse_energy_fJ=1.0, pulse_time_ps=9.5, pulse_width_ps=1.0)
    with pytest.raises(InputError, match=r"pulse_time_ps.*expected.*received"):
        simulate(model, late, 10.0)
    with pytest.raises(InputError, match=r"power_uW.*expected.*received"):
        phase_diagram(model, [1.0], [-3.0, 10.0])
    for field, value in [("gamma_meV", -1.0), ("kappa_in_meV", np.nan)]:
        with pytest.raises(InputError, match=rf"{field}.*expected.*received"):
            KerrCavity(**TEST_KERR | {field: value})
    with pytest.raises(InputError, match=r"gamma_X_meV.*expected.*received"):
        model.__class__(**{**model.__dict__, "gamma_X_meV": -0.5})


def test_diverging_solve_is_reported_not_returned_as_nan():
    from devices import KerrCavity

    kerr = KerrCavity(**TEST_KERR | {"u_meV": 0.0})
    gain = jax.tree.map(lambda x: x, kerr)  # a model with gain skips the checks:
    gain = eqx.tree_at(lambda m: m.gamma_meV, gain, -20.0)  # it must still fail
    with pytest.raises(SimulationError, match=r"expected a successful solve.*t_end"):
        simulate(gain, make_drive(1.0), 200.0, n_save=10)
