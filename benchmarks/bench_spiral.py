"""Speed of the spiral kernel (issue #11, acceptance "Speed"): the current kernel against today's.

"Today's" kernel is the one of commit c644a62 (``--baseline``), the kernel when issue #11 was
filed. Its source tree is written to a temporary directory (``git archive c644a62 src``) and
each kernel runs in its own subprocess with ``PYTHONPATH`` set to its ``src`` (the child checks
that it imported ``herz`` from there), alternately (baseline, current, baseline, current, ...)
for ``--repeats`` rounds, on multipolar-20 (20 states) with 100 steps, ``--runs`` runs
(10,000), ``keep="summary"`` and the same seed. Each side loads its own built-in multipolar-20
(the file gained synthetic capitals since c644a62, which the old kernel does not read). Only the
``simulate`` call is timed, after a warm-up, not the imports.

The script prints:

- seconds per simulated year (steps × the scenario's ``time.step``) and per run-year for both,
  and the ratio current / baseline of the best times (the median too), with PASS/FAIL against
  the 2× bound. It reports; no test asserts a timing.
- The cost of each mechanism: the current kernel with every switch of
  ``herz.scenario.SpiralMechanisms`` on, then with each one off in turn
  (``spiral.mechanisms.<name>=false``, names read from the model, so new switches are picked
  up), at ``--mech-runs`` runs, best of ``--mech-repeats`` rounds in one process, and the
  saving against all-on. A switch whose results equal the all-on results bit for bit is marked:
  a kernel that does not read it yet, or a mechanism this scenario never exercises.
- Peak memory of the current kernel against the number of runs (``--mem-runs``), each in a
  fresh process: the child's maximum RSS (``ru_maxrss``) and, in another process, the peak
  traced by ``tracemalloc`` during the call, with the least-squares slope per 1,000 runs.
  With ``keep="summary"`` the runs advance ``--chunk`` at a time, so the peak should be flat.

``--json PATH`` writes every figure with the machine (CPU model, cores, load average, Python,
NumPy), the date and the command line.

    python benchmarks/bench_spiral.py                 # full size (the issue's figures)
    python benchmarks/bench_spiral.py --quick         # smoke run, well under a minute
    python benchmarks/bench_spiral.py --runs 2000 --repeats 3 --no-memory --json out.json
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

SCENARIO = "multipolar-20"
STEPS = 100
BASELINE = "c644a62"
BOUND = 2.0
REPO = Path(__file__).resolve().parents[1]


# -- the child: runs in a subprocess with PYTHONPATH=<one kernel's src> ------------------------
def _rss_mib() -> float:
    """This process's maximum resident set size so far, in MiB (Linux reports KiB)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 1024


def _child(spec: dict[str, Any]) -> dict[str, Any]:
    """Import herz from spec["src"], run each job of spec["jobs"] and return the figures."""
    import numpy as np

    import herz

    src = Path(spec["src"]).resolve()
    where = Path(herz.__file__).resolve()
    if src not in where.parents:
        raise SystemExit(f"imported herz from {where}, not from {src}: check PYTHONPATH")
    try:  # the current tree's switches; absent in the baseline
        from herz.scenario import SpiralMechanisms

        switches: list[str] = list(SpiralMechanisms.model_fields)
    except ImportError:
        switches = []
    info = {
        "herz_file": str(where),
        "herz_version": getattr(herz, "__version__", "?"),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "mechanisms": switches,
    }
    if not spec["jobs"]:
        return {"info": info, "jobs": []}
    herz.simulate(SCENARIO, model="spiral", runs=2, steps=2, seed=0, keep="summary")  # warm-up
    results = []
    for job in spec["jobs"]:
        sc = herz.load_scenario(SCENARIO, job.get("overrides") or None)
        rss_before = _rss_mib()
        if job.get("trace"):
            import tracemalloc

            tracemalloc.start()
        t0 = time.perf_counter()
        res = herz.simulate(
            sc,
            model="spiral",
            runs=job["runs"],
            steps=job["steps"],
            seed=job["seed"],
            keep="summary",
            chunk=job["chunk"],
        )
        seconds = time.perf_counter() - t0
        traced = None
        if job.get("trace"):
            traced = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        s = res.summary
        years = job["steps"] * float(sc.time.step)
        mech = getattr(sc.spiral, "mechanisms", None) if sc.spiral is not None else None
        results.append(
            {
                "label": job.get("label", ""),
                "runs": job["runs"],
                "steps": job["steps"],
                "years": years,
                "seconds": seconds,
                "seconds_per_year": seconds / years,
                "seconds_per_run_year": seconds / (years * job["runs"]),
                "p_war": float(s["p_war"]),
                "final_military_mean": float(s["final_military_mean"]),
                "mechanisms_off": mech.off() if mech is not None else None,
                "rss_before_mib": rss_before,
                "rss_peak_mib": _rss_mib(),
                "traced_peak_mib": traced,
            }
        )
    return {"info": info, "jobs": results}


