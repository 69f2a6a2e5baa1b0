"""A pre-norm transformer block in plain JAX and in equinox, and a tiny trained model.

The block (Vaswani et al. 2017, pre-norm as in GPT-2) on one sequence ``x`` of shape
``(seq_len, d_model)``::

    h = x + W_o . MHA(LN_1(x))          MHA: softmax(Q K^T / sqrt(d_head) + mask) V
    y = h + W_2 gelu(W_1 LN_2(h) + b_1) + b_2

with ``Q, K, V = LN_1(x) W_q, W_k, W_v`` split into ``n_heads`` heads of
``d_head = d_model / n_heads``; the optional causal mask lets position ``i`` attend
to positions ``j <= i``. :func:`block_apply` writes it in plain JAX on a parameter
dict; :class:`EqxBlock` writes the same block with ``equinox.nn`` layers
(``MultiheadAttention``, ``LayerNorm``, ``Linear``) and :func:`eqx_block_from_params`
fills it with the same weights, so both compute the same function and trace to the
same matmuls.

The tiny transformer reads an 8x8 digit of :func:`sklearn.datasets.load_digits` as a
sequence of 8 rows of 8 pixels: a linear embedding to ``d_model``, learned positions,
one block, a final layer norm, mean pooling over positions and a linear classifier to
10 classes. It trains full batch with Adam in float32 in a few seconds on a CPU and
is kept in memory for the life of the process (nothing is written to disk).
"""

import dataclasses
import functools
import math

import equinox as eqx
import jax
import jax.numpy as jnp
import numpy as np
import optax

from nn_mapping import models
from photonics.checks import check_int, check_positive
from photonics.errors import input_error

LAYER_NORM_EPS = 1e-5


@dataclasses.dataclass(frozen=True)
class BlockConfig:
    """Sizes of a transformer block.

    Attributes:
        seq_len: positions per sequence.
        d_model: width of the residual stream.
        n_heads: attention heads; must divide ``d_model``.
        d_mlp: hidden width of the MLP.
        causal: whether position ``i`` only attends to ``j <= i``.

    Raises:
        InputError: for non-positive sizes or heads that do not divide ``d_model``.
    """

    seq_len: int = 8
    d_model: int = 32
    n_heads: int = 2
    d_mlp: int = 64
    causal: bool = False

    def __post_init__(self):
        for name in ("seq_len", "d_model", "n_heads", "d_mlp"):
            check_int(name, getattr(self, name), minimum=1)
        if self.d_model % self.n_heads:
            raise input_error(
                "n_heads",
                f"a divisor of d_model = {self.d_model}",
                self.n_heads,
                "each head gets d_model / n_heads features",
            )

    @property
    def d_head(self):
        """Features per head, ``d_model / n_heads``."""
        return self.d_model // self.n_heads

    def mask(self):
        """The boolean ``(seq_len, seq_len)`` attention mask, or ``None``."""
        return causal_mask(self.seq_len) if self.causal else None


def causal_mask(seq_len):
    """Boolean ``(seq_len, seq_len)`` mask, True where query ``i`` may see key ``j``.

    ``mask[i, j] = j <= i`` (lower triangle including the diagonal).
    """
    return np.tril(np.ones((seq_len, seq_len), dtype=bool))


def init_block(key, config):
    """Random parameters of a block: a dict of float32 arrays.

    Keys: ``ln1_g, ln1_b, wq, wk, wv, wo`` (``(d_model, d_model)``, applied as
    ``x @ w``), ``ln2_g, ln2_b, w1 (d_model, d_mlp), b1, w2 (d_mlp, d_model), b2``.
    """
    d, f = config.d_model, config.d_mlp
    keys = jax.random.split(key, 6)

    def dense(k, n_in, n_out):
        return jax.random.normal(k, (n_in, n_out), jnp.float32) / math.sqrt(n_in)

    return {
        "ln1_g": jnp.ones((d,), jnp.float32),
        "ln1_b": jnp.zeros((d,), jnp.float32),
        "wq": dense(keys[0], d, d),
        "wk": dense(keys[1], d, d),
        "wv": dense(keys[2], d, d),
        "wo": dense(keys[3], d, d),
        "ln2_g": jnp.ones((d,), jnp.float32),
        "ln2_b": jnp.zeros((d,), jnp.float32),
        "w1": dense(keys[4], d, f),
        "b1": jnp.zeros((f,), jnp.float32),
        "w2": dense(keys[5], f, d),
        "b2": jnp.zeros((d,), jnp.float32),
    }


def layer_norm(x, gain, bias):
    """Layer norm over the last axis: ``(x - mean) / sqrt(var + 1e-5) * g + b``."""
    mean = jnp.mean(x, axis=-1, keepdims=True)
    var = jnp.var(x, axis=-1, keepdims=True)
    return (x - mean) * jax.lax.rsqrt(var + LAYER_NORM_EPS) * gain + bias


