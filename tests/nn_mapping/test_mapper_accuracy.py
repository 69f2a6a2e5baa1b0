"""Accuracy of the optical program: small drop at 8 bits, large drop at 1 bit."""

import json
import math
import types

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from nn_mapping import compile_cli, models
from nn_mapping.accuracy import (
    accuracy_report,
    batch_accuracy_report,
    classification_accuracy,
    digits_mlp_accuracy,
    sweep_digits_mlp,
)
from nn_mapping.hardware import Hardware
from nn_mapping.plotting import plot_accuracy_sweep
from nn_mapping.program import compile_function
from photonics.errors import InputError


def test_ideal_report_has_float_level_errors():
    rng = np.random.default_rng(0)
    w = rng.normal(size=(9, 5)).astype(np.float32)

    def fn(x):
        return jnp.tanh(x @ w.T) @ w

    x = jnp.asarray(rng.uniform(-1, 1, size=(4, 5)), jnp.float32)
    report = accuracy_report(compile_function(fn, x, hardware=Hardware.ideal(4)), fn, x)
    assert set(report["ops"]) == {"dot_general_0", "dot_general_1"}
    assert max(report["ops"].values()) < 1e-5 and report["output"] < 1e-5


def test_digits_accuracy_high_and_low_resolution():
    good = digits_mlp_accuracy(bits=8, power_mW=1.0)
    assert good["digital"] > 0.9
    assert abs(good["drop"]) <= 0.02
    bad = digits_mlp_accuracy(bits=1, power_mW=1.0)
    assert bad["drop"] > 0.3


def _args(**kw):
    base = dict(
        matrix=None,
        random=None,
        mesh="clements",
        seed=0,
        json=True,
        out=None,
        svd=False,
        model=None,
        core=None,
        bits=8,
        power_mW=1.0,
        phase_error_rad=0.0,
        detection="coherent",
    )
    return types.SimpleNamespace(**{**base, **kw})


def test_cli_svd_json(tmp_path, capsys):
    matrix = np.random.default_rng(1).normal(size=(20, 12))
    path = tmp_path / "w.npy"
    np.save(path, matrix)
    assert compile_cli.run_svd(_args(matrix=str(path), svd=True, core=8)) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["shape"] == [20, 12] and result["tiles"] == 3 * 2
    assert result["reconstruction_error"] < 1e-5


@pytest.mark.parametrize(
    "kw, name",
    [
        ({"bits": 0}, "--bits"),
        ({"power_mW": -1.0}, "--power-mW"),
        ({"model": "resnet"}, "--model"),
    ],
)
def test_cli_bad_input_fails_before_compiling(kw, name):
    with pytest.raises(InputError, match=name):
        compile_cli.run_model(_args(**{"model": "mlp-digits", **kw}))


def _one_layer_program(bits, seed=0):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=(12, 20)).astype(np.float32)
    xs = jnp.asarray(rng.uniform(-1, 1, size=(64, 20)), jnp.float32)
    hw = Hardware.ideal(8).replace(dac_bits=bits, adc_bits=bits, power_mW=1.0)

    def fn(x):
        return x @ w.T

    program = compile_function(fn, xs[0], hardware=hw, calibration=(xs,))
    return program, fn, w, xs


def test_batch_report_equals_an_independent_error_of_the_outputs():
    program, fn, w, xs = _one_layer_program(bits=6)
    key = jax.random.key(3)
    report = batch_accuracy_report(program, fn, xs, key)
    keys = jax.random.split(key, xs.shape[0])
    y = np.stack([np.asarray(program(x, key=k)) for x, k in zip(xs, keys, strict=True)])
    exact = np.asarray(xs, np.float64) @ w.T.astype(np.float64)
    expected = np.linalg.norm(y - exact) / np.linalg.norm(exact)
    # One op: its own error is the output's error, up to float32 rounding.
    assert report["output"] == pytest.approx(expected, rel=1e-3)
    assert report["ops"]["dot_general_0"] == pytest.approx(expected, rel=1e-3)
    assert 1e-4 < expected < 0.1


def test_accuracy_with_errors_reuses_the_same_noisy_run():
    program, fn, _, xs = _one_layer_program(bits=3)
    labels = jnp.argmax(jax.vmap(fn)(xs), axis=-1)
    key = jax.random.key(5)
    plain = classification_accuracy(program, fn, xs, labels, key)
    both = classification_accuracy(program, fn, xs, labels, key, errors=True)
    assert both.pop("errors") == batch_accuracy_report(program, fn, xs, key)
    assert both == plain and plain["optical"] < 1.0  # 3 bits flip some classes


