"""The ``herz serve`` command: the web dashboard on this machine (needs the ``web`` extra).

FastAPI and uvicorn are imported inside the command, so ``herz --help`` stays fast.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import typer

from herz.errors import InputError

__all__ = ["register"]

#: Host names a browser uses for this machine; with a loopback bind only these are answered.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve_cmd(
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Address to listen on. The default answers this machine only; 0.0.0.0 shares the "
        "dashboard with the network (read the safety notes in docs/web.md first).",
    ),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    db: Path | None = typer.Option(
        None, "--db", help="A DuckDB results store (herz sweep --db) whose sweeps to show."
    ),
    scenarios: Path | None = typer.Option(
        None, "--scenarios", help="A folder of extra scenario files (NAME.yaml) to offer."
    ),
    max_runs: int | None = typer.Option(None, "--max-runs", help="Most runs per request."),
    max_steps: int | None = typer.Option(None, "--max-steps", help="Most steps per request."),
    max_cells: int | None = typer.Option(
        None, "--max-cells", help="Largest runs × (steps + 1) × states per request."
    ),
    time_limit: float | None = typer.Option(
        None, "--time-limit", help="Seconds a run may work before it is stopped."
    ),
    workers: int | None = typer.Option(None, "--workers", help="Runs working at the same time."),
    queue: int | None = typer.Option(None, "--queue", help="Runs that may wait for a worker."),
) -> None:
    """Start the web dashboard (FastAPI + uvicorn) at http://HOST:PORT/.

    Limits default to the HERZ_WEB_* environment variables, else to built-in values
    (docs/web.md lists them all).
    """
    try:
        import uvicorn  # noqa: F401  (only to say that the web extra is missing)

        from herz.web import Limits, WebSettings, serve
    except ImportError as exc:
        raise InputError(
            f"herz serve needs the web extra ({exc.name} is missing): pip install 'herz[web]'."
        ) from None
    if not 1 <= port <= 65535:
        raise InputError(f"--port must be between 1 and 65535, got {port}.", field="--port")
    if db is not None and not db.is_file():
        raise InputError(f"--db: {db} is not a file.", field="--db", value=str(db))
    if scenarios is not None and not scenarios.is_dir():
        raise InputError(
            f"--scenarios: {scenarios} is not a folder.", field="--scenarios", value=str(scenarios)
        )
    limits = Limits.from_env(
        max_runs=max_runs,
        max_steps=max_steps,
        max_cells=max_cells,
        time_limit_s=time_limit,
        workers=workers,
        queue=queue,
    )
    local = _is_loopback(host)
    settings = WebSettings(
        limits=limits,
        scenario_dir=scenarios,
        db=db,
        allowed_hosts=LOOPBACK_NAMES if local else None,
    )
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"herz dashboard: http://{shown}:{port}/")
    if local:
        typer.echo(
            f"Listening on {host} only: this machine can open it, the network cannot. "
            "Use --host 0.0.0.0 to share it (see docs/web.md, 'Safety')."
        )
    else:
        typer.echo(
            f"Listening on {host}: anyone who can reach this machine can use the dashboard. "
            f"Limits: {limits.max_runs} runs, {limits.max_steps} steps, "
            f"{limits.max_cells:,} cells, {limits.time_limit_s:g} s per run; "
            f"{limits.workers} workers, {limits.queue} waiting."
        )
    # herz.web.serve: uvicorn with the server's own limits (request deadline, idle timeout,
    # connection cap, JSON answers from the server itself; see herz.web.server).
    serve(settings, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""
    app.command("serve")(serve_cmd)
