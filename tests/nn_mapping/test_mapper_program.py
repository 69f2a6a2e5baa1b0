"""The compiled program: exact when ideal, jit = eager, vmap = loop, gradients."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nn_mapping import plan
from nn_mapping.hardware import Hardware
from nn_mapping.program import compile_function
from photonics.errors import InputError
from photonics.testing import assert_allclose

RNG = np.random.default_rng(7)
W1 = RNG.normal(size=(20, 12))
B1 = RNG.normal(size=(20,))
W2 = RNG.normal(size=(6, 20))
STACK = RNG.normal(size=(3, 5, 4))
NOISY = Hardware(core_size=8, phase_error_std_rad=0.02, power_mW=0.01)


def mlp(x):
    return jnp.tanh(x @ W1.T + B1) @ W2.T


def attention_like(x):
    h = x @ W1.T
    return jax.nn.softmax(h @ h.T) @ h


def batched(x):
    return jnp.einsum("bij,bjn->bni", STACK, x)


@pytest.mark.parametrize(
    "fn, shape",
    [(mlp, (12,)), (mlp, (7, 12)), (attention_like, (4, 12)), (batched, (3, 4, 2))],
)
def test_ideal_program_equals_function(fn, shape):
    x = jnp.asarray(RNG.uniform(-1, 1, size=shape))
    program = compile_function(fn, x, hardware=Hardware.ideal(8))
    assert_allclose(program(x), fn(x), scale=100)


def test_dynamic_ops_run_electronically_and_are_reported():
    x = jnp.asarray(RNG.uniform(-1, 1, size=(4, 12)))
    program = compile_function(attention_like, x, hardware=Hardware.ideal(8))
    engines = [(op["kind"], op["engine"]) for op in program.summary()]
    assert engines == [("static", "mesh"), ("dynamic", "electronic")] * 1 + [
        ("dynamic", "electronic")
    ]
    workload = program.workload()
    assert [op.kind for op in workload.linear_ops] == ["static", "dynamic", "dynamic"]


def test_no_matmul_is_all_electronic_and_says_so(caplog):
    with caplog.at_level("WARNING", logger="nn_mapping.program"):
        program = compile_function(jnp.sin, jnp.ones(3), hardware=NOISY)
    assert "all electronic" in caplog.text  # no chip key needed: nothing optical
    assert program.all_electronic and program.summary() == []
    np.testing.assert_array_equal(program(jnp.ones(3)), jnp.sin(jnp.ones(3)))


def test_matmuls_hidden_in_control_flow_are_listed(caplog):
    w = jnp.asarray(RNG.uniform(-1, 1, size=(4, 4)))

    def looped(x):
        return jax.lax.fori_loop(0, 3, lambda i, v: jnp.tanh(w @ v), x)

    with caplog.at_level("WARNING", logger="nn_mapping.program"):
        program = compile_function(looped, jnp.ones(4), hardware=Hardware.ideal(4))
    assert program.unsupported and "dot_general" in program.unsupported[0]
    assert program.unsupported[0] in caplog.text
    np.testing.assert_allclose(program(jnp.ones(4)), looped(jnp.ones(4)), rtol=1e-12)


@pytest.fixture(scope="module")
def noisy_program():
    xs = jnp.asarray(RNG.uniform(-1, 1, size=(6, 12)))
    program = compile_function(
        mlp, xs[0], hardware=NOISY, key=jax.random.key(1), calibration=(xs,)
    )
    return program, xs


def test_jit_equals_eager_with_noise(noisy_program):
    program, xs = noisy_program
    x = xs[0]
    key = jax.random.key(2)
    assert_allclose(program(x, key=key), program.eager(x, key=key), scale=10)
    # Noise changes with the key and the result is still close to the exact one.
    other = program(x, key=jax.random.key(3))
    assert not np.allclose(program(x, key=key), other)


def test_vmap_equals_loop(noisy_program):
    program, xs = noisy_program
    keys = jax.random.split(jax.random.key(4), 6)
    batched_out = jax.vmap(lambda x, k: program(x, key=k))(xs, keys)
    looped = jnp.stack([program(x, key=k) for x, k in zip(xs, keys, strict=True)])
    assert_allclose(batched_out, looped, scale=10)


def test_gradient_matches_finite_differences():
    hw = Hardware.ideal(8).replace(phase_error_std_rad=0.05, loss_dB=0.2)
    x = jnp.asarray(RNG.uniform(-0.5, 0.5, size=(12,)))
    program = compile_function(
        mlp, x, hardware=hw, key=jax.random.key(5), input_scale=1.0
    )

    def loss(x):
        return jnp.sum(program(x) ** 2)

    grad = jax.grad(loss)(x)
    assert np.all(np.isfinite(grad))
    eps = 1e-6
    for i in range(3):
        e = jnp.zeros_like(x).at[i].set(eps)
        fd = (loss(x + e) - loss(x - e)) / (2 * eps)
        np.testing.assert_allclose(grad[i], fd, rtol=1e-5, atol=1e-6)


def test_gradient_exists_with_quantisation_and_noise(noisy_program):
    program, xs = noisy_program
    x = xs[1]
    grad = jax.grad(lambda x: jnp.sum(program(x, key=jax.random.key(0))))(x)
    assert np.all(np.isfinite(grad)) and np.any(grad != 0)


def test_policy_override_and_bad_engine():
    x = jnp.ones((12,))
    program = compile_function(
        mlp,
        x,
        hardware=NOISY,
        key=jax.random.key(0),
        policy=lambda op, hw: "electronic",
    )
    assert program.all_electronic
    np.testing.assert_array_equal(program(x), mlp(x))
    with pytest.raises(InputError, match="policy"):
        compile_function(
            mlp, x, hardware=NOISY, key=jax.random.key(0), policy=lambda op, hw: "laser"
        )
    with pytest.raises(InputError, match="policy"):
        compile_function(
            attention_like,
            jnp.ones((2, 12)),
            hardware=NOISY,
            key=jax.random.key(0),
            policy=lambda op, hw: "mesh",
        )


def test_custom_engine_plugs_in():
    class Doubling(plan.ElectronicEngine):
        name = "crossbar"
        kinds = ("dynamic",)

        def apply(self, state, weight, x, hw, key):
            return 2 * jnp.einsum("bmk,bkn->bmn", weight, x)

    x = jnp.asarray(RNG.uniform(-1, 1, size=(4, 12)))
    engines = {**plan.default_engines(), "crossbar": Doubling()}

    def policy(op, hw):
        return "crossbar" if op.kind == "dynamic" else plan.default_policy(op, hw)

    program = compile_function(
        attention_like, x, hardware=Hardware.ideal(8), engines=engines, policy=policy
    )
    h = x @ W1.T
    expected = 2 * (jax.nn.softmax(2 * (h @ h.T)) @ h)
    assert_allclose(program(x), expected, scale=100)
    assert [op.engine for op in program.workload().linear_ops] == [
        "mesh",
        "crossbar",
        "crossbar",
    ]


def test_missing_keys_and_shapes_are_input_errors():
    x = jnp.ones((12,))
    with pytest.raises(InputError, match="key"):
        compile_function(mlp, x, hardware=NOISY)
    program = compile_function(mlp, x, hardware=NOISY, key=jax.random.key(0))
    with pytest.raises(InputError, match="key"):
        program(x)
    with pytest.raises(InputError, match="shape"):
        program(jnp.ones((13,)), key=jax.random.key(0))
    with pytest.raises(InputError, match="n_cores"):
        compile_function(mlp, x, hardware=Hardware.ideal(8).replace(n_cores=3))


def test_workload_counts_per_inference():
    x = jnp.ones((10, 12))
    program = compile_function(mlp, x, hardware=Hardware.ideal(8))
    ops = program.workload(inferences=10).linear_ops
    assert [(o.m, o.k, o.n, o.count) for o in ops] == [(20, 12, 1, 1), (6, 20, 1, 1)]
    assert program.summary()[0]["tiles"] == 3 * 2
    electronic = program.workload(inferences=10).electronic_ops
    assert {e.kind for e in electronic} >= {"activation", "add"}
