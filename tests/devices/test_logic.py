"""Gates designed from the switch: truth tables come from simulation, not by hand."""

import dataclasses
import math

import pytest

from devices.logic import (
    GATE_FUNCTIONS,
    InfeasibleDesign,
    design_gate,
    expected_table,
    feasible_input_range_fJ,
    input_combinations,
    simulate_gate,
)
from devices.metrics import holding_power_uW
from devices.params import lower_polariton_energy_meV, with_pump_energy
from devices.presets import load_preset
from photonics.errors import InputError


@pytest.fixture(scope="module")
def model():
    return load_preset("mose2-nanocavity")[0]


@pytest.fixture(scope="module")
def and_gate(model):
    return design_gate(model, "AND")


def test_expected_tables_follow_boolean_algebra():
    for name, fn in GATE_FUNCTIONS.items():
        rows = expected_table(name)
        assert len(rows) == 2 ** len(rows[0][:-1])
        for row in rows:
            assert row[-1] == fn(row[:-1])
    assert [r[-1] for r in expected_table("XOR")] == [0, 1, 1, 0]
    assert input_combinations(2) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_feasible_ranges_follow_coherent_addition():
    e = 3.0
    low, high = feasible_input_range_fJ("AND", e)
    # one pulse below threshold, two coherent pulses (4 E) above it
    assert high == e and 4 * low == pytest.approx(e)
    c = 8.0 * e
    low, high = feasible_input_range_fJ("NAND", e, c)
    assert (math.sqrt(c) - math.sqrt(high)) ** 2 == pytest.approx(e)
    assert (math.sqrt(c) - 2 * math.sqrt(low)) ** 2 == pytest.approx(e)


def test_and_gate_table_is_simulated_and_correct(model, and_gate):
    result = simulate_gate(model, and_gate)
    assert result.correct
    assert result.truth_table == expected_table("AND")
    ones = result.output_uW[-1]
    assert ones > and_gate.decision_uW > max(result.output_uW[:-1])
    # the design sits inside the device's window, from its measured threshold
    assert and_gate.input_energy_fJ[0] < and_gate.threshold_fJ
    assert 4 * and_gate.input_energy_fJ[0] > and_gate.threshold_fJ
    assert 0 < result.latency_ps < and_gate.timing.sample_time_ps


def test_mis_designed_gate_is_reported_failing(model, and_gate):
    # single pulses above threshold turn the AND into an OR: the table says so
    wrong = dataclasses.replace(
        and_gate, input_energy_fJ=(2.0 * and_gate.threshold_fJ,) * 2
    )
    result = simulate_gate(model, wrong)
    assert not result.correct
    assert [r[-1] for r in result.truth_table] == [0, 1, 1, 1]


def test_hold_level_changes_the_table(model, and_gate):
    low_hold = holding_power_uW(model, 0.02)
    result = simulate_gate(model, dataclasses.replace(and_gate, hold_power_uW=low_hold))
    assert [r[-1] for r in result.truth_table] != [0, 0, 0, 1]
    assert not result.correct


@pytest.mark.parametrize("name", ["NOT", "OR", "NAND", "XOR"])
def test_other_gates_are_correct(model, name):
    result = simulate_gate(model, design_gate(model, name))
    assert result.correct, result.truth_table


def test_too_weak_inputs_report_nearest_feasible(model):
    with pytest.raises(InfeasibleDesign, match="nearest feasible setting") as info:
        design_gate(model, "OR", input_energy_fJ=0.1)
    assert "input_energy_fJ" in str(info.value)
    with pytest.raises(InfeasibleDesign, match="nearest feasible"):
        design_gate(model, "AND", input_energy_fJ=100.0)


def test_not_bistable_reports_nearest_detuning(model):
    e_lp = lower_polariton_energy_meV(
        model.cavity_energy_meV, model.exciton_energy_meV, model.rabi_meV
    )
    flat = with_pump_energy(model, e_lp + 0.05)
    with pytest.raises(InfeasibleDesign, match="pump detuning") as info:
        design_gate(flat, "AND")
    assert "nearest feasible" in str(info.value)
    assert isinstance(info.value, InputError)


def test_bad_gate_and_margin(model):
    with pytest.raises(InputError, match="gate"):
        design_gate(model, "XNOR")
    from devices.logic import GateTiming

    with pytest.raises(InputError, match="margin"):
        design_gate(model, "OR", GateTiming(margin=0.9))


def test_latency_of_an_unsettled_one_is_nan_not_an_error():
    import numpy as np

    from devices.logic import GateTiming, _latency_ps

    design = dataclasses.make_dataclass("D", ["high_uW", "timing"])(
        high_uW=10.0, timing=GateTiming(pulse_time_ps=1.0)
    )
    times = np.linspace(0.0, 4.0, 5)
    settled = np.array([[0.0, 5.0, 9.5, 10.0, 10.0]])
    assert _latency_ps(times, settled, design) == pytest.approx(1.0)
    rising = np.array([[0.0, 2.0, 4.0, 6.0, 8.0]])  # still below 90 % at the end
    assert math.isnan(_latency_ps(times, rising, design))
