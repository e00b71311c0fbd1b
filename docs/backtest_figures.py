"""The backtest's reliability diagram for docs/validation.md.

    python docs/backtest_figures.py            # runs the backtest (about 10 s on 2 cores)
    python docs/backtest_figures.py --from DIR # or reads a folder written by --out

It runs ``herz backtest spiral --train 1816:1899 --test 1900:1913 --horizon 5 --seed 1 --out
DIR`` (the shipped posterior of the spiral on 1816-1899, 1,000 draws a origin) and draws, for
MID onset and war, each forecaster's observed frequency against its mean forecast per bin of
width 0.1, the marker's area proportional to the bin's windows, to
``docs/figures/backtest-reliability.png``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

COMMAND = [
    "herz", "backtest", "spiral", "--train", "1816:1899", "--test", "1900:1913",
    "--horizon", "5", "--seed", "1",
]  # fmt: skip
FIGURE = Path(__file__).parent / "figures" / "backtest-reliability.png"
STYLE = {
    "climatology": ("0.5", "s"),
    "persistence": ("tab:blue", "^"),
    "logit": ("tab:green", "D"),
    "spiral": ("tab:red", "o"),
}
TITLES = {"mid": "MID onset", "war": "war"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", type=Path, help="a folder written by --out")
    args = parser.parse_args()
    if args.source is None:
        folder = Path(tempfile.mkdtemp()) / "backtest"
        subprocess.run([*COMMAND, "--out", str(folder)], check=True, stdout=subprocess.DEVNULL)
    else:
        folder = args.source
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    rel = pd.read_csv(folder / "reliability.csv")
    table = pd.read_csv(folder / "table.csv")
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2), layout="constrained")
    for ax, target in zip(axes, ("mid", "war"), strict=True):
        ax.plot([0, 1], [0, 1], color="0.8", lw=1, zorder=0)
        for name, (color, marker) in STYLE.items():
            r = rel[(rel["target"] == target) & (rel["forecaster"] == name) & (rel["n"] > 0)]
            if r.empty:
                continue
            ax.plot(r["mean_forecast"], r["observed"], color=color, lw=1, alpha=0.6)
            ax.scatter(
                r["mean_forecast"], r["observed"], s=8 + r["n"], color=color, marker=marker,
                label=name, alpha=0.85,
            )  # fmt: skip
        row = table[(table["target"] == target)].iloc[0]
        events, windows = int(row["events"]), int(row["windows"])
        ax.set_title(f"{TITLES[target]}: {events} events in {windows} windows")
        ax.set_xlabel("mean forecast in the bin")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_aspect("equal")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("observed frequency")
    legend = axes[0].legend(frameon=False, fontsize="small", loc="upper left")
    for handle in legend.legend_handles:
        handle.set_sizes([30])  # type: ignore[union-attr]
    fig.suptitle(
        "Reliability, test 1900-1913 (train 1816-1899, horizon 5); marker area ∝ windows",
        fontsize="medium",
    )
    FIGURE.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(FIGURE, dpi=110)
    print(f"wrote {FIGURE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
