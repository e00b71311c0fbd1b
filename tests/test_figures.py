"""Figures read right: the war timeline's scale, legends and labels with many states."""

from __future__ import annotations

from typing import Any

import matplotlib
import numpy as np
import pytest

import herz
from herz.models.spiral.figures import plot_war_timeline

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def test_war_timeline_of_a_run_without_war_shows_no_war() -> None:
    res = herz.simulate("two-state", model="spiral", runs=3, seed=7, keep="series")
    assert not res.series["at_war"].any()
    fig = plot_war_timeline(res)
    (image,) = fig.axes[0].get_images()
    assert image.get_clim() == (0.0, 1.0)
    # 0 states at war has the scale's lowest colour (near white), not its middle
    zero = image.to_rgba(np.array([[0.0]]))[0, 0]
    assert np.allclose(zero, image.cmap(0.0))
    ticks = fig.axes[1].get_yticks()
    assert list(ticks) == [0.0, 1.0]


def test_war_timeline_scale_runs_to_the_most_states_at_war() -> None:
    res = herz.simulate("multipolar-20", model="spiral", runs=5, seed=3, steps=40, keep="series")
    most = res.series.groupby(["run", "year"], observed=True)["at_war"].sum().max()
    assert most > 1
    fig = plot_war_timeline(res)
    (image,) = fig.axes[0].get_images()
    assert image.get_clim() == (0.0, float(most))
    ticks = fig.axes[1].get_yticks()
    assert all(float(t).is_integer() for t in ticks)
