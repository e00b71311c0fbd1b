"""The web API through FastAPI's test client: endpoints, runs, results, game view, sweeps, page."""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import herz
from herz.models import REGISTRY, Model, get_model, model_names
from herz.web import Limits, WebSettings, create_app
from herz.web.payload import build_payload

with warnings.catch_warnings():  # newer Starlette warns about its httpx-based test client
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def run(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/runs", json={"wait": True, **body})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


def test_health_models_and_openapi(client: TestClient) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["version"] == herz.__version__
    assert {"richardson", "spiral"} <= set(health["models"])
    assert health["limits"]["max_body_bytes"] == 64 * 1024
    models = [m["name"] for m in client.get("/api/models").json()]
    assert models == health["models"]
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/health",
        "/api/models",
        "/api/scenarios",
        "/api/scenarios/{name}",
        "/api/runs",
        "/api/runs/{run_id}",
        "/api/game",
        "/api/sweeps",
        "/api/sweeps/{sweep_id}",
    ):
        assert path in spec["paths"], path


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _loadable(name: str) -> Model | None:
    try:
        return get_model(name)
    except Exception:  # iterated and lanchester are being written: test them once they load
        return None


@pytest.mark.parametrize("name", ["richardson", "spiral", "iterated", "lanchester"])
def test_models_come_from_the_registry(client: TestClient, name: str) -> None:
    listed = {m["name"]: m for m in client.get("/api/models").json()}
    model = _loadable(name)
    if model is None:
        assert name in ("iterated", "lanchester"), f"{name} must load"
        assert name not in listed
        pytest.skip(f"model {name!r} does not load yet")
    info = listed[name]
    assert info["title"] == model.title and info["citation"] == model.citation
    assert info["options_schema"] == _jsonable(model.Options.model_json_schema())
    params = None if model.Params is None else model.Params.model_json_schema()
    assert info["params_schema"] == _jsonable(params)
    for key, measures in (("outcomes", model.outcomes), ("summary_fields", model.summary_fields)):
        assert info[key] == [
            {"name": m.name, "dtype": m.dtype, "unit": m.unit, "doc": m.doc} for m in measures
        ]
    assert info["report"] is model.report
    assert info["reports_progress"] is model.reports_progress
    # Progress is a common argument of herz.simulate, never a model option.
    assert "progress" not in info["options_schema"].get("properties", {})


def test_models_list_every_registered_model_that_loads(client: TestClient) -> None:
    names = [m["name"] for m in client.get("/api/models").json()]
    assert names == [n for n in model_names() if _loadable(n) is not None]
    richardson = next(m for m in client.get("/api/models").json() if m["name"] == "richardson")
    props = richardson["options_schema"]["properties"]
    # default None: the scenario's richardson.method, else exact
    assert [b.get("enum") for b in props["method"]["anyOf"]] == [["exact", "euler"], None]
    assert props["blocs"]["type"] == "boolean"


