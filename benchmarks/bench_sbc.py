"""Simulation-based calibration of `herz calibrate` on the spiral (Talts et al. 2018).

Draws parameter sets from the default priors, makes one synthetic history of the era's worlds
with the spiral itself at each (fresh streams, never a calibration's), calibrates each, and
records the rank of the true value among posterior draws. Writes the rank histograms
(docs/figures/sbc-spiral.png), the ranks and verdicts as JSON (docs/figures/sbc-spiral.json),
and prints per parameter the chi-square test of uniform ranks, the coverage of the central 90%
and the mean ratio of the 90% posterior width to the 90% prior width (identified: <= 0.5).

--method rejection (herz calibrate's default) checks the calibration herz ships at its own
size: the same 16 origins (1816:1899), the same 10,000-row reference table (seed 0; pass the
table `herz calibrate --table` wrote, or it is simulated, about 14 minutes on 2 cores) and the
same acceptance share. Every synthetic dataset is answered from that one table, so 200 datasets
cost 200 more simulations.

--method smc checks ABC-SMC, one calibration per dataset, so only at a smaller size (8 origins,
30-40 particles, 3 generations: about 40 minutes on one core for 100 datasets).

    python benchmarks/bench_sbc.py [--method rejection] [--datasets 200] [--table T.npz]
        [--simulations 10000] [--accept 0.02] [--years 1816:1899] [--seed 12] [--workers 2]
    python benchmarks/bench_sbc.py --method smc --datasets 100 --population 30 \
        --generations 3 --years 1857:1899 --seed 12 --workers 1 --out docs/figures/sbc-smc.png
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from herz.calibration.abc import DEFAULT_PRIORS, DEFAULT_TARGETS, parse_years
from herz.calibration.sbc import SBCResult, run_sbc, run_sbc_table, spiral_simulator_factory


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
        f"Simulation-based calibration of herz calibrate (spiral, {res.settings.get('method')}): "
        "uniform ranks = calibrated; grey: 99% band per bin",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=("rejection", "smc"), default="rejection")
    parser.add_argument("--datasets", type=int, default=200)
    parser.add_argument("--simulations", type=int, default=10_000)
    parser.add_argument("--accept", type=float, default=0.02)
    parser.add_argument("--table", type=Path, default=None)
    parser.add_argument("--table-seed", type=int, default=0)
    parser.add_argument("--population", type=int, default=40)
    parser.add_argument("--generations", type=int, default=3)
    parser.add_argument("--years", default="1816:1899")
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
        if done % max(1, total // 20) == 0 or done == total:
            elapsed = time.perf_counter() - started
            print(f"  {done}/{total}, {elapsed:.0f} s", flush=True)

    if args.method == "rejection":
        from herz.calibration.abc import CALIBRATION_KEY
        from herz.calibration.rejection import ReferenceTable, simulate_table

        priors = DEFAULT_PRIORS["spiral"]
        table = None
        if args.table is not None and args.table.exists():
            table = ReferenceTable.load(args.table)
            print(f"reference table {args.table}: {len(table)} rows, seed {table.meta['seed']}")
        if table is None or len(table) < args.simulations:
            print(f"simulating the reference table ({args.simulations} rows)")
            table = simulate_table(
                make(args.table_seed, CALIBRATION_KEY),
                priors,
                DEFAULT_TARGETS,
                args.simulations,
                seed=args.table_seed,
                model="spiral",
                workers=args.workers,
                start=table,
                checkpoint=args.table,
                progress=progress,
            )
        if len(table) > args.simulations:
            table = ReferenceTable(
                table.model,
                table.parameters,
                table.targets,
                table.theta[: args.simulations],
                table.stats[: args.simulations],
                table.meta,
            )
        print(f"SBC: {args.datasets} synthetic datasets")
        res = run_sbc_table(
            make,
            table,
            datasets=args.datasets,
            accept=args.accept,
            n_draws=args.draws,
            bins=args.bins,
            seed=args.seed,
            workers=args.workers,
            progress=progress,
        )
        what = f"{args.simulations}-row table (seed {args.table_seed}), accept {args.accept}"
    else:
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
        res.settings["method"] = "ABC-SMC"
        what = f"population {args.population}, {args.generations} generations"
    res.settings |= {"years": args.years, "horizon": args.horizon, "targets": DEFAULT_TARGETS}
    elapsed = time.perf_counter() - started
    figure(res, args.out)
    cover = list(res.coverage().values())
    doc = res.to_dict() | {"wall_s": round(elapsed, 1), "coverage90": cover}
    args.out.with_suffix(".json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    print(
        f"SBC ({res.settings['method']}): {args.datasets} datasets, {what}, {args.years} "
        f"(horizon {args.horizon}), {args.draws} draws, seed {args.seed}, {args.workers} "
        f"worker(s): {elapsed:.0f} s"
    )
    print(f"{'parameter':<26} {'chi2':>7} {'p':>8} {'in 90%':>7} {'width ratio':>12}  verdict")
    for (name, v), c in zip(res.uniformity().items(), cover, strict=True):
        uniform = "uniform" if v["p_value"] > 0.01 else "NOT uniform"
        ident = "identified" if v["identified"] else "not identified"
        print(
            f"{name:<26} {v['chi2']:>7.1f} {v['p_value']:>8.3g} {c:>7.0%} "
            f"{v['mean_width_ratio']:>12.2f}  {uniform}, {ident}"
        )
    print(f"wrote {args.out} and {args.out.with_suffix('.json')}")


if __name__ == "__main__":
    main()
