"""Propagation through meshes: agreement, jit, grad, vmap, precision."""

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.stats

from photonics import (
    Imperfections,
    InputError,
    decompose,
    propagate,
    sample_chip,
    transfer_matrix,
)
from photonics.testing import assert_allclose, tolerance


@pytest.fixture(scope="module", params=["clements", "reck"])
def case(request):
    n = 7
    target = scipy.stats.unitary_group.rvs(n, random_state=11)
    return target, decompose(target, request.param)


def random_fields(shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape) + 1j * rng.normal(size=shape)


def test_propagate_equals_matrix_product(case):
    target, mesh = case
    fields = random_fields((5, 7))
    assert_allclose(propagate(mesh, fields), fields @ target.T, scale=7)


def test_columns_and_matrix_paths_agree_with_a_chip(case):
    _, mesh = case
    spec = Imperfections(loss_dB=0.2, splitter_error_std=0.03, crosstalk=0.01)
    chip = sample_chip(jax.random.key(1), mesh, spec)
    fields = random_fields((3, 4, 7))
    by_columns = propagate(mesh, fields, chip, method="columns")
    by_matrix = propagate(mesh, fields, chip, method="matrix")
    assert_allclose(by_columns, by_matrix, scale=7)


def test_jit_equals_eager(case):
    _, mesh = case
    fields = random_fields((2, 7))
    jitted = eqx.filter_jit(propagate)(mesh, fields)
    assert_allclose(jitted, propagate(mesh, fields))


def test_vmap_over_meshes_equals_loop():
    meshes = [
        decompose(scipy.stats.unitary_group.rvs(5, random_state=s)) for s in range(3)
    ]
    stacked = jax.tree.map(lambda *xs: jnp.stack(xs), *meshes)
    fields = random_fields((5,))
    batched = jax.vmap(propagate, in_axes=(0, None))(stacked, fields)
    for i, mesh in enumerate(meshes):
        assert_allclose(batched[i], propagate(mesh, fields))


def power_out(theta, mesh, fields):
    mesh = eqx.tree_at(lambda m: m.theta, mesh, theta)
    return jnp.sum(jnp.abs(propagate(mesh, fields)[..., 0]) ** 2)


def test_gradient_matches_finite_differences(case):
    _, mesh = case
    fields = jnp.asarray(random_fields((2, 7), seed=4))
    theta = jnp.asarray(mesh.theta)
    grad = jax.grad(power_out)(theta, mesh, fields)
    column, slot = int(mesh.layout.columns[3]), int(mesh.layout.slots[3])
    step = 1e-6
    bump = jnp.zeros_like(theta).at[column, slot].set(step)
    numeric = (
        power_out(theta + bump, mesh, fields) - power_out(theta - bump, mesh, fields)
    ) / (2 * step)
    assert abs(float(grad[column, slot]) - float(numeric)) <= 1e-6


def test_float32_mesh_stays_float32(case):
    target, mesh = case
    low = mesh.astype(jnp.float32)
    out = propagate(low, random_fields((3, 7)).astype(np.complex64))
    assert out.dtype == jnp.complex64
    matrix = transfer_matrix(low)
    assert matrix.dtype == jnp.complex64
    assert np.max(np.abs(np.asarray(matrix) - target)) <= tolerance(np.float32, 7)


def test_energy_is_conserved_without_loss(case):
    _, mesh = case
    fields = random_fields((4, 7), seed=2)
    out = np.asarray(propagate(mesh, fields))
    assert_allclose(
        np.sum(np.abs(out) ** 2, -1), np.sum(np.abs(fields) ** 2, -1), scale=7
    )


def test_bad_fields_and_method(case):
    _, mesh = case
    with pytest.raises(InputError, match="fields.*7"):
        propagate(mesh, np.ones((2, 6)))
    with pytest.raises(InputError, match="method"):
        propagate(mesh, np.ones(7), method="fast")
