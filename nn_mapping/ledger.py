"""The energy ledger: joules per component for one inference of a workload.

:func:`price_optical` prices a :class:`~nn_mapping.workload.Workload` on optical
hardware described by an :class:`~photonics.hardware_energy.OpticalEnergyConfig`;
:func:`price_baseline` prices the same workload on an electronic baseline (a GPU or a
digital MAC array). Each returns a :class:`Ledger`.

Optical engines, for a product ``(m x k) @ (k x n)`` repeated ``count`` times on
cores of size N, with ``T_x = ceil(x / N)`` tiles along a dimension:

* ``mesh`` (weight-stationary SVD mesh, static weights resident): each of the ``n``
  columns needs ``T_m k`` DAC + modulator conversions and ``T_k m`` detections + ADC
  conversions (1/N per MAC when m = k = N); the laser supplies ``4**b`` photons per
  detection through ``(2N + 1)`` MZIs; partial sums over ``T_k`` tiles are added
  electronically; programming (one-time) is amortised over
  ``inferences_per_programming``; phase shifters hold their phases for the whole
  inference. All tiles run in parallel: an op takes ``n`` symbols.
* ``reprogrammed_mesh`` (dynamic operand written into a mesh): as ``mesh``, plus for
  every tile a decomposition on the host (``decomposition_macs_per_n3 N**3`` MACs)
  and the reprogramming of every shifter, and a settling time per tile; tiles share
  ``dynamic_cores`` cores.
* ``crossbar`` (both operands modulated each cycle, an N x N x N block per cycle as
  in the dynamic photonic tensor core of Zhu, Gu et al., HPCA 2024): the left operand
  is converted once per n-tile and the right once per m-tile (2/N per MAC); every
  output is detected once per k-tile (1/N per MAC).
* ``homodyne`` (Hamerly et al., PRX 2019, an N x N detector array integrating over
  k): conversions as the crossbar, one detection per output (1/k per MAC).

Time is only used for the static holding power: the ops run one after another and
the electronic steps are taken as pipelined (no added time).

Limitations: detector thermal noise, crosstalk and laser relative-intensity noise are
not in the photon budget; ``4**b`` photons per sample is the shot-noise floor. GPU
figures are at peak throughput (a lower bound on their energy).
"""

import dataclasses
import logging
import math

from nn_mapping.workload import ENGINES, ElectronicOp, LinearOp, Workload
from photonics import baselines, checks
from photonics.errors import input_error
from photonics.hardware_energy import OpticalEnergyConfig
from photonics.laser_budget import svd_mesh_mzis

logger = logging.getLogger(__name__)

#: Components of an optical ledger, in the order of the report's stacked bars.
OPTICAL_COMPONENTS = (
    "laser",
    "dac",
    "modulator",
    "detector",
    "adc",
    "programming",
    "holding",
    "memory",
    "electronic",
)


@dataclasses.dataclass(frozen=True)
class Ledger:
    """Energy of one inference of a workload on one platform.

    Attributes:
        platform: the configuration or baseline label.
        kind: ``"optical"`` or ``"electronic"``.
        workload: the workload name.
        macs: multiply-accumulates per inference.
        breakdown_J: component -> joules per inference.
        time_s: modelled time per inference in s (``None`` for baselines).
        ops: per-op rows ``{"name", "engine", "energy_J", "breakdown_J"}``.
    """

    platform: str
    kind: str
    workload: str
    macs: int
    breakdown_J: dict
    time_s: float | None = None
    ops: tuple = ()

    @property
    def energy_J(self):
        """Total joules per inference."""
        return float(sum(self.breakdown_J.values()))

    @property
    def energy_per_mac_J(self):
        """Joules per multiply-accumulate."""
        return self.energy_J / self.macs if self.macs else float("nan")

    def to_dict(self):
        """A JSON-ready summary: name, energies, breakdown, time."""
        return {
            "name": self.platform,
            "kind": self.kind,
            "energy_J": self.energy_J,
            "energy_per_mac_J": self.energy_per_mac_J,
            "breakdown": dict(self.breakdown_J),
            "time_s": self.time_s,
        }


def _zero():
    return dict.fromkeys(OPTICAL_COMPONENTS, 0.0)


def _add(total, part):
    for key, value in part.items():
        total[key] = total.get(key, 0.0) + value
    return total


