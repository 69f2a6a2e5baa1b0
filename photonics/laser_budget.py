"""Photon budgets: shot-noise limits, mesh depth loss and the laser power of a core.

Shot-noise limit for b-bit detection. A detector that receives ``N`` photons at full
scale sees Poisson noise of standard deviation ``√N``. Resolving ``2**b`` levels needs
that noise to be no larger than one least-significant step ``N / 2**b``::

    √N <= N / 2**b   <=>   N >= 4**b

so :func:`photons_for_bits` returns exactly ``4**b`` photons per output sample (256 at
4 bits, 65 536 at 8 bits). Equivalently an amplitude signal-to-noise ratio ``S`` needs
``S**2`` photons (:func:`photons_for_snr`).

Laser power through a lossy mesh. An SVD-mapped N x N weight ``W = U Σ V^†`` is two
Clements meshes of N MZI columns each plus one column of attenuators, so light crosses
``2N + 1`` MZIs (:func:`svd_mesh_depth`). With per-MZI insertion loss ``IL`` the
transmission falls as ``10**(-(2N + 1) IL / 10)``: the laser power for a fixed output
SNR grows exponentially with N, while converter energy per MAC falls as 1/N. The sum has
a minimum, the optimal core size (:func:`optimal_core_size`).

References:
    R. Hamerly et al., Phys. Rev. X 9, 021032 (2019) (photon-limited energy per MAC).
    W. R. Clements et al., Optica 3, 1460 (2016) (mesh depth N).
    T. Wang et al., Nat. Commun. 13, 123 (2022) (few photons per multiply).
"""

import math

import numpy as np

from photonics import checks, units
from photonics.errors import input_error


def photons_for_bits(bits):
    """Photons per sample for shot-noise-limited ``bits``-bit detection: ``4**b``.

    Raises:
        InputError: unless ``bits`` is an integer in [1, 24].
    """
    bits = checks.check_int("bits", bits, minimum=1, maximum=24)
    return 4.0**bits


def photons_for_snr(snr):
    """Photons for an amplitude SNR ``snr`` under shot noise: ``snr**2``."""
    checks.check_positive("snr", snr)
    return float(snr) ** 2


def on_off_bit_error_rate(photons):
    """Bit error rate ``exp(-N) / 2`` of shot-noise-limited on-off detection.

    Args:
        photons: mean photon number in a "one" (>= 0).
    """
    checks.check_positive("photons", photons, allow_zero=True)
    return 0.5 * math.exp(-photons)


def photons_for_bit_error_rate(ber):
    """Photons in a "one" for on-off detection at error rate ``ber``: ``-ln(2 BER)``."""
    checks.check_positive("ber", ber)
    if not ber < 0.5:
        raise input_error("ber", "a bit error rate in (0, 0.5)", repr(ber))
    return -math.log(2.0 * ber)


def clements_depth(n):
    """MZI columns light crosses in an ``n``-mode Clements mesh: ``n``."""
    return checks.check_int("n", n, minimum=1)


def svd_mesh_depth(n):
    """MZIs light crosses in an SVD-mapped ``n x n`` core (U, Σ, V^†): ``2n + 1``."""
    return 2 * clements_depth(n) + 1


def svd_mesh_mzis(n):
    """MZIs in an SVD-mapped ``n x n`` core: two meshes of ``n(n-1)/2`` plus ``n``."""
    n = checks.check_int("n", n, minimum=1)
    return n * (n - 1) + n


def path_loss_dB(depth, mzi_loss_dB, fixed_loss_dB=0.0):
    """Total loss in dB of a path through ``depth`` MZIs plus ``fixed_loss_dB``.

    ``L = depth * mzi_loss_dB + fixed_loss_dB`` (couplers, modulator, attenuation).
    """
    checks.check_int("depth", depth, minimum=0)
    checks.check_positive("mzi_loss_dB", mzi_loss_dB, allow_zero=True)
    checks.check_positive("fixed_loss_dB", fixed_loss_dB, allow_zero=True)
    return depth * mzi_loss_dB + fixed_loss_dB


def laser_energy_per_sample_J(
    photons_per_sample, loss_dB, wavelength_nm=1550.0, detector_efficiency=1.0
):
    """Optical energy in J the laser must emit per detected output sample.

    ``E = N_ph h ν / (η_det 10**(-loss_dB / 10))``: ``N_ph`` photons must be absorbed
    after a path of ``loss_dB`` by a detector of quantum efficiency ``η_det``.
    Divide by the wall-plug efficiency for electrical energy.
    """
    checks.check_positive("photons_per_sample", photons_per_sample)
    checks.check_positive("loss_dB", loss_dB, allow_zero=True)
    checks.check_positive("detector_efficiency", detector_efficiency)
    checks.check_fraction("detector_efficiency", detector_efficiency)
    transmission = units.db_to_power_ratio(loss_dB)
    photon_J = units.photon_energy_J(wavelength_nm)
    return photons_per_sample * photon_J / (detector_efficiency * transmission)


