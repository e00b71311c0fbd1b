"""Result objects: tidy tables, files, plots, JSON."""

from __future__ import annotations

import numpy as np
import pytest

import herz
from herz.errors import InputError


def test_series_is_tidy_and_matches_the_kernel() -> None:
    result = herz.simulate("two-state", steps=6, runs=3, seed=2, noise=0.1)
    s = result.series
    assert s is not None
    assert list(s.columns) == ["run", "t", "year", "state", "military"]
    assert len(s) == 3 * 7 * 2
    assert s.groupby(["run", "t", "state"], observed=True).size().eq(1).all()
    from herz.models.richardson import coefficients_from_scenario

    system = coefficients_from_scenario(result.scenario)
    paths = system.simulate(6, runs=3, noise=0.1, seed=2)
    pivot = s.pivot_table(index=["run", "t"], columns="state", values="military", observed=True)
    assert np.array_equal(pivot[["A", "B"]].to_numpy(), paths.reshape(-1, 2))


def test_plot_returns_a_figure_with_one_line_per_state() -> None:
    from matplotlib.figure import Figure

    result = herz.simulate("europe-1909", steps=5, seed=0)
    fig = result.plot()
    assert isinstance(fig, Figure)
    lines = fig.axes[0].get_lines()
    assert [ln.get_label() for ln in lines] == result.scenario.ids
    assert np.allclose(lines[0].get_ydata(), result.series.query("state == 'UKG'")["military"])


def test_plot_defaults_to_the_models_first_variable_without_military() -> None:
    """The iterated game has no military: ``plot()`` draws its cooperation (it raised
    "the result has no series column 'military'")."""
    result = herz.simulate("two-state", model="iterated", runs=2, seed=1)
    fig = result.plot()
    assert "cooperation" in fig.axes[0].get_ylabel().lower() + fig.axes[0].get_title().lower()


def test_summary_only_keeps_no_series() -> None:
    result = herz.simulate("two-state", steps=5, runs=4, seed=0, keep="summary")
    assert result.series is None
    with pytest.raises(ValueError, match="no series"):
        result.plot()


def test_seed_is_drawn_and_recorded_when_absent() -> None:
    a = herz.simulate("two-state", steps=3, runs=2, noise=0.3)
    b = herz.simulate("two-state", steps=3, runs=2, noise=0.3, seed=a.seed)
    assert a.summary["seed"] == a.seed
    assert a.series is not None and b.series is not None
    assert a.series.equals(b.series)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"model": "nope"}, "unknown model"),
        ({"runs": 0}, "runs"),
        ({"steps": 0}, "steps"),
        ({"seed": -4}, "seed"),
        ({"keep": "everything"}, "keep"),
        ({"colour": "red"}, "no option 'colour'"),
    ],
)
def test_simulate_rejects_bad_arguments(kwargs: dict[str, object], needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        herz.simulate("two-state", **kwargs)  # type: ignore[arg-type]
