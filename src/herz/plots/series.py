"""Matplotlib figures used by the CLI, reports and notebooks.

matplotlib is imported inside each function (``import herz`` stays fast), and the non-GUI
``Agg`` backend is chosen when no display is available.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from herz.plots._mpl import pyplot as _pyplot
from herz.plots._mpl import state_legend

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from herz.results import Result

__all__ = ["plot_series"]


def plot_series(result: Result, variable: str = "military", *, ax: Any = None) -> Figure:
    """Ensemble mean of ``variable`` per state over time, with a 5–95 % band when runs > 1.

    Where the result carries observed values (``result.extra["observed"]``, put there by
    ``herz.history.observed.attach``), the ``military`` plot shows them as open points in
    each state's colour, each state's points one artist with ``gid`` ``observed:<state>``.
    """
    plt = _pyplot()
    series = result.series
    if series is None or variable not in series.columns:
        raise ValueError(f"the result has no series column {variable!r}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    else:
        fig = ax.figure
    grouped = series.groupby(["state", "year"], observed=True)[variable]
    stats = grouped.mean().to_frame("mean")
    stats["lo"] = grouped.quantile(0.05)
    stats["hi"] = grouped.quantile(0.95)
    runs = int(series["run"].nunique())
    observed = result.extra.get("observed") if variable == "military" else None
    points = (observed or {}).get("series", {})
    for state, frame in stats.groupby(level="state", observed=True, sort=False):
        years = frame.index.get_level_values("year")
        (line,) = ax.plot(years, frame["mean"], label=str(state), lw=1.8)
        if runs > 1:
            ax.fill_between(years, frame["lo"], frame["hi"], color=line.get_color(), alpha=0.15)
        dots = points.get(str(state))
        if dots and dots["years"]:
            ax.plot(
                dots["years"],
                dots["values"],
                ls="",
                marker="o",
                ms=5,
                mfc="none",
                mec=line.get_color(),
                color=line.get_color(),  # an explicit colour: the points do not use up the cycle
                label="_nolegend_",
                gid=f"observed:{state}",
            )
    if observed is not None and any(p.get("years") for p in points.values()):
        ax.plot([], [], ls="", marker="o", mfc="none", mec="0.3", label=str(observed["label"]))
        # the years after the record's last point: the model's alone, shaded so that a reader
        # does not take an extrapolation for a fit
        last = max(max(p["years"]) for p in points.values() if p.get("years"))
        end = float(series["year"].max())
        if end > last:
            ax.axvspan(
                last, end, color="0.92", zorder=0, lw=0, label="not compared with the record",
                gid="not-compared",
            )  # fmt: skip
    units = result.scenario.units.military if variable == "military" else ""
    ax.set_xlabel("year")
    ax.set_ylabel(f"{variable} ({units})" if units else variable)
    band = f", mean and 5–95% band of {runs} runs" if runs > 1 else ""
    ax.set_title(f"{result.scenario.name}: {result.model}{band}")
    ax.grid(alpha=0.3)
    state_legend(ax, [str(s) for s in series["state"].unique()])
    sources = [s.key for s in result.scenario.sources]
    if sources:
        fig.text(0.01, 0.005, "Sources: " + "; ".join(sources), fontsize=7, color="0.4")
    return fig  # type: ignore[no-any-return]
