"""Electronic baselines: GPUs, digital MAC arrays per process node, electronic ops.

GPUs are priced from their datasheet: board power over dense peak throughput, with
``2`` operations per multiply-accumulate::

    E_MAC = P_board / (utilisation * throughput / 2)

At ``utilisation = 1`` this is a lower bound: real inference runs below peak while the
board still draws most of its power.

A digital MAC array (a systolic array in the style of a TPU) is priced from the energy
of its arithmetic and of its memory hierarchy at one process node: each MAC costs one
multiply and one add; operands come from a small local buffer, each fetched operand
being reused ``array_size`` times; activations cross the 1 MB-class global buffer once
per op; weights come from on-chip SRAM when they fit, otherwise from DRAM once per
inference.

References:
    M. Horowitz, "Computing's energy problem (and what we can do about it)",
        ISSCC 2014: the 45 nm table (arithmetic, SRAM and DRAM per 64-bit access).
    N. P. Jouppi et al., "Ten lessons from three generations shaped Google's TPUv4i",
        ISCA 2021, Table 1: the same operations at 7 nm (values used here approx.).
    NVIDIA A100, H100 and B200 datasheets: dense peak throughput and board power.
"""

import dataclasses

from photonics import checks


@dataclasses.dataclass(frozen=True)
class GPU:
    """A GPU priced from its datasheet.

    Attributes:
        name: e.g. ``"A100"``.
        board_power_W: maximum board power in W.
        peak_TOPS: dense tensor-core peak per precision in tera-operations per second
            (a MAC is two operations).
        vector_TFLOPS: fp32 peak of the non-tensor (CUDA) cores, used for the
            elementwise electronic operations, in TFLOP/s.
        source: where the values come from.
    """

    name: str
    board_power_W: float
    peak_TOPS: dict
    vector_TFLOPS: float
    source: str


#: Dense (non-sparse) datasheet peaks. A100 SXM: 312 bf16, 624 int8, 19.5 fp32, 400 W.
#: H100 SXM: 989 bf16, 1979 fp8/int8, 67 fp32, 700 W. B200: 2250 bf16, 4500 fp8/int8,
#: 1000 W; its fp32 vector peak of 80 TFLOP/s is approx.
GPUS = {
    "A100": GPU(
        "A100",
        400.0,
        {"bf16": 312.0, "fp16": 312.0, "int8": 624.0},
        19.5,
        "NVIDIA A100 datasheet (SXM)",
    ),
    "H100": GPU(
        "H100",
        700.0,
        {"bf16": 989.0, "fp16": 989.0, "fp8": 1979.0, "int8": 1979.0},
        67.0,
        "NVIDIA H100 datasheet (SXM)",
    ),
    "B200": GPU(
        "B200",
        1000.0,
        {"bf16": 2250.0, "fp16": 2250.0, "fp8": 4500.0, "int8": 4500.0},
        80.0,
        "NVIDIA B200 datasheet (vector fp32 approx.)",
    ),
}


def gpu(name):
    """The :class:`GPU` named ``name`` (``"A100"``, ``"H100"`` or ``"B200"``)."""
    checks.check_choice("gpu", name, tuple(GPUS))
    return GPUS[name]


def gpu_energy_per_mac_J(name, precision, utilisation=1.0):
    """Energy per MAC in J of GPU ``name`` at ``precision``: ``P / (u * T / 2)``.

    Raises:
        InputError: for an unknown GPU, a precision it lacks, or a utilisation
            outside (0, 1].
    """
    spec = gpu(name)
    checks.check_choice("precision", precision, tuple(spec.peak_TOPS))
    _check_utilisation(utilisation)
    macs_per_s = utilisation * spec.peak_TOPS[precision] * 1e12 / 2.0
    return spec.board_power_W / macs_per_s


def gpu_energy_per_flop_J(name, utilisation=1.0):
    """Energy per elementwise fp32 operation in J on the GPU's vector cores."""
    spec = gpu(name)
    _check_utilisation(utilisation)
    return spec.board_power_W / (utilisation * spec.vector_TFLOPS * 1e12)


