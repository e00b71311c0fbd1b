"""The FastAPI application behind ``herz serve``: a JSON API under ``/api/`` and the page.

Endpoints (the OpenAPI spec is at ``/openapi.json``):

===========================  ====================================================================
``GET /api/health``          version, models, limits, how many runs work and wait
``GET /api/models``          the models ``POST /api/runs`` can run, with their options
``GET /api/scenarios``       built-in scenarios (and those of ``--scenarios DIR``)
``GET /api/scenarios/{n}``   one scenario's validated document
``POST /api/runs``           run a model on a scenario with overrides: 202 + an id (or 200 with
                             the result when ``wait`` is true)
``GET /api/runs/{id}``       a run's status, progress and, when done, its result
``GET /api/game``            the 2×2 security game for Jervis's ω and δ (as ``herz game``)
``GET /api/sweeps``          stored sweeps (``--db FILE``), ``GET /api/sweeps/{id}`` one of them
===========================  ====================================================================

The page (``/``, and ``/sweeps/{id}`` for a stored sweep) is static HTML, CSS and one script,
with Plotly.js served from the installed ``plotly`` package: no build step, no CDN.

Errors are ``{"detail": "<one sentence>"}`` with a 4xx status: bad input (an
:class:`~herz.errors.InputError` or a request that does not validate) 422, an unknown scenario,
run or sweep 404, a body over the cap 413, a full queue 503 with ``Retry-After``. An unexpected
error answers 500 ``{"detail": "internal error"}`` and is logged; no stack trace is ever sent.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from herz._version import __version__
from herz.errors import InputError
from herz.web.limits import (
    MAX_SCENARIO_FILE_BYTES,
    WebSettings,
    folder_scenarios,
    resolve_scenario_file,
)
from herz.web.runner import BusyError, RunJob, RunManager
from herz.web.schemas import (
    ErrorBody,
    GameView,
    Health,
    ModelInfo,
    RunRequest,
    RunStatus,
    ScenarioDetail,
    ScenarioInfo,
    SweepDetail,
    SweepInfo,
)
from herz.web.security import SecurityMiddleware

__all__ = ["create_app"]

log = logging.getLogger("herz.web")


class NotFoundError(Exception):
    """Something named in the request does not exist (HTTP 404)."""


_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Not found."},
    413: {"model": ErrorBody, "description": "Request body over the limit."},
    422: {"model": ErrorBody, "description": "Bad input: one sentence says what and where."},
}
#: Keyword parameters of a model function that a web request may not set: the common ones
#: (set from the request's own fields) and callbacks.
_NOT_OPTIONS = ("steps", "runs", "seed", "keep", "run_offset", "stream_key", "progress")
_RUN_ID = re.compile(r"^[0-9a-f]{32}$")

#: The page's files (the only files the app serves besides Plotly.js).
_STATIC = {
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}


@functools.cache
def _static_bytes(name: str) -> bytes:
    return (resources.files("herz.web") / "static" / name).read_bytes()


@functools.cache
def _plotly_js() -> bytes | None:
    """``plotly.min.js`` as shipped inside the installed ``plotly`` Python package."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    return path.read_bytes() if path.is_file() else None


def _model_info(name: str, target: str) -> ModelInfo:
    module, _, attr = target.partition(":")
    try:
        fn = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return ModelInfo(name=name, description="(not available)", options=[])
    doc = inspect.getdoc(fn) or ""
    first = " ".join(doc.split("\n\n", 1)[0].split())
    options = [
        p
        for p, param in inspect.signature(fn).parameters.items()
        if param.kind is param.KEYWORD_ONLY and p not in _NOT_OPTIONS
    ]
    return ModelInfo(name=name, description=first, options=options)


