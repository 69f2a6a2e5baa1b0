"""The energy configuration of an optical processor, and its JSON loader.

:class:`OpticalEnergyConfig` gathers every component value the energy ledger needs,
with documented defaults and their sources (see :mod:`photonics.energy_components`).
A hardware file is a JSON object whose keys are field names of the class, plus two
preset names applied first: ``"phase_shifter"`` (``"thermo"``, ``"mems"``, ``"eo"``)
and ``"modulator"`` (``"ring"``, ``"mzm"``); explicit numbers override the preset::

    {"name": "my chip", "phase_shifter": "thermo", "core_size": 16,
     "laser_wall_plug": 0.15, "adc_bits": 6}

Unknown keys, missing values (``null``) and impossible values (an efficiency above 1,
a negative energy or loss) raise :class:`photonics.errors.InputError` naming the key,
before any computation.
"""

import dataclasses
import json
import math
import numbers
from pathlib import Path

from photonics import checks, energy_components, laser_budget
from photonics.errors import input_error

DYNAMIC_ENGINES = ("reprogrammed_mesh", "crossbar", "homodyne")


@dataclasses.dataclass(frozen=True)
class OpticalEnergyConfig:
    """Component values of an optical processor; every dimensional name has its unit.

    Attributes:
        name: a label for reports.
        core_size: N, modes of one weight-stationary core (and side of a dynamic core).
        rate_GHz: symbol rate of modulators, converters and detectors.
        wavelength_nm: laser wavelength.
        laser_wall_plug: laser wall-plug efficiency in (0, 1]; 0.1-0.3 for integrated
            lasers (approx.); 0.2 taken.
        detector_efficiency: photodetector quantum efficiency in (0, 1] (approx. 0.8).
        mzi_loss_dB: insertion loss per MZI, 0.1-0.5 dB (approx.); 0.2 taken.
        coupling_loss_dB: fibre-to-chip plus chip-to-detector coupling, total (approx.).
        extra_loss_dB: further fixed loss of a mesh path (e.g. the Σ attenuators).
        crossbar_loss_dB: fixed path loss of a dynamic crossbar core (approx.).
        homodyne_loss_dB: fixed path loss of a homodyne core (approx.).
        modulator: modulator preset name (label).
        modulator_energy_fJ: drive energy per modulated symbol.
        modulator_loss_dB: modulator insertion loss.
        phase_shifter: phase-shifter preset name (label).
        holding_power_mW_per_pi: holding power of a phase shifter at phase π.
        settling_time_us: settling time of a phase shifter after reprogramming.
        switching_energy_pJ: energy of one phase-shifter reconfiguration.
        shifters_per_mzi: programmable phase shifters per MZI (2: θ and φ).
        dac_bits, adc_bits: converter resolutions.
        dac_fom_fJ_per_step, adc_fom_fJ_per_step: Walden figures of merit.
        converter_corner_rate_GHz: rate above which converter energy grows with rate.
        receiver_energy_pJ: photodetector + TIA energy per sample (approx. 1 pJ).
        photons_per_sample: detected photons per output sample at full scale; ``None``
            for the shot-noise limit ``4**adc_bits``.
        dynamic_engine: engine for dynamic (attention) products, or ``None`` to keep
            the engine the workload names.
        dynamic_cores: number of cores available to dynamic products.
        inferences_per_programming: inferences over which the one-time programming of
            static weights is amortised.
        decomposition_macs_per_n3: host MACs per N**3 to decompose one N x N tile
            for a reprogrammed mesh (SVD plus Clements, approx.).
        host_node, host_precision: digital host of the electronic steps.
        activation_bits: bits per activation stored in host memory.
    """

    name: str = "default"
    core_size: int = 32
    rate_GHz: float = 5.0
    wavelength_nm: float = 1550.0
    laser_wall_plug: float = 0.2
    detector_efficiency: float = 0.8
    mzi_loss_dB: float = energy_components.MZI_LOSS_dB
    coupling_loss_dB: float = energy_components.COUPLING_LOSS_dB
    extra_loss_dB: float = 0.0
    crossbar_loss_dB: float = 6.0
    homodyne_loss_dB: float = 3.0
    modulator: str = "ring"
    modulator_energy_fJ: float = 5.0
    modulator_loss_dB: float = 1.0
    phase_shifter: str = "mems"
    holding_power_mW_per_pi: float = 0.0
    settling_time_us: float = 1.0
    switching_energy_pJ: float = 1.0
    shifters_per_mzi: int = 2
    dac_bits: int = 8
    adc_bits: int = 8
    dac_fom_fJ_per_step: float = energy_components.DAC_FOM_fJ_PER_STEP
    adc_fom_fJ_per_step: float = energy_components.ADC_FOM_fJ_PER_STEP
    converter_corner_rate_GHz: float = energy_components.CONVERTER_CORNER_RATE_GHz
    receiver_energy_pJ: float = energy_components.RECEIVER_ENERGY_pJ
    photons_per_sample: float | None = None
    dynamic_engine: str | None = None
    dynamic_cores: int = 8
    inferences_per_programming: float = 1e6
    decomposition_macs_per_n3: float = 10.0
    host_node: str = "7nm"
    host_precision: str = "fp16"
    activation_bits: int = 8

    def __post_init__(self):
        validate(self)

    def replace(self, **changes):
        """A copy with ``changes`` applied and validated."""
        return dataclasses.replace(self, **changes)

    def with_phase_shifter(self, kind):
        """A copy using the phase-shifter preset ``kind`` (thermo, mems, eo).

        The preset's own insertion loss replaces the current one's in
        ``mzi_loss_dB``, twice per MZI (the internal and the external shifter).
        """
        preset = energy_components.phase_shifter(kind)
        current = energy_components.phase_shifter(self.phase_shifter)
        extra_dB = 2.0 * (preset.loss_dB - current.loss_dB)
        return self.replace(
            phase_shifter=kind,
            mzi_loss_dB=max(0.0, self.mzi_loss_dB + extra_dB),
            holding_power_mW_per_pi=preset.holding_power_mW_per_pi,
            settling_time_us=preset.settling_time_us,
            switching_energy_pJ=preset.switching_energy_pJ,
        )

    def with_modulator(self, kind):
        """A copy using the modulator preset ``kind`` (ring, mzm)."""
        preset = energy_components.modulator(kind)
        return self.replace(
            modulator=kind,
            modulator_energy_fJ=preset.energy_fJ,
            modulator_loss_dB=preset.loss_dB,
        )

    def to_dict(self):
        """The configuration as a JSON-ready dict of its fields."""
        return dataclasses.asdict(self)

    # Derived quantities, per event, in joules.

    def samples_photons(self):
        """Detected photons per output sample: the setting, or ``4**adc_bits``."""
        if self.photons_per_sample is not None:
            return float(self.photons_per_sample)
        return laser_budget.photons_for_bits(self.adc_bits)

    def fixed_loss_dB(self):
        """Loss every optical path pays: coupling, modulator and extra losses."""
        return self.coupling_loss_dB + self.modulator_loss_dB + self.extra_loss_dB

    def mesh_loss_dB(self, n):
        """Path loss in dB of an SVD-mapped ``n x n`` mesh: ``(2n + 1) IL + fixed``."""
        depth = laser_budget.svd_mesh_depth(n)
        return laser_budget.path_loss_dB(depth, self.mzi_loss_dB, self.fixed_loss_dB())

    def laser_energy_per_sample_J(self, loss_dB):
        """Electrical laser energy in J per detected sample behind ``loss_dB``."""
        optical_J = laser_budget.laser_energy_per_sample_J(
            self.samples_photons(),
            loss_dB,
            self.wavelength_nm,
            self.detector_efficiency,
        )
        return optical_J / self.laser_wall_plug

    def dac_energy_J(self):
        """Energy in J of one DAC sample."""
        return 1e-12 * energy_components.converter_energy_pJ(
            self.dac_bits,
            self.rate_GHz,
            self.dac_fom_fJ_per_step,
            self.converter_corner_rate_GHz,
        )

    def adc_energy_J(self):
        """Energy in J of one ADC conversion."""
        return 1e-12 * energy_components.converter_energy_pJ(
            self.adc_bits,
            self.rate_GHz,
            self.adc_fom_fJ_per_step,
            self.converter_corner_rate_GHz,
        )

    def modulator_energy_J(self):
        """Energy in J of one modulated symbol."""
        return self.modulator_energy_fJ * 1e-15

    def receiver_energy_J(self):
        """Energy in J of one photodetector + TIA sample."""
        return self.receiver_energy_pJ * 1e-12

    def phase_shifter_holding_power_W(self):
        """Mean holding power of one phase shifter in W (phases uniform: mean π)."""
        return self.holding_power_mW_per_pi * 1e-3

    def reconfiguration_energy_J(self):
        """Energy in J to reprogram one shifter: switching, plus holding in settling."""
        settle_J = self.phase_shifter_holding_power_W() * self.settling_time_us * 1e-6
        return self.switching_energy_pJ * 1e-12 + settle_J