def _check_utilisation(utilisation):
    checks.check_positive("utilisation", utilisation)
    checks.check_fraction("utilisation", utilisation)


@dataclasses.dataclass(frozen=True)
class ProcessNode:
    """Energies of arithmetic and memory at one CMOS process node.

    Attributes:
        name: ``"45nm"`` or ``"7nm"``.
        op_energy_pJ: ``{(precision, "add" | "mult"): pJ}``.
        sram_pJ_per_64bit: ``{"8KB" | "32KB" | "1MB": pJ}`` per 64-bit read.
        dram_pJ_per_64bit: DRAM energy per 64-bit access in pJ.
        source: where the values come from.
    """

    name: str
    op_energy_pJ: dict
    sram_pJ_per_64bit: dict
    dram_pJ_per_64bit: float
    source: str


def _ops(int8, fp16, bf16, fp32):
    table = {}
    for precision, (add, mult) in zip(
        ("int8", "fp16", "bf16", "fp32"), (int8, fp16, bf16, fp32), strict=True
    ):
        table[(precision, "add")] = add
        table[(precision, "mult")] = mult
    return table


#: 45 nm, 0.9 V (Horowitz, ISSCC 2014): int8 add/mult 0.03/0.2 pJ, fp16 0.4/1.1, fp32
#: 0.9/3.7; SRAM 64-bit read 10 (8 KB), 20 (32 KB), 100 pJ (1 MB); DRAM 1.3-2.6 nJ,
#: midpoint 1.95 nJ taken. bf16 did not exist in the table; fp16 values are used.
#: 7 nm (Jouppi et al., ISCA 2021, Table 1; approx.): int8 0.007/0.07 pJ, fp16
#: 0.16/0.34, bf16 0.11/0.21, fp32 0.38/1.31; SRAM 7.5/8.5/14 pJ (approx.); HBM2
#: 250-450 pJ per 64 bits, midpoint 350 pJ taken (approx.).
NODES = {
    "45nm": ProcessNode(
        "45nm",
        _ops((0.03, 0.2), (0.4, 1.1), (0.4, 1.1), (0.9, 3.7)),
        {"8KB": 10.0, "32KB": 20.0, "1MB": 100.0},
        1950.0,
        "Horowitz ISSCC 2014",
    ),
    "7nm": ProcessNode(
        "7nm",
        _ops((0.007, 0.07), (0.16, 0.34), (0.11, 0.21), (0.38, 1.31)),
        {"8KB": 7.5, "32KB": 8.5, "1MB": 14.0},
        350.0,
        "Jouppi ISCA 2021 Table 1 (approx.)",
    ),
}

PRECISION_BYTES = {"int8": 1, "fp8": 1, "fp16": 2, "bf16": 2, "fp32": 4}


def node(name):
    """The :class:`ProcessNode` ``name`` (``"45nm"`` or ``"7nm"``)."""
    checks.check_choice("node", name, tuple(NODES))
    return NODES[name]


def op_energy_pJ(node_name, precision, op):
    """Energy in pJ of one ``op`` (``"add"`` or ``"mult"``) at ``precision``."""
    spec = node(node_name)
    checks.check_choice("precision", precision, ("int8", "fp16", "bf16", "fp32"))
    checks.check_choice("op", op, ("add", "mult"))
    return spec.op_energy_pJ[(precision, op)]


def mac_energy_pJ(node_name, precision):
    """Energy in pJ of one multiply-accumulate: one multiply plus one add."""
    mult = op_energy_pJ(node_name, precision, "mult")
    return mult + op_energy_pJ(node_name, precision, "add")


def sram_energy_pJ_per_byte(node_name, size="1MB"):
    """SRAM read energy in pJ per byte for an array of ``size`` (8KB, 32KB, 1MB)."""
    spec = node(node_name)
    checks.check_choice("size", size, tuple(spec.sram_pJ_per_64bit))
    return spec.sram_pJ_per_64bit[size] / 8.0


def dram_energy_pJ_per_byte(node_name):
    """DRAM access energy in pJ per byte at ``node_name``."""
    return node(node_name).dram_pJ_per_64bit / 8.0


