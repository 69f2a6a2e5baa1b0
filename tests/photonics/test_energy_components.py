"""Component energy models against hand calculations and published values."""

import math

import numpy as np
import pytest

from photonics import energy_components as ec
from photonics import laser_budget as lb
from photonics import units
from photonics.errors import InputError
from photonics.hardware_energy import OpticalEnergyConfig


def test_converter_energy_hand_calculation():
    # 2 fJ/step * 2**6 steps * (3 GHz / 1 GHz) = 384 fJ
    assert ec.converter_energy_pJ(6, 3.0, 2.0, 1.0) == pytest.approx(0.384)


def test_converter_energy_doubles_per_bit_and_is_flat_below_corner():
    e8 = ec.converter_energy_pJ(8, 0.5, 4.0, 1.0)
    assert ec.converter_energy_pJ(9, 0.5, 4.0, 1.0) == pytest.approx(2 * e8)
    assert ec.converter_energy_pJ(8, 0.25, 4.0, 1.0) == pytest.approx(e8)
    assert ec.converter_energy_pJ(8, 4.0, 4.0, 1.0) == pytest.approx(4 * e8)


def test_dac_default_matches_published_3p6_pJ_at_8_bit_14_GSps():
    assert ec.dac_energy_pJ(8, 14.0) == pytest.approx(3.6)


def test_adc_default_inside_murmann_band_for_8_bits_at_1_to_1p5_GSps():
    for rate_GHz in (1.0, 1.5):
        assert 1.0 <= ec.adc_energy_pJ(8, rate_GHz) <= 6.0


@pytest.mark.parametrize("bits", [0, -1, 2.5, True])
def test_converter_rejects_bad_bits(bits):
    with pytest.raises(InputError, match="bits"):
        ec.converter_energy_pJ(bits, 1.0, 1.0)


def test_thermo_reconfiguration_is_holding_power_times_settling():
    shifter = ec.phase_shifter("thermo")
    # 25 mW for 10 µs = 250 nJ = 2.5e5 pJ
    assert shifter.reconfiguration_energy_pJ() == pytest.approx(2.5e5)
    assert shifter.holding_power_mW_per_pi == 25.0


def test_mems_and_eo_hold_for_free():
    for kind in ("mems", "eo"):
        assert ec.phase_shifter(kind).mean_holding_power_mW() == 0.0
    assert (
        ec.phase_shifter("eo").settling_time_us
        < ec.phase_shifter("mems").settling_time_us
    )


def test_modulator_presets_follow_their_sources():
    assert 0.9 <= ec.modulator("ring").energy_fJ <= 7.0
    assert ec.modulator("mzm").energy_fJ == pytest.approx(200.0)
    with pytest.raises(InputError, match="modulator"):
        ec.modulator("plasmonic")


def test_laser_wall_plug():
    assert ec.laser_electrical_power_mW(1.0, 0.25) == pytest.approx(4.0)
    with pytest.raises(InputError, match="wall_plug_efficiency"):
        ec.laser_electrical_power_mW(1.0, 1.2)


def test_photon_energy_at_1550_nm_is_0p8_eV():
    assert units.photon_energy_J(1550.0) == pytest.approx(1.28e-19, rel=2e-3)


@pytest.mark.parametrize("bits", [1, 4, 8, 12])
def test_shot_noise_photons_are_four_to_the_bits(bits):
    assert lb.photons_for_bits(bits) == 4**bits
    assert lb.photons_for_snr(2**bits) == pytest.approx(4**bits)


@pytest.mark.parametrize("bits", [3, 5])
def test_poisson_noise_equals_one_lsb_at_the_limit(bits):
    rng = np.random.default_rng(7)
    photons = lb.photons_for_bits(bits)
    lsb = photons / 2**bits
    std = rng.poisson(photons, size=200_000).std()
    assert std / lsb == pytest.approx(1.0, rel=0.02)
    # a quarter of the photons leaves twice an LSB of noise: not enough
    fewer = rng.poisson(photons / 4, size=200_000).std() / (photons / 4 / 2**bits)
    assert fewer == pytest.approx(2.0, rel=0.02)


def test_on_off_detection_error_rate():
    assert lb.on_off_bit_error_rate(0.0) == 0.5
    assert lb.photons_for_bit_error_rate(1e-9) == pytest.approx(20.03, abs=0.01)
    assert lb.on_off_bit_error_rate(lb.photons_for_bit_error_rate(1e-6)) == (
        pytest.approx(1e-6)
    )


def test_svd_mesh_depth_and_mzi_count():
    assert [lb.svd_mesh_depth(n) for n in (1, 4, 64)] == [3, 9, 129]
    assert lb.svd_mesh_mzis(8) == 8 * 7 // 2 * 2 + 8


def test_laser_energy_per_sample_hand_calculation():
    photon_J = 6.62607015e-34 * 299792458.0 / 1550e-9
    expected = 1000 * photon_J / (0.5 * 10 ** (-0.3))
    assert lb.laser_energy_per_sample_J(1000, 3.0, 1550.0, 0.5) == pytest.approx(
        expected
    )


def test_core_laser_power_hand_calculation():
    photon_J = 6.62607015e-34 * 299792458.0 / 1550e-9
    optical_W = 16 * 256 * photon_J * 10e9 / 0.1  # 10 dB loss
    optical_mW, electrical_mW = lb.core_laser_power_mW(16, 10.0, 256, 10.0, 0.2)
    assert optical_mW == pytest.approx(optical_W * 1e3)
    assert electrical_mW == pytest.approx(optical_W * 1e3 / 0.2)


