"""The MZI convention, pinned by exact matrices."""

import jax.numpy as jnp
import numpy as np
import pytest

from photonics import coupler, mzi, mzi_imperfect, phase_shifter
from photonics.testing import assert_allclose


def test_mzi_exact_matrix():
    theta, phi = 0.3, 1.1
    expected = np.array(
        [
            [np.exp(1j * phi) * np.cos(theta), -np.sin(theta)],
            [np.exp(1j * phi) * np.sin(theta), np.cos(theta)],
        ]
    )
    assert_allclose(mzi(theta, phi), expected)


def test_mzi_bar_and_cross_states():
    assert_allclose(mzi(0.0, 0.0), np.eye(2))
    assert_allclose(mzi(np.pi / 2, 0.0), np.array([[0.0, -1.0], [1.0, 0.0]]))


def test_mzi_is_two_balanced_couplers_around_push_pull_phase():
    theta, phi = 0.7, -2.0
    internal = jnp.diag(jnp.array([jnp.exp(1j * theta), jnp.exp(-1j * theta)]))
    built = coupler(0.5).conj().T @ internal @ coupler(0.5) @ phase_shifter(phi)
    assert_allclose(built, mzi(theta, phi))


@pytest.mark.parametrize("eta_in, eta_out", [(0.5, 0.5), (0.45, 0.55), (0.3, 0.6)])
def test_imperfect_mzi_matches_component_product(eta_in, eta_out):
    theta, phi = 0.4, 2.5
    internal = jnp.diag(jnp.array([jnp.exp(1j * theta), jnp.exp(-1j * theta)]))
    built = coupler(eta_out).conj().T @ internal @ coupler(eta_in) @ phase_shifter(phi)
    assert_allclose(mzi_imperfect(theta, phi, eta_in, eta_out), built)
    matrix = np.asarray(mzi_imperfect(theta, phi, eta_in, eta_out))
    assert_allclose(matrix.conj().T @ matrix, np.eye(2))


def test_coupler_splits_power_by_ratio():
    out = np.asarray(coupler(0.3) @ jnp.array([1.0, 0.0]))
    assert_allclose(np.abs(out) ** 2, [0.3, 0.7])
