"""Energy, speed and cascadability of the polariton gates, beside physical limits.

Energy per operation of a gate, in fJ:

* control: the incident energy of the input and clock pulses, ``∫ P dt`` summed over
  the pulses, averaged over the input combinations (the worst case is also given);
* holding: ``P_hold × T_bit``, the holding beam over the whole bit period (an upper
  bound: in clocked operation the beam is off during the reset);
* reset: the optical energy the reset supplies. The reset here turns the holding beam
  off (:mod:`devices.clocked`), which draws no energy from any source, so it is 0; the
  time it takes is part of ``T_bit`` and so of the holding energy.

Cascadability (Miller, Nat. Photon. 4, 3 (2010)): the "1" output of a gate must take the
next gate across its upper fold. With the next gate held at ``P_h`` below the upper fold
power ``P_up``, a continuous input added in phase switches it once
``(√P_h + √P_in)² > P_up``, so the input threshold is ``P_th = (√P_up - √P_h)²``. The
gain is ``P_out,high / P_th``; the cascadability margin multiplies it by the coupling
efficiency and the propagation loss; the fan-out is the number of such gates the output
can drive after an equal split, ``floor(margin)``.

Limits (REFERENCES.md §2): Landauer ``k_B T ln 2``; one photon ``h c / λ``; shot-noise
limited on-off detection ``BER = ½ exp(-N)`` so ``N = -ln(2 BER)`` photons in a one;
CMOS logic ``½ C V²`` per transition.
"""

import dataclasses
import math

import numpy as np

from devices.logic import GateResult, input_combinations
from photonics import checks
from photonics.errors import input_error
from photonics.units import db_to_power_ratio, landauer_limit_J, photon_energy_J

#: 1 µW × 1 ps in fJ.
UW_PS_FJ = 1e-3


@dataclasses.dataclass(frozen=True)
class CmosGate:
    """A CMOS logic gate switching its load: ``½ C V²`` per output transition.

    Attributes:
        node: process node label.
        capacitance_fF: switched capacitance (gate input of the fan-out plus local
            wire).
        supply_V: supply voltage V_DD.
        source: where the numbers come from.
    """

    node: str
    capacitance_fF: float
    supply_V: float
    source: str

    @property
    def energy_per_transition_J(self):
        """½ C V² in joules."""
        return 0.5 * self.capacitance_fF * 1e-15 * self.supply_V**2


#: 7 nm-class NAND2 driving a fan-out of about 2. V_DD = 0.7 V is the supply of
#: 7 nm-class logic (IRDS 2017 More Moore roadmap, approx.); C = 0.2 fF is our
#: estimate of the switched capacitance (FinFET gate inputs of the fan-out plus a short
#: local wire). ½CV² = 0.049 fJ, inside the 0.03-0.3 fJ range of REFERENCES.md §2.
CMOS_7NM = CmosGate(
    node="7nm-class",
    capacitance_fF=0.2,
    supply_V=0.7,
    source="IRDS 2017 More Moore (V_DD 0.7 V, approx.); C = 0.2 fF (estimate)",
)


def shot_noise_photons(bit_error_rate):
    """Photons in a "1" for shot-noise limited on-off detection at ``bit_error_rate``.

    ``BER = ½ exp(-N)``, so ``N = -ln(2 BER)`` (REFERENCES.md §2).

    Raises:
        InputError: unless 0 < BER < 0.5.
    """
    if not 0.0 < bit_error_rate < 0.5:
        raise input_error("bit_error_rate", "a number in (0, 0.5)", bit_error_rate)
    return -math.log(2.0 * bit_error_rate)


def limits_J(wavelength_nm, bit_error_rate=1e-9, temperature_K=300.0, cmos=CMOS_7NM):
    """The reference energies in joules, with the node and source of the CMOS value.

    Args:
        wavelength_nm: photon wavelength (the gate's pump).
        bit_error_rate: the error rate for the shot-noise limit.
        temperature_K: temperature of the Landauer limit.
        cmos: the :class:`CmosGate` to compare with.

    Returns:
        dict with ``landauer_J``, ``photon_energy_J``, ``shot_noise_photons``,
        ``shot_noise_J``, ``cmos_per_transition_J``, ``cmos_node``, ``cmos_source``,
        ``temperature_K``, ``bit_error_rate``, ``wavelength_nm``.
    """
    checks.check_positive("wavelength_nm", wavelength_nm)
    checks.check_positive("temperature_K", temperature_K)
    photons = shot_noise_photons(bit_error_rate)
    photon = photon_energy_J(wavelength_nm)
    return dict(
        landauer_J=landauer_limit_J(temperature_K),
        photon_energy_J=photon,
        shot_noise_photons=photons,
        shot_noise_J=photons * photon,
        cmos_per_transition_J=cmos.energy_per_transition_J,
        cmos_node=cmos.node,
        cmos_source=cmos.source,
        temperature_K=temperature_K,
        bit_error_rate=bit_error_rate,
        wavelength_nm=wavelength_nm,
    )


def control_energies_fJ(design):
    """Incident control energy (inputs + clock) of every input combination, in fJ."""
    combos = input_combinations(len(design.input_energy_fJ))
    return np.array(
        [
            sum(e * b for e, b in zip(design.input_energy_fJ, bits, strict=True))
            + design.clock_energy_fJ
            for bits in combos
        ]
    )


