"""The mapper's modes of ``photonics compile``: ``--svd`` and ``--model``.

* ``photonics compile MATRIX.npy --svd`` (or ``--svd --random N``: a Gaussian N x N
  matrix) maps an arbitrary matrix onto tiled cores and reports the reconstruction
  error on ideal hardware and the output error on the given hardware.
* ``photonics compile --model mlp-digits [--core N] [--bits B] [--power-mW P]
  [--phase-error RAD] [--json]`` trains the digits MLP (about a second), compiles it,
  and reports the mapped ops (shape, engine, tiles, relative error on the test set)
  and the accuracy of the optical program against the digital one.

:mod:`nn_mapping.cli` owns the parser and calls :func:`add_arguments`,
:func:`run_svd` and :func:`run_model`.
"""

import time

import jax
import jax.numpy as jnp
import numpy as np

from nn_mapping import accuracy, tiling
from nn_mapping.hardware import DETECTIONS, MESHES, Hardware
from nn_mapping.program import compile_matrix
from photonics.checks import check_choice, check_int, check_positive
from photonics.cli_tools import format_table, print_json, print_text, write_atomic
from photonics.errors import input_error

MODELS = ("mlp-digits",)
DEFAULT_CORE = {"svd": 64, "mlp-digits": 16}
_TEST_VECTORS = 256


def add_option(parser, flag, **options):
    """Add ``flag`` to ``parser`` unless an extension already did (shared options)."""
    if flag not in parser._option_string_actions:
        parser.add_argument(flag, **options)


def add_arguments(parser):
    """Add the ``--svd`` and ``--model`` options to the ``compile`` parser."""
    add_option(
        parser, "--svd", action="store_true", help="map an arbitrary matrix (SVD)"
    )
    add_option(
        parser,
        "--model",
        metavar="NAME",
        help="compile a model: mlp-digits or tiny-transformer",
    )
    add_option(
        parser, "--core", type=int, metavar="N", help="core size (64; 16 for models)"
    )
    add_option(
        parser, "--bits", type=int, default=8, help="DAC and ADC bits (default 8)"
    )
    add_option(
        parser,
        "--power-mW",
        dest="power_mW",
        type=float,
        default=1.0,
        help="optical power per input at full scale, mW (default 1)",
    )
    add_option(
        parser,
        "--phase-error",
        dest="phase_error_rad",
        type=float,
        default=0.0,
        help="static phase error per shifter, rad (default 0)",
    )
    add_option(parser, "--detection", default="coherent", help="coherent or intensity")


def hardware_from_args(args, default_core):
    """The :class:`Hardware` of the command-line options, each checked and named."""
    core = default_core if getattr(args, "core", None) is None else args.core
    core = check_int("--core", core, minimum=1)
    bits = check_int("--bits", args.bits, minimum=1, maximum=24)
    power = check_positive("--power-mW", args.power_mW)
    phase = check_positive("--phase-error", args.phase_error_rad, allow_zero=True)
    detection = check_choice("--detection", args.detection, DETECTIONS)
    mesh = check_choice("--mesh", getattr(args, "mesh", "clements"), MESHES)
    return Hardware(
        core_size=core,
        mesh=mesh,
        dac_bits=bits,
        adc_bits=bits,
        power_mW=power,
        phase_error_std_rad=phase,
        detection=detection,
    )


def _svd_target(args):
    from nn_mapping.cli import load_matrix

    if (args.matrix is None) == (getattr(args, "random", None) is None):
        raise input_error("MATRIX / --random", "exactly one of them", "both or neither")
    if args.random is not None:
        n = check_int("--random", args.random, minimum=1)
        return np.random.default_rng(args.seed).normal(size=(n, n))
    matrix = load_matrix(args.matrix)
    if matrix.ndim != 2:
        raise input_error("MATRIX", "a 2-D (M, K) matrix", f"shape {matrix.shape}")
    return matrix


