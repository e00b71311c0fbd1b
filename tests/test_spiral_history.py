"""The spiral model against history: simulated spending vs COW NMC v6.0 milex (shipped data).

europe-1914 and cold-war carry calibrated ``spiral:`` parameters (docs/calibrate_spiral.py,
docs/spiral.md "Calibration against NMC"). These tests check the result against the data read
from the shipped NMC file, never against typed-in numbers: the two blocs' 1913 spending within
±25% of NMC (the documented tolerance) and, coarser, the Cold War's scale and direction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import herz
import herz.history.datasets as D

BLOCS = {"Triple Entente": ["UKG", "FRN", "RUS"], "Triple Alliance": ["GMY", "AUH", "ITA"]}
#: docs/spiral.md: the 1913 bloc totals lie within ±25% of NMC milex.
BLOC_TOLERANCE = 0.25
#: The calibration (docs/calibrate_spiral.py) searched with seed 1; its check runs other runs
#: (issue #11: calibration and check never share seeds). The fitted years are 1910-1913
#: (europe-1914) and 1949-1990 (cold-war): this is a calibration check, not a validation.
CHECK_SEED = 2


def milex(states: list[str], first: int, last: int) -> pd.DataFrame:
    """NMC v6.0 milex in the scenarios' unit (millions: the file has thousands)."""
    frame = D.load("nmc", version=6, years=(first, last), states=states)
    wide = frame.pivot(index="year", columns="stateabb", values="milex").astype(float)
    return wide[states] / 1000.0


def spending(scenario: str, runs: int, steps: int | None = None) -> pd.DataFrame:
    """Ensemble-mean spending at the start of each whole year, endogenous crises off."""
    r = herz.simulate(
        scenario,
        model="spiral",
        runs=runs,
        steps=steps,
        seed=CHECK_SEED,
        keep="summary",
        overrides={"spiral.crisis_rate": 0.0},
    )
    assert r.summary["p_war"] == 0.0  # no war before the scheduled crisis
    wide = r.extra["means"].pivot(index="year", columns="state", values="spending")
    wide.columns = wide.columns.astype(str)
    return wide[np.isclose(wide.index % 1.0, 0.0)].rename(index=lambda y: round(y))


def test_europe_starts_at_nmc_1909_spending() -> None:
    sim = spending("europe-1914", runs=2, steps=1)
    data = milex([s for m in BLOCS.values() for s in m], 1909, 1909)
    np.testing.assert_allclose(sim.loc[1909, data.columns], data.loc[1909], rtol=1e-12)


_ALLIANCE_1913 = pytest.mark.xfail(
    reason=(
        "issue #11, open: with yearly budgets (spiral.budget_period 1, December 2026) the "
        "Triple Alliance's simulated 1913 spending is 124.2 against NMC's 166.3, a ratio of "
        "0.747 against the tolerance 0.75 (0.755 when spending was re-planned every quarter); "
        "the recalibration (docs/calibrate_spiral.py) picks the same tau and s, and the "
        "tolerance was not moved (docs/spiral.md, Calibration against NMC)"
    ),
    strict=True,
)


@pytest.mark.parametrize(
    "bloc", ["Triple Entente", pytest.param("Triple Alliance", marks=_ALLIANCE_1913)]
)
def test_europe_1913_bloc_spending_matches_nmc(bloc: str) -> None:
    states = BLOCS[bloc]
    data = milex(states, 1913, 1913)
    sim = spending("europe-1914", runs=300, steps=16)
    s, d = sim.loc[1913, states].sum(), data.loc[1913, states].sum()
    assert abs(s / d - 1.0) <= BLOC_TOLERANCE, f"{bloc}: simulated {s:.1f}, NMC {d:.1f}"


def test_europe_pre_war_path_has_the_scale_of_nmc() -> None:
    """No bloc-year 1909-1913 is off by more than 30%, and every great power stays within a
    factor of two of its own NMC milex in 1913."""
    members = [s for m in BLOCS.values() for s in m]
    data = milex(members, 1909, 1913)
    sim = spending("europe-1914", runs=300, steps=16)
    for bloc, states in BLOCS.items():
        path = sim.loc[1909:1913, states].sum(axis=1) / data.loc[1909:1913, states].sum(axis=1)
        assert path.between(0.7, 1.3).all(), (bloc, path.round(3).to_dict())
    ratio = sim.loc[1913, members] / data.loc[1913, members]
    assert ratio.between(0.5, 2.0).all(), ratio.round(2).to_dict()


