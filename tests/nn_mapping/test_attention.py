"""Transformer blocks on optical hardware: tracing, masks, policy, checks, jit/vmap."""

import collections
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nn_mapping import attention, ledger, transformer
from nn_mapping.engines_dynamic import DYNAMIC_ENGINES, CrossbarEngine, dynamic_engines
from nn_mapping.hardware import Hardware
from nn_mapping.trace import trace
from nn_mapping.workload import LinearOp, Workload
from photonics.errors import InputError
from photonics.hardware_energy import OpticalEnergyConfig
from photonics.testing import assert_allclose

SMALL = transformer.BlockConfig(seq_len=6, d_model=8, n_heads=2, d_mlp=16)
CAUSAL = transformer.BlockConfig(seq_len=6, d_model=8, n_heads=2, d_mlp=16, causal=True)


def block_and_input(config, dtype=jnp.float64, seed=0):
    params = transformer.init_block(jax.random.key(seed), config)
    params = jax.tree.map(lambda a: np.asarray(a, dtype), params)
    x = jax.random.normal(jax.random.key(seed + 1), (config.seq_len, config.d_model))
    return params, x.astype(dtype)


def mapped_ops(fn, x):
    return collections.Counter(
        (op.kind, op.batch, op.m, op.k, op.n) for op in trace(fn, x).linear
    )


@pytest.mark.parametrize("config", [SMALL, CAUSAL])
def test_plain_and_equinox_blocks_agree_and_trace_to_the_same_ops(config):
    params, x = block_and_input(config)
    plain = transformer.block_function(params, config)
    eqx_block = transformer.eqx_block_from_params(params, config)
    equinox = transformer.eqx_block_function(eqx_block, config.mask())
    assert_allclose(plain(x), equinox(x), scale=100)
    ops = mapped_ops(plain, x)
    assert ops == mapped_ops(equinox, x)
    dynamic = [op for op in ops.elements() if op[0] == "dynamic"]
    h, s, d = config.n_heads, config.seq_len, config.d_head
    assert sorted(dynamic) == sorted([("dynamic", h, s, d, s), ("dynamic", h, s, s, d)])
    assert sum(1 for op in ops.elements() if op[0] == "static") == 6


def reference_attention(q, k, v, causal):
    """Loop-by-loop softmax attention of one head (numpy)."""
    seq, d = q.shape
    out = np.zeros_like(v)
    for i in range(seq):
        visible = range(i + 1) if causal else range(seq)
        logits = np.array([q[i] @ k[j] / np.sqrt(d) for j in visible])
        weights = np.exp(logits - logits.max())
        weights /= weights.sum()
        out[i] = sum(w * v[j] for w, j in zip(weights, visible, strict=True))
    return out


@pytest.mark.parametrize("causal", [False, True])
def test_attention_matches_a_loop_reference(causal):
    config = CAUSAL if causal else SMALL
    params, x = block_and_input(config)
    got = transformer.multi_head_attention(params, x, config.n_heads, config.mask())
    q, k, v = (np.asarray(x @ params[w]) for w in ("wq", "wk", "wv"))
    d = config.d_head
    heads = [
        reference_attention(q[:, i : i + d], k[:, i : i + d], v[:, i : i + d], causal)
        for i in range(0, config.d_model, d)
    ]
    want = np.concatenate(heads, axis=1) @ np.asarray(params["wo"])
    assert_allclose(got, want, scale=100)


def test_causal_block_ignores_the_future():
    params, x = block_and_input(CAUSAL)
    fn = transformer.block_function(params, CAUSAL)
    changed = x.at[4:].add(1.0)
    assert_allclose(fn(changed)[:4], fn(x)[:4], scale=100)
    assert float(jnp.max(jnp.abs(fn(changed)[4:] - fn(x)[4:]))) > 1e-3


def test_default_policy_puts_projections_on_meshes_and_attention_on_crossbar():
    params, x = block_and_input(SMALL)
    fn = transformer.block_function(params, SMALL)
    program = attention.compile_block(fn, x, SMALL, hardware=Hardware.ideal(4))
    rows = attention.summary(program)
    assert {r["engine"] for r in rows if r["kind"] == "static"} == {"mesh"}
    assert [r["engine"] for r in rows if r["kind"] == "dynamic"] == ["crossbar"] * 2
    roles = [r["role"] for r in rows if r["kind"] == "dynamic"]
    assert roles == ["attention scores", "attention values"]


def test_policy_overrides_single_ops():
    params, x = block_and_input(SMALL)
    fn = transformer.block_function(params, SMALL)
    graph = trace(fn, x)
    scores, values = [op for op in graph.linear if op.kind == "dynamic"]
    policy = attention.AttentionPolicy(
        dynamic="homodyne", overrides={values.name: "reprogrammed_mesh"}
    )
    program = attention.compile_block(
        fn, x, SMALL, hardware=Hardware.ideal(4), policy=policy
    )
    engines = {r["name"]: r["engine"] for r in program.summary()}
    assert engines[scores.name] == "homodyne"
    assert engines[values.name] == "reprogrammed_mesh"
    assert_allclose(program(x), fn(x), scale=1000)


