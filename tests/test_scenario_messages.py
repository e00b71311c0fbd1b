"""What a user who got a scenario file wrong is told (the QA pass of December 2026).

Each case is a file a scholar or a student could write. The answer must name *their* file (not
the ``name:`` inside it, which a copy of a built-in shares with the built-in), the field and the
value, in one sentence, with exit code 2 from the CLI; ``herz validate`` must refuse what every
run would refuse.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

import herz
from herz.cli import app
from herz.errors import ScenarioError
from herz.scenario import Scenario, builtin_scenarios, load_scenario

runner = CliRunner()
TWO_STATE = builtin_scenarios()["two-state"].read_text(encoding="utf-8")


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _doc() -> dict[str, object]:
    doc = yaml.safe_load(TWO_STATE)
    assert isinstance(doc, dict)
    return doc


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


# --- errors found after loading name the file -------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "model", "field"),
    [
        ("spirall: {}\n", "richardson", "spirall"),
        ("lanchester: {foo: 1}\n", "lanchester", "lanchester.foo"),
        ("iterated: {strategies: {Z: grim}}\n", "iterated", "iterated.strategies.Z"),
        ("reassurance: {sender: Z}\n", "reassurance", "reassurance.sender"),
    ],
)
def test_errors_after_loading_name_the_users_file(
    tmp_path: Path, extra: str, model: str, field: str
) -> None:
    """A copy of two-state.yaml with a bad block: the run said "two-state: ...", the built-in's
    name, as if the shipped file were wrong; it now names the copy, as ``herz validate`` did."""
    path = _write(tmp_path, "mine.yaml", TWO_STATE + extra)
    for args in (["run", str(path), "--model", model], ["validate", str(path)]):
        code, out = _cli(*args)
        assert code == 2, out
        assert out.startswith(f"error: {path}: {field}"), out
        assert "two-state" not in out.splitlines()[0].split(":")[0]
    with pytest.raises(ScenarioError, match=rf"^{path}: {field}") as err:
        herz.simulate(str(path), model=model, runs=1)
    assert err.value.field == field


def test_a_builtin_is_named_by_its_name_and_origin_does_not_change_equality(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, "copy.yaml", TWO_STATE)
    builtin, copy = load_scenario("two-state"), load_scenario(str(path))
    assert builtin.origin == "two-state" and copy.origin == str(path)
    assert builtin == copy  # the same scenario, loaded from two places
    assert copy.with_overrides({"world.offense_advantage": 0.9}).origin == str(path)
    assert Scenario.from_dict(_doc()).origin == "two-state"  # made in code: its name


# --- herz validate refuses what every run refuses -------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"reassurance": {"observer": "A", "sender": "A"}},
            "reassurance.observer: the observer must differ from the sender, got 'A' for both",
        ),
        ({"states": "one", "iterated": {}}, "the iterated model needs at least two states"),
        ({"states": "one", "lanchester": {}}, "lanchester.sides: the scenario has a single bloc"),
        (
            {"states": "one", "reassurance": {}},
            "reassurance.sender: the observer must differ from the sender, and the scenario has "
            "no other state than 'A'",
        ),
    ],
)
def test_validate_refuses_blocks_that_every_run_refuses(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    doc = _doc()
    states = doc["states"]
    assert isinstance(states, list)
    for key, value in change.items():
        doc[key] = states[:1] if value == "one" else value
    path = _write(tmp_path, "bad.yaml", yaml.safe_dump(doc))
    code, out = _cli("validate", str(path))
    assert code == 2, out
    assert f"{path}: {message}" in out, out


def test_an_observer_alone_makes_the_other_state_the_sender(tmp_path: Path) -> None:
    """``observer: B`` alone could never run: the default sender was always the second state,
    B itself. The default sender now skips the observer."""
    doc = _doc()
    doc["reassurance"] = {"observer": "B"}
    path = _write(tmp_path, "observer.yaml", yaml.safe_dump(doc))
    assert _cli("validate", str(path))[0] == 0
    result = herz.simulate(str(path), model="reassurance", runs=2, seed=1)
    assert (result.summary["observer"], result.summary["sender"]) == ("B", "A")
    default = herz.simulate("two-state", model="reassurance", runs=2, seed=1)
    assert (default.summary["observer"], default.summary["sender"]) == ("A", "B")


# --- YAML's own surprises ---------------------------------------------------------------------

QUOTE_HINT = "quote the value, as in 'NO'"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  - id: A\n", "  - id: NO\n", "states[0].id: must be text, not true or false, got false"),
        ("name: two-state", "name: On", "name: must be text, not true or false, got true"),
    ],
)
def test_yaml_booleans_in_text_fields_say_to_quote_them(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    """YAML 1.1 reads Norway's ``NO`` (and yes, on, off) as a boolean; the message said "must be
    a number" for a text field and never said why the value changed."""
    path = _write(tmp_path, "norway.yaml", TWO_STATE.replace(old, new))
    code, out = _cli("validate", str(path))
    assert code == 2
    assert message in out and QUOTE_HINT in out, out


