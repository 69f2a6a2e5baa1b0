"""A small MLP on scikit-learn's digits set, trained here as the mapper's test model.

The data are the 1797 8x8 images of :func:`sklearn.datasets.load_digits` (shipped with
scikit-learn, no download), scaled to [0, 1] and split 80/20 with a fixed seed. The
MLP is ``64 -> hidden -> 10`` with a ReLU, trained full batch with Adam in float32 in
about a second; training is deterministic for a given seed. Trained models are kept
in memory for the life of the process (nothing is written to disk).
"""

import dataclasses
import functools
import itertools

import jax
import jax.numpy as jnp
import numpy as np
import optax

from photonics.checks import check_int, check_positive


@dataclasses.dataclass(frozen=True, eq=False)
class DigitsData:
    """The digits set split into training and test parts.

    Attributes:
        x_train, x_test: ``(n, 64)`` float32 pixels in [0, 1].
        y_train, y_test: ``(n,)`` int32 labels 0..9.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


@functools.lru_cache(maxsize=4)
def load_digits_data(test_fraction=0.2, seed=0):
    """Load, scale and split the digits set (deterministic for a seed).

    Args:
        test_fraction: fraction of the 1797 images held out for testing.
        seed: seed of the shuffle.

    Returns:
        A :class:`DigitsData`.
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int32)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = round(test_fraction * len(y))
    test, train = order[:n_test], order[n_test:]
    return DigitsData(x[train], y[train], x[test], y[test])


def init_mlp(key, sizes):
    """Random layers ``[(W, b), ...]`` for widths ``sizes``; ``W`` is (out, in)."""
    params = []
    keys = jax.random.split(key, len(sizes) - 1)
    for k, (n_in, n_out) in zip(keys, itertools.pairwise(sizes), strict=True):
        w = jax.random.normal(k, (n_out, n_in), jnp.float32) * jnp.sqrt(2.0 / n_in)
        params.append((w, jnp.zeros((n_out,), jnp.float32)))
    return params


def mlp_apply(params, x):
    """Logits of the MLP: ReLU hidden layers, linear output. ``x``: ``(..., 64)``."""
    for w, b in params[:-1]:
        x = jax.nn.relu(x @ w.T + b)
    w, b = params[-1]
    return x @ w.T + b


def _loss(params, x, y):
    logits = mlp_apply(params, x)
    return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()


@functools.partial(jax.jit, static_argnames=("steps", "learning_rate"))
def _train(params, x, y, steps, learning_rate):
    optimiser = optax.adam(learning_rate)

    def step(carry, _):
        params, state = carry
        grads = jax.grad(_loss)(params, x, y)
        updates, state = optimiser.update(grads, state, params)
        return (optax.apply_updates(params, updates), state), None

    (params, _), _ = jax.lax.scan(step, (params, optimiser.init(params)), None, steps)
    return params


@functools.lru_cache(maxsize=4)
def train_digits_mlp(hidden=64, steps=500, learning_rate=1e-2, seed=0):
    """Train the digits MLP (cached per process).

    Args:
        hidden: width of the hidden layer.
        steps: full-batch Adam steps.
        learning_rate: Adam learning rate.
        seed: seed of the initial weights and the data split.

    Returns:
        ``(params, data)``: the trained layers as float32 numpy arrays
        ``[(W (out, in), b), ...]`` and the :class:`DigitsData`.
    """
    check_int("hidden", hidden, minimum=1)
    check_int("steps", steps, minimum=1)
    check_positive("learning_rate", learning_rate)
    data = load_digits_data(seed=seed)
    params = init_mlp(jax.random.key(seed), (64, hidden, 10))
    x, y = jnp.asarray(data.x_train), jnp.asarray(data.y_train)
    params = _train(params, x, y, steps, learning_rate)
    params = [(np.asarray(w, np.float32), np.asarray(b, np.float32)) for w, b in params]
    return params, data


def mlp_function(params):
    """The MLP as a function of one input, closing over ``params`` as constants.

    Its weights are constants of the trace, so the mapper programs them into meshes.
    """

    def forward(x):
        return mlp_apply(params, x)

    return forward


def digital_accuracy(params, x, y):
    """Fraction of ``x`` the MLP classifies as ``y`` (float32 JAX)."""
    logits = mlp_apply(params, jnp.asarray(x, jnp.float32))
    return float(jnp.mean(jnp.argmax(logits, axis=-1) == jnp.asarray(y)))