def test_auto_policy_picks_the_cheapest_engine_by_the_ledger():
    params, x = block_and_input(SMALL)
    graph = trace(transformer.block_function(params, SMALL), x)
    hw = Hardware.ideal(4)
    config = OpticalEnergyConfig(core_size=4)
    for op in (op for op in graph.linear if op.kind == "dynamic"):
        chosen = attention.AttentionPolicy(dynamic="auto")(op, hw)
        assert chosen in DYNAMIC_ENGINES

        def energy(name, op=op):
            linear = LinearOp(op.name, op.m, op.k, op.n, "dynamic", name, op.batch)
            return ledger.price_optical(Workload("w", (linear,)), config).energy_J

        assert energy(chosen) == min(energy(name) for name in DYNAMIC_ENGINES)


@pytest.mark.parametrize("name", DYNAMIC_ENGINES)
@pytest.mark.parametrize("dtype", [jnp.float64, jnp.float32])
def test_ideal_compiled_block_equals_the_digital_block(name, dtype):
    params, x = block_and_input(CAUSAL, dtype)
    fn = transformer.block_function(params, CAUSAL)
    program = attention.compile_block(
        fn,
        x,
        CAUSAL,
        hardware=Hardware.ideal(4),
        policy=attention.AttentionPolicy(dynamic=name),
        mask=CAUSAL.mask(),
    )
    out = program(x)
    assert out.dtype == dtype
    assert_allclose(out, fn(x), dtype=dtype, scale=1000)


def test_equinox_block_compiles_to_the_same_program_summary():
    params, x = block_and_input(SMALL)
    plain = transformer.block_function(params, SMALL)
    block = transformer.eqx_block_from_params(params, SMALL)
    equinox = transformer.eqx_block_function(block)
    hw = Hardware.ideal(4)
    summaries = []
    for fn in (plain, equinox):
        program = attention.compile_block(fn, x, SMALL, hardware=hw)
        assert_allclose(program(x), plain(x), scale=1000)
        rows = program.summary()
        summaries.append(sorted((r["kind"], r["engine"], r["tiles"]) for r in rows))
    assert summaries[0] == summaries[1]


def _no_compile(*args, **kwargs):
    raise AssertionError("compile_function was reached")


@pytest.mark.parametrize(
    "mask, match",
    [
        (np.ones((5, 6), bool), "mask: expected shape"),
        (np.ones((6, 6)), "mask: expected a boolean"),
    ],
)
def test_bad_mask_is_refused_before_compiling(monkeypatch, mask, match):
    params, x = block_and_input(SMALL)
    fn = transformer.block_function(params, SMALL)
    monkeypatch.setattr(attention, "compile_function", _no_compile)
    with pytest.raises(InputError, match=match):
        attention.compile_block(fn, x, SMALL, hardware=Hardware.ideal(4), mask=mask)


def test_bad_sequence_shape_is_refused_before_compiling(monkeypatch):
    params, x = block_and_input(SMALL)
    fn = transformer.block_function(params, SMALL)
    monkeypatch.setattr(attention, "compile_function", _no_compile)
    with pytest.raises(InputError, match="x: expected one sequence"):
        attention.compile_block(fn, x[:5], SMALL)


def test_products_too_large_for_the_engine_are_refused_before_compiling(monkeypatch):
    config = transformer.BlockConfig(seq_len=12, d_model=8, n_heads=1, d_mlp=8)
    params, x = block_and_input(config)
    fn = transformer.block_function(params, config)
    engines = dynamic_engines(crossbar={"max_tiles": 4})
    monkeypatch.setattr(attention, "compile_function", _no_compile)
    with pytest.raises(InputError, match="seq_len = 12, d_head = 8"):
        attention.compile_block(
            fn, x, config, hardware=Hardware.ideal(4), engines=engines
        )
    assert CrossbarEngine(max_tiles=4).tiles(trace(fn, x).linear[3], Hardware(4)) > 4


def test_head_count_must_divide_the_width():
    with pytest.raises(InputError, match="n_heads"):
        transformer.BlockConfig(d_model=10, n_heads=3)


