"""Parameter sets as one vectorized ensemble (``herz.simulate(..., run_overrides=...)``).

A forecast from a posterior and a calibration's reference table run the spiral at many
parameter sets, one run each. Measured side by side in one process, for N sets on
one world:

- ``per call``: one ``herz.simulate`` call per parameter set (what herz did before);
- ``vectorized``: one call of N runs whose parameters vary by run;
- ``baseline``: one call of N runs at one parameter set (a plain ensemble), the cost the
  vectorized call is held against.

Each vectorized run is checked to equal its per-call run (the first ``--check`` sets), and the
ratios per call / vectorized and vectorized / baseline are printed.

    python benchmarks/bench_run_params.py [--sets 1000] [--scenario history-1902]
        [--steps 5] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd

from herz.calibration.abc import DEFAULT_PRIORS
from herz.simulation import simulate


def world(name: str) -> tuple[Any, dict[str, Any]]:
    """A built-in scenario, or ``history-YEAR`` (the world known at YEAR, geography off)."""
    if name.startswith("history-"):
        from herz.history.from_history import scenario_known_at

        return scenario_known_at(int(name.split("-", 1)[1])), {"spiral.mechanisms.geography": False}
    return name, {}


def best(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=1000)
    parser.add_argument("--scenario", default="history-1902")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--check", type=int, default=5)
    args = parser.parse_args()

    sc, base = world(args.scenario)
    rng = np.random.default_rng(0)
    values = {
        name: rng.uniform(p.low, p.high, args.sets) for name, p in DEFAULT_PRIORS["spiral"].items()
    }
    common = dict(steps=args.steps, seed=1, overrides=base, keep="series")

    def one(k: int) -> Any:
        over = {**base, **{n: float(v[k]) for n, v in values.items()}}
        return simulate(sc, "spiral", runs=1, run_offset=k, **{**common, "overrides": over})

    def per_call() -> None:
        for k in range(args.sets):
            one(k)

    def vectorized() -> Any:
        return simulate(sc, "spiral", runs=args.sets, run_overrides=values, **common)

    def baseline() -> Any:
        return simulate(sc, "spiral", runs=args.sets, **common)

    res = vectorized()
    for k in range(min(args.check, args.sets)):
        single = one(k)
        got = res.outcomes[res.outcomes["run"] == k].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, single.outcomes)
    t_vec = best(vectorized, args.repeat)
    t_base = best(baseline, args.repeat)
    t_call = best(per_call, 1)
    n_states = len(res.summary["states"])
    print(
        f"{args.sets} parameter sets x 1 run, {args.scenario} ({n_states} states), "
        f"{args.steps} steps, one process"
    )
    print(f"{'path':<32} {'seconds':>9} {'per set (ms)':>13}")
    for label, t in (
        ("per call (one simulate each)", t_call),
        ("vectorized (run_overrides)", t_vec),
        ("baseline (one parameter set)", t_base),
    ):
        print(f"{label:<32} {t:>9.3f} {1000 * t / args.sets:>13.3f}")
    print(
        f"per call / vectorized: {t_call / t_vec:.1f}x; vectorized / baseline: "
        f"{t_vec / t_base:.2f}x; first {min(args.check, args.sets)} runs checked equal"
    )


if __name__ == "__main__":
    main()
