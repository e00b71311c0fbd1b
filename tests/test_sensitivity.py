"""Sobol' sensitivity analysis (herz.sensitivity): the design, the estimators against independent
truths (the Ishigami function's closed form, scipy.stats.sobol_indices), bad input, and one
end-to-end sweep on a small spiral problem, through the API and the command line."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray
from typer.testing import CliRunner

from herz.cli import app
from herz.errors import InputError
from herz.experiment import design_points, load_sweep
from herz.sensitivity import (
    function_indices,
    run_sensitivity,
    saltelli_design,
    sobol_indices,
    sweep_indices,
)

PI = math.pi
ISHIGAMI = {"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI)}


def ishigami(x: NDArray[np.float64], a: float = 7.0, b: float = 0.1) -> NDArray[np.float64]:
    out: NDArray[np.float64] = (
        np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])
    )
    return out


def ishigami_truth(a: float = 7.0, b: float = 0.1) -> tuple[list[float], list[float]]:
    """The closed form of the Ishigami & Homma (1990) function's indices."""
    v1 = 0.5 * (1 + b * PI**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * PI**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


def test_the_closed_form_is_the_one_quoted() -> None:
    s1, st = ishigami_truth()
    assert np.allclose(s1, [0.3139, 0.4424, 0.0], atol=5e-5)
    assert np.allclose(st, [0.5576, 0.4424, 0.2437], atol=5e-5)


# -- the design -------------------------------------------------------------------------------
def test_design_shape_bounds_and_layout() -> None:
    ranges = {"a": (0.05, 0.3), "b": (-2.0, 5.0), "c": (1.0, 1.5)}
    n, k = 32, 3
    d = saltelli_design(ranges, n, seed=4)
    assert d.shape == (n * (k + 2), k) and list(d.columns) == list(ranges)
    for p, (lo, hi) in ranges.items():
        assert d[p].between(lo, hi).all()
    rows = d.to_numpy().reshape(n, k + 2, k)
    a, b = rows[:, 0], rows[:, -1]
    for j in range(k):  # AB_j is A with column j from B
        expected = a.copy()
        expected[:, j] = b[:, j]
        assert np.array_equal(rows[:, j + 1], expected)
    # A and B are distinct, space-filling samples: each column fills its range.
    assert not np.array_equal(a, b)
    for j, (lo, hi) in enumerate(ranges.values()):
        counts, _ = np.histogram(a[:, j], bins=4, range=(lo, hi))
        assert counts.tolist() == [8, 8, 8, 8]  # a scrambled Sobol' sequence is balanced


def test_design_is_seeded_and_is_the_sweeps_design() -> None:
    ranges = {"world.offense_advantage": (0.0, 1.0), "spiral.war_cost": (0.05, 0.3)}
    d1 = saltelli_design(ranges, 16, seed=7)
    assert d1.equals(saltelli_design(ranges, 16, seed=7))
    assert not d1.equals(saltelli_design(ranges, 16, seed=8))
    spec, _, _ = load_sweep(
        {
            "name": "s",
            "scenario": "two-state",
            "model": "spiral",
            "parameters": {p: {"low": lo, "high": hi} for p, (lo, hi) in ranges.items()},
            "design": {"kind": "saltelli", "samples": 16},
            "runs": 1,
        }
    )
    pd.testing.assert_frame_equal(d1, design_points(spec, 7))


# -- the estimators against independent truths -----------------------------------------------
def test_ishigami_indices_match_the_closed_form() -> None:
    s1_true, st_true = ishigami_truth()
    idx = function_indices(ishigami, ISHIGAMI, 1024, seed=3)
    assert idx["parameter"].tolist() == ["x1", "x2", "x3"]
    assert np.allclose(idx["S1"], s1_true, atol=0.04)
    assert np.allclose(idx["ST"], st_true, atol=0.04)
    # The bootstrap intervals cover the truth and are ordered.
    for label, truth in (("S1", s1_true), ("ST", st_true)):
        assert (idx[f"{label}_low"] <= truth).all() and (truth <= idx[f"{label}_high"]).all()
        assert (idx[f"{label}_low"] < idx[label]).all() and (
            idx[label] < idx[f"{label}_high"]
        ).all()
        assert (idx[f"{label}_conf"] > 0).all()


def test_indices_converge_as_n_grows() -> None:
    s1_true, st_true = ishigami_truth()
    errors = []
    for n in (64, 4096):
        idx = function_indices(ishigami, ISHIGAMI, n, seed=11, n_resamples=50)
        errors.append(np.abs(idx["S1"] - s1_true).max() + np.abs(idx["ST"] - st_true).max())
    assert errors[1] < errors[0] and errors[1] < 0.03


def test_same_outputs_give_scipys_indices_to_machine_precision() -> None:
    from scipy.stats import sobol_indices as scipy_sobol

    n = 256
    design = saltelli_design(ISHIGAMI, n, seed=5)
    y = ishigami(design.to_numpy()).reshape(n, 5)
    ref = scipy_sobol(
        func={"f_A": y[:, 0][None], "f_B": y[:, -1][None], "f_AB": y[:, 1:-1].T[:, None, :]},
        n=n,
    )
    ours = sobol_indices(y.ravel(), list(ISHIGAMI), n_resamples=10)
    np.testing.assert_allclose(ours["S1"], ref.first_order, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours["ST"], ref.total_order, rtol=0, atol=1e-12)


def test_agrees_with_scipys_own_sampling_on_ishigami() -> None:
    from scipy.stats import sobol_indices as scipy_sobol
    from scipy.stats import uniform

    ref = scipy_sobol(
        func=lambda x: ishigami(x.T)[None, :],
        n=1024,
        dists=[uniform(loc=-PI, scale=2 * PI)] * 3,
        rng=np.random.default_rng(2),
    )
    ours = function_indices(ishigami, ISHIGAMI, 1024, seed=2, n_resamples=50)
    np.testing.assert_allclose(ours["S1"], ref.first_order, atol=0.06)
    np.testing.assert_allclose(ours["ST"], ref.total_order, atol=0.06)


def test_a_parameter_without_effect_has_zero_indices() -> None:
    idx = function_indices(lambda x: x[:, 0] ** 2, {"a": (0, 1), "b": (0, 1)}, 128, seed=1)
    row = idx.set_index("parameter")
    assert row.loc["a", "ST"] == pytest.approx(1, abs=0.02)
    assert row.loc["b", "S1"] == 0 and row.loc["b", "ST"] == 0  # exactly: f_AB_b = f_A


def test_bootstrap_is_seeded() -> None:
    y = ishigami(saltelli_design(ISHIGAMI, 64, seed=1).to_numpy())
    one = sobol_indices(y, list(ISHIGAMI), n_resamples=100, seed=3)
    assert one.equals(sobol_indices(y, list(ISHIGAMI), n_resamples=100, seed=3))
    assert not one.equals(sobol_indices(y, list(ISHIGAMI), n_resamples=100, seed=4))


# -- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({}, "parameters"),
        ({"spiral.war_cost": (0.3, 0.3)}, "parameters.spiral.war_cost"),
        ({"a": (0, 1), "spiral.war_cost": (0.3, 0.1)}, "parameters.spiral.war_cost"),
        ({"a": (0, math.inf)}, "parameters.a"),
        ({"a": (0, 1, 2)}, "parameters.a"),
        ({"a": "0:1"}, "parameters.a"),
    ],
)
def test_bad_parameters_name_the_field(parameters: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as err:
        saltelli_design(parameters, 8, seed=0)
    assert err.value.field == field
    assert field in str(err.value)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: saltelli_design(ISHIGAMI, 0, seed=0), "n"),
        (lambda: saltelli_design(ISHIGAMI, 8, seed=-1), "seed"),
        (lambda: sobol_indices(np.ones(7), ["a", "b"]), "outputs"),  # not a multiple of 4
        (lambda: sobol_indices(np.r_[np.arange(7.0), np.nan], ["a", "b"]), "outputs"),
        (lambda: sobol_indices(np.ones(8), ["a", "b"]), "outputs"),  # no variance
        (lambda: sobol_indices(np.arange(8.0), []), "names"),
        (lambda: sobol_indices(np.arange(8.0), ["a", "b"], confidence=1.5), "confidence"),
        (lambda: function_indices(lambda x: x[:4, 0], ISHIGAMI, 8), "func"),
    ],
)
def test_bad_values_name_the_field(call: Any, field: str) -> None:
    with pytest.raises(InputError) as err:
        call()
    assert err.value.field == field


