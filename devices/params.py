"""Parameters of the exciton-polariton nanocavity: PyTree modules, units in names.

Two models share one interface (``n_modes``, ``drive_per_ps``, ``vector_field``,
``input_power_uW``, ``steady_fields``, ``output_powers_uW``, ``loss_rates_per_ps``):

* :class:`TwoModeCavity`, the coherently driven cavity photon ψ_C and exciton ψ_X
  (see :mod:`devices.model` for the equations), with optional excitation-induced
  dephasing (EID) and phase-space-filling saturation (PSF);
* :class:`KerrCavity`, the single-mode lower-polariton Kerr reduction.

Fields are normalised so that ``|ψ|**2`` is the number of particles in the mode.
Energies are in meV (linewidths are full widths ħγ), times in ps, areas in µm². The
frame rotates at the pump photon energy ``pump_energy_meV``. The input field ``a_in``
is in sqrt(µW): ``|a_in|**2`` is the incident power in µW.

:func:`build_two_mode` builds a model from physical inputs (Rabi splitting, linewidths,
g_X, mode area, coupling efficiency, wavelength); :func:`kerr_reduction` projects it on
the lower polariton (REFERENCES.md section 1).
"""

import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from photonics import checks
from photonics.errors import input_error
from photonics.units import HBAR_meVps, meV_J, photon_energy_meV

#: Photons per ps in one µW at a photon energy of 1 meV (multiply by 1/E_meV).
_PHOTONS_PER_PS_PER_UW_MEV = 1e-6 * 1e-12 / meV_J


def photon_flux_per_ps(power_uW, photon_energy_meV_):
    """Photon flux in photons/ps of a beam of ``power_uW`` at ``photon_energy_meV_``."""
    return power_uW * _PHOTONS_PER_PS_PER_UW_MEV / photon_energy_meV_


def rate_per_ps(energy_meV):
    """Rate in 1/ps (or angular frequency in rad/ps) of an energy in meV: E / ħ."""
    return energy_meV / HBAR_meVps


def _check_rates(model, names, allow_zero):
    """Refuse negative or NaN linewidths and rates of a model built by hand.

    Runs on direct construction only (equinox's ``__check_init__``); traced values
    (a model built inside ``jit`` or ``vmap``) are left to the caller.
    """
    for name in names:
        value = getattr(model, name)
        if isinstance(value, jax.core.Tracer):
            continue
        array = np.asarray(value, dtype=float)
        bad = np.isnan(array) | (array < 0 if name in allow_zero else array <= 0)
        if np.any(bad):
            kind = ">= 0" if name in allow_zero else "> 0"
            raise input_error(name, f"a rate or linewidth {kind}", array.tolist())


