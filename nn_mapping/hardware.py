"""The optical hardware a program is compiled for, as one validated description.

:class:`Hardware` gathers everything the mapper and the simulator need: the core size
and mesh type, the component imperfections (handed to :mod:`photonics.imperfections`),
the converters and the light budget. Every field has a documented default describing
a good, calibrated chip; :meth:`Hardware.ideal` switches every imperfection and noise
source off, which makes a compiled program reproduce the exact product.

Light budget and detection model (see :mod:`nn_mapping.detection`):

* each input mode carries at most ``power_mW`` (an input at the DAC's full scale),
  for one sample of duration ``1 / sample_rate_GHz`` ns, so the full-scale photon number
  per sample is ``power_mW * 1e-3 / (sample_rate_GHz * 1e9) / (h c / wavelength)``;
* ``power_mW=None`` means unlimited light: no shot or receiver noise.

Accumulation of the partial sums of a tile row (``accumulation``):

* ``"digital"`` (default): every tile output has its own detector and ADC, and the
  digitised partial sums of a tile row are added electronically. Each ADC needs only
  the dynamic range of one tile's output, but a ``C``-column row costs ``C``
  conversions per output, and the ADC errors of the ``C`` partial sums add up.
* ``"analog"``: the photocurrents of the tiles of one tile row are integrated on the
  receiver before a single ADC conversion per output: summed on one charge node, or,
  with the tiles time-multiplexed onto one core, accumulated over successive slots
  by a charge-integrating receiver (Hamerly et al., PRX 9, 021032 (2019), integrate
  homodyne products over time the same way). Each tile's electronic gain becomes a
  programmable receiver gain applied before integration. Per output: the noise-free
  signals add, the variances of the tiles' independent detector noises add, and one
  ADC digitises the sum, so ``C`` times fewer conversions, each needing the dynamic
  range of the accumulated output (its full scale is calibrated on the sum). Only
  the weight-stationary mesh engine (:mod:`nn_mapping.svd`) integrates; dynamic
  engines always digitise each tile's output, and the energy ledger
  (:mod:`nn_mapping.ledger`) prices one ADC conversion per tile output either way.
"""

import dataclasses
import math

from photonics.checks import check_choice, check_fraction, check_int, check_positive
from photonics.units import photon_energy_J

MESHES = ("clements", "reck")
DETECTIONS = ("coherent", "intensity")
ACCUMULATIONS = ("digital", "analog")
MAX_BITS = 24


def _check_bits(name, value):
    if value is None:
        return None
    return check_int(name, value, minimum=1, maximum=MAX_BITS)


def _check_optional_power(name, value):
    if value is None:
        return None
    return check_positive(name, value)


