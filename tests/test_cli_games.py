"""The ``game``, ``tournament`` and ``evolve`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from herz.cli import app
from herz.models.games import Game
from herz.models.iterated import tournament

runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_game_jervis_json() -> None:
    code, out, _ = _run(
        "game", "--offense-advantage", "0.8", "--distinguishability", "0.1", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert {"payoffs", "class", "equilibria", "world"} <= set(data)
    assert data["class"] == "Prisoner's Dilemma"
    assert data["world"] == "doubly dangerous"
    assert data["payoffs"] == Game.from_jervis(0.8, 0.1).payoffs
    assert data["equilibria"] == [
        {"row": [0.0, 1.0], "column": [0.0, 1.0], "payoffs": [0.5, 0.5], "kind": "pure"}
    ]


def test_game_payoffs_text() -> None:
    code, out, _ = _run("game", "--payoffs", "4,3,1,2")
    assert code == 0
    assert "class: Stag Hunt (R>T>P>S)" in out
    assert "pure   (C, C): payoffs (4, 4)" in out
    assert "mixed  P(C) = 0.5 and 0.5" in out
    assert "world: n/a" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["game"], "give --offense-advantage"),
        (["game", "--offense-advantage", "0.3"], "--distinguishability is missing"),
        (["game", "--payoffs", "1,2,3"], "--payoffs must be four numbers"),
        (
            ["game", "--offense-advantage", "2", "--distinguishability", "0"],
            "--offense-advantage: must lie in [0, 1]",
        ),
        (
            ["game", "--payoffs", "1,2,3,4", "--offense-advantage", "0.1"],
            "either --payoffs or",
        ),
        # inputs of Jervis's map beside --payoffs were silently ignored
        (["game", "--payoffs", "3,5,0,1", "--cost", "5"], "--cost is an input of Jervis's map"),
        (["game", "--payoffs", "3,5,0,1", "--stakes", "-1"], "--stakes"),
    ],
)
def test_game_bad_input(args: list[str], needle: str) -> None:
    code, _, err = _run(*args)
    assert code == 2
    assert err.startswith("error: ") and needle in err


def test_tournament_json_equals_api() -> None:
    args = ["--strategies", "tit-for-tat,grim,Defector,Tit For 2 Tats", "--turns", "30"]
    args += ["--repetitions", "3", "--noise", "0.05", "--misperception", "0.02", "--seed", "5"]
    code, out, _ = _run("tournament", *args, "--json")
    assert code == 0
    data = json.loads(out)
    api = tournament(
        ["tit-for-tat", "grim", "Defector", "Tit For 2 Tats"],
        turns=30,
        repetitions=3,
        noise=0.05,
        misperception=0.02,
        seed=5,
    )
    assert data["players"] == ["tit-for-tat", "grim", "defector", "tit-for-two-tats"]
    assert data["mean_scores"] == api.mean_scores
    assert data["ranking"] == api.ranking
    assert data["payoff_matrix"] == api.payoff_array.tolist()


def test_tournament_text_and_out(tmp_path: Path) -> None:
    code, out, _ = _run(
        "tournament", "--strategies", "tft,defector,cooperator", "--turns", "10",
        "--repetitions", "1", "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0
    assert "defector" in out and "mean score" in out
    assert (tmp_path / "tournament_payoffs.png").stat().st_size > 0
    csv = (tmp_path / "tournament_payoff_matrix.csv").read_text()
    assert csv.splitlines()[0] == ",tit-for-tat,defector,cooperator"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--strategies", "tft,bogus"], "valid choices: alternator, anti-tit-for-tat"),
        (["--strategies", "tft"], "at least two"),
        (["--strategies", "tft,grim", "--noise", "1.5"], "--noise: must be a rate in [0, 1]"),
        (["--strategies", "tft,grim", "--misperception", "-1"], "--misperception: must be a rate"),
        (["--strategies", "tft,grim", "--turns", "0"], "--turns: must be a positive integer"),
        (["--strategies", "tft,grim", "--turns", "10000000"], "--turns: must be at most 100000"),
        (["--strategies", "tft,grim", "--repetitions", "0"], "--repetitions: must be a positive"),
    ],
)
def test_tournament_bad_input(args: list[str], needle: str) -> None:
    code, _, err = _run("tournament", *args)
    assert code == 2
    assert err.startswith("error: ") and needle in err


def test_evolve_replicator_json() -> None:
    code, out, _ = _run(
        "evolve", "--strategies", "tft,defector,cooperator", "--method", "replicator",
        "--generations", "30", "--turns", "20", "--repetitions", "1", "--json",
    )  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["method"] == "replicator"
    assert len(data["shares"]) == 31
    assert sum(data["final_shares"].values()) == pytest.approx(1.0)


def test_evolve_moran_writes_plot(tmp_path: Path) -> None:
    code, out, _ = _run(
        "evolve", "--strategies", "tft,defector", "--method", "moran", "--population", "10",
        "--generations", "50", "--turns", "10", "--repetitions", "1", "--seed", "2",
        "--out", str(tmp_path),
    )  # fmt: skip
    assert code == 0
    assert "moran" in out
    assert (tmp_path / "evolution_moran_shares.png").stat().st_size > 0
    assert (tmp_path / "evolution_moran_shares.csv").exists()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--strategies", "tft,grim", "--method", "lamarck"], "--method must be one of moran"),
        (["--strategies", "tft,grim", "--population", "1"], "--population: must be"),
        (["--strategies", "tft,nope"], "unknown strategy 'nope'"),
        # options of the Moran process are refused by the replicator, not silently ignored
        (
            ["--strategies", "tft,grim", "--method", "replicator", "--population", "0"],
            "--population",
        ),
        (["--strategies", "tft,grim", "--method", "replicator", "--intensity", "3"], "--intensity"),
        # runs that would not end (they ran until killed, growing in memory)
        (
            ["--strategies", "tft,grim", "--method", "replicator", "--generations", "100000000"],
            "--generations: must be at most 1000000",
        ),
    ],
)
def test_evolve_bad_input(args: list[str], needle: str) -> None:
    code, _, err = _run("evolve", *args)
    assert code == 2
    assert needle in err


def test_evolve_repeats_from_the_seed_it_recorded() -> None:
    """Without --seed the recorded seed is the one the tournament and the Moran process both
    used: passing it back gives the same shares (each drew its own before, and the recorded
    one reproduced neither the tournament nor, in one try, the winner)."""
    args = (
        "evolve", "--strategies", "tft,random,grim,defector", "--turns", "20",
        "--repetitions", "2", "--noise", "0.1", "--population", "8", "--generations", "40",
        "--json",
    )  # fmt: skip
    code, out, err = _run(*args)
    assert code == 0, err
    first = json.loads(out)
    assert first["tournament"]["seed"] == first["seed"]
    code, again, err = _run(*args, "--seed", str(first["seed"]))
    assert code == 0, err
    assert json.loads(again) == first


def test_a_reader_that_stops_early_ends_the_output_quietly() -> None:
    """``herz evolve ... | head -1``: no "internal error: [Errno 32] Broken pipe" (exit 1)."""
    import subprocess
    import sys

    cmd = (
        f"{sys.executable} -m herz evolve --strategies tft,random,grim,defector --turns 20 "
        "--repetitions 2 --method replicator --generations 3000 --seed 1 | head -c 1; "
        'echo " status=${PIPESTATUS[0]}"'
    )
    out = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert out.stderr == "" and out.stdout.endswith(" status=0\n"), (out.stdout, out.stderr)
