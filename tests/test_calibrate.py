"""herz.calibration: ABC-SMC against a known posterior, provenance, seeds, the moments, the CLI.

The independent truth for the inference: a normal mean with known variance under a flat prior,
whose posterior is N(x̄, σ²/n) (conjugate); ABC with a small ε approaches it.
"""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from herz.calibration import Posterior, posterior_table, shipped_posterior, shipped_posterior_path
from herz.calibration.abc import CALIBRATION_KEY, Prior, abc_smc, calibrate
from herz.calibration.moments import era_origins, era_worlds, observed_moments
from herz.cli import app
from herz.errors import InputError

pytest.importorskip("pyabc")

runner = CliRunner()

SIGMA, N_OBS = 1.0, 10


class NormalMean:
    """x̄ of N_OBS draws from N(mu, SIGMA²); its stream keyed by (seed, prefix, *key)."""

    def __init__(self, seed: int, prefix: int = CALIBRATION_KEY) -> None:
        self.seed, self.prefix = seed, prefix

    def __call__(self, params: Mapping[str, float], key: tuple[int, ...]) -> dict[str, float]:
        rng = np.random.default_rng(
            np.random.SeedSequence(self.seed, spawn_key=(self.prefix, *key))
        )
        return {"xbar": float(rng.normal(params["mu"], SIGMA / math.sqrt(N_OBS)))}


def test_abc_smc_recovers_the_conjugate_posterior_of_a_normal_mean() -> None:
    xbar = 0.4
    post = abc_smc(
        NormalMean(3),
        {"xbar": xbar},
        {"mu": Prior(-3.0, 3.0)},
        population=300,
        generations=7,
        seed=3,
    )
    exact_sd = SIGMA / math.sqrt(N_OBS)  # 0.316; the flat prior's truncation is negligible
    summ = post.summary()
    mean, sd = float(summ.loc["mu", "mean"]), float(summ.loc["mu", "sd"])
    ess = post.effective_sample_size()
    assert abs(mean - xbar) < 4 * exact_sd / math.sqrt(ess) + 0.02
    # ε left over widens the ABC posterior slightly; Monte Carlo error ~ sd / sqrt(2 ESS)
    assert 0.8 * exact_sd < sd < 1.25 * exact_sd
    lo, hi = float(summ.loc["mu", "q0.05"]), float(summ.loc["mu", "q0.95"])
    assert lo < xbar - 1.2 * exact_sd and hi > xbar + 1.2 * exact_sd  # near ±1.645 sd


def test_the_seed_makes_a_calibration_reproducible_on_any_number_of_workers() -> None:
    args = (NormalMean(5), {"xbar": 0.0}, {"mu": Prior(-2.0, 2.0)})
    one = abc_smc(*args, population=30, generations=2, seed=5, workers=1)
    two = abc_smc(*args, population=30, generations=2, seed=5, workers=2)
    other = abc_smc(*args, population=30, generations=2, seed=6, workers=1)
    assert np.array_equal(one.particles, two.particles)
    assert np.array_equal(one.weights, two.weights)
    assert not np.array_equal(one.particles, other.particles)


def test_a_dask_client_gives_the_same_posterior_as_one_core() -> None:
    distributed = pytest.importorskip("distributed")
    args = (NormalMean(7), {"xbar": 0.3}, {"mu": Prior(-2.0, 2.0)})
    local = abc_smc(*args, population=16, generations=2, seed=7, workers=1)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as client,
    ):
        remote = abc_smc(*args, population=16, generations=2, seed=7, client=client)
    assert np.array_equal(local.particles, remote.particles)
    assert "dask" in remote.meta["abc"]["sampler"]


def test_bad_abc_settings_are_input_errors() -> None:
    args = (NormalMean(5), {"xbar": 0.0}, {"mu": Prior(-2.0, 2.0)})
    with pytest.raises(InputError, match="population"):
        abc_smc(*args, population=1)
    with pytest.raises(InputError, match="seed"):
        abc_smc(*args, seed=-1)
    with pytest.raises(InputError, match="prior"):
        Prior(1.0, 1.0)


