"""Jervis's two defense corners at high power (issue #11, acceptance "Jervis's four worlds").

On the 9 × 9 grid at 1,000 runs a point (docs/jervis_worlds.py) both defense corners sit at
P(war)'s floor (1 war in 1,000 runs each), too rare to order. This script runs only those two
worlds, with the grid's overrides (every state a security seeker with a defensive doctrine,
multipolar-20, 50 steps) and a seed used nowhere else, in chunks of runs through
``run_offset`` (run i's stream depends only on (seed, i), so the chunks are one ensemble), and
tests Jervis's order between them: defense-but-indistinguishable (ω = 0, δ = 0) above doubly
stable (ω = 0, δ = 1), a one-sided pooled z-test, with Wilson 99% intervals.

    python docs/defense_corners.py                    # 400,000 runs a corner: 22 min on 2 cores
    python docs/defense_corners.py --runs 50000       # a quicker look
"""

from __future__ import annotations

import argparse
import math
import time

import herz
from herz.analysis import wilson_interval

SEED = 777003  # fixed before the run; 777002 was the earlier 50,000-run check
GRID = {"states[*].type": "security_seeker", "states[*].doctrine": "defensive"}
CORNERS = {
    "defense, indistinguishable": {"world.offense_advantage": 0.0, "world.distinguishability": 0.0},
    "doubly stable": {"world.offense_advantage": 0.0, "world.distinguishability": 1.0},
}


def corner(overrides: dict[str, float], runs: int, seed: int, chunk: int) -> tuple[int, float]:
    """Wars (runs with a war) and mean crises per run over ``runs`` runs."""
    wars, crises = 0, 0.0
    for offset in range(0, runs, chunk):
        n = min(chunk, runs - offset)
        r = herz.simulate(
            "multipolar-20",
            model="spiral",
            runs=n,
            seed=seed,
            steps=50,
            keep="summary",
            run_offset=offset,
            overrides={**GRID, **overrides},
        )
        assert r.outcomes is not None
        wars += int(r.outcomes["war"].sum())
        crises += float(r.outcomes["n_crises"].sum())
    return wars, crises / runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=400_000)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--chunk", type=int, default=50_000)
    args = ap.parse_args()
    counts = {}
    print(f"multipolar-20, 50 steps, {args.runs} runs a corner, seed {args.seed}\n")
    print("| world | wars | P(war) | 99% Wilson interval | crises per run |")
    print("|---|---|---|---|---|")
    for name, over in CORNERS.items():
        t0 = time.perf_counter()
        k, c = corner(over, args.runs, args.seed, args.chunk)
        lo, hi = wilson_interval(k, args.runs, confidence=0.99)
        counts[name] = k
        print(
            f"| {name} | {k}/{args.runs} | {k / args.runs:.5f} | {float(lo):.5f}–{float(hi):.5f} "
            f"| {c:.4f} |  <!-- {time.perf_counter() - t0:.0f} s -->",
            flush=True,
        )
    k1, k2, n = counts["defense, indistinguishable"], counts["doubly stable"], args.runs
    pooled = (k1 + k2) / (2 * n)
    z = (k1 - k2) / n / math.sqrt(pooled * (1 - pooled) * 2 / n)
    p = 0.5 * math.erfc(z / math.sqrt(2))
    print(
        f"\ndefense-but-indistinguishable − doubly stable: {(k1 - k2) / n:+.5f}, z = {z:.2f}, "
        f"one-sided p = {p:.2g}"
    )


if __name__ == "__main__":
    main()
