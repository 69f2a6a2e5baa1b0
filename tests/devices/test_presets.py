"""Presets: sourced, bistable at their pump, switching at the scale N_sw ħω / η."""

import re

import pytest

from devices import (
    bistable_window,
    kerr_reduction,
    load_preset,
    prepare_switch,
    preset_names,
    switching_threshold,
)
from devices.presets import PRESETS
from photonics.errors import InputError
from photonics.units import meV_J


def test_presets_are_listed_and_unknown_names_are_refused():
    assert preset_names() == [
        "mose2-nanocavity",
        "gaas-micropillar",
        "cspbbr3-microwire",
    ]
    with pytest.raises(InputError, match=r"preset.*expected.*received"):
        load_preset("silicon")


@pytest.mark.parametrize("name", preset_names())
def test_preset_docstring_cites_its_source_and_marks_estimates(name):
    doc = PRESETS[name][0].__doc__
    assert re.search(r"(19|20)\d\d\)", doc)  # a dated reference
    assert "estimate" in doc  # which values are ours is said


@pytest.mark.parametrize("name", preset_names())
def test_preset_switches_at_the_polariton_number_scale(name):
    """The threshold follows N_sw ħω / η with N_sw = ħγ_LP / U (REFERENCES §1).

    A scale law, not an exact result: the simulated threshold must lie within a
    factor of 4 of it for every preset, across four orders of magnitude in g_X / A,
    linewidth and coupling between them.
    """
    model, protocol = load_preset(name)
    window = bistable_window(model)
    setup = prepare_switch(model, protocol)
    assert window.lower_fold_power_uW < setup.hold_power_uW
    assert setup.hold_power_uW < window.upper_fold_power_uW
    lower = kerr_reduction(model)
    n_sw = float(lower.gamma_meV / lower.u_meV)
    eta = float(model.kappa_in_meV / model.gamma_C_meV)
    scale_fJ = n_sw * float(model.pump_energy_meV) * meV_J / eta * 1e15
    threshold = switching_threshold(model, setup, rtol=1e-2)
    assert 0.25 < threshold.energy_fJ / scale_fJ < 4.0
