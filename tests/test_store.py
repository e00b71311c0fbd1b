"""The DuckDB store: whole chunks only, crash-proof resume, no duplicates, Parquet export."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
import weakref
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import herz
from _lockholder import held_open
from _specs import write_spec
from herz.errors import InputError
from herz.experiment import ChunkResult, prepare_sweep, run_sweep
from herz.store import Store, check_database, open_results

pytest.importorskip("duckdb")


def spec_doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": "store-test",
        "scenario": "europe-1909",
        "model": "richardson",
        "options": {"noise": 0.1},
        "parameters": {
            "world.offense_advantage": {"values": [0.0, 0.5, 1.0]},
            "richardson.derive.fatigue": {"values": [0.4, 0.8]},
        },
        "runs": 20,
        "steps": 15,
        "seed": 5,
    }
    doc.update(changes)
    return doc


def tables(db: Path) -> dict[str, pd.DataFrame]:
    """The content of a sweep database that must not depend on how it was computed."""
    with open_results(db) as store:
        sid = store.resolve()
        info = store.info(sid)
        chunks = store._con.execute(
            "SELECT chunk, runs FROM chunks WHERE sweep_id = ? ORDER BY chunk", [sid]
        ).df()
        return {
            "runs": store.runs(sid),
            "points": store.points(sid),
            "series": store.series(sid),
            "chunks": chunks,
            "info": pd.DataFrame([{"seed": info.seed, "spec_hash": info.spec_hash}]),
        }


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_sweep_records_version_scenario_hash_seed_and_points(tmp_path: Path) -> None:
    db = tmp_path / "r.duckdb"
    run_sweep(write_spec(tmp_path, spec_doc(keep="series", runs=3)), db=db, workers=1)
    with open_results(db) as store:
        sid = store.resolve("store-test")
        info = store.info(sid)
        assert info.herz_version == herz.__version__ and info.seed == 5 and info.completed
        assert info.scenario_hash == herz.load_scenario("europe-1909").hash()
        points = store.points(sid)
        assert len(points) == 6 and points["scenario_hash"].notna().all()
        assert (
            points.loc[0, "scenario_hash"]
            == herz.load_scenario(
                "europe-1909", {"world.offense_advantage": 0.0, "richardson.derive.fatigue": 0.4}
            ).hash()
        )
        runs = store.runs(sid)
        assert list(runs.columns[:4]) == [
            "world.offense_advantage",
            "richardson.derive.fatigue",
            "point",
            "run",
        ]
        assert len(runs) == 18 and "arms_growth" in runs.columns
        series = store.series(sid)
        assert len(series) == 18 * 16 * 6 and set(series["state"]) == set(
            herz.load_scenario("europe-1909").ids
        )
        # Stored series agree with the outcomes of the same runs.
        last = series[series["t"] == 15].groupby(["point", "run"])["military"].sum()
        pd.testing.assert_series_equal(
            last.reset_index(drop=True),
            runs.sort_values(["point", "run"])["final_military"].reset_index(drop=True),
            check_names=False,
        )


def test_a_failed_chunk_write_leaves_nothing_behind(tmp_path: Path) -> None:
    db = tmp_path / "t.duckdb"
    plan = prepare_sweep(spec_doc(runs=2))
    with Store(db) as store:
        sid = store.create_sweep(plan, chunk_runs=2, version=herz.__version__)
        good = ChunkResult(
            chunk=0,
            n_runs=2,
            outcomes=pd.DataFrame({"point": [0, 0], "run": [0, 1], "x": [1.0, 2.0]}),
            series=None,
            point_info={0: ("h", 1.0)},
        )
        store.write_chunk(sid, good)
        # Run (0, 1) again plus a new one: the primary key refuses the chunk as a whole.
        bad = ChunkResult(
            chunk=1,
            n_runs=2,
            outcomes=pd.DataFrame({"point": [0, 1], "run": [1, 0], "x": [3.0, 4.0]}),
            series=None,
            point_info={1: ("h", 1.0)},
        )
        with pytest.raises(Exception, match=r"(?i)duplicate|constraint"):
            store.write_chunk(sid, bad)
        assert store.done_chunks(sid) == {0}
        assert store.point_run_counts(sid) == {0: 2}


def test_opening_a_missing_or_foreign_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such"):
        open_results(tmp_path / "nope.duckdb")
    assert not (tmp_path / "nope.duckdb").exists()
    junk = tmp_path / "junk.duckdb"
    junk.write_text("not a database", encoding="utf-8")
    with pytest.raises(InputError, match="not a DuckDB database"):
        check_database(junk, "x")
    assert junk.read_text(encoding="utf-8") == "not a database"


def test_two_sweeps_share_a_file_and_export_to_parquet(tmp_path: Path) -> None:
    db = tmp_path / "both.duckdb"
    run_sweep(write_spec(tmp_path, spec_doc(runs=2)), db=db, workers=1)
    other = spec_doc(name="spiral-too", runs=2, steps=5, model="spiral", options={})
    other["scenario"] = "two-state"
    other["parameters"] = {"world.offense_advantage": {"values": [0.2, 0.9]}}
    if "spiral" not in herz.models.REGISTRY:
        other.update(model="richardson", options={"noise": 0.3})
    run_sweep(write_spec(tmp_path, other, "other.yaml"), db=db, workers=1)
    with open_results(db) as store:
        assert store.sweeps()["name"].tolist() == ["store-test", "spiral-too"]
        with pytest.raises(InputError, match="choose one with --sweep"):
            store.resolve()
        first = store.runs(store.resolve("store-test"))
        second = store.runs(store.resolve("spiral-too"))
        assert "world.offense_advantage" in second.columns and len(second) == 4
        assert "richardson.derive.fatigue" not in second.columns
        assert "final_military_UKG" in first.columns and "final_military_UKG" not in second.columns
        written = store.export_parquet(tmp_path / "pq", store.resolve("store-test"))
    back = pd.read_parquet(tmp_path / "pq" / "runs.parquet")
    pd.testing.assert_frame_equal(back, first)
    assert {p.name for p in written} == {"points.parquet", "runs.parquet"}


def test_series_export_streams_and_reads_back_as_the_series(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The series is written by DuckDB (COPY ... TO parquet), never loaded into pandas, and
    reads back as Store.series gives it (its all-null columns left out, NaN counted as null);
    the file is moved into place whole (no temporary left beside it)."""
    db = tmp_path / "s.duckdb"
    doc = spec_doc(name="with-series", runs=3, keep="series")
    run_sweep(write_spec(tmp_path, doc), db=db, workers=1)
    with Store(db) as store:  # a column of NaN only, as a model with no value there stores it
        store._con.execute("ALTER TABLE series ADD COLUMN nan_only DOUBLE")
        store._con.execute("UPDATE series SET nan_only = 'NaN'::DOUBLE")
    with open_results(db) as store:
        sweep = store.resolve("with-series")
        expected = store.series(sweep)

        def no_pandas(*_: Any, **__: Any) -> None:
            raise AssertionError("export_parquet loaded the series into pandas")

        monkeypatch.setattr(Store, "series", no_pandas)
        written = store.export_parquet(tmp_path / "pq", sweep)
    assert [p.name for p in written] == ["points.parquet", "runs.parquet", "series.parquet"]
    back = pd.read_parquet(tmp_path / "pq" / "series.parquet")
    assert "nan_only" not in back.columns and len(back) == len(expected) > 0
    pd.testing.assert_frame_equal(back, expected, check_exact=True)
    assert sorted(p.name for p in (tmp_path / "pq").iterdir()) == [p.name for p in written]


