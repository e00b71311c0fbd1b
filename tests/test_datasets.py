"""Shipped historical data and its loaders, checked against the raw files read directly."""

from __future__ import annotations

import hashlib
import warnings
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from herz import datasets
from herz.errors import InputError

DATA = Path(str(resources.files("herz.history") / "data"))


def raw(name: str) -> pd.DataFrame:
    """A shipped CSV read straight from disk (``.gz`` if that is how it is shipped)."""
    path = DATA / name
    return pd.read_csv(path if path.exists() else DATA / f"{name}.gz")


def expected_sums() -> dict[str, str]:
    lines = (DATA / "SHA256SUMS").read_text().splitlines()
    return {ln.split()[1]: ln.split()[0] for ln in lines if ln.strip()}


# --- shipping ----------------------------------------------------------------------------------


def test_every_listed_file_is_shipped_and_matches_its_checksum() -> None:
    sums = expected_sums()
    assert len(sums) == 14
    for name, digest in sums.items():
        plain, packed = DATA / name, DATA / f"{name}.gz"
        assert plain.exists() != packed.exists(), name  # exactly one form is shipped
        content = plain.read_bytes() if plain.exists() else __import__("gzip").open(packed).read()
        assert hashlib.sha256(content).hexdigest() == digest, name
    assert datasets.verify() == dict.fromkeys(sums, True)


def test_no_unlisted_data_files_and_provenance_shipped() -> None:
    listed = set(expected_sums())
    shipped = {p.name.removesuffix(".gz") for p in DATA.iterdir() if ".csv" in p.name}
    assert shipped == listed
    assert "ATOP" in (DATA / "PROVENANCE.md").read_text()


def test_verify_detects_a_corrupted_file(monkeypatch: pytest.MonkeyPatch) -> None:
    original = datasets._raw_bytes
    monkeypatch.setattr(
        datasets,
        "_raw_bytes",
        lambda n: original(n) + (b"x" if n == "majors2016.csv" else b""),
    )
    result = datasets.verify()
    assert result["majors2016.csv"] is False
    assert sum(result.values()) == 13


# --- row counts and column types ---------------------------------------------------------------

ROWS = [
    ("nmc", {"version": 6}, 15951),
    ("nmc", {"version": 7}, 17121),
    ("states", {}, 243),
    ("majors", {}, 14),
    ("wars", {}, 337),
    ("mid", {"level": "dispute"}, 2436),
    ("mid", {"level": "participant"}, 5883),
    ("mid", {"level": "dyad-year"}, 10234),
    ("atop", {}, 7716),
    ("atop", {"dyad_years": True}, 136648),
    ("arms_races", {}, 71),
    ("rivalries", {}, 264),
]


@pytest.mark.parametrize(("name", "kwargs", "rows"), ROWS)
def test_row_counts_and_documented_columns(name: str, kwargs: dict[str, object], rows: int) -> None:
    frame = datasets.load(name, **kwargs)  # type: ignore[arg-type]
    assert len(frame) == rows
    spec = datasets.columns(
        name,
        level=kwargs.get("level", "dispute"),  # type: ignore[arg-type]
        dyad_years=bool(kwargs.get("dyad_years", False)),
    )
    assert list(frame.columns) == list(spec)
    for col, (dtype, _) in spec.items():
        assert str(frame[col].dtype) == dtype, col
    assert frame.attrs["sources"] == [
        datasets.citation(
            name,
            version=int(kwargs.get("version", 7)),  # type: ignore[call-overload]
            level=kwargs.get("level", "dispute"),  # type: ignore[arg-type]
        )
    ]


def test_citations_name_the_papers() -> None:
    assert "Singer, Bremer & Stuckey (1972)" in datasets.citation("nmc", version=6)
    assert "v6.0" in datasets.citation("nmc", version=6)
    assert "v7.0" in datasets.citation("nmc", version=7)
    assert "Leeds" in datasets.citation("atop")
    assert "Gibler" in datasets.citation("arms_races")
    assert "Sarkees & Wayman (2010)" in datasets.citation("wars")


# --- missing values ----------------------------------------------------------------------------


def test_nmc6_minus_nine_becomes_na() -> None:
    source = raw("NMC-60-abridged.csv")
    frame = datasets.load("nmc", version=6)
    for col in ("milex", "milper", "irst", "pec", "tpop", "upop"):
        assert int(frame[col].isna().sum()) == int((source[col] == -9).sum()), col
    assert not (frame[["milex", "milper", "irst", "pec"]] == -9).any().any()
    # where the source has a value it is kept unchanged
    kept = source["milex"] != -9
    np.testing.assert_array_equal(
        frame.loc[kept.to_numpy(), "milex"].to_numpy(dtype=float),
        source.loc[kept, "milex"].to_numpy(dtype=float),
    )


