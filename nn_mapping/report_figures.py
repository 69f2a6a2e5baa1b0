"""Figures of the energy report, drawn from the report's data dict.

Each function takes the dict built by :func:`nn_mapping.report.build_report` and
returns a :class:`matplotlib.figure.Figure` (no pyplot state is touched).
"""

import itertools

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from nn_mapping.ledger import OPTICAL_COMPONENTS

_OPTICAL_COLOUR = "tab:blue"
_ELECTRONIC_COLOUR = "tab:gray"


def _subplots(count, width=7.5, height=3.6):
    """One panel per model, stacked vertically so that the figure keeps a page's
    width (a row of panels would be shrunk to illegible text in the HTML page)."""
    figure = Figure(figsize=(width, height * count), layout="constrained")
    axes = figure.subplots(count, 1, squeeze=False)[:, 0]
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
        bars = ax.barh(positions, values, color=colours)
        ax.bar_label(bars, fmt="%.3g", fontsize=7, padding=2)
        ax.set_yticks(positions, labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlim(min(values) / 2, 3 * max(values))  # room for the labels
        ax.set_xlabel("energy per MAC (pJ)")
        ax.set_title(f"{name} ({model['macs']:.3g} MACs)", fontsize=10)
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
                102,
                f"{row['energy_per_mac_J'] * 1e12:.3g} pJ/MAC",
                ha="center",
                va="bottom",
                fontsize=8,
            )
        names = [r["name"].replace(" + ", "\n+ ") for r in rows]
        ax.set_xticks(positions, names, fontsize=8)
        ax.set_ylim(0, 115)
        ax.set_yticks([0, 25, 50, 75, 100])
        ax.set_ylabel("share of energy (%)")
        ax.set_title(name, fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, fontsize=8, loc="outside right upper")
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
        compared = [
            b for b in model["electronic"] if b["name"] in sweep["crossover_core_size"]
        ]
        for base, style in zip(compared, _BASELINE_STYLES, strict=False):
            ax.axhline(
                base["energy_per_mac_J"] * 1e12,
                ls=style,
                lw=1.2,
                color=_ELECTRONIC_COLOUR,
                label=base["name"],
            )
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_ylim(top=1e3 * float(values.min()))
        ax.set_xlabel("core size N (modes)")
        ax.set_ylabel("energy per MAC (pJ)")
        ax.set_title(name, fontsize=10)
        ax.legend(fontsize=8, loc="upper left")
    return figure


_BASELINE_STYLES = ("--", "-.", ":", (0, (5, 1, 1, 1)))


def pareto_figure(data):
    """Accuracy against energy per inference over converter bits and photon budget.

    Colour gives the converter bits and the marker the photons per sample, so that
    points of equal energy (the photon budget barely moves the total when converters
    dominate) stay distinguishable; the Pareto front is drawn as a step.
    """
    table = data["accuracy"]["table"]
    figure, axes = _subplots(1, width=7.0, height=4.5)
    ax = axes[0]
    bits = sorted({r["bits"] for r in table})
    photons = sorted({r["photons_per_sample"] for r in table})
    colours = dict(zip(bits, _palette(len(bits)), strict=True))
    markers = dict(zip(photons, itertools.cycle("o^sDvP*X"), strict=False))
    for row in table:
        ax.scatter(
            row["energy_J"] * 1e9,
            row["accuracy"],
            color=colours[row["bits"]],
            marker=markers[row["photons_per_sample"]],
            s=36,
            alpha=0.85,
        )
    front = sorted((r["energy_J"] * 1e9, r["accuracy"]) for r in table if r["pareto"])
    if front:
        ax.step(*zip(*front, strict=True), where="post", color="k", lw=1)
    handles = [Line2D([], [], color="k", lw=1, label="Pareto front")]
    handles += [_dot(colours[b], "o", f"{b} bits") for b in bits]
    handles += [_dot("0.4", markers[p], f"{p:g} photons") for p in photons]
    ax.legend(handles=handles, fontsize=8, loc="lower right", ncols=2)
    ax.set_xlabel("optical energy per inference (nJ)")
    ax.set_ylabel("test accuracy on the optical program")
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.set_title(f"{data['accuracy']['model']}: accuracy against energy", fontsize=10)
    return figure


def _dot(colour, marker, label):
    return Line2D([], [], color=colour, marker=marker, ls="", label=label)