def check_workload(workload):
    """Raise :class:`InputError` unless ``workload`` is a well-formed workload."""
    if not isinstance(workload, Workload):
        raise input_error(
            "workload", "a nn_mapping.Workload", checks.describe(workload)
        )
    for op in workload.linear_ops:
        if not isinstance(op, LinearOp):
            raise input_error("workload.linear_ops", "LinearOp items", repr(op))
        for dim in ("m", "k", "n", "count"):
            checks.check_int(f"{op.name}.{dim}", getattr(op, dim), minimum=1)
        checks.check_choice(f"{op.name}.engine", op.engine, ENGINES)
        checks.check_choice(f"{op.name}.kind", op.kind, ("static", "dynamic"))
    for op in workload.electronic_ops:
        if not isinstance(op, ElectronicOp):
            raise input_error("workload.electronic_ops", "ElectronicOp items", repr(op))
        checks.check_int(f"{op.name}.elements", op.elements, minimum=0)
        baselines.flops_per_element(op.kind)
    return workload


def _engine(op, config):
    engine = op.engine
    if op.kind == "dynamic" and config.dynamic_engine and engine != "electronic":
        engine = config.dynamic_engine
    if op.kind == "dynamic" and engine == "mesh":
        logger.info(
            "%s: a dynamic operand cannot stay in a mesh; reprogramming", op.name
        )
        engine = "reprogrammed_mesh"
    return engine


def _tiles(x, n):
    return math.ceil(x / n)


def _memory_J(config, elements):
    byte_pJ = baselines.sram_energy_pJ_per_byte(config.host_node, "1MB")
    return elements * config.activation_bits / 8 * byte_pJ * 1e-12


def _host_add_J(config, adds):
    add_pJ = baselines.op_energy_pJ(config.host_node, config.host_precision, "add")
    return adds * add_pJ * 1e-12


def _host_mac_J(config, macs):
    return (
        macs * baselines.mac_energy_pJ(config.host_node, config.host_precision) * 1e-12
    )


def _io_J(config, conversions, detections, loss_dB):
    return {
        "dac": conversions * config.dac_energy_J(),
        "modulator": conversions * config.modulator_energy_J(),
        "detector": detections * config.receiver_energy_J(),
        "adc": detections * config.adc_energy_J(),
        "laser": detections * config.laser_energy_per_sample_J(loss_dB),
    }


def _mesh_streaming(op, config):
    n_core = config.core_size
    t_m, t_k = _tiles(op.m, n_core), _tiles(op.k, n_core)
    conversions = op.count * op.n * t_m * op.k
    detections = op.count * op.n * t_k * op.m
    part = _io_J(config, conversions, detections, config.mesh_loss_dB(n_core))
    part["electronic"] = _host_add_J(config, op.count * (t_k - 1) * op.m * op.n)
    part["memory"] = _memory_J(config, op.count * (op.k + op.m) * op.n)
    return part, op.count * t_m * t_k


def _price_mesh(op, config):
    part, tiles = _mesh_streaming(op, config)
    shifters = tiles * svd_mesh_mzis(config.core_size) * config.shifters_per_mzi
    program_J = shifters * config.reconfiguration_energy_J()
    part["programming"] = program_J / config.inferences_per_programming
    return part, op.n / (config.rate_GHz * 1e9), shifters


def _price_reprogrammed(op, config):
    part, tiles = _mesh_streaming(op, config)
    n_core = config.core_size
    shifters = svd_mesh_mzis(n_core) * config.shifters_per_mzi
    part["programming"] = tiles * shifters * config.reconfiguration_energy_J()
    decomposition = tiles * config.decomposition_macs_per_n3 * n_core**3
    part["electronic"] += _host_mac_J(config, decomposition)
    part["memory"] += _memory_J(config, op.count * op.m * op.k)
    rounds = _tiles(tiles, config.dynamic_cores)
    time_s = rounds * (config.settling_time_us * 1e-6 + op.n / (config.rate_GHz * 1e9))
    return part, time_s, 0


def _price_two_operand(op, config, engine):
    n_core = config.core_size
    t_m, t_k, t_n = (_tiles(x, n_core) for x in (op.m, op.k, op.n))
    conversions = op.count * (op.m * op.k * t_n + op.k * op.n * t_m)
    if engine == "crossbar":
        detections = op.count * op.m * op.n * t_k
        loss_dB, cycles = config.crossbar_loss_dB, op.count * t_m * t_k * t_n
    else:
        detections = op.count * op.m * op.n
        loss_dB, cycles = config.homodyne_loss_dB, op.count * t_m * t_n * op.k
    part = _io_J(config, conversions, detections, loss_dB + config.fixed_loss_dB())
    part["electronic"] = _host_add_J(config, detections - op.count * op.m * op.n)
    part["memory"] = _memory_J(
        config, op.count * (op.m * op.k + op.k * op.n + op.m * op.n)
    )
    time_s = _tiles(cycles, config.dynamic_cores) / (config.rate_GHz * 1e9)
    return part, time_s, 0


