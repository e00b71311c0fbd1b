"""Turn a :class:`~herz.Result` into the small JSON document the dashboard draws.

A run can have millions of rows (runs × steps × states); the page needs far less: per state and
step the ensemble mean with a 5–95 % band of each variable, the share of runs at war per step, a
tension curve, the events counted per year and kind, and the alliance network. Everything here
works on the generic Result tables (``series``, ``events``, ``outcomes``), so any model that
follows :func:`herz.simulate`'s contract is drawn without special cases; columns a model does not
have simply give no chart.

The payload is bounded by construction: given ``max_bytes`` (the server's ``max_result_mb``),
the chart bands hold at most :func:`budgets`' share of numbers (a result with many states or
variables is thinned to fewer time points) and each table at most its share of bytes (fewer rows
are sent; ``total`` still counts them all). :func:`encode_payload` serializes it once, to the
bytes the server stores and sends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from herz.results import to_jsonable

if TYPE_CHECKING:
    import pandas as pd

    from herz.results import Result
    from herz.scenario import Scenario

__all__ = [
    "BYTES_PER_NUMBER",
    "budgets",
    "build_payload",
    "dyad_war",
    "encode_payload",
    "network",
]

#: Bytes a number takes at most in the JSON of a payload, with its separator
#: (``-1.2345678901234567e-05,``).
BYTES_PER_NUMBER = 25


def budgets(max_bytes: int) -> tuple[int, int]:
    """``(chart_values, table_bytes)`` for a payload of at most ``max_bytes``: half of it for
    the numbers of the chart bands, an eighth for each of the two tables."""
    return max_bytes // 2 // BYTES_PER_NUMBER, max_bytes // 8


#: Columns of a series table that index it rather than measure something.
_INDEX = ("run", "t", "year", "state")

#: Names an events table may use for the kind of event, and for the states involved.
_KIND_COLUMNS = ("kind", "type", "event")
_STATE_COLUMNS = ("states", "state", "side_a", "a", "i")


def _band(groups: Any, column: str) -> dict[str, list[float | None]]:
    """Mean and 5 %/95 % quantiles of ``column`` per group, as plain lists."""
    g = groups[column]
    mean = g.mean()
    lo = g.quantile(0.05)
    hi = g.quantile(0.95)
    return {
        "mean": to_jsonable(mean.to_numpy(dtype=float)),
        "lo": to_jsonable(lo.to_numpy(dtype=float)),
        "hi": to_jsonable(hi.to_numpy(dtype=float)),
    }


def _thin(values: list[int], max_points: int) -> list[int]:
    """At most ``max_points`` values taken evenly, always with the first and the last."""
    if len(values) <= max_points:
        return values
    import numpy as np

    idx = np.unique(np.linspace(0, len(values) - 1, max_points).round().astype(int))
    return [values[i] for i in idx]


def _series_part(
    series: pd.DataFrame, scenario: Scenario, max_points: int, chart_values: int | None = None
) -> dict[str, Any]:
    """Per-variable, per-state bands; the time axis; P(war) and tension per step.

    With ``chart_values``, the bands (three numbers per variable, state and time point) hold at
    most that many numbers: a wide result is thinned to fewer time points (at least two).
    """
    import numpy as np
    import pandas as pd

    steps = sorted(int(t) for t in series["t"].unique())
    if chart_values is not None:
        n_vars = sum(
            1
            for c in series.columns
            if c not in _INDEX
            and (pd.api.types.is_numeric_dtype(series[c]) or pd.api.types.is_bool_dtype(series[c]))
        )
        n_states = int(series["state"].nunique()) if "state" in series.columns else 1
        per_point = 3 * max(n_vars, 1) * max(n_states, 1)
        max_points = max(2, min(max_points, chart_values // per_point))
    keep_t = _thin(steps, max_points)
    df = series[series["t"].isin(keep_t)] if len(keep_t) < len(steps) else series
    if "year" in df.columns:
        years = df.groupby("t", observed=True)["year"].first().reindex(keep_t)
        time = [float(y) for y in years.to_numpy(dtype=float)]
    else:
        time = [scenario.time.start + scenario.time.step * t for t in keep_t]
    numeric = [
        c
        for c in df.columns
        if c not in _INDEX
        and (pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c]))
    ]
    variables: dict[str, dict[str, dict[str, list[float | None]]]] = {}
    states: list[str] = []
    if "state" in df.columns:
        states = [str(s) for s in pd.unique(df["state"].astype(str))]
        work = df.assign(state=df["state"].astype(str))
        for col in numeric:
            work[col] = work[col].astype(float)
        grouped = work.groupby(["state", "t"], observed=True, sort=True)
        for col in numeric:
            band = _band(grouped, col)
            per_state: dict[str, dict[str, list[float | None]]] = {}
            index = grouped[col].mean().index
            for s in states:
                mask = index.get_level_values(0) == s
                pos = np.flatnonzero(mask)
                t_of = [int(t) for t in index.get_level_values(1)[mask]]
                if t_of != keep_t:  # a state missing at some steps: align on the time axis
                    lookup = dict(zip(t_of, pos, strict=True))
                    pos = np.array([lookup.get(t, -1) for t in keep_t])
                per_state[s] = {k: [v[p] if p >= 0 else None for p in pos] for k, v in band.items()}
            variables[col] = per_state
    else:
        by_t = df.assign(**{c: df[c].astype(float) for c in numeric}).groupby("t", sort=True)
        for col in numeric:
            variables[col] = {"all": _band(by_t, col)}
    p_war: list[float | None] | None = None
    if "at_war" in df.columns:
        by_run = df.assign(at_war=df["at_war"].astype(bool)).groupby(["run", "t"], sort=True)
        any_war = by_run["at_war"].any().groupby(level="t").mean().reindex(keep_t)
        p_war = to_jsonable(any_war.to_numpy(dtype=float))
    tension = _tension(df, keep_t)
    return {
        "time": time,
        "t": keep_t,
        "states": states,
        "variables": variables,
        "p_war": p_war,
        "tension": tension,
    }


def _tension(df: pd.DataFrame, keep_t: list[int]) -> dict[str, Any] | None:
    """A tension curve per step (ensemble mean and 5–95 % band) and what it measures.

    The model's own ``tension`` column when it has one (the spiral model's tension index); else
    the mean ``belief`` (how greedy states think the others are); else, for models with arms
    only (Richardson), the arms index: total military over its value at the first step.
    """
    per_run: pd.Series | None = None
    if "tension" in df.columns:
        per_run = df.groupby(["run", "t"], sort=True)["tension"].mean()
        label = "tension index (model)"
    elif "belief" in df.columns:
        per_run = df.groupby(["run", "t"], sort=True)["belief"].mean()
        label = "mean belief that the others are greedy"
    elif "military" in df.columns:
        total = df.groupby(["run", "t"], sort=True)["military"].sum()
        first = total.groupby(level="run").transform("first")
        per_run = total / first.where(first != 0)
        label = "arms index: total military ÷ its start value"
    if per_run is None:
        return None
    grouped = per_run.astype(float).groupby(level="t", sort=True)
    band = {
        "mean": grouped.mean().reindex(keep_t),
        "lo": grouped.quantile(0.05).reindex(keep_t),
        "hi": grouped.quantile(0.95).reindex(keep_t),
    }
    out: dict[str, Any] = {"label": label}
    for k, v in band.items():
        out[k] = to_jsonable(v.to_numpy(dtype=float))
    return out


def _table(
    table: pd.DataFrame | None, max_rows: int, max_bytes: int | None = None
) -> dict[str, Any] | None:
    """The first rows of a table as columns + rows, and the total count: at most ``max_rows``
    rows and, with ``max_bytes``, as many as fit in that many bytes of JSON."""
    if table is None:
        return None
    import json

    columns = [str(c) for c in table.columns]
    used = len(json.dumps(columns))
    rows: list[list[Any]] = []
    for row in table.head(max_rows).itertuples(index=False, name=None):
        cells = [to_jsonable(_plain(v)) for v in row]
        if max_bytes is not None:
            used += len(json.dumps(cells, separators=(",", ":"), ensure_ascii=False)) + 1
            if used > max_bytes:
                break
        rows.append(cells)
    return {
        "columns": columns,
        "rows": rows,
        "total": len(table),
        "truncated": len(table) > len(rows),
    }


def _plain(value: Any) -> Any:
    """A cell as a JSON value: lists and tuples kept, timestamps and objects as text."""
    import numpy as np

    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)


def _timeline(
    events: pd.DataFrame | None, scenario: Scenario, runs: int, max_points: int
) -> list[dict[str, Any]]:
    """Events counted per (year, kind) over the ensemble, plus the scenario's scripted events.

    ``share`` is the count divided by the number of runs: 0.3 at (1914, "war") means that 30 %
    of the runs had a war start that year (or three wars in a tenth of the runs).
    """
    out: list[dict[str, Any]] = []
    for ev in scenario.events:
        detail = ev.name or ev.kind.replace("_", " ")
        out.append(
            {
                "year": float(ev.year),
                "kind": f"scripted: {ev.kind.replace('_', ' ')}",
                "count": 1,
                "share": 1.0,
                "label": detail,
            }
        )
    if events is None or len(events) == 0:
        return out
    kind_col = next((c for c in _KIND_COLUMNS if c in events.columns), None)
    if kind_col is None:
        return out
    if "year" in events.columns:
        when = events["year"].astype(float)
    elif "t" in events.columns:
        when = scenario.time.start + scenario.time.step * events["t"].astype(float)
    else:
        return out
    import pandas as pd

    frame = pd.DataFrame({"when": when.to_numpy(), "what": events[kind_col].astype(str).to_numpy()})
    counts = frame.groupby(["when", "what"], sort=True).size().reset_index(name="n")
    if len(counts) > max_points * 4:
        counts = counts.nlargest(max_points * 4, "n").sort_values(["when", "what"])
    for when_, what, n in zip(counts["when"], counts["what"], counts["n"], strict=True):
        count = int(n)
        out.append(
            {
                "year": float(when_),
                "kind": str(what).replace("_", " "),
                "count": count,
                "share": count / max(runs, 1),
                "label": f"{what}: {count} in {runs} run(s)",
            }
        )
    return out


def dyad_war(summary: dict[str, Any], scenario: Scenario) -> dict[str, Any] | None:
    """The summary's ``p_dyad_war`` (pair "FRN-GMY" → share of runs in which the two fought) as
    a symmetric matrix for a heat map: ``states`` (ids in scenario order), ``labels`` and ``z``
    (``z[i][j]`` the share for states i and j; None on the diagonal). None without it."""
    shares = summary.get("p_dyad_war")
    if not isinstance(shares, dict) or not shares:
        return None
    ids = [s.id for s in scenario.states]
    z: list[list[float | None]] = [[None] * len(ids) for _ in ids]
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            if i != j:
                value = shares.get("-".join(sorted((a, b))))
                z[i][j] = float(value) if isinstance(value, int | float) else None
    return {"states": ids, "labels": [s.label for s in scenario.states], "z": z}


def network(scenario: Scenario) -> dict[str, Any]:
    """The alliance network: states as nodes (sized by military), alliances as edges, at the
    scenario's start and at its end (scripted alliances and alliance changes with a date)."""
    nodes = [
        {"id": s.id, "label": s.label, "military": float(s.military), "type": s.type}
        for s in scenario.states
    ]

    def edges(year: float) -> list[dict[str, Any]]:
        out = []
        for a in scenario.alliances_at(year):
            for i, m in enumerate(a.members):
                for n in a.members[i + 1 :]:
                    out.append(
                        {
                            "source": m,
                            "target": n,
                            "alliance": a.name,
                            "kind": a.kind,
                            "reliability": float(a.reliability),
                        }
                    )
        return out

    return {
        "nodes": nodes,
        "start": {"year": float(scenario.time.start), "edges": edges(scenario.time.start)},
        "end": {"year": float(scenario.time.end), "edges": edges(scenario.time.end)},
    }


