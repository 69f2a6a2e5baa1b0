"""Truncated Wigner: vacuum and coherent-state statistics, explicit keys."""

import jax
import jax.numpy as jnp
import numpy as np

from devices import KerrCavity, make_drive, populations, simulate_wigner

N = 4000


def linear_cavity(u_meV=0.0):
    return KerrCavity(
        polariton_energy_meV=1600.0,
        pump_energy_meV=1600.5,
        gamma_meV=1.0,
        u_meV=u_meV,
        kappa_in_meV=0.5,
        kappa_out_meV=0.5,
    )


def test_vacuum_population_vanishes_after_subtraction():
    runs = simulate_wigner(
        linear_cavity(),
        make_drive(0.0),
        jax.random.key(0),
        8.0,
        n_trajectories=N,
        dt_ps=0.005,
        n_save=5,
    )
    n = np.asarray(populations(runs))[:, 0]
    sigma = 0.5 / np.sqrt(N)  # std of |ψ|² for vacuum noise of variance 1/2
    assert np.all(np.abs(n) < 5 * sigma)


def test_linear_drive_gives_coherent_state():
    model = linear_cavity()
    power = 0.01
    runs = simulate_wigner(
        model,
        make_drive(power),
        jax.random.key(1),
        8.0,
        n_trajectories=N,
        dt_ps=0.005,
        n_save=5,
    )
    f = model.drive_per_ps(jnp.sqrt(power) + 0j)[0]
    gamma = 1.0 / 0.6582119569509067
    delta = 0.5 / 0.6582119569509067
    alpha = f / (0.5 * gamma - 1j * delta)
    final = np.asarray(runs.fields[:, -1, 0])
    mean = final.mean()
    assert abs(mean - alpha) < 5 * np.sqrt(0.5 / N)
    variance = np.mean(np.abs(final - mean) ** 2)
    assert abs(variance - 0.5) < 5 * 0.5 / np.sqrt(N)
    n = float(populations(runs)[-1, 0])
    assert abs(n - abs(alpha) ** 2) < 5 * np.sqrt((abs(alpha) ** 2 + 0.25) / N)


def test_same_key_same_samples_different_key_different():
    model, drive = linear_cavity(0.01), make_drive(0.01)
    a = simulate_wigner(model, drive, jax.random.key(3), 2.0, n_trajectories=8)
    b = simulate_wigner(model, drive, jax.random.key(3), 2.0, n_trajectories=8)
    c = simulate_wigner(model, drive, jax.random.key(4), 2.0, n_trajectories=8)
    np.testing.assert_array_equal(a.fields, b.fields)
    assert not np.allclose(a.fields, c.fields)
