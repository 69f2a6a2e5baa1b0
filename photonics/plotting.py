"""Plots of meshes and matrices (matplotlib, imported lazily by the caller)."""

import matplotlib.pyplot as plt
import numpy as np


def plot_mesh(mesh, ax=None, annotate=True):
    """Draw ``mesh`` column by column: waveguides, MZIs coloured by ``theta``.

    Each MZI is a box spanning its two modes, coloured by its internal phase
    ``theta`` in [0, pi/2] and labelled with ``phi`` when ``annotate`` is set.

    Returns:
        The matplotlib ``Axes``.
    """
    layout = mesh.layout
    ax = (
        ax
        or plt.subplots(
            figsize=(max(4, 0.6 * layout.depth + 2), 0.5 * mesh.n_modes + 1)
        )[1]
    )
    theta, phi = np.asarray(mesh.theta), np.asarray(mesh.phi)
    for mode in range(mesh.n_modes):
        ax.plot([-0.5, layout.depth + 0.5], [mode, mode], color="0.6", lw=1, zorder=0)
    cmap = plt.get_cmap("viridis")
    for k, c, s in zip(layout.pairs, layout.columns, layout.slots, strict=True):
        colour = cmap(theta[c, s] / (np.pi / 2))
        ax.add_patch(plt.Rectangle((c - 0.35, k - 0.2), 0.7, 1.4, color=colour))
        if annotate and mesh.n_modes <= 16:
            ax.text(
                c, k + 0.5, f"{phi[c, s]:.1f}", ha="center", va="center", fontsize=6
            )
    ax.set_xlim(-0.8, layout.depth + 0.8)
    ax.set_ylim(mesh.n_modes - 0.5, -0.5)
    ax.set_xlabel("column")
    ax.set_ylabel("mode")
    ax.set_title(f"{mesh.topology} mesh, N = {mesh.n_modes}, depth {layout.depth}")
    mappable = plt.cm.ScalarMappable(cmap=cmap, norm=plt.Normalize(0, np.pi / 2))
    ax.figure.colorbar(mappable, ax=ax, label="theta (rad)")
    return ax


def plot_matrix_comparison(target, realised, titles=("target |U|", "realised |U|")):
    """Side-by-side ``|target|``, ``|realised|`` and their difference.

    Returns:
        The matplotlib ``Figure``.
    """
    target, realised = np.abs(np.asarray(target)), np.abs(np.asarray(realised))
    fig, axes = plt.subplots(1, 3, figsize=(11, 3.4))
    vmax = max(target.max(), realised.max())
    for ax, data, title in zip(axes[:2], (target, realised), titles, strict=True):
        image = ax.imshow(data, vmin=0, vmax=vmax, cmap="magma")
        ax.set_title(title)
    fig.colorbar(image, ax=axes[:2].tolist(), shrink=0.8)
    diff = axes[2].imshow(np.abs(realised - target), cmap="viridis")
    axes[2].set_title("||realised| - |target||")
    fig.colorbar(diff, ax=axes[2], shrink=0.8)
    return fig
