"""The web server's limits and safety: names that are not paths, capped bodies and runs, JSON
errors without stack traces, a bounded pool under concurrent load, the Host check, the CLI."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from _web import SECRET, serve
from herz.cli import app as cli_app
from herz.errors import InputError, ModelError
from herz.models import REGISTRY
from herz.web import Limits, WebSettings, create_app
from herz.web.limits import resolve_scenario_file

with warnings.catch_warnings():  # newer Starlette warns about its httpx-based test client
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        yield c


def assert_json_error(response: Any, status: int | tuple[int, ...]) -> str:
    statuses = (status,) if isinstance(status, int) else status
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json")
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail
    assert "Traceback" not in response.text and 'File "' not in response.text
    return detail


# -- scenario names are names, never paths ----------------------------------------------------
TRAVERSALS = [
    "..",
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/etc/passwd",
    ".hidden",
    "two-state/../../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "two-state.yaml",
    "a" * 65,
]


@pytest.mark.parametrize("name", TRAVERSALS)
def test_path_traversal_in_scenario_names(client: TestClient, name: str) -> None:
    r = client.get(f"/api/scenarios/{name}")
    assert_json_error(r, (404, 422))
    assert "root:" not in r.text
    r = client.post("/api/runs", json={"scenario": name, "wait": True})
    assert_json_error(r, (404, 422))
    assert "root:" not in r.text


def test_scenario_folder_cannot_be_left(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    outside = tmp_path / "secret.yaml"
    outside.write_text("name: secret\nstates: [{id: A, military: 1, economy: 1}]\n")
    (folder / "link.yaml").symlink_to(outside)
    assert resolve_scenario_file("link", folder) is None
    assert resolve_scenario_file("secret", folder) is None
    with pytest.raises(InputError):
        resolve_scenario_file("../secret", folder)
    with TestClient(create_app(WebSettings(scenario_dir=folder))) as c:
        assert_json_error(c.get("/api/scenarios/link"), 404)
        assert all(s["name"] != "link" for s in c.get("/api/scenarios").json())


# -- request errors ---------------------------------------------------------------------------
def test_unknown_scenario_is_404(client: TestClient) -> None:
    detail = assert_json_error(client.get("/api/scenarios/atlantis"), 404)
    assert "atlantis" in detail
    assert_json_error(client.post("/api/runs", json={"scenario": "atlantis"}), 404)
    assert_json_error(client.get("/api/no-such-endpoint"), 404)


def test_malformed_json_is_422(client: TestClient) -> None:
    for body in (b"{", b'{"scenario": }', b"\xff\xfe", b'{"a": "\xc3\x28"}', b"[1, 2]", b"null"):
        r = client.post("/api/runs", content=body, headers={"content-type": "application/json"})
        assert_json_error(r, 422)


def test_over_limit_runs_are_422() -> None:
    limits = Limits(max_runs=50, max_steps=100, max_cells=10_000)
    with TestClient(create_app(WebSettings(limits=limits))) as c:
        for body, word in (
            ({"runs": 51}, "runs"),
            ({"steps": 101}, "steps"),
            ({"runs": 50, "steps": 100}, "10,000"),  # 50 × 101 × 2 = 10,100 cells
            ({"runs": 10**6}, "runs"),
            # counts and flags are JSON numbers and booleans, as in herz.simulate ("5" and true
            # were read as 5 and 1 run, "yes" as true)
            ({"runs": "5"}, "runs: input should be a valid integer"),
            ({"runs": True}, "runs: input should be a valid integer"),
            ({"seed": "3"}, "seed"),
            ({"wait": "yes"}, "wait: input should be a valid boolean"),
        ):
            r = c.post("/api/runs", json={"scenario": "two-state", **body})
            assert word in assert_json_error(r, 422)
        # An override that grows the scenario is counted after it is applied.
        big = {"time.steps": 101}
        assert_json_error(
            c.post("/api/runs", json={"scenario": "two-state", "overrides": big}), 422
        )


def test_a_run_over_the_time_limit_is_stopped() -> None:
    limits = Limits(time_limit_s=1, max_runs=10_000, max_steps=10_000, max_cells=10**9, memory_mb=0)
    with TestClient(create_app(WebSettings(limits=limits))) as c:
        body = {
            "scenario": "multipolar-20",
            "model": "spiral",
            "runs": 2000,
            "steps": 100,
            "seed": 1,
            "wait": True,
        }
        detail = assert_json_error(c.post("/api/runs", json=body), 422)
        assert "time limit" in detail
        assert c.get("/api/health").json()["running"] == 0


def test_unexpected_errors_are_json_500_without_trace(monkeypatch: pytest.MonkeyPatch) -> None:
    import herz.web.routers.models as models_router

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(SECRET)

    def model_boom(*args: Any, **kwargs: Any) -> Any:
        raise ModelError(SECRET)

    monkeypatch.setattr(models_router, "available_models", boom)
    with TestClient(create_app(), raise_server_exceptions=False) as c:
        r = c.get("/api/models")
        assert r.status_code == 500
        assert r.json() == {"detail": "internal error; see the server log."}
        assert "secret" not in r.text
        monkeypatch.setattr(models_router, "available_models", model_boom)
        r = c.get("/api/models")  # a ModelError outside any one model's code
        assert r.status_code == 500
        assert r.json() == {"detail": "internal error in a model; see the server log."}


# -- a defect in a model is a 500, never a 422 ---------------------------------------------------
def assert_model_failure(response: Any, model: str) -> None:
    detail = assert_json_error(response, 500)
    assert detail == f"internal error in model {model!r}; see the server log."
    assert "secret" not in response.text and "/srv" not in response.text


def test_a_model_error_in_the_server_process_is_500(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # BadOptionsModel's options raise a ModelError while the request is checked, in-process.
    monkeypatch.setitem(REGISTRY, "bad-options", "_web:BadOptionsModel")
    body = {"scenario": "two-state", "model": "bad-options", "wait": True}
    with caplog.at_level(logging.ERROR, logger="herz.web"):
        assert_model_failure(client.post("/api/runs", json=body), "bad-options")
    assert any(SECRET in (rec.exc_text or "") for rec in caplog.records)  # logged in full
    # A registered model whose module is missing is the server's fault too, not the user's.
    monkeypatch.setitem(REGISTRY, "ghost", "herz.models.no_such_module:Ghost")
    ghost = client.post("/api/runs", json={"scenario": "two-state", "model": "ghost"})
    assert_model_failure(ghost, "ghost")
    # An unknown name stays bad input.
    unknown = client.post("/api/runs", json={"scenario": "two-state", "model": "nobody"})
    assert "unknown model" in assert_json_error(unknown, 422)


@pytest.mark.parametrize("model", ["broken", "crashing"])
def test_a_model_error_in_a_run_process_is_500(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    model: str,
) -> None:
    # The run's own process raises (a ModelError, or an unexpected ZeroDivisionError).
    monkeypatch.setitem(REGISTRY, model, f"_web:{model.capitalize()}Model")
    body = {"scenario": "two-state", "model": model, "runs": 1, "steps": 3, "seed": 1}
    with caplog.at_level(logging.ERROR, logger="herz.web"):
        assert_model_failure(client.post("/api/runs", json={**body, "wait": True}), model)
    logged = "\n".join(rec.getMessage() for rec in caplog.records)
    assert SECRET in logged and "Traceback" in logged  # the server log has the traceback
    started = client.post("/api/runs", json=body)  # asynchronous: the run's status says so
    assert started.status_code == 202
    job = started.json()
    for _ in range(600):
        job = client.get(f"/api/runs/{job['id']}").json()
        if job["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert job["status"] == "failed" and job["failure"] == "internal"
    assert job["detail"] == f"internal error in model {model!r}; see the server log."
    assert "secret" not in json.dumps(job)


def test_bad_input_is_422_wherever_it_is_found(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A scenario block is validated against the model's Params: the user's input, 422 not 500.
    body = {
        "scenario": "two-state",
        "model": "spiral",
        "overrides": {"spiral.decisiveness": -1},
        "wait": True,
    }
    detail = assert_json_error(client.post("/api/runs", json=body), 422)
    assert "decisiveness" in detail
    assert detail.startswith("two-state (overrides): ") and "(with" not in detail, detail
    # An InputError raised by the model inside the run's process is still 422.
    monkeypatch.setitem(REGISTRY, "picky", "_web:PickyModel")
    body = {"scenario": "two-state", "model": "picky", "runs": 1, "steps": 3, "wait": True}
    assert "picky about" in assert_json_error(client.post("/api/runs", json=body), 422)


def test_host_check() -> None:
    app = create_app(WebSettings(allowed_hosts=("127.0.0.1", "localhost")))
    with TestClient(app, base_url="http://localhost") as c:
        assert c.get("/api/health").status_code == 200
        assert_json_error(c.get("/api/health", headers={"host": "evil.example"}), 400)
        assert_json_error(c.get("/api/health", headers={"host": "evil.example:8000"}), 400)


# -- a real server ----------------------------------------------------------------------------
def test_oversized_bodies_are_413() -> None:
    with serve(create_app()) as url:
        big = json.dumps({"scenario": "two-state", "overrides": {"x": "a" * 70_000}})
        r = httpx.post(f"{url}/api/runs", content=big, headers={"content-type": "application/json"})
        assert "limit" in assert_json_error(r, 413)

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield b'{"scenario": "two-state", "overrides": {"x": "'
            for _ in range(20):
                yield b"a" * 8192
            yield b'"}}'

        r = httpx.post(
            f"{url}/api/runs", content=chunks(), headers={"content-type": "application/json"}
        )
        assert_json_error(r, 413)
        assert httpx.get(f"{url}/api/health").status_code == 200


def test_concurrent_requests_beyond_the_pool_queue_or_get_503() -> None:
    limits = Limits(
        workers=1, queue=1, time_limit_s=3, max_runs=10_000, max_cells=10**9, memory_mb=0
    )
    with serve(create_app(WebSettings(limits=limits))) as url:
        slow = {
            "scenario": "multipolar-20",
            "model": "spiral",
            "runs": 2000,
            "steps": 100,
            "seed": 1,
        }

        def post(_: int) -> httpx.Response:
            return httpx.post(f"{url}/api/runs", json=slow, timeout=60)

        with ThreadPoolExecutor(max_workers=6) as pool:
            responses = list(pool.map(post, range(6)))
        codes = sorted(r.status_code for r in responses)
        assert set(codes) <= {202, 503}
        accepted = [r.json()["id"] for r in responses if r.status_code == 202]
        busy = [r for r in responses if r.status_code == 503]
        assert len(accepted) == 2 and len(busy) == 4  # one working, one waiting
        for r in busy:
            assert r.headers["retry-after"] and "busy" in assert_json_error(r, 503)
        assert httpx.get(f"{url}/api/health").status_code == 200
        for run_id in accepted:  # both end (stopped at the time limit); the server lives on
            for _ in range(400):
                job = httpx.get(f"{url}/api/runs/{run_id}").json()
                if job["status"] in ("done", "failed"):
                    break
                time.sleep(0.05)
            assert job["status"] == "failed" and "time limit" in job["detail"]

        # Waiting requests beyond the workers queue up and all get their result.
        small = {"scenario": "two-state", "runs": 2, "steps": 5, "seed": 1, "wait": True}

        def post_small(seed: int) -> httpx.Response:
            return httpx.post(f"{url}/api/runs", json={**small, "seed": seed}, timeout=60)

        with ThreadPoolExecutor(max_workers=2) as pool:
            done = list(pool.map(post_small, range(2)))
        assert [r.status_code for r in done] == [200, 200]
        health = httpx.get(f"{url}/api/health").json()
        assert health["running"] == 0 and health["queued"] == 0


# -- configuration and the command line -------------------------------------------------------
def test_limits_from_the_environment() -> None:
    limits = Limits.from_env({"HERZ_WEB_MAX_RUNS": "7", "HERZ_WEB_TIME_LIMIT_S": "2.5"}, workers=3)
    assert (limits.max_runs, limits.time_limit_s, limits.workers) == (7, 2.5, 3)
    with pytest.raises(InputError, match="HERZ_WEB_MAX_RUNS"):
        Limits.from_env({"HERZ_WEB_MAX_RUNS": "many"})
    with pytest.raises(InputError, match="workers"):
        Limits(workers=0)
    # not finite: nan slipped past ``< minimum`` and failed every run; inf answered 500
    for bad in ("nan", "inf"):
        with pytest.raises(InputError, match="time_limit_s"):
            Limits.from_env({"HERZ_WEB_TIME_LIMIT_S": bad})
        with pytest.raises(InputError, match="time_limit_s"):
            Limits(time_limit_s=float(bad))


def test_serve_refuses_a_time_limit_that_is_not_finite() -> None:
    result = CliRunner().invoke(cli_app, ["serve", "--time-limit", "nan"])
    assert result.exit_code == 2 and "time_limit_s" in result.stderr


def test_serve_command() -> None:
    runner = CliRunner()
    result = runner.invoke(cli_app, ["--help"])
    assert "serve" in result.stdout
    result = runner.invoke(cli_app, ["serve", "--help"])
    assert result.exit_code == 0 and "127.0.0.1" in result.stdout
    result = runner.invoke(cli_app, ["serve", "--db", "/nonexistent/x.duckdb"])
    assert result.exit_code == 2 and "--db" in result.stderr
    result = runner.invoke(cli_app, ["serve", "--port", "0"])
    assert result.exit_code == 2


def test_the_cli_does_not_import_the_web_stack() -> None:
    code = (
        "import sys, herz.cli; "
        "print(any(m in sys.modules for m in ('fastapi', 'uvicorn', 'plotly')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_the_duration_guess_is_a_fit_not_a_rate_from_the_first_run() -> None:
    """expected_s: a tiny first run (6 cells, 0.35 s, nearly all process overhead) no longer
    makes a 4,000-cell run's guess 200 s; two sizes give the line through both, slope and
    intercept the least-squares ones (checked against the closed form)."""
    from herz.web.runner import fit_duration

    assert fit_duration([(6, 0.35)]) == (0.35, 0.0)  # one size: its mean duration
    a, b = fit_duration([(6, 0.35), (4000, 0.58)])
    assert a + b * 4000 == pytest.approx(0.58) and a + b * 6 == pytest.approx(0.35)
    pts = [(10, 0.3), (100, 0.4), (1000, 1.2), (1000, 1.4)]
    a, b = fit_duration(pts)
    xs, ys = [c for c, _ in pts], [s for _, s in pts]
    mx, my = sum(xs) / 4, sum(ys) / 4
    slope = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x in xs)
    assert b == pytest.approx(slope) and a == pytest.approx(my - slope * mx)
    assert fit_duration([(10, 1.0), (1000, 0.5)]) == (0.75, 0.0)  # never a negative slope
    a, b = fit_duration([(10, 0.0), (1000, 2.0), (2000, 5.0)])
    assert a >= 0.0 and b > 0.0  # never a negative overhead
