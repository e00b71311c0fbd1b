"""The moments of the historical record a calibration matches, computed the same way on simulated
and on observed worlds.

An *era* ``A:B`` with horizon ``H`` is cut into forecast origins ``Y`` spaced ``H`` years apart,
from ``max(A, 1817)`` while the window ``[Y, Y + H)`` ends by ``B`` (so no observed year lies
outside the training window; 1817 is the first origin with an NMC year before it, as in
:mod:`herz.history.backtest`). Each origin's world is
:func:`herz.history.from_history.scenario_known_at` ``(Y)``: the major powers of ``Y`` with NMC
values in ``Y − 1`` and the ATOP alliances in force in ``Y − 1``. Its dyads are the pairs of
those states, observed and simulated alike (a major power left out of the scenario for want of
NMC data is left out of the observed moments too).

Targets (rates pooled over all origins: events / dyad-years, means over state-windows)

``mid``
    MID onsets per major-power dyad-year. Observed: dyad-years ``t ∈ [Y, Y + H)`` with a MID
    onset (``cowmidonset = 1`` in the MID 5.0 dyad-year file, one dispute per dyad-year as
    peacesciencer builds it), counted by :mod:`herz.history.backtest`'s own dyad history.
    Simulated: dyad-years with at least one spiral ``crisis`` event between the two states (a
    crisis is a militarized confrontation that may or may not end in war; the spiral has no
    lower rung, so every crisis is read as a MID, at any hostility level: **ours**).
``war``
    War onsets per major-power dyad-year. Observed: the dyad's COW inter-state war onsets in
    the window (the two on opposite sides with overlapping participation; the year the later
    one entered; :mod:`herz.history.backtest`). Simulated: dyads that fought each other in the
    run (``p_dyad_war``), at most one per dyad and window, as in the record over five years.
``alliance``
    Alliance formations per major-power dyad-year. Observed: years ``t`` of the window in which
    an ATOP 5.1 obligation (defense, offense, neutrality, non-aggression or consultation) binds
    the dyad and none bound it in ``t − 1``. Simulated: ``alliance_formed`` events (the
    spiral's balancing ties, Walt 1987; the scenario's own treaties are fixed and do not form).
``milex_growth``
    Mean annual log growth of the major powers' military spending over the window. Observed:
    ``log(milex[Y + H − 1] / milex[Y − 1]) / H`` from NMC v7.0 (the scenario starts from the
    spending of ``Y − 1``), averaged over the states with positive values in both years.
    Simulated: ``log(spending[t = H] / military[t = 0]) / H`` per state, averaged the same way.
    NMC's unit changes from pounds to dollars in 1914, so a window that spans 1913–1914 is not
    valid for this target (an InputError says so).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np

from herz.errors import InputError

if TYPE_CHECKING:
    from numpy.typing import NDArray

    from herz.history.backtest import HistoryData
    from herz.scenario import Scenario

__all__ = [
    "TARGETS",
    "World",
    "era_origins",
    "era_worlds",
    "observed_moments",
    "simulated_moments",
]

TARGETS: dict[str, str] = {
    "mid": "MID onsets (simulated: crises) per major-power dyad-year",
    "war": "war onsets (two majors on opposite sides of a war) per major-power dyad-year",
    "alliance": "alliance formations (ATOP obligation begins; simulated: balancing tie forms) "
    "per major-power dyad-year",
    "milex_growth": "mean annual log growth of the major powers' military spending",
}
"""The targets a calibration can match, with one-line definitions (module docstring: details)."""

FIRST_ORIGIN = 1817
"""First origin: its scenario is built from 1816, the first year of NMC."""


@dataclass(frozen=True)
class World:
    """One forecast origin of an era: the scenario known at ``origin`` and its states' ccodes."""

    origin: int
    scenario: Scenario
    ccodes: tuple[int, ...]

    @property
    def n_dyads(self) -> int:
        """Pairs of states in the scenario."""
        n = len(self.ccodes)
        return n * (n - 1) // 2


def era_origins(years: tuple[int, int], horizon: int) -> list[int]:
    """Origins ``Y = max(A, 1817), … `` every ``horizon`` years with ``Y + H − 1 <= B``."""
    a, b = years
    first = max(a, FIRST_ORIGIN)
    out = list(range(first, b - horizon + 2, horizon))
    if not out:
        raise InputError(
            f"years: {a}:{b} holds no {horizon}-year window (origins start in {FIRST_ORIGIN}); "
            "widen --years or shorten --horizon.",
            field="years",
            value=f"{a}:{b}",
        )
    return out


def era_worlds(years: tuple[int, int], horizon: int) -> list[World]:
    """The scenarios known at each origin of the era (:func:`era_origins`)."""
    from herz.history.from_history import scenario_known_at

    worlds = []
    for y in era_origins(years, horizon):
        sc = scenario_known_at(y, steps=horizon)
        codes = tuple(int(s.ccode) for s in sc.states if s.ccode is not None)
        if len(codes) != len(sc.states):  # pragma: no cover - from_history always sets ccode
            raise InputError(f"years: the scenario known at {y} lacks COW codes", field="years")
        worlds.append(World(origin=y, scenario=sc, ccodes=codes))
    return worlds


