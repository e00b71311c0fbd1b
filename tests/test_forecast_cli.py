"""``herz backtest spiral``: the model beside the baselines, its posterior named, and one
sentence + exit 2 for a posterior trained on test years or a bad ensemble size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from herz.calibration import Posterior, shipped_posterior
from herz.cli import app
from herz.forecast import DEFAULTS_LABEL

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["backtest", "spiral", *args])
    return result.exit_code, result.stdout, result.stderr


def test_the_model_is_scored_beside_the_baselines_and_says_it_is_uncalibrated(
    tmp_path: Path,
) -> None:
    target = tmp_path / "bt"
    code, out, err = invoke(
        "--posterior",
        "defaults",
        "--draws",
        "20",
        "--bootstrap",
        "50",
        "--seed",
        "1",
        "--json",
        "--out",
        str(target),
    )
    assert code == 0, err
    payload = json.loads(out)
    assert payload["forecasters"] == ["climatology", "persistence", "logit", "spiral"]
    spiral = payload["models"]["spiral"]
    assert spiral["posterior"] == DEFAULTS_LABEL
    assert spiral["draws"] == 20 and spiral["seed"] == 1 and spiral["origins"][0] == 1900
    rows = [r for r in payload["table"] if r["forecaster"] == "spiral"]
    assert {r["target"] for r in rows} == {"mid", "mid4", "war"}
    assert all(r["windows"] == 392 and r["brier_lo"] is not None for r in rows)
    assert "defaults (uncalibrated)" in (target / "report.html").read_text()
    code, out, _ = invoke(
        "--posterior", "defaults", "--draws", "20", "--bootstrap", "20", "--target", "war"
    )  # no --seed: a fresh one, printed
    assert code == 0
    assert "spiral: posterior defaults (uncalibrated)" in out
    assert "geography off" in out
    assert "reliability (spiral, war): 0.0-0.1: " in out  # the bins depend on the seed


def test_the_default_posterior_is_the_shipped_calibration_of_the_training_years() -> None:
    code, out, err = invoke("--draws", "4", "--bootstrap", "0", "--target", "war", "--json")
    assert code == 0, err
    spiral = json.loads(out)["models"]["spiral"]
    assert spiral["posterior"].startswith("shipped spiral 1816:1899")
    assert set(spiral["parameters"]) == set(shipped_posterior().parameters)
    # a training window herz ships no posterior for: the defaults, said
    code, out, _ = invoke(
        "--train", "1816:1880", "--draws", "4", "--bootstrap", "0", "--target", "war", "--json"
    )
    assert code == 0
    assert json.loads(out)["models"]["spiral"]["posterior"] == DEFAULTS_LABEL


def posterior_file(tmp_path: Path, years: list[int], model: str = "spiral") -> Path:
    post = Posterior.point(model, {"spiral.crisis_rate": 1.0}, years=years)
    return post.save(tmp_path / "posterior.json")


def test_a_posterior_file_is_used_and_named(tmp_path: Path) -> None:
    path = posterior_file(tmp_path, [1816, 1899])
    code, out, err = invoke(
        "--posterior", str(path), "--draws", "10", "--bootstrap", "0", "--seed", "2", "--json"
    )
    assert code == 0, err
    spiral = json.loads(out)["models"]["spiral"]
    assert str(path) in spiral["posterior"] and "1816:1899" in spiral["posterior"]
    assert spiral["parameters"]["spiral.crisis_rate"]["mean"] == 1.0


@pytest.mark.parametrize(
    ("years", "model", "needle"),
    [
        (
            [1816, 1905],
            "spiral",
            "was calibrated on 1816:1905, which does not end before the test window 1900:1913",
        ),
        ([1816, 1899], "richardson", "is for model 'richardson', not 'spiral'"),
    ],
)
def test_a_posterior_trained_on_test_years_is_refused(
    tmp_path: Path, years: list[int], model: str, needle: str
) -> None:
    path = posterior_file(tmp_path, years, model)
    out_dir = tmp_path / "out"
    code, out, err = invoke("--posterior", str(path), "--out", str(out_dir))
    assert code == 2
    assert err.startswith("error: --posterior:") and needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err + out
    assert not out_dir.exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--draws", "-3"], "--draws: must be a whole number >= 1, got -3."),
        (["--runs-per-draw", "0"], "--runs-per-draw: must be a whole number >= 1, got 0."),
        (["--workers", "0"], "--workers: must be a whole number >= 1, got 0."),
        (["--posterior", "missing.json"], "missing.json: no such posterior file"),
        (["--test", "1900:2012"], "--test: 1900:2012"),
    ],
)
def test_bad_ensemble_input_exits_2(tmp_path: Path, args: list[str], needle: str) -> None:
    code, _, err = invoke(*args, "--out", str(tmp_path / "out"))
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
