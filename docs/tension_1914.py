"""Why europe-1914's tension falls before the war (issue #11, acceptance item "1914").

Tension is the mean over ordered pairs of T_ij = μ_ij p_ji toward non-allies (docs/spiral.md,
step 1). It can move only through beliefs μ, win chances p, or the set of rival pairs
(alliances). This script switches those channels off one at a time, and varies the scenario's
assumptions that could make a spiral (the general staffs' perceived offense advantage, Herz's
bias, the tolerance τ below the prior, greedy states that would not spend their whole
ceiling), and prints the ensemble-mean tension and belief from 1909 to mid-1914 (the quarter
before Sarajevo) as a Markdown table.

    python docs/tension_1914.py            # 400 runs, seed 21 (about 1 minute on 2 cores)
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

import herz

YEARS = (1909.0, 1911.0, 1913.0, 1914.25)
#: the general staffs' cult of the offensive: France, Russia, Germany and Austria-Hungary
#: believe in offense advantage 0.8 in a world whose technology is 0.3 (docs/spiral.md)
CULT: dict[str, Any] = {
    **{f"states.{k}.perceived_offense_advantage": 0.8 for k in ("FRN", "RUS", "GMY", "AUH")},
    "world.offense_advantage": 0.3,
}
VARIANTS: dict[str, dict[str, Any]] = {
    "as shipped": {},
    "belief update off": {"spiral.mechanisms.belief_update": False},
    "balancing off": {"spiral.mechanisms.balancing": False},
    "belief update and balancing off": {
        "spiral.mechanisms.belief_update": False,
        "spiral.mechanisms.balancing": False,
    },
    "cult of the offensive": CULT,
    "cult, bias 1 (every state)": {**CULT, "states[*].bias": 1.0},
    "cult, bias 1, τ = 0.25 (below the prior 0.3)": {
        **CULT,
        "states[*].bias": 1.0,
        "spiral.tolerance": 0.25,
    },
    "cult, greedy_effort 0.35": {**CULT, "spiral.greedy_effort": 0.35},
    "cult, greedy_effort 0.35, bias 1, τ = 0.25": {
        **CULT,
        "spiral.greedy_effort": 0.35,
        "states[*].bias": 1.0,
        "spiral.tolerance": 0.25,
    },
}


def row(overrides: dict[str, Any], runs: int, seed: int) -> tuple[list[float], list[float]]:
    """Mean tension and mean belief at each of YEARS."""
    r = herz.simulate("europe-1914", model="spiral", runs=runs, seed=seed, overrides=overrides)
    s = r.series
    assert s is not None
    tension, belief = [], []
    for y in YEARS:
        at = s[np.isclose(s["year"], y)]
        tension.append(float(at.groupby("run")["tension"].first().mean()))
        belief.append(float(at["belief"].mean()))
    return tension, belief


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=400)
    ap.add_argument("--seed", type=int, default=21)
    args = ap.parse_args()
    years = ", ".join(f"{y:g}" for y in YEARS)
    print(f"europe-1914, {args.runs} runs, seed {args.seed}; tension and mean belief at {years}\n")
    print("| variant | tension | mean belief |")
    print("|---|---|---|")
    for name, over in VARIANTS.items():
        t, b = row(over, args.runs, args.seed)
        print(
            f"| {name} | {' → '.join(f'{x:.3f}' for x in t)} | "
            f"{' → '.join(f'{x:.3f}' for x in b)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
