"""Sharded sweeps equal unsharded ones, on one device and on four forced host devices.

The test process has already initialised JAX with one CPU device, so the four-device
checks run in a subprocess with ``XLA_FLAGS=--xla_force_host_platform_device_count=4``.
"""

import json
import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from photonics import sharding
from photonics.errors import InputError
from photonics.testing import assert_allclose

SCRIPT = textwrap.dedent(
    """
    import json
    import jax, jax.numpy as jnp, numpy as np
    jax.config.update("jax_enable_x64", True)
    import photonics as ph
    from photonics import sharding
    from devices import (build_two_mode, fold_points, lower_polariton_energy_meV,
                         phase_diagram, steady_states, with_pump_energy)

    def random_mesh(n):
        lay = ph.mesh_layout(n)
        r = np.random.default_rng(n)
        shape = (lay.n_columns, lay.n_slots)
        theta = r.uniform(0, np.pi, shape) * lay.active
        phi = r.uniform(0, 2 * np.pi, shape) * lay.active
        return ph.Mesh(theta, phi, r.uniform(0, 2 * np.pi, n), n, "clements")

    def spread(x):
        return [int(s.data.shape[0]) for s in x.addressable_shards]

    out = {"devices": jax.device_count()}
    mesh = random_mesh(6)
    spec = ph.Imperfections(loss_dB=0.1, splitter_error_std=0.03,
                            phase_error_std_rad=0.02)
    target = ph.transfer_matrix(mesh)
    for k in (8, 10):
        keys = jax.random.split(jax.random.key(1), k)
        got = sharding.monte_carlo_fidelity(mesh, spec, keys)
        want = sharding._fidelities(mesh, spec, target, keys)
        out[f"mc{k}_error"] = float(jnp.max(jnp.abs(got - want)))
        out[f"mc{k}_spread"] = spread(got)
        out[f"mc{k}_min"] = float(jnp.min(got))

    x = jax.random.normal(jax.random.key(2), (12, 6)) + 0j
    got = sharding.propagate_sharded(mesh, x, method="columns")
    out["propagate_error"] = float(jnp.max(jnp.abs(got - ph.propagate(mesh, x))))
    out["propagate_spread"] = spread(got)

    model = build_two_mode(rabi_meV=8.0, gamma_C_meV=1.0, gamma_X_meV=1.0,
                           g_X_ueVum2=1.0, mode_area_um2=0.15,
                           coupling_efficiency=0.3, exciton_energy_meV=1650.0)
    detunings = np.linspace(0.5, 2.5, 8)
    powers = np.geomspace(50.0, 5000.0, 9)
    lp = lower_polariton_energy_meV(1650.0, 1650.0, 8.0)

    def column(d):
        pumped = with_pump_energy(model, lp + d)
        folds = fold_points(pumped)
        states = jax.vmap(lambda p: steady_states(pumped, p, folds))(powers)
        return jnp.sum(states.stable, axis=-1), states.transmitted_uW

    count, transmitted = sharding.sharded_map(column, jnp.asarray(detunings))
    diagram = phase_diagram(model, detunings, powers)
    out["diagram_count_equal"] = bool(
        np.array_equal(count, diagram["stable_count"]))
    out["diagram_bistable_points"] = int(np.sum(count == 2))
    out["diagram_error"] = float(np.max(np.abs(
        transmitted - diagram["transmitted_uW"])))
    out["diagram_spread"] = spread(count)
    print(json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def four_devices():
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4"}
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_monte_carlo_over_four_devices_equals_unsharded(four_devices):
    assert four_devices["devices"] == 4
    for k in (8, 10):
        assert four_devices[f"mc{k}_error"] <= 1e-12
        assert 0.9 < four_devices[f"mc{k}_min"] < 1.0
    assert four_devices["mc8_spread"] == [2, 2, 2, 2]


def test_large_batch_over_four_devices_equals_unsharded(four_devices):
    assert four_devices["propagate_error"] <= 1e-12
    assert four_devices["propagate_spread"] == [3, 3, 3, 3]


def test_phase_diagram_over_four_devices_equals_unsharded(four_devices):
    assert four_devices["diagram_count_equal"]
    assert four_devices["diagram_bistable_points"] > 0
    assert four_devices["diagram_error"] <= 1e-9
    assert four_devices["diagram_spread"] == [2, 2, 2, 2]


def test_sharded_map_on_one_device_equals_vmap():
    def one(a, b):
        return jnp.sin(a) * b, jnp.sum(b)

    a = jnp.linspace(0.0, 1.0, 5)
    b = jnp.arange(15.0).reshape(5, 3)
    got = sharding.sharded_map(one, a, b)
    want = jax.vmap(one)(a, b)
    for g, w in zip(got, want, strict=True):
        assert_allclose(g, w)


def test_padding_repeats_the_last_entry_so_functions_see_valid_inputs():
    got = sharding.shard_batch(jnp.log, jnp.asarray([1.0, 2.0, 3.0]))
    assert np.all(np.isfinite(got)) and got.shape == (3,)


def test_mismatched_batches_are_rejected():
    with pytest.raises(InputError, match="batched arguments"):
        sharding.shard_batch(jnp.add, jnp.ones(3), jnp.ones(4))
    with pytest.raises(InputError, match="batched"):
        sharding.shard_batch(jnp.add, jnp.ones(3), jnp.ones(3), batched=(False,))


def test_device_mesh_spans_all_devices():
    mesh = sharding.device_mesh()
    assert mesh.axis_names == ("batch",) and mesh.size == jax.device_count()