def test_laser_cost_grows_exponentially_with_depth():
    config = OpticalEnergyConfig(mzi_loss_dB=0.3)
    per_sample = [
        config.laser_energy_per_sample_J(config.mesh_loss_dB(n)) for n in range(2, 40)
    ]
    ratios = np.array(per_sample[1:]) / np.array(per_sample[:-1])
    # one more mode adds two MZIs to the path: a factor 10**(2 * 0.3 / 10)
    np.testing.assert_allclose(ratios, 10 ** (0.06), rtol=1e-12)


def test_converter_energy_per_mac_falls_as_one_over_n():
    config = OpticalEnergyConfig()
    for key in ("dac", "adc", "modulator", "detector"):
        scaled = [lb.mesh_energy_per_mac_J(config, n)[key] * n for n in (4, 16, 64)]
        np.testing.assert_allclose(scaled, scaled[0], rtol=1e-12)


def test_holding_power_per_mac_is_independent_of_core_size():
    config = OpticalEnergyConfig().with_phase_shifter("thermo")
    expected = 2 * 25e-3 / 5e9  # two shifters per MZI, N**2 MZIs for N**2 MACs
    for n in (4, 32):
        assert lb.mesh_energy_per_mac_J(config, n)["holding"] == pytest.approx(expected)


def _hand_energy_per_mac(config, n):
    photon_J = units.photon_energy_J(config.wavelength_nm)
    loss_dB = (2 * n + 1) * config.mzi_loss_dB + (
        config.coupling_loss_dB + config.modulator_loss_dB + config.extra_loss_dB
    )
    laser = 4**config.adc_bits * photon_J * 10 ** (loss_dB / 10)
    laser /= config.detector_efficiency * config.laser_wall_plug
    speed = config.rate_GHz / config.converter_corner_rate_GHz
    dac = config.dac_fom_fJ_per_step * 2**config.dac_bits * speed * 1e-15
    adc = config.adc_fom_fJ_per_step * 2**config.adc_bits * speed * 1e-15
    other = config.modulator_energy_fJ * 1e-15 + config.receiver_energy_pJ * 1e-12
    return (laser + dac + adc + other) / n


@pytest.mark.parametrize("mzi_loss_dB", [0.1, 0.2, 0.5])
def test_optimal_core_size_matches_brute_force_of_hand_formula(mzi_loss_dB):
    config = OpticalEnergyConfig(mzi_loss_dB=mzi_loss_dB)
    sizes = range(2, 257)
    hand = [_hand_energy_per_mac(config, n) for n in sizes]
    n_opt, energy = lb.optimal_core_size(config, 256)
    assert n_opt == sizes[int(np.argmin(hand))]
    assert energy == pytest.approx(min(hand), rel=1e-9)


def test_optimal_core_size_shrinks_with_loss_and_grows_with_converter_cost():
    base = OpticalEnergyConfig()
    lossy = base.replace(mzi_loss_dB=0.5)
    costly = base.replace(adc_fom_fJ_per_step=40.0)
    assert lb.optimal_core_size(lossy)[0] < lb.optimal_core_size(base)[0]
    assert lb.optimal_core_size(costly)[0] > lb.optimal_core_size(base)[0]


def test_core_size_sweep_shapes():
    sizes, totals, parts = lb.core_size_sweep(OpticalEnergyConfig(), [4, 8, 16])
    assert sizes.tolist() == [4, 8, 16]
    assert totals.shape == (3,) and len(parts) == 3
    assert all(
        math.isclose(sum(p.values()), t) for p, t in zip(parts, totals, strict=True)
    )


def test_laser_power_for_target_snr_hand_calculation():
    # N = 16 at 5 GS/s, SNR 64 (6 bits): 4096 photons per output per symbol through
    # 33 MZIs of 0.3 dB plus 3 dB coupling and 1 dB modulator loss
    config = OpticalEnergyConfig(mzi_loss_dB=0.3, detector_efficiency=0.5, adc_bits=6)
    photon_J = 6.62607015e-34 * 299792458.0 / 1550e-9
    loss_dB = 33 * 0.3 + 3.0 + 1.0
    optical_W = 16 * 64**2 * photon_J * 5e9 / (0.5 * 10 ** (-loss_dB / 10))
    optical_mW, electrical_mW = lb.laser_power_for_snr_mW(config, 16, 64.0)
    assert optical_mW == pytest.approx(optical_W * 1e3, rel=1e-12)
    assert electrical_mW == pytest.approx(optical_W * 1e3 / 0.2, rel=1e-12)
    # 6-bit shot-noise-limited detection is SNR 2**6: the ledger's photon budget
    per_sample_J = config.laser_energy_per_sample_J(config.mesh_loss_dB(16))
    assert electrical_mW * 1e-3 == pytest.approx(16 * per_sample_J * 5e9, rel=1e-12)


def test_laser_power_for_snr_grows_exponentially_with_core_size():
    config = OpticalEnergyConfig(mzi_loss_dB=0.5)
    sizes = np.arange(2, 60)
    power = np.array([lb.laser_power_for_snr_mW(config, n, 16.0)[0] for n in sizes])
    # P(N) / N = A * 10**((2N + 1) IL / 10): a straight line of slope 2 IL / 10 in
    # log10, fitted independently
    slope = np.polyfit(sizes, np.log10(power / sizes), 1)[0]
    assert slope == pytest.approx(2 * 0.5 / 10, rel=1e-9)
    with pytest.raises(InputError, match="snr"):
        lb.laser_power_for_snr_mW(config, 4, 0.0)
