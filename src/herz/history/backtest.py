"""Out-of-sample backtests: forecast conflict among the major powers, score against history.

The model-independent half of ``herz backtest``: the panel of dyad-windows, the targets, three
baselines fitted on a training window, the scores on a later test window with moving-block
bootstrap intervals, and a report. Any other forecaster (a model's ensemble frequencies) is
passed in as a named vector aligned with the test panel and scored on the same windows, the
same targets and the same bootstrap resamples (``run_backtest(..., forecasts={...})``).

Panel
    One *dyad-window* per forecast origin ``Y`` and unordered pair of COW major powers
    (majors2016) that are both majors in ``Y`` (a major-power spell overlaps the year). The
    window is the ``H`` years ``[Y, Y + H)``.
Targets (1 if in the window, else 0)
    ``mid``
        a MID onset in the dyad: a row of the MID 5.0 directed dyad-year file (as built by
        peacesciencer, one dispute per dyad-year) with ``cowmidonset = 1`` in the window;
    ``mid4``
        such an onset whose dyadic hostility level, the higher of the two states' ``hostlev``
        in that dispute, is at least 4 (use of force);
    ``war``
        the two states entered the same COW inter-state war (v4.0) on opposite sides with
        overlapping participation, in a year of the window; the dyad's war onset is the year
        the later of the two entered. COW wars (at least 1,000 battle deaths) rather than
        MID hostility 5, because they are the standard definition of war and the list is short
        enough to read; there are few such events per era, so the event count is always shown.
Known at ``Y`` (covariates)
    Only data from year ``Y - 1`` or earlier: CINC (NMC v7.0) of year ``Y - 1``; ATOP spells in
    force in ``Y - 1`` (so no spell that began in ``Y`` or later); peace-years counted from
    dispute years before ``Y``. Origins therefore start in 1817, the first year with an NMC
    year before it.
    ``log_cap_ratio``
        ``log(CINC of the stronger / CINC of the weaker)`` in ``Y - 1``;
    ``alliance``
        1 if any ATOP 5.1 obligation (defense, offense, neutrality, non-aggression or
        consultation) binds the dyad in ``Y - 1``;
    ``peace_years``
        ``t = Y - (the last year before Y with a MID between the two, onset or ongoing)``, or
        ``Y - 1815`` when there is none since the data begin in 1816 (left-censored);
    ``recent_dispute``
        1 if the dyad had a MID (onset or ongoing) in any of the 5 years ``Y - 5 .. Y - 1``.
Training and test windows
    Training ``A:B`` uses the origins ``Y`` with ``Y + H - 1 <= B``: no target year of the
    training panel lies after ``B``. Test ``C:D`` uses the origins ``C..D``, whose targets run to
    ``D + H - 1``, which must not pass the end of the data. Training ends before the test begins
    (``B < C``).
Baselines, fitted on the training panel only
    ``climatology``: the base rate of the target over the training dyad-windows;
    ``persistence``: that rate among windows with ``recent_dispute`` = 1, and among the others;
    ``logit``: a logistic regression (statsmodels ``Logit``, maximum likelihood) of the target on
    ``log_cap_ratio``, ``alliance`` and the cubic ``t, t², t³`` of peace-years (Carter &
    Signorino 2010, 'Back to the Future: Modeling Time Dependence in Binary Data', Political
    Analysis 18(3):271–292). Capital distance is left out: no shipped table holds the major
    powers' capitals by year (Italy's and Russia's moved).
Scores and intervals
    :mod:`herz.history.scoring`: Brier, Brier skill score against climatology, log loss, AUC,
    reliability; 95% percentile intervals from a moving-block bootstrap over forecast years
    (Künsch 1989), blocks of ``H`` consecutive origins because windows of neighbouring origins
    overlap, every forecaster on the same resamples; the generator is
    ``numpy.random.default_rng(SeedSequence(seed))``.
"""

from __future__ import annotations

import html
import json
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from numpy.typing import ArrayLike

__all__ = [
    "BASELINES",
    "DATA_END",
    "FIRST_ORIGIN",
    "PERSISTENCE_YEARS",
    "TARGETS",
    "BacktestResult",
    "Climatology",
    "DyadHistory",
    "HistoryData",
    "Panel",
    "PeaceYearsLogit",
    "Persistence",
    "build_panel",
    "check_split",
    "dyad_history",
    "fit_baselines",
    "format_interval",
    "logit_design",
    "run_backtest",
]

TARGETS: dict[str, str] = {
    "mid": "MID onset in the dyad within [Y, Y+H)",
    "mid4": "MID onset at dyadic hostility level >= 4 (use of force) within [Y, Y+H)",
    "war": "the two on opposite sides of a COW inter-state war entered within [Y, Y+H)",
}
"""The targets and their one-line definitions."""

BASELINES = ("climatology", "persistence", "logit")
"""The baselines, in the order they are reported."""

DATA_FIRST_YEAR = 1816
"""First year of the MID, NMC and major-power data."""

FIRST_ORIGIN = DATA_FIRST_YEAR + 1
"""First forecast origin: its covariates come from the year before, the first year of NMC."""

DATA_END: dict[str, int] = {"mid": 2014, "mid4": 2014, "war": 2007}
"""Last year each target can be observed: MID 5.0 covers 1816–2014, COW inter-state wars
v4.0 1816–2007 (Sarkees & Wayman 2010)."""

MAJORS_END = 2016
"""Last year of the COW major-power list (majors2016)."""

PERSISTENCE_YEARS = 5
"""Persistence conditions on a MID in the dyad in the last this many years before ``Y``.
**ours**: a round half-decade, set when the backtest was written and never changed since;
``persistence_years=`` of :func:`build_panel` and :func:`run_backtest` varies it, and
docs/backtest.md lists it with the covariates and gives its sensitivity (3, 5 and 10 years)."""