def test_era_origins_stay_inside_the_training_window() -> None:
    origins = era_origins((1816, 1899), 5)
    assert origins[0] == 1817 and origins[-1] + 4 <= 1899 and origins[-1] + 9 > 1899
    assert all(b - a == 5 for a, b in itertools.pairwise(origins))
    with pytest.raises(InputError, match="years"):
        era_origins((1816, 1818), 5)


def test_observed_moments_count_what_the_backtest_panel_counts() -> None:
    """Independent recount: a dyad-window with a MID onset in the backtest panel has at least
    one onset dyad-year, and no onset dyad-year lies in a window without one."""
    from herz.history.backtest import build_panel

    worlds = era_worlds((1877, 1899), 5)
    rates = observed_moments(worlds, 5, ("mid", "war", "alliance", "milex_growth"))
    dyad_years = sum(w.n_dyads for w in worlds) * 5
    panel = build_panel("1817:1899", "1900:1913", 5).train
    windows = panel[panel["origin"].isin([w.origin for w in worlds])]
    assert len(windows) * 5 == dyad_years
    onsets = round(rates["mid"] * dyad_years)
    assert windows["mid"].sum() <= onsets <= 5 * windows["mid"].sum()
    assert (rates["mid"] == 0) == (windows["mid"].sum() == 0)
    assert -0.2 < rates["milex_growth"] < 0.2
    with pytest.raises(InputError, match="pounds"):
        observed_moments(era_worlds((1907, 1916), 5), 5, ("milex_growth",))


def test_calibrate_records_its_provenance(tmp_path: Path) -> None:
    post = calibrate(
        "spiral",
        "1882:1899",
        targets=("mid", "milex_growth"),
        parameters=["spiral.crisis_base"],
        population=8,
        generations=1,
        seed=11,
        workers=1,
        method="smc",
    )
    meta = Posterior.load(post.save(tmp_path / "p.json")).meta
    assert meta["years"] == [1882, 1899] and meta["origins"] == [1882, 1887, 1892]
    assert set(meta["targets"]) == {"mid", "milex_growth"}
    assert all("observed" in v and "definition" in v for v in meta["targets"].values())
    assert meta["priors"]["spiral.crisis_base"]["kind"] == "uniform"
    assert meta["seed"] == 11 and meta["seeds"]["calibration_key"] == CALIBRATION_KEY
    assert meta["abc"]["population"] == 8 and meta["abc"]["simulations"] >= 8
    assert meta["fixed"] == {"spiral.mechanisms.geography": False}
    for key in ("version", "pyabc_version", "elapsed_s", "method", "observed_counts", "horizon"):
        assert key in meta
    table = posterior_table(post)
    assert list(table.columns) == ["mean", "sd", "lo", "hi", "prior_width", "ratio"]
    assert table.loc["spiral.crisis_base", "prior_width"] == pytest.approx(0.45)


def test_calibrate_rejects_bad_input_naming_it() -> None:
    with pytest.raises(InputError, match="targets"):
        calibrate("spiral", "1816:1899", targets=("mid", "nope"))
    with pytest.raises(InputError, match="model"):
        calibrate("nope", "1816:1899")
    with pytest.raises(InputError, match="years"):
        calibrate("spiral", "1700:1800")
    with pytest.raises(InputError, match="parameters"):
        calibrate("spiral", "1816:1899", parameters=["spiral.unknown"])


