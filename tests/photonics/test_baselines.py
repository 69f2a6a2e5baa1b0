"""Electronic baselines against their datasheet and table values."""

import pytest

from photonics import baselines as bl
from photonics.errors import InputError


@pytest.mark.parametrize(
    ("name", "precision", "power_W", "peak_TOPS"),
    [
        ("A100", "bf16", 400.0, 312.0),
        ("A100", "int8", 400.0, 624.0),
        ("H100", "bf16", 700.0, 989.0),
        ("H100", "fp8", 700.0, 1979.0),
        ("B200", "bf16", 1000.0, 2250.0),
        ("B200", "fp8", 1000.0, 4500.0),
    ],
)
def test_gpu_energy_per_mac_is_power_over_half_throughput(
    name, precision, power_W, peak_TOPS
):
    expected = power_W / (peak_TOPS * 1e12 / 2)
    assert bl.gpu_energy_per_mac_J(name, precision) == pytest.approx(expected)


def test_gpu_utilisation_scales_inversely():
    full = bl.gpu_energy_per_mac_J("H100", "bf16")
    assert bl.gpu_energy_per_mac_J("H100", "bf16", 0.25) == pytest.approx(4 * full)
    with pytest.raises(InputError, match="utilisation"):
        bl.gpu_energy_per_mac_J("H100", "bf16", 1.5)


def test_gpu_bad_names():
    with pytest.raises(InputError, match="gpu"):
        bl.gpu_energy_per_mac_J("V100", "bf16")
    with pytest.raises(InputError, match="precision"):
        bl.gpu_energy_per_mac_J("A100", "fp8")


def test_horowitz_45nm_table():
    assert bl.mac_energy_pJ("45nm", "int8") == pytest.approx(0.2 + 0.03)
    assert bl.mac_energy_pJ("45nm", "fp32") == pytest.approx(3.7 + 0.9)
    assert bl.sram_energy_pJ_per_byte("45nm", "8KB") == pytest.approx(10 / 8)
    assert bl.sram_energy_pJ_per_byte("45nm", "1MB") == pytest.approx(100 / 8)
    assert 1300 / 8 <= bl.dram_energy_pJ_per_byte("45nm") <= 2600 / 8


def test_7nm_is_cheaper_than_45nm_everywhere():
    old, new = bl.node("45nm"), bl.node("7nm")
    for key, value in old.op_energy_pJ.items():
        assert new.op_energy_pJ[key] < value, key
    for size, value in old.sram_pJ_per_64bit.items():
        assert new.sram_pJ_per_64bit[size] < value, size
    assert new.dram_pJ_per_64bit < old.dram_pJ_per_64bit


def test_digital_matmul_hand_calculation():
    acc = bl.DigitalAccelerator("45nm", "int8", array_size=4, sram_capacity_MB=1.0)
    parts = bl.digital_matmul_energy_J(acc, 8, 16, 2, count=3)
    macs = 3 * 8 * 16 * 2
    assert parts["mac"] == pytest.approx(macs * 0.23e-12)
    assert parts["local_buffer"] == pytest.approx(2 * macs / 4 * 10 / 8 * 1e-12)
    on_chip_bytes = 3 * (16 * 2 + 8 * 2) + 3 * 8 * 16
    assert parts["global_buffer"] == pytest.approx(on_chip_bytes * 100 / 8 * 1e-12)
    assert parts["dram"] == 0.0
    off = bl.digital_matmul_energy_J(acc, 8, 16, 2, count=3, weights_on_chip=False)
    assert off["dram"] == pytest.approx(3 * 8 * 16 * 1950 / 8 * 1e-12)


def test_electronic_op_hand_calculation():
    arithmetic_J, memory_J = bl.electronic_op_energy_J("softmax", 100, "45nm", "fp32")
    assert arithmetic_J == pytest.approx(100 * 12 * (0.9 + 3.7) / 2 * 1e-12)
    assert memory_J == pytest.approx(100 * 2 * 4 * 100 / 8 * 1e-12)
    with pytest.raises(InputError, match="kind"):
        bl.electronic_op_energy_J("attention", 10)


def test_accelerator_validation():
    with pytest.raises(InputError, match="node"):
        bl.DigitalAccelerator("3nm").validate()
    assert bl.DigitalAccelerator().name == "MAC array 7nm int8"


def test_7nm_table_is_jouppi_table_1():
    # Jouppi et al., ISCA 2021, Table 1 (7 nm column), pJ
    ops = {
        ("int8", "add"): 0.007, ("int8", "mult"): 0.07,
        ("fp16", "add"): 0.16, ("fp16", "mult"): 0.34,
        ("bf16", "add"): 0.11, ("bf16", "mult"): 0.21,
        ("fp32", "add"): 0.38, ("fp32", "mult"): 1.31,
    }  # fmt: skip
    for (precision, op), pJ in ops.items():
        assert bl.op_energy_pJ("7nm", precision, op) == pytest.approx(pJ)
    for size, pJ in (("8KB", 7.5), ("32KB", 8.5), ("1MB", 14.0)):
        assert bl.sram_energy_pJ_per_byte("7nm", size) == pytest.approx(pJ / 8)
    assert 250 / 8 <= bl.dram_energy_pJ_per_byte("7nm") <= 450 / 8  # HBM2


def test_gpu_elementwise_energy_is_power_over_vector_peak():
    # fp32 vector peaks of the datasheets: A100 19.5, H100 SXM 67 TFLOP/s
    assert bl.gpu_energy_per_flop_J("A100") == pytest.approx(400.0 / 19.5e12)
    assert bl.gpu_energy_per_flop_J("H100", 0.5) == pytest.approx(700.0 / 33.5e12)


def test_mac_array_energy_per_mac_falls_towards_the_arithmetic_with_reuse():
    # a large square product: memory traffic per MAC falls as 1/size, so the energy
    # per MAC tends to the multiply + add of the node
    acc = bl.DigitalAccelerator("45nm", "int8", array_size=128)
    size = 2048
    parts = bl.digital_matmul_energy_J(acc, size, size, size)
    per_mac_pJ = sum(parts.values()) / size**3 * 1e12
    local = 2 / 128 * 10 / 8  # two one-byte operands per MAC, reused 128 times
    global_ = 3 / size * 100 / 8  # weights, inputs and outputs once each
    assert per_mac_pJ == pytest.approx(0.23 + local + global_, rel=1e-12)
