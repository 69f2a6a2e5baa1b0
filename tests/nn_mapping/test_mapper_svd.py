"""The SVD operator and tiling reproduce the dense product; hardware validation."""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nn_mapping import svd, tiling
from nn_mapping.hardware import Hardware
from nn_mapping.program import compile_matrix
from photonics.errors import InputError
from photonics.testing import assert_allclose


def _weights(rng, shape, complex_):
    w = rng.normal(size=shape)
    if complex_:
        w = w + 1j * rng.normal(size=shape)
    return w


@pytest.mark.parametrize(
    "shape, core",
    [((1, 1), 1), ((5, 3), 1), ((5, 3), 4), ((17, 40), 16), ((9, 9), 9)],
)
@pytest.mark.parametrize("complex_", [False, True])
def test_operator_reproduces_weight_float64(shape, core, complex_):
    rng = np.random.default_rng(sum(shape) + core)
    w = _weights(rng, (2, *shape), complex_)
    hw = Hardware.ideal(core)
    operator = svd.realise(svd.compile_weights(w, core), hw)
    x = rng.uniform(-1, 1, size=(2, shape[1], 3))
    y = svd.apply(operator, jnp.asarray(x), 1.0, hw)
    scale = core * np.sqrt(shape[1]) * np.abs(w).max()
    assert_allclose(y, w @ x, dtype=np.float64, scale=scale)
    assert jnp.iscomplexobj(y) == complex_


@pytest.mark.parametrize("topology", ["clements", "reck"])
def test_matrix_program_float32(topology):
    rng = np.random.default_rng(3)
    w = rng.normal(size=(24, 40)).astype(np.float32)
    program = compile_matrix(w, Hardware.ideal(16, topology))
    x = rng.uniform(-1, 1, size=(8, 40)).astype(np.float32)
    y = jax.vmap(program)(jnp.asarray(x))
    assert y.dtype == jnp.float32
    assert_allclose(y, x @ w.T, dtype=np.float32, scale=16 * np.sqrt(40))


def test_gain_and_attenuators_are_passive():
    rng = np.random.default_rng(0)
    op = svd.compile_weights(rng.normal(size=(1, 10, 7)) * 5, 4)
    assert np.all(np.asarray(op.sigma) <= 1 + 1e-12)
    assert np.all(np.asarray(op.sigma) >= 0)
    # The gain of a tile is its spectral norm.
    tiles = tiling.to_tiles(np.asarray(rng.normal(size=(1, 10, 7)) * 5), 4)
    _, _, _, gain = svd.svd_tiles(tiles)
    assert np.allclose(gain, np.linalg.norm(tiles, ord=2, axis=(-2, -1)))


def test_zero_weight_maps_to_zero():
    hw = Hardware.ideal(4)
    operator = svd.realise(svd.compile_weights(np.zeros((1, 6, 5)), 4), hw)
    y = svd.apply(operator, jnp.ones((1, 5, 2)), 1.0, hw)
    assert np.all(np.asarray(y) == 0)


def test_tiles_roundtrip_and_partial_sums_equal_dense_product():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(3, 37, 21))
    tiles = tiling.to_tiles(w, 8)
    assert tiles.shape == (3, 5, 3, 8, 8)
    np.testing.assert_array_equal(tiling.from_tiles(tiles, (37, 21)), w)
    x = rng.normal(size=(3, 21, 4))
    parts = tiling.split_inputs(jnp.asarray(x), 3, 8)
    partials = jnp.einsum("brcij,bcjn->brcin", tiles, parts)
    assert_allclose(tiling.accumulate(partials, 37), w @ x, scale=10)


def test_tile_arithmetic():
    assert tiling.tile_grid(1024, 1024, 64) == (16, 16)
    assert tiling.tile_grid(65, 64, 64) == (2, 1)
    assert tiling.tile_count(10, 3, 4, count=5) == 5 * 3 * 1


def test_too_many_tiles_is_an_input_error():
    with pytest.raises(InputError, match="n_cores"):
        tiling.check_fits("w", (100, 100), 16, n_cores=10)
    with pytest.raises(InputError, match="dimensions"):
        tiling.check_fits("w", (0, 100), 16)


