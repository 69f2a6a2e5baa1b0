"""Mapping a transformer block onto optical hardware, and what it costs in accuracy.

A block (:mod:`nn_mapping.transformer`, plain JAX or equinox) goes through the mapper's
own path: :func:`nn_mapping.trace.trace` finds its matmuls, :class:`AttentionPolicy`
assigns each one an engine and :func:`nn_mapping.program.compile_function` builds the
program. The Q, K, V and output projections and the MLP are static (weights of the
trace) and go to weight-stationary meshes; ``Q K^T`` and ``softmax(.) V`` are
dynamic and go to an engine of :mod:`nn_mapping.engines_dynamic`; softmax, layer
norm, residuals and activations stay electronic.

:func:`compile_block` validates the inputs (sequence length, head size against the
engines, mask shape) before anything is compiled, compiles, then calibrates the
converter ranges of every dynamic op on both of its operands
(:func:`calibrate_dynamic`; the mapper's calibration only sees the second operand).
:func:`tiny_transformer_accuracy` measures test accuracy of the trained tiny
transformer, digital against optical, for one engine, converter resolution and
optical power; :func:`sweep` repeats it over a grid.

Policy. :class:`AttentionPolicy` sends static ops to ``"mesh"`` and dynamic ones to
one named engine, or with ``dynamic="auto"`` to the engine the energy ledger
(:mod:`nn_mapping.ledger`) prices cheapest for that op's shape; ``overrides`` pins
single ops by name (``"dot_general_3"``).
"""

import dataclasses
import logging

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from nn_mapping import accuracy, engines_dynamic, ledger, transformer
from nn_mapping import plan as plan_lib
from nn_mapping.hardware import Hardware
from nn_mapping.program import compile_function
from nn_mapping.trace import trace as trace_graph
from nn_mapping.workload import LinearOp, Workload
from photonics.errors import input_error
from photonics.hardware_energy import OpticalEnergyConfig

logger = logging.getLogger(__name__)

#: Engine choices of the command line: the dynamic engines, ledger choice, digital.
ENGINE_CHOICES = (*engines_dynamic.DYNAMIC_ENGINES, "auto", "electronic")


def cheapest_dynamic_engine(op, hw, candidates=engines_dynamic.DYNAMIC_ENGINES):
    """The candidate engine the energy ledger prices cheapest for a dynamic op.

    Args:
        op: a traced :class:`nn_mapping.trace.LinearStep` (its ``m, k, n, batch``).
        hw: the hardware (its ``core_size`` and converter bits set the prices).
        candidates: engine names to compare.

    Returns:
        The name with the least energy per call under
        :class:`photonics.hardware_energy.OpticalEnergyConfig` defaults.
    """
    bits = hw.adc_bits or OpticalEnergyConfig.adc_bits
    config = OpticalEnergyConfig(
        core_size=max(hw.core_size, 2), dac_bits=bits, adc_bits=bits
    )

    def energy_J(name):
        linear = LinearOp(op.name, op.m, op.k, op.n, "dynamic", name, op.batch)
        return ledger.price_optical(Workload(op.name, (linear,)), config).energy_J

    return min(candidates, key=energy_J)


@dataclasses.dataclass(frozen=True)
class AttentionPolicy:
    """Engine per traced matmul: static to ``static``, dynamic to ``dynamic``.

    Attributes:
        dynamic: engine name of the dynamic products, or ``"auto"`` for the
            cheapest of :data:`nn_mapping.engines_dynamic.DYNAMIC_ENGINES` by the
            energy ledger, per op.
        static: engine of the static products (``"mesh"`` or ``"electronic"``).
        overrides: ``((op name, engine name), ...)`` (a dict is accepted) pinning
            single ops, e.g. ``{"dot_general_4": "homodyne"}``.
    """

    dynamic: str = "crossbar"
    static: str = "mesh"
    overrides: tuple = ()

    def __post_init__(self):
        if isinstance(self.overrides, dict):
            object.__setattr__(self, "overrides", tuple(self.overrides.items()))

    def __call__(self, op, hw):
        """The engine name of ``op`` on ``hw``."""
        pinned = dict(self.overrides)
        if op.name in pinned:
            return pinned[op.name]
        if op.kind == "static":
            return self.static
        if op.kind == "constant":
            return "electronic"
        if self.dynamic == "auto":
            return cheapest_dynamic_engine(op, hw)
        return self.dynamic


