"""``herz run … --model spiral``: JSON summary, files written, report, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import herz
from herz.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_json_summary_has_the_promised_keys_and_matches_the_api() -> None:
    args = ("run", "europe-1914", "--model", "spiral", "--runs", "50", "--seed", "4", "--json")
    code, out, err = run(*args)
    assert code == 0, err
    summary = json.loads(out)
    for key in ("p_war", "mean_states_at_war", "mean_first_war_step", "final_military_mean"):
        assert key in summary
    api = herz.simulate("europe-1914", model="spiral", runs=50, seed=4, keep="summary")
    assert summary["p_war"] == pytest.approx(api.summary["p_war"])
    assert summary["final_military_mean"] == pytest.approx(api.summary["final_military_mean"])
    assert run(*args)[1] == out  # reproducible from the seed


def test_steps_and_set_are_applied() -> None:
    code, out, _ = run(
        "run",
        "multipolar-20",
        "--model",
        "spiral",
        "--runs",
        "5",
        "--steps",
        "7",
        "--seed",
        "1",
        "--set",
        "spiral.crisis_rate=0",
        "--json",
    )
    assert code == 0
    summary = json.loads(out)
    assert summary["steps"] == 7 and summary["p_war"] == 0.0
    assert summary["parameters"]["crisis_rate"] == 0.0


def test_steps_shorter_than_the_events_run_as_in_the_api() -> None:
    """--steps alone sets the run's length, as ``herz.simulate(steps=...)`` does: a horizon
    that ends before a scheduled event (europe-1914's Sarajevo crisis, 1914.5) is a shorter
    run, not a bad scenario (it was rejected as "events[0].year ... outside the time range")."""
    code, out, err = run(
        "run", "europe-1914", "--model", "spiral", "--runs", "5", "--steps", "8", "--seed", "2"
    )
    assert code == 0, err
    code, out, err = run(
        *("run", "europe-1914", "--model", "spiral", "--runs", "5"),
        "--json",
        *("--steps", "8", "--seed", "2"),
    )
    assert code == 0, err
    api = herz.simulate("europe-1914", model="spiral", runs=5, seed=2, steps=8, keep="summary")
    assert json.loads(out)["final_military_mean"] == api.summary["final_military_mean"]
    assert json.loads(out)["steps"] == 8


def test_a_step_override_with_fewer_steps_is_a_shorter_run_too() -> None:
    """--set time.step=1 --steps 5 on cold-war (first event 1957) runs, as --steps 5 alone
    does and as herz.simulate does; it was refused while --steps alone was accepted."""
    args = ("run", "cold-war", "-m", "spiral", "--runs", "3", "--seed", "1", "--json")
    code, out, err = run(*args, "--steps", "5", "--set", "time.step=1")
    assert code == 0, err
    api = herz.simulate(
        "cold-war", model="spiral", runs=3, seed=1, steps=5, overrides={"time.step": 1}
    )
    assert json.loads(out)["final_military_mean"] == api.summary["final_military_mean"]
    # a finer step with more steps keeps the file's events: europe-1914 at dt 1/8
    code, out, err = run(
        *("run", "europe-1914", "-m", "spiral", "--runs", "3", "--seed", "1", "--json"),
        *("--set", "time.step=0.125", "--steps", "80"),
    )
    assert code == 0, err
    assert json.loads(out)["steps"] == 80


def test_out_writes_tables_plots_and_a_self_contained_report(tmp_path: Path) -> None:
    out = tmp_path / "res"
    code, stdout, err = run(
        "run",
        "europe-1914",
        "--model",
        "spiral",
        "--runs",
        "20",
        "--seed",
        "2",
        "--out",
        str(out),
    )
    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "arms.png",
        "events.csv",
        "outcomes.csv",
        "report.html",
        "summary.json",
        "tension.png",
        "timeseries.csv",
        "war_timeline.png",
    ]
    for png in ("arms.png", "tension.png", "war_timeline.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 3
    assert "src='http" not in html and "<script" not in html
    assert f"herz {herz.__version__}" in html and "seed" in html and "Van Evera" in html
    assert "P(war)" in stdout
    import pandas as pd

    outcomes = pd.read_csv(out / "outcomes.csv")
    assert len(outcomes) == 20 and {"run", "war", "first_war_step"} <= set(outcomes.columns)
    events = pd.read_csv(out / "events.csv")
    assert {"run", "t", "year", "kind", "states", "who", "detail"} <= set(events.columns)


def test_report_escapes_scenario_text(tmp_path: Path) -> None:
    doc = herz.load_scenario("two-state").to_dict()
    doc["description"] = "<script>alert(1)</script>"
    path = tmp_path / "evil.yaml"
    herz.Scenario.from_dict(doc).save(path)
    out = tmp_path / "r"
    code, _, err = run("run", str(path), "--model", "spiral", "--steps", "3", "--out", str(out))
    assert code == 0, err
    html = (out / "report.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--set", "events[0].states=[AUH, XYZ]"), "events[0].states[1]"),
        (("--set", "events[0].year=1950"), "events[0].year"),
        (("--set", "spiral.attrition=-1"), "spiral.attrition"),
        (("--set", "spiral.crisis_rate=-2"), "spiral.crisis_rate"),
        (("--runs", "0"), "--runs"),
    ],
)
def test_bad_input_exits_2(args: tuple[str, ...], needle: str, tmp_path: Path) -> None:
    out = tmp_path / "never"
    code, stdout, err = run("run", "europe-1914", "--model", "spiral", *args, "--out", str(out))
    assert code == 2
    assert needle in err and "Traceback" not in err and stdout == ""
    assert not out.exists()
