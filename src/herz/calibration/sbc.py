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

:func:`run_sbc` checks ABC-SMC (one calibration per dataset); :func:`run_sbc_table` checks
rejection ABC from a reference table (:mod:`herz.calibration.rejection`), where every dataset
is answered from the one table a calibration uses, so its SBC runs at full size.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from herz.calibration.abc import Prior, abc_smc
from herz.calibration.posterior import Posterior

__all__ = [
    "SYNTHETIC_KEY",
    "SBCResult",
    "run_sbc",
    "run_sbc_table",
    "spiral_simulator_factory",
]

SYNTHETIC_KEY = 0x5B7
"""First element of the stream keys of synthetic 'observed' datasets (calibrations use
:data:`herz.calibration.abc.CALIBRATION_KEY`)."""

_TRUTH, _CAL, _DRAWS = 1, 2, 3

Simulate = Callable[[Mapping[str, float], tuple[int, ...]], Mapping[str, float]]


@dataclass
class SBCResult:
    """Ranks of the true values among posterior draws, per dataset and parameter."""

    parameters: tuple[str, ...]
    ranks: NDArray[np.int64]  # (D, p), each in 0..n_draws
    truths: NDArray[np.float64]  # (D, p)
    width_ratio: NDArray[np.float64]  # (D, p): 90% posterior width / 90% prior width
    n_draws: int
    bins: int
    elapsed_s: float
    settings: dict[str, Any] = field(default_factory=dict)

    def uniformity(self) -> dict[str, dict[str, float]]:
        """Per parameter: chi-square statistic and p-value of the binned ranks against the
        uniform, the mean width ratio, and whether it counts as identified (ratio ≤ 0.5)."""
        from scipy import stats

        out: dict[str, dict[str, float]] = {}
        edges = np.linspace(0, self.n_draws + 1, self.bins + 1)
        for j, name in enumerate(self.parameters):
            counts, _ = np.histogram(self.ranks[:, j], bins=edges)
            chi2, p = stats.chisquare(counts)
            ratio = float(np.mean(self.width_ratio[:, j]))
            out[name] = {
                "chi2": float(chi2),
                "p_value": float(p),
                "mean_width_ratio": ratio,
                "identified": float(ratio <= 0.5),
            }
        return out

    def coverage(self, level: float = 0.9) -> dict[str, float]:
        """Per parameter: the share of truths inside the central ``level`` of the draws (a
        calibrated posterior holds the truth there ``level`` of the time)."""
        tail = (1 - level) / 2 * (self.n_draws + 1)
        lo, hi = tail, self.n_draws + 1 - tail
        return {
            name: float(np.mean((self.ranks[:, j] >= lo) & (self.ranks[:, j] < hi)))
            for j, name in enumerate(self.parameters)
        }

    def verdicts(self, alpha: float = 0.01) -> dict[str, dict[str, Any]]:
        """Per parameter: :meth:`uniformity` with the coverage of the central 90% and the
        verdicts (``uniform``: the chi-square test does not reject at ``alpha``)."""
        cover = self.coverage()
        out: dict[str, dict[str, Any]] = {}
        for name, v in self.uniformity().items():
            out[name] = {
                **v,
                "coverage90": cover[name],
                "uniform": bool(v["p_value"] > alpha),
                "identified": bool(v["identified"]),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "parameters": list(self.parameters),
            "ranks": self.ranks.tolist(),
            "truths": self.truths.tolist(),
            "width_ratio": self.width_ratio.tolist(),
            "n_draws": self.n_draws,
            "bins": self.bins,
            "elapsed_s": self.elapsed_s,
            "settings": self.settings,
            "uniformity": self.uniformity(),
        }


def _width_ratio(post: Posterior, priors: Mapping[str, Prior]) -> NDArray[np.float64]:
    from herz.calibration.posterior import weighted_quantile

    out = np.empty(len(post.parameters), dtype=np.float64)
    for j, n in enumerate(post.parameters):
        v = post.particles[:, j]
        width = weighted_quantile(v, post.weights, 0.95) - weighted_quantile(v, post.weights, 0.05)
        out[j] = width / priors[n].width90
    return out


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
        ratio[d] = _width_ratio(post, priors)
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


def run_sbc_table(
    make_simulator: Callable[[int, int], Simulate],
    table: Any,
    *,
    datasets: int = 200,
    accept: float = 0.02,
    adjust: bool = True,
    n_draws: int = 99,
    bins: int = 10,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> SBCResult:
    """Simulation-based calibration of rejection ABC from ``table``
    (:func:`herz.calibration.rejection.abc_rejection`).

    The synthetic datasets are a second table made exactly as ``table`` was but from
    ``make_simulator(seed, SYNTHETIC_KEY)`` (θ_d from ``SeedSequence(seed, spawn_key=(0, d))``,
    streams keyed ``(SYNTHETIC_KEY, 0, d, …)``), so no synthetic dataset shares a stream with
    a table row, whatever the two seeds. Each dataset's posterior comes from ``table`` with the
    same ``accept`` a calibration uses; its draws from ``(seed, 3, d)``.
    """
    from herz.calibration.rejection import abc_rejection, simulate_table

    priors = {
        n: Prior(float(d["low"]), float(d["high"]), str(d.get("source", "ours")))
        for n, d in table.meta["priors"].items()
    }
    names = tuple(table.parameters)
    started = time.perf_counter()
    truth = simulate_table(
        make_simulator(seed, SYNTHETIC_KEY),
        priors,
        table.targets,
        datasets,
        seed=seed,
        workers=workers,
        progress=progress,
    )
    ranks = np.zeros((datasets, len(names)), dtype=np.int64)
    ratio = np.zeros((datasets, len(names)))
    for d in range(datasets):
        observed = dict(zip(table.targets, truth.stats[d], strict=True))
        post = abc_rejection(table, observed, priors, accept=accept, adjust=adjust)
        draws = post.sample(n_draws, seed=[seed, _DRAWS, d])
        for j, n in enumerate(names):
            values = np.array([x[n] for x in draws])
            ranks[d, j] = int(np.sum(values < truth.theta[d, j]))
        ratio[d] = _width_ratio(post, priors)
    return SBCResult(
        parameters=names,
        ranks=ranks,
        truths=truth.theta.copy(),
        width_ratio=ratio,
        n_draws=n_draws,
        bins=bins,
        elapsed_s=time.perf_counter() - started,
        settings={
            "method": "rejection ABC" + (" with regression adjustment" if adjust else ""),
            "datasets": datasets,
            "table_rows": len(table),
            "table_seed": table.meta.get("seed"),
            "accept": accept,
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