def check_mask(mask, seq_len):
    """Return ``mask`` as a boolean ``(seq_len, seq_len)`` array, or ``None``.

    Raises:
        InputError: for another shape or a non-boolean mask.
    """
    if mask is None:
        return None
    array = np.asarray(mask)
    if array.shape != (seq_len, seq_len):
        raise input_error(
            "mask", f"shape (seq_len, seq_len) = {(seq_len, seq_len)}", array.shape
        )
    if array.dtype != bool:
        raise input_error("mask", "a boolean array (True: may attend)", array.dtype)
    return array


def check_sequence(x, seq_len, width):
    """Raise unless ``x`` has shape ``(seq_len, width)``."""
    shape = tuple(np.shape(x))
    if shape != (seq_len, width):
        raise input_error(
            "x", f"one sequence of shape (seq_len, width) = {(seq_len, width)}", shape
        )


def _role(op, dynamic_seen):
    if op.kind != "dynamic":
        return op.kind
    return "attention scores" if dynamic_seen % 2 == 0 else "attention values"


def op_roles(graph):
    """Name -> role of every traced matmul: static, attention scores or values.

    Dynamic ops alternate ``Q K^T`` (scores) and ``softmax V`` (values) in trace
    order, as in a block.
    """
    roles, seen = {}, 0
    for op in graph.linear:
        roles[op.name] = _role(op, seen)
        seen += op.kind == "dynamic"
    return roles


def check_fits_engines(graph, hw, policy, engines, config):
    """Raise if a dynamic product of ``graph`` does not fit its engine's tiles.

    Raises:
        InputError: naming the sequence length and head size of ``config``.
    """
    for op_plan in plan_lib.make_plan(graph, hw, policy, engines):
        op, engine = op_plan.op, engines[op_plan.engine]
        limit = getattr(engine, "max_tiles", None)
        if op.kind != "dynamic" or limit is None or op_plan.tiles <= limit:
            continue
        raise input_error(
            "seq_len / d_head",
            f"products needing at most {limit} tiles of {hw.core_size} x "
            f"{hw.core_size} on {engine.name}",
            f"seq_len = {config.seq_len}, d_head = {config.d_head}: {op.name} "
            f"({op.batch} x {op.m} x {op.k}) needs {op_plan.tiles} tiles",
            "shorten the sequence, use fewer or smaller heads, or raise max_tiles",
        )


def _bind(step, inputs):
    out = step.primitive.bind(*inputs, **step.params)
    return out if step.primitive.multiple_results else [out]


def _dynamic_operands(program, leaves):
    """Canonical ``(weight, x)`` of every optical dynamic op, one example."""
    wanted = {p.op.index: p.op for p in program.optical_ops if p.op.kind == "dynamic"}
    env = dict(program.consts)
    env.update(zip(program.graph.inputs, leaves, strict=True))
    found = {}
    for index, step in enumerate(program.graph.steps):
        inputs = [env[i] for i in step.inputs]
        if index in wanted:
            found[index] = plan_lib.to_canonical(wanted[index], *inputs)
        env.update(zip(step.outputs, _bind(step, inputs), strict=True))
    return found


def calibrate_dynamic(program, calibration):
    """Set both DAC ranges and the ADC range of every dynamic op from examples.

    Args:
        program: a compiled :class:`nn_mapping.program.Program`.
        calibration: argument tuple with a leading example axis on every leaf.

    Returns:
        The program with new states for its optical dynamic ops (others unchanged).
    """
    leaves = jax.tree.leaves(calibration)
    found = jax.vmap(lambda *ls: _dynamic_operands(program, ls))(*leaves)
    engines = dict(program.engines)
    states = dict(program.states)
    for p in program.optical_ops:
        if p.op.index not in found:
            continue
        weight, x = found[p.op.index]
        old = states[p.op.index]
        cal = engines_dynamic.OperandCalibration(weight, x)
        chip_key = getattr(old, "chip_key", None)
        states[p.op.index] = engines[p.engine].compile(
            p.op, None, program.hardware, chip_key, cal
        )
    return eqx.tree_at(lambda prog: prog.states, program, states)


