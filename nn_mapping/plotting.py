"""Plots of the mapper's accuracy sweeps (matplotlib, returned figures, no display)."""

import matplotlib.pyplot as plt

from nn_mapping.accuracy import summarise

_LABELS = {
    "bits": "converter bits (DAC and ADC)",
    "power_mW": "optical power per input at full scale (mW)",
    "phase_error_std_rad": "phase error per shifter (rad)",
}


def plot_accuracy_sweep(results, parameter, ax=None):
    """Digital and optical test accuracy against one swept setting.

    Args:
        results: the list returned by :func:`nn_mapping.accuracy.sweep_digits_mlp`.
        parameter: the swept setting (``"bits"``, ``"power_mW"``, ...).
        ax: an optional matplotlib axes to draw on.

    Returns:
        The matplotlib figure.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3.2))
    values, digital, optical = summarise(results, parameter)
    ax.plot(values, 100 * optical, "o-", label="optical program")
    ax.plot(values, 100 * digital, "--", color="0.4", label="digital (float32)")
    if parameter == "power_mW":
        ax.set_xscale("log")
    ax.set_xlabel(_LABELS.get(parameter, parameter))
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(loc="lower right")
    ax.figure.tight_layout()
    return ax.figure
