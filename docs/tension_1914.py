"""Why europe-1914's tension falls before the war (issue #11, acceptance item "1914").

Tension is the mean over ordered pairs of T_ij = μ_ij p_ji toward non-allies (docs/spiral.md,
step 1). It can move only through beliefs μ, win chances p, or the set of rival pairs
(alliances). This script switches those channels off one at a time, and varies the scenario's
assumptions that could make a spiral (the general staffs' perceived offense advantage, Herz's
bias, the tolerance τ below the prior, greedy states that would not spend their whole
ceiling), and prints the ensemble-mean tension and belief from 1909 to mid-1914 (the quarter
before Sarajevo) as a Markdown table.

A second table asks which reading of the powers' *types* would make the tension rise, and what
that reading does to the fit of the 1909-1913 spending record. The spiral reading (every power a
security seeker, as shipped) is set against the deterrence reading (Germany and Austria-Hungary
greedy: Fischer 1961, *Griff nach der Weltmacht*; Jervis 1976, ch. 3, on the two models of 1914),
at several ``greedy_effort`` values (how much of its ceiling a greedy state spends), always
under the general staffs' cult of the offensive. The fit is the calibration's own objective
(docs/calibrate_spiral.py: RMS of log(simulated / NMC milex), six great powers, 1910-1913, 200
runs of the check seed 2, endogenous crises off).

    python docs/tension_1914.py            # 400 runs, seed 21 (about 15 s on 2 cores)
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from calibrate_spiral import CHECK_SEED, GREAT_POWERS, nmc_milex, rms_log, spending_path

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

#: the deterrence reading of 1914 (Fischer 1961): Germany and Austria-Hungary greedy
DETERRENCE: dict[str, Any] = {"states.GMY.type": "greedy", "states.AUH.type": "greedy"}
#: readings × the share of its ceiling a greedy state spends (``spiral.greedy_effort``)
READINGS: dict[str, dict[str, Any]] = {
    "spiral (all seekers)": {},
    "deterrence (GMY, AUH greedy)": DETERRENCE,
}
EFFORTS = (0.35, 0.5, 0.7, 1.0)


def row(
    overrides: dict[str, Any], runs: int, seed: int, about: tuple[str, ...] = ()
) -> tuple[list[float], list[float], list[float]]:
    """Mean tension and mean belief at each of YEARS, and the mean belief the others hold that
    each state in ``about`` is greedy in the last of YEARS."""
    r = herz.simulate("europe-1914", model="spiral", runs=runs, seed=seed, overrides=overrides)
    s = r.series
    assert s is not None
    tension, belief = [], []
    for y in YEARS:
        at = s[np.isclose(s["year"], y)]
        tension.append(float(at.groupby("run")["tension"].first().mean()))
        belief.append(float(at["belief"].mean()))
    last = s[np.isclose(s["year"], YEARS[-1])]
    held = [float(last.loc[last["state"] == k, "belief"].mean()) for k in about]
    return tension, belief, held


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
        t, b, _ = row(over, args.runs, args.seed)
        print(
            f"| {name} | {' → '.join(f'{x:.3f}' for x in t)} | "
            f"{' → '.join(f'{x:.3f}' for x in b)} |",
            flush=True,
        )
    data = nmc_milex(GREAT_POWERS, 1909, 1913).loc[1910:1913]
    print(
        f"\nreadings of the powers' types, under the cult of the offensive; spending fit: RMS log"
        f" error against NMC milex 1910-1913 (200 runs, seed {CHECK_SEED}, crises off)\n"
    )
    print("| reading | greedy_effort | tension | belief in GMY; AUH, mid-1914 | spending fit |")
    print("|---|---|---|---|---|")
    for name, reading in READINGS.items():
        for effort in EFFORTS:
            over = {**CULT, **reading, "spiral.greedy_effort": effort}
            t, _, about = row(over, args.runs, args.seed, about=("GMY", "AUH"))
            fit = rms_log(spending_path("europe-1914", over, seed=CHECK_SEED).loc[data.index], data)
            print(
                f"| {name} | {effort:g} | {' → '.join(f'{x:.3f}' for x in t)} | "
                f"{about[0]:.2f}; {about[1]:.2f} | {fit:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
