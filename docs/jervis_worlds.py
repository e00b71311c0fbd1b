"""The acceptance run of Jervis's four worlds (issue #11): ``python docs/jervis_worlds.py``.

    python docs/jervis_worlds.py                   # the run quoted in docs/experiments.md
    python docs/jervis_worlds.py --db jw.duckdb    # keep the database (resumable: run again)

Among security seekers with defensive doctrines (the built-in sweep ``jervis-worlds``:
multipolar-20, 50 steps, offense advantage ω and distinguishability δ each over 9 values
0..1), at 1,000 runs a point and a seed used nowhere else (SEED), through herz's sweep machinery
(:func:`herz.experiment.run_sweep`; resumable, identical on any number of workers). Then:

1. regenerates the phase diagram, docs/figures/jervis-worlds.png;
2. the corners: P(war) with Wilson 99% intervals; Jervis's order (doubly dangerous ω = 1, δ = 0
   above each mixed corner, each above doubly stable ω = 0, δ = 1), each step a one-sided
   two-proportion z-test (pooled) at α = 0.01; doubly dangerous − doubly stable with a 99%
   normal-approximation (Wald) interval, against the acceptance threshold 0.15; and the
   dilemma's intensity at the corners, which P(war) misses where wars are at their floor: each
   corner's mean tension (outcome ``mean_tension``) and mean final military (``final_military``,
   summed over the states) with its standard error over the runs, read per run from the sweep
   database, and Jervis's four steps as one-sided z-tests on each (difference over the root of
   the summed squared standard errors), at α = 0.01;
3. the isotonic fit: the weighted least-squares surface increasing in ω and decreasing in δ
   (:func:`herz.isotonic.isotonic_grid`), weights n / (p̃(1 − p̃)) with p̃ = (k + ½)/(n + 1);
   docs/figures/jervis-worlds-isotonic.png shows the data, the fit and the standardized
   residuals (p̂ − fit) √weight;
4. non-monotonicity: every adjacent pair along ω (P(war) expected to rise) and along δ
   (expected to fall), 2 × 9 × 8 = 144 pairs, a one-sided pooled z-test of a step in the wrong
   direction, Holm-corrected over the 144 (statsmodels ``multipletests``) at α = 0.01;
   significant pairs that share a cell form a region;
5. for the most significant violating pairs (at most MAX_PAIRS), the two points rerun as a
   sweep of their own at 1,000 runs with the same seed, all mechanisms on (a replication: run
   streams are keyed by the point index, and the rerun's two points take the streams of the
   main sweep's points 0 and 1, not the pair's own), then with each switch of
   :class:`herz.scenario.SpiralMechanisms` off in turn (the same streams as the control, so
   control and switch compare on common random numbers); a switch removes the violation when
   the step is no longer significantly in the wrong direction (one-sided p > 0.05).

Everything is printed as Markdown and written to docs/figures/jervis-worlds.md (a generated
file, which docs/experiments.md includes). The sweep takes 2-3 minutes on 2 cores; each pair
of step 5 adds 14 small sweeps, about a minute and a half. A kept database (``--db``) is reused
only by the code that computed it: the script stamps it with a hash of the spiral model's code,
the scenario schema, multipolar-20 and the sweep spec, and stops if the hash has changed.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests

import herz
from herz.analysis import sweep_summary, wilson_interval
from herz.experiment import Progress, SweepSpec, load_sweep, run_sweep
from herz.isotonic import isotonic_grid
from herz.plots.experiments import plot_phase
from herz.scenario import SpiralMechanisms
from herz.store import open_results

SEED = 2026113003
"""Issue #11's acceptance run: fixed before the run, used by no other script, test or spec."""
RUNS = 1_000
SWEEP = "jervis-worlds"
X, Y = "world.offense_advantage", "world.distinguishability"
ALPHA = 0.01
"""Level of the order tests and of the Holm-corrected violation tests; the CI is 1 − ALPHA."""
THRESHOLD = 0.15
"""Acceptance: doubly dangerous exceeds doubly stable by at least this much."""
REMOVED_P = 0.05
"""A switch removes a violation when the wrong-way step's one-sided p exceeds this."""
MAX_PAIRS = 6
"""Most violating pairs rerun with each switch off (13 switches + a control, 2 points each)."""
MECHANISMS = list(SpiralMechanisms.model_fields)
MEASURES = (
    "mean_n_crises",
    "mean_n_preemptive",
    "mean_n_preventive",
    "mean_first_war_size",
    "mean_n_alliance_changes",
    "mean_mean_tension",
    "mean_arms_growth",
)
"""Summary means shown beside each violating pair, to read its mechanism."""
INTENSITY = {"mean_tension": "mean tension", "final_military": "final military"}
"""Per-run outcomes that measure the dilemma's intensity at the corners (outcome → label)."""

