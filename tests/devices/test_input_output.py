"""Input-output relations: power balance and the port constraint."""

import jax
import numpy as np
import pytest
from cavities import make_cavity

from devices import kerr_reduction
from devices.params import photon_flux_per_ps, rate_per_ps
from devices.steady_state import response_curve
from photonics import InputError


def _balance_uW(model, psi, power_uW):
    """(T + R + absorbed, each term) for the steady state ``psi`` at ``power_uW``.

    In steady state the power a drive F = √κ_in a_in feeds in, 2 Re(ψ_C* F), leaves as
    γ_C|ψ_C|² + γ_X|ψ_X|²; with a_R = √κ_in ψ_C - a_in this makes
    P = T + R + (γ_C - κ_in - κ_out)|ψ_C|² + γ_X(n)|ψ_X|², every term >= 0.
    """
    t, r = model.output_powers_uW(psi, np.sqrt(power_uW) + 0j)
    per_uW = 1.0 / photon_flux_per_ps(1.0, model.pump_energy_meV)
    n_c, n_x = abs(psi[0]) ** 2, abs(psi[1]) ** 2
    other = model.gamma_C_meV - model.kappa_in_meV - model.kappa_out_meV
    gamma_x = model.gamma_X_meV + model.beta_meV * n_x
    absorbed = (rate_per_ps(other) * n_c + rate_per_ps(gamma_x) * n_x) * per_uW
    return t + r + absorbed, (t, r, rate_per_ps(other) * n_c * per_uW)


@pytest.mark.parametrize("eta", [0.05, 0.3, 0.5, 0.8, 1.0])
@pytest.mark.parametrize("nonlinear", [{}, {"beta_X_ueVum2": 0.5}])
def test_power_is_conserved_along_the_s_curve(eta, nonlinear):
    model = make_cavity(coupling_efficiency=eta, **nonlinear)
    curve = jax.jit(response_curve, static_argnums=1)(model, 64)
    fields = jax.vmap(model.steady_fields)(curve["population"])
    for psi, p in zip(
        np.asarray(fields), np.asarray(curve["input_power_uW"]), strict=True
    ):
        total, (t, r, other) = _balance_uW(model, psi, p)
        assert total == pytest.approx(p, rel=1e-9)
        assert min(t, r, other) >= -1e-9 * p
        assert t <= p * (1 + 1e-12)


def test_default_output_port_never_exceeds_the_cavity_loss():
    for eta in (0.1, 0.5, 0.7, 1.0):
        model = make_cavity(coupling_efficiency=eta)
        assert model.kappa_in_meV + model.kappa_out_meV <= model.gamma_C_meV + 1e-15
    assert make_cavity(coupling_efficiency=0.3).kappa_out_meV == pytest.approx(0.3)
    assert make_cavity(coupling_efficiency=0.8).kappa_out_meV == pytest.approx(0.2)


def test_output_efficiency_beyond_the_remaining_loss_is_named():
    with pytest.raises(InputError, match="output_efficiency"):
        make_cavity(coupling_efficiency=0.6, output_efficiency=0.5)
    model = make_cavity(coupling_efficiency=0.6, output_efficiency=0.4)
    assert model.kappa_out_meV == pytest.approx(0.4)


def test_kerr_reduction_keeps_the_port_rates_of_its_photon_fraction():
    model = make_cavity(coupling_efficiency=0.8)
    kerr = kerr_reduction(model)
    assert kerr.kappa_in_meV + kerr.kappa_out_meV <= kerr.gamma_meV
