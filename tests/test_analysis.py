"""Analysis against independent truths: statsmodels' Wilson interval, the Ishigami function's
closed-form Sobol' indices, hand-computed summaries."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from herz.analysis import (
    sobol_indices,
    summarize,
    sweep_sensitivity,
    sweep_summary,
    wilson_interval,
)
from herz.errors import InputError
from herz.experiment import SweepSpec, design_points, run_sweep


@given(
    n=st.integers(1, 5000),
    frac=st.floats(0, 1),
    confidence=st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_wilson_interval_equals_statsmodels(n: int, frac: float, confidence: float) -> None:
    from statsmodels.stats.proportion import proportion_confint

    k = round(frac * n)
    low, high = wilson_interval(k, n, confidence)
    ref_low, ref_high = proportion_confint(k, n, alpha=1 - confidence, method="wilson")
    assert float(low) == pytest.approx(ref_low, abs=1e-12)
    assert float(high) == pytest.approx(ref_high, abs=1e-12)
    assert 0 <= float(low) <= k / n <= float(high) <= 1


def test_wilson_interval_is_vectorized_and_nan_without_trials() -> None:
    low, high = wilson_interval([0, 5, 10], [10, 10, 0])
    assert low[0] == 0 and 0 < high[0] < 0.35 and math.isnan(low[2]) and math.isnan(high[2])
    with pytest.raises(InputError):
        wilson_interval(1, 2, confidence=1.0)


def test_summarize_by_hand() -> None:
    runs = pd.DataFrame(
        {
            "omega": [0.1] * 4 + [0.9] * 4,
            "point": [0] * 4 + [1] * 4,
            "run": list(range(4)) * 2,
            "war": [False, False, True, False, True, True, True, False],
            "first_war_step": pd.array([None, None, 7, None, 2, 4, 6, None], dtype="Int64"),
            "states_drawn_in": [0, 0, 3, 0, 2, 4, 6, 0],
            "final_military": [10.0, 12.0, 14.0, 16.0, 20.0, 20.0, 20.0, 20.0],
            "label": ["a"] * 8,
        }
    )
    out = summarize(runs, ["omega"], initial_military=pd.Series({0: 10.0, 1: 5.0}))
    assert out["omega"].tolist() == [0.1, 0.9] and out["n_runs"].tolist() == [4, 4]
    assert out["p_war"].tolist() == [0.25, 0.75]
    low, high = wilson_interval([1, 3], [4, 4])
    np.testing.assert_allclose(out["p_war_low"], low)
    np.testing.assert_allclose(out["p_war_high"], high)
    assert out["mean_first_war_step"].tolist() == [7.0, 4.0]  # over runs with a war only
    assert out["mean_states_drawn_in"].tolist() == [0.75, 3.0]
    np.testing.assert_allclose(out["mean_arms_growth"], [1.3, 4.0])
    assert "mean_label" not in out.columns and "mean_run" not in out.columns


def test_first_war_size_is_summarized_given_a_war_as_in_the_model_summary(
    tmp_path: Path,
) -> None:
    """A sweep point's ``mean_first_war_size`` is the model's own "States in the first war,
    given a war": the mean over the runs with a war (it averaged in the 0 of every run without
    one, half the model's value at P(war) = 0.5), and NaN where no run had a war."""
    import herz

    spec = {
        "name": "first-war-size",
        "scenario": "multipolar-20",
        "model": "spiral",
        "overrides": {"world.distinguishability": 0},
        "parameters": {"world.offense_advantage": {"values": [0.0, 0.5, 0.9]}},
        "runs": 20,
        "steps": 50,
        "seed": 3,
    }
    db = tmp_path / "sizes.duckdb"
    run_sweep(spec, db=db, workers=1)
    summary = sweep_summary(db)
    base = herz.load_scenario("multipolar-20").with_overrides({"world.distinguishability": 0})
    seen_partial = False
    for point, omega in enumerate([0.0, 0.5, 0.9]):
        own = herz.simulate(
            base.with_overrides({"world.offense_advantage": omega}),
            "spiral",
            steps=50,
            runs=20,
            seed=3,
            keep="summary",
            stream_key=(point,),
        ).summary
        row = summary.iloc[point]
        assert row["p_war"] == pytest.approx(own["p_war"])
        seen_partial |= 0 < own["p_war"] < 1
        if own["mean_first_war_size"] is None:
            assert math.isnan(row["mean_first_war_size"])
        else:
            assert row["mean_first_war_size"] == pytest.approx(own["mean_first_war_size"])
    assert seen_partial  # some point had wars in some runs only: where the two means differ
    assert math.isnan(summary.iloc[0]["mean_first_war_size"])  # ω = 0: no war, no size