FIGURES = Path(__file__).resolve().parent / "figures"


# -- the data ---------------------------------------------------------------------------------
@dataclass
class Grid:
    """P(war) counts on the grid: ``k[i, j]``, ``n[i, j]`` at δ = ys[i], ω = xs[j]."""

    xs: np.ndarray
    ys: np.ndarray
    k: np.ndarray
    n: np.ndarray
    summary: pd.DataFrame

    @property
    def p(self) -> np.ndarray:
        return np.asarray(self.k / self.n, dtype=float)

    def cell(self, x: float, y: float) -> tuple[int, int]:
        return int(np.flatnonzero(np.isclose(self.ys, y))[0]), int(
            np.flatnonzero(np.isclose(self.xs, x))[0]
        )


def fingerprint() -> str:
    """A short hash of what the results depend on: the spiral model's code, the scenario
    schema, multipolar-20 and the sweep spec (so a stale figure can be told from a fresh one)."""
    import hashlib
    from importlib import resources

    root = resources.files("herz")
    files = sorted((root / "models" / "spiral").iterdir(), key=lambda f: f.name)
    files = [f for f in files if f.name.endswith(".py")]
    files += [
        root / "scenario.py",
        root / "scenarios" / "multipolar-20.yaml",
        root / "sweeps" / f"{SWEEP}.yaml",
    ]
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()[:12]


def counts(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with the count of runs with a war, ``k`` (p_war × n_runs, an integer)."""
    out = summary.copy()
    out["k"] = np.rint(out["p_war"] * out["n_runs"]).astype(int)
    return out


def grid_of(summary: pd.DataFrame) -> Grid:
    s = counts(summary)
    xs, ys = np.unique(s[X].to_numpy(float)), np.unique(s[Y].to_numpy(float))
    k = s.pivot(index=Y, columns=X, values="k").reindex(index=ys, columns=xs).to_numpy(float)
    n = s.pivot(index=Y, columns=X, values="n_runs").reindex(index=ys, columns=xs).to_numpy(float)
    return Grid(xs, ys, k, n, s)


def progress_printer(label: str) -> Any:
    last = [-1]

    def show(p: Progress) -> None:
        tenth = 10 * p.runs_done // max(p.runs_total, 1)
        if tenth != last[0]:
            last[0] = tenth
            print(f"  {label}: {p.runs_done:,}/{p.runs_total:,} runs", file=sys.stderr)

    return show


def corner_runs(
    db: Path, sweep: str, corners: dict[str, tuple[float, float]]
) -> tuple[pd.DataFrame, float]:
    """The per-run outcomes (``run`` and the INTENSITY columns) of the points at ``corners``
    (name → (ω, δ)), one row per run, with a ``world`` column naming the corner; and the
    states' total initial military (the same at every point: ω and δ change no force)."""
    with open_results(db) as store:
        sweep_id = store.resolve(sweep)
        runs = store.runs(sweep_id)
        initial = store.points(sweep_id)["initial_military"].to_numpy(float)
    assert np.allclose(initial, initial[0])
    frames = []
    for name, (x, y) in corners.items():
        at = runs[np.isclose(runs[X], x) & np.isclose(runs[Y], y)]
        frames.append(at[["run", *INTENSITY]].assign(world=name))
    return pd.concat(frames, ignore_index=True), float(initial[0])


def run(spec: SweepSpec, db: Path, workers: int | None, label: str) -> pd.DataFrame:
    """Run (or complete, or just read) ``spec`` in ``db``; its summary."""
    run_sweep(spec, db=db, resume=True, workers=workers, progress=progress_printer(label))
    return sweep_summary(db, spec.name)


# -- statistics -------------------------------------------------------------------------------
def one_sided(k1: float, n1: float, k2: float, n2: float) -> tuple[float, float]:
    """(z, p) of the pooled two-proportion z-test of H1: p1 > p2. p = ½ when neither varies."""
    p1, p2 = k1 / n1, k2 / n2
    pool = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pool * (1 - pool) * (1 / n1 + 1 / n2))
    if se == 0:
        return 0.0, 0.5
    z = (p1 - p2) / se
    return z, float(norm.sf(z))


