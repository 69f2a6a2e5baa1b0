"""``photonics bench``: the speed benchmarks, as ratios against same-process baselines.

Runs the suites of the repository's ``benchmarks/`` folder: ``bench_mesh.py``
(decomposition and propagation), ``bench_devices.py`` (device sweeps against a
``solve_ivp`` loop) and ``bench_mapper.py`` (the compiled program against ``x @ W``),
each skipped with a logged note when its file is missing. Every row has ``name``,
``seconds``, ``baseline``, ``baseline_seconds`` and ``ratio = seconds /
baseline_seconds`` (below 1: faster than the baseline), plus ``speedup`` (the inverse)
and suite-specific extras.

``benchmarks/`` is not installed with the distribution: it is found next to the
package in a source checkout, or in the folder named by ``$PHOTONICS_BENCHMARKS``.
"""

import importlib.util
import logging
import os
import sys
import time
from pathlib import Path

from photonics import cli_tools
from photonics.cli_tools import print_text
from photonics.errors import input_error

logger = logging.getLogger(__name__)

SUITES = {
    "mesh": "bench_mesh.py",
    "devices": "bench_devices.py",
    "mapper": "bench_mapper.py",
}
ENV_VAR = "PHOTONICS_BENCHMARKS"


def register(subparsers):
    """Add the ``bench`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "bench",
        help="speed benchmarks as ratios against baselines run in the same process",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes (about a minute)"
    )
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.add_argument(
        "--suite",
        action="append",
        choices=sorted(SUITES),
        help="run only this suite (repeatable; default: all)",
    )
    parser.add_argument(
        "--sizes", help="comma-separated mesh sizes N for the mesh suite"
    )
    parser.add_argument(
        "--batch", type=int, default=None, help="propagation batch (default 1024)"
    )
    parser.add_argument(
        "--decompose-max-n", type=int, help="skip mesh decompositions above this N"
    )
    parser.add_argument("--out", metavar="DIR", help="also write bench.json here")
    parser.set_defaults(handler=run)


def add_arguments(parser):
    """The options of ``photonics bench``, for scripts that run it without the CLI."""
    subparsers = parser.add_subparsers(dest="command")
    register(subparsers)


def benchmarks_dir():
    """The ``benchmarks/`` folder: ``$PHOTONICS_BENCHMARKS`` or the source checkout.

    Raises:
        InputError: if no such folder exists (an installed wheel without the
            repository).
    """
    override = os.environ.get(ENV_VAR)
    folder = Path(override) if override else Path(__file__).parents[1] / "benchmarks"
    if not (folder / SUITES["mesh"]).is_file():
        raise input_error(
            "benchmarks",
            f"a folder holding {SUITES['mesh']}",
            str(folder),
            f"run from a source checkout or set ${ENV_VAR}",
        )
    return folder


def load_suite(folder, name):
    """Import ``benchmarks/<file>`` of suite ``name`` by path, or ``None`` if absent."""
    path = folder / SUITES[name]
    if not path.is_file():
        logger.warning("bench: suite %r skipped, %s not found", name, path)
        return None
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parse_sizes(text):
    if text is None:
        return None
    try:
        sizes = tuple(int(s) for s in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise input_error("--sizes", "comma-separated positive integers", repr(text))
    return sizes


def _jobs(args):
    folder = benchmarks_dir()
    sizes = _parse_sizes(args.sizes)
    jobs = []
    for name in args.suite or list(SUITES):
        module = load_suite(folder, name)
        if module is None:
            continue
        if name == "mesh":
            batch = args.batch or module.BATCH
            jobs += module.tasks(args.quick, sizes, batch, args.decompose_max_n)
        else:
            jobs.append((name, lambda m=module: m.run(args.quick)))
    return jobs


def normalise(record):
    """``record`` with ``ratio = seconds / baseline_seconds`` and ``speedup``.

    Suites written before the convention was fixed may report the inverse ratio; the
    two times are the source of truth.
    """
    record = dict(record)
    seconds, baseline = float(record["seconds"]), float(record["baseline_seconds"])
    record["ratio"] = seconds / baseline
    record["speedup"] = baseline / seconds
    return record


def run(args):
    """Run the selected suites; print a table (or the JSON list); returns 0."""
    start = time.perf_counter()
    rows = []
    jobs = _jobs(args)
    for label, job in cli_tools.progress(jobs, "bench", total=len(jobs)):
        logger.info("bench: %s", label)
        rows += [normalise(r) for r in job()]
    logger.info("bench: %d rows in %.1f s", len(rows), time.perf_counter() - start)
    if args.out:
        _write(args.out, rows)
    if args.json:
        cli_tools.print_json(rows)
    else:
        print_text(_table(rows))
    return 0


def _write(out, rows):
    import io

    Path(out).mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    cli_tools.print_json(rows, file=buffer)
    cli_tools.write_atomic(Path(out) / "bench.json", buffer.getvalue())


def _table(rows):
    headers = ["benchmark", "seconds", "baseline", "baseline s", "ratio"]
    cells = [
        [r["name"], r["seconds"], r["baseline"], r["baseline_seconds"], r["ratio"]]
        for r in rows
    ]
    note = "ratio = seconds / baseline seconds (below 1: faster than the baseline)"
    return cli_tools.format_table(cells, headers) + "\n" + note
