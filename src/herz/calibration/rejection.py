"""Likelihood-free calibration from a reference table: rejection ABC with regression adjustment.

Method
    A **reference table** is N parameter sets θ_i drawn from the prior, each with the summary
    statistics s_i of one synthetic dataset simulated at θ_i (Pritchard, Seielstad, Perez-Lezaun
    & Feldman 1999, 'Population growth of human Y chromosomes', Mol. Biol. Evol.
    16(12):1791–1798). For an observed s_obs, every statistic is divided by its median absolute
    deviation over the table (the standard deviation where the MAD is 0, as for a rate that is
    mostly zero), the Euclidean distance d_i = ‖s_i − s_obs‖ is taken, and the k = ⌈αN⌉ nearest
    sets are kept with Epanechnikov weights w_i = 1 − (d_i/δ)², δ the (k + 1)-th distance.
    The kept sets are then moved along a local-linear regression of θ on s (Beaumont, Zhang &
    Balding 2002, 'Approximate Bayesian computation in population genetics', Genetics
    162(4):2025–2035, eq. 5): θ*_i = θ_i − (s_i − s_obs)ᵀβ̂, with β̂ the weighted least-squares
    slope. Each parameter is regressed on the logit of its place in its uniform prior's range
    (Beaumont et al. 2002, p. 2027: a transformation keeps adjusted values inside the prior's
    support), and mapped back.
Why a table
    The table does not depend on the data. One table answers every observed dataset: the record,
    and each synthetic dataset of a simulation-based calibration (Talts et al. 2018). So the
    SBC of this method runs at the very size of the calibration herz ships, for the cost of the
    synthetic datasets alone, where an ABC-SMC calibration must be rerun per dataset
    (:mod:`herz.calibration.abc`).
Seeds
    One seed S. Row i's θ comes from ``SeedSequence(S, spawn_key=(0, i))``. A simulator that
    runs many parameter sets as one ensemble (``batch``: the spiral's era worlds) makes row i
    run i of each world's ensemble, world j drawing from ``SeedSequence(S,
    spawn_key=(CALIBRATION_KEY, 0, j, i))``; any other simulator is called once per row with the
    key ``(0, i)``. ABC-SMC's keys start ``(CALIBRATION_KEY, t + 1, …)`` with t + 1 ≥ 1, so no
    row shares a stream with an SMC simulation. Row i depends only on (S, i): the same seed
    gives the same table on one core, on all local cores or on a Dask cluster, in chunks of any
    size, and a table extended from N to N' rows keeps its first N.
"""

from __future__ import annotations

import json
import math
import os
import pickle
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from herz.calibration.posterior import Posterior
from herz.calibration.priors import Prior
from herz.calibration.ranks import DRAWS_KEY, SYNTHETIC_KEY, SBCResult, width_ratio
from herz.errors import InputError

__all__ = [
    "TABLE_KEY",
    "ReferenceTable",
    "abc_rejection",
    "run_sbc_table",
    "simulate_table",
]

FloatArray = NDArray[np.float64]
Simulate = Callable[[Mapping[str, float], tuple[int, ...]], Mapping[str, float]]

TABLE_KEY = 0
"""First element of a reference-table row's key ``(TABLE_KEY, i)``; ABC-SMC's keys start at 1."""

_FORMAT = "herz-reference-table/1"


@dataclass(frozen=True)
class ReferenceTable:
    """Prior draws and the summary statistics each simulated, with their provenance.

    Attributes
    ----------
    model:
        Registry name of the simulated model.
    parameters, targets:
        Names of the columns of ``theta`` and ``stats``.
    theta:
        (N, p) parameter sets, row i drawn from the prior with ``SeedSequence(seed, (0, i))``.
    stats:
        (N, s) summary statistics of the synthetic dataset simulated at ``theta[i]``.
    meta:
        Provenance: ``priors``, ``seed``, the era and worlds, ``version``, ``elapsed_s``.
    """

    model: str
    parameters: tuple[str, ...]
    targets: tuple[str, ...]
    theta: FloatArray
    stats: FloatArray
    meta: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.theta.shape[0])

    def save(self, path: str | Path) -> Path:
        """Write one ``.npz`` file (arrays plus the provenance as JSON), atomically."""
        path = Path(path)
        tmp = path.with_name(path.name + ".part.npz")
        header = {
            "format": _FORMAT,
            "model": self.model,
            "parameters": list(self.parameters),
            "targets": list(self.targets),
            "meta": self.meta,
        }
        np.savez_compressed(
            tmp, theta=self.theta, stats=self.stats, header=np.array(json.dumps(header))
        )
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> ReferenceTable:
        """Read a table written by :meth:`save`; an InputError names the file if it is not one."""
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as z:
                header = json.loads(str(z["header"]))
                theta = np.asarray(z["theta"], dtype=np.float64)
                stats = np.asarray(z["stats"], dtype=np.float64)
        except (OSError, KeyError, ValueError, EOFError) as exc:  # EOFError: an empty file
            raise InputError(
                f"{path}: not a herz reference table ({exc}).", field="table", value=str(path)
            ) from exc
        if header.get("format") != _FORMAT:
            raise InputError(
                f"{path}: not a herz reference table (format {header.get('format')!r}).",
                field="table",
                value=str(path),
            )
        return cls(
            str(header["model"]),
            tuple(header["parameters"]),
            tuple(header["targets"]),
            theta,
            stats,
            dict(header.get("meta", {})),
        )


