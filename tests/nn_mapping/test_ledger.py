"""The energy ledger against hand counts of conversions, photons and holding power."""

import math

import pytest

from nn_mapping import ledger, workloads_zoo
from nn_mapping.workload import ElectronicOp, LinearOp, Workload
from photonics import baselines, units
from photonics.errors import InputError
from photonics.hardware_energy import OpticalEnergyConfig


def _one(op, electronic=()):
    return Workload("one", (op,), tuple(electronic))


def _sram_byte_J(config):
    return baselines.sram_energy_pJ_per_byte(config.host_node, "1MB") * 1e-12


def test_static_mesh_hand_calculation():
    config = OpticalEnergyConfig(core_size=8)
    result = ledger.price_optical(_one(LinearOp("w", 8, 8, 3)), config)
    samples = 3 * 8  # one conversion per input and one detection per output, per column
    loss_dB = 17 * config.mzi_loss_dB + config.coupling_loss_dB + 1.0  # ring: 1 dB
    photon_J = units.photon_energy_J(1550.0)
    laser_J = samples * 4**8 * photon_J * 10 ** (loss_dB / 10) / (0.8 * 0.2)
    b = result.breakdown_J
    assert b["laser"] == pytest.approx(laser_J)
    assert b["dac"] == pytest.approx(samples * config.dac_energy_J())
    assert b["adc"] == pytest.approx(samples * config.adc_energy_J())
    assert b["modulator"] == pytest.approx(samples * 5e-15)
    assert b["detector"] == pytest.approx(samples * 1e-12)
    assert b["memory"] == pytest.approx((8 + 8) * 3 * _sram_byte_J(config))
    assert b["electronic"] == 0.0  # a single k-tile: no partial sums
    assert result.macs == 8 * 8 * 3
    assert result.time_s == pytest.approx(3 / 5e9)


def test_tiling_counts_conversions_and_partial_sums():
    config = OpticalEnergyConfig(core_size=4)
    b = ledger.price_optical(_one(LinearOp("w", 8, 12, 2)), config).breakdown_J
    # T_m = 2, T_k = 3: each column needs T_m * k DAC and T_k * m ADC conversions
    assert b["dac"] == pytest.approx(2 * 2 * 12 * config.dac_energy_J())
    assert b["adc"] == pytest.approx(2 * 3 * 8 * config.adc_energy_J())
    add_J = baselines.op_energy_pJ("7nm", "fp16", "add") * 1e-12
    assert b["electronic"] == pytest.approx((3 - 1) * 8 * 2 * add_J)


@pytest.mark.parametrize("component", ["dac", "adc", "modulator", "detector"])
def test_converter_energy_per_mac_amortises_as_one_over_n(component):
    per_mac = []
    for n in (4, 16, 64):
        config = OpticalEnergyConfig(core_size=n)
        result = ledger.price_optical(_one(LinearOp("w", n, n, 10)), config)
        per_mac.append(result.breakdown_J[component] / result.macs * n)
    assert per_mac == pytest.approx([per_mac[0]] * 3, rel=1e-12)


def test_thermo_holding_power_hand_calculation():
    config = OpticalEnergyConfig(core_size=4).with_phase_shifter("thermo")
    result = ledger.price_optical(_one(LinearOp("w", 8, 4, 5)), config)
    shifters = 2 * 16 * 2  # two tiles of 4 x 4 SVD cores, 16 MZIs each, 2 shifters
    time_s = 5 / 5e9
    assert result.breakdown_J["holding"] == pytest.approx(shifters * 25e-3 * time_s)
    program_J = shifters * 25e-3 * 10e-6 / 1e6  # settle 10 µs, amortised over 1e6
    assert result.breakdown_J["programming"] == pytest.approx(program_J)


