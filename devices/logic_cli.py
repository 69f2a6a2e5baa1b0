"""The ``photonics logic`` subcommand: gates, a cascade and their cost, from a preset.

``photonics logic [--preset NAME] [--json] [--out DIR]`` designs NOT, AND, OR, NAND and
XOR gates from the preset's bistable window, simulates their truth tables, a two-stage
cascade with a fan-out of two, a PRBS stream and the error rate against input energy
under truncated-Wigner noise for every gate (a finer curve for OR), and compares the
energy per operation with the Landauer limit, one photon, the shot-noise limit and
CMOS. ``--out`` writes the plots.
"""

import dataclasses
import logging

from photonics.cli_tools import format_table, print_json, print_text

logger = logging.getLogger(__name__)

#: Input-energy scales of the OR gate for the error-rate curve (1 = the design).
BER_SCALES = (0.4, 0.45, 0.5, 0.55, 0.6, 0.8)
BER_TRAJECTORIES = 40
#: Input-energy scales and samples of the per-gate error-rate curves.
GATE_BER_SCALES = (0.25, 0.5, 1.0, 1.5, 2.5)
GATE_BER_TRAJECTORIES = 24
STREAM_BITS = 16


def register(subparsers):
    """Add the ``logic`` subparser (entry point ``photonics.commands: logic``)."""
    from devices.cli import add_preset_arguments

    parser = subparsers.add_parser(
        "logic", help="simulate optical logic gates and a cascade from a switch preset"
    )
    add_preset_arguments(parser, "write the plots as PNG here")
    parser.add_argument("--seed", type=int, default=0, help="noise key (default 0)")
    parser.set_defaults(handler=run_logic)


def timings(protocol):
    """Gate and clock timing scaled to a preset's switching protocol."""
    from devices.clocked import ClockTiming
    from devices.logic import GateTiming

    w = protocol.pulse_width_ps
    gate = GateTiming(pulse_width_ps=w, pulse_time_ps=3.0 * w, sample_time_ps=13.0 * w)
    return gate, ClockTiming(settle_ps=7.0 * w, reset_ps=5.0 * w, edge_ps=w)


def run_logic(args):
    """Handle ``photonics logic``; returns the exit status."""
    import jax

    from photonics.cli_tools import check_output_directory

    if args.out:
        check_output_directory(args.out, "--out")
    with jax.enable_x64(True):
        report, artefacts = build_report(args.preset, seed=args.seed)
        if args.out:
            write_plots(args.out, artefacts)
    if args.json:
        print_json(report)
    else:
        print_text(tables(report))
    return 0


def build_report(preset, seed=0, gate_ber=True):
    """Everything ``photonics logic`` reports, and the objects the plots need.

    ``gate_ber=False`` skips the per-gate error-rate curves (about 10 s), for
    callers that do not show them (the comparison report).
    """
    import jax

    from devices.logic import check_bistable, design_gate, simulate_gate
    from devices.presets import load_preset

    model, protocol = load_preset(preset)
    gate_timing, clock = timings(protocol)
    window = check_bistable(model)
    results = {
        n: simulate_gate(model, design_gate(model, n, gate_timing))
        for n in ("NOT", "AND", "OR", "NAND", "XOR")
    }
    key = jax.random.key(seed)
    report, artefacts = _assemble(model, preset, window, results, clock, key, gate_ber)
    return report, artefacts


def _gate_ber(model, results, key):
    """Error rate against input energy of every gate (truncated-Wigner noise).

    The input energies are scaled together; the clock of NOT and NAND is kept, so
    their curves fail at low scales (the inputs no longer cancel the clock) and AND
    fails at high ones (one input alone switches it).
    """
    import jax

    from devices.clocked import ber_floor, ber_versus_energy

    out = {}
    for (name, result), sub in zip(
        results.items(), jax.random.split(key, len(results)), strict=True
    ):
        design = result.design
        ber = ber_versus_energy(
            model, design, GATE_BER_SCALES, sub, n_trajectories=GATE_BER_TRAJECTORIES
        )
        combos = 2 ** len(design.input_energy_fJ)
        ber["floor"] = ber_floor(GATE_BER_TRAJECTORIES, combos)
        ber["n_trajectories"] = GATE_BER_TRAJECTORIES
        out[name] = ber
    return out


def _assemble(model, preset, window, results, clock, key, gate_ber=True):
    import jax

    from devices.clocked import bit_period_ps
    from devices.logic_metrics import gate_summary
    from photonics.units import wavelength_nm_from_energy_meV

    period = bit_period_ps(results["AND"].design.timing, clock)
    gates = {n: gate_summary(r, window, period) for n, r in results.items()}
    key, gate_key = jax.random.split(key)
    per_gate = _gate_ber(model, results, gate_key) if gate_ber else {}
    for name, ber in per_gate.items():
        gates[name]["ber_vs_energy"] = ber
    cascade, cascade_result = _cascade(model, results["AND"].design, period)
    stream, ber = _noise(model, results["OR"].design, clock, key)
    wavelength = wavelength_nm_from_energy_meV(float(model.pump_energy_meV))
    report = dict(
        preset=preset,
        bistable_window=dataclasses.asdict(window),
        gates=gates,
        half_adder=_half_adder(gates),
        cascade=cascade,
        clocked=stream,
        ber_vs_energy=ber,
        comparison=_comparison(gates, ber, wavelength),
    )
    artefacts = dict(gates=results, cascade=cascade_result, ber=ber)
    artefacts["gate_ber"] = per_gate
    artefacts["stream"] = stream.pop("_stream")
    return report, artefacts


