"""The backtest against independent truths.

- climatology and the event counts recomputed by hand from the raw shipped CSVs (plain pandas,
  not herz's loaders); the training wars read off the COW list by name;
- Brier, log loss and AUC against closed forms and ``scipy.stats.mannwhitneyu``; the bootstrap's
  year-aggregated scores against scoring each resample's windows directly;
- the logit against a direct statsmodels formula fit;
- no leakage: outcomes after the training window's end and alliances or capabilities of the
  origin year itself change nothing in what a forecast sees;
- the bootstrap reproducible for a seed, its intervals covering the point estimates.
"""

from __future__ import annotations

from importlib import resources
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import mannwhitneyu

from herz.errors import InputError
from herz.history import scoring
from herz.history.backtest import (
    HistoryData,
    build_panel,
    check_split,
    fit_baselines,
    run_backtest,
)

DATA = Path(str(resources.files("herz.history") / "data"))


@pytest.fixture(scope="module")
def data() -> HistoryData:
    return HistoryData.shipped()


@pytest.fixture(scope="module")
def result(data: HistoryData):  # type: ignore[no-untyped-def]
    return run_backtest("1816:1899", "1900:1913", 5, n_boot=300, seed=7, data=data)


# --- climatology by hand -----------------------------------------------------------------------


def _by_hand(origins: range, horizon: int, min_host: int) -> tuple[int, int]:
    """Events and windows: majors from majors2016.csv, onsets from the MID dyad-year file."""
    majors = pd.read_csv(DATA / "majors2016.csv")
    mid = pd.read_csv(DATA / "cow_mid5_dyad_year_via_peacesciencer.csv.gz")
    onset = mid[(mid["cowmidonset"] == 1) & (mid[["hostlev1", "hostlev2"]].max(axis=1) >= min_host)]
    years_of = {}
    for a, b, year in zip(onset["ccode1"], onset["ccode2"], onset["year"], strict=True):
        years_of.setdefault(frozenset((a, b)), set()).add(year)
    events = windows = 0
    for y in origins:
        now = majors[(majors["styear"] <= y) & (majors["endyear"] >= y)]["ccode"]
        for a, b in combinations(sorted(set(now)), 2):
            windows += 1
            hits = years_of.get(frozenset((a, b)), set())
            events += any(y <= t < y + horizon for t in hits)
    return events, windows


@pytest.mark.parametrize(("target", "min_host"), [("mid", 1), ("mid4", 4)])
def test_climatology_equals_a_count_by_hand(result, target: str, min_host: int) -> None:  # type: ignore[no-untyped-def]
    # train 1816:1899, H = 5: origins 1817 (Y-1 in NMC) to 1895 (1895 + 4 = 1899)
    events, windows = _by_hand(range(1817, 1896), 5, min_host)
    clim = result.baselines[target]["climatology"]
    assert (clim["events"], clim["windows"]) == (events, windows)
    assert clim["rate"] == pytest.approx(events / windows, abs=1e-15)
    test_events, test_windows = _by_hand(range(1900, 1914), 5, min_host)
    row = result.table().query("target == @target and forecaster == 'climatology'").iloc[0]
    assert (row["events"], row["windows"]) == (test_events, test_windows)


def test_training_wars_are_the_six_dyads_of_the_cow_list(result) -> None:  # type: ignore[no-untyped-def]
    # Crimean (UKG, FRN v RUS 1854), Italian Unification (FRN v AUH 1859), Seven Weeks (GMY, ITA
    # v AUH 1866), Franco-Prussian (FRN v GMY 1870): each onset in the 5 windows Y = onset-4..onset
    wars = pd.read_csv(DATA / "Inter-StateWarData_v4.0.csv")
    names = set(wars["WarName"])
    assert {"Crimean", "Italian Unification", "Seven Weeks", "Franco-Prussian"} <= names
    onsets = {(200, 365): 1854, (220, 365): 1854, (220, 300): 1859, (255, 300): 1866,
              (300, 325): 1866, (220, 255): 1870}  # fmt: skip
    train = result.panel.train
    hits = train[train["war"] == 1]
    assert len(hits) == 30
    for row in hits.itertuples():
        onset = onsets[(row.ccode1, row.ccode2)]
        assert onset - 4 <= row.origin <= onset


# --- scores against closed forms and scipy -------------------------------------------------


