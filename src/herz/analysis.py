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
    so ``mean_first_war_step`` is the mean step of the first war among runs that had one. An
    outcome declared with ``given`` (:class:`herz.models.Measure`) is defined only in the runs
    where that ``bool`` outcome is true: ``first_war_size`` is 0 in a run without a war, and
    ``mean_first_war_size`` is its mean over the runs with a war ("given a war", as in the
    spiral's own summary), NaN at a point without one.
``mean_arms_growth``
    For a plain table (no model) with ``final_military`` but no ``arms_growth``, computed from
    ``final_military`` over the point's initial total military. With a model, only a model that
    declares ``arms_growth`` has it: a war model's final forces are no arms race.

``str`` outcomes are left out. Without a model (a plain table), the column dtypes stand in for
the declared ones.

Sobol' indices (:func:`sobol_indices`, :func:`sweep_sensitivity`; Sobol' 2001, Saltelli et al.
2010) of a summary measure over a sweep with ``design: {kind: saltelli}``: herz's own estimators,
the ones :func:`herz.sensitivity.sobol_indices` documents (one implementation, here, shared).

Time-step convergence (:func:`step_check`): an ensemble at the scenario's step and at halves
of it over the same years, every declared numeric outcome compared with the finest step
(``herz check-step``): "results do not depend on the time step; test it".

