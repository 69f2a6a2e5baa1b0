"""The `photonics logic` subcommand."""

import json

import pytest

from devices.logic import expected_table
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
        assert gate["truth_table"] == [list(r) for r in expected_table(name)]
        edp = gate["energy_per_op_fJ"] * 1e-15 * gate["latency_ps"] * 1e-12
        assert gate["energy_delay_product_Js"] == pytest.approx(edp)
        ber = gate["ber_vs_energy"]
        design = ber["scale"].index(1.0)
        assert ber["ber"][design] == 0.0  # the design works under noise
        assert ber["input_energy_fJ"][design] == gate["input_energy_fJ"][0]
    # out of its window a gate fails: one AND input at 2.5× switches it alone
    assert data["gates"]["AND"]["ber_vs_energy"]["ber"][-1] > 0.3
    adder = data["half_adder"]
    assert adder["correct"] is True
    rows = [[a, b, a ^ b, a & b] for a in (0, 1) for b in (0, 1)]
    assert adder["truth_table"] == rows
    assert data["cascade"]["stages"] >= 2 and data["cascade"]["correct"] is True
    comparison = data["comparison"]
    assert comparison["landauer_J"] < comparison["photon_energy_J"]
    assert {p.name for p in out.glob("*.png")} == {
        *(f"gate_{n.lower()}.png" for n in data["gates"]),
        "cascade.png",
        "eye.png",
        "ber_vs_energy.png",
        "ber_per_gate.png",
    }
