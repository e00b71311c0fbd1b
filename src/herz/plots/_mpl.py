"""The one place herz asks matplotlib for ``pyplot``: the non-GUI ``Agg`` backend is chosen
when no display is available, and matplotlib loads only when a figure is drawn. Also the
rules every figure of many states follows: the legend (:func:`state_legend`) and how many
states an axis labels (:data:`MAX_TICK_LABELS`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["MAX_LEGEND_STATES", "MAX_TICK_LABELS", "pyplot", "state_legend"]

#: The most states a figure names in its legend: above it, a legend of one line per state
#: would squash the plot, so the figure says how many states it draws instead.
MAX_LEGEND_STATES = 12
#: The most tick labels of states on one axis: with more states, every k-th state is labelled.
MAX_TICK_LABELS = 30


def pyplot() -> Any:
    """``matplotlib.pyplot``, with the ``Agg`` backend when there is no display."""
    import os

    import matplotlib

    if not os.environ.get("DISPLAY") and not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def state_legend(ax: Any, states: Sequence[str]) -> None:
    """The legend of ``ax``: one entry per state, in two columns above 4 states. Above
    :data:`MAX_LEGEND_STATES` states the states are left out (a note in the corner says how
    many lines there are) and only the other entries (observed points, shading) are shown."""
    n_states = len(states)
    if n_states <= MAX_LEGEND_STATES:
        ax.legend(ncol=2 if n_states > 4 else 1, fontsize="small", frameon=False)
        return
    names = {str(s) for s in states}
    handles, labels = ax.get_legend_handles_labels()
    others = [(h, lab) for h, lab in zip(handles, labels, strict=True) if lab not in names]
    if others:
        ax.legend(*zip(*others, strict=True), fontsize="small", frameon=False)
    ax.text(
        0.99,
        0.01,
        f"{n_states} states, one line each (no legend above {MAX_LEGEND_STATES} states)",
        transform=ax.transAxes,
        ha="right",
        va="bottom",
        fontsize="small",
        color="0.35",
    )