def test_op_error_falls_with_converter_bits_as_two_to_the_minus_bits():
    errors = {}
    for bits in (4, 8):
        program, fn, _, xs = _one_layer_program(bits)
        report = batch_accuracy_report(program, fn, xs, jax.random.key(0))
        errors[bits] = report["ops"]["dot_general_0"]
    # DAC and ADC rounding errors scale with the LSB: 16x smaller for 4 more bits
    # (shot noise at 1 mW is far below the 8-bit LSB).
    assert 8 < errors[4] / errors[8] < 32


def test_digits_accuracy_falls_with_phase_error_and_is_plotted():
    rows = sweep_digits_mlp("phase_error_std_rad", [0.02, 0.2])
    assert [r["phase_error_std_rad"] for r in rows] == [0.02, 0.2]
    digital = models.digital_accuracy(*_digits_params_and_test())
    assert all(r["digital"] == pytest.approx(digital) for r in rows)
    assert rows[0]["optical"] >= digital - 0.02
    assert rows[1]["optical"] < digital - 0.3
    figure = plot_accuracy_sweep(rows, "phase_error_std_rad")
    line = figure.axes[0].lines[0]
    np.testing.assert_allclose(line.get_xdata(), [0.02, 0.2])
    np.testing.assert_allclose(line.get_ydata(), [100 * r["optical"] for r in rows])


def _digits_params_and_test():
    params, data = models.train_digits_mlp()
    return params, data.x_test, data.y_test


def _main_json(capsys, argv):
    from photonics.cli import main

    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_model_mode_reports_ops_and_accuracies(capsys):
    result = _main_json(
        capsys,
        ["compile", "--model", "mlp-digits", "--core", "32", "--bits", "6", "--json"],
    )
    params, x_test, y_test = _digits_params_and_test()
    shapes = [list(w.shape) for w, _ in params]
    assert [op["shape"] for op in result["ops"]] == shapes
    tiles = [math.ceil(m / 32) * math.ceil(k / 32) for m, k in shapes]
    assert [op["tiles"] for op in result["ops"]] == tiles
    assert {op["engine"] for op in result["ops"]} == {"mesh"}
    assert all(0 < op["error"] < 0.1 for op in result["ops"])
    accuracy = result["accuracy"]
    assert accuracy["digital"] == pytest.approx(
        models.digital_accuracy(params, x_test, y_test)
    )
    assert accuracy["optical"] >= accuracy["digital"] - 0.03
    assert accuracy["drop"] == pytest.approx(accuracy["digital"] - accuracy["optical"])
    assert 0 < accuracy["output_error"] < 0.2
    assert result["hardware"]["bits"] == 6 and result["hardware"]["core"] == 32


@pytest.mark.parametrize("mesh", ["clements", "reck"])
def test_cli_svd_through_the_console_script(tmp_path, capsys, mesh):
    matrix = np.random.default_rng(2).normal(size=(11, 19))
    path = tmp_path / "w.npy"
    np.save(path, matrix)
    argv = ["compile", str(path), "--svd", "--core", "8", "--mesh", mesh, "--json"]
    result = _main_json(capsys, argv)
    assert result["mesh"] == mesh and result["tiles"] == 2 * 3
    assert result["reconstruction_error"] < 1e-5
    # Shot noise, 8-bit converters and uneven MZI losses: a small, nonzero error.
    assert 1e-4 < result["relative_error"] < 0.2


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--model", "mlp-digits", "--bits", "0"], "--bits: expected"),
        (["--model", "mlp-digits", "--power-mW", "-1"], "--power-mW: expected"),
        (["--model", "mlp-digits", "--core", "0"], "--core: expected"),
        (["--model", "mlp-digits", "--mesh", "ring"], "--mesh: expected"),
        (["--svd", "--random", "4", "--detection", "direct"], "--detection: expected"),
        (["--model", "mlp-digits", "--engine", "homodyne"], "--engine: expected"),
    ],
)
def test_console_script_bad_input_is_one_line_and_exit_code_2(capsys, argv, message):
    from photonics.cli import main

    assert main(["compile", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "received" in err and len(err.strip().splitlines()) == 1