def svd_report(matrix, hardware, seed=0):
    """Map ``matrix`` and measure its errors.

    Args:
        matrix: ``(M, K)`` real or complex matrix.
        hardware: the :class:`Hardware` for the output error.
        seed: seed of the chip, the test inputs and the noise.

    Returns:
        dict: ``shape``, ``core``, ``mesh``, ``tiles``, ``reconstruction_error``
        (relative Frobenius error of the matrix realised on ideal hardware),
        ``relative_error`` (of ``W x`` on ``hardware`` for uniform inputs in
        [-1, 1]), ``compile_seconds``.
    """
    m, k = matrix.shape
    tiling.check_fits("MATRIX", (m, k), hardware.core_size, hardware.n_cores)
    start = time.perf_counter()
    ideal = compile_matrix(matrix, Hardware.ideal(hardware.core_size, hardware.mesh))
    seconds = time.perf_counter() - start
    dtype = np.float64 if jax.config.jax_enable_x64 else np.float32
    realised = jax.vmap(ideal, out_axes=1)(jnp.eye(k, dtype=dtype))
    chip_key, input_key, noise_key = jax.random.split(jax.random.key(seed), 3)
    program = compile_matrix(matrix, hardware, chip_key)
    x = jax.random.uniform(input_key, (_TEST_VECTORS, k), dtype, -1.0, 1.0)
    keys = jax.random.split(noise_key, _TEST_VECTORS)
    y = jax.vmap(lambda xi, ki: program(xi, key=ki))(x, keys)
    return {
        "shape": [m, k],
        "core": hardware.core_size,
        "mesh": hardware.mesh,
        "tiles": tiling.tile_count(m, k, hardware.core_size),
        "reconstruction_error": accuracy.relative_error(realised, matrix),
        "relative_error": accuracy.relative_error(y, x @ jnp.asarray(matrix).T),
        "compile_seconds": seconds,
        "bits": hardware.adc_bits,
        "power_mW": hardware.power_mW,
        "phase_error_std_rad": hardware.phase_error_std_rad,
    }


def _emit(args, result, text):
    if getattr(args, "out", None) is not None:
        import json

        args.out.mkdir(parents=True, exist_ok=True)
        write_atomic(args.out / "compile.json", json.dumps(result, default=str))
    if args.json:
        print_json(result)
    else:
        print_text(text)


def run_svd(args):
    """``photonics compile --svd``: map an arbitrary matrix and report its errors."""
    hardware = hardware_from_args(args, DEFAULT_CORE["svd"])
    matrix = _svd_target(args)
    result = svd_report(matrix, hardware, args.seed)
    rows = [[key, value] for key, value in result.items()]
    _emit(args, result, format_table(rows, ["quantity", "value"]))
    return 0


def op_rows(result, keys):
    """The ``keys`` of every op of a result, with its relative ``error`` on the test
    set (``None`` for electronic ops)."""
    errors = result["errors"]["ops"]
    return [
        {**{k: op[k] for k in keys}, "error": errors.get(op["name"])}
        for op in result["ops"]
    ]


def accuracy_summary(result):
    """``digital``, ``optical``, ``drop`` and the logits' ``output_error``."""
    summary = {k: result[k] for k in ("digital", "optical", "drop")}
    summary["output_error"] = result["errors"]["output"]
    return summary


def model_report(name, hardware, seed=0):
    """Compile model ``name`` for ``hardware``: its ops and accuracies (a dict).

    ``ops`` lists every traced matmul with ``name, shape, kind, engine, tiles`` and
    ``error`` (relative Frobenius error of the op on the test set against the exact
    product of the same operands); ``accuracy`` holds the test accuracy of the
    ``digital`` (float32 JAX) and ``optical`` programs, their ``drop`` and the
    ``output_error`` of the logits against float32 JAX.
    """
    check_choice("--model", name, MODELS)
    result = accuracy.digits_mlp_accuracy(seed=seed, hardware=hardware, errors=True)
    return {
        "model": name,
        "ops": op_rows(result, ("name", "shape", "kind", "engine", "tiles")),
        "accuracy": accuracy_summary(result),
        "hardware": {
            "core": hardware.core_size,
            "mesh": hardware.mesh,
            "bits": hardware.adc_bits,
            "power_mW": hardware.power_mW,
            "phase_error_std_rad": hardware.phase_error_std_rad,
            "detection": hardware.detection,
        },
    }


def run_model(args):
    """``photonics compile --model NAME``: compile a model and report its accuracy."""
    check_choice("--model", args.model, MODELS)
    engine = getattr(args, "engine", None)
    if engine is not None:
        raise input_error(
            "--engine",
            "no engine for this model: it has no data-dependent products "
            "(only --model tiny-transformer takes --engine)",
            repr(engine),
        )
    hardware = hardware_from_args(args, DEFAULT_CORE[args.model])
    result = model_report(args.model, hardware, args.seed)
    _emit(args, result, model_text(result, ("engine", "tiles")))
    return 0


def _format_error(error):
    return "-" if error is None else f"{error:.2e}"


def model_text(result, columns):
    """The readable table of a model report: one row per op, then the accuracy."""
    rows = [
        [o["name"], "x".join(map(str, o["shape"]))]
        + [o[c] for c in columns]
        + [_format_error(o["error"])]
        for o in result["ops"]
    ]
    table = format_table(rows, ["op", "shape", *columns, "error"])
    acc = result["accuracy"]
    return (
        f"{table}\n\naccuracy: digital {acc['digital']:.4f}, "
        f"optical {acc['optical']:.4f} (drop {acc['drop']:+.4f}); "
        f"logits error {acc['output_error']:.2e}"
    )
