"""Fitting Richardson's arms-race equations to data.

Richardson (1960, *Arms and Insecurity*, ch. 2 and the 1909-1913 analysis) wrote the arms race
of two actors X and Y as

    dx/dt = k·y − a·x + g,        dy/dt = l·x − b·y + h

(k, l defence or reaction coefficients; a, b fatigue and expense; g, h grievances). For yearly
data the derivative becomes the yearly change, and each equation is estimated by ordinary least
squares, actor by actor (:func:`fit_richardson`):

    Δx_t = x_{t+1} − x_t = k·ŷ_t − a·x̂_t + g + ε_t                                   (1)

where the regressors are either the first year's levels (``regressor="level"``: x̂_t = x_t,
ŷ_t = y_t, the Euler form) or the mean of the two years (``regressor="mean"``:
x̂_t = (x_t + x_{t+1})/2, as in Richardson's plots of Δ against the mean). An actor may be a
*bloc* whose spending is the sum of its members' (Richardson summed France+Russia and
Germany+Austria-Hungary).

With symmetric coefficients the two equations add up to Richardson's combined form
(:func:`fit_combined`):

    Δ(U+V)_t = α·(U+V)^_t + c = α·((U+V)^_t − s0),     s0 = −c/α                     (2)

α is the slope (Richardson's k − a) and s0 the level of combined spending at which growth
would stop ("zero growth level"). Richardson fitted (2) to his own 1909-1913 budget figures;
herz fits it to NMC's milex (Singer, Bremer & Stuckey 1972), which are *not* Richardson's
figures, so the numbers differ from his. (His table is not shipped: herz ships no figures it
cannot cite to the page.)

The data come from COW NMC (v7.0 by default, v6.0 on request). NMC's milex is in thousands of
current GBP to 1913 and current USD from 1914: a range crossing 1913/1914 is refused unless
``currency="USD"`` asks for the gold-parity conversion (see :mod:`herz.history.datasets`).

The fitted continuous-time system (k, a, g, l, b, h read as the coefficients of the
differential equations) has its equilibrium x* = (k·h + b·g)/(a·b − k·l),
y* = (l·g + a·h)/(a·b − k·l), and is stable iff every eigenvalue of [[−a, k], [l, −b]] has a
negative real part (for k, l > 0: a·b > k·l). The yearly difference equation (1) that was
actually fitted is stable iff every eigenvalue of I + [[−a, k], [l, −b]] lies inside the unit
circle; both are reported, since the annual form can overshoot where the continuous one is
stable.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from herz.errors import InputError

__all__ = [
    "RICHARDSON_1960",
    "ActorFit",
    "Coefficient",
    "CombinedFit",
    "ForecastCheck",
    "ForecastRow",
    "MilexPanel",
    "PooledFit",
    "RacePeriodFit",
    "RichardsonFit",
    "fit_combined",
    "fit_combined_arrays",
    "fit_pooled",
    "fit_pooled_arrays",
    "fit_race_periods",
    "fit_richardson",
    "fit_richardson_arrays",
    "fit_richardson_pooled",
    "forecast_check",
    "milex_panel",
    "milex_series",
    "parse_actors",
]

RICHARDSON_1960 = (
    "Richardson (1960), Arms and Insecurity: A Mathematical Study of the Causes and Origins "
    "of War, Pittsburgh: Boxwood Press."
)

Regressor = Literal["level", "mean"]
Regime = Literal["stable", "runaway", "disarmament", "divergent", "oscillating", "degenerate"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Coefficient:
    """One OLS coefficient: estimate, standard error, t statistic, two-sided p-value."""

    value: float
    se: float
    t: float
    p: float

    def to_dict(self) -> dict[str, float]:
        """The four numbers as a dict."""
        return {"value": self.value, "se": self.se, "t": self.t, "p": self.p}


@dataclass(frozen=True)
class ActorFit:
    """Equation (1) fitted for one actor: Δx_t = k·y_t − a·x_t + g.

    ``k`` is the reaction to the rival, ``a`` the fatigue (minus the coefficient of the
    actor's own level), ``g`` the grievance (the intercept).
    """

    actor: str
    rival: str
    k: Coefficient
    a: Coefficient
    g: Coefficient
    r2: float
    r2_adj: float
    durbin_watson: float
    n: int
    df_resid: int
    sigma: float
    residuals: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "actor": self.actor,
            "rival": self.rival,
            "k": self.k.value,
            "k_se": self.k.se,
            "a": self.a.value,
            "a_se": self.a.se,
            "g": self.g.value,
            "g_se": self.g.se,
            "t": {"k": self.k.t, "a": self.a.t, "g": self.g.t},
            "p": {"k": self.k.p, "a": self.a.p, "g": self.g.p},
            "r2": self.r2,
            "r2_adj": self.r2_adj,
            "durbin_watson": self.durbin_watson,
            "n": self.n,
        }


@dataclass(frozen=True)
class RichardsonFit:
    """Both equations of a two-actor Richardson fit and what they imply.

    Attributes
    ----------
    x, y:
        The fits of the first and second actor (``y.k`` is Richardson's l, ``y.a`` his b,
        ``y.g`` his h).
    equilibrium:
        (x*, y*) of the continuous system, or None when a·b = k·l.
    stable:
        Continuous-time stability (all eigenvalues of [[−a, k], [l, −b]] negative real part).
    stable_discrete:
        Stability of the fitted yearly map (spectral radius of I + [[−a, k], [l, −b]] < 1).
    regime:
        ``stable``; else, from the last observed year, ``runaway`` (both grow without bound),
        ``disarmament`` (both fall towards zero), ``divergent`` (one grows while the other
        falls), ``oscillating`` (complex eigenvalues) or ``degenerate`` (a·b = k·l).
    """

    x: ActorFit
    y: ActorFit
    years: tuple[int, int]
    regressor: Regressor
    unit: str
    equilibrium: tuple[float, float] | None
    eigenvalues: tuple[complex, complex]
    stable: bool
    stable_discrete: bool
    regime: Regime
    last: tuple[float, float]
    sources: list[str] = field(default_factory=list)

    def forecast(self, steps: int = 1) -> list[tuple[float, float]]:
        """Levels (x, y) for the next ``steps`` years from the last observed year.

        Iterates the fitted equation (1); with ``regressor="mean"`` each step solves the
        implicit 2×2 system for the next year's levels.
        """
        k, a, g = self.x.k.value, self.x.a.value, self.x.g.value
        l_, b, h = self.y.k.value, self.y.a.value, self.y.g.value
        M = np.array([[-a, k], [l_, -b]])
        c = np.array([g, h])
        state = np.array(self.last, dtype=float)
        out: list[tuple[float, float]] = []
        eye = np.eye(2)
        for _ in range(steps):
            if self.regressor == "level":
                state = state + M @ state + c
            else:
                state = np.linalg.solve(eye - M / 2, (eye + M / 2) @ state + c)
            out.append((float(state[0]), float(state[1])))
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the shape of ``herz fit richardson --json``)."""
        eq = None if self.equilibrium is None else list(self.equilibrium)
        return {
            "model": "richardson",
            "form": "per-actor",
            "equation": "dx_t = k*y_t - a*x_t + g",
            "regressor": self.regressor,
            "years": list(self.years),
            "unit": self.unit,
            "actors": [self.x.to_dict(), self.y.to_dict()],
            "equilibrium": eq,
            "stable": self.stable,
            "stable_discrete": self.stable_discrete,
            "regime": self.regime,
            "eigenvalues": [[z.real, z.imag] for z in self.eigenvalues],
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class CombinedFit:
    """Equation (2): Δs_t = α·s_t + c = α·(s_t − s0), s = U + V."""

    actors: tuple[str, ...]
    years: tuple[int, int]
    regressor: Regressor
    unit: str
    slope: Coefficient
    intercept: Coefficient
    zero_growth_level: float
    zero_growth_level_se: float
    r2: float
    durbin_watson: float
    n: int
    df_resid: int
    last: float
    sources: list[str] = field(default_factory=list)

    def forecast(self, steps: int = 1) -> list[float]:
        """Combined spending for the next ``steps`` years from the last observed year."""
        alpha, c = self.slope.value, self.intercept.value
        s = self.last
        out: list[float] = []
        for _ in range(steps):
            if self.regressor == "level":
                s = s + alpha * s + c
            else:
                s = ((1 + alpha / 2) * s + c) / (1 - alpha / 2)
            out.append(s)
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the shape of ``herz fit richardson --combined --json``)."""
        return {
            "model": "richardson",
            "form": "combined",
            "equation": "d(U+V)_t = slope*((U+V)_t - zero_growth_level)",
            "regressor": self.regressor,
            "actors": list(self.actors),
            "years": list(self.years),
            "unit": self.unit,
            "slope": self.slope.value,
            "slope_se": self.slope.se,
            "intercept": self.intercept.value,
            "intercept_se": self.intercept.se,
            "zero_growth_level": self.zero_growth_level,
            "zero_growth_level_se": self.zero_growth_level_se,
            "r2": self.r2,
            "durbin_watson": self.durbin_watson,
            "n": self.n,
            "sources": list(self.sources),
        }


# --- data ------------------------------------------------------------------------------------


def parse_actors(
    actors: str | Sequence[str | Sequence[str]], *, count: int | None = 2
) -> list[list[str]]:
    """Actors from ``"USA,RUS"``, ``"FRN+RUS,GMY+AUH"`` or a list of names or lists.

    Each actor is a list of COW abbreviations or codes (a bloc when longer than one).
    ``count`` is the number of actors required (two for the per-actor and combined fits);
    ``None`` asks for at least two (the pooled fit's blocs).
    """
    items: list[str | Sequence[str]]
    items = [t for t in actors.split(",")] if isinstance(actors, str) else list(actors)
    out: list[list[str]] = []
    for item in items:
        members = item.split("+") if isinstance(item, str) else [str(m) for m in item]
        members = [m.strip().upper() for m in members if m.strip()]
        if not members:
            raise InputError(
                f"actors: empty actor in {actors!r}; write two actors such as USA,RUS or "
                "FRN+RUS,GMY+AUH",
                field="actors",
                value=actors,
            )
        out.append(members)
    if count is None and len(out) < 2:
        raise InputError(
            f"actors: expected at least two blocs (such as UKG+FRN+RUS,GMY+AUH+ITA), got "
            f"{len(out)} in {actors!r}",
            field="actors",
            value=actors,
        )
    if count is not None and len(out) != count:
        raise InputError(
            f"actors: expected two actors (such as USA,RUS or FRN+RUS,GMY+AUH), got {len(out)} "
            f"in {actors!r}",
            field="actors",
            value=actors,
        )
    return out


def _label(members: Sequence[str]) -> str:
    return "+".join(members)


@dataclass(frozen=True)
class MilexPanel:
    """Yearly NMC milex of every member of every actor (see :func:`milex_panel`).

    ``values[t, j]`` is member ``members[j]``'s milex in ``years[t]``; ``bloc[j]`` is the index
    of its actor in ``labels``.
    """

    labels: list[str]
    members: list[str]
    bloc: list[int]
    years: FloatArray
    values: FloatArray
    unit: str
    sources: list[str]

    def by_actor(self) -> FloatArray:
        """The actors' spending (members summed), shape (n_years, n_actors)."""
        out = np.zeros((len(self.years), len(self.labels)))
        for j, b in enumerate(self.bloc):
            out[:, b] += self.values[:, j]
        return out


def milex_panel(
    actors: str | Sequence[str | Sequence[str]],
    years: str | int | tuple[int, int],
    *,
    version: int = 7,
    currency: Literal["native", "USD"] = "native",
    count: int | None = 2,
) -> MilexPanel:
    """Yearly NMC milex of the members of two (or, with ``count=None``, more) actors.

    Raises
    ------
    InputError
        Unknown state, a state in two actors, an empty range, years outside NMC, a range
        crossing the 1913/1914 currency switch in native units, or a missing value.
    """
    from herz.history import datasets

    groups = parse_actors(actors, count=count)
    span = datasets.parse_years(years)
    assert span is not None
    codes = [datasets.resolve_states(g, field="actors") for g in groups]
    seen: set[int] = set()
    for group in codes:
        for code in group:
            if code in seen:
                raise InputError(
                    f"actors: COW code {code} belongs to both actors in {actors!r}"
                    if len(codes) == 2
                    else f"actors: COW code {code} is named twice in {actors!r}",
                    field="actors",
                    value=actors,
                )
        seen.update(group)
    start, end = span
    if currency == "native" and start < datasets.CURRENCY_SWITCH_YEAR <= end:
        raise InputError(
            f"years: {start}:{end} crosses 1913/1914, where NMC milex changes from thousands of "
            "GBP to thousands of USD; fit within one currency or ask for currency USD "
            "(--currency USD) to convert at the gold parity",
            field="years",
            value=f"{start}:{end}",
        )
    first, last = datasets.nmc_years(version)
    if start < first or end > last:
        raise InputError(
            f"years: {start}:{end} is outside the years of NMC v{version}.0 ({first}-{last})",
            field="years",
            value=f"{start}:{end}",
        )
    frame = datasets.load("nmc", version=version, currency=currency, years=span)
    names = datasets.state_names()
    abbs = datasets.state_abbreviations()
    year_index = np.arange(start, end + 1)
    columns: list[FloatArray] = []
    members: list[str] = []
    bloc: list[int] = []
    units: set[str] = set()
    for j, group in enumerate(codes):
        for code in group:
            rows = frame[frame["ccode"] == code].set_index("year")
            who = abbs.get(code, names.get(code, str(code)))
            series = rows["milex"].reindex(year_index)
            missing = series.isna().to_numpy()
            if bool(missing.any()):
                year = int(year_index[np.argmax(missing)])
                raise InputError(
                    f"actors: NMC v{version}.0 has no milex for {who} in {year}; choose years "
                    "in which every member has data",
                    field="actors",
                    value=who,
                )
            columns.append(series.to_numpy(dtype=float))
            members.append(str(who))
            bloc.append(j)
            units.update(str(u) for u in rows["milex_unit"].reindex(year_index))
    return MilexPanel(
        labels=[_label(g) for g in groups],
        members=members,
        bloc=bloc,
        years=year_index.astype(float),
        values=np.column_stack(columns),
        unit=" / ".join(sorted(units)),
        sources=[datasets.citation("nmc", version=version), RICHARDSON_1960],
    )


def milex_series(
    actors: str | Sequence[str | Sequence[str]],
    years: str | int | tuple[int, int],
    *,
    version: int = 7,
    currency: Literal["native", "USD"] = "native",
) -> tuple[list[str], FloatArray, FloatArray, str, list[str]]:
    """Yearly NMC milex of two actors (blocs summed) over an inclusive year range.

    Returns
    -------
    labels, years, values, unit, sources
        ``values`` has shape (n_years, 2); ``years`` the matching years.

    Raises
    ------
    InputError
        Unknown state, a state in both actors, an empty range, years outside NMC, a range
        crossing the 1913/1914 currency switch in native units, or a missing value.
    """
    panel = milex_panel(actors, years, version=version, currency=currency)
    return panel.labels, panel.years, panel.by_actor(), panel.unit, panel.sources


# --- estimation ------------------------------------------------------------------------------


def _design(level: FloatArray, regressor: Regressor) -> FloatArray:
    """Regressor values for the n − 1 yearly changes of an (n,) or (n, m) level array."""
    if regressor == "level":
        return level[:-1]
    if regressor == "mean":
        return (level[:-1] + level[1:]) / 2
    raise InputError(
        f"regressor: expected level or mean, got {regressor!r}", field="regressor", value=regressor
    )


def _ols(endog: FloatArray, exog: FloatArray) -> Any:
    import statsmodels.api as sm

    return sm.OLS(endog, exog).fit()


def _coef(res: Any, i: int, sign: float = 1.0) -> Coefficient:
    return Coefficient(
        value=sign * float(res.params[i]),
        se=float(res.bse[i]),
        t=sign * float(res.tvalues[i]),
        p=float(res.pvalues[i]),
    )


def _dw(resid: FloatArray) -> float:
    from statsmodels.stats.stattools import durbin_watson

    return float(durbin_watson(resid))


def _check_n(n: int, needed: int, years: tuple[int, int], what: str) -> None:
    if n < needed:
        raise InputError(
            f"years: {years[0]}:{years[1]} gives {n} yearly changes; the {what} needs at least "
            f"{needed}",
            field="years",
            value=f"{years[0]}:{years[1]}",
        )


def _fit_actor(
    own: FloatArray, rival: FloatArray, regressor: Regressor, actor: str, rival_name: str
) -> ActorFit:
    delta = np.diff(own)
    X = np.column_stack([np.ones(len(delta)), _design(rival, regressor), _design(own, regressor)])
    res = _ols(delta, X)
    resid = np.asarray(res.resid, dtype=float)
    return ActorFit(
        actor=actor,
        rival=rival_name,
        k=_coef(res, 1),
        a=_coef(res, 2, sign=-1.0),
        g=_coef(res, 0),
        r2=float(res.rsquared),
        r2_adj=float(res.rsquared_adj),
        durbin_watson=_dw(resid),
        n=int(res.nobs),
        df_resid=int(res.df_resid),
        sigma=float(math.sqrt(res.scale)),
        residuals=tuple(float(r) for r in resid),
    )


def _dynamics(
    k: float, a: float, g: float, l_: float, b: float, h: float, last: tuple[float, float]
) -> tuple[tuple[float, float] | None, tuple[complex, complex], bool, bool, Regime]:
    """Equilibrium, eigenvalues, stabilities and regime of the continuous system (MODELS §1)."""
    M = np.array([[-a, k], [l_, -b]])
    det = a * b - k * l_
    eig = np.linalg.eigvals(M)
    eigenvalues = (complex(eig[0]), complex(eig[1]))
    stable = bool(np.all(eig.real < 0))
    stable_discrete = bool(np.max(np.abs(np.linalg.eigvals(np.eye(2) + M))) < 1)
    if det == 0 or not math.isfinite(det):
        return None, eigenvalues, stable, stable_discrete, "degenerate"
    eq = ((k * h + b * g) / det, (l_ * g + a * h) / det)
    if stable:
        return eq, eigenvalues, stable, stable_discrete, "stable"
    if np.any(np.abs(eig.imag) > 0):
        return eq, eigenvalues, stable, stable_discrete, "oscillating"
    # Real eigenvalues, the largest non-negative: the start's component along its eigenvector
    # decides where the system goes (x(t) − x* ≈ c·e^{λt}·v).
    lam, vecs = np.linalg.eig(M)
    i = int(np.argmax(lam.real))
    v = vecs[:, i].real
    left_vals, left_vecs = np.linalg.eig(M.T)
    w = left_vecs[:, int(np.argmin(np.abs(left_vals - lam[i])))].real
    c = float(w @ (np.asarray(last) - np.asarray(eq))) / float(w @ v)
    direction = c * v
    if np.all(direction > 0):
        regime: Regime = "runaway"
    elif np.all(direction < 0):
        regime = "disarmament"
    else:
        regime = "divergent"
    return eq, eigenvalues, stable, stable_discrete, regime


def fit_richardson_arrays(
    x: Sequence[float] | FloatArray,
    y: Sequence[float] | FloatArray,
    *,
    years: tuple[int, int] | None = None,
    names: tuple[str, str] = ("x", "y"),
    regressor: Regressor = "level",
    unit: str = "arbitrary units",
    sources: Sequence[str] = (),
) -> RichardsonFit:
    """Fit Richardson's equation (1) by OLS for each of two level series.

    Parameters
    ----------
    x, y:
        Yearly levels (same length n ≥ 5) of the two actors, consecutive years.
    years:
        The first and last year (for the record only); default (0, n − 1).
    names:
        Labels of the two actors.
    regressor:
        ``level``: regress x_{t+1} − x_t on x_t, y_t (Euler form); ``mean``: on the means of
        the two years' levels (Richardson's plots).
    unit, sources:
        Carried into the result.

    Returns
    -------
    RichardsonFit
        Per actor k, a, g with standard errors, t, p, R², Durbin–Watson and n (statsmodels
        OLS), plus equilibrium, stability and regime.
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if xs.shape != ys.shape or xs.ndim != 1:
        raise InputError(
            f"x, y: need two 1-d series of equal length, got shapes {xs.shape} and {ys.shape}",
            field="x",
        )
    span = years if years is not None else (0, len(xs) - 1)
    _check_n(len(xs) - 1, 4, span, "per-actor fit (3 coefficients)")
    fx = _fit_actor(xs, ys, regressor, names[0], names[1])
    fy = _fit_actor(ys, xs, regressor, names[1], names[0])
    last = (float(xs[-1]), float(ys[-1]))
    eq, eigenvalues, stable, stable_d, regime = _dynamics(
        fx.k.value, fx.a.value, fx.g.value, fy.k.value, fy.a.value, fy.g.value, last
    )
    return RichardsonFit(
        x=fx,
        y=fy,
        years=span,
        regressor=regressor,
        unit=unit,
        equilibrium=eq,
        eigenvalues=eigenvalues,
        stable=stable,
        stable_discrete=stable_d,
        regime=regime,
        last=last,
        sources=list(sources),
    )


def fit_richardson(
    actors: str | Sequence[str | Sequence[str]],
    years: str | int | tuple[int, int],
    *,
    regressor: Regressor = "level",
    version: int = 7,
    currency: Literal["native", "USD"] = "native",
) -> RichardsonFit:
    """Fit Richardson's discrete equations (1) to NMC milex of two states or blocs.

    Parameters
    ----------
    actors:
        ``"USA,RUS"``, ``"FRN+RUS,GMY+AUH"`` (a bloc is a ``+``-joined list, its spending the
        members' sum) or the same as a list.
    years:
        Inclusive range of *levels*, e.g. ``"1948:1990"`` or ``(1948, 1990)``; the fit uses the
        yearly changes 1948→1949, ..., 1989→1990 (n = 42).
    regressor:
        ``level`` (default) or ``mean``; see :func:`fit_richardson_arrays`.
    version:
        NMC version, 7 (default) or 6; milex is identical on the years they share.
    currency:
        ``native`` (refuses a range crossing 1913/1914) or ``USD`` (pre-1914 GBP converted at
        the gold parity 4.8665 USD/GBP, with a warning).

    Returns
    -------
    RichardsonFit
        With ``sources``: the NMC citation and Richardson (1960).
    """
    labels, yrs, values, unit, sources = milex_series(
        actors, years, version=version, currency=currency
    )
    span = (int(yrs[0]), int(yrs[-1]))
    return fit_richardson_arrays(
        values[:, 0],
        values[:, 1],
        years=span,
        names=(labels[0], labels[1]),
        regressor=regressor,
        unit=unit,
        sources=sources,
    )


def fit_combined_arrays(
    total: Sequence[float] | FloatArray,
    *,
    years: tuple[int, int] | None = None,
    actors: Sequence[str] = ("U", "V"),
    regressor: Regressor = "level",
    unit: str = "arbitrary units",
    sources: Sequence[str] = (),
) -> CombinedFit:
    """Fit Richardson's combined form (2), Δs_t = α·ŝ_t + c, by OLS on a series s = U + V.

    The zero-growth level is s0 = −c/α; its standard error is the delta-method one,
    Var(s0) ≈ (Var(c) + s0²·Var(α) + 2·s0·Cov(α, c)) / α².
    """
    s = np.asarray(total, dtype=float)
    if s.ndim != 1:
        raise InputError(f"total: need a 1-d series, got shape {s.shape}", field="total")
    span = years if years is not None else (0, len(s) - 1)
    _check_n(len(s) - 1, 3, span, "combined fit (2 coefficients)")
    delta = np.diff(s)
    X = np.column_stack([np.ones(len(delta)), _design(s, regressor)])
    res = _ols(delta, X)
    alpha = float(res.params[1])
    c = float(res.params[0])
    cov = np.asarray(res.cov_params(), dtype=float)
    s0 = -c / alpha if alpha != 0 else math.nan
    var_s0 = (cov[0, 0] + s0**2 * cov[1, 1] + 2 * s0 * cov[0, 1]) / alpha**2 if alpha else math.nan
    return CombinedFit(
        actors=tuple(actors),
        years=span,
        regressor=regressor,
        unit=unit,
        slope=_coef(res, 1),
        intercept=_coef(res, 0),
        zero_growth_level=s0,
        zero_growth_level_se=math.sqrt(var_s0) if var_s0 >= 0 else math.nan,
        r2=float(res.rsquared),
        durbin_watson=_dw(np.asarray(res.resid, dtype=float)),
        n=int(res.nobs),
        df_resid=int(res.df_resid),
        last=float(s[-1]),
        sources=list(sources),
    )


def fit_combined(
    actors: str | Sequence[str | Sequence[str]],
    years: str | int | tuple[int, int],
    *,
    regressor: Regressor = "level",
    version: int = 7,
    currency: Literal["native", "USD"] = "native",
) -> CombinedFit:
    """Fit Richardson's combined form (2) to the summed NMC milex of two states or blocs.

    ``fit_combined("FRN+RUS,GMY+AUH", "1909:1913")`` is the analogue, on NMC data, of
    Richardson's (1960) fit of the 1909-1913 budgets of the Franco-Russian and
    German-Austro-Hungarian blocs. Parameters as in :func:`fit_richardson`.
    """
    labels, yrs, values, unit, sources = milex_series(
        actors, years, version=version, currency=currency
    )
    return fit_combined_arrays(
        values.sum(axis=1),
        years=(int(yrs[0]), int(yrs[-1])),
        actors=labels,
        regressor=regressor,
        unit=unit,
        sources=sources,
    )


# --- the pooled N-actor fit ------------------------------------------------------------------


def _map_dynamics(
    M: FloatArray, g: FloatArray, last: FloatArray
) -> tuple[FloatArray | None, Any, Any, bool, bool, Regime]:
    """Equilibrium, eigenvalues (continuous M, annual map I + M), stabilities and regime of
    dx/dt = M x + g read from ``last`` (as :func:`_dynamics`, for N actors)."""
    n = M.shape[0]
    eig = np.linalg.eigvals(M)
    eig = eig[np.argsort(-eig.real, kind="stable")]
    eig_map = np.linalg.eigvals(np.eye(n) + M)
    eig_map = eig_map[np.argsort(-np.abs(eig_map), kind="stable")]
    stable = bool(np.all(eig.real < 0))
    stable_discrete = bool(np.max(np.abs(eig_map)) < 1)
    try:
        eq: FloatArray | None = np.asarray(-np.linalg.solve(M, g), dtype=float)
    except np.linalg.LinAlgError:
        eq = None
    if eq is None or not np.all(np.isfinite(eq)):
        return None, eig, eig_map, stable, stable_discrete, "degenerate"
    if stable:
        return eq, eig, eig_map, stable, stable_discrete, "stable"
    lam, vecs = np.linalg.eig(M)
    i = int(np.argmax(lam.real))
    if abs(lam[i].imag) > 0:
        return eq, eig, eig_map, stable, stable_discrete, "oscillating"
    v = vecs[:, i].real
    left_vals, left_vecs = np.linalg.eig(M.T)
    w = left_vecs[:, int(np.argmin(np.abs(left_vals - lam[i])))].real
    c = float(w @ (last - eq)) / float(w @ v)
    direction = c * v
    if np.all(direction > 0):
        regime: Regime = "runaway"
    elif np.all(direction < 0):
        regime = "disarmament"
    else:
        regime = "divergent"
    return eq, eig, eig_map, stable, stable_discrete, regime


@dataclass(frozen=True)
class PooledFit:
    """Richardson's equations for N states pooled into one regression (:func:`fit_pooled`).

    Every state i follows the annual difference equation

        Δx_{i,t} = k·R_{i,t} − a·x_{i,t} + g_i,     R_{i,t} = Σ_{j in another bloc} x_{j,t}

    with one reaction k and one fatigue a shared by all states and one grievance g_i per state.

    Attributes
    ----------
    members:
        The states (COW abbreviations), in the order of every per-state array.
    blocs:
        The blocs' labels (``UKG+FRN+RUS``) and, in ``bloc``, each member's bloc index.
    k, a:
        The shared reaction and fatigue (per year), with standard error, t and p.
    g:
        Each member's grievance (milex unit per year).
    eigenvalues, eigenvalues_map:
        Of K − A (continuous reading) and of I + K − A (the fitted annual map), sorted by
        decreasing real part and modulus.
    stable, stable_discrete, regime, equilibrium:
        As in :class:`RichardsonFit`, for N states; the regime is read from the last year.
    first, last:
        The observed levels in the first and last year of the window.
    """

    members: tuple[str, ...]
    blocs: tuple[str, ...]
    bloc: tuple[int, ...]
    years: tuple[int, int]
    regressor: Regressor
    unit: str
    k: Coefficient
    a: Coefficient
    g: dict[str, Coefficient]
    r2: float
    r2_adj: float
    durbin_watson: float
    n: int
    df_resid: int
    sigma: float
    residuals: tuple[float, ...]
    equilibrium: tuple[float, ...] | None
    eigenvalues: tuple[complex, ...]
    eigenvalues_map: tuple[complex, ...]
    stable: bool
    stable_discrete: bool
    regime: Regime
    first: tuple[float, ...]
    last: tuple[float, ...]
    sources: list[str] = field(default_factory=list)

    @property
    def K(self) -> FloatArray:
        """The reaction matrix: ``K[i, j] = k`` when i and j are in different blocs, else 0."""
        b = np.asarray(self.bloc)
        return np.where(b[:, None] != b[None, :], self.k.value, 0.0)

    @property
    def grievances(self) -> FloatArray:
        """The grievances g_i as an array in member order."""
        return np.array([self.g[m].value for m in self.members])

    @property
    def M(self) -> FloatArray:
        """K − a·I, the system matrix."""
        return self.K - self.a.value * np.eye(len(self.members))

    def simulate(self, x0: Sequence[float] | FloatArray, steps: int) -> FloatArray:
        """Iterate the fitted annual difference equation ``x_{t+1} = x_t + (K − aI)·x_t + g``
        from ``x0`` for ``steps`` years; shape ``(steps + 1, N)``, no floor at zero.

        This is the equation that was fitted (Richardson 1960's yearly form). The fitted
        annual map need not have a continuous-time counterpart (an eigenvalue of I + K − aI
        may be negative), so it is never run as the differential equation.
        """
        x = np.asarray(x0, dtype=float).copy()
        if x.shape != (len(self.members),):
            raise InputError(
                f"x0: expected {len(self.members)} levels, got shape {x.shape}", field="x0"
            )
        P = np.eye(len(self.members)) + self.M
        g = self.grievances
        out = np.empty((steps + 1, x.size))
        out[0] = x
        for t in range(1, steps + 1):
            x = P @ x + g
            out[t] = x
        return out

    def forecast(self, steps: int = 1) -> FloatArray:
        """Levels for the next ``steps`` years from the last observed year, shape (steps, N)."""
        return self.simulate(self.last, steps)[1:]

    def combined(self) -> tuple[float, float]:
        """Richardson's combined form implied by the fit: (slope α, intercept c) of
        Δs_t = α·s_t + c for the total s = Σ x_i.

        With m blocs of equal size n, Σ_i R_{i,t} = n·(m − 1)·s_t, so the pooled equations sum
        exactly to the combined form with α = n·(m − 1)·k − a and c = Σ g_i (two blocs of one
        state each: Richardson's k − a). With unequal blocs the sum depends on how the total
        is shared, and there is no combined form.

        Raises
        ------
        InputError
            If the blocs differ in size.
        """
        sizes = {self.bloc.count(b) for b in range(len(self.blocs))}
        if len(sizes) != 1:
            raise InputError(
                f"actors: the blocs {', '.join(self.blocs)} differ in size; the pooled fit "
                "sums to Richardson's combined form only for blocs of equal size",
                field="actors",
            )
        n = sizes.pop()
        return n * (len(self.blocs) - 1) * self.k.value - self.a.value, float(self.grievances.sum())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (the shape of ``herz fit richardson --pooled --json``)."""
        eq = (
            None
            if self.equilibrium is None
            else dict(zip(self.members, self.equilibrium, strict=True))
        )
        return {
            "model": "richardson",
            "form": "pooled",
            "equation": "dx_i,t = k*R_i,t - a*x_i,t + g_i (R_i,t: other blocs' total)",
            "regressor": self.regressor,
            "years": list(self.years),
            "unit": self.unit,
            "members": list(self.members),
            "blocs": {
                label: [m for m, b in zip(self.members, self.bloc, strict=True) if b == i]
                for i, label in enumerate(self.blocs)
            },
            "k": self.k.to_dict(),
            "a": self.a.to_dict(),
            "g": {m: c.to_dict() for m, c in self.g.items()},
            "r2": self.r2,
            "r2_adj": self.r2_adj,
            "durbin_watson": self.durbin_watson,
            "n": self.n,
            "df_resid": self.df_resid,
            "equilibrium": eq,
            "stable": self.stable,
            "stable_discrete": self.stable_discrete,
            "regime": self.regime,
            "eigenvalues": [[z.real, z.imag] for z in self.eigenvalues],
            "eigenvalues_map": [[z.real, z.imag] for z in self.eigenvalues_map],
            "sources": list(self.sources),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON (non-finite numbers as null)."""
        import json

        return json.dumps(_finite(self.to_dict()), indent=indent, ensure_ascii=False)


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def _check_level(regressor: str) -> None:
    if regressor != "level":
        raise InputError(
            f"regressor: the pooled fit takes the level regressor only (the first year's levels, "
            f"Richardson's annual difference equation), got {regressor!r}",
            field="regressor",
            value=regressor,
        )


def fit_pooled_arrays(
    levels: Sequence[Sequence[float]] | FloatArray,
    bloc: Sequence[int],
    *,
    names: Sequence[str] | None = None,
    blocs: Sequence[str] | None = None,
    years: tuple[int, int] | None = None,
    regressor: Regressor = "level",
    unit: str = "arbitrary units",
    sources: Sequence[str] = (),
) -> PooledFit:
    """Fit Richardson's equations for N states pooled into one OLS regression.

    Parameters
    ----------
    levels:
        Yearly levels, shape (n_years, N), consecutive years.
    bloc:
        Each state's bloc (an integer label, N of them); a state reacts to the summed spending
        of the states in the other blocs.
    names, blocs:
        Labels of the states and of the blocs (default ``x0, x1, ...`` and ``B0, B1, ...``).
    years:
        The first and last year (for the record); default (0, n_years − 1).
    regressor:
        ``level`` only: the regressors are the first year's levels (the annual difference
        equation that :meth:`PooledFit.simulate` runs). ``mean`` is refused.
    unit, sources:
        Carried into the result.

    Notes
    -----
    The regression (Richardson 1960, with his symmetry k = l, a = b, extended to N states) is

        Δx_{i,t} = k·R_{i,t} − a·x_{i,t} + g_i + ε_{i,t}

    over the N·(n_years − 1) yearly changes, with one dummy per state for g_i: 2 + N
    coefficients, statsmodels OLS. For m blocs of equal size n the N equations sum to
    Richardson's combined form Δs = (n(m − 1)k − a)·s + Σ g_i (:meth:`PooledFit.combined`).
    """
    _check_level(regressor)
    X = np.asarray(levels, dtype=float)
    b = np.asarray(bloc, dtype=int)
    if X.ndim != 2 or X.shape[1] != b.size:
        raise InputError(
            f"levels: need shape (years, {b.size}) for {b.size} states, got {X.shape}",
            field="levels",
        )
    n_blocs = int(b.max()) + 1 if b.size else 0
    if (
        b.size == 0
        or b.min() < 0
        or len(set(b.tolist())) < 2
        or set(b.tolist()) != set(range(n_blocs))
    ):
        raise InputError(
            f"bloc: need at least two blocs labelled 0, 1, ..., got {list(b)}", field="bloc"
        )
    T, N = X.shape
    span = years if years is not None else (0, T - 1)
    _check_n(N * (T - 1), N + 3, span, f"pooled fit ({N + 2} coefficients)")
    labels = list(names) if names is not None else [f"x{i}" for i in range(N)]
    bloc_labels = list(blocs) if blocs is not None else [f"B{i}" for i in range(n_blocs)]
    rival = b[:, None] != b[None, :]
    R = X[:-1] @ rival.T.astype(float)  # R[t, i] = Σ_{j rival of i} x_{j,t}
    delta = np.diff(X, axis=0)
    endog = delta.reshape(-1)  # year-major: (t, i)
    dummies = np.tile(np.eye(N), (T - 1, 1))
    exog = np.column_stack([R.reshape(-1), X[:-1].reshape(-1), dummies])
    import statsmodels.api as sm

    res = sm.OLS(endog, exog, hasconst=True).fit()
    resid = np.asarray(res.resid, dtype=float)
    k = _coef(res, 0)
    a = _coef(res, 1, sign=-1.0)
    g = {labels[i]: _coef(res, 2 + i) for i in range(N)}
    M = np.where(rival, k.value, 0.0) - a.value * np.eye(N)
    eq, eig, eig_map, stable, stable_d, regime = _map_dynamics(
        M, np.array([g[m].value for m in labels]), X[-1]
    )
    # Durbin-Watson over each state's own residual series, pooled: Σ (e_t − e_{t−1})² / Σ e².
    per_state = resid.reshape(T - 1, N)
    dw = (
        float(np.sum(np.diff(per_state, axis=0) ** 2) / np.sum(resid**2))
        if T > 2 and np.sum(resid**2) > 0
        else math.nan
    )
    return PooledFit(
        members=tuple(labels),
        blocs=tuple(bloc_labels),
        bloc=tuple(int(v) for v in b),
        years=span,
        regressor=regressor,
        unit=unit,
        k=k,
        a=a,
        g=g,
        r2=float(res.rsquared),
        r2_adj=float(res.rsquared_adj),
        durbin_watson=dw,
        n=int(res.nobs),
        df_resid=int(res.df_resid),
        sigma=float(math.sqrt(res.scale)) if res.df_resid > 0 else math.nan,
        residuals=tuple(float(r) for r in resid),
        equilibrium=None if eq is None else tuple(float(v) for v in eq),
        eigenvalues=tuple(complex(z) for z in eig),
        eigenvalues_map=tuple(complex(z) for z in eig_map),
        stable=stable,
        stable_discrete=stable_d,
        regime=regime,
        first=tuple(float(v) for v in X[0]),
        last=tuple(float(v) for v in X[-1]),
        sources=list(sources),
    )


def fit_pooled(
    actors: str | Sequence[str | Sequence[str]],
    years: str | int | tuple[int, int],
    *,
    regressor: Regressor = "level",
    version: int = 7,
    currency: Literal["native", "USD"] = "native",
) -> PooledFit:
    """Fit the pooled N-state Richardson equations to NMC milex (:func:`fit_pooled_arrays`).

    ``fit_pooled("UKG+FRN+RUS,GMY+AUH+ITA", "1909:1913")`` fits the six great powers of 1909,
    each reacting to the summed spending of the other bloc, with one k and one a for all and
    one grievance each (Richardson 1960's symmetric equations, one per state; his own
    1909-1913 analysis summed the blocs). ``actors`` are two or more blocs; a bloc may be a
    single state. Parameters otherwise as in :func:`fit_richardson`; ``regressor="mean"`` is
    refused.
    """
    _check_level(regressor)
    panel = milex_panel(actors, years, version=version, currency=currency, count=None)
    return fit_pooled_arrays(
        panel.values,
        panel.bloc,
        names=panel.members,
        blocs=panel.labels,
        years=(int(panel.years[0]), int(panel.years[-1])),
        regressor=regressor,
        unit=panel.unit,
        sources=panel.sources,
    )


#: Alias with the name the issue uses.
fit_richardson_pooled = fit_pooled


# --- forecast check --------------------------------------------------------------------------

Form = Literal["per-actor", "combined", "pooled"]
BASELINES = ("random walk", "log-linear trend")


@dataclass(frozen=True)
class ForecastRow:
    """One forecast of one series in one year, with its error against NMC."""

    year: int
    series: str
    method: str
    forecast: float
    observed: float

    @property
    def error(self) -> float:
        """Forecast minus observed."""
        return self.forecast - self.observed

    @property
    def error_pct(self) -> float:
        """The error as a percentage of the observed value."""
        return 100.0 * self.error / self.observed if self.observed else math.nan

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready row."""
        return {
            "year": self.year,
            "series": self.series,
            "method": self.method,
            "forecast": self.forecast,
            "observed": self.observed,
            "error": self.error,
            "error_pct": self.error_pct,
        }


@dataclass(frozen=True)
class ForecastCheck:
    """Out-of-sample forecasts of a Richardson fit beside two naive baselines.

    The fit uses the years ``fitted``; each year of ``years`` (after the window) is forecast
    by iterating the fitted annual equation from the observed level in the window's last year.
    The baselines are fitted on the same years, series by series: ``random walk`` (the last
    observed level) and ``log-linear trend`` (OLS of the log level on the year, extrapolated).
    """

    form: Form
    fitted: tuple[int, int]
    years: tuple[int, ...]
    series: tuple[str, ...]
    rows: tuple[ForecastRow, ...]
    unit: str
    sources: list[str] = field(default_factory=list)

    def get(self, year: int, series: str, method: str) -> ForecastRow:
        """The row of one year, series and method."""
        for row in self.rows:
            if (row.year, row.series, row.method) == (year, series, method):
                return row
        raise KeyError((year, series, method))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready table (``forecast`` in ``herz fit richardson --forecast F --json``)."""
        return {
            "form": self.form,
            "fitted": list(self.fitted),
            "years": list(self.years),
            "series": list(self.series),
            "methods": ["richardson", *BASELINES],
            "unit": self.unit,
            "rows": [r.to_dict() for r in self.rows],
        }


def _baselines(
    history: FloatArray, years: FloatArray, ahead: Sequence[int]
) -> dict[str, list[float]]:
    """Random walk and log-linear trend forecasts of one positive series for years ``ahead``."""
    slope, intercept = np.polyfit(years, np.log(history), 1)
    return {
        "random walk": [float(history[-1])] * len(ahead),
        "log-linear trend": [float(np.exp(intercept + slope * y)) for y in ahead],
    }


def forecast_check(
    actors: str | Sequence[str | Sequence[str]],
    years: str | int | tuple[int, int],
    until: int,
    *,
    form: Form = "pooled",
    regressor: Regressor = "level",
    version: int = 7,
    currency: Literal["native", "USD"] = "native",
) -> ForecastCheck:
    """Fit on ``years`` (A:B), forecast B+1 ... ``until`` and score against NMC.

    ``form`` is ``per-actor`` (:func:`fit_richardson`, the two actors and their total),
    ``combined`` (:func:`fit_combined`, the total) or ``pooled`` (:func:`fit_pooled`, every
    state and the total). Each is set beside the random walk and the log-linear trend fitted
    on A:B (see :class:`ForecastCheck`).

    Raises
    ------
    InputError
        ``until`` not after B, beyond NMC's last year, or (in native currency) across the
        1913/1914 switch; and whatever the fit itself refuses.
    """
    from herz.history import datasets

    span = datasets.parse_years(years)
    assert span is not None
    start, end = span
    if isinstance(until, bool) or not isinstance(until, int | np.integer):
        raise InputError(f"forecast: expected a year, got {until!r}", field="forecast", value=until)
    if until <= end:
        raise InputError(
            f"forecast: {until} is not after the fitted years {start}:{end}; forecast a later year",
            field="forecast",
            value=until,
        )
    _, last = datasets.nmc_years(version)
    if until > last:
        raise InputError(
            f"forecast: NMC v{version}.0 ends in {last}, so {until} cannot be checked",
            field="forecast",
            value=until,
        )
    if currency == "native" and end < datasets.CURRENCY_SWITCH_YEAR <= until:
        raise InputError(
            f"forecast: {start}:{end} to {until} crosses 1913/1914, where NMC milex changes "
            "from GBP to USD; forecast within one currency or ask for currency USD",
            field="forecast",
            value=until,
        )
    if form == "pooled":
        _check_level(regressor)
    count = None if form == "pooled" else 2
    panel = milex_panel(actors, (start, until), version=version, currency=currency, count=count)
    n_fit = end - start + 1
    ahead = list(range(end + 1, until + 1))
    steps = len(ahead)
    yrs = panel.years[:n_fit]
    window = (start, end)
    predictions: dict[str, list[float]] = {}
    observed: dict[str, FloatArray] = {}
    if form == "pooled":
        pfit = fit_pooled_arrays(
            panel.values[:n_fit],
            panel.bloc,
            names=panel.members,
            blocs=panel.labels,
            years=window,
            regressor=regressor,
            unit=panel.unit,
        )
        path = pfit.forecast(steps)
        for j, m in enumerate(panel.members):
            predictions[m] = list(map(float, path[:, j]))
            observed[m] = panel.values[:, j]
        predictions["total"] = list(map(float, path.sum(axis=1)))
        observed["total"] = panel.values.sum(axis=1)
    else:
        by_actor = panel.by_actor()
        if form == "per-actor":
            rfit = fit_richardson_arrays(
                by_actor[:n_fit, 0],
                by_actor[:n_fit, 1],
                years=window,
                names=(panel.labels[0], panel.labels[1]),
                regressor=regressor,
            )
            pairs = rfit.forecast(steps)
            for j, label in enumerate(panel.labels):
                predictions[label] = [p[j] for p in pairs]
                observed[label] = by_actor[:, j]
            predictions["total"] = [p[0] + p[1] for p in pairs]
        elif form == "combined":
            cfit = fit_combined_arrays(
                by_actor[:n_fit].sum(axis=1), years=window, actors=panel.labels, regressor=regressor
            )
            predictions["total"] = cfit.forecast(steps)
        else:
            raise InputError(
                f"form: expected per-actor, combined or pooled, got {form!r}",
                field="form",
                value=form,
            )
        observed["total"] = by_actor.sum(axis=1)
    rows: list[ForecastRow] = []
    for name, values in observed.items():
        base = _baselines(values[:n_fit], yrs, ahead)
        for h, year in enumerate(ahead):
            obs = float(values[n_fit + h])
            rows.append(ForecastRow(year, name, "richardson", predictions[name][h], obs))
            for method in BASELINES:
                rows.append(ForecastRow(year, name, method, base[method][h], obs))
    return ForecastCheck(
        form=form,
        fitted=window,
        years=tuple(ahead),
        series=tuple(observed),
        rows=tuple(rows),
        unit=panel.unit,
        sources=panel.sources,
    )


# --- inside and outside arms races ---------------------------------------------------------------


@dataclass(frozen=True)
class RacePeriodFit:
    """Reaction and fatigue coefficients inside and outside the arms races of Gibler, Rider &
    Hutchison (2005), from one pooled regression (see :func:`fit_race_periods`)."""

    coefficients: dict[str, Coefficient]
    difference_k: Coefficient
    difference_a: Coefficient
    n: int
    n_inside: int
    dyads: tuple[str, ...]
    skipped: tuple[str, ...]
    window: int
    cov_type: str
    panel: Any
    sources: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "coefficients": {k: v.to_dict() for k, v in self.coefficients.items()},
            "k_inside_minus_outside": self.difference_k.to_dict(),
            "a_inside_minus_outside": self.difference_a.to_dict(),
            "n": self.n,
            "n_inside": self.n_inside,
            "dyads": list(self.dyads),
            "skipped": list(self.skipped),
            "window": self.window,
            "cov_type": self.cov_type,
            "sources": list(self.sources),
        }


def _race_panel(window: int, version: int) -> tuple[Any, list[str], list[str]]:
    """One row per (dyad, direction, year t) with the change t → t+1 (see fit_race_periods)."""
    import pandas as pd

    from herz.history import datasets

    races = datasets.load("arms_races")
    nmc = datasets.load("nmc", version=version)
    milex = {
        (int(c), int(y)): float(m)
        for c, y, m in zip(nmc["ccode"], nmc["year"], nmc["milex"], strict=True)
        if not pd.isna(m)
    }
    abb = {int(c): str(a) for c, a in zip(nmc["ccode"], nmc["stateabb"], strict=True)}
    rows: list[dict[str, Any]] = []
    used: list[str] = []
    skipped: list[str] = []
    for key, group in races.groupby(["ccode1", "ccode2"], sort=True):
        pair: tuple[Any, ...] = tuple(key) if isinstance(key, tuple) else (key,)
        c1, c2 = int(pair[0]), int(pair[1])
        spells = [(int(s), int(e)) for s, e in zip(group["styear"], group["endyear"], strict=True)]
        name = f"{abb.get(c1, c1)}-{abb.get(c2, c2)}"
        first = min(s for s, _ in spells) - window
        last = max(e for _, e in spells) + window
        n_before = len(rows)
        for own, rival in ((c1, c2), (c2, c1)):
            for t in range(first, last):
                keys = [(own, t), (own, t + 1), (rival, t), (rival, t + 1)]
                if any(key not in milex for key in keys):
                    continue
                if t + 1 == datasets.CURRENCY_SWITCH_YEAR:
                    continue  # the change 1913 -> 1914 mixes GBP and USD
                segment = "GBP" if t < datasets.CURRENCY_SWITCH_YEAR else "USD"
                inside = any(s <= t and t + 1 <= e for s, e in spells)
                rows.append(
                    {
                        "dyad": name,
                        "unit": f"{abb.get(own, own)}<-{abb.get(rival, rival)}:{segment}",
                        "year": t,
                        "inside": inside,
                        "x": milex[(own, t)],
                        "y": milex[(rival, t)],
                        "dx": milex[(own, t + 1)] - milex[(own, t)],
                    }
                )
        new = rows[n_before:]
        if any(r["inside"] for r in new) and any(not r["inside"] for r in new):
            used.append(name)
        else:
            del rows[n_before:]
            skipped.append(name)
    panel = pd.DataFrame(rows)
    scale = panel.groupby("unit")["x"].transform("mean")
    for col in ("x", "y", "dx"):
        panel[f"{col}_scaled"] = panel[col] / scale
    return panel, used, skipped


def fit_race_periods(*, window: int = 10, version: int = 7) -> RacePeriodFit:
    """Compare Richardson's coefficients inside and outside the arms races of Gibler, Rider &
    Hutchison (2005), pooled over all race dyads with NMC data.

    For every dyad with a listed race, both directions (i reacting to j and j to i) are taken
    over the years from ``window`` years before its first race to ``window`` years after its
    last. Each change Δx_t = x_{t+1} − x_t is *inside* if t and t+1 both lie in one of the
    dyad's races. The pooled regression is equation (1) with one intercept g per unit and
    separate k and a inside and outside:

        Δx_t/m_u = g_u + k_out·(1−R_t)·y_t/m_u + k_in·R_t·y_t/m_u
                       − a_out·(1−R_t)·x_t/m_u − a_in·R_t·x_t/m_u + ε_t

    where a unit u is (reacting state, rival, currency) and m_u the reacting state's mean
    milex in the unit (scaling leaves k and a unchanged and weights the dyads equally). The
    1913 → 1914 change (GBP to USD) is dropped; pre- and post-1914 years are separate units.
    Standard errors are clustered by dyad. Dyads with no change inside or none outside a race
    (e.g. missing NMC milex) are skipped and listed.
    """
    import statsmodels.api as sm

    from herz.history import datasets

    if window < 1:
        raise InputError(f"window: must be at least 1 year, got {window}", field="window")
    panel, used, skipped = _race_panel(window, version)
    units = sorted(panel["unit"].unique())
    dummies = np.column_stack([(panel["unit"] == u).to_numpy(float) for u in units])
    inside = panel["inside"].to_numpy(float)
    ys = panel["y_scaled"].to_numpy(float)
    xs = panel["x_scaled"].to_numpy(float)
    X = np.column_stack([(1 - inside) * ys, inside * ys, (1 - inside) * xs, inside * xs, dummies])
    groups = panel["dyad"].astype("category").cat.codes.to_numpy()
    res = sm.OLS(panel["dx_scaled"].to_numpy(float), X).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    coefs = {
        "k_outside": _coef(res, 0),
        "k_inside": _coef(res, 1),
        "a_outside": _coef(res, 2, sign=-1.0),
        "a_inside": _coef(res, 3, sign=-1.0),
    }

    def contrast(vec: list[float], sign: float) -> Coefficient:
        r = np.zeros(X.shape[1])
        r[: len(vec)] = vec
        tt = res.t_test(r)
        return Coefficient(
            value=sign * float(np.squeeze(tt.effect)),
            se=float(np.squeeze(tt.sd)),
            t=sign * float(np.squeeze(tt.tvalue)),
            p=float(np.squeeze(tt.pvalue)),
        )

    return RacePeriodFit(
        coefficients=coefs,
        difference_k=contrast([-1.0, 1.0], 1.0),
        difference_a=contrast([0.0, 0.0, -1.0, 1.0], -1.0),
        n=int(res.nobs),
        n_inside=int(inside.sum()),
        dyads=tuple(used),
        skipped=tuple(skipped),
        window=window,
        cov_type="cluster (dyad)",
        panel=panel,
        sources=[
            datasets.citation("nmc", version=version),
            datasets.citation("arms_races"),
            RICHARDSON_1960,
        ],
    )
