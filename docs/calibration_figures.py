"""The calibration page's corner plot and table, from the posterior herz ships.

    python docs/calibration_figures.py [--posterior PATH] [--predictive 100]
        [--out docs/figures/calibration-spiral-corner.png]

Reads herz/calibration/data/spiral-1816-1899.json (made by
``herz calibrate spiral 1816:1899 --seed 0 --out ...``), draws the weighted particles as a corner
plot (weighted histograms on the diagonal, weighted scatter below, the prior's range as the axis
limits), prints the posterior table as Markdown for docs/calibration.md, and the posterior
predictive check: each target observed, simulated at posterior draws and at herz's defaults,
and the SBC benchmarks' verdicts (from the JSON benchmarks/bench_sbc.py writes: sbc-spiral.json
for herz calibrate's default rejection ABC, sbc-smc.json for ABC-SMC).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from herz.calibration import Posterior, posterior_table, shipped_posterior_path


def corner(post: Posterior, path: Path) -> None:
    """A corner plot of the weighted particles; axes span the uniform priors."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = post.parameters
    p = len(names)
    priors = post.meta.get("priors", {})
    x, w = post.particles, post.weights
    fig, axes = plt.subplots(p, p, figsize=(1.9 * p, 1.9 * p))
    for i in range(p):
        for j in range(p):
            ax = axes[i, j]
            if j > i:
                ax.axis("off")
                continue
            lim_j = (priors[names[j]]["low"], priors[names[j]]["high"])
            if i == j:
                ax.hist(x[:, j], bins=20, range=lim_j, weights=w, color="#1f77b4")
                ax.set_yticks([])
            else:
                lim_i = (priors[names[i]]["low"], priors[names[i]]["high"])
                ax.scatter(x[:, j], x[:, i], s=3 + 400 * w, alpha=0.5, color="#1f77b4", lw=0)
                ax.set_ylim(lim_i)
            ax.set_xlim(lim_j)
            ax.tick_params(labelsize=6)
            if i == p - 1:
                ax.set_xlabel(names[j].split(".", 1)[-1], fontsize=8)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(names[i].split(".", 1)[-1], fontsize=8)
            elif j > 0:
                ax.set_yticklabels([])
    meta = post.meta
    fig.suptitle(
        f"{post.model} calibrated to {meta.get('era')} by {meta.get('method')}: {post.size} "
        f"particles, seed {meta.get('seed')}; axes span the priors",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def markdown_table(post: Posterior) -> str:
    """The posterior table as Markdown."""
    table = posterior_table(post)
    lines = [
        "| parameter | mean | sd | 90% interval | prior 90% width | ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, r in table.iterrows():
        lines.append(
            f"| `{name}` | {r['mean']:.3g} | {r['sd']:.3g} | [{r['lo']:.3g}, {r['hi']:.3g}] "
            f"| {r['prior_width']:.3g} | {r['ratio']:.2f} |"
        )
    return "\n".join(lines)


PREDICTIVE_KEY = 0x99D
"""Stream-key prefix of the posterior-predictive runs (not a calibration's)."""


def predictive(post: Posterior, draws: int, seed: int = 1) -> str:
    """Observed moments beside the spiral's posterior-predictive mean and 90% interval (one
    synthetic history per posterior draw) and the same at herz's default parameters."""
    from herz.calibration.abc import FIXED_FROM_HISTORY
    from herz.calibration.moments import era_worlds, simulated_moments

    meta = post.meta
    years = (int(meta["years"][0]), int(meta["years"][1]))
    horizon = int(meta["horizon"])
    targets = list(meta["targets"])
    worlds = era_worlds(years, horizon)
    fixed = dict(meta.get("fixed") or FIXED_FROM_HISTORY)

    def run(params: dict[str, float], k: int, tag: int) -> dict[str, float]:
        key = (PREDICTIVE_KEY, tag, k)
        return simulated_moments(
            post.model, worlds, horizon, targets, {**fixed, **params}, seed, key
        )

    post_runs = [run(p, k, 0) for k, p in enumerate(post.sample(draws, seed=[seed, 1]))]
    default_runs = [run({}, k, 1) for k in range(draws)]
    lines = [
        "| target | observed | posterior predictive: mean [90%] | herz defaults: mean [90%] |",
        "|---|---:|---:|---:|",
    ]
    for t in targets:
        cells = []
        for runs in (post_runs, default_runs):
            v = np.array([r[t] for r in runs])
            lo, hi = np.quantile(v, [0.05, 0.95])
            cells.append(f"{v.mean():.4f} [{lo:.4f}, {hi:.4f}]")
        lines.append(f"| `{t}` | {meta['targets'][t]['observed']:.4f} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def sbc_table(path: Path) -> str:
    """The SBC benchmark's verdicts (benchmarks/bench_sbc.py's JSON) as Markdown: per parameter
    the chi-square test of uniform ranks, the share of truths inside the central 90% of the
    posterior draws, and the mean ratio of 90% widths."""
    import json

    doc = json.loads(path.read_text(encoding="utf-8"))
    ranks = np.asarray(doc["ranks"])
    n_draws = int(doc["n_draws"])
    lo, hi = round(0.05 * (n_draws + 1)), round(0.95 * (n_draws + 1)) - 1
    lines = [
        f"| parameter | χ² ({doc['bins'] - 1} df) | p | truth in central 90% | "
        "90% width / prior | verdict |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for j, name in enumerate(doc["parameters"]):
        v = doc["uniformity"][name]
        cover = float(np.mean((ranks[:, j] >= lo) & (ranks[:, j] <= hi)))
        uniform = "ranks uniform" if v["p_value"] > 0.01 else "ranks **not** uniform"
        ident = "identified" if v["identified"] else "not identified"
        lines.append(
            f"| `{name}` | {v['chi2']:.1f} | {v['p_value']:.2g} | {cover:.0%} | "
            f"{v['mean_width_ratio']:.2f} | {uniform}, {ident} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posterior", type=Path, default=shipped_posterior_path())
    parser.add_argument(
        "--out", type=Path, default=Path("docs/figures/calibration-spiral-corner.png")
    )
    parser.add_argument("--predictive", type=int, default=100, help="posterior draws (0: none)")
    parser.add_argument(
        "--sbc",
        type=Path,
        nargs="*",
        default=[Path("docs/figures/sbc-spiral.json"), Path("docs/figures/sbc-smc.json")],
        help="SBC results (benchmarks/bench_sbc.py's JSON), one table each",
    )
    args = parser.parse_args()
    post = Posterior.load(args.posterior)
    corner(post, args.out)
    print(markdown_table(post))
    print(f"ESS {post.effective_sample_size():.0f} of {post.size}; wrote {args.out}")
    obs = post.meta.get("targets", {})
    print({k: round(v["observed"], 5) for k, v in obs.items()}, np.round(post.weights.max(), 4))
    if args.predictive:
        print(predictive(post, args.predictive))
    for path in args.sbc:
        if path.exists():
            print(f"\n{path}:\n{sbc_table(path)}")


if __name__ == "__main__":
    main()