def mean_se(values: np.ndarray) -> tuple[float, float]:
    """The mean and its standard error (sample standard deviation, ddof 1, over √n)."""
    x = np.asarray(values, dtype=float)
    return float(x.mean()), float(x.std(ddof=1) / math.sqrt(x.size))


def mean_greater(m1: float, se1: float, m2: float, se2: float) -> tuple[float, float]:
    """(z, p) of the one-sided z-test of H1: mean 1 > mean 2, independent samples (unpooled
    standard errors; with 1,000 runs a side the normal approximation is close)."""
    se = math.hypot(se1, se2)
    if se == 0:
        return 0.0, 0.5
    z = (m1 - m2) / se
    return z, float(norm.sf(z))


def wald_difference(k1: float, n1: float, k2: float, n2: float, level: float) -> tuple[float, ...]:
    """p1 − p2 with its two-sided ``level`` normal-approximation (unpooled) interval."""
    p1, p2 = k1 / n1, k2 / n2
    se = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    z = float(norm.ppf(0.5 + level / 2))
    d = p1 - p2
    return d, d - z * se, d + z * se, se


def isotonic_weights(k: np.ndarray, n: np.ndarray) -> np.ndarray:
    """1 / variance of p̂ with p shrunk to (k + ½)/(n + 1), finite where k = 0 or n."""
    shrunk = (k + 0.5) / (n + 1)
    return np.asarray(n / (shrunk * (1 - shrunk)), dtype=float)


def wrong_way(axis: str, ka: float, na: float, kb: float, nb: float) -> tuple[float, float]:
    """(z, p) of the step a → b going the wrong way: down along ω, up along δ."""
    return one_sided(ka, na, kb, nb) if axis == "ω" else one_sided(kb, nb, ka, na)


@dataclass(frozen=True)
class Pair:
    """Adjacent cells ``a`` → ``b`` (row, column) along ``axis``; P(war) should rise along ω
    and fall along δ, so a violation is p_b < p_a along ω, p_b > p_a along δ."""

    axis: str  # "ω" or "δ"
    a: tuple[int, int]
    b: tuple[int, int]

    def test(self, k: np.ndarray, n: np.ndarray) -> tuple[float, float]:
        """(z, p) of a step in the wrong direction."""
        return wrong_way(self.axis, k[self.a], n[self.a], k[self.b], n[self.b])

    def label(self, g: Grid) -> str:
        (ia, ja), (ib, jb) = self.a, self.b
        if self.axis == "ω":
            return f"ω {g.xs[ja]:.3g} → {g.xs[jb]:.3g} at δ = {g.ys[ia]:.3g}"
        return f"δ {g.ys[ia]:.3g} → {g.ys[ib]:.3g} at ω = {g.xs[ja]:.3g}"

    def slug(self) -> str:
        return f"{'omega' if self.axis == 'ω' else 'delta'}.{self.a[0]}.{self.a[1]}"


def adjacent_pairs(rows: int, cols: int) -> list[Pair]:
    pairs = [Pair("ω", (i, j), (i, j + 1)) for i in range(rows) for j in range(cols - 1)]
    pairs += [Pair("δ", (i, j), (i + 1, j)) for j in range(cols) for i in range(rows - 1)]
    return pairs


