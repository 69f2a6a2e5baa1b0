"""Engines, and the policy that assigns each traced matmul to one of them.

An engine is an object with

* ``name``: its key in the engine table (one of :data:`nn_mapping.workload.ENGINES`
  for the energy ledger to price it),
* ``kinds``: the op kinds it accepts (``"static"``, ``"dynamic"``, ``"constant"``),
* ``compile(op, weight, hw, key, calibration) -> state``: prepare an op (``weight``
  is the canonical ``(B, M, K)`` constant operand of a static op, ``None`` otherwise;
  ``key`` samples the chip; ``calibration`` holds the canonical ``(B, K, n)`` inputs
  the op saw on the calibration data, from which converter ranges are set); the
  state is a pytree (arrays are traced by ``jit``),
* ``apply(state, weight, x, hw, key) -> y``: run one op on canonical operands,
  ``weight`` ``(B, M, K)`` (``None`` for a static op, whose weight lives in the
  state), ``x`` ``(B, K, n)``, returning ``(B, M, n)``.

A policy is a function ``policy(op, hw) -> engine name``. :func:`default_policy` sends
static ops to the weight-stationary ``"mesh"`` engine and everything else to
``"electronic"``; dynamic engines (a reprogrammed mesh, a crossbar, homodyne products)
plug in by adding to the table and passing a policy that names them.
"""

import dataclasses
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np

from nn_mapping import svd, tiling
from photonics.errors import input_error


class MeshState(eqx.Module):
    """State of a static op on the mesh engine: the realised cores and DAC scale."""

    operator: svd.RealisedOperator
    input_scale: jax.Array


class MeshEngine:
    """Weight-stationary engine: SVD onto tiled mesh cores (:mod:`nn_mapping.svd`)."""

    name = "mesh"
    kinds = ("static",)

    def compile(self, op, weight, hw, key, calibration):
        """Decompose the weight's tiles, sample the chip, set the converter ranges.

        The DAC full scale is the largest calibration input magnitude times
        ``hw.dac_headroom`` (1 if all calibration inputs are zero); each output's ADC
        full scale is the largest output the chip produced on the calibration inputs
        times ``hw.adc_headroom`` (see :func:`nn_mapping.svd.calibrate_adc`).
        """
        operator = svd.compile_weights(weight, hw.core_size, hw.mesh)
        realised = svd.realise(operator, hw, key)
        input_scale = svd.input_full_scale(calibration, hw)
        realised = svd.calibrate_adc(realised, calibration, input_scale, hw)
        return MeshState(realised, jnp.asarray(input_scale))

    def apply(self, state, weight, x, hw, key):
        """Run ``x`` ``(B, K, n)`` through the cores: ``(B, M, n)``."""
        return svd.apply(state.operator, x, state.input_scale, hw, key)

    def tiles(self, op, hw):
        """Cores the op occupies."""
        return tiling.tile_count(op.m, op.k, hw.core_size, op.batch)


class ElectronicEngine:
    """Exact digital execution (the original primitive); the fallback for any op."""

    name = "electronic"
    kinds = ("static", "dynamic", "constant")

    def compile(self, op, weight, hw, key, calibration):
        """Nothing to prepare."""
        return None

    def apply(self, state, weight, x, hw, key):
        """``weight @ x`` per batch element."""
        return jnp.einsum("bmk,bkn->bmn", weight, x)

    def tiles(self, op, hw):
        """No optical cores."""
        return 0


def default_engines():
    """A fresh engine table: ``{"mesh": MeshEngine(), "electronic": ...}``."""
    return {"mesh": MeshEngine(), "electronic": ElectronicEngine()}


def default_policy(op, hw):
    """Static ops to the ``"mesh"`` engine, dynamic and constant ones electronic."""
    return "mesh" if op.kind == "static" else "electronic"


@dataclasses.dataclass(frozen=True, eq=False)
class OpPlan:
    """Where one traced matmul runs.

    Attributes:
        op: the :class:`nn_mapping.trace.LinearStep`.
        engine: the engine name.
        tiles: optical cores it occupies (0 when electronic).
    """

    op: object
    engine: str
    tiles: int

    @property
    def optical(self):
        """Whether the op runs on an optical engine."""
        return self.engine != "electronic"


