"""Time-step invariance of the spiral model (issue #11, MODELS.md P9).

The same scenario at dt = 1, 0.5 and 0.25, with steps scaled to the same years, agrees on
P(war), mean final military and mean final belief within max(3 standard errors of the
difference, ε): ε = 0.01 for P(war), 1% of the mean for military, 0.01 for belief (ours: the
issue names none). Each dt is compared with dt = 0.25. The issue asks for 10,000 runs; CI runs
1,500 on multipolar-20 (over 50 years instead of 100) and 4,000 on europe-1914 (the tolerance
comes from the actual standard errors); ``benchmarks/bench_timestep.py`` runs the full check
(table in docs/spiral.md).
europe-1914 starts at 1908.5 so that the Sarajevo crisis (1914.5) falls on a step at every dt.

The overall mean belief can agree while the beliefs about greedy states and about seekers do
not (their errors have opposite signs): they are checked apart too, and multipolar-20's are a
strict expected failure (issue #11, open; docs/spiral.md, "Time step").
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import herz

#: multipolar-20 is the costly one; europe-1914 (8 states, 10 years) runs more for a tighter check
RUNS = {"multipolar-20": 1500, "europe-1914": 4000}
DTS = (1.0, 0.5, 0.25)
EPS = {"p_war": 0.01, "military": 0.01, "belief": 0.01}  # military: relative to the mean


def _measure(
    scenario: str,
    dt: float,
    years: float,
    start: float | None,
    noise: bool,
    inner: float | None = None,
) -> dict[str, Any]:
    over: dict[str, Any] = {"time.step": dt, "time.steps": round(years / dt)}
    if inner is not None:
        over["spiral.inner_step"] = inner
    if not noise:
        over["spiral.mechanisms.perception_noise"] = False
    if start is not None:
        over["time.start"] = start
    runs = RUNS[scenario]
    r = herz.simulate(scenario, model="spiral", runs=runs, seed=11, keep="summary", overrides=over)
    out = r.outcomes
    res = {}
    for key, col in (
        ("p_war", "war"),
        ("military", "final_military"),
        ("belief", "final_belief_mean"),
    ):
        x = out[col].to_numpy(dtype=float)
        res[key] = (float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size)))
    # the final belief about greedy states and about security seekers apart (per run, the mean
    # over the group's final_belief_about_<state>): errors of opposite sign cancel in the mean
    for kind in ("greedy", "security_seeker"):
        ids = [st.id for st in r.scenario.states if st.type == kind]
        if ids:
            x = out[[f"final_belief_about_{sid}" for sid in ids]].to_numpy(dtype=float).mean(1)
            res[f"belief about {kind}"] = (float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size)))
    return res


_CASES = {"multipolar-20": (50.0, None), "europe-1914": (10.0, 1908.5)}
_CACHE: dict[tuple[str, float, bool, float | None], dict[str, Any]] = {}


def _cached(scenario: str, dt: float, noise: bool, inner: float | None = None) -> dict[str, Any]:
    if inner is not None and inner >= dt:
        inner = None  # one inner step: the plain kernel, bit for bit (tested in test_spiral.py)
    if (scenario, dt, noise, inner) not in _CACHE:
        years, start = _CASES[scenario]
        _CACHE[scenario, dt, noise, inner] = _measure(scenario, dt, years, start, noise, inner)
    return _CACHE[scenario, dt, noise, inner]


@pytest.mark.parametrize(
    ("scenario", "dt", "noise"),
    [
        ("multipolar-20", 1.0, True),
        ("multipolar-20", 0.5, True),
        ("europe-1914", 1.0, True),
        ("europe-1914", 0.5, True),
        ("multipolar-20", 1.0, False),
        ("europe-1914", 1.0, False),
    ],
)
def test_results_do_not_depend_on_the_time_step(scenario: str, dt: float, noise: bool) -> None:
    res, ref = _cached(scenario, dt, noise), _cached(scenario, DTS[-1], noise)
    bad = []
    for key in ("p_war", "military", "belief"):
        (m, s), (m0, s0) = res[key], ref[key]
        eps = EPS[key] * abs(m0) if key == "military" else EPS[key]
        tol = max(3.0 * float(np.hypot(s, s0)), eps)
        if abs(m - m0) > tol:
            bad.append(f"dt={dt:g} {key}: {m:.4g} vs {m0:.4g} (tolerance {tol:.3g})")
    assert not bad, "; ".join(bad)


def _by_type_gaps(scenario: str, dt: float, inner: float | None = None) -> list[str]:
    res, ref = _cached(scenario, dt, True, inner), _cached(scenario, DTS[-1], True, inner)
    bad = []
    for key in sorted(k for k in ref if k.startswith("belief about")):
        (m, s), (m0, s0) = res[key], ref[key]
        tol = max(3.0 * float(np.hypot(s, s0)), EPS["belief"])
        if abs(m - m0) > tol:
            bad.append(f"dt={dt:g} {key}: {m:.4g} vs {m0:.4g} (tolerance {tol:.3g})")
    return bad


@pytest.mark.parametrize("dt", [1.0, 0.5])
def test_beliefs_by_type_in_europe_1914_do_not_depend_on_the_time_step(dt: float) -> None:
    """All of europe-1914's states are seekers: the belief about them agrees at dt 1 and 0.5."""
    assert not _by_type_gaps("europe-1914", dt)