def test_nmc6_and_nmc7_milex_agree_where_they_overlap() -> None:
    v6 = datasets.load("nmc", version=6)
    v7 = datasets.load("nmc", version=7)
    both = v6.merge(v7, on=["ccode", "year"], suffixes=("6", "7"))
    assert len(both) == len(v6)
    assert (both["milex6"].isna() == both["milex7"].isna()).all()
    assert (both["milex6"].dropna() == both["milex7"].dropna()).all()


# --- known values (PROVENANCE.md) --------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "year", "value", "scale"),
    [
        ("GMY", 1913, 88.4, 1e3),  # £ millions
        ("FRN", 1913, 66.7, 1e3),
        ("RUS", 1913, 85.4, 1e3),
        ("AUH", 1913, 37.5, 1e3),
        ("UKG", 1913, 67.7, 1e3),
        ("USA", 1960, 45.4, 1e6),  # $ billions
        ("RUS", 1960, 37.0, 1e6),
        ("USA", 1985, 245, 1e6),
        ("RUS", 1985, 275, 1e6),
    ],
)
@pytest.mark.parametrize("version", [6, 7])
def test_known_milex_values(
    state: str, year: int, value: float, scale: float, version: int
) -> None:
    frame = datasets.load("nmc", version=version, states=state, years=year)
    assert len(frame) == 1
    decimals = 1 if isinstance(value, float) else 0
    assert round(float(frame["milex"].iloc[0]) / scale, decimals) == value


def test_germany_1913_exact_and_unit() -> None:
    frame = datasets.load("nmc", states="GMY", years="1913:1914")
    assert frame["milex"].tolist() == [88418.0, 1785000.0]
    assert frame["milex_unit"].tolist() == ["thousand current GBP", "thousand current USD"]


def test_bloc_sums_match_the_curated_prewar_file() -> None:
    blocs = raw("prewwi_blocs_nmc6_milex_gbp_thousands_1907_1913.csv").set_index("year")
    frame = datasets.load("nmc", version=6, years="1907:1913")
    wide = frame.pivot(index="year", columns="stateabb", values="milex")
    for abb in ("FRN", "RUS", "GMY", "AUH", "UKG", "ITA"):
        np.testing.assert_array_equal(wide[abb].to_numpy(float), blocs[abb].to_numpy(float))
    np.testing.assert_array_equal(
        (wide["FRN"] + wide["RUS"]).to_numpy(float), blocs["U_FRN_RUS"].to_numpy(float)
    )


def test_cold_war_file_matches_nmc6() -> None:
    cw = raw("coldwar_usa_rus_nmc6_1946_1991.csv").set_index("year")
    frame = datasets.load("nmc", version=6, states="USA,RUS", years="1946:1991")
    wide = frame.pivot(index="year", columns="stateabb", values="milex")
    np.testing.assert_array_equal(wide["USA"].to_numpy(float), cw["milex_USA"].to_numpy(float))
    np.testing.assert_array_equal(wide["RUS"].to_numpy(float), cw["milex_RUS"].to_numpy(float))


# --- the 1913/1914 currency guard --------------------------------------------------------------


def test_native_currency_carries_the_unit_and_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = datasets.load("nmc", years="1900:1930")
    pre = frame["year"] < 1914
    assert set(frame.loc[pre.to_numpy(), "milex_unit"]) == {"thousand current GBP"}
    assert set(frame.loc[(~pre).to_numpy(), "milex_unit"]) == {"thousand current USD"}


def test_usd_conversion_uses_the_gold_parity_and_warns() -> None:
    with pytest.warns(datasets.CurrencyConversionWarning, match=r"4\.8665"):
        frame = datasets.load("nmc", states="GMY", years="1913:1914", currency="USD")
    assert frame["milex"].iloc[0] == pytest.approx(88418 * 4.8665, rel=1e-15)
    assert frame["milex"].iloc[1] == 1785000.0
    assert "from GBP at 4.8665" in str(frame["milex_unit"].iloc[0])
    assert frame["milex_unit"].iloc[1] == "thousand current USD"


def test_usd_conversion_after_1914_is_silent_noop() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = datasets.load("nmc", states="USA", years="1950:1960", currency="USD")
    b = datasets.load("nmc", states="USA", years="1950:1960")
    pd.testing.assert_frame_equal(a, b)


# --- filters -----------------------------------------------------------------------------------


