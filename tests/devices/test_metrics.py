"""Switching metrics: closed forms, and the MoSe2 preset against the measurement."""

import math

import jax
import numpy as np
import pytest

from devices import (
    contrast_dB,
    energy_delay_product_Js,
    has_switched,
    holding_energy_per_bit_J,
    load_preset,
    make_drive,
    prepare_switch,
    simulate,
    switch_trace,
    switching_error_probability,
    switching_threshold,
    switching_time_ps,
)
from photonics.errors import InputError


def test_switching_time_of_exponential_rise_is_tau_ln9():
    t = np.linspace(0.0, 30.0, 30001)
    tau = 2.0
    signal = 1.0 + 5.0 * np.where(t > 3.0, 1 - np.exp(-(t - 3.0) / tau), 0.0)
    assert switching_time_ps(t, signal) == pytest.approx(tau * math.log(9), rel=1e-4)


def test_switching_time_ignores_a_transient_spike():
    t = np.linspace(0.0, 30.0, 30001)
    signal = np.where(t > 10.0, 1.0, 0.0) + 3.0 * np.exp(-((t - 2.0) ** 2))
    assert switching_time_ps(t, signal) < 0.01


def test_simple_metrics():
    assert contrast_dB(100.0, 1.0) == pytest.approx(20.0)
    assert contrast_dB(1.0, 100.0) == pytest.approx(20.0)
    assert holding_energy_per_bit_J(1000.0, 10.0) == pytest.approx(1e-14)
    assert energy_delay_product_Js(2e-15, 3e-12) == pytest.approx(6e-27)
    with pytest.raises(InputError, match="bit_period_ps"):
        holding_energy_per_bit_J(1.0, -1.0)


@pytest.fixture(scope="module")
def mose2():
    with jax.enable_x64(True):
        model, protocol = load_preset("mose2-nanocavity")
        setup = prepare_switch(model, protocol)
        threshold = switching_threshold(model, setup, rtol=1e-2)
    return model, setup, threshold


def test_mose2_switches_at_a_few_femtojoules_in_picoseconds(mose2):
    model, setup, threshold = mose2
    assert 1.0 < threshold.energy_fJ < 10.0
    photons = threshold.energy_J / (1.6e-19 * float(model.pump_energy_meV) * 1e-3)
    assert threshold.photons == pytest.approx(photons, rel=0.01)
    trace = switch_trace(model, setup, 2 * threshold.energy_fJ)
    assert 0.5 < switching_time_ps(trace.times_ps, trace.transmitted_uW) < 20.0


def test_threshold_brackets_the_switching_outcome(mose2):
    model, setup, threshold = mose2
    below = switch_trace(model, setup, 0.97 * threshold.energy_fJ, n_save=64)
    above = switch_trace(model, setup, 1.03 * threshold.energy_fJ, n_save=64)
    assert not has_switched(setup, below)
    assert has_switched(setup, above)


def test_anti_phase_pulse_resets_the_switch(mose2):
    model, setup, threshold = mose2
    p = setup.protocol
    energy = 2 * threshold.energy_fJ
    drive = make_drive(
        setup.hold_power_uW,
        pulse_energy_fJ=[energy, 2 * energy],
        pulse_time_ps=[p.pulse_time_ps, p.pulse_time_ps + 20.0],
        pulse_width_ps=p.pulse_width_ps,
        pulse_phase_rad=[0.0, math.pi],
    )
    trace = simulate(model, drive, 60.0, psi0=setup.states.fields[0], n_save=64)
    middle = float(setup.states.population[1])
    assert float(trace.population[21]) > middle  # set after the first pulse (20 ps)
    assert float(trace.population[-1]) < middle  # reset by the anti-phase pulse


def test_error_probability_falls_with_control_energy(mose2):
    model, setup, threshold = mose2
    energies = [0.0, 0.5 * threshold.energy_fJ, 3.0 * threshold.energy_fJ]
    with jax.enable_x64(True):
        errors = switching_error_probability(
            model, setup, energies, jax.random.key(0), n_trajectories=64, dt_ps=0.004
        )
    assert errors[0] < 0.1  # no spontaneous switching without a pulse
    assert errors[1] > 0.9  # half the threshold energy almost never switches
    assert errors[2] < 0.1  # three times the threshold almost always does
