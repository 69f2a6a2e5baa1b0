"""``photonics compile --model tiny-transformer``: attention on optical hardware.

``photonics compile --model tiny-transformer [--engine NAME] [--core N] [--bits B]
[--power-mW P] [--phase-error RAD] [--mesh clements|reck] [--detection MODE]
[--seed S] [--json] [--out DIR]`` trains the tiny digits transformer
(:mod:`nn_mapping.transformer`, a few seconds), compiles it with its projections and
MLP on meshes and its attention products on ``--engine``, and reports every mapped
op (shape, kind, role, engine, tiles, relative error; programming cost on the
reprogrammed mesh) and the test accuracy of the digital and the optical program.
:mod:`photonics.cli` dispatches here; :func:`add_arguments` adds ``--engine`` (and
the shared hardware options if no other extension has).
"""

import json

from nn_mapping import attention, compile_cli
from photonics.checks import check_choice
from photonics.cli_tools import print_json, print_text, write_atomic

DEFAULT_CORE = 16
_OP_KEYS = ("name", "shape", "kind", "role", "engine", "tiles")


def add_arguments(parser):
    """Add ``--engine`` and the mapper's shared options to the ``compile`` parser."""
    compile_cli.add_arguments(parser)
    compile_cli.add_option(
        parser,
        "--engine",
        default=None,
        choices=attention.ENGINE_CHOICES,
        help="engine of the attention products of --model tiny-transformer "
        "(default crossbar; auto: cheapest by the energy ledger)",
    )


def hardware_from_args(args):
    """The :class:`Hardware` of the command-line options (validated; 16-mode cores
    unless ``--core`` says otherwise)."""
    return compile_cli.hardware_from_args(args, DEFAULT_CORE)


def _ops(result):
    rows = compile_cli.op_rows(result, _OP_KEYS)
    for row, op in zip(rows, result["ops"], strict=True):
        if "programming" in op:
            row["programming"] = op["programming"]
    return rows


def tiny_transformer_report(engine, hardware, seed=0):
    """Compile the tiny transformer: its mapped ops and accuracies (a JSON dict).

    ``ops`` lists every traced matmul with ``name, shape, kind, role, engine,
    tiles`` and ``error`` (relative error of the op on the test set against the
    exact product of its operands; ``None`` when electronic); ops on the
    reprogrammed mesh also carry ``programming`` (shifters set, settling time and
    energy per call). ``accuracy`` holds the ``digital`` and ``optical`` test
    accuracy, their ``drop`` and the logits' ``output_error``.
    """
    check_choice("--engine", engine, attention.ENGINE_CHOICES)
    result = attention.tiny_transformer_accuracy(
        engine, hardware=hardware, seed=seed, errors=True
    )
    return {
        "model": "tiny-transformer",
        "engine": engine,
        "ops": _ops(result),
        "accuracy": compile_cli.accuracy_summary(result),
        "hardware": {
            "core": hardware.core_size,
            "mesh": hardware.mesh,
            "bits": hardware.adc_bits,
            "power_mW": hardware.power_mW,
            "phase_error_std_rad": hardware.phase_error_std_rad,
            "detection": hardware.detection,
        },
    }


def run_tiny_transformer(args):
    """``photonics compile --model tiny-transformer``: print the report; exit code."""
    hardware = hardware_from_args(args)
    engine = getattr(args, "engine", None) or "crossbar"
    result = tiny_transformer_report(engine, hardware, getattr(args, "seed", 0))
    out = getattr(args, "out", None)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / "compile.json", json.dumps(result, default=str))
    if getattr(args, "json", False):
        print_json(result)
    else:
        print_text(compile_cli.model_text(result, ("role", "engine", "tiles")))
    return 0
