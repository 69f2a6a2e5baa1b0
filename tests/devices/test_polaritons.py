"""The linear problem: splitting, linewidths and Hopfield coefficients."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices import build_two_mode, hopfield_coefficients, polariton_modes


@settings(max_examples=40, deadline=None)
@given(
    delta=st.floats(-20, 20),
    rabi=st.floats(0.5, 30),
    g_c=st.floats(0.01, 5),
    g_x=st.floats(0.01, 5),
)
def test_modes_match_2x2_eigenproblem(delta, rabi, g_c, g_x):
    model = build_two_mode(
        rabi_meV=rabi,
        gamma_C_meV=g_c,
        gamma_X_meV=g_x,
        g_X_ueVum2=1.0,
        mode_area_um2=1.0,
        coupling_efficiency=0.5,
        exciton_energy_meV=1600.0,
        cavity_detuning_meV=delta,
    )
    h = np.array(
        [
            [1600.0 + delta - 0.5j * g_c, 0.5 * rabi],
            [0.5 * rabi, 1600.0 - 0.5j * g_x],
        ]
    )
    eig = np.linalg.eigvals(h)
    eig = eig[np.argsort(eig.real)]
    modes = polariton_modes(model)
    got = np.array(
        [
            modes.lower_energy_meV - 0.5j * modes.lower_linewidth_meV,
            modes.upper_energy_meV - 0.5j * modes.upper_linewidth_meV,
        ]
    )
    # Trace and determinant are well conditioned everywhere, the exceptional point
    # (Ω = |γ_C - γ_X| / 2 at δ = 0) included.
    np.testing.assert_allclose(got.sum(), np.trace(h), rtol=1e-14)
    np.testing.assert_allclose(got.prod(), np.linalg.det(h), rtol=1e-12)
    # Each eigenvalue against LAPACK, to LAPACK's own error: eps·|H| / gap, which
    # grows to √(eps·|H|) at the exceptional point where the two modes merge.
    scale = np.finfo(float).eps * np.abs(h).sum()
    gap = max(abs(eig[1] - eig[0]), np.sqrt(scale))
    # In weak coupling the two energies coincide and "lower" is a naming choice, so
    # pair the eigenvalues by distance.
    if np.abs(got - eig[::-1]).max() < np.abs(got - eig).max():
        eig = eig[::-1]
    np.testing.assert_allclose(got, eig, atol=1e-9 + 10 * scale / gap)


def test_resonant_splitting_and_linewidths():
    """At δ = 0 and equal widths the splitting is ħΩ and both widths the mean."""
    model = build_two_mode(
        rabi_meV=8.0,
        gamma_C_meV=1.0,
        gamma_X_meV=3.0,
        g_X_ueVum2=1.0,
        mode_area_um2=1.0,
        coupling_efficiency=0.5,
        exciton_energy_meV=1600.0,
    )
    modes = polariton_modes(model)
    expected = 2 * math.sqrt(16.0 - 0.25)  # √(Ω² - (γ_C - γ_X)²/4) with Ω = 8
    assert modes.splitting_meV == pytest.approx(expected, rel=1e-12)
    assert modes.lower_linewidth_meV == pytest.approx(2.0, rel=1e-12)


@pytest.mark.parametrize(
    "delta, x2", [(0.0, 0.5), (1e6, 1.0), (-1e6, 0.0), (3.0, 0.5 * (1 + 3 / 5))]
)
def test_hopfield_coefficients(delta, x2):
    got_x2, got_c2 = hopfield_coefficients(1600.0 + delta, 1600.0, 4.0)
    assert got_x2 == pytest.approx(x2, abs=1e-6)
    assert got_x2 + got_c2 == pytest.approx(1.0, abs=1e-15)
