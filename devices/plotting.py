"""Plots of the switch: S-curve, hysteresis loop, switching trace, phase diagram.

Each function draws on a given matplotlib ``Axes`` (or a new figure) and returns the
``Axes``; nothing is shown or saved here.
"""

import matplotlib.pyplot as plt
import numpy as np

from devices.steady_state import fold_points, response_curve


def _axes(ax):
    return plt.subplots(figsize=(5, 3.6))[1] if ax is None else ax


def plot_s_curve(model, ax=None, size=2000, span=2.0):
    """Transmitted vs incident power, stable branches solid and unstable dashed.

    The axes show incident powers up to ``span`` times the upper fold (the switch-on
    power) of a bistable model, so that the S and its unstable middle branch fill the
    plot; a single-valued model is shown up to the power of its steepest response.
    """
    ax = _axes(ax)
    curve = {k: np.asarray(v) for k, v in response_curve(model, size).items()}
    p, t, stable = curve["input_power_uW"], curve["transmitted_uW"], curve["stable"]
    shown = p <= span * _power_scale_uW(model, curve)
    p, t, stable = p[shown], t[shown], stable[shown]
    ax.plot(p, np.where(stable, t, np.nan), "C0-", label="stable")
    ax.plot(p, np.where(~stable, t, np.nan), "C3--", label="unstable")
    ax.set(xlabel="incident power (µW)", ylabel="transmitted power (µW)")
    ax.set_xlim(0.0, p.max())
    ax.legend()
    return ax


def _power_scale_uW(model, curve):
    folds = fold_points(model)
    if bool(folds.bistable):
        return float(np.max(np.asarray(folds.power_uW)))
    gain = np.gradient(curve["transmitted_uW"], curve["input_power_uW"])
    return float(curve["input_power_uW"][np.argmax(gain)])


def plot_hysteresis(trajectory, ax=None):
    """Transmitted vs incident power along a slow up-and-down sweep."""
    ax = _axes(ax)
    ax.plot(
        np.asarray(trajectory.input_power_uW), np.asarray(trajectory.transmitted_uW)
    )
    ax.set(xlabel="incident power (µW)", ylabel="transmitted power (µW)")
    ax.set_title("hysteresis loop (slow sweep)")
    return ax


def plot_switching_trace(trajectory, ax=None):
    """Incident and transmitted power against time during a switching event."""
    ax = _axes(ax)
    t = np.asarray(trajectory.times_ps)
    ax.plot(t, np.asarray(trajectory.transmitted_uW), label="transmitted")
    twin = ax.twinx()
    twin.plot(t, np.asarray(trajectory.input_power_uW), "C1", alpha=0.5)
    twin.set_ylabel("incident power (µW)", color="C1")
    ax.set(xlabel="time (ps)", ylabel="transmitted power (µW)")
    return ax


def plot_phase_diagram(diagram, ax=None):
    """Map of the number of stable states over (pump detuning, incident power)."""
    ax = _axes(ax)
    mesh = ax.pcolormesh(
        np.asarray(diagram["pump_detuning_meV"]),
        np.asarray(diagram["power_uW"]),
        np.asarray(diagram["stable_count"]).T,
        shading="auto",
        cmap="viridis",
        vmin=0,
        vmax=2,
    )
    ax.set_yscale("log")
    ax.set(xlabel="pump detuning above LP (meV)", ylabel="incident power (µW)")
    plt.colorbar(mesh, ax=ax, label="stable states")
    return ax


def draw_figure(draw):
    """A new 5 x 3.6 inch figure with ``draw(ax)`` applied and a tight layout."""
    fig, ax = plt.subplots(figsize=(5, 3.6))
    draw(ax)
    fig.tight_layout()
    return fig


def write_plots(out, figures):
    """Write ``{filename: draw(ax)}`` as PNG files into ``out``, atomically.

    The directory appears complete or not at all
    (:func:`photonics.cli_tools.atomic_directory`).
    """
    from photonics.cli_tools import atomic_directory

    with atomic_directory(out) as tmp:
        for name, draw in figures.items():
            fig = draw_figure(draw)
            fig.savefig(tmp / name, dpi=110)
            plt.close(fig)
