"""Sweeps and large batches sharded over every available device with ``jax.sharding``.

The same code runs on one CPU, on several GPUs of a host and on several hosts: the
batch axis of the inputs is laid out over a one-axis :class:`jax.sharding.Mesh` of
``jax.devices()`` (every device of every process), the function is jit-compiled once
for that layout and XLA partitions it (SPMD). Batches that do not divide the device
count are padded by repeating their last entry (so padding never feeds a function
values it would reject) and the padding is trimmed from the results.

Multi-host: every process must call with the same global inputs (for example a grid or
keys built from one seed); results are global arrays, to be gathered with
``jax.experimental.multihost_utils.process_allgather`` before leaving JAX.

Kernels are written for one instance (:func:`sharded_map`) or for a batch
(:func:`shard_batch`), as in the rest of the package.
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec

from photonics.errors import input_error
from photonics.imperfections import sample_chip
from photonics.mesh import propagate, transfer_matrix
from photonics.metrics import fidelity

AXIS = "batch"


def device_mesh(devices=None):
    """A one-axis :class:`jax.sharding.Mesh` named ``"batch"`` over ``devices``.

    Args:
        devices: devices to use; ``None`` for ``jax.devices()`` (all processes).
    """
    devices = jax.devices() if devices is None else list(devices)
    return jax.sharding.Mesh(np.asarray(devices), (AXIS,))


def _batch_size(leaves):
    sizes = {np.shape(leaf)[0] if np.ndim(leaf) else None for leaf in leaves}
    if len(sizes) != 1 or None in sizes or 0 in sizes:
        raise input_error(
            "batched arguments",
            "arrays sharing one non-empty leading batch axis",
            f"leading sizes {sorted(map(str, sizes))}",
        )
    return sizes.pop()


def _place(leaf, size, mesh, batched):
    """Pad ``leaf`` to ``size`` rows (repeating the last) and lay it out on ``mesh``."""
    if not batched:
        return jax.device_put(leaf, NamedSharding(mesh, PartitionSpec()))
    index = np.minimum(np.arange(size), leaf.shape[0] - 1)
    padded = jnp.asarray(leaf)[index]
    sharding = NamedSharding(mesh, PartitionSpec(AXIS))
    if jax.process_count() == 1:
        return jax.device_put(padded, sharding)
    host = np.asarray(padded)
    return jax.make_array_from_callback(host.shape, sharding, lambda i: host[i])


@functools.lru_cache(maxsize=64)
def _compiled(fn, rows, size, mesh):
    """``fn`` jit-compiled for ``size`` padded rows, trimmed to ``rows`` (cached).

    Unpadded results stay sharded along the batch axis; trimmed ones cannot be split
    evenly, so XLA gathers them (every device then holds the whole result).
    """
    if rows == size:
        return jax.jit(fn, out_shardings=NamedSharding(mesh, PartitionSpec(AXIS)))

    def trimmed(*args):
        return jax.tree.map(lambda y: y[:rows], fn(*args))

    return jax.jit(trimmed)


def shard_batch(fn, *args, batched=None, devices=None):
    """Evaluate the batched function ``fn(*args)`` with the batch axis sharded.

    Args:
        fn: a function of ``args`` whose every output has the batch as its leading
            axis (e.g. a ``jax.vmap``-ed kernel). Pass the same function object on
            every call to reuse its compilation.
        *args: PyTrees of arrays; the batched ones share a leading batch axis.
        batched: one bool per argument, ``False`` for arguments replicated on every
            device (e.g. a mesh); default all ``True``.
        devices: devices to shard over; ``None`` for ``jax.devices()``.

    Returns:
        ``fn(*args)``, equal to the unsharded call to rounding. When the batch
        divides the device count the results are sharded along the batch axis;
        otherwise the trimmed results are gathered onto every device.

    Raises:
        InputError: if the batched arguments do not share a leading axis.
    """
    batched = (True,) * len(args) if batched is None else tuple(batched)
    if len(batched) != len(args) or not any(batched):
        raise input_error("batched", f"{len(args)} flags, one True", repr(batched))
    mesh = device_mesh(devices)
    pairs = zip(args, batched, strict=True)
    leaves = [leaf for a, b in pairs if b for leaf in jax.tree.leaves(a)]
    rows = _batch_size(leaves)
    size = -(-rows // mesh.size) * mesh.size
    placed = [
        jax.tree.map(lambda x, b=b: _place(x, size, mesh, b), a)
        for a, b in zip(args, batched, strict=True)
    ]
    return _compiled(fn, rows, size, mesh)(*placed)


@functools.lru_cache(maxsize=64)
def _vmapped(fn):
    return jax.vmap(fn)


def sharded_map(fn, *batched_args, devices=None):
    """``jax.vmap(fn)(*batched_args)`` with the mapped axis sharded over devices.

    Args:
        fn: a function written for one instance (hashable; pass the same object to
            reuse its compilation).
        *batched_args: PyTrees whose leaves share a leading axis to map over.
        devices: devices to shard over; ``None`` for ``jax.devices()``.

    Returns:
        The stacked results, as :func:`shard_batch`.
    """
    return shard_batch(_vmapped(fn), *batched_args, devices=devices)


_LAST = (False, False, False, True)


def _chip_fidelity(mesh, imperfections, target, key):
    chip = sample_chip(key, mesh, imperfections)
    return fidelity(target, transfer_matrix(mesh, chip))


def _fidelities(mesh, imperfections, target, keys):
    one = functools.partial(_chip_fidelity, mesh, imperfections, target)
    return jax.vmap(one)(keys)


def monte_carlo_fidelity(mesh, imperfections, keys, target=None, devices=None):
    """Fidelity of ``mesh`` on one sampled chip per key, sharded over devices.

    Args:
        mesh: a :class:`photonics.Mesh`.
        imperfections: the :class:`photonics.Imperfections` to sample chips from.
        keys: ``(K,)`` ``jax.random`` keys, one chip each.
        target: ``(N, N)`` matrix to compare with; ``None`` for the ideal mesh's.
        devices: devices to shard over; ``None`` for ``jax.devices()``.

    Returns:
        ``(K,)`` fidelities (:func:`photonics.fidelity`).
    """
    target = transfer_matrix(mesh) if target is None else jnp.asarray(target)
    args = (mesh, imperfections, target, keys)
    return shard_batch(_fidelities, *args, batched=_LAST, devices=devices)


def propagate_sharded(mesh, fields, chip=None, method="auto", devices=None):
    """:func:`photonics.propagate` of a ``(B, N)`` batch sharded over devices.

    The mesh and the chip are replicated; the rows of ``fields`` are split over the
    devices. Arguments and result as :func:`photonics.propagate`.
    """
    fn = _propagate_rows(method)
    return shard_batch(fn, mesh, fields, chip, batched=_SECOND, devices=devices)


_SECOND = (False, True, False)


@functools.lru_cache(maxsize=8)
def _propagate_rows(method):
    return functools.partial(_propagate_method, method=method)


def _propagate_method(mesh, fields, chip, method):
    return propagate(mesh, fields, chip, method)
