"""The compiled program: a JAX function that runs a traced model on optical hardware.

:func:`compile_function` traces a function (:mod:`nn_mapping.trace`), assigns its
matmuls to engines (:mod:`nn_mapping.plan`), calibrates each mapped op's DAC full
scale on example inputs (the largest input magnitude seen, times
``hardware.dac_headroom``), samples one chip from ``key`` and prepares every engine.
The resulting :class:`Program` is an equinox module: calling it evaluates the traced
graph step by step, with mapped ``dot_general`` steps replaced by their engine's
``apply`` and all other primitives bound as in the original. Calls are jit-compiled;
the program can be vmapped and differentiated (quantisers pass gradients straight
through).

Randomness: the chip (fabrication imperfections) is fixed at compile time by its key;
detection noise is drawn per call from the ``key`` passed to the program. Under
``jax.vmap`` with an unbatched key every example sees the same noise draws; map over
split keys for independent noise.

The program accepts arguments of the traced shapes and dtypes only.
"""

import logging

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from nn_mapping import plan as plan_lib
from nn_mapping import trace as trace_lib
from nn_mapping.hardware import Hardware
from nn_mapping.workload import ElectronicOp, LinearOp, Workload
from photonics.errors import input_error

logger = logging.getLogger(__name__)

_FREE = frozenset(
    "reshape transpose broadcast_in_dim squeeze expand_dims convert_element_type "
    "copy copy_p slice dynamic_slice concatenate pad select_n iota stop_gradient "
    "rev gather".split()
)
_ADD = frozenset("add sub add_any neg".split())
_ACTIVATION = frozenset(
    "max min tanh logistic exp exp2 log log1p erf integer_pow pow sqrt rsqrt abs "
    "sign".split()
)


class Program(eqx.Module):
    """A traced function compiled for simulated optical hardware.

    Call it like the original function, with ``key=`` for detection noise:
    ``program(*args, key=key)``. Build it with :func:`compile_function`.

    Attributes:
        consts: value number -> constant array of the traced graph.
        states: step index -> engine state of each mapped op.
        graph: the flat traced graph (static).
        plan: one :class:`nn_mapping.plan.OpPlan` per traced matmul (static).
        engines: ``((name, engine), ...)`` used by the plan (static).
        hardware: the :class:`nn_mapping.hardware.Hardware` (static).
        name: label for reports and the workload.
    """

    consts: dict
    states: dict
    graph: trace_lib.Graph = eqx.field(static=True)
    plan: tuple = eqx.field(static=True)
    engines: tuple = eqx.field(static=True)
    hardware: Hardware = eqx.field(static=True)
    name: str = eqx.field(static=True, default="program")

    def __call__(self, *args, key=None):
        """Run the program (jit-compiled); returns the original function's outputs."""
        leaves = self._check_args(args, key)
        outputs = _run_jit(self, leaves, key)
        return jax.tree.unflatten(self.graph.out_tree, outputs)

    def eager(self, *args, key=None):
        """Run the program step by step without ``jit`` (same results as a call)."""
        leaves = self._check_args(args, key)
        outputs, _ = execute(self, leaves, key)
        return jax.tree.unflatten(self.graph.out_tree, outputs)

    def trace_ops(self, *args, key=None):
        """Run eagerly and return ``(outputs, records)`` for accuracy reports.

        ``records`` maps each optical op's name to ``(measured, exact)``: its output
        on hardware and the exact product of the same operands.
        """
        leaves = self._check_args(args, key)
        outputs, records = execute(self, leaves, key, record=True)
        return jax.tree.unflatten(self.graph.out_tree, outputs), records

    @property
    def optical_ops(self):
        """Plans of the ops that run on optical engines."""
        return tuple(p for p in self.plan if p.optical)

    @property
    def unsupported(self):
        """Primitives left electronic that may hide matmuls (e.g. a ``scan`` holding
        a ``dot_general``, a convolution), as readable notes."""
        return tuple(self.graph.unsupported)

    @property
    def all_electronic(self):
        """Whether no op runs on an optical engine."""
        return not self.optical_ops

    def summary(self):
        """One dict per traced matmul: name, shape, kind, engine, tiles."""
        return [_op_summary(p) for p in self.plan]

    def workload(self, inferences=1):
        """The :class:`nn_mapping.workload.Workload` the energy ledger prices.

        Args:
            inferences: how many inferences one call of the program performs (the
                traced batch); ``n`` and element counts are divided by it.
        """
        return build_workload(self, inferences)

    def _check_args(self, args, key):
        leaves, tree = jax.tree.flatten(args)
        if tree != self.graph.in_tree:
            raise input_error(
                "args", f"arguments structured as {self.graph.in_tree}", tree
            )
        for i, (leaf, aval) in enumerate(zip(leaves, self.graph.in_avals, strict=True)):
            if tuple(jnp.shape(leaf)) != tuple(aval.shape):
                raise input_error(
                    f"argument leaf {i}", f"shape {aval.shape}", f"{jnp.shape(leaf)}"
                )
        if key is None and self.hardware.noisy and not self.all_electronic:
            raise input_error(
                "key",
                "a jax.random key for detection noise",
                None,
                "or use hardware with power_mW=None for noiseless detection",
            )
        return leaves