# -- the parent --------------------------------------------------------------------------------
def run_child(src: Path, jobs: list[dict[str, Any]]) -> dict[str, Any]:
    """Run ``jobs`` in a fresh interpreter that imports herz from ``src``."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    spec = json.dumps({"src": str(src), "jobs": jobs})
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", spec],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"child (PYTHONPATH={src}) failed:\n{proc.stderr[-4000:]}")
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


@contextlib.contextmanager
def baseline_tree(rev: str, given: Path | None) -> Iterator[Path]:
    """The baseline's ``src`` directory: ``given``, or ``git archive <rev> src`` in a temp dir."""
    if given is not None:
        yield given.resolve()
        return
    with tempfile.TemporaryDirectory(prefix=f"herz-{rev}-") as tmp:
        tar = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", rev, "src"],
            capture_output=True,
            check=True,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
            tf.extractall(tmp, filter="data")
        yield Path(tmp) / "src"


def git_rev(rev: str, where: Path = REPO) -> str:
    """The short hash of ``rev`` in the repository holding ``where``, or "?"."""
    try:
        return subprocess.run(
            ["git", "-C", str(where), "rev-parse", "--short", rev],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def git_dirty(where: Path = REPO) -> bool | None:
    """Whether tracked files under ``where`` differ from HEAD (None outside git)."""
    try:
        out = subprocess.run(
            ["git", "-C", str(where), "status", "--porcelain", "--untracked-files=no", "."],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return bool(out.strip())


def machine() -> dict[str, Any]:
    cpu = platform.processor() or "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        usable: int | None = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "cores_usable": usable,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "threads_env": {
            k: os.environ[k]
            for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
            if k in os.environ
        },
    }


