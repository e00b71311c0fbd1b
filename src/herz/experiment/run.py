"""Running a sweep: executors, the store, progress and resumption, orchestrated.

See :mod:`herz.experiment` for the promises every sweep keeps.
"""

from __future__ import annotations

import contextlib
import json
import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from herz.errors import InputError

if TYPE_CHECKING:
    pass

from herz.experiment.chunk import ChunkTask, default_chunk, plan_chunks, run_chunk
from herz.experiment.executors import (
    _check_executor,
    _Executor,
    _ParentWhileStarting,
    _start_executor,
    _worker_preload,
)
from herz.experiment.plan import prepare_sweep
from herz.experiment.spec import SweepSpec, load_sweep


# -- running a sweep --------------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """Where a running sweep stands (passed to the ``progress`` callback after each chunk)."""

    points_done: int
    points_total: int
    runs_done: int
    runs_total: int
    chunks_done: int
    chunks_total: int


@dataclass(frozen=True)
class SweepReport:
    """What :func:`run_sweep` did."""

    name: str
    sweep_id: int
    db: Path
    points: int
    runs_total: int
    runs_computed: int
    runs_skipped: int
    chunks: int
    chunk_runs: int
    executor: str
    seconds: float
    seed: int

    @property
    def runs_per_second(self) -> float:
        """Throughput of this call (runs computed per second of wall time)."""
        return self.runs_computed / self.seconds if self.seconds > 0 else math.nan


