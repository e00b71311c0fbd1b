"""Lanchester's square law: the closed form, the invariant, the breakpoint, the ODE, and that the
docs' worked example reaches every interface (CLI, sweeps, web) with one file and one registry
line."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.integrate import solve_ivp

import herz
from herz.errors import InputError
from herz.models import get_model
from herz.models.lanchester import (
    A_WINS,
    B_WINS,
    NONE,
    Lanchester,
    breakpoint_time,
    closed_form,
    default_sides,
    fight,
    predicted_winner,
)
from herz.simulation import check_scenario

forces = st.floats(1.0, 1000.0)
rates = st.floats(0.05, 2.0)
shares = st.floats(0.0, 0.9)


def dyad(
    x0: float = 100.0,
    y0: float = 100.0,
    *,
    steps: int = 50,
    step: float = 1.0,
    neutral: bool = False,
    **block: Any,
) -> dict[str, Any]:
    """A two-state scenario document with a ``lanchester:`` block."""
    states = [
        {"id": "X", "military": x0, "economy": 1000.0},
        {"id": "Y", "military": y0, "economy": 1000.0},
    ]
    if neutral:
        states.append({"id": "N", "military": 7.0, "economy": 100.0})
    return {
        "name": "dyad",
        "time": {"start": 1900, "step": step, "steps": steps},
        "states": states,
        "lanchester": {"noise": 0.0, **block},
    }


# -- the mathematics --------------------------------------------------------------------------
@given(x0=forces, y0=forces, a=rates, b=rates, beta=shares)
def test_paths_are_the_closed_form_until_the_breakpoint_then_frozen(
    x0: float, y0: float, a: float, b: float, beta: float
) -> None:
    grid = np.linspace(0.0, 40.0, 81)
    battle = fight(x0, y0, [a], [b], grid, beta)
    t_eff = np.minimum(grid, battle.t_break[0])
    x, y = closed_form(x0, y0, a, b, t_eff)
    # The closed form's terms are of size (x0 + √(b/a) y0) cosh(kt); rounding scales with them.
    k = math.sqrt(a * b)
    scale = (x0 + math.sqrt(b / a) * y0 + y0 + math.sqrt(a / b) * x0) * np.cosh(k * t_eff)
    np.testing.assert_array_less(np.abs(battle.x[0] - np.maximum(x, 0.0)), 1e-10 * scale)
    np.testing.assert_array_less(np.abs(battle.y[0] - np.maximum(y, 0.0)), 1e-10 * scale)
    # Frozen after the breakpoint: every later grid value is the value at the breakpoint.
    after = grid >= battle.t_break[0]
    if after.any():
        assert np.all(battle.x[0, after] == battle.x[0, after][0])
        assert np.all(battle.y[0, after] == battle.y[0, after][0])


@given(x0=forces, y0=forces, a=rates, b=rates, beta=shares)
def test_the_square_law_invariant_holds_along_every_path(
    x0: float, y0: float, a: float, b: float, beta: float
) -> None:
    grid = np.linspace(0.0, 40.0, 81)
    battle = fight(x0, y0, [a], [b], grid, beta)
    invariant = a * battle.x[0] ** 2 - b * battle.y[0] ** 2
    k = math.sqrt(a * b)
    t_eff = np.minimum(grid, battle.t_break[0])
    scale = (a * x0**2 + b * y0**2) * np.cosh(k * t_eff) ** 2
    np.testing.assert_array_less(np.abs(invariant - (a * x0**2 - b * y0**2)), 1e-10 * scale)


def test_closed_form_is_the_textbook_formula_and_solves_the_ode() -> None:
    x0, y0, a, b = 120.0, 100.0, 0.2, 0.3
    t = np.linspace(0.0, 3.0, 7)
    x, y = closed_form(x0, y0, a, b, t)
    k = math.sqrt(a * b)
    np.testing.assert_allclose(
        x, x0 * np.cosh(k * t) - math.sqrt(b / a) * y0 * np.sinh(k * t), rtol=1e-14
    )
    np.testing.assert_allclose(
        y, y0 * np.cosh(k * t) - math.sqrt(a / b) * x0 * np.sinh(k * t), rtol=1e-14
    )
    h = 1e-6  # central differences: dx/dt = −b y, dy/dt = −a x
    xp, yp = closed_form(x0, y0, a, b, t + h)
    xm, ym = closed_form(x0, y0, a, b, t - h)
    np.testing.assert_allclose((xp - xm) / (2 * h), -b * y, rtol=1e-7)
    np.testing.assert_allclose((yp - ym) / (2 * h), -a * x, rtol=1e-7)


@pytest.mark.parametrize(
    ("x0", "y0", "a", "b", "beta"),
    [
        (100.0, 100.0, 0.3, 0.2, 0.5),
        (100.0, 150.0, 0.5, 0.2, 0.3),
        (40.0, 90.0, 1.5, 0.1, 0.0),
        (100.0, 100.0, 0.3, 0.3, 0.7),  # a draw: both break together
        (1000.0, 10.0, 0.01, 2.0, 0.2),
    ],
)
def test_breakpoint_and_paths_agree_with_solve_ivp(
    x0: float, y0: float, a: float, b: float, beta: float
) -> None:
    def rhs(_t: float, z: np.ndarray) -> list[float]:
        return [-b * z[1], -a * z[0]]

    def x_breaks(_t: float, z: np.ndarray) -> float:
        return float(z[0] - beta * x0)

    def y_breaks(_t: float, z: np.ndarray) -> float:
        return float(z[1] - beta * y0)

    x_breaks.terminal = True  # type: ignore[attr-defined]
    y_breaks.terminal = True  # type: ignore[attr-defined]
    grid = np.linspace(0.0, 30.0, 61)
    battle = fight(x0, y0, [a], [b], grid, beta)
    sol = solve_ivp(
        rhs,
        (0.0, 30.0),
        [x0, y0],
        method="DOP853",
        rtol=1e-12,
        atol=1e-12 * (x0 + y0),
        events=[x_breaks, y_breaks],
        dense_output=True,
    )
    t_stop = sol.t[-1]
    assert battle.t_break[0] == pytest.approx(t_stop, rel=1e-8, abs=1e-10)
    before = grid < min(t_stop, battle.t_break[0])
    ode = sol.sol(grid[before])
    np.testing.assert_allclose(battle.x[0, before], ode[0], rtol=1e-8, atol=1e-8 * x0)
    np.testing.assert_allclose(battle.y[0, before], ode[1], rtol=1e-8, atol=1e-8 * y0)
    end = sol.y[:, -1]
    np.testing.assert_allclose([battle.x[0, -1], battle.y[0, -1]], end, rtol=1e-7, atol=1e-7)


@given(x0=forces, y0=forces, a=rates, b=rates, beta=shares)
def test_the_winner_is_the_sign_of_a_x0_squared_minus_b_y0_squared(
    x0: float, y0: float, a: float, b: float, beta: float
) -> None:
    strength = a * x0**2 - b * y0**2
    assume(abs(strength) > 1e-9 * (a * x0**2 + b * y0**2))
    battle = fight(x0, y0, [a], [b], [0.0, 1e6], beta)
    expected = A_WINS if strength > 0 else B_WINS
    assert battle.winner[0] == expected
    assert predicted_winner(x0, y0, a, b) == ("A" if strength > 0 else "B")
    # The stronger side keeps the larger share of its force at every moment.
    grid = np.linspace(0.0, float(battle.t_break[0]), 9)
    paths = fight(x0, y0, [a], [b], grid, 0.0)
    xi, eta = paths.x[0] / x0, paths.y[0] / y0
    if strength > 0:
        assert np.all(xi[1:] >= eta[1:] - 1e-9)
    else:
        assert np.all(eta[1:] >= xi[1:] - 1e-9)


@given(x0=forces, y0=forces, a=rates, b=rates)
def test_the_winner_through_simulate_is_the_closed_form_prediction(
    x0: float, y0: float, a: float, b: float
) -> None:
    strength = a * x0**2 - b * y0**2
    assume(abs(strength) > 1e-6 * (a * x0**2 + b * y0**2))
    doc = dyad(x0, y0, steps=100, step=100.0, effectiveness_a=a, effectiveness_b=b)
    result = herz.simulate(doc, "lanchester", runs=1, seed=0, keep="summary")
    winner = "A" if strength > 0 else "B"
    assert result.summary["predicted_winner"] == winner
    assert result.outcomes is not None and result.outcomes["winner"].tolist() == [winner]
    assert result.summary[f"p_{winner}_wins"] == 1.0


def test_breakpoint_time_handles_no_force_and_draws() -> None:
    assert breakpoint_time(0.0, 10.0, 0.3, 0.3, 0.5) == 0.0
    assert breakpoint_time(10.0, 0.0, 0.3, 0.3, 0.5) == math.inf
    assert breakpoint_time(10.0, 10.0, 0.3, 0.3, 0.0) == math.inf  # a draw never annihilates
    # Symmetric: x = x0 e^{-kt}, so it halves after ln 2 / k years.
    assert breakpoint_time(10.0, 10.0, 0.3, 0.3, 0.5) == pytest.approx(math.log(2) / 0.3)
    battle = fight(10.0, 10.0, [0.3], [0.3], np.arange(11.0), 0.5)
    assert battle.winner[0] == NONE and battle.duration[0] == pytest.approx(math.log(2) / 0.3)


# -- the model on a scenario ------------------------------------------------------------------
def test_a_side_stops_at_its_breakpoint_and_the_forces_freeze() -> None:
    doc = dyad(100.0, 100.0, neutral=True, effectiveness_a=0.4, effectiveness_b=0.1)
    doc["lanchester"]["sides"] = [["X"], ["Y"]]
    result = herz.simulate(doc, "lanchester", runs=1, seed=0)
    out = result.outcomes
    assert out is not None and result.series is not None
    assert out.loc[0, "winner"] == "A"
    t_break = breakpoint_time(100.0, 100.0, 0.1, 0.4, 0.5)  # Y's time
    assert out.loc[0, "duration"] == pytest.approx(t_break, rel=1e-12)
    assert not float(t_break).is_integer()  # the exact time, not a grid point
    assert out.loc[0, "losses_B"] == pytest.approx(50.0, rel=1e-10)
    x_end, _ = closed_form(100.0, 100.0, 0.4, 0.1, t_break)
    assert out.loc[0, "losses_A"] == pytest.approx(100.0 - float(x_end), rel=1e-10)
    wide = result.series.pivot(index="year", columns="state", values="military")
    frozen = wide[wide.index - 1900 >= t_break]
    assert len(frozen) > 40 and (frozen.nunique() == 1).all()
    assert (wide["N"] == 7.0).all()  # neutral
    assert out.loc[0, "final_military"] == pytest.approx(wide.iloc[-1].sum(), rel=1e-12)
    assert result.summary["neutral"] == ["N"]
    assert result.summary["predicted_duration"] == pytest.approx(t_break)


def test_breakpoint_zero_fights_to_annihilation_and_a_short_horizon_decides_nothing() -> None:
    doc = dyad(100.0, 80.0, effectiveness_a=0.3, effectiveness_b=0.3, breakpoint=0.0)
    out = herz.simulate(doc, "lanchester", runs=1, seed=0).outcomes
    assert out is not None
    assert out.loc[0, "winner"] == "A" and out.loc[0, "final_military_Y"] == 0.0
    assert out.loc[0, "final_military_X"] == pytest.approx(math.sqrt(100.0**2 - 80.0**2))
    short = herz.simulate(doc, "lanchester", runs=1, seed=0, steps=1).outcomes
    assert short is not None
    assert short.loc[0, "winner"] == "none" and math.isnan(short.loc[0, "duration"])


def test_members_share_their_sides_losses_in_proportion() -> None:
    result = herz.simulate("europe-1914", "lanchester", runs=3, seed=2)
    out = result.outcomes
    assert out is not None
    sc = result.scenario
    military = {s.id: s.military for s in sc.states}
    side_a = result.summary["sides"]["A"]
    total = sum(military[s] for s in side_a)
    left = total - out["losses_A"]
    for s in side_a:
        np.testing.assert_allclose(out[f"final_military_{s}"], left * military[s] / total)
    assert (out["final_military_BEL"] == military["BEL"]).all()


def test_default_sides_are_the_first_states_bloc_and_the_strongest_other_bloc() -> None:
    def sides(name: str) -> tuple[list[str], list[str]]:
        return default_sides(herz.load_scenario(name))

    assert sides("two-state") == (["A"], ["B"])
    assert sides("europe-1909") == (["UKG", "FRN", "RUS"], ["GMY", "AUH", "ITA"])
    assert sides("europe-1914") == (["UKG", "FRN", "RUS", "SRB"], ["GMY", "AUH", "ITA"])
    assert sides("cold-war") == (["USA", "UKG", "FRN"], ["RUS", "CZE", "HUN"])


def test_offense_advantage_favours_the_attacker_and_keeps_the_time_scale() -> None:
    def summary(omega: float) -> dict[str, Any]:
        return herz.simulate(
            "two-state",
            "lanchester",
            runs=400,
            seed=4,
            keep="summary",
            overrides={"world.offense_advantage": omega},
        ).summary

    low, mid, high = summary(0.0), summary(0.5), summary(1.0)
    assert mid["effectiveness"]["A"] == mid["effectiveness"]["B"] == pytest.approx(0.3)
    assert high["effectiveness"]["A"] / high["effectiveness"]["B"] == pytest.approx(2.0)
    assert math.sqrt(math.prod(high["effectiveness"].values())) == pytest.approx(0.3)
    assert low["p_A_wins"] < mid["p_A_wins"] < high["p_A_wins"]
    assert high["predicted_winner"] == "A" and low["predicted_winner"] == "B"
    assert mid["predicted_winner"] == "none"


def test_noise_makes_an_ensemble_and_is_off_at_zero() -> None:
    noisy = herz.simulate("two-state", "lanchester", runs=200, seed=1, keep="summary")
    assert noisy.outcomes is not None
    assert 0.35 < noisy.summary["p_A_wins"] < 0.65
    assert noisy.outcomes["duration"].nunique() == 200
    calm = herz.simulate(
        "two-state",
        "lanchester",
        runs=5,
        seed=1,
        keep="summary",
        overrides={"lanchester.noise": 0.0},
    )
    assert calm.outcomes is not None and calm.outcomes["duration"].nunique() == 1


def test_runs_are_bit_identical_in_any_batch_and_deterministic() -> None:
    kwargs: dict[str, Any] = {"seed": 5, "stream_key": (3,), "keep": "series"}
    whole = herz.simulate("europe-1914", "lanchester", runs=23, **kwargs)
    again = herz.simulate("europe-1914", "lanchester", runs=23, **kwargs)
    assert whole.outcomes is not None and whole.series is not None
    pd.testing.assert_frame_equal(again.outcomes, whole.outcomes, check_exact=True)
    for size in (1, 4, 10):
        parts = [
            herz.simulate(
                "europe-1914", "lanchester", runs=min(size, 23 - i), run_offset=i, **kwargs
            )
            for i in range(0, 23, size)
        ]
        outcomes = pd.concat([p.outcomes for p in parts], ignore_index=True)
        series = pd.concat([p.series for p in parts], ignore_index=True)
        pd.testing.assert_frame_equal(outcomes, whole.outcomes, check_exact=True)
        pd.testing.assert_frame_equal(series, whole.series, check_exact=True)


def test_keep_summary_has_the_same_outcomes_and_summary() -> None:
    series = herz.simulate("cold-war", "lanchester", runs=17, seed=9)
    summary = herz.simulate("cold-war", "lanchester", runs=17, seed=9, keep="summary")
    assert summary.series is None and series.series is not None
    assert summary.outcomes is not None and series.outcomes is not None
    pd.testing.assert_frame_equal(summary.outcomes, series.outcomes, check_exact=True)
    assert summary.summary == series.summary


def test_outcomes_follow_the_declared_schema() -> None:
    model = get_model("lanchester")
    assert isinstance(model, Lanchester)
    result = herz.simulate("europe-1909", "lanchester", runs=4, seed=0, keep="summary")
    assert result.outcomes is not None
    assert list(result.outcomes.columns) == model.outcome_columns(result.scenario.ids)
    assert result.outcomes["winner"].isin(["A", "B", "none"]).all()
    for side in "AB":
        wins = result.outcomes[f"{side}_wins"]
        assert wins.dtype == bool and (wins == (result.outcomes["winner"] == side)).all()
    for m in model.summary_fields:
        assert m.name in result.summary
    rows = dict(model.describe(result))
    assert rows["P(side A wins)"].startswith(f"{result.summary['p_A_wins']:.4g}")


def test_figures_draw_the_two_sides() -> None:
    model = get_model("lanchester")
    result = herz.simulate("cold-war", "lanchester", runs=5, seed=0)
    figures = model.figures(result)
    assert list(figures) == ["forces.png"]
    labels = [t.get_text() for t in figures["forces.png"].axes[0].get_legend().get_texts()]
    assert any(label.startswith("A: USA") for label in labels)
    summary_only = herz.simulate("cold-war", "lanchester", runs=5, seed=0, keep="summary")
    assert model.figures(summary_only) == {}


# -- bad blocks -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("block", "field"),
    [
        ({"sides": [["X"], ["Z"]]}, "lanchester.sides[1][0]"),
        ({"sides": [["X"], ["X"]]}, "lanchester.sides"),
        ({"sides": [["X"], []]}, "lanchester.sides"),
        ({"sides": [["X"], ["Y"], ["X"]]}, "lanchester.sides"),
        ({"effectiveness_a": -0.1}, "lanchester.effectiveness_a"),
        ({"effectiveness_b": 0}, "lanchester.effectiveness_b"),
        ({"attrition": -1}, "lanchester.attrition"),
        ({"breakpoint": 1.0}, "lanchester.breakpoint"),
        ({"noise": -0.2}, "lanchester.noise"),
        ({"colour": "red"}, "lanchester.colour"),
    ],
)
def test_bad_block_values_name_the_field(block: dict[str, Any], field: str) -> None:
    doc = dyad(**block)
    with pytest.raises(InputError) as err:
        herz.simulate(doc, "lanchester", runs=1, seed=0)
    assert err.value.field is not None and err.value.field.startswith(field)
    message = str(err.value)
    assert field in message and message.endswith(".") and "\n" not in message
    # herz validate (every block of the scenario) catches it too.
    with pytest.raises(InputError, match=field.replace("[", r"\[").replace("]", r"\]")):
        check_scenario(herz.load_scenario(doc))


def test_bad_overrides_name_the_field() -> None:
    with pytest.raises(InputError, match=r"lanchester\.effectiveness_a"):
        herz.simulate(
            "two-state", "lanchester", runs=1, seed=0, overrides={"lanchester.effectiveness_a": -1}
        )
    with pytest.raises(InputError, match=r"lanchester\.sides\[0\]\[0\]: unknown state id"):
        herz.simulate(
            "two-state",
            "lanchester",
            runs=1,
            seed=0,
            overrides={"lanchester.sides": [["Q"], ["B"]]},
        )


def test_a_scenario_with_one_bloc_has_no_war_to_fight() -> None:
    doc = dyad()
    doc["alliances"] = [{"name": "all", "members": ["X", "Y"]}]
    with pytest.raises(InputError, match=r"lanchester\.sides: the scenario has a single bloc"):
        herz.simulate(doc, "lanchester", runs=1, seed=0)


# -- every interface, with no other edits -----------------------------------------------------
def test_herz_run_model_lanchester_json(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from herz.cli import app

    runner = CliRunner()
    args = ["run", "two-state", "--model", "lanchester", "--json", "--runs", "20", "--seed", "3"]
    result = runner.invoke(app, [*args, "--set", "lanchester.breakpoint=0.3"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["model"] == "lanchester" and summary["breakpoint"] == 0.3
    expected = herz.simulate(
        "two-state",
        "lanchester",
        runs=20,
        seed=3,
        keep="summary",
        overrides={"lanchester.breakpoint": 0.3},
    )
    assert summary["p_A_wins"] == expected.summary["p_A_wins"]
    out = tmp_path / "out"
    written = runner.invoke(app, [*args, "--out", str(out)])
    assert written.exit_code == 0, written.output
    assert (out / "forces.png").exists() and (out / "outcomes.csv").exists()


def test_a_sweep_over_a_lanchester_parameter(tmp_path: Path) -> None:
    from herz.experiment import run_sweep
    from herz.store import open_results

    spec = {
        "name": "lanchester-breakpoint",
        "scenario": "two-state",
        "model": "lanchester",
        "parameters": {"lanchester.breakpoint": {"values": [0.2, 0.6]}},
        "runs": 6,
        "steps": 30,
        "seed": 7,
    }
    report = run_sweep(spec, db=tmp_path / "l.duckdb", workers=1, chunk=4)
    assert report.runs_computed == 12
    with open_results(tmp_path / "l.duckdb") as store:
        runs = store.runs(store.resolve())
    assert len(runs) == 12 and {"winner", "duration", "losses_A"} <= set(runs.columns)
    assert (runs["A_wins"] == (runs["winner"] == "A")).all()
    for point, beta in enumerate((0.2, 0.6)):
        alone = herz.simulate(
            "two-state",
            "lanchester",
            runs=6,
            steps=30,
            seed=7,
            stream_key=(point,),
            keep="summary",
            overrides={"lanchester.breakpoint": beta},
        ).outcomes
        assert alone is not None
        stored = runs[runs["point"] == point].sort_values("run")
        np.testing.assert_array_equal(stored["losses_A"], alone["losses_A"])
        assert stored["winner"].tolist() == alone["winner"].tolist()


def test_the_web_api_lists_lanchester() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from herz.web import create_app

    with TestClient(create_app()) as client:
        response = client.get("/api/models")
        if response.status_code == 404:
            pytest.skip("GET /api/models is not there yet")
        assert response.status_code == 200
        listed = {m["name"]: m for m in response.json()}
    assert "lanchester" in listed
    schema = listed["lanchester"]["params_schema"]
    assert {"sides", "breakpoint", "noise", "effectiveness_a"} <= set(schema["properties"])


def test_the_conformance_suite_passes() -> None:
    testing = pytest.importorskip("herz.testing")
    check_model = getattr(testing, "check_model", None)
    if check_model is None:
        pytest.skip("herz.testing.check_model is not there yet")
    check_model(Lanchester)
