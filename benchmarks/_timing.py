"""Timing helpers shared by the benchmark scripts.

Every figure is the best of ``repeats`` runs after ``warmup`` runs (which absorb
compilation), with :func:`jax.block_until_ready` on the result, so that asynchronous
dispatch is not mistaken for speed. The best of several runs is the least disturbed by
other processes on a loaded machine.
"""

import time

import jax


def first_call(fn, *args):
    """Seconds of the first call of ``fn(*args)`` (tracing, compilation and run)."""
    start = time.perf_counter()
    jax.block_until_ready(fn(*args))
    return time.perf_counter() - start


def best_of(fn, *args, repeats=5, warmup=1):
    """Best wall-clock seconds of ``fn(*args)`` over ``repeats`` runs after warm-up."""
    for _ in range(warmup):
        jax.block_until_ready(fn(*args))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        jax.block_until_ready(fn(*args))
        best = min(best, time.perf_counter() - start)
    return best


def row(name, seconds, baseline, baseline_seconds, **extras):
    """One benchmark record; ``ratio = seconds / baseline_seconds`` (< 1: faster).

    ``speedup`` is the inverse, the baseline's time over ours.
    """
    return {
        "name": name,
        "seconds": float(seconds),
        "baseline": baseline,
        "baseline_seconds": float(baseline_seconds),
        "ratio": float(seconds) / float(baseline_seconds),
        "speedup": float(baseline_seconds) / float(seconds),
        **extras,
    }