@pytest.mark.parametrize(
    "changes, name",
    [
        ({"adc_bits": 0}, "adc_bits"),
        ({"dac_bits": -3}, "dac_bits"),
        ({"power_mW": -1.0}, "power_mW"),
        ({"power_mW": 0.0}, "power_mW"),
        ({"core_size": 0}, "core_size"),
        ({"mesh": "triangle"}, "mesh"),
        ({"detection": "direct"}, "detection"),
        ({"quantum_efficiency": 1.5}, "quantum_efficiency"),
        ({"phase_error_std_rad": -0.1}, "phase_error_std_rad"),
    ],
)
def test_hardware_rejects_bad_values(changes, name):
    with pytest.raises(InputError, match=name):
        Hardware(**changes)


def test_hardware_photon_budget():
    hw = Hardware(power_mW=1.0, sample_rate_GHz=10.0, wavelength_nm=1550.0)
    # 1 mW for 100 ps is 1e-13 J; one 1550 nm photon carries 1.2816e-19 J.
    assert hw.full_scale_photons == pytest.approx(1e-13 / 1.2816e-19, rel=1e-3)
    assert Hardware.ideal().full_scale_photons == np.inf
    assert not Hardware.ideal().noisy and not Hardware.ideal().has_imperfections


def test_batched_compile_equals_per_tile_decomposition():
    from photonics.decompose import decompose

    rng = np.random.default_rng(11)
    w = rng.normal(size=(2, 9, 7))
    operator = svd.compile_weights(w, 4)
    tiles = tiling.to_tiles(w, 4).reshape(-1, 4, 4)
    u, sigma, vh, gain = svd.svd_tiles(tiles)
    count = tiles.shape[0]
    chunked = svd.decompose_many(np.concatenate([u, vh]), "clements", chunk=5)
    for i in range(count):
        index = np.unravel_index(i, operator.grid)
        for mesh, unitary, row in (
            (operator.u_mesh, u[i], i),
            (operator.v_mesh, vh[i], count + i),
        ):
            expected = decompose(unitary, "clements")
            for name in ("theta", "phi", "out_phase"):
                assert_allclose(
                    np.asarray(getattr(mesh, name))[index], getattr(expected, name)
                )
                assert_allclose(getattr(chunked, name)[row], getattr(expected, name))
    assert_allclose(operator.sigma.reshape(count, -1), sigma)
    assert_allclose(operator.gain.reshape(count), gain)


def _tile_mesh(mesh, index):
    return jax.tree.map(lambda a: jnp.asarray(a[index]), mesh)


def test_realised_tiles_equal_per_tile_chips():
    from photonics.imperfections import sample_chip
    from photonics.mesh import transfer_matrix

    hw = Hardware(core_size=4, phase_error_std_rad=0.05, splitter_error_std=0.02)
    operator = svd.compile_weights(np.random.default_rng(5).normal(size=(1, 8, 6)), 4)
    key = jax.random.key(9)
    realised = svd.realise(operator, hw, key)
    count = int(np.prod(operator.grid))
    keys = jax.random.split(key, 2 * count)
    spec = hw.imperfections()
    for i in range(count):
        index = np.unravel_index(i, operator.grid)
        u_mesh = jax.tree.map(
            lambda a, index=index: jnp.asarray(a[index]), operator.u_mesh
        )
        v_mesh = jax.tree.map(
            lambda a, index=index: jnp.asarray(a[index]), operator.v_mesh
        )
        mat_u = transfer_matrix(u_mesh, sample_chip(keys[i], u_mesh, spec))
        mat_v = transfer_matrix(v_mesh, sample_chip(keys[count + i], v_mesh, spec))
        expected = (mat_u * jnp.asarray(operator.sigma[index])) @ mat_v
        got = realised.t_real[index] + 1j * realised.t_imag[index]
        assert_allclose(got, expected, scale=10)