def compile_block(
    fn,
    example,
    config,
    *,
    hardware=None,
    key=None,
    policy=None,
    engines=None,
    calibration=None,
    width=None,
    mask=None,
    name="block",
):
    """Validate, compile and calibrate a transformer function for optical hardware.

    Args:
        fn: the block (or model) as ``fn(x)`` of one sequence; weights closed over.
        example: one example sequence ``(seq_len, width)``.
        config: the :class:`nn_mapping.transformer.BlockConfig` of the attention.
        hardware: the :class:`nn_mapping.hardware.Hardware` (default ``Hardware()``).
        key: chip key (required with imperfections).
        policy: engine policy (default :class:`AttentionPolicy`).
        engines: engine table (default :func:`engines_dynamic.dynamic_engines`).
        calibration: ``(S, seq_len, width)`` examples for the converter ranges
            (default: the example).
        width: features per position of ``x`` (default ``config.d_model``).
        mask: the mask ``fn`` closes over, checked against ``config`` (optional).
        name: label of the program.

    Returns:
        A calibrated :class:`nn_mapping.program.Program` taking ``x`` and ``key=``.

    Raises:
        InputError: for a mask or an example of the wrong shape, or dynamic products
            that do not fit their engine (all before compiling).
    """
    hardware = Hardware() if hardware is None else hardware
    policy = policy or AttentionPolicy()
    engines = engines or engines_dynamic.dynamic_engines()
    check_mask(mask, config.seq_len)
    check_sequence(example, config.seq_len, width or config.d_model)
    check_fits_engines(trace_graph(fn, example), hardware, policy, engines, config)
    example = jnp.asarray(example)
    calibration = example[None] if calibration is None else calibration
    calibration = jnp.asarray(calibration, example.dtype)
    program = compile_function(
        fn,
        example,
        hardware=hardware,
        key=key,
        policy=policy,
        engines=engines,
        calibration=(calibration,),
        name=name,
    )
    return calibrate_dynamic(program, (calibration,))


def experiment_hardware(bits=8, power_mW=1.0, phase_error_std_rad=0.0, core_size=16):
    """Hardware of the experiments: DACs and ADCs at ``bits``, ``power_mW`` per input.

    ``bits=None`` gives ideal converters and ``power_mW=None`` noiseless detection.
    """
    return accuracy.digits_hardware(bits, power_mW, phase_error_std_rad, core_size)


def compile_tiny_transformer(
    engine="crossbar",
    hardware=None,
    key=None,
    seed=0,
    calibration_size=256,
    policy=None,
):
    """Train (cached) and compile the tiny digits transformer.

    Args:
        engine: engine of the dynamic products (see :data:`ENGINE_CHOICES`).
        hardware: the hardware (default :func:`experiment_hardware`).
        key: chip key (default from ``seed``).
        seed: seed of training and of the default chip key.
        calibration_size: training sequences used to set converter ranges.
        policy: a full policy instead of ``engine``.

    Returns:
        ``(program, fn, params)``.
    """
    tiny = transformer.TinyConfig()
    params = transformer.train_tiny_transformer(tiny, seed=seed)
    fn = transformer.tiny_function(params, tiny)
    x_train = transformer.digits_sequences(seed)[0]
    program = compile_block(
        fn,
        jnp.asarray(x_train[0]),
        tiny.block,
        hardware=hardware or experiment_hardware(),
        key=jax.random.key(seed) if key is None else key,
        policy=policy or AttentionPolicy(dynamic=engine),
        calibration=x_train[:calibration_size],
        width=tiny.features,
        name="tiny-transformer",
    )
    return program, fn, params


