"""Peak memory of ``herz serve`` under the worst legal requests.

Starts a real uvicorn server on 127.0.0.1 in a subprocess (as ``herz serve`` runs it:
:func:`herz.web.serve`), sends it ``--requests`` of the largest runs its default limits allow
(64 states after overrides, the most steps and runs ``max_cells`` allows, alliance networks as
large as the result estimate lets through; Richardson's and the spiral model), ``--concurrency``
at a time with ``"wait": true``, reads every result back twice with ``GET /api/runs/{id}``, and
reports peak memory from ``/proc``:

* the server process's ``VmHWM`` (its peak resident set: what the documented bound bounds);
* the peak of the summed ``VmRSS`` of the server and every process under it (the forkserver and
  the runs' processes), sampled every 20 ms;
* the largest ``VmHWM`` of a run's process.

Linux only (``/proc``). Network traffic goes to 127.0.0.1 only. Run it from the repository::

    python benchmarks/bench_web_memory.py                  # 50 requests, about 3 minutes
    python benchmarks/bench_web_memory.py --requests 12    # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

SERVER = """
import json, sys
from herz.web import Limits, WebSettings, serve
limits = Limits.from_env(**json.loads(sys.argv[1]))
serve(WebSettings(limits=limits), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


def _status(pid: int) -> dict[str, int]:
    """``VmRSS`` and ``VmHWM`` of a process in bytes (empty when it has gone)."""
    out: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


def _children(pid: int) -> list[int]:
    """Every process under ``pid`` (children, grandchildren, ...)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Sampler(threading.Thread):
    """Samples the memory of a process tree until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.stop = threading.Event()
        self.peak_total = 0
        self.child_hwm: dict[int, int] = {}

    def run(self) -> None:
        while not self.stop.is_set():
            total = _status(self.pid).get("VmRSS", 0)
            for child in _children(self.pid):
                mem = _status(child)
                total += mem.get("VmRSS", 0)
                if "VmHWM" in mem:
                    self.child_hwm[child] = max(self.child_hwm.get(child, 0), mem["VmHWM"])
            self.peak_total = max(self.peak_total, total)
            self.stop.wait(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(limits: dict[str, Any], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A ``herz serve`` equivalent in a subprocess on 127.0.0.1; waits for /api/health."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVER, json.dumps(limits), str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited; see {log}")
        try:
            if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the server did not start")


def worst_requests(n: int, states: int = 64) -> list[dict[str, Any]]:
    """``n`` of the largest legal run requests under the default limits (distinct seeds)."""
    ids = [f"S{i}" for i in range(states)]
    minimal = [{"id": s, "military": 1 + i % 7, "economy": 10 + i} for i, s in enumerate(ids)]

    def alliances(k: int) -> list[dict[str, Any]]:
        return [
            {"name": f"A{j}", "members": ids, "kind": "defense", "reliability": 0.5}
            for j in range(k)
        ]

    shapes = [
        # model, steps, runs (runs × (steps + 1) × 64 ≤ 2,000,000), full alliances
        ("richardson", 5000, 6, 4),
        ("richardson", 1000, 31, 4),
        ("richardson", 5000, 6, 4),
        ("richardson", 1000, 31, 4),
        ("spiral", 200, 10, 3),
    ]
    out = []
    for i in range(n):
        model, steps, runs, k = shapes[i % len(shapes)]
        out.append(
            {
                "scenario": "two-state",
                "model": model,
                "steps": steps,
                "runs": runs,
                "seed": i + 1,
                "wait": True,
                "overrides": {"states": minimal, "alliances": alliances(k)},
            }
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--log",
        type=Path,
        default=Path(tempfile.gettempdir()) / "bench_web_memory.log",
        help="where the server's log goes",
    )
    args = parser.parse_args()

    limits: dict[str, Any] = {}  # the defaults (and any HERZ_WEB_* in the environment)
    proc, url = start_server(limits, args.log)
    try:
        health = httpx.get(f"{url}/api/health").json()
        # A first small run loads what runs need in the server (the simulation layer, models).
        warm = {"scenario": "two-state", "runs": 1, "steps": 3, "seed": 1, "wait": True}
        assert httpx.post(f"{url}/api/runs", json=warm, timeout=120).status_code == 200
        base = _status(proc.pid)["VmRSS"]
        sampler = Sampler(proc.pid)
        sampler.start()
        sizes: list[int] = []
        codes: dict[int, int] = {}
        t0 = time.perf_counter()

        def one(body: dict[str, Any]) -> None:
            with httpx.Client(timeout=300) as client:
                r = client.post(f"{url}/api/runs", json=body)
                codes[r.status_code] = codes.get(r.status_code, 0) + 1
                if r.status_code == 200:
                    sizes.append(len(r.content))
                    run_id = r.json()["id"]
                    for _ in range(2):
                        client.get(f"{url}/api/runs/{run_id}")

        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(one, worst_requests(args.requests)))
        elapsed = time.perf_counter() - t0
        sampler.stop.set()
        sampler.join()
        server = _status(proc.pid)
    finally:
        proc.terminate()
        proc.wait(30)

    mib = 2**20
    lim = health["limits"]
    print(f"requests: {args.requests} ({codes}), {args.concurrency} at a time, {elapsed:.0f} s")
    if sizes:
        print(
            f"result sizes: {min(sizes) / mib:.1f} to {max(sizes) / mib:.1f} MiB, "
            f"{sum(sizes) / mib:.0f} MiB in all (kept: at most {lim['keep_results_mb']:.0f} MiB)"
        )
    bound = base + (lim["keep_results_mb"] + (lim["workers"] + 2) * lim["max_result_mb"]) * mib
    bound += 64 * mib
    print(f"server RSS after start-up and a first run: {base / mib:.0f} MiB")
    print(f"server peak RSS (VmHWM): {server['VmHWM'] / mib:.0f} MiB")
    print(
        "documented bound (that RSS + keep_results_mb + (workers + 2) × max_result_mb + 64 MiB):"
        f" {bound / mib:.0f} MiB"
    )
    print(f"server and its processes, peak summed RSS: {sampler.peak_total / mib:.0f} MiB")
    if sampler.child_hwm:
        print(f"largest VmHWM of a child process: {max(sampler.child_hwm.values()) / mib:.0f} MiB")


if __name__ == "__main__":
    main()
