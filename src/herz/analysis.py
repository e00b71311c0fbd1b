"""Summary measures of ensembles and sweeps, and Sobol' sensitivity indices.

Per parameter point (:func:`summarize`), from the outcome columns the model declares
(:attr:`herz.models.Model.outcomes`; the names mean the same in every model, see the glossary
in docs/models.md):

``p_<name>`` with ``p_<name>_low``/``p_<name>_high``, for each ``bool`` outcome
    The share of runs where it is true and its Wilson (1927) score interval
    (:func:`wilson_interval`), which, unlike the normal approximation, stays inside [0, 1] and
    keeps its coverage near 0 or 1, the interesting corners of a phase diagram. ``war`` gives
    ``p_war``.
``mean_<name>``, for each ``int`` or ``float`` outcome
    The mean over the runs where it is defined: ``first_war_step`` is NA in runs without a war,
    so ``mean_first_war_step`` is the mean step of the first war among runs that had one.
``mean_arms_growth``
    For a plain table (no model) with ``final_military`` but no ``arms_growth``, computed from
    ``final_military`` over the point's initial total military. With a model, only a model that
    declares ``arms_growth`` has it: a war model's final forces are no arms race.

``str`` outcomes are left out. Without a model (a plain table), the column dtypes stand in for
the declared ones.

Sobol' indices (:func:`sobol_indices`; Sobol' 2001, Saltelli et al. 2010) use SALib, an optional
dependency (``pip install 'herz[sensitivity]'``), on a sweep with ``design: {kind: saltelli}``.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

FloatArray = NDArray[np.float64]

__all__ = [
    "declared_outcomes",
    "sobol_indices",
    "summarize",
    "sweep_sensitivity",
    "sweep_summary",
    "wilson_interval",
]


def wilson_interval(
    successes: ArrayLike, trials: ArrayLike, confidence: float = 0.95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Wilson's (1927) score interval for a binomial proportion.

    With p̂ = k/n and z the two-sided normal quantile,
    centre = (p̂ + z²/2n) / (1 + z²/n) and half-width = z √(p̂(1 − p̂)/n + z²/4n²) / (1 + z²/n).
    Vectorized; NaN where n = 0.

    Parameters
    ----------
    successes, trials:
        Counts k and n (arrays broadcast together).
    confidence:
        Coverage, in (0, 1).
    """
    from scipy.stats import norm

    if not 0 < confidence < 1:
        raise InputError(f"confidence must lie in (0, 1), got {confidence}.", value=confidence)
    k = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    z = float(norm.ppf(0.5 + confidence / 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
        # At k = 0 and k = n the bounds are exactly 0 and 1; rounding would miss them.
        low = np.where(k <= 0, 0.0, np.clip(centre - half, 0.0, 1.0))
        high = np.where(k >= n, 1.0, np.clip(centre + half, 0.0, 1.0))
        low = np.where(n > 0, low, np.nan)
        high = np.where(n > 0, high, np.nan)
    return np.asarray(low, dtype=float), np.asarray(high, dtype=float)


def declared_outcomes(columns: Sequence[str], model: str | None = None) -> dict[str, str]:
    """Outcome column → declared dtype (``bool``, ``int``, ``float``, ``str``).

    With ``model``, the model's declared outcomes (templates such as ``final_military_{state}``
    match every column of that shape); columns it does not declare are left out. Without one,
    each column's dtype is read from the data by the caller (an empty result here).
    """
    if model is None:
        return {}
    from herz.models import get_model

    out: dict[str, str] = {}
    for m in get_model(model).outcomes:
        pattern = re.compile(re.escape(m.name).replace(re.escape("{state}"), ".+") + "$")
        for col in columns:
            if col not in out and pattern.match(col):
                out[col] = m.dtype
    return out


def summarize(
    runs: pd.DataFrame,
    parameters: Sequence[str] = (),
    *,
    by: str = "point",
    model: str | None = None,
    initial_military: pd.Series | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """One row per point: the parameters, ``n_runs`` and the summary measures.

    Parameters
    ----------
    runs:
        One row per run (as :meth:`herz.store.Store.runs` returns): a ``by`` column, the
        parameter columns and the outcome columns.
    parameters:
        Parameter columns to carry over (constant within a point).
    by:
        The column that identifies a point.
    model:
        The registered model that made the runs: its declared outcomes say which columns are
        summarized and how. ``None``: every ``bool`` and numeric column, by its dtype.
    initial_military:
        Initial total military per point (indexed by point), used for ``mean_arms_growth``
        when a plain table (no ``model``) has ``final_military`` but no ``arms_growth``.
    confidence:
        Coverage of the Wilson interval.
    """
    import pandas as pd

    if by not in runs.columns:
        raise InputError(f"the runs table has no {by!r} column.", field=by)
    params = [p for p in parameters if p in runs.columns]
    data = runs.copy()
    skip = {by, "run", "sweep_id", "point", *params}
    cols = [c for c in data.columns if c not in skip]
    kinds = declared_outcomes(cols, model)
    if model is None:
        for col in cols:
            s = data[col]
            if pd.api.types.is_bool_dtype(s):
                kinds[col] = "bool"
            elif pd.api.types.is_numeric_dtype(s):
                kinds[col] = "float"
    if (
        model is None
        and "arms_growth" not in data.columns
        and "final_military" in kinds
        and initial_military is not None
    ):
        initial = data[by].map(initial_military).to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            data["arms_growth"] = data["final_military"].to_numpy(dtype=float) / initial
        kinds["arms_growth"] = "float"
    # Each point's runs in run order; means are exactly rounded sums (math.fsum) over them, so
    # a point's summary depends only on its runs' values, never on how they were stored,
    # chunked or ordered (issue #14).
    data = data[data[by].notna()]  # as groupby leaves them out
    data = data.sort_values([by, "run"] if "run" in data.columns else [by], kind="stable")
    data = data.reset_index(drop=True)
    grouped = data.groupby(by, sort=True)
    out = grouped[params].first() if params else pd.DataFrame(index=grouped.size().index)
    out["n_runs"] = grouped.size()
    keys = data[by].to_numpy()
    starts = [int(i) for i in np.flatnonzero(keys[1:] != keys[:-1]) + 1]
    bounds = list(zip([0, *starts], [*starts, len(keys)], strict=True)) if len(keys) else []
    for col, kind in kinds.items():
        if kind == "bool":
            flags = data[col].astype(float)
            k = flags.groupby(data[by]).sum()
            n = flags.groupby(data[by]).count()
            out[f"p_{col}"] = k / n
            low, high = wilson_interval(k.to_numpy(), n.to_numpy(), confidence)
            out[f"p_{col}_low"] = low
            out[f"p_{col}_high"] = high
        elif kind in ("int", "float"):
            values = pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float)
            out[f"mean_{col}"] = _group_means(values, bounds)
    return out.reset_index()


def _group_means(values: NDArray[np.float64], bounds: list[tuple[int, int]]) -> FloatArray:
    """The mean of each ``values[start:stop]``, NaN left out: ``math.fsum`` over the count.

    ``math.fsum`` rounds the exact sum once, so the mean does not depend on the order of the
    values or on any blocking of the sum (NaN where a group has no value).
    """
    out = np.full(len(bounds), np.nan)
    for g, (start, stop) in enumerate(bounds):
        seg = values[start:stop]
        seg = seg[~np.isnan(seg)]
        if seg.size:
            out[g] = math.fsum(seg.tolist()) / seg.size
    return out


def sweep_summary(
    db: str | Path, sweep: str | None = None, *, confidence: float = 0.95
) -> pd.DataFrame:
    """:func:`summarize` for a stored sweep: one row per point with its parameters."""
    from herz.store import open_results

    with open_results(db) as store:
        sweep_id = store.resolve(sweep)
        info = store.info(sweep_id)
        runs = store.runs(sweep_id)
        points = store.points(sweep_id)
    initial = points.set_index("point")["initial_military"]
    return summarize(
        runs,
        info.parameters,
        model=info.model,
        initial_military=initial,
        confidence=confidence,
    )


def sobol_indices(
    outputs: ArrayLike,
    names: Sequence[str],
    *,
    bounds: Sequence[tuple[float, float]] | None = None,
    num_resamples: int = 100,
    confidence: float = 0.95,
    seed: int | None = 0,
) -> pd.DataFrame:
    """First-order and total Sobol' indices from outputs on a Saltelli design.

    ``outputs`` holds one value per point in the order :func:`herz.experiment.design_points`
    lays out a ``saltelli`` design (N base rows × (D + 2) points: A, AB_1..AB_D, B). The
    estimators are Saltelli et al. (2010) for S1 and Jansen (1999) for ST, as implemented by
    SALib's ``sobol.analyze``; the ``*_conf`` columns are bootstrap half-widths.

    Returns
    -------
    DataFrame
        One row per parameter: ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf``.

    Raises
    ------
    InputError
        If SALib is missing, or the number of outputs is not a multiple of D + 2.
    """
    import pandas as pd

    try:
        sobol: Any = importlib.import_module("SALib.analyze.sobol")
    except ImportError:
        raise InputError(
            "Sobol' indices need SALib: pip install 'herz[sensitivity]' (or SALib)."
        ) from None
    y = np.asarray(outputs, dtype=float).ravel()
    d = len(names)
    if d < 1 or y.size == 0 or y.size % (d + 2):
        raise InputError(
            f"a Saltelli design over {d} parameters has a multiple of {d + 2} points; "
            f"got {y.size} outputs.",
            value=y.size,
        )
    if not np.all(np.isfinite(y)):
        raise InputError("the outputs contain NaN or infinite values; Sobol' indices need all.")
    problem: dict[str, Any] = {
        "num_vars": d,
        "names": list(names),
        "bounds": [list(b) for b in bounds] if bounds is not None else [[0.0, 1.0]] * d,
    }
    res = sobol.analyze(
        problem,
        y,
        calc_second_order=False,
        num_resamples=num_resamples,
        conf_level=confidence,
        print_to_console=False,
        seed=seed,
    )
    return pd.DataFrame(
        {
            "parameter": list(names),
            "S1": np.asarray(res["S1"], dtype=float),
            "S1_conf": np.asarray(res["S1_conf"], dtype=float),
            "ST": np.asarray(res["ST"], dtype=float),
            "ST_conf": np.asarray(res["ST_conf"], dtype=float),
        }
    )


def sweep_sensitivity(
    db: str | Path,
    output: str = "p_war",
    sweep: str | None = None,
    *,
    num_resamples: int = 100,
    seed: int | None = 0,
) -> pd.DataFrame:
    """Sobol' indices of a summary measure (``p_war``, ``mean_arms_growth``, ...) over a
    stored sweep with a ``saltelli`` design."""
    from herz.store import open_results

    with open_results(db) as store:
        sweep_id = store.resolve(sweep)
        info = store.info(sweep_id)
    if info.design != "saltelli":
        raise InputError(
            f"{db}: sweep {info.name!r} has a {info.design} design; Sobol' indices need "
            f"design: {{kind: saltelli, samples: N}}.",
            field="design",
            value=info.design,
        )
    summary = sweep_summary(db, info.name)
    if output not in summary.columns:
        choices = ", ".join(c for c in summary.columns if c not in ("point", *info.parameters))
        raise InputError(
            f"no summary measure {output!r} in sweep {info.name!r} (choose: {choices}).",
            field="--output",
            value=output,
        )
    if len(summary) != info.n_points:
        raise InputError(
            f"{db}: sweep {info.name!r} is incomplete ({len(summary)} of {info.n_points} "
            f"points stored); finish it with --resume first.",
            value=len(summary),
        )
    params = info.spec["parameters"]
    bounds = [(float(params[p]["low"]), float(params[p]["high"])) for p in info.parameters]
    return sobol_indices(
        summary.sort_values("point")[output].to_numpy(dtype=float),
        info.parameters,
        bounds=bounds,
        num_resamples=num_resamples,
        seed=seed,
    )