def _op_summary(op_plan):
    op = op_plan.op
    return {
        "name": op.name,
        "shape": [op.m, op.k] if op.batch == 1 else [op.batch, op.m, op.k],
        "vectors": op.n,
        "kind": op.kind,
        "engine": op_plan.engine,
        "tiles": op_plan.tiles,
    }


def _bind(step, inputs):
    out = step.primitive.bind(*inputs, **step.params)
    return out if step.primitive.multiple_results else [out]


def _run_linear(program, op_plan, inputs, key):
    op = op_plan.op
    engines = dict(program.engines)
    engine = engines[op_plan.engine]
    weight, x = plan_lib.to_canonical(op, *inputs)
    state = program.states.get(op.index)
    if op.kind == "static":
        weight = None
    op_key = None if key is None else jax.random.fold_in(key, op.index)
    y = engine.apply(state, weight, x, program.hardware, op_key)
    return plan_lib.from_canonical(op, y)


def execute(program, leaves, key, record=False):
    """Evaluate the graph of ``program`` on flat arguments ``leaves``.

    Returns:
        ``(outputs, records)``: the flat outputs and, with ``record``, a dict of
        ``name -> (measured, exact)`` for every optical op (else empty).
    """
    graph = program.graph
    env = dict(program.consts)
    env.update(zip(graph.inputs, leaves, strict=True))
    mapped = {p.op.index: p for p in program.plan if p.optical}
    records = {}
    for index, step in enumerate(graph.steps):
        inputs = [env[i] for i in step.inputs]
        if index in mapped:
            out = _run_linear(program, mapped[index], inputs, key)
            dtype = step.out_avals[0].dtype
            outputs = [out.astype(dtype) if not jnp.iscomplexobj(out) else out]
            if record:
                records[mapped[index].op.name] = (outputs[0], _bind(step, inputs)[0])
        else:
            outputs = _bind(step, inputs)
        env.update(zip(step.outputs, outputs, strict=True))
    return [env[o] for o in graph.outputs], records


_run_jit = eqx.filter_jit(lambda program, leaves, key: execute(program, leaves, key)[0])


def _calibration_inputs(program, leaves):
    mapped = {p.op.index: p for p in program.plan if p.optical}
    env = dict(program.consts)
    env.update(zip(program.graph.inputs, leaves, strict=True))
    found = {}
    for index, step in enumerate(program.graph.steps):
        inputs = [env[i] for i in step.inputs]
        if index in mapped:
            op = mapped[index].op
            x_value = inputs[1] if op.weight_side == "lhs" else inputs[0]
            found[index] = plan_lib.canonical_input(op, x_value)
        env.update(zip(step.outputs, _bind(step, inputs), strict=True))
    return found


