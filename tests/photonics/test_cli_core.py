"""The console script: version, plugin discovery, compile, one-line errors."""

import json
import subprocess
import sys

import numpy as np
import pytest
import scipy.stats

from photonics.cli import main


def run(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out.strip() == "0.1.0"


def test_compile_random_json(capsys):
    code, out, _ = run(["compile", "--random", "9", "--mesh", "reck", "--json"], capsys)
    result = json.loads(out)
    assert code == 0
    assert result["n_modes"] == 9 and result["mesh"] == "reck"
    assert result["mzi_count"] == 36 and result["depth"] == 15
    assert result["reconstruction_error"] < 1e-12 * 9
    assert result["seconds"] > 0


def test_compile_file(tmp_path, capsys):
    path = tmp_path / "u.npy"
    np.save(path, scipy.stats.unitary_group.rvs(5, random_state=0))
    code, out, _ = run(["compile", str(path), "--json"], capsys)
    assert code == 0 and json.loads(out)["mzi_count"] == 10


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["compile", "missing.npy"], "MATRIX: expected an existing .npy file"),
        (["compile", "--random", "0"], "--random"),
        (["compile", "--random", "4", "--mesh", "ring"], "--mesh"),
        (["compile"], "exactly one"),
    ],
)
def test_errors_are_one_line_exit_2(args, fragment, capsys):
    code, _, err = run(args, capsys)
    assert code == 2
    assert fragment in err and len(err.strip().splitlines()) == 1


def test_non_unitary_file_points_to_svd(tmp_path, capsys):
    path = tmp_path / "w.npy"
    np.save(path, np.ones((3, 3)))
    code, _, err = run(["compile", str(path)], capsys)
    assert code == 2 and "--svd" in err and "Traceback" not in err


def test_unreadable_file(tmp_path, capsys):
    path = tmp_path / "junk.npy"
    path.write_text("not a numpy file")
    code, _, err = run(["compile", str(path)], capsys)
    assert code == 2 and "MATRIX" in err


def test_console_script_lists_subcommands():
    proc = subprocess.run(
        [sys.executable, "-m", "photonics.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for name in ("compile", "report", "switch"):
        assert name in proc.stdout
