"""The FastAPI application behind ``herz serve``: a JSON API under ``/api/`` and the page.

Endpoints (the OpenAPI spec is at ``/openapi.json``), one router each (:mod:`herz.web.routers`):

===========================  ====================================================================
``GET /api/health``          version, models, limits, how many runs work and wait
``GET /api/models``          every registered model: title, citation, the JSON schemas of its
                             options and scenario block, its outcomes and summary fields
``GET /api/scenarios``       built-in scenarios (and those of ``--scenarios DIR``)
``GET /api/scenarios/{n}``   one scenario's validated document
``POST /api/runs``           run a model on a scenario with overrides: 202 + an id (or 200 with
                             the result when ``wait`` is true)
``GET /api/runs/{id}``       a run's status, progress and, when done, its result
``GET /api/game``            the 2×2 security game for Jervis's ω and δ (as ``herz game``)
``GET /api/sweeps``          stored sweeps (``--db FILE``), ``GET /api/sweeps/{id}`` one of them
===========================  ====================================================================

The page (``/``, and ``/sweeps/{id}`` for a stored sweep) is static HTML, CSS and one script,
with Plotly.js served from the installed ``plotly`` package: no build step, no CDN. It builds
its controls from ``GET /api/models``.

Errors are ``{"detail": "<one sentence>"}``, by cause (:mod:`herz.web.errors`): bad input (an
:class:`~herz.errors.InputError` or a request that does not validate) 422, an unknown scenario,
run or sweep 404, a body over the cap 413, a full queue or an unreadable results store 503 with
``Retry-After``. A
:class:`~herz.errors.ModelError` or an unexpected exception in a model answers 500
``{"detail": "internal error in model 'NAME'; see the server log."}``, any other unexpected
error 500 ``{"detail": "internal error; see the server log."}``; the traceback is logged, never
sent.

Every request first passes :class:`~herz.web.security.SecurityMiddleware` (Host check, body
cap, strict JSON, HEAD, Content-Security-Policy and other headers); a run is checked for what it
would cost before it starts (:mod:`herz.web.cost`); every run works in its own process from a
bounded pool, within a time limit, and its result is kept as the JSON bytes it made
(:mod:`herz.web.runner`). :func:`herz.web.serve` runs the app under uvicorn with limits on
connections (:mod:`herz.web.server`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from herz._version import __version__
from herz.web.errors import install_error_handlers
from herz.web.limits import WebSettings
from herz.web.routers import ROUTERS
from herz.web.runner import RunManager
from herz.web.schemas import ErrorBody
from herz.web.security import SecurityMiddleware

__all__ = ["create_app"]


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
    install_error_handlers(
        app,
        busy_detail=(
            f"all {limits.workers} workers are busy and {limits.queue} runs are waiting; "
            "try again in a few seconds."
        ),
    )
    for router in ROUTERS:
        app.include_router(router)
    return app
