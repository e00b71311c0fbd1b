"""Sweep throughput and memory: 1 worker vs all local workers vs a Dask LocalCluster.

Runs the same summary-only sweep (a 10 × 10 grid of offense advantage × distinguishability)
three ways, checks that the stored outcomes are identical, and prints runs per second and the
scaling ratio of all local workers over one (the target is ≥ 1.7× on 2 cores). Then it runs
summary-only sweeps of 10,000 and 100,000 runs, each in a fresh process, and prints the peak
resident memory of the parent (which writes the database) and of the largest worker: memory
must stay flat in the number of runs (target < 1 GB).

    python benchmarks/bench_sweep.py [--model spiral] [--scenario europe-1909] [--steps 50]
                                     [--runs 10000] [--memory-runs 10000 100000]

The model defaults to the spiral model when it is registered, else Richardson's with noise.
"""

from __future__ import annotations

import os

# One worker is one core: BLAS/OpenMP threads are pinned to 1 here, before NumPy loads (the
# local worker processes and Dask's workers get the same setting).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pandas as pd  # noqa: E402

from herz.experiment import Progress, run_sweep  # noqa: E402
from herz.models import REGISTRY as MODELS  # noqa: E402
from herz.store import open_results  # noqa: E402


def spec(model: str, scenario: str, runs_total: int, steps: int, name: str) -> dict[str, Any]:
    """A 10 × 10 ω × δ grid with ``runs_total / 100`` runs per point, outcomes only."""
    return {
        "name": name,
        "scenario": scenario,
        "model": model,
        "options": {"noise": 0.1} if model == "richardson" else {},
        "parameters": {
            "world.offense_advantage": {"range": {"start": 0, "stop": 1, "num": 10}},
            "world.distinguishability": {"range": {"start": 0, "stop": 1, "num": 10}},
        },
        "runs": max(1, runs_total // 100),
        "steps": steps,
        "seed": 2024,
        "keep": "summary",
    }


def stored(db: Path) -> pd.DataFrame:
    with open_results(db) as store:
        return store.runs(store.resolve())


def _peak_rss_mib(proc: Any) -> float:
    """A process's peak resident memory (VmHWM on Linux; else its current RSS), in MiB."""
    try:
        with open(f"/proc/{proc.pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float(proc.memory_info().rss) / 2**20


def measure_memory(args: argparse.Namespace, runs_total: int, folder: Path) -> dict[str, Any]:
    """Run one sweep in this (fresh) process; report throughput and peak RSS in MiB.

    Workers are forked by a fork server (a child of this process), so they are grandchildren
    that ``RUSAGE_CHILDREN`` never sees: a thread polls every descendant's peak RSS instead.
    """
    import threading

    import psutil

    doc = spec(args.model, args.scenario, runs_total, args.steps, f"mem-{runs_total}")
    peaks: dict[int, float] = {}
    stop = threading.Event()

    def poll() -> None:
        me = psutil.Process()
        while not stop.wait(0.2):
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    peaks[child.pid] = max(peaks.get(child.pid, 0.0), _peak_rss_mib(child))

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    report = run_sweep(doc, db=folder / f"mem-{runs_total}.duckdb", workers=args.workers)
    stop.set()
    watcher.join()
    to_mib = 1 / 1024 if sys.platform != "darwin" else 1 / 2**20  # ru_maxrss: KiB on Linux
    return {
        "runs": report.runs_computed,
        "seconds": report.seconds,
        "parent_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * to_mib,
        "worker_mib": max(peaks.values(), default=0.0),
        "children_mib": sum(peaks.values()),
        "processes": len(peaks),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--model", default="spiral" if "spiral" in MODELS else "richardson")
    parser.add_argument("--scenario", default="europe-1909")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--runs", type=int, default=30_000, help="runs in the speed sweeps")
    parser.add_argument("--memory-runs", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--child-memory", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory:
        print(json.dumps(measure_memory(args, args.child_memory, Path(args.folder))))
        return

    cores = os.cpu_count() or 1
    print(
        f"model={args.model} scenario={args.scenario} steps={args.steps} "
        f"runs={args.runs} cores={cores} workers={args.workers} "
        f"load average={os.getloadavg()[0]:.1f}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        doc = spec(args.model, args.scenario, args.runs, args.steps, "speed")
        results: dict[str, float] = {}
        steady: dict[str, float] = {}
        configs: list[tuple[str, dict[str, Any]]] = [
            ("1 worker (in-process)", {"workers": 1}),
            (f"{args.workers} local worker processes", {"workers": args.workers}),
            ("Dask LocalCluster, 2 workers", {"dask_local": 2}),
        ]
        frames = []
        for k, (label, kwargs) in enumerate(configs):
            db = folder / f"speed{k}.duckdb"
            ready: list[float] = []

            def mark(p: Progress, ready: list[float] = ready) -> None:
                # The first report comes once the sweep is validated and the database is
                # ready; workers may still be starting (the parent computes meanwhile).
                if not ready:
                    ready.append(time.perf_counter())

            t0 = time.perf_counter()
            report = run_sweep(doc, db=db, progress=mark, **kwargs)
            t1 = time.perf_counter()
            wall = t1 - t0
            results[label] = report.runs_computed / wall
            steady[label] = report.runs_computed / (t1 - ready[0])
            frames.append(stored(db))
            print(
                f"{label:34s} {results[label]:7.0f} runs/s wall ({wall:5.1f} s), "
                f"{steady[label]:7.0f} runs/s once started ({t1 - ready[0]:5.1f} s); "
                f"chunk {report.chunk_runs} runs"
            )
        same = all(f.equals(frames[0]) for f in frames[1:])
        base = results[configs[0][0]]
        print(f"identical stored outcomes on all three: {same}")
        sbase = steady[configs[0][0]]
        for k, name in ((1, f"{args.workers} local workers"), (2, "Dask, 2 workers")):
            label = configs[k][0]
            print(
                f"scaling, {name} / 1 worker: {results[label] / base:5.2f}x wall, "
                f"{steady[label] / sbase:5.2f}x once started"
            )
        for n in args.memory_runs:
            out = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child-memory",
                    str(n),
                    "--folder",
                    str(folder),
                    "--model",
                    args.model,
                    "--scenario",
                    args.scenario,
                    "--steps",
                    str(args.steps),
                    "--workers",
                    str(args.workers),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            m = json.loads(out.stdout.strip().splitlines()[-1])
            # An upper bound: forked workers share the fork server's pages (counted in each).
            total = m["parent_mib"] + m["children_mib"]
            print(
                f"peak memory, {m['runs']:>7,d}-run summary-only sweep: "
                f"parent {m['parent_mib']:6.0f} MiB, largest child {m['worker_mib']:6.0f} MiB, "
                f"all {m['processes'] + 1} processes <= {total:6.0f} MiB "
                f"({m['runs'] / m['seconds']:.0f} runs/s)"
            )


if __name__ == "__main__":
    main()
