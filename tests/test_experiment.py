"""Sweeps: spec validation, designs, the chunk plan, and identical results on every executor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import herz
from _specs import write_spec
from herz.errors import InputError
from herz.experiment import (
    ChunkTask,
    SweepSpec,
    builtin_sweeps,
    design_points,
    load_sweep,
    plan_chunks,
    prepare_sweep,
    run_chunk,
    run_sweep,
)
from herz.models import REGISTRY as MODELS
from herz.store import open_results


def spec_doc(**changes: Any) -> dict[str, Any]:
    """A small Richardson sweep with noise, so that runs differ."""
    doc: dict[str, Any] = {
        "name": "small",
        "scenario": "two-state",
        "model": "richardson",
        "options": {"noise": 0.2},
        "parameters": {
            "world.offense_advantage": {"range": {"start": 0, "stop": 1, "num": 3}},
            "world.distinguishability": {"values": [0.0, 1.0]},
        },
        "runs": 7,
        "steps": 12,
        "seed": 11,
    }
    doc.update(changes)
    return doc


def stored_runs(db: Path) -> pd.DataFrame:
    with open_results(db) as store:
        return store.runs(store.resolve())


# -- the spec ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("change", "field", "value"),
    [
        ({"runs": 0}, "runs", "0"),
        ({"runs": -3}, "runs", "-3"),
        (
            {"parameters": {"world.offense_advantage": {"values": []}}},
            "world.offense_advantage",
            "",
        ),
        (
            {
                "parameters": {
                    "world.offense_advantage": {"range": {"start": 0, "stop": 1, "num": 0}}
                }
            },
            "world.offense_advantage",
            "",
        ),
        ({"parameters": {}}, "parameters", ""),
        ({"colour": "red"}, "colour", ""),
        ({"design": {"kind": "lhs", "samples": 4}}, "world.offense_advantage", ""),
        ({"design": {"kind": "magic"}}, "design.kind", "magic"),
        ({"seed": -1}, "seed", "-1"),
        # a grid of 10^12 points ended in MemoryError after minutes: refused at once
        (
            {
                "parameters": {
                    "world.offense_advantage": {"range": {"start": 0, "stop": 1, "num": 10**6}},
                    "world.distinguishability": {"range": {"start": 0, "stop": 1, "num": 10**6}},
                }
            },
            "parameters",
            "1,000,000,000,000 points, more than a sweep may have (1,000,000)",
        ),
        (
            {
                "parameters": {
                    "world.offense_advantage": {
                        "range": {"start": 0, "stop": 1e300, "step": 1e-300}
                    }
                }
            },
            "parameters",
            "about 10^600 points",
        ),
        # fields the design does not use were silently ignored
        ({"design": {"kind": "grid", "samples": 5}}, "design.samples", "5"),
        ({"design": {"kind": "grid", "scramble": False}}, "design.scramble", "False"),
        (
            {"parameters": {"world.offense_advantage": {"values": [0, 1], "integer": True}}},
            "parameters.world.offense_advantage.integer",
            "not values",
        ),
        # numbers in quotes were read as numbers (or kept as text in the points table)
        ({"runs": "7"}, "runs", "not text; write it without quotes, got '7'"),
        ({"runs": 7.5}, "runs", "must be an integer"),
        (
            {
                "parameters": {
                    "world.offense_advantage": {"range": {"start": "0", "stop": 1, "num": 3}}
                }
            },
            "parameters.world.offense_advantage.range.start",
            "'0'",
        ),
    ],
)
def test_bad_specs_name_the_file_the_field_and_the_value(
    tmp_path: Path, change: dict[str, Any], field: str, value: str
) -> None:
    path = write_spec(tmp_path, spec_doc(**change))
    with pytest.raises(InputError) as err:
        load_sweep(path)
    message = str(err.value)
    assert str(path) in message and field in message and value in message
    assert message.endswith(".") and "\n" not in message


def test_unknown_parameter_path_model_and_option_are_caught_before_running(
    tmp_path: Path,
) -> None:
    bad_path = spec_doc(parameters={"world.offence": {"values": [0.1]}})
    with pytest.raises(InputError, match=r"world\.offence.*does not exist"):
        prepare_sweep(write_spec(tmp_path, bad_path))
    out_of_range = spec_doc(parameters={"world.offense_advantage": {"values": [0.5, 1.5]}})
    with pytest.raises(InputError, match=r"offense_advantage.*1\.5"):
        prepare_sweep(write_spec(tmp_path, out_of_range))
    with pytest.raises(InputError, match="unknown model 'nope'"):
        prepare_sweep(write_spec(tmp_path, spec_doc(model="nope")))
    with pytest.raises(InputError, match=r"options\.speed"):
        prepare_sweep(write_spec(tmp_path, spec_doc(options={"speed": 2})))
    # A bad option *value* is caught by the one-run probe, before any database exists.
    with pytest.raises(InputError, match="method"):
        prepare_sweep(write_spec(tmp_path, spec_doc(options={"method": "rk4"})))
    with pytest.raises(InputError, match="not a built-in sweep"):
        load_sweep(tmp_path / "missing.yaml")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"parameters": {"world.offense_advantage": {"values": [0.1, "0.5"]}}}, "parameters"),
        ({"overrides": {"states.A.military": "0.5"}}, "overrides"),
        ({"options": {"noise": "0.1"}}, "options"),
    ],
)
def test_numbers_in_quotes_are_refused_where_a_number_is_meant(
    tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    """A quoted number for a numeric field was accepted: the scenario read the number, but the
    points table kept the text (a text column in every summary and plot)."""
    with pytest.raises(InputError, match=rf"{field}\.\S+: '0\.[15]' is a number in quotes"):
        prepare_sweep(write_spec(tmp_path, spec_doc(**change)))
    # text a text field takes as it is stays allowed, even where it reads as a number
    names = spec_doc(parameters={"states.A.name": {"values": ["1", "Athens"]}})
    assert prepare_sweep(names).points["states.A.name"].tolist() == ["1", "Athens"]


def test_runs_and_steps_given_on_the_side_replace_the_spec(tmp_path: Path) -> None:
    plan = prepare_sweep(write_spec(tmp_path, spec_doc()), runs=3, steps=4)
    assert plan.spec.runs == 3 and plan.spec.steps == 4 and plan.total_runs == 18
    with pytest.raises(InputError, match="--runs must be a positive integer, got 0"):
        prepare_sweep(write_spec(tmp_path, spec_doc()), runs=0)
    # Without a seed one is drawn and recorded; without steps the scenario's are used.
    doc = spec_doc()
    del doc["seed"], doc["steps"]
    plan = prepare_sweep(doc)
    assert (
        plan.spec.seed is not None and plan.spec.steps == herz.load_scenario("two-state").time.steps
    )


def test_relative_scenario_paths_resolve_against_the_spec_folder(tmp_path: Path) -> None:
    herz.load_scenario("two-state").save(tmp_path / "mine.yaml")
    sub = tmp_path / "elsewhere"
    plan = prepare_sweep(write_spec(tmp_path, spec_doc(scenario="mine.yaml")))
    assert plan.scenario_hash == herz.load_scenario("two-state").hash()
    assert not sub.exists()


# -- designs ----------------------------------------------------------------------------------
def test_grid_is_the_cartesian_product_last_parameter_fastest() -> None:
    spec = SweepSpec.model_validate(spec_doc())
    points = design_points(spec, 0)
    assert list(points.columns) == ["world.offense_advantage", "world.distinguishability"]
    assert points.to_numpy().tolist() == [
        [0.0, 0.0],
        [0.0, 1.0],
        [0.5, 0.0],
        [0.5, 1.0],
        [1.0, 0.0],
        [1.0, 1.0],
    ]
    ranged = SweepSpec.model_validate(
        spec_doc(parameters={"time.steps": {"range": {"start": 2, "stop": 8, "step": 3}}})
    )
    assert design_points(ranged, 0)["time.steps"].tolist() == [2.0, 5.0, 8.0]


def test_latin_hypercube_and_sobol_designs_fill_the_box_reproducibly() -> None:
    params = {
        "world.offense_advantage": {"low": 0.2, "high": 0.8},
        "states.A.military": {"low": 10, "high": 20, "integer": True},
    }
    lhs = SweepSpec.model_validate(
        spec_doc(parameters=params, design={"kind": "lhs", "samples": 16})
    )
    pts = design_points(lhs, 5)
    assert len(pts) == 16 and lhs.n_points() == 16
    omega = pts["world.offense_advantage"].to_numpy()
    assert omega.min() >= 0.2 and omega.max() <= 0.8
    # Latin hypercube: exactly one sample in each of the 16 equal strata.
    strata = np.floor((omega - 0.2) / 0.6 * 16).astype(int)
    assert sorted(strata.tolist()) == list(range(16))
    assert pts["states.A.military"].dtype.kind == "i"
    assert design_points(lhs, 5).equals(pts) and not design_points(lhs, 6).equals(pts)
    sob = SweepSpec.model_validate(
        spec_doc(parameters=params, design={"kind": "sobol", "samples": 8})
    )
    assert len(design_points(sob, 1)) == 8


def test_saltelli_design_has_the_a_ab_b_layout() -> None:
    params = {
        "world.offense_advantage": {"low": 0, "high": 1},
        "world.distinguishability": {"low": 0, "high": 1},
    }
    spec = SweepSpec.model_validate(
        spec_doc(parameters=params, design={"kind": "saltelli", "samples": 8})
    )
    pts = design_points(spec, 3).to_numpy()
    assert spec.n_points() == len(pts) == 8 * 4
    blocks = pts.reshape(8, 4, 2)  # A, AB_1, AB_2, B for each base row
    a, ab1, ab2, b = blocks[:, 0], blocks[:, 1], blocks[:, 2], blocks[:, 3]
    assert np.array_equal(ab1[:, 0], b[:, 0]) and np.array_equal(ab1[:, 1], a[:, 1])
    assert np.array_equal(ab2[:, 1], b[:, 1]) and np.array_equal(ab2[:, 0], a[:, 0])


# -- the chunk plan ---------------------------------------------------------------------------
@given(
    n_points=st.integers(1, 12),
    runs=st.integers(1, 30),
    chunk=st.integers(1, 50),
)
def test_chunk_plan_covers_every_run_once(n_points: int, runs: int, chunk: int) -> None:
    seen: list[tuple[int, int]] = []
    ids = []
    for cid, segments in plan_chunks(n_points, runs, chunk):
        ids.append(cid)
        size = sum(b - a for _, a, b in segments)
        assert 1 <= size <= chunk
        for p, a, b in segments:
            seen.extend((p, i) for i in range(a, b))
    assert ids == list(range(len(ids)))
    assert seen == [(p, i) for p in range(n_points) for i in range(runs)]
    # Every chunk but the last is full, so the count is known without walking the plan.
    assert len(ids) == -(-n_points * runs // chunk)


# -- runs do not depend on chunks -------------------------------------------------------------
def _chunk_outcomes(plan: Any, chunk: int) -> pd.DataFrame:
    import json

    frames = []
    for cid, segs in plan_chunks(plan.n_points, plan.spec.runs, chunk):
        task = ChunkTask(
            model=plan.spec.model,
            scenario_json=plan.scenario_json,
            steps=plan.spec.steps,
            seed=plan.spec.seed,
            keep="summary",
            options=dict(plan.spec.options),
            segments=tuple((p, json.dumps(plan.overrides(p)), a, b) for p, a, b in segs),
            chunk=cid,
        )
        frames.append(run_chunk(task).outcomes)
    return pd.concat(frames).sort_values(["point", "run"]).reset_index(drop=True)


@pytest.mark.parametrize("model", ["richardson", "spiral"])
def test_outcomes_are_bit_identical_for_any_chunk_size(model: str) -> None:
    if model not in MODELS:
        pytest.skip(f"model {model!r} is not registered yet")
    doc = spec_doc(model=model, runs=6, steps=8)
    if model == "spiral":
        doc["options"] = {}
    plan = prepare_sweep(doc)
    whole = _chunk_outcomes(plan, 10**6)
    assert len(whole) == plan.total_runs
    assert whole.groupby("point").size().eq(6).all()
    for chunk in (1, 4, 7):
        pd.testing.assert_frame_equal(_chunk_outcomes(plan, chunk), whole, check_exact=True)
    # Runs differ from one another, and the same run differs between points (own streams).
    if model == "richardson":
        assert whole["final_military"].nunique() == len(whole)


def test_richardson_outcomes_summarize_each_run() -> None:
    kwargs: dict[str, Any] = {"runs": 5, "steps": 10, "seed": 2, "noise": 0.1, "run_offset": 3}
    out = herz.simulate("europe-1909", keep="summary", **kwargs).outcomes
    full = herz.simulate("europe-1909", keep="series", **kwargs)
    series = full.series
    assert out is not None and series is not None
    assert full.outcomes is not None
    pd.testing.assert_frame_equal(full.outcomes, out)  # outcomes do not depend on `keep`
    assert out["run"].tolist() == [3, 4, 5, 6, 7]
    last = series[series["t"] == 10].groupby("run", observed=True)["military"].sum()
    np.testing.assert_allclose(out["final_military"], last.to_numpy(), rtol=1e-12)
    initial = sum(s.military for s in full.scenario.states)
    np.testing.assert_allclose(out["arms_growth"], out["final_military"] / initial)
    assert {f"final_military_{s}" for s in full.scenario.ids} <= set(out.columns)


def test_sweeps_keeping_series_store_the_same_outcomes(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, spec_doc(runs=3))
    run_sweep(spec, db=tmp_path / "summary.duckdb", workers=1)
    with_series = write_spec(tmp_path, spec_doc(runs=3, keep="series"), "series.yaml")
    run_sweep(with_series, db=tmp_path / "series.duckdb", workers=1)
    pd.testing.assert_frame_equal(
        stored_runs(tmp_path / "series.duckdb"), stored_runs(tmp_path / "summary.duckdb")
    )


def test_richardson_runs_are_bit_identical_in_any_batch() -> None:
    from herz.models.richardson import coefficients_from_scenario

    system = coefficients_from_scenario(herz.load_scenario("europe-1909"))
    whole = system.simulate(20, runs=40, noise=0.1, seed=3, stream_key=(5,))
    for size in (1, 3, 7, 33):  # a single run goes through different BLAS kernels
        parts = [
            system.simulate(
                20, runs=min(size, 40 - i), noise=0.1, seed=3, run_offset=i, stream_key=(5,)
            )
            for i in range(0, 40, size)
        ]
        assert np.array_equal(np.concatenate(parts), whole)


# -- executors --------------------------------------------------------------------------------
def test_same_stored_outcomes_on_one_worker_all_cores_and_a_dask_cluster(tmp_path: Path) -> None:
    """The acceptance test: in-process, local processes and a real Dask LocalCluster
    (scheduler and two single-threaded worker processes on 127.0.0.1) store identical runs."""
    pytest.importorskip("distributed")
    spec = write_spec(tmp_path, spec_doc(runs=9))
    one = run_sweep(spec, db=tmp_path / "one.duckdb", workers=1, chunk=4)
    cores = run_sweep(spec, db=tmp_path / "cores.duckdb", workers=2, chunk=5)
    dask = run_sweep(spec, db=tmp_path / "dask.duckdb", dask_local=2, chunk=11)
    assert "in-process" in one.executor and "processes" in cores.executor
    assert "LocalCluster" in dask.executor
    base = stored_runs(tmp_path / "one.duckdb")
    assert len(base) == 6 * 9 and base["final_military"].nunique() == len(base)
    for other in ("cores", "dask"):
        pd.testing.assert_frame_equal(stored_runs(tmp_path / f"{other}.duckdb"), base)


def test_interrupted_sweep_resumes_to_the_uninterrupted_result(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, spec_doc())
    run_sweep(spec, db=tmp_path / "full.duckdb", workers=1, chunk=5)

    class StopError(Exception):
        pass

    def stop_after_three(p: Any) -> None:
        if p.chunks_done == 3:
            raise StopError

    with pytest.raises(StopError):
        run_sweep(spec, db=tmp_path / "cut.duckdb", workers=1, chunk=5, progress=stop_after_three)
    assert len(stored_runs(tmp_path / "cut.duckdb")) == 15
    with pytest.raises(InputError, match="--resume"):
        run_sweep(spec, db=tmp_path / "cut.duckdb", workers=1)
    report = run_sweep(spec, db=tmp_path / "cut.duckdb", workers=2, resume=True)
    assert report.runs_skipped == 15 and report.runs_computed == 42 - 15
    assert report.chunk_runs == 5  # the chunk size it was started with
    pd.testing.assert_frame_equal(
        stored_runs(tmp_path / "cut.duckdb"), stored_runs(tmp_path / "full.duckdb")
    )
    # Resuming a complete sweep computes nothing.
    again = run_sweep(spec, db=tmp_path / "cut.duckdb", workers=1, resume=True)
    assert again.runs_computed == 0
    # A changed spec cannot be resumed into the same sweep.
    changed = write_spec(tmp_path, spec_doc(steps=13), "changed.yaml")
    with pytest.raises(InputError, match="steps"):
        run_sweep(changed, db=tmp_path / "cut.duckdb", workers=1, resume=True)


def test_builtin_jervis_worlds_is_a_spiral_grid_over_omega_and_delta() -> None:
    assert "jervis-worlds" in builtin_sweeps()
    spec, _, _ = load_sweep("jervis-worlds")
    assert spec.model == "spiral" and spec.design.kind == "grid"
    assert spec.paths == ["world.offense_advantage", "world.distinguishability"]
    if "spiral" not in MODELS:
        pytest.skip("the spiral model is not registered yet")
    plan = prepare_sweep("jervis-worlds", runs=1, steps=2)
    assert plan.n_points >= 4


def _tiny_spec(name: str, values: list[float]) -> dict[str, Any]:
    return {
        "name": name,
        "scenario": "two-state",
        "model": "spiral",
        "parameters": {"world.offense_advantage": {"values": values}},
        "runs": 1,
        "steps": 2,
        "seed": 1,
    }


def test_a_sweep_stored_by_another_process_meanwhile_is_not_written_into(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: B stores sweep 'tiny' after A checked the file and before A opened it. A
    wrote into B's sweep unchecked (1,751 runs under a 1-point sweep). The window is forced
    here by making A's first check see an empty file."""
    db = tmp_path / "tr.duckdb"
    run_sweep(_tiny_spec("tiny", [0.3]), db=db, workers=1)
    import herz.store

    monkeypatch.setattr(herz.store, "check_database", lambda *_a, **_k: None)
    with pytest.raises(InputError, match="stored there by another process"):
        run_sweep(_tiny_spec("tiny", [0.1, 0.2]), db=db, workers=1)
    monkeypatch.undo()
    from herz.analysis import sweep_summary

    assert len(sweep_summary(db)) == 1


