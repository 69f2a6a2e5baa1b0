"""Tracing finds exactly the dot_generals, classified static / dynamic / constant."""

import functools

import jax
import jax.extend
import jax.numpy as jnp
import numpy as np
import pytest

from nn_mapping import plan
from nn_mapping.trace import trace

RNG = np.random.default_rng(0)
W1 = RNG.normal(size=(12, 8))
W2 = RNG.normal(size=(3, 12))
STACK = RNG.normal(size=(4, 5, 6))


def _count_dots(jaxpr):
    """Independent count: every dot_general in the jaxpr and its sub-jaxprs."""
    count = 0
    for eqn in jaxpr.eqns:
        count += eqn.primitive.name == "dot_general"
        for sub in jax.extend.core.jaxprs_in_params(eqn.params):
            count += _count_dots(sub)
    return count


def mlp(x):
    return jax.nn.relu(x @ W1.T) @ W2.T


def batched_einsum(x):
    return jnp.einsum("bij,bjn->bin", STACK, x)


def mixed(x):
    h = x @ W1.T
    scores = h @ h.T
    return jax.nn.softmax(scores) @ h


@pytest.mark.parametrize(
    "fn, shape, kinds",
    [
        (mlp, (5, 8), ["static", "static"]),
        (batched_einsum, (4, 6, 2), ["static"]),
        (mixed, (5, 8), ["static", "dynamic", "dynamic"]),
        (lambda x: jnp.tanh(x) + 1.0, (3,), []),
    ],
)
def test_trace_finds_exactly_the_dot_generals(fn, shape, kinds):
    x = jnp.ones(shape)
    graph = trace(fn, x)
    assert len(graph.linear) == _count_dots(jax.make_jaxpr(fn)(x).jaxpr)
    assert [op.kind for op in graph.linear] == kinds


def test_canonical_sizes_of_a_batched_einsum():
    (op,) = trace(batched_einsum, jnp.ones((4, 6, 2))).linear
    assert (op.batch, op.m, op.k, op.n) == (4, 5, 6, 2)
    assert op.weight_side == "lhs"


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x @ W1.T,
        lambda x: W1 @ x.T,
        lambda x: jnp.einsum("nk,mk->mn", x, W1),
        lambda x: jnp.einsum("kn,mk->nm", x.T, W1),
    ],
)
def test_weight_on_either_side_roundtrips_through_canonical_form(fn):
    x = jnp.asarray(RNG.normal(size=(5, 8)))
    graph = trace(fn, x)
    (op,) = graph.linear
    env = {i: jnp.asarray(v) for i, v in graph.consts.items()}
    env[graph.inputs[0]] = x
    for index, step in enumerate(graph.steps):
        values = [env[i] for i in step.inputs]
        if index == op.index:
            weight, xc = plan.to_canonical(op, *values)
            np.testing.assert_array_equal(
                plan.canonical_weight(op, values[0 if op.weight_side == "lhs" else 1]),
                weight,
            )
            y = plan.from_canonical(op, jnp.einsum("bmk,bkn->bmn", weight, xc))
            np.testing.assert_allclose(y, step.primitive.bind(*values, **step.params))
        out = step.primitive.bind(*values, **step.params)
        env[step.outputs[0]] = out


def test_constant_matmul_and_partial_arguments():
    def fn(w, x):
        w2 = jnp.asarray(W2)
        return (w2.T @ w2) @ (w @ x)

    # The product of two constants is folded at trace time: it becomes one weight.
    graph = trace(functools.partial(fn, jnp.asarray(W1)), jnp.ones((8,)))
    assert [op.kind for op in graph.linear] == ["static", "static"]
    folded = [c for c in graph.consts.values() if np.shape(c) == (W2.shape[1],) * 2]
    assert any(np.allclose(c, W2.T @ W2, rtol=1e-12) for c in folded)
    graph = trace(fn, jnp.asarray(W1), jnp.ones((8,)))
    assert [op.kind for op in graph.linear] == ["dynamic", "static"]


def test_matmul_in_scan_and_conv_are_listed_unsupported():
    def scanned(x):
        return jax.lax.scan(lambda c, w: (c @ w, None), x, STACK[:, :5, :5])[0]

    graph = trace(scanned, jnp.ones((2, 5)))
    assert graph.linear == [] and "scan" in graph.unsupported[0]

    kernel = jnp.asarray(RNG.normal(size=(2, 1, 3, 3)))

    def conv(x):
        return jax.lax.conv(x, kernel, (1, 1), "SAME")

    graph = trace(conv, jnp.ones((1, 1, 6, 6)))
    assert graph.linear == [] and "conv_general_dilated" in graph.unsupported[0]
