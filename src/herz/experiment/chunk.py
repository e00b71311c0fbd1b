"""Chunks: the unit of work a worker runs, and the runner that turns one into outcomes.

See :mod:`herz.experiment` for the promises every sweep keeps.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from herz.scenario import Scenario


# -- chunks -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChunkTask:
    """One unit of work sent to a worker: some runs of one or more points.

    ``segments`` are ``(point, overrides_json, first_run, stop_run)``. Everything is plain
    data (strings, numbers), so a task pickles small and means the same on any machine.
    """

    model: str
    scenario_json: str
    steps: int
    seed: int
    keep: str
    options: dict[str, Any]
    segments: tuple[tuple[int, str, int, int], ...]
    chunk: int

    @property
    def n_runs(self) -> int:
        """Runs in this chunk."""
        return sum(stop - start for _, _, start, stop in self.segments)


@dataclass
class ChunkResult:
    """What a worker sends back: outcomes (one row per run), optional series, point facts."""

    chunk: int
    n_runs: int
    outcomes: pd.DataFrame
    series: pd.DataFrame | None
    point_info: dict[int, tuple[str, float]] = field(default_factory=dict)
    seconds: float = 0.0


def plan_chunks(
    n_points: int, runs: int, chunk: int
) -> Iterator[tuple[int, list[tuple[int, int, int]]]]:
    """The fixed chunk plan: ``(chunk_id, [(point, first_run, stop_run), ...])``.

    Each point's runs are cut into pieces of at most ``chunk`` runs; consecutive pieces are
    packed into chunks of at most ``chunk`` runs. The plan depends only on its three arguments,
    so a resumed sweep sees the same chunk ids. Lazy: memory stays flat for huge sweeps.
    """
    cid = 0
    current: list[tuple[int, int, int]] = []
    size = 0
    for p in range(n_points):
        start = 0
        while start < runs:
            take = min(runs - start, chunk - size)
            current.append((p, start, start + take))
            size += take
            start += take
            if size == chunk:
                yield cid, current
                cid += 1
                current, size = [], 0
    if current:
        yield cid, current


def default_chunk(total_runs: int, workers: int) -> int:
    """Runs per chunk when the spec gives none: about eight chunks per worker, 1–1000 runs.

    Big enough that per-chunk costs (scenario validation, pickling, one transaction) are small
    beside the simulation, small enough to balance the load and to lose little in a crash.
    """
    return max(1, min(1000, math.ceil(total_runs / (8 * max(workers, 1)))))


@lru_cache(maxsize=4)
def _base_scenario(scenario_json: str) -> Scenario:
    from herz.scenario import Scenario

    return Scenario.from_dict(json.loads(scenario_json), source="sweep scenario")


#: What a chunk refused for memory advises (each worker checks its chunk alone).
SWEEP_ADVICE = {
    "series": "a smaller chunk (the spec's chunk:, or --chunk), fewer --workers, or keep: "
    "summary in the spec (no series stored)",
    "summary": "a smaller chunk (the spec's chunk:, or --chunk), or fewer --workers",
}


@lru_cache(maxsize=256)
def _point_scenario(scenario_json: str, overrides_json: str) -> Scenario:
    return _base_scenario(scenario_json).with_overrides(
        json.loads(overrides_json), source="sweep parameters"
    )


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Simulate one chunk (in a worker process, a Dask worker or in-process).

    For each segment the model runs ``stop - first`` runs with ``run_offset=first`` and
    ``stream_key=(point,)``, so the numbers are those of runs ``first..stop-1`` of the point
    whatever the chunk. Outcomes come from the model's ``result.outcomes``; a model without
    them gets a generic row per run from its series (final total military and its growth).

    The chunk computes with one BLAS thread wherever it runs: a multi-threaded BLAS splits a
    matrix product (Richardson's ``expm`` and steps, from about a hundred states) differently
    by thread count, so the parent (which starts with every core's threads) and a worker
    (one thread) would otherwise disagree in the last bits.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return _run_chunk(task)


def _run_chunk(task: ChunkTask) -> ChunkResult:
    import pandas as pd

    from herz.simulation import memory_advice, simulate

    t0 = time.perf_counter()
    outcomes: list[pd.DataFrame] = []
    series: list[pd.DataFrame] = []
    info: dict[int, tuple[str, float]] = {}
    for point, overrides_json, first, stop in task.segments:
        sc = _point_scenario(task.scenario_json, overrides_json)
        n = stop - first
        kwargs: dict[str, Any] = {
            "steps": task.steps,
            "runs": n,
            "seed": task.seed,
            "run_offset": first,
            "stream_key": (point,),
        }
        with memory_advice(series=SWEEP_ADVICE["series"], summary=SWEEP_ADVICE["summary"]):
            result = simulate(sc, task.model, keep=task.keep, **kwargs, **task.options)
        initial = float(sum(s.military for s in sc.states))
        out = result.outcomes
        if out is None:
            src = result.series
            if src is None:
                src = simulate(sc, task.model, keep="series", **kwargs, **task.options).series
            out = _outcomes_from_series(src, first, n, initial)
        out = _tidy_outcomes(out, first, n, task.model)
        out.insert(0, "point", point)
        outcomes.append(out)
        if task.keep == "series" and result.series is not None:
            s = result.series.copy()
            for col in s.columns:
                if isinstance(s[col].dtype, pd.CategoricalDtype):
                    s[col] = s[col].astype(str)
            s.insert(0, "point", point)
            series.append(s)
        info[point] = (sc.hash(), initial)
    frame = pd.concat(outcomes, ignore_index=True) if outcomes else pd.DataFrame()
    return ChunkResult(
        chunk=task.chunk,
        n_runs=task.n_runs,
        outcomes=frame,
        series=pd.concat(series, ignore_index=True) if series else None,
        point_info=info,
        seconds=time.perf_counter() - t0,
    )


def _outcomes_from_series(
    series: pd.DataFrame | None, first: int, n: int, initial: float
) -> pd.DataFrame:
    """Generic per-run outcomes for a model without ``outcomes``: the final total military,
    its growth over the initial total, and each state's final military
    (``final_military_<state>``), named as in every model (docs/models.md, "Glossary")."""
    import numpy as np
    import pandas as pd

    runs = np.arange(first, first + n, dtype=np.int64)
    if series is None or "military" not in series.columns:
        return pd.DataFrame({"run": runs})
    last = series[series["t"] == series["t"].max()]
    wide = last.pivot_table(
        index="run", columns="state", values="military", aggfunc="sum", observed=True
    ).reindex(runs)
    final = wide.to_numpy(dtype=float)
    # States added one at a time, in column order: NumPy's row sums would be pairwise or
    # sequential depending on the array's memory layout and on the number of runs.
    total = np.zeros(n)
    for k in range(final.shape[1]):
        total = total + final[:, k]
    growth = total / initial if initial > 0 else np.full(n, np.nan)
    out = pd.DataFrame({"run": runs, "final_military": total, "arms_growth": growth})
    for k, state in enumerate(wide.columns):
        out[f"final_military_{state}"] = final[:, k]
    return out


def _tidy_outcomes(out: pd.DataFrame, first: int, n: int, model: str) -> pd.DataFrame:
    """Check and normalise a model's outcomes: one row per run, labelled first..first+n-1,
    scalar columns only (bool, int, float or text)."""
    import numpy as np
    import pandas as pd

    out = out.reset_index(drop=True).copy()
    if "run" not in out.columns:
        if len(out) != n:
            raise InputError(f"model {model!r} returned {len(out)} outcome rows for {n} runs.")
        out.insert(0, "run", np.arange(first, first + n))
    runs = out["run"].to_numpy(dtype=np.int64)
    if len(runs) != n:
        raise InputError(f"model {model!r} returned {len(runs)} outcome rows for {n} runs.")
    if first and np.array_equal(np.sort(runs), np.arange(n)):
        runs = runs + first  # labelled from 0 within the call: shift to the global run index
    if not np.array_equal(np.sort(runs), np.arange(first, first + n)):
        raise InputError(f"model {model!r} returned outcomes for the wrong runs.")
    out["run"] = runs
    for col in list(out.columns):
        s = out[col]
        if col == "run":
            continue
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object:
            if s.map(lambda v: isinstance(v, list | tuple | dict | np.ndarray)).any():
                out = out.drop(columns=col)
            else:
                out[col] = s.astype(str)
        elif not (
            pd.api.types.is_bool_dtype(s)
            or pd.api.types.is_integer_dtype(s)
            or pd.api.types.is_float_dtype(s)
            or pd.api.types.is_string_dtype(s)
        ):
            out[col] = s.astype(str)
    return out.sort_values("run", kind="stable").reset_index(drop=True)