def slope_per_1000(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Least-squares slope of ys against xs, per 1,000 of x."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return 0.0
    return 1000 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx


def compare(args: argparse.Namespace, old_src: Path, new_src: Path) -> dict[str, Any]:
    """Baseline and current alternately, one fresh process per measurement."""
    job = {"runs": args.runs, "steps": args.steps, "seed": args.seed, "chunk": args.chunk}
    old: list[dict[str, Any]] = []
    new: list[dict[str, Any]] = []
    for r in range(args.repeats):
        for label, src, into in (("baseline", old_src, old), ("current", new_src, new)):
            res = run_child(src, [{**job, "label": label}])["jobs"][0]
            into.append(res)
            print(
                f"  round {r + 1}/{args.repeats} {label:8s} {res['seconds']:8.2f} s",
                flush=True,
            )

    def side(rows: list[dict[str, Any]]) -> dict[str, Any]:
        per_year = [x["seconds_per_year"] for x in rows]
        return {
            "seconds": [x["seconds"] for x in rows],
            "years": rows[0]["years"],
            "best_seconds_per_year": min(per_year),
            "median_seconds_per_year": statistics.median(per_year),
            "best_seconds_per_run_year": min(x["seconds_per_run_year"] for x in rows),
            "p_war": rows[0]["p_war"],
            "final_military_mean": rows[0]["final_military_mean"],
            "rss_peak_mib": max(x["rss_peak_mib"] for x in rows),
            "mechanisms_off": rows[0]["mechanisms_off"],
        }

    o, n = side(old), side(new)
    ratio = n["best_seconds_per_year"] / o["best_seconds_per_year"]
    ratio_median = n["median_seconds_per_year"] / o["median_seconds_per_year"]
    return {
        "baseline": o,
        "current": n,
        "ratio_best": ratio,
        "ratio_median": ratio_median,
        "bound": BOUND,
        "pass": ratio <= BOUND,
    }


def mechanisms(args: argparse.Namespace, new_src: Path, names: list[str]) -> dict[str, Any]:
    """All switches on, then each off in turn; best of ``--mech-repeats`` rounds."""
    base = {"runs": args.mech_runs, "steps": args.steps, "seed": args.seed, "chunk": args.chunk}
    configs: list[tuple[str, dict[str, Any]]] = [("all on", {})]
    configs += [(name, {f"spiral.mechanisms.{name}": False}) for name in names]
    times: dict[str, list[float]] = {label: [] for label, _ in configs}
    outcome: dict[str, tuple[float, float]] = {}
    for r in range(args.mech_repeats):
        k = r % len(configs)  # rotate the order from round to round against drift
        order = configs[k:] + configs[:k]
        jobs = [{**base, "label": label, "overrides": ov} for label, ov in order]
        for res in run_child(new_src, jobs)["jobs"]:
            times[res["label"]].append(res["seconds"])
            outcome[res["label"]] = (res["p_war"], res["final_military_mean"])
        print(f"  round {r + 1}/{args.mech_repeats} done", flush=True)
    on = min(times["all on"])
    rows = []
    for label, _ in configs:
        best = min(times[label])
        rows.append(
            {
                "mechanism": label,
                "seconds": times[label],
                "best_seconds": best,
                "saving_vs_all_on": None if label == "all on" else (on - best) / on,
                "p_war": outcome[label][0],
                "final_military_mean": outcome[label][1],
                "same_results_as_all_on": outcome[label] == outcome["all on"],
            }
        )
    spread = (max(times["all on"]) - on) / on  # noise: the all-on repeats among themselves
    return {
        "runs": args.mech_runs,
        "repeats": args.mech_repeats,
        "all_on_spread": spread,
        "rows": rows,
    }


def memory(args: argparse.Namespace, new_src: Path) -> dict[str, Any]:
    """Peak memory against runs, one fresh process per figure (RSS untraced, then traced)."""
    rows = []
    for runs in args.mem_runs:
        job = {"runs": runs, "steps": args.steps, "seed": args.seed, "chunk": args.chunk}
        plain = run_child(new_src, [job])["jobs"][0]
        row = {
            "runs": runs,
            "seconds": plain["seconds"],
            "rss_before_mib": plain["rss_before_mib"],
            "rss_peak_mib": plain["rss_peak_mib"],
            "rss_growth_mib": plain["rss_peak_mib"] - plain["rss_before_mib"],
            "traced_peak_mib": None,
        }
        if args.tracemalloc:
            row["traced_peak_mib"] = run_child(new_src, [{**job, "trace": True}])["jobs"][0][
                "traced_peak_mib"
            ]
        rows.append(row)
        traced = "" if row["traced_peak_mib"] is None else f", traced {row['traced_peak_mib']:.1f}"
        print(f"  {runs:6d} runs: RSS peak {row['rss_peak_mib']:.0f} MiB{traced}", flush=True)
    xs = [r["runs"] for r in rows]
    out: dict[str, Any] = {
        "chunk": args.chunk,
        "rows": rows,
        "rss_slope_mib_per_1000_runs": slope_per_1000(xs, [r["rss_peak_mib"] for r in rows]),
    }
    if args.tracemalloc:
        out["traced_slope_mib_per_1000_runs"] = slope_per_1000(
            xs, [r["traced_peak_mib"] for r in rows]
        )
    return out


def report(fig: dict[str, Any]) -> None:
    """The plain-text tables."""
    m, a = fig["machine"], fig["args"]
    print()
    print(f"machine: {m['cpu']}, {m['cores_usable']} usable cores of {m['cores']}")
    print(
        f"python {m['python']}, numpy {fig['numpy']}; load average before "
        f"{fig['load_before'][0]:.2f}, after {fig['load_after'][0]:.2f}; {fig['date']}"
    )
    c = fig.get("compare")
    if c:
        o, n = c["baseline"], c["current"]
        print()
        print(
            f"{SCENARIO}, {a['runs']} runs x {a['steps']} steps, keep='summary', seed {a['seed']}, "
            f"chunk {a['chunk']}, rounds alternating: {a['repeats']} (best / median)"
        )
        print(
            f"{'kernel':28s} {'years':>6s} {'best s':>8s} {'s/year':>9s} {'med s/year':>10s} "
            f"{'us/run-year':>11s} {'P(war)':>7s} {'RSS MiB':>8s}"
        )
        for name, s in ((f"baseline {fig['baseline_rev']}", o), (fig["current_label"], n)):
            print(
                f"{name:28s} {s['years']:6.0f} {min(s['seconds']):8.2f} "
                f"{s['best_seconds_per_year']:9.4f} {s['median_seconds_per_year']:10.4f} "
                f"{s['best_seconds_per_run_year'] * 1e6:11.2f} {s['p_war']:7.3f} "
                f"{s['rss_peak_mib']:8.0f}"
            )
        if n["mechanisms_off"]:
            print(f"WARNING: the current run had switches off: {n['mechanisms_off']}")
        verdict = "PASS" if c["pass"] else "FAIL"
        print(
            f"ratio current / baseline per simulated year: {c['ratio_best']:.2f} (best), "
            f"{c['ratio_median']:.2f} (median); bound {BOUND:.0f}x: {verdict}"
        )
    mech = fig.get("mechanisms")
    if mech:
        print()
        print(
            f"cost of each mechanism: current kernel, {mech['runs']} runs, "
            f"best of {mech['repeats']}"
        )
        print(f"{'switched off':22s} {'best s':>8s} {'saving':>8s} {'P(war)':>7s}  note")
        for r in mech["rows"]:
            saving = "" if r["saving_vs_all_on"] is None else f"{r['saving_vs_all_on']:+8.1%}"
            note = ""
            if r["saving_vs_all_on"] is not None and r["same_results_as_all_on"]:
                note = "results identical to all on (switch not read, or never used here)"
            print(
                f"{r['mechanism']:22s} {r['best_seconds']:8.2f} {saving:>8s} "
                f"{r['p_war']:7.3f}  {note}"
            )
        if mech["repeats"] > 1:
            print(
                f"noise: the all-on times differ by {mech['all_on_spread']:.1%} among "
                f"{mech['repeats']} rounds; savings within that are not measured"
            )
    mem = fig.get("memory")
    if mem:
        print()
        print(f"peak memory, current kernel, keep='summary', chunk {mem['chunk']}, fresh process:")
        print(f"{'runs':>7s} {'s':>8s} {'RSS before':>11s} {'RSS peak':>9s} {'traced peak':>12s}")
        for r in mem["rows"]:
            traced = "" if r["traced_peak_mib"] is None else f"{r['traced_peak_mib']:12.1f}"
            print(
                f"{r['runs']:7d} {r['seconds']:8.2f} {r['rss_before_mib']:11.0f} "
                f"{r['rss_peak_mib']:9.0f} {traced:>12s}"
            )
        line = f"slope per 1,000 runs: RSS peak {mem['rss_slope_mib_per_1000_runs']:+.2f} MiB"
        if "traced_slope_mib_per_1000_runs" in mem:
            line += f", traced peak {mem['traced_slope_mib_per_1000_runs']:+.2f} MiB"
        print(line + " (MiB, before = after import and warm-up)")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--runs", type=int, default=10_000, help="runs of the timed comparison")
    p.add_argument("--steps", type=int, default=STEPS)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--chunk", type=int, default=500, help="the kernel's chunk option")
    p.add_argument("--repeats", type=int, default=3, help="alternating rounds (baseline, current)")
    p.add_argument("--mech-runs", type=int, default=2000)
    p.add_argument("--mech-repeats", type=int, default=2)
    p.add_argument("--mem-runs", type=int, nargs="+", default=[1000, 4000, 16000])
    p.add_argument(
        "--no-tracemalloc",
        dest="tracemalloc",
        action="store_false",
        help="skip the tracemalloc processes (RSS only)",
    )
    p.add_argument("--baseline", default=BASELINE, help="the baseline kernel's git revision")
    p.add_argument(
        "--baseline-src", type=Path, help="an existing src/ of the baseline instead of git archive"
    )
    p.add_argument(
        "--current-src", type=Path, default=REPO / "src", help="src/ of the kernel under test"
    )
    p.add_argument("--no-compare", dest="compare", action="store_false")
    p.add_argument("--no-mechanisms", dest="mechanisms", action="store_false")
    p.add_argument("--no-memory", dest="memory", action="store_false")
    p.add_argument("--json", type=Path, help="write every figure to this file")
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 200 runs, 1 round, chunk 100, 100 runs per mechanism, "
        "memory at 200 400 800 runs (options given explicitly still apply)",
    )
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.quick:  # the quick sizes as defaults: options given explicitly still win
        p.set_defaults(
            runs=200, repeats=1, chunk=100, mech_runs=100, mech_repeats=1, mem_runs=[200, 400, 800]
        )
        args = p.parse_args(argv)
    return args


