"""Quantum noise by the truncated Wigner method (Langevin equations).

Each mode j receives the noise ``√(γ_j / 2) dξ_j`` with ``⟨dξ dξ*⟩ = dt`` and starts
from vacuum noise of variance ½ (``⟨|δψ|²⟩ = 1/2``) around its initial value; the
populations are ``⟨|ψ|²⟩ - 1/2`` (REFERENCES.md §1; the mode volume is absorbed in the
particle-number normalisation). The equations are integrated with the Euler-Maruyama
scheme in ``lax.scan``, vmapped over trajectories.

Validity: many particles per mode and interactions small against the linewidth
(U ≪ ħγ). The O(1) Wigner correction of the interaction term (g(|ψ|² - 1) instead of
g|ψ|²) is neglected, which is consistent within that regime; beyond it a master
equation is needed.
"""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from devices.drive import check_pulses_in_window, make_drive
from devices.dynamics import SimulationError
from photonics import checks


class WignerTrajectories(eqx.Module):
    """Stochastic trajectories.

    Attributes:
        times_ps: shape (T,).
        fields: shape (N, T, n_modes) complex Wigner fields.
        transmitted_uW: shape (N, T), ``κ_out |ψ_C|²`` of each sample (not
            vacuum-subtracted; subtract ``κ_out / 2`` photons for the mean).
    """

    times_ps: jnp.ndarray
    fields: jnp.ndarray
    transmitted_uW: jnp.ndarray


def _vacuum(key, shape):
    k1, k2 = jax.random.split(key)
    return 0.5 * (jax.random.normal(k1, shape) + 1j * jax.random.normal(k2, shape))


def _step(model, drive, dt, carry, key):
    psi, t = carry
    drift = model.vector_field(psi, model.drive_per_ps(drive.amplitude(t)))
    gamma = model.loss_rates_per_ps(psi)
    k1, k2 = jax.random.split(key)
    shape = psi.shape
    xi = jax.random.normal(k1, shape) + 1j * jax.random.normal(k2, shape)
    noise = jnp.sqrt(0.5 * gamma) * jnp.sqrt(0.5 * dt) * xi
    return (psi + drift * dt + noise, t + dt), None


def _one(model, drive, psi0, key, dt, steps_per_save, n_save):
    k0, key = jax.random.split(key)
    psi = psi0 + _vacuum(k0, psi0.shape)

    def save(carry, k):
        keys = jax.random.split(k, steps_per_save)
        step = lambda c, kk: _step(model, drive, dt, c, kk)  # noqa: E731
        carry, _ = jax.lax.scan(step, carry, keys)
        return carry, carry[0]

    keys = jax.random.split(key, n_save - 1)
    _, fields = jax.lax.scan(save, (psi, jnp.zeros((), dt.dtype)), keys)
    return jnp.concatenate([psi[None], fields])


@eqx.filter_jit
def _batch(model, drive, psi0, keys, dt, steps_per_save, n_save):
    one = lambda k: _one(model, drive, psi0, k, dt, steps_per_save, n_save)  # noqa: E731
    return jax.vmap(one)(keys)


def simulate_wigner(
    model,
    drive,
    key,
    t_end_ps,
    *,
    psi0=None,
    n_trajectories=100,
    dt_ps=0.002,
    n_save=101,
):
    """Truncated-Wigner trajectories of the driven cavity.

    Args:
        model: cavity model; drive: :class:`devices.Drive` (or sweep).
        key: a ``jax.random`` key (required; the only source of randomness).
        t_end_ps: window length in ps (> 0).
        psi0: mean initial fields, shape (n_modes,) (default: vacuum).
        n_trajectories: number of samples N (>= 1).
        dt_ps: Euler-Maruyama step in ps; keep γ dt and Ω dt below ~0.05.
        n_save: number of saved times (>= 2).

    Returns:
        :class:`WignerTrajectories`.

    Raises:
        InputError: bad arguments; SimulationError: non-finite samples (too large a
            step for the rates).
    """
    checks.check_positive("t_end_ps", t_end_ps)
    checks.check_positive("dt_ps", dt_ps)
    check_pulses_in_window(drive, t_end_ps)
    n_trajectories = checks.check_int("n_trajectories", n_trajectories, minimum=1)
    n_save = checks.check_int("n_save", n_save, minimum=2)
    steps = max(1, round(t_end_ps / dt_ps / (n_save - 1)))
    dt = t_end_ps / (steps * (n_save - 1))
    psi0 = jnp.zeros(model.n_modes, complex) if psi0 is None else jnp.asarray(psi0)
    keys = jax.random.split(key, n_trajectories)
    dt_arr = jnp.asarray(dt, jnp.real(psi0).dtype)
    fields = _batch(model, drive, psi0, keys, dt_arr, steps, n_save)
    if not np.all(np.isfinite(np.asarray(fields))):
        raise SimulationError(
            f"simulate_wigner: expected finite samples, received NaN/inf with "
            f"dt_ps={dt:g} (reduce dt_ps)"
        )
    times = jnp.linspace(0.0, t_end_ps, n_save)
    transmitted = jax.vmap(jax.vmap(lambda p: model.output_powers_uW(p, 0j)[0]))(fields)
    return WignerTrajectories(times_ps=times, fields=fields, transmitted_uW=transmitted)


def populations(trajectories):
    """Vacuum-subtracted mean populations ``⟨|ψ|²⟩ - 1/2``, shape (T, n_modes)."""
    return jnp.mean(jnp.abs(trajectories.fields) ** 2, axis=0) - 0.5


def switching_error_probability(
    model, setup, pulse_energy_fJ, key, *, n_trajectories=200, dt_ps=0.002
):
    """Probability of a wrong switching outcome versus control energy (Wigner).

    For a control energy E > 0 the intended outcome is "switched" and the error is the
    fraction of noisy trajectories that end below the middle steady state; for E = 0
    the intended outcome is "not switched" and the error is the fraction that switched
    spontaneously.

    Args:
        model: a bistable cavity; setup: :func:`devices.prepare_switch` result.
        pulse_energy_fJ: control energies in fJ, shape (E,), >= 0.
        key: ``jax.random`` key.
        n_trajectories: samples per energy; dt_ps: Euler-Maruyama step.

    Returns:
        numpy array of shape (E,): error probabilities.
    """
    energies = np.atleast_1d(np.asarray(pulse_energy_fJ, float))
    p = setup.protocol
    middle = float(setup.states.population[1])
    errors = []
    for energy, subkey in zip(
        energies, jax.random.split(key, energies.size), strict=True
    ):
        drive = make_drive(
            setup.hold_power_uW,
            pulse_energy_fJ=[energy],
            pulse_time_ps=[p.pulse_time_ps],
            pulse_width_ps=[p.pulse_width_ps],
            pulse_phase_rad=[p.pulse_phase_rad],
        )
        check_pulses_in_window(drive, p.t_end_ps)
        runs = simulate_wigner(
            model,
            drive,
            subkey,
            p.t_end_ps,
            psi0=setup.states.fields[0],
            n_trajectories=n_trajectories,
            dt_ps=dt_ps,
            n_save=2,
        )
        final = jnp.abs(runs.fields[:, -1, -1]) ** 2 - 0.5
        switched = float(jnp.mean(final > middle))
        errors.append(1.0 - switched if energy > 0 else switched)
    return np.asarray(errors)
