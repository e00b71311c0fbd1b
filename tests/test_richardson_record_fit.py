"""The pooled N-state Richardson fit and the forecast check (issue 12, item 3).

Real NMC data, no mocks: the estimator recovers known coefficients from data made by the
annual equation, agrees with a statsmodels formula fit with state dummies, sums to
Richardson's combined form for equal blocs, and on the six powers of 1909-1913 forecasts
1913 better than a random walk and a log-linear trend.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from herz.errors import InputError
from herz.history import estimate

SIX = "UKG+FRN+RUS,GMY+AUH+ITA"
#: NMC v7.0 milex of the six powers, thousands of current GBP (identical in v6.0).
TOTALS = {1909: 268_330, 1910: 278_695, 1911: 298_299, 1912: 332_987, 1913: 386_141}


def _synthetic(
    k: float, a: float, g: np.ndarray, bloc: list[int], x0: np.ndarray, years: int
) -> np.ndarray:
    rival = np.array(bloc)[:, None] != np.array(bloc)[None, :]
    P = np.eye(len(bloc)) + np.where(rival, k, 0.0) - a * np.eye(len(bloc))
    out = [x0]
    for _ in range(years - 1):
        out.append(P @ out[-1] + g)
    return np.array(out)


BLOC = [0, 0, 0, 1, 1, 1]
G = np.array([3.0, -2.0, 5.0, 1.0, 4.0, -1.0])
X0 = np.array([56.0, 47.0, 60.0, 58.0, 26.0, 20.0])


def test_pooled_fit_recovers_exact_coefficients_without_noise() -> None:
    levels = _synthetic(0.05, 0.3, G, BLOC, X0, 8)
    fit = estimate.fit_pooled_arrays(levels, BLOC)
    assert fit.k.value == pytest.approx(0.05, rel=1e-9)
    assert fit.a.value == pytest.approx(0.3, rel=1e-9)
    np.testing.assert_allclose(fit.grievances, G, rtol=1e-7, atol=1e-8)
    assert fit.r2 == pytest.approx(1.0)
    # simulate() is the equation that made the data
    np.testing.assert_allclose(fit.simulate(levels[0], 7), levels, rtol=1e-9)


def test_pooled_fit_recovers_coefficients_within_standard_errors_with_noise() -> None:
    rng = np.random.default_rng(12)
    clean = _synthetic(0.05, 0.3, G, BLOC, X0, 30)
    rival = np.array(BLOC)[:, None] != np.array(BLOC)[None, :]
    P = np.eye(6) + np.where(rival, 0.05, 0.0) - 0.3 * np.eye(6)
    levels = [clean[0]]
    for _ in range(29):
        levels.append(P @ levels[-1] + G + rng.normal(0, 0.5, 6))
    X = np.array(levels)
    fit = estimate.fit_pooled_arrays(X, BLOC, names=list("ABCDEF"))
    assert abs(fit.k.value - 0.05) < 3 * fit.k.se
    assert abs(fit.a.value - 0.3) < 3 * fit.a.se
    for i, m in enumerate("ABCDEF"):
        assert abs(fit.g[m].value - G[i]) < 3 * fit.g[m].se
    # Cross-check against a statsmodels formula fit with state dummies.
    import statsmodels.formula.api as smf

    rows = []
    for t in range(len(X) - 1):
        for i, m in enumerate("ABCDEF"):
            rows.append(
                {
                    "dx": X[t + 1, i] - X[t, i],
                    "R": X[t, [j for j in range(6) if BLOC[j] != BLOC[i]]].sum(),
                    "x": X[t, i],
                    "state": m,
                }
            )
    res = smf.ols("dx ~ R + x + C(state) - 1", data=pd.DataFrame(rows)).fit()
    assert fit.k.value == pytest.approx(res.params["R"], rel=1e-9)
    assert fit.a.value == pytest.approx(-res.params["x"], rel=1e-9)
    assert fit.k.se == pytest.approx(res.bse["R"], rel=1e-9)
    assert fit.a.se == pytest.approx(res.bse["x"], rel=1e-9)
    for m in "ABCDEF":
        assert fit.g[m].value == pytest.approx(res.params[f"C(state)[{m}]"], rel=1e-9)
    assert fit.r2 == pytest.approx(res.rsquared, rel=1e-9)
    assert fit.n == 29 * 6


def test_equal_blocs_sum_to_the_combined_form() -> None:
    levels = _synthetic(0.05, 0.3, G, BLOC, X0, 8)
    pooled = estimate.fit_pooled_arrays(levels, BLOC)
    combined = estimate.fit_combined_arrays(levels.sum(axis=1))
    alpha, c = pooled.combined()
    assert alpha == pytest.approx(3 * 0.05 - 0.3, rel=1e-9)
    assert combined.slope.value == pytest.approx(alpha, rel=1e-7)
    assert combined.intercept.value == pytest.approx(c, rel=1e-7)
    # Two single-state blocs: Richardson's k - a.
    two = _synthetic(0.2, 0.5, np.array([1.0, 2.0]), [0, 1], np.array([5.0, 9.0]), 6)
    assert estimate.fit_pooled_arrays(two, [0, 1]).combined()[0] == pytest.approx(0.2 - 0.5)
    unequal = estimate.fit_pooled_arrays(levels, [0, 0, 1, 1, 1, 1])
    with pytest.raises(InputError, match="differ in size"):
        unequal.combined()


def test_six_powers_1909_1913_in_sample() -> None:
    fit = estimate.fit_pooled(SIX, "1909:1913")
    assert fit.members == ("UKG", "FRN", "RUS", "GMY", "AUH", "ITA")
    assert fit.n == 24 and fit.df_resid == 16
    assert fit.k.value == pytest.approx(0.454, abs=5e-4)
    assert fit.a.value == pytest.approx(0.737, abs=5e-4)
    assert fit.regime == "runaway" and not fit.stable and not fit.stable_discrete
    # the bloc-difference eigenvalue of the annual map is negative: no continuous equivalent
    assert min(z.real for z in fit.eigenvalues_map) == pytest.approx(-1.099, abs=1e-3)
    path = fit.simulate(fit.first, 4).sum(axis=1)
    observed = np.array(list(TOTALS.values()), dtype=float)
    assert np.all(np.abs(path / observed - 1) < 0.02)
    doc = json.loads(fit.to_json())
    assert doc["form"] == "pooled" and doc["blocs"]["GMY+AUH+ITA"] == ["GMY", "AUH", "ITA"]


def test_1913_forecast_beats_both_baselines() -> None:
    check = estimate.forecast_check(SIX, "1909:1912", 1913, form="pooled")
    model = check.get(1913, "total", "richardson")
    walk = check.get(1913, "total", "random walk")
    trend = check.get(1913, "total", "log-linear trend")
    assert model.observed == TOTALS[1913] == walk.observed
    assert walk.forecast == TOTALS[1912]
    years = np.arange(1909, 1913)
    slope, icpt = np.polyfit(years, np.log([TOTALS[y] for y in years]), 1)
    assert trend.forecast == pytest.approx(np.exp(icpt + slope * 1913))
    assert abs(model.error_pct) < abs(trend.error_pct) < abs(walk.error_pct)
    assert model.error_pct == pytest.approx(1.54, abs=0.01)
    assert {"UKG", "ITA", "total"} <= set(check.series)


@pytest.mark.parametrize("form", ["per-actor", "combined", "pooled"])
def test_every_form_has_a_forecast_table(form: str) -> None:
    actors = "FRN+RUS,GMY+AUH" if form != "pooled" else SIX
    years = "1905:1912" if form == "per-actor" else "1909:1912"
    check = estimate.forecast_check(actors, years, 1913, form=form)  # type: ignore[arg-type]
    methods = {r.method for r in check.rows if r.series == "total"}
    assert methods == {"richardson", "random walk", "log-linear trend"}
    if form == "per-actor":
        assert set(check.series) == {"FRN+RUS", "GMY+AUH", "total"}


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        (lambda: estimate.fit_pooled(SIX, "1909:1913", regressor="mean"), "regressor"),
        (lambda: estimate.fit_pooled("UKG", "1909:1913"), "at least two blocs"),
        (lambda: estimate.forecast_check(SIX, "1909:1912", 1912), "not after"),
        (lambda: estimate.forecast_check(SIX, "1909:1912", 1914), "crosses 1913/1914"),
        (lambda: estimate.forecast_check(SIX, "1909:1912", 2100), "ends in"),
        (lambda: estimate.fit_pooled(SIX, "1909:1909"), "yearly changes"),
    ],
)
def test_bad_input_is_one_sentence(call: object, needle: str) -> None:
    with pytest.raises(InputError, match=needle) as exc:
        call()  # type: ignore[operator]
    assert "\n" not in str(exc.value)