@pytest.mark.parametrize(
    ("era", "targets", "needle"),
    [
        ("2010:2022", ("mid",), "ends in 2019, after the end of MID 5.0 in 2014"),
        ("1990:2014", ("war",), "after the end of the COW inter-state war data v4.0 in 2007"),
    ],
)
def test_windows_past_the_end_of_the_data_are_refused(
    era: str, targets: tuple[str, ...], needle: str
) -> None:
    """Years after a dataset's end were counted as years without events (2015-2019 had no MID
    data and 2010-2022 no war data, yet calibrate ran), biasing the observed rates down."""
    with pytest.raises(InputError, match="years: the era's last") as info:
        calibrate("spiral", era, targets=targets, method="rejection", simulations=10)
    assert needle in str(info.value)


def test_a_calibration_says_which_data_it_matched() -> None:
    """The targets' data only: 1990-2014 without war (COW wars end in 2007) runs, its counts
    leave war out, and its meta carries the datasets' citations."""
    post = calibrate(
        "spiral", "1990:2014", targets=("mid", "alliance"), method="rejection", simulations=10
    )
    assert set(post.meta["observed_counts"]) == {"mid", "alliance", "dyad_years", "state_windows"}
    assert any("MID" in c for c in post.meta["sources"])


def test_the_shipped_posterior_loads_with_its_provenance() -> None:
    path = shipped_posterior_path("spiral", "1816:1899")
    assert path.is_file()
    post = shipped_posterior()
    assert post.model == "spiral" and post.meta["years"] == [1816, 1899]
    assert post.size >= 100 and set(post.meta["targets"]) == {
        "mid",
        "war",
        "alliance",
        "milex_growth",
    }
    assert post.meta["fixed"] == {"spiral.mechanisms.geography": False}
    assert any("MID" in c for c in post.meta["sources"])  # its data's citations
    assert any("Alliance Treaty Obligations" in c for c in post.meta["sources"])
    with pytest.raises(InputError, match="ships no posterior"):
        shipped_posterior_path("spiral", "1900:1913")


# --- the CLI ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["--targets", "mid,nope"], "--targets"),
        (["--population", "1"], "--population"),
        (["--generations", "0"], "--generations"),
        (["--param", "spiral.war_cost=1:0"], "--param"),
        (["--years", "1700:1800"], "--years:"),
        # a parameter given twice (the last silently won)
        (["--param", "spiral.war_cost=0:1", "--param", "spiral.war_cost=0:2"], "given twice"),
    ],
)
def test_cli_bad_input_exits_2_with_one_sentence_and_no_file(
    tmp_path: Path, args: list[str], flag: str
) -> None:
    out = tmp_path / "p.json"
    result = runner.invoke(app, ["calibrate", "spiral", "1816:1899", *args, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert flag in result.output and len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_cli_names_the_era_for_the_era_s_errors(tmp_path: Path) -> None:
    """Without --years the training window is the ERA argument: its errors say ERA, not the
    API's 'years:' (a flag the user never typed)."""
    for era in ("1899:1816", "2010:2022"):
        result = runner.invoke(app, ["calibrate", "spiral", era, "--simulations", "10", "-q"])
        assert result.exit_code == 2 and result.output.startswith("error: ERA: "), result.output


def test_cli_writes_the_posterior_and_prints_the_table(tmp_path: Path) -> None:
    out = tmp_path / "p.json"
    args = ["calibrate", "spiral", "1887:1899", "--targets", "mid", "--param"]
    args += ["spiral.crisis_base", "--method", "smc", "--population", "6", "--generations", "1"]
    args += ["--seed", "2"]
    result = runner.invoke(app, [*args, "--out", str(out), "--quiet", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "spiral.crisis_base" in result.output and "ratio" in result.output
    assert Posterior.load(out).meta["seed"] == 2
    as_json = runner.invoke(app, [*args, "--json", "--quiet", "--workers", "1"])
    doc = json.loads(as_json.stdout)
    assert doc["table"][0]["parameter"] == "spiral.crisis_base"


def test_cli_help_stays_fast() -> None:
    import subprocess
    import sys

    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "herz", "--help"], check=True, capture_output=True)
    assert time.perf_counter() - started < 3.0  # the 1 s target, with room for a loaded CI box
