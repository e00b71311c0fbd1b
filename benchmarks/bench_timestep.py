"""Time-step invariance of the spiral model (issue #11, acceptance "Time-step invariance").

The same scenario at dt = 1, 0.5 and 0.25, with steps scaled to the same years, must agree on
P(war), mean final military and mean final belief within max(3 standard errors of the
difference, ε): ε = 0.01 for P(war), 1% of the mean for military and 0.01 for belief (ours:
the issue names no ε for belief). Each dt is compared with dt = 0.25.

- multipolar-20: 100 years from year 0.
- europe-1914: from 1908.5 to 1918.5, so that the Sarajevo crisis (1914.5) falls on a step at
  every dt (step 6 at dt = 1).

Run: ``python benchmarks/bench_timestep.py [--runs 10000] [--seed 1]``; prints a Markdown table.
A convergence study takes other steps and one scenario, each compared with the smallest:
``python benchmarks/bench_timestep.py --runs 3000 --seed 5 --dts 1 0.5 0.25 0.125 --scenario
multipolar-20``. Where a gap lives: ``python benchmarks/bench_timestep.py --ablate --runs 2000
--seed 31 --dts 1 0.25`` (one switch off at a time, multipolar-20). ``--by-type`` adds the mean
final belief about greedy states and about security seekers by doctrine, apart; ``--set
spiral.inner_step=0.25`` runs the check with inner steps, and ``--set spiral.budget_period=0``
with spending re-planned at every step, as before yearly budgets (docs/spiral.md, "Time step").
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

import herz

DTS = (1.0, 0.5, 0.25)
#: scenario -> (start year, years, extra overrides)
SCENARIOS: dict[str, tuple[float | None, float, dict[str, Any]]] = {
    "multipolar-20": (None, 100.0, {}),
    "europe-1914": (1908.5, 10.0, {}),
}
EPS = {"p_war": 0.01, "military": 0.01, "belief": 0.01}  # military: relative


def measure(
    scenario: str,
    dt: float,
    runs: int,
    seed: int,
    years: float | None = None,
    extra_overrides: dict[str, Any] | None = None,
) -> dict[str, Any]:
    start, default_years, extra = SCENARIOS[scenario]
    years = default_years if years is None else years
    steps = round(years / dt)
    over: dict[str, Any] = {
        "time.step": dt,
        "time.steps": steps,
        **extra,
        **(extra_overrides or {}),
    }
    if start is not None:
        over["time.start"] = start
    r = herz.simulate(
        scenario, model="spiral", runs=runs, seed=seed, keep="summary", overrides=over
    )
    out = r.outcomes
    war = out["war"].to_numpy(dtype=float)
    mil = out["final_military"].to_numpy(dtype=float)
    bel = out["final_belief_mean"].to_numpy(dtype=float)
    n = len(out)
    groups: dict[str, tuple[float, float]] = {}
    for name, ids in belief_groups(r.scenario).items():
        g = out[[f"final_belief_about_{sid}" for sid in ids]].to_numpy(dtype=float).mean(1)
        groups[name] = (g.mean(), g.std(ddof=1) / np.sqrt(n))
    return {
        "p_war": (war.mean(), war.std(ddof=1) / np.sqrt(n)),
        "military": (mil.mean(), mil.std(ddof=1) / np.sqrt(n)),
        "belief": (bel.mean(), bel.std(ddof=1) / np.sqrt(n)),
        "groups": groups,
    }


def belief_groups(scenario: Any) -> dict[str, list[str]]:
    """The states by type and, for security seekers, by doctrine at the start: the belief
    about each group is reported apart (``--by-type``), because errors of opposite sign in
    the beliefs about greedy states and about seekers can cancel in the overall mean."""
    groups: dict[str, list[str]] = {}
    for st in scenario.states:
        key = "greedy" if st.type == "greedy" else f"seeker, {st.doctrine}"
        groups.setdefault(key, []).append(st.id)
    return groups


def compare(a: dict[str, Any], ref: dict[str, Any]) -> dict[str, tuple[float, float, bool]]:
    """{metric: (difference, tolerance, ok)} of a against the reference."""
    res = {}
    for k in ("p_war", "military", "belief"):
        (ma, sa), (mr, sr) = a[k], ref[k]
        eps = EPS[k] * abs(mr) if k == "military" else EPS[k]
        tol = max(3.0 * float(np.hypot(sa, sr)), eps)
        res[k] = (ma - mr, tol, abs(ma - mr) <= tol)
    return res


#: --ablate: one switch at a time, to see where a gap in dt lives
ABLATIONS: dict[str, dict[str, Any]] = {
    "as shipped": {},
    "crises off": {"spiral.crisis_rate": 0.0, "spiral.crisis_base": 0.0},
    "balancing off": {"spiral.mechanisms.balancing": False},
    "perception noise off": {"spiral.mechanisms.perception_noise": False},
    "bias off": {"spiral.mechanisms.bias": False},
    "posture choice off": {"spiral.mechanisms.posture_choice": False},
}


def ablate(scenario: str, dts: list[float], runs: int, seed: int) -> None:
    """The largest and smallest step of ``dts``, per ablation: the gap in each outcome."""
    big, ref = dts[0], dts[-1]
    print(f"| {scenario}: switch | gap in mean final belief (3 SE) | gap in P(war) (3 SE) |")
    print("|---|---|---|")
    for name, over in ABLATIONS.items():
        a = measure(scenario, big, runs, seed, extra_overrides=over)
        b = measure(scenario, ref, runs, seed, extra_overrides=over)
        cells = []
        for k in ("belief", "p_war"):
            (ma, sa), (mb, sb) = a[k], b[k]
            cells.append(f"{ma - mb:+.4f} ({3 * float(np.hypot(sa, sb)):.4f})")
        print(f"| {name} (dt {big:g} vs {ref:g}) | {cells[0]} | {cells[1]} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--dts",
        type=float,
        nargs="+",
        default=list(DTS),
        help="steps; the smallest is the reference",
    )
    ap.add_argument("--scenario", choices=sorted(SCENARIOS), action="append", default=None)
    ap.add_argument(
        "--ablate",
        action="store_true",
        help="instead: the gap between the largest and smallest dt with one switch off at a time",
    )
    ap.add_argument(
        "--by-type",
        action="store_true",
        help="also the final belief about greedy states and about seekers (by doctrine) apart",
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="a scenario override for every run (e.g. spiral.inner_step=0.25); repeatable",
    )
    args = ap.parse_args()
    from herz.scenario import parse_override

    extra = dict(parse_override(text) for text in args.set)
    if any(dt <= 0 or dt > 1 for dt in args.dts):
        ap.error(f"--dts: every step must be in (0, 1] years, got {args.dts}.")
    dts = sorted(set(args.dts), reverse=True)
    if args.ablate:
        for sc in args.scenario or ["multipolar-20"]:
            ablate(sc, dts, args.runs, args.seed)
        return
    print(
        f"runs = {args.runs}, seed = {args.seed}; each dt against dt = {dts[-1]:g}"
        + (f"; with {extra}" if extra else "")
        + "\n"
    )
    print(
        "| scenario | dt | P(war) | mean final military | mean final belief | agrees |\n"
        "|---|---|---|---|---|---|"
    )
    all_ok = True
    for sc in args.scenario or SCENARIOS:
        t0 = time.perf_counter()
        res = {dt: measure(sc, dt, args.runs, args.seed, extra_overrides=extra) for dt in dts}
        ref = res[dts[-1]]
        for dt in dts:
            m = res[dt]
            cmp = compare(m, ref)
            ok = all(c[2] for c in cmp.values())
            all_ok &= ok
            verdict = (
                "ref"
                if dt == dts[-1]
                else (
                    "yes"
                    if ok
                    else "**no**: "
                    + ", ".join(
                        f"{k} Δ = {d:+.4g} (tol {tol:.3g})"
                        for k, (d, tol, good) in cmp.items()
                        if not good
                    )
                )
            )
            print(
                f"| {sc} | {dt:g} | {m['p_war'][0]:.4f} ± {m['p_war'][1]:.4f} "
                f"| {m['military'][0]:.1f} ± {m['military'][1]:.1f} "
                f"| {m['belief'][0]:.4f} ± {m['belief'][1]:.4f} | {verdict} |"
            )
        print(f"<!-- {sc}: {time.perf_counter() - t0:.0f} s -->")
        if args.by_type:
            by_type(sc, res, dts)
    print(f"\nall agree: {all_ok}")


def by_type(scenario: str, res: dict[float, dict[str, Any]], dts: list[float]) -> None:
    """Mean final belief about each group of states, each dt against the smallest (a
    diagnostic: the acceptance is on the overall mean)."""
    ref = res[dts[-1]]["groups"]
    print(f"\n| {scenario}: final belief about | " + " | ".join(f"dt {dt:g}" for dt in dts) + " |")
    print("|---|" + "---|" * len(dts))
    for name, (mr, sr) in ref.items():
        cells = []
        for dt in dts:
            ma, sa = res[dt]["groups"][name]
            gap = (
                ""
                if dt == dts[-1]
                else f" (Δ {ma - mr:+.4f}, 3 SE {3 * float(np.hypot(sa, sr)):.4f})"
            )
            cells.append(f"{ma:.4f}{gap}")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
