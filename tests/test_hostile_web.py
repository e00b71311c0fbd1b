"""Hostile and unlucky input against a real server (issue 14, the web part).

The server runs as ``herz serve`` runs it (:func:`herz.web.serve`: uvicorn with the request
deadline, the connection cap and JSON answers of :mod:`herz.web.server`), in its own process on
127.0.0.1, with small limits so that every case is quick:

* a request that would cost a lot (hundreds of states, a huge network, gigabytes of memory) is
  refused before it runs; results are kept by bytes and sent as stored;
* idle and half-sent connections are closed within ``request_timeout_s``; 70 of them held open
  never keep ``/api/health`` from answering;
* bad scenario files are skipped, a damaged store answers 503, and the rest keeps working;
* malformed bodies and requests get 422 or 400 with one JSON sentence; HEAD works;
* the server's peak memory stays under the documented bound after the worst legal requests.

Every 4xx and 5xx answer is checked to be JSON with one sentence and no traceback. Network
traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from _web import ServerProcess, serve, serve_process
from herz.web import Limits, WebSettings, create_app

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="reads the server's memory from /proc"
)

#: The test server's limits: the defaults, with short timeouts and small results.
LIMITS: dict[str, Any] = {
    "request_timeout_s": 2,
    "keep_alive_s": 1,
    "max_result_mb": 2,
    "keep_results_mb": 8,
    "memory_mb": 1024,
    "workers": 2,
}
MIB = 2**20


# -- the server -------------------------------------------------------------------------------
def _bad_scenarios(folder: Path) -> None:
    import herz

    folder.mkdir()
    herz.load_scenario("two-state").with_overrides({"name": "good"}).save(folder / "good.yaml")
    (folder / "deep.yaml").write_text("name: deep\nx: " + "[" * 500 + "]" * 500 + "\n")
    (folder / "bigint.yaml").write_text("name: bigint\ntime: {steps: " + "1" * 4301 + "}\n")
    (folder / "invalid.yaml").write_text("states: [\n")
    (folder / "binary.yaml").write_bytes(b"\xff\xfe\x00 not text")
    laughs = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for prev, name in zip("abcdefg", "bcdefgh", strict=True):
        laughs.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    laughs.append("name: [" + ", ".join(["*h"] * 9) + "]")
    (folder / "alias.yaml").write_text("\n".join(laughs) + "\n")


def _damaged_store(path: Path) -> None:
    """A real results store, then cut to half its size."""
    pytest.importorskip("duckdb")
    from herz.experiment import run_sweep

    spec = {
        "name": "omega",
        "scenario": "two-state",
        "model": "richardson",
        "parameters": {"world.offense_advantage": {"values": [0.2, 0.8]}},
        "runs": 2,
        "steps": 3,
        "seed": 1,
    }
    run_sweep(spec, db=path, workers=1)
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.truncate(size // 2)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("hostile")
    _bad_scenarios(tmp / "scenarios")
    _damaged_store(tmp / "damaged.duckdb")
    with serve_process(tmp, LIMITS, scenarios=tmp / "scenarios", db=tmp / "damaged.duckdb") as s:
        # A first run loads what runs need in the server (the simulation layer, the models).
        r = httpx.post(f"{s.url}/api/runs", json=_small(), timeout=60)
        assert r.status_code == 200, r.text
        yield s


def _small(**extra: Any) -> dict[str, Any]:
    return {"scenario": "two-state", "runs": 1, "steps": 3, "seed": 1, "wait": True, **extra}


def _states(n: int) -> list[dict[str, Any]]:
    return [{"id": f"S{i}", "military": 1 + i % 7, "economy": 10 + i} for i in range(n)]


def _alliances(n: int, k: int) -> list[dict[str, Any]]:
    members = [f"S{i}" for i in range(n)]
    return [
        {"name": f"A{j}", "members": members, "kind": "defense", "reliability": 0.5}
        for j in range(k)
    ]


def one_sentence(r: httpx.Response, status: int | tuple[int, ...]) -> str:
    """Check an error answer: the status, JSON, one sentence, no traceback; its sentence."""
    statuses = (status,) if isinstance(status, int) else status
    assert r.status_code in statuses, (r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/json"), r.headers
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail.endswith("."), detail
    assert "\n" not in detail and len(detail) < 600, detail
    assert "Traceback" not in r.text and 'File "' not in r.text
    return detail


def _raw(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send ``data`` on a new connection; everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        return _read_all(s)


def _read_all(s: socket.socket) -> bytes:
    chunks = []
    while True:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, TimeoutError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, body


def _raw_json_error(raw: bytes, status: int) -> str:
    code, headers, body = _parse(raw)
    assert code == status, raw[:300]
    assert headers["content-type"] == "application/json"
    detail = json.loads(body)["detail"]
    assert isinstance(detail, str) and detail.endswith(".") and "Traceback" not in detail
    return str(detail)


# -- what a request can cost ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("model", "states", "steps"), [("richardson", 1000, 499), ("spiral", 250, 50)]
)
def test_a_small_request_for_a_huge_result_is_refused_before_it_runs(
    server: ServerProcess, model: str, states: int, steps: int
) -> None:
    # Issue 14: 40 KB overriding `states` made a 57 MB result; spiral 250 states 48 MB.
    body = _small(model=model, steps=steps, overrides={"states": _states(states)})
    assert len(json.dumps(body)) < 64 * 1024
    t0 = time.perf_counter()
    r = httpx.post(f"{server.url}/api/runs", json=body, timeout=30)
    assert "64 states" in one_sentence(r, 422)
    assert time.perf_counter() - t0 < 5
    assert httpx.get(f"{server.url}/api/health").json()["running"] == 0


def test_a_result_over_the_size_limit_is_refused_before_it_runs(server: ServerProcess) -> None:
    # 64 states (the most) in ten alliances of everyone: a network of 40,320 edges.
    overrides = {"states": _states(64), "alliances": _alliances(64, 10)}
    r = httpx.post(f"{server.url}/api/runs", json=_small(overrides=overrides), timeout=30)
    detail = one_sentence(r, 422)
    assert "result of this run would be about" in detail and "2.0 MB" in detail


def test_a_run_over_the_memory_limit_is_refused_before_it_runs(server: ServerProcess) -> None:
    # The spiral model's own estimate for 64 states × 700 runs is over 3/4 of memory_mb=1024.
    body = _small(model="spiral", runs=700, steps=40, overrides={"states": _states(64)})
    detail = one_sentence(httpx.post(f"{server.url}/api/runs", json=body, timeout=30), 422)
    assert "memory" in detail and "768.0 MB" in detail


def test_results_are_kept_by_bytes_and_sent_as_stored(server: ServerProcess) -> None:
    # About 0.8 MB each; 12 of them are more than keep_results_mb=8: the oldest go first.
    body = _small(runs=2, steps=500, overrides={"states": _states(32)})

    def post(seed: int) -> httpx.Response:
        return httpx.post(f"{server.url}/api/runs", json={**body, "seed": seed}, timeout=60)

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(post, range(10, 22)))
    assert all(r.status_code == 200 for r in answers), [r.text[:200] for r in answers]
    ids = [r.json()["id"] for r in answers]
    sizes = [len(r.content) for r in answers]
    assert min(sizes) > 0.5 * MIB and sum(sizes) > 8 * MIB
    health = httpx.get(f"{server.url}/api/health").json()
    assert 0 < health["kept_results_mb"] <= 8
    assert "no run" in one_sentence(httpx.get(f"{server.url}/api/runs/{ids[0]}"), 404)
    # The newest is served as the bytes the run's process sent: the same each time, at once.
    t0 = time.perf_counter()
    first = httpx.get(f"{server.url}/api/runs/{ids[-1]}")
    second = httpx.get(f"{server.url}/api/runs/{ids[-1]}")
    assert time.perf_counter() - t0 < 2
    assert first.status_code == 200 and first.content == second.content
    assert int(first.headers["content-length"]) == len(first.content)
    assert first.json()["result"]["series"]["states"][:2] == ["S0", "S1"]


# -- connections ------------------------------------------------------------------------------
HALF_HEADERS = b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
HALF_BODY = (
    b"POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    b'Content-Length: 1000\r\n\r\n{"scenario": "two-'
)


def _open(port: int, data: bytes) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    if data:
        s.sendall(data)
    return s


def test_half_sent_connections_never_block_health(server: ServerProcess) -> None:
    # Issue 14: with 70 half-sent requests open, every request got a plain-text 503.
    held = [_open(server.port, HALF_HEADERS if i % 2 else HALF_BODY) for i in range(70)]
    silent = _open(server.port, b"")  # connects and sends nothing
    dripped: list[float] = []

    def drip() -> None:  # Slowloris: a byte every 0.2 s, never the end of the headers
        with _open(server.port, b"GET / HTTP/1.1\r\n") as s:
            t0 = time.perf_counter()
            try:
                while time.perf_counter() - t0 < 8:
                    s.sendall(b"X")
                    time.sleep(0.2)
            except OSError:
                pass
            dripped.append(time.perf_counter() - t0)

    dripper = threading.Thread(target=drip)
    dripper.start()
    try:
        t0 = time.perf_counter()
        r = httpx.get(f"{server.url}/api/health", timeout=2)
        assert r.status_code == 200 and time.perf_counter() - t0 < 1.0
        # Within request_timeout_s (2 s) each half-sent connection is answered 408 and closed.
        deadline = LIMITS["request_timeout_s"] + 3
        for s in held:
            s.settimeout(deadline)
            assert "did not arrive" in _raw_json_error(_read_all(s), 408)
        silent.settimeout(deadline)
        assert _read_all(silent) == b""  # nothing sent, nothing to answer: closed quietly
    finally:
        for s in [*held, silent]:
            s.close()
        dripper.join(15)
    assert dripped and dripped[0] < 6  # the server closed the dripping connection
    assert httpx.get(f"{server.url}/api/health").status_code == 200


def test_more_half_sent_connections_than_the_cap_never_block_health(
    server: ServerProcess,
) -> None:
    # Beyond max_connections (128) the stalest half-sent connection is closed for a new one.
    held = [_open(server.port, HALF_HEADERS) for _ in range(140)]
    try:
        t0 = time.perf_counter()
        for _ in range(3):
            assert httpx.get(f"{server.url}/api/health", timeout=2).status_code == 200
        assert time.perf_counter() - t0 < 2.0
    finally:
        for s in held:
            s.close()


def test_an_idle_connection_is_closed_after_keep_alive(server: ServerProcess) -> None:
    # Issue 14: an idle connection stayed open over 190 s.
    with _open(server.port, b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") as s:
        s.settimeout(LIMITS["keep_alive_s"] + 3)
        t0 = time.perf_counter()
        raw = _read_all(s)  # the answer, then the server closes the idle connection
        assert raw.startswith(b"HTTP/1.1 200") and time.perf_counter() - t0 < 4


def test_every_connection_busy_is_json_503_with_retry_after() -> None:
    limits = Limits(max_connections=2, workers=2, time_limit_s=2, max_runs=10_000, max_cells=10**9)
    app = create_app(WebSettings(limits=limits))
    slow = {"scenario": "multipolar-20", "model": "spiral", "runs": 2000, "steps": 100}
    with serve(app, limits) as url:
        port = int(url.rsplit(":", 1)[1])
        # Two half-sent connections fill the cap: a new request closes the stalest one.
        held = [_open(port, HALF_HEADERS) for _ in range(2)]
        assert httpx.get(f"{url}/api/health", timeout=2).status_code == 200
        for s in held:
            s.close()
        # Two connections with whole requests being answered: the third gets a JSON 503.
        with ThreadPoolExecutor(2) as pool:
            posts = [
                pool.submit(httpx.post, f"{url}/api/runs", json={**slow, "wait": True}, timeout=30)
                for _ in range(2)
            ]
            # Once both runs work, both requests are whole (a new connection before that would
            # close one of them as the stalest waiting connection, as it should).
            for _ in range(200):
                if app.state.manager.busy["running"] == 2:
                    break
                time.sleep(0.01)
            r = httpx.get(f"{url}/api/health", timeout=5)
            assert "busy" in one_sentence(r, 503) and int(r.headers["retry-after"]) >= 1
            for f in posts:
                assert "time limit" in one_sentence(f.result(), 422)
        assert httpx.get(f"{url}/api/health", timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("request_bytes", "status", "word"),
    [
        (b"NOT HTTP AT ALL\r\n\r\n", 400, "HTTP"),
        (b"POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n", 400, "HTTP"),
        (
            b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n",
            431,
            "16 KiB",
        ),
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 20_000, 431, "16 KiB"),
    ],
    ids=["garbage", "bad-content-length", "headers-over-16k", "headers-over-16k-unfinished"],
)
def test_malformed_http_is_json_4xx(
    server: ServerProcess, request_bytes: bytes, status: int, word: str
) -> None:
    # Issue 14: uvicorn's own 400 answers are plain text.
    assert word in _raw_json_error(_raw(server.port, request_bytes), status)


# -- files the server reads -------------------------------------------------------------------
def test_bad_scenario_files_are_skipped(server: ServerProcess) -> None:
    # Issue 14: 500-level nesting or a 4,301-digit integer turned the list into a 500.
    r = httpx.get(f"{server.url}/api/scenarios", timeout=30)
    assert r.status_code == 200
    names = {s["name"] for s in r.json()}
    assert "good" in names and "two-state" in names
    for bad in ("deep", "bigint", "invalid", "binary", "alias"):
        assert bad not in names
        r = httpx.get(f"{server.url}/api/scenarios/{bad}", timeout=10)
        assert one_sentence(r, 422).startswith(bad)
        r = httpx.post(f"{server.url}/api/runs", json=_small(scenario=bad), timeout=10)
        one_sentence(r, 422)


def test_a_damaged_store_is_503_and_the_rest_works(server: ServerProcess) -> None:
    # Issue 14: a truncated --db turned /api/sweeps into a 500.
    for path in ("/api/sweeps", "/api/sweeps/omega"):
        r = httpx.get(f"{server.url}{path}", timeout=30)
        assert "results store" in one_sentence(r, 503)
        assert int(r.headers["retry-after"]) > 0
        assert "damaged.duckdb" not in r.text  # no path
    assert httpx.get(f"{server.url}/api/health").json()["sweeps"] is True
    assert httpx.post(f"{server.url}/api/runs", json=_small(), timeout=60).status_code == 200


# -- statuses and sentences -------------------------------------------------------------------
def _post_text(server: ServerProcess, text: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/runs",
        content=text.encode(),
        headers={"content-type": "application/json"},
        timeout=10,
    )


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ('{"scenario": "two-state", "overrides": {"x": ' + "[" * 1000 + "]" * 1000 + "}}", "deep"),
        ('{"scenario": "two-state", "runs": ' + "1" * 4301 + "}", "4,301 digits"),
        ('{"scenario": "two-state", "options": {"noise": NaN}}', "NaN"),
        ('{"scenario": "two-state", "options": {"noise": Infinity}}', "Infinity"),
        ('{"scenario": "two-state", "options": {"noise": -Infinity}}', "Infinity"),
        ('{"scenario": "two-state", "options": {"noise": 1e999}}', "64-bit"),
        ('{"scenario": "two-state", "overrides": {"world.offense_advantage": NaN}}', "NaN"),
        ('{"scenario": "two-', "not valid JSON"),
    ],
    ids=["nested-1000", "int-4301", "nan", "inf", "-inf", "1e999", "nan-override", "cut"],
)
def test_malformed_bodies_are_422_with_a_sentence(
    server: ServerProcess, text: str, word: str
) -> None:
    # Issue 14: nesting got 400, long integers "not UTF-8 text", NaN noise was accepted.
    assert word in one_sentence(_post_text(server, text), 422)


def test_head_answers_like_get_without_a_body(server: ServerProcess) -> None:
    # Issue 14: HEAD got 405.
    run_id = httpx.post(f"{server.url}/api/runs", json=_small(), timeout=60).json()["id"]
    for path in (
        "/api/health",
        "/api/models",
        "/api/scenarios",
        "/api/scenarios/two-state",
        "/api/game?offense_advantage=0.5&distinguishability=0.5",
        f"/api/runs/{run_id}",
        "/",
        "/static/app.js",
    ):
        head = httpx.head(f"{server.url}{path}", timeout=30)
        get = httpx.get(f"{server.url}{path}", timeout=30)
        assert head.status_code == 200 == get.status_code, path
        assert head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        if "content-length" in get.headers and path != "/api/health":
            assert head.headers["content-length"] == get.headers["content-length"], path
    head = httpx.head(f"{server.url}/api/runs/{'0' * 32}")
    assert head.status_code == 404 and head.content == b""
    assert head.headers["content-type"] == "application/json"


def test_query_numbers_that_are_not_finite_are_422(server: ServerProcess) -> None:
    for value in ("nan", "inf", "-inf", "1e999"):
        r = httpx.get(f"{server.url}/api/game?offense_advantage={value}")
        one_sentence(r, 422)


# -- memory -----------------------------------------------------------------------------------
def test_peak_memory_stays_under_the_documented_bound(server: ServerProcess) -> None:
    """CI-sized: 16 of the largest runs these limits allow (0.5 to 0.8 MB of JSON each, more
    than keep_results_mb in all), 4 at a time, each result read back twice. The documented
    bound (docs/web.md): the RSS after start-up and a first run + keep_results_mb
    + (workers + 2) × max_result_mb + 64 MiB."""
    base = server.status()["VmRSS"]
    bound = base + (8 + (2 + 2) * 2 + 64) * MIB
    shapes = [  # model, steps, runs, states, alliances of all states
        ("richardson", 500, 2, 32, 0),
        ("spiral", 100, 4, 32, 0),
        ("spiral", 200, 4, 24, 1),
        ("richardson", 500, 2, 32, 0),
    ]

    def one(i: int) -> int:
        model, steps, runs, n, k = shapes[i % len(shapes)]
        overrides = {"states": _states(n), "alliances": _alliances(n, k)}
        body = _small(model=model, steps=steps, runs=runs, seed=100 + i, overrides=overrides)
        with httpx.Client(timeout=60) as client:
            r = client.post(f"{server.url}/api/runs", json=body)
            assert r.status_code == 200, r.text[:300]
            for _ in range(2):
                assert client.get(f"{server.url}/api/runs/{r.json()['id']}").status_code == 200
            return len(r.content)

    with ThreadPoolExecutor(4) as pool:
        sizes = list(pool.map(one, range(16)))
    assert sum(sizes) > 8 * MIB, sizes
    peak = server.status()["VmHWM"]
    assert peak < bound, (peak / MIB, bound / MIB)


def test_the_server_log_has_no_traceback(server: ServerProcess) -> None:
    text = server.log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]
