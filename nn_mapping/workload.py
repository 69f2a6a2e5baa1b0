"""A neutral description of what a compiled program computes, for pricing it.

The mapper turns a traced function into a :class:`Workload`; the energy ledger prices a
workload on optical hardware and on electronic baselines. Keeping this description
separate lets the ledger price shapes without weights (a GPT-2-sized layer) and lets the
mapper change without touching the energy models.
"""

import dataclasses

ENGINES = ("mesh", "reprogrammed_mesh", "crossbar", "homodyne", "electronic")
KINDS = ("static", "dynamic")


@dataclasses.dataclass(frozen=True)
class LinearOp:
    """One matrix product ``Y (m x n) = W (m x k) @ X (k x n)`` of a program.

    Attributes:
        name: a readable label, e.g. ``"dense_1"`` or ``"attn.qk"``.
        m: output dimension (rows of W).
        k: contraction dimension.
        n: number of input vectors per inference (batch x positions x heads).
        kind: ``"static"`` (W is a weight, a constant of the trace) or ``"dynamic"``
            (both operands depend on the input).
        engine: where it runs, one of :data:`ENGINES`.
        count: how many independent products of this shape (e.g. attention heads).
    """

    name: str
    m: int
    k: int
    n: int
    kind: str = "static"
    engine: str = "mesh"
    count: int = 1

    @property
    def macs(self):
        """Multiply-accumulates of the op: ``count * m * k * n``."""
        return self.count * self.m * self.k * self.n


@dataclasses.dataclass(frozen=True)
class ElectronicOp:
    """A non-linear or elementwise step that stays electronic.

    Attributes:
        name: label, e.g. ``"softmax"``.
        kind: one of ``"softmax"``, ``"layernorm"``, ``"activation"``, ``"add"``,
            ``"other"``.
        elements: number of scalar elements processed per inference.
    """

    name: str
    kind: str
    elements: int


@dataclasses.dataclass(frozen=True)
class Workload:
    """The linear and electronic operations of one inference of a model."""

    name: str
    linear_ops: tuple[LinearOp, ...]
    electronic_ops: tuple[ElectronicOp, ...] = ()

    @property
    def macs(self):
        """Total multiply-accumulates in the linear ops."""
        return sum(op.macs for op in self.linear_ops)
