"""``herz run europe-1909 --model richardson`` against the record (issue 12, item 3).

The scenario's ``richardson:`` block is herz's own pooled fit to NMC 1909-1913; the run
overlays NMC's values, reports ``observed_error`` and stays within 5% of the six powers'
total in every year 1909-1913. Real data, no mocks.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import herz
from herz.cli import app
from herz.history import datasets, observed

runner = CliRunner()
SIX = ["UKG", "FRN", "RUS", "GMY", "AUH", "ITA"]
CODES = {"UKG": 200, "FRN": 220, "RUS": 365, "GMY": 255, "AUH": 300, "ITA": 325}


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _nmc_millions() -> dict[int, dict[str, float]]:
    frame = datasets.load("nmc", version=7, years=(1909, 1913))
    out: dict[int, dict[str, float]] = {}
    for state, code in CODES.items():
        rows = frame[frame["ccode"] == code]
        for y, m in zip(rows["year"], rows["milex"], strict=True):
            out.setdefault(int(y), {})[state] = float(m) / 1000
    return out


def test_python_api_total_within_5_percent_of_nmc_1909_1913() -> None:
    result = herz.simulate("europe-1909", model="richardson", seed=1)
    assert result.summary["method"] == "euler"  # the form the fitted block is for
    assert result.summary["fitted"]["years"] == "1909:1913"
    series = result.series
    assert series is not None
    record = _nmc_millions()
    for year in range(1909, 1914):
        model = float(series[series["year"] == year]["military"].sum())
        observed_total = sum(record[year].values())
        assert abs(model / observed_total - 1) < 0.05, (year, model, observed_total)


def test_cli_json_reports_observed_error_in_sample() -> None:
    code, out, err = run("run", "europe-1909", "--model", "richardson", "--json", "--seed", "1")
    assert code == 0, err
    table = json.loads(out)["observed_error"]
    assert table["years"] == [1909, 1910, 1911, 1912, 1913]
    assert table["fitted_years"] == [1909, 1913]
    assert any("1914" in line and "USD" in line for line in table["not_compared"])
    total = table["series"]["total"]
    record = _nmc_millions()
    for year in range(1909, 1914):
        row = total["years"][str(year)]
        assert row["sample"] == "in"
        assert row["observed"] == pytest.approx(sum(record[year].values()))
        assert abs(row["error_pct"]) < 5
    assert total["max_abs_pct"] < 5
    assert set(table["series"]) == {*SIX, "total"}
    for state in SIX:  # per-power errors are reported, not hidden
        assert table["series"][state]["max_abs_pct"] > 0
    code, out, _ = run("run", "europe-1909", "--json", "--seed", "1", "--no-observed")
    assert code == 0 and "observed_error" not in json.loads(out)


def test_blocs_are_compared_with_their_members_summed() -> None:
    code, out, _ = run("run", "europe-1909", "--blocs", "--json", "--seed", "1")
    assert code == 0
    table = json.loads(out)["observed_error"]
    record = _nmc_millions()
    entente = table["series"]["Triple Entente"]["years"]["1912"]["observed"]
    assert entente == pytest.approx(sum(record[1912][s] for s in ("UKG", "FRN", "RUS")))
    assert table["series"]["total"]["max_abs_pct"] < 5


def test_the_plot_has_the_observed_points() -> None:
    from herz.models import get_model

    result = herz.simulate("europe-1909", model="richardson", seed=1)
    bare = get_model("richardson").figures(result)["military.png"]
    assert not [a for a in bare.axes[0].get_lines() if (a.get_gid() or "").startswith("observed")]
    observed.attach(result)
    fig = get_model("richardson").figures(result)["military.png"]
    dots = {
        a.get_gid(): a for a in fig.axes[0].get_lines() if (a.get_gid() or "").startswith("obs")
    }
    assert set(dots) == {f"observed:{s}" for s in SIX}
    record = _nmc_millions()
    ukg = dots["observed:UKG"]
    assert list(ukg.get_xdata()) == [1909.0, 1910.0, 1911.0, 1912.0, 1913.0]
    np.testing.assert_allclose(ukg.get_ydata(), [record[y]["UKG"] for y in range(1909, 1914)])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(label.startswith("observed (NMC v7.0") for label in labels)
    # the years after the record's last point (1914-1919: NMC in USD) are shaded
    spans = [a for a in fig.axes[0].patches if a.get_gid() == "not-compared"]
    assert len(spans) == 1
    span = spans[0]
    assert (span.get_x(), span.get_x() + span.get_width()) == (1913, 1919)  # type: ignore[attr-defined]
    assert not [a for a in bare.axes[0].patches if a.get_gid() == "not-compared"]
    # each power keeps its own colour: the points must not use up the colour cycle
    lines = [a for a in fig.axes[0].get_lines() if a.get_label() in SIX]
    assert len({str(a.get_color()) for a in lines}) == len(SIX)
    for a in lines:
        assert dots[f"observed:{a.get_label()}"].get_markeredgecolor() == a.get_color()


def test_out_folder_with_and_without_observed(tmp_path: Path) -> None:
    code, _, err = run("run", "europe-1909", "--seed", "1", "--out", str(tmp_path / "a"))
    assert code == 0, err
    assert "observed_error" in json.loads((tmp_path / "a" / "summary.json").read_text())
    code, _, _ = run(
        "run", "europe-1909", "--seed", "1", "--no-observed", "--out", str(tmp_path / "b")
    )
    assert code == 0
    assert "observed_error" not in json.loads((tmp_path / "b" / "summary.json").read_text())


def test_cold_war_is_compared_in_usd_out_of_sample() -> None:
    code, out, err = run("run", "cold-war", "--json", "--seed", "1")
    assert code == 0, err
    table = json.loads(out)["observed_error"]
    assert table["years"] == list(range(1948, 1992))
    assert table["fitted_years"] is None
    assert {r["sample"] for r in table["series"]["total"]["years"].values()} == {"out"}


def test_the_scenario_block_is_what_the_fit_prints() -> None:
    code, out, err = run(
        "fit",
        "richardson",
        "--actors",
        "UKG+FRN+RUS,GMY+AUH+ITA",
        "--years",
        "1909:1913",
        "--pooled",
        "--yaml",
        "--scale",
        "0.001",
    )
    assert code == 0, err
    assert out.startswith("# Richardson coefficients fitted by herz")
    assert "--pooled --yaml --scale 0.001" in out and "regressor: level" in out
    printed = yaml.safe_load(out)["richardson"]
    shipped = herz.load_scenario("europe-1909").richardson
    assert shipped is not None
    assert shipped.model_dump(mode="json", exclude={"noise", "derive"}) == printed


def test_fit_cli_forecast_table_and_json() -> None:
    args = ["fit", "richardson", "--actors", "UKG+FRN+RUS,GMY+AUH+ITA", "--years", "1909:1912"]
    code, out, err = run(*args, "--pooled", "--forecast", "1913")
    assert code == 0, err
    for word in ("random walk", "log-linear trend", "392,073", "+1.5%", "-13.8%", "-9.1%"):
        assert word in out, word
    code, out, _ = run(*args, "--pooled", "--forecast", "1913", "--json")
    doc = json.loads(out)
    rows = [r for r in doc["forecast"]["rows"] if r["series"] == "total"]
    assert {r["method"] for r in rows} == {"richardson", "random walk", "log-linear trend"}
    code, out, _ = run(*args, "--combined", "--forecast", "1913")
    assert code == 0 and "combined fit" in out


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        (["--pooled", "--combined"], "--pooled"),
        (["--pooled", "--forecast", "1912"], "--forecast"),
        (["--pooled", "--forecast", "1914"], "--forecast"),
        (["--pooled", "--forecast", "2100"], "--forecast"),
        (["--pooled", "--regressor", "mean"], "--regressor"),
        (["--yaml"], "--yaml"),
        (["--pooled", "--yaml", "--json"], "--yaml"),
        (["--pooled", "--scale", "0.001"], "--scale"),
        (["--pooled", "--yaml", "--scale", "-1"], "--scale"),
    ],
)
def test_fit_bad_input_exits_2_with_one_sentence(extra: list[str], needle: str) -> None:
    code, _, err = run(
        "fit", "richardson", "--actors", "UKG+FRN+RUS,GMY+AUH+ITA", "--years", "1909:1912", *extra
    )
    assert code == 2, err
    assert needle in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("run", "two-state", "--observed"), "--observed"),
        (("run", "europe-1909", "--model", "spiral", "--observed"), "--observed"),
        (("run", "europe-1909", "--set", "time.step=0.5"), "time.step"),
    ],
)
def test_run_bad_input_exits_2_with_one_sentence(args: tuple[str, ...], needle: str) -> None:
    code, _, err = run(*args)
    assert code == 2, err
    assert needle in err and err.count("\n") == 1


@pytest.mark.parametrize(
    ("path", "value", "needle"),
    [
        (("richardson", "method"), "rk4", "richardson.method"),
        (("richardson", "fitted", "years"), "1913:1909", "richardson.fitted.years"),
        (("richardson", "fitted", "form"), "twice", "richardson.fitted.form"),
        (("observed", "scale"), -1, "observed.scale"),
        (("observed", "currency"), "EUR", "observed.currency"),
    ],
)
def test_broken_blocks_name_file_field_and_value(
    tmp_path: Path, path: tuple[str, ...], value: object, needle: str
) -> None:
    doc = herz.load_scenario("europe-1909").to_dict()
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc), encoding="utf-8")
    for args in (("validate", str(bad)), ("run", str(bad), "--model", "richardson")):
        code, _, err = run(*args)
        assert code == 2, err
        assert str(bad) in err and needle in err and str(value) in err
        assert err.count("\n") == 1
