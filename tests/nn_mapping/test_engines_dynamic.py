"""Dynamic engines: exact when ideal, noise that scales with photons and bits."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nn_mapping import engines_dynamic as ed
from nn_mapping.hardware import Hardware
from nn_mapping.program import compile_function
from photonics.errors import InputError
from photonics.testing import assert_allclose

ENGINES = ed.DYNAMIC_ENGINES
RNG = np.random.default_rng(3)


def product(a, b):
    return jnp.einsum("bmk,bkn->bmn", a, b)


def policy_for(name):
    return lambda op, hw: name if op.kind == "dynamic" else "mesh"


def compile_product(name, a, b, hw, key=None):
    return compile_function(
        product,
        a,
        b,
        hardware=hw,
        policy=policy_for(name),
        engines=ed.dynamic_engines(),
        key=key,
    )


def operands(shape_a, shape_b, dtype):
    a = RNG.uniform(-1, 1, size=shape_a).astype(dtype)
    b = RNG.uniform(-2, 2, size=shape_b).astype(dtype)
    return jnp.asarray(a), jnp.asarray(b)


@pytest.mark.parametrize("name", ENGINES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ideal_engines_reproduce_the_product(name, dtype):
    # k = 11 spans three 4-mode tiles; m and n are not multiples of the core.
    a, b = operands((2, 5, 11), (2, 11, 3), dtype)
    program = compile_product(name, a, b, Hardware.ideal(4))
    assert program.summary()[0]["engine"] == name
    out = program(a, b)
    assert out.dtype == dtype
    assert_allclose(out, product(a, b), dtype=dtype, scale=100)


@pytest.mark.parametrize("name", ENGINES)
def test_ideal_engines_with_two_operand_calibration(name):
    a, b = operands((1, 6, 6), (1, 6, 6), np.float64)
    program = compile_product(name, a, b, Hardware.ideal(4))
    op = program.plan[0].op
    engine = dict(program.engines)[name]
    cal = ed.OperandCalibration(*(jnp.stack([v]) for v in (a, b)))
    state = engine.compile(op, None, program.hardware, None, cal)
    out = engine.apply(state, a, b, program.hardware, None)
    assert_allclose(out, product(a, b), scale=100)
    assert 0 < float(state.range_fraction) <= 1


def _errors(name, hw, a, b, draws, key):
    program = compile_product(name, a, b, hw, key=jax.random.key(0))
    keys = jax.random.split(key, draws)
    out = jax.vmap(lambda k: program(a, b, key=k))(keys)
    return out - product(a, b)


def test_shot_noise_variance_falls_as_one_over_power():
    a, b = operands((1, 4, 4), (1, 4, 64), np.float64)
    hw = Hardware(
        core_size=4,
        thermal_noise_electrons=0.0,
        dac_bits=None,
        adc_bits=None,
        loss_dB=0.0,
        power_mW=1e-4,
    )
    key = jax.random.key(1)
    for name in ("crossbar", "homodyne"):
        low = jnp.var(_errors(name, hw, a, b, 400, key))
        high = jnp.var(_errors(name, hw.replace(power_mW=4e-4), a, b, 400, key))
        assert 3.4 < float(low / high) < 4.6


@pytest.mark.parametrize("name", ["crossbar", "homodyne"])
def test_noise_matches_the_balanced_detection_model(name):
    a, b = operands((1, 3, 4), (1, 4, 5), np.float64)
    # Enough light that the ADC range (worst case) never clips the noise.
    hw = Hardware(core_size=4, dac_bits=None, adc_bits=None, power_mW=3e-2, loss_dB=0.0)
    errors = _errors(name, hw, a, b, 2000, jax.random.key(2))
    engine = ed.dynamic_engines()[name]
    w_scale = float(jnp.max(jnp.abs(a)))
    x_scale = float(jnp.max(jnp.abs(b)))
    std = ed.dot_product_std(a / w_scale, b / x_scale, *engine.photons(hw), hw)
    predicted = std * w_scale * x_scale
    ratio = jnp.std(errors, axis=0) / predicted
    assert jnp.all(jnp.abs(ratio - 1) < 0.1)


def test_homodyne_is_quieter_than_the_crossbar_at_equal_power():
    a, b = operands((1, 4, 4), (1, 4, 32), np.float64)
    hw = Hardware(core_size=4, dac_bits=None, adc_bits=None, power_mW=1e-3)
    key = jax.random.key(4)
    crossbar = jnp.var(_errors("crossbar", hw, a, b, 200, key))
    homodyne = jnp.var(_errors("homodyne", hw, a, b, 200, key))
    assert homodyne < crossbar


@pytest.mark.parametrize("name", ENGINES)
def test_quantisation_error_falls_fourfold_per_bit(name):
    a, b = operands((4, 8, 8), (4, 8, 64), np.float64)
    mse = []
    for bits in (5, 7):
        hw = Hardware.ideal(8).replace(dac_bits=bits, adc_bits=bits)
        program = compile_product(name, a, b, hw)
        mse.append(float(jnp.mean((program(a, b) - product(a, b)) ** 2)))
    assert 16 / 2.5 < mse[0] / mse[1] < 16 * 2.5


def test_unitary_error_is_unitary_with_the_mesh_error_norm():
    n, sigma = 8, 0.01
    c = ed.unitary_error(jax.random.key(5), (4000, n, n), sigma, jnp.float64)
    eye = jnp.eye(n)
    assert_allclose(
        c @ jnp.conj(jnp.swapaxes(c, -1, -2)), jnp.broadcast_to(eye, c.shape)
    )
    norm2 = jnp.mean(jnp.sum(jnp.abs(c - eye) ** 2, axis=(-2, -1)))
    mzis, out_phases = n * (n - 1) / 2, n
    expected = sigma**2 * (3 * mzis + out_phases)
    assert abs(float(norm2) / expected - 1) < 0.05


def test_reprogrammed_mesh_error_grows_with_phase_error():
    a, b = operands((2, 8, 8), (2, 8, 16), np.float64)
    errors = []
    for sigma in (0.005, 0.01, 0.02):
        hw = Hardware.ideal(8).replace(phase_error_std_rad=sigma)
        err = _errors("reprogrammed_mesh", hw, a, b, 50, jax.random.key(6))
        errors.append(float(jnp.sqrt(jnp.mean(err**2))))
    assert 1.6 < errors[1] / errors[0] < 2.4
    assert 1.6 < errors[2] / errors[1] < 2.4


def test_phase_bits_add_the_quantisation_variance():
    hw = Hardware.ideal(4).replace(phase_bits=6, phase_error_std_rad=0.01)
    step = 2 * math.pi / 2**6
    expected = math.sqrt(0.01**2 + step**2 / 12)
    assert abs(ed.realised_phase_std_rad(hw) - expected) < 1e-15


def test_programming_events_count_every_shifter_of_every_tile():
    a, b = operands((3, 8, 8), (3, 8, 2), np.float64)
    program = compile_product("reprogrammed_mesh", a, b, Hardware.ideal(4))
    events = ed.programming_events(program.plan[0].op, program.hardware)
    tiles = 3 * 2 * 2
    mzis_per_core = 2 * (4 * 3 // 2) + 4  # U and V^H meshes plus attenuators
    assert events["tiles"] == tiles
    assert events["shifters_set"] == tiles * mzis_per_core * 2
    assert events["products"] == 3
    assert events["programming_energy_J"] > 0


def test_an_op_needing_more_tiles_than_the_engine_has_is_refused():
    a, b = operands((2, 8, 8), (2, 8, 2), np.float64)
    program = compile_product("crossbar", a, b, Hardware.ideal(4))
    small = ed.CrossbarEngine(max_tiles=4)
    with pytest.raises(InputError, match="at most 4 tiles"):
        ed.check_fits(program.plan[0].op, small, program.hardware)
    ed.check_fits(program.plan[0].op, ed.CrossbarEngine(max_tiles=8), program.hardware)


def test_unknown_engine_options_are_refused():
    with pytest.raises(InputError, match="engine options"):
        ed.dynamic_engines(crosbar={"path_loss_dB": 1.0})


def test_vmap_with_split_keys_equals_a_loop():
    a, b = operands((1, 4, 4), (1, 4, 3), np.float32)
    hw = Hardware(core_size=4, power_mW=1e-3)
    program = compile_product("homodyne", a, b, hw, key=jax.random.key(7))
    keys = jax.random.split(jax.random.key(8), 3)
    batched = jax.vmap(lambda k: program(a, b, key=k))(keys)
    looped = jnp.stack([program.eager(a, b, key=k) for k in keys])
    assert_allclose(batched, looped, scale=10)


def test_unitary_error_norm_matches_a_sampled_clements_mesh():
    from photonics import Imperfections, decompose, random_unitary, sample_chip
    from photonics.mesh import transfer_matrix

    n, sigma = 8, 0.01
    u = random_unitary(jax.random.key(9), n)
    mesh = decompose(u)
    spec = Imperfections(phase_error_std_rad=sigma)
    keys = jax.random.split(jax.random.key(10), 2000)
    chips = jax.vmap(lambda k: transfer_matrix(mesh, sample_chip(k, mesh, spec)))(keys)
    mesh_norm2 = jnp.mean(jnp.sum(jnp.abs(chips - u) ** 2, axis=(-2, -1)))
    c = ed.unitary_error(jax.random.key(11), (2000, n, n), sigma, jnp.float64)
    model_norm2 = jnp.mean(jnp.sum(jnp.abs(c - jnp.eye(n)) ** 2, axis=(-2, -1)))
    assert abs(float(model_norm2 / mesh_norm2) - 1) < 0.1
