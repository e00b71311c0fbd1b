"""War durations (issue #11): the spiral events table read by hand, right-censoring at the
horizon, Kaplan–Meier against statsmodels' ``SurvfuncRight``, and the COW war data's durations
against dates read from the codebook's file."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import herz
from herz.analysis import (
    cow_war_durations,
    kaplan_meier,
    km_median,
    km_survival_at,
    war_durations,
)
from herz.errors import InputError

COLUMNS = ["run", "t", "year", "kind", "states", "who", "detail", "war", "side"]


def _events(rows: list[tuple[object, ...]], dt: float = 0.25) -> pd.DataFrame:
    """An events table as the spiral writes it, from (run, t, kind, states, detail, war, side)."""
    frame = pd.DataFrame(
        [
            (run, t, 1909 + dt * t, kind, states, states.split(",")[0], detail, war, side)
            for run, t, kind, states, detail, war, side in rows
        ],
        columns=COLUMNS,
    )
    frame["war"] = frame["war"].astype("Int64")
    frame["side"] = frame["side"].astype("Int64")
    return frame


def _hand_made() -> pd.DataFrame:
    return _events(
        [
            (0, 1, "crisis", "GMY,FRN", "endogenous, settled", None, None),
            (0, 2, "crisis", "AUH,SRB", "endogenous, war", 0, None),
            (0, 2, "war_start", "AUH,SRB", "deliberate", 0, 0),
            (0, 2, "join", "RUS,SRB", "ally", 0, 1),
            (0, 3, "join", "GMY,AUH", "ally", 0, 0),
            (0, 5, "exit", "SRB", "exhausted", 0, 1),
            (0, 5, "war_end", "", "won by side 0 after 3 steps", 0, 0),
            (0, 8, "war_start", "FRN,GMY", "pre-emptive", 1, 0),  # running at the horizon
            (0, 9, "alliance_formed", "FRN,RUS", "balancing", None, None),
            (1, 4, "war_start", "ITA,AUH", "deliberate", 0, 0),
            (1, 4, "war_end", "", "settled after 0 steps", 0, None),
            (1, 6, "war_start", "UKG,GMY", "deliberate", 1, 0),
            (1, 10, "war_end", "", "both sides out after 4 steps", 1, None),
        ]
    )


def test_durations_of_a_hand_made_events_table() -> None:
    wars = war_durations(_hand_made(), dt=0.25, steps=10)
    assert wars[["run", "war"]].to_numpy().tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert wars["start_t"].tolist() == [2, 8, 4, 6]
    assert wars["start_year"].tolist() == [1909.5, 1911.0, 1910.0, 1910.5]
    assert wars["end_t"].tolist() == [5, pd.NA, 4, 10]
    assert wars["duration_steps"].tolist() == [3, 2, 0, 4]
    assert wars["duration"].tolist() == [0.75, 0.5, 0.0, 1.0]
    assert wars["ended"].tolist() == [True, False, True, True]
    assert wars["outcome"].tolist() == ["won by side 0", "running", "settled", "both sides out"]
    assert wars["sides"].tolist() == ["AUH,GMY|RUS,SRB", "FRN|GMY", "ITA|AUH", "UKG|GMY"]
    assert wars["size"].tolist() == [4, 2, 2, 2]


def test_a_war_running_at_the_horizon_is_censored_there() -> None:
    """Censored at (steps − start) × dt: it fought every step to the horizon and went on."""
    events = _hand_made()
    for steps, expected in ((10, 0.5), (12, 1.0)):
        wars = war_durations(events, dt=0.25, steps=steps)
        running = wars[~wars["ended"]]
        assert running["duration"].tolist() == [expected]
        assert running["end_t"].isna().all()
    # the censored war is at risk, never an event: S drops only at the three ended wars
    wars = war_durations(events, dt=0.25, steps=10)
    km = kaplan_meier(wars["duration"], wars["ended"])
    assert km["time"].tolist() == [0.0, 0.75, 1.0]
    assert km["at_risk"].tolist() == [4, 2, 1]
    assert km["survival"].tolist() == pytest.approx([0.75, 0.375, 0.0])
    # with no ended war there is nothing to estimate
    only = war_durations(events[events["run"] == 0].iloc[:7], dt=0.25, steps=10)
    assert only["ended"].tolist() == [True]
    none = kaplan_meier([1.0, 2.0], [False, False])
    assert len(none) == 0 and math.isnan(km_median([1.0, 2.0], [False, False]))


def test_an_events_table_without_wars_gives_an_empty_table() -> None:
    events = _hand_made()
    quiet = events[~events["kind"].isin(["war_start", "join", "exit", "war_end"])]
    wars = war_durations(quiet, dt=1.0, steps=10)
    assert len(wars) == 0
    assert {"run", "war", "duration", "ended", "sides"} <= set(wars.columns)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e.drop(columns="detail"), "no column"),
        (lambda e: e[e["kind"] != "war_start"], "ends but never starts"),
        (lambda e: e.replace("settled after 0 steps", "settled"), "after K steps"),
        (lambda e: e.replace("won by side 0 after 3 steps", "won by side 0 after 2 steps"), "says"),
        (lambda e: pd.concat([e, e[e["kind"] == "war_end"]]), "more than one war_end"),
    ],
    ids=["column", "orphan end", "no duration", "wrong duration", "twice"],
)
def test_bad_events_tables_are_refused(
    change: Callable[[pd.DataFrame], pd.DataFrame], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        war_durations(change(_hand_made()), dt=0.25, steps=10)


def test_bad_horizon_and_step_are_refused() -> None:
    with pytest.raises(InputError, match="after the horizon"):
        war_durations(_hand_made(), dt=0.25, steps=7)
    with pytest.raises(InputError, match="positive"):
        war_durations(_hand_made(), dt=0.0, steps=10)


def test_the_spiral_wars_agree_with_its_outcomes() -> None:
    """Every war begun is read, and each run's first war has the outcomes' start and sides."""
    for scenario in ("europe-1914", "multipolar-20"):
        result = herz.simulate(scenario, model="spiral", runs=60, seed=7, keep="series")
        assert result.events is not None and result.outcomes is not None
        wars = war_durations(
            result.events, dt=result.scenario.time.step, steps=int(result.summary["steps"])
        )
        outcomes = result.outcomes.set_index("run")
        assert len(wars) == int(outcomes["n_wars"].sum()) > 0
        first = wars[wars["war"] == 0].set_index("run")
        assert first["start_t"].tolist() == outcomes.loc[first.index, "first_war_step"].tolist()
        assert first["sides"].tolist() == outcomes.loc[first.index, "first_war_sides"].tolist()
        assert first["size"].tolist() == outcomes.loc[first.index, "first_war_size"].tolist()
        step = result.scenario.time.step
        assert np.allclose(wars["duration"], wars["duration_steps"] * step)
        assert (wars["start_t"] + wars["duration_steps"] <= result.summary["steps"]).all()


durations = st.lists(
    st.tuples(st.integers(0, 12).map(lambda k: k / 4), st.booleans()), min_size=1, max_size=60
)


@settings(max_examples=200, deadline=None)
@given(data=durations)
def test_kaplan_meier_equals_statsmodels(data: list[tuple[float, bool]]) -> None:
    """Ties (a quarter grid), censoring, all censored, all ended: the same table and median."""
    from statsmodels.duration.survfunc import SurvfuncRight

    time = np.array([d for d, _ in data])
    ended = np.array([e for _, e in data])
    km = kaplan_meier(time, ended)
    if not ended.any():
        assert len(km) == 0 and math.isnan(km_median(time, ended))
        return
    ref = SurvfuncRight(time, ended.astype(float))
    assert km["time"].tolist() == ref.surv_times.tolist()
    assert km["at_risk"].tolist() == ref.n_risk.tolist()
    assert km["events"].tolist() == ref.n_events.tolist()
    np.testing.assert_allclose(km["survival"], ref.surv_prob, rtol=0, atol=1e-12)
    median = km_median(time, ended)
    if ended.all():  # nothing censored: the ordinary sample median
        assert median == pytest.approx(float(np.median(time)))
    if np.abs(ref.surv_prob - 0.5).min() > 1e-9:  # S never exactly 1/2: SAS's rule
        ref_median = ref.quantile(0.5)
        assert (math.isnan(median) and math.isnan(ref_median)) or median == ref_median


def test_km_median_by_hand_and_survival_between_events() -> None:
    # S: 1 → 3/4 at 1 → 1/2 at 2 → 0 at 4: S is 1/2 from 2 to 4, the median their midpoint
    time, ended = [1.0, 2.0, 3.0, 4.0], [True, True, False, True]
    assert km_median(time, ended) == 3.0
    assert km_median([1.0, 2.0, 3.0], [True, True, True]) == 2.0
    # S: 1 → 2/3 at 1 → 1/3 at 2: the first time S < 1/2
    assert km_median([1.0, 2.0, 5.0], [True, True, False]) == 2.0
    # S stays at 1/2 after the last event: undefined
    assert math.isnan(km_median([1.0, 2.0], [True, False]))
    km = kaplan_meier(time, ended)
    assert km_survival_at(km, [0.0, 0.99, 1.0, 2.5, 3.0, 4.0, 9.0]).tolist() == pytest.approx(
        [1.0, 1.0, 0.75, 0.5, 0.5, 0.0, 0.0]
    )
    with pytest.raises(InputError, match="non-negative"):
        kaplan_meier([-1.0], [True])
    with pytest.raises(InputError, match="ended flags"):
        kaplan_meier([1.0, 2.0], [True])


def _days(a: date, b: date) -> float:
    return ((b - a).days + 1) / 365.25


def test_cow_war_durations_from_the_codebook_dates() -> None:
    wars = cow_war_durations().set_index("warnum")
    assert len(wars) == 95 and wars["ended"].all()
    ww1 = wars.loc[106]
    assert ww1["duration"] == pytest.approx(_days(date(1914, 7, 29), date(1918, 11, 11)))
    assert ww1["participants"] == 15 and ww1["major_both_sides"] and not ww1["multi_phase"]
    # First Schleswig-Holstein: two phases with a truce between them
    fsh = wars.loc[13]
    assert fsh["duration"] == pytest.approx(_days(date(1848, 4, 10), date(1849, 7, 10)))
    assert fsh["active_duration"] == pytest.approx(
        _days(date(1848, 4, 10), date(1848, 8, 26)) + _days(date(1849, 3, 25), date(1849, 7, 10))
    )
    assert fsh["phases"] == 2 and fsh["multi_phase"]
    # World War II: France's two spells, but the war never paused
    ww2 = wars.loc[139]
    assert ww2["multi_phase"] and ww2["phases"] == 1
    assert ww2["active_duration"] == ww2["duration"]
    # the Football War (Honduras, El Salvador): no major power
    assert not wars.loc[wars["warname"] == "Football War", "major"].any()
    assert (wars["active_duration"] <= wars["duration"]).all()
    assert "Sarkees & Wayman" in " ".join(cow_war_durations().attrs["sources"])


def test_cow_participant_spells() -> None:
    spells = cow_war_durations("participant")
    assert len(spells) == 337 + 19  # every participant's first spell and the 19 second ones
    assert (spells["spell"] == 2).sum() == 19
    # Italy entered World War I in May 1915 as a major power; the USA in 1917 (major from 1898)
    ww1 = spells[spells["warnum"] == 106].set_index("stateabb")
    assert ww1.loc["ITA", "start"] == pd.Timestamp("1915-05-23")
    assert ww1.loc["ITA", "major"] and ww1.loc["USA", "major"] and not ww1.loc["BEL", "major"]
    with pytest.raises(InputError, match="level"):
        cow_war_durations("dyad")