def attention_weights(q, k, mask=None):
    """Softmax attention weights of one head: ``(seq_q, seq_k)``.

    Args:
        q: ``(seq_q, d_head)`` queries; k: ``(seq_k, d_head)`` keys.
        mask: boolean ``(seq_q, seq_k)``, True where attention is allowed.
    """
    logits = (q / jnp.sqrt(q.shape[-1]).astype(q.dtype)) @ k.T
    if mask is not None:
        logits = jnp.where(mask, logits, jnp.finfo(logits.dtype).min)
    return jax.nn.softmax(logits, axis=-1)


def multi_head_attention(params, h, n_heads, mask=None):
    """Multi-head self-attention of ``h`` ``(seq, d_model)``, the block's weights."""
    seq, d = h.shape
    split = (seq, n_heads, d // n_heads)
    q, k, v = ((h @ params[w]).reshape(split) for w in ("wq", "wk", "wv"))
    heads = jax.vmap(_head, in_axes=(1, 1, 1, None), out_axes=1)(q, k, v, mask)
    return heads.reshape(seq, d) @ params["wo"]


def _head(q, k, v, mask):
    return attention_weights(q, k, mask) @ v


def block_apply(params, x, n_heads, mask=None):
    """The pre-norm block of the module docstring on ``x`` ``(seq, d_model)``."""
    h = layer_norm(x, params["ln1_g"], params["ln1_b"])
    x = x + multi_head_attention(params, h, n_heads, mask)
    h = layer_norm(x, params["ln2_g"], params["ln2_b"])
    h = jax.nn.gelu(h @ params["w1"] + params["b1"])
    return x + h @ params["w2"] + params["b2"]


def block_function(params, config, mask=None):
    """The plain-JAX block as ``fn(x)``, closing over its weights (mesh constants).

    ``mask`` defaults to ``config.mask()``.
    """
    mask = config.mask() if mask is None else mask
    return functools.partial(block_apply, params, n_heads=config.n_heads, mask=mask)


class EqxBlock(eqx.Module):
    """The same pre-norm block written with ``equinox.nn`` layers.

    Attributes:
        ln1, ln2: ``eqx.nn.LayerNorm`` of ``d_model``.
        attention: ``eqx.nn.MultiheadAttention`` without biases.
        mlp_in, mlp_out: ``eqx.nn.Linear`` layers ``d_model -> d_mlp -> d_model``.
    """

    ln1: eqx.nn.LayerNorm
    attention: eqx.nn.MultiheadAttention
    ln2: eqx.nn.LayerNorm
    mlp_in: eqx.nn.Linear
    mlp_out: eqx.nn.Linear

    def __init__(self, config, key):
        """Random block of ``config`` (a :class:`BlockConfig`) from ``key``."""
        ka, k1, k2 = jax.random.split(key, 3)
        d, f = config.d_model, config.d_mlp
        self.ln1 = eqx.nn.LayerNorm(d, eps=LAYER_NORM_EPS)
        self.attention = eqx.nn.MultiheadAttention(config.n_heads, d, key=ka)
        self.ln2 = eqx.nn.LayerNorm(d, eps=LAYER_NORM_EPS)
        self.mlp_in = eqx.nn.Linear(d, f, key=k1)
        self.mlp_out = eqx.nn.Linear(f, d, key=k2)

    def __call__(self, x, mask=None):
        """The block on ``x`` ``(seq, d_model)``; ``mask`` boolean ``(seq, seq)``."""
        h = jax.vmap(self.ln1)(x)
        x = x + self.attention(h, h, h, mask=mask)
        h = jax.vmap(self.ln2)(x)
        h = jax.vmap(self.mlp_in)(h)
        return x + jax.vmap(self.mlp_out)(jax.nn.gelu(h))


def eqx_block_from_params(params, config):
    """An :class:`EqxBlock` holding the weights of a plain-JAX parameter dict."""
    block = EqxBlock(config, jax.random.key(0))
    attn = "query_proj", "key_proj", "value_proj", "output_proj"
    pairs = [
        (lambda b, n=n: getattr(b.attention, n).weight, params[w].T)
        for n, w in zip(attn, ("wq", "wk", "wv", "wo"), strict=True)
    ]
    pairs += [
        (lambda b: b.ln1.weight, params["ln1_g"]),
        (lambda b: b.ln1.bias, params["ln1_b"]),
        (lambda b: b.ln2.weight, params["ln2_g"]),
        (lambda b: b.ln2.bias, params["ln2_b"]),
        (lambda b: b.mlp_in.weight, params["w1"].T),
        (lambda b: b.mlp_in.bias, params["b1"]),
        (lambda b: b.mlp_out.weight, params["w2"].T),
        (lambda b: b.mlp_out.bias, params["b2"]),
    ]
    for where, value in pairs:
        block = eqx.tree_at(where, block, jnp.asarray(value))
    return block


def eqx_block_function(block, mask=None):
    """An :class:`EqxBlock` as ``fn(x)`` with a fixed mask (weights are constants)."""
    return lambda x: block(x, mask)


@dataclasses.dataclass(frozen=True)
class TinyConfig:
    """The tiny digits transformer.

    Attributes:
        block: the :class:`BlockConfig` (``seq_len`` = rows of the image, 8).
        features: pixels per row (8).
        classes: output classes (10).
    """

    block: BlockConfig = BlockConfig()
    features: int = 8
    classes: int = 10


def init_tiny(key, config):
    """Random parameters of the tiny transformer (float32 dict)."""
    kb, ke, kp, kh = jax.random.split(key, 4)
    d = config.block.d_model
    return {
        "embed": jax.random.normal(ke, (config.features, d), jnp.float32)
        / math.sqrt(config.features),
        "pos": 0.1 * jax.random.normal(kp, (config.block.seq_len, d), jnp.float32),
        "block": init_block(kb, config.block),
        "lnf_g": jnp.ones((d,), jnp.float32),
        "lnf_b": jnp.zeros((d,), jnp.float32),
        "head": jax.random.normal(kh, (d, config.classes), jnp.float32) / math.sqrt(d),
        "head_b": jnp.zeros((config.classes,), jnp.float32),
    }


def tiny_apply(params, x, config, mask=None):
    """Logits ``(classes,)`` of one sequence ``x`` ``(seq_len, features)``."""
    h = x @ params["embed"] + params["pos"]
    h = block_apply(params["block"], h, config.block.n_heads, mask)
    h = layer_norm(h, params["lnf_g"], params["lnf_b"])
    return jnp.mean(h, axis=0) @ params["head"] + params["head_b"]


def tiny_function(params, config, mask=None):
    """The tiny transformer as ``fn(x)`` of one sequence, weights as constants."""
    mask = config.block.mask() if mask is None else mask
    return functools.partial(tiny_apply, params, config=config, mask=mask)


@functools.lru_cache(maxsize=2)
def digits_sequences(seed=0):
    """The digits set as sequences of rows: ``(x_train, y_train, x_test, y_test)``.

    ``x`` arrays are ``(n, 8, 8)`` float32 in [0, 1] (rows of the image), labels
    ``(n,)`` int32; the split is the one of :func:`nn_mapping.models.load_digits_data`.
    """
    data = models.load_digits_data(seed=seed)
    rows = (-1, 8, 8)
    return (
        data.x_train.reshape(rows),
        data.y_train,
        data.x_test.reshape(rows),
        data.y_test,
    )


def _loss(params, x, y, config, mask):
    logits = jax.vmap(lambda xi: tiny_apply(params, xi, config, mask))(x)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


@functools.partial(jax.jit, static_argnames=("config", "steps", "learning_rate"))
def _train(params, x, y, mask, config, steps, learning_rate):
    optimiser = optax.adam(learning_rate)

    def step(carry, _):
        params, state = carry
        grads = jax.grad(_loss)(params, x, y, config, mask)
        updates, state = optimiser.update(grads, state, params)
        return (optax.apply_updates(params, updates), state), None

    (params, _), _ = jax.lax.scan(step, (params, optimiser.init(params)), None, steps)
    return params


@functools.lru_cache(maxsize=4)
def train_tiny_transformer(config=TinyConfig(), steps=150, learning_rate=3e-3, seed=0):
    """Train the tiny transformer on digit rows (cached in memory per process).

    Args:
        config: a :class:`TinyConfig` (its block's ``seq_len`` must be 8).
        steps: full-batch Adam steps.
        learning_rate: Adam learning rate.
        seed: seed of the initial weights and of the data split.

    Returns:
        ``params``: the trained float32 parameters as numpy arrays (nested dict).

    Raises:
        InputError: for bad steps, rate or a config that does not read 8 x 8 rows.
    """
    check_int("steps", steps, minimum=1)
    check_positive("learning_rate", learning_rate)
    if (config.block.seq_len, config.features) != (8, 8):
        raise input_error(
            "config", "seq_len = 8 rows of features = 8 pixels", config, "digits"
        )
    x, y, _, _ = digits_sequences(seed)
    params = init_tiny(jax.random.key(seed), config)
    mask = config.block.mask()
    params = _train(
        params, jnp.asarray(x), jnp.asarray(y), mask, config, steps, learning_rate
    )
    return jax.tree.map(lambda a: np.asarray(a, np.float32), params)


def tiny_accuracy(params, config, x, y):
    """Fraction of sequences ``x`` ``(n, 8, 8)`` classified as ``y``, float32 JAX."""
    fn = tiny_function(params, config)
    logits = jax.vmap(fn)(jnp.asarray(x, jnp.float32))
    return float(jnp.mean(jnp.argmax(logits, axis=-1) == jnp.asarray(y)))