#: Arithmetic operations per element of the electronic steps (approx.): softmax =
#: max, subtract, exponential (~8 by polynomial), sum, scale; layer norm = mean,
#: variance (3), normalise and affine (4); activation ~ a GELU by polynomial.
FLOPS_PER_ELEMENT = {
    "softmax": 12,
    "layernorm": 8,
    "activation": 8,
    "add": 1,
    "other": 1,
}


def flops_per_element(kind):
    """Arithmetic operations per element of an electronic step of ``kind``."""
    checks.check_choice("kind", kind, tuple(FLOPS_PER_ELEMENT))
    return FLOPS_PER_ELEMENT[kind]


def electronic_op_energy_J(kind, elements, node_name="7nm", precision="fp16"):
    """Energy in J of an elementwise step on a digital host at ``node_name``.

    ``elements * (flops * mean(add, mult) + 2 * bytes * E_SRAM_1MB)``: the arithmetic,
    plus reading and writing each element once in the global buffer.

    Returns:
        ``(arithmetic_J, memory_J)``.
    """
    checks.check_int("elements", elements, minimum=0)
    flops = flops_per_element(kind)
    op_pJ = 0.5 * (
        op_energy_pJ(node_name, precision, "add")
        + op_energy_pJ(node_name, precision, "mult")
    )
    memory_pJ = 2 * PRECISION_BYTES[precision] * sram_energy_pJ_per_byte(node_name)
    return elements * flops * op_pJ * 1e-12, elements * memory_pJ * 1e-12


@dataclasses.dataclass(frozen=True)
class DigitalAccelerator:
    """A systolic MAC array at a process node, with its memory hierarchy.

    Attributes:
        node: ``"45nm"`` or ``"7nm"``.
        precision: ``"int8"``, ``"fp16"``, ``"bf16"`` or ``"fp32"``.
        array_size: side of the MAC array; each operand fetched from the local buffer
            is reused this many times (128 as in TPUv2-v4i).
        sram_capacity_MB: on-chip SRAM for weights; larger models stream weights from
            DRAM once per inference (approx., a mid-size accelerator).
    """

    node: str = "7nm"
    precision: str = "int8"
    array_size: int = 128
    sram_capacity_MB: float = 16.0

    @property
    def name(self):
        """A readable label, e.g. ``"MAC array 7nm int8"``."""
        return f"MAC array {self.node} {self.precision}"

    def validate(self):
        """Raise :class:`InputError` for an unknown node or precision; return self."""
        node(self.node)
        checks.check_choice(
            "precision", self.precision, ("int8", "fp16", "bf16", "fp32")
        )
        checks.check_int("array_size", self.array_size, minimum=1)
        checks.check_positive("sram_capacity_MB", self.sram_capacity_MB)
        return self


def digital_matmul_energy_J(accelerator, m, k, n, count=1, weights_on_chip=True):
    """Energy in J of ``count`` products ``(m x k) @ (k x n)`` on a MAC array.

    Components: ``mac`` (arithmetic), ``local_buffer`` (8 KB SRAM reads of both
    operands, divided by the array reuse), ``global_buffer`` (1 MB SRAM: the input
    and output activations once, and the weights when ``weights_on_chip``) and
    ``dram`` (the weights once when they are not on chip).

    Returns:
        A dict component -> J.
    """
    acc = accelerator.validate()
    macs = count * m * k * n
    nbytes = PRECISION_BYTES[acc.precision]
    local_B = 2 * macs * nbytes / acc.array_size
    activations_B = count * (k * n + m * n) * nbytes
    weights_B = count * m * k * nbytes
    global_B = activations_B + (weights_B if weights_on_chip else 0)
    dram_B = 0 if weights_on_chip else weights_B
    return {
        "mac": macs * mac_energy_pJ(acc.node, acc.precision) * 1e-12,
        "local_buffer": local_B * sram_energy_pJ_per_byte(acc.node, "8KB") * 1e-12,
        "global_buffer": global_B * sram_energy_pJ_per_byte(acc.node, "1MB") * 1e-12,
        "dram": dram_B * dram_energy_pJ_per_byte(acc.node) * 1e-12,
    }
