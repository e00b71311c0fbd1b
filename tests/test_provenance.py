"""Every constant is cited to the number or labelled **ours** (issue #11, item 8).

* Every field of every registered model's ``Params`` (nested blocks included: Richardson's
  ``derive``) carries its provenance in ``json_schema_extra``: a non-empty ``source`` that is a
  citation, or ``"ours"`` with a non-empty ``why``. Calibrated values name the scenario they
  were fitted for, and that scenario carries them.
* The spiral kernel's hard-coded numbers are listed in :mod:`herz.models.spiral.constants` with
  the kernel's values (module-level constants by import, the literals of pure functions through
  the functions), and docs/spiral.md lists them and every parameter.
* Provenance is metadata: it enters neither ``Scenario.to_dict()`` nor the scenario hash.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

import herz
from herz.models import get_model, model_names
from herz.models.spiral import kernel
from herz.models.spiral.constants import CONSTANTS
from herz.report import provenance
from herz.scenario import RichardsonDerive, RichardsonParams, SpiralParams

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _fields(cls: type[BaseModel], prefix: str = "") -> list[tuple[str, Any]]:
    """(dotted name, FieldInfo) of every field, nested pydantic blocks included."""
    out: list[tuple[str, Any]] = []
    for name, field in cls.model_fields.items():
        out.append((prefix + name, field))
        default = field.get_default(call_default_factory=True)
        if isinstance(default, BaseModel):
            out.extend(_fields(type(default), f"{prefix}{name}."))
    return out


def _params_classes() -> list[tuple[str, type[BaseModel]]]:
    found = []
    for name in model_names():
        params = get_model(name).Params
        if params is not None:
            found.append((name, params))
    return found


def test_every_registered_model_with_a_block_is_checked() -> None:
    classes = dict(_params_classes())
    assert classes["spiral"] is SpiralParams
    assert classes["richardson"] is RichardsonParams
    assert {"iterated", "lanchester", "reassurance"} <= set(classes)
    assert ("derive", RichardsonParams.model_fields["derive"]) in _fields(RichardsonParams)
    assert {n for n, _ in _fields(RichardsonParams)} >= {
        f"derive.{k}" for k in RichardsonDerive.model_fields
    }


@pytest.mark.parametrize(("model", "params"), _params_classes(), ids=lambda x: str(x))
def test_every_parameter_has_a_source_or_is_ours(model: str, params: type[BaseModel]) -> None:
    problems = []
    for name, field in _fields(params):
        prov = provenance(field)
        source = prov.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append(f"{model}.{name}: no source")
        elif source == "ours" and not str(prov.get("why", "")).strip():
            problems.append(f"{model}.{name}: ours, but no why")
        elif source.lower() in ("ours", "calibrated") and source != "ours":
            problems.append(f"{model}.{name}: write 'ours', or 'calibrated: …' with the how")
        unknown = set(prov) - {"source", "why", "after", "calibrated"}
        if unknown:
            problems.append(f"{model}.{name}: unknown provenance keys {sorted(unknown)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("model", "params"), _params_classes(), ids=lambda x: str(x))
def test_calibrated_values_are_the_scenarios_values(model: str, params: type[BaseModel]) -> None:
    """A ``calibrated`` entry names a built-in scenario that carries the fitted value, says how
    (which years, which seed) and says that it is a calibration, not a citation."""
    for name, field in _fields(params):
        calibrated = provenance(field).get("calibrated")
        if calibrated is None:
            continue
        assert isinstance(calibrated, dict) and calibrated, name
        for scenario_name, entry in calibrated.items():
            assert set(entry) == {"value", "how"}, (name, scenario_name)
            how = entry["how"]
            assert re.search(r"\b1[89]\d\d\b", how), f"{name}: say which years were fitted"
            assert "seed" in how and "not a citation" in how, name
            block = get_model(model).params(herz.load_scenario(scenario_name))
            assert getattr(block, name) == entry["value"], (name, scenario_name)


def test_spiral_calibrations_are_the_documented_ones() -> None:
    fields = SpiralParams.model_fields
    cal = {
        name: provenance(f)["calibrated"]
        for name, f in fields.items()
        if "calibrated" in provenance(f)
    }
    assert cal["tolerance"]["europe-1914"]["value"] == 0.325
    assert cal["superiority"]["europe-1914"]["value"] == 0.3
    assert cal["growth"]["cold-war"]["value"] == 0.06
    assert set(cal) == {"tolerance", "superiority", "growth"}


def test_provenance_is_not_part_of_the_scenario() -> None:
    sc = herz.load_scenario("europe-1914")
    text = repr(sc.to_dict())
    assert "json_schema_extra" not in text and "'why'" not in text and "'after'" not in text
    assert sc.hash() == herz.load_scenario("europe-1914").hash()
    # the schema the web page reads carries it
    schema = SpiralParams.model_json_schema()
    assert schema["properties"]["tolerance"]["source"] == "ours"


# -- the kernel's hard-coded constants ------------------------------------------------------------
def _numeric_module_constants(module: Any) -> dict[str, float]:
    return {
        name: value
        for name, value in vars(module).items()
        if re.fullmatch(r"_?[A-Z][A-Z0-9_]*", name)
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    }


def test_constants_match_the_kernel() -> None:
    listed = {c.code_name: c for c in CONSTANTS if c.code_name is not None}
    in_kernel = _numeric_module_constants(kernel)
    missing = sorted(set(in_kernel) - set(listed))
    assert not missing, f"kernel constants not listed in spiral/constants.py: {missing}"
    for name, const in listed.items():
        assert hasattr(kernel, name), f"constants.py lists {name}, which the kernel lacks"
        assert getattr(kernel, name) == const.value, name
    assert kernel.BLOCK == 16 and kernel.SPEND_FLOOR == 0.01


def test_constants_have_sources() -> None:
    names = [c.name for c in CONSTANTS]
    assert len(names) == len(set(names))
    for c in CONSTANTS:
        assert c.source.strip() and c.why.strip() and c.where.strip(), c.name
        assert isinstance(c.value, int | float), c.name


def _const(name: str) -> float:
    return next(c.value for c in CONSTANTS if c.name == name)


def test_literal_constants_match_the_mechanism_functions() -> None:
    """The literals of the pure mechanism functions, read back through the functions."""
    # economy_step: the economy never falls below 1e-9 of its value
    y = kernel.economy_step(np.array([2.0]), np.array([1e9]), 0.0, 1.0, 0.0, np.array([False]), 1.0)
    assert y[0] == pytest.approx(_const("economy floor") * 2.0)
    # crisis_hazard: the mean of the two threats
    h = kernel.crisis_hazard(np.array([1.0]), np.array([0.0]), np.array([True]), 1.0, 0.0, 2)
    assert h[0] == pytest.approx(_const("mutual threat weight"))
    # contest_success: two zero strengths give the attacker nothing (the _TINY guard)
    assert kernel.contest_success(0.0, 0.0, 1.0, 1.0) == 0.0


# -- the docs list them -------------------------------------------------------------------------
def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    nxt = text.find("\n## ", start + len(heading))
    return text[start : nxt if nxt > 0 else len(text)]


def test_docs_list_every_parameter_and_constant() -> None:
    text = (DOCS / "spiral.md").read_text(encoding="utf-8")
    params = _section(text, "## Parameters")
    for name, field in SpiralParams.model_fields.items():
        row = next((ln for ln in params.splitlines() if ln.startswith(f"| `{name}`")), None)
        assert row is not None, f"docs/spiral.md has no row for {name}"
        source = provenance(field)["source"]
        if source == "ours":
            assert "**ours**" in row, name
        calibrated = provenance(field).get("calibrated", {})
        for scenario_name, entry in calibrated.items():
            assert scenario_name in row and f"{entry['value']:g}" in row, name
    constants = _section(text, "## Constants of the kernel")
    for c in CONSTANTS:
        row = next((ln for ln in constants.splitlines() if f"| {c.name} |" in ln), None)
        assert row is not None, f"docs/spiral.md has no row for the constant {c.name}"
        assert f"{c.value:g}" in row, c.name


# -- the other models' hard-coded constants (richardson, iterated) --------------------------------
def _registries() -> list[tuple[str, Any, tuple[Any, ...], str, str, frozenset[str]]]:
    """(name, code module, CONSTANTS, docs page, docs heading, module constants not listed)."""
    from herz.models import richardson
    from herz.models.iterated import constants as iterated_constants
    from herz.models.iterated import kernel as iterated_kernel
    from herz.models.richardson_constants import CONSTANTS as RICHARDSON

    return [
        (
            "richardson",
            richardson,
            RICHARDSON,
            "richardson.md",
            "## Constants of the code",
            frozenset(),
        ),
        (
            "iterated",
            iterated_kernel,
            iterated_constants.CONSTANTS,
            "games.md",
            "### Constants of the kernel",
            # a limit on the input's size, and the codes of the two actions (C = 0, D = 1)
            frozenset({"MAX_TURNS", "C", "D"}),
        ),
    ]


@pytest.mark.parametrize(
    ("name", "module", "constants", "page", "heading", "exempt"),
    _registries(),
    ids=[r[0] for r in _registries()],
)
def test_model_constants_match_the_code(
    name: str,
    module: Any,
    constants: tuple[Any, ...],
    page: str,
    heading: str,
    exempt: frozenset[str],
) -> None:
    listed = {c.code_name: c for c in constants if c.code_name is not None}
    in_code = _numeric_module_constants(module)
    missing = sorted(set(in_code) - set(listed) - exempt)
    assert not missing, f"{name}: module constants not listed in its CONSTANTS: {missing}"
    for code_name, const in listed.items():
        assert hasattr(module, code_name), f"{name}: CONSTANTS lists {code_name}, not in the code"
        assert getattr(module, code_name) == const.value, code_name
    names = [c.name for c in constants]
    assert len(names) == len(set(names)), name
    for c in constants:
        assert c.source.strip() and c.why.strip() and c.where.strip(), c.name
        assert isinstance(c.value, int | float) and not isinstance(c.value, bool), c.name
    section = _section((DOCS / page).read_text(encoding="utf-8"), heading)
    for c in constants:
        row = next((ln for ln in section.splitlines() if ln.startswith(f"| {c.name} |")), None)
        assert row is not None, f"docs/{page} has no row for the constant {c.name}"
        assert f"| {c.value:g} |" in row or f"| {c.value!r} |" in row, c.name
        if c.source == "ours":
            assert "**ours**" in row, c.name


@pytest.mark.parametrize(
    ("name", "constants"),
    [("spiral", CONSTANTS), *((r[0], r[2]) for r in _registries())],
)
def test_each_model_carries_its_registry_for_the_report(
    name: str, constants: tuple[Any, ...]
) -> None:
    """The methods section of report.html lists ``Model.constants``: each registry is the one
    its model carries, and the report shows every entry (it found only the spiral's before)."""
    model = get_model(name)
    assert model.constants is constants
    from herz.report import _constants_of

    assert _constants_of(model) == tuple(constants)


def test_richardson_rule_constants_act_as_listed() -> None:
    """The derived reaction through the code: halved by a reassurance doctrine, and
    (1 − 0.5 δ)."""
    from herz.models.richardson import coefficients_from_scenario

    sc = herz.load_scenario("two-state")
    base = coefficients_from_scenario(sc).K
    d = sc.world.distinguishability
    first = sc.states[0].model_copy(update={"doctrine": "reassurance"})
    reassuring = sc.model_copy(update={"states": [first, *sc.states[1:]]})
    k = coefficients_from_scenario(reassuring).K
    assert k[0, 1] == pytest.approx(0.5 * base[0, 1])
    assert k[1, 0] == pytest.approx(base[1, 0])
    clear = sc.model_copy(update={"world": sc.world.model_copy(update={"distinguishability": 1.0})})
    k1 = coefficients_from_scenario(clear).K
    assert k1[0, 1] == pytest.approx(base[0, 1] * 0.5 / (1 - 0.5 * d))


def test_history_constants_match_the_code() -> None:
    """The assumed numbers of the scenarios from history (burdens, reliabilities)."""
    from herz.history import from_history
    from herz.history.constants import CONSTANTS as HISTORY

    for c in HISTORY:
        assert c.source.strip() and c.why.strip() and c.where.strip(), c.name
        assert c.code_name is not None, c.name
        match = re.fullmatch(r"RELIABILITY\['(\w+)'\]", c.code_name)
        value = (
            from_history.RELIABILITY[match.group(1)]
            if match
            else getattr(from_history, c.code_name)
        )
        assert value == c.value, c.name
    listed = {c.code_name for c in HISTORY}
    assert {f"RELIABILITY[{k!r}]" for k in from_history.RELIABILITY} <= listed
    burdens = {n for n in _numeric_module_constants(from_history) if n.startswith("BURDEN")}
    assert burdens and burdens <= listed
    assert [from_history.default_burden(y) for y in (1913, 1914, 1945, 1946)] == [
        0.035,
        0.05,
        0.05,
        0.08,
    ]
    section = _section(
        (DOCS / "history.md").read_text(encoding="utf-8"),
        "### Constants of the scenarios from history",
    )
    for c in HISTORY:
        row = next((ln for ln in section.splitlines() if ln.startswith(f"| {c.name} |")), None)
        assert row is not None, f"docs/history.md has no row for the constant {c.name}"
        assert f"| {c.value:g} |" in row and "**ours**" in row, c.name
