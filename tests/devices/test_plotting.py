"""The switch plots show what they are for."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from cavities import make_cavity

from devices.plotting import plot_s_curve
from devices.steady_state import bistable_window


def _lines(ax):
    return {line.get_label(): line.get_data() for line in ax.get_lines()}


def test_s_curve_frames_the_bistable_window_and_its_unstable_branch():
    model = make_cavity()
    window = bistable_window(model)
    ax = plot_s_curve(model)
    right = ax.get_xlim()[1]
    assert window.upper_fold_power_uW < right <= 2.0 * window.upper_fold_power_uW
    p, t = _lines(ax)["unstable"]
    middle = np.isfinite(t)
    assert middle.sum() > 20  # the middle branch is resolved, not a few points
    assert p[middle].min() == pytest.approx(window.lower_fold_power_uW, rel=0.02)
    assert p[middle].max() == pytest.approx(window.upper_fold_power_uW, rel=0.02)
    plt.close(ax.figure)


def test_s_curve_of_a_single_valued_model_has_no_unstable_branch():
    model = make_cavity(pump_detuning_meV=0.0)
    ax = plot_s_curve(model)
    _, t = _lines(ax)["unstable"]
    assert not np.isfinite(t).any()
    assert ax.get_xlim()[1] > 0
    plt.close(ax.figure)
