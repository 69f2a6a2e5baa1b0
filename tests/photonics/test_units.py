"""Units and constants against published values."""

import math

import pytest

from photonics import units


def test_hbar_in_meV_ps():
    assert units.HBAR_meVps == pytest.approx(0.6582119569, rel=1e-9)


def test_photon_energy_at_1550_nm():
    assert units.photon_energy_J(1550) == pytest.approx(1.2816e-19, rel=1e-4)
    assert units.photon_energy_meV(1550) == pytest.approx(799.9, rel=1e-3)
    assert units.wavelength_nm_from_energy_meV(
        units.photon_energy_meV(780)
    ) == pytest.approx(780)


def test_landauer_at_300_K():
    assert units.landauer_limit_J(300) == pytest.approx(2.871e-21, rel=1e-3)


def test_db_conversions():
    assert units.db_to_power_ratio(3.0) == pytest.approx(0.50119, rel=1e-4)
    assert units.db_to_amplitude_ratio(20.0) == pytest.approx(0.1)
    assert units.power_ratio_to_db(0.1) == pytest.approx(10.0)
    assert units.mW_to_dBm(1.0) == 0.0 and units.dBm_to_mW(10.0) == pytest.approx(10)


def test_photon_flux_round_trip():
    rate = units.power_W_to_photons_per_s(1e-3, 1550)
    assert rate == pytest.approx(7.80e15, rel=1e-3)
    assert units.photons_per_s_to_power_W(rate, 1550) == pytest.approx(1e-3)
    assert units.frequency_THz(1550) == pytest.approx(193.4, rel=1e-3)
    assert units.energy_J_to_photons(1e-15, 1550) == pytest.approx(
        1e-15 / units.photon_energy_J(1550)
    )
    assert math.isclose(units.KB_meV_per_K * 300, 25.85, rel_tol=1e-3)
