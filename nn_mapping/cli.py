"""``photonics compile``: decompose a unitary, map a matrix, or compile a model.

* ``photonics compile --random N [--mesh clements|reck] [--seed S] [--json]`` and
  ``photonics compile MATRIX.npy [...]`` decompose a unitary onto a mesh and report the
  MZI count, depth, reconstruction error and time.
* ``--svd`` (arbitrary matrices) and ``--model NAME`` (whole models) are handled by
  :mod:`nn_mapping.compile_cli`; ``--model tiny-transformer`` by
  :mod:`nn_mapping.attention_cli`.
"""

import importlib
import time
from pathlib import Path

import jax
import numpy as np

from photonics import decompose, max_element_error, random_unitary, transfer_matrix
from photonics.checks import check_int
from photonics.cli_tools import format_table, print_json
from photonics.errors import input_error
from photonics.topology import TOPOLOGIES

_EXTENSIONS = ("nn_mapping.compile_cli", "nn_mapping.attention_cli")


def _extensions():
    modules = []
    for name in _EXTENSIONS:
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
    return modules


def register_compile(subparsers):
    """Add the ``compile`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "compile",
        help="decompose a unitary onto an MZI mesh, map a matrix, or compile a model",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("matrix", nargs="?", help="a .npy file holding the matrix")
    parser.add_argument("--random", type=int, metavar="N", help="a Haar-random N x N")
    parser.add_argument("--mesh", default="clements", help="clements (default) or reck")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out", type=Path, help="directory for files and figures")
    for module in _extensions():
        module.add_arguments(parser)
    parser.set_defaults(handler=run_compile)


def run_compile(args):
    """Dispatch ``photonics compile`` to the unitary, SVD or model path."""
    model = getattr(args, "model", None)
    if model == "tiny-transformer":
        return importlib.import_module(_EXTENSIONS[1]).run_tiny_transformer(args)
    if model is not None:
        return importlib.import_module(_EXTENSIONS[0]).run_model(args)
    if getattr(args, "svd", False):
        return importlib.import_module(_EXTENSIONS[0]).run_svd(args)
    return run_unitary(args)


def load_matrix(path):
    """Load a matrix from a ``.npy`` file, as an InputError-friendly operation."""
    path = Path(path)
    if not path.is_file():
        raise input_error("MATRIX", "an existing .npy file", f"{str(path)!r} (missing)")
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError) as error:
        raise input_error(
            "MATRIX", "a readable .npy file", f"{path}: {error}"
        ) from None


def _target(args):
    if (args.matrix is None) == (args.random is None):
        raise input_error("MATRIX / --random", "exactly one of them", "both or neither")
    if args.random is not None:
        n = check_int("--random", args.random, minimum=1)
        return random_unitary(jax.random.key(args.seed), n)
    return load_matrix(args.matrix)


def run_unitary(args):
    """Decompose the target unitary and report its mesh."""
    if args.mesh not in TOPOLOGIES:
        raise input_error("--mesh", f"one of {', '.join(TOPOLOGIES)}", repr(args.mesh))
    target = _target(args)
    start = time.perf_counter()
    mesh = decompose(target, args.mesh)
    seconds = time.perf_counter() - start
    with jax.enable_x64(True):
        error = float(max_element_error(target, transfer_matrix(mesh)))
    result = {
        "n_modes": mesh.n_modes,
        "mesh": mesh.topology,
        "mzi_count": mesh.mzi_count,
        "depth": mesh.depth,
        "reconstruction_error": error,
        "seconds": seconds,
    }
    if args.json:
        print_json(result)
    else:
        print(format_table([[k, v] for k, v in result.items()], ["quantity", "value"]))
    return 0
