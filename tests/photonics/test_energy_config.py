"""The optical energy configuration and its hardware-file loader."""

import json

import pytest

from photonics.errors import InputError
from photonics.hardware_energy import (
    OpticalEnergyConfig,
    config_from_dict,
    load_hardware,
)


def test_defaults_are_valid_and_documented_values():
    config = OpticalEnergyConfig()
    assert 0.1 <= config.laser_wall_plug <= 0.3
    assert 0.1 <= config.mzi_loss_dB <= 0.5
    assert config.samples_photons() == 4**config.adc_bits


def test_photons_per_sample_overrides_shot_noise_limit():
    assert OpticalEnergyConfig(photons_per_sample=10.0).samples_photons() == 10.0


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("laser_wall_plug", 1.2),
        ("detector_efficiency", 0.0),
        ("modulator_energy_fJ", -1.0),
        ("mzi_loss_dB", -0.1),
        ("rate_GHz", 0.0),
        ("adc_bits", 0),
        ("core_size", 1),
        ("phase_shifter", "piezo"),
        ("dynamic_engine", "mesh"),
        ("laser_wall_plug", "0.2"),
        ("photons_per_sample", 0.0),
    ],
)
def test_impossible_values_name_the_key(key, value):
    with pytest.raises(InputError, match=key):
        config_from_dict({key: value})


def test_unknown_key_is_named():
    with pytest.raises(InputError, match="laser_wallplug"):
        config_from_dict({"laser_wallplug": 0.2})


def test_missing_value_is_named():
    with pytest.raises(InputError, match="adc_bits"):
        config_from_dict({"adc_bits": None})


def test_nullable_fields_accept_null():
    config = config_from_dict({"photons_per_sample": None, "dynamic_engine": None})
    assert config.photons_per_sample is None


def test_presets_then_overrides():
    config = config_from_dict({"phase_shifter": "thermo", "settling_time_us": 3.0})
    assert config.holding_power_mW_per_pi == 25.0
    assert config.settling_time_us == 3.0
    assert config_from_dict({"modulator": "mzm"}).modulator_energy_fJ == 200.0


def test_load_hardware_file(tmp_path):
    path = tmp_path / "hw.json"
    path.write_text(json.dumps({"name": "chip", "core_size": 16, "adc_bits": 6}))
    config = load_hardware(path)
    assert (config.name, config.core_size, config.adc_bits) == ("chip", 16, 6)


def test_load_hardware_bad_files(tmp_path):
    with pytest.raises(InputError, match="--hardware"):
        load_hardware(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="--hardware"):
        load_hardware(bad)
    bad.write_text("[1, 2]")
    with pytest.raises(InputError, match="hardware"):
        load_hardware(bad)


def test_reconfiguration_energy_hand_calculation():
    config = OpticalEnergyConfig(
        holding_power_mW_per_pi=10.0, settling_time_us=2.0, switching_energy_pJ=5.0
    )
    assert config.reconfiguration_energy_J() == pytest.approx(5e-12 + 10e-3 * 2e-6)


def test_phase_shifter_presets_carry_their_loss_into_the_mesh():
    base = OpticalEnergyConfig()
    eo, mems = base.with_phase_shifter("eo"), base.with_phase_shifter("mems")
    assert eo.mzi_loss_dB == pytest.approx(mems.mzi_loss_dB + 0.2)
    assert eo.with_phase_shifter("thermo").mzi_loss_dB == pytest.approx(
        base.with_phase_shifter("thermo").mzi_loss_dB
    )
