"""Cascades simulated end to end, and clocked bit streams with noise."""

import math

import jax
import numpy as np
import pytest

from devices.cascade import design_buffer, design_cascade, simulate_cascade
from devices.clocked import (
    ber_versus_energy,
    bit_period_ps,
    prbs7,
    run_stream,
)
from devices.logic import InfeasibleDesign, design_gate
from devices.presets import load_preset
from devices.steady_state import bistable_window


@pytest.fixture(scope="module")
def model():
    return load_preset("mose2-nanocavity")[0]


@pytest.fixture(scope="module")
def or_gate(model):
    return design_gate(model, "OR")


def test_two_stage_cascade_with_fan_out_two(model, or_gate):
    cascade = design_cascade(model, or_gate, stages=2, fan_out=2)
    assert len(cascade.buffers) == 2 and cascade.outputs == [1, 2]
    result = simulate_cascade(model, cascade, n_save=161)
    assert result.correct, result.truth_table
    assert [tuple(r[-2:]) for r in result.truth_table] == [
        (0, 0),
        (1, 1),
        (1, 1),
        (1, 1),
    ]
    # the second stage switches after the first: latency exceeds one gate's
    assert result.latency_ps > 0
    window = bistable_window(model)
    for buf in cascade.buffers:
        assert window.lower_fold_power_uW < buf.hold_power_uW
        assert buf.hold_power_uW < window.upper_fold_power_uW


def test_link_matrix_carries_coupling_loss_and_split(model, or_gate):
    cascade = design_cascade(
        model, or_gate, stages=3, fan_out=2, coupling=0.6, loss_dB=2.0
    )
    c = np.abs(cascade.coupling_matrix)
    link = 0.6 * 10 ** (-0.2)
    # gate → first buffer of each branch: split in two; buffer → buffer: whole link
    assert c[1, 0] == pytest.approx(math.sqrt(link / 2)) == c[3, 0]
    assert c[2, 1] == pytest.approx(math.sqrt(link)) == c[4, 3]
    assert np.count_nonzero(c) == 4 and cascade.outputs == [2, 4]


def test_three_stage_cascade_switches_stage_by_stage(model):
    gate = design_gate(model, "AND")
    cascade = design_cascade(model, gate, stages=3, fan_out=2)
    result = simulate_cascade(model, cascade, n_save=161)
    assert result.correct, result.truth_table
    assert [tuple(r[-2:]) for r in result.truth_table] == [(0, 0)] * 3 + [(1, 1)]
    # for inputs 11 each node crosses half its "1" level after the node feeding it
    out, t = result.transmitted_uW[-1], result.times_ps
    highs = [gate.high_uW] + [b.high_uW for b in cascade.buffers]
    rise = [t[np.argmax(out[:, j] > 0.5 * h)] for j, h in enumerate(highs)]
    assert rise[0] < rise[1] < rise[2] and rise[0] < rise[3] < rise[4]
    assert result.latency_ps > rise[1] - gate.timing.pulse_time_ps


def test_cascade_without_the_link_fails(model, or_gate):
    # the same buffers with the interconnect cut never switch: outputs come from
    # the light of stage 1, not from the buffers' own bias
    cascade = design_cascade(model, or_gate, stages=2, fan_out=1)
    cut = cascade.__class__(
        **{**cascade.__dict__, "coupling_matrix": 0 * cascade.coupling_matrix}
    )
    result = simulate_cascade(model, cut, n_save=161)
    assert not result.correct
    assert all(r[-1] == 0 for r in result.truth_table)


def test_buffer_overshoot_is_infeasible(model):
    window = bistable_window(model)
    with pytest.raises(InfeasibleDesign, match="nearest feasible"):
        design_buffer(model, window, 1e6, 1.0, 0.5)


def test_prbs7_is_maximal_length():
    bits = prbs7(254)
    assert np.array_equal(bits[:127], bits[127:])
    assert bits[:127].sum() == 64
    assert not any(np.array_equal(bits[:127], np.roll(bits[:127], k)) for k in (1, 7))


def test_stream_through_gate_has_open_eye(model, or_gate):
    stream = run_stream(model, or_gate, n_bits=16)
    assert 0 < stream.expected.sum() < 16
    assert stream.bit_period_ps == pytest.approx(bit_period_ps(or_gate.timing))
    assert stream.errors == 0
    assert stream.eye_opening_uW > 0
    # the reset matters: some "1" is followed by a "0", read correctly, and every
    # bit starts on the lower branch again before its pulse
    assert np.any((stream.expected[:-1] == 1) & (stream.expected[1:] == 0))
    times = np.asarray(stream.trajectory.times_ps)
    out = np.asarray(stream.trajectory.transmitted_uW)
    before = [
        out[np.argmin(np.abs(times - (k * stream.bit_period_ps + 5.0)))]
        for k in range(16)
    ]
    assert max(before) < or_gate.decision_uW
    assert np.array_equal(stream.expected, stream.inputs[:, 0] | stream.inputs[:, 1])


def test_ber_falls_with_input_energy(model, or_gate):
    ber = ber_versus_energy(
        model, or_gate, [0.45, 0.7], jax.random.key(1), n_trajectories=24
    )
    assert ber["ber"][0] > ber["ber"][1]
    assert ber["input_energy_fJ"][1] == pytest.approx(0.7 * or_gate.input_energy_fJ[0])
    assert math.isfinite(ber["ber"][0])


def test_too_weak_a_link_is_infeasible_with_the_coupling_that_works(model):
    window = bistable_window(model)
    high, low = 0.5 * window.upper_fold_power_uW, 0.01 * window.upper_fold_power_uW
    for coupling in (0.0, 1e-6):
        with pytest.raises(InfeasibleDesign, match="coupling") as error:
            design_buffer(model, window, high, low, coupling)
    need = float(str(error.value).split("loss of ")[-1].split(" or more")[0])
    buffer = design_buffer(model, window, high, low, 1.01 * need)
    assert buffer.hold_tolerance >= 0.01
    with pytest.raises(InfeasibleDesign):
        design_buffer(model, window, high, low, 0.98 * need)
