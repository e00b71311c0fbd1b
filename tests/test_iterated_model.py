"""The ``iterated`` model: iterated security games read from a scenario (issue #10, item 3).

Independent checks against the kernel's own matches and tournaments and against closed forms;
batching invariance; errors naming ``iterated.<field>``; the misperception mechanism; and a
sweep over an iterated parameter that stores, resumes and plots.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import herz
from _specs import write_spec
from herz.errors import InputError, ScenarioError
from herz.models import get_model
from herz.models.games import Game
from herz.models.iterated import Iterated, IteratedParams, play_match, tournament
from herz.models.iterated.model import iterated_game

EUROPE_MIX = {
    "UKG": "tit-for-tat",
    "FRN": "grim",
    "RUS": "defector",
    "GMY": "win-stay-lose-shift",
    "AUH": "suspicious-tit-for-tat",
    "ITA": "alternator",
    "SRB": "tit-for-two-tats",
    "BEL": "defensive-realist",
}


def strategies(mapping: dict[str, str]) -> dict[str, str]:
    return {f"iterated.strategies.{k}": v for k, v in mapping.items()}


# -- the registered model -----------------------------------------------------------------------
def test_registered_and_declares_its_schema() -> None:
    model = get_model("iterated")
    assert isinstance(model, Iterated) and model.Params is IteratedParams
    for name, info in IteratedParams.model_fields.items():
        assert info.description, name
    r = herz.simulate("europe-1914", model="iterated", runs=3, seed=1, keep="summary")
    ids = r.scenario.ids
    assert r.outcomes is not None and r.series is None
    assert list(r.outcomes.columns) == model.outcome_columns(ids)
    assert r.outcomes["run"].tolist() == [0, 1, 2]
    for col in r.outcomes.columns[1:]:
        assert pd.api.types.is_float_dtype(r.outcomes[col]), col
    for m in model.summary_fields:
        assert m.name in r.summary, m.name
    # The stage game is the Jervis map of the scenario's world (ω = 0.7, δ = 0.2).
    game = Game.from_jervis(0.7, 0.2)
    assert r.summary["payoffs"] == game.payoffs
    assert r.summary["game_class"] == "Prisoner's Dilemma" == game.game_class
    assert r.summary["world"] == "doubly dangerous"
    assert r.summary["strategies"] == dict.fromkeys(ids, "tit-for-tat")
    # Without a block, a match lasts the run's steps; the block's turns win when given.
    assert r.summary["turns"] == r.scenario.time.steps == 40
    r = herz.simulate("two-state", model="iterated", steps=7, runs=1, seed=1)
    assert r.summary["turns"] == 7
    r = herz.simulate(
        "two-state", model="iterated", steps=7, seed=1, overrides={"iterated.turns": 9}
    )
    assert r.summary["turns"] == 9 and r.series is not None and r.series["t"].max() == 8


def test_overrides_set_strategies_inside_the_block() -> None:
    r = herz.simulate(
        "europe-1914",
        model="iterated",
        runs=4,
        seed=1,
        overrides={"iterated.turns": 50, "iterated.strategies.GMY": "grim", "iterated.noise": 0.1},
    )
    assert r.summary["strategies"]["GMY"] == "grim"
    assert r.summary["strategies"]["UKG"] == "tit-for-tat"
    assert r.summary["turns"] == 50 and r.summary["noise"] == 0.1
    # Aliases and display names are accepted and recorded by their canonical names.
    r = herz.simulate(
        "two-state",
        model="iterated",
        runs=1,
        seed=1,
        overrides={"iterated.strategy": "Grudger", "iterated.strategies.B": "tft"},
    )
    assert r.summary["strategies"] == {"A": "grim", "B": "tit-for-tat"}


# -- (a) independent checks ---------------------------------------------------------------------
def test_deterministic_scores_equal_the_kernels_matches_and_tournament() -> None:
    turns = 37
    sc = herz.load_scenario("europe-1914").with_overrides(strategies(EUROPE_MIX))
    r = herz.simulate(sc, model="iterated", runs=3, seed=5, overrides={"iterated.turns": turns})
    out = r.outcomes
    assert out is not None
    ids = sc.ids
    game = iterated_game(sc, IteratedParams())
    # Nothing is random: every run is the same.
    assert (out.drop(columns="run").nunique() == 1).all()
    # Against the kernel's one-off matches, pair by pair.
    per_turn = np.zeros((len(ids), len(ids)))
    coop = np.zeros((len(ids), len(ids)))
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            if i < j:
                m = play_match(EUROPE_MIX[a], EUROPE_MIX[b], turns=turns, game=game)
                per_turn[i, j], per_turn[j, i] = m.score_per_turn
                coop[i, j] = float((m.actions[:, 0] == 0).sum())
                coop[j, i] = float((m.actions[:, 1] == 0).sum())
    n = len(ids)
    for i, s in enumerate(ids):
        np.testing.assert_allclose(out[f"score_{s}"], per_turn[i].sum() / (n - 1), rtol=1e-13)
        np.testing.assert_allclose(
            out[f"cooperation_{s}"], coop[i].sum() / ((n - 1) * turns), rtol=1e-13
        )
    # Against a tournament of the same strategies in the same game (self-play left out).
    t = tournament([EUROPE_MIX[s] for s in ids], turns=turns, repetitions=1, game=game, seed=0)
    for i, s in enumerate(ids):
        assert out[f"score_{s}"].iloc[0] == pytest.approx(t.normalised_scores[i, 0], rel=1e-13)
        assert out[f"cooperation_{s}"].iloc[0] == pytest.approx(
            t.cooperation_rates[t.players[i]], rel=1e-13
        )
    assert r.summary["ranking"][-1] == min(ids, key=lambda s: float(out[f"score_{s}"].iloc[0]))


@pytest.mark.parametrize(("omega", "delta"), [(0.8, 0.1), (0.2, 0.9), (0.5, 0.5)])
def test_tit_for_tat_against_the_defector_has_the_closed_form(omega: float, delta: float) -> None:
    turns = 25
    r = herz.simulate(
        "two-state",
        model="iterated",
        runs=2,
        seed=3,
        overrides={
            "world.offense_advantage": omega,
            "world.distinguishability": delta,
            "iterated.turns": turns,
            "iterated.strategies.B": "defector",
            "iterated.cost": 0.3,
        },
    )
    g = Game.from_jervis(omega, delta, cost=0.3)
    out = r.outcomes
    assert out is not None
    # TFT: S once, then P; the defector: T once, then P (Axelrod 1984).
    np.testing.assert_allclose(out["score_A"], (g.S + (turns - 1) * g.P) / turns, rtol=1e-14)
    np.testing.assert_allclose(out["score_B"], (g.T + (turns - 1) * g.P) / turns, rtol=1e-14)
    np.testing.assert_array_equal(out["cooperation_A"], 1 / turns)
    np.testing.assert_array_equal(out["cooperation_B"], 0.0)
    np.testing.assert_allclose(out["cooperation"], 0.5 / turns)
    assert r.series is not None
    series = r.series
    first = series[(series["t"] == 0) & (series["run"] == 1)].set_index("state")
    assert first.loc["A", "cooperation"] == 1.0 and first.loc["B", "score"] == g.T


def test_series_per_turn_averages_to_the_outcomes() -> None:
    sc = herz.load_scenario("europe-1914").with_overrides(strategies(EUROPE_MIX))
    r = herz.simulate(
        sc,
        model="iterated",
        runs=4,
        seed=2,
        overrides={"iterated.noise": 0.05, "iterated.misperception": 0.05, "iterated.turns": 30},
    )
    assert r.series is not None and r.outcomes is not None
    assert list(r.series.columns) == ["run", "t", "year", "state", "cooperation", "score"]
    assert len(r.series) == 4 * 30 * len(sc.ids)
    means = r.series.groupby(["run", "state"], observed=True)[["cooperation", "score"]].mean()
    for s in sc.ids:
        np.testing.assert_allclose(
            means.xs(s, level="state")["cooperation"], r.outcomes[f"cooperation_{s}"], rtol=1e-12
        )
        np.testing.assert_allclose(
            means.xs(s, level="state")["score"], r.outcomes[f"score_{s}"], rtol=1e-12
        )
    years = r.series["year"].to_numpy()
    np.testing.assert_allclose(years, sc.time.start + sc.time.step * r.series["t"].to_numpy())


# -- (b) batching invariance --------------------------------------------------------------------
RANDOM_SETTINGS: dict[str, Any] = {
    "iterated.noise": 0.03,
    "iterated.misperception": 0.04,
    "iterated.prob_end": 0.05,
    "iterated.turns": 40,
    "iterated.strategies.UKG": "random",
    "iterated.strategies.GMY": "generous-tit-for-tat",
    "iterated.strategies.RUS": "grim",
}


@pytest.mark.parametrize("keep", ["series", "summary"])
def test_runs_are_bit_identical_in_any_chunk(keep: str) -> None:
    kw: dict[str, Any] = {
        "model": "iterated",
        "seed": 11,
        "overrides": RANDOM_SETTINGS,
        "keep": keep,
        "stream_key": (3,),
    }
    whole = herz.simulate("europe-1914", runs=10, **kw)
    parts = [
        herz.simulate("europe-1914", runs=5, **kw),
        herz.simulate("europe-1914", runs=5, run_offset=5, **kw),
    ]
    singles = [herz.simulate("europe-1914", runs=1, run_offset=k, **kw) for k in (0, 7)]
    assert whole.outcomes is not None
    pd.testing.assert_frame_equal(
        pd.concat([p.outcomes for p in parts], ignore_index=True), whole.outcomes, check_exact=True
    )
    for k, single in zip((0, 7), singles, strict=True):
        assert single.outcomes is not None
        pd.testing.assert_frame_equal(
            single.outcomes,
            whole.outcomes.iloc[[k]].reset_index(drop=True),
            check_exact=True,
        )
    if keep == "series":
        assert whole.series is not None
        pd.testing.assert_frame_equal(
            pd.concat([p.series for p in parts], ignore_index=True),
            whole.series,
            check_exact=True,
        )
    # Runs differ (own streams); with prob_end some matches end before the cap.
    assert whole.outcomes["mean_score"].nunique() == 10
    assert (whole.outcomes["mean_length"] < 40).all()
    # Another stream key is another family of streams.
    other = herz.simulate("europe-1914", runs=10, **{**kw, "stream_key": (4,)})
    assert other.outcomes is not None
    assert not np.array_equal(other.outcomes["mean_score"], whole.outcomes["mean_score"])


def test_keep_does_not_change_outcomes_or_summary() -> None:
    kw: dict[str, Any] = {"model": "iterated", "runs": 6, "seed": 4, "overrides": RANDOM_SETTINGS}
    full = herz.simulate("europe-1914", keep="series", **kw)
    brief = herz.simulate("europe-1914", keep="summary", **kw)
    assert full.outcomes is not None and brief.outcomes is not None
    pd.testing.assert_frame_equal(full.outcomes, brief.outcomes, check_exact=True)
    assert full.summary == brief.summary


def test_match_streams_are_children_of_the_run_stream() -> None:
    """Match p of run r draws from the p-th child of run r's stream (seed, *key, r)."""
    from herz._random import run_seed_sequence

    seed, key, run = 7, (2,), 5
    children = run_seed_sequence(seed, run, key).spawn(3)
    for p, child in enumerate(children):
        direct = np.random.SeedSequence(seed, spawn_key=(*key, run, p))
        assert child.spawn_key == direct.spawn_key
        assert np.array_equal(child.generate_state(4), direct.generate_state(4))