def test_reprogrammed_mesh_pays_programming_and_decomposition_per_tile():
    config = OpticalEnergyConfig(core_size=4, dynamic_cores=2)
    op = LinearOp("qk", 8, 4, 3, "dynamic", "reprogrammed_mesh", count=2)
    result = ledger.price_optical(_one(op), config)
    tiles = 2 * 2 * 1
    assert result.breakdown_J["programming"] == pytest.approx(
        tiles * 16 * 2 * config.reconfiguration_energy_J()
    )
    mac_J = baselines.mac_energy_pJ("7nm", "fp16") * 1e-12
    assert result.breakdown_J["electronic"] == pytest.approx(tiles * 10 * 64 * mac_J)
    rounds = math.ceil(tiles / 2)
    assert result.time_s == pytest.approx(rounds * (1e-6 + 3 / 5e9))


def test_crossbar_counts_two_conversions_and_one_detection_per_n_macs():
    n = 8
    config = OpticalEnergyConfig(core_size=n, dynamic_engine="crossbar")
    op = LinearOp("qk", n, n, n, "dynamic", "reprogrammed_mesh")
    b = ledger.price_optical(_one(op), config).breakdown_J
    assert b["dac"] == pytest.approx(2 * n * n * config.dac_energy_J())
    assert b["adc"] == pytest.approx(n * n * config.adc_energy_J())
    assert b["programming"] == 0.0


def test_homodyne_detects_each_output_once():
    config = OpticalEnergyConfig(core_size=4, dynamic_engine="homodyne")
    op = LinearOp("qk", 8, 64, 8, "dynamic")
    b = ledger.price_optical(_one(op), config).breakdown_J
    assert b["adc"] == pytest.approx(8 * 8 * config.adc_energy_J())
    assert b["electronic"] == 0.0
    crossbar = config.replace(dynamic_engine="crossbar")
    b_cross = ledger.price_optical(_one(op), crossbar).breakdown_J
    assert b_cross["adc"] == pytest.approx(16 * b["adc"])  # k / N = 16 partial sums


def test_electronic_ops_are_priced_on_the_host():
    config = OpticalEnergyConfig()
    work = _one(LinearOp("w", 4, 4, 1), [ElectronicOp("sm", "softmax", 1000)])
    result = ledger.price_optical(work, config)
    arithmetic_J, memory_J = baselines.electronic_op_energy_J("softmax", 1000)
    row = next(r for r in result.ops if r["name"] == "sm")
    assert row["energy_J"] == pytest.approx(arithmetic_J + memory_J)


def test_total_is_sum_of_breakdown_and_rows():
    result = ledger.price_optical(workloads_zoo.workload("transformer-block"))
    assert result.energy_J == pytest.approx(sum(result.breakdown_J.values()))
    assert result.energy_J == pytest.approx(sum(r["energy_J"] for r in result.ops))
    assert set(result.breakdown_J) == set(ledger.OPTICAL_COMPONENTS)


def test_gpu_ledger_hand_calculation():
    work = workloads_zoo.digits_mlp(hidden=32)
    result = ledger.price_baseline(work, ledger.GPUBaseline("A100", "int8"))
    mac_J = 400.0 / (624e12 / 2)
    flop_J = 400.0 / 19.5e12
    elements = 32 * 8 + (32 + 10) * 1  # ReLU (8 ops) and bias adds (1 op)
    assert result.breakdown_J["mac"] == pytest.approx(work.macs * mac_J)
    assert result.breakdown_J["elementwise"] == pytest.approx(elements * flop_J)
    assert result.to_dict()["name"] == "A100 int8"


def test_mac_array_streams_weights_from_dram_when_they_do_not_fit():
    work = workloads_zoo.gpt2_small_layer(seq_len=16)
    small = baselines.DigitalAccelerator("7nm", "int8", sram_capacity_MB=1.0)
    big = baselines.DigitalAccelerator("7nm", "int8", sram_capacity_MB=64.0)
    assert ledger.price_baseline(work, small).breakdown_J["dram"] > 0
    assert ledger.price_baseline(work, big).breakdown_J["dram"] == 0


