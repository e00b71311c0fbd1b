"""Figures for the security games: tournament payoff heat maps and population-share curves.

matplotlib is imported inside each function (``import herz`` stays fast); the non-GUI ``Agg``
backend is chosen when no display is available.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from herz.plots._mpl import pyplot as _pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["payoff_heatmap", "shares_plot"]


def payoff_heatmap(
    matrix: NDArray[np.float64], players: Sequence[str], title: str, *, ax: Any = None
) -> Figure:
    """Heat map of a payoff matrix (row's mean payoff per turn against column), annotated."""
    plt = _pyplot()
    n = len(players)
    if ax is None:
        size = max(4.0, 0.55 * n + 2.0)
        fig, ax = plt.subplots(figsize=(size + 1.0, size), layout="constrained")
    else:
        fig = ax.figure
    im = ax.imshow(matrix, cmap="viridis", aspect="equal")
    ax.set_xticks(range(n), list(players), rotation=60, ha="right", fontsize="small")
    ax.set_yticks(range(n), list(players), fontsize="small")
    ax.set_xlabel("opponent")
    ax.set_ylabel("player")
    if n <= 20:
        mid = float(np.nanmean(matrix))
        for i in range(n):
            for j in range(n):
                v = float(matrix[i, j])
                ax.text(
                    j,
                    i,
                    f"{v:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="black" if v > mid else "white",
                )
    fig.colorbar(im, ax=ax, label="mean payoff per turn")
    ax.set_title(title, fontsize="medium")
    return fig  # type: ignore[no-any-return]


def shares_plot(
    shares: NDArray[np.float64], players: Sequence[str], title: str, *, ax: Any = None
) -> Figure:
    """Share of the population of each strategy (columns of ``shares``) over generations."""
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    else:
        fig = ax.figure
    gens = np.arange(shares.shape[0])
    for i, name in enumerate(players):
        ax.plot(gens, shares[:, i], label=name, lw=1.6)
    ax.set_xlabel("generation")
    ax.set_ylabel("share of population")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(title, fontsize="medium")
    ax.grid(alpha=0.3)
    ax.legend(ncol=2 if len(players) > 6 else 1, fontsize="small", frameon=False)
    return fig  # type: ignore[no-any-return]
