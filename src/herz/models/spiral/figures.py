"""Figures of the spiral model: arms per state, tension and war, and a war timeline.

They are the model's ``figures(result)`` (see :class:`herz.models.Model`); matplotlib loads
only when one is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from herz.plots._mpl import pyplot as _pyplot
from herz.plots._mpl import state_legend

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from herz.results import Result

__all__ = ["plot_spiral_arms", "plot_spiral_tension", "plot_war_timeline"]


def _means(result: Result) -> Any:
    """Ensemble means per step and state: the model's ``extra["means"]`` (kept in every mode)."""
    means = result.extra.get("means")
    if means is None:
        raise ValueError("this result has no ensemble means (extra['means'])")
    return means


def plot_spiral_arms(result: Result, *, ax: Any = None) -> Figure:
    """Spiral model: ensemble-mean military stock per state over time."""
    plt = _pyplot()
    means = _means(result)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    else:
        fig = ax.figure
    for state, frame in means.groupby("state", observed=True, sort=False):
        ax.plot(frame["year"], frame["military"], label=str(state), lw=1.6)
    runs = result.summary.get("runs", 1)
    ax.set_xlabel("year")
    ax.set_ylabel(f"military ({result.scenario.units.military})")
    ax.set_title(f"{result.scenario.name}: arms per state, mean of {runs} runs")
    ax.grid(alpha=0.3)
    state_legend(ax, [str(s) for s in means["state"].unique()])
    return fig  # type: ignore[no-any-return]


def plot_spiral_tension(result: Result, *, ax: Any = None) -> Figure:
    """Spiral model: mean tension index and the share of states at war over time."""
    plt = _pyplot()
    means = _means(result)
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4), layout="constrained")
    else:
        fig = ax.figure
    per_t = means.groupby("year", sort=True).agg(
        tension=("tension", "first"), war=("at_war", "mean")
    )
    ax.plot(per_t.index, per_t["tension"], color="C3", lw=1.8, label="tension (mean μ·p)")
    ax.set_xlabel("year")
    ax.set_ylabel("tension")
    ax.grid(alpha=0.3)
    ax2 = ax.twinx()
    ax2.fill_between(per_t.index, per_t["war"], color="0.5", alpha=0.3, step="mid")
    ax2.set_ylabel("share of states at war", color="0.35")
    ax2.set_ylim(0, 1)
    ax.set_title(f"{result.scenario.name}: tension and war")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return fig  # type: ignore[no-any-return]


def plot_war_timeline(result: Result, *, max_runs: int = 40, ax: Any = None) -> Figure:
    """Spiral model: states at war per run and year (first ``max_runs`` runs), crises marked."""
    plt = _pyplot()
    import numpy as np

    series = result.series
    if series is None:
        raise ValueError("the war timeline needs the series (keep='series')")
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    else:
        fig = ax.figure
    runs = sorted(series["run"].unique())[:max_runs]
    sub = series[series["run"].isin(runs)]
    grid = sub.groupby(["run", "year"], observed=True)["at_war"].sum().unstack("year")
    years = grid.columns.to_numpy(dtype=float)
    step = float(years[1] - years[0]) if len(years) > 1 else 1.0
    extent = (years[0] - step / 2, years[-1] + step / 2, len(runs) - 0.5, -0.5)
    values = grid.to_numpy(dtype=float)
    # the scale runs from 0 (no state at war: white) to at least 1, so that a run without war
    # reads as none, and not as the middle of a scale around 0; the counts are whole numbers
    top = float(np.nanmax(values)) if values.size else 0.0
    image = ax.imshow(
        values,
        aspect="auto",
        cmap="Reds",
        extent=extent,
        vmin=0,
        vmax=max(1.0, top),
        interpolation="nearest",
    )
    from matplotlib.ticker import MaxNLocator

    bar = fig.colorbar(image, ax=ax, label="states at war")
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    events = result.events
    if events is not None and len(events):
        crises = events[(events["kind"] == "crisis") & events["run"].isin(runs)]
        pos = {r: k for k, r in enumerate(runs)}
        ax.scatter(
            crises["year"],
            crises["run"].map(pos),
            s=8,
            marker="x",
            color="k",
            lw=0.6,
            label="crisis",
        )
        ax.legend(loc="upper left", fontsize="small", frameon=True)
    ax.set_yticks(np.arange(len(runs))[:: max(1, len(runs) // 10)])
    ax.set_yticklabels([str(r) for r in runs][:: max(1, len(runs) // 10)])
    ax.set_xlabel("year")
    ax.set_ylabel("run")
    ax.set_title(f"{result.scenario.name}: war timeline (first {len(runs)} runs)")
    return fig  # type: ignore[no-any-return]
