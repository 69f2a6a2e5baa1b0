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


def test_phase_diagram_plot_shows_the_stable_state_count():
    from devices import phase_diagram
    from devices.plotting import plot_phase_diagram

    model = make_cavity()
    diagram = phase_diagram(model, np.array([0.5, 1.5, 2.5]), np.geomspace(50, 5e3, 9))
    ax = plot_phase_diagram(diagram)
    shown = np.asarray(ax.collections[0].get_array()).reshape(9, 3)
    np.testing.assert_array_equal(shown, np.asarray(diagram["stable_count"]).T)
    assert ax.get_yscale() == "log" and shown.max() == 2
    plt.close(ax.figure)


def test_hysteresis_and_trace_plots_draw_the_trajectory():
    from devices import make_drive, simulate
    from devices.plotting import plot_hysteresis, plot_switching_trace

    model = make_cavity()
    run = simulate(
        model,
        make_drive(500.0, pulse_energy_fJ=1.0, pulse_time_ps=3.0, pulse_width_ps=1.0),
        10.0,
        n_save=30,
    )
    ax = plot_hysteresis(run)
    x, y = ax.get_lines()[0].get_data()
    np.testing.assert_array_equal(x, np.asarray(run.input_power_uW))
    np.testing.assert_array_equal(y, np.asarray(run.transmitted_uW))
    plt.close(ax.figure)
    ax = plot_switching_trace(run)
    x, y = ax.get_lines()[0].get_data()
    np.testing.assert_array_equal(x, np.asarray(run.times_ps))
    np.testing.assert_array_equal(y, np.asarray(run.transmitted_uW))
    plt.close(ax.figure)
