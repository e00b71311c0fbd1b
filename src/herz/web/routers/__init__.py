"""The web app's endpoints, one :class:`fastapi.APIRouter` per concern.

==============  ======================================================================
``health``      ``GET /api/health``
``models``      ``GET /api/models``: every registered model and its schemas
``scenarios``   ``GET /api/scenarios``, ``GET /api/scenarios/{name}``
``runs``        ``POST /api/runs``, ``GET /api/runs/{run_id}``
``game``        ``GET /api/game``
``sweeps``      ``GET /api/sweeps``, ``GET /api/sweeps/{sweep_id}``
``pages``       the page (``/``, ``/sweeps``, ``/sweeps/{id}``) and its static files
==============  ======================================================================

:func:`herz.web.app.create_app` includes them all (:data:`ROUTERS`); the routers read the
server's settings and run manager through :mod:`herz.web.deps`.
"""

from __future__ import annotations

from fastapi import APIRouter

from herz.web.routers import game, health, models, pages, runs, scenarios, sweeps

__all__ = ["ROUTERS"]

#: Every router, in the order the app includes them.
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    models.router,
    scenarios.router,
    runs.router,
    game.router,
    sweeps.router,
    pages.router,
)