LOGIT_COLUMNS = ("const", "log_cap_ratio", "alliance", "t", "t2", "t3")
"""The logit's design: an intercept, the covariates, and the cubic in peace-years."""

Forecast = Union[
    "ArrayLike", Mapping[str, "ArrayLike"], Callable[["pd.DataFrame", str], "ArrayLike"]
]
"""A forecaster's probabilities on the test panel: one vector (for one target), a mapping from
target to vector, or a function ``(test_panel, target) -> vector``. Vectors follow the rows of
``Panel.test``; a pandas Series indexed by ``(origin, ccode1, ccode2)`` is aligned by index."""


# --- data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryData:
    """The frames a backtest reads, as :func:`herz.history.datasets.load` returns them.

    Tests pass edited copies (an alliance moved, an event added) to see what the panel sees.
    """

    majors: pd.DataFrame
    mid_dyads: pd.DataFrame
    wars: pd.DataFrame
    atop: pd.DataFrame
    nmc: pd.DataFrame

    @classmethod
    def shipped(cls) -> HistoryData:
        """The datasets shipped with herz (COW majors2016, MID 5.0 dyad-years, COW wars v4.0,
        ATOP 5.1 spells, NMC v7.0)."""
        from herz.history import datasets

        return cls(
            majors=datasets.load("majors"),
            mid_dyads=datasets.load("mid", level="dyad-year"),
            wars=datasets.load("wars"),
            atop=datasets.load("atop"),
            nmc=datasets.load("nmc"),
        )

    def sources(self) -> list[str]:
        """The citations of every frame, without repeats."""
        out: list[str] = []
        for frame in (self.majors, self.mid_dyads, self.wars, self.atop, self.nmc):
            for s in frame.attrs.get("sources", []):
                if s not in out:
                    out.append(s)
        return out


@dataclass
class DyadHistory:
    """What the record says about one pair of states, by year: the years with a MID (onset or
    ongoing), MID onsets, onsets at hostility level >= 4, onsets of war between them (the year
    the later of the two entered a COW inter-state war on the other side) and the years an ATOP
    obligation bound them. The backtest's panel and the calibration's observed moments are both
    counted from it, so that the two count alike."""

    dispute_years: set[int] = field(default_factory=set)
    onsets: set[int] = field(default_factory=set)
    onsets4: set[int] = field(default_factory=set)
    wars: set[int] = field(default_factory=set)
    alliance_years: set[int] = field(default_factory=set)


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _rows(frame: pd.DataFrame) -> Iterator[Any]:
    """The rows of ``frame`` as named tuples (typed loosely: columns are read by name)."""
    return iter(frame.itertuples(index=False))


def _int(value: Any) -> int | None:
    import pandas as pd

    return None if value is None or pd.isna(value) else int(value)


def dyad_history(data: HistoryData, codes: set[int]) -> dict[tuple[int, int], DyadHistory]:
    """MID years, onsets, war onsets and alliance years of every pair among ``codes`` (COW
    codes), keyed by the pair in code order; pairs the record never mentions are absent."""
    dyads: dict[tuple[int, int], DyadHistory] = {}

    def get(a: int, b: int) -> DyadHistory:
        return dyads.setdefault(_pair(a, b), DyadHistory())

    mid = data.mid_dyads
    mid = mid[mid["ccode1"].isin(codes) & mid["ccode2"].isin(codes)]
    for row in _rows(mid):
        d = get(int(row.ccode1), int(row.ccode2))
        year = int(row.year)
        d.dispute_years.add(year)
        if _int(row.cowmidonset) == 1:
            d.onsets.add(year)
            levels = [v for v in (_int(row.hostlev1), _int(row.hostlev2)) if v is not None]
            if levels and max(levels) >= 4:
                d.onsets4.add(year)

    wars = data.wars[data.wars["ccode"].isin(codes)]
    for _, war in wars.groupby("warnum"):
        rows = list(_rows(war))
        for x, y in combinations(rows, 2):
            if int(x.ccode) == int(y.ccode) or _int(x.side) == _int(y.side):
                continue
            onset = _war_onset(_spells(x), _spells(y))
            if onset is not None:
                get(int(x.ccode), int(y.ccode)).wars.add(onset)

    atop = data.atop
    atop = atop[atop["ccode1"].isin(codes) & atop["ccode2"].isin(codes)]
    for row in _rows(atop):
        bound = any(_int(getattr(row, c)) == 1 for c in _OBLIGATIONS)
        start, end = _int(row.styear), _int(row.endyear)
        if bound and start is not None:
            d = get(int(row.ccode1), int(row.ccode2))
            d.alliance_years.update(range(start, (end if end is not None else start) + 1))
    return dyads


_OBLIGATIONS = ("atop_defense", "atop_offense", "atop_neutral", "atop_nonagg", "atop_consul")


def _spells(row: Any) -> list[tuple[int, int]]:
    out = []
    for n in (1, 2):
        start = _int(getattr(row, f"startyear{n}"))
        if start is None:
            continue
        end = _int(getattr(row, f"endyear{n}"))
        out.append((start, end if end is not None else start))
    return out


