"""Energy models of the optical components of a photonic processor.

Each function prices one component per event (a conversion, a symbol, a
reconfiguration) or per unit time (holding power). Values that are orders of magnitude
rather than measured numbers are marked *(approx.)* in their docstring, with the
source to check them against.

Converters follow the Walden figure of merit of the Murmann ADC survey,
``E = FoM_W * 2**bits`` per conversion, with a speed penalty linear in the sample rate
above a corner rate (the survey's high-speed envelope rises about in proportion to the
sample rate above roughly 100 MHz-1 GHz)::

    E_conv(b, f) = FoM_W * 2**b * max(1, f / f_corner)

References:
    B. Murmann, "ADC Performance Survey 1997-2024", online (Walden FoM, speed envelope).
    M. Horowitz, "Computing's energy problem", ISSCC 2014 (45 nm arithmetic, memory).
    E. Timurdogan et al., Nat. Commun. 5, 4008 (2014) (sub-fJ/bit ring modulator).
    R. Dubé-Demers et al., Optica 3, 622 (2016) (ring modulator, few fJ/bit).
    T. Baehr-Jones et al., Opt. Express 20, 12014 (2012) (travelling-wave Si MZM).
    N. C. Harris et al., Opt. Express 22, 10487 (2014) (thermo-optic phase shifter).
    P. Edinger et al., Opt. Lett. 46, 5671 (2021) (MEMS phase shifter).
"""

import dataclasses

from photonics import checks

#: Walden figure of merit of a high-speed ADC in fJ per conversion step, so that an
#: 8-bit conversion at 1 GS/s costs 1.0 pJ, inside the 1-6 pJ band of the Murmann
#: survey for ~8 bit at >= 1 GS/s (approx.).
ADC_FOM_fJ_PER_STEP = 4.0
#: Walden figure of merit of a DAC, fitted so that 8 bits at 14 GS/s cost 3.6 pJ per
#: sample with a 1 GHz corner: the 8-bit 14 GS/s CMOS DAC of ~50 mW that photonic
#: neural-network energy analyses take for their inputs (approx.; the value of the
#: project's reference table, not a single measured part).
DAC_FOM_fJ_PER_STEP = 3.6e3 / (2**8 * 14.0)
#: Sample rate above which converter energy per conversion grows linearly with rate
#: (approx., Murmann survey high-speed envelope).
CONVERTER_CORNER_RATE_GHz = 1.0
#: Photodetector plus transimpedance amplifier energy per sample: ~1 pJ, the order of
#: a 5-10 mW optical-link receiver at 5-10 GS/s (approx., an estimate rather than a
#: published part; the photodiode itself draws only the photocurrent).
RECEIVER_ENERGY_pJ = 1.0
#: Insertion loss of one silicon MZI, 0.1-0.5 dB (approx.); 0.2 dB is the default of
#: :class:`photonics.hardware_energy.OpticalEnergyConfig`.
MZI_LOSS_dB = 0.2
#: Fibre-to-chip plus chip-to-detector coupling loss of one path: two couplers of
#: ~1.5 dB each (approx., grating or edge couplers).
COUPLING_LOSS_dB = 3.0


def converter_energy_pJ(bits, rate_GHz, fom_fJ_per_step, corner_rate_GHz=1.0):
    """Energy of one ADC or DAC conversion in pJ (Walden FoM with a speed penalty).

    ``E = fom_fJ_per_step * 2**bits * max(1, rate_GHz / corner_rate_GHz) / 1000``.

    Args:
        bits: resolution (effective number of bits), integer >= 1.
        rate_GHz: sample rate in GS/s (> 0).
        fom_fJ_per_step: Walden figure of merit in fJ per conversion step (> 0).
        corner_rate_GHz: rate above which the energy grows linearly with rate.

    Returns:
        Energy per conversion in pJ.

    Raises:
        InputError: for a non-integer or non-positive ``bits`` or a rate <= 0.
    """
    checks.check_int("bits", bits, minimum=1, maximum=24)
    checks.check_positive("rate_GHz", rate_GHz)
    checks.check_positive("fom_fJ_per_step", fom_fJ_per_step)
    checks.check_positive("corner_rate_GHz", corner_rate_GHz)
    speed = max(1.0, rate_GHz / corner_rate_GHz)
    return fom_fJ_per_step * 2.0**bits * speed * 1e-3


def adc_energy_pJ(bits, rate_GHz, fom_fJ_per_step=ADC_FOM_fJ_PER_STEP):
    """Energy of one ADC conversion in pJ.

    Walden FoM of 4 fJ per step with a linear speed penalty above 1 GS/s: 1.0 pJ at
    8 bits and 1 GS/s, 5 pJ at 5 GS/s, inside the 1-6 pJ band of ~8-bit, >= 1 GS/s
    converters in B. Murmann, "ADC Performance Survey 1997-2024" (approx.).
    """
    return converter_energy_pJ(
        bits, rate_GHz, fom_fJ_per_step, CONVERTER_CORNER_RATE_GHz
    )


