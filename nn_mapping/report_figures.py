"""Figures of the energy report, drawn from the report's data dict.

Each function takes the dict built by :func:`nn_mapping.report.build_report` and
returns a :class:`matplotlib.figure.Figure` (no pyplot state is touched).
"""

import numpy as np
from matplotlib.figure import Figure

from nn_mapping.ledger import OPTICAL_COMPONENTS

_OPTICAL_COLOUR = "tab:blue"
_ELECTRONIC_COLOUR = "tab:gray"


def _subplots(count, width=6.0, height=3.6):
    figure = Figure(figsize=(width * count, height), layout="constrained")
    axes = figure.subplots(1, count, squeeze=False)[0]
    return figure, axes


def energy_per_mac_figure(data):
    """Energy per MAC of every optical configuration and baseline, one panel a model."""
    models = data["models"]
    figure, axes = _subplots(len(models), height=4.2)
    for ax, (name, model) in zip(axes, models.items(), strict=True):
        rows = model["optical"] + model["electronic"]
        labels = [r["name"] for r in rows]
        values = [r["energy_per_mac_J"] * 1e12 for r in rows]
        colours = [_OPTICAL_COLOUR] * len(model["optical"])
        colours += [_ELECTRONIC_COLOUR] * len(model["electronic"])
        positions = np.arange(len(rows))
        ax.barh(positions, values, color=colours)
        ax.set_yticks(positions, labels, fontsize=7)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("energy per MAC (pJ)")
        ax.set_title(f"{name} ({model['macs']:.3g} MACs)", fontsize=9)
    return figure


def breakdown_figure(data):
    """Share of each component in the optical energy (stacked to 100 %), per model."""
    models = data["models"]
    figure, axes = _subplots(len(models), height=4.2)
    colours = dict(
        zip(OPTICAL_COMPONENTS, _palette(len(OPTICAL_COMPONENTS)), strict=True)
    )
    for ax, (name, model) in zip(axes, models.items(), strict=True):
        rows = model["optical"]
        positions = np.arange(len(rows))
        bottom = np.zeros(len(rows))
        totals = np.array([r["energy_J"] for r in rows])
        for component in OPTICAL_COMPONENTS:
            share = np.array([r["breakdown"][component] for r in rows]) / totals
            ax.bar(
                positions,
                100 * share,
                bottom=bottom,
                color=colours[component],
                label=component,
            )
            bottom += 100 * share
        for x, row in zip(positions, rows, strict=True):
            ax.text(
                x,
                101,
                f"{row['energy_per_mac_J'] * 1e12:.3g} pJ/MAC",
                ha="center",
                fontsize=6,
                rotation=90,
                va="bottom",
            )
        ax.set_xticks(
            positions, [r["name"] for r in rows], rotation=30, ha="right", fontsize=7
        )
        ax.set_ylim(0, 140)
        ax.set_ylabel("share of energy per inference (%)")
        ax.set_title(name, fontsize=9)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, fontsize=7, loc="outside right upper")
    return figure


def _palette(count):
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    return [cmap(i % 10) for i in range(count)]


def core_size_figure(data):
    """Energy per MAC against core size, with electronic baselines as lines."""
    models = data["models"]
    figure, axes = _subplots(len(models))
    for ax, (name, model) in zip(axes, models.items(), strict=True):
        sweep = model["core_sweep"]
        values = np.array(sweep["energy_per_mac_J"]) * 1e12
        ax.plot(
            sweep["sizes"],
            values,
            "o-",
            color=_OPTICAL_COLOUR,
            label=sweep["configuration"],
        )
        ax.axvline(
            sweep["optimal_core_size"],
            color=_OPTICAL_COLOUR,
            ls=":",
            label=f"optimum N = {sweep['optimal_core_size']}",
        )
        for base in model["electronic"]:
            if base["name"] in sweep["crossover_core_size"]:
                ax.axhline(
                    base["energy_per_mac_J"] * 1e12,
                    ls="--",
                    lw=1,
                    color=_ELECTRONIC_COLOUR,
                )
                ax.annotate(
                    base["name"],
                    (sweep["sizes"][0], base["energy_per_mac_J"] * 1e12),
                    fontsize=7,
                )
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_ylim(top=1e3 * float(values.min()))
        ax.set_xlabel("core size N (modes)")
        ax.set_ylabel("energy per MAC (pJ)")
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=7)
    return figure


def pareto_figure(data):
    """Accuracy against energy per inference over converter bits and photon budget."""
    table = data["accuracy"]["table"]
    figure, axes = _subplots(1, width=6.5, height=4.2)
    ax = axes[0]
    energy = np.array([r["energy_J"] for r in table])
    accuracy = np.array([r["accuracy"] for r in table])
    bits = np.array([r["bits"] for r in table])
    points = ax.scatter(energy, accuracy, c=bits, cmap="viridis", s=20)
    front = sorted(
        (e, a) for e, a, r in zip(energy, accuracy, table, strict=True) if r["pareto"]
    )
    if front:
        ax.step(
            *zip(*front, strict=True),
            where="post",
            color="k",
            lw=1,
            label="Pareto front",
        )
    figure.colorbar(points, ax=ax, label="converter bits")
    ax.set_xscale("log")
    ax.set_xlabel("optical energy per inference (J)")
    ax.set_ylabel("accuracy")
    ax.set_title(f"{data['accuracy']['model']}: accuracy against energy", fontsize=9)
    ax.legend(fontsize=7)
    return figure