@pytest.mark.parametrize("complex_", [False, True])
def test_vectorised_apply_equals_per_tile_loop(complex_):
    from nn_mapping import detection

    rng = np.random.default_rng(4)
    w = _weights(rng, (2, 11, 9), complex_)
    hw = Hardware.ideal(4).replace(adc_bits=5, dac_bits=6, phase_error_std_rad=0.05)
    realised = svd.realise(svd.compile_weights(w, 4), hw, jax.random.key(2))
    x = jnp.asarray(rng.uniform(-1, 1, size=(2, 9, 3)))
    y = svd.apply(realised, x, 1.0, hw)
    u = tiling.split_inputs(detection.convert_inputs(x, hw.dac_bits, 1.0), 3, 4)
    b, rows, cols = realised.gain.shape
    expected = np.zeros((b, rows * 4, 3), complex)
    for bi, r, c in np.ndindex(b, rows, cols):
        t = realised.t_real[bi, r, c] + 1j * realised.t_imag[bi, r, c]
        field = t @ u[bi, c]
        fs = realised.full_scale[bi, r, c][:, None]
        out = detection.quantize(jnp.real(field), hw.adc_bits, fs)
        if complex_:
            out = out + 1j * detection.quantize(jnp.imag(field), hw.adc_bits, fs)
        expected[bi, r * 4 : (r + 1) * 4] += realised.gain[bi, r, c] * np.asarray(out)
    assert_allclose(y, expected[:, :11], scale=10)


@pytest.mark.parametrize("topology", ["clements", "reck"])
@pytest.mark.parametrize("complex_", [False, True])
def test_both_topologies_map_real_and_complex_weights_on_signed_inputs(
    topology, complex_
):
    rng = np.random.default_rng(12)
    w = _weights(rng, (1, 13, 10), complex_)
    hw = Hardware.ideal(8, topology)
    operator = svd.compile_weights(w, 8, topology)
    assert operator.u_mesh.topology == topology
    # Real inputs of both signs ride on the field's amplitude (phase 0 or pi).
    x = rng.uniform(-1, 1, size=(1, 10, 4))
    assert np.any(x < 0) and np.any(x > 0)
    y = svd.apply(svd.realise(operator, hw), jnp.asarray(x), 1.0, hw)
    assert_allclose(y, w @ x, dtype=np.float64, scale=8 * np.sqrt(10) * np.abs(w).max())


@pytest.mark.parametrize("topology", ["clements", "reck"])
def test_phase_errors_perturb_both_topologies_by_a_small_relative_error(topology):
    rng = np.random.default_rng(13)
    w = rng.normal(size=(1, 8, 8))
    hw = Hardware.ideal(8, topology).replace(phase_error_std_rad=0.01)
    realised = svd.realise(svd.compile_weights(w, 8, topology), hw, jax.random.key(1))
    t = np.asarray(realised.t_real + 1j * realised.t_imag)[0, 0, 0]
    got = np.asarray(realised.gain)[0, 0, 0] * t
    error = np.linalg.norm(got - w[0]) / np.linalg.norm(w[0])
    # Phase errors of rms sigma move a depth-N mesh by about sigma sqrt(N).
    assert 0.1 * 0.01 < error < 10 * 0.01 * np.sqrt(8)


def test_hardware_defaults_are_the_documented_ones():
    hw = Hardware()
    documented = {
        "core_size": 64,
        "mesh": "clements",
        "loss_dB": 0.1,
        "detection": "coherent",
        "power_mW": 1.0,
        "dac_bits": 8,
        "adc_bits": 8,
        "accumulation": "digital",
    }
    assert {k: getattr(hw, k) for k in documented} == documented
    for field in dataclasses.fields(Hardware):
        assert f"{field.name}:" in Hardware.__doc__, field.name


def test_hardware_error_names_argument_expected_and_received():
    with pytest.raises(InputError) as info:
        Hardware(adc_bits=0)
    message = str(info.value)
    assert "adc_bits" in message and "expected" in message and "received 0" in message
    with pytest.raises(InputError, match="power_mW.*received -2"):
        Hardware(power_mW=-2.0)
