"""Richardson estimation against independent computations: numpy.linalg.lstsq, statsmodels,
the raw NMC file and the curated bloc file."""

from __future__ import annotations

import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.stattools import durbin_watson

from herz import datasets, estimate
from herz.errors import InputError

DATA = Path(str(resources.files("herz.history") / "data"))
FloatArray = npt.NDArray[np.float64]


def raw_milex(abbs: list[str], start: int, end: int, file: str) -> FloatArray:
    """Sum of the members' milex, straight from the shipped CSV."""
    path = DATA / file
    src = pd.read_csv(path if path.exists() else DATA / f"{file}.gz")
    src = src[src.stateabb.isin(abbs) & src.year.between(start, end)]
    return np.array(src.groupby("year")["milex"].sum(), dtype=float)


NMC7 = "NMC-70-abridged_via_peacesciencer.csv"


def lstsq_fit(own: FloatArray, rival: FloatArray, mean: bool) -> FloatArray:
    """(g, k, a) by numpy least squares for Δx = g + k·y − a·x."""
    if mean:
        xr, yr = (own[:-1] + own[1:]) / 2, (rival[:-1] + rival[1:]) / 2
    else:
        xr, yr = own[:-1], rival[:-1]
    X = np.column_stack([np.ones(len(xr)), yr, xr])
    beta = np.linalg.lstsq(X, np.diff(own), rcond=None)[0]
    return np.array([beta[0], beta[1], -beta[2]])


def assert_close(a: float, b: float) -> None:
    assert a == pytest.approx(b, rel=1e-10, abs=1e-10 * max(1.0, abs(b)))


@pytest.mark.parametrize("regressor", ["level", "mean"])
def test_cold_war_fit_equals_lstsq_and_statsmodels(regressor: estimate.Regressor) -> None:
    fit = estimate.fit_richardson("USA,RUS", "1948:1990", regressor=regressor)
    usa = raw_milex(["USA"], 1948, 1990, NMC7)
    rus = raw_milex(["RUS"], 1948, 1990, NMC7)
    assert len(usa) == len(rus) == 43
    for actor, own, rival in ((fit.x, usa, rus), (fit.y, rus, usa)):
        g, k, a = lstsq_fit(own, rival, regressor == "mean")
        assert_close(actor.g.value, g)
        assert_close(actor.k.value, k)
        assert_close(actor.a.value, a)
        assert actor.n == 42
        # standard errors, R², DW: statsmodels directly
        reg = (own[:-1] + own[1:]) / 2 if regressor == "mean" else own[:-1]
        rreg = (rival[:-1] + rival[1:]) / 2 if regressor == "mean" else rival[:-1]
        res = sm.OLS(np.diff(own), sm.add_constant(np.column_stack([rreg, reg]))).fit()
        assert actor.g.se == res.bse[0]
        assert actor.k.se == res.bse[1]
        assert actor.a.se == res.bse[2]
        assert actor.k.p == res.pvalues[1]
        assert actor.r2 == pytest.approx(res.rsquared, rel=1e-12)
        assert actor.durbin_watson == pytest.approx(durbin_watson(res.resid), rel=1e-12)
        # the textbook formula for the standard errors, independent of statsmodels
        X = np.column_stack([np.ones(len(reg)), rreg, reg])
        e = np.diff(own) - X @ np.array([g, k, -a])
        s2 = e @ e / (len(e) - 3)
        se = np.sqrt(np.diag(s2 * np.linalg.inv(X.T @ X)))
        np.testing.assert_allclose([actor.g.se, actor.k.se, actor.a.se], se, rtol=1e-8)
        dw = float(np.sum(np.diff(e) ** 2) / np.sum(e**2))
        assert actor.durbin_watson == pytest.approx(dw, rel=1e-8)
    assert fit.sources[0] == datasets.citation("nmc", version=7)
    assert "Richardson (1960)" in fit.sources[1]
    assert fit.unit == "thousand current USD"


