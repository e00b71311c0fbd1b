"""Simulation-based calibration of `herz calibrate` on the spiral (Talts et al. 2018).

Draws parameter sets from the default priors, makes one synthetic history of the era's worlds
with the spiral itself at each (fresh streams, never a calibration's), calibrates each with
ABC-SMC, and records the rank of the true value among posterior draws. Writes the rank
histograms (docs/figures/sbc-spiral.png), the ranks and verdicts as JSON
(docs/figures/sbc-spiral.json), and prints per parameter the chi-square test of uniform ranks
and the mean ratio of the 90% posterior width to the 90% prior width (identified: <= 0.5).

The configuration is smaller than the shipped calibration so that 100 calibrations fit in
about 40 minutes on one core: 8 origins (1857:1899) instead of 16, population 40, 3
generations (the shipped one: 16 origins, 200 particles, 6 generations).

    python benchmarks/bench_sbc.py [--datasets 100] [--population 40] [--generations 3]
        [--years 1857:1899] [--seed 12] [--workers 1] [--out docs/figures/sbc-spiral.png]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from herz.calibration.abc import DEFAULT_PRIORS, DEFAULT_TARGETS, parse_years
from herz.calibration.sbc import SBCResult, run_sbc, spiral_simulator_factory


def figure(res: SBCResult, path: Path) -> None:
    """One rank histogram per parameter, with the uniform's expected count and its 99% band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy import stats

    p = len(res.parameters)
    fig, axes = plt.subplots(1, p, figsize=(3.0 * p, 2.8), sharey=True)
    axes = np.atleast_1d(axes)
    d = res.ranks.shape[0]
    edges = np.linspace(0, res.n_draws + 1, res.bins + 1)
    expected = d / res.bins
    lo, hi = stats.binom.ppf([0.005, 0.995], d, 1 / res.bins)
    verdict = res.uniformity()
    for j, (ax, name) in enumerate(zip(axes, res.parameters, strict=True)):
        ax.axhspan(lo, hi, color="0.85", zorder=0)
        ax.axhline(expected, color="0.4", lw=1, zorder=1)
        ax.hist(res.ranks[:, j], bins=edges, color="#1f77b4", edgecolor="white", zorder=2)
        v = verdict[name]
        ax.set_title(
            f"{name.split('.', 1)[-1]}\nχ² p = {v['p_value']:.2g}, width ratio "
            f"{v['mean_width_ratio']:.2f}",
            fontsize=9,
        )
        ax.set_xlabel(f"rank of truth among {res.n_draws} draws", fontsize=8)
    axes[0].set_ylabel(f"datasets (of {d})")
    fig.suptitle(
        "Simulation-based calibration of herz calibrate (spiral): uniform ranks = calibrated; "
        "grey: 99% band per bin",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=100)
    parser.add_argument("--population", type=int, default=40)
    parser.add_argument("--generations", type=int, default=3)
    parser.add_argument("--years", default="1857:1899")
    parser.add_argument("--horizon", type=int, default=5)
    parser.add_argument("--draws", type=int, default=99)
    parser.add_argument("--bins", type=int, default=10)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("docs/figures/sbc-spiral.png"))
    args = parser.parse_args()

    started = time.perf_counter()
    make = spiral_simulator_factory(parse_years(args.years), args.horizon, DEFAULT_TARGETS)

    def progress(done: int, total: int) -> None:
        elapsed = time.perf_counter() - started
        print(f"  {done}/{total} datasets, {elapsed:.0f} s", flush=True)

    res = run_sbc(
        make,
        DEFAULT_PRIORS["spiral"],
        datasets=args.datasets,
        population=args.population,
        generations=args.generations,
        n_draws=args.draws,
        bins=args.bins,
        seed=args.seed,
        workers=args.workers,
        model="spiral",
        progress=progress,
    )
    res.settings |= {"years": args.years, "horizon": args.horizon, "targets": DEFAULT_TARGETS}
    elapsed = time.perf_counter() - started
    figure(res, args.out)
    doc = res.to_dict() | {"wall_s": round(elapsed, 1)}
    args.out.with_suffix(".json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(
        f"SBC: {args.datasets} datasets, population {args.population}, {args.generations} "
        f"generations, {args.years} (horizon {args.horizon}), {args.draws} draws, seed "
        f"{args.seed}, {args.workers} worker(s): {elapsed:.0f} s"
    )
    print(f"{'parameter':<26} {'chi2':>7} {'p':>8} {'width ratio':>12}  verdict")
    for name, v in res.uniformity().items():
        uniform = "uniform" if v["p_value"] > 0.01 else "NOT uniform"
        ident = "identified" if v["identified"] else "not identified"
        print(
            f"{name:<26} {v['chi2']:>7.1f} {v['p_value']:>8.3g} {v['mean_width_ratio']:>12.2f}"
            f"  {uniform}, {ident}"
        )
    print(f"wrote {args.out} and {args.out.with_suffix('.json')}")


if __name__ == "__main__":
    main()
