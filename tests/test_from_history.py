"""``herz scenario from-history``: NMC stocks, the economy proxy, ATOP alliances, validity."""

from __future__ import annotations

from importlib import resources
from itertools import combinations
from pathlib import Path

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from herz.cli import app
from herz.errors import InputError
from herz.history import from_history as history
from herz.scenario import Scenario, load_scenario

DATA = Path(str(resources.files("herz.history") / "data"))
SIX = "UKG,FRN,RUS,GMY,AUH,ITA"
CODES = {"UKG": 200, "FRN": 220, "RUS": 365, "GMY": 255, "AUH": 300, "ITA": 325}
runner = CliRunner()


def atop_pairs(year: int, column: str, codes: set[int]) -> set[frozenset[int]]:
    """Dyads with an obligation in force in ``year``, straight from the ATOP spell file."""
    src = pd.read_csv(DATA / "atop_5.1_dyad_spells_via_peacesciencer.csv.gz")
    rows = src[
        (src[column] == 1)
        & (src.start_year <= year)
        & (src.end_year >= year)
        & src.ccode1.isin(codes)
        & src.ccode2.isin(codes)
    ]
    return {frozenset((int(a), int(b))) for a, b in zip(rows.ccode1, rows.ccode2, strict=True)}


def scenario_pairs(sc: Scenario, kind: str) -> set[frozenset[int]]:
    code = {s.id: s.ccode for s in sc.states}
    return {
        frozenset((code[a], code[b]))  # type: ignore[misc]
        for al in sc.alliances
        if al.kind == kind
        for a, b in combinations(al.members, 2)
    }


def test_1909_defense_pacts_are_those_atop_records() -> None:
    sc = history.scenario_from_history(1909, SIX)
    expected = atop_pairs(1909, "atop_defense", set(CODES.values()))
    assert expected == {
        frozenset((220, 365)),
        frozenset((255, 300)),
        frozenset((255, 325)),
        frozenset((300, 325)),
    }
    assert scenario_pairs(sc, "defense") == expected
    triple = next(a for a in sc.alliances if a.kind == "defense" and len(a.members) == 3)
    assert sorted(triple.members) == ["AUH", "GMY", "ITA"]
    assert all(a.active(1909) for a in sc.alliances)


def test_every_pair_gets_its_strongest_obligation_once() -> None:
    sc = history.scenario_from_history(1909, SIX)
    kinds = list(history.KIND_OF_OBLIGATION.items())
    seen: set[frozenset[int]] = set()
    for i, (column, kind) in enumerate(kinds):
        stronger = set().union(*(atop_pairs(1909, c, set(CODES.values())) for c, _ in kinds[:i]))
        assert scenario_pairs(sc, kind) == atop_pairs(1909, column, set(CODES.values())) - stronger
        assert not (scenario_pairs(sc, kind) & seen)
        seen |= scenario_pairs(sc, kind)
    assert scenario_pairs(sc, "consultation") == {frozenset((200, 220)), frozenset((325, 365))}


def test_scenario_validates_and_round_trips() -> None:
    sc = history.scenario_from_history(1909, SIX)
    again = Scenario.model_validate(yaml.safe_load(sc.to_yaml()))
    assert again == sc
    assert load_scenario(sc.to_dict()) == sc
    keys = {s.key for s in sc.sources}
    assert {"nmc7", "atop5.1"} <= keys
    assert sc.units.military == "million current GBP (military expenditure)"


@pytest.mark.parametrize(("builtin", "year"), [("europe-1909", 1909), ("cold-war", 1948)])
def test_builtins_military_and_economy_are_reproduced(builtin: str, year: int) -> None:
    ref = load_scenario(builtin)
    ids = ",".join(s.id for s in ref.states)
    sc = history.scenario_from_history(year, ids, version=6)
    assert [s.id for s in sc.states] == [s.id for s in ref.states]
    for mine, theirs in zip(sc.states, ref.states, strict=True):
        assert mine.ccode == theirs.ccode
        assert mine.military == theirs.military
        assert mine.economy == theirs.economy
    assert sc.units.military == ref.units.military


def test_military_is_nmc_milex_in_millions() -> None:
    src = pd.read_csv(DATA / "NMC-70-abridged_via_peacesciencer.csv.gz")
    sc = history.scenario_from_history(1960, "USA,RUS")
    for s in sc.states:
        milex = src[(src.stateabb == s.id) & (src.year == 1960)]["milex"].iloc[0]
        assert s.military == pytest.approx(milex / 1000, abs=5e-4)
    assert sc.units.military == "million current USD (military expenditure)"