def _one_sentence(exc: RequestValidationError) -> str:
    """A request-validation error as one sentence naming the field and the value."""
    errors = list(exc.errors())
    if not errors:
        return "the request is not valid."
    first = errors[0]
    kind = str(first.get("type", ""))
    if kind == "json_invalid":
        ctx = first.get("ctx") or {}
        reason = ctx.get("error", "it cannot be parsed") if isinstance(ctx, dict) else ""
        return f"the request body is not valid JSON ({reason})."
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
    where = ".".join(loc) or "the request body"
    msg = str(first.get("msg", "is not valid"))
    msg = msg[:1].lower() + msg[1:]
    value = first.get("input")
    shown = ""
    if kind != "missing" and isinstance(value, int | float | str | bool) and len(repr(value)) < 80:
        shown = f", got {value!r}"
    more = f" ({len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{where}: {msg}{shown}.{more}"


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The dashboard's ASGI app, configured by ``settings`` (limits, scenario folder, store)."""
    settings = settings or WebSettings()
    limits = settings.limits
    manager = RunManager(limits)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        manager.warm_up()
        yield
        manager.close()

    app = FastAPI(
        title="herz",
        version=__version__,
        summary="A laboratory for the security dilemma: run models, browse sweeps.",
        responses={
            400: {
                "model": ErrorBody,
                "description": "Bad request (e.g. a Host header this server does not answer for).",
            }
        },
        docs_url=None,  # Swagger UI loads scripts from a CDN; the spec is at /openapi.json
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.manager = manager
    app.add_middleware(
        SecurityMiddleware,
        max_body_bytes=limits.max_body_bytes,
        allowed_hosts=settings.allowed_hosts,
    )

    # -- errors ---------------------------------------------------------------------------
    @app.exception_handler(InputError)
    async def _input_error(_: Request, exc: InputError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    @app.exception_handler(NotFoundError)
    async def _not_found(_: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(BusyError)
    async def _busy(_: Request, exc: BusyError) -> JSONResponse:
        return JSONResponse(
            {
                "detail": (
                    f"all {limits.workers} workers are busy and {limits.queue} runs are waiting; "
                    "try again in a few seconds."
                )
            },
            status_code=503,
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _one_sentence(exc)}, status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "request failed."
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            # FastAPI answers 400 to a body it cannot decode (not UTF-8): malformed JSON, 422.
            return JSONResponse(
                {"detail": "the request body is not valid JSON (it is not UTF-8 text)."},
                status_code=422,
            )
        if exc.status_code == 404 and detail == "Not Found":
            detail = "there is nothing at this address."
        return JSONResponse(
            {"detail": detail}, status_code=exc.status_code, headers=dict(exc.headers or {})
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse({"detail": "internal error."}, status_code=500)

    # -- scenarios ------------------------------------------------------------------------
    def load(name: str) -> tuple[str, Any]:
        from herz.scenario import Scenario

        where = resolve_scenario_file(name, settings.scenario_dir)
        if where is None:
            raise NotFoundError(
                f"there is no scenario named {name!r}; GET /api/scenarios lists them."
            )
        source, path = where
        if path.stat().st_size > MAX_SCENARIO_FILE_BYTES:
            raise InputError(f"{name}: the scenario file is larger than 1 MiB.", source=name)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise InputError(f"{name}: the scenario file cannot be read.", source=name) from None
        return source, Scenario.from_yaml(text, source=name)

    def info(name: str, source: str, sc: Any) -> dict[str, Any]:
        return {
            "name": name,
            "source": source,
            "title": sc.name,
            "description": sc.description,
            "states": sc.ids,
            "alliances": len(sc.alliances),
            "events": len(sc.events),
            "start": sc.time.start,
            "step": sc.time.step,
            "steps": sc.time.steps,
            "offense_advantage": sc.world.offense_advantage,
            "distinguishability": sc.world.distinguishability,
        }

    # -- API ------------------------------------------------------------------------------
    @app.get("/api/health", response_model=Health, tags=["server"])
    def health() -> Health:
        """Whether the server is up, with its version, models, limits and current load."""
        from herz.simulation import MODELS

        busy = manager.busy
        return Health(
            status="ok",
            version=__version__,
            models=list(MODELS),
            limits={k: float(v) for k, v in limits.public().items()},
            running=busy["running"],
            queued=busy["queued"],
            sweeps=settings.db is not None,
        )

    @app.get("/api/models", response_model=list[ModelInfo], tags=["runs"])
    def models() -> list[ModelInfo]:
        """The models a run can use, with their keyword options."""
        from herz.simulation import MODELS

        return [_model_info(name, target) for name, target in MODELS.items()]

    @app.get("/api/scenarios", response_model=list[ScenarioInfo], tags=["scenarios"])
    def scenarios() -> list[ScenarioInfo]:
        """The built-in scenarios, then the valid ones in the server's scenario folder."""
        from herz.scenario import builtin_scenarios

        names = [*builtin_scenarios(), *folder_scenarios(settings.scenario_dir)]
        out = []
        for name in names:
            try:
                source, sc = load(name)
            except (InputError, NotFoundError) as exc:
                log.warning("scenario %s skipped: %s", name, exc)
                continue
            out.append(ScenarioInfo(**info(name, source, sc)))
        return out

    @app.get(
        "/api/scenarios/{name}",
        response_model=ScenarioDetail,
        responses=_ERRORS,
        tags=["scenarios"],
    )
    def scenario(name: str) -> ScenarioDetail:
        """One scenario, by name only: built-ins first, then the scenario folder."""
        source, sc = load(name)
        return ScenarioDetail(**info(name, source, sc), document=sc.to_dict())

    def status_of(job: RunJob, *, with_result: bool = True) -> RunStatus:
        return RunStatus(
            id=job.id,
            status=job.status,
            scenario=job.scenario,
            model=job.model,
            runs=job.runs,
            steps=job.steps,
            seed=job.seed,
            states=job.states,
            cells=job.cells,
            elapsed_s=round(job.elapsed_s, 3),
            expected_s=None if job.expected_s is None else round(job.expected_s, 3),
            progress=job.progress,
            position=manager.position(job),
            detail=job.detail,
            result=job.result if with_result else None,
        )

    @app.post(
        "/api/runs",
        response_model=RunStatus,
        status_code=202,
        responses={
            **_ERRORS,
            200: {"model": RunStatus, "description": "Finished (with wait=true)."},
            503: {"model": ErrorBody, "description": "All workers busy and the queue full."},
        },
        tags=["runs"],
    )
    async def run(request: RunRequest) -> Response:
        """Start a run of ``model`` on ``scenario``; 202 with its id, or 200 when ``wait``.

        The size is checked first (runs, steps and runs × (steps + 1) × states against the
        server's limits: 422 beyond them); the run then works in its own process within the
        time limit. Poll ``GET /api/runs/{id}`` for progress and the result.
        """
        from herz.simulation import MODELS, new_seed

        if request.model not in MODELS:
            raise InputError(
                f"unknown model {request.model!r}; choose one of: {', '.join(MODELS)}.",
                field="model",
                value=request.model,
            )
        accepted = _model_info(request.model, MODELS[request.model]).options
        for key in request.options:
            if key not in accepted:
                raise InputError(
                    f"model {request.model!r} has no option {key!r}; its options: "
                    f"{', '.join(accepted) or 'none'}.",
                    field=f"options.{key}",
                )
        _, sc = load(request.scenario)
        if request.overrides:
            sc = sc.with_overrides(request.overrides, source=f"{request.scenario} (overrides)")
        steps = request.steps if request.steps is not None else sc.time.steps
        limits.check_run(runs=request.runs, steps=steps, states=len(sc.states))
        seed = request.seed if request.seed is not None else new_seed()
        job = manager.new_job(
            scenario=request.scenario,
            model=request.model,
            runs=request.runs,
            steps=steps,
            seed=seed,
            states=len(sc.states),
            overrides=dict(request.overrides),
            options=dict(request.options),
            document=sc.to_dict(),
        )
        manager.submit(job)
        if not request.wait:
            return JSONResponse(status_of(job).model_dump(mode="json"), status_code=202)
        import anyio.to_thread

        await anyio.to_thread.run_sync(job.done.wait, limits.time_limit_s + 60.0)
        if job.status == "failed":
            raise InputError(job.detail or "the run failed.")
        code = 200 if job.status == "done" else 202
        return JSONResponse(status_of(job).model_dump(mode="json"), status_code=code)

    @app.get(
        "/api/runs/{run_id}",
        response_model=RunStatus,
        responses=_ERRORS,
        tags=["runs"],
    )
    def run_status(run_id: str) -> RunStatus:
        """A run's status and progress; its result once done (kept for the last runs only)."""
        job = manager.get(run_id) if _RUN_ID.fullmatch(run_id) else None
        if job is None:
            raise NotFoundError(
                f"there is no run {run_id!r} (this server keeps the last "
                f"{limits.keep_results} finished runs)."
            )
        return status_of(job)

    @app.get("/api/game", response_model=GameView, responses=_ERRORS, tags=["games"])
    def game(
        offense_advantage: float = Query(0.5, ge=0, le=1, description="Jervis's ω in [0, 1]."),
        distinguishability: float = Query(0.5, ge=0, le=1, description="Jervis's δ in [0, 1]."),
        cost: float = Query(0.5, ge=0, le=1000, description="Cost of arms c."),
        stakes: float = Query(1.0, gt=0, le=1000, description="Value of security v."),
    ) -> GameView:
        """The one-shot security game for Jervis's ω and δ: matrix, class, equilibria, world
        (the same as ``herz game --offense-advantage ω --distinguishability δ``)."""
        from herz.models.games import Game
        from herz.results import to_jsonable

        g = Game.from_jervis(offense_advantage, distinguishability, cost=cost, stakes=stakes)
        data = to_jsonable(g.to_dict())
        R, T, S, P = g.R, g.T, g.S, g.P
        data["matrix"] = [[[R, R], [S, T]], [[T, S], [P, P]]]
        return GameView.model_validate(data)

    @app.get("/api/sweeps", response_model=list[SweepInfo], tags=["sweeps"])
    def sweeps() -> list[SweepInfo]:
        """The sweeps in the attached results store (empty without ``--db``)."""
        from herz.web import sweeps as store

        if settings.db is None:
            return []
        return [SweepInfo(**row) for row in store.list_sweeps(settings.db)]

    @app.get(
        "/api/sweeps/{sweep_id}",
        response_model=SweepDetail,
        responses=_ERRORS,
        tags=["sweeps"],
    )
    def sweep(sweep_id: str) -> SweepDetail:
        """One stored sweep: its parameters, measures and every point's summary."""
        from herz.web import sweeps as store

        row = None if settings.db is None else store.get_sweep(settings.db, sweep_id)
        if row is None:
            raise NotFoundError(f"there is no stored sweep {sweep_id!r}.")
        return SweepDetail(**row)

    # -- the page -------------------------------------------------------------------------
    def page() -> Response:
        return Response(
            _static_bytes("index.html"),
            media_type="text/html; charset=utf-8",
            headers={"cache-control": "no-cache"},
        )

    app.get("/", include_in_schema=False)(page)
    app.get("/sweeps", include_in_schema=False)(page)

    @app.get("/sweeps/{sweep_id}", include_in_schema=False)
    def sweep_page(sweep_id: str) -> Response:
        return page()

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        if name == "plotly.min.js":
            js = _plotly_js()
            if js is None:
                raise NotFoundError(
                    "Plotly.js is missing: install the web extra, pip install 'herz[web]'."
                )
            return Response(
                js,
                media_type="text/javascript; charset=utf-8",
                headers={"cache-control": "public, max-age=86400"},
            )
        if name not in _STATIC:
            raise NotFoundError(f"there is no file {name!r} here.")
        return Response(
            _static_bytes(name), media_type=_STATIC[name], headers={"cache-control": "no-cache"}
        )

    return app
