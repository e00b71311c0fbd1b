"""Bit-identical results whatever the batching (issue #14, "Reproducibility").

Run i of a point draws only from its own stream, so its numbers must not depend on how many
runs share its call or its chunk, on ``run_offset``, on the spiral's ``chunk`` option, or on the
executor and worker count of a sweep. Reductions over states are where they used to: NumPy sums
a lone run's state axis pairwise but adds states one after the other across several runs.
Scenarios with eight states or more (europe-1914, multipolar-20) and deliberately odd sizes
(1, 7, 13) expose that.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

import herz
from herz.analysis import summarize
from herz.cli import app
from herz.errors import InputError
from herz.experiment import plan_chunks
from herz.models import model_names

RUNS = 13
STEPS = 20
#: Options that make runs differ from one another (known models); others run with defaults.
OPTIONS: dict[str, dict[str, Any]] = {"richardson": {"noise": 0.1}}


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    t = table.reset_index(drop=True).copy()
    for col in t.columns:
        if isinstance(t[col].dtype, pd.CategoricalDtype):
            t[col] = t[col].astype(str)
    return t


def _tables(model: str, scenario: str, **kw: Any) -> dict[str, pd.DataFrame]:
    res = herz.simulate(
        scenario, model=model, steps=STEPS, seed=7, keep="series", **OPTIONS.get(model, {}), **kw
    )
    return {k: _plain(v) for k, v in res.tables().items()}


def _rows(table: pd.DataFrame, lo: int, hi: int) -> pd.DataFrame:
    return table[(table["run"] >= lo) & (table["run"] < hi)].reset_index(drop=True)


@pytest.mark.parametrize("scenario", ["europe-1914", "multipolar-20"])
@pytest.mark.parametrize("model", model_names())
def test_a_run_is_the_same_in_any_batch(model: str, scenario: str) -> None:
    try:
        whole = _tables(model, scenario, runs=RUNS)
    except InputError as exc:  # a model that cannot read this scenario
        pytest.skip(f"{model} on {scenario}: {exc}")
    assert "outcomes" in whole
    for size in (1, 7):
        for lo in range(0, RUNS, size):
            hi = min(lo + size, RUNS)
            part = _tables(model, scenario, runs=hi - lo, run_offset=lo)
            assert set(part) == set(whole)
            for stem, table in part.items():
                pd.testing.assert_frame_equal(
                    table, _rows(whole[stem], lo, hi), check_exact=True, obj=f"{stem} {lo}:{hi}"
                )


@pytest.mark.parametrize("scenario", ["europe-1914", "multipolar-20", "cold-war"])
def test_spiral_chunk_option_changes_nothing(scenario: str) -> None:
    def run(chunk: int, keep: str = "series") -> herz.Result:
        return herz.simulate(
            scenario, model="spiral", runs=RUNS, steps=STEPS, seed=3, keep=keep, chunk=chunk
        )

    base = run(500)
    assert base.outcomes is not None
    for chunk in (1, 7, 13):
        for keep in ("series", "summary"):
            res = run(chunk, keep)
            assert res.outcomes is not None
            pd.testing.assert_frame_equal(res.outcomes, base.outcomes, check_exact=True)
            # ensemble means and the summary are built from runs in run order too
            pd.testing.assert_frame_equal(res.extra["means"], base.extra["means"], check_exact=True)
            summary = {k: v for k, v in res.summary.items() if k != "options"}
            assert summary == {k: v for k, v in base.summary.items() if k != "options"}
            if keep == "series":
                for stem in ("timeseries", "events"):
                    pd.testing.assert_frame_equal(
                        _plain(res.tables()[stem]), _plain(base.tables()[stem]), check_exact=True
                    )


def test_summaries_do_not_depend_on_row_order() -> None:
    rng = np.random.default_rng(1)
    n = 600
    runs = pd.DataFrame(
        {
            "point": np.repeat(np.arange(3), n // 3),
            "run": np.tile(np.arange(n // 3), 3),
            "war": rng.random(n) < 0.4,
            # values of very different sizes, so that the order of a plain sum shows
            "final_military": rng.standard_normal(n) * 10.0 ** rng.integers(-8, 9, n),
        }
    )
    base = summarize(runs)
    for seed in range(3):
        shuffled = runs.sample(frac=1.0, random_state=seed)
        pd.testing.assert_frame_equal(summarize(shuffled), base, check_exact=True)


# -- sweeps -----------------------------------------------------------------------------------
SWEEP: dict[str, Any] = {
    "name": "repro",
    "scenario": "multipolar-20",
    "model": "spiral",
    "parameters": {
        "world.offense_advantage": {"values": [0.3, 0.9]},
        "world.distinguishability": {"values": [0.5, 1.0]},
    },
    "runs": 8,
    "steps": 30,
    "seed": 14,
}


def _cli(*args: str) -> None:
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.stderr


def test_sweep_results_are_byte_identical_on_any_executor_and_chunk(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    pytest.importorskip("distributed")
    spec = tmp_path / "repro.yaml"
    spec.write_text(yaml.safe_dump(SWEEP, sort_keys=False), encoding="utf-8")
    # --chunk 7 leaves a chunk with a single run of a point: the case that used to differ
    sizes = [b - a for _, segs in plan_chunks(4, SWEEP["runs"], 7) for _, a, b in segs]
    assert 1 in sizes
    ways = {
        "chunk7": ["--workers", "1", "--chunk", "7"],
        "default": [],
        "workers2": ["--workers", "2"],
        "dask2": ["--dask-local", "2"],
    }
    texts: dict[str, tuple[bytes, bytes]] = {}
    for name, flags in ways.items():
        db = tmp_path / f"{name}.duckdb"
        _cli("sweep", str(spec), "--db", str(db), "-q", *flags)
        runs_csv, summary_csv = tmp_path / f"{name}.csv", tmp_path / f"{name}.summary.csv"
        _cli("results", str(db), "--csv", str(runs_csv))
        _cli("results", str(db), "--summary", "--csv", str(summary_csv))
        texts[name] = (runs_csv.read_bytes(), summary_csv.read_bytes())
    frame = pd.read_csv(tmp_path / "default.csv")
    assert len(frame) == 4 * SWEEP["runs"] and frame["mean_tension"].nunique() == len(frame)
    assert frame["n_crises"].sum() > 0
    for name, text in texts.items():
        assert text[0] == texts["default"][0], f"{name}: results --csv differs"
        assert text[1] == texts["default"][1], f"{name}: results --summary --csv differs"


def test_large_richardson_systems_agree_in_process_and_in_workers(tmp_path: Path) -> None:
    """From about a hundred actors a multi-threaded BLAS splits Richardson's matrix products
    by thread count; chunks compute with one BLAS thread wherever they run, so the parent
    (all cores' threads) and the workers (one each) store the same bits."""
    pytest.importorskip("duckdb")
    states = [
        {"id": f"S{k:03d}", "military": 1.0 + (k % 7), "economy": 50.0 + k} for k in range(130)
    ]
    scenario = tmp_path / "big.yaml"
    scenario.write_text(
        yaml.safe_dump({"name": "big", "time": {"steps": 5}, "states": states}), encoding="utf-8"
    )
    spec = {
        "name": "big-richardson",
        "scenario": str(scenario),
        "model": "richardson",
        "options": {"noise": 0.05},
        "parameters": {"richardson.derive.fatigue": {"values": [0.4, 0.6]}},
        "runs": 6,
        "seed": 3,
        "chunk": 3,
    }
    path = tmp_path / "big-sweep.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    texts = {}
    for name, flags in {"one": ["--workers", "1"], "two": ["--workers", "2"]}.items():
        db = tmp_path / f"{name}.duckdb"
        _cli("sweep", str(path), "--db", str(db), "-q", *flags)
        out = tmp_path / f"{name}.csv"
        _cli("results", str(db), "--csv", str(out))
        texts[name] = out.read_bytes()
    assert texts["one"] == texts["two"]
