"""The ``photonics switch`` subcommand: characterise a polariton switch preset.

``photonics switch [--preset NAME] [--json] [--out DIR] [--list-presets]`` prints the
switching energy (fJ and photons), switching time, contrast and bistable window of a
preset; ``--out`` writes the S-curve, hysteresis loop, switching trace and phase
diagram as PNG files.
"""

import logging

import numpy as np

from photonics.cli_tools import format_table, print_json

logger = logging.getLogger(__name__)

DEFAULT_PRESET = "mose2-nanocavity"


def add_preset_arguments(parser, out_help):
    """Add ``--preset``, ``--json`` and ``--out`` shared by the device subcommands."""
    from devices.presets import preset_names

    parser.add_argument(
        "--preset",
        default=DEFAULT_PRESET,
        help=f"preset name, one of: {', '.join(preset_names())} (default: %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out", metavar="DIR", help=out_help)


def register_switch(subparsers):
    """Add the ``switch`` subparser (entry point ``photonics.commands: switch``)."""
    parser = subparsers.add_parser(
        "switch", help="characterise a polariton switch preset"
    )
    add_preset_arguments(parser, "write the four plots as PNG here")
    parser.add_argument(
        "--list-presets", action="store_true", help="list the presets and exit"
    )
    parser.set_defaults(handler=run_switch)


def run_switch(args):
    """Handle ``photonics switch``; returns the exit status."""
    import jax

    from devices.metrics import characterise
    from devices.presets import PRESETS, load_preset
    from photonics.cli_tools import check_output_directory

    if args.list_presets:
        for name, (_, _, description) in PRESETS.items():
            print(f"{name:20} {description}")
        return 0
    if args.out:
        check_output_directory(args.out, "--out")
    with jax.enable_x64(True):
        model, protocol = load_preset(args.preset)
        result = characterise(model, protocol, name=args.preset, rtol=1e-3)
        if args.out:
            _write_plots(args.out, model, result)
    summary = {k: v for k, v in result.items() if k not in ("trace", "setup")}
    if args.json:
        print_json(summary)
    else:
        print(_table(summary))
    return 0


def _table(summary):
    rows = [
        ["preset", summary["preset"], ""],
        ["switching energy", summary["switching_energy_fJ"], "fJ"],
        ["switching energy", summary["switching_energy_photons"], "photons"],
        ["switching time (10-90 %)", summary["switching_time_ps"], "ps"],
        ["contrast", summary["contrast_dB"], "dB"],
        ["lower fold power", summary["bistable_window"]["lower_fold_power_uW"], "µW"],
        ["upper fold power", summary["bistable_window"]["upper_fold_power_uW"], "µW"],
        ["holding power", summary["hold_power_uW"], "µW"],
        ["holding energy per bit", summary["holding_energy_per_bit_fJ"], "fJ"],
        ["energy-delay product", summary["energy_delay_product_Js"], "J·s"],
    ]
    return format_table(rows, ["quantity", "value", "unit"])


def _write_plots(out, model, result):
    import matplotlib

    matplotlib.use("Agg")

    from devices import plotting
    from devices.dynamics import hysteresis_loop
    from devices.sweeps import phase_diagram

    window = result["bistable_window"]
    loop = hysteresis_loop(model, 1.5 * window["upper_fold_power_uW"], 400.0)
    detuning = float(model.pump_energy_meV) - _lp(model)
    diagram = phase_diagram(
        model,
        np.linspace(0.0, 1.5 * detuning, 48),
        np.geomspace(0.1, 2.0, 64) * window["upper_fold_power_uW"],
    )
    figures = {
        "s_curve.png": lambda ax: plotting.plot_s_curve(model, ax),
        "hysteresis.png": lambda ax: plotting.plot_hysteresis(loop, ax),
        "switching_trace.png": lambda ax: plotting.plot_switching_trace(
            result["trace"], ax
        ),
        "phase_diagram.png": lambda ax: plotting.plot_phase_diagram(diagram, ax),
    }
    plotting.write_plots(out, figures)
    logger.info("wrote %d plots to %s", len(figures), out)


def _lp(model):
    from devices.params import lower_polariton_energy_meV

    return lower_polariton_energy_meV(
        float(model.cavity_energy_meV),
        float(model.exciton_energy_meV),
        float(model.rabi_meV),
    )