def test_economy_proxy_scales_with_the_assumed_burden() -> None:
    a = history.scenario_from_history(1909, SIX, burden=0.035)
    b = history.scenario_from_history(1909, SIX, burden=0.07)
    for x, y in zip(a.states, b.states, strict=True):
        assert x.economy == pytest.approx(2 * y.economy, abs=0.151)  # both rounded to 0.1


@pytest.mark.parametrize(
    ("year", "states", "message"),
    [
        (1909, "UKG,XYZ", "states: unknown state 'XYZ'"),
        (1700, SIX, "year: 1700 is outside the years of NMC v7.0"),
        (2050, SIX, "year: 2050 is outside"),
        (1950, "GMY,USA", "states: GMY is not in NMC v7.0 in 1950"),
    ],
)
def test_bad_input(year: int, states: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        history.scenario_from_history(year, states)
    assert message in str(info.value)


def test_cli_writes_a_loadable_scenario(tmp_path: Path) -> None:
    out = tmp_path / "h.yaml"
    result = runner.invoke(
        app, ["scenario", "from-history", "--year", "1909", "--states", SIX, "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("# Built by `herz scenario from-history --year 1909")
    assert "Leeds, Ritter, Mitchell & Long (2002)" in text
    assert load_scenario(str(out)) == history.scenario_from_history(1909, SIX)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "1909", "--states", "UKG,XYZ"], "error: --states: unknown state 'XYZ'"),
        (["--year", "1700", "--states", SIX], "error: --year: 1700 is outside"),
        (["--year", "1909", "--states", SIX, "--burden", "2"], "error: --burden: must be in"),
    ],
)
def test_cli_bad_input_exits_2(args: list[str], message: str, tmp_path: Path) -> None:
    out = tmp_path / "x.yaml"
    result = runner.invoke(app, ["scenario", "from-history", *args, "-o", str(out)])
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert not out.exists()


# --- the assumed reliabilities as a keyword (docs/ours_sensitivity.py) ---------------------------

#: the reliabilities by kind as written into from_history.py before the keyword existed
OLD_RELIABILITY = {
    "defense": 0.8,
    "offense": 0.7,
    "neutrality": 0.5,
    "nonaggression": 0.4,
    "consultation": 0.3,
}


def test_default_reliabilities_are_the_old_ones() -> None:
    sc = history.scenario_from_history(1909, SIX)
    assert {a.kind for a in sc.alliances} >= {"defense", "neutrality", "consultation"}
    for a in sc.alliances:
        assert a.reliability == OLD_RELIABILITY[a.kind]
    explicit = history.scenario_from_history(1909, SIX, reliability=OLD_RELIABILITY)
    assert explicit == sc
    assert history.scenario_known_at(1910, reliability={}) == history.scenario_known_at(1910)


def test_reliability_replaces_only_the_kinds_given() -> None:
    sc = history.scenario_from_history(1909, SIX, reliability={"defense": 0.6})
    for a in sc.alliances:
        assert a.reliability == (0.6 if a.kind == "defense" else OLD_RELIABILITY[a.kind])


def test_more_reliable_alliances_raise_p_war_in_1910() -> None:
    """The direction measured by docs/ours_sensitivity.py: in the world known at 1910, at the
    shipped posterior's medians, reliabilities +0.2 raise the spiral's P(war) over 5 years."""
    import herz
    from herz.calibration.posterior import Posterior

    post = Posterior.load(
        Path(str(resources.files("herz.calibration") / "data" / "spiral-1816-1899.json"))
    )
    over = {**{k: float(v) for k, v in post.summary()["median"].items()}, **post.meta["fixed"]}
    up = {k: min(1.0, v + 0.2) for k, v in OLD_RELIABILITY.items()}
    p_war = []
    for rel in (None, up):
        sc = history.scenario_known_at(1910, steps=5, reliability=rel)
        res = herz.simulate(
            sc, model="spiral", runs=3000, seed=5, steps=5, keep="summary", overrides=over
        )
        assert res.outcomes is not None
        p_war.append(float(res.outcomes["war"].mean()))
    assert p_war[1] > p_war[0] + 0.02


@pytest.mark.parametrize(
    ("reliability", "message"),
    [({"alliance": 0.5}, "unknown alliance kind 'alliance'"), ({"defense": 1.2}, "defense")],
)
def test_bad_reliability(reliability: dict[str, float], message: str) -> None:
    with pytest.raises(InputError, match=message):
        history.scenario_from_history(1909, SIX, reliability=reliability)
