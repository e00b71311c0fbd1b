"""Parameters that vary by run within one call (``herz.simulate(..., run_overrides=...)``).

The independent truth is the scalar path: run k of a call with per-run values must equal, bit
for bit, a call of one run with those values as ordinary overrides and the same stream. The
forecast's and the calibration table's vectorized paths are checked against their one-call-per-
parameter-set paths the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from herz.calibration.abc import DEFAULT_PRIORS, DEFAULT_TARGETS, FIXED_FROM_HISTORY, EraSimulator
from herz.calibration.moments import era_worlds
from herz.calibration.rejection import simulate_table
from herz.errors import InputError
from herz.forecast import origin_counts
from herz.history.from_history import scenario_known_at
from herz.simulation import simulate

PRIORS = DEFAULT_PRIORS["spiral"]


MORE = {  # the other run parameters, over ranges their fields allow
    "spiral.crisis_rate": (0.0, 3.0),
    "spiral.superiority": (1.0, 2.0),
    "spiral.greedy_effort": (0.3, 1.0),
    "spiral.prior_greedy": (0.05, 0.6),
}


def _values(runs: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {name: rng.uniform(p.low, p.high, runs) for name, p in PRIORS.items()}


def _all_values(runs: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed + 100)
    more = {name: rng.uniform(lo, hi, runs) for name, (lo, hi) in MORE.items()}
    return {**_values(runs, seed), **more}


def test_every_run_parameter_is_listed() -> None:
    from herz.models import get_model

    assert set(get_model("spiral").run_parameters) == set(PRIORS) | set(MORE)


@pytest.mark.parametrize("scenario", ["europe-1914", "multipolar-20"])
def test_each_run_equals_a_call_with_its_values_as_overrides(scenario: str) -> None:
    runs = 6
    values = _all_values(runs)
    steps = 8
    big = simulate(
        scenario, "spiral", steps=steps, runs=runs, seed=3, run_overrides=values, chunk=4
    )
    assert big.outcomes is not None and big.events is not None and big.series is not None
    for k in range(runs):
        one = simulate(
            scenario,
            "spiral",
            steps=steps,
            runs=1,
            seed=3,
            run_offset=k,
            overrides={p: float(v[k]) for p, v in values.items()},
        )
        assert one.outcomes is not None and one.events is not None and one.series is not None
        pd.testing.assert_frame_equal(
            big.outcomes[big.outcomes["run"] == k].reset_index(drop=True), one.outcomes
        )
        pd.testing.assert_frame_equal(
            big.events[big.events["run"] == k].reset_index(drop=True), one.events
        )
        pd.testing.assert_frame_equal(
            big.series[big.series["run"] == k].reset_index(drop=True), one.series
        )
    assert big.summary["run_parameters"]["tolerance"]["min"] == pytest.approx(
        values["spiral.tolerance"].min()
    )


def test_the_values_matter() -> None:
    """A test that could not fail otherwise: per-run crisis rates change the crises."""
    runs = 200
    low = simulate(
        "europe-1914",
        "spiral",
        steps=8,
        runs=runs,
        seed=1,
        run_overrides={"spiral.crisis_base": np.zeros(runs)},
        keep="summary",
    )
    high = simulate(
        "europe-1914",
        "spiral",
        steps=8,
        runs=runs,
        seed=1,
        run_overrides={"spiral.crisis_base": np.full(runs, 0.5)},
        keep="summary",
    )
    assert high.summary["mean_crises"] > low.summary["mean_crises"] + 0.5


@pytest.mark.parametrize(
    ("run_overrides", "needle"),
    [
        ({"spiral.decisiveness": [1.0, 2.0]}, "cannot vary by run"),
        ({"spiral.tolerance": [0.2]}, "must hold 2 finite numbers"),
        ({"spiral.tolerance": [0.2, float("nan")]}, "must hold 2 finite numbers"),
        ({"spiral.tolerance": [0.2, -1.0]}, "tolerance"),
        ({"spiral.balance_interval": [0.0, 5.0]}, "must be > 0 in every run"),
    ],
)
def test_bad_run_overrides_are_one_sentence(
    run_overrides: dict[str, list[float]], needle: str
) -> None:
    with pytest.raises(InputError, match=needle):
        simulate("europe-1914", "spiral", steps=2, runs=2, seed=0, run_overrides=run_overrides)


def test_a_model_without_run_parameters_refuses_them() -> None:
    with pytest.raises(InputError, match="it allows: none"):
        simulate("europe-1909", "richardson", runs=2, seed=0, run_overrides={"x.y": [1, 2]})


def test_the_vectorized_forecast_equals_one_call_per_draw() -> None:
    rng = np.random.default_rng(4)
    draws = [
        {"spiral.crisis_base": float(a), "spiral.war_cost": float(b), "spiral.tolerance": 0.3}
        for a, b in zip(rng.uniform(0, 0.5, 7), rng.uniform(0, 0.5, 7), strict=True)
    ]
    fixed = {"spiral.mechanisms.geography": False}
    one = origin_counts(1905, 5, draws, seed=2, runs_per_draw=2, fixed=fixed)
    each = origin_counts(1905, 5, draws, seed=2, runs_per_draw=2, fixed=fixed, group=False)
    pd.testing.assert_frame_equal(one, each)
    assert one["mid"].sum() > 0


def test_a_batched_table_row_is_the_history_the_simulator_makes() -> None:
    worlds = era_worlds((1882, 1899), 5)
    sim = EraSimulator("spiral", worlds, 5, DEFAULT_TARGETS, 4, FIXED_FROM_HISTORY)
    values = _values(5, seed=2)
    batch = sim.batch(values, (9,), 0, 5)
    # history 0 of the batch is run 0 of the streams (prefix, 9, world): a call with key (9,)
    single = sim({p: float(v[0]) for p, v in values.items()}, (9,))
    for t in DEFAULT_TARGETS:
        assert batch[t][0] == pytest.approx(single[t], rel=1e-12, abs=0)
    # and history k does not depend on the others in the batch
    alone = sim.batch({p: v[3:4] for p, v in values.items()}, (9,), 3, 1)
    for t in DEFAULT_TARGETS:
        assert alone[t][0] == pytest.approx(batch[t][3], rel=1e-12, abs=0)


def test_a_batched_table_does_not_depend_on_chunks_or_workers() -> None:
    worlds = era_worlds((1887, 1899), 5)
    sim = EraSimulator("spiral", worlds, 5, DEFAULT_TARGETS, 6, FIXED_FROM_HISTORY)
    a = simulate_table(sim, PRIORS, DEFAULT_TARGETS, 30, seed=6, chunk=7)
    b = simulate_table(sim, PRIORS, DEFAULT_TARGETS, 30, seed=6, chunk=30, workers=2)
    np.testing.assert_array_equal(a.theta, b.theta)
    np.testing.assert_array_equal(a.stats, b.stats)
    assert a.stats[:, 0].std() > 0  # the rows differ


def test_from_history_worlds_run_vectorized() -> None:
    """Per-run values on top of fixed overrides (what a forecast does): run k is the call with
    both as overrides."""
    sc = scenario_known_at(1897, steps=5)
    fixed = {"spiral.mechanisms.geography": False}
    values = _all_values(4, seed=5)
    res = simulate(sc, "spiral", steps=5, runs=4, seed=1, overrides=fixed, run_overrides=values)
    assert res.outcomes is not None and len(res.outcomes) == 4
    for k in (0, 3):
        one = simulate(
            sc,
            "spiral",
            steps=5,
            runs=1,
            seed=1,
            run_offset=k,
            overrides={**fixed, **{p: float(v[k]) for p, v in values.items()}},
        )
        pd.testing.assert_frame_equal(
            res.outcomes[res.outcomes["run"] == k].reset_index(drop=True), one.outcomes
        )