def test_a_registered_model_that_does_not_import_is_skipped(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(REGISTRY, "ghost", "herz.models.no_such_module:Ghost")
    with caplog.at_level(logging.WARNING, logger="herz.web"):
        r = client.get("/api/models")
    assert r.status_code == 200
    names = [m["name"] for m in r.json()]
    assert "ghost" not in names and {"richardson", "spiral"} <= set(names)
    assert "ghost" not in client.get("/api/health").json()["models"]
    assert any("ghost" in rec.getMessage() for rec in caplog.records)


def test_a_model_registered_at_run_time_appears_and_runs(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new model is one registry line: it is listed and served by POST /api/runs.
    monkeypatch.setitem(REGISTRY, "bad-options", "_web:BadOptionsModel")
    info = next(m for m in client.get("/api/models").json() if m["name"] == "bad-options")
    assert info["options_schema"]["properties"]["level"]["type"] == "integer"
    assert info["params_schema"] is None and info["outcomes"] == []


def test_scenarios_list_and_detail(client: TestClient) -> None:
    listed = {s["name"]: s for s in client.get("/api/scenarios").json()}
    assert set(herz.builtin_scenarios()) <= set(listed)
    assert listed["europe-1909"]["source"] == "builtin"
    detail = client.get("/api/scenarios/europe-1909").json()
    assert detail["document"]["states"][0]["id"] == detail["states"][0]
    assert detail["document"] == herz.load_scenario("europe-1909").to_dict()


def test_run_richardson_with_overrides(client: TestClient) -> None:
    body = {
        "scenario": "two-state",
        "model": "richardson",
        "runs": 3,
        "steps": 10,
        "seed": 7,
        "overrides": {"world.offense_advantage": 0.9},
        "options": {"noise": 0.1},
    }
    data = run(client, **body)
    assert data["status"] == "done" and data["seed"] == 7 and data["cells"] == 3 * 11 * 2
    res = data["result"]
    assert res["world"]["offense_advantage"] == 0.9
    series = res["series"]
    assert len(series["time"]) == 11
    military = series["variables"]["military"]
    assert set(military) == set(herz.load_scenario("two-state").ids)
    for band in military.values():
        assert len(band["mean"]) == 11
        assert all(
            lo <= m <= hi for lo, m, hi in zip(band["lo"], band["mean"], band["hi"], strict=True)
        )
    assert series["p_war"] is None  # Richardson's model has no wars
    assert series["tension"]["label"].startswith("arms index")
    # The same request gives the same numbers (seeded), and the run can be fetched again.
    again = run(client, **body)
    assert again["result"]["series"] == series
    fetched = client.get(f"/api/runs/{data['id']}").json()
    assert fetched["result"]["series"] == series


def test_result_matches_the_python_api(client: TestClient) -> None:
    data = run(client, scenario="europe-1909", model="richardson", runs=1, steps=5, seed=1)
    direct = herz.simulate("europe-1909", model="richardson", runs=1, steps=5, seed=1)
    assert direct.series is not None
    final = direct.series[direct.series["t"] == 5].set_index("state")["military"]
    got = data["result"]["series"]["variables"]["military"]
    for sid, value in final.items():
        assert got[str(sid)]["mean"][-1] == pytest.approx(value)


def test_run_spiral_has_wars_events_and_network(client: TestClient) -> None:
    data = run(client, scenario="europe-1914", model="spiral", runs=4, steps=12, seed=3)
    res = data["result"]
    assert "p_war" in res["summary"]
    assert len(res["series"]["p_war"]) == 13
    assert all(0 <= p <= 1 for p in res["series"]["p_war"])
    assert res["series"]["tension"]["label"] == "tension index (model)"
    assert res["outcomes"]["total"] == 4
    assert any(item["kind"].startswith("scripted") for item in res["timeline"])
    ids = {n["id"] for n in res["network"]["nodes"]}
    assert ids == set(herz.load_scenario("europe-1914").ids)
    assert res["network"]["start"]["edges"]


def test_progress_is_reported_by_models_that_declare_it(client: TestClient) -> None:
    spiral = run(client, scenario="two-state", model="spiral", runs=2, steps=5, seed=1)
    assert get_model("spiral").reports_progress and spiral["progress"] == 1.0
    richardson = run(client, scenario="two-state", model="richardson", runs=2, steps=5, seed=1)
    assert not get_model("richardson").reports_progress and richardson["progress"] is None


def test_async_run_reports_status_then_result(client: TestClient) -> None:
    response = client.post(
        "/api/runs", json={"scenario": "two-state", "runs": 2, "steps": 5, "seed": 1}
    )
    assert response.status_code == 202
    job = response.json()
    assert job["status"] in ("queued", "running", "done") and job["result"] is None
    for _ in range(600):
        job = client.get(f"/api/runs/{job['id']}").json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "done"
    assert job["result"]["series"]["variables"]["military"]


def test_unknown_run_is_404(client: TestClient) -> None:
    for run_id in ("0" * 32, "not-an-id", "..%2F..%2Fetc"):
        r = client.get(f"/api/runs/{run_id}")
        assert r.status_code == 404 and isinstance(r.json()["detail"], str)


def test_bad_input_is_422_with_one_sentence(client: TestClient) -> None:
    cases = [
        (
            {"scenario": "two-state", "overrides": {"world.offense_advantage": 2}},
            "offense_advantage",
        ),
        ({"scenario": "two-state", "model": "nope"}, "unknown model"),
        ({"scenario": "two-state", "options": {"nope": 1}}, "no option"),
        ({"scenario": "two-state", "options": {"progress": True}}, "no option 'progress'"),
        ({"scenario": "two-state", "options": {"method": "rk4"}}, "method"),
        ({"scenario": "two-state", "options": {"noise": -1}}, "noise"),
        ({"scenario": "two-state", "options": {"blocs": "maybe"}}, "blocs"),
        ({"scenario": "two-state", "model": "spiral", "options": {"chunk": 0}}, "chunk"),
        ({"scenario": "two-state", "model": "spiral", "options": {"method": "exact"}}, "method"),
        ({"scenario": "two-state", "runs": 0}, "runs"),
        ({"scenario": "two-state", "extra": 1}, "extra"),
        ({"scenario": "two-state", "overrides": {"states.XX.bias": 1}}, "XX"),
    ]
    for body, word in cases:
        r = client.post("/api/runs", json=body)
        assert r.status_code == 422, (body, r.text)
        detail = r.json()["detail"]
        assert isinstance(detail, str) and word in detail and "Traceback" not in detail


def test_run_richardson_with_options_from_its_schema(client: TestClient) -> None:
    base = {"scenario": "two-state", "model": "richardson", "runs": 1, "steps": 20, "seed": 1}
    euler = run(client, **base, options={"method": "euler", "blocs": False, "noise": None})
    exact = run(client, **base)
    assert euler["result"]["summary"]["options"]["method"] == "euler"
    # the option's default is the scenario's richardson.method, else exact (two-state has none)
    assert exact["result"]["summary"]["options"]["method"] is None
    assert exact["result"]["summary"]["method"] == "exact"
    direct = herz.simulate("two-state", "richardson", runs=1, steps=20, seed=1, method="euler")
    assert direct.series is not None
    final = direct.series[direct.series["t"] == 20].set_index("state")["military"]
    got = euler["result"]["series"]["variables"]["military"]
    for sid, value in final.items():
        assert got[str(sid)]["mean"][-1] == pytest.approx(value)
    assert got != exact["result"]["series"]["variables"]["military"]


def test_game_view_matches_herz_game(client: TestClient) -> None:
    from herz.models.games import Game

    for w, d in ((0.8, 0.0), (0.2, 0.0), (0.2, 1.0)):
        got = client.get(f"/api/game?offense_advantage={w}&distinguishability={d}").json()
        want = Game.from_jervis(w, d)
        assert got["class"] == want.game_class and got["world"] == want.world
        assert got["matrix"][1][0] == [want.T, want.S]
    r = client.get("/api/game?offense_advantage=2&distinguishability=0")
    assert r.status_code == 422


def test_page_and_static_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    html = page.text
    assert '<script src="/static/app.js"' in html and '<script src="/static/plotly.min.js"' in html
    assert "<script>" not in html and "onclick" not in html  # no inline script (CSP)
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert len(js.content) > 1_000_000
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/index.html").status_code == 404
    assert client.get("/sweeps/anything").status_code == 200  # the page routes client-side


def test_scenario_folder(tmp_path: Path) -> None:
    doc = herz.load_scenario("two-state").with_overrides({"name": "mine"})
    doc.save(tmp_path / "my-world.yaml")
    (tmp_path / "broken.yaml").write_text("states: [", encoding="utf-8")
    app = create_app(WebSettings(scenario_dir=tmp_path, limits=Limits(workers=1)))
    with TestClient(app) as c:
        listed = {s["name"]: s for s in c.get("/api/scenarios").json()}
        assert listed["my-world"]["source"] == "folder" and "broken" not in listed
        assert c.get("/api/scenarios/broken").status_code == 422
        data = run(c, scenario="my-world", runs=1, steps=3, seed=1)
        assert data["result"]["scenario"] == "mine"


def test_sweeps_from_a_store(tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    from herz.experiment import run_sweep

    db = tmp_path / "s.duckdb"
    spec = {
        "name": "omega-delta",
        "scenario": "two-state",
        "model": "spiral",
        "parameters": {
            "world.offense_advantage": {"values": [0.2, 0.8]},
            "world.distinguishability": {"values": [0.0, 1.0]},
        },
        "runs": 3,
        "steps": 4,
        "seed": 1,
    }
    run_sweep(spec, db=db, workers=1)
    with TestClient(create_app(WebSettings(db=db))) as c:
        assert c.get("/api/health").json()["sweeps"] is True
        listed = c.get("/api/sweeps").json()
        assert [s["id"] for s in listed] == ["omega-delta"]
        sweep = c.get("/api/sweeps/omega-delta").json()
        assert sweep["parameters"] == ["world.offense_advantage", "world.distinguishability"]
        assert len(sweep["points"]) == 4 and "war" in sweep["measures"]
        assert all(p["runs"] == 3 and 0 <= p["measures"]["war"] <= 1 for p in sweep["points"])
        assert c.get("/api/sweeps/nope").status_code == 404
    with TestClient(create_app()) as c:
        assert c.get("/api/sweeps").json() == []
        assert c.get("/api/sweeps/omega-delta").status_code == 404


def test_build_payload_without_series() -> None:
    result = herz.simulate("two-state", model="richardson", steps=3, seed=1, keep="summary")
    payload = build_payload(result)
    assert payload["series"] is None and payload["summary"]["seed"] == 1
    assert payload["network"]["nodes"]
