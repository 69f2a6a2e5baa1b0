"""Speed of the device simulations against a scipy ``solve_ivp`` loop, same process.

Two measurements, each reported as ``ratio = baseline_seconds / seconds``:

* a 128 x 128 (power x pump detuning) phase diagram of steady states in one jitted,
  vmapped call, against integrating each point to its steady state with
  ``scipy.integrate.solve_ivp`` (RK45) from the empty cavity;
* 1,000 switching trajectories (holding beam + one control pulse of varied energy) in
  one vmapped diffrax call, against a ``solve_ivp`` loop over the same trajectories.

The scipy loops are timed on a subset and scaled to the full count. Run as a script
(``python benchmarks/bench_devices.py [--quick]``) or call :func:`run`.
"""

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np
from scipy.integrate import solve_ivp

from devices.drive import make_drive
from devices.dynamics import simulate_batch
from devices.metrics import prepare_switch
from devices.params import photon_flux_per_ps, rate_per_ps
from devices.presets import load_preset
from devices.sweeps import phase_diagram

T_SETTLE_ps = 40.0


def _numpy_field(model, drive):
    """The two-mode vector field in numpy for scipy (same equations as the model)."""
    m = {k: float(getattr(model, k)) for k in model.__dataclass_fields__}
    f_per_sqrt_uW = np.sqrt(
        rate_per_ps(m["kappa_in_meV"]) * photon_flux_per_ps(1.0, m["pump_energy_meV"])
    )
    d_c = rate_per_ps(
        m["cavity_energy_meV"] - m["pump_energy_meV"]
    ) - 0.5j * rate_per_ps(m["gamma_C_meV"])

    def field(t, y):
        c, x = y[0] + 1j * y[2], y[1] + 1j * y[3]
        n = abs(x) ** 2
        half = 0.5 * rate_per_ps(m["rabi_meV"]) * (1 - n / m["saturation_excitons"])
        d_x = rate_per_ps(
            m["exciton_energy_meV"] - m["pump_energy_meV"] + m["g_meV"] * n
        ) - 0.5j * rate_per_ps(m["gamma_X_meV"] + m["beta_meV"] * n)
        dc = -1j * d_c * c - 1j * half * x + f_per_sqrt_uW * drive(t)
        dx = -1j * d_x * x - 1j * half * c
        return [dc.real, dx.real, dc.imag, dx.imag]

    return field


def _numpy_amplitude(drive):
    """The holding beam + Gaussian pulse field of ``drive`` in plain numpy."""
    hold = float(np.sqrt(drive.hold_power_uW[0]))
    peak = float(np.sqrt(drive.pulse_peak_power_uW()[0]))
    t0, w = float(drive.pulse_time_ps[0]), float(drive.pulse_width_ps[0])
    return lambda t: hold + peak * np.exp(-2 * np.log(2) * ((t - t0) / w) ** 2)


def _timed(fn, repeats=1):
    fn()  # compile and warm up
    start = time.perf_counter()
    for _ in range(repeats):
        out = fn()
    jax.block_until_ready(out)
    return (time.perf_counter() - start) / repeats


def bench_phase_diagram(model, quick):
    """128 x 128 phase diagram vs solve_ivp to steady state per point."""
    lp = float(model.pump_energy_meV) - 2.5
    detunings = np.linspace(0.0, 4.0, 128)
    powers = np.geomspace(1e2, 5e4, 128)
    seconds = _timed(lambda: phase_diagram(model, detunings, powers)["stable_count"])
    subset = 4 if quick else 16
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for _ in range(subset):
        d, p = rng.choice(detunings), rng.choice(powers)
        pumped = type(model)(**{**_fields(model), "pump_energy_meV": lp + d})
        amplitude = float(np.sqrt(p))
        field = _numpy_field(pumped, lambda t, a=amplitude: a)
        solve_ivp(field, (0, T_SETTLE_ps), np.zeros(4), rtol=1e-6, atol=1e-8)
    baseline = (time.perf_counter() - start) / subset * detunings.size * powers.size
    return _row(
        "phase_diagram_128x128", seconds, "solve_ivp loop to steady state", baseline
    )


def _fields(model):
    return {k: float(getattr(model, k)) for k in model.__dataclass_fields__}


def bench_switching(model, protocol, quick):
    """1,000 switching trajectories in one vmapped call vs a solve_ivp loop."""
    setup = prepare_switch(model, protocol)
    energies = np.linspace(0.5, 10.0, 1000)
    drives = [
        make_drive(
            setup.hold_power_uW,
            pulse_energy_fJ=e,
            pulse_time_ps=protocol.pulse_time_ps,
            pulse_width_ps=protocol.pulse_width_ps,
        )
        for e in energies
    ]
    batch = jax.tree.map(lambda *x: jnp.stack(x), *drives)
    psi0 = jnp.broadcast_to(setup.states.fields[0], (energies.size, 2))
    t_end = protocol.t_end_ps

    def ours():
        return simulate_batch(model, batch, psi0, t_end, n_save=64).fields

    seconds = _timed(ours)
    subset = 3 if quick else 10
    y0 = np.asarray(setup.states.fields[0])
    y0 = np.array([y0[0].real, y0[1].real, y0[0].imag, y0[1].imag])
    start = time.perf_counter()
    for drive in drives[:subset]:
        field = _numpy_field(model, _numpy_amplitude(drive))
        solve_ivp(
            field,
            (0, t_end),
            y0,
            rtol=1e-6,
            atol=1e-8,
            max_step=0.25 * protocol.pulse_width_ps,
            t_eval=np.linspace(0, t_end, 64),
        )
    baseline = (time.perf_counter() - start) / subset * energies.size
    return _row("switching_1000_trajectories", seconds, "solve_ivp loop", baseline)


def _row(name, seconds, baseline_name, baseline_seconds):
    return dict(
        name=name,
        seconds=seconds,
        baseline=baseline_name,
        baseline_seconds=baseline_seconds,
        ratio=baseline_seconds / seconds,
    )


def run(quick=False):
    """Run the device benchmarks; returns a list of result dicts (see module doc)."""
    with jax.enable_x64(True):
        model, protocol = load_preset("mose2-nanocavity")
        return [
            bench_phase_diagram(model, quick),
            bench_switching(model, protocol, quick),
        ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller scipy subsets")
    args = parser.parse_args()
    for row in run(args.quick):
        print(
            f"{row['name']:30} {row['seconds']:9.3f} s  vs {row['baseline']}: "
            f"{row['baseline_seconds']:9.1f} s  ratio {row['ratio']:8.1f}x"
        )


if __name__ == "__main__":
    main()
