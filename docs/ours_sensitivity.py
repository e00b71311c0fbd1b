"""Sensitivity of herz's own ("ours") model constants that no source gives a number for.

Each constant below is labelled **ours** in its registry and in the docs ("Constants of the
code" in docs/richardson.md, "Constants of the kernel" in docs/games.md, "Constants of the
scenarios from history" in docs/history.md, the covariates table in docs/backtest.md). This
script varies each one through the keyword that carries it (the default is the constant, so the
shipped results are unchanged) and prints, as Markdown tables, what moves on the outcomes the
docs report for that model:

1. Richardson: ``coefficients_from_scenario(distinguishability_weight=, reassurance_reaction=)``
   on the built-in scenarios; regime, largest eigenvalue and total equilibrium. Deterministic.
2. Iterated games: ``grit(initiative)``, ``defensive_realist(cap)``,
   ``offensive_realist(window, cap)`` in a round robin of tit-for-tat, grim, grit, the two
   realists and the defector, 200 turns, at no noise, misperception 0.05 and noise 0.05
   (``REPETITIONS`` repetitions, seed ``TOURNAMENT_SEED``); initiative 1..6, cap 1..10,
   window 1..3.
3. Scenarios from history: ``scenario_known_at(Y, burden=, reliability=)`` (the worlds of the
   calibration and of the spiral's backtest) for 1910, 1931 and 1951 (built from the data of
   1909, 1930 and 1950, one for each default burden), with the burden halved and doubled and
   every alliance kind's reliability shifted by ±0.2; the spiral run on each for 5 years (the
   calibration's horizon) at the shipped posterior's medians (``RUNS`` runs, seed
   ``SPIRAL_SEED``).
4. The backtest's persistence window: ``run_backtest(persistence_years=)`` at 3, 5 and 10
   years on the two splits of docs/backtest.md (1,000 bootstrap replicates, seed 1).

    python docs/ours_sensitivity.py            # about 30 s on 2 cores
    python docs/ours_sensitivity.py --runs 2000 --repetitions 50    # a quicker look
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

import herz
from herz.analysis import wilson_interval
from herz.calibration.posterior import Posterior
from herz.history.backtest import PERSISTENCE_YEARS, run_backtest
from herz.history.from_history import RELIABILITY, default_burden, scenario_known_at
from herz.models.iterated.kernel import (
    GRIT_INITIATIVE,
    OFFENSIVE_REALIST_WINDOW,
    REALIST_CAP,
    Strategy,
    defensive_realist,
    grit,
    offensive_realist,
    tournament,
)
from herz.models.richardson import (
    DISTINGUISHABILITY_WEIGHT,
    REASSURANCE_REACTION,
    coefficients_from_scenario,
)

TOURNAMENT_SEED = 1
SPIRAL_SEED = 20240
BACKTEST_SEED = 1  # the seed of docs/backtest.md's tables
REPETITIONS = 200
RUNS = 20_000

SCENARIOS = ("two-state", "europe-1909", "europe-1914", "cold-war", "multipolar-20")
SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)  # half and double of 0.5, and the two extremes
#: states given the reassurance doctrine (no built-in scenario starts with one)
REASSURING: dict[str, dict[str, Any]] = {
    "two-state, A reassuring": {"states.A.doctrine": "reassurance"},
    "cold-war, RUS reassuring (Gorbachev's 1985 doctrine from the start)": {
        "states.RUS.doctrine": "reassurance"
    },
    "europe-1914, every state reassuring": {"states[*].doctrine": "reassurance"},
    "multipolar-20, every state reassuring": {"states[*].doctrine": "reassurance"},
}

PLAYERS = ("tit-for-tat", "grim", "grit", "defensive-realist", "offensive-realist", "defector")
CONDITIONS = {
    "no noise": {"noise": 0.0, "misperception": 0.0},
    "misperception 0.05": {"noise": 0.0, "misperception": 0.05},
    "noise 0.05": {"noise": 0.05, "misperception": 0.0},
}

POSTERIOR = Path(herz.__file__).parent / "calibration" / "data" / "spiral-1816-1899.json"
ORIGINS = (1910, 1931, 1951)
SPLITS = (("1816:1899", "1900:1913"), ("1816:1899", "1919:1938"))


def _mark(value: float, default: float) -> str:
    return f"**{value:g}**" if value == default else f"{value:g}"


# --- 1. Richardson ---------------------------------------------------------------------------


def richardson_row(scenario: Any, **kw: float) -> tuple[str, float, float | None]:
    """Regime, largest real part of an eigenvalue, total equilibrium (None if singular)."""
    system = coefficients_from_scenario(scenario, **kw)
    stab = system.stability()
    try:
        total: float | None = float(system.equilibrium().sum())
    except herz.ModelError:
        total = None
    return stab.regime, float(stab.eigenvalues[0].real), total


def critical(scenario: Any, key: str) -> float | None:
    """The value of ``key`` in [0, 1] where the largest eigenvalue crosses 0, if it does."""

    def lam(v: float) -> float:
        return richardson_row(scenario, **{key: v})[1]

    lo, hi = 0.0, 1.0
    if np.sign(lam(lo)) == np.sign(lam(hi)):
        return None
    for _ in range(50):
        mid = (lo + hi) / 2
        if np.sign(lam(mid)) == np.sign(lam(lo)):
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def richardson_table(
    cases: dict[str, Any], key: str, default: float, note: dict[str, str] | None = None
) -> None:
    print(f"| scenario | {key} | regime | largest eigenvalue | total equilibrium |")
    print("|---|---|---|---|---|")
    for name, sc in cases.items():
        for v in SHARES:
            regime, lam, total = richardson_row(sc, **{key: v})
            eq = "none (singular)" if total is None else f"{total:.4g}"
            extra = (note or {}).get(name, "") if v == SHARES[0] else ""
            print(f"| {name}{extra} | {_mark(v, default)} | {regime} | {lam:+.4f} | {eq} |")
    crossings = {name: critical(sc, key) for name, sc in cases.items()}
    flips = [f"{n}: {c:.3f}" for n, c in crossings.items() if c is not None]
    print(
        "\nThe largest eigenvalue crosses 0 (stable ↔ unstable) at "
        + ("; ".join(flips) if flips else "no value in [0, 1] for any of them")
        + ".\n"
    )


def section_richardson() -> None:
    print("## 1. Richardson: the rule constants of the derived reactions\n")
    print(
        "Deterministic (no runs, no seed): `coefficients_from_scenario(scenario, "
        "distinguishability_weight=w)` and `(…, reassurance_reaction=r)`; regime and "
        "eigenvalue from `RichardsonSystem.stability()` (from the scenario's start), total "
        "equilibrium = Σ x* (military units of the scenario). Default in bold.\n"
    )
    loaded = {name: herz.load_scenario(name) for name in SCENARIOS}
    bypass = {
        n: " (gives `richardson.reaction`: bypassed)"
        for n, sc in loaded.items()
        if sc.richardson is not None and sc.richardson.reaction is not None
    }
    print(f"### Distinguishability weight w in (1 − w δ), default {DISTINGUISHABILITY_WEIGHT}\n")
    richardson_table(loaded, "distinguishability_weight", DISTINGUISHABILITY_WEIGHT, bypass)
    unchanged = [
        n
        for n, sc in loaded.items()
        if len({richardson_row(sc, reassurance_reaction=r) for r in SHARES}) == 1
    ]
    print(f"### Reassurance reaction r, default {REASSURANCE_REACTION}\n")
    print(
        "No built-in scenario starts with a `reassurance` doctrine (cold-war's RUS adopts it by "
        "an event of 1985, which Richardson ignores), so r changes nothing there: "
        f"{', '.join(unchanged)} give the same system for every r in {SHARES}. With the doctrine "
        "set by an override:\n"
    )
    variants: dict[str, Any] = {}
    for name, over in REASSURING.items():
        base = name.split(",")[0]
        variants[name] = loaded[base].with_overrides(over)
    richardson_table(variants, "reassurance_reaction", REASSURANCE_REACTION)


# --- 2. Iterated games -----------------------------------------------------------------------


def _standings(strats: list[str | Strategy], cond: dict[str, float], reps: int) -> Any:
    return tournament(strats, turns=200, repetitions=reps, seed=TOURNAMENT_SEED, **cond)


def _cell(res: Any, name: str) -> str:
    i = res.players.index(name)
    per_rep = res.normalised_scores[i]
    se = float(per_rep.std(ddof=1) / np.sqrt(per_rep.size))
    return f"{res.ranking.index(name) + 1} ({res.mean_scores[name]:.3f} ± {se:.3f})"


def iterated_table(
    label: str, values: range, default: int, build: Any, watch: tuple[str, ...], reps: int
) -> None:
    heads = " | ".join(f"{c}: {w}" for c in CONDITIONS for w in watch)
    print(f"| {label} | {heads} | winner ({', '.join(CONDITIONS)}) |")
    print("|---|" + "---|" * (len(CONDITIONS) * len(watch) + 1))
    for v in values:
        strats = build(v)
        cells, winners = [], []
        for cond in CONDITIONS.values():
            res = _standings(strats, cond, reps)
            cells += [_cell(res, w) for w in watch]
            winners.append(res.ranking[0])
        print(f"| {_mark(v, default)} | {' | '.join(cells)} | {', '.join(winners)} |")
    print()


def section_iterated(reps: int) -> None:
    print("## 2. Iterated games: the kernel's strategy constants\n")
    print(
        f"Round robin of {', '.join(PLAYERS)}; 200 turns, {reps} repetitions, seed "
        f"{TOURNAMENT_SEED}, payoffs (3, 5, 0, 1), self-play left out of the scores. A cell is "
        "the rank (by median normalised score, axelrod's rule, of 6) and the mean score per turn "
        "± its standard error over the repetitions. The default is in bold; the same seed for "
        "every row (common random numbers).\n"
    )

    def with_grit(k: int) -> list[str | Strategy]:
        return [grit(k) if p == "grit" else p for p in PLAYERS]

    def with_cap(c: int) -> list[str | Strategy]:
        swap: dict[str, Strategy] = {
            "defensive-realist": defensive_realist(c),
            "offensive-realist": offensive_realist(cap=c),
        }
        return [swap.get(p, p) for p in PLAYERS]

    def with_window(w: int) -> list[str | Strategy]:
        return [offensive_realist(window=w) if p == "offensive-realist" else p for p in PLAYERS]

    print(f"### GRIT initiative K, default {GRIT_INITIATIVE}\n")
    iterated_table("K", range(1, 7), GRIT_INITIATIVE, with_grit, ("grit",), reps)
    print(f"### Realist cap (both realists), default {REALIST_CAP}\n")
    iterated_table(
        "cap",
        range(1, 11),
        REALIST_CAP,
        with_cap,
        ("defensive-realist", "offensive-realist"),
        reps,
    )
    print(f"### Offensive-realist window, default {OFFENSIVE_REALIST_WINDOW}\n")
    iterated_table(
        "window",
        range(1, 4),
        OFFENSIVE_REALIST_WINDOW,
        with_window,
        ("offensive-realist",),
        reps,
    )


# --- 3. Scenarios from history ---------------------------------------------------------------


def _shifted(delta: float) -> dict[str, float]:
    return {k: round(min(1.0, max(0.0, v + delta)), 10) for k, v in RELIABILITY.items()}


def section_history(runs: int) -> None:
    post = Posterior.load(POSTERIOR)
    median = {k: float(v) for k, v in post.summary()["median"].items()}
    over = {**median, **post.meta.get("fixed", {})}
    print("## 3. Scenarios from history: the assumed burdens and reliabilities\n")
    print(
        "`scenario_known_at(Y, steps=5, burden=, reliability=)`, the worlds of the calibration "
        "and of `herz backtest spiral`, built from the data of Y − 1; the spiral run on each "
        f"for 5 yearly steps, {runs} runs, seed {SPIRAL_SEED}, at the medians of the shipped "
        "posterior (`spiral-1816-1899.json`: "
        + ", ".join(f"{k.split('.')[-1]} {v:.3g}" for k, v in median.items())
        + "; geography off, as the calibration held it). Burden ×0.5 and ×2 of the default; "
        "reliabilities: every kind shifted by ±0.2 (clipped to [0, 1]). budget share = "
        "Σ military / Σ economy of the scenario; P(war) with its Wilson 95% interval; crises "
        "and arms growth (final / initial total military) are means per run. The posterior is "
        "held fixed: a recalibration under another burden or reliability could absorb part of "
        "what moves here.\n"
    )
    print(
        "| Y | variant | burden | reliabilities (defense … consultation) | alliances | "
        "budget share | P(war) [95%] | crises per run | arms growth |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for year in ORIGINS:
        b0 = default_burden(year - 1)
        variants: dict[str, dict[str, Any]] = {
            "default": {},
            "burden ×0.5": {"burden": b0 * 0.5},
            "burden ×2": {"burden": b0 * 2},
            "reliability −0.2": {"reliability": _shifted(-0.2)},
            "reliability +0.2": {"reliability": _shifted(+0.2)},
        }
        for name, kw in variants.items():
            sc = scenario_known_at(year, steps=5, **kw)
            res = herz.simulate(
                sc, model="spiral", runs=runs, seed=SPIRAL_SEED, steps=5, keep="summary",
                overrides=over,
            )  # fmt: skip
            assert res.outcomes is not None
            o = res.outcomes
            wars = int(o["war"].sum())
            lo, hi = wilson_interval(wars, runs)
            rel = kw.get("reliability", RELIABILITY)
            share = sum(s.military for s in sc.states) / sum(s.economy for s in sc.states)
            print(
                f"| {year} | {name} | {kw.get('burden', b0):g} | "
                f"{' / '.join(f'{v:g}' for v in rel.values())} | {len(sc.alliances)} | "
                f"{share:.3f} | {wars / runs:.4f} [{float(lo):.4f}, {float(hi):.4f}] | "
                f"{o['n_crises'].mean():.3f} | {o['arms_growth'].mean():.3f} |"
            )
    print()


# --- 4. Backtest persistence window ----------------------------------------------------------


def section_backtest() -> None:
    print("## 4. The backtest's persistence window\n")
    print(
        "`run_backtest(train, test, 5, seed=1, persistence_years=w)` (1,000 moving-block "
        "bootstrap replicates; the climatology and logit forecasts do not depend on w). "
        "recent = share of the test windows with `recent_dispute` = 1. Brier skill against "
        "climatology and AUC with their 95% intervals.\n"
    )
    print("| split | w | target | recent | Brier skill [95%] | AUC [95%] |")
    print("|---|---|---|---|---|---|")
    for train, test in SPLITS:
        for w in (3, PERSISTENCE_YEARS, 10):
            res = run_backtest(train, test, 5, seed=BACKTEST_SEED, persistence_years=w)
            tab = res.table()
            recent = float(res.panel.test["recent_dispute"].mean())
            for target in res.targets:
                r = tab[(tab["forecaster"] == "persistence") & (tab["target"] == target)].iloc[0]
                print(
                    f"| {test} | {_mark(w, PERSISTENCE_YEARS)} | {target} | {recent:.2f} | "
                    f"{r['bss']:.3f} [{r['bss_lo']:.3f}, {r['bss_hi']:.3f}] | "
                    f"{r['auc']:.3f} [{r['auc_lo']:.3f}, {r['auc_hi']:.3f}] |"
                )
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=RUNS, help="spiral runs per history variant")
    ap.add_argument("--repetitions", type=int, default=REPETITIONS, help="tournament reps")
    ap.add_argument(
        "--only", choices=("richardson", "iterated", "history", "backtest"), default=None
    )
    args = ap.parse_args()
    t0 = time.perf_counter()
    if args.only in (None, "richardson"):
        section_richardson()
    if args.only in (None, "iterated"):
        section_iterated(args.repetitions)
    if args.only in (None, "history"):
        section_history(args.runs)
    if args.only in (None, "backtest"):
        section_backtest()
    print(f"<!-- herz {herz.__version__}, {time.perf_counter() - t0:.0f} s -->")


if __name__ == "__main__":
    main()