# -- (c) bad block values -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "field", "value"),
    [
        ({"iterated.strategies.GMY": "nonsense"}, "iterated.strategies.GMY", "nonsense"),
        ({"iterated.strategies.XYZ": "grim"}, "iterated.strategies.XYZ", "XYZ"),
        ({"iterated.strategy": "kind-of-nice"}, "iterated.strategy", "kind-of-nice"),
        ({"iterated.turns": 0}, "iterated.turns", 0),
        ({"iterated.turns": 2.5}, "iterated.turns", 2.5),
        ({"iterated.noise": 1.5}, "iterated.noise", 1.5),
        ({"iterated.misperception": -0.1}, "iterated.misperception", -0.1),
        ({"iterated.prob_end": 0}, "iterated.prob_end", 0),
        ({"iterated.cost": -1}, "iterated.cost", -1),
        ({"iterated.stakes": 0}, "iterated.stakes", 0),
        ({"iterated.colour": "red"}, "iterated.colour", None),
    ],
)
def test_bad_block_values_name_the_field_and_the_value(
    overrides: dict[str, Any], field: str, value: Any
) -> None:
    with pytest.raises(ScenarioError) as info:
        herz.simulate("europe-1914", model="iterated", runs=1, seed=1, overrides=overrides)
    err = info.value
    assert err.field == field, str(err)
    assert field in str(err)
    if value is not None:
        assert repr(value) in str(err)
    if "strateg" in field and value != "XYZ":
        assert "tit-for-tat" in str(err)  # the valid choices are listed


