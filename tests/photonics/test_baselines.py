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
