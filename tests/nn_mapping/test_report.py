"""The report: files, JSON keys, atomic output, accuracy hook and the command line."""

import json

import pytest

from nn_mapping import report, report_cli
from photonics import cli
from photonics.cli_tools import OUTPUT_MARKER
from photonics.errors import InputError
from photonics.hardware_energy import OpticalEnergyConfig


@pytest.fixture(scope="module")
def built():
    return report.build_report(["mlp-digits", "transformer-block"])


def test_write_report_files_and_json_keys(built, tmp_path):
    data, figures = built
    out = report.write_report(data, figures, tmp_path / "out")
    for name in ("report.html", "report.md", "report.json"):
        assert (out / name).is_file()
    assert sorted(p.name for p in out.glob("*.png")) == sorted(figures)
    saved = json.loads((out / "report.json").read_text())
    for model in saved["models"].values():
        assert model["macs"] > 0
        for entry in model["optical"]:
            assert {"energy_J", "energy_per_mac_J", "breakdown"} <= set(entry)
            assert entry["energy_J"] == pytest.approx(sum(entry["breakdown"].values()))
        for entry in model["electronic"]:
            assert entry["energy_per_mac_J"] == pytest.approx(
                entry["energy_J"] / model["macs"]
            )
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == len(figures)
    assert 'src="breakdown.png"' not in html  # self-contained


def test_accuracy_unavailable_is_stated_not_faked(built):
    data, figures = built
    assert data["accuracy"]["available"] is False
    assert "pareto.png" not in figures
    assert data["models"]["mlp-digits"]["accuracy"]["available"] is False


def test_accuracy_hook_builds_pareto_front(tmp_path):
    def fake_accuracy(bits, photons):
        return min(1.0, 0.1 + 0.1 * bits) * photons / (photons + 10.0)

    data, figures = report.build_report(["mlp-digits"], accuracy_fn=fake_accuracy)
    table = data["accuracy"]["table"]
    assert "pareto.png" in figures
    assert len(table) == len(report.PARETO_BITS) * len(report.PARETO_PHOTONS)
    front = [r for r in table if r["pareto"]]
    for row in front:
        assert not any(
            o["energy_J"] <= row["energy_J"] and o["accuracy"] > row["accuracy"]
            for o in table
        )


def test_pareto_front_small_case():
    points = [(1.0, 0.5), (2.0, 0.9), (3.0, 0.8), (1.0, 0.4)]
    assert report.pareto_front(points) == {0, 1}