class TwoModeCavity(eqx.Module):
    """Coherently driven cavity photon + exciton with Rabi coupling (REFERENCES §1).

    Attributes:
        cavity_energy_meV: bare cavity photon energy E_C.
        exciton_energy_meV: exciton energy E_X.
        pump_energy_meV: pump (and control) photon energy E_p; the rotating frame.
        rabi_meV: Rabi splitting ħΩ_R.
        gamma_C_meV: cavity linewidth ħγ_C (FWHM, all channels together).
        gamma_X_meV: exciton linewidth ħγ_X (FWHM) at low density.
        g_meV: exciton-exciton interaction per exciton in the mode, g_X / A_eff.
        beta_meV: EID, extra exciton linewidth per exciton in the mode (FWHM).
        saturation_excitons: PSF exciton number N_sat; ``inf`` switches PSF off.
        kappa_in_meV: ħκ_in, decay rate into the (mode-matched) input channel.
        kappa_out_meV: ħκ_out, decay rate into the detected transmission channel.

    Raises:
        InputError: when built directly with a NaN, negative or (for γ_C, γ_X and
            N_sat) zero linewidth, rate or saturation number.
    """

    cavity_energy_meV: float | jnp.ndarray
    exciton_energy_meV: float | jnp.ndarray
    pump_energy_meV: float | jnp.ndarray
    rabi_meV: float | jnp.ndarray
    gamma_C_meV: float | jnp.ndarray
    gamma_X_meV: float | jnp.ndarray
    g_meV: float | jnp.ndarray
    beta_meV: float | jnp.ndarray
    saturation_excitons: float | jnp.ndarray
    kappa_in_meV: float | jnp.ndarray
    kappa_out_meV: float | jnp.ndarray

    n_modes = 2

    def __check_init__(self):
        _check_rates(
            self,
            (
                "gamma_C_meV",
                "gamma_X_meV",
                "beta_meV",
                "saturation_excitons",
                "kappa_in_meV",
                "kappa_out_meV",
            ),
            allow_zero={"beta_meV", "kappa_in_meV", "kappa_out_meV"},
        )

    def coupling_per_ps(self, n_X):
        """Rabi frequency Ω_R (1 - n_X / N_sat) in rad/ps at exciton number ``n_X``."""
        return rate_per_ps(self.rabi_meV) * (1.0 - n_X / self.saturation_excitons)

    def exciton_rate_per_ps(self, n_X):
        """Complex exciton frequency δ_X - iγ_X(n)/2 + g n in 1/ps (rotating frame)."""
        detuning = rate_per_ps(self.exciton_energy_meV - self.pump_energy_meV)
        gamma = rate_per_ps(self.gamma_X_meV + self.beta_meV * n_X)
        return detuning - 0.5j * gamma + rate_per_ps(self.g_meV) * n_X

    def cavity_rate_per_ps(self):
        """Complex cavity frequency δ_C - iγ_C/2 in 1/ps (rotating frame)."""
        detuning = rate_per_ps(self.cavity_energy_meV - self.pump_energy_meV)
        return detuning - 0.5j * rate_per_ps(self.gamma_C_meV)

    def drive_per_ps(self, a_in):
        """Drive F = √κ_in a_in of each mode (shape (2,)) for input field a_in (√µW)."""
        flux = photon_flux_per_ps(1.0, self.pump_energy_meV)
        f = jnp.sqrt(rate_per_ps(self.kappa_in_meV) * flux) * a_in
        return jnp.stack([f, jnp.zeros_like(f)])

    def vector_field(self, psi, drive):
        """dψ/dt, shape (2,), for fields ``psi = (ψ_C, ψ_X)`` and drive F (2,)."""
        n_X = jnp.abs(psi[1]) ** 2
        half_rabi = 0.5 * self.coupling_per_ps(n_X)
        d_C = -1j * self.cavity_rate_per_ps() * psi[0] - 1j * half_rabi * psi[1]
        d_X = -1j * self.exciton_rate_per_ps(n_X) * psi[1] - 1j * half_rabi * psi[0]
        return jnp.stack([d_C, d_X]) + drive

    def loss_rates_per_ps(self, psi):
        """Population decay rates (γ_C, γ_X(n)) in 1/ps, used by the noise terms."""
        n_X = jnp.abs(psi[1]) ** 2
        gamma_X = self.gamma_X_meV + self.beta_meV * n_X
        return jnp.stack([rate_per_ps(self.gamma_C_meV), rate_per_ps(gamma_X)])

    def _response(self, n_X):
        half_rabi = 0.5 * self.coupling_per_ps(n_X)
        d_X = self.exciton_rate_per_ps(n_X)
        return half_rabi, d_X, half_rabi**2 - self.cavity_rate_per_ps() * d_X

    def input_power_uW(self, n_X):
        """Incident power (µW) whose steady state holds ``n_X`` excitons.

        |F|² = n_X |Ω²/4 - d_C d_X(n)|² / (Ω²/4), the steady state of the two-mode
        equations with ψ_C eliminated (a cubic in n_X without PSF).
        """
        half_rabi, _, denom = self._response(n_X)
        f2 = n_X * jnp.abs(denom) ** 2 / half_rabi**2
        return f2 / self._f2_per_uW()

    def _f2_per_uW(self):
        return rate_per_ps(self.kappa_in_meV) * photon_flux_per_ps(
            1.0, self.pump_energy_meV
        )

    def steady_fields(self, n_X):
        """Steady fields (ψ_C, ψ_X) holding ``n_X`` excitons (real positive drive)."""
        half_rabi, d_X, denom = self._response(n_X)
        f = jnp.sqrt(self.input_power_uW(n_X) * self._f2_per_uW())
        psi_X = -1j * f * half_rabi / denom
        psi_C = -d_X / half_rabi * psi_X
        return jnp.stack([psi_C, psi_X])

    def output_powers_uW(self, psi, a_in):
        """(transmitted, reflected) powers in µW of state ``psi`` under input ``a_in``.

        a_T = √κ_out ψ_C; a_R = √κ_in ψ_C - a_in (input-output theory).
        """
        per_uW = 1.0 / photon_flux_per_ps(1.0, self.pump_energy_meV)
        k_out = rate_per_ps(self.kappa_out_meV)
        k_in = rate_per_ps(self.kappa_in_meV)
        transmitted = k_out * jnp.abs(psi[0]) ** 2 * per_uW
        a_r = jnp.sqrt(k_in * per_uW) * psi[0] - a_in
        return transmitted, jnp.abs(a_r) ** 2

    def population(self, psi):
        """The population that parametrises the S-curve: the exciton number |ψ_X|²."""
        return jnp.abs(psi[1]) ** 2

    def nonlinear_rate_per_ps(self):
        """Largest rate per excitation of the nonlinearities, for population scales."""
        g = rate_per_ps(jnp.abs(self.g_meV) + 0.5 * self.beta_meV)
        return g + rate_per_ps(self.rabi_meV) / self.saturation_excitons

    def linear_scale_per_ps(self):
        """Sum of the linear frequency scales (detunings, Rabi, linewidths) in 1/ps."""
        energies = (
            jnp.abs(self.cavity_energy_meV - self.pump_energy_meV)
            + jnp.abs(self.exciton_energy_meV - self.pump_energy_meV)
            + self.rabi_meV
            + self.gamma_C_meV
            + self.gamma_X_meV
        )
        return rate_per_ps(energies)

    def max_population(self):
        """Largest physical population: just below N_sat with PSF, else ``inf``."""
        return 0.999 * self.saturation_excitons