def calibration_inputs(program, calibration):
    """The canonical inputs ``(B, K, n)`` that every optical op sees in calibration.

    Args:
        program: a :class:`Program` (states may be empty).
        calibration: ``(args, batched)``: argument tuple and whether its leaves carry
            an extra leading batch axis to map over (the batch is folded into ``n``).

    Returns:
        dict step index -> array ``(B, K, n)``.
    """
    args, batched = calibration
    leaves = jax.tree.leaves(args)
    if not batched:
        return _calibration_inputs(program, leaves)
    found = jax.vmap(lambda *ls: _calibration_inputs(program, ls))(*leaves)
    return {
        k: jnp.moveaxis(v, 0, -1).reshape((*v.shape[1:-1], -1))
        for k, v in found.items()
    }


def _prepare_consts(graph):
    return {k: jnp.asarray(np.asarray(v)) for k, v in graph.consts.items()}


def _compile_states(program, inputs, key):
    engines = dict(program.engines)
    states = {}
    keys = {}
    if key is not None:
        for p in program.optical_ops:
            keys[p.op.index] = jax.random.fold_in(key, p.op.index)
    for p in program.optical_ops:
        op = p.op
        weight = None
        if op.kind == "static":
            w_number = op_weight_number(program.graph, op)
            weight = plan_lib.canonical_weight(op, program.consts[w_number])
        states[op.index] = engines[p.engine].compile(
            op, weight, program.hardware, keys.get(op.index), inputs[op.index]
        )
    return states


def op_weight_number(graph, op):
    """Value number of the constant operand of a static op."""
    step = graph.steps[op.index]
    return step.inputs[0] if op.weight_side == "lhs" else step.inputs[1]


def _check_key(hw, key):
    if key is None and hw.has_imperfections:
        raise input_error(
            "key",
            "a jax.random key to sample the chip's imperfections",
            None,
            "or compile for Hardware.ideal()",
        )


def compile_function(
    fn,
    *example_args,
    hardware=None,
    key=None,
    policy=None,
    engines=None,
    calibration=None,
    input_scale=None,
    name="program",
):
    """Compile ``fn``'s matmuls onto simulated optical hardware.

    Args:
        fn: a JAX function of array arguments; weights it closes over are constants
            of the trace and go to programmed meshes.
        *example_args: example arguments fixing the shapes and dtypes the program
            accepts; also the default calibration inputs.
        hardware: a :class:`nn_mapping.hardware.Hardware` (default ``Hardware()``).
        key: ``jax.random`` key of the chip (required when the hardware has
            imperfections).
        policy: ``policy(op, hw) -> engine name``; see :mod:`nn_mapping.plan`.
        engines: engine table (name -> engine); see :mod:`nn_mapping.plan`.
        calibration: a tuple of arguments like ``example_args`` but with a leading
            batch axis on every leaf, used to set the DAC full scales; defaults to
            the example arguments.
        input_scale: instead of calibration, a DAC full scale (largest input
            magnitude) for every optical op; ADC ranges are then the worst case.
        name: label for reports and the workload.

    Returns:
        A :class:`Program`.

    Raises:
        InputError: for missing keys, unknown engines, or weights that do not fit the
            hardware's cores.
    """
    hardware = Hardware() if hardware is None else hardware
    graph = trace_lib.trace(fn, *example_args)
    engines = engines or plan_lib.default_engines()
    op_plans = plan_lib.make_plan(graph, hardware, policy, engines)
    program = Program(
        _prepare_consts(graph),
        {},
        graph,
        op_plans,
        tuple(engines.items()),
        hardware,
        name,
    )
    for note in graph.unsupported:
        logger.warning("%s: %s", name, note)
    if program.all_electronic:
        logger.warning("%s: no matmul to map, the program is all electronic", name)
        return program
    _check_key(hardware, key)
    if input_scale is not None:
        inputs = {p.op.index: float(input_scale) for p in program.optical_ops}
    else:
        calib = (example_args, False) if calibration is None else (calibration, True)
        inputs = calibration_inputs(program, calib)
    states = _compile_states(program, inputs, key)
    return eqx.tree_at(lambda p: p.states, program, states)