def regions(pairs: Iterable[Pair]) -> list[list[Pair]]:
    """Significant pairs grouped by shared cells (connected components)."""
    pairs = list(pairs)
    parent: dict[tuple[int, int], tuple[int, int]] = {}

    def find(c: tuple[int, int]) -> tuple[int, int]:
        parent.setdefault(c, c)
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for p in pairs:
        parent[find(p.a)] = find(p.b)
    groups: dict[tuple[int, int], list[Pair]] = {}
    for p in pairs:
        groups.setdefault(find(p.a), []).append(p)
    return list(groups.values())


def edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges around evenly spaced cell centres."""
    step = centres[1] - centres[0]
    return np.concatenate([centres - step / 2, [centres[-1] + step / 2]])


# -- output -----------------------------------------------------------------------------------
class Report:
    """Markdown printed as it comes and kept for docs/figures/jervis-worlds.md."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str = "") -> None:
        print(text, flush=True)
        self.lines.append(text)

    def table(self, header: list[str], rows: Iterable[Iterable[Any]]) -> None:
        self("| " + " | ".join(header) + " |")
        self("|" + "---|" * len(header))
        for row in rows:
            self("| " + " | ".join(str(c) for c in row) + " |")
        self()


def fmt_pm(m: float, se: float, sign: bool = False) -> str:
    """``m ± se`` to the decimal of the standard error's second significant digit."""
    d = max(0, 1 - math.floor(math.log10(se))) if se > 0 else 3
    return f"{m:{'+' if sign else ''}.{d}f} ± {se:.{d}f}"


def fmt_p(p: float) -> str:
    if p == 0:
        return "< 1e-300"  # below the smallest double norm.sf returns
    return f"{p:.2g}" if p >= 1e-4 else f"{p:.1e}"


def phase_figure(g: Grid, runs: int, seed: int, out: Path) -> None:
    title = (
        "Jervis's four worlds: P(war), spiral model, multipolar-20\n"
        f"security seekers, defensive doctrines; {runs:,} runs/point, seed {seed}"
    )
    fig, ax = plt.subplots(figsize=(7.0, 5.4), layout="constrained")
    plot_phase(g.summary, X, Y, "p_war", ax=ax, title=title)
    ax.title.set_fontsize(11)
    fig.savefig(out, dpi=150)
    plt.close(fig)


def isotonic_figure(
    g: Grid, fit: np.ndarray, resid: np.ndarray, sig: list[Pair], runs: int, out: Path
) -> None:
    fig, axes = plt.subplots(1, 3, figsize=(17, 5.2), layout="constrained")
    xe, ye = edges(g.xs), edges(g.ys)
    lim = max(3.0, float(np.ceil(np.abs(resid).max())))
    panels = (
        (g.p, f"P(war), {runs:,} runs per point", "magma_r", 0.0, 1.0, "P(war)"),
        (fit, "isotonic fit (↑ in ω, ↓ in δ)", "magma_r", 0.0, 1.0, "P(war)"),
        (resid, "standardized residual (p̂ − fit)·√w", "RdBu_r", -lim, lim, "residual"),
    )
    for ax, (z, title, cmap, lo, hi, label) in zip(axes, panels, strict=True):
        mesh = ax.pcolormesh(xe, ye, z, cmap=cmap, vmin=lo, vmax=hi, shading="flat")
        for i, yv in enumerate(g.ys):
            for j, xv in enumerate(g.xs):
                v = z[i, j]
                dark = abs(v) / hi > 0.55 if cmap == "RdBu_r" else (v - lo) / (hi - lo) > 0.55
                ax.text(
                    xv,
                    yv,
                    f"{v:.2f}" if cmap != "RdBu_r" else f"{v:.1f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if dark else "black",
                )
        for p in sig:  # significant violations: a line between the two cells
            (ia, ja), (ib, jb) = p.a, p.b
            ax.plot([g.xs[ja], g.xs[jb]], [g.ys[ia], g.ys[ib]], color="C2", lw=2.5, alpha=0.8)
        fig.colorbar(mesh, ax=ax, label=label)
        ax.set_xlabel("offense advantage ω")
        ax.set_ylabel("distinguishability δ")
        ax.set_title(title, fontsize=10)
    if sig:
        axes[2].plot([], [], color="C2", lw=2.5, label="significant violation (Holm, α = 0.01)")
        axes[2].legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), fontsize=8, frameon=False)
    fig.savefig(out, dpi=120)
    plt.close(fig)


