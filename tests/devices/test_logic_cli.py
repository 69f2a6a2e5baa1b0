"""The `photonics logic` subcommand."""

import json

import pytest

from photonics.cli import main


def test_unknown_preset_is_a_one_line_error(capsys):
    assert main(["logic", "--preset", "nope"]) == 2
    err = capsys.readouterr().err
    assert "preset" in err and "Traceback" not in err


@pytest.mark.slow
def test_json_contract_and_plots(capsys, tmp_path):
    out = tmp_path / "plots"
    assert main(["logic", "--json", "--out", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    for name in ("NOT", "AND", "OR", "NAND", "XOR"):
        gate = data["gates"][name]
        assert gate["correct"] is True
        assert gate["energy_per_op_fJ"] > gate["holding_fJ"] > 0
    assert data["cascade"]["stages"] >= 2 and data["cascade"]["correct"] is True
    comparison = data["comparison"]
    assert comparison["landauer_J"] < comparison["photon_energy_J"]
    assert {p.name for p in out.iterdir()} >= {"cascade.png", "ber_vs_energy.png"}
