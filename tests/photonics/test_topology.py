"""Mesh layouts: MZI counts, depths, and which pairs each column couples."""

import numpy as np
import pytest

from photonics import InputError, mesh_layout


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 8, 9, 16, 31])
@pytest.mark.parametrize("topology", ["clements", "reck"])
def test_counts_and_depth(n, topology):
    layout = mesh_layout(n, topology)
    assert layout.mzi_count == n * (n - 1) // 2
    if n <= 2:
        assert layout.depth == n - 1
    elif topology == "clements":
        assert layout.depth == n
    else:
        assert layout.depth == 2 * n - 3


@pytest.mark.parametrize("n", [2, 5, 6, 9])
@pytest.mark.parametrize("topology", ["clements", "reck"])
def test_columns_hold_disjoint_pairs_of_their_parity(n, topology):
    layout = mesh_layout(n, topology)
    for column in range(layout.n_columns):
        pairs = layout.column_pairs(column)
        assert all(k % 2 == column % 2 and k + 1 < n for k in pairs)
        modes = [m for k in pairs for m in (k, k + 1)]
        assert len(modes) == len(set(modes))


def test_clements_columns_alternate_full():
    layout = mesh_layout(6, "clements")
    assert [layout.column_pairs(c) for c in range(6)] == [[0, 2, 4], [1, 3]] * 3


def test_every_mzi_has_its_own_slot():
    layout = mesh_layout(7, "reck")
    assert int(layout.active.sum()) == layout.mzi_count
    assert (
        len(set(zip(layout.columns.tolist(), layout.slots.tolist(), strict=True))) == 21
    )
    np.testing.assert_array_equal(layout.pairs, 2 * layout.slots + layout.columns % 2)


@pytest.mark.parametrize(
    "n, topology", [(0, "clements"), (-3, "reck"), (4, "triangle"), (2.5, "reck")]
)
def test_bad_input(n, topology):
    with pytest.raises(InputError, match="n_modes|topology"):
        mesh_layout(n, topology)