_FRACTIONS = ("laser_wall_plug", "detector_efficiency")
_INTS = {
    "core_size": (2, 4096),
    "shifters_per_mzi": (1, 8),
    "dac_bits": (1, 16),
    "adc_bits": (1, 16),
    "dynamic_cores": (1, 1_000_000),
    "activation_bits": (1, 64),
}
_CHOICES = {
    "modulator": tuple(energy_components.MODULATORS),
    "phase_shifter": tuple(energy_components.PHASE_SHIFTERS),
    "dynamic_engine": (None, *DYNAMIC_ENGINES),
    "host_node": ("45nm", "7nm"),
    "host_precision": ("int8", "fp16", "bf16", "fp32"),
}
_STRICTLY_POSITIVE = (
    "rate_GHz",
    "wavelength_nm",
    "dac_fom_fJ_per_step",
    "adc_fom_fJ_per_step",
    "converter_corner_rate_GHz",
    "inferences_per_programming",
    "photons_per_sample",
)
_NULLABLE = ("photons_per_sample", "dynamic_engine")


def validate(config):
    """Raise :class:`InputError` naming the first impossible field of ``config``."""
    for field in dataclasses.fields(config):
        _validate_field(field.name, getattr(config, field.name))
    return config


def _validate_field(key, value):
    if value is None and key in _NULLABLE:
        return
    if value is None:
        raise input_error(key, "a value", "null (a missing value)")
    if key == "name":
        if not isinstance(value, str) or not value:
            raise input_error(key, "a non-empty string", checks.describe(value))
    elif key in _CHOICES:
        checks.check_choice(key, value, _CHOICES[key])
    elif key in _INTS:
        checks.check_int(key, value, minimum=_INTS[key][0], maximum=_INTS[key][1])
    elif key in _FRACTIONS:
        checks.check_positive(key, value)
        checks.check_fraction(key, value)
    else:
        checks.check_positive(key, value, allow_zero=key not in _STRICTLY_POSITIVE)


