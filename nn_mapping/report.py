"""The energy and accuracy comparison report: data, figures, HTML, Markdown and JSON.

:func:`build_report` prices each model's workload on a family of optical
configurations (derived from one base :class:`OpticalEnergyConfig`) and on the
electronic baselines, sweeps the core size, and, when given an accuracy function,
sweeps converter bits and photons per sample for an accuracy-energy Pareto front.
:func:`write_report` renders everything into a directory atomically: the directory
appears complete or not at all.

Accuracy hook: ``accuracy_fn(bits, photons_per_sample) -> accuracy in [0, 1]`` of the
digits MLP simulated with ``bits``-bit converters and ``photons_per_sample`` detected
photons per output sample at full scale (a mapper working in optical power per input
converts with ``P = photons * h c / λ * rate``). :func:`find_accuracy_fn` looks for
``nn_mapping.report_accuracy.digits_accuracy`` with that signature; without it the
report says accuracy is not available and draws no Pareto plot.

Device hook: :func:`find_device_figures` looks for ``devices.report_figures()``
returning a list of ``(name, matplotlib Figure, summary dict)``; the polariton switch
and logic figures are included when it exists.
"""

import base64
import dataclasses
import importlib
import io
import itertools
import json
import logging
from pathlib import Path

import numpy as np

from nn_mapping import ledger, workloads_zoo
from photonics import checks, cli_tools, laser_budget, units
from photonics.hardware_energy import OpticalEnergyConfig

logger = logging.getLogger(__name__)

#: Optical variants of the report: (phase shifter or None for the base's, engine of
#: the dynamic products).
VARIANTS = (
    (None, "reprogrammed_mesh"),
    (None, "crossbar"),
    (None, "homodyne"),
    ("thermo", "crossbar"),
    ("eo", "reprogrammed_mesh"),
)
CORE_SIZES = (4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)
PARETO_BITS = (2, 4, 6, 8)
PARETO_PHOTONS = (10.0, 100.0, 1e3, 1e4, 1e5)
ACCURACY_MODEL = "mlp-digits"
SWEEP_BASELINES = ("H100 fp8", "MAC array 7nm int8")


def optical_variants(base):
    """The optical configurations of the report, derived from ``base``."""
    configs = {}
    for shifter, engine in VARIANTS:
        config = base.with_phase_shifter(shifter) if shifter else base
        name = f"{config.phase_shifter} + {engine.replace('_', ' ')}"
        configs[name] = config.replace(name=name, dynamic_engine=engine)
    return list(configs.values())


def _model_entry(name, workload, configs):
    optical, electronic = ledger.price_all(workload, configs)
    return {
        "workload": workload.name,
        "macs": workload.macs,
        "linear_ops": [dataclasses.asdict(op) for op in workload.linear_ops],
        "optical": [_optical_dict(r, c) for r, c in zip(optical, configs, strict=True)],
        "electronic": [r.to_dict() for r in electronic],
        "core_sweep": _core_sweep(workload, configs[1], electronic),
    }


def _optical_dict(result, config):
    entry = result.to_dict()
    entry.update(
        core_size=config.core_size,
        phase_shifter=config.phase_shifter,
        dynamic_engine=config.dynamic_engine,
    )
    return entry


def _core_sweep(workload, config, electronic):
    sweep = ledger.core_size_sweep(workload, config, CORE_SIZES)
    per_mac = [r.energy_per_mac_J for r in sweep]
    best = int(np.argmin(per_mac))
    crossover = {}
    for base in electronic:
        if base.platform in SWEEP_BASELINES:
            crossover[base.platform] = ledger.crossover_core_size(
                workload, config, base.energy_per_mac_J, CORE_SIZES
            )
    return {
        "configuration": config.name,
        "sizes": list(CORE_SIZES),
        "energy_per_mac_J": per_mac,
        "optimal_core_size": CORE_SIZES[best],
        "optimal_energy_per_mac_J": per_mac[best],
        "crossover_core_size": crossover,
    }


