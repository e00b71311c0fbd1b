"""The dashboard in a real browser: Debian's Chromium driven by Playwright against uvicorn.

Loads the page, chooses europe-1914 and the spiral model, moves the offense slider, presses Run
and checks that every chart has traces with data; checks that the model options are built from
each model's options schema, and runs Richardson's model with method=euler from the page. Saves
screenshots (1280×800 and a phone width) in the test's tmp folder (the CI artifact). Chromium is
installed with apt-get when it is missing (see tests/_web.py); no browser is ever downloaded by
Playwright.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api as playwright_api

import herz
from _web import CHROMIUM_ARGS, chromium, serve
from herz.models import get_model, model_names
from herz.web import create_app

#: Plotly graph divs carry their traces in ``.data``; a chart "has data" when some trace
#: has points.
TRACES = """id => {
  const el = document.getElementById(id);
  if (!el || !el.data) return null;
  return el.data.map(t => ({
    name: t.name || null,
    type: t.type || 'scatter',
    points: (t.y || t.z || []).filter(v => v !== null && v !== undefined).length,
  }));
}"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium()
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve(create_app()) as base:
        yield base


def run_europe_1914(page: Any, url: str, errors: list[str]) -> None:
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + "/")
    page.wait_for_function("() => document.querySelectorAll('#scenario option').length > 0")
    page.select_option("#scenario", "europe-1914")
    page.wait_for_function("() => document.getElementById('scenario-desc').textContent.length > 0")
    page.select_option("#model", "spiral")
    slider = page.locator("#offense")
    slider.focus()
    for _ in range(4):  # move the slider with the keyboard, as a person would
        page.keyboard.press("ArrowRight")
    page.fill("#runs", "30")
    page.fill("#steps", "24")
    page.fill("#seed", "1")
    page.click("#run")
    page.wait_for_function(
        "() => { const s = document.getElementById('summary'); "
        "return s && s.textContent.includes('europe-1914'); }",
        timeout=60_000,
    )