# -- the run ----------------------------------------------------------------------------------
def pair_spec(base: SweepSpec, g: Grid, pair: Pair, switch: str | None) -> SweepSpec:
    """The two points of ``pair`` as a sweep of their own, ``switch`` off (None: all on)."""
    doc = base.canonical()
    (ia, ja), (ib, jb) = pair.a, pair.b
    xs = sorted({float(g.xs[ja]), float(g.xs[jb])})
    ys = sorted({float(g.ys[ia]), float(g.ys[ib])})
    doc["name"] = f"{base.name}.{pair.slug()}.{switch or 'control'}"
    doc["parameters"] = {X: {"values": xs}, Y: {"values": ys}}
    doc["design"] = {"kind": "grid"}
    if switch is not None:
        doc["overrides"] = {**doc["overrides"], f"spiral.mechanisms.{switch}": False}
    spec, _, _ = load_sweep(doc)
    return spec


def pair_counts(summary: pd.DataFrame, g: Grid, pair: Pair) -> tuple[float, ...]:
    s = counts(summary)
    out = []
    for i, j in (pair.a, pair.b):
        row = s[np.isclose(s[X], g.xs[j]) & np.isclose(s[Y], g.ys[i])].iloc[0]
        out += [float(row["k"]), float(row["n_runs"])]
    return tuple(out)


def parse_set(text: str) -> tuple[str, Any]:
    """``KEY=VALUE`` with VALUE read as YAML (``0.25`` a number, ``null`` None)."""
    import yaml

    key, sep, value = text.partition("=")
    if not sep or not key:
        sys.exit(f"--set {text!r}: expected KEY=VALUE")
    return key.strip(), yaml.safe_load(value)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="DuckDB file (kept; resumable). Default: temporary.")
    ap.add_argument("--keep", action="store_true", help="Keep the temporary database.")
    ap.add_argument("--workers", type=int, default=None, help="Worker processes (default: all).")
    ap.add_argument("--runs", type=int, default=RUNS, help=argparse.SUPPRESS)  # development
    ap.add_argument("--seed", type=int, default=SEED, help=argparse.SUPPRESS)  # development
    ap.add_argument("--max-pairs", type=int, default=MAX_PAIRS, help=argparse.SUPPRESS)
    ap.add_argument(
        "--figures", type=Path, default=FIGURES, help="Where the figures and tables go."
    )
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="An extra override for every point (YAML value), e.g. spiral.inner_step=0.25; "
        "for robustness runs: write them to another --figures folder.",
    )
    args = ap.parse_args(argv)
    tmp = None
    if args.db is None:
        tmp = Path(tempfile.mkdtemp(prefix="herz-jervis-"))
        args.db = tmp / "jervis-worlds.duckdb"
    args.figures.mkdir(parents=True, exist_ok=True)
    try:
        analyse(args)
    finally:
        if tmp is not None:
            if args.keep:
                print(f"\nkept {args.db}", file=sys.stderr)
            else:
                shutil.rmtree(tmp, ignore_errors=True)


