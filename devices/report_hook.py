"""Device figures for the comparison report (``photonics report``).

:func:`report_figures` characterises the default polariton switch preset by simulation
and returns its S-curve and switching trace, with the switching metrics as a summary,
then the gates simulated from the same switch (AND traces and the two-stage cascade)
with their truth tables and energies; the report finds it as
``devices.report_figures``.
"""

import logging

from devices.cli import DEFAULT_PRESET

logger = logging.getLogger(__name__)

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
        simulated threshold energy; then the AND gate's traces for every input and
        the two-stage cascade, summarised by each gate's simulated correctness,
        energy per operation and latency.
    """
    from devices import plotting
    from devices.metrics import characterise
    from devices.presets import load_preset

    model, protocol = load_preset(preset)
    logger.info("characterising the %s switch for the report", preset)
    result = characterise(model, protocol, name=preset)
    summary = {key: float(result[key]) for key in _SUMMARY_KEYS}
    summary["preset"] = preset
    summary["bistable_window"] = dict(result["bistable_window"])
    energy = f"{summary['switching_energy_fJ']:.3g} fJ"
    figures = _draw(
        [
            (
                "switch_s_curve",
                _titled(
                    lambda ax: plotting.plot_s_curve(model, ax),
                    f"{preset}: steady states (S-curve)",
                ),
            ),
            (
                "switch_trace",
                _titled(
                    lambda ax: plotting.plot_switching_trace(result["trace"], ax),
                    f"{preset}: control pulse at twice the {energy} threshold",
                ),
            ),
        ],
        summary,
    )
    return figures + _logic_figures(preset)


def _titled(draw, title):
    """``draw`` followed by a title on the same axes."""

    def drawn(ax):
        result = draw(ax)
        ax.set_title(title, fontsize=10)
        return result

    return drawn


def _draw(makers, summary):
    from devices.plotting import draw_figure

    return [(name, draw_figure(draw), summary) for name, draw in makers]


def _logic_figures(preset):
    """AND-gate traces and the cascade, with the gates' simulated tables and energy."""
    import jax

    from devices import logic_plotting
    from devices.logic_cli import build_report

    logger.info("simulating gates from the %s switch for the report", preset)
    with jax.enable_x64(True):
        report, artefacts = build_report(preset, gate_ber=False)
    summary = {
        name: {
            "correct": bool(gate["correct"]),
            "energy_per_op_fJ": float(gate["energy_per_op_fJ"]),
            "latency_ps": float(gate["latency_ps"]),
        }
        for name, gate in report["gates"].items()
    }
    summary["cascade_correct"] = bool(report["cascade"]["correct"])
    return _draw(
        [
            (
                "logic_and_traces",
                lambda ax: logic_plotting.plot_gate_traces(
                    artefacts["gates"]["AND"], ax
                ),
            ),
            (
                "logic_cascade",
                lambda ax: logic_plotting.plot_cascade(artefacts["cascade"], ax),
            ),
        ],
        summary,
    )
