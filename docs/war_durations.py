"""Reproduce every number and the figure of docs/spiral.md, "War durations against the record"
(issue #11, item 3): ``python docs/war_durations.py`` (about a minute on 2 cores).

The spiral model's wars (:func:`herz.analysis.war_durations`: K steps from a war's first start to
its end, times the step; wars still running at the horizon right-censored) against the
inter-state wars of the COW Inter-State War Data v4.0 that herz ships
(:func:`herz.analysis.cow_war_durations`: first participant's start to last participant's end,
both days counted). Deterministic: a fixed seed, and runs simulated in chunks, which changes
nothing (run i draws from its own stream whatever the chunk). Writes
docs/figures/spiral_war_durations.png.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from statsmodels.duration.survfunc import survdiff

import herz
from herz.analysis import (
    cow_war_durations,
    kaplan_meier,
    km_median,
    km_survival_at,
    war_durations,
    wilson_interval,
)

SEED = 11003
"""Issue #11, item 3; no other script under docs/ uses it."""

RUNS = {"europe-1914": 10_000, "multipolar-20": 2_000, "cold-war": 10_000}
CHUNK = 1_000
"""Runs per simulate() call with keep="series": bounds memory, changes no result."""

FINER = {"europe-1914": (0.125, 80, 10_000), "multipolar-20": (0.25, 400, 1_000)}
"""Resolution check: (step, steps, runs), the same years at a finer step."""

GREAT_POWERS_1914 = {"UKG", "FRN", "RUS", "GMY", "AUH", "ITA"}
"""The COW major powers (majors2016) among europe-1914's states; Serbia and Belgium are not."""

CUTS = (0.25, 1.0, 2.0, 3.0)
FIGURE = Path(os.path.dirname(os.path.abspath(__file__))) / "figures" / "spiral_war_durations.png"


@dataclass
class Sample:
    """Durations in years and whether each ended (False: right-censored)."""

    label: str
    duration: np.ndarray
    ended: np.ndarray

    def subset(self, label: str, mask: np.ndarray) -> Sample:
        return Sample(label, self.duration[mask], self.ended[mask])


def simulate_wars(
    scenario: str, runs: int, step: float | None = None, steps: int | None = None
) -> tuple[pd.DataFrame, float, int]:
    """(one row per war, step, steps) of ``runs`` runs, simulated in chunks of CHUNK runs."""
    overrides = {"time.step": step} if step is not None else None
    parts, dt, horizon = [], 0.0, 0
    for offset in range(0, runs, CHUNK):
        r = herz.simulate(
            scenario,
            model="spiral",
            runs=min(CHUNK, runs - offset),
            run_offset=offset,
            seed=SEED,
            steps=steps,
            overrides=overrides,
            keep="series",
        )
        assert r.events is not None
        dt, horizon = r.scenario.time.step, int(r.summary["steps"])
        parts.append(war_durations(r.events, dt=dt, steps=horizon))
    wars = pd.concat(parts, ignore_index=True)
    assert wars["run"].between(0, runs - 1).all()
    return wars, dt, horizon


def sample(label: str, wars: pd.DataFrame) -> Sample:
    return Sample(label, wars["duration"].to_numpy(), wars["ended"].to_numpy(dtype=bool))


def great_power_war(sides: str) -> bool:
    """A COW major power on each side."""
    a, b = (set(s.split(",")) - {""} for s in sides.split("|"))
    return bool(a & GREAT_POWERS_1914) and bool(b & GREAT_POWERS_1914)


def on_grid(cow: pd.DataFrame, dt: float) -> np.ndarray:
    """COW war durations as the simulation records its own: the step of the war's end minus the
    step of its start, both dates put on a calendar grid of ``dt`` years (quarters, years),
    times ``dt``. A war inside one calendar quarter is then 0, as a simulated war that ends in
    the step it began."""

    def step(when: pd.Series) -> np.ndarray:
        if float(12 * dt).is_integer():  # whole months per step: calendar quarters, years
            months = when.dt.year.to_numpy() * 12 + when.dt.month.to_numpy() - 1
            return months // int(12 * dt)
        days = np.where(when.dt.is_leap_year, 366, 365)
        frac = when.dt.year.to_numpy() + (when.dt.dayofyear.to_numpy() - 1) / days
        return np.floor(frac / dt + 1e-9).astype(np.int64)

    return (step(cow["end"]) - step(cow["start"])) * dt


