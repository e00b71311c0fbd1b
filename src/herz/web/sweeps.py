"""Stored sweeps for the dashboard: read a results store (:mod:`herz.store`), never write it.

The store keeps one row per run; a phase diagram needs one number per parameter point. Every
numeric or boolean outcome column becomes a *measure*, the mean over the point's runs: the mean
of ``war`` (true/false) is P(war) at that point, the mean of ``final_military`` the
average final arms. The page draws a measure over one parameter (a line), two (a heat map on a
grid, or coloured points for a sampled design) or more (the first two, coloured points).

The store is opened read-only for each request (DuckDB lets several readers share a file), and
answers are cached by the file's modification time, so a sweep that is still being written shows
its newest stored chunks on the next request after a chunk lands.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from herz.results import to_jsonable

__all__ = ["get_sweep", "list_sweeps"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")

#: Outcome columns that index runs rather than measure them.
_NOT_MEASURES = ("point", "run", "sweep_id")


def _open(db: Path) -> Any:
    from herz.store import open_results

    return open_results(db)


def _stamp(db: Path) -> float:
    try:
        return db.stat().st_mtime
    except OSError:
        return -1.0


def _describe(info: Any, n_runs: int | None = None) -> dict[str, Any]:
    label = f"{info.name}: {info.model} on {info.scenario}"
    data = {
        "model": info.model,
        "scenario": info.scenario,
        "design": info.design,
        "parameters": info.parameters,
        "points": info.n_points,
        "runs_per_point": info.runs_per_point,
        "steps": info.steps,
        "seed": info.seed,
        "keep": info.keep,
        "completed": info.completed,
        "herz_version": info.herz_version,
        "description": str(info.spec.get("description") or ""),
    }
    if n_runs is not None:
        data["runs_stored"] = n_runs
    return {"id": info.name, "label": label, "info": data}


@functools.lru_cache(maxsize=8)
def _list_cached(db: str, stamp: float) -> list[dict[str, Any]]:
    with _open(Path(db)) as store:
        frame = store.sweeps()
        if len(frame) == 0:
            return []
        return [_describe(store.info(int(sid))) for sid in frame["sweep_id"]]


def list_sweeps(db: Path) -> list[dict[str, Any]]:
    """Every sweep in the store: ``{"id": name, "label": ..., "info": {...}}``."""
    return to_jsonable(_list_cached(str(db), _stamp(db)))  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=8)
def _get_cached(db: str, stamp: float, name: str) -> dict[str, Any] | None:
    import pandas as pd

    with _open(Path(db)) as store:
        sweep_id = store.sweep_id(name)
        if sweep_id is None:
            return None
        info = store.info(sweep_id)
        runs = store.runs(sweep_id)
        points = store.points(sweep_id)
    params = [p for p in info.parameters if p in points.columns]
    measures = [
        c
        for c in runs.columns
        if c not in (*params, *_NOT_MEASURES)
        and (pd.api.types.is_numeric_dtype(runs[c]) or pd.api.types.is_bool_dtype(runs[c]))
    ]
    work = runs[["point", *measures]].copy()
    for c in measures:
        work[c] = pd.to_numeric(work[c], errors="coerce").astype(float)
    means = work.groupby("point", sort=True)[measures].mean() if measures else None
    counts = work.groupby("point", sort=True).size() if len(work) else None
    rows: list[dict[str, Any]] = []
    for rec in points[["point", *params]].to_dict("records"):
        pt = int(rec["point"])
        row: dict[str, Any] = {"point": pt, "params": {p: rec[p] for p in params}}
        row["runs"] = int(counts.get(pt, 0)) if counts is not None else 0
        row["measures"] = (
            {m: means.at[pt, m] for m in measures}
            if means is not None and pt in means.index
            else {m: None for m in measures}
        )
        rows.append(row)
    out = _describe(info, n_runs=len(runs))
    out.update({"parameters": params, "measures": measures, "points": rows})
    return out


def get_sweep(db: Path, name: str) -> dict[str, Any] | None:
    """One sweep with a row per point (parameters, runs stored, mean of every measure), or
    ``None`` when the store has no sweep of that name."""
    if not _NAME.fullmatch(name):
        return None
    found = _get_cached(str(db), _stamp(db), name)
    return None if found is None else to_jsonable(found)