@pytest.mark.xfail(
    strict=True,
    reason="issue #11, open: multipolar-20's beliefs about greedy states and about defensive "
    "seekers at dt 1 miss dt 0.25's by more than max(3 SE, 0.01) even with yearly budgets "
    "(+0.025 and -0.013 at 10,000 runs): a yearly step judges every alliance review by the "
    "threats of the year's start (with balancing off they agree; inner steps of 0.25 fix it; "
    "docs/spiral.md, Time step)",
)
def test_beliefs_by_type_in_multipolar_20_do_not_depend_on_the_time_step() -> None:
    bad = _by_type_gaps("multipolar-20", 1.0)
    assert not bad, "; ".join(bad)


@pytest.mark.parametrize("dt", [1.0, 0.5])
def test_inner_steps_make_multipolar_20_beliefs_by_type_agree(dt: float) -> None:
    """With ``spiral.inner_step`` 0.25 the beliefs by type at dt 1 (4 inner steps) and 0.5 (2)
    agree with dt 0.25, where the test above fails without them: the remedy of docs/spiral.md,
    "Time step" (arming, perception, balancing reviews and the crisis hazard on the inner
    steps). The contrast is the strict xfail above, on the same runs at dt 1."""
    bad = _by_type_gaps("multipolar-20", dt, inner=0.25)
    assert not bad, "; ".join(bad)


def _greedy_belief_balancing_only(dt: float, inner: float | None) -> tuple[float, float]:
    over: dict[str, Any] = {
        "time.step": dt,
        "time.steps": round(30 / dt),
        "spiral.inner_step": inner,
        "spiral.crisis_rate": 0.0,
        "spiral.crisis_base": 0.0,
        "spiral.budget_period": 0.0,
    }
    r = herz.simulate("multipolar-20", model="spiral", runs=1500, seed=3, keep="summary",
                      overrides=over)  # fmt: skip
    ids = [st.id for st in r.scenario.states if st.type == "greedy"]
    x = r.outcomes[[f"final_belief_about_{i}" for i in ids]].to_numpy(dtype=float).mean(1)
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size))


def test_balancing_reviews_fall_in_their_inner_step() -> None:
    """Balancing ties change beliefs (a seeker with allies needs less, so a greedy state with allies
    is read faster). With inner steps a pair's review falls in the inner step where its Poisson
    arrival does and judges by that inner step's threats: with noise and balancing on (crises
    off) and spending re-planned at every (inner) step (``budget_period`` 0, where the lag shows
    most: with yearly budgets dt 0.5 and 0.25 nearly agree without inner steps, 0.678 against
    0.670), dt 0.5 with two inner steps agrees with dt 0.25 (0.621 against 0.616 at 30 years,
    1,500 runs). Reviews held for the whole step, as at dt 0.5 without inner steps (and, before
    this, with them), read the threats a step late: 0.656 and 0.661."""
    m0, s0 = _greedy_belief_balancing_only(0.25, None)
    m1, s1 = _greedy_belief_balancing_only(0.5, 0.25)
    m2, s2 = _greedy_belief_balancing_only(0.5, None)
    assert abs(m1 - m0) < 3.0 * float(np.hypot(s0, s1))
    assert m2 - m0 > 5.0 * float(np.hypot(s0, s2))


