"""``photonics bench`` on a tiny subset: JSON rows, table, errors, ratio convention."""

import json

import pytest

from nn_mapping import bench_cli
from photonics.cli import main


def test_tiny_mesh_suite_prints_json_rows(capsys):
    code = main(["bench", "--suite", "mesh", "--sizes", "4", "--batch", "8", "--json"])
    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {r["baseline"] for r in rows} >= {
        "numpy.linalg.qr (complex128)",
        "dense complex64 matmul x @ U.T (jit, realised U)",
    }
    for r in rows:
        assert isinstance(r["name"], str) and r["seconds"] > 0
        assert r["ratio"] == pytest.approx(r["seconds"] / r["baseline_seconds"])
    propagate = [r for r in rows if r["name"].startswith("propagate columns N=4")]
    assert propagate[0]["mzi_ops_per_s"] > 0


def test_table_and_out_file(capsys, tmp_path):
    args = ["bench", "--suite", "mesh", "--sizes", "2", "--batch", "4"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "decompose N=2" in out and "ratio" in out
    assert json.loads((tmp_path / "bench.json").read_text())


def test_missing_benchmarks_folder_is_a_one_line_error(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv(bench_cli.ENV_VAR, str(tmp_path))
    assert main(["bench", "--quick"]) == 2
    err = capsys.readouterr().err
    assert "benchmarks" in err and "Traceback" not in err


def test_bad_sizes_are_rejected(capsys):
    assert main(["bench", "--sizes", "4,x"]) == 2
    assert "--sizes" in capsys.readouterr().err


def test_missing_suite_is_skipped_with_a_note(tmp_path, caplog):
    (tmp_path / "bench_mesh.py").write_text("BATCH = 1\n")
    assert bench_cli.load_suite(tmp_path, "devices") is None
    assert "devices" in caplog.text


def test_normalise_recomputes_an_inverse_ratio():
    record = {"name": "x", "seconds": 2.0, "baseline": "b", "baseline_seconds": 8.0}
    record = bench_cli.normalise({**record, "ratio": 4.0})
    assert record["ratio"] == 0.25 and record["speedup"] == 4.0
