"""Speed of the mapper: compiling a weight onto 64 x 64 cores, and running it.

* ``compile``: trace ``x @ W.T``, SVD every tile, decompose both unitaries of every
  tile onto Clements meshes (one batched call), sample the chip and build the
  transfer matrices, calibrate the converters. The baseline is numpy's SVD of the
  same dense weight in this process; the target (``target_seconds``) is 5 s for a
  1024 x 1024 weight, first compile in a fresh process.
* ``execute``: the compiled program (DAC, imperfect cores, shot and thermal noise,
  ADC, electronic partial sums) on a batch of inputs, against the same ``x @ W.T``
  jit-compiled in JAX in this process; the target ratio (``target_ratio``) is 10.

Run ``python benchmarks/bench_mapper.py [--quick]``; :func:`run` returns the rows.
"""

import argparse
import json
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np

from nn_mapping.hardware import Hardware
from nn_mapping.program import compile_function

COMPILE_TARGET_S = 5.0
EXECUTE_TARGET_RATIO = 10.0


def _best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn())
        times.append(time.perf_counter() - start)
    return min(times)


def _compile(n, batch):
    w = np.random.default_rng(0).normal(size=(n, n)).astype(np.float32)
    x = jnp.asarray(np.random.default_rng(1).uniform(-1, 1, (batch, n)), jnp.float32)

    def layer(x):
        return x @ w.T

    start = time.perf_counter()
    program = compile_function(
        layer, x, hardware=Hardware(core_size=64), key=jax.random.key(0)
    )
    seconds = time.perf_counter() - start
    return program, layer, x, seconds


def run(quick=False):
    """Measure compile and execution times.

    Args:
        quick: use a 256 x 256 weight and a batch of 256 instead of 1024.

    Returns:
        A list of dicts with ``name``, ``seconds``, ``baseline``,
        ``baseline_seconds``, ``ratio``, and the issue's target (``target_seconds``
        or ``target_ratio``).
    """
    n = 256 if quick else 1024
    program, layer, x, compile_s = _compile(n, n)
    w = np.random.default_rng(0).normal(size=(n, n))
    svd_s = _best_of(lambda: np.linalg.svd(w), 3)
    key = jax.random.key(1)
    optical = _best_of(lambda: program(x, key=key), 1)  # includes jit compilation
    optical = _best_of(lambda: program(x, key=key), 5)
    dense = jax.jit(layer)
    _best_of(lambda: dense(x), 1)
    baseline = _best_of(lambda: dense(x), 5)
    return [
        {
            "name": f"mapper.compile {n}x{n} onto 64x64 cores",
            "seconds": compile_s,
            "baseline": "numpy SVD of the dense weight (float64)",
            "baseline_seconds": svd_s,
            "ratio": compile_s / svd_s,
            "target_seconds": COMPILE_TARGET_S,
        },
        {
            "name": f"mapper.execute batch {n} on {n}x{n}",
            "seconds": optical,
            "baseline": "jax x @ W.T (jit, float32)",
            "baseline_seconds": baseline,
            "ratio": optical / baseline,
            "target_ratio": EXECUTE_TARGET_RATIO,
        },
    ]


def main():
    """Print the benchmark rows as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    rows = run(parser.parse_args().quick)
    sys.stdout.write(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