def test_zoo_macs_match_hand_counts():
    d, h, seq, ff = 256, 4, 128, 1024
    expected = 4 * seq * d * d + 2 * seq * d * ff + 2 * seq * seq * d
    assert workloads_zoo.transformer_block(d, h, seq).macs == expected
    gpt2 = workloads_zoo.gpt2_small_layer()
    assert gpt2.macs == 12 * 1024 * 768**2 + 2 * 1024**2 * 768
    assert workloads_zoo.digits_mlp(32).macs == 64 * 32 + 32 * 10


def test_default_baselines_have_unique_names():
    names = [b.name for b in ledger.DEFAULT_BASELINES]
    assert len(names) == len(set(names))


def test_crossover_and_optimum_agree_with_the_sweep():
    work = workloads_zoo.transformer_block(64, 2, 32)
    config = OpticalEnergyConfig()
    sizes = [4, 8, 16, 32, 64]
    sweep = [r.energy_per_mac_J for r in ledger.core_size_sweep(work, config, sizes)]
    target = sorted(sweep)[2]
    expected = next(n for n, e in zip(sizes, sweep, strict=True) if e <= target)
    assert ledger.crossover_core_size(work, config, target, sizes) == expected
    assert ledger.crossover_core_size(work, config, min(sweep) / 2, sizes) is None
    n_opt, best = ledger.optimal_core_size(work, config, sizes)
    assert best.energy_J == min(
        r.energy_J for r in ledger.core_size_sweep(work, config, sizes)
    )
    assert n_opt in sizes


def test_bad_workloads_are_rejected():
    with pytest.raises(InputError, match="workload"):
        ledger.price_optical("gpt2")
    with pytest.raises(InputError, match=r"w\.engine"):
        ledger.price_optical(_one(LinearOp("w", 2, 2, 1, engine="tpu")))
    with pytest.raises(InputError, match=r"w\.m"):
        ledger.price_optical(_one(LinearOp("w", 0, 2, 1)))
    with pytest.raises(InputError, match="baseline"):
        ledger.price_baseline(_one(LinearOp("w", 2, 2, 1)), "A100")
    with pytest.raises(InputError, match="heads"):
        workloads_zoo.transformer_block(d_model=10, heads=3)


def test_compiled_program_is_priced_like_its_shapes():
    """The ledger of a compiled digits MLP (its traced workload) equals the ledger of
    the shape-only zoo model, component by component, on every platform."""
    import jax
    import jax.numpy as jnp

    from nn_mapping import models
    from nn_mapping.hardware import Hardware
    from nn_mapping.program import compile_function

    params = models.init_mlp(jax.random.key(0), (64, 64, 10))
    program = compile_function(
        models.mlp_function(params), jnp.zeros((64,), jnp.float32),
        hardware=Hardware.ideal(16), name="mlp",
    )  # fmt: skip
    traced, shapes = program.workload(), workloads_zoo.digits_mlp()
    config = OpticalEnergyConfig(core_size=16).with_phase_shifter("thermo")
    optical, electronic = ledger.price_all(traced, [config])
    expected, expected_electronic = ledger.price_all(shapes, [config])
    assert optical[0].breakdown_J == pytest.approx(expected[0].breakdown_J, rel=1e-12)
    assert set(optical[0].breakdown_J) == set(ledger.OPTICAL_COMPONENTS)
    assert [r.platform for r in electronic] == [
        b.name for b in ledger.DEFAULT_BASELINES
    ]
    for got, want in zip(electronic, expected_electronic, strict=True):
        assert got.energy_J == pytest.approx(want.energy_J, rel=1e-12)
    # by hand: 4 x 4 tiles of the 64 x 64 layer plus 4 x 1 tiles of the 10 x 64 one,
    # each a 16-mode SVD core of 256 MZIs with two heaters at 25 mW, held for the
    # two symbols of the two layers (one input column each)
    shifters = (16 + 4) * 256 * 2
    assert optical[0].breakdown_J["holding"] == pytest.approx(
        shifters * 25e-3 * 2 / 5e9
    )
