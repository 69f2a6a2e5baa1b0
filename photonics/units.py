"""Units and physical constants, stated once for the whole package.

Conventions
-----------
* Every dimensional name carries its unit as a suffix with the SI prefix in its own
  case: ``power_mW``, ``energy_fJ``, ``loss_dB``, ``time_ps``, ``detuning_meV``,
  ``wavelength_nm``. ``mW`` (milli) and ``MW`` (mega) never meet.
* Device physics works in meV, ps and µm, where ħ = 0.658212 meV·ps. Public results are
  also given in SI joules and seconds.
* Optical fields in meshes are dimensionless complex amplitudes normalised so that
  ``|a|**2`` is a power in the unit the caller chose; column-vector convention,
  ``outputs = U @ inputs``.
* Phases are in radians; losses in dB are power ratios, ``10 log10(P_in / P_out)``.

Constants are CODATA 2018 exact or recommended values.
"""

import math

#: Planck constant h in J·s (exact).
H_Js = 6.62607015e-34
#: Reduced Planck constant ħ in J·s.
HBAR_Js = H_Js / (2 * math.pi)
#: Speed of light c in m/s (exact).
C_m_per_s = 299_792_458.0
#: Elementary charge e in C (exact).
E_C = 1.602176634e-19
#: Boltzmann constant k_B in J/K (exact).
KB_J_per_K = 1.380649e-23
#: ħ in meV·ps, the device-physics unit system.
HBAR_meVps = HBAR_Js / E_C * 1e3 * 1e12
#: Boltzmann constant in meV/K.
KB_meV_per_K = KB_J_per_K / E_C * 1e3

#: One meV in joules.
meV_J = 1e-3 * E_C
#: One femtojoule in joules.
fJ_J = 1e-15
#: One picosecond in seconds.
ps_s = 1e-12


def db_to_power_ratio(loss_dB):
    """Power transmission ``10**(-loss_dB / 10)`` of a loss in dB (>= 0 is loss)."""
    return 10.0 ** (-loss_dB / 10.0)


def db_to_amplitude_ratio(loss_dB):
    """Field-amplitude transmission ``10**(-loss_dB / 20)`` of a loss in dB."""
    return 10.0 ** (-loss_dB / 20.0)


def power_ratio_to_db(ratio):
    """Loss in dB, ``-10 log10(ratio)``, of a power transmission ``ratio``."""
    return -10.0 * math.log10(ratio)


def photon_energy_J(wavelength_nm):
    """Energy ``h c / λ`` of one photon of wavelength ``wavelength_nm``, in joules."""
    return H_Js * C_m_per_s / (wavelength_nm * 1e-9)


def photon_energy_meV(wavelength_nm):
    """Energy of one photon of wavelength ``wavelength_nm``, in meV."""
    return photon_energy_J(wavelength_nm) / meV_J


def wavelength_nm_from_energy_meV(energy_meV):
    """Vacuum wavelength in nm of a photon of energy ``energy_meV``."""
    return H_Js * C_m_per_s / (energy_meV * meV_J) * 1e9


def frequency_THz(wavelength_nm):
    """Optical frequency ``c / λ`` in THz of a vacuum wavelength in nm."""
    return C_m_per_s / (wavelength_nm * 1e-9) / 1e12


def power_W_to_photons_per_s(power_W, wavelength_nm):
    """Photon flux in photons/s of a beam of ``power_W`` at ``wavelength_nm``."""
    return power_W / photon_energy_J(wavelength_nm)


def photons_per_s_to_power_W(rate_per_s, wavelength_nm):
    """Optical power in W of a photon flux ``rate_per_s`` at ``wavelength_nm``."""
    return rate_per_s * photon_energy_J(wavelength_nm)


def energy_J_to_photons(energy_J, wavelength_nm):
    """Number of photons in a pulse of ``energy_J`` at ``wavelength_nm``."""
    return energy_J / photon_energy_J(wavelength_nm)


def mW_to_dBm(power_mW):
    """Power in dBm of ``power_mW``."""
    return 10.0 * math.log10(power_mW)


def dBm_to_mW(power_dBm):
    """Power in mW of ``power_dBm``."""
    return 10.0 ** (power_dBm / 10.0)


def landauer_limit_J(temperature_K=300.0):
    """Landauer's minimum energy ``k_B T ln 2`` to erase one bit, in joules."""
    return KB_J_per_K * temperature_K * math.log(2.0)