def analyse(args: argparse.Namespace) -> None:
    out = Report()
    base, _, _ = load_sweep(SWEEP, runs=args.runs, seed=args.seed)
    if args.set:
        # a robustness run with numerical settings changed (e.g. spiral.inner_step=0.25); the
        # pairs' reruns (pair_spec) inherit them from the base spec
        doc = base.canonical()
        doc["overrides"] = {**doc["overrides"], **dict(parse_set(a) for a in args.set)}
        base, _, _ = load_sweep(doc)
    # A kept database is only reused with the code that computed it.
    stamp, now = Path(f"{args.db}.fingerprint"), fingerprint()
    if args.db.exists():
        before = stamp.read_text().strip() if stamp.exists() else "unknown"
        if before != now:
            sys.exit(
                f"{args.db} was computed with model fingerprint {before}, the code now has "
                f"{now}: delete it (and {stamp.name}) or choose another --db."
            )
    else:
        args.db.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(now + "\n")
    g = grid_of(run(base, args.db, args.workers, SWEEP))
    assert (g.n == args.runs).all() and g.k.shape == (9, 9)
    out("<!-- generated by docs/jervis_worlds.py; do not edit -->")
    out(
        f"Sweep `{SWEEP}` (herz {herz.__version__}): {base.scenario}, {base.steps} steps, "
        f"{len(g.xs)} × {len(g.ys)} points, {args.runs:,} runs per point, seed {args.seed}; "
        f"model fingerprint {now} (spiral code, scenario schema, multipolar-20, the "
        "sweep spec)" + (f"; with {', '.join(args.set)}" if args.set else "") + ".\n"
    )
    phase = args.figures / "jervis-worlds.png"
    phase_figure(g, args.runs, args.seed, phase)

    # -- the corners
    level = 1 - ALPHA
    names = {
        "doubly dangerous": (1.0, 0.0),
        "offense, distinguishable": (1.0, 1.0),
        "defense, indistinguishable": (0.0, 0.0),
        "doubly stable": (0.0, 1.0),
    }
    cells = {name: g.cell(x, y) for name, (x, y) in names.items()}
    out(f"**The corners** (Wilson {level:.0%} intervals)\n")
    rows = []
    for name, c in cells.items():
        low, high = wilson_interval(g.k[c], g.n[c], level)
        x, y = names[name]
        rows.append(
            [
                name,
                f"{x:g}",
                f"{y:g}",
                f"{int(g.k[c])}/{int(g.n[c])}",
                f"{g.p[c]:.3f}",
                f"{float(low):.3f}–{float(high):.3f}",
            ]
        )
    out.table(["world", "ω", "δ", "wars", "P(war)", f"{level:.0%} interval"], rows)

    out(f"**Jervis's order** (one-sided pooled z-tests, α = {ALPHA})\n")
    steps = [
        ("doubly dangerous", "offense, distinguishable"),
        ("doubly dangerous", "defense, indistinguishable"),
        ("offense, distinguishable", "doubly stable"),
        ("defense, indistinguishable", "doubly stable"),
    ]
    rows = []
    failed = []
    for hi, lo in steps:
        z, p = one_sided(g.k[cells[hi]], g.n[cells[hi]], g.k[cells[lo]], g.n[cells[lo]])
        ok = p < ALPHA
        if not ok:
            failed.append(f"{hi} > {lo}")
        diff = g.p[cells[hi]] - g.p[cells[lo]]
        rows.append(
            [f"{hi} > {lo}", f"{diff:+.3f}", f"{z:.2f}", fmt_p(p), "yes" if ok else "**no**"]
        )
    out.table(["claim", "difference", "z", "p (one-sided)", "holds"], rows)
    if failed:
        out(f"Jervis's order fails at {len(failed)} of {len(steps)} steps: {'; '.join(failed)}.\n")
    else:
        out(f"Jervis's order holds at all {len(steps)} steps.\n")

    dd, ds = cells["doubly dangerous"], cells["doubly stable"]
    d, ci_lo, ci_hi, se = wald_difference(g.k[dd], g.n[dd], g.k[ds], g.n[ds], level)
    out(
        f"**Doubly dangerous − doubly stable**: {d:.3f}, {level:.0%} CI {ci_lo:.3f} to "
        f"{ci_hi:.3f} (normal approximation, SE {se:.4f}). Point estimate ≥ {THRESHOLD}: "
        f"{'yes' if d >= THRESHOLD else 'no'}; whole {level:.0%} interval ≥ {THRESHOLD}: "
        f"{'yes' if ci_lo >= THRESHOLD else 'no'}.\n"
    )

    # -- the dilemma's intensity at the corners
    per_run, initial = corner_runs(args.db, SWEEP, names)
    stats: dict[str, dict[str, tuple[float, float]]] = {}
    for name in names:
        at = per_run[per_run["world"] == name]
        assert len(at) == args.runs
        stats[name] = {col: mean_se(at[col].to_numpy(float)) for col in INTENSITY}
    out(
        "**The dilemma's intensity at the corners** (means over the runs ± standard error; "
        "mean tension: the tension index averaged over each run; final military: the states' "
        f"total at the last step, in the scenario's arms units; at the start {initial:.4g})\n"
    )
    rows = []
    for name, (x, y) in names.items():
        cols = [fmt_pm(*stats[name][c]) for c in INTENSITY]
        rows.append([name, f"{x:g}", f"{y:g}", f"{g.p[cells[name]]:.3f}", *cols])
    out.table(["world", "ω", "δ", "P(war)", *INTENSITY.values()], rows)
    out(
        f"**Jervis's order on the intensity** (one-sided z-tests, difference over "
        f"√(SE₁² + SE₂²), α = {ALPHA})\n"
    )
    rows = []
    for col, label in INTENSITY.items():
        for hi, lo in steps:
            (m1, s1), (m2, s2) = stats[hi][col], stats[lo][col]
            z, p = mean_greater(m1, s1, m2, s2)
            rows.append(
                [
                    label,
                    f"{hi} > {lo}",
                    fmt_pm(m1 - m2, math.hypot(s1, s2), sign=True),
                    f"{z:.2f}",
                    fmt_p(p),
                    "yes" if p < ALPHA else "**no**",
                ]
            )
    out.table(["measure", "claim", "difference ± SE", "z", "p (one-sided)", "holds"], rows)

    # -- the isotonic fit
    w = isotonic_weights(g.k, g.n)
    fit = isotonic_grid(g.p, w, increasing_x=True, increasing_y=False)
    resid = (g.p - fit) * np.sqrt(w)
    levels = np.unique(np.round(fit, 9)).size
    out(
        "**Isotonic fit** (weighted least squares, increasing in ω and decreasing in δ; "
        "weights n/(p̃(1−p̃)), p̃ = (k+½)/(n+1)): "
        f"{levels} distinct levels over {fit.size} cells; weighted residual sum of squares "
        f"{float(np.sum(resid**2)):.1f}; largest |standardized residual| "
        f"{float(np.abs(resid).max()):.2f}; cells with |residual| > 2.58: "
        f"{int((np.abs(resid) > 2.58).sum())}.\n"
    )
    out("P(war), data | isotonic fit, by δ (rows, top = 1) and ω (columns):\n")
    out.table(
        ["δ \\ ω", *(f"{x:.3g}" for x in g.xs)],
        (
            [f"{g.ys[i]:.3g}", *(f"{g.p[i, j]:.3f} \\| {fit[i, j]:.3f}" for j in range(len(g.xs)))]
            for i in reversed(range(len(g.ys)))
        ),
    )

    # -- the violations
    pairs = adjacent_pairs(len(g.ys), len(g.xs))
    tests = [p.test(g.k, g.n) for p in pairs]
    raw = np.array([t[1] for t in tests])
    reject, holm, _, _ = multipletests(raw, alpha=ALPHA, method="holm")
    sig = [pairs[i] for i in np.argsort(holm, kind="stable") if reject[i]]
    out(
        f"**Non-monotone steps**: {len(pairs)} adjacent pairs, one-sided z-tests of a step the "
        f"wrong way (down along ω, up along δ), Holm-corrected at α = {ALPHA}: "
        f"{len(sig)} significant (uncorrected p < {ALPHA}: {int((raw < ALPHA).sum())}).\n"
    )
    wrong = [pairs[i] for i in np.argsort(raw, kind="stable")[:10]]
    out("The ten steps most in the wrong direction:\n")
    out.table(
        ["step", "P(war) from", "P(war) to", "z", "p", "Holm p", "significant"],
        (
            [
                p.label(g),
                f"{g.p[p.a]:.3f}",
                f"{g.p[p.b]:.3f}",
                f"{tests[pairs.index(p)][0]:.2f}",
                fmt_p(raw[pairs.index(p)]),
                fmt_p(holm[pairs.index(p)]),
                "**yes**" if reject[pairs.index(p)] else "no",
            ]
            for p in wrong
        ),
    )
    isotonic_figure(g, fit, resid, sig, args.runs, args.figures / "jervis-worlds-isotonic.png")

    if sig:
        groups = regions(sig)
        out(f"{len(groups)} region(s) of significant non-monotonicity:\n")
        for r, group in enumerate(groups, 1):
            out(f"- region {r}: " + "; ".join(p.label(g) for p in group))
        out()
        out("What happens at the cells of each significant step (means per run):\n")
        measure_rows = []
        for p in sig:
            for c in (p.a, p.b):
                row = g.summary[
                    np.isclose(g.summary[X], g.xs[c[1]]) & np.isclose(g.summary[Y], g.ys[c[0]])
                ].iloc[0]
                measure_rows.append(
                    [p.label(g), f"ω {g.xs[c[1]]:.3g}, δ {g.ys[c[0]]:.3g}", f"{row['p_war']:.3f}"]
                    + [f"{row[m]:.3g}" for m in MEASURES]
                )
        out.table(["step", "cell", "P(war)", *MEASURES], measure_rows)
        mechanisms(out, base, g, sig, args)
    else:
        out("No step is significantly in the wrong direction: no mechanism to look for.\n")

    (args.figures / "jervis-worlds.md").write_text("\n".join(out.lines) + "\n", encoding="utf-8")
    print(
        f"wrote {phase}, {args.figures / 'jervis-worlds-isotonic.png'} and "
        f"{args.figures / 'jervis-worlds.md'}",
        file=sys.stderr,
    )