def _half_adder(gates):
    """Half adder = XOR (sum) and AND (carry) sharing the inputs (split 50/50)."""
    xor, carry = gates["XOR"]["truth_table"], gates["AND"]["truth_table"]
    table = [[*x[:-1], x[-1], c[-1]] for x, c in zip(xor, carry, strict=True)]
    expected = [[a, b, a ^ b, a & b] for a, b, *_ in table]
    # Each input is split between the two gates, so it must carry both energies.
    control = 2.0 * (
        gates["XOR"]["input_energy_fJ"][0] + gates["AND"]["input_energy_fJ"][0]
    )
    return dict(
        columns=["A", "B", "sum", "carry"],
        truth_table=table,
        correct=table == expected
        and gates["XOR"]["correct"]
        and gates["AND"]["correct"],
        energy_per_op_fJ=gates["XOR"]["energy_per_op_fJ"]
        + gates["AND"]["energy_per_op_fJ"],
        input_energy_per_input_fJ=control / 2.0,
        latency_ps=max(gates["XOR"]["latency_ps"], gates["AND"]["latency_ps"]),
    )


def _cascade(model, gate, period):
    from devices.cascade import design_cascade, simulate_cascade
    from devices.logic_metrics import UW_PS_FJ, control_energies_fJ

    design = design_cascade(model, gate, stages=2, fan_out=2)
    result = simulate_cascade(model, design)
    holds = gate.hold_power_uW + sum(b.hold_power_uW for b in design.buffers)
    summary = dict(
        stages=design.stages,
        fan_out=design.fan_out,
        gate=gate.name,
        correct=bool(result.correct),
        truth_table=[list(r) for r in result.truth_table],
        coupling=design.coupling,
        loss_dB=design.loss_dB,
        latency_ps=result.latency_ps,
        buffer_hold_power_uW=[b.hold_power_uW for b in design.buffers],
        buffer_hold_tolerance=[b.hold_tolerance for b in design.buffers],
        energy_per_op_fJ=holds * period * UW_PS_FJ
        + float(control_energies_fJ(gate).mean()),
    )
    return summary, result


def _noise(model, design, clock, key):
    from devices.clocked import ber_floor, ber_versus_energy, run_stream

    stream = run_stream(model, design, STREAM_BITS, clock)
    ber = ber_versus_energy(
        model, design, BER_SCALES, key, n_trajectories=BER_TRAJECTORIES
    )
    ber["gate"] = design.name
    ber["floor"] = ber_floor(BER_TRAJECTORIES, 4)
    ber["n_trajectories"] = BER_TRAJECTORIES
    summary = dict(
        gate=design.name,
        bits=STREAM_BITS,
        errors=stream.errors,
        eye_opening_uW=stream.eye_opening_uW,
        bit_period_ps=stream.bit_period_ps,
        _stream=stream,
    )
    return summary, ber


def _comparison(gates, ber, wavelength_nm):
    from devices.logic_metrics import comparison_rows, limits_J

    limits = limits_J(wavelength_nm, bit_error_rate=1e-9)
    rows = comparison_rows(gates, limits)
    limits["rows"] = [
        dict(item=n, energy_J=e, over_landauer=a, over_cmos=b) for n, e, a, b in rows
    ]
    zero = [
        e for e, r in zip(ber["input_energy_fJ"], ber["ber"], strict=True) if r == 0
    ]
    limits["or_gate_error_free_input_fJ"] = min(zero) if zero else None
    return limits


def tables(report):
    """The readable output: gates, cascade, stream, error rate and comparison."""
    gate_rows = [
        [
            n,
            "yes" if g["correct"] else "NO",
            " ".join("".join(map(str, r)) for r in g["truth_table"]),
            g["energy_per_op_fJ"],
            g["control_fJ"],
            g["latency_ps"],
            g["contrast_dB"],
            g["margin"],
        ]
        for n, g in report["gates"].items()
    ]
    heads = [
        "gate",
        "ok",
        "table",
        "E/op fJ",
        "control fJ",
        "latency ps",
        "dB",
        "margin",
    ]
    c = report["cascade"]
    lines = [
        f"preset {report['preset']}",
        format_table(gate_rows, heads),
        f"\ncascade: {c['stages']} stages, fan-out {c['fan_out']}, "
        f"correct {c['correct']}, latency {c['latency_ps']:.3g} ps",
        f"PRBS stream: {report['clocked']['errors']} errors in "
        f"{report['clocked']['bits']} bits",
        "\n"
        + format_table(
            [
                [r["item"], r["energy_J"], r["over_landauer"], r["over_cmos"]]
                for r in report["comparison"]["rows"]
            ],
            ["item", "energy J", "× Landauer", "× CMOS"],
        ),
    ]
    return "\n".join(lines)


def write_plots(out, artefacts):
    """Write the gate traces, cascade, eye and error-rate plots to ``out``."""
    import matplotlib

    matplotlib.use("Agg")

    from devices import logic_plotting as lp

    figures = {
        f"gate_{n.lower()}.png": (lambda ax, r=r: lp.plot_gate_traces(r, ax))
        for n, r in artefacts["gates"].items()
    }
    figures["cascade.png"] = lambda ax: lp.plot_cascade(artefacts["cascade"], ax)
    figures["eye.png"] = lambda ax: lp.plot_eye(artefacts["stream"], ax)
    figures["ber_vs_energy.png"] = lambda ax: lp.plot_ber(
        artefacts["ber"], ax, floor=artefacts["ber"]["floor"]
    )
    if artefacts["gate_ber"]:
        figures["ber_per_gate.png"] = lambda ax: lp.plot_ber_per_gate(
            artefacts["gate_ber"], ax
        )
    from devices.plotting import write_plots as save

    save(out, figures)
    logger.info("wrote %d plots to %s", len(figures), out)