@dataclasses.dataclass(frozen=True)
class Hardware:
    """A photonic accelerator built from square MZI-mesh cores.

    Attributes:
        core_size: modes ``N`` of one core; weights are tiled onto ``N x N`` cores.
        mesh: mesh topology of each unitary, ``"clements"`` or ``"reck"``.
        n_cores: cores available for weights (one tile per core, weight stationary),
            or ``None`` for as many as a program needs.
        loss_dB: mean insertion loss per MZI in dB (0.1 dB, a good silicon MZI).
        loss_std_dB: spread of the insertion loss per MZI in dB.
        splitter_error_std: standard deviation of each coupler ratio about 1/2.
        phase_error_std_rad: static phase error per shifter after calibration, rad.
        phase_bits: bits of the phase-shifter DACs, ``None`` for continuous phases.
        crosstalk: fraction of a neighbour's phase picked up by each shifter.
        detection: ``"coherent"`` (balanced homodyne against a strong local
            oscillator) or ``"intensity"`` (square-law photodiodes reading the output
            beaten against a full-scale reference tapped from the same laser).
        power_mW: optical power per input mode at full scale, mW, or ``None`` for
            unlimited light (no shot or receiver noise).
        lo_power_mW: local-oscillator power per output for coherent detection, mW.
        sample_rate_GHz: converter sample rate; one sample lasts ``1/rate`` ns.
        wavelength_nm: laser wavelength, nm.
        quantum_efficiency: photodiode quantum efficiency in [0, 1] (> 0).
        thermal_noise_electrons: receiver (TIA) input-referred rms noise per sample
            per photodiode, in electrons (about 400 for 10 pA/sqrt(Hz) over 5 GHz;
            approx.).
        dac_bits: input DAC resolution, ``None`` for ideal.
        adc_bits: output ADC resolution, ``None`` for ideal.
        dac_headroom: DAC full scale as a multiple of the largest input magnitude
            seen at calibration; inputs beyond it are clipped (saturation).
        adc_headroom: ADC full scale of each output as a multiple of the largest
            output seen at calibration (or of the worst case, the largest output any
            input within the DAC range can produce, when no calibration data is
            given); outputs beyond it are clipped.
        accumulation: how the partial sums of a tile row are added: ``"digital"``
            (one ADC per tile output, digitised partial sums added electronically)
            or ``"analog"`` (photocurrents integrated on the receiver, one ADC per
            output with the range of the sum); see the module docstring.

    Raises:
        InputError: for any field out of range (named in the message).
    """

    core_size: int = 64
    mesh: str = "clements"
    n_cores: int | None = None
    loss_dB: float = 0.1
    loss_std_dB: float = 0.0
    splitter_error_std: float = 0.0
    phase_error_std_rad: float = 0.0
    phase_bits: int | None = None
    crosstalk: float = 0.0
    detection: str = "coherent"
    power_mW: float | None = 1.0
    lo_power_mW: float = 10.0
    sample_rate_GHz: float = 10.0
    wavelength_nm: float = 1550.0
    quantum_efficiency: float = 0.9
    thermal_noise_electrons: float = 400.0
    dac_bits: int | None = 8
    adc_bits: int | None = 8
    dac_headroom: float = 1.0
    adc_headroom: float = 1.0
    accumulation: str = "digital"

    def __post_init__(self):
        check_int("core_size", self.core_size, minimum=1)
        check_choice("mesh", self.mesh, MESHES)
        if self.n_cores is not None:
            check_int("n_cores", self.n_cores, minimum=1)
        self._check_imperfections()
        self._check_light()
        _check_bits("dac_bits", self.dac_bits)
        _check_bits("adc_bits", self.adc_bits)
        check_positive("dac_headroom", self.dac_headroom)
        check_positive("adc_headroom", self.adc_headroom)
        check_choice("accumulation", self.accumulation, ACCUMULATIONS)

    def _check_imperfections(self):
        for name in ("loss_dB", "loss_std_dB", "splitter_error_std"):
            check_positive(name, getattr(self, name), allow_zero=True)
        check_positive("phase_error_std_rad", self.phase_error_std_rad, allow_zero=True)
        check_positive("crosstalk", self.crosstalk, allow_zero=True)
        _check_bits("phase_bits", self.phase_bits)

    def _check_light(self):
        check_choice("detection", self.detection, DETECTIONS)
        _check_optional_power("power_mW", self.power_mW)
        check_positive("lo_power_mW", self.lo_power_mW)
        check_positive("sample_rate_GHz", self.sample_rate_GHz)
        check_positive("wavelength_nm", self.wavelength_nm)
        check_fraction("quantum_efficiency", self.quantum_efficiency)
        check_positive("quantum_efficiency", self.quantum_efficiency)
        check_positive(
            "thermal_noise_electrons", self.thermal_noise_electrons, allow_zero=True
        )

    @classmethod
    def ideal(cls, core_size=64, mesh="clements"):
        """Hardware without loss, phase or splitter errors, noise or converter limits.

        A program compiled for it reproduces the original function to float rounding.
        """
        return cls(
            core_size=core_size,
            mesh=mesh,
            loss_dB=0.0,
            power_mW=None,
            thermal_noise_electrons=0.0,
            dac_bits=None,
            adc_bits=None,
        )

    def replace(self, **changes):
        """A copy with ``changes`` applied (validated again)."""
        return dataclasses.replace(self, **changes)

    @property
    def noisy(self):
        """Whether detection adds random noise (finite optical power)."""
        return self.power_mW is not None

    @property
    def has_imperfections(self):
        """Whether sampled chips differ from the programmed mesh."""
        fields = (self.loss_dB, self.loss_std_dB, self.splitter_error_std)
        fields += (self.phase_error_std_rad, self.crosstalk)
        return any(v > 0 for v in fields) or self.phase_bits is not None

    def imperfections(self):
        """The :class:`photonics.Imperfections` spec of one core's meshes."""
        from photonics.imperfections import Imperfections

        return Imperfections(
            loss_dB=self.loss_dB,
            loss_std_dB=self.loss_std_dB,
            splitter_error_std=self.splitter_error_std,
            phase_error_std_rad=self.phase_error_std_rad,
            phase_bits=self.phase_bits,
            crosstalk=self.crosstalk,
        )

    def photons_per_sample(self, power_mW):
        """Photons per sample carried by ``power_mW`` at this rate and wavelength."""
        energy_J = power_mW * 1e-3 / (self.sample_rate_GHz * 1e9)
        return energy_J / photon_energy_J(self.wavelength_nm)

    @property
    def full_scale_photons(self):
        """Photons per sample in one input mode at full scale (``inf``: no limit)."""
        if self.power_mW is None:
            return math.inf
        return self.photons_per_sample(self.power_mW)

    @property
    def lo_photons(self):
        """Local-oscillator photons per sample and output (coherent detection)."""
        return self.photons_per_sample(self.lo_power_mW)
