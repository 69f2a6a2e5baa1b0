"""The device-physics example notebook runs top to bottom."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parents[2] / "examples" / "device_physics.ipynb"


@pytest.mark.slow
def test_device_physics_notebook_executes():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # Run from the repository root, where the packages are importable as source.
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute(
        cwd=str(NOTEBOOK.parents[1])
    )
