"""Per-run random streams: run i's numbers depend only on (seed, key, i).

Every model draws run i's randomness from ``SeedSequence(seed, spawn_key=(*key, i))``, which is
exactly ``SeedSequence(seed).spawn(...)``'s i-th child when ``key`` is empty. So run i is the same
whether it is simulated alone, in an ensemble of 100 or of 100,000, in any chunk, on any worker.
Sweeps pass ``key=(point,)`` so that each parameter point has its own family of streams.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

__all__ = ["run_generator", "run_generators", "run_seed_sequence"]


def run_seed_sequence(seed: int, run: int, key: Sequence[int] = ()) -> np.random.SeedSequence:
    """The seed sequence of one run."""
    return np.random.SeedSequence(seed, spawn_key=(*map(int, key), int(run)))


def run_generator(seed: int, run: int, key: Sequence[int] = ()) -> np.random.Generator:
    """The generator of one run (PCG64 seeded from :func:`run_seed_sequence`)."""
    return np.random.default_rng(run_seed_sequence(seed, run, key))


def run_generators(
    seed: int, runs: Iterable[int], key: Sequence[int] = ()
) -> list[np.random.Generator]:
    """Generators for the given run indices."""
    return [run_generator(seed, i, key) for i in runs]