def gate_energy_fJ(design, bit_period_ps):
    """Energy budget of one operation of ``design`` over a bit of ``bit_period_ps``.

    Returns:
        dict with ``control_fJ`` (mean over input combinations), ``control_max_fJ``,
        ``holding_fJ`` (P_hold × T_bit), ``reset_fJ`` (0, see the module docstring)
        and ``energy_per_op_fJ`` (their sum with the mean control energy).
    """
    checks.check_positive("bit_period_ps", bit_period_ps)
    control = control_energies_fJ(design)
    holding = design.hold_power_uW * bit_period_ps * UW_PS_FJ
    return dict(
        control_fJ=float(control.mean()),
        control_max_fJ=float(control.max()),
        holding_fJ=holding,
        reset_fJ=0.0,
        energy_per_op_fJ=float(control.mean()) + holding,
    )


def input_threshold_uW(upper_fold_power_uW, hold_power_uW):
    """Continuous in-phase input power that takes a gate held at ``hold_power_uW``
    across its upper fold: ``(√P_up - √P_h)²`` in µW."""
    return (math.sqrt(upper_fold_power_uW) - math.sqrt(hold_power_uW)) ** 2


def cascadability(output_high_uW, input_threshold_uW_, coupling=1.0, loss_dB=0.0):
    """Gain, margin, fan-out and the gain still needed, of one output driving gates.

    Args:
        output_high_uW: the "1" output power of the driving gate.
        input_threshold_uW_: the next gate's input threshold
            (:func:`input_threshold_uW`).
        coupling: power coupling efficiency into the next gate, in (0, 1].
        loss_dB: propagation loss between the gates (>= 0).

    Returns:
        dict with ``gain`` (P_out / P_th), ``margin`` (× coupling × loss),
        ``fan_out`` (floor of the margin) and ``gain_needed`` (1 / margin where the
        margin is below 1, else 1).
    """
    checks.check_positive("input_threshold_uW_", input_threshold_uW_)
    checks.check_positive("coupling", coupling)
    checks.check_positive("loss_dB", loss_dB, allow_zero=True)
    gain = output_high_uW / input_threshold_uW_
    margin = gain * coupling * db_to_power_ratio(loss_dB)
    return dict(
        gain=gain,
        margin=margin,
        fan_out=math.floor(margin),
        gain_needed=max(1.0, 1.0 / margin),
    )


def contrast_levels_dB(result: GateResult):
    """Worst-case contrast: lowest sampled "1" over highest sampled "0", in dB."""
    bits = np.array([row[-1] for row in result.truth_table])
    out = np.asarray(result.output_uW)
    if bits.all() or not bits.any():
        return math.nan
    return 10.0 * math.log10(out[bits == 1].min() / out[bits == 0].max())


def gate_summary(result, window, bit_period_ps, coupling=0.5, loss_dB=1.0):
    """Everything the report needs about one simulated gate, as plain numbers.

    Args:
        result: :class:`devices.logic.GateResult`.
        window: the model's :class:`devices.BistableWindow`.
        bit_period_ps: the clocked bit period.
        coupling, loss_dB: the interconnect to the next gate.

    Returns:
        dict with ``truth_table``, ``correct``, energies (fJ), ``latency_ps``,
        ``contrast_dB``, the cascadability entries and ``energy_delay_product_Js``.
    """
    design = result.design
    energy = gate_energy_fJ(design, bit_period_ps)
    threshold = input_threshold_uW(window.upper_fold_power_uW, design.hold_power_uW)
    casc = cascadability(design.high_uW, threshold, coupling, loss_dB)
    return dict(
        truth_table=[list(row) for row in result.truth_table],
        correct=bool(result.correct),
        hold_power_uW=design.hold_power_uW,
        input_energy_fJ=list(design.input_energy_fJ),
        input_phase_rad=list(design.input_phase_rad),
        clock_energy_fJ=design.clock_energy_fJ,
        threshold_fJ=design.threshold_fJ,
        **energy,
        bit_period_ps=bit_period_ps,
        latency_ps=result.latency_ps,
        contrast_dB=contrast_levels_dB(result),
        input_threshold_uW=threshold,
        output_high_uW=design.high_uW,
        **casc,
        energy_delay_product_Js=energy["energy_per_op_fJ"]
        * 1e-15
        * result.latency_ps
        * 1e-12,
    )


def comparison_rows(gates, limits):
    """Rows (name, energy per op in J, ratio to Landauer, to CMOS) for one table."""
    rows = []
    for name, g in gates.items():
        joules = g["energy_per_op_fJ"] * 1e-15
        rows.append([f"{name} gate (total)", joules])
        rows.append([f"{name} gate (control only)", g["control_fJ"] * 1e-15])
    rows += [
        [f"CMOS {limits['cmos_node']} per transition", limits["cmos_per_transition_J"]],
        [
            f"shot-noise limit, BER {limits['bit_error_rate']:g}",
            limits["shot_noise_J"],
        ],
        ["one photon", limits["photon_energy_J"]],
        [f"Landauer, {limits['temperature_K']:g} K", limits["landauer_J"]],
    ]
    landauer = limits["landauer_J"]
    cmos = limits["cmos_per_transition_J"]
    return [[n, e, e / landauer, e / cmos] for n, e in rows]
