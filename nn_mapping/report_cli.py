"""``photonics report``: the energy and accuracy comparison report.

With no arguments it prices every model of :mod:`nn_mapping.workloads_zoo` on the
default optical hardware and the electronic baselines, and writes ``report.html``,
``report.md``, ``report.json`` and the PNG figures to ``photonics-report/``.
"""

import logging
import time

from nn_mapping import report, workloads_zoo
from photonics import checks, cli_tools
from photonics.cli_tools import print_text
from photonics.hardware_energy import OpticalEnergyConfig, load_hardware

logger = logging.getLogger(__name__)
DEFAULT_OUT = "photonics-report"


def register(subparsers):
    """Add the ``report`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "report",
        help="energy and accuracy report: optical hardware against GPUs and ASICs",
        description=__doc__.splitlines()[0],
    )
    models = ", ".join(workloads_zoo.MODELS)
    parser.add_argument(
        "--model", default="all", help=f"model to price: {models} or all (default)"
    )
    parser.add_argument("--hardware", help="JSON file of optical energy settings")
    parser.add_argument(
        "--out", default=DEFAULT_OUT, help=f"output directory (default {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--json", action="store_true", help="print report.json on stdout"
    )
    parser.add_argument(
        "--skip",
        action="append",
        choices=("accuracy", "devices"),
        default=[],
        help="leave out the simulated accuracy sweep or the device figures "
        "(repeatable; for quick energy-only reports)",
    )
    parser.set_defaults(handler=run)


def _models(name):
    if name == "all":
        return list(workloads_zoo.MODELS)
    checks.check_choice("--model", name, (*workloads_zoo.MODELS, "all"))
    return [name]


def run(args):
    """Build and write the report; print a summary table (or the JSON)."""
    start = time.perf_counter()
    models = _models(args.model)
    cli_tools.check_output_directory(args.out, "--out")
    config = load_hardware(args.hardware) if args.hardware else OpticalEnergyConfig()
    data, figures = report.build_report(
        models,
        config,
        accuracy_fn=None if "accuracy" in args.skip else report.find_accuracy_fn(),
        device_fn=None if "devices" in args.skip else report.find_device_figures(),
        progress=lambda iterable, desc: cli_tools.progress(iterable, desc),
        skipped=tuple(args.skip),
    )
    out_dir = report.write_report(data, figures, args.out)
    data["seconds"] = time.perf_counter() - start
    if args.json:
        cli_tools.print_json(data)
    else:
        print_text(_summary(data))
        print_text(f"\nreport written to {out_dir} in {data['seconds']:.1f} s")
    return 0


def _summary(data):
    rows = []
    for name, model in data["models"].items():
        for entry in model["optical"] + model["electronic"]:
            pJ = entry["energy_per_mac_J"] * 1e12
            rows.append([name, entry["name"], entry["energy_J"], pJ])
    headers = ["model", "platform", "energy/inference (J)", "energy/MAC (pJ)"]
    return cli_tools.format_table(rows, headers)