@pytest.mark.parametrize(
    ("scenario", "inner", "halvings"),
    [("two-state", 0.125, 3), ("cold-war", 0.25, 2), ("europe-1909", 0.0625, 4)],
)
def test_inner_steps_make_the_yearly_built_in_scenarios_agree_across_steps(
    scenario: str, inner: float, halvings: int
) -> None:
    """``herz check-step`` on the built-in scenarios with a yearly step: with inner steps every
    numeric outcome at dt 1, 1/2, ... agrees with the finest step (where the inner step is the
    step); without them some do not (two-state: crises counted at the year's first hazard, as
    the tension falls tenfold within the year; cold-war and europe-1909: beliefs and arms)."""
    from herz.analysis import step_check

    with_inner = step_check(
        scenario, runs=2000, seed=7, halvings=halvings, overrides={"spiral.inner_step": inner}
    )
    rows = with_inner[with_inner["agrees"].notna()]
    bad = rows[~rows["agrees"].astype(bool)]
    assert bad.empty, bad[["outcome", "dt", "mean", "diff", "tol"]].to_string()
    plain = step_check(scenario, runs=2000, seed=7, halvings=halvings)
    rows = plain[plain["agrees"].notna()]
    assert not rows["agrees"].astype(bool).all()
    if scenario == "two-state":
        crises = plain[(plain["outcome"] == "n_crises") & (plain["dt"] == 1.0)]
        assert not bool(crises["agrees"].iloc[0])


def _four_worlds_corner(dt: float, budget_period: float = 1.0) -> tuple[float, float]:
    over: dict[str, Any] = {
        "states[*].type": "security_seeker",
        "states[*].doctrine": "defensive",
        "world.offense_advantage": 1.0,
        "world.distinguishability": 1.0,
        "time.step": dt,
        "time.steps": round(50 / dt),
        "spiral.budget_period": budget_period,
    }
    r = herz.simulate("multipolar-20", model="spiral", runs=400, seed=11, keep="summary",
                      overrides=over)  # fmt: skip
    x = r.outcomes["war"].to_numpy(dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size))


def test_four_worlds_offense_distinguishable_corner_does_not_depend_on_the_time_step() -> None:
    """Among security seekers with defensive doctrines, P(war) in the offense-distinguishable
    corner of Jervis's worlds (the 50 years of the acceptance run) is the same at dt = 1, the
    step of the four-worlds run, and at dt = 1/16, because spending and postures are decided
    once a budget year whatever the step (``budget_period`` 1). The contrast: re-planned at
    every step (``budget_period`` 0), the beliefs about each state escape from the prior more
    often at coarse steps and the corner moves from about 0.3 at dt = 1 to about 0.9 at 1/16
    (docs/experiments.md, "The four worlds and the time step")."""
    (m0, s0), (m1, s1) = _four_worlds_corner(0.0625), _four_worlds_corner(1.0)
    assert abs(m1 - m0) <= max(3.0 * float(np.hypot(s0, s1)), EPS["p_war"])
    (c0, t0), (c1, t1) = _four_worlds_corner(0.0625, 0.0), _four_worlds_corner(1.0, 0.0)
    assert c0 - c1 > 5.0 * float(np.hypot(t0, t1))


def test_cli_time_step_with_steps() -> None:
    """``--set time.step=… --steps …``: the step count applies with the override (issue #11)."""
    from typer.testing import CliRunner

    from herz.cli import app

    res = CliRunner().invoke(
        app,
        [
            "run",
            "europe-1914",
            "--model",
            "spiral",
            "--set",
            "time.step=0.125",
            "--steps",
            "80",
            "--runs",
            "5",
            "--seed",
            "1",
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output


def test_simulate_time_step_override_with_steps() -> None:
    """The Python API: ``overrides={"time.step": …}`` with ``steps=…`` (issue #11)."""
    r = herz.simulate(
        "europe-1914",
        model="spiral",
        overrides={"time.step": 0.125},
        steps=80,
        runs=3,
        seed=1,
        keep="summary",
    )
    assert r.summary["dt"] == 0.125 and r.summary["steps"] == 80
