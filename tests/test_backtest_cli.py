"""``herz backtest``: the table with event counts, JSON, --out, and one sentence + exit 2 for bad
input with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from herz.cli import app
from herz.cli.backtest import OUT_FILES

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["backtest", *args])
    return result.exit_code, result.stdout, result.stderr


def test_default_split_prints_the_table_with_event_counts() -> None:
    code, out, _ = invoke("--bootstrap", "100", "--seed", "1")
    assert code == 0
    for word in ("climatology", "persistence", "logit", "mid4", "war", "Brier", "AUC"):
        assert word in out
    assert "392" in out  # test dyad-windows 1900-1913
    assert "Training panel: 976 dyad-windows" in out
    assert "seed 1" in out
    assert "Palmer et al. (2022)" in out


def test_json_and_out(tmp_path: Path) -> None:
    target = tmp_path / "bt"
    code, out, err = invoke(
        "--target", "mid,war", "--bootstrap", "50", "--seed", "2", "--json", "--out", str(target)
    )
    assert code == 0, err
    payload = json.loads(out)
    assert payload["horizon"] == 5
    assert payload["bootstrap"]["seed"] == 2
    assert {r["target"] for r in payload["table"]} == {"mid", "war"}
    assert sorted(p.name for p in target.iterdir()) == sorted(OUT_FILES)
    assert json.loads((target / "backtest.json").read_text()) == payload
    html = (target / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left
    # a second run into the same folder replaces the files
    code, _, _ = invoke("--target", "mid", "--bootstrap", "0", "--json", "--out", str(target))
    assert code == 0
    assert json.loads((target / "backtest.json").read_text())["targets"] == {
        "mid": "MID onset in the dyad within [Y, Y+H)"
    }


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--train", "1816:1905"], "--train: the training window 1816:1905 must end before"),
        (["--test", "1990:2012"], "--test: 1990:2012"),
        (["--horizon", "0"], "--horizon:"),
        (["--target", "wars"], "--target: unknown target 'wars'"),
        (["--target", "mid,mid"], "--target: mid,mid names a target twice"),  # it crashed
        (["--train", "1700:1899"], "--train: 1700:1899 starts before"),
        (["--bootstrap", "-5"], "--bootstrap:"),
        (["richardson"], "MODEL: herz backtest forecasts with spiral only"),
        (["--posterior", "p.json"], "--posterior: applies to a model's forecast"),
        (["spiral", "--draws", "0"], "--draws: must be a whole number >= 1, got 0."),
        (["--persistence-years", "0"], "--persistence-years: must be a whole number >= 1, got 0."),
    ],
)
def test_bad_input_exits_2_with_one_sentence_and_writes_nothing(
    tmp_path: Path, args: list[str], needle: str
) -> None:
    target = tmp_path / "out"
    code, out, err = invoke(*args, "--out", str(target))
    assert code == 2
    assert needle in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err + out
    assert list(tmp_path.iterdir()) == []


def test_out_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    code, _, err = invoke("--out", str(target))
    assert code == 2
    assert "--out:" in err
    assert target.read_text() == "x"


def test_a_test_window_of_one_block_says_its_intervals_have_no_width() -> None:
    """14 test years and a 20-year horizon: one block, every resample the test set itself,
    so the "95%" intervals are points; the output says so (it printed them without a word)."""
    code, out, err = invoke("--test", "1900:1913", "--horizon", "20", "--bootstrap", "10")
    assert code == 0, err
    assert "single block of 14" in " ".join(out.split())
    code, out, err = invoke("--bootstrap", "10", "--seed", "1")
    assert code == 0 and "single block" not in out


def test_persistence_window_flag_reproduces_the_documented_sensitivity() -> None:
    """docs/backtest.md (the persistence window, **ours**): between the wars persistence's
    Brier skill for MID onset is 0.016 with the default window of 5 years and 0.002 with 3."""

    def skill(*args: str) -> float:
        code, out, err = invoke(
            "--train",
            "1816:1899",
            "--test",
            "1919:1938",
            "--target",
            "mid",
            "--bootstrap",
            "0",
            "--json",
            *args,
        )
        assert code == 0, err
        rows = json.loads(out)["table"]
        return next(r["bss"] for r in rows if r["forecaster"] == "persistence")

    assert skill() == skill("--persistence-years", "5")
    assert skill() == pytest.approx(0.016, abs=0.0005)
    assert skill("--persistence-years", "3") == pytest.approx(0.002, abs=0.0005)
