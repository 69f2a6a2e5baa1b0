"""photonics: the optical core of photonics-jax.

Units and constants (:mod:`photonics.units`), 2x2 components, mesh topologies, unitary
decompositions, field propagation, imperfections, metrics and plots. The package never
changes JAX's global configuration; decompositions run in float64 inside a local x64
context and propagation works in the precision of its inputs.
"""

__version__ = "0.1.0"