def reprogram(program, fn, *, key=None, calibration=None, input_scale=None):
    """``program`` with the constants (weights) of ``fn``, on the same chip model.

    ``fn`` must trace to the same graph as the function ``program`` was compiled
    from, with other constant values (a network after a training step). The static
    structure (graph, plan, engines, hardware) is kept as it is, so jitted functions
    of the program are not traced again; the meshes are programmed anew for the new
    weights on the chip drawn from ``key`` (pass the key of the first compile for the
    same chip), with the calibration of :func:`compile_function`.

    Raises:
        InputError: if ``fn`` traces to a different graph (constants of other
            numbers or shapes).
    """
    _check_key(program.hardware, key)
    graph = program.graph
    leaves = [jnp.zeros(a.shape, a.dtype) for a in graph.in_avals]
    args = jax.tree.unflatten(graph.in_tree, leaves)
    consts = _prepare_consts(trace_lib.trace(fn, *args))
    _check_same_consts(program.consts, consts)
    program = eqx.tree_at(lambda p: (p.consts, p.states), program, (consts, {}))
    if program.all_electronic:
        return program
    if input_scale is not None:
        inputs = {p.op.index: float(input_scale) for p in program.optical_ops}
    else:
        calib = (args, False) if calibration is None else (calibration, True)
        inputs = calibration_inputs(program, calib)
    return eqx.tree_at(
        lambda p: p.states, program, _compile_states(program, inputs, key)
    )


def _check_same_consts(old, new):
    def shapes(consts):
        return {k: (tuple(jnp.shape(v)), jnp.result_type(v)) for k, v in consts.items()}

    if shapes(old) != shapes(new):
        raise input_error(
            "fn",
            "a function with the constants of the compiled one (numbers, shapes)",
            f"{len(new)} constants of other shapes or numbers",
        )


def compile_matrix(matrix, hardware=None, key=None, input_scale=1.0):
    """Compile ``x -> matrix @ x`` for one input vector ``x`` of length ``K``.

    Args:
        matrix: ``(M, K)`` real or complex weight.
        hardware: the :class:`nn_mapping.hardware.Hardware`.
        key: chip key (required with imperfections).
        input_scale: DAC full scale: the largest input magnitude expected.

    Returns:
        A :class:`Program` taking ``x`` of shape ``(K,)`` and the input's dtype
        (vmap it for batches).

    Raises:
        InputError: for a non-2-D, empty or non-finite matrix, or bad hardware.
    """
    from photonics.checks import as_numeric_array, check_finite

    matrix = check_finite("matrix", as_numeric_array("matrix", matrix))
    if matrix.ndim != 2 or min(matrix.shape) < 1:
        raise input_error("matrix", "a 2-D (M, K) matrix with M, K >= 1", matrix.shape)
    weight = np.asarray(matrix)
    real_dtype = np.float64 if weight.dtype.itemsize >= 8 else np.float32
    example = jax.ShapeDtypeStruct((weight.shape[1],), real_dtype)
    return compile_function(
        lambda x: weight @ x,
        example,
        hardware=hardware,
        key=key,
        input_scale=input_scale,
        name="matrix",
    )


def _electronic_kind(name):
    if name in _ADD:
        return "add"
    if name in _ACTIVATION:
        return "activation"
    return "other"


def build_workload(program, inferences=1):
    """A :class:`nn_mapping.workload.Workload` of ``program`` per inference.

    Optical ops become :class:`LinearOp` with their engine; electronic matmuls become
    ``LinearOp(engine="electronic")``; other computing primitives become
    :class:`ElectronicOp` (data movement such as reshapes is left out).
    """
    linear = []
    for p in program.plan:
        op = p.op
        n = max(op.n // inferences, 1)
        kind = "dynamic" if op.kind == "dynamic" else "static"
        linear.append(LinearOp(op.name, op.m, op.k, n, kind, p.engine, op.batch))
    electronic = []
    linear_steps = {p.op.index for p in program.plan}
    for index, step in enumerate(program.graph.steps):
        if index in linear_steps or step.name in _FREE:
            continue
        elements = sum(int(np.prod(a.shape)) for a in step.out_avals) // inferences
        electronic.append(
            ElectronicOp(f"{step.name}_{index}", _electronic_kind(step.name), elements)
        )
    return Workload(program.name, tuple(linear), tuple(electronic))