class KerrCavity(eqx.Module):
    """Single-mode lower-polariton Kerr model (REFERENCES §1).

    dψ/dt = -i[-Δ - iγ/2 + u|ψ|²]ψ + F, with Δ = (E_p - E_LP)/ħ.

    Attributes:
        polariton_energy_meV: lower-polariton energy E_LP.
        pump_energy_meV: pump photon energy E_p.
        gamma_meV: polariton linewidth ħγ (FWHM).
        u_meV: polariton-polariton interaction per polariton.
        kappa_in_meV: ħκ_in of the polariton (photon fraction times the cavity's).
        kappa_out_meV: ħκ_out of the polariton (photon fraction times the cavity's).

    Raises:
        InputError: when built directly with a NaN or negative rate, or γ <= 0.
    """

    polariton_energy_meV: float | jnp.ndarray
    pump_energy_meV: float | jnp.ndarray
    gamma_meV: float | jnp.ndarray
    u_meV: float | jnp.ndarray
    kappa_in_meV: float | jnp.ndarray
    kappa_out_meV: float | jnp.ndarray

    n_modes = 1

    def __check_init__(self):
        _check_rates(
            self,
            ("gamma_meV", "kappa_in_meV", "kappa_out_meV"),
            allow_zero={"kappa_in_meV", "kappa_out_meV"},
        )

    def detuning_per_ps(self):
        """Pump detuning Δ = (E_p - E_LP)/ħ in rad/ps (positive: pump above the LP)."""
        return rate_per_ps(self.pump_energy_meV - self.polariton_energy_meV)

    def drive_per_ps(self, a_in):
        """Drive F = √κ_in a_in (shape (1,)) for input field ``a_in`` in √µW."""
        f2 = self._f2_per_uW()
        return jnp.stack([jnp.sqrt(f2) * a_in])

    def _f2_per_uW(self):
        return rate_per_ps(self.kappa_in_meV) * photon_flux_per_ps(
            1.0, self.pump_energy_meV
        )

    def vector_field(self, psi, drive):
        """dψ/dt, shape (1,), for the polariton field ``psi`` and drive F."""
        n = jnp.abs(psi) ** 2
        u = rate_per_ps(self.u_meV)
        gamma = rate_per_ps(self.gamma_meV)
        return -1j * (-self.detuning_per_ps() - 0.5j * gamma + u * n) * psi + drive

    def loss_rates_per_ps(self, psi):
        """Population decay rate γ (shape (1,)) in 1/ps."""
        return jnp.stack([rate_per_ps(self.gamma_meV) + 0.0 * jnp.abs(psi[0])])

    def input_power_uW(self, n):
        """Incident power (µW) holding ``n`` polaritons: |F|² = n[(Δ - u n)² + γ²/4]."""
        u = rate_per_ps(self.u_meV)
        gamma = rate_per_ps(self.gamma_meV)
        f2 = n * ((self.detuning_per_ps() - u * n) ** 2 + 0.25 * gamma**2)
        return f2 / self._f2_per_uW()

    def steady_fields(self, n):
        """Steady polariton field (shape (1,)) holding ``n`` polaritons (real drive)."""
        u = rate_per_ps(self.u_meV)
        gamma = rate_per_ps(self.gamma_meV)
        f = jnp.sqrt(self.input_power_uW(n) * self._f2_per_uW())
        return jnp.stack([f / (1j * (-self.detuning_per_ps() + u * n - 0.5j * gamma))])

    def output_powers_uW(self, psi, a_in):
        """(transmitted, reflected) powers in µW; a_R = √κ_in ψ - a_in."""
        per_uW = 1.0 / photon_flux_per_ps(1.0, self.pump_energy_meV)
        transmitted = rate_per_ps(self.kappa_out_meV) * jnp.abs(psi[0]) ** 2 * per_uW
        a_r = jnp.sqrt(rate_per_ps(self.kappa_in_meV) * per_uW) * psi[0] - a_in
        return transmitted, jnp.abs(a_r) ** 2

    def population(self, psi):
        """The polariton number |ψ|²."""
        return jnp.abs(psi[0]) ** 2

    def nonlinear_rate_per_ps(self):
        """Interaction rate per polariton u/ħ in 1/ps."""
        return rate_per_ps(jnp.abs(self.u_meV))

    def linear_scale_per_ps(self):
        """|Δ| + γ in 1/ps, the linear frequency scale."""
        return jnp.abs(self.detuning_per_ps()) + rate_per_ps(self.gamma_meV)

    def max_population(self):
        """No saturation in the Kerr model: ``inf``."""
        return jnp.inf