HEADER = (
    "| sample | wars | censored | median (y) | K = 0 | ≤ 0.25 y | ≤ 1 y | ≤ 2 y | ≤ 3 y "
    "| longest ended (y) |\n|---|---|---|---|---|---|---|---|---|---|"
)


def row(s: Sample) -> str:
    """One table row: n, censored, KM median, 1 − S(t) at t = 0 (a simulated war that ended in
    the step it began) and at the cuts (Kaplan–Meier), the longest ended."""
    km = kaplan_meier(s.duration, s.ended)
    shares = 1 - km_survival_at(km, (0.0, *CUTS))
    longest = s.duration[s.ended].max() if s.ended.any() else math.nan
    cells = [
        s.label,
        f"{s.duration.size}",
        f"{int((~s.ended).sum())}",
        f"{km_median(s.duration, s.ended):.2f}",
        *(f"{x:.3f}" for x in shares),
        f"{longest:.2f}",
    ]
    return "| " + " | ".join(cells) + " |"


def compare(a: Sample, b: Sample) -> str:
    """Log-rank test (statsmodels survdiff; censoring allowed) and KS on the ended durations."""
    time = np.concatenate([a.duration, b.duration])
    status = np.concatenate([a.ended, b.ended]).astype(float)
    group = np.repeat([0, 1], [a.duration.size, b.duration.size])
    chi2, p = survdiff(time, status, group)
    ks = ks_2samp(a.duration[a.ended], b.duration[b.ended])
    return (
        f"| {a.label} | {b.label} | {chi2:.1f} | {p:.2g} | {ks.statistic:.3f} | {ks.pvalue:.2g} |"
    )


def step_curve(s: Sample) -> tuple[np.ndarray, np.ndarray]:
    """The KM curve as step points from t = 0 to the longest follow-up."""
    km = kaplan_meier(s.duration, s.ended)
    surv = km["survival"].to_numpy()
    t = np.concatenate([[0.0], km["time"].to_numpy(), [s.duration.max()]])
    return t, np.concatenate([[1.0], surv, [surv[-1]]])


def figure(curves: list[tuple[Sample, str, str]]) -> None:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    for ax, log in zip(axes, (False, True), strict=True):
        for s, color, style in curves:
            t, y = step_curve(s)
            ax.step(t, y, where="post", color=color, linestyle=style, label=s.label)
        for cut in (0.25, 1.0):
            ax.axvline(cut, color="0.8", lw=0.8, zorder=0)
        ax.set_xlabel("war duration (years)")
        ax.grid(alpha=0.3)
        if log:
            ax.set_xscale("log")
            ax.set_xlim(0.01, 12)
            ax.set_title("log scale (K = 0 wars drop at t = 0, left of the axis)", fontsize=10)
        else:
            ax.set_xlim(0, 11)
            ax.set_title("Kaplan–Meier survival of wars", fontsize=10)
    axes[0].set_ylabel("share of wars still going")
    axes[1].legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    fig.savefig(FIGURE, dpi=110)
    plt.close(fig)