def mechanisms(out: Report, base: SweepSpec, g: Grid, sig: list[Pair], args: Any) -> None:
    """Rerun the most significant violating pairs with each switch off in turn."""
    chosen = sig[: args.max_pairs]
    if len(sig) > len(chosen):
        out(
            f"Only the {len(chosen)} most significant of the {len(sig)} violating pairs are "
            f"rerun with the switches (the cap, MAX_PAIRS = {args.max_pairs}, bounds the cost).\n"
        )
    out(
        f"**Which switch removes each violation**: the pair's two points rerun ({args.runs:,} "
        f"runs each, seed {args.seed}) with all mechanisms on (control: a replication on other "
        f"streams) and with each switch off in turn. A switch removes the violation when the "
        f"wrong-way step is no longer significant (one-sided p > {REMOVED_P}).\n"
    )
    for p in chosen:
        rows = []
        removing = []
        for switch in [None, *MECHANISMS]:
            spec = pair_spec(base, g, p, switch)
            ka, na, kb, nb = pair_counts(run(spec, args.db, args.workers, spec.name), g, p)
            z, pv = wrong_way(p.axis, ka, na, kb, nb)
            gone = pv > REMOVED_P
            if switch is not None and gone:
                removing.append(switch)
            rows.append(
                [
                    "none (control)" if switch is None else f"`{switch}` off",
                    f"{ka / na:.3f}",
                    f"{kb / nb:.3f}",
                    f"{z:.2f}",
                    fmt_p(pv),
                    ("violation gone" if gone else "persists")
                    if switch is not None
                    else ("does not replicate" if gone else "replicates"),
                ]
            )
        out(f"*{p.label(g)}* (main run: {g.p[p.a]:.3f} → {g.p[p.b]:.3f})\n")
        out.table(["switched off", "P(war) from", "P(war) to", "z (wrong way)", "p", ""], rows)
        out(
            "Switches that remove it: "
            + (", ".join(f"`{s}`" for s in removing) if removing else "none")
            + ".\n"
        )


if __name__ == "__main__":
    main()
