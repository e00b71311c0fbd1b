"""Which constants drive P(war)? Sobol' indices for europe-1914 and multipolar-20.

    python docs/sensitivity.py              # the full setting: N = 128 base rows, R = 200 runs
    python docs/sensitivity.py --quick      # N = 32, R = 100: the numbers now on the page
    python docs/sensitivity.py --keep DIR   # keep (and resume) the sweep databases in DIR
    python docs/sensitivity.py --workers 1  # local worker processes (default: all cores)

What it does. For each scenario, a sweep on Saltelli's (2010) design over the spiral model's
main uncited constants (``RANGES`` below; for multipolar-20 also the world's offense advantage
and distinguishability), R runs per point at the scenario's own horizon, through
:func:`herz.sensitivity.run_sensitivity` (stored, resumable, parallel; exact on any executor).
P(war) at a point is the share of its R runs with a war. It prints and writes:

* ``docs/figures/sensitivity-p-war.md``: one Markdown table per scenario (parameter, range,
  S1 and ST with 95% bootstrap percentile intervals, ST corrected for Monte Carlo noise), the
  setting, the seed, the noise share η and the time taken; docs/sensitivity.md includes it;
* ``docs/figures/sensitivity-p-war.csv``: the same numbers, one row per scenario × parameter;
* ``docs/figures/sensitivity-p-war.png``: bars of S1 and ST with their intervals.

The ranges are **ours**: each constant's value in the scenario (the model's default, or the
scenario's calibrated value) divided and multiplied by ``FACTOR`` = 2, cut at the constant's
documented bounds (docs/spiral.md, "Where the numbers come from"); ``crisis_base``, 0 by
default, gets an absolute range; ω and δ their whole domain [0, 1], as in the jervis-worlds
sweep. No source fixes any of these constants, so a factor of 2 each way is a statement of
ignorance, not an estimate; the indices are relative to these ranges.

Seeds (distinct from the other docs scripts, which use 0, 1, 1916, 1976, 1978, 1988, 1989,
2000 and 12345): europe-1914 2010, multipolar-20 1999. A seed fixes the design, every run
(``SeedSequence(seed, spawn_key=(point, run))``) and the bootstrap.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from herz.scenario import SpiralParams, load_scenario
from herz.sensitivity import SensitivityResult, run_sensitivity

HERE = Path(os.path.dirname(os.path.abspath(__file__)))
FIGURES = HERE / "figures"
STEM = "sensitivity-p-war"

#: (base rows N, runs per point R) of each setting.
SETTINGS = {"full": (128, 200), "quick": (32, 100)}
#: Root seed of each scenario's sweep: design, runs and bootstrap.
SEEDS = {"europe-1914": 2010, "multipolar-20": 1999}
#: Each constant's range: its value in the scenario divided and multiplied by FACTOR (ours).
FACTOR = 2.0
#: The spiral model's main uncited constants (docs/spiral.md), swept in both scenarios.
CONSTANTS = [
    "tolerance",
    "war_cost",
    "crisis_rate",
    "crisis_base",
    "offense_scale",
    "noise_scale",
    "prior_greedy",
    "peace_rate",
    "attrition",
    "chaingang_offense",
    "model_noise",
    "reach_days",
    "defensive_mix",
]
#: Upper ends below FACTOR × value: the constants' documented bounds (SpiralParams).
CAPS = {"tolerance": 1.0, "chaingang_offense": 1.0, "prior_greedy": 0.99, "defensive_mix": 1.0}
#: Lower ends above value / FACTOR: θ_max ≥ 1 (1: the offense-defense balance has no effect).
FLOORS = {"offense_scale": 1.0}
#: crisis_base is 0 by default (no crisis without threat): up to one crisis per state per
#: decade without any threat (ours).
ABSOLUTE = {"crisis_base": (0.0, 0.1)}
#: World parameters swept over their whole domain, for multipolar-20 only.
WORLD = {"world.offense_advantage": (0.0, 1.0), "world.distinguishability": (0.0, 1.0)}


def ranges(scenario: str) -> dict[str, tuple[float, float]]:
    """The swept parameters and their ranges (ours; see the module docstring)."""
    params = load_scenario(scenario).spiral or SpiralParams()
    out: dict[str, tuple[float, float]] = {}
    for name in CONSTANTS:
        if name in ABSOLUTE:
            out[f"spiral.{name}"] = ABSOLUTE[name]
            continue
        value = float(getattr(params, name))
        low = max(value / FACTOR, FLOORS.get(name, 0.0))
        high = min(value * FACTOR, CAPS.get(name, np.inf))
        out[f"spiral.{name}"] = (round(low, 6), round(high, 6))
    if scenario == "multipolar-20":
        out.update(WORLD)
    return out


def analyse(
    scenario: str, setting: str, folder: Path, workers: int | None
) -> tuple[SensitivityResult, float]:
    """One scenario's sweep (resumed if ``folder`` holds it already) and its indices."""
    n, runs = SETTINGS[setting]
    t0 = time.perf_counter()
    res = run_sensitivity(
        scenario,
        ranges(scenario),
        outcome="war",
        n=n,
        runs=runs,
        seed=SEEDS[scenario],
        db=folder / f"{scenario}-{setting}.duckdb",
        resume=(folder / f"{scenario}-{setting}.duckdb").exists(),
        workers=workers,
    )
    return res, time.perf_counter() - t0