def ishigami(x: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_indices_of_the_ishigami_function_match_the_closed_form() -> None:
    a, b, pi = 7.0, 0.1, math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = 8 * b**2 * pi**8 / 225
    var = v1 + v2 + v13
    s1 = [v1 / var, v2 / var, 0.0]
    st_ = [(v1 + v13) / var, v2 / var, v13 / var]
    params = {f"x{i}": {"low": -pi, "high": pi} for i in (1, 2, 3)}
    spec = SweepSpec.model_validate(
        {
            "name": "ishigami",
            "scenario": "two-state",
            "parameters": params,
            "design": {"kind": "saltelli", "samples": 2**13},
            "runs": 1,
        }
    )
    x = design_points(spec, 42).to_numpy()
    out = sobol_indices(ishigami(x), ["x1", "x2", "x3"], bounds=[(-pi, pi)] * 3)
    assert list(out["parameter"]) == ["x1", "x2", "x3"]
    np.testing.assert_allclose(out["S1"], s1, atol=0.03)
    np.testing.assert_allclose(out["ST"], st_, atol=0.03)
    assert (out["S1_conf"] > 0).all() and (out["ST_conf"] < 0.1).all()
    with pytest.raises(InputError, match="multiple of 5"):
        sobol_indices(np.ones(7), ["x1", "x2", "x3"])


def test_sobol_indices_match_scipy_on_the_same_outputs() -> None:
    """SciPy's estimators (saltelli_2010: Saltelli 2010 S1, Jansen ST), fed the A, B and AB_j
    outputs of the same design, give the same indices to rounding."""
    from scipy.stats import sobol_indices as scipy_sobol

    n, pi = 256, math.pi
    params = {f"x{i}": {"low": -pi, "high": pi} for i in (1, 2, 3)}
    spec = SweepSpec.model_validate(
        {
            "name": "ishigami",
            "scenario": "two-state",
            "parameters": params,
            "design": {"kind": "saltelli", "samples": n},
            "runs": 1,
        }
    )
    y = ishigami(design_points(spec, 7).to_numpy()).reshape(n, 5)
    ref = scipy_sobol(
        func={"f_A": y[:, 0][None], "f_B": y[:, -1][None], "f_AB": y[:, 1:-1].T[:, None, :]},
        n=n,
    )
    out = sobol_indices(y.ravel(), ["x1", "x2", "x3"], num_resamples=20)
    np.testing.assert_allclose(out["S1"], ref.first_order, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out["ST"], ref.total_order, rtol=0, atol=1e-12)


def test_sobol_indices_is_herz_sensitivity_under_the_older_signature() -> None:
    """One implementation: num_resamples is herz.sensitivity's n_resamples, bounds only
    checked; the bootstrap columns come out the same, bit for bit."""
    from herz.sensitivity import sobol_indices as sensitivity_sobol

    rng = np.random.default_rng(0)
    y = rng.normal(size=16 * 4)
    ours = sobol_indices(y, ["a", "b"], bounds=[(0, 1), (2, 3)], num_resamples=37, seed=5)
    theirs = sensitivity_sobol(y, ["a", "b"], n_resamples=37, seed=5)
    pd.testing.assert_frame_equal(ours, theirs)
    assert {"parameter", "S1", "S1_conf", "ST", "ST_conf"} <= set(ours.columns)
    with pytest.raises(InputError) as err:
        sobol_indices(y, ["a", "b"], bounds=[(0, 1)])
    assert err.value.field == "bounds"
    with pytest.raises(InputError) as err:
        sobol_indices(y, ["a", "b"], num_resamples=0)
    assert err.value.field == "num_resamples"


def test_sensitivity_of_a_stored_sweep_finds_the_parameter_that_does_nothing(
    tmp_path: Path,
) -> None:
    """Richardson ignores intelligence, so its total index is exactly 0 (noise off, so equal
    inputs give equal outputs); fatigue and offense advantage both matter for arms growth, and
    the indices are SciPy's on the stored per-point measure."""
    from scipy.stats import sobol_indices as scipy_sobol

    spec = {
        "name": "sens",
        "scenario": "two-state",
        "model": "richardson",
        "parameters": {
            "richardson.derive.fatigue": {"low": 0.2, "high": 1.0},
            "world.offense_advantage": {"low": 0.0, "high": 1.0},
            "states.A.intelligence": {"low": 0.0, "high": 1.0},
        },
        "design": {"kind": "saltelli", "samples": 32},
        "runs": 1,
        "steps": 20,
        "seed": 3,
    }
    db = tmp_path / "s.duckdb"
    run_sweep(spec, db=db, workers=1)
    out = sweep_sensitivity(db, "mean_arms_growth").set_index("parameter")
    assert out.loc["states.A.intelligence", "ST"] == pytest.approx(0.0, abs=1e-12)
    assert (out.loc[["richardson.derive.fatigue", "world.offense_advantage"], "ST"] > 0.05).all()
    summary = sweep_summary(db)
    y = summary.sort_values("point")["mean_arms_growth"].to_numpy().reshape(32, 5)
    ref = scipy_sobol(
        func={"f_A": y[:, 0][None], "f_B": y[:, -1][None], "f_AB": y[:, 1:-1].T[:, None, :]},
        n=32,
    )
    names = list(spec["parameters"])
    np.testing.assert_allclose(out.loc[names, "S1"], ref.first_order, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out.loc[names, "ST"], ref.total_order, rtol=0, atol=1e-12)
    assert len(summary) == 32 * 5 and "p_war" not in summary.columns
    with pytest.raises(InputError, match="no summary measure 'p_war'"):
        sweep_sensitivity(db, "p_war")


def test_plots_draw_phase_diagrams_and_sensitivity_bars() -> None:
    import matplotlib.pyplot as plt

    from herz.plots.experiments import plot_phase, plot_sensitivity

    grid = pd.DataFrame(
        [(x, y, x * (1 - y)) for x in (0.0, 0.5, 1.0) for y in (0.0, 0.5, 1.0)],
        columns=["world.offense_advantage", "world.distinguishability", "p_war"],
    )
    fig = plot_phase(grid, "world.offense_advantage", "world.distinguishability", "p_war")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "offense advantage ω" and len(fig.axes) == 2  # + colour bar
    mesh = ax.collections[0].get_array()
    assert mesh is not None and mesh.reshape(3, 3)[0, 2] == pytest.approx(1.0)  # ω=1, δ=0
    plt.close(fig)
    rng = np.random.default_rng(0)
    sampled = pd.DataFrame(rng.uniform(size=(40, 3)), columns=["a", "b", "mean_arms_growth"])
    fig = plot_phase(sampled, "a", "b", "mean_arms_growth")
    plt.close(fig)
    with pytest.raises(InputError, match="--z"):
        plot_phase(grid, "world.offense_advantage", "world.distinguishability", "nope")
    bars = pd.DataFrame(
        {
            "parameter": ["a", "b"],
            "S1": [0.6, 0.1],
            "S1_conf": [0.05, 0.02],
            "ST": [0.7, 0.2],
            "ST_conf": [0.05, 0.03],
        }
    )
    fig = plot_sensitivity(bars)
    assert len(fig.axes[0].patches) == 4
    plt.close(fig)