def test_duckdb_gets_a_memory_limit_and_a_store_works_at_its_floor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import herz.store

    with Store(tmp_path / "a.duckdb") as store:
        limit = store._con.execute("SELECT current_setting('memory_limit')").fetchone()
        progress = store._con.execute("SELECT current_setting('enable_progress_bar')").fetchone()
    assert limit is not None and progress == (False,)
    expected = herz.store.memory_limit() // 2**20
    value, unit = limit[0].split()  # "2.2 GiB", "256.0 MiB"
    mib = float(value) * {"KiB": 1 / 1024, "MiB": 1, "GiB": 1024, "TiB": 1024**2}[unit]
    assert abs(mib - expected) <= 0.05 * expected  # DuckDB prints it to one decimal
    monkeypatch.setattr(herz.store, "MEMORY_SHARE", 0.0)  # the floor, 256 MiB
    db = tmp_path / "s.duckdb"
    run_sweep(write_spec(tmp_path, spec_doc(runs=3, keep="series")), db=db, workers=1)
    with open_results(db) as store:
        got = store._con.execute("SELECT current_setting('memory_limit')").fetchone()
        assert got == ("256.0 MiB",)
        assert len(store.series(store.resolve("store-test"))) > 0


_CRASH_SCRIPT = textwrap.dedent(
    """
    import sys
    from herz.experiment import run_sweep

    def progress(p):
        print(p.chunks_done, flush=True)

    run_sweep(sys.argv[1], db=sys.argv[2], workers=1, chunk=int(sys.argv[3]), progress=progress)
    print("finished", flush=True)
    """
)