def test_a_bad_block_in_a_scenario_file_fails_validation(tmp_path: Path) -> None:
    doc = herz.load_scenario("two-state").to_dict()
    doc["iterated"] = {"strategies": {"C": "grim"}}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    from herz.simulation import check_scenario

    with pytest.raises(ScenarioError, match=r"iterated\.strategies\.C"):
        check_scenario(herz.load_scenario(path))


def test_one_state_is_not_a_tournament() -> None:
    doc = herz.load_scenario("two-state").to_dict()
    doc["states"] = doc["states"][:1]
    sc = herz.Scenario.from_dict(doc)
    with pytest.raises(InputError, match="at least two states"):
        herz.simulate(sc, model="iterated", runs=1, seed=1)


# -- (e) a mechanism with a switch -------------------------------------------------------------
def test_misperception_breaks_cooperation_among_tit_for_tat_players() -> None:
    """All eight states play tit for tat: without misperception they restrain throughout;
    with it a misread move echoes (Jervis 1976, ch. 3) and cooperation falls. The first move is
    never misread, so turn 0 is all restraint either way."""
    kw: dict[str, Any] = {"model": "iterated", "runs": 20, "seed": 8, "steps": 100}
    clear = herz.simulate("europe-1914", **kw)
    assert clear.outcomes is not None and clear.series is not None
    assert (clear.outcomes["cooperation"] == 1.0).all()
    assert clear.summary["cooperation"] == 1.0 and clear.summary["cooperation_se"] == 0.0
    rates = []
    for mu in (0.01, 0.05):
        foggy = herz.simulate("europe-1914", overrides={"iterated.misperception": mu}, **kw)
        assert foggy.outcomes is not None and foggy.series is not None
        assert (foggy.outcomes["cooperation"] < 1.0).all()
        assert (foggy.series.loc[foggy.series["t"] == 0, "cooperation"] == 1.0).all()
        rates.append(foggy.summary["cooperation"])
    assert rates[0] < 0.95 and rates[1] < rates[0] and rates[1] < 0.7


