"""Fidelity and error metrics, and Haar sampling."""

import jax
import numpy as np
import scipy.stats

from photonics import (
    fidelity,
    max_element_error,
    random_unitary,
    relative_frobenius_error,
)
from photonics.checks import unitarity_error
from photonics.testing import assert_allclose, tolerance


def test_fidelity_ignores_global_phase_and_uniform_loss():
    u = scipy.stats.unitary_group.rvs(5, random_state=0)
    assert_allclose(fidelity(u, 0.7 * np.exp(0.3j) * u), 1.0)
    v = scipy.stats.unitary_group.rvs(5, random_state=1)
    assert float(fidelity(u, v)) < 0.9


def test_errors_against_hand_values():
    target = np.eye(2)
    realised = np.array([[1.0, 0.1], [0.0, 1.0]])
    assert_allclose(max_element_error(target, realised), 0.1)
    assert_allclose(relative_frobenius_error(target, realised), 0.1 / np.sqrt(2))


def test_random_unitary_is_unitary_and_haar_distributed():
    u = random_unitary(jax.random.key(0), 12)
    assert unitarity_error(u) <= tolerance(np.float64, 12)
    # Haar: |U_00|^2 follows Beta(1, N - 1); compare its mean over samples.
    keys = jax.random.split(jax.random.key(1), 150)
    samples = [abs(random_unitary(k, 4)[0, 0]) ** 2 for k in keys]
    assert abs(np.mean(samples) - 0.25) < 0.05
    # Eigenphases of a Haar unitary are uniform on the circle.
    phases = np.concatenate(
        [np.angle(np.linalg.eigvals(random_unitary(k, 4))) for k in keys[:60]]
    )
    assert scipy.stats.kstest(phases, "uniform", args=(-np.pi, 2 * np.pi)).pvalue > 1e-3