def test_kill_9_midway_then_resume_equals_an_uninterrupted_sweep(tmp_path: Path) -> None:
    """The crash test: a real subprocess is killed with SIGKILL while it is computing and
    writing chunks; the file then holds whole chunks only, and --resume completes it to exactly
    the database of an uninterrupted sweep (no missing, no duplicated runs)."""
    spec = write_spec(tmp_path, spec_doc(runs=30, steps=100, keep="series"))
    script = tmp_path / "sweep.py"
    script.write_text(_CRASH_SCRIPT, encoding="utf-8")
    crashed = tmp_path / "crashed.duckdb"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(spec), str(crashed), "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:  # wait until a few chunks are committed
            seen.append(line.strip())
            if len(seen) >= 5:
                break
        assert "finished" not in seen
        time.sleep(0.05)  # land somewhere inside the next chunk's work or its transaction
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    # Whole chunks only: every stored chunk has all its runs, nothing else is stored.
    partial = tables(crashed)
    n_chunks = len(partial["chunks"])
    assert 4 <= n_chunks < 6 * 30 // 5
    assert len(partial["runs"]) == partial["chunks"]["runs"].sum()
    assert len(partial["series"]) == len(partial["runs"]) * 101 * 6
    # Resume (with a different worker count), and compare with a sweep never interrupted.
    report = run_sweep(spec, db=crashed, resume=True, workers=2)
    assert report.runs_skipped == len(partial["runs"])
    clean = tmp_path / "clean.duckdb"
    run_sweep(spec, db=clean, workers=1, chunk=5)
    got, want = tables(crashed), tables(clean)
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], check_exact=True)
    runs = got["runs"]
    assert len(runs) == 180 and not runs.duplicated(["point", "run"]).any()


def test_bad_input_never_creates_or_changes_a_database(tmp_path: Path) -> None:
    db = tmp_path / "keep.duckdb"
    spec = write_spec(tmp_path, spec_doc(runs=2))
    run_sweep(spec, db=db, workers=1)
    before = digest(db)
    bad_docs = [
        spec_doc(runs=2, parameters={"world.nope": {"values": [1]}}),
        spec_doc(runs=2, parameters={"world.offense_advantage": {"values": []}}),
        spec_doc(runs=0),
    ]
    for k, doc in enumerate(bad_docs):
        path = write_spec(tmp_path, doc, f"bad{k}.yaml")
        with pytest.raises(InputError):
            run_sweep(path, db=db, workers=1, resume=True)
        with pytest.raises(InputError):
            run_sweep(path, db=tmp_path / "new.duckdb", workers=1)
    with pytest.raises(InputError, match="cannot reach"):
        run_sweep(
            write_spec(tmp_path, spec_doc(name="elsewhere", runs=2), "c.yaml"),
            db=db,
            cluster="tcp://127.0.0.1:9",
            connect_timeout=0.5,
        )
    with pytest.raises(InputError, match="already holds"):
        run_sweep(spec, db=db, workers=1)
    assert digest(db) == before
    assert not (tmp_path / "new.duckdb").exists()


class _FailingCommit:
    """A connection whose COMMIT fails as DuckDB's does on a full disk: the transaction is
    over (rolled back) and the error names the write-ahead log."""

    def __init__(self, con: Any, error: BaseException) -> None:
        self._con = con
        self._error = error

    def execute(self, sql: str, *args: Any) -> Any:
        if sql == "COMMIT":
            self._con.execute("ROLLBACK")
            raise self._error
        return self._con.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)


def _chunk(chunk: int, point: int) -> ChunkResult:
    return ChunkResult(
        chunk=chunk,
        n_runs=2,
        outcomes=pd.DataFrame({"point": [point, point], "run": [0, 1], "x": [1.0, 2.0]}),
        series=None,
        point_info={point: ("h", 1.0)},
    )


