"""``GET /api/health``: the server is up; its version, models, limits and load."""

from __future__ import annotations

from fastapi import APIRouter

from herz._version import __version__
from herz.web.catalog import available_models
from herz.web.deps import Manager, Settings
from herz.web.schemas import Health

__all__ = ["router"]

router = APIRouter(tags=["server"])


@router.get("/api/health", response_model=Health)
def health(settings: Settings, manager: Manager) -> Health:
    """Whether the server is up, with its version, models, limits and current load."""
    busy = manager.busy
    return Health(
        status="ok",
        version=__version__,
        models=[m.name for m in available_models()],
        limits={k: float(v) for k, v in settings.limits.public().items()},
        running=busy["running"],
        queued=busy["queued"],
        kept_results=busy["kept"],
        kept_results_mb=round(busy["kept_bytes"] / 2**20, 3),
        sweeps=settings.db is not None,
    )