def _war_onset(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int | None:
    """First year both were in the war at once (years, inclusive), or None."""
    years = [max(sa, sb) for sa, ea in a for sb, eb in b if max(sa, sb) <= min(ea, eb)]
    return min(years) if years else None


def _majors_by_year(majors: pd.DataFrame, years: range) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    spells = [(int(r.ccode), int(r.styear), int(r.endyear)) for r in _rows(majors)]
    for y in years:
        out[y] = sorted({c for c, s, e in spells if s <= y <= e})
    return out


# --- panel -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """The training and test dyad-windows of one split, with covariates and targets.

    Each frame has one row per dyad-window: ``origin``, ``ccode1 < ccode2``, ``stateabb1``,
    ``stateabb2``, ``window_end`` (``origin + horizon - 1``), the covariates
    ``log_cap_ratio``, ``alliance``, ``peace_years``, ``recent_dispute`` and the targets
    ``mid``, ``mid4``, ``war`` (0/1). Rows are sorted by origin, then by the pair.
    """

    train: pd.DataFrame
    test: pd.DataFrame
    train_years: tuple[int, int]
    test_years: tuple[int, int]
    horizon: int
    sources: list[str]

    @property
    def train_origins(self) -> tuple[int, int]:
        """First and last origin of the training panel."""
        return (int(self.train["origin"].min()), int(self.train["origin"].max()))

    @property
    def test_origins(self) -> tuple[int, int]:
        """First and last origin of the test panel."""
        return self.test_years


def _years(value: str | int | tuple[int, int], name: str) -> tuple[int, int]:
    from herz.history.datasets import parse_years

    try:
        span = parse_years(value)
    except InputError as exc:
        message = exc.message.replace("years:", f"{name}:", 1)
        raise InputError(message, field=name, value=value) from None
    assert span is not None
    return span


def check_split(
    train: str | tuple[int, int],
    test: str | tuple[int, int],
    horizon: int,
    targets: Sequence[str] = tuple(TARGETS),
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Parse and check a split; raise :class:`InputError` naming the option and its value.

    Returns the training and test years ``(A, B), (C, D)``.
    """
    if isinstance(horizon, bool) or not isinstance(horizon, int | np.integer) or horizon < 1:
        raise InputError(
            f"horizon: the forecast horizon must be a whole number of years >= 1, got {horizon!r}.",
            field="horizon",
            value=horizon,
        )
    h = int(horizon)
    for t in targets:
        if t not in TARGETS:
            raise InputError(
                f"target: unknown target {t!r}; expected one of {', '.join(TARGETS)}.",
                field="target",
                value=t,
            )
    if len(set(targets)) != len(targets):  # the table is indexed by target (it crashed)
        raise InputError(
            f"target: {','.join(targets)} names a target twice.", field="target", value=targets
        )
    a, b = _years(train, "train")
    c, d = _years(test, "test")
    if a < DATA_FIRST_YEAR:
        raise InputError(
            f"train: {a}:{b} starts before the data begin in {DATA_FIRST_YEAR}.",
            field="train",
            value=f"{a}:{b}",
        )
    if b >= c:
        raise InputError(
            f"train: the training window {a}:{b} must end before the test window {c}:{d} "
            "begins (--train and --test).",
            field="train",
            value=f"{a}:{b}",
        )
    first = max(a, FIRST_ORIGIN)
    if b - h + 1 < first:
        raise InputError(
            f"train: {a}:{b} holds no forecast origin whose {h}-year window ends by {b} "
            f"(origins start in {FIRST_ORIGIN}); widen it or shorten --horizon.",
            field="train",
            value=f"{a}:{b}",
        )
    end = min([MAJORS_END, *(DATA_END[t] for t in targets)])
    if d + h - 1 > end:
        raise InputError(
            f"test: {c}:{d} with a {h}-year horizon needs outcomes up to {d + h - 1}, past the "
            f"end of the data in {end}; end --test by {end - h + 1}.",
            field="test",
            value=f"{c}:{d}",
        )
    return (a, b), (c, d)


def build_panel(
    train: str | tuple[int, int] = "1816:1899",
    test: str | tuple[int, int] = "1900:1913",
    horizon: int = 5,
    *,
    targets: Sequence[str] = tuple(TARGETS),
    data: HistoryData | None = None,
    persistence_years: int = PERSISTENCE_YEARS,
) -> Panel:
    """The training and test dyad-windows of a split (see the module docstring).

    ``persistence_years`` is the window of ``recent_dispute`` (default
    :data:`PERSISTENCE_YEARS`; other values for its sensitivity analysis,
    docs/ours_sensitivity.py).

    Raises
    ------
    InputError
        A malformed or out-of-range window (``train``, ``test``), a training window that does
        not end before the test window, ``horizon < 1``, an unknown target.
    """
    (a, b), (c, d) = check_split(train, test, horizon, targets)
    if (
        isinstance(persistence_years, bool)
        or not isinstance(persistence_years, int | np.integer)
        or persistence_years < 1
    ):
        raise InputError(
            f"persistence_years: must be a whole number >= 1, got {persistence_years!r}.",
            field="persistence_years",
            value=persistence_years,
        )
    h = int(horizon)
    data = data if data is not None else HistoryData.shipped()
    train_origins = range(max(a, FIRST_ORIGIN), b - h + 2)
    test_origins = range(c, d + 1)
    frames = _panel_frames(data, [train_origins, test_origins], h, int(persistence_years))
    return Panel(
        train=frames[0],
        test=frames[1],
        train_years=(a, b),
        test_years=(c, d),
        horizon=h,
        sources=data.sources(),
    )


def _panel_frames(
    data: HistoryData, origin_sets: list[range], h: int, persistence_years: int = PERSISTENCE_YEARS
) -> list[pd.DataFrame]:
    import pandas as pd

    all_years = range(min(r.start for r in origin_sets), max(r.stop for r in origin_sets))
    majors = _majors_by_year(data.majors, all_years)
    codes = {c for cs in majors.values() for c in cs}
    history = dyad_history(data, codes)
    nmc = data.nmc[data.nmc["ccode"].isin(codes)]
    cinc = {(int(r.ccode), int(r.year)): float(r.cinc) for r in _rows(nmc) if not pd.isna(r.cinc)}
    from herz.history.datasets import state_abbreviations

    abb = state_abbreviations()
    frames = []
    for origins in origin_sets:
        rows: list[dict[str, Any]] = []
        for y in origins:
            for c1, c2 in combinations(majors[y], 2):
                rows.append(
                    _window(y, c1, c2, h, history.get((c1, c2)), cinc, abb, persistence_years)
                )
        frame = pd.DataFrame(rows, columns=_PANEL_COLUMNS)
        for col in ("origin", "ccode1", "ccode2", "window_end", "alliance", "peace_years"):
            frame[col] = frame[col].astype("int64")
        for col in ("recent_dispute", *TARGETS):
            frame[col] = frame[col].astype("int64")
        frame["stateabb1"] = frame["stateabb1"].astype("string")
        frame["stateabb2"] = frame["stateabb2"].astype("string")
        frame["log_cap_ratio"] = frame["log_cap_ratio"].astype("float64")
        frames.append(frame)
    return frames


_PANEL_COLUMNS = [
    "origin",
    "ccode1",
    "ccode2",
    "stateabb1",
    "stateabb2",
    "window_end",
    "log_cap_ratio",
    "alliance",
    "peace_years",
    "recent_dispute",
    *TARGETS,
]


def _window(
    y: int,
    c1: int,
    c2: int,
    h: int,
    d: DyadHistory | None,
    cinc: dict[tuple[int, int], float],
    abb: Mapping[int, str],
    persistence_years: int = PERSISTENCE_YEARS,
) -> dict[str, Any]:
    d = d if d is not None else DyadHistory()
    known = y - 1
    x1, x2 = cinc.get((c1, known)), cinc.get((c2, known))
    if x1 is None or x2 is None or x1 <= 0 or x2 <= 0:
        ratio = float("nan")
    else:
        ratio = math.log(max(x1, x2) / min(x1, x2))
    past = [t for t in d.dispute_years if t < y]
    last = max(past) if past else DATA_FIRST_YEAR - 1
    t = y - last
    window = range(y, y + h)
    return {
        "origin": y,
        "ccode1": c1,
        "ccode2": c2,
        "stateabb1": abb.get(c1, str(c1)),
        "stateabb2": abb.get(c2, str(c2)),
        "window_end": y + h - 1,
        "log_cap_ratio": ratio,
        "alliance": int(known in d.alliance_years),
        "peace_years": t,
        "recent_dispute": int(any(y - persistence_years <= v < y for v in past)),
        "mid": int(any(v in d.onsets for v in window)),
        "mid4": int(any(v in d.onsets4 for v in window)),
        "war": int(any(v in d.wars for v in window)),
    }


# --- baselines -------------------------------------------------------------------------------


class Climatology:
    """The training base rate of the target, the same for every window."""

    name = "climatology"

    def fit(self, train: pd.DataFrame, target: str) -> Climatology:
        """Learn ``rate_`` = events / windows of the training panel."""
        y = train[target].to_numpy(dtype=np.float64)
        self.rate_ = float(y.mean())
        self.events_ = int(y.sum())
        self.windows_ = int(y.size)
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """``rate_`` for every row."""
        return np.full(len(frame), self.rate_)

    def describe(self) -> dict[str, Any]:
        """What was learned."""
        return {"rate": self.rate_, "events": self.events_, "windows": self.windows_}


class Persistence:
    """The training rate among windows with a MID in the last 5 years (``recent_dispute``, whose
    window is :func:`build_panel`'s ``persistence_years``), and among the rest.

    A group with no training window falls back to the overall training rate.
    """

    name = "persistence"

    def fit(self, train: pd.DataFrame, target: str) -> Persistence:
        """Learn ``rate_recent_`` and ``rate_quiet_``."""
        y = train[target].to_numpy(dtype=np.float64)
        recent = train["recent_dispute"].to_numpy() == 1
        overall = float(y.mean())
        self.rate_recent_ = float(y[recent].mean()) if recent.any() else overall
        self.rate_quiet_ = float(y[~recent].mean()) if (~recent).any() else overall
        self.counts_ = {
            "recent": [int(y[recent].sum()), int(recent.sum())],
            "quiet": [int(y[~recent].sum()), int((~recent).sum())],
        }
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """The group's training rate for every row."""
        recent = frame["recent_dispute"].to_numpy() == 1
        return np.where(recent, self.rate_recent_, self.rate_quiet_)

    def describe(self) -> dict[str, Any]:
        """What was learned: each group's rate and its [events, windows]."""
        return {"rate_recent": self.rate_recent_, "rate_quiet": self.rate_quiet_} | {
            f"{k}_events_windows": v for k, v in self.counts_.items()
        }


def logit_design(frame: pd.DataFrame) -> pd.DataFrame:
    """The logit's design matrix: const, log_cap_ratio, alliance, t, t², t³ (t = peace-years)."""
    import pandas as pd

    t = frame["peace_years"].to_numpy(dtype=np.float64)
    return pd.DataFrame(
        {
            "const": 1.0,
            "log_cap_ratio": frame["log_cap_ratio"].to_numpy(dtype=np.float64),
            "alliance": frame["alliance"].to_numpy(dtype=np.float64),
            "t": t,
            "t2": t**2,
            "t3": t**3,
        },
        index=frame.index,
    )


class PeaceYearsLogit:
    """Logistic regression on capability ratio, joint alliance and cubic peace-years.

    statsmodels ``Logit`` by maximum likelihood (Newton), the cubic polynomial in peace-years
    of Carter & Signorino (2010). A fit that does not converge or separates the data
    perfectly is kept (its forecasts are what maximum likelihood gives) and flagged in
    ``notes_``.

    **ours**: when forecasting, peace-years are capped at the largest value of the training
    panel (``t_max_``). A cubic extrapolates wildly: in the default split, three dyads that
    never had a MID (t of 85 to 98 years, beyond the training maximum of 80) would get a MID
    forecast of about 0.95.
    """

    name = "logit"

    def fit(self, train: pd.DataFrame, target: str) -> PeaceYearsLogit:
        """Fit ``params_`` (a Series over :data:`LOGIT_COLUMNS`) on the training panel."""
        import statsmodels.api as sm

        X = logit_design(train)
        y = train[target].to_numpy(dtype=np.float64)
        keep = np.isfinite(X.to_numpy()).all(axis=1)
        self.notes_: list[str] = []
        if not keep.all():
            self.notes_.append(f"{int((~keep).sum())} training windows without CINC left out")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit = sm.Logit(y[keep], X[keep]).fit(disp=0, maxiter=200)
            fitted = np.asarray(fit.predict(), dtype=np.float64)
        for w in caught:
            # numpy's overflow warnings from inside the Newton steps are not news
            note = str(w.message).splitlines()[0]
            if not issubclass(w.category, RuntimeWarning) and note not in self.notes_:
                self.notes_.append(note)
        self.params_ = fit.params
        self.t_max_ = int(train["peace_years"].max())
        self.bse_ = fit.bse
        self.converged_ = bool(fit.mle_retvals.get("converged", False))
        if not self.converged_:
            self.notes_.append("maximum likelihood did not converge")
        extreme = int(((fitted < 1e-8) | (fitted > 1 - 1e-8)).sum())
        if extreme:
            self.notes_.append(
                f"{extreme} of {fitted.size} training windows get a fitted probability within "
                "1e-8 of 0 or 1 (quasi-separation)"
            )
        self.nobs_ = int(fit.nobs)
        return self

    def predict(self, frame: pd.DataFrame) -> np.ndarray:
        """Fitted probabilities; a window without CINC gets the fit at the mean ratio."""
        capped = frame.assign(peace_years=frame["peace_years"].clip(upper=self.t_max_))
        X = logit_design(capped)
        ratio = X["log_cap_ratio"].to_numpy()
        if np.isnan(ratio).any():
            X.loc[np.isnan(ratio), "log_cap_ratio"] = float(np.nanmean(ratio))
        from scipy.special import expit

        eta = X.to_numpy() @ self.params_.reindex(X.columns).to_numpy()
        return np.asarray(expit(eta), dtype=np.float64)

    def describe(self) -> dict[str, Any]:
        """Coefficients, standard errors, convergence and notes."""
        return {
            "coefficients": {k: float(v) for k, v in self.params_.items()},
            "std_errors": {k: float(v) for k, v in self.bse_.items()},
            "converged": self.converged_,
            "peace_years_cap": self.t_max_,
            "nobs": self.nobs_,
            "notes": list(self.notes_),
        }


Baseline = Climatology | Persistence | PeaceYearsLogit


def fit_baselines(train: pd.DataFrame, target: str) -> dict[str, Baseline]:
    """The three baselines fitted on a training panel for one target."""
    if target not in TARGETS:
        raise InputError(
            f"target: unknown target {target!r}; expected one of {', '.join(TARGETS)}.",
            field="target",
            value=target,
        )
    return {
        "climatology": Climatology().fit(train, target),
        "persistence": Persistence().fit(train, target),
        "logit": PeaceYearsLogit().fit(train, target),
    }


# --- scoring ---------------------------------------------------------------------------------

SCORES = ("brier", "bss", "log_loss", "auc")
"""The scores of the table, in order."""


@dataclass(frozen=True)
class BacktestResult:
    """Forecasts, scores and intervals of one backtest.

    ``forecasts`` is long: one row per test window, target and forecaster (``p``, and the
    outcome ``y``). ``scores`` is long: one row per target, forecaster and score with the
    point value, the bootstrap interval (``lo``, ``hi``) and the paired difference from
    climatology (``diff``, ``diff_lo``, ``diff_hi``; NaN for the skill score, which is already
    relative to it).
    """

    panel: Panel
    targets: tuple[str, ...]
    forecasters: tuple[str, ...]
    forecasts: pd.DataFrame
    scores: pd.DataFrame
    baselines: dict[str, dict[str, Any]]
    n_boot: int
    seed: int
    level: float
    block: int
    about: dict[str, dict[str, Any]] = field(default_factory=dict)
    """What each non-baseline forecaster is (a model's posterior, draws, seed, notes), by name;
    given to :func:`run_backtest` as ``about``."""

    @property
    def horizon(self) -> int:
        """The forecast horizon H in years."""
        return self.panel.horizon

    def table(self) -> pd.DataFrame:
        """One row per forecaster and target: windows, events, and each score with its
        interval (columns ``brier``, ``brier_lo``, ``brier_hi``, ``bss``, ...)."""
        import pandas as pd

        rows = []
        for target in self.targets:
            y = self.panel.test[target]
            for name in self.forecasters:
                row: dict[str, Any] = {
                    "forecaster": name,
                    "target": target,
                    "windows": len(y),
                    "events": int(y.sum()),
                }
                sel = self.scores[(self.scores["target"] == target)]
                sel = sel[sel["forecaster"] == name].set_index("score").reindex(list(SCORES))
                cells = {col: sel[col].to_numpy(dtype=np.float64) for col in ("value", "lo", "hi")}
                for i, s in enumerate(SCORES):
                    row[s] = float(cells["value"][i])
                    row[f"{s}_lo"] = float(cells["lo"][i])
                    row[f"{s}_hi"] = float(cells["hi"][i])
                rows.append(row)
        return pd.DataFrame(rows)

    def differences(self) -> pd.DataFrame:
        """Each forecaster's score minus climatology's, with paired bootstrap intervals."""
        s = self.scores
        keep = (s["score"] != "bss") & (s["forecaster"] != "climatology")
        return s.loc[keep, ["target", "forecaster", "score", "diff", "diff_lo", "diff_hi"]]

    def reliability(self, bins: int = 10) -> pd.DataFrame:
        """Reliability curves: per target, forecaster and forecast bin, the count of windows,
        the mean forecast and the observed frequency."""
        import pandas as pd

        from herz.history.scoring import reliability_curve

        parts = []
        for (target, name), g in self.forecasts.groupby(["target", "forecaster"], sort=False):
            curve = reliability_curve(g["p"], g["y"], bins=bins)
            part = pd.DataFrame(curve)
            part.insert(0, "forecaster", str(name))
            part.insert(0, "target", str(target))
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    def summary(self) -> dict[str, Any]:
        """Everything but the per-window forecasts, as plain JSON-ready values."""
        from herz._version import __version__

        summary: dict[str, Any] = _clean(
            {
                "train": list(self.panel.train_years),
                "test": list(self.panel.test_years),
                "train_origins": list(self.panel.train_origins),
                "test_origins": list(self.panel.test_origins),
                "horizon": self.horizon,
                "targets": {t: TARGETS[t] for t in self.targets},
                "forecasters": list(self.forecasters),
                "bootstrap": {
                    "method": "moving-block over forecast years (Kunsch 1989), percentile",
                    "replicates": self.n_boot,
                    "block_years": self.block,
                    "level": self.level,
                    "seed": self.seed,
                },
                "windows": {"train": len(self.panel.train), "test": len(self.panel.test)},
                "train_events": {t: int(self.panel.train[t].sum()) for t in self.targets},
                "table": self.table().to_dict(orient="records"),
                "differences": self.differences().to_dict(orient="records"),
                "reliability": self.reliability().to_dict(orient="records"),
                "baselines": self.baselines,
                **({"models": self.about} if self.about else {}),
                "sources": self.panel.sources,
                "herz_version": __version__,
            }
        )
        return summary

    def to_json(self) -> str:
        """:meth:`summary` as JSON text (non-finite numbers as null)."""
        return json.dumps(self.summary(), indent=2, ensure_ascii=False)

    def to_markdown(self) -> str:
        """The table, the differences from climatology and the settings, as Markdown."""
        lines = [
            f"Backtest: train {_span(self.panel.train_years)}, test "
            f"{_span(self.panel.test_years)}, horizon {self.horizon} years; "
            f"{len(self.panel.train)} training and {len(self.panel.test)} test dyad-windows; "
            f"{self.n_boot} moving-block bootstrap replicates (blocks of {self.block} years, "
            f"seed {self.seed}), {self.level:.0%} intervals.",
            "",
            "| forecaster | target | windows | events | Brier | BSS | log loss | AUC |",
            "|---|---|---:|---:|---|---|---|---|",
        ]
        for row in self.table().to_dict(orient="records"):
            cells = [
                row["forecaster"],
                row["target"],
                str(row["windows"]),
                str(row["events"]),
                *(format_interval(row, s) for s in SCORES),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        for name, info in self.about.items():
            lines += ["", f"{name}: {_about_line(info)}"]
            lines += [f"- {note}" for note in info.get("notes", [])]
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """A self-contained HTML report: settings, table, differences, reliability diagrams
        (inline SVG), definitions and sources."""
        esc = html.escape
        table = self.table()
        head = "".join(
            f"<th>{esc(c)}</th>"
            for c in ("forecaster", "target", "windows", "events", "Brier", "BSS", "log loss")
        )
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{esc(str(v))}</td>"
                for v in (
                    r["forecaster"],
                    r["target"],
                    r["windows"],
                    r["events"],
                    *(format_interval(r, s) for s in SCORES[:3]),
                )
            )
            + f"<td>{esc(format_interval(r, 'auc'))}</td></tr>"
            for r in table.to_dict(orient="records")
        )
        diffs = "".join(
            f"<tr><td>{esc(str(r['target']))}</td><td>{esc(str(r['forecaster']))}</td>"
            f"<td>{esc(str(r['score']))}</td><td>{esc(_num(r['diff']))} "
            f"[{esc(_num(r['diff_lo']))}, {esc(_num(r['diff_hi']))}]</td></tr>"
            for r in self.differences().to_dict(orient="records")
        )
        rel = self.reliability()
        figures = "".join(
            f"<figure><figcaption>{esc(t)}</figcaption>{_svg_reliability(rel[rel['target'] == t])}"
            "</figure>"
            for t in self.targets
        )
        defs = "".join(f"<li><b>{esc(k)}</b>: {esc(v)}</li>" for k, v in TARGETS.items())
        sources = "".join(f"<li>{esc(s)}</li>" for s in self.panel.sources)
        models = "".join(
            f"<h2>{esc(name)}</h2><p>{esc(_about_line(info))}</p><ul>"
            + "".join(f"<li>{esc(str(n))}</li>" for n in info.get("notes", []))
            + "</ul>"
            for name, info in self.about.items()
        )
        settings = esc(self.to_markdown().splitlines()[0])
        return (
            "<!DOCTYPE html><html><head><meta charset='utf-8'><title>herz backtest</title>"
            f"<style>{_STYLE}</style></head><body><h1>herz backtest</h1><p>{settings}</p>"
            f"<h2>Scores</h2><table><tr>{head}<th>AUC</th></tr>{body}</table>"
            "<p class='small'>Brier and log loss: lower is better; BSS: skill against "
            "climatology (above 0 is better); AUC: 0.5 is no discrimination.</p>"
            "<h2>Difference from climatology (paired bootstrap)</h2><table><tr><th>target</th>"
            f"<th>forecaster</th><th>score</th><th>difference [interval]</th></tr>{diffs}</table>"
            f"<h2>Reliability</h2>{figures}{models}<h2>Targets</h2><ul>{defs}</ul>"
            f"<h2>Sources</h2><ul>{sources}</ul></body></html>\n"
        )

    def write_report(self, path: str | Path) -> Path:
        """Write :meth:`to_html` (``.html``) or :meth:`to_markdown` (``.md``) to ``path``."""
        target = Path(path)
        text = self.to_markdown() if target.suffix == ".md" else self.to_html()
        target.write_text(text, encoding="utf-8")
        return target


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;"
    "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
    "padding:.25em .6em;text-align:left;vertical-align:top}th{background:#f4f4f4}"
    "figure{display:inline-block;margin:0 1em 1em 0}.small{color:#666;font-size:.9em}"
)

