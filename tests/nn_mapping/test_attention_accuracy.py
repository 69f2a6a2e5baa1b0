"""The tiny transformer on optical hardware: near digital, broken at 2 bits."""

import argparse
import json

import pytest

from nn_mapping import attention, attention_cli, transformer
from photonics.errors import InputError

N_TEST = 150


def test_tiny_transformer_learns_the_digits():
    params = transformer.train_tiny_transformer()
    _, _, x_test, y_test = transformer.digits_sequences()
    config = transformer.TinyConfig()
    assert transformer.tiny_accuracy(params, config, x_test, y_test) > 0.9


@pytest.mark.slow
def test_crossbar_accuracy_is_near_digital_at_8_bits_and_fails_at_2():
    good = attention.tiny_transformer_accuracy("crossbar", bits=8, n_test=N_TEST)
    bad = attention.tiny_transformer_accuracy("crossbar", bits=2, n_test=N_TEST)
    assert good["digital"] == bad["digital"] > 0.9
    assert good["optical"] >= good["digital"] - 0.05
    assert bad["optical"] < good["digital"] - 0.3
    dynamic = [op for op in good["ops"] if op["kind"] == "dynamic"]
    assert [op["engine"] for op in dynamic] == ["crossbar", "crossbar"]


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["homodyne", "reprogrammed_mesh"])
def test_other_engines_are_near_digital_at_8_bits_and_fail_at_2(engine):
    good = attention.tiny_transformer_accuracy(engine, bits=8, n_test=N_TEST)
    bad = attention.tiny_transformer_accuracy(engine, bits=2, n_test=N_TEST)
    assert good["optical"] >= good["digital"] - 0.05
    assert bad["optical"] < good["digital"] - 0.3


@pytest.mark.slow
def test_crossbar_fails_without_light():
    dark = attention.tiny_transformer_accuracy("crossbar", power_mW=1e-3, n_test=N_TEST)
    assert dark["optical"] < dark["digital"] - 0.3


def test_cli_adds_the_engine_option_and_refuses_an_unknown_engine():
    parser = argparse.ArgumentParser()
    attention_cli.add_arguments(parser)
    args = parser.parse_args(["--engine", "homodyne", "--model", "tiny-transformer"])
    assert args.engine == "homodyne"
    with pytest.raises(SystemExit):
        parser.parse_args(["--engine", "abacus"])
    with pytest.raises(InputError, match="--engine"):
        attention_cli.tiny_transformer_report("abacus", attention.experiment_hardware())
    args.bits = 0
    with pytest.raises(InputError, match="--bits"):
        attention_cli.run_tiny_transformer(args)


@pytest.mark.slow
@pytest.mark.parametrize("engine", [None, "homodyne", "reprogrammed_mesh"])
def test_cli_json_reports_every_op_and_both_accuracies(capsys, engine):
    from photonics.cli import main

    argv = ["compile", "--model", "tiny-transformer", "--json"]
    argv += [] if engine is None else ["--engine", engine]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    engine = engine or "crossbar"
    assert result["engine"] == engine
    assert len(result["ops"]) == 10
    assert {op["engine"] for op in result["ops"]} == {"mesh", engine}
    keys = {"shape", "engine", "tiles", "kind", "role", "error"}
    assert all(keys <= set(op) for op in result["ops"])
    assert all(0 < op["error"] < 0.2 for op in result["ops"])
    dynamic = [op for op in result["ops"] if op["kind"] == "dynamic"]
    assert [op["role"] for op in dynamic] == ["attention scores", "attention values"]
    assert all(
        ("programming" in op) == (engine == "reprogrammed_mesh") for op in dynamic
    )
    params = transformer.train_tiny_transformer()
    _, _, x_test, y_test = transformer.digits_sequences()
    digital = transformer.tiny_accuracy(
        params, transformer.TinyConfig(), x_test, y_test
    )
    accuracy = result["accuracy"]
    assert accuracy["digital"] == pytest.approx(digital)
    assert accuracy["optical"] > digital - 0.05
    assert 0 < accuracy["output_error"] < 0.3


@pytest.mark.slow
def test_power_sweep_per_engine_reaches_digital_with_light_and_fails_without():
    engines = ("crossbar", "homodyne", "reprogrammed_mesh")
    rows = attention.sweep("power_mW", (1e-5, 1.0), engines=engines, n_test=N_TEST)
    assert [(r["engine"], r["power_mW"]) for r in rows] == [
        (e, p) for e in engines for p in (1e-5, 1.0)
    ]
    for dark, bright in zip(rows[::2], rows[1::2], strict=True):
        assert bright["optical"] >= bright["digital"] - 0.05
        assert dark["optical"] < dark["digital"] - 0.3