def _price_host_linear(op, config):
    host = baselines.DigitalAccelerator(config.host_node, config.host_precision)
    parts = baselines.digital_matmul_energy_J(host, op.m, op.k, op.n, op.count)
    memory = parts["local_buffer"] + parts["global_buffer"] + parts["dram"]
    return {"electronic": parts["mac"], "memory": memory}, 0.0, 0


def _price_linear_op(op, config):
    engine = _engine(op, config)
    if engine == "mesh":
        part, time_s, shifters = _price_mesh(op, config)
    elif engine == "reprogrammed_mesh":
        part, time_s, shifters = _price_reprogrammed(op, config)
    elif engine in ("crossbar", "homodyne"):
        part, time_s, shifters = _price_two_operand(op, config, engine)
    else:
        part, time_s, shifters = _price_host_linear(op, config)
    return engine, part, time_s, shifters


def _price_electronic_op(op, config):
    arithmetic_J, memory_J = baselines.electronic_op_energy_J(
        op.kind, op.elements, config.host_node, config.host_precision
    )
    return {"electronic": arithmetic_J, "memory": memory_J}


def price_optical(workload, config=None):
    """Price one inference of ``workload`` on optical hardware ``config``.

    Args:
        workload: the :class:`Workload` to price.
        config: an :class:`OpticalEnergyConfig` (default: the documented defaults).

    Returns:
        A :class:`Ledger` with the components of :data:`OPTICAL_COMPONENTS`.

    Raises:
        InputError: for a malformed workload or configuration.
    """
    check_workload(workload)
    config = config or OpticalEnergyConfig()
    if not isinstance(config, OpticalEnergyConfig):
        raise input_error("config", "an OpticalEnergyConfig", checks.describe(config))
    total, rows, time_s, shifters = _zero(), [], 0.0, 0
    for op in workload.linear_ops:
        engine, part, op_time_s, op_shifters = _price_linear_op(op, config)
        rows.append(_row(op.name, engine, part))
        _add(total, part)
        time_s, shifters = time_s + op_time_s, shifters + op_shifters
    for op in workload.electronic_ops:
        part = _price_electronic_op(op, config)
        rows.append(_row(op.name, "electronic", part))
        _add(total, part)
    if any(row["engine"] == "reprogrammed_mesh" for row in rows):
        shifters += _dynamic_core_shifters(config)
    total["holding"] = shifters * config.phase_shifter_holding_power_W() * time_s
    return Ledger(
        config.name, "optical", workload.name, workload.macs, total, time_s, tuple(rows)
    )


def _dynamic_core_shifters(config):
    mzis = svd_mesh_mzis(config.core_size)
    return config.dynamic_cores * mzis * config.shifters_per_mzi


def _row(name, engine, part):
    return {
        "name": name,
        "engine": engine,
        "energy_J": float(sum(part.values())),
        "breakdown_J": dict(part),
    }


@dataclasses.dataclass(frozen=True)
class GPUBaseline:
    """A GPU at one precision, priced at ``utilisation`` of its peak throughput.

    Attributes:
        gpu: ``"A100"``, ``"H100"`` or ``"B200"``.
        precision: a precision of the GPU's datasheet (``"int8"``, ``"fp8"``,
            ``"bf16"``, ``"fp16"``).
        utilisation: fraction of peak in (0, 1]; 1 gives a lower bound on energy.
    """

    gpu: str
    precision: str
    utilisation: float = 1.0

    @property
    def name(self):
        """A readable label, e.g. ``"H100 fp8"``."""
        return f"{self.gpu} {self.precision}"


#: The electronic baselines of the report: every GPU at 8 bits and at bf16, and the
#: 45 nm and 7 nm int8 MAC arrays.
DEFAULT_BASELINES = (
    GPUBaseline("A100", "int8"),
    GPUBaseline("A100", "bf16"),
    GPUBaseline("H100", "fp8"),
    GPUBaseline("H100", "bf16"),
    GPUBaseline("B200", "fp8"),
    GPUBaseline("B200", "bf16"),
    baselines.DigitalAccelerator("45nm", "int8"),
    baselines.DigitalAccelerator("7nm", "int8"),
)


