"""A run against the record: the observed values of a scenario's ``military`` and the error.

A scenario whose ``observed:`` block says that its states' ``military`` is a dataset's variable
in the scenario's unit (europe-1909: NMC milex × 0.001, millions of current GBP) can be compared
with that record wherever the scenario's years and states (by ``ccode``) have data in the
scenario's currency. NMC's milex is in current GBP to 1913 and current USD from 1914 (Singer,
Bremer & Stuckey 1972; see :mod:`herz.history.datasets`); years in the other currency are not
compared, and herz does not convert them.

:func:`compare` returns the ``observed_error`` table (per state or bloc and for the total, per
year and summarised); :func:`attach` puts it into a result's summary and the observed values
into ``result.extra["observed"]``, where :func:`herz.plots.series.plot_series` draws them as
points. Each year is labelled ``in`` (in-sample: inside the years the running model's
coefficients were fitted to, ``richardson.fitted.years``) or ``out`` (out-of-sample).

Only models whose series ``military`` is the scenario's yearly spending are compared:
Richardson's x is the yearly military expenditure (Richardson 1960); the spiral model's and
Lanchester's ``military`` are stocks and forces, not spending.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from herz.errors import InputError

if TYPE_CHECKING:
    from herz.results import Result
    from herz.scenario import Scenario

__all__ = ["COMPARABLE_MODELS", "attach", "comparable", "compare", "observed_values"]

#: Models whose series ``military`` is the yearly spending the scenario's ``military`` starts.
COMPARABLE_MODELS = ("richardson",)


def comparable(result: Result) -> bool:
    """Whether ``result`` can be compared with its scenario's record: the scenario has an
    ``observed:`` block and the model's ``military`` is yearly spending."""
    return result.scenario.observed is not None and result.model in COMPARABLE_MODELS


def _years_of(scenario: Scenario, steps: int | None = None) -> list[int]:
    """The scenario's whole years (steps that fall on a year), start to end."""
    n = scenario.time.steps if steps is None else steps
    out = []
    for t in range(n + 1):
        year = scenario.time.start + scenario.time.step * t
        if abs(year - round(year)) < 1e-9:
            out.append(round(year))
    return out


def _span(years: list[int]) -> str:
    return f"{years[0]}" if len(years) == 1 else f"{years[0]}-{years[-1]}"


def observed_values(
    scenario: Scenario, *, steps: int | None = None
) -> tuple[dict[str, dict[int, float]], list[str], str]:
    """The record for each state of ``scenario`` in its years, in the scenario's unit.

    Returns
    -------
    values, not_compared, source
        ``values[state][year]``; a sentence for each year range or state that cannot be
        compared, and why; the dataset's citation.

    Raises
    ------
    InputError
        If the scenario has no ``observed:`` block.
    """
    from herz.history import datasets

    obs = scenario.observed
    if obs is None:
        raise InputError(
            f"{scenario.origin}: observed: the scenario does not say what its military is "
            "(no observed block), got none.",
            field="observed",
        )
    years = _years_of(scenario, steps)
    switch = datasets.CURRENCY_SWITCH_YEAR
    first, last = datasets.nmc_years(obs.version)
    in_currency = [
        y for y in years if (y < switch) == (obs.currency == "GBP") and first <= y <= last
    ]
    not_compared: list[str] = []
    other = [y for y in years if (y < switch) != (obs.currency == "GBP")]
    if other:
        unit = "current USD from 1914" if obs.currency == "GBP" else "current GBP to 1913"
        not_compared.append(
            f"{_span(other)}: NMC milex is in {unit}, the scenario's military in "
            f"{obs.currency}; not converted, not compared"
        )
    beyond = [y for y in years if y not in in_currency and y not in other]
    if beyond:
        not_compared.append(f"{_span(beyond)}: outside NMC v{obs.version}.0 ({first}-{last})")
    values: dict[str, dict[int, float]] = {}
    if not in_currency:
        return values, not_compared, datasets.citation("nmc", version=obs.version)
    frame = datasets.load("nmc", version=obs.version, years=(in_currency[0], in_currency[-1]))
    for state in scenario.states:
        if state.ccode is None:
            not_compared.append(f"{state.id}: no ccode, so no record")
            continue
        rows = frame[frame["ccode"] == state.ccode]
        got = {
            int(y): round(float(m) * obs.scale, 9)
            for y, m in zip(rows["year"], rows[obs.variable], strict=True)
            if int(y) in in_currency and not _missing(m)
        }
        missing = [y for y in in_currency if y not in got]
        if missing:
            not_compared.append(f"{state.id} {_span(missing)}: no NMC milex")
        values[state.id] = got
    return values, not_compared, datasets.citation("nmc", version=obs.version)


def _missing(value: Any) -> bool:
    try:
        return bool(value is None or math.isnan(float(value)))
    except (TypeError, ValueError):
        return True


def _fitted_years(result: Result) -> tuple[int, int] | None:
    params = result.scenario.richardson
    if result.model == "richardson" and params is not None and params.fitted is not None:
        return params.fitted.span
    return None


