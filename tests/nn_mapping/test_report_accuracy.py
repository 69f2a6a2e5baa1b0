"""The report's accuracy hook: photon budget to power, and the simulated accuracy."""

import pytest

from nn_mapping import report
from nn_mapping.hardware import Hardware
from nn_mapping.report_accuracy import digits_accuracy, photons_to_power_mW
from photonics.units import photon_energy_J


def test_photons_to_power_by_hand():
    hardware = Hardware()
    photons = 1e4
    by_hand = photons * photon_energy_J(hardware.wavelength_nm)
    by_hand *= hardware.sample_rate_GHz * 1e9 * 1e3
    assert photons_to_power_mW(photons, hardware) == pytest.approx(by_hand, rel=1e-12)
    assert hardware.photons_per_sample(by_hand) == pytest.approx(photons, rel=1e-9)


def test_report_finds_the_hook():
    assert report.find_accuracy_fn() is digits_accuracy


def test_accuracy_rises_with_bits_and_photons():
    poor = digits_accuracy(2, 10.0)
    rich = digits_accuracy(8, 1e5)
    assert rich > 0.9
    assert poor < rich - 0.3
