"""Test configuration.

The tests run with JAX's 64-bit mode on (set here, for the test process only; the
library never changes it) so that float64 paths can be checked; float32 paths are
tested by passing float32 inputs explicitly. ``tests/photonics/test_config.py`` checks
in a fresh process that importing the packages leaves the flag alone.
"""

import jax

jax.config.update("jax_enable_x64", True)