def _check_growth_window(worlds: Sequence[World], horizon: int) -> None:
    for w in worlds:
        if w.origin - 1 <= 1913 < w.origin + horizon - 1:
            raise InputError(
                f"years: the window {w.origin}:{w.origin + horizon - 1} spans NMC's change of "
                "unit from pounds (to 1913) to dollars (from 1914); milex_growth cannot be "
                "compared across it. Choose --years that do not span 1913-1914 or drop "
                "milex_growth from --targets.",
                field="years",
                value=f"{w.origin}:{w.origin + horizon - 1}",
            )


def _check_data_coverage(
    worlds: Sequence[World], horizon: int, targets: Sequence[str], data: HistoryData
) -> None:
    """Every window must end within the data of each target: a year after a dataset's end
    would count as a year without events, in the numerator and the dyad-years alike, and bias
    the observed rate down (the backtest refuses such windows the same way)."""
    from herz.history.backtest import DATA_END

    if not worlds:
        return
    last = max(w.origin for w in worlds) + horizon - 1
    milex = data.nmc.dropna(subset=["milex"])
    ends = {
        "mid": (DATA_END["mid"], "MID 5.0"),
        "war": (DATA_END["war"], "the COW inter-state war data v4.0"),
        "alliance": (int(data.atop["endyear"].max()), "ATOP 5.1"),
        "milex_growth": (int(milex["year"].max()), "NMC's military spending"),
    }
    for t in targets:
        end, name = ends[t]
        if last > end:
            raise InputError(
                f"years: the era's last {horizon}-year window ends in {last}, after the end of "
                f"{name} in {end} (target {t}); end the era by {end}, or leave {t} out of "
                "--targets.",
                field="years",
                value=last,
            )


def observed_moments(
    worlds: Sequence[World],
    horizon: int,
    targets: Sequence[str],
    data: HistoryData | None = None,
) -> dict[str, float]:
    """The targets' values in the historical record (module docstring), pooled over ``worlds``.

    Event histories come from :mod:`herz.history.backtest` (the same MID, war and alliance
    rules as the backtest panel); only years inside the windows are read.
    """
    from herz.history.backtest import HistoryData, dyad_history

    data = data if data is not None else HistoryData.shipped()
    _check_data_coverage(worlds, horizon, targets, data)
    if "milex_growth" in targets:
        _check_growth_window(worlds, horizon)
    codes = {c for w in worlds for c in w.ccodes}
    history = dyad_history(data, codes)
    nmc = data.nmc[data.nmc["ccode"].isin(codes)].dropna(subset=["milex"])
    milex = {
        (int(c), int(y)): float(v)
        for c, y, v in zip(nmc["ccode"], nmc["year"], nmc["milex"], strict=True)
    }
    mids = wars = forms = dyad_years = 0
    growth: list[float] = []
    for w in worlds:
        window = range(w.origin, w.origin + horizon)
        for c1, c2 in combinations(sorted(w.ccodes), 2):
            d = history.get((c1, c2))
            dyad_years += horizon
            if d is None:
                continue
            mids += sum(t in d.onsets for t in window)
            wars += sum(t in d.wars for t in window)
            forms += sum(t in d.alliance_years and t - 1 not in d.alliance_years for t in window)
        for c in w.ccodes:
            m0 = milex.get((c, w.origin - 1), 0.0)
            m1 = milex.get((c, w.origin + horizon - 1), 0.0)
            if m0 > 0 and m1 > 0:
                growth.append(math.log(m1 / m0) / horizon)
    values = {
        "mid": mids / dyad_years,
        "war": wars / dyad_years,
        "alliance": forms / dyad_years,
        "milex_growth": float(np.mean(growth)) if growth else 0.0,
    }
    return {t: values[t] for t in targets}


def observed_counts(
    worlds: Sequence[World],
    horizon: int,
    data: HistoryData | None = None,
    targets: Sequence[str] = ("mid", "war", "alliance"),
) -> dict[str, int]:
    """Dyad-years, state-windows and event counts behind :func:`observed_moments`, for the
    event ``targets`` among mid, war and alliance (those the windows' data cover)."""
    events = tuple(t for t in ("mid", "war", "alliance") if t in targets)
    rates = observed_moments(worlds, horizon, events, data)
    dyad_years = sum(w.n_dyads for w in worlds) * horizon
    out = {k: round(v * dyad_years) for k, v in rates.items()}
    out["dyad_years"] = dyad_years
    out["state_windows"] = sum(len(w.ccodes) for w in worlds)
    return out