def build_payload(
    result: Result, *, max_points: int = 500, max_rows: int = 2000, max_bytes: int | None = None
) -> dict[str, Any]:
    """The dashboard's view of ``result`` (JSON-safe: no NaN, no NumPy types).

    Keys: ``model``, ``scenario``, ``seed``, ``runs``, ``steps``, ``units``, ``labels`` (state
    id → name), ``summary``, ``series`` (see :func:`_series_part`; ``None`` without a series),
    ``timeline``, ``events`` and ``outcomes`` (first rows, see :func:`_table`), ``network``,
    ``dyad_war`` (see :func:`dyad_war`; None for models without ``p_dyad_war``).
    With ``max_bytes``, the charts and tables are cut to their share of it (:func:`budgets`).
    """
    chart_values, table_bytes = (None, None) if max_bytes is None else budgets(max_bytes)
    sc = result.scenario
    summary = to_jsonable(result.summary)
    runs = int(summary.get("runs", 1)) if isinstance(summary.get("runs"), int) else 1
    steps = summary.get("steps")
    series = None
    if result.series is not None and len(result.series) > 0 and "t" in result.series.columns:
        series = _series_part(result.series, sc, max_points, chart_values)
        if "run" in result.series.columns:
            runs = int(result.series["run"].nunique())
        if steps is None:
            steps = int(result.series["t"].max())
    return {
        "model": result.model,
        "scenario": sc.name,
        "seed": int(result.seed),
        "runs": runs,
        "steps": steps if isinstance(steps, int) else sc.time.steps,
        "units": {"military": sc.units.military, "economy": sc.units.economy},
        "labels": {s.id: s.label for s in sc.states},
        "world": {
            "offense_advantage": sc.world.offense_advantage,
            "distinguishability": sc.world.distinguishability,
        },
        "summary": summary,
        "series": series,
        "timeline": _timeline(result.events, sc, runs, max_points),
        "events": _table(result.events, max_rows, table_bytes),
        "outcomes": _table(result.outcomes, max_rows, table_bytes),
        "network": network(sc),
        "dyad_war": dyad_war(summary, sc),
    }


def encode_payload(payload: dict[str, Any]) -> bytes:
    """``payload`` as compact UTF-8 JSON, as FastAPI would send it (no NaN: it is JSON-safe)."""
    import json

    return json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