def test_scores_against_closed_forms() -> None:
    p = np.array([0.9, 0.2, 0.5, 0.0])
    y = np.array([1, 0, 1, 0])
    assert scoring.brier_score(p, y) == pytest.approx((0.01 + 0.04 + 0.25 + 0) / 4)
    expected = -(np.log(0.9) + np.log(0.8) + np.log(0.5) + np.log(1 - 1e-15)) / 4
    assert scoring.log_loss(p, y) == pytest.approx(expected)
    assert scoring.log_loss([0.0], [1]) == pytest.approx(-np.log(1e-15))  # clipped, finite
    assert scoring.brier_skill_score(p, y, np.full(4, 0.5)) == pytest.approx(1 - 0.075 / 0.25)
    assert np.isnan(scoring.roc_auc([0.2, 0.3], [1, 1]))
    assert scoring.roc_auc([0.1, 0.9], [0, 1]) == 1.0
    assert scoring.roc_auc([0.5, 0.5, 0.5], [0, 1, 0]) == 0.5


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.75, 1.0]), st.integers(0, 1)),
        min_size=2,
        max_size=60,
    ).filter(lambda rows: 0 < sum(r[1] for r in rows) < len(rows))
)
def test_auc_is_mann_whitney_u(rows: list[tuple[float, int]]) -> None:
    p = np.array([r[0] for r in rows])
    y = np.array([r[1] for r in rows])
    pos, neg = p[y == 1], p[y == 0]
    u = mannwhitneyu(pos, neg, alternative="two-sided").statistic
    assert scoring.roc_auc(p, y) == pytest.approx(u / (pos.size * neg.size), abs=1e-12)


def test_ensemble_probability_is_k_plus_half_over_n_plus_one() -> None:
    k = np.array([0, 1, 7, 20])
    assert scoring.ensemble_probability(k, 20) == pytest.approx((k + 0.5) / 21)
    p = scoring.ensemble_probability([0, 20], [20, 20])
    assert np.isfinite(scoring.log_loss(p, [1, 0]))
    with pytest.raises(ValueError, match="k <= n"):
        scoring.ensemble_probability(3, 2)


def test_moving_blocks_are_runs_of_consecutive_years() -> None:
    rng = np.random.default_rng(np.random.SeedSequence(1))
    idx = scoring.moving_block_indices(14, 5, 200, rng)
    assert idx.shape == (200, 14)
    assert idx.min() >= 0 and idx.max() <= 13
    for row in idx:
        for start in (0, 5, 10):
            block = row[start : start + 5]
            assert np.all(np.diff(block) == 1)
    one = scoring.moving_block_indices(3, 5, 4, rng)  # block capped at n: the series itself
    assert (one == np.arange(3)).all()


def test_bootstrap_scores_equal_scores_of_the_resampled_windows() -> None:
    rng = np.random.default_rng(0)
    n_years, per_year = 9, 7
    years = np.repeat(np.arange(n_years), per_year)
    y = (rng.random(years.size) < 0.3).astype(float)
    P = np.column_stack([rng.random(years.size), np.round(rng.random(years.size), 1)])
    scorer = scoring.BootstrapScores(P, y, years, n_years)
    point = scorer.point()
    for j in range(2):
        assert point["brier"][j] == pytest.approx(scoring.brier_score(P[:, j], y))
        assert point["log_loss"][j] == pytest.approx(scoring.log_loss(P[:, j], y))
        assert point["auc"][j] == pytest.approx(scoring.roc_auc(P[:, j], y))
    index = scoring.moving_block_indices(n_years, 3, 25, rng)
    reps = scorer.resampled(index)
    for r, chosen in enumerate(index):
        rows = np.concatenate([np.flatnonzero(years == t) for t in chosen])
        for j in range(2):
            pj, yj = P[rows, j], y[rows]
            assert reps["brier"][r, j] == pytest.approx(scoring.brier_score(pj, yj))
            assert reps["log_loss"][r, j] == pytest.approx(scoring.log_loss(pj, yj))
            if 0 < yj.sum() < yj.size:
                assert reps["auc"][r, j] == pytest.approx(scoring.roc_auc(pj, yj))


def test_reliability_counts_add_up(result) -> None:  # type: ignore[no-untyped-def]
    rel = result.reliability()
    per = rel.groupby(["target", "forecaster"])["n"].sum()
    assert (per == len(result.panel.test)).all()
    clim = rel.query("target == 'mid' and forecaster == 'climatology' and n > 0")
    assert len(clim) == 1
    assert clim["observed"].iloc[0] == pytest.approx(result.panel.test["mid"].mean())


