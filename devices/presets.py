"""Device presets: material + cavity parameters with their sources.

Each preset is a function returning a :class:`devices.TwoModeCavity` built with
:func:`devices.build_two_mode`, and a :class:`devices.SwitchProtocol` for its switching
experiment. Values marked (paper, approx.) follow the cited work to the precision the
project's reference notes give; values marked (estimate) are ours, chosen within the
physically plausible range stated in the docstring.
"""

from devices.metrics import SwitchProtocol
from devices.params import build_two_mode


def mose2_nanocavity():
    """MoSe₂ monolayer in a photonic-crystal nanocavity, 4 K.

    Source: Zhen group (Penn), Phys. Rev. Lett. (2026), "Strongly nonlinear nanocavity
    exciton-polaritons in gate-tunable monolayer semiconductors": strong coupling of the
    MoSe₂ A exciton to a nanocavity mode, spectral switching at ~4 fJ on picosecond
    time scales, nonlinearity from excitation-induced dephasing and loss of strong
    coupling.

    Parameters:
        * exciton energy 1645 meV (754 nm), MoSe₂ A exciton at 4 K (paper, approx.);
        * Rabi splitting 9 meV (paper range 5-10 meV, approx.);
        * exciton linewidth 2 meV (paper: a few meV, approx.);
        * cavity linewidth 0.8 meV, Q ≈ 2000 (estimate);
        * mode area 0.15 µm² (estimate, photonic-crystal nanocavities 0.1-0.2 µm²);
        * g_X = 1 µeV·µm² (estimate; reported TMD values span 0.1-10 µeV·µm²);
        * EID β_X = 0.02 µeV·µm² (estimate) and PSF saturation density 1e5 µm⁻²
          (estimate, ~7 / (16 π a_B²) with a Bohr radius near 1.2 nm);
        * input coupling efficiency η = 0.05 (estimate, free-space to nanocavity);
        * cavity at exciton resonance, pump 2.5 meV above the lower polariton
          (estimate, chosen inside the bistable range).

    Model finding, stated plainly: in this coherent mean-field model EID alone makes
    the response single-valued (a larger β closes the bistable window, see
    ``tests/devices/test_steady_state.py``), so the latching switch rests on the
    interaction blueshift and the PSF quench of the Rabi splitting, which push the lower
    polariton toward the bare cavity (the loss of strong coupling). β_X was therefore
    kept small; the Rabi splitting, η and the pump detuning were adjusted within the
    ranges above so that the simulated switching energy is a few fJ, as measured.
    """
    return build_two_mode(
        rabi_meV=9.0,
        gamma_C_meV=0.8,
        gamma_X_meV=2.0,
        g_X_ueVum2=1.0,
        mode_area_um2=0.15,
        coupling_efficiency=0.05,
        exciton_energy_meV=1645.0,
        cavity_detuning_meV=0.0,
        pump_detuning_meV=2.5,
        beta_X_ueVum2=0.02,
        saturation_density_per_um2=1e5,
    )


def gaas_micropillar():
    """GaAs quantum-well micropillar (single QW, 4 K).

    Sources: Baas et al., Phys. Rev. A 69, 023809 (2004) (polariton bistability in a
    GaAs/AlGaAs microcavity); Ballarini et al., Nat. Commun. 4, 1778 (2013) (all-optical
    polariton transistor).

    Parameters: exciton 1480 meV (838 nm) and Rabi splitting 5 meV (papers, approx.);
    cavity linewidth 0.1 meV (Q ≈ 15000) and exciton linewidth 0.1 meV (papers,
    approx.); g_X = 3 µeV·µm² (estimate within the 1-10 µeV·µm² reported for GaAs QWs);
    mode area 3 µm² (estimate, 2 µm pillar); η = 0.5 (estimate); no EID or PSF;
    cavity 2 meV above the exciton and pump 0.3 meV above the lower polariton
    (estimates).
    """
    return build_two_mode(
        rabi_meV=5.0,
        gamma_C_meV=0.1,
        gamma_X_meV=0.1,
        g_X_ueVum2=3.0,
        mode_area_um2=3.0,
        coupling_efficiency=0.5,
        exciton_energy_meV=1480.0,
        cavity_detuning_meV=2.0,
        pump_detuning_meV=0.3,
    )


def cspbbr3_microwire():
    """CsPbBr₃ perovskite microcavity/microwire at room temperature.

    Source: Feng et al., Sci. Adv. 7, eabj6627 (2021) (room-temperature perovskite
    polariton devices). Parameters: exciton 2410 meV (515 nm) and Rabi splitting
    120 meV (paper, approx.); cavity linewidth 2 meV, exciton linewidth 20 meV at
    300 K, g_X = 3 µeV·µm², mode area 1 µm², η = 0.3, cavity at the exciton
    energy, pump 20 meV above the lower polariton (all estimates). Weak interactions
    and broad room-temperature lines make this switch need about a watt of holding
    power and tens of fJ per switching event in this model.
    """
    return build_two_mode(
        rabi_meV=120.0,
        gamma_C_meV=2.0,
        gamma_X_meV=20.0,
        g_X_ueVum2=3.0,
        mode_area_um2=1.0,
        coupling_efficiency=0.3,
        exciton_energy_meV=2410.0,
        cavity_detuning_meV=0.0,
        pump_detuning_meV=20.0,
    )


#: name -> (model builder, switching protocol, one-line description).
PRESETS = {
    "mose2-nanocavity": (
        mose2_nanocavity,
        SwitchProtocol(pulse_width_ps=1.0, pulse_time_ps=4.0, t_end_ps=40.0),
        "MoSe2 monolayer photonic-crystal nanocavity (Penn, PRL 2026), 4 K",
    ),
    "gaas-micropillar": (
        gaas_micropillar,
        SwitchProtocol(pulse_width_ps=5.0, pulse_time_ps=15.0, t_end_ps=200.0),
        "GaAs quantum-well micropillar (Baas 2004; Ballarini 2013), 4 K",
    ),
    "cspbbr3-microwire": (
        cspbbr3_microwire,
        SwitchProtocol(pulse_width_ps=0.3, pulse_time_ps=1.5, t_end_ps=10.0),
        "CsPbBr3 perovskite microcavity (Feng 2021), room temperature",
    ),
}


def preset_names():
    """Names of the presets, in a stable order."""
    return list(PRESETS)


def load_preset(name):
    """``(model, protocol)`` of preset ``name``.

    Raises:
        InputError: for an unknown name (listing the known ones).
    """
    from photonics.checks import check_choice

    check_choice("preset", name, preset_names())
    builder, protocol, _ = PRESETS[name]
    return builder(), protocol
