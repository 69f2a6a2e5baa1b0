"""The Pallas mesh kernel against the plain JAX column path (interpret mode on CPU).

On a GPU machine ``-k gpu`` also compiles the kernel with Triton and compares it.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import photonics as ph
from photonics.errors import InputError
from photonics.pallas_mesh import default_interpret, propagate_pallas
from photonics.testing import assert_allclose


def _mesh(n, dtype=jnp.float32, topology="clements"):
    unitary = ph.random_unitary(jax.random.key(n), n)
    return ph.decompose(unitary, topology).astype(dtype)


def _fields(n, batch, dtype=jnp.complex64, seed=1):
    parts = jax.random.normal(jax.random.key(seed), (2, batch, n))
    return (parts[0] + 1j * parts[1]).astype(dtype)


@pytest.mark.parametrize(
    ("n", "topology", "batch"),
    [(1, "clements", 3), (4, "clements", 5), (7, "clements", 9), (16, "reck", 2)],
)
def test_matches_column_path(n, topology, batch):
    mesh = _mesh(n, topology=topology)
    x = _fields(n, batch)
    expected = ph.propagate(mesh, x, method="columns")
    actual = propagate_pallas(mesh, x, block_rows=4)
    assert actual.dtype == expected.dtype == jnp.complex64
    assert_allclose(actual, expected, scale=n)


def test_realises_the_decomposed_unitary_in_float64():
    unitary = ph.random_unitary(jax.random.key(3), 7)
    mesh = ph.decompose(unitary)
    x = _fields(7, 4, jnp.complex128)
    actual = propagate_pallas(mesh, x)
    assert actual.dtype == jnp.complex128
    assert_allclose(actual, x @ unitary.T, scale=7)


def test_imperfect_chip_and_batch_axes():
    mesh = _mesh(7)
    spec = ph.Imperfections(loss_dB=0.2, splitter_error_std=0.05, crosstalk=0.01)
    chip = ph.sample_chip(jax.random.key(5), mesh, spec)
    x = _fields(7, 6).reshape(2, 3, 7)
    expected = ph.propagate(mesh, x, chip, method="columns")
    actual = propagate_pallas(mesh, x, chip)
    assert actual.shape == (2, 3, 7)
    assert_allclose(actual, expected, scale=7)
    assert float(jnp.max(jnp.abs(actual - x))) > 0.1


def test_gradients_match_the_column_path():
    mesh = _mesh(4)
    x = _fields(4, 3)
    weights = _fields(4, 3, seed=2)

    def loss(fn):
        def value(mesh, x):
            return jnp.sum(jnp.abs(fn(mesh, x) * weights) ** 2)

        return jax.grad(value, argnums=(0, 1))(mesh, x)

    got = loss(propagate_pallas)
    want = loss(lambda m, x: ph.propagate(m, x, method="columns"))
    for a, b in zip(jax.tree.leaves(got), jax.tree.leaves(want), strict=True):
        assert_allclose(a, b, dtype=jnp.float32, scale=16)
    assert float(jnp.max(jnp.abs(got[0].theta))) > 1e-3


def test_rejects_fields_of_the_wrong_width():
    with pytest.raises(InputError, match="fields"):
        propagate_pallas(_mesh(4), jnp.zeros((2, 5), jnp.complex64))


def test_interpret_mode_is_chosen_off_gpu():
    assert default_interpret() == (jax.default_backend() != "gpu")


@pytest.mark.skipif(jax.default_backend() != "gpu", reason="needs a GPU")
@pytest.mark.parametrize("n", [7, 64, 256])
def test_compiled_kernel_on_gpu(n):
    mesh = _mesh(n)
    x = _fields(n, 1024)
    expected = np.asarray(ph.propagate(mesh, x, method="columns"))
    actual = np.asarray(propagate_pallas(mesh, x, interpret=False))
    assert_allclose(actual, expected, scale=n)