def _choose(op, hw, policy, engines):
    name = policy(op, hw)
    if name not in engines:
        raise input_error("policy", f"an engine name in {sorted(engines)}", repr(name))
    if op.kind not in engines[name].kinds:
        raise input_error(
            f"policy for {op.name}",
            f"an engine accepting {op.kind!r} ops",
            f"{name!r} (accepts {engines[name].kinds})",
        )
    return name


def make_plan(graph, hw, policy=None, engines=None):
    """Assign every ``dot_general`` of ``graph`` to an engine and check it fits.

    Args:
        graph: a traced :class:`nn_mapping.trace.Graph`.
        hw: the :class:`nn_mapping.hardware.Hardware`.
        policy: ``policy(op, hw) -> engine name``; :func:`default_policy` if ``None``.
        engines: the engine table; :func:`default_engines` if ``None``.

    Returns:
        A tuple of :class:`OpPlan`, one per op of ``graph.linear``.

    Raises:
        InputError: for an unknown engine, an engine that does not accept the op's
            kind, or weights needing more cores than ``hw.n_cores``.
    """
    policy = policy or default_policy
    engines = engines or default_engines()
    plans = []
    for op in graph.linear:
        name = _choose(op, hw, policy, engines)
        if name != "electronic":
            tiling.check_fits(op.name, (op.m, op.k), hw.core_size, None, op.batch)
        plans.append(OpPlan(op, name, engines[name].tiles(op, hw)))
    used = sum(p.tiles for p in plans)
    if hw.n_cores is not None and used > hw.n_cores:
        raise input_error(
            "hardware.n_cores", f"at least {used} cores for this program", hw.n_cores
        )
    return tuple(plans)


def _split_dims(ndim, contract, batch):
    used = set(contract) | set(batch)
    return [d for d in range(ndim) if d not in used]


def _sides(op):
    (lc, rc), (lb, rb) = op.dimension_numbers
    lhs = (op.lhs_shape, lc, lb)
    rhs = (op.rhs_shape, rc, rb)
    return (lhs, rhs) if op.weight_side == "lhs" else (rhs, lhs)


def _weight_order(op):
    (w_shape, wc, wb), _ = _sides(op)
    return (*wb, *_split_dims(len(w_shape), wc, wb), *wc)


def _input_order(op):
    _, (x_shape, xc, xb) = _sides(op)
    return (*xb, *xc, *_split_dims(len(x_shape), xc, xb))


def to_canonical(op, lhs, rhs):
    """Reshape the operands of ``op`` to ``weight (B, M, K)`` and ``x (B, K, n)``."""
    w_value, x_value = (lhs, rhs) if op.weight_side == "lhs" else (rhs, lhs)
    weight = jnp.transpose(w_value, _weight_order(op)).reshape(op.batch, op.m, op.k)
    return weight, canonical_input(op, x_value)


def canonical_input(op, x_value):
    """The non-weight operand of ``op`` as ``(B, K, n)``."""
    return jnp.transpose(x_value, _input_order(op)).reshape(op.batch, op.k, op.n)


def canonical_weight(op, value):
    """The constant operand of a static op as a host (numpy) ``(B, M, K)`` array."""
    value = np.asarray(value)
    return np.transpose(value, _weight_order(op)).reshape(op.batch, op.m, op.k)


def from_canonical(op, y):
    """Reshape a canonical ``(B, M, n)`` result to the ``dot_general`` layout."""
    (w_shape, wc, wb), (x_shape, xc, xb) = _sides(op)
    batch_shape = [w_shape[d] for d in wb]
    w_free = [w_shape[d] for d in _split_dims(len(w_shape), wc, wb)]
    x_free = [x_shape[d] for d in _split_dims(len(x_shape), xc, xb)]
    y = y.reshape(*batch_shape, *w_free, *x_free)
    if op.weight_side == "lhs":
        return y
    nb, nw = len(batch_shape), len(w_free)
    order = list(range(nb)) + [nb + nw + i for i in range(len(x_free))]
    order += [nb + i for i in range(nw)]
    return jnp.transpose(y, order)


def op_macs(op):
    """Multiply-accumulates of one traced matmul."""
    return math.prod((op.batch, op.m, op.k, op.n))