def test_states_by_code_or_abbreviation_any_case() -> None:
    a = datasets.load("nmc", states="USA,RUS", years=1960)
    b = datasets.load("nmc", states=[2, "365"], years=(1960, 1960))
    c = datasets.load("nmc", states="usa, rus", years="1960")
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)
    assert sorted(a["ccode"].tolist()) == [2, 365]


def test_year_filter_matches_raw() -> None:
    source = raw("NMC-70-abridged_via_peacesciencer.csv")
    frame = datasets.load("nmc", years="1900:1910")
    assert len(frame) == int(source["year"].between(1900, 1910).sum())


def test_spell_filter_is_overlap() -> None:
    # Germany's major-power spells: 1816-1918, 1925-1945, 1991-2016
    frame = datasets.load("majors", states="GMY", years="1919:1924")
    assert frame.empty
    frame = datasets.load("majors", states="GMY", years="1918:1925")
    assert frame["styear"].tolist() == [1816, 1925]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"states": "XYZ"}, "states: unknown state 'XYZ'; known abbreviations look like USA"),
        ({"states": "99999"}, "states: unknown COW code '99999'"),
        ({"years": "1913:1900"}, "years: empty year range 1913:1900"),
        ({"years": "2050:2060"}, "years: 2050:2060 is outside the years of NMC v7.0 (1816-2022)"),
        ({"years": "1800"}, "outside the years"),
        ({"years": "19x0"}, "years: expected a year or a range A:B"),
        ({"version": 5}, "version: NMC version must be 6 or 7, got 5"),
        ({"level": "dispute"}, "level: applies only to the mid dataset"),
        ({"within": True}, "within: applies only to dyadic data"),
    ],
)
def test_bad_input_is_one_clear_input_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError) as info:
        datasets.load("nmc", **kwargs)  # type: ignore[arg-type]
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_dataset() -> None:
    with pytest.raises(InputError, match="dataset: unknown dataset 'nope'; known datasets are nmc"):
        datasets.load("nope")


# --- ATOP --------------------------------------------------------------------------------------


def test_atop_spells_equal_raw_with_renamed_columns() -> None:
    source = raw("atop_5.1_dyad_spells_via_peacesciencer.csv")
    frame = datasets.load("atop")
    assert frame["styear"].tolist() == source["start_year"].tolist()
    assert frame["endyear"].tolist() == source["end_year"].tolist()
    for col in datasets.ATOP_OBLIGATIONS:
        assert frame[col].tolist() == source[col].tolist()


def test_atop_dyad_years_expand_losslessly() -> None:
    source = raw("atop_5.1_dyad_spells_via_peacesciencer.csv")
    years = datasets.load("atop", dyad_years=True)
    assert len(years) == int((source["end_year"] - source["start_year"] + 1).sum())
    assert not years.duplicated(["ccode1", "ccode2", "year"]).any()
    # every dyad-year lies inside a spell with the same obligations
    row = years[(years["ccode1"] == 220) & (years["ccode2"] == 365) & (years["year"] == 1900)]
    spell = source[
        (source.ccode1 == 220)
        & (source.ccode2 == 365)
        & (source.start_year <= 1900)
        & (source.end_year >= 1900)
    ]
    assert len(row) == len(spell) == 1
    for col in datasets.ATOP_OBLIGATIONS:
        assert int(row[col].iloc[0]) == int(spell[col].iloc[0])


@pytest.mark.parametrize(
    ("dyad", "year"), [("GMY,AUH", 1880), ("FRN,RUS", 1895), ("USA,UKG", 1949), ("USA,UKG", 2018)]
)
def test_atop_known_defense_pacts(dyad: str, year: int) -> None:
    frame = datasets.load("atop", states=dyad, within=True, dyad_years=True, years=year)
    assert len(frame) == 1
    assert int(frame["atop_defense"].iloc[0]) == 1


def test_atop_within_versus_either() -> None:
    either = datasets.load("atop", states="FRN,RUS", years=1909)
    within = datasets.load("atop", states="FRN,RUS", years=1909, within=True)
    assert len(within) == 1
    assert len(either) > len(within)
    assert ((either["ccode1"].isin([220, 365])) | (either["ccode2"].isin([220, 365]))).all()


# --- MID, wars, races, rivalries ---------------------------------------------------------------


def test_mid_dispute_filter_uses_participants() -> None:
    part = raw("MIDB_5.0.csv")
    wanted = set(part.loc[part["ccode"] == 2, "dispnum"])
    frame = datasets.load("mid", states="USA")
    assert set(frame["dispnum"]) == wanted
    both = datasets.load("mid", states="USA,RUS", within=True)
    usa_rus = set(part.loc[part.ccode == 2, "dispnum"]) & set(
        part.loc[part.ccode == 365, "dispnum"]
    )
    assert set(both["dispnum"]) == usa_rus


