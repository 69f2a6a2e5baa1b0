"""Unitary decomposition: reconstruction to rounding, edge cases, bad input."""

import jax
import numpy as np
import pytest
import scipy.stats
from hypothesis import given, settings
from hypothesis import strategies as st

from photonics import (
    InputError,
    decompose,
    decompose_batch,
    max_element_error,
    random_unitary,
    transfer_matrix,
)
from photonics.testing import tolerance

TOPOLOGIES = ["clements", "reck"]


def rebuild_error(target, topology):
    mesh = decompose(target, topology)
    return float(max_element_error(target, transfer_matrix(mesh)))


def reference_matrix(mesh):
    """Independent rebuild: one dense N x N product per MZI, in numpy."""
    layout = mesh.layout
    theta, phi = np.asarray(mesh.theta), np.asarray(mesh.phi)
    u = np.eye(mesh.n_modes, dtype=complex)
    for k, c, s in zip(layout.pairs, layout.columns, layout.slots, strict=True):
        t, p = theta[c, s], phi[c, s]
        block = np.eye(mesh.n_modes, dtype=complex)
        block[k : k + 2, k : k + 2] = [
            [np.exp(1j * p) * np.cos(t), -np.sin(t)],
            [np.exp(1j * p) * np.sin(t), np.cos(t)],
        ]
        u = block @ u
    return np.diag(np.exp(1j * np.asarray(mesh.out_phase))) @ u


@settings(max_examples=10, deadline=None)
@given(n=st.integers(1, 12), seed=st.integers(0, 2**31 - 1), reck=st.booleans())
def test_haar_unitaries_rebuild_to_rounding(n, seed, reck):
    target = random_unitary(jax.random.key(seed), n)
    topology = "reck" if reck else "clements"
    assert rebuild_error(target, topology) <= tolerance(np.float64, n)


@pytest.mark.parametrize("topology", TOPOLOGIES)
@pytest.mark.parametrize("n", [64, 128])
def test_larger_unitaries(n, topology):
    target = scipy.stats.unitary_group.rvs(n, random_state=n)
    assert rebuild_error(target, topology) <= tolerance(np.float64, n)


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_mesh_agrees_with_independent_dense_rebuild(topology):
    target = scipy.stats.unitary_group.rvs(7, random_state=3)
    mesh = decompose(target, topology)
    reference = reference_matrix(mesh)
    assert np.max(np.abs(reference - target)) <= tolerance(np.float64, 7)


@pytest.mark.parametrize("topology", TOPOLOGIES)
@pytest.mark.parametrize("n", [1, 2])
def test_smallest_sizes(n, topology):
    target = scipy.stats.unitary_group.rvs(2, random_state=1) if n == 2 else None
    target = np.array([[np.exp(0.4j)]]) if n == 1 else target
    assert rebuild_error(target, topology) <= tolerance(np.float64)


@pytest.mark.parametrize("topology", TOPOLOGIES)
@pytest.mark.parametrize("n", [1, 2, 5, 8])
def test_identity_is_all_bar_state(n, topology):
    mesh = decompose(np.eye(n), topology)
    assert np.all(np.asarray(mesh.theta) == 0.0)
    # Moving left MZIs through the screen writes exp(1j * pi), exact to rounding only.
    assert rebuild_error(np.eye(n), topology) <= tolerance(np.float64)


@pytest.mark.parametrize("topology", TOPOLOGIES)
@pytest.mark.parametrize("seed", range(4))
def test_permutations_are_exact(topology, seed):
    n = 6
    target = np.eye(n)[np.random.default_rng(seed).permutation(n)]
    assert rebuild_error(target, topology) <= tolerance(np.float64)


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_diagonal_phases_and_exact_zeros(topology):
    phases = np.exp(1j * np.linspace(0.1, 3.0, 5))
    assert rebuild_error(np.diag(phases), topology) <= tolerance(np.float64)
    block = np.zeros((5, 5), dtype=complex)
    block[:2, :2] = scipy.stats.unitary_group.rvs(2, random_state=0)
    block[2:, 2:] = np.eye(3)[[2, 0, 1]]
    assert rebuild_error(block, topology) <= tolerance(np.float64)


def test_real_orthogonal_and_float32_input():
    target = scipy.stats.ortho_group.rvs(6, random_state=2)
    assert rebuild_error(target, "clements") <= tolerance(np.float64, 6)
    low = target.astype(np.float32)
    error = rebuild_error(low, "clements")
    assert error <= tolerance(np.float32, 6)


def test_phases_are_in_range():
    mesh = decompose(random_unitary(jax.random.key(0), 9))
    theta, phi = np.asarray(mesh.theta), np.asarray(mesh.phi)
    assert theta.min() >= 0 and theta.max() <= np.pi / 2
    assert phi.min() >= 0 and phi.max() < 2 * np.pi


@pytest.mark.parametrize(
    "matrix, match",
    [
        (np.ones((3, 4)), "square"),
        (np.ones((3, 3)), "unitary.*--svd"),
        (np.array([[np.nan, 0], [0, 1]]), "finite"),
        (np.array([["a", "b"], ["c", "d"]]), "numeric"),
        (np.eye(3)[None], "square"),
    ],
)
def test_bad_matrices_are_named(matrix, match):
    with pytest.raises(InputError, match=f"matrix.*{match}"):
        decompose(matrix)


def test_unknown_topology():
    with pytest.raises(InputError, match="topology"):
        decompose(np.eye(3), "hexagonal")


@pytest.mark.slow
@pytest.mark.parametrize("topology", TOPOLOGIES)
@pytest.mark.parametrize("n", [256, 512])
def test_large_haar_unitaries(n, topology):
    target = random_unitary(jax.random.key(n), n)
    assert rebuild_error(target, topology) <= tolerance(np.float64, n)


@pytest.mark.parametrize("topology", TOPOLOGIES)
def test_batch_equals_one_by_one(topology):
    stack = np.stack(
        [scipy.stats.unitary_group.rvs(5, random_state=s) for s in range(4)]
    )
    batch = decompose_batch(stack, topology)
    assert batch.theta.shape[0] == 4
    for i, target in enumerate(stack):
        single = decompose(target, topology)
        np.testing.assert_allclose(batch.theta[i], single.theta, atol=1e-13)
        mesh = jax.tree.map(lambda x, i=i: x[i], batch)
        assert float(max_element_error(target, transfer_matrix(mesh))) <= tolerance(
            np.float64, 5
        )


def test_batch_names_the_bad_matrix():
    stack = np.stack([np.eye(3), np.ones((3, 3))])
    with pytest.raises(InputError, match="unitary"):
        decompose_batch(stack)
    with pytest.raises(InputError, match="matrices"):
        decompose_batch(np.eye(3))
