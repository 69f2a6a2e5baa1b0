"""A second call with the same shapes neither retraces nor recompiles anything.

Two detectors: a Python side-effect counter inside a jitted wrapper (it runs only when
JAX traces), and JAX's own compile log (``jax.log_compiles``), which records every
tracing and compilation, including those hidden inside the library.
"""

import contextlib
import logging

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import photonics as ph
from nn_mapping.hardware import Hardware
from nn_mapping.program import compile_matrix
from photonics.pallas_mesh import propagate_pallas


def _mesh(n, seed, dtype=jnp.float32):
    lay = ph.mesh_layout(n)
    rng = np.random.default_rng(seed)
    shape = (lay.n_columns, lay.n_slots)
    theta = rng.uniform(0, np.pi, shape) * lay.active
    phi = rng.uniform(0, 2 * np.pi, shape) * lay.active
    out = rng.uniform(0, 2 * np.pi, n)
    return ph.Mesh(theta, phi, out, n, "clements").astype(dtype)


def _fields(shape, seed):
    parts = np.random.default_rng(seed).normal(size=(2, *shape))
    return jnp.asarray(parts[0] + 1j * parts[1], jnp.complex64)


@contextlib.contextmanager
def compile_log(caplog):
    """Collect JAX's tracing and compilation records within the block."""
    records = []
    with caplog.at_level(logging.WARNING, logger="jax"), jax.log_compiles(True):
        start = len(caplog.records)
        yield records
        records += [
            r.getMessage()
            for r in caplog.records[start:]
            if "Finished tracing" in r.getMessage() or "Compiling" in r.getMessage()
        ]


@pytest.mark.parametrize("method", ["columns", "matrix"])
def test_jitted_propagate_traces_once(method):
    traces = []

    @jax.jit
    def run(mesh, chip, x):
        traces.append(1)
        return ph.propagate(mesh, x, chip, method=method)

    spec = ph.Imperfections(loss_dB=0.1, phase_bits=8, crosstalk=0.01)
    for seed in (1, 2):
        mesh = _mesh(6, seed)
        chip = ph.sample_chip(jax.random.key(seed), mesh, spec)
        run(mesh, chip, _fields((5, 6), seed))
    assert len(traces) == 1
    run(mesh, chip, _fields((4, 6), 3))
    assert len(traces) == 2


def test_transfer_matrix_and_decompose_do_not_recompile(caplog):
    build = jax.jit(ph.transfer_matrix)
    unitary = ph.random_unitary(jax.random.key(0), 6)
    build(_mesh(6, 0))
    ph.decompose(unitary)
    with compile_log(caplog) as log:
        build(_mesh(6, 1))
        ph.decompose(ph.random_unitary(jax.random.key(1), 6) @ unitary)
    assert log == []


def test_a_new_shape_is_seen_by_the_compile_log(caplog):
    build = jax.jit(ph.transfer_matrix)
    with compile_log(caplog) as log:
        build(_mesh(5, 0))
    assert any("Compiling" in message for message in log)


def test_pallas_kernel_does_not_recompile(caplog):
    propagate_pallas(_mesh(4, 0), _fields((3, 4), 0))
    with compile_log(caplog) as log:
        propagate_pallas(_mesh(4, 1), _fields((3, 4), 1))
    assert log == []


def test_compiled_program_does_not_recompile(caplog):
    weight = np.random.default_rng(0).normal(size=(6, 5))
    program = compile_matrix(weight, Hardware.ideal(4))
    x = np.random.default_rng(1).uniform(-1, 1, size=(2, 5))
    program(x[0])
    with compile_log(caplog) as log:
        program(x[1])
    assert log == []
