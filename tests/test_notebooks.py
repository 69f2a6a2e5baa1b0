"""Every example notebook runs top to bottom (the slow CI step).

Notebooks are committed with their outputs cleared and run with ``examples/`` as the
working directory; no notebook reads or writes files outside a temporary folder.
"""

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def test_every_use_has_a_notebook():
    names = {path.stem for path in NOTEBOOKS}
    expected = {
        "mesh_core",
        "device_physics",
        "logic_gates",
        "compile_matmul",
        "attention",
        "energy_report",
        "optimise_layouts",
    }
    assert expected <= names


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(path, as_version=4)
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") for c in code_cells), "clear outputs first"
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3")
    client.execute(cwd=str(EXAMPLES))