def test_a_full_disk_at_commit_is_the_root_cause_and_keeps_the_stored_chunks(
    tmp_path: Path,
) -> None:
    import duckdb

    db = tmp_path / "full.duckdb"
    plan = prepare_sweep(spec_doc(runs=2))
    with Store(db) as store:
        sid = store.create_sweep(plan, chunk_runs=2, version=herz.__version__)
        store.write_chunk(sid, _chunk(0, 0))
        real = store._con
        store._con = _FailingCommit(
            real,
            duckdb.TransactionException(
                f'TransactionContext Error: Failed to commit: Could not write file "{db}.wal": '
                "No space left on device"
            ),
        )
        with pytest.raises(InputError, match="No space left on device") as caught:
            store.write_chunk(sid, _chunk(1, 1))
        message = str(caught.value)
        assert str(db) in message and "--resume" in message and "rollback" not in message
        store._con = real
        assert store.done_chunks(sid) == {0}
        assert store.point_run_counts(sid) == {0: 2}
    with open_results(db) as store:
        assert store.done_chunks(store.resolve()) == {0}


def test_ctrl_c_inside_a_query_is_a_keyboard_interrupt_and_stores_nothing(tmp_path: Path) -> None:
    db = tmp_path / "c.duckdb"
    plan = prepare_sweep(spec_doc(runs=2))
    with Store(db) as store:
        sid = store.create_sweep(plan, chunk_runs=2, version=herz.__version__)
        real = store._con
        # DuckDB takes the SIGINT itself and answers RuntimeError("Query interrupted").
        store._con = _FailingCommit(real, RuntimeError("Query interrupted"))
        with pytest.raises(KeyboardInterrupt):
            store.write_chunk(sid, _chunk(0, 0))
        store._con = real
        assert store.done_chunks(sid) == set() and store.point_run_counts(sid) == {}


def test_a_damaged_or_busy_file_is_one_sentence(tmp_path: Path) -> None:
    db = tmp_path / "d.duckdb"
    run_sweep(write_spec(tmp_path, spec_doc(runs=2)), db=db, workers=1)
    good = db.read_bytes()
    db.write_bytes(good[: len(good) // 3])
    with pytest.raises(InputError, match=r"damaged \(truncated or corrupted\)") as caught:
        check_database(db, "store-test")
    assert str(caught.value).startswith(f"{db}: ") and "\n" not in str(caught.value)
    db.write_bytes(b"")
    with pytest.raises(InputError, match="not a DuckDB database"):
        open_results(db)
    db.write_bytes(good)
    with held_open(db) as holder:
        with pytest.raises(InputError, match=rf"in use by another process \(PID {holder.pid}\)"):
            open_results(db)
        with pytest.raises(InputError, match="in use by another process"):
            run_sweep(write_spec(tmp_path, spec_doc(name="other", runs=2)), db=db, workers=1)
    assert db.read_bytes() == good


def test_sigint_in_process_stops_between_chunks_and_resume_completes(tmp_path: Path) -> None:
    """Ctrl-C lands while a chunk is being written: the chunk commits whole, then the sweep
    stops with KeyboardInterrupt; resume completes it to the uninterrupted result."""
    from herz.experiment import run as run_module

    spec = write_spec(tmp_path, spec_doc(runs=6, chunk=4))
    db = tmp_path / "i.duckdb"
    real_write = Store.write_chunk
    calls = []

    def write_then_interrupt(self: Store, sweep_id: int, result: ChunkResult) -> None:
        calls.append(result.chunk)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGINT)  # held back until the chunk is stored
        real_write(self, sweep_id, result)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Store, "write_chunk", write_then_interrupt)
        with pytest.raises(KeyboardInterrupt):
            run_sweep(spec, db=db, workers=1)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    partial = tables(db)
    assert len(partial["chunks"]) == 3 and len(partial["runs"]) == 12
    report = run_sweep(spec, db=db, workers=1, resume=True)
    assert report.runs_skipped == 12
    clean = tmp_path / "clean.duckdb"
    run_sweep(spec, db=clean, workers=1)
    got, want = tables(db), tables(clean)
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], check_exact=True)
    # A Ctrl-C whose KeyboardInterrupt was swallowed on its way (as inside a weakref callback)
    # still stops the sweep at the next chunk.
    # The dropped exception is not reported ("Exception ignored in ..." would be a traceback).
    hook = sys.unraisablehook

    class Owner:
        pass

    def callback(_: object) -> None:
        raise KeyboardInterrupt

    guard = run_module._SigintGuard()
    with guard:
        guard.received = True
        owner = Owner()
        ref = weakref.ref(owner, callback)
        del owner  # the callback's KeyboardInterrupt is unraisable, and silenced
        assert ref() is None
        with pytest.raises(KeyboardInterrupt):
            guard.check()
    assert sys.unraisablehook is hook