def simulated_moments(
    model: str,
    worlds: Sequence[World],
    horizon: int,
    targets: Sequence[str],
    overrides: Mapping[str, Any],
    seed: int,
    stream_key: Sequence[int],
) -> dict[str, float]:
    """The targets in one simulated history: one run of ``model`` from each world for
    ``horizon`` steps, run ``j`` (world j) drawing from
    ``SeedSequence(seed, spawn_key=(*stream_key, j, 0))``."""
    from herz.simulation import simulate

    crises = wars = forms = dyad_years = 0
    growth: list[float] = []
    for j, w in enumerate(worlds):
        res = simulate(
            w.scenario,
            model,
            steps=horizon,
            runs=1,
            seed=seed,
            stream_key=(*stream_key, j),
            overrides=dict(overrides),
            keep="series",
        )
        dyad_years += w.n_dyads * horizon
        ev = res.events
        if ev is not None and len(ev):
            kind = ev["kind"].astype(str).to_numpy()
            pairs = ev["states"].to_numpy()
            steps = ev["t"].to_numpy()
            dyad = ["-".join(sorted(str(p).split(","))) for p in pairs]
            rows = list(zip(kind, dyad, steps, strict=True))
            crises += len({(p, t) for k, p, t in rows if k == "crisis"})
            forms += len({(p, t) for k, p, t in rows if k == "alliance_formed"})
        wars += round(sum(res.summary.get("p_dyad_war", {}).values()))
        series = res.series
        if series is not None:
            start = {s.id: s.military for s in w.scenario.states}
            last = series[series["t"] == horizon]
            for sid, spend in zip(last["state"].astype(str), last["spending"], strict=True):
                m0 = start[sid]
                if spend > 0 and m0 > 0:
                    growth.append(math.log(float(spend) / m0) / horizon)
    values = {
        "mid": crises / dyad_years,
        "war": wars / dyad_years,
        "alliance": forms / dyad_years,
        "milex_growth": float(np.mean(growth)) if growth else -1.0,
    }
    return {t: values[t] for t in targets}


def simulated_moments_batch(
    model: str,
    worlds: Sequence[World],
    horizon: int,
    targets: Sequence[str],
    overrides: Mapping[str, Any],
    run_overrides: Mapping[str, Any],
    seed: int,
    stream_key: Sequence[int],
    run_offset: int,
    runs: int,
) -> dict[str, NDArray[np.float64]]:
    """:func:`simulated_moments` for ``runs`` histories at once, one value per history.

    History k is run ``run_offset + k`` of every world: world j's run draws from
    ``SeedSequence(seed, spawn_key=(*stream_key, j, run_offset + k))``, with the k-th value of
    each ``run_overrides`` path (the model's ``run_parameters``) on top of ``overrides``. One
    vectorized call per world instead of one call per history and world. History k is the
    history :func:`simulated_moments` would make with the same values as overrides from the
    same streams (tested; the mean growth may differ in the last bit, summed in another order).
    """
    import pandas as pd

    from herz.simulation import simulate

    crises = np.zeros(runs)
    wars = np.zeros(runs)
    forms = np.zeros(runs)
    growth_sum = np.zeros(runs)
    growth_n = np.zeros(runs)
    dyad_years = 0
    for j, w in enumerate(worlds):
        res = simulate(
            w.scenario,
            model,
            steps=horizon,
            runs=runs,
            seed=seed,
            stream_key=(*stream_key, j),
            run_offset=run_offset,
            overrides=dict(overrides),
            run_overrides=run_overrides,
            keep="series",
        )
        dyad_years += w.n_dyads * horizon
        ev = res.events
        if ev is not None and len(ev):
            kind = ev["kind"].astype(str)
            sel = ev[kind.isin(["crisis", "alliance_formed"]).to_numpy()]
            if len(sel):
                dyad = ["-".join(sorted(str(p).split(","))) for p in sel["states"]]
                frame = pd.DataFrame(
                    {
                        "run": sel["run"].to_numpy() - run_offset,
                        "kind": sel["kind"].astype(str).to_numpy(),
                        "dyad": dyad,
                        "t": sel["t"].to_numpy(),
                    }
                ).drop_duplicates()
                for name, into in (("crisis", crises), ("alliance_formed", forms)):
                    runs_of = frame.loc[frame["kind"] == name, "run"].to_numpy()
                    np.add.at(into, runs_of, 1.0)
        out = res.outcomes
        if out is not None:
            fought = out["dyads_fought"].astype(str).to_numpy()
            n_fought = np.array([len(f.split(",")) if f else 0 for f in fought], dtype=float)
            wars[out["run"].to_numpy() - run_offset] += n_fought
        series = res.series
        if series is not None:
            m0 = {s.id: s.military for s in w.scenario.states}
            last = series[series["t"] == horizon]
            spend = last["spending"].to_numpy(dtype=float)
            start = np.array([m0[str(s)] for s in last["state"]], dtype=float)
            ok = (spend > 0) & (start > 0)
            run = last["run"].to_numpy() - run_offset
            g = np.zeros(spend.size)
            g[ok] = np.log(spend[ok] / start[ok]) / horizon
            np.add.at(growth_sum, run[ok], g[ok])
            np.add.at(growth_n, run[ok], 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_growth = np.where(growth_n > 0, growth_sum / np.maximum(growth_n, 1), -1.0)
    values = {
        "mid": crises / dyad_years,
        "war": wars / dyad_years,
        "alliance": forms / dyad_years,
        "milex_growth": mean_growth,
    }
    return {t: values[t] for t in targets}
