"""The scenario format: validation, clear errors, overrides, built-ins."""

from __future__ import annotations

import contextlib
import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import herz
from herz.errors import ScenarioError
from herz.scenario import Scenario, builtin_scenarios, load_scenario

MINIMAL: dict[str, Any] = {
    "name": "mini",
    "time": {"start": 1900, "step": 1, "steps": 10},
    "states": [
        {"id": "A", "military": 10, "economy": 100},
        {"id": "B", "military": 20, "economy": 200},
        {"id": "C", "military": 5, "economy": 50},
    ],
    "alliances": [{"name": "AB", "members": ["A", "B"]}],
    "events": [{"year": 1905, "kind": "crisis", "states": ["A", "C"]}],
}


def write(tmp_path: Path, doc: Any, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else yaml.safe_dump(doc), encoding="utf-8")
    return path


def error_for(tmp_path: Path, doc: Any) -> ScenarioError:
    path = write(tmp_path, doc)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


def mutate(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(MINIMAL)
    for path, value in changes.items():
        cur: Any = doc
        parts = path.split("__")
        for p in parts[:-1]:
            cur = cur[int(p)] if p.isdigit() else cur[p]
        last = parts[-1]
        if last.isdigit():
            cur[int(last)] = value
        else:
            cur[last] = value
    return doc


def test_minimal_scenario_validates_with_defaults() -> None:
    sc = Scenario.from_dict(copy.deepcopy(MINIMAL))
    assert sc.ids == ["A", "B", "C"]
    assert sc.states[0].type == "security_seeker"
    assert sc.world.offense_advantage == 0.5
    assert [a.name for a in sc.alliances_at(1900)] == ["AB"]


@pytest.mark.parametrize(
    ("doc", "field", "value"),
    [
        (
            mutate(states__2={"id": "D", "military": 1, "economy": 1, "colour": "red"}),
            "states[2].colour",
            None,
        ),
        (mutate(states__1__military=-5), "states[1].military", "-5"),
        (mutate(states__1__military="lots"), "states[1].military", "'lots'"),
        (mutate(states__0__type="pirate"), "states[0].type", "'pirate'"),
        (mutate(states__2__intelligence=1.5), "states[2].intelligence", "1.5"),
        (mutate(world={"offense_advantage": 2}), "world.offense_advantage", "2"),
        (mutate(states__2__id="A"), "states[2].id", "'A'"),
        (mutate(alliances__0__members=["A", "ZZZ"]), "alliances[0].members[1]", "'ZZZ'"),
        (mutate(events__0__states=["A", "QQ"]), "events[0].states[1]", "'QQ'"),
        (mutate(events__0__year=2050), "events[0].year", "2050"),
        (mutate(time={"start": 1900, "step": 1, "steps": 0}), "time.steps", "0"),
        (mutate(alliances__0__reliability=-0.1), "alliances[0].reliability", "-0.1"),
        (mutate(extra_field=1), "extra_field", None),
    ],
)
def test_bad_documents_name_file_field_and_value(
    tmp_path: Path, doc: dict[str, Any], field: str, value: str | None
) -> None:
    err = error_for(tmp_path, doc)
    msg = str(err)
    assert "bad.yaml" in msg
    assert field in msg, msg
    if value is not None:
        assert value in msg, msg
    assert err.field == field
    assert "\n" not in msg and msg.endswith(".")


def test_missing_required_field(tmp_path: Path) -> None:
    doc = copy.deepcopy(MINIMAL)
    del doc["states"][1]["economy"]
    msg = str(error_for(tmp_path, doc))
    assert "states[1].economy" in msg and "missing" in msg


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    msg = str(error_for(tmp_path, "name: x\nstates: [\n  - id: A\n"))
    assert "bad.yaml" in msg and "invalid YAML" in msg and "line" in msg


def test_yaml_tags_are_not_executed(tmp_path: Path) -> None:
    msg = str(error_for(tmp_path, "!!python/object/apply:os.system ['echo hi']\n"))
    assert "invalid YAML" in msg


def test_missing_file_and_non_mapping(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "nope.yaml")
    assert "mapping" in str(error_for(tmp_path, "- 1\n- 2\n"))
    assert "empty document" in str(error_for(tmp_path, ""))
    with pytest.raises(ScenarioError, match="folder"):
        load_scenario(tmp_path)


def test_every_builtin_validates_and_cites_sources() -> None:
    names = builtin_scenarios()
    assert {"two-state", "europe-1909", "cold-war"} <= set(names)
    for name in names:
        sc = load_scenario(name)
        assert sc.name == name
        assert sc.sources, f"{name} has no sources"
        assert Scenario.from_yaml(sc.to_yaml()) == sc  # round trip


def test_europe_1909_has_the_six_powers_and_two_blocs() -> None:
    sc = load_scenario("europe-1909")
    assert sc.ids == ["UKG", "FRN", "RUS", "GMY", "AUH", "ITA"]
    blocs = {a.name: set(a.members) for a in sc.alliances}
    assert blocs == {
        "Triple Entente": {"UKG", "FRN", "RUS"},
        "Triple Alliance": {"GMY", "AUH", "ITA"},
    }
    assert sc.states[sc.index("RUS")].name == "Russian Empire"


# Values from COW NMC v6.0 (1909 and 1948 milex), as quoted in the data's PROVENANCE and file.
NMC6_MILEX = {
    ("europe-1909", "UKG"): 56532,
    ("europe-1909", "FRN"): 47412,
    ("europe-1909", "RUS"): 60029,
    ("europe-1909", "GMY"): 58567,
    ("europe-1909", "AUH"): 26217,
    ("europe-1909", "ITA"): 19573,
    ("cold-war", "USA"): 10960998,
    ("cold-war", "RUS"): 13157894,
}


@pytest.mark.parametrize(("name", "state"), list(NMC6_MILEX))
def test_builtin_military_is_nmc_milex_in_millions(name: str, state: str) -> None:
    data = Path(herz.__file__).parent / "history" / "data" / "NMC-60-abridged.csv"
    if data.exists():  # the shipped data file is the independent source
        import pandas as pd

        nmc = pd.read_csv(data)
        year = 1909 if name == "europe-1909" else 1948
        row = nmc[(nmc.stateabb == state) & (nmc.year == year)]
        assert int(row.milex.iloc[0]) == NMC6_MILEX[(name, state)]
    sc = load_scenario(name)
    assert sc.states[sc.index(state)].military == pytest.approx(NMC6_MILEX[(name, state)] / 1000)


# -- overrides --------------------------------------------------------------------------------
def test_overrides_by_path_index_and_id() -> None:
    sc = load_scenario("europe-1909").with_overrides(
        {
            "world.offense_advantage": 0.9,
            "states[1].military": 1.0,
            "states.GMY.bias": 0.7,
            "alliances[0].reliability": 0.1,
            "alliances[0].from": 1900,
            "time.steps": 3,
            "richardson.derive.fatigue": 0.9,
            "richardson.reaction.UKG.GMY": 0.4,
        }
    )
    assert sc.world.offense_advantage == 0.9
    assert sc.states[1].military == 1.0
    assert sc.states[sc.index("GMY")].bias == 0.7
    assert sc.alliances[0].reliability == 0.1
    assert sc.alliances[0].from_year == 1900
    assert sc.time.steps == 3
    assert sc.richardson is not None
    assert sc.richardson.derive.fatigue == 0.9
    # europe-1909's fitted block gives every reaction; the override replaces one of them
    assert isinstance(sc.richardson.reaction, dict)
    assert sc.richardson.reaction["UKG"]["GMY"] == 0.4
    fitted = load_scenario("europe-1909").richardson
    assert fitted is not None and isinstance(fitted.reaction, dict)
    assert sc.richardson.reaction["UKG"]["AUH"] == fitted.reaction["UKG"]["AUH"]
    # the original is untouched
    assert load_scenario("europe-1909").world.offense_advantage == 0.7


def test_a_reaction_of_a_state_to_itself_is_refused() -> None:
    """Richardson's K has a zero diagonal; a non-zero entry was stored and silently dropped."""
    with pytest.raises(ScenarioError, match=r"richardson\.reaction\.UKG\.UKG: a state cannot"):
        load_scenario("europe-1909", {"richardson.reaction.UKG.UKG": 0.3})
    load_scenario("europe-1909", {"richardson.reaction.UKG.UKG": 0.0})  # zero says nothing


def test_overrides_on_events_pick_the_right_event_kind() -> None:
    sc = load_scenario("cold-war").with_overrides({"events[0].factor": 2.0})
    assert sc.events[0].factor == 2.0  # type: ignore[union-attr]
    with pytest.raises(ScenarioError, match="does not exist"):
        load_scenario("cold-war").with_overrides({"events[1].factor": 2.0})  # doctrine change


@pytest.mark.parametrize(
    "path",
    [
        "world.offense_advantag",
        "nothing",
        "states[99].military",
        "states.XYZ.military",
        "states[0].military.deeper",
        "time..steps",
        "world.offense_advantage[0]",
    ],
)
def test_override_paths_that_do_not_exist(path: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario("two-state").with_overrides({path: 1})
    assert path in str(info.value)


def test_override_values_are_validated() -> None:
    with pytest.raises(ScenarioError, match=r"world\.distinguishability"):
        load_scenario("two-state").with_overrides({"world.distinguishability": -1})


def test_simulate_accepts_overrides() -> None:
    result = herz.simulate("two-state", steps=5, seed=0, overrides={"world.offense_advantage": 1.0})
    assert result.scenario.world.offense_advantage == 1.0


# -- property: any document gives a Scenario or a ScenarioError, nothing else ------------------
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)

FIELD_PATHS = [
    ("name",),
    ("time", "steps"),
    ("time", "step"),
    ("world", "offense_advantage"),
    ("states",),
    ("states", 0),
    ("states", 0, "id"),
    ("states", 1, "military"),
    ("states", 2, "type"),
    ("alliances", 0, "members"),
    ("alliances", 0, "members", 1),
    ("alliances", 0, "from"),
    ("events", 0),
    ("events", 0, "kind"),
    ("events", 0, "year"),
    ("events", 0, "states"),
    ("richardson",),
    ("richardson", "reaction"),
]


@given(st.sampled_from(FIELD_PATHS), json_values)
def test_mutated_documents_validate_or_raise_scenario_error(
    path: tuple[Any, ...], value: Any
) -> None:
    doc: Any = copy.deepcopy(MINIMAL)
    cur = doc
    for p in path[:-1]:
        cur = cur.setdefault(p, {}) if isinstance(p, str) else cur[p]
    cur[path[-1]] = value
    try:
        sc = Scenario.from_dict(doc, source="fuzz.yaml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.yaml")
        assert "\n" not in str(exc)
    else:
        assert isinstance(sc, Scenario)


@given(json_values)
def test_arbitrary_documents_validate_or_raise_scenario_error(doc: Any) -> None:
    try:
        Scenario.from_dict(doc, source="fuzz.yaml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.yaml")


@given(st.text(max_size=200))
def test_arbitrary_text_parses_or_raises_scenario_error(text: str) -> None:
    try:
        Scenario.from_yaml(text, source="fuzz.yaml")
    except ScenarioError as exc:
        assert str(exc).startswith("fuzz.yaml")


@given(st.text(min_size=1, max_size=30), json_values)
def test_arbitrary_override_paths_apply_or_raise_scenario_error(path: str, value: Any) -> None:
    with contextlib.suppress(ScenarioError):
        load_scenario("two-state").with_overrides({path: value})


def test_wildcard_overrides_set_every_item() -> None:
    sc = load_scenario("europe-1909").with_overrides(
        {"states[*].type": "greedy", "alliances[*].reliability": 0.3}
    )
    assert {s.type for s in sc.states} == {"greedy"}
    assert {a.reliability for a in sc.alliances} == {0.3}
    with pytest.raises(ScenarioError, match="not a list"):
        load_scenario("two-state").with_overrides({"world[*].offense_advantage": 1})
    with pytest.raises(ScenarioError, match="does not exist"):
        load_scenario("two-state").with_overrides({"states[*].colour": "red"})


def test_a_misspelt_override_path_names_the_field_and_a_close_one() -> None:
    sc = herz.load_scenario("two-state")
    with pytest.raises(ScenarioError, match=r"no field 'chaingang'; did you mean 'chain_ganging'"):
        sc.with_overrides({"spiral.mechanisms.chaingang": False})
    with pytest.raises(ScenarioError, match=r"World has no field 'ofense_advantage'"):
        sc.with_overrides({"world.ofense_advantage": 0.5})


@pytest.mark.parametrize("start", [1e300, -1e300, 1_000_001, -2e6])
def test_a_start_year_beyond_a_million_is_refused(tmp_path: Path, start: float) -> None:
    err = error_for(tmp_path, mutate(time__start=start))
    assert err.field == "time.start"
    assert err.value == start
    assert "time.start: input should be" in str(err) and "1000000" in str(err), str(err)


@pytest.mark.parametrize("start", [-1_000_000, 1_000_000, 1914.5])
def test_a_start_year_within_a_million_is_accepted(tmp_path: Path, start: float) -> None:
    doc = mutate(time__start=start, events=[])
    assert load_scenario(write(tmp_path, doc)).time.start == start
