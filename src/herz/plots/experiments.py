"""Figures for sweeps: phase diagrams over two parameters, and Sobol' sensitivity bars."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = ["plot_phase", "plot_sensitivity"]

_LABELS = {
    "world.offense_advantage": "offense advantage ω",
    "world.distinguishability": "distinguishability δ",
    "p_war": "P(war)",
    "mean_first_war_step": "mean step of first war",
    "mean_arms_growth": "mean arms growth (final / initial)",
    "mean_states_drawn_in": "mean states drawn in",
    "iterated.noise": "implementation noise ε",
    "iterated.misperception": "misperception μ",
    "mean_cooperation": "cooperation rate",
    "reassurance.prior": "prior that the sender is greedy μ0",
    "reassurance.size_noise": "misperception of signal size (σ)",
    "reassurance.signal_scale": "signal size (× the assumed sizes)",
    "reassurance.decline_rate": "rate of Soviet decline (per year)",
    "p_trusted": "P(trust reached)",
    "p_trusted_without_signals": "P(trust reached) without the signals",
    "p_ended_by_decline": "P(race ended by decline first)",
    "p_race_ended_without_signals": "P(race ended) without the signals",
}


def _label(name: str) -> str:
    return _LABELS.get(name, name)


def _axes(ax: Any) -> tuple[Figure, Any]:
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(6.4, 5.0), layout="constrained")
        return fig, ax
    return ax.figure, ax


def plot_phase(
    summary: pd.DataFrame,
    x: str,
    y: str,
    z: str = "p_war",
    *,
    ax: Any = None,
    annotate: bool | None = None,
    title: str | None = None,
) -> Figure:
    """A heat map of summary measure ``z`` over parameters ``x`` and ``y``.

    On a grid each cell is one (x, y) pair (``z`` averaged over any other varied parameter);
    on a sampled design the points are drawn as coloured dots. With ``annotate`` (default: for
    grids of at most 12 × 12 cells) each cell shows its value. P(war) uses a fixed 0–1 scale so
    that diagrams of different sweeps compare.
    """
    for name, role in ((x, "--x"), (y, "--y"), (z, "--z")):
        if name not in summary.columns:
            choices = ", ".join(str(c) for c in summary.columns if c != "point")
            raise InputError(
                f"{role}: no column {name!r} in the sweep summary (choose: {choices}).",
                field=role,
                value=name,
            )
    if x == y:
        raise InputError(f"--x and --y must differ, both are {x!r}.", field="--y", value=y)
    fig, ax = _axes(ax)
    data = summary[[x, y, z]].astype(float)
    xs = np.unique(data[x].to_numpy())
    ys = np.unique(data[y].to_numpy())
    bounded = z.startswith("p_")
    vmin, vmax = (0.0, 1.0) if bounded else (None, None)
    cmap = "magma_r" if bounded else "viridis"
    if len(xs) * len(ys) <= 4 * len(data):  # a grid (possibly averaged over other parameters)
        table = data.groupby([y, x])[z].mean().unstack(x).reindex(index=ys, columns=xs)
        grid = table.to_numpy(dtype=float)
        mesh = ax.pcolormesh(
            _edges(xs), _edges(ys), grid, cmap=cmap, vmin=vmin, vmax=vmax, shading="flat"
        )
        if annotate is None:
            annotate = len(xs) <= 12 and len(ys) <= 12
        if annotate:
            lo = np.nanmin(grid) if vmin is None else vmin
            hi = np.nanmax(grid) if vmax is None else vmax
            for i, yv in enumerate(ys):
                for j, xv in enumerate(xs):
                    v = grid[i, j]
                    if np.isfinite(v):
                        dark = (v - lo) / (hi - lo) > 0.55 if hi > lo else False
                        ax.text(
                            xv,
                            yv,
                            f"{v:.2f}",
                            ha="center",
                            va="center",
                            fontsize=8,
                            color="white" if dark == (cmap == "magma_r") else "black",
                        )
    else:
        mesh = ax.scatter(data[x], data[y], c=data[z], cmap=cmap, vmin=vmin, vmax=vmax, s=18)
    fig.colorbar(mesh, ax=ax, label=_label(z))
    ax.set_xlabel(_label(x))
    ax.set_ylabel(_label(y))
    if title:
        ax.set_title(title)
    return fig


def _edges(values: np.ndarray) -> np.ndarray:
    """Cell edges around sorted cell centres (midpoints; half a step beyond the ends)."""
    v = np.asarray(values, dtype=float)
    if v.size == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


def plot_sensitivity(indices: pd.DataFrame, *, ax: Any = None, title: str | None = None) -> Figure:
    """Bars of first-order (S1) and total (ST) Sobol' indices per parameter, with their
    bootstrap half-widths as error bars (as :func:`herz.analysis.sobol_indices` returns them)."""
    needed = {"parameter", "S1", "ST"}
    if not needed <= set(indices.columns):
        raise InputError("sensitivity bars need the columns parameter, S1 and ST.")
    fig, ax = _axes(ax)
    order = indices.sort_values("ST", ascending=False)
    pos = np.arange(len(order))
    width = 0.4
    ax.bar(
        pos - width / 2,
        order["S1"],
        width,
        yerr=order.get("S1_conf"),
        label="first order S1",
        color="#4c72b0",
        capsize=3,
    )
    ax.bar(
        pos + width / 2,
        order["ST"],
        width,
        yerr=order.get("ST_conf"),
        label="total ST",
        color="#dd8452",
        capsize=3,
    )
    ax.set_xticks(pos, [_label(p) for p in order["parameter"]], rotation=20, ha="right")
    ax.set_ylabel("Sobol' index")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.legend()
    if title:
        ax.set_title(title)
    return fig
