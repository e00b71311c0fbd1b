"""A pyabc sampler whose results depend only on the seed: each particle of each generation is
drawn from its own stream, whatever the number of workers.

pyabc's own parallel samplers (multicore, mapping, Dask) reseed every worker from OS entropy
(``np.random.seed()``), so their results cannot be reproduced; its single-core sampler can,
but uses one core. :class:`KeyedSampler` follows pyabc's ``MappingSampler`` (each task samples
until it has one accepted particle) and seeds task ``i`` of generation ``t`` with
``SeedSequence(seed, spawn_key=(t + 1, i))``; the results come back in task order, so the same
seed gives the same population on 1 core, on all local cores or on a Dask cluster. The task
also records the key ``(t + 1, i, k)`` of its k-th simulation in :func:`current_key`, from which
the simulator derives its own run seeds.
"""

from __future__ import annotations

import importlib
import math
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np

__all__ = ["KeyedSampler", "current_key"]

_LOCAL = threading.local()
_GLOBAL_RNG = threading.Lock()
"""pyabc draws from NumPy's global generator, one per process: tasks in threads of one process
(a Dask worker with several threads) take turns, so each task's draws stay its own."""
_WORKER: dict[str, Any] = {}


def current_key() -> tuple[int, ...]:
    """The key (generation + 1, task, try) of the simulation running in this thread."""
    key: tuple[int, ...] = getattr(_LOCAL, "key", (0, 0, 0))
    return key


def _run_task(payload: Any, seed: int, t: int, i: int, max_tries: float) -> tuple[Any, int]:
    """Sample until one particle is accepted (or ``max_tries`` simulations): task i of t."""
    with _GLOBAL_RNG:
        return _run_task_locked(payload, seed, t, i, max_tries)


def _run_task_locked(payload: Any, seed: int, t: int, i: int, max_tries: float) -> tuple[Any, int]:
    simulate_one, factory = payload
    # pyabc draws from NumPy's global generator: seed it for this task, restore it after
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(np.random.SeedSequence(seed, spawn_key=(t + 1, i)).generate_state(4))  # noqa: NPY002
    sample = factory()
    k = 0
    try:
        while k < max_tries:
            _LOCAL.key = (t + 1, i, k)
            particle = simulate_one()
            k += 1
            sample.append(particle)
            if particle.accepted:
                break
    finally:
        np.random.set_state(state)  # noqa: NPY002
        _LOCAL.key = (0, 0, 0)
    return sample, k


def _cloudpickle() -> Any:
    """cloudpickle (a pyabc dependency; untyped, so imported as Any)."""
    return importlib.import_module("cloudpickle")


def _init_worker(blob: bytes) -> None:
    _WORKER["payload"] = _cloudpickle().loads(blob)


def _worker_task(args: tuple[int, int, int, float]) -> tuple[Any, int]:
    seed, t, i, max_tries = args
    return _run_task(_WORKER["payload"], seed, t, i, max_tries)


def _dask_task(blob: bytes, seed: int, t: int, i: int, max_tries: float) -> tuple[Any, int]:
    return _run_task(_cloudpickle().loads(blob), seed, t, i, max_tries)


def _make_base() -> type:
    base: type = importlib.import_module("pyabc.sampler").Sampler
    return base


class KeyedSampler(_make_base()):  # type: ignore[misc]
    """pyabc sampler: task ``i`` of generation ``t`` seeded by ``(seed, t + 1, i)``.

    Parameters
    ----------
    seed:
        Root entropy of the tasks' streams.
    workers:
        Local processes (1: in this process, no pool). Ignored when ``client`` is given.
    client:
        A ``dask.distributed.Client``: tasks go to its workers instead.
    progress:
        Called as ``progress(t, done, n)`` as accepted particles of generation ``t`` arrive.
    """

    def __init__(
        self,
        seed: int,
        workers: int = 1,
        client: Any = None,
        progress: Callable[[int, int, int], None] | None = None,
    ) -> None:
        super().__init__()
        self.seed = int(seed)
        self.workers = max(1, int(workers))
        self.client = client
        self.progress = progress

    def _results(self, payload: Any, t: int, n: int, max_tries: float) -> Iterator[tuple[Any, int]]:
        cloudpickle = _cloudpickle()
        tasks = [(self.seed, t, i, max_tries) for i in range(n)]
        if self.client is not None:
            blob = self.client.scatter(cloudpickle.dumps(payload), broadcast=True)
            futures = [self.client.submit(_dask_task, blob, *a, pure=False) for a in tasks]
            yield from _in_order(futures)
        elif self.workers == 1 or n == 1:
            for a in tasks:
                yield _run_task(payload, *a)
        else:
            blob = cloudpickle.dumps(payload)
            with ProcessPoolExecutor(
                max_workers=self.workers, initializer=_init_worker, initargs=(blob,)
            ) as pool:
                chunk = max(1, n // (4 * self.workers))
                yield from pool.map(_worker_task, tasks, chunksize=chunk)

    def sample_until_n_accepted(
        self,
        n: int,
        simulate_one: Callable[[], Any],
        t: int,
        *,
        max_eval: float = np.inf,
        all_accepted: bool = False,
        ana_vars: Any = None,
    ) -> Any:
        """pyabc's interface: ``n`` accepted particles of generation ``t``."""
        del all_accepted, ana_vars
        max_tries = math.inf if not math.isfinite(max_eval) else max(1.0, math.ceil(max_eval / n))
        payload = (simulate_one, self.sample_factory)
        sample = self._create_empty_sample()
        total = 0
        for done, (part, k) in enumerate(self._results(payload, t, n, max_tries), start=1):
            sample += part
            total += k
            if self.progress is not None:
                self.progress(t, done, n)
        self.nr_evaluations_ = total
        if sample.n_accepted < n:
            sample.ok = False
        return sample


def _in_order(futures: Iterable[Any]) -> Iterator[Any]:
    for f in futures:
        yield f.result()