def _summarise(rows: dict[int, dict[str, Any]]) -> dict[str, Any]:
    def stats(sample: str | None) -> tuple[float | None, float | None]:
        errs = [
            abs(r["error_pct"])
            for r in rows.values()
            if (sample is None or r["sample"] == sample) and r["error_pct"] is not None
        ]
        if not errs:
            return None, None
        return float(np.mean(errs)), float(np.max(errs))

    mean_all, max_all = stats(None)
    mean_in, max_in = stats("in")
    mean_out, max_out = stats("out")
    return {
        "years": {str(y): r for y, r in rows.items()},
        "mean_abs_pct": mean_all,
        "max_abs_pct": max_all,
        "mean_abs_pct_in_sample": mean_in,
        "max_abs_pct_in_sample": max_in,
        "mean_abs_pct_out_of_sample": mean_out,
        "max_abs_pct_out_of_sample": max_out,
    }


def compare(result: Result) -> dict[str, Any]:
    """The ``observed_error`` table of a result with its series (``keep="series"``).

    The model's value is the ensemble mean of ``military`` per actor and year; for blocs
    (``blocs=True``) the record is the sum of the members'. ``error`` is model − observed,
    ``error_pct`` the error as a percentage of the observed value; each year's ``sample`` is
    ``in`` or ``out`` (see the module docstring). ``total`` sums the actors in the years where
    every actor has a record.

    Raises
    ------
    InputError
        If the scenario has no ``observed:`` block, the model is not comparable or the result
        kept no series.
    """
    if result.scenario.observed is None:
        raise InputError(
            f"{result.scenario.origin}: observed: the scenario has no observed block, so there "
            "is no record to compare with, got none.",
            field="observed",
        )
    if result.model not in COMPARABLE_MODELS:
        raise InputError(
            f"observed: model {result.model!r} does not produce yearly spending comparable "
            f"with the record (only {', '.join(COMPARABLE_MODELS)}), got {result.model!r}.",
            field="observed",
            value=result.model,
        )
    series = result.series
    kept = result.extra.get("means")
    if series is not None:
        means = series.groupby(["state", "year"], observed=True)["military"].mean()
    elif kept is not None and "military" in kept:
        # the model's ensemble means (Richardson keeps them in every mode, computed as the
        # groupby above would: the same numbers without holding the series)
        means = kept.set_index(["state", "year"])["military"]
    else:
        raise InputError(
            "observed: the comparison needs the result's series (keep='series') or its "
            "ensemble means (extra['means']), got neither.",
            field="keep",
        )
    steps = int(result.summary.get("steps", result.scenario.time.steps))
    record, not_compared, source = observed_values(result.scenario, steps=steps)
    members = result.summary.get("members") or {}
    actors = [str(a) for a in (result.summary.get("actors") or result.scenario.ids)]
    fitted = _fitted_years(result)
    years = sorted({y for per in record.values() for y in per})

    def sample(year: int) -> str:
        return "in" if fitted is not None and fitted[0] <= year <= fitted[1] else "out"

    def row(model: float, obs: float, year: int) -> dict[str, Any]:
        err = model - obs
        return {
            "observed": obs,
            "model": model,
            "error": err,
            "error_pct": 100.0 * err / obs if obs else None,
            "sample": sample(year),
        }

    table: dict[str, dict[int, dict[str, Any]]] = {}
    points: dict[str, dict[str, list[float]]] = {}
    for actor in actors:
        states = members.get(actor) or [actor]
        rows: dict[int, dict[str, Any]] = {}
        for year in years:
            if not all(year in record.get(s, {}) for s in states):
                continue
            key = (actor, float(year))
            if key not in means.index:
                continue
            rows[year] = row(float(means.loc[key]), sum(record[s][year] for s in states), year)
        table[actor] = rows
        points[actor] = {
            "years": [float(y) for y in rows],
            "values": [r["observed"] for r in rows.values()],
        }
    total: dict[int, dict[str, Any]] = {}
    for year in years:
        if all(year in table[a] for a in actors):
            total[year] = row(
                sum(table[a][year]["model"] for a in actors),
                sum(table[a][year]["observed"] for a in actors),
                year,
            )
    obs = result.scenario.observed
    return {
        "dataset": f"NMC v{obs.version}.0 {obs.variable} × {obs.scale:g}",
        "unit": result.scenario.units.military,
        "fitted_years": list(fitted) if fitted is not None else None,
        "years": years,
        "not_compared": not_compared,
        "series": {
            **{a: _summarise(rows) for a, rows in table.items()},
            "total": _summarise(total),
        },
        "source": source,
        "_points": points,
    }


def attach(result: Result) -> Result:
    """Compare ``result`` with its record (:func:`compare`) and keep the comparison in it:
    ``result.summary["observed_error"]`` and the observed values, as arrays for the plot,
    in ``result.extra["observed"]``. Returns the same result."""
    table = compare(result)
    points = table.pop("_points")
    result.summary["observed_error"] = table
    result.extra["observed"] = {"label": f"observed ({table['dataset']})", "series": points}
    return result