@pytest.mark.parametrize(
    ("parameters", "overrides", "needle"),
    [
        (
            {"states.A.type": {"values": ["greedy"]}, "states[0].type": {"values": ["greedy"]}},
            {},
            "parameters.states[0].type: sets the same field as parameters.states.A.type",
        ),
        (
            {"states[*].type": {"values": ["greedy"]}, "states.B.type": {"values": ["greedy"]}},
            {},
            "sets the same field",
        ),
        (
            {"world.offense_advantage": {"values": [0.0, 1.0]}},
            {"world.offense_advantage": 0.3},
            "overrides.world.offense_advantage: sets the same field",
        ),
        ({"time.steps": {"values": [3, 6]}}, {}, "cannot be a parameter"),
    ],
)
def test_two_paths_to_one_field_are_refused(
    tmp_path: Path, parameters: dict[str, Any], overrides: dict[str, Any], needle: str
) -> None:
    """They ran: the points table recorded one path's value while the runs used the other's
    (and time.steps as a parameter changed nothing: every point runs the spec's steps)."""
    spec = {**_tiny_spec("dup", [0.0]), "parameters": parameters, "overrides": overrides}
    db = tmp_path / "d.duckdb"
    with pytest.raises(InputError) as info:
        run_sweep(spec, db=db, workers=1)
    assert needle in str(info.value)
    assert not db.exists()
