"""Imperfect chips: each model checked against an independent numpy build."""

import jax
import numpy as np
import pytest
import scipy.stats

from photonics import (
    Imperfections,
    InputError,
    decompose,
    fidelity,
    mzi_imperfect,
    sample_chip,
    transfer_matrix,
)
from photonics.testing import assert_allclose, tolerance

N = 6


@pytest.fixture(scope="module")
def mesh():
    return decompose(scipy.stats.unitary_group.rvs(N, random_state=5))


def numpy_chip_matrix(mesh, chip):
    """One dense product per MZI with the chip's sampled values (no crosstalk)."""
    layout = mesh.layout
    theta = np.asarray(mesh.theta) + np.asarray(chip.theta_error)
    phi = np.asarray(mesh.phi) + np.asarray(chip.phi_error)
    u = np.eye(N, dtype=complex)
    for k, c, s in zip(layout.pairs, layout.columns, layout.slots, strict=True):
        block = np.eye(N, dtype=complex)
        block[k : k + 2, k : k + 2] = chip.amplitude[c, s] * np.asarray(
            mzi_imperfect(theta[c, s], phi[c, s], chip.eta_in[c, s], chip.eta_out[c, s])
        )
        u = block @ u
    out = np.asarray(mesh.out_phase) + np.asarray(chip.out_phase_error)
    return np.diag(np.exp(1j * out)) @ u


def test_perfect_chip_is_the_ideal_mesh(mesh):
    chip = sample_chip(jax.random.key(0), mesh, Imperfections())
    assert_allclose(transfer_matrix(mesh, chip), transfer_matrix(mesh), scale=N)


def test_chip_matches_independent_build(mesh):
    spec = Imperfections(
        loss_dB=0.3, loss_std_dB=0.05, splitter_error_std=0.04, phase_error_std_rad=0.05
    )
    chip = sample_chip(jax.random.key(3), mesh, spec)
    assert_allclose(transfer_matrix(mesh, chip), numpy_chip_matrix(mesh, chip), scale=N)


def test_loss_only_scales_power_by_mzis_crossed(mesh):
    chip = sample_chip(jax.random.key(0), mesh, Imperfections(loss_dB=0.5))
    matrix = np.asarray(transfer_matrix(mesh, chip))
    amplitude = 10 ** (-0.5 / 20)
    crossed = mesh.layout.active.sum()
    assert np.all(np.abs(matrix) <= 1 + tolerance(np.float64))
    total = np.sum(np.abs(matrix) ** 2)
    assert amplitude ** (2 * crossed) * N < total < N


def test_phase_quantisation_puts_phases_on_the_grid(mesh):
    chip = sample_chip(jax.random.key(0), mesh, Imperfections(phase_bits=3))
    step = 2 * np.pi / 8
    fine = sample_chip(jax.random.key(0), mesh, Imperfections(phase_bits=20))
    coarse_f = float(fidelity(transfer_matrix(mesh), transfer_matrix(mesh, chip)))
    fine_f = float(fidelity(transfer_matrix(mesh), transfer_matrix(mesh, fine)))
    assert fine_f > 1 - 1e-9
    assert coarse_f < 0.99
    from photonics.imperfections import _quantise

    q = np.asarray(_quantise(np.asarray(mesh.phi), 1, 3))
    assert_allclose(np.round(q / step) * step, q)
    assert np.max(np.abs(q - np.asarray(mesh.phi))) <= step / 2 + 1e-12


def test_crosstalk_adds_neighbour_phases():
    from photonics.imperfections import _crosstalk

    phase = np.array([[1.0, 2.0, 4.0]])
    assert_allclose(_crosstalk(phase, 0.1), [[1.2, 2.5, 4.2]])


def test_infidelity_grows_as_phase_error_squared(mesh):
    def mean_infidelity(sigma):
        spec = Imperfections(phase_error_std_rad=sigma)
        keys = jax.random.split(jax.random.key(7), 200)
        ideal = transfer_matrix(mesh)

        def one(key):
            return 1 - fidelity(
                ideal, transfer_matrix(mesh, sample_chip(key, mesh, spec))
            )

        return float(np.mean(jax.vmap(one)(keys)))

    ratio = mean_infidelity(0.02) / mean_infidelity(0.01)
    assert 3.5 < ratio < 4.5


def test_sampling_is_deterministic_under_a_key(mesh):
    spec = Imperfections(splitter_error_std=0.05, phase_error_std_rad=0.1)
    a = transfer_matrix(mesh, sample_chip(jax.random.key(9), mesh, spec))
    b = transfer_matrix(mesh, sample_chip(jax.random.key(9), mesh, spec))
    c = transfer_matrix(mesh, sample_chip(jax.random.key(10), mesh, spec))
    assert np.array_equal(np.asarray(a), np.asarray(b))
    assert not np.allclose(np.asarray(a), np.asarray(c))


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"loss_dB": -1.0}, "loss_dB"),
        ({"splitter_error_std": -0.1}, "splitter_error_std"),
        ({"phase_bits": 0}, "phase_bits"),
        ({"crosstalk": float("nan")}, "crosstalk"),
    ],
)
def test_bad_specs_are_named(kwargs, name):
    with pytest.raises(InputError, match=name):
        Imperfections(**kwargs)