def dac_energy_pJ(bits, rate_GHz, fom_fJ_per_step=DAC_FOM_fJ_PER_STEP):
    """Energy of one DAC sample in pJ.

    3.6 pJ at 8 bits and 14 GS/s (:data:`DAC_FOM_fJ_PER_STEP`), halved per bit
    fewer and scaled linearly with rate above 1 GS/s as the ADC (approx.).
    """
    return converter_energy_pJ(
        bits, rate_GHz, fom_fJ_per_step, CONVERTER_CORNER_RATE_GHz
    )


@dataclasses.dataclass(frozen=True)
class Modulator:
    """An electro-optic modulator priced per modulated symbol.

    Attributes:
        name: preset name.
        energy_fJ: drive energy per symbol in fJ.
        loss_dB: insertion loss in dB.
        source: where the value comes from.
    """

    name: str
    energy_fJ: float
    loss_dB: float
    source: str


#: Modulator presets. Ring: 0.9 fJ/bit (Timurdogan 2014) to ~7 fJ/bit (Dubé-Demers
#: 2016); 5 fJ per analog symbol is taken (approx.). Travelling-wave silicon MZM:
#: ~200 fJ/bit (Baehr-Jones 2012, approx.). Losses are approx.
MODULATORS = {
    "ring": Modulator("ring", 5.0, 1.0, "Timurdogan 2014; Dubé-Demers 2016 (approx.)"),
    "mzm": Modulator("mzm", 200.0, 3.0, "Baehr-Jones 2012 (approx.)"),
}


@dataclasses.dataclass(frozen=True)
class PhaseShifter:
    """A programmable phase shifter of an MZI mesh.

    Attributes:
        name: preset name.
        holding_power_mW_per_pi: static power to hold a phase of π, in mW; the power
            is taken linear in the phase.
        settling_time_us: time to settle after a new setting, in µs.
        switching_energy_pJ: electrical energy of one reconfiguration beyond the
            holding power, in pJ (the capacitive charge of MEMS and electro-optic
            actuators; zero for heaters, whose cost is holding power x settling).
        loss_dB: insertion loss added per shifter, in dB; the ledger uses the
            configuration's ``mzi_loss_dB``, into which
            :meth:`photonics.hardware_energy.OpticalEnergyConfig.with_phase_shifter`
            counts it twice per MZI.
        source: where the values come from.
    """

    name: str
    holding_power_mW_per_pi: float
    settling_time_us: float
    switching_energy_pJ: float
    loss_dB: float
    source: str

    def mean_holding_power_mW(self):
        """Mean holding power in mW for phases uniform in [0, 2π): ``P_π`` (mean π)."""
        return self.holding_power_mW_per_pi

    def reconfiguration_energy_pJ(self):
        """Energy of one reconfiguration in pJ: switching energy plus the mean holding
        power spent while the shifter settles, ``E_sw + P_mean * t_settle``."""
        settle_pJ = self.mean_holding_power_mW() * 1e-3 * self.settling_time_us * 1e-6
        return self.switching_energy_pJ + settle_pJ * 1e12


#: Phase-shifter presets.
#: thermo: ~25 mW per π and µs settling (Harris et al. 2014; settling 10 µs approx.).
#: mems: no holding power, µs settling (Edinger et al. 2021); 1 pJ per switching event
#: is the electrostatic C V² of ~10 fF at ~10 V (approx.).
#: eo: electro-optic (carrier or Pockels), no holding power, ns settling, ~1 pJ per
#: setting from C V² of ~100 fF at ~3 V, and higher loss (approx.).
PHASE_SHIFTERS = {
    "thermo": PhaseShifter("thermo", 25.0, 10.0, 0.0, 0.0, "Harris 2014 (approx.)"),
    "mems": PhaseShifter("mems", 0.0, 1.0, 1.0, 0.0, "Edinger 2021 (approx.)"),
    "eo": PhaseShifter("eo", 0.0, 1e-3, 1.0, 0.1, "C V^2 estimate (approx.)"),
}


def modulator(name):
    """The :class:`Modulator` preset ``name`` (``"ring"`` or ``"mzm"``)."""
    checks.check_choice("modulator", name, tuple(MODULATORS))
    return MODULATORS[name]


def phase_shifter(name):
    """The :class:`PhaseShifter` preset ``name``: thermo, mems or eo."""
    checks.check_choice("phase_shifter", name, tuple(PHASE_SHIFTERS))
    return PHASE_SHIFTERS[name]


def laser_electrical_power_mW(optical_power_mW, wall_plug_efficiency):
    """Electrical power in mW a laser draws to emit ``optical_power_mW``.

    ``P_el = P_opt / η`` with η the wall-plug efficiency, 0.1-0.3 for lasers
    integrated on silicon (approx., the range of the project's reference table; the
    default configuration takes 0.2).

    Raises:
        InputError: for an efficiency outside (0, 1] or a negative power.
    """
    checks.check_positive("optical_power_mW", optical_power_mW, allow_zero=True)
    checks.check_positive("wall_plug_efficiency", wall_plug_efficiency)
    checks.check_fraction("wall_plug_efficiency", wall_plug_efficiency)
    return optical_power_mW / wall_plug_efficiency