def test_bloc_fit_sums_members_like_the_curated_file() -> None:
    fit = estimate.fit_richardson("FRN+RUS,GMY+AUH", (1907, 1913), version=6)
    blocs = pd.read_csv(DATA / "prewwi_blocs_nmc6_milex_gbp_thousands_1907_1913.csv")
    u = blocs["U_FRN_RUS"].to_numpy(float)
    v = blocs["V_GMY_AUH"].to_numpy(float)
    g, k, a = lstsq_fit(u, v, mean=False)
    assert_close(fit.x.k.value, k)
    assert_close(fit.x.a.value, a)
    assert_close(fit.x.g.value, g)
    assert (fit.x.actor, fit.y.actor) == ("FRN+RUS", "GMY+AUH")
    assert fit.unit == "thousand current GBP"


@pytest.mark.parametrize("regressor", ["level", "mean"])
def test_combined_form_equals_lstsq(regressor: estimate.Regressor) -> None:
    fit = estimate.fit_combined("FRN+RUS,GMY+AUH", "1909:1913", regressor=regressor, version=6)
    blocs = pd.read_csv(DATA / "prewwi_blocs_nmc6_milex_gbp_thousands_1907_1913.csv")
    s = blocs.loc[blocs.year >= 1909, "U_plus_V"].to_numpy(float)
    d = blocs.loc[blocs.year >= 1910, "delta_U_plus_V"].to_numpy(float)
    np.testing.assert_array_equal(np.diff(s), d)
    reg = (s[:-1] + s[1:]) / 2 if regressor == "mean" else s[:-1]
    X = np.column_stack([np.ones(4), reg])
    c, alpha = np.linalg.lstsq(X, d, rcond=None)[0]
    assert_close(fit.slope.value, alpha)
    assert_close(fit.intercept.value, c)
    assert_close(fit.zero_growth_level, -c / alpha)
    assert fit.n == 4
    res = sm.OLS(d, X).fit()
    assert fit.slope.se == res.bse[1]
    assert fit.r2 == pytest.approx(res.rsquared, rel=1e-12)
    # delta-method standard error of s0 = -c/alpha
    cov = res.cov_params()
    grad = np.array([-1 / alpha, c / alpha**2])
    assert fit.zero_growth_level_se == pytest.approx(float(np.sqrt(grad @ cov @ grad)), rel=1e-9)


def test_combined_json_shape() -> None:
    out = estimate.fit_combined("FRN+RUS,GMY+AUH", "1909:1913").to_dict()
    for key in ("slope", "zero_growth_level", "r2", "n", "sources"):
        assert key in out
    assert out["n"] == 4


# --- synthetic data with known coefficients ----------------------------------------------------


def simulate(
    k: float, a: float, g: float, l_: float, b: float, h: float, x0: float, y0: float, n: int
) -> tuple[FloatArray, FloatArray]:
    x, y = np.empty(n), np.empty(n)
    x[0], y[0] = x0, y0
    rng = np.random.default_rng(0)
    for t in range(n - 1):
        x[t + 1] = x[t] + k * y[t] - a * x[t] + g + rng.normal(0, 1e-3)
        y[t + 1] = y[t] + l_ * x[t] - b * y[t] + h + rng.normal(0, 1e-3)
    return x, y


def test_recovers_known_coefficients_and_signs() -> None:
    x, y = simulate(0.3, 0.5, 2.0, 0.2, 0.4, 1.0, 1.0, 30.0, 40)
    fit = estimate.fit_richardson_arrays(x, y, names=("X", "Y"))
    assert fit.x.k.value == pytest.approx(0.3, abs=1e-3)
    assert fit.x.a.value == pytest.approx(0.5, abs=1e-3)
    assert fit.x.g.value == pytest.approx(2.0, abs=1e-2)
    assert fit.y.k.value == pytest.approx(0.2, abs=1e-3)
    assert fit.y.a.value == pytest.approx(0.4, abs=1e-3)
    assert fit.y.g.value == pytest.approx(1.0, abs=1e-2)
    # equilibrium formula of MODELS.md §1 with the fitted coefficients
    k, a, g, l_, b, h = (
        fit.x.k.value,
        fit.x.a.value,
        fit.x.g.value,
        fit.y.k.value,
        fit.y.a.value,
        fit.y.g.value,
    )
    det = a * b - k * l_
    assert fit.equilibrium is not None
    assert fit.equilibrium[0] == pytest.approx((k * h + b * g) / det, rel=1e-12)
    assert fit.equilibrium[1] == pytest.approx((l_ * g + a * h) / det, rel=1e-12)
    assert fit.stable and fit.stable_discrete
    assert fit.regime == "stable"