@pytest.mark.xfail(
    reason=(
        "issue #11, open: from 1909 to 1913 NMC's bloc spending rises by 34% (Entente) and 59% "
        "(Alliance); the simulated blocs rise by 19% and 19% (300 runs, seed 2), while their "
        "economies grow 7.5%. The excess is the offensive realists closing on their "
        "superiority targets (s = 0.3), a transient from 1909, not a spiral: beliefs fall "
        "from the prior (0.3) to 0.09-0.24 by 1913, as observers learn that every power is a "
        "security seeker. The Alliance's rise is a third of the record's "
        "(docs/spiral.md, Calibration against NMC)"
    ),
    strict=True,
)
def test_europe_blocs_rise_by_at_least_half_of_nmcs_rise_before_1914() -> None:
    """Each bloc's simulated spending rises from 1909 to 1913 by at least half the rise that
    NMC records (34% and 59%): the pre-war race, not only its scale."""
    members = [s for m in BLOCS.values() for s in m]
    data = milex(members, 1909, 1913)
    sim = spending("europe-1914", runs=300, steps=16)
    rises = {
        bloc: (
            sim.loc[1913, states].sum() / sim.loc[1909, states].sum() - 1.0,
            data.loc[1913, states].sum() / data.loc[1909, states].sum() - 1.0,
        )
        for bloc, states in BLOCS.items()
    }
    for bloc, (simulated, recorded) in rises.items():
        assert simulated >= 0.5 * recorded, f"{bloc}: {simulated:.1%} against NMC {recorded:.1%}"


@pytest.mark.parametrize("state", ["USA", "RUS"])
def test_cold_war_spending_has_the_scale_and_direction_of_nmc(state: str) -> None:
    data = milex([state], 1948, 1990)[state]
    sim = spending("cold-war", runs=100)[state]
    # NMC's Soviet series breaks in 1989 (319 → 119 billion); the years of Gorbachev's
    # reassurance doctrine (1985-1988) are the next test's
    years = list(range(1949, 1985))
    ratio = sim.loc[years] / data.loc[years]
    assert ratio.between(1 / 3, 3).all(), ratio.round(2).to_dict()  # order of magnitude
    # direction: both grow about twentyfold in current dollars by 1984 in the data; the
    # simulated growth is at least two thirds of it on the log scale (tenfold: 0.77)
    recorded = np.log(data.loc[1984] / data.loc[1948])
    assert recorded > np.log(10)
    simulated = np.log(sim.loc[1984] / sim.loc[1948])
    assert simulated > 2 / 3 * recorded, (float(np.exp(simulated)), float(np.exp(recorded)))


def test_cold_war_soviet_spending_under_new_thinking_has_nmcs_scale() -> None:
    """Passes by a hair, not by budgetary inertia (docs/spiral.md, Calibration against NMC).

    The scenario's Soviet Union takes the reassurance doctrine (GRIT) from 1985 and at once
    arms to half its defensive target: simulated spending falls from 0.41 of NMC's in 1985 to
    0.34-0.35 in 1986-1988 (100 runs, seed 2), against the bound 1/3. It was a strict expected
    failure (0.23-0.31) until the doctrine change took effect on its date rather than a year
    early and the cold war's growth was recalibrated with it (0.065 -> 0.06); the model's GRIT
    still has no budgetary inertia, and NMC records no cut before 1989.
    """
    data = milex(["RUS"], 1948, 1990)["RUS"]
    sim = spending("cold-war", runs=100)["RUS"]
    years = list(range(1985, 1989))
    ratio = sim.loc[years] / data.loc[years]
    assert ratio.between(1 / 3, 3).all(), ratio.round(2).to_dict()


# --- The 1914 tension (issue #11, acceptance item "1914"; docs/spiral.md, 1914 verdict) ---------

#: The general staffs' cult of the offensive (Van Evera 1984): France, Russia, Germany and
#: Austria-Hungary believe in offense advantage 0.8 in a world whose technology is 0.3.
CULT = {
    **{f"states.{k}.perceived_offense_advantage": 0.8 for k in ("FRN", "RUS", "GMY", "AUH")},
    "world.offense_advantage": 0.3,
}
#: The deterrence reading of 1914 (Fischer 1961): Germany and Austria-Hungary greedy.
DETERRENCE = {"states.GMY.type": "greedy", "states.AUH.type": "greedy"}
#: Seeds of these checks: never the calibration's (1) or its check's (2).
TENSION_SEED = 21