class _SigintGuard:
    """Ctrl-C (SIGINT) during a sweep, in the main thread.

    It raises KeyboardInterrupt where it lands (so a chunk computed in this process stops at
    once) and is remembered: Python drops an exception raised inside a weakref callback or a
    ``__del__`` (as during an import), and :meth:`check`, called after each chunk, stops the
    sweep then; the dropped one is not reported (``sys.unraisablehook``), so no "Exception
    ignored" traceback shows. Inside :meth:`deferred` it is held back until the block ends, so
    a chunk's transaction is never cut short: it commits or rolls back as a whole.
    """

    def __init__(self) -> None:
        self.received = False
        self._deferring = False
        self._previous: Any = None
        self._previous_hook: Any = None

    def __enter__(self) -> _SigintGuard:
        import signal
        import sys
        import threading

        # Only the main thread can set a handler; a handler of the caller's own is kept.
        if threading.current_thread() is threading.main_thread() and (
            signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._previous_hook = sys.unraisablehook
            sys.unraisablehook = self._unraisable
        return self

    def __exit__(self, *exc: object) -> None:
        import signal
        import sys

        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            sys.unraisablehook = self._previous_hook
            self._previous = self._previous_hook = None

    def _handle(self, signum: int, frame: object) -> None:
        self.received = True
        if not self._deferring:
            raise KeyboardInterrupt

    def _unraisable(self, unraisable: Any) -> None:
        if self.received and isinstance(unraisable.exc_value, KeyboardInterrupt):
            return  # ours, dropped on its way: check() raises it again
        self._previous_hook(unraisable)

    def check(self) -> None:
        """Raise KeyboardInterrupt if a Ctrl-C came (and was lost on its way)."""
        if self.received:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold back a Ctrl-C inside; raise it on leaving."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
        self.check()


def _check_workers(workers: int | None) -> None:
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise InputError(f"--workers must be ≥ 1, got {workers}.", field="--workers", value=workers)


def _check_chunk_memory(plan: Any, chunk_runs: int, workers: int, *, resumed: bool) -> None:
    """Refuse (InputError) a sweep whose chunk would not fit in memory ``workers`` times over
    (:func:`herz.simulation.check_memory`), for the first points (up to 16: a parameter can
    change what a run holds, e.g. the iterated model's turns)."""
    from herz.experiment.chunk import SWEEP_ADVICE, _point_scenario
    from herz.simulation import check_memory, resolve_model

    spec = plan.spec
    model = resolve_model(spec.model)
    kind = "series" if spec.keep == "series" else "summary"
    advice = SWEEP_ADVICE[kind]
    if resumed:
        advice = (
            f"fewer --workers (a resumed sweep keeps the chunk of {chunk_runs:,} runs it "
            "started with), or a new sweep with a smaller chunk"
        )
    runs = min(chunk_runs, spec.runs)
    for p in range(min(plan.n_points, 16)):
        sc = _point_scenario(plan.scenario_json, json.dumps(plan.overrides(p), sort_keys=True))
        check_memory(
            model, sc, steps=spec.steps, runs=runs, keep=spec.keep, copies=workers, advice=advice
        )


def run_sweep(
    spec: SweepSpec | str | Path | Mapping[str, Any],
    *,
    db: str | Path | None = None,
    resume: bool = False,
    workers: int | None = None,
    cluster: str | None = None,
    dask_local: int | None = None,
    runs: int | None = None,
    steps: int | None = None,
    chunk: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    out: str | Path = "results",
    connect_timeout: float = 5.0,
) -> SweepReport:
    """Run (or complete) a sweep and store it in a DuckDB file.

    Parameters
    ----------
    spec:
        A built-in sweep name (``"jervis-worlds"``), a YAML path, a parsed document or a
        :class:`SweepSpec`.
    db:
        The database file; default ``<out>/<name>.duckdb``.
    resume:
        Complete a sweep already in ``db``: skip its stored chunks, compute the rest. Without
        it, a sweep of the same name in ``db`` is an error.
    workers:
        Local worker processes; default: all cores. 1 runs in this process.
    cluster, dask_local:
        Run on the Dask scheduler at this address (checked within ``connect_timeout``
        seconds), or on a ``LocalCluster`` of this many single-threaded worker processes.
    runs, steps:
        Replace the spec's runs per point and steps.
    chunk:
        Runs per chunk (default: the spec's, else :func:`default_chunk`). A resumed sweep
        keeps the chunk size it was started with.
    progress:
        Called with a :class:`Progress` at the start and after each stored chunk.

    Raises
    ------
    InputError
        For anything invalid, raised before the database is created or changed; and for a
        damaged database, a full disk or a database in use by another process (the chunks
        stored before are kept: run again with ``resume=True``).
    KeyboardInterrupt
        On Ctrl-C (SIGINT): the chunk being stored commits or rolls back as a whole, the
        workers are stopped, and the chunks stored so far are kept (``resume=True`` completes
        the sweep).
    """
    import numpy as np

    from herz.store import Store, check_database

    t0 = time.perf_counter()
    _check_workers(workers)
    _check_executor(cluster, dask_local, connect_timeout)
    if chunk is not None and (isinstance(chunk, bool) or chunk < 1):
        raise InputError(f"--chunk must be ≥ 1, got {chunk}.", field="--chunk", value=chunk)
    # 1. The spec (nothing is written yet).
    first, _, _ = load_sweep(spec.canonical()) if isinstance(spec, SweepSpec) else load_sweep(spec)
    db_path = Path(db) if db is not None else Path(out) / f"{first.name}.duckdb"
    from herz.results import check_folder_writable

    check_folder_writable(db_path.parent, "--db" if db is not None else "--out", db_path)
    existing = check_database(db_path, first.name)
    # A spec without a seed draws one; a resumed sweep reuses the one it was started with.
    stored_seed = existing.seed if existing is not None and first.seed is None else None
    # 2. The scenario, the parameters, the model and its options (still nothing written),
    # before the database's state: a bad parameter is named as such even where a sweep of
    # that name is stored already
    plan = prepare_sweep(spec, runs=runs, steps=steps, seed=stored_seed)
    if existing is not None and not resume:
        raise InputError(
            f"{db_path}: already holds a sweep named {first.name!r}; pass --resume"
            f" (resume=True in Python) to complete it, or choose another --db.",
            field="--db",
            value=str(db_path),
        )
    from herz._version import __version__

    if existing is not None:
        existing.check_resumable(plan, __version__, str(db_path))
    # 3. The executor. A cluster must be reached before the database is touched (that is
    # validation too); local workers and a LocalCluster start in the background while this
    # process prepares the database and computes the first chunks itself.
    starting = _start_executor(
        workers, cluster, dask_local, connect_timeout, _worker_preload(plan.spec.model)
    )
    executor: _Executor
    if dask_local is not None:
        executor = _ParentWhileStarting(starting, dask_local)
    else:
        executor = starting.result()
    try:
        chunk_runs = (
            existing.chunk_runs
            if existing is not None
            else chunk or plan.spec.chunk or default_chunk(plan.total_runs, executor.workers)
        )
        # 4. The memory of one chunk, × the local workers (each checks its own chunk alone,
        # and only once it runs), before the database is created or touched: a sweep refused
        # for memory leaves nothing behind, and a smaller chunk can start it afresh.
        if cluster is None:
            _check_chunk_memory(plan, chunk_runs, executor.workers, resumed=existing is not None)
        # 5. Only now the database is created or opened for writing.
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with Store(db_path) as store, _SigintGuard() as interrupt:
            sweep_id = store.sweep_id(plan.spec.name)
            if sweep_id is not None and existing is None:
                # another process stored a sweep of this name after the check above: never
                # write into it unchecked (the two sweeps' runs were mixed in one file)
                raise InputError(
                    f"{db_path}: a sweep named {plan.spec.name!r} was stored there by another "
                    "process while this one started; run again (with --resume to complete "
                    "it), or choose another --db.",
                    field="--db",
                    value=str(db_path),
                )
            if sweep_id is None:
                with interrupt.deferred():
                    sweep_id = store.create_sweep(plan, chunk_runs=chunk_runs, version=__version__)
            done = store.done_chunks(sweep_id)
            runs_per_point = plan.spec.runs
            point_runs = store.point_run_counts(sweep_id)
            points_done = sum(1 for c in point_runs.values() if c == runs_per_point)
            runs_done = sum(point_runs.values())
            skipped = runs_done
            chunks_total = _count_chunks(plan.n_points, runs_per_point, chunk_runs)
            state = {
                "points": points_done,
                "runs": runs_done,
                "chunks": len(done),
            }

            def report() -> None:
                if progress is not None:
                    progress(
                        Progress(
                            points_done=state["points"],
                            points_total=plan.n_points,
                            runs_done=state["runs"],
                            runs_total=plan.total_runs,
                            chunks_done=state["chunks"],
                            chunks_total=chunks_total,
                        )
                    )

            report()
            overrides_cache: dict[int, str] = {}

            def overrides_json(p: int) -> str:
                text = overrides_cache.get(p)
                if text is None:
                    text = json.dumps(plan.overrides(p), sort_keys=True)
                    if len(overrides_cache) > 4096:
                        overrides_cache.clear()
                    overrides_cache[p] = text
                return text

            assert plan.spec.steps is not None and plan.spec.seed is not None
            tasks = (
                ChunkTask(
                    model=plan.spec.model,
                    scenario_json=plan.scenario_json,
                    steps=plan.spec.steps,
                    seed=plan.spec.seed,
                    keep=plan.spec.keep,
                    options=dict(plan.spec.options),
                    segments=tuple((p, overrides_json(p), a, b) for p, a, b in segs),
                    chunk=cid,
                )
                for cid, segs in plan_chunks(plan.n_points, runs_per_point, chunk_runs)
                if cid not in done
            )
            computed = 0
            for result in executor.map_unordered(run_chunk, tasks):
                interrupt.check()
                with interrupt.deferred():
                    store.write_chunk(sweep_id, result)
                computed += result.n_runs
                pts, counts = np.unique(result.outcomes["point"].to_numpy(), return_counts=True)
                for p, k in zip(pts.tolist(), counts.tolist(), strict=True):
                    point_runs[p] = point_runs.get(p, 0) + k
                    if point_runs[p] == runs_per_point:
                        state["points"] += 1
                state["runs"] += result.n_runs
                state["chunks"] += 1
                report()
            interrupt.check()
            if state["chunks"] == chunks_total:
                with interrupt.deferred():
                    store.mark_complete(sweep_id)
    except BaseException:
        # Interrupted, or the store failed: what the workers compute now would not be stored.
        executor.abort()
        raise
    executor.close()
    return SweepReport(
        name=plan.spec.name,
        sweep_id=sweep_id,
        db=db_path,
        points=plan.n_points,
        runs_total=plan.total_runs,
        runs_computed=computed,
        runs_skipped=skipped,
        chunks=chunks_total,
        chunk_runs=chunk_runs,
        executor=executor.name,
        seconds=time.perf_counter() - t0,
        seed=plan.spec.seed,
    )


def _count_chunks(n_points: int, runs: int, chunk: int) -> int:
    """Chunks in :func:`plan_chunks`'s plan: all hold ``chunk`` runs except perhaps the last."""
    return math.ceil(n_points * runs / chunk)