@pytest.mark.parametrize(("start", "regime"), [(20.0, "runaway"), (1.0, "disarmament")])
def test_unstable_regime_depends_on_the_start(start: float, regime: str) -> None:
    # a·b = 0.01 < k·l = 0.04: no stable equilibrium; x* = y* = 10 with these grievances
    k, a, g = 0.2, 0.1, -1.0
    x, y = simulate(k, a, g, k, a, g, start, start, 12)
    fit = estimate.fit_richardson_arrays(x, y)
    assert not fit.stable
    assert fit.regime == regime


def test_discrete_map_can_be_unstable_where_the_continuous_is_stable() -> None:
    # a = b = 2.5: continuous eigenvalues -2.5 ± 0.1 (stable), yearly map 1 - 2.5 = -1.5 (not)
    x, y = simulate(0.1, 2.5, 10.0, 0.1, 2.5, 10.0, 4.0, 5.0, 12)
    fit = estimate.fit_richardson_arrays(x, y)
    assert fit.stable
    assert not fit.stable_discrete


def test_forecast_iterates_the_fitted_equation() -> None:
    x, y = simulate(0.3, 0.5, 2.0, 0.2, 0.4, 1.0, 1.0, 30.0, 20)
    fit = estimate.fit_richardson_arrays(x, y)
    (fx, fy), _ = fit.forecast(2)
    k, a, g = fit.x.k.value, fit.x.a.value, fit.x.g.value
    l_, b, h = fit.y.k.value, fit.y.a.value, fit.y.g.value
    assert fx == pytest.approx(x[-1] + k * y[-1] - a * x[-1] + g, rel=1e-12)
    assert fy == pytest.approx(y[-1] + l_ * x[-1] - b * y[-1] + h, rel=1e-12)
    comb = estimate.fit_combined_arrays(x + y)
    (s1,) = comb.forecast(1)
    assert s1 == pytest.approx(
        (x + y)[-1] * (1 + comb.slope.value) + comb.intercept.value, rel=1e-12
    )


def test_mean_regressor_forecast_satisfies_the_implicit_equation() -> None:
    x, y = simulate(0.3, 0.5, 2.0, 0.2, 0.4, 1.0, 1.0, 30.0, 20)
    fit = estimate.fit_richardson_arrays(x, y, regressor="mean")
    ((fx, fy),) = fit.forecast(1)
    mx, my = (x[-1] + fx) / 2, (y[-1] + fy) / 2
    assert fx - x[-1] == pytest.approx(
        fit.x.k.value * my - fit.x.a.value * mx + fit.x.g.value, rel=1e-9
    )


# --- currency and bad input --------------------------------------------------------------------


def test_range_crossing_1914_is_refused_in_native_units() -> None:
    with pytest.raises(InputError, match=r"years: 1905:1920 crosses 1913/1914"):
        estimate.fit_richardson("FRN,GMY", "1905:1920")


def test_range_crossing_1914_converted_on_request() -> None:
    with pytest.warns(datasets.CurrencyConversionWarning):
        fit = estimate.fit_richardson("FRN,GMY", "1905:1920", currency="USD")
    frn = raw_milex(["FRN"], 1905, 1920, NMC7)
    frn[:9] *= 4.8665
    gmy = raw_milex(["GMY"], 1905, 1920, NMC7)
    gmy[:9] *= 4.8665
    g, k, a = lstsq_fit(frn, gmy, mean=False)
    assert_close(fit.x.k.value, k)
    assert_close(fit.x.a.value, a)
    assert_close(fit.x.g.value, g)
    assert "4.8665" in fit.unit