def _draw_theta(priors: Mapping[str, Prior], seed: int, i: int) -> dict[str, float]:
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(TABLE_KEY, i)))
    return {n: float(rng.uniform(p.low, p.high)) for n, p in priors.items()}


def _batched(simulate: Any, priors: Mapping[str, Prior]) -> bool:
    can = getattr(simulate, "can_batch", None)
    return bool(can is not None and hasattr(simulate, "batch") and can(list(priors)))


def _rows(
    simulate: Simulate,
    priors: Mapping[str, Prior],
    targets: Sequence[str],
    seed: int,
    rows: Sequence[int],
) -> list[tuple[list[float], list[float]]]:
    if _batched(simulate, priors):
        # one vectorized ensemble per world: row i is run i of the streams keyed (TABLE_KEY,)
        names = list(priors)
        grid = np.array([[_draw_theta(priors, seed, i)[n] for n in names] for i in rows])
        batch = simulate.batch(  # type: ignore[attr-defined]
            {n: grid[:, k] for k, n in enumerate(names)}, (TABLE_KEY,), rows[0], len(rows)
        )
        return [
            ([float(v) for v in grid[r]], [float(batch[t][r]) for t in targets])
            for r in range(len(rows))
        ]
    out = []
    for i in rows:
        theta = _draw_theta(priors, seed, i)
        stats = simulate(theta, (TABLE_KEY, i))
        out.append(([theta[n] for n in priors], [float(stats[t]) for t in targets]))
    return out


_WORKER: dict[str, Any] = {}


def _init_worker(blob: bytes) -> None:
    _WORKER["args"] = pickle.loads(blob)


def _worker_rows(rows: Sequence[int]) -> list[tuple[list[float], list[float]]]:
    simulate, priors, targets, seed = _WORKER["args"]
    return _rows(simulate, priors, targets, seed, rows)


def _dask_rows(args: Any, rows: Sequence[int]) -> list[tuple[list[float], list[float]]]:
    simulate, priors, targets, seed = args
    return _rows(simulate, priors, targets, seed, rows)


