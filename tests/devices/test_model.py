"""The two-mode model against an independent numpy/scipy version of its equations.

The reference below is written from REFERENCES.md §1 alone (the equations in meV and
ps, ħ = 0.6582119569 meV·ps, P_in = ħω|F|²/κ_in), not from the package's code:

    dψ_C/dt = -i[(E_C - E_p)/ħ - iγ_C/2] ψ_C - i(Ω(n)/2) ψ_X + F(t)
    dψ_X/dt = -i[(E_X - E_p)/ħ - iγ_X(n)/2 + g n] ψ_X - i(Ω(n)/2) ψ_C

with n = |ψ_X|², γ_X(n) = γ_X + β n (EID) and Ω(n) = Ω_R (1 - n / N_sat) (PSF).
"""

import math

import jax
import numpy as np
import pytest
from cavities import make_cavity
from scipy.integrate import solve_ivp

from devices import (
    build_two_mode,
    fold_points,
    make_drive,
    simulate,
    steady_states,
)
from photonics.errors import InputError

HBAR = 6.62607015e-34 / (2 * math.pi) / 1.602176634e-22 * 1e12  # meV·ps, exact SI
EV_J = 1.602176634e-19  # exact SI
HC_eVnm = 6.62607015e-34 * 299792458.0 / EV_J * 1e9


def flux_per_uW(energy_meV):
    """Photons per ps carried by 1 µW at a photon energy in meV."""
    return 1e-6 / (energy_meV * 1e-3 * EV_J) * 1e-12


def reference_field(m, psi_c, psi_x, f):
    """The right-hand side of the two-mode equations, in plain numpy (1/ps)."""
    n = abs(psi_x) ** 2
    half_rabi = 0.5 * m["rabi_meV"] * (1 - n / m["saturation_excitons"]) / HBAR
    e_c = (m["cavity_energy_meV"] - m["pump_energy_meV"]) / HBAR
    e_x = (m["exciton_energy_meV"] - m["pump_energy_meV"] + m["g_meV"] * n) / HBAR
    g_c = m["gamma_C_meV"] / HBAR
    g_x = (m["gamma_X_meV"] + m["beta_meV"] * n) / HBAR
    d_c = -1j * (e_c - 0.5j * g_c) * psi_c - 1j * half_rabi * psi_x + f
    d_x = -1j * (e_x - 0.5j * g_x) * psi_x - 1j * half_rabi * psi_c
    return d_c, d_x


def as_dict(model):
    return {k: float(getattr(model, k)) for k in model.__dataclass_fields__}


NONLINEAR = dict(beta_X_ueVum2=0.05, saturation_density_per_um2=3e4)


def test_build_two_mode_converts_the_physical_inputs():
    model = build_two_mode(
        rabi_meV=7.0,
        gamma_C_meV=0.6,
        gamma_X_meV=2.5,
        g_X_ueVum2=2.0,
        mode_area_um2=0.2,
        coupling_efficiency=0.25,
        wavelength_nm=760.0,
        cavity_detuning_meV=-1.5,
        pump_detuning_meV=2.0,
        beta_X_ueVum2=0.4,
        saturation_density_per_um2=5e4,
    )
    e_x = 1e3 * HC_eVnm / 760.0
    assert float(model.exciton_energy_meV) == pytest.approx(e_x, rel=1e-8)
    assert float(model.cavity_energy_meV) == pytest.approx(e_x - 1.5, rel=1e-12)
    lower = np.linalg.eigvalsh([[e_x - 1.5, 3.5], [3.5, e_x]])[0]
    assert float(model.pump_energy_meV) == pytest.approx(lower + 2.0, abs=1e-9)
    assert float(model.g_meV) == pytest.approx(2.0e-3 / 0.2)  # µeV·µm² / µm² → meV
    assert float(model.beta_meV) == pytest.approx(0.4e-3 / 0.2)
    assert float(model.saturation_excitons) == pytest.approx(5e4 * 0.2)
    assert float(model.kappa_in_meV) == pytest.approx(0.25 * 0.6)
    assert float(model.kappa_out_meV) == pytest.approx(0.25 * 0.6)


@pytest.mark.parametrize(
    "bad, name",
    [
        (dict(gamma_X_meV=-0.1), "gamma_X_meV"),
        (dict(mode_area_um2=0.0), "mode_area_um2"),
        (dict(rabi_meV=math.nan), "rabi_meV"),
        (dict(coupling_efficiency=1.5), "coupling_efficiency"),
        (dict(beta_X_ueVum2=-1.0), "beta_X_ueVum2"),
        (dict(saturation_density_per_um2=-3.0), "saturation_density_per_um2"),
        (dict(wavelength_nm=750.0), "wavelength_nm"),  # and the energy: both given
    ],
)
def test_bad_physical_inputs_name_the_argument(bad, name):
    with pytest.raises(InputError, match=rf"{name}.*expected.*received"):
        make_cavity(**bad)


