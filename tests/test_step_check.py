"""``herz.analysis.step_check`` and ``herz check-step``: does a result depend on the time step?

Independent truths: Richardson's closed form does not depend on dt at all, and its Euler
scheme has an error of first order in dt, so halving the step from 1 to 0.5 to 0.25 leaves
differences to the finest in the ratio 3 : 1; and the comparison's ensembles are the ones
``herz.simulate`` gives for the same overrides.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import herz
from herz.analysis import step_check
from herz.cli import app
from herz.errors import InputError

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def euler(method: str) -> pd.DataFrame:
    return step_check(
        "two-state", "richardson", runs=2, seed=1, steps=20, halvings=2, rel_tol=0.001,
        method=method,
    )  # fmt: skip


def test_euler_has_a_first_order_error_that_the_check_finds() -> None:
    t = euler("euler").set_index(["outcome", "dt"])
    d1, d05 = t.loc[("final_military", 1.0), "diff"], t.loc[("final_military", 0.5), "diff"]
    # first order: error ∝ dt, so (e(1) − e(.25)) / (e(.5) − e(.25)) = (1 − .25) / (.5 − .25)
    assert d1 / d05 == pytest.approx(3.0, rel=0.05)
    assert not t.loc[("final_military", 1.0), "agrees"]
    assert t.loc[("final_military", 0.5), "agrees"]
    assert pd.isna(t.loc[("final_military", 0.25), "agrees"])  # the reference


def test_the_closed_form_agrees_at_every_step() -> None:
    t = euler("exact")
    compared = t.dropna(subset=["agrees"])
    assert compared["agrees"].all()
    assert np.abs(compared["diff"]).max() < 1e-9


def test_the_ensembles_are_herz_simulate_at_the_halved_steps() -> None:
    t = step_check("europe-1914", "spiral", runs=20, seed=3, steps=24, halvings=1)
    assert set(t["dt"]) == {0.25, 0.125} and set(t["steps"]) == {24, 48}
    direct = herz.simulate(
        "europe-1914",
        model="spiral",
        runs=20,
        seed=3,
        keep="summary",
        overrides={"time.step": 0.125, "time.steps": 48},
    ).outcomes
    coarse = t[t["dt"] == 0.25].set_index("outcome")
    se = np.hypot(coarse["se"], t[t["dt"] == 0.125].set_index("outcome")["se"])
    np.testing.assert_allclose(coarse["z"][se > 0], (coarse["diff"] / se)[se > 0])
    fine = t[t["dt"] == 0.125].set_index("outcome")
    for col in ("final_military", "final_belief_about_GMY", "war", "n_crises"):
        assert fine.loc[col, "mean"] == pytest.approx(direct[col].astype(float).mean(), rel=1e-12)
    # str outcomes and outcomes counted in steps (which change meaning with dt) are left out
    assert not {"first_war_sides", "dyads_fought", "first_war_step"} & set(t["outcome"])
    assert "first_war_year" in set(t["outcome"])
    per_state = set(t.loc[t["per_state"], "outcome"])
    assert {"final_belief_about_SRB", "final_military_UKG"} <= per_state
    assert "final_belief_mean" not in per_state


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"runs": 1}, "runs must be an integer ≥ 2, got 1."),
        ({"halvings": 0}, "halvings must be an integer ≥ 1, got 0."),
        ({"rel_tol": -0.1}, "rel_tol must be a number ≥ 0, got -0.1."),
        ({"seed": -1}, "seed must be an integer ≥ 0, got -1."),
    ],
)
def test_bad_arguments_raise_one_sentence(kwargs: dict[str, float], needle: str) -> None:
    args = {"runs": 10, "steps": 4, **kwargs}
    with pytest.raises(InputError) as exc:
        step_check("two-state", "richardson", **args)  # type: ignore[arg-type]
    assert str(exc.value) == needle


def test_cli_prints_the_verdict_and_strict_exits_1() -> None:
    common = ("check-step", "two-state", "-m", "richardson", "--runs", "2", "--steps", "20")
    code, out, err = invoke(*common, "--halvings", "2", "--rel-tol", "0.001", "-O", "method=euler")
    assert code == 0, err
    assert "depend on the time step" in out and "final_military" in out
    code, _, _ = invoke(*common, "--rel-tol", "0.001", "-O", "method=euler", "--strict")
    assert code == 1
    code, out, err = invoke(*common, "--strict")  # exact: every step agrees
    assert code == 0, err
    assert "agree across the steps" in out


def test_cli_json_is_the_api_frame() -> None:
    code, out, err = invoke(
        "check-step", "two-state", "-m", "richardson", "--runs", "2", "--steps", "10", "--json"
    )
    assert code == 0, err
    records = json.loads(out)
    api = step_check("two-state", "richardson", runs=2, steps=10, seed=1)
    assert len(records) == len(api)
    assert {r["outcome"] for r in records} == set(api["outcome"])


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--runs", "1"), "--runs must be ≥ 2, got 1."),
        (("--halvings", "0"), "--halvings must be ≥ 1, got 0."),
        (("--halvings", "9"), "--halvings must be at most 6, got 9."),
        (("--rel-tol", "-1"), "--rel-tol must be ≥ 0, got -1.0."),
        (("--steps", "0"), "--steps must be in [1, 100000], got 0."),
        (("-m", "nosuchmodel"), "nosuchmodel"),
        (("--set", "time.step=-1"), "time.step"),
        (("--set", "nope=1"), "error: --set: override path 'nope' does not exist"),
        # checked before any level runs (it failed at the finest, naming time.steps 200000)
        (("--steps", "100000", "--halvings", "1"), "more than a run may have (100000)"),
    ],
)
def test_cli_bad_input_exits_2_with_one_sentence(args: tuple[str, ...], needle: str) -> None:
    code, out, err = invoke("check-step", "two-state", "-m", "richardson", *args)
    assert code == 2
    assert needle in err and "Traceback" not in err + out


def test_steps_shorter_than_the_events_are_a_shorter_run() -> None:
    """cold-war's first event is in 1957; three yearly steps end in 1951. The check runs (it
    was refused, "events[0].year ... outside the scenario's time range")."""
    table = step_check("cold-war", "reassurance", runs=4, steps=3, halvings=1, seed=1)
    assert set(table["dt"]) == {1.0, 0.5}