# -- figures --------------------------------------------------------------------------------------
def test_figures_show_scores_and_cooperation() -> None:
    import matplotlib.pyplot as plt

    model = get_model("iterated")
    r = herz.simulate("europe-1914", model="iterated", runs=3, seed=1, overrides=RANDOM_SETTINGS)
    figs = model.figures(r)
    assert set(figs) == {"scores.png", "cooperation.png"}
    buf = io.BytesIO()
    figs["scores.png"].savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"
    for fig in figs.values():
        plt.close(fig)
    brief = herz.simulate("two-state", model="iterated", runs=1, seed=1, keep="summary")
    figs = model.figures(brief)
    assert set(figs) == {"scores.png"}
    plt.close(figs["scores.png"])


def test_result_round_trips_through_csv(tmp_path: Path) -> None:
    r = herz.simulate("two-state", model="iterated", runs=3, seed=1, overrides=RANDOM_SETTINGS_2)
    assert r.outcomes is not None and r.series is not None
    r.to_csv(tmp_path)
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "outcomes.csv"), r.outcomes)
    back = pd.read_csv(tmp_path / "timeseries.csv")
    assert len(back) == len(r.series)
    np.testing.assert_array_equal(back["cooperation"], r.series["cooperation"])


RANDOM_SETTINGS_2: dict[str, Any] = {"iterated.noise": 0.1, "iterated.strategies.B": "random"}


# -- (d) sweeps -----------------------------------------------------------------------------------
def sweep_doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": "iterated-small",
        "scenario": "europe-1914",
        "model": "iterated",
        "overrides": {"iterated.strategies.GMY": "grim", "iterated.strategies.SRB": "defector"},
        "parameters": {
            "iterated.noise": {"values": [0.0, 0.05]},
            "iterated.misperception": {"range": {"start": 0, "stop": 0.1, "num": 3}},
        },
        "runs": 6,
        "steps": 20,
        "seed": 17,
    }
    doc.update(changes)
    return doc


