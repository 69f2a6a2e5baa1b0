"""Mesh topologies: which mode pairs each column of MZIs couples.

A mesh on ``N`` modes is a sequence of MZIs, each on an adjacent mode pair
``(k, k + 1)``. The MZIs are placed in columns as early as the pairs they share allow;
column ``c`` couples pairs starting at modes of its parity (``k % 2 == c % 2``), so
column ``c`` has slot ``s`` on pair ``(2 s + c % 2, 2 s + c % 2 + 1)``. Both meshes have
``N (N - 1) / 2`` MZIs:

* Clements (rectangular, Optica 3, 1460 (2016)): depth ``N`` for ``N >= 3``.
* Reck (triangular, PRL 73, 58 (1994)): depth ``2 N - 3`` for ``N >= 3``.

Both have depth 1 at ``N = 2`` and no MZI at ``N = 1``.

The order of the MZIs is the order in which :func:`photonics.decompose` produces them
(:func:`nulling_schedule`), so a layout and a decomposition always agree.
"""

import dataclasses
import functools

import numpy as np

from photonics.checks import check_choice, check_int

TOPOLOGIES = ("clements", "reck")


def nulling_schedule(n_modes, topology):
    """The nulling operations of the decomposition, in the order they are performed.

    Returns:
        ``(left, pair)``: int arrays of length ``N (N - 1) / 2``. ``left[p]`` is 1 when
        operation ``p`` multiplies from the left (mixes rows ``pair, pair + 1``), 0 when
        it multiplies from the right (mixes columns ``pair, pair + 1``).
    """
    left, pair = [], []
    for i in range(n_modes - 1):
        if topology == "reck":
            for j in range(n_modes - 1 - i):
                left.append(0)
                pair.append(j)
        elif i % 2 == 0:
            for j in range(i + 1):
                left.append(0)
                pair.append(i - j)
        else:
            for j in range(1, i + 2):
                left.append(1)
                pair.append(n_modes + j - i - 3)
    return np.array(left, dtype=np.int32), np.array(pair, dtype=np.int32)


def application_order(left):
    """Indices of the performed operations in the order light meets them.

    Right multiplications come first in the order performed, then the left ones in
    reverse (they are moved through the diagonal phase screen).
    """
    performed = np.arange(left.size)
    right_ops = performed[left == 0]
    left_ops = performed[left == 1][::-1]
    return np.concatenate([right_ops, left_ops])


def _assign_columns(pairs, n_modes):
    last = np.full(n_modes + 1, -1, dtype=np.int64)
    columns = np.empty(pairs.size, dtype=np.int64)
    for index, k in enumerate(pairs.tolist()):
        column = max(last[k], last[k + 1]) + 1
        if column % 2 != k % 2:
            column += 1
        columns[index] = column
        last[k] = last[k + 1] = column
    return columns


@dataclasses.dataclass(frozen=True, eq=False)
class MeshLayout:
    """Where each MZI of a topology sits.

    Attributes:
        n_modes: number of modes ``N``.
        topology: ``"clements"`` or ``"reck"``.
        depth: number of MZI columns (optical depth in MZIs).
        n_columns: columns stored, ``depth`` rounded up to even (the last may be empty).
        n_slots: MZI slots per column, ``N // 2``.
        pairs: ``(mzi_count,)`` first mode of each MZI, in the order light meets them.
        columns, slots: ``(mzi_count,)`` column and slot of each MZI, same order.
        performed: ``(mzi_count,)`` index of each MZI in the nulling schedule.
        left: ``(mzi_count,)`` nulling side of each performed operation (schedule
            order).
        active: ``(n_columns, n_slots)`` bool, which slots hold an MZI.
    """

    n_modes: int
    topology: str
    depth: int
    n_columns: int
    n_slots: int
    pairs: np.ndarray
    columns: np.ndarray
    slots: np.ndarray
    performed: np.ndarray
    left: np.ndarray
    active: np.ndarray

    @property
    def mzi_count(self):
        """Number of MZIs, ``N (N - 1) / 2``."""
        return int(self.pairs.size)

    def column_pairs(self, column):
        """Mode pairs ``(k, k + 1)`` coupled by ``column``, as a list of ``k``."""
        offset = column % 2
        return [2 * s + offset for s in np.flatnonzero(self.active[column])]


@functools.lru_cache(maxsize=64)
def _layout(n_modes, topology):
    left, pair = nulling_schedule(n_modes, topology)
    order = application_order(left)
    pairs = pair[order]
    columns = _assign_columns(pairs, n_modes)
    depth = int(columns.max()) + 1 if columns.size else 0
    n_columns = depth + depth % 2
    n_slots = n_modes // 2
    slots = pairs // 2
    active = np.zeros((n_columns, n_slots), dtype=bool)
    active[columns, slots] = True
    return MeshLayout(
        n_modes, topology, depth, n_columns, n_slots, pairs, columns, slots, order,
        left, active,
    )  # fmt: skip


def mesh_layout(n_modes, topology="clements"):
    """The :class:`MeshLayout` of ``topology`` on ``n_modes`` modes (cached).

    Raises:
        InputError: for ``n_modes < 1`` or an unknown topology.
    """
    check_int("n_modes", n_modes, minimum=1)
    check_choice("topology", topology, TOPOLOGIES)
    return _layout(int(n_modes), topology)