def _check_inputs(values, allow_zero):
    for name, value in values.items():
        checks.check_positive(name, value, allow_zero=name in allow_zero)


def build_two_mode(
    *,
    rabi_meV,
    gamma_C_meV,
    gamma_X_meV,
    g_X_ueVum2,
    mode_area_um2,
    coupling_efficiency,
    wavelength_nm=None,
    exciton_energy_meV=None,
    cavity_detuning_meV=0.0,
    pump_detuning_meV=0.0,
    beta_X_ueVum2=0.0,
    saturation_density_per_um2=math.inf,
    output_efficiency=None,
):
    """Build a :class:`TwoModeCavity` from physical inputs.

    Args:
        rabi_meV: Rabi splitting ħΩ_R (> 0).
        gamma_C_meV: cavity linewidth ħγ_C = E / Q (FWHM, > 0).
        gamma_X_meV: exciton linewidth at low density (FWHM, > 0).
        g_X_ueVum2: exciton-exciton interaction constant in µeV·µm² (>= 0).
        mode_area_um2: effective mode area A_eff in µm²; g = g_X / A_eff.
        coupling_efficiency: η in (0, 1]: fraction of the cavity decay rate that is the
            mode-matched input channel, κ_in = η γ_C.
        wavelength_nm: exciton wavelength; alternative to ``exciton_energy_meV``.
        exciton_energy_meV: exciton energy E_X; one of the two must be given.
        cavity_detuning_meV: E_C - E_X.
        pump_detuning_meV: E_p - E_LP, the pump energy above the lower polariton.
        beta_X_ueVum2: EID coefficient in µeV·µm² (linewidth per exciton density).
        saturation_density_per_um2: PSF saturation density n_sat in 1/µm² (inf: off).
        output_efficiency: κ_out / γ_C of the detected (transmission) channel, a port
            distinct from the input one; default ``min(η, 1 - η)`` (a symmetric
            two-port cavity when η <= 1/2). The ports cannot carry more than the
            whole cavity loss: η + κ_out / γ_C <= 1.

    Returns:
        The :class:`TwoModeCavity`, with float64 Python numbers as fields.

    Raises:
        InputError: for negative or non-finite linewidths, areas or couplings, an
            efficiency outside (0, 1], input and output efficiencies that add up to
            more than 1, or neither/both of the wavelength and energy.
    """
    _check_inputs(
        dict(
            rabi_meV=rabi_meV,
            gamma_C_meV=gamma_C_meV,
            gamma_X_meV=gamma_X_meV,
            g_X_ueVum2=g_X_ueVum2,
            mode_area_um2=mode_area_um2,
            beta_X_ueVum2=beta_X_ueVum2,
        ),
        allow_zero={"g_X_ueVum2", "beta_X_ueVum2"},
    )
    _check_efficiency("coupling_efficiency", coupling_efficiency)
    eta_out = _output_efficiency(coupling_efficiency, output_efficiency)
    if saturation_density_per_um2 != math.inf:
        checks.check_positive("saturation_density_per_um2", saturation_density_per_um2)
    e_X = _exciton_energy(wavelength_nm, exciton_energy_meV)
    e_C = e_X + float(cavity_detuning_meV)
    e_LP = lower_polariton_energy_meV(e_C, e_X, rabi_meV)
    return TwoModeCavity(
        cavity_energy_meV=e_C,
        exciton_energy_meV=e_X,
        pump_energy_meV=e_LP + float(pump_detuning_meV),
        rabi_meV=float(rabi_meV),
        gamma_C_meV=float(gamma_C_meV),
        gamma_X_meV=float(gamma_X_meV),
        g_meV=1e-3 * g_X_ueVum2 / mode_area_um2,
        beta_meV=1e-3 * beta_X_ueVum2 / mode_area_um2,
        saturation_excitons=float(saturation_density_per_um2) * mode_area_um2,
        kappa_in_meV=coupling_efficiency * gamma_C_meV,
        kappa_out_meV=eta_out * gamma_C_meV,
    )


