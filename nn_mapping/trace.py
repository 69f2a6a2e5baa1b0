"""Tracing a JAX function into a flat graph of primitives, and finding its matmuls.

:func:`trace` runs ``jax.make_jaxpr`` on the function and example inputs, then inlines
nested calls (``jit``, ``custom_jvp_call``, ``custom_vjp_call``, ``closed_call``,
``remat``) so that every ``dot_general`` of the function appears as one step of a flat
:class:`Graph`. Values are numbered; constants of the trace (weights closed over by the
function, literals) are stored by number.

Each ``dot_general`` becomes a :class:`LinearStep` classified by which operands depend
on the inputs:

* ``static``: one operand is a constant of the trace (a weight) — it can be programmed
  into a mesh;
* ``dynamic``: both operands depend on the inputs (attention scores, for example);
* ``constant``: neither does. Such a product (like any step that reads only
  constants: a weight transposed or cast in the function) is folded at trace time
  into a new constant, so it costs nothing per call and the kind does not survive
  :func:`trace`.

Inlining ``custom_jvp_call`` keeps the primal computation and drops the custom
derivative rule (for ``jax.nn.relu`` the gradient at exactly 0 may differ). Matmuls
inside control flow (``scan``, ``while``, ``cond``) and convolutions
(``conv_general_dilated``; write them as an explicit patch matmul to map them) are
not mapped: they stay electronic and are listed in :attr:`Graph.unsupported`. To
treat function arguments as weights, close over them (``functools.partial``) before
tracing.
"""

import dataclasses
import math

import jax
import numpy as np
from jax.extend import core as jex_core

INLINED = ("jit", "pjit", "closed_call", "core_call", "custom_jvp_call")
INLINED += ("custom_vjp_call", "custom_vjp_call_jaxpr", "remat", "checkpoint")
_JAXPR_PARAMS = ("jaxpr", "call_jaxpr", "fun_jaxpr")
#: Linear primitives the mapper leaves electronic (listed in ``Graph.unsupported``).
UNMAPPED_LINEAR = ("conv_general_dilated", "fft")
_HIGHER_ORDER_HINT = ("scan", "while", "cond", "for", "map")


@dataclasses.dataclass(eq=False)
class Step:
    """One primitive application: ``outputs = primitive.bind(*inputs, **params)``.

    Attributes:
        primitive: the JAX primitive.
        params: its parameters.
        inputs: value numbers of the operands.
        outputs: value numbers of the results.
        out_avals: abstract values (shape, dtype) of the results.
    """

    primitive: object
    params: dict
    inputs: tuple[int, ...]
    outputs: tuple[int, ...]
    out_avals: tuple

    @property
    def name(self):
        """The primitive's name."""
        return self.primitive.name


@dataclasses.dataclass(eq=False)
class LinearStep:
    """A ``dot_general`` of the graph, canonicalised as ``(B, M, K) @ (B, K, n)``.

    Attributes:
        index: position of the step in :attr:`Graph.steps`.
        name: readable label, ``"dot_general_<i>"``.
        kind: ``"static"``, ``"dynamic"`` or ``"constant"``.
        weight_side: ``"lhs"`` or ``"rhs"`` for static ops (the constant operand),
            ``"lhs"`` by convention otherwise.
        lhs_shape, rhs_shape, out_shape: shapes of the operands and the result.
        dimension_numbers: the primitive's ``((lc, rc), (lb, rb))``.
        batch, m, k, n: canonical sizes: ``batch`` products of an ``m x k`` matrix
            (the weight side) with ``k x n`` inputs.
    """

    index: int
    name: str
    kind: str
    weight_side: str
    lhs_shape: tuple[int, ...]
    rhs_shape: tuple[int, ...]
    out_shape: tuple[int, ...]
    dimension_numbers: tuple
    batch: int
    m: int
    k: int
    n: int


