"""Speed of the mapper: compiling a weight onto 64 x 64 cores, and running it.

* ``compile``: trace ``x @ W.T``, SVD every tile, decompose both unitaries of every
  tile onto Clements meshes (one batched call), sample the chip and build the
  transfer matrices, calibrate the converters. The baseline is numpy's SVD of the
  same dense weight in this process; the target (``target_seconds``) is 5 s for a
  1024 x 1024 weight. ``first_call`` tells the first compile in a fresh process
  (including XLA compilation of the kernels) from a warm one: a second, different
  weight of the same shape compiled afterwards, which reuses the compiled kernels.
* ``execute``: the compiled program (DAC, imperfect cores, shot and thermal noise,
  ADC, partial sums) on a batch of inputs, against the same ``x @ W.T`` jit-compiled
  in JAX in this process; the target ratio (``target_ratio``) is 10. One row per
  accumulation of the partial sums (see :class:`nn_mapping.hardware.Hardware`):
  ``digital`` (one ADC and one noise draw per tile output, digitised partial sums
  added) and ``analog`` (tile rows integrated on the receiver, one noise draw and one
  ADC conversion per output).

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


def _compile(n, batch, seed=0, hardware=None):
    w = np.random.default_rng(seed).normal(size=(n, n)).astype(np.float32)
    x = jnp.asarray(np.random.default_rng(1).uniform(-1, 1, (batch, n)), jnp.float32)
    hardware = Hardware(core_size=64) if hardware is None else hardware

    def layer(x):
        return x @ w.T

    start = time.perf_counter()
    program = compile_function(layer, x, hardware=hardware, key=jax.random.key(0))
    seconds = time.perf_counter() - start
    return program, layer, x, seconds


def _execute_seconds(program, x):
    key = jax.random.key(1)
    _best_of(lambda: program(x, key=key), 1)  # jit compilation
    return _best_of(lambda: program(x, key=key), 5)


def _compile_row(n, seconds, svd_s, first_call):
    which = "first" if first_call else "warm (second weight, same shape)"
    return {
        "name": f"mapper.compile {n}x{n} onto 64x64 cores"
        + ("" if first_call else ", warm"),
        "seconds": seconds,
        "baseline": "numpy SVD of the dense weight (float64)",
        "baseline_seconds": svd_s,
        "ratio": seconds / svd_s,
        "target_seconds": COMPILE_TARGET_S,
        "first_call": first_call,
        "note": f"{which} compile in this process",
    }


def _execute_row(name, seconds, baseline):
    return {
        "name": name,
        "seconds": seconds,
        "baseline": "jax x @ W.T (jit, float32)",
        "baseline_seconds": baseline,
        "ratio": seconds / baseline,
        "target_ratio": EXECUTE_TARGET_RATIO,
    }


def run(quick=False):
    """Measure compile and execution times.

    Args:
        quick: use a 256 x 256 weight and a batch of 256 instead of 1024.

    Returns:
        A list of dicts with ``name``, ``seconds``, ``baseline``,
        ``baseline_seconds``, ``ratio``, and the issue's target (``target_seconds``
        or ``target_ratio``); compile rows also carry ``first_call``. The rows are
        the first compile, digital execution, analog execution and a warm compile.
    """
    n = 256 if quick else 1024
    program, layer, x, compile_s = _compile(n, n)
    w = np.random.default_rng(0).normal(size=(n, n))
    svd_s = _best_of(lambda: np.linalg.svd(w), 3)
    optical = _execute_seconds(program, x)
    dense = jax.jit(layer)
    _best_of(lambda: dense(x), 1)
    baseline = _best_of(lambda: dense(x), 5)
    *_, warm_s = _compile(n, n, seed=2)
    analog_hw = Hardware(core_size=64, accumulation="analog")
    analog, *_ = _compile(n, n, hardware=analog_hw)
    analog_s = _execute_seconds(analog, x)
    name = f"mapper.execute batch {n} on {n}x{n}"
    return [
        _compile_row(n, compile_s, svd_s, first_call=True),
        _execute_row(name, optical, baseline),
        _execute_row(f"{name}, analog accumulation", analog_s, baseline),
        _compile_row(n, warm_s, svd_s, first_call=False),
    ]


def main():
    """Print the benchmark rows as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    rows = run(parser.parse_args().quick)
    sys.stdout.write(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