def test_sweep_over_iterated_parameters_stores_resumes_and_plots(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    from typer.testing import CliRunner

    from herz.cli import app
    from herz.experiment import run_sweep
    from herz.store import open_results

    def stored(db: Path) -> pd.DataFrame:
        with open_results(db) as store:
            return store.runs(store.resolve())

    spec = write_spec(tmp_path, sweep_doc())
    full = run_sweep(spec, db=tmp_path / "full.duckdb", workers=1, chunk=4)
    assert full.runs_computed == 6 * 6
    runs = stored(tmp_path / "full.duckdb")
    assert {"iterated.noise", "iterated.misperception", "cooperation", "score_GMY"} <= set(
        runs.columns
    )
    # Stored runs are the model's own: point p, run i equals a direct call keyed (p,).
    direct = herz.simulate(
        "europe-1914",
        model="iterated",
        runs=6,
        seed=17,
        steps=20,
        keep="summary",
        stream_key=(5,),
        overrides={
            **sweep_doc()["overrides"],
            "iterated.noise": 0.05,
            "iterated.misperception": 0.1,
        },
    )
    assert direct.outcomes is not None
    point5 = runs[runs["point"] == 5].reset_index(drop=True)
    np.testing.assert_array_equal(point5["cooperation"], direct.outcomes["cooperation"])
    np.testing.assert_array_equal(point5["score_GMY"], direct.outcomes["score_GMY"])
    # Noise and misperception lower cooperation; at (0, 0) nothing is random.
    clear = runs[(runs["iterated.noise"] == 0) & (runs["iterated.misperception"] == 0)]
    assert clear["cooperation"].nunique() == 1
    assert runs["cooperation"].min() < clear["cooperation"].iloc[0]

    # An interrupted sweep resumes to the uninterrupted result.
    class StopError(Exception):
        pass

    def stop_after_two(p: Any) -> None:
        if p.chunks_done == 2:
            raise StopError

    cut = tmp_path / "cut.duckdb"
    with pytest.raises(StopError):
        run_sweep(spec, db=cut, workers=1, chunk=4, progress=stop_after_two)
    assert len(stored(cut)) == 8
    runner = CliRunner()
    args = ["sweep", str(spec), "--db", str(cut), "--workers", "1", "--quiet"]
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and "--resume" in res.stderr
    res = runner.invoke(app, [*args, "--resume"])
    assert res.exit_code == 0, res.stderr
    assert "computed 28 runs, 8 were already stored" in res.stderr
    pd.testing.assert_frame_equal(stored(cut), stored(tmp_path / "full.duckdb"))

    # The summary has the outcomes' means, and the phase diagram plots one of them.
    res = runner.invoke(app, ["results", str(cut), "--summary"])
    assert res.exit_code == 0, res.stderr
    summary = pd.read_csv(io.StringIO(res.stdout))
    assert {"mean_cooperation", "mean_mean_score", "mean_score_GMY"} <= set(summary.columns)
    png = tmp_path / "phase.png"
    res = runner.invoke(
        app,
        [
            "plot",
            "phase",
            str(cut),
            "--x",
            "iterated.noise",
            "--y",
            "iterated.misperception",
            "--z",
            "mean_cooperation",
            "-o",
            str(png),
        ],
    )
    assert res.exit_code == 0, res.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sweep_keeping_series_stores_the_same_outcomes(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    from herz.experiment import run_sweep
    from herz.store import open_results

    small = {"parameters": {"iterated.misperception": {"values": [0.0, 0.1]}}, "runs": 3}
    dbs = {}
    for keep in ("summary", "series"):
        spec = write_spec(tmp_path, sweep_doc(keep=keep, **small), f"{keep}.yaml")
        dbs[keep] = tmp_path / f"{keep}.duckdb"
        run_sweep(spec, db=dbs[keep], workers=1, chunk=2)
    frames = []
    for db in dbs.values():
        with open_results(db) as store:
            frames.append(store.runs(store.resolve()))
    pd.testing.assert_frame_equal(frames[0], frames[1])


def test_builtin_iterated_noise_sweep() -> None:
    from herz.experiment import builtin_sweeps, load_sweep, prepare_sweep

    assert "iterated-noise" in builtin_sweeps()
    spec, _, _ = load_sweep("iterated-noise")
    assert spec.model == "iterated" and spec.design.kind == "grid"
    assert spec.paths == ["iterated.noise", "iterated.misperception"]
    plan = prepare_sweep("iterated-noise", runs=1, steps=3)
    assert plan.n_points == 30
