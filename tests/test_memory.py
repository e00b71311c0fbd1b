"""The pre-run memory check (``Model.memory_bytes``) must be an upper bound of what a run holds:
a run that passes it and then dies with MemoryError is the worst outcome (issue: the QA run at
100,000 runs measured 1.5-2.3× the estimate with ``keep="series"``)."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import herz
from herz.models._frames import ensemble_mean, pop_concat, state_column, tidy_frame
from herz.simulation import resolve_model, scenario_for_run

CASES = [
    ("spiral", "europe-1914", 300, {}),
    ("spiral", "multipolar-20", 40, {}),
    ("richardson", "cold-war", 3000, {"noise": 0.1}),
    ("lanchester", "two-state", 3000, {}),
    ("reassurance", "europe-1914", 300, {}),
    ("iterated", "europe-1914", 300, {}),
]


@pytest.mark.parametrize("keep", ["series", "summary"])
@pytest.mark.parametrize(("model", "scenario", "runs", "options"), CASES)
def test_estimate_bounds_measured_peak(
    model: str, scenario: str, runs: int, options: dict[str, float], keep: str
) -> None:
    sc = scenario_for_run(scenario, None, None)
    m = resolve_model(model)
    herz.simulate(sc, model, runs=2, seed=1, keep=keep, **options)  # imports and caches
    tracemalloc.start()
    try:
        result = herz.simulate(sc, model, runs=runs, seed=1, keep=keep, **options)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    estimate = m.memory_bytes(sc, steps=sc.time.steps, runs=runs, keep=keep)
    assert peak <= estimate, (model, scenario, keep, peak, estimate)
    if keep == "series":
        assert result.series is not None
        # the series holds its arrays, one block per column, not a consolidated copy
        assert result.series._mgr.nblocks == result.series.shape[1]


def test_state_column_equals_the_object_array_categorical() -> None:
    ids = ["USA", "RUS", "CHN"]
    old = pd.Categorical(np.tile(np.array(ids, dtype=object), 5), categories=ids)
    new = state_column(ids, 5)
    assert new.dtype == old.dtype
    assert new.codes.dtype == old.codes.dtype
    pd.testing.assert_extension_array_equal(new, old)


def test_pop_concat_frees_the_chunks() -> None:
    parts = [{"x": np.arange(3), "y": np.ones(3)}, {"x": np.arange(3, 5), "y": np.zeros(2)}]
    x = pop_concat(parts, "x")
    assert x.tolist() == [0, 1, 2, 3, 4]
    assert all("x" not in p and "y" in p for p in parts)


def test_tidy_frame_does_not_copy() -> None:
    a, b = np.arange(4.0), np.arange(4.0) * 2
    frame = tidy_frame({"a": a, "b": b})
    assert list(frame.columns) == ["a", "b"]
    assert np.shares_memory(frame["a"].to_numpy(), a)


@pytest.mark.parametrize("special", [False, True])
def test_ensemble_mean_is_the_groupby_mean_bit_for_bit(special: bool) -> None:
    rng = np.random.default_rng(3)
    runs, steps, n = 997, 7, 3
    paths = rng.lognormal(5.0, 2.0, size=(runs, steps, n))
    if special:  # NaN skipped, an infinity, a column with no value
        paths[5, 1, 0] = np.nan
        paths[::3, 2, 1] = np.nan
        paths[9, 3, 2] = np.inf
        paths[:, 4, 0] = np.nan
    long = pd.DataFrame(
        {
            "key": np.tile(np.arange(steps * n), runs),
            "military": paths.reshape(-1),
        }
    )
    expected = long.groupby("key")["military"].mean().to_numpy()
    got = ensemble_mean(paths).reshape(-1)
    np.testing.assert_array_equal(got, expected)  # NaN where NaN, else equal bits
    assert got.tobytes() == expected.tobytes()


@pytest.mark.parametrize("blocs", [False, True])
def test_richardson_comparison_without_the_series_is_the_same(blocs: bool) -> None:
    from herz.history.observed import compare

    kwargs = {"runs": 400, "seed": 7, "noise": 0.1, "blocs": blocs}
    with_series = herz.simulate("cold-war", "richardson", keep="series", **kwargs)
    without = herz.simulate("cold-war", "richardson", keep="summary", **kwargs)
    assert without.series is None
    assert json.dumps(compare(without), sort_keys=True) == json.dumps(
        compare(with_series), sort_keys=True
    )


def test_cli_run_compares_with_the_record_without_keeping_the_series(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    import herz.simulation
    from herz.cli import app

    keeps: list[str] = []
    real = herz.simulation.simulate

    def spy(*args: Any, **kwargs: Any) -> Any:
        keeps.append(kwargs["keep"])
        return real(*args, **kwargs)

    monkeypatch.setattr(herz.simulation, "simulate", spy)
    args = ["run", "cold-war", "--model", "richardson", "--noise", "0.1", "--runs", "50"]
    out = CliRunner().invoke(app, [*args, "--seed", "1", "--json"])
    assert out.exit_code == 0, out.output
    assert keeps == ["summary"]
    assert "observed_error" in json.loads(out.stdout)


def _little_memory(monkeypatch: pytest.MonkeyPatch, have: int) -> None:
    import herz.simulation

    monkeypatch.setattr(herz.simulation, "available_memory", lambda: have)


def test_refusal_advice_of_the_python_api(monkeypatch: pytest.MonkeyPatch) -> None:
    _little_memory(monkeypatch, 1000)
    with pytest.raises(herz.InputError, match=r"keep='summary'"):
        herz.simulate("two-state", "richardson", runs=100, seed=1)
    with pytest.raises(herz.InputError, match=r"herz\.run_sweep"):
        herz.simulate("two-state", "richardson", runs=100, seed=1, keep="summary")


def test_refusal_advice_of_the_cli_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from herz.cli import app

    _little_memory(monkeypatch, 1000)
    args = ["run", "two-state", "--model", "richardson", "--runs", "100", "--seed", "1"]
    out = CliRunner().invoke(app, args)
    assert out.exit_code == 2
    assert "--runs" in out.output and "keep=" not in out.output
    out = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "o")])
    assert out.exit_code == 2
    assert "--keep summary" in out.output and "keep=" not in out.output


def test_sweep_refused_for_memory_leaves_no_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from _specs import write_spec
    from herz.experiment import run_sweep

    doc = {
        "name": "small",
        "scenario": "two-state",
        "model": "richardson",
        "options": {"noise": 0.2},
        "parameters": {"world.offense_advantage": {"values": [0.0, 1.0]}},
        "runs": 7,
        "steps": 12,
        "seed": 11,
    }
    spec = write_spec(tmp_path, doc)
    db = tmp_path / "small.duckdb"
    # a chunk of 7 runs needs 8 × 7 × 13 × 2 × 3 = 4,368 bytes, one of 2 runs 1,248
    _little_memory(monkeypatch, 4000)
    with pytest.raises(herz.InputError, match=r"chunk") as refused:
        run_sweep(spec, db=db, workers=1, chunk=7)
    assert "keep=" not in str(refused.value)
    assert not db.exists()
    with pytest.raises(herz.InputError, match=r"2 at once"):  # each local worker holds one
        run_sweep(spec, db=db, workers=2, chunk=3)
    assert not db.exists()
    run_sweep(spec, db=db, workers=1, chunk=2)  # a smaller chunk starts it afresh
    assert db.exists()


def test_cli_keep_chooses_what_out_writes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    import herz.cli.run
    from herz.cli import app

    monkeypatch.setattr(herz.cli.run, "LONG_WRITE_ROWS", 10)
    args = ["run", "europe-1914", "--model", "spiral", "--runs", "3", "--seed", "4", "--out"]
    runner = CliRunner()
    full = runner.invoke(app, [*args, str(tmp_path / "series")])
    assert full.exit_code == 0, full.output
    assert "writing timeseries.csv (" in full.stderr and "rows)…" in full.stderr
    events = runner.invoke(app, [*args, str(tmp_path / "events"), "--keep", "events"])
    summary = runner.invoke(app, [*args, str(tmp_path / "summary"), "--keep", "summary"])
    assert events.exit_code == 0 and summary.exit_code == 0
    names = {p: {f.name for f in (tmp_path / p).iterdir()} for p in ("series", "events", "summary")}
    assert "timeseries.csv" in names["series"] and "events.csv" in names["series"]
    assert "timeseries.csv" not in names["events"] and "events.csv" in names["events"]
    assert not {"timeseries.csv", "events.csv"} & names["summary"]
    for stem in ("events.csv", "outcomes.csv", "summary.json"):
        if stem in names["events"]:
            assert (tmp_path / "events" / stem).read_bytes() == (
                tmp_path / "series" / stem
            ).read_bytes()
    bad = runner.invoke(app, [*args, str(tmp_path / "bad"), "--keep", "all"])
    assert bad.exit_code == 2 and "--keep must be one of" in bad.output
