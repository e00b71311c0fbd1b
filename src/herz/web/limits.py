"""What one request may ask of the web server, and where the server looks for scenarios.

The dashboard is meant to be safe to open on a classroom network, so every request is bounded
by what it can *cost*, not only by its size, before any work starts:

* the request body (``max_body_bytes``, HTTP 413 beyond it);
* the size of a run: ``runs``, ``steps``, ``states`` (counted after the overrides) and the
  number of cells ``runs × (steps + 1) × states`` (HTTP 422 beyond them);
* what the run would take: the model's own memory estimate
  (:meth:`herz.models.Model.memory_bytes`) against ``memory_mb``, and an estimate of the size of
  its result against ``max_result_mb`` (HTTP 422 beyond them, see :mod:`herz.web.cost`);
* the wall-clock time of a run (``time_limit_s``): each run works in its own process, which is
  killed when the limit passes;
* how many runs work at once (``workers``) and how many may wait (``queue``): a request beyond
  both gets HTTP 503 with ``Retry-After``, never a crash;
* the memory of finished runs kept for ``GET /api/runs/{id}``: at most ``keep_results_mb`` of
  serialized results and ``keep_results`` entries, least recently used out first;
* connections (``max_connections``, ``request_timeout_s``, ``keep_alive_s``): enforced by the
  server :func:`herz.web.serve` starts (:mod:`herz.web.server`).

Every limit has a default, an environment variable (``HERZ_WEB_<NAME>``, e.g.
``HERZ_WEB_MAX_RUNS=200``) and, for the main ones, a ``herz serve`` option (``--max-runs 200``).
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from herz.errors import InputError

__all__ = ["SCENARIO_NAME", "Limits", "WebSettings", "resolve_scenario_file"]

#: What a scenario name may look like: no slashes, no leading dot, so never a path.
SCENARIO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

#: Largest scenario file read from the scenario folder (a scenario is a few kilobytes).
MAX_SCENARIO_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Per-request and per-server limits of the web app (see the module docstring).

    Parameters
    ----------
    max_body_bytes:
        Largest request body in bytes (64 KiB: a run request is a few hundred bytes).
    max_runs:
        Largest ensemble per request.
    max_steps:
        Most steps per request.
    max_states:
        Most states in the scenario of a run, counted after the overrides (a request of a few
        kilobytes can list hundreds of states, and a result grows with them).
    max_cells:
        Largest ``runs × (steps + 1) × states`` per request.
    time_limit_s:
        Wall-clock seconds a run may work before its process is killed.
    workers:
        Runs that work at the same time (each in its own process).
    queue:
        Runs that may wait for a worker; requests beyond it get HTTP 503.
    keep_results:
        Most finished runs kept for ``GET /api/runs/{id}``.
    keep_results_mb:
        Most MiB of serialized results kept (least recently used out first); with
        ``max_result_mb`` it bounds the memory the kept results take.
    max_result_mb:
        Largest result of one run in MiB, as sent (JSON). A run is refused before it starts
        when its estimated result is larger (HTTP 422), and fails when its actual result is.
    max_table_rows:
        Most event and outcome rows returned with a run (the rest are counted, not sent).
    max_points:
        Most time points per chart series; longer runs are thinned evenly.
    memory_mb:
        Address-space limit of each run's process in MiB (Linux; 0 = none). A run whose model
        estimates more than three quarters of it is refused before it starts (HTTP 422).
    max_connections:
        Most open connections. Beyond it the server closes the connection idle or half-sent for
        the longest time; when every connection has a request being answered, the new one gets
        HTTP 503 with ``Retry-After``.
    request_timeout_s:
        Seconds a client has to send a whole request (headers and body) from its first byte, or
        from the moment it connects; a connection that is slower is closed (HTTP 408 when it had
        sent part of a request). A response the client does not read for this long is dropped.
    keep_alive_s:
        Seconds an idle connection is kept open between requests.
    """

    max_body_bytes: int = 64 * 1024
    max_runs: int = 1000
    max_steps: int = 5000
    max_states: int = 64
    max_cells: int = 2_000_000
    time_limit_s: float = 30.0
    workers: int = 2
    queue: int = 8
    keep_results: int = 256
    keep_results_mb: int = 128
    max_result_mb: int = 8
    max_table_rows: int = 2000
    max_points: int = 500
    memory_mb: int = 2048
    max_connections: int = 128
    request_timeout_s: float = 10.0
    keep_alive_s: int = 5

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            minimum = 0 if f.name in ("queue", "memory_mb") else 1
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)  # nan passed ``< minimum``; inf broke every run
                or value < minimum
            ):
                raise InputError(
                    f"web limit {f.name} must be a finite number ≥ {minimum}, got {value!r}.",
                    field=f.name,
                    value=value,
                )

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, **overrides: float | int | None
    ) -> Limits:
        """Defaults, then ``HERZ_WEB_<NAME>`` environment variables, then ``overrides``
        (``None`` values are ignored, so CLI options left out keep the environment's value)."""
        source = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            key = f"HERZ_WEB_{f.name.upper()}"
            if key in source:
                raw = source[key].strip()
                try:
                    values[f.name] = float(raw) if f.type in ("float", float) else int(raw)
                except ValueError:
                    raise InputError(
                        f"environment variable {key} must be a number, got {raw!r}.",
                        field=key,
                        value=raw,
                    ) from None
        for name, value in overrides.items():
            if name not in {f.name for f in dataclasses.fields(cls)}:
                raise InputError(f"unknown web limit {name!r}.", field=name)
            if value is not None:
                values[name] = value
        return cls(**values)

    @property
    def max_result_bytes(self) -> int:
        """``max_result_mb`` in bytes."""
        return int(self.max_result_mb * 2**20)

    @property
    def keep_results_bytes(self) -> int:
        """``keep_results_mb`` in bytes."""
        return int(self.keep_results_mb * 2**20)

    def check_run(self, *, runs: int, steps: int, states: int) -> None:
        """Raise :class:`InputError` (HTTP 422) when a run asks for more than the limits allow."""
        if runs > self.max_runs:
            raise InputError(
                f"runs={runs} is over this server's limit of {self.max_runs} runs per request.",
                field="runs",
                value=runs,
            )
        if steps > self.max_steps:
            raise InputError(
                f"steps={steps} is over this server's limit of {self.max_steps} steps per request.",
                field="steps",
                value=steps,
            )
        if states > self.max_states:
            raise InputError(
                f"the scenario has {states:,} states, over this server's limit of "
                f"{self.max_states} states per run; use fewer states.",
                field="states",
                value=states,
            )
        cells = runs * (steps + 1) * states
        if cells > self.max_cells:
            raise InputError(
                f"runs × (steps + 1) × states = {runs} × {steps + 1} × {states} = {cells:,} is "
                f"over this server's limit of {self.max_cells:,}; ask for fewer runs or steps.",
                field="runs",
                value=cells,
            )

    def public(self) -> dict[str, float | int]:
        """The limits as a JSON-ready dict (shown by ``GET /api/health`` and the page)."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class WebSettings:
    """Everything :func:`herz.web.create_app` needs to know.

    Parameters
    ----------
    limits:
        See :class:`Limits`.
    scenario_dir:
        A folder of extra scenario files (``NAME.yaml``) offered beside the built-ins; ``None``
        offers the built-ins only. Nothing outside it is ever read.
    db:
        A DuckDB results store whose sweeps the dashboard shows; ``None``: no sweeps.
    allowed_hosts:
        Host names accepted in the ``Host`` header (``None``: any). ``herz serve`` sets the
        loopback names when it binds to a loopback address, which stops DNS-rebinding pages
        from reaching the local server.
    """

    limits: Limits = field(default_factory=Limits)
    scenario_dir: Path | None = None
    db: Path | None = None
    allowed_hosts: tuple[str, ...] | None = None


def resolve_scenario_file(name: str, scenario_dir: Path | None) -> tuple[str, Path] | None:
    """Where the scenario called ``name`` lives: ``("builtin"|"folder", path)`` or ``None``.

    Only a bare name is accepted (:data:`SCENARIO_NAME`); it is looked up among the built-ins
    first, then as ``scenario_dir / (name + ".yaml")``, and the resolved file must still lie in
    ``scenario_dir`` (so a symbolic link cannot lead out of it).

    Raises
    ------
    InputError
        If ``name`` is not a valid scenario name (it contains a slash, starts with a dot, ...).
    """
    from herz.scenario import builtin_scenarios

    if not isinstance(name, str) or not SCENARIO_NAME.fullmatch(name) or ".." in name:
        raise InputError(
            f"{name!r} is not a scenario name: use letters, digits, '-', '_' and '.', "
            "at most 64 characters.",
            field="scenario",
            value=name,
        )
    builtins = builtin_scenarios()
    if name in builtins:
        return "builtin", builtins[name]
    if scenario_dir is None:
        return None
    folder = scenario_dir.resolve()
    candidate = (folder / f"{name}.yaml").resolve()
    if candidate.parent != folder or not candidate.is_file():
        return None
    return "folder", candidate


def folder_scenarios(scenario_dir: Path | None) -> dict[str, Path]:
    """The scenario files in ``scenario_dir`` whose names are valid (not built-ins)."""
    from herz.scenario import builtin_scenarios

    if scenario_dir is None or not scenario_dir.is_dir():
        return {}
    builtins = builtin_scenarios()
    folder = scenario_dir.resolve()
    out: dict[str, Path] = {}
    for entry in sorted(folder.glob("*.yaml")):
        name = entry.name.removesuffix(".yaml")
        if name in builtins or not SCENARIO_NAME.fullmatch(name) or ".." in name:
            continue
        resolved = entry.resolve()
        if resolved.parent == folder and resolved.is_file():
            out[name] = resolved
    return out