def find_accuracy_fn():
    """The mapper's ``nn_mapping.report_accuracy.digits_accuracy``, or ``None``."""
    try:
        module = importlib.import_module("nn_mapping.report_accuracy")
    except ImportError:
        return None
    return getattr(module, "digits_accuracy", None)


def find_device_figures():
    """The ``devices.report_figures`` hook if it exists, else ``None``."""
    try:
        module = importlib.import_module("devices")
    except ImportError:
        return None
    return getattr(module, "report_figures", None)


def accuracy_table(
    workload, config, accuracy_fn, bits=PARETO_BITS, photons=None, progress=None
):
    """Accuracy and energy over converter bits and photons per sample.

    Args:
        workload: the workload whose energy is priced.
        config: the base optical configuration.
        accuracy_fn: ``(bits, photons_per_sample) -> accuracy``.
        bits: converter resolutions to try (DAC and ADC alike).
        photons: photons per output sample to try (default :data:`PARETO_PHOTONS`).
        progress: ``(iterable, desc) -> iterable`` wrapper showing progress.

    Returns:
        A list of dicts ``{bits, photons_per_sample, accuracy, energy_J,
        energy_per_mac_J, pareto}``.
    """
    rows = []
    wrap = progress or (lambda iterable, desc: iterable)
    grid = list(itertools.product(bits, photons or PARETO_PHOTONS))
    for b, p in wrap(grid, "simulating accuracy"):
        trial = config.replace(dac_bits=b, adc_bits=b, photons_per_sample=p)
        priced = ledger.price_optical(workload, trial)
        accuracy = float(accuracy_fn(b, p))
        checks.check_fraction("accuracy", accuracy)
        rows.append(
            {
                "bits": b,
                "photons_per_sample": p,
                "accuracy": accuracy,
                "energy_J": priced.energy_J,
                "energy_per_mac_J": priced.energy_per_mac_J,
            }
        )
    front = pareto_front([(r["energy_J"], r["accuracy"]) for r in rows])
    for i, row in enumerate(rows):
        row["pareto"] = i in front
    return rows


def pareto_front(points):
    """Indices of the points ``(energy, accuracy)`` that no other point dominates
    (no other has lower-or-equal energy and higher-or-equal accuracy, one strictly)."""
    front = set()
    for i, (e_i, a_i) in enumerate(points):
        dominated = any(
            e_j <= e_i and a_j >= a_i and (e_j < e_i or a_j > a_i)
            for j, (e_j, a_j) in enumerate(points)
            if j != i
        )
        if not dominated:
            front.add(i)
    return front


def _limits(config):
    bits = (1, 2, 4, 6, 8)
    return {
        "photon_energy_J": units.photon_energy_J(config.wavelength_nm),
        "landauer_J_300K": units.landauer_limit_J(300.0),
        "shot_noise_photons_for_bits": {
            b: laser_budget.photons_for_bits(b) for b in bits
        },
        "shot_noise_formula": "N = 4**b (Poisson std sqrt(N) equals one LSB N / 2**b)",
        "optimal_core_size_full_mesh": laser_budget.optimal_core_size(config, 256)[0],
    }


