"""Accuracy of the optical program: small drop at 8 bits, large drop at 1 bit."""

import json
import types

import jax.numpy as jnp
import numpy as np
import pytest

from nn_mapping import compile_cli
from nn_mapping.accuracy import accuracy_report, digits_mlp_accuracy
from nn_mapping.hardware import Hardware
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