def _price_gpu(workload, baseline):
    mac_J = baselines.gpu_energy_per_mac_J(
        baseline.gpu, baseline.precision, baseline.utilisation
    )
    flop_J = baselines.gpu_energy_per_flop_J(baseline.gpu, baseline.utilisation)
    elementwise = sum(
        op.elements * baselines.flops_per_element(op.kind)
        for op in workload.electronic_ops
    )
    return {"mac": workload.macs * mac_J, "elementwise": elementwise * flop_J}


def _static_weight_bytes(workload, precision):
    nbytes = baselines.PRECISION_BYTES[precision]
    static = (op for op in workload.linear_ops if op.kind == "static")
    return sum(op.count * op.m * op.k * nbytes for op in static)


def _price_digital(workload, accelerator):
    acc = accelerator.validate()
    capacity_B = acc.sram_capacity_MB * 1e6
    on_chip = _static_weight_bytes(workload, acc.precision) <= capacity_B
    total = {"mac": 0.0, "local_buffer": 0.0, "global_buffer": 0.0, "dram": 0.0}
    for op in workload.linear_ops:
        resident = on_chip or op.kind == "dynamic"
        part = baselines.digital_matmul_energy_J(
            acc, op.m, op.k, op.n, op.count, weights_on_chip=resident
        )
        _add(total, part)
    vector_precision = "fp16" if acc.precision == "int8" else acc.precision
    total["elementwise"] = 0.0
    for op in workload.electronic_ops:
        arithmetic_J, memory_J = baselines.electronic_op_energy_J(
            op.kind, op.elements, acc.node, vector_precision
        )
        _add(total, {"elementwise": arithmetic_J, "global_buffer": memory_J})
    return total


def price_baseline(workload, baseline):
    """Price one inference of ``workload`` on an electronic ``baseline``.

    Args:
        workload: the :class:`Workload`.
        baseline: a :class:`GPUBaseline` or a
            :class:`photonics.baselines.DigitalAccelerator`.

    Returns:
        A :class:`Ledger` of kind ``"electronic"``; GPU components are ``mac`` and
        ``elementwise``, MAC-array components ``mac``, ``local_buffer``,
        ``global_buffer``, ``dram`` and ``elementwise``.
    """
    check_workload(workload)
    if isinstance(baseline, GPUBaseline):
        breakdown = _price_gpu(workload, baseline)
    elif isinstance(baseline, baselines.DigitalAccelerator):
        breakdown = _price_digital(workload, baseline)
    else:
        raise input_error(
            "baseline", "a GPUBaseline or DigitalAccelerator", checks.describe(baseline)
        )
    return Ledger(baseline.name, "electronic", workload.name, workload.macs, breakdown)


def price_all(workload, configs, electronic=DEFAULT_BASELINES):
    """Price ``workload`` on every optical config and every electronic baseline.

    Returns:
        ``(optical_ledgers, electronic_ledgers)``, two lists of :class:`Ledger`.
    """
    optical = [price_optical(workload, config) for config in configs]
    return optical, [price_baseline(workload, b) for b in electronic]


def core_size_sweep(workload, config, sizes):
    """Ledgers of ``workload`` on ``config`` with each core size in ``sizes``."""
    sizes = [checks.check_int("sizes", int(s), minimum=2) for s in sizes]
    return [price_optical(workload, config.replace(core_size=n)) for n in sizes]


def optimal_core_size(workload, config, sizes):
    """The core size among ``sizes`` with the least energy per inference.

    Returns:
        ``(core_size, ledger)``.
    """
    sizes = list(sizes)
    ledgers = core_size_sweep(workload, config, sizes)
    best = min(range(len(ledgers)), key=lambda i: ledgers[i].energy_J)
    return int(sizes[best]), ledgers[best]


def crossover_core_size(workload, config, energy_per_mac_J, sizes):
    """The smallest core size in ``sizes`` at which the optical energy per MAC is at
    most ``energy_per_mac_J`` (an electronic baseline's), or ``None`` if none is."""
    checks.check_positive("energy_per_mac_J", energy_per_mac_J)
    sizes = sorted(int(s) for s in sizes)
    for n, ledger in zip(sizes, core_size_sweep(workload, config, sizes), strict=True):
        if ledger.energy_per_mac_J <= energy_per_mac_J:
            return n
    return None
