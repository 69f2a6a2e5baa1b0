"""Plots of the logic gates: time traces per input, cascades, eyes, error rates.

Each function draws on a given matplotlib ``Axes`` (or a new one) and returns it;
nothing is shown or saved here.
"""

import matplotlib.pyplot as plt
import numpy as np

from devices.clocked import eye_traces


def _axes(ax):
    return plt.subplots(figsize=(5, 3.6))[1] if ax is None else ax


def plot_gate_traces(result, ax=None):
    """Transmitted power against time of a gate, one line per input combination."""
    ax = _axes(ax)
    runs = result.trajectories
    t = np.asarray(runs.times_ps)[0]
    for row, trace in zip(
        result.truth_table, np.asarray(runs.transmitted_uW), strict=True
    ):
        label = "".join(map(str, row[:-1])) + f" → {row[-1]}"
        ax.plot(t, trace, label=label)
    ax.axhline(result.design.decision_uW, color="k", ls=":", lw=0.8)
    ax.axvline(result.design.timing.sample_time_ps, color="k", ls="--", lw=0.8)
    status = "correct" if result.correct else "WRONG"
    ax.set(xlabel="time (ps)", ylabel="transmitted power (µW)")
    ax.set_title(f"{result.design.name} gate ({status})")
    ax.legend(title="inputs → output", fontsize=8)
    return ax


def plot_cascade(result, ax=None):
    """Transmitted power of every node of a cascade for the input row ``all ones``."""
    ax = _axes(ax)
    row = len(result.truth_table) - 1
    out = result.transmitted_uW[row]
    for node in range(out.shape[1]):
        name = "gate" if node == 0 else f"buffer {node}"
        ax.plot(result.times_ps, out[:, node], label=name)
    ax.set(xlabel="time (ps)", ylabel="transmitted power (µW)")
    inputs = "".join(map(str, result.truth_table[row][: -result.design.fan_out]))
    ax.set_title(f"{result.design.stages}-stage cascade, inputs {inputs}")
    ax.legend(fontsize=8)
    return ax


def plot_eye(stream, ax=None):
    """Eye diagram: the output of every bit overlaid, coloured by the expected bit."""
    ax = _axes(ax)
    t, traces, expected = eye_traces(stream)
    for trace, bit in zip(traces, expected, strict=True):
        ax.plot(t, trace, color="C1" if bit else "C0", alpha=0.6, lw=0.8)
    ax.axvline(stream.sample_offset_ps, color="k", ls="--", lw=0.8)
    ax.set(xlabel="time within bit (ps)", ylabel="transmitted power (µW)")
    ax.set_title(f"eye, {len(expected)} bits, {stream.errors} errors")
    return ax


def plot_ber(ber, ax=None, floor=None):
    """Bit error rate against input pulse energy (log scale; zeros at ``floor``)."""
    ax = _axes(ax)
    energy = np.asarray(ber["input_energy_fJ"])
    rate = np.asarray(ber["ber"], float)
    shown = np.where(rate > 0, rate, np.nan if floor is None else floor)
    ax.semilogy(energy, shown, "o-")
    if floor is not None:
        ax.axhline(floor, color="k", ls=":", lw=0.8, label="sampling floor")
        ax.legend()
    ax.set(xlabel="input pulse energy (fJ)", ylabel="bit error rate")
    return ax


def plot_ber_per_gate(curves, ax=None):
    """Error rate against input energy per input, one line per gate (log scale).

    Zero error rates are drawn at each curve's sampling floor, with open markers.
    """
    ax = _axes(ax)
    for i, (name, ber) in enumerate(curves.items()):
        energy = np.asarray(ber["input_energy_fJ"])
        rate = np.asarray(ber["ber"], float)
        shown = np.where(rate > 0, rate, ber["floor"])
        ax.semilogy(energy, shown, "-", color=f"C{i}", label=name)
        ax.semilogy(energy[rate > 0], rate[rate > 0], "o", color=f"C{i}")
        ax.semilogy(energy[rate == 0], shown[rate == 0], "o", mfc="none", color=f"C{i}")
    ax.set_xscale("log")
    ax.set(xlabel="input pulse energy (fJ)", ylabel="bit error rate")
    ax.set_title("error rate per gate (open: none in the samples)")
    ax.legend(fontsize=8)
    return ax