def tension_change(overrides: dict[str, object], runs: int = 400) -> tuple[float, float]:
    """Mean change of the run's tension from 1909 to the quarter before Sarajevo (1914.25), and
    its standard error over runs."""
    r = herz.simulate(
        "europe-1914", model="spiral", runs=runs, seed=TENSION_SEED, overrides=overrides
    )
    s = r.series
    assert s is not None
    per_run = s.groupby(["run", "year"])["tension"].first().unstack("year")
    change = per_run[1914.25] - per_run[1909.0]
    return float(change.mean()), float(change.std(ddof=1) / np.sqrt(len(change)))


def belief_about(overrides: dict[str, object], state: str, runs: int = 400) -> float:
    """Mean belief that ``state`` is greedy, held by the others in 1914.25."""
    r = herz.simulate(
        "europe-1914", model="spiral", runs=runs, seed=TENSION_SEED, overrides=overrides
    )
    s = r.series
    assert s is not None
    at = s[np.isclose(s["year"], 1914.25) & (s["state"] == state)]
    return float(at["belief"].mean())


def spending_fit(overrides: dict[str, object]) -> float:
    """The calibration's objective (docs/calibrate_spiral.py): RMS of log(simulated / NMC milex),
    six great powers, 1910-1913, 200 runs of the check seed, endogenous crises off."""
    members = [s for m in BLOCS.values() for s in m]
    data = milex(members, 1910, 1913)
    r = herz.simulate(
        "europe-1914",
        model="spiral",
        runs=200,
        steps=16,
        seed=CHECK_SEED,
        keep="summary",
        overrides={"spiral.crisis_rate": 0.0, **overrides},
    )
    wide = r.extra["means"].pivot(index="year", columns="state", values="spending")
    wide.columns = wide.columns.astype(str)
    sim = wide[np.isclose(wide.index % 1.0, 0.0)].rename(index=lambda y: round(y))
    ratio = sim.loc[data.index, members].to_numpy() / data.to_numpy()
    return float(np.sqrt(np.mean(np.log(ratio) ** 2)))


@pytest.mark.xfail(
    reason=(
        "issue #11's acceptance item '1914' fails on the evidence: observers that read only "
        "public information learn that the powers are security seekers, and the tension falls "
        "0.104 -> 0.044 under the cult (docs/spiral.md, 1914 verdict)"
    ),
    strict=True,
)
def test_europe_tension_rises_before_sarajevo_under_the_cult() -> None:
    """Issue #11: mean tension rises from 1909 to mid-1914 under the general staffs' perceived
    offense advantage (the shipped powers, all security seekers)."""
    change, se = tension_change(CULT)
    assert change > 3 * se, f"tension changes by {change:.4f} ± {se:.4f}"


def test_europe_tension_rises_under_the_deterrence_reading_by_learning() -> None:
    """docs/spiral.md: with Germany and Austria-Hungary greedy (Fischer's reading), the tension
    rises before Sarajevo, because observers learn their types (beliefs above 0.9); with belief
    updates off the same variant's tension falls, and the spiral reading's falls too."""
    deterrence = {**CULT, **DETERRENCE}
    rise, se = tension_change(deterrence)
    assert rise > 5 * se and rise > 0.01, f"{rise:.4f} ± {se:.4f}"
    assert belief_about(deterrence, "GMY") > 0.9
    assert belief_about(deterrence, "AUH") > 0.9
    frozen, se_frozen = tension_change({**deterrence, "spiral.mechanisms.belief_update": False})
    assert frozen < -5 * se_frozen, f"{frozen:.4f} ± {se_frozen:.4f}"
    spiral, se_spiral = tension_change(CULT)
    assert spiral < -5 * se_spiral, f"{spiral:.4f} ± {se_spiral:.4f}"


def test_europe_deterrence_reading_misses_the_spending_record() -> None:
    """docs/spiral.md: the greedy spending that lets observers find Germany and Austria-Hungary
    out makes the 1910-1913 spending fit much worse than the shipped seekers' (0.75 against
    0.21); greedy states that spend as the record says (effort 0.35) are not found out, and the
    tension falls."""
    seekers = spending_fit(CULT)
    assert seekers < 0.3
    assert spending_fit({**CULT, **DETERRENCE}) > 2 * seekers
    hidden = {**CULT, **DETERRENCE, "spiral.greedy_effort": 0.35}
    assert spending_fit(hidden) < 0.3
    change, se = tension_change(hidden)
    assert change < -5 * se, f"{change:.4f} ± {se:.4f}"
