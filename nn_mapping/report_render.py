"""Render the energy report's data as Markdown and as a self-contained HTML page.

The report is first laid out as a list of blocks, each a tuple whose first item names
its kind: ``("h1" | "h2" | "h3" | "p", text)``, ``("table", headers, rows)``,
``("ul", items)`` and ``("img", file_name, caption)``. Markdown links the PNG files;
HTML embeds them as base64 data.
"""

import html

LIMITATIONS = (
    "Photon budget at the shot-noise floor (4**b photons per sample): detector "
    "thermal noise, laser intensity noise and crosstalk are not included.",
    "GPU energies are board power at dense peak throughput: a lower bound, since "
    "real inference runs below peak.",
    "Static weights are resident on as many cores as they need; their one-time "
    "programming is amortised over `inferences_per_programming` inferences.",
    "Electronic steps are taken as pipelined: they add energy, not time.",
    "Component values marked approx. in the docstrings are orders of magnitude.",
)


def _fmt(value):
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _hardware_blocks(data):
    hw = data["hardware"]
    keys = (
        "core_size",
        "rate_GHz",
        "laser_wall_plug",
        "mzi_loss_dB",
        "adc_bits",
        "dac_bits",
        "phase_shifter",
        "modulator",
    )
    rows = [[key, _fmt(hw[key])] for key in keys]
    limits = data["limits"]
    return [
        ("h2", "Hardware"),
        ("table", ["setting", "value"], rows),
        (
            "p",
            f"Photon energy {_fmt(limits['photon_energy_J'])} J; Landauer limit "
            f"{_fmt(limits['landauer_J_300K'])} J at 300 K; shot-noise limit "
            f"{limits['shot_noise_formula']}; optimal size of a fully used mesh "
            f"N = {limits['optimal_core_size_full_mesh']}.",
        ),
    ]


def _model_blocks(name, model):
    rows = []
    for entry in model["optical"] + model["electronic"]:
        rows.append(
            [
                entry["name"],
                entry["kind"],
                _fmt(entry["energy_J"]),
                _fmt(entry["energy_per_mac_J"] * 1e12),
            ]
        )
    sweep = model["core_sweep"]
    crossover = ", ".join(
        f"{base}: N = {_fmt(n)}" for base, n in sweep["crossover_core_size"].items()
    )
    return [
        ("h2", f"Model {name}"),
        ("p", f"Workload {model['workload']}: {model['macs']:,} MACs per inference."),
        ("table", ["platform", "kind", "energy per inference (J)", "pJ per MAC"], rows),
        (
            "p",
            f"Core-size sweep ({sweep['configuration']}): optimum N = "
            f"{sweep['optimal_core_size']} at "
            f"{_fmt(sweep['optimal_energy_per_mac_J'] * 1e12)} pJ/MAC; smallest N "
            f"that matches each baseline: {crossover or 'none'}.",
        ),
        ("h3", "Optical energy breakdown (share of the total)"),
        _breakdown_table(model["optical"]),
    ]


def _breakdown_table(optical):
    components = list(optical[0]["breakdown"])
    rows = []
    for entry in optical:
        total = entry["energy_J"]
        shares = [f"{100 * entry['breakdown'][c] / total:.1f}%" for c in components]
        rows.append([entry["name"], *shares])
    return ("table", ["configuration", *components], rows)


def _accuracy_blocks(data):
    accuracy = data["accuracy"]
    blocks = [("h2", "Accuracy against energy")]
    if not accuracy.get("available"):
        return [*blocks, ("p", f"Accuracy is not available: {accuracy['reason']}.")]
    rows = [
        [
            r["bits"],
            _fmt(r["photons_per_sample"]),
            _fmt(r["accuracy"]),
            _fmt(r["energy_J"]),
            "yes" if r["pareto"] else "",
        ]
        for r in accuracy["table"]
    ]
    headers = ["bits", "photons/sample", "accuracy", "energy (J)", "Pareto"]
    return [*blocks, ("p", f"Model {accuracy['model']}."), ("table", headers, rows)]


def _device_blocks(data):
    devices = data["devices"]
    blocks = [("h2", "Polariton switch and logic")]
    if not devices.get("available"):
        return [*blocks, ("p", f"Not included: {devices['reason']}.")]
    rows = [[name, _fmt(summary)] for name, summary in devices["summaries"].items()]
    return [*blocks, ("table", ["device", "summary"], rows)]


def report_blocks(data):
    """The report laid out as blocks (see the module docstring)."""
    blocks = [("h1", data["title"])]
    blocks += _hardware_blocks(data)
    for name, model in data["models"].items():
        blocks += _model_blocks(name, model)
    blocks += _accuracy_blocks(data)
    blocks += _device_blocks(data)
    blocks.append(("h2", "Figures"))
    blocks += [("img", name, name.removesuffix(".png")) for name in data["figures"]]
    blocks += [("h2", "Assumptions and limitations"), ("ul", list(LIMITATIONS))]
    return blocks


def to_markdown(blocks):
    """Markdown text of ``blocks``; images link to their PNG files."""
    lines = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2", "h3"):
            lines += ["#" * int(kind[1]) + " " + block[1], ""]
        elif kind == "p":
            lines += [block[1], ""]
        elif kind == "table":
            lines += [*_markdown_table(block[1], block[2]), ""]
        elif kind == "ul":
            lines += [f"- {item}" for item in block[1]] + [""]
        elif kind == "img":
            lines += [f"![{block[2]}]({block[1]})", ""]
    return "\n".join(lines)


def _markdown_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(_fmt(c) for c in row) + " |" for row in rows]
    return lines


def to_html(blocks, images_base64):
    """A self-contained HTML page of ``blocks`` with base64-embedded PNG images."""
    body = []
    for block in blocks:
        kind = block[0]
        if kind in ("h1", "h2", "h3", "p"):
            body.append(f"<{kind}>{html.escape(block[1])}</{kind}>")
        elif kind == "table":
            body.append(_html_table(block[1], block[2]))
        elif kind == "ul":
            items = "".join(f"<li>{html.escape(i)}</li>" for i in block[1])
            body.append(f"<ul>{items}</ul>")
        elif kind == "img":
            data = images_base64[block[1]]
            body.append(
                f'<figure><img alt="{html.escape(block[2])}" '
                f'src="data:image/png;base64,{data}"/>'
                f"<figcaption>{html.escape(block[2])}</figcaption></figure>"
            )
    title = html.escape(blocks[0][1])
    return (
        f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{title}</title>"
        f"<style>{_CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _html_table(headers, rows):
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_fmt(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;}"
    "table{border-collapse:collapse;margin:1em 0;font-size:0.85em;}"
    "td,th{border:1px solid #bbb;padding:2px 6px;text-align:right;}"
    "img{max-width:100%;}"
)