def build_report(
    models, config=None, accuracy_fn=None, device_fn=None, progress=None, skipped=()
):
    """Price ``models`` and gather everything the report shows.

    Args:
        models: model names (keys of :data:`nn_mapping.workloads_zoo.MODELS`).
        config: the base :class:`OpticalEnergyConfig` (default: the defaults).
        accuracy_fn: ``(bits, photons_per_sample) -> accuracy`` for the digits MLP, or
            ``None`` when accuracy is not available.
        device_fn: ``() -> [(name, Figure, summary)]`` of device figures, or ``None``.
        progress: ``(iterable, desc) -> iterable`` wrapper showing progress.
        skipped: sections the user left out (``"accuracy"``, ``"devices"``); the
            report says so instead of calling them unavailable.

    Returns:
        ``(data, figures)``: the JSON-ready dict and a dict file name -> Figure.
    """
    for name in models:
        checks.check_choice("--model", name, tuple(workloads_zoo.MODELS))
    config = config or OpticalEnergyConfig()
    configs = optical_variants(config)
    wrap = progress or (lambda iterable, desc: iterable)
    data = {"title": "Photonic computing energy report", "hardware": config.to_dict()}
    data["configurations"] = [c.name for c in configs]
    data["models"] = {}
    for name in wrap(list(models), "pricing models"):
        data["models"][name] = _model_entry(name, workloads_zoo.workload(name), configs)
    data["limits"] = _limits(config)
    data["accuracy"] = _accuracy_section(models, config, accuracy_fn, wrap)
    if "accuracy" in skipped:
        data["accuracy"] = {"available": False, "reason": _SKIPPED.format("accuracy")}
    if ACCURACY_MODEL in data["models"]:
        data["models"][ACCURACY_MODEL]["accuracy"] = data["accuracy"]
    figures, data["devices"] = _figures(data, device_fn, wrap)
    if "devices" in skipped:
        data["devices"] = {"available": False, "reason": _SKIPPED.format("devices")}
    data["figures"] = sorted(figures)
    return data, figures


_SKIPPED = "left out of this run with --skip {}"


def _accuracy_section(models, config, accuracy_fn, wrap):
    if ACCURACY_MODEL not in models:
        return {"available": False, "reason": f"{ACCURACY_MODEL} not in the report"}
    if accuracy_fn is None:
        reason = (
            "the mapper's accuracy function (nn_mapping.report_accuracy) is "
            "not available in this installation"
        )
        return {"available": False, "reason": reason}
    workload = workloads_zoo.workload(ACCURACY_MODEL)
    table = accuracy_table(workload, config, accuracy_fn, progress=wrap)
    return {"available": True, "model": ACCURACY_MODEL, "table": table}


def _figures(data, device_fn, wrap):
    from nn_mapping import report_figures

    makers = [
        ("energy_per_mac.png", report_figures.energy_per_mac_figure),
        ("breakdown.png", report_figures.breakdown_figure),
        ("core_size.png", report_figures.core_size_figure),
    ]
    if data["accuracy"].get("available"):
        makers.append(("pareto.png", report_figures.pareto_figure))
    figures = {}
    for filename, maker in wrap(makers, "drawing figures"):
        figures[filename] = maker(data)
    devices = {"available": False, "reason": "devices.report_figures is not available"}
    if device_fn is not None:
        devices = {"available": True, "summaries": {}}
        simulated = [r for fn in wrap([device_fn], "simulating devices") for r in fn()]
        for name, figure, summary in simulated:
            figures[f"device_{name}.png"] = figure
            devices["summaries"][name] = summary
    return figures, devices


def figure_png(figure):
    """The PNG bytes of a matplotlib ``figure``."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    return buffer.getvalue()


def write_report(data, figures, out_dir):
    """Write ``report.json``, ``report.md``, ``report.html`` and the PNG figures.

    The directory is written through :func:`photonics.cli_tools.atomic_directory`:
    if anything fails, ``out_dir`` is left as it was.

    Returns:
        The output directory as a :class:`Path`.
    """
    from nn_mapping import report_render

    out_dir = Path(out_dir)
    with cli_tools.atomic_directory(out_dir) as tmp:
        pngs = {name: figure_png(fig) for name, fig in figures.items()}
        for name, png in pngs.items():
            (tmp / name).write_bytes(png)
        text = json.dumps(cli_tools.to_jsonable(data), indent=2)
        (tmp / "report.json").write_text(text + "\n")
        blocks = report_render.report_blocks(data)
        (tmp / "report.md").write_text(report_render.to_markdown(blocks))
        encoded = {n: base64.b64encode(p).decode("ascii") for n, p in pngs.items()}
        (tmp / "report.html").write_text(report_render.to_html(blocks, encoded))
    logger.info("report written to %s", out_dir)
    return out_dir.resolve()