def test_vector_field_matches_the_reference_equations():
    model = make_cavity(**NONLINEAR)
    m = as_dict(model)
    rng = np.random.default_rng(3)
    for _ in range(20):
        psi = rng.normal(size=2) * 80 + 1j * rng.normal(size=2) * 80
        a_in = complex(rng.normal() * 30, rng.normal() * 30)  # √µW
        f = math.sqrt(m["kappa_in_meV"] / HBAR * flux_per_uW(m["pump_energy_meV"]))
        expected = reference_field(m, psi[0], psi[1], f * a_in)
        got = model.vector_field(psi, model.drive_per_ps(a_in))
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_pulsed_dynamics_match_scipy_solve_ivp():
    """Holding beam, an in-phase and a delayed quadrature pulse, EID and PSF on."""
    model = make_cavity(**NONLINEAR)
    m = as_dict(model)
    drive = make_drive(
        400.0,
        pulse_energy_fJ=[0.8, 0.5],
        pulse_time_ps=[3.0, 7.0],
        pulse_width_ps=[1.0, 0.6],
        pulse_phase_rad=[0.0, 0.5 * math.pi],
    )
    f_per_a = math.sqrt(m["kappa_in_meV"] / HBAR * flux_per_uW(m["pump_energy_meV"]))

    def a_in(t):
        # Gaussian pulses: intensity FWHM w, energy = peak × w × √(π / 4 ln 2)
        out = math.sqrt(400.0)
        for e, t0, w, phi in ((0.8, 3.0, 1.0, 0.0), (0.5, 7.0, 0.6, 0.5 * math.pi)):
            peak_uW = e * 1e3 / (w * math.sqrt(math.pi / (4 * math.log(2))))
            envelope = math.exp(-4 * math.log(2) * (t - t0) ** 2 / w**2)
            out += math.sqrt(peak_uW * envelope) * np.exp(1j * phi)
        return out

    def rhs(t, y):
        d_c, d_x = reference_field(m, y[0] + 1j * y[2], y[1] + 1j * y[3], 0)
        d_c += f_per_a * a_in(t)
        return [d_c.real, d_x.real, d_c.imag, d_x.imag]

    times = np.linspace(0.0, 15.0, 31)
    ref = solve_ivp(rhs, (0.0, 15.0), [0.0] * 4, t_eval=times, rtol=1e-10, atol=1e-10)
    got = simulate(model, drive, 15.0, n_save=31, rtol=1e-9)
    np.testing.assert_allclose(got.fields[:, 0], ref.y[0] + 1j * ref.y[2], atol=1e-4)
    np.testing.assert_allclose(got.fields[:, 1], ref.y[1] + 1j * ref.y[3], atol=1e-4)
    assert float(np.abs(ref.y).max()) > 10.0  # a driven, not a trivial, trajectory


def cubic_roots(m, power_uW):
    """All exciton numbers n of the two-mode steady state at ``power_uW`` (numpy).

    With ψ_C eliminated, ψ_X = -iFΩ/2 / (Ω²/4 - d_C d_X(n)), d_X(n) = a + b n linear
    in n without PSF, so n |Ω²/4 - d_C (a + b n)|² = |F|² Ω²/4: a cubic in n.
    """
    h = 0.5 * m["rabi_meV"] / HBAR
    e_p = m["pump_energy_meV"]
    d_c = (m["cavity_energy_meV"] - e_p - 0.5j * m["gamma_C_meV"]) / HBAR
    a = (m["exciton_energy_meV"] - e_p - 0.5j * m["gamma_X_meV"]) / HBAR
    b = (m["g_meV"] - 0.5j * m["beta_meV"]) / HBAR
    c0, c1 = h**2 - d_c * a, -d_c * b  # denominator c0 + c1 n
    f2 = power_uW * m["kappa_in_meV"] / HBAR * flux_per_uW(m["pump_energy_meV"])
    coefficients = [abs(c1) ** 2, 2 * (c0 * c1.conjugate()).real, abs(c0) ** 2]
    roots = np.roots([*coefficients, -f2 * h**2])
    real = roots[np.abs(roots.imag) < 1e-6 * np.abs(roots)].real
    return np.sort(real[real > 0])


@pytest.mark.parametrize("beta", [0.0, 0.05])
def test_every_two_mode_steady_state_is_a_root_of_the_cubic(beta):
    model = make_cavity(beta_X_ueVum2=beta)
    m = as_dict(model)
    solve = jax.jit(steady_states)
    counts = set()
    window = np.asarray(fold_points(model).power_uW)  # test points, not the answer
    inside = np.linspace(window[1], window[0], 7)[1:-1]
    for power in np.concatenate([np.geomspace(50.0, 5000.0, 15), inside]):
        states = solve(model, power)
        got = np.sort(np.asarray(states.population)[np.asarray(states.valid)])
        expected = cubic_roots(m, power)
        assert got.size == expected.size
        np.testing.assert_allclose(got, expected, rtol=1e-8)
        counts.add(got.size)
    assert counts == {1, 3}  # the sweep crosses the bistable window
