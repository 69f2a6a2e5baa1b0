"""Tiling of large matrices onto square optical cores of a fixed size.

A weight ``W`` of shape ``(M, K)`` is cut into a grid of ``R x C`` tiles of
``N x N``, with ``R = ceil(M / N)`` and ``C = ceil(K / N)``; the last row and column of
tiles are padded with zeros. Tile ``(r, c)`` multiplies the input slice
``x[c N:(c + 1) N]`` and contributes a partial sum to the outputs
``y[r N:(r + 1) N]``; the partial sums of a tile row are added, either after each is
detected and digitised (digital accumulation) or as photocurrents integrated on the
receiver before one conversion (analog accumulation, see
:mod:`nn_mapping.hardware`)::

    y_r = sum_c W_rc x_c

Stacks of weights (a batched matmul) carry a leading axis ``B`` throughout: weights
``(B, M, K)``, tiles ``(B, R, C, N, N)``, inputs ``(B, K, n)`` with ``n`` input vectors.
"""

import math

import jax.numpy as jnp
import numpy as np
from jax import lax

from photonics.errors import input_error


def tile_grid(m, k, core_size):
    """Number of tile rows and columns ``(ceil(m / N), ceil(k / N))``."""
    return math.ceil(m / core_size), math.ceil(k / core_size)


def tile_count(m, k, core_size, count=1):
    """Tiles (one core each) needed for ``count`` weights of shape ``(m, k)``."""
    rows, cols = tile_grid(m, k, core_size)
    return count * rows * cols


def check_fits(name, shape, core_size, n_cores=None, count=1):
    """Raise unless ``count`` weights of ``shape`` can be tiled onto the cores.

    Args:
        name: label of the operation, for the message.
        shape: ``(m, k)`` of one weight.
        core_size: ``N``.
        n_cores: cores available, or ``None`` for unlimited.
        count: number of weights of this shape (batched matmul).

    Raises:
        InputError: for an empty dimension, or if more tiles than ``n_cores`` are
            needed.
    """
    m, k = shape
    if m < 1 or k < 1:
        raise input_error(name, "a weight with both dimensions >= 1", f"shape {shape}")
    needed = tile_count(m, k, core_size, count)
    if n_cores is not None and needed > n_cores:
        raise input_error(
            name,
            f"at most n_cores = {n_cores} tiles of {core_size} x {core_size}",
            f"a weight of shape {tuple(shape)} x {count} needing {needed} tiles",
            "raise n_cores or core_size",
        )


def to_tiles(weights, core_size):
    """Cut ``(B, M, K)`` weights into zero-padded ``(B, R, C, N, N)`` tiles (numpy)."""
    b, m, k = weights.shape
    rows, cols = tile_grid(m, k, core_size)
    padded = np.zeros((b, rows * core_size, cols * core_size), weights.dtype)
    padded[:, :m, :k] = weights
    tiles = padded.reshape(b, rows, core_size, cols, core_size)
    return tiles.transpose(0, 1, 3, 2, 4)


def from_tiles(tiles, shape):
    """Reassemble ``(B, R, C, N, N)`` tiles into ``(B, M, K)``, ``shape = (M, K)``."""
    b, rows, cols, n, _ = tiles.shape
    full = tiles.transpose(0, 1, 3, 2, 4).reshape(b, rows * n, cols * n)
    return full[:, : shape[0], : shape[1]]


def split_inputs(x, cols, core_size):
    """Pad ``(B, K, n)`` inputs to ``C N`` rows and split them: ``(B, C, N, n)``."""
    b, k, n = x.shape
    padded = jnp.pad(x, ((0, 0), (0, cols * core_size - k), (0, 0)))
    return padded.reshape(b, cols, core_size, n)


def sum_columns(partials, axis):
    """Sum ``partials`` over the tile-column ``axis`` by pairwise halving.

    Equal to ``jnp.sum(partials, axis)`` up to the order of the additions; each
    halving is one fused elementwise add, which XLA runs far faster on CPU than a
    reduction over a non-minor axis of a large array.
    """
    while partials.shape[axis] > 1:
        count = partials.shape[axis]
        if count % 2:
            pad = [(0, 0)] * partials.ndim
            pad[axis] = (0, 1)
            partials = jnp.pad(partials, pad)
            count += 1
        first, second = jnp.split(partials, 2, axis=axis)
        partials = first + second
    return jnp.squeeze(partials, axis)


def accumulate(partials, m):
    """Add the partial sums ``(B, R, C, N, n)`` of each tile row: ``(B, M, n)``."""
    b, rows, _, n_core, n = partials.shape
    total = sum_columns(partials, 2)
    return total.reshape(b, rows * n_core, n)[:, :m]


def sum_column_powers(t_real, t_imag, u):
    """``sum_c |T_rc u_c|**2`` for tiles ``T = t_real + i t_imag``: ``(B, R, N, n)``.

    Args:
        t_real, t_imag: ``(B, R, C, N, N)`` real and imaginary parts of the tiles.
        u: ``(B, C, N, n)`` inputs split by :func:`split_inputs`, real or complex.

    Returns:
        The summed output powers of each tile row, in the real dtype of ``u``. One
        scan step per tile column multiplies the column's stacked tiles with its
        inputs, squares and adds to the running sum, so the ``(B, R, C, N, n)``
        per-tile outputs are never held at once (on CPU, writing and re-reading
        them costs more than the products).
    """
    b, rows, cols, n_core, _ = t_real.shape
    dtype = jnp.real(u).dtype
    t_real, t_imag = t_real.astype(dtype), t_imag.astype(dtype)
    if jnp.iscomplexobj(u):
        top = jnp.concatenate([t_real, -t_imag], axis=-1)
        bottom = jnp.concatenate([t_imag, t_real], axis=-1)
        u = jnp.concatenate([jnp.real(u), jnp.imag(u)], axis=2)
    else:
        top, bottom = t_real, t_imag
    stacked = jnp.stack([top, bottom], axis=3)
    stacked = jnp.moveaxis(stacked, 2, 0).reshape(cols, b, rows * 2 * n_core, -1)

    def step(total, column):
        t, v = column
        y = (t @ v).reshape(b, rows, 2, n_core, -1)
        return total + y[:, :, 0] ** 2 + y[:, :, 1] ** 2, None

    init = jnp.zeros((b, rows, n_core, u.shape[-1]), dtype)
    total, _ = lax.scan(step, init, (stacked, jnp.moveaxis(u, 1, 0)))
    return total