War durations (issue #11): :func:`war_durations` reads one row per war from a spiral events
table, wars still running at the horizon right-censored; :func:`cow_war_durations` gives the
same for the COW Inter-State War Data that herz ships; :func:`kaplan_meier`,
:func:`km_median` and :func:`km_survival_at` estimate their survival functions (docs/spiral.md,
"War durations against the record"; ``python docs/war_durations.py``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from herz.models import Measure
    from herz.scenario import Scenario
    from herz.store import SweepInfo

FloatArray = NDArray[np.float64]

__all__ = [
    "check_saltelli",
    "cow_war_durations",
    "declared_outcomes",
    "defined_values",
    "kaplan_meier",
    "km_median",
    "km_survival_at",
    "sobol_indices",
    "step_check",
    "summarize",
    "sweep_sensitivity",
    "sweep_summary",
    "war_durations",
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
    return {col: m.dtype for col, m in _declared_measures(columns, model).items()}


def _declared_measures(columns: Sequence[str], model: str | None) -> dict[str, Measure]:
    """Outcome column → the model's declared :class:`~herz.models.Measure` for it (templates
    such as ``final_military_{state}`` match every column of that shape)."""
    if model is None:
        return {}
    from herz.models import get_model

    out: dict[str, Measure] = {}
    for m in get_model(model).outcomes:
        pattern = re.compile(re.escape(m.name).replace(re.escape("{state}"), ".+") + "$")
        for col in columns:
            if col not in out and pattern.match(col):
                out[col] = m
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
    measures = _declared_measures(cols, model)
    kinds = {col: m.dtype for col, m in measures.items()}
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
            values = defined_values(data, col, measures.get(col))
            out[f"mean_{col}"] = _group_means(values, bounds)
    return out.reset_index()


def defined_values(runs: pd.DataFrame, column: str, measure: Measure | None) -> FloatArray:
    """A numeric outcome column as floats, NaN in the runs where it is undefined.

    Undefined: NaN or NA in the table (the step of a war that did not happen), and, for an
    outcome declared with ``given`` (:class:`herz.models.Measure`), every run where that
    ``bool`` outcome is false (the first war's size is 0 in a run without a war). Means over
    what this returns are the "given a war" means of the model's own summary.
    """
    import pandas as pd

    values = pd.to_numeric(runs[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    given = measure.given if measure is not None else None
    if given is not None and given in runs.columns:
        holds = runs[given].astype("boolean").fillna(False).to_numpy(dtype=bool)
        values = np.where(holds, values, np.nan)
    return values


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


# --- Sobol' indices ----------------------------------------------------------------------------
# The one implementation of the estimators: herz.sensitivity.sobol_indices (the documented
# entry point) and sobol_indices below (the older signature) both call _sobol_indices. It lives
# here, not in herz.sensitivity, because the layers contract puts herz.sensitivity above
# herz.analysis: this module may not import it.


def _check_count(name: str, value: Any, least: int = 1, most: int = 2**63 - 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        raise InputError(
            f"{name} must be an integer ≥ {least}, got {value!r}.", field=name, value=value
        )
    if value > most:
        raise InputError(f"{name} must be at most {most}, got {value!r}.", field=name, value=value)
    return int(value)


def _check_confidence(confidence: Any) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise InputError(
            f"confidence must be a number in (0, 1), got {confidence!r}.",
            field="confidence",
            value=confidence,
        )
    if not 0 < confidence < 1:
        raise InputError(
            f"confidence must be in (0, 1), got {confidence!r}.",
            field="confidence",
            value=confidence,
        )
    return float(confidence)


def _saltelli_estimates(y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """S1 (Saltelli 2010) and ST (Jansen 1999) from outputs shaped ``(..., N, k + 2)`` (the
    columns A, AB_1..AB_k, B); NaN where the outputs on A and B do not vary."""
    f_a = y[..., :, :1]
    f_b = y[..., :, -1:]
    f_ab = y[..., :, 1:-1]
    pooled = np.concatenate([f_a, f_b], axis=-2)
    mean = pooled.mean(axis=(-2, -1), keepdims=True)
    var = pooled.var(axis=(-2, -1))[..., np.newaxis]
    f_a, f_b, f_ab = f_a - mean, f_b - mean, f_ab - mean
    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = np.mean(f_b * (f_ab - f_a), axis=-2) / var
        st = 0.5 * np.mean((f_a - f_ab) ** 2, axis=-2) / var
    s1 = np.where(var > 0, s1, np.nan)
    st = np.where(var > 0, st, np.nan)
    return s1, st


def _saltelli_table(outputs: ArrayLike, k: int) -> FloatArray:
    """The outputs as an N × (k + 2) table (A, AB_1..AB_k, B per base row), checked."""
    y = np.asarray(outputs, dtype=float).ravel()
    if y.size == 0 or y.size % (k + 2):
        raise InputError(
            f"outputs: a Saltelli design over {k} parameters has N × {k + 2} points (a "
            f"multiple of {k + 2}); got {y.size} outputs.",
            field="outputs",
            value=y.size,
        )
    if not np.all(np.isfinite(y)):
        raise InputError(
            "outputs: contain NaN or infinite values; Sobol' indices need every point.",
            field="outputs",
        )
    table = y.reshape(-1, k + 2)
    if table.shape[0] < 2:
        raise InputError(
            "outputs: Sobol' indices need at least 2 base rows (N ≥ 2).",
            field="outputs",
            value=table.shape[0],
        )
    pooled = np.concatenate([table[:, 0], table[:, -1]])
    if np.ptp(pooled) == 0:
        raise InputError(
            f"outputs: the output does not vary (it is {pooled[0]:g} at every point), so its "
            "variance has nothing to apportion; widen the ranges or choose another outcome.",
            field="outputs",
            value=float(pooled[0]),
        )
    return table


def _sobol_indices(
    outputs: ArrayLike,
    names: Sequence[str],
    *,
    n_resamples: int,
    confidence: float,
    seed: int | None,
) -> pd.DataFrame:
    """The estimators and their bootstrap; documented at :func:`herz.sensitivity.sobol_indices`."""
    import pandas as pd
    from scipy.stats import norm

    names = list(names)
    if not names:
        raise InputError("names: give at least one parameter name.", field="names")
    n_resamples = _check_count("n_resamples", n_resamples)
    confidence = _check_confidence(confidence)
    table = _saltelli_table(outputs, len(names))
    s1, st = _saltelli_estimates(table)
    n = table.shape[0]
    rng = np.random.default_rng(seed)
    block = max(1, 4_000_000 // table.size)
    boots_s1: list[FloatArray] = []
    boots_st: list[FloatArray] = []
    for start in range(0, n_resamples, block):
        rows = rng.integers(0, n, size=(min(block, n_resamples - start), n))
        b1, bt = _saltelli_estimates(table[rows])
        boots_s1.append(b1)
        boots_st.append(bt)
    b_s1, b_st = np.concatenate(boots_s1), np.concatenate(boots_st)
    tail = 100 * (1 - confidence) / 2
    z = float(norm.ppf(0.5 + confidence / 2))
    out: dict[str, Any] = {"parameter": names}
    for label, point, boot in (("S1", s1, b_s1), ("ST", st, b_st)):
        out[label] = point
        out[f"{label}_conf"] = z * np.nanstd(boot, axis=0, ddof=1)
        out[f"{label}_low"] = np.nanpercentile(boot, tail, axis=0)
        out[f"{label}_high"] = np.nanpercentile(boot, 100 - tail, axis=0)
    return pd.DataFrame(out)


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

    The estimators of :func:`herz.sensitivity.sobol_indices` (the same code), under this
    module's older signature: ``num_resamples`` is its ``n_resamples``, with a default of 100.
    ``outputs`` holds one value per point in the order :func:`herz.experiment.design_points`
    lays out a ``saltelli`` design (N base rows × (D + 2) points: A, AB_1..AB_D, B). The
    estimators are Saltelli et al. (2010) for S1 and Jansen (1999) for ST; the ``*_conf``
    columns are bootstrap half-widths (z × the bootstrap standard error), ``*_low`` and
    ``*_high`` the bootstrap percentile interval.

    ``bounds``, the parameters' (low, high) ranges, does not enter the estimators (they read
    only the outputs, in design order); it is accepted for compatibility and, when given,
    must hold one range per name.

    Returns
    -------
    DataFrame
        One row per parameter: ``parameter``, ``S1``, ``S1_conf``, ``S1_low``, ``S1_high``,
        ``ST``, ``ST_conf``, ``ST_low``, ``ST_high``.

    Raises
    ------
    InputError
        If the number of outputs is not a multiple of D + 2, an output is NaN or infinite,
        there are fewer than 2 base rows, the outputs do not vary, ``bounds`` does not hold one
        range per name, or ``num_resamples`` or ``confidence`` is out of range.
    """
    names = list(names)
    if bounds is not None and len(bounds) != len(names):
        raise InputError(
            f"bounds: give one (low, high) range per parameter ({len(names)}); got {len(bounds)}.",
            field="bounds",
            value=len(bounds),
        )
    return _sobol_indices(
        outputs,
        names,
        n_resamples=_check_count("num_resamples", num_resamples),
        confidence=confidence,
        seed=seed,
    )


def check_saltelli(db: str | Path, info: SweepInfo) -> None:
    """Refuse, in one sentence naming the file and the sweep, a sweep whose design is not
    ``saltelli`` (Sobol' indices need its A, AB_i, B layout). ``info`` is the store's
    :class:`herz.store.SweepInfo` of the sweep."""
    if info.design != "saltelli":
        raise InputError(
            f"{db}: sweep {info.name!r} has a {info.design} design; Sobol' indices need "
            "design: {kind: saltelli, samples: N}.",
            field="design",
            value=info.design,
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
    stored, complete sweep with a ``saltelli`` design: :func:`sobol_indices` of the measure's
    value per point, in point order (``num_resamples`` bootstrap resamples seeded by ``seed``).
    For an outcome's mean with its Monte Carlo error, see :func:`herz.sensitivity.sweep_indices`."""
    from herz.store import open_results

    with open_results(db) as store:
        info = store.info(store.resolve(sweep))
    check_saltelli(db, info)
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


# --- war durations ---------------------------------------------------------------------------

_AFTER = r" after (\d+) steps?$"

COW_LAST_DAY = "2007-12-31"
"""The last day the COW Inter-State War Data v4.0 covers: a war coded ongoing (outcome 5) is
right-censored there."""


def war_durations(events: pd.DataFrame, *, dt: float, steps: int) -> pd.DataFrame:
    """One row per war of a spiral events table: its duration, right-censored at the horizon.

    A war is a ``war_start`` row and, if it ended within the run, the ``war_end`` row with the
    same ``run`` and ``war``; the ``war_end`` row's ``detail`` ends with "after K steps", K the
    steps from the war's first start to its end (joiners do not restart the clock). The duration
    in years is K × ``dt``. A war with no ``war_end`` row was still running after the last step:
    its duration is right-censored at (``steps`` − start step) × ``dt`` (it lasted longer).
    K = 0 means the war ended in the step it began, before any fighting step.

    Parameters
    ----------
    events:
        The events table of a spiral run (``result.events``): columns ``run``, ``t``, ``year``,
        ``kind``, ``states``, ``detail``, ``war`` and ``side``.
    dt:
        The scenario's time step in years (``result.scenario.time.step``).
    steps:
        The number of steps run (``result.summary["steps"]``), the censoring horizon.

    Returns
    -------
    DataFrame
        One row per war, sorted by ``run`` and ``war``: ``run``, ``war``, ``start_t``,
        ``start_year``, ``end_t`` (``<NA>`` if censored), ``duration_steps`` (K, or the steps
        to the horizon if censored), ``duration`` (years), ``ended`` (``False``: censored),
        ``outcome`` (the ``war_end`` detail without its duration: ``won by side 0``,
        ``settled``, ...; ``running`` if censored), ``sides`` (every state that fought on each
        side, from the ``war_start`` and ``join`` rows, as the outcomes' ``first_war_sides``:
        ``"AUH,GMY|FRN,RUS,SRB"``, side 0's ids sorted, then side 1's) and ``size`` (the
        number of states that fought).

    Raises
    ------
    InputError
        A missing column, a ``war_end`` without its ``war_start`` or without "after K steps",
        a war started or ended twice, K that disagrees with the two rows' steps, or a start
        after the horizon.
    """
    import pandas as pd

    needed = ("run", "t", "year", "kind", "states", "detail", "war", "side")
    missing = [c for c in needed if c not in events.columns]
    if missing:
        raise InputError(f"the events table has no column(s) {', '.join(missing)}.")
    if not dt > 0:
        raise InputError(f"dt must be positive, got {dt}.", field="dt", value=dt)
    kind = events["kind"].astype(str)
    cols = ["run", "war", "t"]
    starts = events.loc[kind == "war_start", [*cols, "year"]]
    ends = events.loc[kind == "war_end", [*cols, "detail"]]
    for name, rows in (("war_start", starts), ("war_end", ends)):
        if rows["war"].isna().any():
            raise InputError(f"a {name} row has no war number.")
        dup = rows.duplicated(["run", "war"])
        if dup.any():
            r = rows[dup].iloc[0]
            raise InputError(f"war {r['war']} of run {r['run']} has more than one {name} row.")
    starts = starts.rename(columns={"t": "start_t", "year": "start_year"})
    ends = ends.rename(columns={"t": "end_t"})
    k = ends["detail"].astype(str).str.extract(_AFTER, expand=False)
    if k.isna().any():
        bad = ends.loc[k.isna(), "detail"].iloc[0]
        raise InputError(f"a war_end detail does not end with 'after K steps': {bad!r}.", value=bad)
    ends = ends.assign(
        duration_steps=k.astype("int64"),
        outcome=ends["detail"].astype(str).str.replace(_AFTER, "", regex=True),
    ).drop(columns="detail")
    table = starts.merge(ends, on=["run", "war"], how="outer", indicator=True)
    orphan = table[table["_merge"] == "right_only"]
    if len(orphan):
        r = orphan.iloc[0]
        raise InputError(f"war {r['war']} of run {r['run']} ends but never starts.")
    ended = (table["_merge"] == "both").to_numpy(dtype=bool)
    start_t = table["start_t"].to_numpy(dtype=np.int64)
    late = start_t > steps
    if late.any():
        raise InputError(
            f"a war starts at step {int(start_t[late][0])}, after the horizon of {steps} steps.",
            field="steps",
            value=steps,
        )
    end_t = table["end_t"].to_numpy(dtype=float)
    k_steps = table["duration_steps"].to_numpy(dtype=float)
    wrong = ended & (k_steps != end_t - start_t)
    if wrong.any():
        i = int(np.flatnonzero(wrong)[0])
        raise InputError(
            f"war {table['war'].iloc[i]} of run {table['run'].iloc[i]} starts at step "
            f"{start_t[i]} and ends at step {int(end_t[i])}, but its detail says "
            f"after {int(k_steps[i])} steps."
        )
    k_all = np.where(ended, k_steps, steps - start_t).astype(np.int64)
    out = pd.DataFrame(
        {
            "run": table["run"].to_numpy(dtype=np.int64),
            "war": table["war"].to_numpy(dtype=np.int64),
            "start_t": start_t,
            "start_year": table["start_year"].to_numpy(dtype=float),
            "end_t": pd.array(np.where(ended, end_t, 0).astype(np.int64), dtype="Int64"),
            "duration_steps": k_all,
            "duration": k_all * float(dt),
            "ended": ended,
            "outcome": np.where(ended, table["outcome"].astype(object), "running").astype(str),
        }
    )
    members = _war_sides(events, kind)
    keys = zip(out["run"].tolist(), out["war"].tolist(), strict=True)
    found = [members.get(key, (set(), set())) for key in keys]
    out["sides"] = [",".join(sorted(a)) + "|" + ",".join(sorted(b)) for a, b in found]
    out["size"] = np.array([len(a | b) for a, b in found], dtype=np.int64)
    out.loc[~ended, "end_t"] = pd.NA
    return out.sort_values(["run", "war"], kind="stable").reset_index(drop=True)


def _war_sides(
    events: pd.DataFrame, kind: pd.Series[str]
) -> dict[tuple[int, int], tuple[set[str], set[str]]]:
    """``{(run, war): (side 0's states, side 1's)}`` from the ``war_start`` rows (states
    "initiator,target": side 0, side 1) and the ``join`` rows (states "joiner,other", ``side``
    the joiner's)."""
    import pandas as pd

    sides: dict[tuple[int, int], tuple[set[str], set[str]]] = {}
    rows = events.loc[kind.isin(["war_start", "join"]), ["run", "war", "kind", "states", "side"]]
    for run, war, what, states, side in rows.itertuples(index=False):
        if pd.isna(war):
            continue
        pair = sides.setdefault((int(run), int(war)), (set(), set()))
        ids = str(states).split(",")
        if str(what) == "war_start":
            pair[0].add(ids[0])
            pair[1].update(ids[1:2])
        elif not pd.isna(side):
            pair[int(side)].add(ids[0])
    return sides


def _survival_inputs(
    durations: ArrayLike, ended: ArrayLike
) -> tuple[FloatArray, NDArray[np.bool_]]:
    d = np.asarray(durations, dtype=float).ravel()
    e = np.asarray(ended).ravel()
    if d.shape != e.shape:
        raise InputError(f"{d.size} durations but {e.size} ended flags.")
    if not np.all(np.isfinite(d)) or (d < 0).any():
        raise InputError("durations must be finite and non-negative.")
    if e.dtype != np.bool_ and not np.isin(e, (0, 1)).all():
        raise InputError("ended must be booleans (True: ended, False: right-censored).")
    return d, e.astype(bool)


def kaplan_meier(durations: ArrayLike, ended: ArrayLike) -> pd.DataFrame:
    """The Kaplan–Meier (1958) estimate of the survival function of right-censored durations.

    S(t) = Π over event times tᵢ ≤ t of (1 − dᵢ/nᵢ), dᵢ the durations ending at tᵢ and nᵢ those
    at risk (lasting at least tᵢ; a duration censored at tᵢ is at risk at tᵢ: it lasted
    longer).

    Parameters
    ----------
    durations:
        Durations (any unit), finite and non-negative.
    ended:
        ``True`` where the duration ended (an event), ``False`` where it is right-censored.

    Returns
    -------
    DataFrame
        One row per distinct event time, ascending: ``time``, ``at_risk``, ``events``,
        ``survival`` (S just after ``time``). Empty when nothing ended. The same numbers as
        statsmodels' ``SurvfuncRight`` (``surv_times``, ``n_risk``, ``n_events``,
        ``surv_prob``).
    """
    import pandas as pd

    d, e = _survival_inputs(durations, ended)
    times, events = np.unique(d[e], return_counts=True)
    # at risk at t: every duration ≥ t, ended or censored
    at_risk = (d.size - np.searchsorted(np.sort(d), times, side="left")).astype(np.int64)
    survival = np.cumprod(1.0 - events / at_risk)
    return pd.DataFrame(
        {
            "time": times,
            "at_risk": at_risk,
            "events": events.astype(np.int64),
            "survival": survival,
        }
    )


def km_survival_at(table: pd.DataFrame, times: ArrayLike) -> FloatArray:
    """S(t) at each of ``times`` from a :func:`kaplan_meier` table (right-continuous: an
    event at t counts by t). 1 before the first event; after the last one, the last value
    (for t beyond the longest censored duration the estimate is undefined; the caller decides).
    """
    t = np.asarray(times, dtype=float)
    grid = table["time"].to_numpy(dtype=float)
    surv = np.concatenate([[1.0], table["survival"].to_numpy(dtype=float)])
    return np.asarray(surv[np.searchsorted(grid, t, side="right")], dtype=float)


def km_median(durations: ArrayLike, ended: ArrayLike) -> float:
    """The Kaplan–Meier median: the first event time at which S falls below one half.

    Where S equals one half exactly (within 1e-12) between two event times, the midpoint of the
    two, as R's ``survival`` package does: with nothing censored this is the ordinary sample
    median. Otherwise the same as statsmodels' ``SurvfuncRight.quantile(0.5)`` (SAS's strict
    rule). NaN when S never falls below one half (too much censoring).
    """
    table = kaplan_meier(durations, ended)
    times = table["time"].to_numpy(dtype=float)
    surv = table["survival"].to_numpy(dtype=float)
    half = np.abs(surv - 0.5) <= 1e-12
    below = np.flatnonzero((surv < 0.5) & ~half)
    if not below.size:
        return math.nan
    j = int(below[0])
    if j > 0 and half[j - 1]:
        return float((times[j - 1] + times[j]) / 2)
    return float(times[j])


def _merged_days(spells: list[tuple[Any, Any]]) -> tuple[int, int]:
    """Days covered by the union of inclusive [start, end] date spells, and its pieces (spells
    touching or one day apart are one piece)."""
    days, pieces = 0, 0
    cur_start, cur_end = None, None
    for start, end in sorted(spells):
        if cur_end is not None and (start - cur_end).days <= 1:
            cur_end = max(cur_end, end)
            continue
        if cur_end is not None:
            days += (cur_end - cur_start).days + 1
        cur_start, cur_end = start, end
        pieces += 1
    if cur_end is not None:
        days += (cur_end - cur_start).days + 1
    return days, pieces


def cow_war_durations(level: Literal["war", "participant"] = "war") -> pd.DataFrame:
    """Durations of the inter-state wars of the COW Inter-State War Data v4.0 (shipped).

    Dates are the participants' ``start*``/``end*`` day, month and year of their participation
    spells 1 and 2 (a participant leaves and re-enters a war in 19 rows of 7 wars). Every
    duration counts both end days: (end − start + 1 day) / 365.25 years.

    Parameters
    ----------
    level:
        ``"war"``: one row per war. ``duration`` runs from the first participant's start to the
        last participant's end (across spell 2), so a multi-phase war's pauses count;
        ``active_duration`` counts only the days on which some participant's spell was running
        (the union of all spells) and ``phases`` how many disjoint pieces that union has.
        ``"participant"``: one row per participation spell (``duration`` its own length).

    Returns
    -------
    DataFrame
        ``warnum``, ``warname``, ``start``, ``end`` (timestamps), ``duration`` (years),
        ``ended`` (``False`` only for a war coded ongoing at the end of 2007, outcome 5,
        censored at :data:`COW_LAST_DAY`; v4.0 has none), ``major`` (a COW major power, by
        the ``majors`` list, took part: at its entry into the war); per war also
        ``active_duration``, ``phases``, ``participants``, ``multi_phase`` (some participant
        has a second spell) and ``major_both_sides`` (major powers on both sides); per
        participant ``ccode``, ``stateabb``, ``side``, ``spell`` (1 or 2) and ``outcome``.
        ``attrs["sources"]`` holds the citations.
    """
    import pandas as pd

    from herz.history import datasets

    if level not in ("war", "participant"):
        raise InputError(
            f"level: expected war or participant, got {level!r}", field="level", value=level
        )
    wars = datasets.load("wars")
    majors = datasets.load("majors")
    rows = []
    for n in (1, 2):
        part = wars[wars[f"startyear{n}"].notna()]
        dates = {}
        for edge in ("start", "end"):
            ymd = part[[f"{edge}year{n}", f"{edge}month{n}", f"{edge}day{n}"]]
            if ymd.isna().any().any():
                raise InputError(f"COW war data: a participant's {edge} date {n} is incomplete.")
            dates[edge] = pd.to_datetime(
                pd.DataFrame(ymd.to_numpy(dtype=np.int64), columns=["year", "month", "day"])
            ).to_numpy()
        rows.append(
            pd.DataFrame(
                {
                    "warnum": part["warnum"].to_numpy(dtype=np.int64),
                    "warname": part["warname"].astype(str).to_numpy(),
                    "ccode": part["ccode"].to_numpy(dtype=np.int64),
                    "stateabb": part["stateabb"].astype(str).to_numpy(),
                    "side": part["side"].to_numpy(dtype=np.int64),
                    "spell": n,
                    "start": dates["start"],
                    "end": dates["end"],
                    "outcome": part["outcome"].to_numpy(dtype=float, na_value=np.nan),
                }
            )
        )
    spells = pd.concat(rows, ignore_index=True)
    ongoing = spells["outcome"] == 5
    spells.loc[ongoing, "end"] = pd.Timestamp(COW_LAST_DAY)
    spells["ended"] = ~ongoing
    spells["duration"] = ((spells["end"] - spells["start"]).dt.days + 1) / 365.25
    spell_cols = ["styear", "stmonth", "stday", "endyear", "endmonth", "endday"]
    major_spells = [
        (
            int(code),
            pd.Timestamp(year=int(d[0]), month=int(d[1]), day=int(d[2])),
            pd.Timestamp(year=int(d[3]), month=int(d[4]), day=int(d[5])),
        )
        for code, d in zip(
            majors["ccode"].to_numpy(dtype=np.int64),
            majors[spell_cols].to_numpy(dtype=np.int64),
            strict=True,
        )
    ]
    entry = spells.groupby(["warnum", "ccode"])["start"].transform("min")
    spells["major"] = [
        any(c == code and lo <= when <= hi for code, lo, hi in major_spells)
        for c, when in zip(spells["ccode"], entry, strict=True)
    ]
    sources = wars.attrs["sources"] + majors.attrs["sources"]
    if level == "participant":
        out = spells.sort_values(["warnum", "ccode", "spell"], kind="stable")
        out = out.reset_index(drop=True)
        out.attrs["sources"] = sources
        return out
    records = []
    for _, g in spells.groupby("warnum", sort=True):
        start, end = g["start"].min(), g["end"].max()
        active, phases = _merged_days(list(zip(g["start"], g["end"], strict=True)))
        major_sides = set(g.loc[g["major"], "side"].tolist())
        records.append(
            {
                "warnum": int(g["warnum"].to_numpy(dtype=np.int64)[0]),
                "warname": str(g["warname"].iloc[0]),
                "start": start,
                "end": end,
                "duration": ((end - start).days + 1) / 365.25,
                "active_duration": active / 365.25,
                "phases": phases,
                "participants": int(g["ccode"].nunique()),
                "multi_phase": bool((g["spell"] == 2).any()),
                "ended": bool(g["ended"].all()),
                "major": bool(g["major"].any()),
                "major_both_sides": len(major_sides) == 2,
            }
        )
    out = pd.DataFrame.from_records(records)
    out.attrs["sources"] = sources
    return out


#: Units that count the model's own clock (steps, or the turns of a game played one a step):
#: such an outcome changes meaning with dt, so :func:`step_check` leaves it out.
_CLOCK_UNITS = frozenset({"steps", "turns"})


def _mean_and_se(values: NDArray[Any]) -> tuple[float, float, int]:
    """Mean, standard error and count over the defined (not NaN) values."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = int(x.size)
    if n == 0:
        return math.nan, math.nan, 0
    se = float(x.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return float(x.mean()), se, n


def step_check(
    scenario: Scenario | str | Path,
    model: str = "spiral",
    *,
    runs: int = 2000,
    seed: int = 1,
    halvings: int = 1,
    steps: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    rel_tol: float = 0.01,
    progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Whether an ensemble's results depend on the time step: the same years at dt, dt/2, ….

    Runs ``model`` on ``scenario`` (its ``time.step`` dt and ``time.steps`` T, after
    ``overrides`` and ``steps``) at dt/2^h with T·2^h steps for h = 0 … ``halvings``, each an
    ensemble of ``runs`` runs with ``seed`` and ``keep="summary"``, and compares every numeric
    outcome the model declares (shares of runs for ``bool`` outcomes, means over the runs where
    defined otherwise; ``str`` outcomes and those counted in steps or turns are left out) with the
    finest step. Halving keeps every point of the coarse grid, so scheduled events stay on
    their dates. An outcome agrees when the difference is within max(3 standard errors of the
    difference, ``rel_tol`` × |the finest step's mean|): the acceptance rule of issue #11, with
    the ensembles' errors taken as independent. Results that depend on dt are a property of
    the numerics, not of the model (docs/spiral.md, "Time step", shows how an overall mean can
    agree while the beliefs about each type do not: the per-state outcomes are compared too).

    Returns a tidy frame, one row per (outcome, dt): ``outcome, unit, per_state`` (one of a
    ``{state}`` template), ``dt, steps, n, mean, se, diff, z, tol, agrees``: ``z`` the
    difference over its standard error (for a correction of one's choice over the many
    outcomes; empty where that error is 0); ``diff``, ``z``, ``tol`` and ``agrees`` are empty
    for the finest step (the reference), ``agrees`` also where a standard error is undefined.
    Raises :class:`~herz.errors.InputError` on a bad argument.
    """
    import pandas as pd

    from herz.models import get_model
    from herz.scenario import Scenario, load_scenario
    from herz.simulation import simulate

    runs = _check_count("runs", runs, least=2, most=10_000_000)
    halvings = _check_count("halvings", halvings, least=1, most=6)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed must be an integer ≥ 0, got {seed!r}.", field="seed", value=seed)
    if isinstance(rel_tol, bool) or not isinstance(rel_tol, (int, float)) or not rel_tol >= 0:
        raise InputError(
            f"rel_tol must be a number ≥ 0, got {rel_tol!r}.", field="rel_tol", value=rel_tol
        )
    from herz.simulation import scenario_for_run

    m = get_model(model)
    if steps is not None:
        steps = _check_count("steps", steps, least=1, most=100_000)
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    # --steps alone is the run's length (events after its end never come), as in simulate
    sc = scenario_for_run(base, dict(overrides or {}), steps)
    dt0 = float(sc.time.step)
    steps0 = int(sc.time.steps) if steps is None else steps
    if steps0 * 2**halvings > 100_000:
        raise InputError(
            f"halvings: {halvings} halvings of {steps0} steps make {steps0 * 2**halvings} steps "
            "at the finest, more than a run may have (100000); ask for fewer --steps or "
            "--halvings.",
            field="halvings",
            value=halvings,
        )
    grid = [(dt0 / 2**h, steps0 * 2**h) for h in range(halvings + 1)]
    tables: list[pd.DataFrame] = []
    for k, (dt, n_steps) in enumerate(grid):
        res = simulate(
            sc,
            model=m.name,
            runs=runs,
            seed=seed,
            keep="summary",
            steps=n_steps,
            overrides={"time.step": dt},
            **options,
        )
        if res.outcomes is None:  # every model returns outcomes; a plug-in might not
            raise InputError(
                f"model {m.name!r} returned no outcomes table to compare.", field="model"
            )
        tables.append(res.outcomes)
        if progress is not None:
            progress(k + 1, len(grid))
    columns: list[tuple[str, Measure]] = []  # (column, its measure), declared order
    seen: set[str] = set()
    for measure in m.outcomes:
        if measure.dtype == "str" or measure.unit in _CLOCK_UNITS:
            continue
        pattern = re.compile(re.escape(measure.name).replace(re.escape("{state}"), ".+") + "$")
        for col in tables[-1].columns:
            if col not in seen and pattern.match(col) and all(col in t for t in tables):
                seen.add(col)
                columns.append((col, measure))
    rows: list[dict[str, Any]] = []
    for col, measure in columns:
        unit, per_state = measure.unit, measure.per_state
        ref_mean, ref_se, _ = _mean_and_se(defined_values(tables[-1], col, measure))
        for (dt, n_steps), table in zip(grid, tables, strict=True):
            mean, se, n = _mean_and_se(defined_values(table, col, measure))
            row: dict[str, Any] = {
                "outcome": col,
                "unit": unit,
                "per_state": per_state,
                "dt": dt,
                "steps": n_steps,
                "n": n,
                "mean": mean,
                "se": se,
                "diff": math.nan,
                "z": math.nan,
                "tol": math.nan,
                "agrees": None,
            }
            if dt != grid[-1][0]:
                diff = mean - ref_mean
                se_diff = math.hypot(se, ref_se)
                tol = max(3.0 * se_diff, rel_tol * abs(ref_mean))
                row["diff"], row["tol"] = diff, tol
                if se_diff > 0:
                    row["z"] = diff / se_diff
                if not (math.isnan(diff) or math.isnan(tol)):
                    row["agrees"] = bool(abs(diff) <= tol)
            rows.append(row)
    out = pd.DataFrame(rows)
    out["agrees"] = out["agrees"].astype("boolean")
    return out
