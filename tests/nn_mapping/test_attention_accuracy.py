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
def test_cli_json_reports_every_op_and_both_accuracies(capsys):
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    attention_cli.add_arguments(parser)
    args = parser.parse_args(["--model", "tiny-transformer", "--json"])
    assert attention_cli.run_tiny_transformer(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert len(result["ops"]) == 10
    assert {op["engine"] for op in result["ops"]} == {"mesh", "crossbar"}
    assert all({"shape", "engine", "tiles", "kind"} <= set(op) for op in result["ops"])
    assert result["accuracy"]["optical"] > result["accuracy"]["digital"] - 0.05
