"""Simulation-based calibration of the calibration itself (Talts, Betancourt, Simpson, Vehtari &
Gelman 2018, 'Validating Bayesian inference algorithms with simulation-based calibration',
arXiv:1804.06788).

For d = 1..D: draw θ_d from the prior, simulate one synthetic dataset y_d from the model at θ_d
(streams keyed :data:`SYNTHETIC_KEY`, never used by a calibration), calibrate on y_d with its
own seed, draw L values from the posterior and record the rank of θ_d among them (the number
of draws below it, 0..L). If the posteriors are right, each parameter's ranks are uniform on
0..L; a ∪ shape means posteriors too narrow, a ∩ shape too wide, a slope a bias. Each
parameter's ranks are binned into B equal bins and tested for uniformity with Pearson's
chi-square test (B − 1 degrees of freedom). Beside it: the mean ratio of the 90% posterior width
to the 90% prior width (a parameter is called identified when it is at most 0.5).

:func:`run_sbc` checks ABC-SMC (one calibration per dataset); :func:`run_sbc_table` (defined
in :mod:`herz.calibration.rejection`, re-exported here) checks rejection ABC from a reference
table, where every dataset is answered from the one table a calibration uses, so its SBC runs
at full size. The ranks and their tests are :class:`~herz.calibration.ranks.SBCResult`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from herz.calibration.abc import abc_smc
from herz.calibration.priors import Prior
from herz.calibration.ranks import DRAWS_KEY, SYNTHETIC_KEY, SBCResult, width_ratio
from herz.calibration.rejection import run_sbc_table

__all__ = [
    "SYNTHETIC_KEY",
    "SBCResult",
    "run_sbc",
    "run_sbc_table",
    "spiral_simulator_factory",
]

_TRUTH, _CAL, _DRAWS = 1, 2, DRAWS_KEY

Simulate = Callable[[Mapping[str, float], tuple[int, ...]], Mapping[str, float]]


def run_sbc(
    make_simulator: Callable[[int, int], Simulate],
    priors: Mapping[str, Prior],
    *,
    datasets: int = 100,
    population: int = 40,
    generations: int = 3,
    n_draws: int = 99,
    bins: int = 10,
    seed: int = 0,
    workers: int = 1,
    model: str = "model",
    progress: Callable[[int, int], None] | None = None,
) -> SBCResult:
    """Simulation-based calibration of :func:`herz.calibration.abc.abc_smc`.

    ``make_simulator(seed, key_prefix)`` returns ``simulate(params, key) -> statistics`` whose
    streams derive from ``(seed, key_prefix, *key)``. Dataset d: θ_d from
    ``SeedSequence(seed, spawn_key=(1, d))``; its data from ``make_simulator(seed,
    SYNTHETIC_KEY)`` with key ``(d,)``; its calibration seed from ``SeedSequence(seed,
    spawn_key=(2, d))``; its posterior draws from ``(seed, 3, d)``.
    """
    names = tuple(priors)
    truth_sim = make_simulator(seed, SYNTHETIC_KEY)
    ranks = np.zeros((datasets, len(names)), dtype=np.int64)
    truths = np.zeros((datasets, len(names)))
    ratio = np.zeros((datasets, len(names)))
    started = time.perf_counter()
    for d in range(datasets):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_TRUTH, d)))
        theta = {n: float(rng.uniform(p.low, p.high)) for n, p in priors.items()}
        observed = dict(truth_sim(theta, (d,)))
        cal_seed = int(np.random.SeedSequence(seed, spawn_key=(_CAL, d)).generate_state(1)[0])
        post = abc_smc(
            make_simulator(cal_seed, _cal_prefix()),
            observed,
            priors,
            population=population,
            generations=generations,
            seed=cal_seed,
            workers=workers,
            model=model,
        )
        draws = post.sample(n_draws, seed=[seed, _DRAWS, d])
        for j, n in enumerate(names):
            values = np.array([x[n] for x in draws])
            ranks[d, j] = int(np.sum(values < theta[n]))
            truths[d, j] = theta[n]
        ratio[d] = width_ratio(post, priors)
        if progress is not None:
            progress(d + 1, datasets)
    return SBCResult(
        parameters=names,
        ranks=ranks,
        truths=truths,
        width_ratio=ratio,
        n_draws=n_draws,
        bins=bins,
        elapsed_s=time.perf_counter() - started,
        settings={
            "datasets": datasets,
            "population": population,
            "generations": generations,
            "seed": seed,
            "workers": workers,
            "priors": {n: p.to_dict() for n, p in priors.items()},
        },
    )


def _cal_prefix() -> int:
    from herz.calibration.abc import CALIBRATION_KEY

    return CALIBRATION_KEY


def spiral_simulator_factory(
    years: tuple[int, int],
    horizon: int = 5,
    targets: Sequence[str] = ("mid", "war", "alliance", "milex_growth"),
) -> Callable[[int, int], Simulate]:
    """``make_simulator`` for :func:`run_sbc` on the spiral: the era's worlds, built once."""
    from herz.calibration.abc import FIXED_FROM_HISTORY, EraSimulator
    from herz.calibration.moments import era_worlds

    worlds = era_worlds(years, horizon)

    def make(seed: int, prefix: int) -> Simulate:
        return EraSimulator(
            "spiral", worlds, horizon, targets, seed, FIXED_FROM_HISTORY, key_prefix=prefix
        )

    return make
