"""Richardson ensembles: herz's vectorized simulator against a per-run NumPy loop.

Both compute the same noisy 20-actor system, 100 annual steps, with the same per-run random
streams; the script checks that the results are identical and prints the time ratio.

    python benchmarks/bench_richardson.py [--runs 2000] [--actors 20] [--steps 100]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.linalg import expm

from herz.models.richardson import simulate


def baseline(
    K: np.ndarray, a: np.ndarray, g: np.ndarray, x0: np.ndarray, steps: int, runs: int, seed: int
) -> np.ndarray:
    """One run at a time, one step at a time: how a straightforward script would do it."""
    n = len(x0)
    M = K - np.diag(a)
    aug = np.zeros((n + 1, n + 1))
    aug[:n, :n] = M
    aug[:n, n] = g
    E = expm(aug)
    P, c = E[:n, :n], E[:n, n]
    out = np.empty((runs, steps + 1, n))
    sigma = 0.1
    for i in range(runs):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
        eps = rng.standard_normal((steps, n))
        x = x0.copy()
        out[i, 0] = x
        for t in range(steps):
            x = P @ x + c
            x = x * np.exp(sigma * eps[t] - 0.5 * sigma**2)
            x = np.maximum(x, 0.0)
            out[i, t + 1] = x
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--actors", type=int, default=20)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n = args.actors
    K = rng.uniform(0, 0.05, (n, n))
    np.fill_diagonal(K, 0)
    a = np.full(n, 0.6)
    g = rng.uniform(0, 1, n)
    x0 = rng.uniform(1, 10, n)

    simulate(K, a, g, x0, steps=2, runs=2, noise=0.1, seed=1)  # warm-up (imports, caches)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        ours = simulate(K, a, g, x0, steps=args.steps, runs=args.runs, noise=0.1, seed=1)
        times.append(time.perf_counter() - t0)
    t_herz = min(times)
    t0 = time.perf_counter()
    ref = baseline(K, a, g, x0, args.steps, args.runs, seed=1)
    t_base = time.perf_counter() - t0
    same = np.allclose(ours, ref, rtol=1e-12, atol=0)
    print(f"runs={args.runs} actors={n} steps={args.steps}")
    print(f"herz (vectorized, best of 3): {t_herz:8.3f} s")
    print(f"per-run NumPy loop:           {t_base:8.3f} s")
    print(f"speed-up:                     {t_base / t_herz:8.1f}x   identical: {same}")


if __name__ == "__main__":
    main()
