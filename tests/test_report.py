"""The report's methods section (issue #11, item 8): generated from the run, for any model.

It names the model and its citation, the mechanisms on and off, every parameter of the model's
block with its value, default and source (or **ours**), the hard-coded constants, the seeds
and the stream rule, the scenario hash and the herz version.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

import herz
from herz.cli import app
from herz.models import get_model, model_names
from herz.models.spiral.constants import CONSTANTS
from herz.report import parameter_rows, provenance, render_report
from herz.scenario import RichardsonDerive, RichardsonParams, SpiralMechanisms, SpiralParams


def _methods(page: str) -> str:
    start = page.index("<h2 id='methods'>Methods</h2>")
    end = page.index("<h2>Sources</h2>", start)
    return page[start:end]


def _rows(section: str) -> dict[str, str]:
    """Parameter name → the row's HTML, from the methods section's tables."""
    out = {}
    for row in re.findall(r"<tr><th>(.*?)</tr>", section):
        name, _, rest = row.partition("</th>")
        out[html.unescape(name)] = rest
    return out


def _expected_source(field: Any) -> str:
    prov = provenance(field)
    return str(prov["why"] if prov["source"] == "ours" else prov["source"])


@pytest.fixture(scope="module")
def spiral_page() -> str:
    r = herz.simulate("two-state", model="spiral", runs=3, steps=8, seed=5, keep="summary")
    return render_report(r, {})


def test_spiral_methods_section_has_every_parameter_and_its_source(spiral_page: str) -> None:
    section = _methods(spiral_page)
    rows = _rows(section)
    for name, field in SpiralParams.model_fields.items():
        if name == "mechanisms":  # the switches have their own table, a row each
            continue
        assert name in rows, name
        assert html.escape(_expected_source(field)) in rows[name], name
        if provenance(field)["source"] == "ours":
            assert "<b>ours</b>" in rows[name], name
    assert "Jervis" in section and "Kydd" in section  # the model's citation
    for switch in SpiralMechanisms.model_fields:  # issue #11: every switch, on or off
        assert rows[switch] == "<td>on</td>", switch


def test_spiral_methods_section_has_constants_seeds_hash_and_version(spiral_page: str) -> None:
    section = _methods(spiral_page)
    rows = _rows(section)
    for c in CONSTANTS:
        assert c.name in rows and html.escape(c.where) in rows[c.name], c.name
    assert "SeedSequence(seed, spawn_key=(*stream_key, i))" in section
    assert re.search(r"<th>root seed</th><td>5</td>", section)
    assert re.search(r"<th>runs</th><td>3</td>", section)
    sc = herz.load_scenario("two-state")
    assert sc.hash() in section and herz.__version__ in section


def test_values_that_differ_from_the_default_are_marked(tmp_path: Path) -> None:
    r = herz.simulate(
        "two-state",
        model="spiral",
        runs=2,
        steps=4,
        seed=1,
        keep="summary",
        overrides={"spiral.war_cost": 0.3},
    )
    rows = _rows(_methods(render_report(r, {})))
    assert rows["war_cost"].startswith("<td>0.3</td><td>0.1</td>")
    assert "set by the scenario or an override" in rows["war_cost"]
    assert "set by the scenario" not in rows["attrition"]


def test_mechanism_switches_are_shown_when_the_summary_has_them() -> None:
    r = herz.simulate("two-state", model="spiral", runs=2, steps=4, seed=1, keep="summary")
    r.summary["mechanisms"] = {"bias": False, "chain_ganging": True}
    section = _methods(render_report(r, {}))
    rows = _rows(section)
    assert "<b>off</b>" in rows["bias"] and ">on<" in rows["chain_ganging"]
    assert "All mechanisms of this version" not in section


def test_richardson_report_has_its_block_fields() -> None:
    r = herz.simulate("two-state", model="richardson", runs=1, steps=5, seed=2)
    section = _methods(render_report(r, {}))
    rows = _rows(section)
    for name, field in RichardsonParams.model_fields.items():
        if name == "derive":
            continue
        assert name in rows and html.escape(_expected_source(field)) in rows[name], name
    for name, field in RichardsonDerive.model_fields.items():
        assert f"derive.{name}" in rows, name
        assert html.escape(_expected_source(field)) in rows[f"derive.{name}"], name
    assert "Richardson, L. F. (1960)" in section


@pytest.mark.parametrize("model", [m for m in model_names() if get_model(m).Params is not None])
def test_every_model_report_lists_its_parameters(model: str) -> None:
    scenario = "cold-war" if model == "reassurance" else "two-state"
    r = herz.simulate(scenario, model=model, runs=2, steps=4, seed=1, keep="summary")
    rows = _rows(_methods(render_report(r, {})))
    params = get_model(model).Params
    assert params is not None
    for row in parameter_rows(params, None):
        assert row.name in rows, (model, row.name)
        assert "no source given" not in rows[row.name], (model, row.name)


def test_parameter_rows_flatten_nested_blocks() -> None:
    rows = {r.name: r for r in parameter_rows(RichardsonParams, None)}
    assert "derive" not in rows and rows["derive.fatigue"].default == 0.5
    block = RichardsonParams.model_validate({"derive": {"fatigue": 0.8}})
    rows = {r.name: r for r in parameter_rows(RichardsonParams, block)}
    assert rows["derive.fatigue"].value == 0.8 and rows["derive.fatigue"].default == 0.5


def test_a_params_class_without_provenance_says_so() -> None:
    class Bare(BaseModel):
        x: float = 1.0

    rows = parameter_rows(Bare, None)
    assert rows[0].provenance == {} and rows[0].value == 1.0


def test_cli_run_writes_a_report_with_the_methods_section(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["run", "europe-1914", "--model", "spiral", "--runs", "20", "--seed", "1"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    page = (out / "report.html").read_text(encoding="utf-8")
    section = _methods(page)
    rows = _rows(section)
    for name in SpiralParams.model_fields:
        if name == "mechanisms":  # a row per switch, "on" or "off"
            for switch in SpiralMechanisms.model_fields:
                assert rows[switch] == "<td>on</td>", switch
            continue
        assert name in rows, name
    # europe-1914's calibrated values are labelled as calibrations, with years and seed
    for name, value in (("tolerance", "0.325"), ("superiority", "0.3")):
        assert rows[name].startswith(f"<td>{value}</td>"), name
        assert "<b>calibrated</b> for europe-1914" in rows[name]
        assert "1910–1913" in rows[name] and "seed 1" in rows[name]
    assert "SPEND_FLOOR" in rows and "BLOCK" in rows
    assert herz.load_scenario("europe-1914").hash() in section
    assert herz.__version__ in section
    assert re.search(r"<th>root seed</th><td>1</td>", section)
    assert re.search(r"<th>runs</th><td>20</td>", section)


def _results(page: str) -> str:
    start = page.index("<h2>Results</h2>")
    return page[start : page.index("<h2>Figures</h2>", start)]


def test_results_without_a_war_show_a_dash_and_say_why() -> None:
    r = herz.simulate("two-state", model="spiral", runs=3, seed=7, keep="summary")
    assert r.summary["mean_states_at_war"] is None and r.summary["share_preemptive"] is None
    page = render_report(r, {})
    assert ">None<" not in page
    results = _results(page)
    for key in ("mean_states_at_war", "mean_first_war_year", "share_preemptive"):
        assert f"<tr><th>{key}</th><td title='no run had a war'>—</td></tr>" in results, key
    assert "— : no value." in results and "no run had a war." in results


def test_reassurance_results_without_trust_show_a_dash_and_say_why() -> None:
    r = herz.simulate("two-state", model="reassurance", runs=3, seed=7, keep="summary")
    assert r.summary["mean_trust_year"] is None
    results = _results(render_report(r, {}))
    assert ">None<" not in results
    assert "<th>mean_trust_year</th><td title='no run reached trust'>—</td>" in results
    assert "no run reached trust." in results


def test_every_table_shows_values_alike() -> None:
    r = herz.simulate("two-state", model="spiral", runs=2, steps=4, seed=1, keep="summary")
    r.summary["flag"] = True
    r.summary["missing"] = None
    results = _results(render_report(r, {}))
    assert "<th>flag</th><td>true</td>" in results  # as in the methods section
    assert "<th>missing</th><td title='not defined for this run" in results


def test_reassurance_report_lists_its_switches_and_resolved_states() -> None:
    r = herz.simulate(
        "two-state",
        model="reassurance",
        runs=2,
        seed=1,
        keep="summary",
        overrides={"reassurance.signals": False, "reassurance.decline": True},
    )
    assert r.summary["mechanisms"] == {"signals": False, "decline": True}
    section = _methods(render_report(r, {}))
    rows = _rows(section)
    assert "All mechanisms of this version" not in section
    mechanisms = section[section.index("<h3>Mechanisms</h3>") : section.index("<h3>Parameters")]
    assert "<tr><th>signals</th><td><b>off</b></td></tr>" in mechanisms
    assert "<tr><th>decline</th><td>on</td></tr>" in mechanisms
    # observer and sender are unset in the block; the run resolved them (A and B)
    assert rows["observer"].startswith("<td>A <span class='small'>(resolved by the run)")
    assert rows["sender"].startswith("<td>B <span class='small'>(resolved by the run)")


def test_without_a_mechanisms_entry_the_true_false_parameters_are_named() -> None:
    r = herz.simulate(
        "two-state",
        model="reassurance",
        runs=2,
        seed=1,
        keep="summary",
        overrides={"reassurance.signals": False},
    )
    del r.summary["mechanisms"]
    section = _methods(render_report(r, {}))
    assert "All mechanisms of this version" not in section
    assert "<code>signals</code> = false" in section
    assert "<code>decline</code> = false" in section
