"""Calibration of meshes on imperfect chips and the error-tolerant designs."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from photonics import (
    Imperfections,
    InputError,
    decompose,
    fidelity,
    mzi,
    random_unitary,
    sample_chip,
    transfer_matrix,
)
from photonics.calibration import (
    calibrate,
    calibration_gain,
    compare_topologies,
    minimise,
    mzi3_matrices,
    tolerant_chip,
    tolerant_mesh,
    tolerant_transfer_matrix,
)
from photonics.testing import assert_allclose

OPTIMISER = optax.adam(2e-2)


def _setup(n, seed, **imperfections):
    target = random_unitary(jax.random.key(seed), n)
    mesh = decompose(target)
    chip = sample_chip(jax.random.key(seed + 100), mesh, Imperfections(**imperfections))
    return target, mesh, chip


def _directional_check(loss, params, key, step=1e-6):
    """Gradient along a random direction against a central finite difference."""
    leaves, treedef = jax.tree_util.tree_flatten(params)
    keys = jax.random.split(key, len(leaves))
    direction = jax.tree_util.tree_unflatten(
        treedef,
        [
            jax.random.normal(k, x.shape, x.dtype)
            for k, x in zip(keys, leaves, strict=True)
        ],
    )

    def shifted(sign):
        return jax.tree_util.tree_map(
            lambda x, d: x + sign * step * d, params, direction
        )

    loss = jax.jit(loss)
    grads = jax.jit(jax.grad(loss))(params)
    analytic = sum(
        jnp.vdot(g, d)
        for g, d in zip(
            jax.tree_util.tree_leaves(grads),
            jax.tree_util.tree_leaves(direction),
            strict=True,
        )
    )
    numeric = (loss(shifted(1.0)) - loss(shifted(-1.0))) / (2 * step)
    assert abs(float(analytic) - float(numeric)) <= 1e-6 * max(1.0, abs(float(numeric)))
    assert abs(float(numeric)) > 1e-6  # the check is not vacuous


def test_mzi3_with_ideal_couplers_is_the_mzi():
    theta, phi = jnp.array([0.3, 1.2, -0.7]), jnp.array([1.1, -2.0, 0.4])
    realised = mzi3_matrices(
        theta - jnp.pi / 4, phi - jnp.pi / 2, jnp.pi / 4, 0.5, 0.5, 0.5
    )
    for k in range(3):
        assert_allclose(realised[k], mzi(theta[k], phi[k]))


def test_tolerant_clements_matches_the_chip_simulation():
    _, mesh, chip = _setup(
        5,
        0,
        splitter_error_std=0.05,
        loss_dB=0.2,
        loss_std_dB=0.1,
        phase_error_std_rad=0.05,
    )
    spec = Imperfections(splitter_error_std=0.05)
    tol_chip = tolerant_chip(jax.random.key(3), chip, spec, 5, "clements")
    expected = transfer_matrix(mesh, chip)
    realised = jax.jit(tolerant_transfer_matrix)(
        tolerant_mesh(mesh, "clements"), tol_chip
    )
    assert_allclose(realised, expected, scale=10)


@pytest.mark.parametrize("design", ["clements+2", "mzi3"])
def test_tolerant_designs_realise_the_target_when_ideal(design):
    target, mesh, chip = _setup(6, 1)
    tol_chip = tolerant_chip(jax.random.key(3), chip, Imperfections(), 6, design)
    realised = jax.jit(tolerant_transfer_matrix)(tolerant_mesh(mesh, design), tol_chip)
    assert_allclose(realised, target, scale=100)


def test_gradient_through_the_chip_matches_finite_differences():
    target, mesh, chip = _setup(
        5, 2, splitter_error_std=0.05, loss_dB=0.3, loss_std_dB=0.1, crosstalk=0.05
    )

    def loss(m):
        return 1.0 - fidelity(target, transfer_matrix(m, chip))

    _directional_check(loss, mesh, jax.random.key(4))


def test_gradient_through_the_three_coupler_mesh_matches_finite_differences():
    target, mesh, chip = _setup(4, 3, splitter_error_std=0.05)
    spec = Imperfections(splitter_error_std=0.05, phase_error_std_rad=0.02)
    tol_chip = tolerant_chip(jax.random.key(5), chip, spec, 4, "mzi3")
    tol_mesh = tolerant_mesh(mesh, "mzi3")

    def loss(m):
        return 1.0 - fidelity(target, tolerant_transfer_matrix(m, tol_chip))

    _directional_check(loss, tol_mesh, jax.random.key(6))


def test_calibration_recovers_the_fidelity_lost_to_coupler_errors():
    target, mesh, chip = _setup(
        8, 4, splitter_error_std=0.02, loss_dB=0.2, loss_std_dB=0.05
    )
    calibrated, history = calibrate(
        mesh, target, chip, OPTIMISER, steps=500, key=jax.random.key(0)
    )
    programmed = float(fidelity(target, transfer_matrix(mesh, chip)))
    realised = float(fidelity(target, transfer_matrix(calibrated, chip)))
    assert programmed < 0.999
    assert realised > 0.999
    assert 1.0 - realised < 0.2 * (1.0 - programmed)
    assert history["fidelity"].shape == (501,)
    np.testing.assert_allclose(history["fidelity"][[0, -1]], [programmed, realised])


def test_calibration_keeps_empty_slots_frozen():
    target, mesh, chip = _setup(5, 5, splitter_error_std=0.03, crosstalk=0.05)
    calibrated, _ = calibrate(
        mesh, target, chip, OPTIMISER, steps=20, key=jax.random.key(0)
    )
    idle = ~mesh.layout.active
    np.testing.assert_array_equal(
        np.asarray(calibrated.theta)[idle], np.asarray(mesh.theta)[idle]
    )


def test_calibration_is_deterministic_under_a_fixed_key():
    # the size and step count of the frozen-slot test: one compilation for both
    target, mesh, chip = _setup(5, 6, splitter_error_std=0.03)
    runs = [
        calibrate(
            mesh,
            target,
            chip,
            OPTIMISER,
            steps=20,
            key=jax.random.key(k),
            jitter_rad=0.01,
        )
        for k in (7, 7, 8)
    ]
    np.testing.assert_array_equal(runs[0][1]["fidelity"], runs[1][1]["fidelity"])
    np.testing.assert_array_equal(runs[0][0].theta, runs[1][0].theta)
    assert not np.array_equal(runs[0][0].theta, runs[2][0].theta)


def test_three_coupler_mzis_correct_large_coupler_errors():
    target = random_unitary(jax.random.key(0), 4)
    spec = Imperfections(splitter_error_std=0.1)
    _, history = compare_topologies(
        target,
        spec,
        OPTIMISER,
        steps=600,
        key=jax.random.key(10),
        designs=("clements", "mzi3"),
    )
    clements, mzi3 = history["clements"], history["mzi3"]
    assert clements["calibrated"] < 0.999  # this chip defeats the plain mesh
    assert mzi3["calibrated"] > 1 - 1e-8
    assert mzi3["elements"] == clements["elements"] == 6


def test_calibration_gain_rows():
    _, rows = calibration_gain(
        [4], [0.0, 0.03], OPTIMISER, steps=100, key=jax.random.key(1)
    )
    assert [r["splitter_error_std"] for r in rows] == [0.0, 0.03]
    assert rows[0]["programmed"] > 1 - 1e-12
    assert rows[1]["programmed"] < rows[1]["calibrated"]


def test_minimise_finds_a_quadratic_minimum():
    def loss(x, centre):
        return jnp.sum((x - centre) ** 2)

    x, losses = minimise(
        loss,
        jnp.zeros(3),
        optax.sgd(0.1),
        steps=120,
        args=(jnp.array([1.0, -2.0, 0.5]),),
        chunk_steps=7,
    )
    np.testing.assert_allclose(x, [1.0, -2.0, 0.5], atol=1e-9)
    assert losses.shape == (121,) and np.all(np.diff(losses) <= 0)


def test_bad_inputs_fail_early():
    target, mesh, chip = _setup(4, 7)
    with pytest.raises(InputError, match="target"):
        calibrate(mesh, target[:3, :3], chip, OPTIMISER, steps=1, key=jax.random.key(0))
    with pytest.raises(InputError, match="steps"):
        calibrate(mesh, target, chip, OPTIMISER, steps=-1, key=jax.random.key(0))
    with pytest.raises(InputError, match="optimiser"):
        calibrate(mesh, target, chip, "adam", steps=1, key=jax.random.key(0))
    with pytest.raises(InputError, match="design"):
        tolerant_mesh(mesh, "hexagonal")
    with pytest.raises(InputError, match="crosstalk"):
        tolerant_chip(jax.random.key(0), chip, Imperfections(crosstalk=0.1), 4, "mzi3")


def test_every_design_calibrates_and_the_redundant_mesh_reaches_furthest():
    """All four designs under one error budget: calibration never loses fidelity,
    and the mesh with two extra columns corrects what the plain one cannot."""
    target = random_unitary(jax.random.key(0), 4)
    spec = Imperfections(splitter_error_std=0.1, loss_dB=0.05)
    _, history = compare_topologies(
        target, spec, OPTIMISER, steps=400, key=jax.random.key(10)
    )
    assert set(history) == {"clements", "reck", "clements+2", "mzi3"}
    for name, row in history.items():
        assert row["calibrated"] >= row["programmed"] - 1e-9, name
        assert row["fidelity"].shape == (401,)
    assert history["reck"]["elements"] == history["clements"]["elements"] == 6
    assert history["clements+2"]["elements"] > 6
    assert history["clements+2"]["calibrated"] > history["clements"]["calibrated"]
    assert history["clements+2"]["calibrated"] > 0.999


def test_gradient_through_the_redundant_mesh_matches_finite_differences():
    target, mesh, chip = _setup(4, 8, splitter_error_std=0.05, loss_dB=0.1)
    spec = Imperfections(splitter_error_std=0.05, loss_dB=0.1, loss_std_dB=0.05)
    tol_chip = tolerant_chip(jax.random.key(9), chip, spec, 4, "clements+2")
    tol_mesh = tolerant_mesh(mesh, "clements+2")
    # start off the bar state of the extra columns, where the gradient is generic
    tol_mesh = jax.tree_util.tree_map(lambda x: x + 0.1, tol_mesh)

    def loss(m):
        return 1.0 - fidelity(target, tolerant_transfer_matrix(m, tol_chip))

    _directional_check(loss, tol_mesh, jax.random.key(10))


def test_gradient_through_a_reck_chip_matches_finite_differences():
    target = random_unitary(jax.random.key(11), 5)
    mesh = decompose(target, "reck")
    spec = Imperfections(splitter_error_std=0.05, phase_error_std_rad=0.02)
    chip = sample_chip(jax.random.key(12), mesh, spec)

    def loss(m):
        return 1.0 - fidelity(target, transfer_matrix(m, chip))

    _directional_check(loss, mesh, jax.random.key(13))


def test_calibration_gain_programs_the_ideal_decomposition_on_the_same_chip():
    """The row's starting fidelity is the ideal decomposition on the sampled chip,
    recomputed here from the same key schedule, and calibration beats it."""
    key = jax.random.key(21)
    _, rows = calibration_gain([4], [0.05], OPTIMISER, steps=100, key=key)
    _, target_key, chip_key = jax.random.split(key, 3)
    target = random_unitary(target_key, 4)
    mesh = decompose(target)
    chip = sample_chip(chip_key, mesh, Imperfections(splitter_error_std=0.05))
    expected = float(fidelity(target, transfer_matrix(mesh, chip)))
    assert rows[0]["programmed"] == pytest.approx(expected, abs=1e-12)
    assert rows[0]["programmed"] < 0.999
    assert rows[0]["infidelity_ratio"] > 3.0
