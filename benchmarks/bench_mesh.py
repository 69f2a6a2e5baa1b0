"""Speed of the mesh core against the best alternatives, measured in the same process.

Each row is ``ratio = seconds / baseline_seconds`` (below 1: faster than the baseline):

* decomposition (:func:`photonics.decompose`, Clements) against the ``interferometer``
  package (when installed, up to a size cap: it scales as O(N^5)), against neurophox
  (when it imports; it needs TensorFlow) and against a numpy QR of the same size (an
  O(N^3) dense factorisation, the floor for any decomposition);
* propagation of a batch through an ``N``-mode mesh (column by column, through the
  transfer matrix, the cost-based choice, and the Pallas kernel where it compiles, on
  GPUs) against one dense complex matmul ``x @ U.T`` of the same shape (the floor),
  and the cost-based choice against neurophox's numpy mesh (when it imports);
* first-call (compile) time of propagation against that of the dense matmul.

Run as a script (``python benchmarks/bench_mesh.py [--quick]``), through
``photonics bench``, or call :func:`run`.
"""

import argparse
import functools
import json
import logging

import jax
import jax.numpy as jnp
import numpy as np
from _timing import best_of, first_call, row

import photonics as ph
from photonics.pallas_mesh import default_interpret, propagate_pallas

logger = logging.getLogger(__name__)

FULL_SIZES = (8, 16, 32, 64, 128, 256, 512, 1024)
QUICK_SIZES = (8, 32, 64, 256)
BATCH = 1024
INTERFEROMETER_MAX_N = {True: 32, False: 64}
NEUROPHOX_MAX_N = {True: 64, False: 256}


def _unitary(n):
    return ph.random_unitary(jax.random.key(n), n)


def _repeats(n):
    return 5 if n <= 64 else 3 if n <= 256 else 1


@functools.cache
def _optional(module):
    """Import an optional baseline package, or ``None`` with a logged note."""
    try:
        return __import__(module, fromlist=["_"])
    except Exception as error:  # a broken optional install must not stop the suite
        logger.warning("baseline %s skipped: %s", module, error)
        return None


def _numpy_qr_seconds(n):
    rng = np.random.default_rng(n)
    matrix = rng.normal(size=(n, n)) + 1j * rng.normal(size=(n, n))
    return best_of(np.linalg.qr, matrix, repeats=_repeats(n))


def bench_decompose(n, quick):
    """Decomposition rows at size ``n``: numpy QR, interferometer, neurophox."""
    unitary = _unitary(n)
    ours = best_of(ph.decompose, unitary, repeats=_repeats(n))
    label = f"decompose N={n} (clements)"
    rows = [row(label, ours, "numpy.linalg.qr (complex128)", _numpy_qr_seconds(n), n=n)]
    itf = _optional("interferometer")
    if itf is not None and n <= INTERFEROMETER_MAX_N[quick]:
        seconds = best_of(itf.square_decomposition, unitary, repeats=1, warmup=0)
        rows.append(
            row(label, ours, "interferometer.square_decomposition", seconds, n=n)
        )
    return rows + _neurophox_decompose(label, ours, unitary, quick)


def _neurophox_decompose(label, ours, unitary, quick):
    helpers = _optional("neurophox.helpers")
    n = unitary.shape[0]
    if helpers is None or n > NEUROPHOX_MAX_N[quick]:
        return []
    seconds = best_of(
        helpers.clements_decomposition, np.asarray(unitary), repeats=1, warmup=0
    )
    return [row(label, ours, "neurophox clements_decomposition", seconds, n=n)]


def _neurophox_propagate(mesh, x, seconds, quick):
    """neurophox's numpy rectangular mesh (complex128) on the same batch; capped in
    size, as it holds every column's (B, N) fields (about 7 GB at N = 512)."""
    nph = _optional("neurophox.numpy")
    n, batch = mesh.n_modes, x.shape[0]
    if nph is None or n < 2 or n > NEUROPHOX_MAX_N[quick]:
        return []
    layer = nph.RMNumpy(n)
    fields = np.asarray(x)
    theirs = best_of(layer.transform, fields, repeats=_repeats(n))
    name = f"propagate auto N={n} batch={batch}"
    return [row(name, seconds, "neurophox RMNumpy.transform", theirs, n=n, batch=batch)]