def test_yaml_booleans_in_lists_and_keys_say_to_quote_them(tmp_path: Path) -> None:
    members = "alliances:\n  - {name: X, members: [NO, B], kind: defense, reliability: 0.5}\n"
    code, out = _cli("validate", str(_write(tmp_path, "m.yaml", TWO_STATE + members)))
    assert code == 2
    assert "alliances[0].members[0]: must be text, not true or false, got false" in out, out
    assert QUOTE_HINT in out
    keys = "iterated: {strategies: {NO: grim}}\n"
    code, out = _cli("validate", str(_write(tmp_path, "k.yaml", TWO_STATE + keys)))
    assert code == 2
    assert "iterated.strategies (a key): must be text, not true or false, got false" in out, out
    assert "[key]" not in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("spiral: {mechanisms: false}\n", "spiral.mechanisms: must be a mapping of fields"),
        ("spiral: {mechanisms: {geography: 0}}\n", "spiral.mechanisms.geography: must be true"),
        ("spiral: {mechanisms: {geography: 'no'}}\n", "spiral.mechanisms.geography: must be true"),
        (
            "events:\n  - {year: 10, name: x, states: [A, B]}\n",
            "events[0].kind: required field is missing",
        ),
        (
            "events:\n  - {year: 1914-06-28, kind: crisis, name: x, states: [A, B]}\n",
            "events[0].year: must be a number, got '1914-06-28' (a year as a decimal number",
        ),
    ],
)
def test_wrong_kinds_of_value_get_plain_words(tmp_path: Path, extra: str, message: str) -> None:
    """A switch given 0 or 'no' was coerced to false without a word; an event without its kind
    said "unable to extract tag using discriminator"; a date printed as datetime.date(...)."""
    code, out = _cli("validate", str(_write(tmp_path, "w.yaml", TWO_STATE + extra)))
    assert code == 2
    assert message in out, out
    assert "discriminator" not in out and "datetime" not in out


def test_an_id_outside_the_pattern_is_described_in_words(tmp_path: Path) -> None:
    path = _write(tmp_path, "u.yaml", TWO_STATE.replace("  - id: A\n", "  - id: Ä\n"))
    code, out = _cli("validate", str(path))
    assert code == 2
    assert "states[0].id: must be 1 to 16 ASCII letters, digits" in out, out
    assert "^[A-Za-z]" not in out


# --- names the operating system cannot look up ----------------------------------------------


def test_a_name_too_long_for_the_file_system_is_no_such_file(tmp_path: Path) -> None:
    code, out = _cli("run", "x" * 300)
    assert code == 2, out
    assert "no such file, and not a built-in scenario" in out
    code, out = _cli("run", "two-state", "--out", str(tmp_path / ("y" * 300)))
    assert code == 2, out
    assert "--out: cannot write" in out and "too long for the file system" in out
    assert list(tmp_path.iterdir()) == []


def test_yaml_text_passed_as_a_name_says_how_to_load_it() -> None:
    """``herz.simulate(open(f).read())`` raised the OS's "File name too long"."""
    with pytest.raises(ScenarioError, match=r"use herz\.Scenario\.from_yaml\(text\)"):
        herz.simulate(TWO_STATE, runs=1)
