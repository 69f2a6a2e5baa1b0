"""Dynamics of the driven cavity with diffrax: pulses, sweeps, batched trajectories.

The complex fields are integrated as a real vector (Re ψ, Im ψ) with an adaptive
Tsit5 solver; the step is capped at a quarter of the shortest drive feature so that no
pulse is stepped over. Solves run with ``throw=False`` and the public functions check
diffrax's result on the host: a failed or non-finite solve raises
:class:`SimulationError` naming the parameters that caused it, never a silent NaN.
"""

import logging

import diffrax
import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from devices.drive import check_pulses_in_window
from photonics import checks
from photonics.errors import InputError

logger = logging.getLogger(__name__)


class SimulationError(InputError):
    """A solve failed (too stiff, diverging, out of steps); the message names inputs."""


class Trajectory(eqx.Module):
    """A simulated trajectory (leading batch axes when vmapped).

    Attributes:
        times_ps: shape (T,).
        fields: shape (T, n_modes), complex fields (|ψ|² = particles).
        input_power_uW, transmitted_uW, reflected_uW: shape (T,).
        population: shape (T,), the S-curve population (excitons or polaritons).
        result: diffrax result code (0: success).
    """

    times_ps: jnp.ndarray
    fields: jnp.ndarray
    input_power_uW: jnp.ndarray
    transmitted_uW: jnp.ndarray
    reflected_uW: jnp.ndarray
    population: jnp.ndarray
    result: jnp.ndarray


def _pack(psi):
    return jnp.concatenate([jnp.real(psi), jnp.imag(psi)])


def _unpack(y, m):
    return y[:m] + 1j * y[m:]


def _field(t, y, args):
    model, drive = args
    psi = _unpack(y, model.n_modes)
    d = model.vector_field(psi, model.drive_per_ps(drive.amplitude(t)))
    return _pack(d).astype(y.dtype)  # work in the precision of the initial state


def _observe(model, drive, ts, psi):
    a_in = jax.vmap(drive.amplitude)(ts)
    t, r = jax.vmap(model.output_powers_uW)(psi, a_in)
    n = jax.vmap(model.population)(psi)
    return jnp.abs(a_in) ** 2, t, r, n


def trajectory_kernel(model, drive, psi0, t_end_ps, n_save, max_steps, rtol=1e-6):
    """One trajectory from ``psi0`` over [0, t_end_ps] (jit/vmap kernel, no checks).

    Args:
        model: a cavity model; drive: a :class:`devices.Drive` or sweep.
        psi0: initial fields, shape (n_modes,) complex.
        t_end_ps: end of the window; n_save (static): saved points; max_steps (static).
        rtol: relative tolerance of the PID controller (absolute: rtol × 1e-2).

    Returns:
        :class:`Trajectory` with the diffrax result code, unchecked.
    """
    dtype = jnp.real(psi0).dtype
    ts = jnp.linspace(0.0, t_end_ps, n_save).astype(dtype)
    dtmax = (0.25 * drive.min_width_ps()).astype(dtype)
    solution = diffrax.diffeqsolve(
        diffrax.ODETerm(_field),
        diffrax.Tsit5(),
        t0=ts[0],
        t1=ts[-1],
        dt0=0.01 * dtmax,
        y0=_pack(psi0),
        args=(model, drive),
        saveat=diffrax.SaveAt(ts=ts),
        stepsize_controller=diffrax.PIDController(
            rtol=rtol, atol=1e-2 * rtol, dtmax=dtmax
        ),
        max_steps=max_steps,
        throw=False,
    )
    psi = jax.vmap(lambda y: _unpack(y, model.n_modes))(solution.ys)
    p_in, t, r, n = _observe(model, drive, ts, psi)
    return Trajectory(ts, psi, p_in, t, r, n, solution.result._value)


_kernel = eqx.filter_jit(trajectory_kernel)
_batched = eqx.filter_jit(
    eqx.filter_vmap(trajectory_kernel, in_axes=(None, 0, 0, None, None, None, None))
)


