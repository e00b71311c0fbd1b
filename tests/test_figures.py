"""Figures read right: the war timeline's scale, legends and labels with many states."""

from __future__ import annotations

import itertools
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


def _many(n: int) -> Any:
    doc = herz.load_scenario("two-state").to_dict()
    first = doc["states"][0]
    doc["name"] = f"many-{n}"
    doc["states"] = [
        {**first, "id": f"S{i:03d}", "name": f"State {i}", "capital": None} for i in range(n)
    ]
    return herz.Scenario.model_validate(doc)


@pytest.fixture(scope="module")
def many60() -> Any:
    return _many(60)


@pytest.mark.parametrize("model", ["richardson", "spiral"])
def test_above_the_limit_no_state_legend_and_a_note(many60: Any, model: str) -> None:
    from herz.models import get_model
    from herz.plots._mpl import MAX_LEGEND_STATES

    res = herz.simulate(many60, model=model, runs=2, steps=5, seed=1, keep="series")
    figs = get_model(model).figures(res)
    fig = figs["military.png" if model == "richardson" else "arms.png"]
    ax = fig.axes[0]
    assert ax.get_legend() is None
    notes = [t.get_text() for t in ax.texts]
    assert any(f"no legend above {MAX_LEGEND_STATES} states" in t for t in notes), notes


@pytest.mark.parametrize("model", ["richardson", "spiral"])
def test_up_to_the_limit_every_state_is_in_the_legend(model: str) -> None:
    from herz.models import get_model
    from herz.plots._mpl import MAX_LEGEND_STATES

    sc = _many(MAX_LEGEND_STATES)
    res = herz.simulate(sc, model=model, runs=2, steps=5, seed=1, keep="series")
    figs = get_model(model).figures(res)
    fig = figs["military.png" if model == "richardson" else "arms.png"]
    legend = fig.axes[0].get_legend()
    assert legend is not None and len(legend.get_texts()) == MAX_LEGEND_STATES


def test_iterated_scores_labels_do_not_overlap(many60: Any) -> None:
    from herz.models.iterated.model import plot_scores
    from herz.plots._mpl import MAX_TICK_LABELS

    res = herz.simulate(many60, model="iterated", runs=2, steps=5, seed=1, keep="summary")
    fig = plot_scores(res)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for ax in fig.axes:
        labels = [t for t in ax.get_xticklabels() if t.get_text()]
        assert 0 < len(labels) <= MAX_TICK_LABELS
        boxes = [t.get_window_extent(renderer) for t in labels]
        for a, b in itertools.pairwise(boxes):
            assert not a.overlaps(b), (a, b)


def test_figure_to_png_does_not_pass_on_the_layout_warning() -> None:
    import warnings

    import matplotlib.pyplot as plt

    from herz.report import figure_to_png

    fig, ax = plt.subplots(figsize=(3, 2), layout="constrained")
    for i in range(200):
        ax.plot([0, 1], [i, i], label=f"a long label for line {i}")
    ax.legend(ncol=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = figure_to_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