def test_mid_participant_abbreviation_and_missing() -> None:
    """stateabb is the COW state list's abbreviation of the row's ccode, as in every other
    frame, not MIDB's own stabb, which differs in 326 rows (USR for the Russian Federation's
    365, ZAI for 490, ...) and made filters and joins on stateabb drop them."""
    source = raw("MIDB_5.0.csv")
    frame = datasets.load("mid", level="participant")
    states = raw("states2016.csv").drop_duplicates("ccode").set_index("ccode")["stateabb"]
    assert frame["stateabb"].tolist() == source["ccode"].map(states).tolist()
    assert int((frame["stateabb"] != source["stabb"]).sum()) == 326
    assert set(frame.loc[frame["ccode"] == 365, "stateabb"]) == {"RUS"}
    assert int(frame["fatality"].isna().sum()) == int((source["fatality"] == -9).sum())


def test_mid_dyad_years_attach_abbreviations() -> None:
    frame = datasets.load("mid", level="dyad-year", states="USA,RUS", within=True, years=1962)
    assert len(frame) > 0
    assert set(frame["stateabb1"]) | set(frame["stateabb2"]) == {"USA", "RUS"}


def test_world_war_one_has_fifteen_participants() -> None:
    wars = datasets.load("wars")
    ww1 = wars[wars["warnum"] == 106]
    assert len(ww1) == 15
    assert {"GMY", "FRN", "RUS", "UKG", "AUH", "ITA", "USA"} <= set(ww1["stateabb"])
    source = raw("Inter-StateWarData_v4.0.csv")
    assert int(wars["batdeath"].isna().sum()) == int((source["BatDeath"] == -9).sum())
    assert int(wars["startyear2"].isna().sum()) == int((source["StartYear2"] == -8).sum())


def test_wars_year_filter_overlaps() -> None:
    frame = datasets.load("wars", states="USA", years=1917)
    assert 106 in set(frame["warnum"])


def test_arms_races_prewar_and_cold_war() -> None:
    races = datasets.load("arms_races", states="USA,RUS", within=True)
    assert races[["styear", "endyear"]].values.tolist() == [[1978, 1981]]
    prewar = datasets.load("arms_races", years="1912:1913")
    pairs = {frozenset((a, b)) for a, b in zip(prewar.stateabb1, prewar.stateabb2, strict=True)}
    assert frozenset(("FRN", "AUH")) in pairs
    assert frozenset(("GMY", "RUS")) in pairs


def test_rivalries_renamed_and_filtered() -> None:
    source = raw("tss_strategic_rivalries.csv")
    frame = datasets.load("rivalries")
    assert frame["styear"].tolist() == source["start"].tolist()
    assert frame["endyear"].tolist() == source["end"].tolist()
    usa_rus = datasets.load("rivalries", states="USA,RUS", within=True)
    assert len(usa_rus) >= 1


def test_year_coverage_is_the_datasets_not_the_chosen_states() -> None:
    """A year inside a dataset but outside a state's own years is an empty answer, not
    "outside the years of NMC v7.0 (1955-1990)" (West Germany's years, reported as NMC's);
    the wars cover 1816-2007 (Sarkees & Wayman), not the first war's start to the last's end;
    a state that fought no war gives 0 rows (it raised a TypeError on an empty frame)."""
    assert len(datasets.load("nmc", states="GFR", years=1816)) == 0
    assert len(datasets.load("wars", states="USA", years=1816)) == 0
    assert len(datasets.load("atop", states="USA", years=(1816, 1820))) == 0
    assert len(datasets.load("wars", states="ICE")) == 0
    assert len(datasets.load("wars", years=2005)) == 0
    assert len(datasets.load("wars", years=(1816, 1822))) == 0
    with pytest.raises(
        InputError, match=r"outside the years of COW Inter-State War Data v4.0 \(1816-2007\)"
    ):
        datasets.load("wars", years=2010)
    with pytest.raises(InputError, match=r"outside the years of NMC v7.0"):
        datasets.load("nmc", states="GFR", years=1700)


def test_bad_api_arguments_are_input_errors() -> None:
    """A ValueError and a KeyError before; and --within with one state dropped every row."""
    with pytest.raises(InputError, match="years: expected"):
        datasets.load("nmc", years=("a", "b"))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="level: expected dispute"):
        datasets.columns("mid", level="foo")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"within: .* needs two states"):
        datasets.load("atop", states="USA", within=True)
