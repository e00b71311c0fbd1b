"""herz.calibration.rejection: rejection ABC from a reference table, regression-adjusted.

Independent truths: a normal mean with known variance under a flat prior has the posterior
N(x̄, σ²/n) (conjugate); simulation-based calibration (Talts et al. 2018) of a correct method
gives uniform ranks, and of a wrong one (a table simulated with the wrong noise) does not. The
spiral's known crisis_base is recovered from data the spiral made, and the same code path as
benchmarks/bench_sbc.py runs here at CI size.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from herz.calibration import Posterior
from herz.calibration.abc import Prior, calibrate
from herz.calibration.rejection import ReferenceTable, abc_rejection, simulate_table
from herz.calibration.sbc import SYNTHETIC_KEY, run_sbc_table, spiral_simulator_factory
from herz.cli import app
from herz.errors import InputError

runner = CliRunner()

SIGMA, N_OBS = 1.0, 10
PRIORS = {"mu": Prior(-5.0, 5.0), "nuisance": Prior(0.0, 1.0)}


class NormalMean:
    """x̄ of N_OBS draws from N(mu, sigma²) (and a statistic the nuisance never moves)."""

    def __init__(self, seed: int, prefix: int, sigma: float = SIGMA) -> None:
        self.seed, self.prefix, self.sigma = seed, prefix, sigma

    def __call__(self, params: Mapping[str, float], key: tuple[int, ...]) -> dict[str, float]:
        rng = np.random.default_rng(
            np.random.SeedSequence(self.seed, spawn_key=(self.prefix, *key))
        )
        x = rng.normal(params["mu"], self.sigma, N_OBS)
        return {"xbar": float(x.mean()), "noise": float(rng.normal())}


@pytest.fixture(scope="module")
def normal_table() -> ReferenceTable:
    return simulate_table(NormalMean(1, 7), PRIORS, ["xbar", "noise"], 6000, seed=1)


def test_the_adjusted_posterior_matches_the_conjugate_one(normal_table: ReferenceTable) -> None:
    exact_sd = SIGMA / math.sqrt(N_OBS)
    for xbar in (-2.0, 0.7, 3.1):
        post = abc_rejection(normal_table, {"xbar": xbar}, accept=0.05)
        summ = post.summary(0.9)
        assert summ.loc["mu", "mean"] == pytest.approx(xbar, abs=0.06)
        assert summ.loc["mu", "sd"] == pytest.approx(exact_sd, rel=0.15)
        # the nuisance parameter is not informed: its posterior stays the prior
        assert summ.loc["nuisance", "sd"] == pytest.approx(1 / math.sqrt(12), rel=0.15)
        assert post.meta["abc"]["kept"] == 300 and post.meta["abc"]["table_rows"] == 6000


def test_without_the_adjustment_a_wide_tolerance_inflates_the_posterior(
    normal_table: ReferenceTable,
) -> None:
    """The regression adjustment is what undoes the tolerance (Beaumont et al. 2002): with a
    quarter of the table kept, the unadjusted posterior is far too wide, the adjusted one not."""
    exact_sd = SIGMA / math.sqrt(N_OBS)
    adjusted = abc_rejection(normal_table, {"xbar": 0.0}, accept=0.25).summary()
    plain = abc_rejection(normal_table, {"xbar": 0.0}, accept=0.25, adjust=False).summary()
    assert adjusted.loc["mu", "sd"] == pytest.approx(exact_sd, rel=0.2)
    assert plain.loc["mu", "sd"] > 2.0 * exact_sd


def test_adjusted_values_stay_inside_the_prior(normal_table: ReferenceTable) -> None:
    post = abc_rejection(normal_table, {"xbar": 4.95}, accept=0.05)
    assert post.particles[:, 0].min() > -5.0 and post.particles[:, 0].max() < 5.0


def test_sbc_of_a_right_method_is_uniform_and_of_a_wrong_one_is_not(
    normal_table: ReferenceTable,
) -> None:
    right = run_sbc_table(lambda s, p: NormalMean(s, p), normal_table, datasets=300, seed=3)
    v = right.uniformity()
    assert v["mu"]["p_value"] > 0.001 and v["nuisance"]["p_value"] > 0.001
    assert v["mu"]["identified"] == 1.0 and v["nuisance"]["identified"] == 0.0
    # data noisier than the table believes: every posterior too narrow, ranks pile at the ends
    wrong = run_sbc_table(lambda s, p: NormalMean(s, p, sigma=3.0), normal_table, datasets=300)
    assert wrong.uniformity()["mu"]["p_value"] < 1e-6


def test_a_table_depends_only_on_the_seed(tmp_path: Path) -> None:
    sim = NormalMean(5, 7)
    one = simulate_table(sim, PRIORS, ["xbar"], 50, seed=5, workers=1, chunk=7)
    two = simulate_table(sim, PRIORS, ["xbar"], 50, seed=5, workers=2, chunk=3)
    np.testing.assert_array_equal(one.theta, two.theta)
    np.testing.assert_array_equal(one.stats, two.stats)
    part = simulate_table(sim, PRIORS, ["xbar"], 20, seed=5)
    grown = simulate_table(sim, PRIORS, ["xbar"], 50, seed=5, start=part)
    np.testing.assert_array_equal(grown.stats, one.stats)
    back = ReferenceTable.load(one.save(tmp_path / "t.npz"))
    np.testing.assert_array_equal(back.theta, one.theta)
    assert back.parameters == ("mu", "nuisance") and back.meta["seed"] == 5
    other = simulate_table(sim, PRIORS, ["xbar"], 50, seed=6)
    assert not np.array_equal(other.theta, one.theta)


def test_a_dask_cluster_makes_the_same_table_as_one_core() -> None:
    distributed = pytest.importorskip("distributed")
    sim = NormalMean(8, 7)
    local = simulate_table(sim, PRIORS, ["xbar", "noise"], 40, seed=8, chunk=6)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        remote = simulate_table(sim, PRIORS, ["xbar", "noise"], 40, seed=8, client=client)
    np.testing.assert_array_equal(local.theta, remote.theta)
    np.testing.assert_array_equal(local.stats, remote.stats)


def test_bad_tables_and_settings_are_input_errors(
    tmp_path: Path, normal_table: ReferenceTable
) -> None:
    junk = tmp_path / "junk.npz"
    junk.write_text("not a table")
    with pytest.raises(InputError, match=r"junk\.npz: not a herz reference table"):
        ReferenceTable.load(junk)
    with pytest.raises(InputError, match="accept"):
        abc_rejection(normal_table, {"xbar": 0.0}, accept=0.0)
    with pytest.raises(InputError, match="no statistic 'mid'"):
        abc_rejection(normal_table, {"mid": 0.0})
    with pytest.raises(InputError, match="method"):
        calibrate("spiral", "1882:1899", method="mcmc")
    with pytest.raises(InputError, match="simulations"):
        calibrate("spiral", "1882:1899", simulations=3)


# --- the spiral --------------------------------------------------------------------------------

YEARS, HORIZON, TARGETS = (1872, 1899), 5, ("mid", "war")
SPIRAL_PRIORS = {"spiral.crisis_base": Prior(0.0, 0.5), "spiral.war_cost": Prior(0.0, 0.5)}


def test_spiral_sbc_at_ci_size_is_uniform_and_identifies_crisis_base() -> None:
    """The code path of benchmarks/bench_sbc.py, smaller: a 5,000-row table of the spiral on six
    origins (the shipped calibration's acceptance share, 2%), 100 synthetic datasets made by
    the spiral with fresh streams."""
    make = spiral_simulator_factory(YEARS, HORIZON, TARGETS)
    table = simulate_table(make(21, 0xCA11B), SPIRAL_PRIORS, TARGETS, 5000, seed=21)
    res = run_sbc_table(make, table, datasets=100, accept=0.02, n_draws=39, bins=5, seed=22)
    v = res.uniformity()
    assert v["spiral.crisis_base"]["p_value"] > 0.001
    assert v["spiral.war_cost"]["p_value"] > 0.001
    assert v["spiral.crisis_base"]["mean_width_ratio"] <= 0.5


def test_calibrate_by_rejection_recovers_crisis_base_and_reuses_its_table(
    tmp_path: Path,
) -> None:
    """The shipped configuration (16 origins 1817-1892, four targets, five parameters, 10,000
    rows, 2% kept) on data the spiral made at known values: crisis_base, which the docs call
    identified, lies in its 90% interval, at most half as wide as its prior's."""
    from herz.calibration.abc import DEFAULT_PRIORS, DEFAULT_TARGETS

    truth = {
        "spiral.crisis_base": 0.3,
        "spiral.war_cost": 0.1,
        "spiral.base_posture": 0.035,
        "spiral.balance_interval": 5.0,
        "spiral.tolerance": 0.2,
    }
    make = spiral_simulator_factory((1816, 1899), HORIZON, DEFAULT_TARGETS)
    observed = make(99, SYNTHETIC_KEY)(truth, (0,))
    path = tmp_path / "table.npz"
    post = calibrate("spiral", "1816:1899", seed=4, workers=2, table=path, observed=observed)
    summ = post.summary(0.9)
    lo, hi = summ.loc["spiral.crisis_base", "q0.05"], summ.loc["spiral.crisis_base", "q0.95"]
    assert lo <= truth["spiral.crisis_base"] <= hi
    assert (hi - lo) <= 0.5 * DEFAULT_PRIORS["spiral"]["spiral.crisis_base"].width90
    assert post.meta["method"].startswith("rejection ABC") and post.meta["seed"] == 4
    assert post.meta["abc"]["simulations"] == 10_000 and post.meta["call"]["accept"] == 0.02
    # the stored table answers the same call without simulating; its rows are the same
    again = calibrate("spiral", "1816:1899", seed=4, workers=1, table=path, observed=observed)
    np.testing.assert_array_equal(again.particles, post.particles)
    assert len(ReferenceTable.load(path)) == 10_000
    with pytest.raises(InputError, match="other settings"):
        calibrate("spiral", "1816:1899", seed=5, table=path, observed=observed)


def test_cli_rejection_bad_input_exits_2_with_one_sentence(tmp_path: Path) -> None:
    junk = tmp_path / "junk.npz"
    junk.write_text("x")
    for args, flag in (
        (["--method", "mcmc"], "--method"),
        (["--accept", "0"], "--accept"),
        (["--simulations", "5"], "--simulations"),
        (["--table", str(junk)], "junk.npz"),
        (["--table", str(tmp_path / "no" / "t.npz")], "--table"),
    ):
        out = tmp_path / "p.json"
        result = runner.invoke(app, ["calibrate", "spiral", "1882:1899", *args, "-o", str(out)])
        assert result.exit_code == 2, result.output
        assert flag in result.output and len(result.output.strip().splitlines()) == 1
        assert not out.exists()


def test_the_sbc_option_checks_the_calibration_on_its_own_table(tmp_path: Path) -> None:
    args = ["calibrate", "spiral", "1882:1899", "--targets", "mid,war", "--param"]
    args += ["spiral.crisis_base", "--simulations", "2000", "--sbc", "60", "--seed", "3"]
    result = runner.invoke(app, [*args, "--quiet", "--workers", "1", "-o", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "simulation-based calibration: 60 synthetic records" in result.output
    check = Posterior.load(tmp_path / "p").meta["sbc"]
    verdict = check["parameters"]["spiral.crisis_base"]
    assert check["datasets"] == 60 and 0.0 <= verdict["coverage90"] <= 1.0
    assert verdict["uniform"] == (verdict["p_value"] > 0.01)
    bad = runner.invoke(app, ["calibrate", "spiral", "1882:1899", "--method", "smc", "--sbc", "5"])
    assert bad.exit_code == 2 and "--sbc" in bad.output
    with pytest.raises(InputError, match="sbc"):
        calibrate("spiral", "1882:1899", method="smc", sbc=5)


def test_cli_calibrates_by_rejection_and_prints_the_table(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    args = ["calibrate", "spiral", "1887:1899", "--targets", "mid", "--param"]
    args += ["spiral.crisis_base", "--simulations", "40", "--accept", "0.25", "--seed", "2"]
    result = runner.invoke(app, [*args, "--out", str(out), "--quiet", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "rejection ABC, 10 of 40 simulations kept" in result.output
    assert "spiral.crisis_base" in result.output and "ratio" in result.output
    assert Posterior.load(out).meta["call"]["method"] == "rejection"
    doc = json.loads(runner.invoke(app, [*args, "--json", "--quiet", "--workers", "1"]).stdout)
    assert doc["meta"]["abc"]["table_rows"] == 40