def main(argv: Sequence[str] | None = None) -> None:
    args = parse(argv)
    if args.child is not None:
        print(json.dumps(_child(json.loads(args.child))))
        return
    new_src = args.current_src.resolve()
    info = run_child(new_src, [])["info"]
    fig: dict[str, Any] = {
        "command": shlex.join([sys.executable, *sys.argv]),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "numpy": info["numpy"],
        "load_before": os.getloadavg(),
        "scenario": SCENARIO,
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "current_src": str(new_src),
        "current_label": (
            f"current {git_rev('HEAD', new_src)}{'+dirty' if git_dirty(new_src) else ''}"
        ),
        "current_herz": info["herz_file"],
        "mechanisms_available": info["mechanisms"],
        "baseline_rev": git_rev(args.baseline) if args.baseline_src is None else "given",
    }
    print(f"current kernel: herz from {info['herz_file']}", flush=True)
    if args.compare:
        with baseline_tree(args.baseline, args.baseline_src) as old_src:
            print(f"baseline kernel: {args.baseline} in {old_src}", flush=True)
            fig["compare"] = compare(args, old_src, new_src)
    if args.mechanisms:
        if info["mechanisms"]:
            print(f"mechanisms: {len(info['mechanisms'])} switches", flush=True)
            fig["mechanisms"] = mechanisms(args, new_src, info["mechanisms"])
        else:
            print("mechanisms: the current tree has no SpiralMechanisms; skipped", flush=True)
    if args.memory:
        print("memory:", flush=True)
        fig["memory"] = memory(args, new_src)
    fig["load_after"] = os.getloadavg()
    report(fig)
    if args.json:
        args.json.write_text(json.dumps(fig, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
