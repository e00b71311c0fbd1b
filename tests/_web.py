"""Helpers for the web tests: a real uvicorn server on 127.0.0.1 (in a thread, or in its own
process as ``herz serve`` runs it) and Debian's Chromium.

Not a conftest: the tests that need these import them (``from _web import ...``).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, model_validator

from herz.errors import InputError, ModelError
from herz.models import Model
from herz.web import Limits

CHROMIUM = "/usr/bin/chromium"

#: Flags for headless Chromium in a container: no sandbox (root), no GPU, nothing that phones
#: home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str:
    """The path of Debian's Chromium, installed with apt-get when it is missing.

    CI runs as root with Debian's package repositories reachable, so the browser tests run
    there rather than skip. Elsewhere, without root or apt-get, the test is skipped (and fails
    under ``CI=true``, so that a missing browser is never silently ignored there).
    """
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
            check=False,
            env=env,
            timeout=1200,
        )
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    message = f"{CHROMIUM} is missing and could not be installed (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_socket() -> socket.socket:
    """A listening-ready socket bound to a free port on 127.0.0.1."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextmanager
def serve(app: Any, limits: Limits | None = None) -> Iterator[str]:
    """Run ``app`` under a real uvicorn server on 127.0.0.1 (random free port) in a thread, as
    ``herz serve`` runs it (:func:`herz.web.server.uvicorn_config`: request deadline,
    connection cap, JSON answers from the server itself); yield its base URL; stop it after."""
    import uvicorn

    from herz.web.server import uvicorn_config

    sock = free_socket()
    port = sock.getsockname()[1]
    config = uvicorn_config(app, limits=limits or Limits(), port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(600):  # up to 30 s for the server to start
        if server.started or not thread.is_alive():
            break
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("uvicorn did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


#: The program of :func:`serve_process`: ``herz serve`` as :func:`herz.web.serve` runs it.
_SERVER = """
import json, sys
from pathlib import Path
from herz.web import Limits, WebSettings, serve
conf = json.loads(sys.argv[1])
settings = WebSettings(
    limits=Limits(**conf["limits"]),
    scenario_dir=Path(conf["scenarios"]) if conf.get("scenarios") else None,
    db=Path(conf["db"]) if conf.get("db") else None,
    allowed_hosts=("127.0.0.1", "localhost"),
)
serve(settings, host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
"""


@dataclass
class ServerProcess:
    """A server started by :func:`serve_process`."""

    url: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def status(self) -> dict[str, int]:
        """``VmRSS`` and ``VmHWM`` of the server's process, in bytes (Linux)."""
        out: dict[str, int] = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) * 1024
        return out


@contextmanager
def serve_process(
    tmp: Path,
    limits: dict[str, Any] | None = None,
    scenarios: Path | None = None,
    db: Path | None = None,
) -> Iterator[ServerProcess]:
    """Run the dashboard as ``herz serve`` does, in its own process, on 127.0.0.1 (a free
    port); yield it once ``/api/health`` answers; stop it afterwards. Its log goes to
    ``tmp / "server.log"``."""
    import httpx

    conf = {
        "limits": limits or {},
        "scenarios": str(scenarios) if scenarios else None,
        "db": str(db) if db else None,
    }
    sock = free_socket()
    port = sock.getsockname()[1]
    sock.close()
    log = tmp / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER, json.dumps(conf), str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to 30 s
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited:\n{log.read_text()}")
            try:
                if httpx.get(f"{url}/api/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        else:
            raise RuntimeError("the server did not start")
        yield ServerProcess(url=url, port=port, proc=proc, log=log)
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# -- models that break, for the error tests ----------------------------------------------------
# They live here (not in a test module) so that a run's process, which imports the model by its
# "module:Class" target, can import them without running a test module.
SECRET = "secret internals at /srv/herz/secret_path.py"


class BrokenModel(Model):
    """A model whose run always fails with a ModelError (a defect in the model)."""

    name = "broken"
    title = "A model that always fails (web error tests)"

    def simulate(self, scenario: Any, **kwargs: Any) -> Any:
        raise ModelError(SECRET)


class CrashingModel(Model):
    """A model whose run fails with an unexpected exception."""

    name = "crashing"
    title = "A model that always crashes (web error tests)"

    def simulate(self, scenario: Any, **kwargs: Any) -> Any:
        raise ZeroDivisionError(SECRET)


class PickyModel(Model):
    """A model that rejects its input at run time (an InputError: the user's doing)."""

    name = "picky"
    title = "A model that rejects every scenario (web error tests)"

    def simulate(self, scenario: Any, **kwargs: Any) -> Any:
        raise InputError("the picky model is picky about scenarios.", field="scenario")


class ExplodingOptions(BaseModel):
    """Options whose validation itself fails with a ModelError (in the server's process)."""

    level: int = 1

    @model_validator(mode="after")
    def _explode(self) -> ExplodingOptions:
        raise ModelError(SECRET)


class BadOptionsModel(Model):
    """A model whose options cannot even be validated: it breaks inside the server's process."""

    name = "bad-options"
    title = "A model with broken options (web error tests)"
    Options = ExplodingOptions