@dataclasses.dataclass(eq=False)
class Graph:
    """A flat, traced function.

    Attributes:
        steps: the primitive applications in execution order.
        inputs: value numbers of the flattened arguments.
        outputs: value numbers of the flattened results.
        consts: value number -> constant (numpy or JAX array).
        in_tree, out_tree: pytree structures of the arguments and results.
        in_avals: abstract values of the flattened arguments.
        linear: the ``dot_general`` steps, in order.
        unsupported: names of primitives left electronic that may hide matmuls
            (control flow holding a ``dot_general``).
        dynamic_values: value numbers that depend on the inputs.
    """

    steps: list = dataclasses.field(default_factory=list)
    inputs: tuple = ()
    outputs: tuple = ()
    consts: dict = dataclasses.field(default_factory=dict)
    in_tree: object = None
    out_tree: object = None
    in_avals: tuple = ()
    linear: list = dataclasses.field(default_factory=list)
    unsupported: list = dataclasses.field(default_factory=list)
    dynamic_values: frozenset = frozenset()
    _counter: int = 0

    def new_value(self):
        """A fresh value number."""
        self._counter += 1
        return self._counter

    def add_const(self, value):
        """Store a constant and return its value number."""
        number = self.new_value()
        self.consts[number] = value
        return number

    @property
    def primitive_names(self):
        """Names of all primitives of the graph, in order."""
        return [step.name for step in self.steps]


def _inner_jaxpr(eqn):
    for key in _JAXPR_PARAMS:
        inner = eqn.params.get(key)
        if isinstance(inner, jex_core.ClosedJaxpr):
            return inner.jaxpr, inner.consts
        if isinstance(inner, jex_core.Jaxpr):
            return inner, ()
    return None


def _read(env, graph, var):
    if isinstance(var, jex_core.Literal):
        return graph.add_const(var.val)
    return env[var]


def _inline(graph, jaxpr, consts, input_numbers):
    env = {}
    for var, value in zip(jaxpr.constvars, consts, strict=True):
        env[var] = graph.add_const(value)
    env.update(zip(jaxpr.invars, input_numbers, strict=True))
    for eqn in jaxpr.eqns:
        inputs = tuple(_read(env, graph, v) for v in eqn.invars)
        inner = _inner_jaxpr(eqn) if eqn.primitive.name in INLINED else None
        if inner is not None:
            outputs = _inline(
                graph, inner[0], inner[1], inputs[-len(inner[0].invars) :]
            )
        elif _foldable(eqn, inputs, graph):
            outputs = _fold(eqn, inputs, graph)
        else:
            outputs = tuple(graph.new_value() for _ in eqn.outvars)
            avals = tuple(v.aval for v in eqn.outvars)
            graph.steps.append(Step(eqn.primitive, eqn.params, inputs, outputs, avals))
        for var, number in zip(eqn.outvars, outputs, strict=True):
            env[var] = number
    return tuple(_read(env, graph, v) for v in jaxpr.outvars)


def _foldable(eqn, inputs, graph):
    """Whether ``eqn`` only reads constants (a weight transposed or cast in the
    function, say): it is then evaluated once at trace time."""
    return (
        bool(inputs)
        and all(i in graph.consts for i in inputs)
        and not eqn.effects
        and _inner_jaxpr(eqn) is None
    )


def _fold(eqn, inputs, graph):
    """Evaluate ``eqn`` on its constant inputs; its outputs become constants."""
    values = eqn.primitive.bind(*(graph.consts[i] for i in inputs), **eqn.params)
    values = values if eqn.primitive.multiple_results else (values,)
    return tuple(graph.add_const(v) for v in values)


def _contains_dot(params):
    text = str(params)
    return "dot_general" in text


def _dynamic_values(graph):
    dynamic = set(graph.inputs)
    for step in graph.steps:
        if any(i in dynamic for i in step.inputs):
            dynamic.update(step.outputs)
    return frozenset(dynamic)


def _free_dims(ndim, contract, batch):
    used = set(contract) | set(batch)
    return [d for d in range(ndim) if d not in used]


