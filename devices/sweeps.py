"""Parameter sweeps vmapped over grids: the (pump detuning × power) phase diagram."""

import equinox as eqx
import jax
import jax.numpy as jnp

from devices.params import lower_polariton_energy_meV, with_pump_energy
from devices.steady_state import fold_points, steady_states
from photonics import checks
from photonics.errors import input_error


def _column(model, detuning_meV, powers_uW):
    e_lp = lower_polariton_energy_meV(
        model.cavity_energy_meV, model.exciton_energy_meV, model.rabi_meV
    )
    pumped = with_pump_energy(model, e_lp + detuning_meV)
    folds = fold_points(pumped)
    states = jax.vmap(lambda p: steady_states(pumped, p, folds))(powers_uW)
    count = jnp.sum(states.stable, axis=-1)
    return count, states.transmitted_uW, folds.power_uW


@eqx.filter_jit
def _diagram(model, detunings_meV, powers_uW):
    return jax.vmap(lambda d: _column(model, d, powers_uW))(detunings_meV)


def phase_diagram(model, pump_detuning_meV, power_uW):
    """Stable steady states over a grid of pump detunings and incident powers.

    One jitted, vmapped call: fold points once per detuning, all roots and their
    stability at every power.

    Args:
        model: a :class:`devices.TwoModeCavity` (its pump energy is replaced).
        pump_detuning_meV: pump energies above the lower polariton, shape (D,).
        power_uW: incident powers in µW, shape (P,), > 0.

    Returns:
        dict with ``pump_detuning_meV`` (D,), ``power_uW`` (P,), ``stable_count``
        (D, P) int (2 inside the bistable region), ``transmitted_uW`` (D, P, 3)
        (zeros for absent states) and ``fold_power_uW`` (D, 2) (zeros where there is no
        window).

    Raises:
        InputError: for non-finite or non-positive powers.
    """
    detunings = checks.check_finite(
        "pump_detuning_meV",
        checks.as_numeric_array("pump_detuning_meV", pump_detuning_meV),
    )
    powers = checks.check_finite(
        "power_uW", checks.as_numeric_array("power_uW", power_uW)
    )
    if powers.ndim != 1 or detunings.ndim != 1 or (powers <= 0).any():
        raise input_error(
            "power_uW / pump_detuning_meV",
            "1-D grids with positive powers",
            f"shapes {powers.shape} and {detunings.shape}",
        )
    count, transmitted, folds = _diagram(
        model, jnp.asarray(detunings), jnp.asarray(powers)
    )
    return dict(
        pump_detuning_meV=detunings,
        power_uW=powers,
        stable_count=count,
        transmitted_uW=transmitted,
        fold_power_uW=folds,
    )