_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")


def _svg_reliability(rel: pd.DataFrame, size: int = 260) -> str:
    """A reliability diagram as inline SVG: observed frequency against mean forecast per bin,
    marker area by count, the diagonal for perfect reliability."""
    pad = 30
    span = size - 2 * pad

    def xy(px: float, py: float) -> tuple[float, float]:
        return pad + px * span, size - pad - py * span

    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{size + 110}' height='{size}'>",
        f"<rect x='{pad}' y='{pad}' width='{span}' height='{span}' fill='none' stroke='#999'/>",
        f"<line x1='{pad}' y1='{size - pad}' x2='{size - pad}' y2='{pad}' stroke='#bbb' "
        "stroke-dasharray='4 3'/>",
        f"<text x='{size / 2}' y='{size - 8}' font-size='10' text-anchor='middle'>"
        "mean forecast</text>",
        f"<text x='10' y='{size / 2}' font-size='10' text-anchor='middle' "
        f"transform='rotate(-90 10 {size / 2})'>observed frequency</text>",
    ]
    for i, (name, g) in enumerate(rel.groupby("forecaster", sort=False)):
        colour = _COLOURS[i % len(_COLOURS)]
        total = max(int(g["n"].sum()), 1)
        g = g[g["n"] > 0]
        pts = [xy(float(r.mean_forecast), float(r.observed)) for r in _rows(g)]
        if len(pts) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
            parts.append(f"<polyline points='{path}' fill='none' stroke='{colour}'/>")
        for (x, y), n in zip(pts, g["n"], strict=True):
            r = 2 + 10 * math.sqrt(int(n) / total)
            parts.append(
                f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{r:.1f}' fill='{colour}' "
                f"fill-opacity='.6'><title>{html.escape(str(name))}: {int(n)} windows</title>"
                "</circle>"
            )
        parts.append(
            f"<text x='{size + 4}' y='{pad + 14 * i + 10}' font-size='11' fill='{colour}'>"
            f"{html.escape(str(name))}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _about_line(info: Mapping[str, Any]) -> str:
    """One line naming a model forecaster's posterior, ensemble and seed."""
    parts = [f"posterior {info.get('posterior', '?')}"]
    if "draws" in info:
        parts.append(
            f"{info['draws']} draws x {info.get('runs_per_draw', 1)} run(s) per origin "
            f"(n = {info.get('runs_per_origin', info['draws'])})"
        )
    if "seed" in info:
        parts.append(f"seed {info['seed']}")
    if "seconds" in info:
        parts.append(f"{info['seconds']} s")
    return "; ".join(parts)


def _span(years: tuple[int, int]) -> str:
    return f"{years[0]}:{years[1]}"


def _num(value: Any) -> str:
    v = float(value)
    return "—" if not math.isfinite(v) else f"{v:.3f}"


def format_interval(row: Mapping[Any, Any], score: str) -> str:
    """``"value [lo, hi]"`` of one score of a :meth:`BacktestResult.table` row, 3 decimals."""
    return f"{_num(row[score])} [{_num(row[f'{score}_lo'])}, {_num(row[f'{score}_hi'])}]"


def _clean(obj: Any) -> Any:
    if isinstance(obj, float | np.floating):
        v = float(obj)
        return v if math.isfinite(v) else None
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def _align(name: str, target: str, spec: Forecast, test: pd.DataFrame, several: bool) -> np.ndarray:
    import pandas as pd

    where = f"forecasts[{name!r}]"
    value: Any
    if callable(spec):
        value = spec(test, target)
    elif isinstance(spec, Mapping):
        if target not in spec:
            raise InputError(
                f"{where}: no forecast for target {target!r}.", field="forecasts", value=name
            )
        value = spec[target]
    else:
        if several:
            raise InputError(
                f"{where}: one vector for several targets; give {{target: vector}} or a "
                "function (test_panel, target) -> vector.",
                field="forecasts",
                value=name,
            )
        value = spec
    if isinstance(value, pd.Series) and isinstance(value.index, pd.MultiIndex):
        key = pd.MultiIndex.from_frame(test[["origin", "ccode1", "ccode2"]])
        value = value.reindex(key)
    arr = np.asarray(value, dtype=np.float64).ravel()
    if arr.size != len(test):
        raise InputError(
            f"{where}: {arr.size} forecasts for {target!r}, expected one per test window "
            f"({len(test)}).",
            field="forecasts",
            value=name,
        )
    if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
        raise InputError(
            f"{where}: forecasts for {target!r} must be probabilities in [0, 1] for every "
            "test window.",
            field="forecasts",
            value=name,
        )
    return arr


def run_backtest(
    train: str | tuple[int, int] = "1816:1899",
    test: str | tuple[int, int] = "1900:1913",
    horizon: int = 5,
    *,
    targets: str | Sequence[str] = tuple(TARGETS),
    forecasts: Mapping[str, Forecast] | None = None,
    n_boot: int = 1000,
    seed: int | None = None,
    level: float = 0.95,
    data: HistoryData | None = None,
    panel: Panel | None = None,
    about: Mapping[str, Mapping[str, Any]] | None = None,
    persistence_years: int = PERSISTENCE_YEARS,
) -> BacktestResult:
    """Fit the baselines on ``train``, forecast ``test``, score everything with intervals.

    Parameters
    ----------
    train, test:
        Year ranges ``"A:B"`` or ``(A, B)``, inclusive (see the module docstring).
    horizon:
        ``H``, the window length in years.
    targets:
        ``"mid"``, ``"mid4"``, ``"war"`` or several of them.
    forecasts:
        More forecasters by name, each a :data:`Forecast` on ``panel.test``'s rows (build the
        panel first with :func:`build_panel` and pass it as ``panel``).
    n_boot:
        Bootstrap replicates (0: no intervals).
    seed:
        Root of the bootstrap's ``SeedSequence`` (None: fresh entropy, recorded in the result).
    level:
        Coverage of the percentile intervals.
    data, panel:
        Other data (tests), or a panel already built for this split.
    about:
        What each forecaster of ``forecasts`` is, by name (for a model:
        :meth:`herz.forecast.ModelForecast.describe`); it goes into the JSON summary as
        ``models`` and into the reports.
    persistence_years:
        The window of ``recent_dispute`` when the panel is built here (see
        :func:`build_panel`); a ``panel`` given keeps its own.

    Raises
    ------
    InputError
        Bad windows, horizon or target (see :func:`check_split`), bad ``n_boot`` or ``level``,
        a forecast vector of the wrong length or outside [0, 1], a name taken by a baseline.
    """
    import pandas as pd

    from herz.history.scoring import BootstrapScores, moving_block_indices

    wanted = (targets,) if isinstance(targets, str) else tuple(targets)
    if not wanted:
        raise InputError("target: give at least one target.", field="target")
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 0:
        raise InputError(
            f"n_boot: the number of bootstrap replicates must be >= 0, got {n_boot!r}.",
            field="n_boot",
            value=n_boot,
        )
    if not 0 < level < 1:
        raise InputError(f"level: must lie in (0, 1), got {level!r}.", field="level", value=level)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise InputError(
            f"seed: must be a whole number >= 0, got {seed!r}.", field="seed", value=seed
        )
    extra = dict(forecasts or {})
    for name in extra:
        if name in BASELINES:
            raise InputError(
                f"forecasts: the name {name!r} is a baseline's; choose another.",
                field="forecasts",
                value=name,
            )
    if panel is None:
        panel = build_panel(
            train, test, horizon, targets=wanted, data=data, persistence_years=persistence_years
        )
    else:
        check_split(panel.train_years, panel.test_years, panel.horizon, wanted)
    seq = np.random.SeedSequence(seed)
    root = int(seq.entropy)  # type: ignore[arg-type]
    rng = np.random.default_rng(seq)
    test_frame = panel.test
    c = panel.test_years[0]
    years = (test_frame["origin"].to_numpy(dtype=np.int64) - c).astype(np.int64)
    n_years = panel.test_years[1] - c + 1
    block = min(panel.horizon, n_years)
    index = moving_block_indices(n_years, block, n_boot, rng) if n_boot else None
    names = (*BASELINES, *extra)
    alpha = (1 - level) / 2
    long_rows: list[pd.DataFrame] = []
    score_rows: list[dict[str, Any]] = []
    fitted: dict[str, dict[str, Any]] = {}
    for target in wanted:
        base = fit_baselines(panel.train, target)
        fitted[target] = {k: v.describe() for k, v in base.items()}
        cols = [base[k].predict(test_frame) for k in BASELINES]
        cols += [_align(k, target, v, test_frame, len(wanted) > 1) for k, v in extra.items()]
        P = np.column_stack(cols)
        y = test_frame[target].to_numpy(dtype=np.float64)
        scorer = BootstrapScores(P, y, years, n_years)
        point = scorer.point()
        point["bss"] = 1 - point["brier"] / point["brier"][0]
        reps = scorer.resampled(index) if index is not None else None
        if reps is not None:
            with np.errstate(invalid="ignore", divide="ignore"):
                reps["bss"] = 1 - reps["brier"] / reps["brier"][:, :1]
        for j, name in enumerate(names):
            for s in SCORES:
                row: dict[str, Any] = {
                    "target": target,
                    "forecaster": name,
                    "score": s,
                    "value": float(point[s][j]),
                }
                row["diff"] = float("nan") if s == "bss" else float(point[s][j] - point[s][0])
                if reps is None:
                    row |= {"lo": np.nan, "hi": np.nan, "diff_lo": np.nan, "diff_hi": np.nan}
                else:
                    lo, hi = _quantiles(reps[s][:, j], alpha)
                    row |= {"lo": lo, "hi": hi}
                    if s == "bss":
                        row |= {"diff_lo": np.nan, "diff_hi": np.nan}
                    else:
                        dlo, dhi = _quantiles(reps[s][:, j] - reps[s][:, 0], alpha)
                        row |= {"diff_lo": dlo, "diff_hi": dhi}
                score_rows.append(row)
        for j, name in enumerate(names):
            part = test_frame[["origin", "ccode1", "ccode2", "stateabb1", "stateabb2"]].copy()
            part.insert(0, "forecaster", name)
            part.insert(0, "target", target)
            part["p"] = P[:, j]
            part["y"] = y.astype(np.int64)
            long_rows.append(part)
    return BacktestResult(
        panel=panel,
        targets=wanted,
        forecasters=names,
        forecasts=pd.concat(long_rows, ignore_index=True),
        scores=pd.DataFrame(score_rows),
        baselines=fitted,
        n_boot=int(n_boot),
        seed=root,
        level=level,
        block=block,
        about={str(k): dict(v) for k, v in (about or {}).items() if k in extra},
    )


def _quantiles(values: np.ndarray, alpha: float) -> tuple[float, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return float("nan"), float("nan")
    lo, hi = np.quantile(finite, [alpha, 1 - alpha])
    return float(lo), float(hi)
