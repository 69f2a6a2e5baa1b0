"""Shape-only workloads of the models the energy report prices.

Each builder returns a :class:`nn_mapping.workload.Workload` for one inference
(batch 1) built from the model's shapes alone: no weights are needed to price energy.

Transformer block (pre-norm, as GPT-2), with ``L`` positions, width ``d``, ``h``
heads of width ``d_h = d / h`` and an MLP of width ``r d``:

* static (weight-stationary mesh): Q, K, V and output projections ``d x d`` over ``L``
  columns; MLP ``r d x d`` and ``d x r d`` over ``L`` columns;
* dynamic (both operands from the input), per head: scores ``K Q^T`` as an
  ``L x d_h`` matrix times ``L`` query columns, and ``V^T A^T`` as a ``d_h x L`` matrix
  times ``L`` columns;
* electronic: softmax over ``h L**2`` scores, two layer norms and two residual adds
  over ``L d`` elements, the GELU over ``L r d``.
"""

from nn_mapping.workload import ENGINES, ElectronicOp, LinearOp, Workload
from photonics import checks
from photonics.errors import input_error


def digits_mlp(hidden=64, inputs=64, classes=10, batch=1):
    """The 8x8-digits MLP ``inputs -> hidden -> classes`` with a ReLU (64-64-10 as the
    mapper trains it), per inference.

    Args:
        hidden: width of the hidden layer.
        inputs: input features (64 for the 8x8 scikit-learn digits).
        classes: output classes.
        batch: inputs per inference.
    """
    for name, value in (("hidden", hidden), ("inputs", inputs), ("classes", classes)):
        checks.check_int(name, value, minimum=1)
    checks.check_int("batch", batch, minimum=1)
    linear = (
        LinearOp("dense_1", hidden, inputs, batch),
        LinearOp("dense_2", classes, hidden, batch),
    )
    electronic = (
        ElectronicOp("relu", "activation", hidden * batch),
        ElectronicOp("bias", "add", (hidden + classes) * batch),
    )
    return Workload(f"mlp-digits-{inputs}-{hidden}-{classes}", linear, electronic)


def transformer_block(
    d_model=256,
    heads=4,
    seq_len=128,
    mlp_ratio=4,
    dynamic_engine="reprogrammed_mesh",
    name=None,
):
    """One pre-norm transformer block (attention + MLP) for a sequence of ``seq_len``.

    Args:
        d_model: model width d.
        heads: attention heads h; must divide ``d_model``.
        seq_len: positions L per inference.
        mlp_ratio: MLP width over model width.
        dynamic_engine: engine of the attention products (``"reprogrammed_mesh"``,
            ``"crossbar"``, ``"homodyne"`` or ``"electronic"``).
        name: workload label (default built from the shapes).

    Raises:
        InputError: for non-positive sizes, ``heads`` not dividing ``d_model``, or an
            unknown engine.
    """
    d, h, seq = _check_block(d_model, heads, seq_len, mlp_ratio, dynamic_engine)
    d_head, ff = d // h, mlp_ratio * d
    linear = (
        LinearOp("attn.q", d, d, seq),
        LinearOp("attn.k", d, d, seq),
        LinearOp("attn.v", d, d, seq),
        LinearOp("attn.qk", seq, d_head, seq, "dynamic", dynamic_engine, h),
        LinearOp("attn.av", d_head, seq, seq, "dynamic", dynamic_engine, h),
        LinearOp("attn.o", d, d, seq),
        LinearOp("mlp.fc1", ff, d, seq),
        LinearOp("mlp.fc2", d, ff, seq),
    )
    electronic = (
        ElectronicOp("ln_1", "layernorm", seq * d),
        ElectronicOp("softmax", "softmax", h * seq * seq),
        ElectronicOp("residual_1", "add", seq * d),
        ElectronicOp("ln_2", "layernorm", seq * d),
        ElectronicOp("gelu", "activation", seq * ff),
        ElectronicOp("residual_2", "add", seq * d),
    )
    label = name or f"transformer-d{d}-h{h}-L{seq}"
    return Workload(label, linear, electronic)


def _check_block(d_model, heads, seq_len, mlp_ratio, dynamic_engine):
    d = checks.check_int("d_model", d_model, minimum=1)
    h = checks.check_int("heads", heads, minimum=1)
    seq = checks.check_int("seq_len", seq_len, minimum=1)
    checks.check_int("mlp_ratio", mlp_ratio, minimum=1)
    if d % h:
        raise input_error("heads", f"a divisor of d_model={d}", repr(h))
    allowed = tuple(e for e in ENGINES if e != "mesh")
    checks.check_choice("dynamic_engine", dynamic_engine, allowed)
    return d, h, seq


def gpt2_small_layer(seq_len=1024, dynamic_engine="reprogrammed_mesh"):
    """One GPT-2-small layer: d = 768, 12 heads, MLP 3072, ``seq_len`` positions."""
    return transformer_block(
        768, 12, seq_len, 4, dynamic_engine, name=f"gpt2-small-layer-L{seq_len}"
    )


#: The models of the report, by command-line name.
MODELS = {
    "mlp-digits": digits_mlp,
    "transformer-block": transformer_block,
    "gpt2-small-layer": gpt2_small_layer,
}


def workload(name):
    """The default :class:`Workload` of model ``name`` (a key of :data:`MODELS`)."""
    checks.check_choice("model", name, tuple(MODELS))
    return MODELS[name]()