def test_fit_within_one_currency_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimate.fit_richardson("FRN,GMY", "1900:1913")
        estimate.fit_richardson("USA,RUS", "1950:1960", currency="USD")  # nothing to convert


@pytest.mark.parametrize(
    ("actors", "years", "message"),
    [
        ("USA", "1948:1990", "actors: expected two actors"),
        ("USA,RUS,CHN", "1948:1990", "actors: expected two actors"),
        ("USA,XYZ", "1948:1990", "actors: unknown state 'XYZ'"),
        ("USA+RUS,RUS", "1948:1990", "actors: COW code 365 belongs to both actors"),
        ("USA,+", "1948:1990", "actors: empty actor"),
        ("USA,RUS", "1990:1948", "years: empty year range 1990:1948"),
        ("USA,RUS", "2010:2030", "years: 2010:2030 is outside the years of NMC v7.0"),
        ("USA,RUS", "1700:1710", "outside the years"),
        ("USA,RUS", "1948:1950", "years: 1948:1950 gives 2 yearly changes"),
        ("USA,GMY", "1940:1950", "actors: NMC v7.0 has no milex for GMY in 1946"),
    ],
)
def test_bad_input(actors: str, years: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        estimate.fit_richardson(actors, years)
    assert message in str(info.value)


def test_combined_needs_three_changes() -> None:
    with pytest.raises(InputError, match="needs at least 3"):
        estimate.fit_combined("FRN,GMY", "1910:1912")


# --- inside and outside the arms races of Gibler, Rider & Hutchison (2005) --------------------


def test_race_periods_equal_lstsq_on_an_independently_built_design() -> None:
    fit = estimate.fit_race_periods(window=5)
    panel = fit.panel
    # the USA-RUS rows come straight from NMC; inside exactly for 1978->79, 79->80, 80->81
    usa = panel[panel["unit"] == "USA<-RUS:USD"].set_index("year")
    src = pd.read_csv(DATA / f"{NMC7}.gz")
    us = src[src.stateabb == "USA"].set_index("year")["milex"]
    su = src[src.stateabb == "RUS"].set_index("year")["milex"]
    assert list(usa.index) == list(range(1973, 1986))
    assert usa.loc[1980, "dx"] == us[1981] - us[1980]
    assert usa.loc[1980, "y"] == su[1980]
    assert usa.index[usa["inside"]].tolist() == [1978, 1979, 1980]
    # the pooled regression, rebuilt here and solved with lstsq
    inside = panel["inside"].to_numpy(float)
    scale = panel.groupby("unit")["x"].transform("mean").to_numpy(float)
    y = panel["y"].to_numpy(float) / scale
    x = panel["x"].to_numpy(float) / scale
    units = pd.get_dummies(panel["unit"]).to_numpy(float)
    X = np.column_stack([(1 - inside) * y, inside * y, (1 - inside) * x, inside * x, units])
    beta = np.linalg.lstsq(X, panel["dx"].to_numpy(float) / scale, rcond=None)[0]
    c = fit.coefficients
    for got, want in (
        (c["k_outside"].value, beta[0]),
        (c["k_inside"].value, beta[1]),
        (c["a_outside"].value, -beta[2]),
        (c["a_inside"].value, -beta[3]),
    ):
        assert got == pytest.approx(want, rel=1e-8, abs=1e-12)
    assert fit.difference_k.value == pytest.approx(beta[1] - beta[0], rel=1e-8)
    assert fit.n == len(panel)
    assert "BRA-PAR" in fit.skipped  # no NMC milex for Paraguay in the 1860s
    assert any("Gibler" in s for s in fit.sources)
    # no change mixes currencies
    assert not (panel["year"] == 1913).any()
