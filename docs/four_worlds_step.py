"""How Jervis's four worlds depend on the time step (docs/experiments.md, issue #11).

    python docs/four_worlds_step.py corners   # the table: cells by step (about 5 min on 2 cores)
    python docs/four_worlds_step.py corners --budget-period 0   # spending re-planned every step
    python docs/four_worlds_step.py budget    # two cells by budget period, at dt = 1/16
    python docs/four_worlds_step.py noise     # the budget period's effect with perception noise off
    python docs/four_worlds_step.py ablate    # the offense-distinguishable corner, each switch off
    python docs/four_worlds_step.py churn     # alliance churn by step, geography on and off

Among security seekers with defensive doctrines (the overrides of the built-in sweep
``jervis-worlds``), multipolar-20 over 50 years, P(war) at the corners and two mixed cells for
steps dt = 1 ... 1/32, with and without ``spiral.inner_step``, with spending and postures decided
once a budget year (``spiral.budget_period`` 1, the default) or at every step (0, with which
session 9 found the grid to depend on the step). Development seeds (4242, 4243), never the
acceptance run's.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

import herz

BASE = {"states[*].type": "security_seeker", "states[*].doctrine": "defensive"}
YEARS = 50.0
CELLS = {
    "doubly dangerous (1, 0)": (1.0, 0.0, (0.125,)),
    "offense, distinguishable (1, 1)": (1.0, 1.0, (0.125, 0.0625, 0.03125)),
    "(0.75, 0.5)": (0.75, 0.5, (0.125,)),
    "(0.75, 1)": (0.75, 1.0, (0.125, 0.0625, 0.03125)),
}
#: (label, dt, inner_step)
STEPS = [
    ("dt = 1", 1.0, None),
    ("dt = 1, inner 0.25", 1.0, 0.25),
    ("dt = 0.5, inner 0.25", 0.5, 0.25),
    ("dt = 0.25", 0.25, None),
    ("dt = 0.125", 0.125, None),
    ("dt = 0.0625", 0.0625, None),
    ("dt = 0.03125", 0.03125, None),
]
SWITCHES = [
    "type_uncertainty", "belief_update", "perception_noise", "bias", "balancing", "preemption",
    "preventive_war", "private_information", "chain_ganging", "geography", "posture_choice",
]  # fmt: skip


#: ``spiral.budget_period`` of every run (``--budget-period``)
BUDGET = {"period": 1.0}


def simulate(omega: float, delta: float, dt: float, inner: float | None, runs: int, seed: int,
             extra: dict[str, Any] | None = None) -> Any:  # fmt: skip
    over: dict[str, Any] = {
        "spiral.budget_period": BUDGET["period"],
        **BASE,
        "world.offense_advantage": omega,
        "world.distinguishability": delta,
        "time.step": dt,
        "time.steps": round(YEARS / dt),
        "spiral.inner_step": inner,
        **(extra or {}),
    }
    return herz.simulate(
        "multipolar-20", model="spiral", runs=runs, seed=seed, keep="summary", overrides=over
    ).outcomes


def p_war(out: Any) -> str:
    x = out["war"].to_numpy(dtype=float)
    return f"{x.mean():.3f} ± {x.std(ddof=1) / np.sqrt(x.size):.3f}"


def corners(runs: int, seed: int) -> None:
    print("| cell (ω, δ) | " + " | ".join(label for label, _, _ in STEPS) + " |")
    print("|---" * (len(STEPS) + 1) + "|")
    for name, (w, d, fine) in CELLS.items():
        row = []
        for _label, dt, inner in STEPS:
            if dt < 0.25 and dt not in fine:
                row.append("")
                continue
            row.append(p_war(simulate(w, d, dt, inner, runs, seed)))
        print(f"| {name} | " + " | ".join(row) + " |", flush=True)


def budget(runs: int, seed: int) -> None:
    """P(war) by budget period at dt = 1/16 (near the small-step limit): how much the four
    worlds depend on how often states re-plan their arms, a substantive constant."""
    periods = (0.0, 0.25, 0.5, 1.0, 2.0)
    print("| cell (ω, δ) | " + " | ".join(f"P = {q:g}" for q in periods) + " |")
    print("|---" * (len(periods) + 1) + "|")
    for name in ("offense, distinguishable (1, 1)", "(0.75, 1)", "doubly dangerous (1, 0)"):
        w, d, _ = CELLS[name]
        row = []
        for q in periods:
            BUDGET["period"] = q
            row.append(p_war(simulate(w, d, 0.0625, None, runs, seed)))
        print(f"| {name} | " + " | ".join(row) + " |", flush=True)


def noise(runs: int, seed: int) -> None:
    """The offense-distinguishable corner at dt = 1/16 with quarterly and yearly budgets, with
    perception noise (and posture choice) switched off in turn: what the budget period acts
    through."""
    print("| switched off | P = 0.25 | P = 1 |\n|---|---|---|")
    w, d, _ = CELLS["offense, distinguishable (1, 1)"]
    for switch in (None, "perception_noise", "posture_choice"):
        extra = {f"spiral.mechanisms.{switch}": False} if switch else {}
        row = []
        for q in (0.25, 1.0):
            BUDGET["period"] = q
            row.append(p_war(simulate(w, d, 0.0625, None, runs, seed, extra)))
        print(f"| {switch or '(nothing)'} | " + " | ".join(row) + " |", flush=True)


def ablate(runs: int, seed: int) -> None:
    print("| switch off | dt = 0.25 | dt = 0.0625 | difference |\n|---|---|---|---|")
    for switch in [None, *SWITCHES]:
        extra = {f"spiral.mechanisms.{switch}": False} if switch else {}
        a, b = (simulate(1.0, 1.0, dt, None, runs, seed, extra) for dt in (0.25, 0.0625))
        diff = b["war"].mean() - a["war"].mean()
        print(f"| {switch or '(all on)'} | {p_war(a)} | {p_war(b)} | {diff:+.3f} |", flush=True)


def churn(runs: int, seed: int) -> None:
    print("| geography | dt | P(war) | alliance changes a run |\n|---|---|---|---|")
    for geo in (True, False):
        for dt in (1.0, 0.25, 0.0625):
            extra = {} if geo else {"spiral.mechanisms.geography": False}
            out = simulate(1.0, 1.0, dt, None, runs, seed, extra)
            changes = out["n_alliance_changes"].mean()
            on = "on" if geo else "off"
            print(f"| {on} | {dt:g} | {p_war(out)} | {changes:.1f} |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("part", choices=("corners", "budget", "noise", "ablate", "churn"))
    ap.add_argument("--runs", type=int, default=None, help="default: 1000 (corners), 500")
    ap.add_argument("--seed", type=int, default=None, help="default: 4242 (corners), 4243")
    ap.add_argument("--budget-period", type=float, default=1.0, help="spiral.budget_period")
    args = ap.parse_args()
    BUDGET["period"] = args.budget_period
    runs = args.runs or {"corners": 1000, "budget": 1000, "noise": 400}.get(args.part, 500)
    seed = args.seed or {"corners": 4242, "noise": 4244}.get(args.part, 4243)
    parts = {"corners": corners, "budget": budget, "noise": noise, "ablate": ablate, "churn": churn}
    parts[args.part](runs, seed)


if __name__ == "__main__":
    main()