def simulate_table(
    simulate: Simulate,
    priors: Mapping[str, Prior],
    targets: Sequence[str],
    n: int,
    *,
    seed: int = 0,
    model: str = "model",
    workers: int = 1,
    client: Any = None,
    chunk: int | None = None,
    start: ReferenceTable | None = None,
    checkpoint: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> ReferenceTable:
    """Simulate a reference table of ``n`` rows (see the module docstring for the seeds).

    Parameters
    ----------
    simulate:
        ``simulate(params, key) -> statistics``, as for :func:`herz.calibration.abc.abc_smc`.
    priors, targets:
        Uniform priors by parameter; the statistics to keep, in order.
    n, seed, model:
        Rows; the table seed; the model's name (stored).
    workers, client, chunk:
        Local processes, or a ``dask.distributed.Client``; rows per task (default 500 for a
        simulator that runs many parameter sets as one ensemble, ``batch``, else 20).
    start:
        A table of the same settings with fewer rows: its rows are kept and only the rest
        simulated (rows depend only on (seed, i)).
    checkpoint:
        Save the table here after every block of tasks, so an interrupted run resumes from it
        (pass the loaded file as ``start``).
    progress:
        ``progress(done, n)``.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise InputError(f"simulations: must be a whole number >= 1, got {n!r}.", field="n")
    names = tuple(priors)
    targets = tuple(targets)
    theta = np.empty((n, len(names)))
    stats = np.empty((n, len(targets)))
    done = 0
    if start is not None and len(start):
        done = min(len(start), n)
        theta[:done] = start.theta[:done]
        stats[:done] = start.stats[:done]
    info: dict[str, Any] = dict(meta or {})
    info |= {
        "priors": {k: p.to_dict() for k, p in priors.items()},
        "seed": int(seed),
        "seeds": {
            "theta": "row i: SeedSequence(seed, spawn_key=(0, i)), uniform per parameter",
            "simulator": "SeedSequence(seed, spawn_key=(CALIBRATION_KEY, 0, i, world, run))",
        },
    }
    from herz._version import __version__

    info.setdefault("version", __version__)
    started = time.perf_counter()
    before = float((start.meta.get("elapsed_s") if start is not None else 0.0) or 0.0)

    def table(rows: int) -> ReferenceTable:
        elapsed = before + time.perf_counter() - started
        return ReferenceTable(
            model,
            names,
            targets,
            theta[:rows].copy(),
            stats[:rows].copy(),
            info | {"rows": rows, "elapsed_s": round(elapsed, 1)},
        )

    if chunk is None:
        chunk = 500 if _batched(simulate, priors) else 20
    todo = [list(range(a, min(a + chunk, n))) for a in range(done, n, chunk)]
    if progress is not None:
        progress(done, n)
    if not todo:
        return table(n)
    args = (simulate, dict(priors), targets, int(seed))
    block = max(1, 8 * max(1, workers))

    def take(rows: Sequence[int], result: list[tuple[list[float], list[float]]]) -> None:
        nonlocal done
        for i, (th, st) in zip(rows, result, strict=True):
            theta[i] = th
            stats[i] = st
        done = rows[-1] + 1
        if progress is not None:
            progress(done, n)

    for b in range(0, len(todo), block):
        tasks = todo[b : b + block]
        if client is not None:
            remote = client.scatter(args, broadcast=True)
            futures = [client.submit(_dask_rows, remote, rows, pure=False) for rows in tasks]
            for rows, fut in zip(tasks, futures, strict=True):
                take(rows, fut.result())
        elif workers <= 1:
            for rows in tasks:
                take(rows, _rows(simulate, priors, targets, int(seed), rows))
        else:
            pool = _pool(workers, pickle.dumps(args))
            for rows, result in zip(tasks, pool.map(_worker_rows, tasks), strict=True):
                take(rows, result)
        if checkpoint is not None:
            table(done).save(checkpoint)
    _close_pool()
    return table(n)


_POOL: dict[str, Any] = {}


def _pool(workers: int, blob: bytes) -> Any:
    from concurrent.futures import ProcessPoolExecutor

    key = (workers, hash(blob))
    if _POOL.get("key") != key:
        _close_pool()
        _POOL["pool"] = ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=(blob,)
        )
        _POOL["key"] = key
    return _POOL["pool"]


def _close_pool() -> None:
    pool = _POOL.pop("pool", None)
    _POOL.pop("key", None)
    if pool is not None:
        pool.shutdown()


def _scales(stats: FloatArray) -> FloatArray:
    """Per statistic: its median absolute deviation over the table, or its sd where that is 0."""
    med = np.median(stats, axis=0)
    mad = np.median(np.abs(stats - med), axis=0)
    sd = np.std(stats, axis=0)
    scale = np.where(mad > 0, mad, sd)
    return np.where(scale > 0, scale, 1.0)


def _logit_range(theta: FloatArray, low: FloatArray, high: FloatArray) -> FloatArray:
    u = (theta - low) / (high - low)
    u = np.clip(u, 1e-9, 1 - 1e-9)
    out: FloatArray = np.log(u) - np.log1p(-u)
    return out


def _expit_range(z: FloatArray, low: FloatArray, high: FloatArray) -> FloatArray:
    out: FloatArray = low + (high - low) / (1.0 + np.exp(-z))
    return out


def abc_rejection(
    table: ReferenceTable,
    observed: Mapping[str, float],
    priors: Mapping[str, Prior] | None = None,
    *,
    accept: float = 0.02,
    adjust: bool = True,
    model: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Posterior:
    """The rejection-ABC posterior of ``observed`` from ``table`` (module docstring: method).

    Parameters
    ----------
    table:
        The reference table (its statistics must include every key of ``observed``).
    observed:
        The observed summary statistics, by target; only these columns are matched.
    priors:
        Uniform priors of the table's parameters (for the logit transform); default: the
        table's own ``meta["priors"]``.
    accept:
        α: the share of the table kept, 0 < α ≤ 1 (at least p + 2 rows).
    adjust:
        Apply Beaumont et al.'s (2002) local-linear regression adjustment.
    """
    if not (isinstance(accept, float | int) and 0 < accept <= 1):
        raise InputError(
            f"accept: must be in (0, 1], got {accept!r}.", field="accept", value=accept
        )
    missing = [t for t in observed if t not in table.targets]
    if missing:
        raise InputError(
            f"observed: the reference table has no statistic {missing[0]!r} (it has "
            f"{', '.join(table.targets)}).",
            field="observed",
            value=missing[0],
        )
    if priors is None:
        priors = {
            n: Prior(float(d["low"]), float(d["high"]), str(d.get("source", "ours")))
            for n, d in table.meta["priors"].items()
        }
    names = table.parameters
    cols = [table.targets.index(t) for t in observed]
    s = table.stats[:, cols]
    obs = np.array([float(observed[t]) for t in observed])
    scale = _scales(s)
    x = (s - obs) / scale
    dist = np.sqrt(np.sum(x * x, axis=1))
    n_rows, p = table.theta.shape
    k = min(n_rows - 1, max(p + 2, math.ceil(accept * n_rows)))
    order = np.argsort(dist, kind="stable")
    keep = order[:k]
    delta = float(dist[order[k]])
    if delta <= 0:
        # more than k rows match exactly: keep them all, equally weighted
        keep = np.flatnonzero(dist <= 0)
        w = np.ones(keep.size)
    else:
        w = 1.0 - (dist[keep] / delta) ** 2
        if not np.any(w > 0):
            w = np.ones(keep.size)
    theta = table.theta[keep]
    low = np.array([priors[n].low for n in names])
    high = np.array([priors[n].high for n in names])
    particles = theta
    slopes: FloatArray | None = None
    if adjust:
        z = _logit_range(theta, low, high)
        design = np.column_stack([np.ones(keep.size), x[keep]])
        sw = np.sqrt(w)[:, None]
        coef, *_ = np.linalg.lstsq(design * sw, z * sw, rcond=None)
        slopes = coef[1:]
        particles = _expit_range(z - x[keep] @ slopes, low, high)
    info: dict[str, Any] = dict(meta or {})
    info |= {
        "method": "rejection ABC with local-linear regression adjustment"
        if adjust
        else "rejection ABC",
        "priors": {n: priors[n].to_dict() for n in names},
        "observed": {t: float(observed[t]) for t in observed},
        "abc": {
            "table_rows": n_rows,
            "accept": float(accept),
            "kept": int(keep.size),
            "epsilon": delta,
            "distance": "Euclidean, each statistic / its MAD over the table (sd where MAD = 0)",
            "scales": {t: float(v) for t, v in zip(observed, scale, strict=True)},
            "kernel": "Epanechnikov",
            "adjustment": "local-linear (Beaumont, Zhang & Balding 2002) on logit of the prior "
            "range"
            if adjust
            else None,
            "table_seed": table.meta.get("seed"),
        },
    }
    from herz._version import __version__

    info.setdefault("version", __version__)
    return Posterior(model or table.model, names, np.asarray(particles, float), w, info)


def run_sbc_table(
    make_simulator: Callable[[int, int], Simulate],
    table: Any,
    *,
    datasets: int = 200,
    accept: float = 0.02,
    adjust: bool = True,
    n_draws: int = 99,
    bins: int = 10,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> SBCResult:
    """Simulation-based calibration of rejection ABC from ``table``
    (:func:`herz.calibration.rejection.abc_rejection`).

    The synthetic datasets are a second table made exactly as ``table`` was but from
    ``make_simulator(seed, SYNTHETIC_KEY)`` (θ_d from ``SeedSequence(seed, spawn_key=(0, d))``,
    streams keyed ``(SYNTHETIC_KEY, 0, d, …)``), so no synthetic dataset shares a stream with
    a table row, whatever the two seeds. Each dataset's posterior comes from ``table`` with the
    same ``accept`` a calibration uses; its draws from ``(seed, 3, d)``.
    """
    priors = {
        n: Prior(float(d["low"]), float(d["high"]), str(d.get("source", "ours")))
        for n, d in table.meta["priors"].items()
    }
    names = tuple(table.parameters)
    started = time.perf_counter()
    truth = simulate_table(
        make_simulator(seed, SYNTHETIC_KEY),
        priors,
        table.targets,
        datasets,
        seed=seed,
        workers=workers,
        progress=progress,
    )
    ranks = np.zeros((datasets, len(names)), dtype=np.int64)
    ratio = np.zeros((datasets, len(names)))
    for d in range(datasets):
        observed = dict(zip(table.targets, truth.stats[d], strict=True))
        post = abc_rejection(table, observed, priors, accept=accept, adjust=adjust)
        draws = post.sample(n_draws, seed=[seed, DRAWS_KEY, d])
        for j, n in enumerate(names):
            values = np.array([x[n] for x in draws])
            ranks[d, j] = int(np.sum(values < truth.theta[d, j]))
        ratio[d] = width_ratio(post, priors)
    return SBCResult(
        parameters=names,
        ranks=ranks,
        truths=truth.theta.copy(),
        width_ratio=ratio,
        n_draws=n_draws,
        bins=bins,
        elapsed_s=time.perf_counter() - started,
        settings={
            "method": "rejection ABC" + (" with regression adjustment" if adjust else ""),
            "datasets": datasets,
            "table_rows": len(table),
            "table_seed": table.meta.get("seed"),
            "accept": accept,
            "seed": seed,
            "workers": workers,
            "priors": {n: p.to_dict() for n, p in priors.items()},
        },
    )