# --- the logit -----------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["mid", "mid4"])
def test_logit_equals_a_direct_formula_fit(result, target: str) -> None:  # type: ignore[no-untyped-def]
    train = result.panel.train
    direct = smf.logit(
        f"{target} ~ log_cap_ratio + alliance + peace_years + I(peace_years**2)"
        " + I(peace_years**3)",
        data=train,
    ).fit(disp=0)
    ours = result.baselines[target]["logit"]["coefficients"]
    theirs = dict(
        zip(["const", "log_cap_ratio", "alliance", "t", "t2", "t3"], direct.params, strict=True)
    )
    for name, value in theirs.items():
        assert ours[name] == pytest.approx(value, rel=1e-5, abs=1e-10)


def test_persistence_rates_are_the_conditional_training_rates(result) -> None:  # type: ignore[no-untyped-def]
    train = result.panel.train
    fitted = result.baselines["mid"]["persistence"]
    recent = train["recent_dispute"] == 1
    assert fitted["rate_recent"] == pytest.approx(train.loc[recent, "mid"].mean())
    assert fitted["rate_quiet"] == pytest.approx(train.loc[~recent, "mid"].mean())


# --- what is known at Y -----------------------------------------------------------------------


def _without_after(data: HistoryData, last: int) -> HistoryData:
    mid = data.mid_dyads[data.mid_dyads["year"] <= last]
    wars = data.wars[data.wars["startyear1"] <= last]
    return HistoryData(data.majors, mid, wars, data.atop, data.nmc)


def test_outcomes_after_the_training_end_change_nothing(data: HistoryData) -> None:
    base = build_panel("1816:1899", "1900:1913", 5, data=data)
    # every MID and war after 1899 deleted, then one fake MID onset in 1900 added
    cut = _without_after(data, 1899)
    fake = cut.mid_dyads.iloc[:1].copy()
    fake[["ccode1", "ccode2", "year", "cowmidonset", "hostlev1", "hostlev2"]] = [
        200, 255, 1900, 1, 5, 5,
    ]  # fmt: skip
    moved = HistoryData(
        data.majors, pd.concat([cut.mid_dyads, fake]), cut.wars, data.atop, data.nmc
    )
    other = build_panel("1816:1899", "1900:1913", 5, data=moved)
    pd.testing.assert_frame_equal(base.train, other.train)
    for target in ("mid", "mid4", "war"):
        a = {k: v.describe() for k, v in fit_baselines(base.train, target).items()}
        b = {k: v.describe() for k, v in fit_baselines(other.train, target).items()}
        assert a == b
    # the test panel's covariates are still the same (they use years before each origin) ...
    covariates = ["log_cap_ratio", "alliance", "peace_years"]
    first = base.test["origin"] == 1900
    pd.testing.assert_frame_equal(
        base.test.loc[first, covariates], other.test.loc[first, covariates]
    )
    # ... but its outcomes did change, so the edit was seen where it should be
    assert not base.test["mid"].equals(other.test["mid"])


@settings(max_examples=8, deadline=None)
@given(st.integers(1830, 1905), st.integers(1, 8))
def test_a_training_panel_never_reads_past_its_end(
    data: HistoryData, end: int, horizon: int
) -> None:
    panel = build_panel(f"1816:{end}", f"{end + 1}:{end + 2}", horizon, data=data)
    assert panel.train["window_end"].max() <= end
    cut = build_panel(
        f"1816:{end}", f"{end + 1}:{end + 2}", horizon, data=_without_after(data, end)
    )
    pd.testing.assert_frame_equal(panel.train, cut.train)


def test_an_alliance_is_seen_from_the_origin_after_its_first_year(data: HistoryData) -> None:
    # UKG-FRN (200, 220): drop their real ATOP spells, add one that begins in 1905
    atop = data.atop[~((data.atop["ccode1"] == 200) & (data.atop["ccode2"] == 220))]
    spell = atop.iloc[:1].copy()
    spell[["ccode1", "ccode2", "styear", "endyear", "atop_defense"]] = [200, 220, 1905, 1913, 1]
    edited = HistoryData(data.majors, data.mid_dyads, data.wars, pd.concat([atop, spell]), data.nmc)
    test = build_panel("1816:1899", "1900:1913", 5, data=edited).test
    dyad = test[(test["ccode1"] == 200) & (test["ccode2"] == 220)].set_index("origin")
    assert dyad.loc[1905, "alliance"] == 0  # in force from 1905: unknown at the start of 1905
    assert dyad.loc[1906, "alliance"] == 1


