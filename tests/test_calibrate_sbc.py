"""Simulation-based calibration, small enough for CI: the same code path as
benchmarks/bench_sbc.py (herz.calibration.sbc.run_sbc) on a toy model with a known answer, and
recovery of a known spiral parameter from data made by the spiral itself."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pytest

from herz.calibration.abc import Prior, calibrate
from herz.calibration.sbc import SYNTHETIC_KEY, run_sbc, spiral_simulator_factory

pytest.importorskip("pyabc")


class NormalMean:
    def __init__(self, seed: int, prefix: int) -> None:
        self.seed, self.prefix = seed, prefix

    def __call__(self, params: Mapping[str, float], key: tuple[int, ...]) -> dict[str, float]:
        rng = np.random.default_rng(
            np.random.SeedSequence(self.seed, spawn_key=(self.prefix, *key))
        )
        return {"xbar": float(rng.normal(params["mu"], 1 / math.sqrt(10)))}


def test_sbc_ranks_of_a_normal_mean_are_uniform_and_it_is_identified() -> None:
    res = run_sbc(
        NormalMean,
        {"mu": Prior(-3.0, 3.0)},
        datasets=24,
        population=60,
        generations=3,
        n_draws=39,
        bins=4,
        seed=1,
    )
    verdict = res.uniformity()["mu"]
    assert res.ranks.shape == (24, 1) and res.ranks.min() >= 0 and res.ranks.max() <= 39
    assert verdict["p_value"] > 0.001
    assert verdict["mean_width_ratio"] <= 0.5 and verdict["identified"] == 1.0
    # the truth lies in the central 90% of the draws about 90% of the time
    inside = np.mean((res.ranks[:, 0] >= 2) & (res.ranks[:, 0] <= 37))
    assert inside >= 0.7


def test_spiral_crisis_base_is_recovered_from_synthetic_data() -> None:
    """Data made by the spiral at a known crisis_base; the calibration's 90% interval holds it
    and is at most half as wide as the prior (the SBC benchmark's verdict: identified)."""
    years, horizon, targets = (1872, 1899), 5, ("mid", "war")
    truth = {"spiral.crisis_base": 0.3, "spiral.war_cost": 0.1}
    make = spiral_simulator_factory(years, horizon, targets)
    observed = make(99, SYNTHETIC_KEY)(truth, (0,))
    priors = {"spiral.crisis_base": Prior(0.0, 0.5), "spiral.war_cost": Prior(0.0, 0.5)}
    post = calibrate(
        "spiral",
        "1872:1899",
        targets=targets,
        parameters=priors,
        population=40,
        generations=3,
        seed=4,
        workers=1,
        observed=observed,
        method="smc",
    )
    summ = post.summary(0.9)
    lo, hi = summ.loc["spiral.crisis_base", "q0.05"], summ.loc["spiral.crisis_base", "q0.95"]
    assert lo <= truth["spiral.crisis_base"] <= hi
    assert (hi - lo) <= 0.5 * priors["spiral.crisis_base"].width90
    assert post.meta["observed_source"] == "given"