def _propagators():
    methods = {
        m: jax.jit(functools.partial(ph.propagate, method=m))
        for m in ("columns", "matrix", "auto")
    }
    if not default_interpret():
        methods["pallas"] = propagate_pallas
    return methods


#: The imperfect chip every propagation benchmark runs on (loss, coupler and phase
#: errors, thermal crosstalk, 10-bit phases): the dense floor gets its realised matrix.
CHIP = ph.Imperfections(
    loss_dB=0.2,
    splitter_error_std=0.02,
    phase_error_std_rad=0.01,
    phase_bits=10,
    crosstalk=0.01,
)


def bench_propagate(n, batch=BATCH, quick=False):
    """Propagation rows at size ``n`` on an imperfect chip: each method against a
    dense matmul with the chip's realised matrix."""
    mesh = ph.decompose(_unitary(n)).astype(jnp.float32)
    chip = ph.sample_chip(jax.random.key(1), mesh, CHIP)
    x = jax.random.normal(jax.random.key(0), (batch, n)).astype(jnp.complex64)
    matrix = ph.transfer_matrix(mesh, chip)
    dense = jax.jit(lambda x, u: x @ u.T)
    floor = best_of(dense, x, matrix, repeats=_repeats(n))
    rows = []
    for method, fn in _propagators().items():
        seconds = best_of(fn, mesh, x, chip, repeats=_repeats(n))
        ops = batch * mesh.mzi_count / seconds
        rows.append(
            row(
                f"propagate {method} N={n} batch={batch}",
                seconds,
                "dense complex64 matmul x @ U.T (jit, realised U)",
                floor,
                n=n,
                batch=batch,
                mzi_ops_per_s=ops,
            )
        )
    auto = next(r["seconds"] for r in rows if r["name"].startswith("propagate auto"))
    return rows + _neurophox_propagate(mesh, x, auto, quick)


def bench_first_call(n, batch=BATCH):
    """First-call (trace + compile + run) time of propagation and of a dense matmul."""
    mesh = ph.decompose(_unitary(n)).astype(jnp.float32)
    x = jnp.ones((batch, n), jnp.complex64)
    matrix = ph.transfer_matrix(mesh)
    fresh = jax.jit(lambda m, x: ph.propagate(m, x, method="columns"))
    ours = first_call(fresh, mesh, x)
    floor = first_call(jax.jit(lambda x, u: x @ u.T), x, matrix)
    name = f"propagate columns first call N={n} batch={batch}"
    return [row(name, ours, "dense matmul first call", floor, n=n, batch=batch)]


def tasks(quick=False, sizes=None, batch=BATCH, decompose_max_n=None):
    """``(label, thunk)`` pairs; each thunk returns a list of rows.

    ``decompose_max_n`` skips decompositions above that size (their sequential
    Givens loop is slow on GPUs, where the benchmark is about propagation).
    """
    sizes = sizes or (QUICK_SIZES if quick else FULL_SIZES)
    cap = decompose_max_n or max(sizes)
    jobs = []
    for n in sizes:
        if n <= cap:
            decompose = functools.partial(bench_decompose, n, quick)
            jobs.append((f"decompose N={n}", decompose))
        propagate = functools.partial(bench_propagate, n, batch, quick)
        jobs.append((f"propagate N={n}", propagate))
    middle = sizes[len(sizes) // 2]
    jobs.append(("first call", functools.partial(bench_first_call, middle, batch)))
    return jobs


def run(quick=False, sizes=None, batch=BATCH, decompose_max_n=None):
    """All rows of the mesh benchmarks (see the module docstring)."""
    jobs = tasks(quick, sizes, batch, decompose_max_n)
    return [r for _, job in jobs for r in job()]


def main():
    """Print the rows as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N up to 256")
    args = parser.parse_args()
    print(json.dumps(run(args.quick), indent=2))


if __name__ == "__main__":
    main()