def test_bad_sweep_input_fails_before_anything_is_written(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    good = {"spiral.war_cost": (0.0, 0.3)}
    with pytest.raises(InputError) as err:
        run_sensitivity("two-state", good, outcome="nope", n=4, runs=2, db=db)
    assert err.value.field == "outcome" and "war" in str(err.value)
    with pytest.raises(InputError) as err:  # a text outcome has no mean
        run_sensitivity("two-state", good, outcome="first_war_sides", n=4, runs=2, db=db)
    assert err.value.field == "outcome"
    with pytest.raises(InputError) as err:
        run_sensitivity("two-state", {}, n=4, runs=2, db=db)
    assert err.value.field == "parameters"
    with pytest.raises(InputError) as err:
        run_sensitivity("two-state", {"spiral.war_cost": (0.3, 0.0)}, n=4, runs=2, db=db)
    assert err.value.field == "parameters.spiral.war_cost"
    with pytest.raises(InputError) as err:
        run_sensitivity("two-state", good, n=4, runs=0, db=db)
    assert err.value.field == "runs"
    with pytest.raises(InputError) as err:  # a path the scenario does not have
        run_sensitivity("two-state", {"spiral.nope": (0.0, 1.0)}, n=4, runs=2, db=db)
    assert "spiral.nope" in str(err.value)
    # one base row: the sweep ran to the end and only the analysis failed ("outputs: ...")
    with pytest.raises(InputError, match=r"^n: Sobol' indices need at least 2 base rows") as err:
        run_sensitivity("two-state", good, n=1, runs=2, db=db)
    assert err.value.field == "n"
    assert not db.exists()


# -- end to end: a sweep on a small spiral problem --------------------------------------------
#: two-state under the spiral model: war is likely when war is cheap (war_cost near 0) and rare
#: otherwise; the crises' base rate matters much less over 20 steps.
SPIRAL = {"spiral.war_cost": (0.0, 0.3), "spiral.crisis_base": (0.0, 2.0)}


def test_end_to_end_sweep_stores_resumes_and_ranks(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    kw: dict[str, Any] = {"n": 16, "runs": 20, "steps": 20, "seed": 11, "workers": 1, "db": db}
    res = run_sensitivity("two-state", SPIRAL, **kw)
    assert res.report is not None and res.report.points == 16 * 4 and db.is_file()
    assert res.measure == "p_war" and res.runs == 20 and res.n_base == 16 and res.seed == 11
    assert len(res.points) == 64 and res.points["value"].between(0, 1).all()
    # The points are the design's, in its order.
    design = saltelli_design(SPIRAL, 16, seed=11)
    np.testing.assert_array_equal(res.points[list(SPIRAL)].to_numpy(), design.to_numpy())
    st = res.indices.set_index("parameter")["ST"]
    assert st["spiral.war_cost"] > 0.5 > st["spiral.crisis_base"]
    # Monte Carlo error: a share's sampling variance p(1 - p)/(R - 1), averaged over the points.
    p = res.points["value"].to_numpy()
    assert res.noise_variance == pytest.approx(np.mean(p * (1 - p) / 19))
    assert 0 < res.noise_share < 1
    fixed = res.corrected().set_index("parameter")
    assert fixed.loc["spiral.war_cost", "ST"] == pytest.approx(
        (st["spiral.war_cost"] - res.noise_share) / (1 - res.noise_share)
    )
    assert "| `spiral.war_cost` | 0 – 0.3 |" in res.table()
    # Reading the stored sweep again gives the same analysis; a second run needs --resume.
    again = sweep_indices(db, "war")
    pd.testing.assert_frame_equal(again.indices, res.indices)
    with pytest.raises(InputError, match="resume"):
        run_sensitivity("two-state", SPIRAL, **kw)
    resumed = run_sensitivity("two-state", SPIRAL, resume=True, **kw)
    assert resumed.report is not None and resumed.report.runs_computed == 0
    pd.testing.assert_frame_equal(resumed.indices, res.indices)
    # Another numeric outcome of the same sweep.
    arms = sweep_indices(db, "arms_growth")
    assert arms.measure == "mean_arms_growth" and len(arms.indices) == 2
    with pytest.raises(InputError) as err:
        sweep_indices(db, "nope")
    assert err.value.field == "outcome"


def test_command_line(tmp_path: Path) -> None:
    runner = CliRunner()
    db, csv, png = tmp_path / "c.duckdb", tmp_path / "i.csv", tmp_path / "i.png"
    args = ["sensitivity", "two-state", "--param", "spiral.war_cost=0:0.3"]
    args += ["--param", "spiral.crisis_base=0:2", "--n", "8", "--runs", "10", "--steps", "20"]
    args += ["--seed", "5", "--workers", "1", "--db", str(db), "-q"]
    result = runner.invoke(app, [*args, "--csv", str(csv), "-o", str(png)])
    assert result.exit_code == 0, result.stderr
    assert "spiral.war_cost: S1 =" in result.stdout and "Monte Carlo noise" in result.stdout
    assert png.is_file()
    table = pd.read_csv(csv)
    assert table["parameter"].tolist() == ["spiral.war_cost", "spiral.crisis_base"]
    # Bad input: exit 2, one sentence naming the flag or field, no traceback, no database.
    bad = tmp_path / "bad.duckdb"
    base = ["sensitivity", "two-state", "--n", "4", "--runs", "2", "--db", str(bad), "-q"]
    for extra, said in (
        ([], "--param"),
        (["--param", "spiral.war_cost"], "PATH=LOW:HIGH"),
        (["--param", "spiral.war_cost=0.3:0.1"], "must be below"),
        (["--param", "spiral.war_cost=a:b"], "must be numbers"),
        (["--param", "spiral.war_cost=0:1", "--outcome", "nope"], "outcome"),
        (["--param", "spiral.nope=0:1"], "spiral.nope"),
        (["--param", "spiral.war_cost=0:1", "--n", "1"], "--n: Sobol' indices need at least 2"),
    ):
        result = runner.invoke(app, [*base, *extra])
        assert result.exit_code == 2, (extra, result.stderr)
        assert said in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert not bad.exists()


def test_the_cli_names_the_flags_of_the_spec_it_builds(tmp_path: Path) -> None:
    """-p and --set, not the internal "<sweep>: parameters"."""
    from typer.testing import CliRunner

    from herz.cli import app

    runner = CliRunner()
    common = ["sensitivity", "two-state", "--runs", "2", "--n", "4", "-q", "--out", str(tmp_path)]
    for extra, needle in (
        (["-p", "world.offense_advantage=0:2"], "two-state (with -p): world.offense_advantage"),
        (["-p", "world.nope=0:1"], "error: -p: override path 'world.nope'"),
        (["-p", "world.offense_advantage=0:1", "--set", "world.nope=1"], "error: --set: "),
    ):
        result = runner.invoke(app, [*common, *extra])
        assert result.exit_code == 2 and needle in result.stderr, result.stderr
        assert "<sweep>" not in result.stderr