def config_from_dict(data, base=None):
    """Build an :class:`OpticalEnergyConfig` from a dict of hardware settings.

    Args:
        data: field names to values, plus optional preset names ``phase_shifter`` and
            ``modulator`` (applied before the explicit numbers).
        base: the configuration to start from (default: the defaults).

    Raises:
        InputError: naming the key for an unknown key, a null value or an impossible
            value.
    """
    if not isinstance(data, dict):
        raise input_error(
            "hardware", "a JSON object of settings", checks.describe(data)
        )
    known = {f.name for f in dataclasses.fields(OpticalEnergyConfig)}
    for key, value in data.items():
        if key not in known:
            hint = "known keys: " + ", ".join(sorted(known))
            raise input_error(key, "a known hardware key", f"unknown key {key!r}", hint)
        _validate_field(key, _plain_number(value))
    config = base or OpticalEnergyConfig()
    if "phase_shifter" in data:
        config = config.with_phase_shifter(data["phase_shifter"])
    if "modulator" in data:
        config = config.with_modulator(data["modulator"])
    return config.replace(**{k: _plain_number(v) for k, v in data.items()})


def _plain_number(value):
    # JSON floats that hold whole numbers for integer fields stay as given; a float
    # NaN or infinity cannot come from strict JSON but may from Python callers.
    if isinstance(value, float) and not math.isfinite(value):
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    return value


def load_hardware(path):
    """Read a hardware JSON file into an :class:`OpticalEnergyConfig`.

    Raises:
        InputError: for an unreadable or malformed file, or a bad key or value.
    """
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as error:
        raise input_error("--hardware", "a readable JSON file", str(path)) from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise input_error("--hardware", "valid JSON", f"{path}: {error}") from error
    return config_from_dict(data)