def core_laser_power_mW(
    n,
    rate_GHz,
    photons_per_sample,
    loss_dB,
    wall_plug_efficiency,
    wavelength_nm=1550.0,
    detector_efficiency=1.0,
):
    """Electrical laser power in mW for an ``n``-output core running at ``rate_GHz``.

    Each of the ``n`` outputs receives ``photons_per_sample`` at full scale every
    symbol; by power conservation in the lossless part of the mesh the laser supplies
    ``n`` times one output's share, divided by the path transmission and the wall-plug
    efficiency.

    Returns:
        ``(optical_power_mW, electrical_power_mW)`` of the laser.
    """
    checks.check_int("n", n, minimum=1)
    checks.check_positive("rate_GHz", rate_GHz)
    checks.check_positive("wall_plug_efficiency", wall_plug_efficiency)
    checks.check_fraction("wall_plug_efficiency", wall_plug_efficiency)
    per_sample_J = laser_energy_per_sample_J(
        photons_per_sample, loss_dB, wavelength_nm, detector_efficiency
    )
    optical_mW = n * per_sample_J * rate_GHz * 1e9 * 1e3
    return optical_mW, optical_mW / wall_plug_efficiency


def laser_power_for_snr_mW(config, core_size, snr):
    """Laser power in mW an SVD-mapped core needs for an output amplitude SNR ``snr``.

    Each of the ``N`` outputs must detect ``snr**2`` photons per symbol at full scale
    (shot noise, :func:`photons_for_snr`); light crosses ``2N + 1`` MZIs of
    ``config.mzi_loss_dB`` plus the fixed losses of ``config``, so with
    ``L = (2N + 1) IL + L_fixed``::

        P_opt = N * snr**2 * h c / λ * f_s / (η_det * 10**(-L / 10))
        P_el = P_opt / η_wall-plug

    grows exponentially with ``N`` through the depth of the mesh.

    Args:
        config: an :class:`photonics.hardware_energy.OpticalEnergyConfig` (rate,
            wavelength, losses, detector and wall-plug efficiencies).
        core_size: N, modes of the core (>= 1).
        snr: amplitude signal-to-noise ratio at each output (> 0); ``2**b`` for
            ``b``-bit shot-noise-limited detection.

    Returns:
        ``(optical_power_mW, electrical_power_mW)`` of the laser.

    Raises:
        InputError: for ``core_size < 1`` or ``snr <= 0``.
    """
    n = checks.check_int("core_size", core_size, minimum=1)
    return core_laser_power_mW(
        n,
        config.rate_GHz,
        photons_for_snr(snr),
        config.mesh_loss_dB(n),
        config.laser_wall_plug,
        config.wavelength_nm,
        config.detector_efficiency,
    )


def mesh_energy_per_mac_J(config, core_size):
    """Energy per MAC in J of a fully used weight-stationary SVD mesh of ``core_size``.

    One symbol of an N x N core performs N**2 MACs with N DAC+modulator conversions
    and N detections+ADC conversions (both 1/N per MAC), a laser share that grows as
    ``10**((2N + 1) IL / 10) / N``, and holding power of ``2 N**2`` phase shifters
    over one symbol (independent of N per MAC).

    Args:
        config: an :class:`photonics.hardware_energy.OpticalEnergyConfig`.
        core_size: N, the number of modes.

    Returns:
        A dict component -> J per MAC (``laser``, ``dac``, ``modulator``, ``detector``,
        ``adc``, ``holding``).
    """
    n = checks.check_int("core_size", core_size, minimum=1)
    loss_dB = config.mesh_loss_dB(n)
    laser_J = config.laser_energy_per_sample_J(loss_dB)
    holding_W = config.phase_shifter_holding_power_W() * config.shifters_per_mzi
    symbol_s = 1.0 / (config.rate_GHz * 1e9)
    return {
        "laser": laser_J / n,
        "dac": config.dac_energy_J() / n,
        "modulator": config.modulator_energy_J() / n,
        "detector": config.receiver_energy_J() / n,
        "adc": config.adc_energy_J() / n,
        "holding": holding_W * svd_mesh_mzis(n) * symbol_s / n**2,
    }


def core_size_sweep(config, sizes):
    """Energy per MAC in J against core size for a fully used mesh.

    Args:
        config: an optical energy configuration.
        sizes: core sizes N to evaluate.

    Returns:
        ``(sizes, totals_J, breakdowns)``: numpy arrays of sizes and total J per MAC,
        and the list of per-component dicts.
    """
    sizes = [checks.check_int("sizes", int(s), minimum=1) for s in sizes]
    breakdowns = [mesh_energy_per_mac_J(config, n) for n in sizes]
    totals = np.array([sum(b.values()) for b in breakdowns])
    return np.array(sizes), totals, breakdowns


def optimal_core_size(config, max_size=512):
    """The core size N in ``[2, max_size]`` with the least energy per MAC.

    Returns:
        ``(n_opt, energy_per_mac_J)``.
    """
    checks.check_int("max_size", max_size, minimum=2)
    sizes, totals, _ = core_size_sweep(config, range(2, max_size + 1))
    best = int(np.argmin(totals))
    return int(sizes[best]), float(totals[best])