def test_run_europe_1914_and_see_the_charts(browser: Any, url: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    run_europe_1914(page, url, errors)

    offense = float(page.input_value("#offense"))
    assert page.text_content("#offense-out") == f"{offense:.2f}"
    state = page.evaluate("() => window.herzDashboard.state.result")
    assert state["world"]["offense_advantage"] == pytest.approx(offense)
    assert state["model"] == "spiral" and state["runs"] == 30 and state["steps"] == 24

    military = page.evaluate(TRACES, "chart-military")
    names = {t["name"] for t in military if t["points"]}
    labels = set(state["labels"].values())
    assert labels <= names  # a line (with points) for every state
    assert all(t["points"] == 25 for t in military)
    for chart in (
        "chart-tension",
        "chart-pwar",
        "chart-timeline",
        "chart-dyadwar",
        "chart-network",
    ):
        traces = page.evaluate(TRACES, chart)
        assert traces, chart
        assert sum(t["points"] for t in traces) > 0, chart
    pwar = page.evaluate(TRACES, "chart-pwar")
    assert pwar[0]["points"] == 25
    # Who fought whom (issue #11): the summary's p_dyad_war as a heat map, one cell per pair.
    assert page.is_visible("#fig-dyadwar")
    heat = page.evaluate(
        "() => { const t = document.getElementById('chart-dyadwar').data[0]; "
        "return {type: t.type, x: t.x, z: t.z}; }"
    )
    n = len(state["labels"])
    assert heat["type"] == "heatmap" and len(heat["x"]) == n and len(heat["z"]) == n
    cells = [v for row in heat["z"] for v in row if v is not None]
    assert len(cells) == n * (n - 1)  # every pair, both ways; the diagonal empty
    assert state["dyad_war"]["states"] == heat["x"]
    shares = state["summary"]["p_dyad_war"]
    assert len(shares) == n * (n - 1) // 2
    assert max(cells) == pytest.approx(max(shares.values()))
    # The game view shows Jervis's 2×2 game for the slider's ω.
    assert page.text_content("#g-cc")
    assert page.text_content("#game-class")
    assert page.is_hidden("#error")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    page.screenshot(path=str(tmp_path / "dashboard-1280x800.png"), full_page=True)
    page.close()


def test_game_view_follows_the_sliders(browser: Any, url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(url + "/")
    page.wait_for_function("() => document.getElementById('game-class').textContent.length > 0")
    page.fill("#distinguish", "0")
    page.dispatch_event("#distinguish", "input")
    page.fill("#offense", "0.9")
    page.dispatch_event("#offense", "input")
    page.wait_for_function(
        "() => document.getElementById('game-class').textContent.startsWith(\"Prisoner's\")"
    )
    page.fill("#offense", "0.1")
    page.dispatch_event("#offense", "input")
    page.wait_for_function(
        "() => document.getElementById('game-class').textContent.startsWith('Stag Hunt')"
    )
    assert "doubly" not in (page.text_content("#game-world") or "")
    page.close()


def open_page(browser: Any, url: str, errors: list[str]) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + "/")
    page.wait_for_function("() => document.querySelectorAll('#model option').length > 0")
    page.wait_for_function("() => document.getElementById('scenario-desc').textContent.length > 0")
    return page


def test_model_controls_come_from_the_options_schema(browser: Any, url: str) -> None:
    errors: list[str] = []
    page = open_page(browser, url, errors)
    listed = page.evaluate(
        "() => Array.from(document.querySelectorAll('#model option'), o => o.value)"
    )
    models = {m.name: m for m in map(get_model, listed)}
    assert listed == [n for n in model_names() if n in models]
    assert {"richardson", "spiral"} <= set(listed)

    page.select_option("#model", "richardson")
    assert page.evaluate("() => document.getElementById('opt-method').tagName") == "SELECT"
    methods = page.evaluate(
        "() => Array.from(document.querySelectorAll('#opt-method option'), o => o.textContent)"
    )
    # default: the scenario's richardson.method (the form of its coefficients), else exact
    assert methods == ["(default)", "exact", "euler"]
    assert page.input_value("#opt-method") == "null"
    assert page.get_attribute("#opt-blocs", "type") == "checkbox"
    assert not page.is_checked("#opt-blocs") and page.is_checked("#opt-floor")
    assert page.get_attribute("#opt-noise", "type") == "number"
    assert (page.get_attribute("#opt-noise", "min"), page.get_attribute("#opt-noise", "max")) == (
        "0",
        "10",
    )
    assert "Richardson" in (page.text_content("#model-desc") or "")

    page.select_option("#model", "spiral")
    assert page.locator("#opt-method").count() == 0
    assert page.get_attribute("#opt-chunk", "type") == "number"
    assert page.get_attribute("#opt-chunk", "min") == "1"
    assert page.get_attribute("#opt-chunk", "step") == "1"

    # Every model's every option has a control (or is counted as kept at its default).
    for name in listed:
        page.select_option("#model", name)
        props = models[name].Options.model_json_schema().get("properties", {})
        made = page.evaluate(
            "() => Array.from(document.querySelectorAll('[data-option]'), e => e.dataset.option)"
        )
        assert set(made) <= set(props), name
        if len(made) < len(props):
            assert "keep their defaults" in (page.text_content("#model-options") or "")
    assert not errors, errors
    page.close()


def test_run_richardson_euler_from_the_page(browser: Any, url: str, tmp_path: Path) -> None:
    errors: list[str] = []
    page = open_page(browser, url, errors)
    page.select_option("#scenario", "europe-1909")
    page.select_option("#model", "richardson")
    page.select_option("#opt-method", label="euler")
    page.check("#opt-blocs")
    page.fill("#runs", "5")
    page.fill("#steps", "10")
    page.fill("#seed", "2")
    with page.expect_request("**/api/runs") as sent:
        page.click("#run")
    body = json.loads(sent.value.post_data or "{}")
    assert body["model"] == "richardson"
    assert body["options"] == {"method": "euler", "blocs": True}  # defaults are not sent
    page.wait_for_function(
        "() => { const r = window.herzDashboard.state.result; "
        "return r && r.model === 'richardson'; }",
        timeout=60_000,
    )
    result = page.evaluate("() => window.herzDashboard.state.result")
    assert result["summary"]["options"]["method"] == "euler"
    assert result["summary"]["options"]["blocs"] is True
    direct = herz.simulate(
        "europe-1909",
        "richardson",
        runs=5,
        steps=10,
        seed=2,
        overrides=body["overrides"],
        method="euler",
        blocs=True,
    )
    assert result["summary"]["regime"] == direct.summary["regime"]
    # The summary table lists the model's declared summary fields that the result has.
    rows = page.evaluate(
        "() => Array.from(document.querySelectorAll('#summary-rows tr'), r => r.dataset.name)"
    )
    declared = [m.name for m in get_model("richardson").summary_fields]
    assert rows == [n for n in declared if n in result["summary"]]
    assert "regime" in rows and page.is_visible("#summary-table")
    # A series per state (or bloc); no P(war) chart for a model without wars.
    military = page.evaluate(TRACES, "chart-military")
    assert sum(t["points"] for t in military) > 0
    assert page.is_hidden("#fig-pwar")
    assert page.is_visible("#fig-tension")  # the arms index
    assert page.is_hidden("#error")
    assert not errors, errors
    page.screenshot(path=str(tmp_path / "dashboard-richardson.png"), full_page=True)
    page.close()


def test_a_bad_option_value_shows_the_servers_sentence(browser: Any, url: str) -> None:
    errors: list[str] = []
    page = open_page(browser, url, errors)
    page.select_option("#model", "richardson")
    page.fill("#opt-noise", "50")  # over the schema's maximum of 10
    page.fill("#runs", "2")
    page.fill("#steps", "5")
    page.click("#run")
    page.wait_for_function("() => !document.getElementById('error').hidden")
    assert "noise" in (page.text_content("#error") or "")
    page.close()


def test_phone_width(browser: Any, url: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    errors: list[str] = []
    run_europe_1914(page, url, errors)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390  # nothing forces sideways scrolling
    box = page.locator("#chart-military").bounding_box()
    assert box is not None and box["width"] <= 390
    assert page.evaluate(TRACES, "chart-military")
    page.screenshot(path=str(tmp_path / "dashboard-phone.png"), full_page=True)
    page.close()


def test_sweep_page_draws_a_phase_diagram(browser: Any, tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    from herz.experiment import run_sweep
    from herz.web import WebSettings

    db = tmp_path / "sweeps.duckdb"
    spec = {
        "name": "omega-delta",
        "scenario": "two-state",
        "model": "spiral",
        "parameters": {
            "world.offense_advantage": {"values": [0.0, 0.5, 1.0]},
            "world.distinguishability": {"values": [0.0, 1.0]},
        },
        "runs": 2,
        "steps": 4,
        "seed": 1,
    }
    run_sweep(spec, db=db, workers=1)
    with serve(create_app(WebSettings(db=db))) as base:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base + "/sweeps")
        page.click("text=omega-delta")
        page.wait_for_function(
            "() => { const el = document.getElementById('chart-phase'); "
            "return el && el.data && el.data.length > 0; }"
        )
        traces = page.evaluate(TRACES, "chart-phase")
        assert traces[0]["type"] == "heatmap" and traces[0]["points"] == 2  # 2 rows of 3
        assert page.url.endswith("/sweeps/omega-delta")
        page.close()
