"""``herz data``, ``herz fit``: output carries citations, bad input exits 2 with one line."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from herz import datasets, estimate
from herz.cli import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_data_list_names_every_dataset_with_citation() -> None:
    code, out, _ = invoke("data", "list", "--json")
    assert code == 0
    payload = json.loads(out)
    assert [d["name"] for d in payload["datasets"]] == list(datasets.DATASETS)
    assert any("Leeds" in s for s in payload["sources"])
    code, out, _ = invoke("data", "list")
    assert code == 0
    assert "arms_races" in out
    assert "Gibler, Rider & Hutchison (2005)" in out


def test_data_show_table_has_values_and_citation() -> None:
    code, out, _ = invoke(
        "data", "show", "nmc", "--states", "GMY", "--years", "1913", "--version", "6"
    )
    assert code == 0
    assert "88418" in out
    assert "thousand current GBP" in out
    assert "Singer, Bremer & Stuckey (1972)" in out
    assert "v6.0" in out


def test_data_show_csv_round_trips_with_citation(tmp_path: Path) -> None:
    target = tmp_path / "atop.csv"
    code, out, _ = invoke(
        "data", "show", "atop", "--states", "GMY,AUH,ITA", "--within", "--years", "1909",
        "--csv", str(target),
    )  # fmt: skip
    assert code == 0
    assert "wrote 3 rows" in out
    assert target.read_text().startswith("# Source: Leeds, Ritter, Mitchell & Long (2002)")
    back = pd.read_csv(target, comment="#")
    expected = datasets.load("atop", states="GMY,AUH,ITA", within=True, years=1909)
    assert back["ccode1"].tolist() == expected["ccode1"].tolist()
    assert back["atop_defense"].tolist() == expected["atop_defense"].tolist() == [1, 1, 1]


def test_data_show_currency_conversion_warns_on_stderr() -> None:
    code, out, err = invoke(
        "data", "show", "nmc", "--states", "GMY", "--years", "1913", "--currency", "USD"
    )
    assert code == 0
    assert "warning: NMC milex before 1914 converted" in err
    assert "430286" in out  # 88418 × 4.8665 = 430286.2


def test_fit_richardson_json_matches_the_api() -> None:
    code, out, _ = invoke(
        "fit", "richardson", "--actors", "USA,RUS", "--years", "1948:1990", "--json"
    )
    assert code == 0
    payload = json.loads(out)
    fit = estimate.fit_richardson("USA,RUS", "1948:1990")
    usa, rus = payload["actors"]
    assert usa["actor"] == "USA" and rus["actor"] == "RUS"
    for key in ("k", "a", "g"):
        assert usa[key] == getattr(fit.x, key).value
        assert usa[f"{key}_se"] == getattr(fit.x, key).se
        assert rus[key] == getattr(fit.y, key).value
    assert usa["n"] == 42
    assert payload["regime"] == fit.regime
    assert payload["sources"][0] == datasets.citation("nmc", version=7)


def test_fit_combined_json() -> None:
    code, out, _ = invoke(
        "fit", "richardson", "--actors", "FRN+RUS,GMY+AUH", "--years", "1909:1913",
        "--combined", "--json",
    )  # fmt: skip
    assert code == 0
    payload = json.loads(out)
    fit = estimate.fit_combined("FRN+RUS,GMY+AUH", "1909:1913")
    assert payload["slope"] == fit.slope.value
    assert payload["zero_growth_level"] == fit.zero_growth_level
    assert payload["r2"] == fit.r2
    assert payload["n"] == 4
    assert any("Singer" in s for s in payload["sources"])


def test_fit_table_has_citation() -> None:
    code, out, _ = invoke("fit", "richardson", "--actors", "USA,RUS", "--years", "1948:1990")
    assert code == 0
    assert "Durbin-Watson" in out
    assert "Singer" in out
    assert "Richardson (1960)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["data", "show", "nmc", "--states", "XYZ"],
            "error: --states: unknown state 'XYZ'; known abbreviations look like USA, RUS, GMY",
        ),
        (["data", "show", "nmc", "--years", "1913:1900"], "error: --years: empty year range"),
        (["data", "show", "nmc", "--years", "2050:2060"], "error: --years: 2050:2060 is outside"),
        (["data", "show", "nope"], "error: NAME: unknown dataset 'nope'"),
        (["data", "show", "nmc", "--level", "dyad-year"], "error: --level: applies only"),
        (
            ["fit", "richardson", "--actors", "USA,XYZ", "--years", "1948:1990"],
            "error: --actors: unknown state 'XYZ'",
        ),
        (
            ["fit", "richardson", "--actors", "USA,RUS", "--years", "1990:1948"],
            "error: --years: empty year range 1990:1948",
        ),
        (
            ["fit", "richardson", "--actors", "USA,RUS", "--years", "2020:2040"],
            "error: --years: 2020:2040 is outside the years of NMC v7.0",
        ),
        (
            ["fit", "richardson", "--actors", "FRN,GMY", "--years", "1905:1920"],
            "error: --years: 1905:1920 crosses 1913/1914",
        ),
        (
            [
                "fit",
                "richardson",
                "--actors",
                "USA,RUS",
                "--years",
                "1948:1990",
                "--regressor",
                "x",
            ],
            "error: --regressor: expected level or mean",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    code, out, err = invoke(*args)
    assert code == 2
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert "Traceback" not in out + err


def test_failed_csv_write_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = invoke("data", "show", "majors", "--csv", str(blocker / "x.csv"))
    assert code == 2
    assert err.startswith("error: --csv: cannot write")