def test_capabilities_come_from_the_year_before(data: HistoryData) -> None:
    nmc = data.nmc.copy()
    nmc["cinc"] = nmc["cinc"].astype("Float64")
    nmc.loc[nmc["year"] == 1905, "cinc"] = 1e-6  # a wild value in the origin year itself
    edited = HistoryData(data.majors, data.mid_dyads, data.wars, data.atop, nmc)
    base = build_panel(data=data).test.set_index(["origin", "ccode1", "ccode2"])
    other = build_panel(data=edited).test.set_index(["origin", "ccode1", "ccode2"])
    assert base.loc[1905, "log_cap_ratio"].equals(other.loc[1905, "log_cap_ratio"])
    assert not base.loc[1906, "log_cap_ratio"].equals(other.loc[1906, "log_cap_ratio"])
    # and it is log(stronger / weaker) of NMC's CINC in Y - 1
    raw = pd.read_csv(DATA / "NMC-70-abridged_via_peacesciencer.csv.gz").set_index(
        ["ccode", "year"]
    )
    a, b = raw.loc[(200, 1904), "cinc"], raw.loc[(255, 1904), "cinc"]
    assert base.loc[(1905, 200, 255), "log_cap_ratio"] == pytest.approx(
        np.log(max(a, b) / min(a, b))
    )


# --- bootstrap ---------------------------------------------------------------------------------


def test_bootstrap_is_reproducible_and_covers_the_point(data: HistoryData, result) -> None:  # type: ignore[no-untyped-def]
    again = run_backtest("1816:1899", "1900:1913", 5, n_boot=300, seed=7, data=data)
    pd.testing.assert_frame_equal(result.scores, again.scores)
    other = run_backtest("1816:1899", "1900:1913", 5, n_boot=300, seed=8, panel=result.panel)
    assert not result.scores["lo"].equals(other.scores["lo"])
    s = result.scores
    assert (s["lo"] <= s["value"] + 1e-12).all() and (s["value"] <= s["hi"] + 1e-12).all()
    d = s[(s["score"] != "bss") & (s["forecaster"] != "climatology")]
    assert (d["diff_lo"] <= d["diff"] + 1e-12).all() and (d["diff"] <= d["diff_hi"] + 1e-12).all()
    assert result.seed == 7
    assert result.to_json() == again.to_json()


# --- other forecasters, splits, errors ------------------------------------------------------------


def test_a_named_forecast_is_scored_on_the_same_windows(result) -> None:  # type: ignore[no-untyped-def]
    test = result.panel.test
    oracle = 0.02 + 0.96 * test["mid"].to_numpy()
    shuffled = pd.Series(
        oracle, index=pd.MultiIndex.from_frame(test[["origin", "ccode1", "ccode2"]])
    ).sample(frac=1.0, random_state=1)
    out = run_backtest(
        panel=result.panel,
        targets="mid",
        forecasts={"oracle": oracle, "same": shuffled},
        n_boot=50,
        seed=1,
    )
    table = out.table().set_index("forecaster")
    assert list(table.index) == ["climatology", "persistence", "logit", "oracle", "same"]
    assert table.loc["oracle", "auc"] == 1.0
    assert table.loc["oracle", "brier"] == pytest.approx(0.02**2)
    assert table.loc["oracle", "bss"] > 0.99
    numbers = table.columns.drop("target")
    np.testing.assert_allclose(
        table.loc["same", numbers].astype(float), table.loc["oracle", numbers].astype(float)
    )
    # ensemble frequencies through (k + 1/2) / (n + 1), as a function of the panel
    ens = run_backtest(
        panel=result.panel,
        targets=("mid", "war"),
        forecasts={"ens": lambda frame, target: scoring.ensemble_probability(
            frame[target].to_numpy() * 10, 10)},
        n_boot=20,
        seed=1,
    )  # fmt: skip
    assert np.isfinite(ens.table()["log_loss"]).all()
    with pytest.raises(InputError, match="expected one per test window"):
        run_backtest(panel=result.panel, targets="mid", forecasts={"x": oracle[:-1]}, n_boot=0)
    with pytest.raises(InputError, match="one vector for several targets"):
        run_backtest(panel=result.panel, forecasts={"x": oracle}, n_boot=0)
    with pytest.raises(InputError, match="baseline"):
        run_backtest(panel=result.panel, targets="mid", forecasts={"logit": oracle}, n_boot=0)
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        run_backtest(panel=result.panel, targets="mid", forecasts={"x": oracle + 1}, n_boot=0)


