"""herz.forecast: the spiral's forecasts of crises and wars by dyad, out of sample (issue #12).

Forecasts depend only on (seed, origin, draw); the world of origin Y holds nothing from Y or
later; a forced war goes to ~1 and no crises to ½/(n + 1); forecasts align with the panel.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import herz.history.datasets as datasets
from herz.calibration import Posterior
from herz.errors import InputError
from herz.forecast import (
    DEFAULTS_LABEL,
    check_posterior,
    default_posterior,
    forecast_origins,
    forecast_panel,
    origin_counts,
    posterior_label,
    posterior_years,
)
from herz.history.backtest import build_panel, run_backtest
from herz.history.from_history import scenario_known_at
from herz.history.scoring import ensemble_probability

COUNTS = ["runs", "crisis", "fought", "mid", "mid4", "war"]


def spread(k: int = 40) -> Posterior:
    """A posterior whose particles differ (so no two draws are simulated together)."""
    rng = np.random.default_rng(0)
    particles = np.column_stack([rng.uniform(1.0, 5.0, k), rng.uniform(0.0, 0.2, k)])
    return Posterior(
        "spiral",
        ("spiral.crisis_rate", "spiral.war_cost"),
        particles,
        np.ones(k),
        {"years": [1816, 1899]},
    )


@pytest.fixture(scope="module")
def panel() -> Any:
    return build_panel("1816:1899", "1900:1913", 5)


def test_counts_depend_only_on_seed_origin_and_draw() -> None:
    draws = spread().sample(12, [5, 1])
    whole = origin_counts(1905, 5, draws, seed=5)
    assert whole["mid"].sum() > 0  # the check below compares something
    # the same draws in two chunks: the runs of each draw are the same runs
    first = origin_counts(1905, 5, draws[:7], seed=5)
    rest = origin_counts(1905, 5, draws[7:], seed=5, draw_offset=7)
    split = first[COUNTS[1:]] + rest[COUNTS[1:]]
    pd.testing.assert_frame_equal(split, whole[COUNTS[1:]])
    # equal draws simulated in one call or one call per draw: the same runs
    same = [{"spiral.crisis_rate": 3.0}] * 9
    grouped = origin_counts(1905, 5, same, seed=5, runs_per_draw=2)
    single = origin_counts(1905, 5, same, seed=5, runs_per_draw=2, group=False)
    pd.testing.assert_frame_equal(grouped, single)
    assert not origin_counts(1905, 5, same, seed=6, runs_per_draw=2).equals(grouped)


def test_origins_are_independent_of_each_other_order_and_workers() -> None:
    post = spread()
    both = forecast_origins([1905, 1910], 5, posterior=post, draws=6, seed=3)
    alone = forecast_origins([1910], 5, posterior=post, draws=6, seed=3)
    reverse = forecast_origins([1910, 1905], 5, posterior=post, draws=6, seed=3)
    pd.testing.assert_frame_equal(both.counts.loc[[1910]], alone.counts)
    pd.testing.assert_frame_equal(both.counts, reverse.counts.sort_index())
    parallel = forecast_origins([1905, 1910], 5, posterior=post, draws=6, seed=3, workers=2)
    pd.testing.assert_frame_equal(both.counts, parallel.counts)


def test_the_world_of_an_origin_holds_nothing_from_that_year_or_later(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the Anglo-Japanese alliance began in 1902: unknown at the start of 1902
    members = [set(a.members) for a in scenario_known_at(1902).alliances]
    assert {"UKG", "JPN"} not in members
    assert {"UKG", "JPN"} in [set(a.members) for a in scenario_known_at(1903).alliances]
    seen = forecast_origins([1902], 5, posterior=spread(), draws=5, seed=2)
    # the same forecast from NMC and ATOP cut off before 1902
    load = datasets.load

    def before_1902(name: str, *args: Any, **kwargs: Any) -> Any:
        frame = load(name, *args, **kwargs)
        if name in ("nmc", "atop") and "year" in frame.columns:
            frame = frame[frame["year"] < 1902]
        return frame

    monkeypatch.setattr(datasets, "load", before_1902)
    cut = forecast_origins([1902], 5, posterior=spread(), draws=5, seed=2)
    pd.testing.assert_frame_equal(seen.counts, cut.counts)


def test_a_forced_war_goes_to_one_and_no_crises_to_half_over_n_plus_one() -> None:
    n = 200
    forced = Posterior.point(
        "spiral",
        {
            "spiral.crisis_base": 100.0,  # a crisis every step
            "spiral.war_cost": 0.0,  # war costs nothing
            "world.offense_advantage": 1.0,  # striking first pays
            "spiral.prior_greedy": 0.9,  # and each fears the other strikes
        },
        years=[1816, 1899],
    )
    fc = forecast_origins([1900], 5, states="FRN,GMY", posterior=forced, draws=n, seed=1)
    for target in ("mid", "mid4", "war"):
        assert fc.probabilities(target).iloc[0] == pytest.approx((n + 0.5) / (n + 1))
    calm = Posterior.point(
        "spiral", {"spiral.crisis_rate": 0.0, "spiral.crisis_base": 0.0}, years=[1816, 1899]
    )
    fc = forecast_origins([1900, 1910], 5, posterior=calm, draws=n, seed=1)
    for target in ("mid", "mid4", "war"):
        p = fc.probabilities(target)
        assert len(p) == 2 * 28
        assert np.all(p == 0.5 / (n + 1))


def test_forecasts_align_with_the_panel(panel: Any) -> None:
    fc = forecast_panel(panel, draws=30, seed=4)
    assert fc.posterior == DEFAULTS_LABEL
    assert any("geography off" in note for note in fc.notes)
    test = panel.test
    for target in ("mid", "mid4", "war"):
        p = fc(test, target)
        assert p.shape == (len(test),)
        keys = zip(test["origin"], test["ccode1"], test["ccode2"], strict=True)
        counts = fc.counts.loc[list(keys)]
        assert np.array_equal(p, ensemble_probability(counts[target], counts["runs"]))
        assert list(counts["stateabb1"]) == list(test["stateabb1"])
        shuffled = test.sample(frac=1.0, random_state=0)
        assert np.array_equal(fc(shuffled, target), pd.Series(p, test.index)[shuffled.index])
    result = run_backtest(
        panel=panel, forecasts={"spiral": fc}, about={"spiral": fc.describe()}, n_boot=0
    )
    rows = result.forecasts[result.forecasts["forecaster"] == "spiral"]
    assert np.array_equal(rows[rows["target"] == "war"]["p"].to_numpy(), fc(test, "war"))
    assert result.summary()["models"]["spiral"]["posterior"] == DEFAULTS_LABEL
    assert "spiral: posterior defaults (uncalibrated)" in result.to_markdown()
    stranger = test.head(1).assign(ccode2=999)
    with pytest.raises(InputError, match="no window for origin 1900"):
        fc(stranger, "mid")


def test_posterior_checks() -> None:
    test = (1900, 1913)
    for years in ([1816, 1899], "1816:1899", {"start": 1816, "end": 1899}):
        post = Posterior.point("spiral", {"spiral.tolerance": 0.3}, years=years)
        assert posterior_years(post) == (1816, 1899)
        check_posterior(post, "spiral", test)
    late = Posterior.point("spiral", {"spiral.tolerance": 0.3}, years=[1816, 1905])
    with pytest.raises(InputError, match="calibrated on 1816:1905, which does not end before"):
        check_posterior(late, "spiral", test)
    with pytest.raises(InputError, match="records no training years"):
        check_posterior(Posterior.point("spiral", {"spiral.tolerance": 0.3}), "spiral", test)
    with pytest.raises(InputError, match="for model 'richardson'"):
        check_posterior(Posterior.point("richardson", {}, years=[1, 2]), "spiral", test)
    with pytest.raises(InputError, match="draws: must be a whole number >= 1"):
        forecast_origins([1900], 5, draws=0)
    with pytest.raises(InputError, match="model: only spiral"):
        forecast_origins([1900], 5, model="richardson")


def test_the_default_posterior_is_the_shipped_file_if_there_is_one(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import herz.calibration as calibration

    path = tmp_path / "spiral-1816-1899.json"
    asked: list[tuple[str, str]] = []

    def shipped(model: str, years: str) -> Any:
        asked.append((model, years))
        return path

    monkeypatch.setattr(calibration, "shipped_posterior_path", shipped, raising=False)
    assert default_posterior("spiral", (1816, 1899)).meta["label"] == DEFAULTS_LABEL
    assert asked == [("spiral", "1816:1899")]
    # what the calibration held fixed is held fixed in the forecast too
    Posterior(
        "spiral",
        ("spiral.tolerance",),
        np.array([[0.2], [0.4]]),
        np.ones(2),
        {"years": [1816, 1899], "fixed": {"spiral.crisis_rate": 0.0}},
    ).save(path)
    post = default_posterior("spiral", (1816, 1899))
    assert posterior_label(post).startswith("shipped spiral 1816:1899")
    fc = forecast_origins([1905], 5, posterior=post, draws=10, seed=1)
    assert fc.counts["mid"].sum() == 0  # crisis_rate 0 and crisis_base 0 (its default)
    assert any("spiral.crisis_rate = 0.0" in note for note in fc.notes)


def test_a_panel_pair_the_world_lacks_is_refused_by_name() -> None:
    # Germany has no NMC values for 1990, so the world known at 1991 leaves it out
    panel = build_panel("1816:1899", "1991:1991", 5, targets=("mid",))
    with pytest.raises(InputError, match=r"the world known at 1991 has no .*GMY"):
        forecast_panel(panel, draws=2, seed=1)


def test_geography_is_switched_off_visibly_and_changes_nothing_without_capitals() -> None:
    world = scenario_known_at(1905, steps=5)
    assert all(s.capital is None for s in world.states)
    draws = [{"spiral.crisis_rate": 3.0}] * 50
    off = origin_counts(1905, 5, draws, seed=1, scenario=world)  # switched off (no capitals)
    on = [{**d, "spiral.mechanisms.geography": True} for d in draws]  # the draw's value wins
    assert off["mid"].sum() > 0
    pd.testing.assert_frame_equal(off, origin_counts(1905, 5, on, seed=1, scenario=world))