def main() -> None:
    cow = cow_war_durations()
    spells = cow_war_durations("participant")
    paused = cow["phases"] > 1
    print(
        f"COW Inter-State War Data v4.0: {len(cow)} wars, {cow['start'].min().date()} to "
        f"{cow['end'].max().date()}, {int((~cow['ended']).sum())} censored; "
        f"{int(cow['multi_phase'].sum())} with a participant's second spell, "
        f"{int(paused.sum())} with a pause in which nobody fought "
        f"({', '.join(cow.loc[paused, 'warname'])})"
    )
    ended = cow["ended"].to_numpy(dtype=bool)
    major = cow["major"].to_numpy(dtype=bool)
    both = cow["major_both_sides"].to_numpy(dtype=bool)
    cow_all = Sample("COW, all inter-state wars", cow["duration"].to_numpy(), ended)
    cow_both = cow_all.subset("COW, major powers on both sides", both)
    cows = [
        cow_all,
        Sample("COW, all, active days only", cow["active_duration"].to_numpy(), ended),
        cow_all.subset("COW, a major power took part", major),
        cow_both,
        cow_all.subset("COW, a major power on one side only", major & ~both),
        Sample(
            "COW, participant spells",
            spells["duration"].to_numpy(),
            spells["ended"].to_numpy(dtype=bool),
        ),
    ]

    sims: dict[str, Sample] = {}
    for scenario, runs in RUNS.items():
        wars, dt, steps = simulate_wars(scenario, runs)
        k = wars["duration_steps"]
        k_ended = k[wars["ended"]]
        print(
            f"{scenario}: {runs} runs (seed {SEED}), dt {dt:g} y, {steps} steps: {len(wars)} wars, "
            f"{int((~wars['ended']).sum())} running at the horizon (censored); "
            f"{int((k_ended == 0).sum())} ended in the step they began (K = 0, no step of "
            f"fighting), {int((k_ended == 1).sum())} after one step (K = 1)"
        )
        if len(wars) == 0:
            continue
        sims[scenario] = sample(f"{scenario} (dt {dt:g})", wars)
        if scenario == "europe-1914":
            gp = wars["sides"].map(great_power_war).to_numpy(dtype=bool)
            sims["gp"] = sims[scenario].subset(f"{scenario}, great powers on both sides", gp)
            sims["other"] = sims[scenario].subset(f"{scenario}, the other wars", ~gp)
            other = wars[~gp]
            no_gp = ~other["sides"].str.contains("|".join(GREAT_POWERS_1914))
            done = other.loc[other["ended"], "duration_steps"]
            print(
                f"  the other wars: {len(other)}, {int(no_gp.sum())} without a great power; "
                f"of the {len(done)} that ended, {int((done == 1).sum())} after one step"
            )
            sims["fought"] = sims[scenario].subset(f"{scenario}, K ≥ 1", k.to_numpy() > 0)

    print("\nDurations in years; shares are 1 − S(t), Kaplan–Meier\n")
    print(HEADER)
    for s in [*cows, *sims.values()]:
        print(row(s))
    for label, mask in (("≤ 0.25 y", cow_both.duration <= 0.25), ("> 3 y", cow_both.duration > 3)):
        low, high = wilson_interval(int(mask.sum()), mask.size)
        print(
            f"{cow_both.label}, {label}: {int(mask.sum())} of {mask.size} "
            f"(95% Wilson interval {float(low):.2f}-{float(high):.2f})"
        )

    # COW on each simulation's grid: the same lattice of durations, to compare like with like
    grid = {
        "europe-1914": Sample("COW, all, on a 0.25-year grid", on_grid(cow, 0.25), ended),
        "multipolar-20": Sample("COW, all, on a 1-year grid", on_grid(cow, 1.0), ended),
        "gp": Sample(
            "COW, major powers on both sides, on a 0.25-year grid",
            on_grid(cow, 0.25)[both],
            ended[both],
        ),
    }
    print("\nCOW on the simulations' grids: end step − start step (calendar quarters or years)\n")
    print(HEADER)
    for s in grid.values():
        print(row(s))

    print("\nResolution check: the same years at a finer step\n")
    print(HEADER)
    for scenario, (step, steps, runs) in FINER.items():
        wars, dt, _ = simulate_wars(scenario, runs, step, steps)
        print(row(sample(f"{scenario} (dt {dt:g}, {runs} runs)", wars)))

    print("\nTwo-sample tests against COW on the same grid (log-rank: censoring allowed;")
    print("KS: ended wars only, biased to the short ones where wars are censored)\n")
    print("| simulated | COW | log-rank χ² | p | KS D | KS p |\n|---|---|---|---|---|---|")
    for key, cow_grid in grid.items():
        if key in sims:
            print(compare(sims[key], cow_grid))

    curves = [(cow_all, "k", "-"), (cow_both, "0.45", "--")]
    for key, color, style in (("europe-1914", "C0", "-"), ("gp", "C0", ":")):
        if key in sims:
            curves.append((sims[key], color, style))
    if "multipolar-20" in sims:
        curves.append((sims["multipolar-20"], "C1", "-"))
    figure(curves)
    print(f"\nwrote {FIGURE.relative_to(FIGURE.parents[2])}")


if __name__ == "__main__":
    main()