def _canonical_sizes(weight_shape, other_shape, w_dims, o_dims):
    (w_contract, w_batch), (_o_contract, _) = w_dims, o_dims
    batch = math.prod(weight_shape[d] for d in w_batch)
    k = math.prod(weight_shape[d] for d in w_contract)
    m = math.prod(weight_shape[d] for d in _free_dims(len(weight_shape), *w_dims))
    n = math.prod(other_shape[d] for d in _free_dims(len(other_shape), *o_dims))
    return batch, m, k, n


def _classify(step, dynamic):
    lhs_dynamic = step.inputs[0] in dynamic
    rhs_dynamic = step.inputs[1] in dynamic
    if lhs_dynamic and rhs_dynamic:
        return "dynamic", "lhs"
    if not lhs_dynamic and not rhs_dynamic:
        return "constant", "lhs"
    return "static", "rhs" if lhs_dynamic else "lhs"


def _linear_step(index, step, shapes, dynamic, count):
    (lc, rc), (lb, rb) = step.params["dimension_numbers"]
    kind, side = _classify(step, dynamic)
    lhs_shape, rhs_shape = shapes
    dims = {"lhs": (lc, lb), "rhs": (rc, rb)}
    other = "rhs" if side == "lhs" else "lhs"
    w_shape, o_shape = (
        (lhs_shape, rhs_shape) if side == "lhs" else (rhs_shape, lhs_shape)
    )
    batch, m, k, n = _canonical_sizes(w_shape, o_shape, dims[side], dims[other])
    return LinearStep(
        index=index,
        name=f"dot_general_{count}",
        kind=kind,
        weight_side=side,
        lhs_shape=tuple(lhs_shape),
        rhs_shape=tuple(rhs_shape),
        out_shape=tuple(step.out_avals[0].shape),
        dimension_numbers=((tuple(lc), tuple(rc)), (tuple(lb), tuple(rb))),
        batch=batch,
        m=m,
        k=k,
        n=n,
    )


def _shape_of(graph, number, avals):
    if number in graph.consts:
        return np.shape(graph.consts[number])
    return avals[number].shape


def _collect(graph):
    avals = dict(zip(graph.inputs, graph.in_avals, strict=True))
    for index, step in enumerate(graph.steps):
        avals.update(zip(step.outputs, step.out_avals, strict=True))
        if step.name == "dot_general":
            shapes = [_shape_of(graph, i, avals) for i in step.inputs]
            count = len(graph.linear)
            graph.linear.append(
                _linear_step(index, step, shapes, graph.dynamic_values, count)
            )
        elif step.name in UNMAPPED_LINEAR:
            graph.unsupported.append(f"{step.name} (linear, not mapped; electronic)")
        elif step.name.startswith(_HIGHER_ORDER_HINT) and _contains_dot(step.params):
            graph.unsupported.append(f"{step.name} (holds a dot_general; electronic)")


def trace(fn, *example_args):
    """Trace ``fn(*example_args)`` into a flat :class:`Graph` with its matmuls found.

    Args:
        fn: a JAX-traceable function of array arguments (pytrees allowed).
        *example_args: example arguments; only their shapes and dtypes are used.

    Returns:
        A :class:`Graph`; ``graph.linear`` lists every ``dot_general``.
    """
    closed, out_shape = jax.make_jaxpr(fn, return_shape=True)(*example_args)
    leaves, in_tree = jax.tree.flatten(example_args)
    graph = Graph(in_tree=in_tree, out_tree=jax.tree.structure(out_shape))
    graph.inputs = tuple(graph.new_value() for _ in leaves)
    graph.in_avals = tuple(v.aval for v in closed.jaxpr.invars)
    graph.outputs = _inline(graph, closed.jaxpr, closed.consts, graph.inputs)
    graph.dynamic_values = _dynamic_values(graph)
    _collect(graph)
    return graph
