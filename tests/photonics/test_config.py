"""Importing the packages leaves JAX's global configuration alone."""

import subprocess
import sys

CODE = """
import jax
before = jax.config.jax_enable_x64
import photonics, devices, nn_mapping, photonics.decompose
import numpy as np
mesh = photonics.decompose(np.eye(3))
assert jax.config.jax_enable_x64 == before, "x64 flag changed"
out = photonics.propagate(mesh, np.ones((2, 3)))
assert out.dtype == jax.numpy.complex64, out.dtype
print("ok")
"""


def test_import_and_decompose_keep_x64_off():
    proc = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