def test_failure_midway_leaves_no_output_dir(built, tmp_path, monkeypatch):
    data, figures = built

    def broken(blocks, images):
        raise RuntimeError("disk full")

    monkeypatch.setattr("nn_mapping.report_render.to_html", broken)
    target = tmp_path / "out"
    with pytest.raises(RuntimeError):
        report.write_report(data, figures, target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_failure_keeps_previous_report(built, tmp_path, monkeypatch):
    data, figures = built
    target = tmp_path / "out"
    target.mkdir()
    (target / "old.txt").write_text("keep")
    (target / OUTPUT_MARKER).write_text("a report written before")
    monkeypatch.setattr("nn_mapping.report_render.to_markdown", _raise)
    with pytest.raises(RuntimeError):
        report.write_report(data, figures, target)
    assert sorted(p.name for p in target.iterdir()) == [OUTPUT_MARKER, "old.txt"]


def test_a_folder_of_other_files_is_never_replaced(built, tmp_path, capsys):
    data, figures = built
    target = tmp_path / "thesis"
    target.mkdir()
    (target / "thesis.tex").write_text("months of work")
    with pytest.raises(InputError, match="out"):
        report.write_report(data, figures, target)
    assert [p.name for p in target.iterdir()] == ["thesis.tex"]
    (tmp_path / "file").write_text("x")
    code = cli.main(["report", "--out", str(tmp_path / "file")])
    assert code == 2 and "--out" in capsys.readouterr().err
    assert (tmp_path / "file").read_text() == "x"


def test_a_previous_report_is_replaced(built, tmp_path):
    data, figures = built
    target = tmp_path / "out"
    report.write_report(data, figures, target)
    (target / "stale.png").write_bytes(b"")
    report.write_report(data, figures, target)
    assert not (target / "stale.png").exists()
    assert (target / "report.json").is_file()


def _raise(*args):
    raise RuntimeError("boom")


def test_variants_are_distinct_and_follow_the_base():
    base = OpticalEnergyConfig(core_size=16)
    configs = report.optical_variants(base)
    assert len({c.name for c in configs}) == len(configs)
    assert all(c.core_size == 16 for c in configs)


def test_unknown_model_is_rejected():
    with pytest.raises(InputError, match="--model"):
        report.build_report(["resnet"])


def test_cli_default_writes_report_and_json(tmp_path, capsys):
    out = tmp_path / "r"
    args = ["report", "--model", "mlp-digits", "--out", str(out), "--json"]
    code = cli.main([*args, "--skip", "accuracy", "--skip", "devices"])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert "mlp-digits" in printed["models"]
    assert (out / "report.json").is_file()


def test_cli_bad_hardware_file_exits_2_and_writes_nothing(tmp_path, capsys):
    hardware = tmp_path / "hw.json"
    hardware.write_text(json.dumps({"laser_wall_plug": 1.5}))
    out = tmp_path / "r"
    code = cli.main(["report", "--hardware", str(hardware), "--out", str(out)])
    assert code == 2  # rejected while loading, before any simulation
    assert "laser_wall_plug" in capsys.readouterr().err
    assert not out.exists()


def test_cli_unknown_key_and_model(tmp_path, capsys):
    hardware = tmp_path / "hw.json"
    hardware.write_text(json.dumps({"colour": "blue"}))
    assert (
        cli.main(["report", "--hardware", str(hardware), "--out", str(tmp_path / "x")])
        == 2
    )
    assert "colour" in capsys.readouterr().err
    assert cli.main(["report", "--model", "resnet", "--out", str(tmp_path / "y")]) == 2


def test_default_out_dir_name():
    assert report_cli.DEFAULT_OUT == "photonics-report"


@pytest.mark.slow
def test_full_default_report_with_accuracy_and_devices(tmp_path, capsys):
    out = tmp_path / "full"
    code = cli.main(["report", "--model", "mlp-digits", "--out", str(out), "--json"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["accuracy"]["available"] and data["devices"]["available"]
    rows = data["accuracy"]["table"]
    best = max(r["accuracy"] for r in rows)
    worst = min(r["accuracy"] for r in rows)
    assert best > 0.9 and worst < 0.5
    names = ("pareto.png", "device_switch_s_curve.png", "device_logic_cascade.png")
    for name in (*names, "report.html"):
        assert (out / name).is_file()
    summary = data["devices"]["summaries"]["switch_s_curve"]
    assert 1.0 < summary["switching_energy_fJ"] < 10.0
    logic = data["devices"]["summaries"]["logic_cascade"]
    assert logic["cascade_correct"] and logic["AND"]["correct"]


def test_cli_without_model_reports_the_three_models(tmp_path, capsys):
    out = tmp_path / "r"
    code = cli.main(
        ["report", "--out", str(out), "--skip", "accuracy", "--skip", "devices"]
    )
    assert code == 0
    captured = capsys.readouterr()
    assert "pricing models" in captured.err  # the progress bar
    data = json.loads((out / "report.json").read_text())
    assert list(data["models"]) == [
        "mlp-digits",
        "transformer-block",
        "gpt2-small-layer",
    ]
    assert data["models"]["gpt2-small-layer"]["macs"] == 12 * 1024 * 768**2 + 2 * (
        1024**2 * 768
    )
    assert "--skip accuracy" in data["accuracy"]["reason"]
    assert "--skip devices" in data["devices"]["reason"]
    assert sorted(p.name for p in out.glob("*.png")) == sorted(data["figures"])
    markdown = (out / "report.md").read_text()
    for name in data["figures"]:
        assert f"]({name})" in markdown
    for model in data["models"].values():
        for entry in model["optical"] + model["electronic"]:
            assert f"| {entry['name']} |" in markdown
        assert {"A100 int8", "H100 fp8", "B200 bf16", "MAC array 45nm int8"} <= {
            e["name"] for e in model["electronic"]
        }


def test_figures_keep_a_readable_page_width(built):
    data, figures = built
    for name, figure in figures.items():
        width, height = figure.get_size_inches()
        assert width <= 8.0, name  # 110 dpi: under 900 px, shown unscaled
        assert height >= 3.0 * len(data["models"]) or name == "pareto.png", name
