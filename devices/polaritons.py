"""The linear problem: polariton energies, linewidths and Hopfield coefficients.

The lossy 2x2 Hamiltonian (meV)

    H = [[E_C - iħγ_C/2, ħΩ_R/2], [ħΩ_R/2, E_X - iħγ_X/2]]

has eigenvalues E_± - iħγ_±/2: the real parts are the polariton energies and -2 times
the imaginary parts their linewidths (FWHM). The exciton fraction of the lower polariton
of the lossless problem is |X|² = ½ (1 + δ / √(δ² + ħ²Ω_R²)), δ = E_C - E_X, and its
photon fraction |C|² = 1 - |X|² (REFERENCES.md §1).
"""

import equinox as eqx
import jax.numpy as jnp


class PolaritonModes(eqx.Module):
    """Lower and upper polariton of the linear problem (all fields in meV).

    Attributes:
        lower_energy_meV, upper_energy_meV: polariton energies.
        lower_linewidth_meV, upper_linewidth_meV: polariton linewidths (FWHM).
        splitting_meV: upper minus lower energy.
    """

    lower_energy_meV: jnp.ndarray
    upper_energy_meV: jnp.ndarray
    lower_linewidth_meV: jnp.ndarray
    upper_linewidth_meV: jnp.ndarray
    splitting_meV: jnp.ndarray


def complex_eigenvalues_meV(
    cavity_energy_meV, exciton_energy_meV, rabi_meV, gamma_C_meV, gamma_X_meV
):
    """The two eigenvalues (lower, upper by real part) of the lossy 2x2 Hamiltonian.

    Closed form: mean ± √((E_C' - E_X')²/4 + ħ²Ω²/4) with E' = E - iħγ/2; the branch of
    the square root is chosen with a non-negative real part so that ``-`` is the lower.
    """
    e_c = cavity_energy_meV - 0.5j * gamma_C_meV
    e_x = exciton_energy_meV - 0.5j * gamma_X_meV
    root = jnp.sqrt(0.25 * (e_c - e_x) ** 2 + 0.25 * rabi_meV**2 + 0j)
    root = jnp.where(jnp.real(root) < 0, -root, root)
    mean = 0.5 * (e_c + e_x)
    return mean - root, mean + root


def polariton_modes(model):
    """Polariton energies and linewidths of a :class:`devices.TwoModeCavity` (meV).

    Args:
        model: a :class:`devices.params.TwoModeCavity` (its low-density linewidths).

    Returns:
        :class:`PolaritonModes`.
    """
    lower, upper = complex_eigenvalues_meV(
        model.cavity_energy_meV,
        model.exciton_energy_meV,
        model.rabi_meV,
        model.gamma_C_meV,
        model.gamma_X_meV,
    )
    return PolaritonModes(
        lower_energy_meV=jnp.real(lower),
        upper_energy_meV=jnp.real(upper),
        lower_linewidth_meV=-2.0 * jnp.imag(lower),
        upper_linewidth_meV=-2.0 * jnp.imag(upper),
        splitting_meV=jnp.real(upper - lower),
    )


def hopfield_coefficients(cavity_energy_meV, exciton_energy_meV, rabi_meV):
    """Exciton and photon fractions (|X|², |C|²) of the lower polariton (lossless).

    Args:
        cavity_energy_meV: E_C.
        exciton_energy_meV: E_X.
        rabi_meV: ħΩ_R.

    Returns:
        ``(x2, c2)`` with ``x2 + c2 == 1``.
    """
    delta = cavity_energy_meV - exciton_energy_meV
    x2 = 0.5 * (1.0 + delta / (delta**2 + rabi_meV**2) ** 0.5)
    return x2, 1.0 - x2