def tiny_transformer_accuracy(
    engine="crossbar",
    bits=8,
    power_mW=1.0,
    phase_error_std_rad=0.0,
    core_size=16,
    seed=0,
    n_test=None,
    hardware=None,
    errors=False,
):
    """Test accuracy of the tiny transformer, digital against optical.

    Args:
        engine: engine of ``Q K^T`` and ``softmax V`` (:data:`ENGINE_CHOICES`).
        bits: DAC and ADC resolution of every engine (``None``: ideal).
        power_mW: optical power per input at full scale (``None``: noiseless).
        phase_error_std_rad: static phase error per shifter, rad.
        core_size: core size ``N``.
        seed: seed of training, chip and noise.
        n_test: use only the first ``n_test`` test sequences (all if ``None``).
        hardware: a full :class:`Hardware` instead of the four settings.
        errors: also return ``errors``, the
            :func:`nn_mapping.accuracy.batch_accuracy_report` of the test sequences
            (relative error of every optical op and of the logits).

    Returns:
        dict: ``digital``, ``optical``, ``drop`` (fractions), ``engine``, the
        settings, ``ops`` (the program summary with each op's ``role``) and, with
        ``errors``, ``errors``.
    """
    hw = hardware or experiment_hardware(bits, power_mW, phase_error_std_rad, core_size)
    chip_key, noise_key = jax.random.split(jax.random.key(seed))
    program, fn, _ = compile_tiny_transformer(engine, hw, chip_key, seed)
    _, _, x_test, y_test = transformer.digits_sequences(seed)
    x_test, y_test = jnp.asarray(x_test[:n_test]), y_test[:n_test]
    result = accuracy.classification_accuracy(
        program, fn, x_test, y_test, noise_key, errors=errors
    )
    result.update(
        engine=engine,
        bits=hw.adc_bits,
        power_mW=hw.power_mW,
        phase_error_std_rad=hw.phase_error_std_rad,
        core_size=hw.core_size,
        ops=summary(program),
    )
    return result


def summary(program):
    """The program summary with each op's ``role`` added.

    Ops on the ``"reprogrammed_mesh"`` engine also carry ``programming``: the
    shifters set, settling time and programming energy of one call
    (:func:`nn_mapping.engines_dynamic.programming_events`).
    """
    roles = op_roles(program.graph)
    rows = []
    for op_plan, row in zip(program.plan, program.summary(), strict=True):
        row = {**row, "role": roles[row["name"]]}
        if op_plan.engine == "reprogrammed_mesh":
            row["programming"] = engines_dynamic.programming_events(
                op_plan.op, program.hardware
            )
        rows.append(row)
    return rows


def sweep(
    parameter, values, engines=("crossbar", "homodyne", "reprogrammed_mesh"), **fixed
):
    """:func:`tiny_transformer_accuracy` over ``values`` of one setting, per engine.

    Args:
        parameter: ``"bits"``, ``"power_mW"`` or ``"phase_error_std_rad"``.
        values: values to try.
        engines: engine names of the dynamic products.
        **fixed: other settings of :func:`tiny_transformer_accuracy`.

    Returns:
        A list of result dicts (without ``ops``).
    """
    rows = []
    for engine in engines:
        for value in values:
            result = tiny_transformer_accuracy(engine, **{**fixed, parameter: value})
            result.pop("ops")
            rows.append(result)
    return rows


def energy_by_role(program, config=None, inferences=1):
    """Energy per inference of each op role, priced by the ledger.

    Args:
        program: a compiled program.
        config: an :class:`OpticalEnergyConfig` (default: the program's core size).
        inferences: inferences per program call.

    Returns:
        dict role -> joules (``"electronic steps"`` for the non-matmul steps).
    """
    config = config or OpticalEnergyConfig(core_size=max(program.hardware.core_size, 2))
    roles = op_roles(program.graph)
    priced = ledger.price_optical(program.workload(inferences), config)
    totals = {}
    for row in priced.ops:
        role = roles.get(row["name"], "electronic steps")
        totals[role] = totals.get(role, 0.0) + row["energy_J"]
    return totals