def check_trajectory(trajectory, context):
    """Raise :class:`SimulationError` if any solve failed or produced non-finite values.

    Args:
        trajectory: a (possibly batched) :class:`Trajectory`.
        context: a description of the parameters, included in the message.
    """
    codes = np.atleast_1d(np.asarray(trajectory.result))
    if np.any(codes != 0):
        bad = int(np.argmax(codes != 0))
        message = _result_name(codes[bad])
        raise SimulationError(
            f"simulation: expected a successful solve, received '{message}' "
            f"(trajectory {bad}) for {context} (a stiffer or diverging problem: "
            "shorten the window, lower the power or raise max_steps)"
        )
    if not np.all(np.isfinite(np.asarray(trajectory.fields))):
        raise SimulationError(
            f"simulation: expected finite fields, received NaN/inf for {context}"
        )
    return trajectory


def _result_name(code):
    names = {0: "successful", 1: "max_steps_reached", 2: "singular", 3: "breakdown"}
    return names.get(int(code), f"diffrax result {int(code)}")


def _context(model, drive, t_end_ps, max_steps):
    hold = np.asarray(getattr(drive, "hold_power_uW", drive_peak(drive)))
    energy = np.asarray(getattr(drive, "pulse_energy_fJ", []))
    return (
        f"hold_power_uW={np.round(hold, 6).tolist()}, "
        f"pulse_energy_fJ={np.round(energy, 6).tolist()}, t_end_ps={t_end_ps}, "
        f"max_steps={max_steps}, pump_energy_meV={np.asarray(model.pump_energy_meV)}"
    )


def drive_peak(drive):
    """Peak power of a sweep, for messages."""
    return getattr(drive, "peak_power_uW", np.nan)


def simulate(
    model, drive, t_end_ps, *, psi0=None, n_save=400, max_steps=20_000, rtol=1e-6
):
    """Integrate the cavity under ``drive`` over [0, ``t_end_ps``] ps.

    Args:
        model: :class:`devices.TwoModeCavity` or :class:`devices.KerrCavity`.
        drive: :class:`devices.Drive` (holding + pulses) or a
            :class:`devices.TriangleSweep`.
        t_end_ps: window length in ps (> 0); every pulse must fit inside it.
        psi0: initial fields, shape (n_modes,) complex (default: empty cavity).
        n_save: number of saved, equally spaced times.
        max_steps: solver step budget.
        rtol: relative tolerance.

    Returns:
        :class:`Trajectory` (times in ps, powers in µW).

    Raises:
        InputError: bad window or pulses; SimulationError: failed or non-finite solve.
    """
    checks.check_positive("t_end_ps", t_end_ps)
    check_pulses_in_window(drive, t_end_ps)
    psi0 = jnp.zeros(model.n_modes, complex) if psi0 is None else jnp.asarray(psi0)
    trajectory = _kernel(model, drive, psi0, t_end_ps, n_save, max_steps, rtol)
    return check_trajectory(trajectory, _context(model, drive, t_end_ps, max_steps))


def simulate_batch(
    model, drives, psi0, t_end_ps, *, n_save=400, max_steps=20_000, rtol=1e-6
):
    """Integrate a batch of drives (leading axis B) in one vmapped, jitted call.

    Args:
        model: one cavity model shared by the batch.
        drives: a :class:`devices.Drive` whose leaves have a leading batch axis B.
        psi0: initial fields, shape (B, n_modes).
        t_end_ps, n_save, max_steps, rtol: as in :func:`simulate`.

    Returns:
        :class:`Trajectory` with leading axis B.

    Raises:
        InputError: bad window or pulses; SimulationError: if any trajectory failed.
    """
    checks.check_positive("t_end_ps", t_end_ps)
    check_pulses_in_window(drives, t_end_ps)
    trajectory = _batched(model, drives, psi0, t_end_ps, n_save, max_steps, rtol)
    return check_trajectory(trajectory, _context(model, drives, t_end_ps, max_steps))


def hysteresis_loop(model, peak_power_uW, period_ps, *, n_save=800, max_steps=100_000):
    """A slow triangular power sweep 0 → peak → 0 from the empty cavity.

    Args:
        model: cavity model; peak_power_uW: top of the sweep (> 0);
        period_ps: sweep duration (> 0), long against the cavity lifetime.

    Returns:
        :class:`Trajectory`; plot ``transmitted_uW`` against ``input_power_uW``.
    """
    from devices.drive import TriangleSweep

    checks.check_positive("peak_power_uW", peak_power_uW)
    checks.check_positive("period_ps", period_ps)
    sweep = TriangleSweep(jnp.asarray(float(peak_power_uW)), jnp.asarray(period_ps))
    return simulate(model, sweep, period_ps, n_save=n_save, max_steps=max_steps)
