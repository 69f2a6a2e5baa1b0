"""The report's accuracy hook: digits-MLP accuracy at a converter resolution and a
photon budget, computed by simulating the compiled optical program.

The report sweeps ``photons_per_sample``, the photons at full scale in one sample; the
mapper's :class:`nn_mapping.hardware.Hardware` is set in optical power per input mode
at full scale. The two are tied by ``P = n h c / λ · f_s`` with the hardware's sample
rate ``f_s`` and wavelength ``λ``: the photon budget of the energy model is applied as
the full-scale photon number of each input sample of the simulation (an
approximation: the energy model counts photons per detected output sample, which the
mesh's fan-out and loss make smaller than the input's).
"""

import functools
import logging

from nn_mapping.accuracy import digits_mlp_accuracy
from nn_mapping.hardware import Hardware
from photonics.units import photons_per_s_to_power_W

logger = logging.getLogger(__name__)


def photons_to_power_mW(photons_per_sample, hardware=None):
    """Optical power per input (mW) that carries ``photons_per_sample`` per sample."""
    hardware = hardware or Hardware()
    rate_per_s = photons_per_sample * hardware.sample_rate_GHz * 1e9
    return photons_per_s_to_power_W(rate_per_s, hardware.wavelength_nm) * 1e3


@functools.lru_cache(maxsize=128)
def digits_accuracy(bits, photons_per_sample, seed=0):
    """Optical test accuracy of the digits MLP with ``bits``-bit converters.

    Args:
        bits: resolution of the DACs and ADCs.
        photons_per_sample: photons per input sample at full scale.
        seed: seed of training, chip and detection noise.

    Returns:
        The optical test accuracy, a fraction in [0, 1].
    """
    power_mW = photons_to_power_mW(photons_per_sample)
    result = digits_mlp_accuracy(bits=int(bits), power_mW=power_mW, seed=seed)
    logger.info(
        "digits MLP: %d bits, %.3g photons -> accuracy %.3f (digital %.3f)",
        bits, photons_per_sample, result["optical"], result["digital"],
    )  # fmt: skip
    return float(result["optical"])
