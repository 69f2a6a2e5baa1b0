"""Steady states against closed forms: Kerr folds, critical detuning, stability."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from cavities import make_cavity

from devices import (
    KerrCavity,
    fold_points,
    jacobian,
    kerr_reduction,
    steady_states,
)
from devices.params import rate_per_ps
from devices.steady_state import characteristic_coefficients, hurwitz_stable
from photonics.units import HBAR_meVps

GAMMA_meV = 1.0
U_meV = 0.01


def kerr(detuning_meV, dtype=jnp.float64):
    values = dict(
        polariton_energy_meV=1600.0,
        pump_energy_meV=1600.0 + detuning_meV,
        gamma_meV=GAMMA_meV,
        u_meV=U_meV,
        kappa_in_meV=0.4,
        kappa_out_meV=0.4,
    )
    return KerrCavity(**{k: jnp.asarray(v, dtype) for k, v in values.items()})


def closed_form_folds(detuning_meV):
    """x = u n at dy/dx = 0 of y = x[(Δ - x)² + γ²/4]; returns populations, |F|²."""
    d, g, u = (rate_per_ps(v) for v in (detuning_meV, GAMMA_meV, U_meV))
    x = (2 * d + np.array([-1.0, 1.0]) * math.sqrt(d**2 - 0.75 * g**2)) / 3
    return x / u, x * ((d - x) ** 2 + 0.25 * g**2) / u


def test_kerr_fold_points_match_closed_form():
    model = kerr(2.0)
    folds = jax.jit(fold_points)(model)
    n, f2 = closed_form_folds(2.0)
    assert bool(folds.bistable)
    np.testing.assert_allclose(folds.population, n, rtol=1e-9)
    np.testing.assert_allclose(folds.power_uW * model._f2_per_uW(), f2, rtol=1e-9)


@pytest.mark.parametrize("factor, bistable", [(0.98, False), (1.02, True)])
def test_critical_detuning_is_sqrt3_gamma_over_2(factor, bistable):
    critical_meV = math.sqrt(3.0) * GAMMA_meV / 2.0
    assert bool(fold_points(kerr(factor * critical_meV)).bistable) is bistable


def test_roots_solve_the_cubic_and_middle_branch_is_unstable():
    model = kerr(2.0)
    folds = fold_points(model)
    power = float(jnp.mean(folds.power_uW))
    states = jax.jit(steady_states)(model, power)
    assert np.all(np.asarray(states.valid))
    np.testing.assert_allclose(
        jax.vmap(model.input_power_uW)(states.population), power, rtol=1e-10
    )
    np.testing.assert_array_equal(states.stable, [True, False, True])
    drive = model.drive_per_ps(jnp.sqrt(power) + 0j)
    for psi in states.fields:
        residual = np.abs(model.vector_field(psi, drive))
        assert residual.max() < 1e-9 * np.abs(drive).max()


def test_outside_window_one_state():
    model = kerr(2.0)
    folds = fold_points(model)
    for power, slot in [(0.5 * folds.power_uW[1], 0), (2 * folds.power_uW[0], 2)]:
        states = steady_states(model, power)
        assert int(np.sum(states.valid)) == 1 and bool(states.valid[slot])
        assert bool(states.stable[slot])


def test_hurwitz_matches_eigenvalues():
    rng = np.random.default_rng(0)
    for _ in range(200):
        m = rng.normal(size=(4, 4)) - rng.uniform(0, 1.5) * np.eye(4)
        expected = np.linalg.eigvals(m).real.max() < 0
        got = bool(hurwitz_stable(characteristic_coefficients(jnp.asarray(m))))
        assert got == expected


mose2_like = make_cavity  # the shared test cavity


def test_two_mode_stability_from_jacobian_eigenvalues():
    model = mose2_like(beta_X_ueVum2=0.05, saturation_density_per_um2=3e4)
    folds = fold_points(model)
    power = float(jnp.mean(folds.power_uW))
    states = steady_states(model, power)
    for psi, stable in zip(states.fields, states.stable, strict=True):
        eig = np.linalg.eigvals(np.asarray(jacobian(model, psi, power)))
        assert (eig.real.max() < 0) == bool(stable)
    np.testing.assert_array_equal(states.stable, [True, False, True])


def test_two_mode_reduces_to_kerr_for_small_blueshift():
    errors = []
    for rabi in (10.0, 30.0, 100.0):
        model = mose2_like(rabi_meV=rabi, gamma_C_meV=0.5, gamma_X_meV=0.5)
        two = fold_points(model).power_uW
        one = fold_points(kerr_reduction(model)).power_uW
        errors.append(float(jnp.max(jnp.abs(two / one - 1))))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.03


def test_eid_alone_gives_no_bistability():
    folds_of = jax.jit(fold_points)
    for detuning in np.linspace(-3.0, 6.0, 19):
        model = mose2_like(
            g_X_ueVum2=0.0, beta_X_ueVum2=2.0, pump_detuning_meV=detuning
        )
        assert not bool(folds_of(model).bistable)


def test_gradient_of_transmission_matches_finite_differences():
    model = mose2_like()
    power = 300.0

    def transmission(p):
        return steady_states(model, p).transmitted_uW[0] / p

    grad = jax.grad(transmission)(power)
    h = 1e-3
    fd = (transmission(power + h) - transmission(power - h)) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-6)


def test_gradient_wrt_rabi_matches_finite_differences():
    def transmission(rabi):
        m = mose2_like()
        m = jax.tree_util.tree_map(lambda x: x, m)
        import equinox as eqx

        m = eqx.tree_at(lambda q: q.rabi_meV, m, rabi)
        return steady_states(m, 300.0).transmitted_uW[0]

    grad = jax.grad(transmission)(8.0)
    h = 1e-5
    fd = (transmission(8.0 + h) - transmission(8.0 - h)) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-5)


def test_vmap_matches_loop_and_jit_matches_eager():
    model = kerr(2.0)
    powers = jnp.linspace(10.0, 80.0, 7)
    batched = jax.jit(jax.vmap(lambda p: steady_states(model, p).population))(powers)
    for p, row in zip(powers, batched, strict=True):
        np.testing.assert_allclose(row, steady_states(model, p).population, rtol=1e-12)


def test_float32_fold_points_close_to_float64():
    f64 = fold_points(kerr(2.0))
    f32 = fold_points(kerr(2.0, jnp.float32))
    assert f32.power_uW.dtype == jnp.float32
    np.testing.assert_allclose(f32.power_uW, f64.power_uW, rtol=1e-4)


def test_hbar_unit():
    assert abs(HBAR_meVps - 0.6582119569) < 1e-9


@pytest.mark.parametrize("power_uW", [-5.0, math.nan])
def test_negative_or_nan_power_is_an_error_not_zeros(power_uW):
    model = make_cavity()
    with pytest.raises(Exception, match="power_uW"):
        jax.block_until_ready(jax.jit(steady_states)(model, power_uW))
