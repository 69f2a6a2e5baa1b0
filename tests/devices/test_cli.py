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
def test_json_contract_and_plots(capsys, tmp_path):
    out = tmp_path / "plots"
    assert main(["switch", "--json", "--out", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["preset"] == "mose2-nanocavity"
    assert 1.0 < data["switching_energy_fJ"] < 10.0
    # photons = E / (ħω) at the pump photon energy (1645 meV - Rabi / 2 + 2.5 meV)
    photon_J = 6.62607015e-34 * 299792458.0 / (754.6e-9)
    photons = data["switching_energy_fJ"] * 1e-15 / photon_J
    assert data["switching_energy_photons"] == pytest.approx(photons, rel=1e-3)
    assert 0.5 < data["switching_time_ps"] < 20.0
    assert data["contrast_dB"] > 3.0
    window = data["bistable_window"]
    assert 0 < window["lower_fold_power_uW"] < window["upper_fold_power_uW"]
    assert (
        window["lower_fold_power_uW"]
        < data["hold_power_uW"]
        < window["upper_fold_power_uW"]
    )
    assert {p.name for p in out.glob("*.png")} == {
        "s_curve.png",
        "hysteresis.png",
        "switching_trace.png",
        "phase_diagram.png",
    }


def test_out_that_is_a_file_is_a_one_line_error(capsys, tmp_path):
    target = tmp_path / "file"
    target.write_text("")
    assert main(["switch", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "--out" in err and "Traceback" not in err