def _output_efficiency(eta_in, eta_out):
    """κ_out / γ_C, checked so that the two ports never exceed the cavity loss."""
    if eta_out is None:
        return min(eta_in, 1.0 - eta_in)
    _check_efficiency("output_efficiency", eta_out)
    if eta_in + eta_out > 1.0 + 1e-12:
        raise input_error(
            "output_efficiency",
            f"at most 1 - coupling_efficiency = {1.0 - eta_in:.6g} (input and output "
            "ports together cannot carry more than the cavity loss γ_C)",
            repr(eta_out),
        )
    return eta_out


def _check_efficiency(name, value):
    checks.check_positive(name, value)
    if value > 1.0:
        raise input_error(name, "a coupling efficiency in (0, 1]", repr(value))


def _exciton_energy(wavelength_nm, exciton_energy_meV):
    if (wavelength_nm is None) == (exciton_energy_meV is None):
        raise input_error(
            "wavelength_nm / exciton_energy_meV",
            "exactly one of the two",
            f"wavelength_nm={wavelength_nm!r}, "
            f"exciton_energy_meV={exciton_energy_meV!r}",
        )
    if wavelength_nm is not None:
        checks.check_positive("wavelength_nm", wavelength_nm)
        return photon_energy_meV(wavelength_nm)
    checks.check_positive("exciton_energy_meV", exciton_energy_meV)
    return float(exciton_energy_meV)


def lower_polariton_energy_meV(cavity_energy_meV, exciton_energy_meV, rabi_meV):
    """Lower-polariton energy of the lossless 2x2 problem, (E_C+E_X)/2 - ½√(δ²+ħ²Ω²)."""
    delta = cavity_energy_meV - exciton_energy_meV
    mean = 0.5 * (cavity_energy_meV + exciton_energy_meV)
    return mean - 0.5 * (delta**2 + rabi_meV**2) ** 0.5


def with_pump_energy(model, pump_energy_meV):
    """The same model pumped at ``pump_energy_meV`` (works on traced values too)."""
    return eqx.tree_at(lambda m: m.pump_energy_meV, model, pump_energy_meV)


def kerr_reduction(model):
    """Project a :class:`TwoModeCavity` on its lower polariton: a :class:`KerrCavity`.

    u = |X|⁴ g, γ = |C|² γ_C + |X|² γ_X, κ = |C|² κ (the drive F_LP = C F), with the
    Hopfield coefficients of the lossless 2x2 problem. EID and PSF are dropped, so the
    reduction holds while the blueshift is small against ħΩ_R and EID is negligible.

    Args:
        model: a :class:`TwoModeCavity`.

    Returns:
        The :class:`KerrCavity` at the same pump energy.
    """
    from devices.polaritons import hopfield_coefficients

    x2, c2 = hopfield_coefficients(
        model.cavity_energy_meV, model.exciton_energy_meV, model.rabi_meV
    )
    e_LP = lower_polariton_energy_meV(
        model.cavity_energy_meV, model.exciton_energy_meV, model.rabi_meV
    )
    return KerrCavity(
        polariton_energy_meV=e_LP,
        pump_energy_meV=model.pump_energy_meV,
        gamma_meV=c2 * model.gamma_C_meV + x2 * model.gamma_X_meV,
        u_meV=x2**2 * model.g_meV,
        kappa_in_meV=c2 * model.kappa_in_meV,
        kappa_out_meV=c2 * model.kappa_out_meV,
    )