def test_interwar_split_runs(data: HistoryData) -> None:
    out = run_backtest("1816:1899", "1919:1938", 5, n_boot=50, seed=1, data=data)
    table = out.table()
    assert set(table["target"]) == {"mid", "mid4", "war"}
    assert (table["windows"] == len(out.panel.test)).all()
    assert out.panel.test["origin"].min() == 1919
    assert out.panel.test["window_end"].max() == 1942


@pytest.mark.parametrize(
    ("train", "test", "horizon", "targets", "match"),
    [
        ("1816:1905", "1900:1913", 5, ("mid",), "train: the training window 1816:1905 must end"),
        ("1816:1899", "1899:1913", 5, ("mid",), "must end before the test window"),
        ("1800:1899", "1900:1913", 5, ("mid",), "train: 1800:1899 starts before"),
        ("1816:1819", "1900:1913", 5, ("mid",), "train: 1816:1819 holds no forecast origin"),
        ("1816:1899", "1990:2012", 5, ("mid",), "test: 1990:2012 .* past the end .* 2014"),
        ("1816:1899", "1990:2005", 5, ("war",), "end --test by 2003"),
        ("1816:1899", "1900:1913", 0, ("mid",), "horizon: .* >= 1, got 0"),
        ("1816:1899", "1900:1913", 5, ("wars",), "target: unknown target 'wars'"),
        ("1816-1899", "1900:1913", 5, ("mid",), "train: expected a year or a range"),
    ],
)
def test_bad_splits_are_refused_in_one_sentence(
    train: str, test: str, horizon: int, targets: tuple[str, ...], match: str
) -> None:
    with pytest.raises(InputError, match=match):
        check_split(train, test, horizon, targets)


# --- the persistence window as a keyword (docs/ours_sensitivity.py) ------------------------------


def test_persistence_window_default_reproduces_the_panel(data: HistoryData) -> None:
    from herz.history.backtest import PERSISTENCE_YEARS

    assert PERSISTENCE_YEARS == 5
    default = build_panel("1816:1899", "1919:1938", 5, data=data)
    explicit = build_panel("1816:1899", "1919:1938", 5, data=data, persistence_years=5)
    pd.testing.assert_frame_equal(default.train, explicit.train)
    pd.testing.assert_frame_equal(default.test, explicit.test)
    # the persistence rates for MID onset of the default split (docs/backtest.md: 57/230, 153/746)
    fitted = fit_baselines(build_panel(data=data).train, "mid")["persistence"].describe()
    assert fitted["recent_events_windows"] == [57, 230]
    assert fitted["quiet_events_windows"] == [153, 746]


def test_a_longer_persistence_window_marks_more_windows_recent(data: HistoryData) -> None:
    """A window of w years counts a dyad as recently in dispute if it had a MID in Y − w … Y − 1:
    more windows with w, and between the wars persistence's MID skill falls from 0.016 (5
    years) to 0.002 (3 years) (docs/backtest.md)."""
    shares = [
        build_panel("1816:1899", "1919:1938", 5, data=data, persistence_years=w)
        .test["recent_dispute"]
        .mean()
        for w in (3, 5, 10)
    ]
    assert shares[0] < shares[1] < shares[2]
    skill = {}
    for w in (3, 5):
        res = run_backtest(
            "1816:1899", "1919:1938", 5, targets="mid", n_boot=0, data=data, persistence_years=w
        )
        tab = res.table()
        skill[w] = float(tab.loc[tab["forecaster"] == "persistence", "bss"].iloc[0])
    assert skill[5] == pytest.approx(0.016, abs=5e-4)
    assert skill[3] < skill[5]


@pytest.mark.parametrize("w", [0, -3, 2.5, True])
def test_persistence_window_is_checked(w: object, data: HistoryData) -> None:
    with pytest.raises(InputError, match="persistence_years"):
        build_panel(data=data, persistence_years=w)  # type: ignore[arg-type]
