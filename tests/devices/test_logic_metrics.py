"""Energy bookkeeping and reference limits of the logic gates, against closed forms."""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from devices.logic import GateDesign, GateTiming, gate_drive, input_combinations
from devices.logic_metrics import (
    CMOS_7NM,
    cascadability,
    control_energies_fJ,
    gate_energy_fJ,
    input_threshold_uW,
    limits_J,
    shot_noise_photons,
)
from photonics.errors import InputError


def _design(name="NAND", energies=(1.7, 1.7), clock=6.2, hold=123.0):
    return GateDesign(
        name=name,
        hold_power_uW=hold,
        input_energy_fJ=energies,
        input_phase_rad=(math.pi,) * len(energies),
        clock_energy_fJ=clock,
        threshold_fJ=1.0,
        timing=GateTiming(),
        low_uW=1.0,
        high_uW=50.0,
        middle_population=10.0,
    )


def test_control_energy_is_the_integral_of_pulse_power():
    design = _design()
    t = jnp.linspace(-20.0, 30.0, 20001)
    for bits, expected in zip(
        input_combinations(2), control_energies_fJ(design), strict=True
    ):
        drive = gate_drive(design, bits, hold_power_uW=0.0)
        # pulses of one combination, integrated one by one (they overlap in time)
        total = 0.0
        for k in range(drive.pulse_energy_fJ.size):
            mask = jnp.zeros_like(drive.pulse_energy_fJ).at[k].set(1.0)
            single = eqx.tree_at(
                lambda d: d.pulse_energy_fJ, drive, drive.pulse_energy_fJ * mask
            )
            power_uW = jnp.abs(jax.vmap(single.amplitude)(t)) ** 2
            total += float(jnp.trapezoid(power_uW, t)) * 1e-3  # µW·ps → fJ
        assert total == pytest.approx(expected, rel=1e-6)


def test_holding_energy_is_power_times_bit_period():
    design = _design(hold=2500.0)
    energy = gate_energy_fJ(design, bit_period_ps=20.0)
    assert energy["holding_fJ"] == pytest.approx(2500e-6 * 20e-12 / 1e-15)
    mean_control = np.mean([6.2, 7.9, 7.9, 9.6])
    assert energy["control_fJ"] == pytest.approx(mean_control)
    assert energy["energy_per_op_fJ"] == pytest.approx(50.0 + mean_control)
    with pytest.raises(InputError, match="bit_period_ps"):
        gate_energy_fJ(design, 0.0)


def test_limits_match_closed_forms():
    limits = limits_J(1550.0, bit_error_rate=1e-9)
    assert limits["landauer_J"] == pytest.approx(2.87e-21, rel=2e-3)
    assert limits["photon_energy_J"] == pytest.approx(1.28e-19, rel=2e-3)
    n = limits["shot_noise_photons"]
    assert 0.5 * math.exp(-n) == pytest.approx(1e-9)
    assert limits["shot_noise_J"] == pytest.approx(n * limits["photon_energy_J"])
    cmos = limits["cmos_per_transition_J"]
    assert cmos == pytest.approx(0.5 * 0.2e-15 * 0.7**2)
    assert 0.03e-15 <= cmos <= 0.3e-15
    assert limits["cmos_node"] == CMOS_7NM.node and "IRDS" in limits["cmos_source"]


def test_shot_noise_rejects_impossible_rates():
    assert shot_noise_photons(0.5 * math.exp(-3.0)) == pytest.approx(3.0)
    for bad in (0.0, 0.5, 1.2):
        with pytest.raises(InputError, match="bit_error_rate"):
            shot_noise_photons(bad)


def test_cascadability_closed_form():
    threshold = input_threshold_uW(400.0, 100.0)
    assert threshold == pytest.approx(100.0)  # (20 - 10)²
    c = cascadability(50.0, threshold, coupling=0.5, loss_dB=3.0)
    assert c["gain"] == pytest.approx(0.5)
    assert c["margin"] == pytest.approx(0.25 * 10 ** (-0.3))
    assert c["fan_out"] == 0 and c["gain_needed"] == pytest.approx(1 / c["margin"])
    strong = cascadability(500.0, threshold)
    assert strong["fan_out"] == 5 and strong["gain_needed"] == 1.0


def test_gate_summary_combines_the_metrics_as_defined():
    from devices.logic import GateResult, expected_table
    from devices.logic_metrics import comparison_rows, gate_summary
    from devices.steady_state import BistableWindow

    design = _design(name="AND", energies=(1.5, 1.5), clock=0.0, hold=100.0)
    table = expected_table("AND")
    result = GateResult(
        design=design,
        truth_table=table,
        expected=table,
        correct=True,
        output_uW=np.array([1.0, 2.0, 1.5, 40.0]),
        latency_ps=4.0,
        trajectories=None,
    )
    window = BistableWindow(
        lower_fold_power_uW=50.0,
        upper_fold_power_uW=400.0,
        lower_fold_population=1.0,
        upper_fold_population=2.0,
    )
    summary = gate_summary(result, window, bit_period_ps=20.0, coupling=0.5)
    energy = 100.0 * 20.0 * 1e-3 + 1.5  # P_hold T_bit (µW·ps → fJ) + mean(0, E, E, 2E)
    assert summary["energy_per_op_fJ"] == pytest.approx(energy)
    assert summary["contrast_dB"] == pytest.approx(10 * math.log10(40.0 / 2.0))
    assert summary["input_threshold_uW"] == pytest.approx(100.0)  # (20 - 10)²
    assert summary["gain"] == pytest.approx(50.0 / 100.0)  # design.high_uW / P_th
    margin = 0.5 * 0.5 * 10 ** (-0.1)  # gain × coupling × 1 dB loss
    assert summary["margin"] == pytest.approx(margin)
    edp = energy * 1e-15 * 4.0e-12
    assert summary["energy_delay_product_Js"] == pytest.approx(edp)
    limits = limits_J(750.0)
    rows = comparison_rows({"AND": summary}, limits)
    by_name = {r[0]: r[1:] for r in rows}
    joules, over_landauer, over_cmos = by_name["AND gate (total)"]
    assert joules == pytest.approx(energy * 1e-15)
    assert over_landauer == pytest.approx(joules / limits["landauer_J"])
    assert over_cmos == pytest.approx(joules / limits["cmos_per_transition_J"])
    assert by_name["AND gate (control only)"][0] == pytest.approx(1.5e-15)
    assert by_name["Landauer, 300 K"][1] == pytest.approx(1.0)
