"""Device figures for the comparison report (``photonics report``).

:func:`report_figures` characterises the default polariton switch preset by simulation
and returns its S-curve and switching trace, with the switching metrics as a summary;
the report finds it as ``devices.report_figures``.
"""

import logging

logger = logging.getLogger(__name__)

DEFAULT_PRESET = "mose2-nanocavity"
_SUMMARY_KEYS = (
    "switching_energy_fJ",
    "switching_energy_photons",
    "switching_time_ps",
    "contrast_dB",
    "hold_power_uW",
    "holding_energy_per_bit_fJ",
    "energy_delay_product_Js",
)


def report_figures(preset=DEFAULT_PRESET):
    """Figures and metrics of the polariton switch ``preset`` for the report.

    Returns:
        A list of ``(name, matplotlib Figure, summary dict)``: the S-curve (stable and
        unstable branches) and the switching trace of a control pulse at twice the
        simulated threshold energy.
    """
    import matplotlib.pyplot as plt

    from devices import plotting
    from devices.metrics import characterise
    from devices.presets import load_preset

    model, protocol = load_preset(preset)
    logger.info("characterising the %s switch for the report", preset)
    result = characterise(model, protocol, name=preset)
    summary = {key: float(result[key]) for key in _SUMMARY_KEYS}
    summary["preset"] = preset
    summary["bistable_window"] = dict(result["bistable_window"])
    figures = []
    for name, draw in (
        ("switch_s_curve", lambda ax: plotting.plot_s_curve(model, ax)),
        ("switch_trace", lambda ax: plotting.plot_switching_trace(result["trace"], ax)),
    ):
        fig, ax = plt.subplots(figsize=(5, 3.6))
        draw(ax)
        fig.tight_layout()
        figures.append((name, fig, summary))
    return figures