def markdown(res: SensitivityResult, scenario: str, setting: str, seconds: float) -> str:
    fixed = res.corrected().set_index("parameter")
    rows = res.indices.sort_values("ST", ascending=False)
    p = res.points["value"]
    k = len(res.parameters)
    lines = [
        f"**{scenario}**: {setting} setting, N = {res.n_base} base rows × (k + 2) = "
        f"{len(res.points)} points for k = {k} parameters, R = {res.runs} runs per point, "
        f"seed {res.seed}; {seconds:.0f} s. P(war) over the points: mean {p.mean():.3f}, "
        f"range {p.min():.2f}–{p.max():.2f}. Monte Carlo noise: η = {res.noise_share:.3f} of "
        f"the variance of P(war) across points (standard error of one point's P(war) "
        f"{res.standard_error:.3f}).",
        "",
        "| parameter | range (ours) | S1 | 95% CI | ST | 95% CI | ST, noise removed |",
        "|---|---|---:|---|---:|---|---:|",
    ]
    for r in rows.itertuples(index=False):
        lo, hi = res.parameters[str(r.parameter)]
        lines.append(
            f"| `{r.parameter}` | {lo:g} – {hi:g} | {r.S1:.3f} | [{r.S1_low:.3f}, "
            f"{r.S1_high:.3f}] | {r.ST:.3f} | [{r.ST_low:.3f}, {r.ST_high:.3f}] | "
            f"{fixed.loc[r.parameter, 'ST']:.3f} |"
        )
    return "\n".join(lines)


def _label(path: str) -> str:
    return path.split(".", 1)[1]


def figure(results: dict[str, SensitivityResult], setting: str) -> plt.Figure:
    fig, axes = plt.subplots(1, len(results), figsize=(6.5 * len(results), 4.8), squeeze=False)
    for ax, (scenario, res) in zip(axes[0], results.items(), strict=True):
        order = res.indices.sort_values("ST", ascending=False)
        pos = np.arange(len(order))
        width = 0.4
        for shift, label, colour, name in (
            (-width / 2, "S1", "#4c72b0", "first order S1"),
            (width / 2, "ST", "#dd8452", "total ST"),
        ):
            est = order[label].to_numpy()
            err = np.vstack([est - order[f"{label}_low"], order[f"{label}_high"] - est])
            ax.bar(
                pos + shift,
                est,
                width,
                yerr=np.clip(err, 0, None),
                label=name,
                color=colour,
                capsize=3,
            )
        ax.axhline(
            res.noise_share,
            color="grey",
            linestyle="--",
            linewidth=1,
            label=f"noise share η = {res.noise_share:.3f}",
        )
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xticks(pos, [_label(p) for p in order["parameter"]], rotation=35, ha="right")
        ax.set_ylabel("Sobol' index of P(war)")
        ax.set_title(f"{scenario}: N = {res.n_base}, R = {res.runs} ({setting})")
        ax.legend(fontsize=8)
    fig.suptitle("Which constants drive P(war)? Sobol' indices, 95% bootstrap intervals")
    fig.tight_layout()
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 32, R = 100 (minutes)")
    parser.add_argument("--keep", type=Path, help="keep the sweep databases in this folder")
    parser.add_argument("--workers", type=int, help="local worker processes (default: all)")
    parser.add_argument(
        "--scenarios", nargs="+", default=list(SEEDS), choices=list(SEEDS), help="which ones"
    )
    args = parser.parse_args()
    setting = "quick" if args.quick else "full"
    with tempfile.TemporaryDirectory(prefix="herz-sensitivity-") as tmp:
        folder = args.keep or Path(tmp) / setting
        folder.mkdir(parents=True, exist_ok=True)
        results: dict[str, SensitivityResult] = {}
        tables: list[str] = []
        frames = []
        for scenario in args.scenarios:
            res, seconds = analyse(scenario, setting, folder, args.workers)
            results[scenario] = res
            tables.append(markdown(res, scenario, setting, seconds))
            print(tables[-1], end="\n\n", flush=True)
            frame = res.indices.assign(
                scenario=scenario,
                low=[res.parameters[p][0] for p in res.indices["parameter"]],
                high=[res.parameters[p][1] for p in res.indices["parameter"]],
                ST_noise_removed=res.corrected()["ST"],
                noise_share=res.noise_share,
                n_base=res.n_base,
                runs=res.runs,
                seed=res.seed,
            )
            frames.append(frame)
    command = "python docs/sensitivity.py" + (" --quick" if args.quick else "")
    header = f"<!-- Written by `{command}` ({setting} setting); do not edit by hand. -->\n\n"
    FIGURES.mkdir(exist_ok=True)
    (FIGURES / f"{STEM}.md").write_text(header + "\n\n".join(tables) + "\n", encoding="utf-8")
    pd.concat(frames).to_csv(FIGURES / f"{STEM}.csv", index=False, float_format="%.6g")
    fig = figure(results, setting)
    fig.savefig(FIGURES / f"{STEM}.png", dpi=130)
    plt.close(fig)
    print(f"wrote docs/figures/{STEM}.md, .csv and .png")


if __name__ == "__main__":
    main()