@pytest.mark.slow
def test_compiled_block_under_jit_and_vmap():
    params, x = block_and_input(SMALL)
    fn = transformer.block_function(params, SMALL)
    # Noise on, converters ideal: no rounding-level flips between jit and eager.
    hw = Hardware(core_size=4, power_mW=0.1, dac_bits=None, adc_bits=None)
    noise = jax.random.normal(jax.random.key(3), (3, *x.shape), x.dtype)
    xs = x[None] + 0.1 * noise
    program = attention.compile_block(
        fn, x, SMALL, hardware=hw, key=jax.random.key(9), calibration=xs
    )
    keys = jax.random.split(jax.random.key(4), 3)
    batched = jax.vmap(lambda xi, k: program(xi, key=k))(xs, keys)
    looped = jnp.stack(
        [program.eager(xi, key=k) for xi, k in zip(xs, keys, strict=True)]
    )
    assert_allclose(batched, looped, scale=100)
    jitted = jax.jit(lambda xi, k: program(xi, key=k))(xs[0], keys[0])
    assert_allclose(jitted, looped[0], scale=100)
    error = float(jnp.linalg.norm(batched - jax.vmap(fn)(xs)) / jnp.linalg.norm(xs))
    assert 0 < error < 0.2


def test_energy_by_role_prices_attention_separately():
    params, x = block_and_input(SMALL)
    fn = transformer.block_function(params, SMALL)
    program = attention.compile_block(fn, x, SMALL, hardware=Hardware.ideal(4))
    energy = attention.energy_by_role(program)
    assert {"static", "attention scores", "attention values"} <= set(energy)
    assert all(value > 0 for value in energy.values())


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    ["crossbar"]
    + [
        pytest.param(n, marks=pytest.mark.slow)
        for n in ("homodyne", "reprogrammed_mesh")
    ],
)
def test_block_error_is_small_at_8_bits_and_large_at_2(name):
    params, x = block_and_input(SMALL)
    fn = transformer.block_function(params, SMALL)
    xs = x[None] + 0.3 * jax.random.normal(jax.random.key(5), (8, *x.shape))
    policy = attention.AttentionPolicy(dynamic=name)
    errors = []
    for bits in (8, 2):
        hw = Hardware(core_size=4, dac_bits=bits, adc_bits=bits, power_mW=10.0)
        program = attention.compile_block(
            fn,
            x,
            SMALL,
            hardware=hw,
            key=jax.random.key(6),
            policy=policy,
            calibration=xs,
        )
        out = jax.vmap(functools.partial(program, key=jax.random.key(7)))(xs)
        ref = jax.vmap(fn)(xs)
        errors.append(float(jnp.linalg.norm(out - ref) / jnp.linalg.norm(ref)))
    assert errors[0] < 0.05
    assert errors[1] > 0.3


def test_reprogrammed_mesh_ops_report_their_programming_cost():
    params, x = block_and_input(SMALL)
    fn = transformer.block_function(params, SMALL)
    policy = attention.AttentionPolicy(dynamic="reprogrammed_mesh")
    program = attention.compile_block(
        fn, x, SMALL, hardware=Hardware.ideal(4), policy=policy
    )
    rows = [r for r in attention.summary(program) if r["kind"] == "dynamic"]
    n, heads, seq, d_head = 4, SMALL.n_heads, SMALL.seq_len, SMALL.d_head
    # Scores: per head an (seq x d_head) operand; values: (seq x seq); N x N tiles.
    tiles = [
        heads * math.ceil(seq / n) * math.ceil(d_head / n),
        heads * math.ceil(seq / n) * math.ceil(seq / n),
    ]
    shifters_per_tile = 2 * (2 * n * (n - 1) // 2 + n)  # two phases per MZI
    config = OpticalEnergyConfig()
    for row, count in zip(rows, tiles, strict=True):
        cost = row["programming"]
        assert cost["tiles"] == count and cost["products"] == heads
        assert cost["shifters_set"] == count * shifters_per_tile
        rounds = math.ceil(count / config.dynamic_cores)
        assert cost["settling_time_us"] == pytest.approx(
            rounds * config.settling_time_us
        )
        assert cost["programming_energy_J"] == pytest.approx(
            count * shifters_per_tile * config.reconfiguration_energy_J()
        )
    crossbar = attention.compile_block(fn, x, SMALL, hardware=Hardware.ideal(4))
    assert all("programming" not in r for r in attention.summary(crossbar))


def test_cli_hardware_options_are_validated_and_used():
    import argparse

    from nn_mapping import attention_cli

    parser = argparse.ArgumentParser()
    parser.add_argument("--mesh", default="clements")
    attention_cli.add_arguments(parser)
    args = parser.parse_args(["--core", "8", "--mesh", "reck", "--bits", "5"])
    hw = attention_cli.hardware_from_args(args)
    assert (hw.core_size, hw.mesh, hw.adc_bits, hw.dac_bits) == (8, "reck", 5, 5)
    for argv, name in (
        (["--core", "0"], "--core"),
        (["--mesh", "ring"], "--mesh"),
        (["--power-mW", "0"], "--power-mW"),
        (["--phase-error", "-0.1"], "--phase-error"),
        (["--detection", "direct"], "--detection"),
    ):
        with pytest.raises(InputError, match=f"{name}: expected"):
            attention_cli.hardware_from_args(parser.parse_args(argv))
