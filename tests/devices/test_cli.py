"""The `photonics switch` subcommand."""

import json

import pytest

from photonics.cli import main


def test_list_presets(capsys):
    assert main(["switch", "--list-presets"]) == 0
    out = capsys.readouterr().out
    assert "mose2-nanocavity" in out and "gaas-micropillar" in out


def test_unknown_preset_is_a_one_line_error(capsys):
    assert main(["switch", "--preset", "nope"]) == 2
    err = capsys.readouterr().err
    assert "preset" in err and "Traceback" not in err


@pytest.mark.slow
def test_json_contract(capsys):
    assert main(["switch", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["preset"] == "mose2-nanocavity"
    assert 1.0 < data["switching_energy_fJ"] < 10.0
    window = data["bistable_window"]
    assert window["lower_fold_power_uW"] < window["upper_fold_power_uW"]
