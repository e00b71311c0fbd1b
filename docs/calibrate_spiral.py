"""Calibrate the spiral model's historical scenarios against COW NMC v6.0 military expenditure.

    python docs/calibrate_spiral.py            # prints the searches and the comparisons

What it does (docs/spiral.md, "Calibration against NMC"):

* **europe-1914.** A least-squares grid search over two parameters of the scenario's
  ``spiral:`` block, ``tolerance`` (τ ≥ the prior μ0, so that 1909 stays a rest point) and
  ``superiority`` (s), all the other values as in the
  file. Objective: the root mean square of log(simulated / NMC milex) over the six great powers
  and the years 1910-1913, the simulated value being the ensemble mean of the annual
  ``spending`` at the start of each year (200 runs, seed 1; the comparison printed after the
  search uses seed 2, as does the test, so the check never shares the fit's runs;
  ``crisis_rate = 0``: no endogenous
  crises, so no war before the scheduled crisis of mid-1914). 1909 is not in the objective: it
  is the starting value (the scenario's ``military``). Ties are broken toward the defaults.
* **cold-war.** A grid search over ``growth`` (nominal: milex is in current dollars), same
  objective for the United States and the Soviet Union over 1949-1990.

The targets are read from the shipped data with
``herz.history.datasets.load("nmc", version=6, ...)`` (milex in thousands of the national
currency of the scenario's unit: pounds to 1913, dollars from 1914; divided by 1,000 for the
scenarios' millions); none is typed in here. The script
prints the best values, which are then written into the scenario files by hand, and the
comparison tables quoted in docs/spiral.md.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

import herz
import herz.history.datasets as D
from herz.scenario import SpiralParams

RUNS = 200
SEED = 1
#: The seed of the check (issue #11: calibration and its check never share seeds). The
#: comparisons printed below and tests/test_spiral_history.py use it; the search uses SEED.
CHECK_SEED = 2
#: The two alliance blocs of europe-1914 (great powers only).
BLOCS = {"Triple Entente": ["UKG", "FRN", "RUS"], "Triple Alliance": ["GMY", "AUH", "ITA"]}
GREAT_POWERS = [s for members in BLOCS.values() for s in members]
#: Tolerance of the validation (tests/test_spiral_history.py): 1913 bloc totals within ±25%.
BLOC_TOLERANCE = 0.25
DEFAULTS = SpiralParams()
#: τ starts at the prior μ0 (0.3): europe-1914 takes its base from the start so that its first
#: year is a rest point, and with τ below the prior every power would arm against every other
#: from the first day (a transient, not a spiral; it also made results depend on the time step).
EUROPE_GRID: dict[str, list[float]] = {
    "tolerance": [round(x, 3) for x in np.arange(DEFAULTS.prior_greedy, 0.6001, 0.025)],
    "superiority": [round(x, 2) for x in np.arange(0.0, 1.2001, 0.1)],
}
COLD_GRID: dict[str, list[float]] = {
    "growth": [round(x, 3) for x in np.arange(0.02, 0.1201, 0.005)],
}


def nmc_milex(states: list[str], first: int, last: int) -> pd.DataFrame:
    """NMC v6.0 milex, years × states, in millions (the scenarios' unit)."""
    frame = D.load("nmc", version=6, years=(first, last), states=states)
    wide = frame.pivot(index="year", columns="stateabb", values="milex").astype(float)
    return wide[states] / 1000.0


def spending_path(
    scenario: str,
    overrides: dict[str, Any],
    steps: int | None = None,
    runs: int = RUNS,
    seed: int = SEED,
) -> pd.DataFrame:
    """Ensemble-mean spending, whole years × states, crises off (no war before a forced one)."""
    r = herz.simulate(
        scenario,
        model="spiral",
        runs=runs,
        steps=steps,
        seed=seed,
        keep="summary",
        overrides={"spiral.crisis_rate": 0.0, **overrides},
    )
    means = r.extra["means"]
    wide = means.pivot(index="year", columns="state", values="spending")
    wide.columns = wide.columns.astype(str)
    return wide[np.isclose(wide.index % 1.0, 0.0)].rename(index=lambda y: round(y))


def rms_log(sim: pd.DataFrame, data: pd.DataFrame) -> float:
    ratio = sim.loc[data.index, data.columns].to_numpy() / data.to_numpy()
    return float(np.sqrt(np.mean(np.log(ratio) ** 2)))


def search(
    scenario: str, grid: dict[str, list[float]], data: pd.DataFrame, steps: int | None = None
) -> tuple[dict[str, float], float]:
    """Grid search: the point with the least RMS log error (ties: nearest to the defaults)."""
    best: tuple[float, float, dict[str, float]] | None = None
    names = list(grid)
    for values in itertools.product(*(grid[k] for k in names)):
        point = {k: float(v) for k, v in zip(names, values, strict=True)}
        ov = {f"spiral.{k}": v for k, v in point.items()}
        err = rms_log(spending_path(scenario, ov, steps), data)
        dist = sum(abs(v - getattr(DEFAULTS, k)) for k, v in point.items())
        key = (round(err, 6), dist)
        if best is None or key < best[:2]:
            best = (key[0], key[1], point)
    assert best is not None
    return best[2], best[0]


def europe() -> dict[str, float]:
    data = nmc_milex(GREAT_POWERS, 1909, 1913)
    point, err = search("europe-1914", EUROPE_GRID, data.loc[1910:1913], steps=16)
    print(f"europe-1914: best {point}, RMS log error {err:.3f} (six powers, 1910-1913)")
    sim = spending_path(
        "europe-1914", {f"spiral.{k}": v for k, v in point.items()}, seed=CHECK_SEED
    )
    print(f"\ncheck with seed {CHECK_SEED} (fitted with seed {SEED}; fitted years 1910-1913)")
    print("spending, million current GBP: simulated (ensemble mean) / NMC milex")
    print("year  " + "  ".join(f"{s:>13}" for s in GREAT_POWERS))
    for y in range(1909, 1914):
        cells = [f"{sim.loc[y, s]:6.1f}/{data.loc[y, s]:6.1f}" for s in GREAT_POWERS]
        print(f"{y}  " + "  ".join(cells))
    print("\nbloc totals: simulated / NMC (ratio)")
    for bloc, members in BLOCS.items():
        row = [
            f"{y}: {sim.loc[y, members].sum():5.1f}/{data.loc[y, members].sum():5.1f} "
            f"({sim.loc[y, members].sum() / data.loc[y, members].sum():.2f})"
            for y in range(1909, 1914)
        ]
        print(f"{bloc:16s} " + "; ".join(row))
    return point


def cold_war() -> dict[str, float]:
    states = ["USA", "RUS"]
    data = nmc_milex(states, 1948, 1990)
    point, err = search("cold-war", COLD_GRID, data.loc[1949:1990])
    print(f"\ncold-war: best {point}, RMS log error {err:.3f} (USA and USSR, 1949-1990)")
    sim = spending_path("cold-war", {f"spiral.{k}": v for k, v in point.items()}, seed=CHECK_SEED)
    print(f"check with seed {CHECK_SEED} (fitted with seed {SEED}; fitted years 1949-1990)")
    print("spending, billion current USD: simulated (ensemble mean) / NMC milex")
    for y in range(1948, 1991, 6):
        cells = [f"{s} {sim.loc[y, s] / 1e3:6.1f}/{data.loc[y, s] / 1e3:6.1f}" for s in states]
        print(f"{y}  " + "  ".join(cells))
    return point


def main() -> None:
    europe()
    cold_war()


if __name__ == "__main__":
    main()
