"""``GET /api/sweeps`` and ``GET /api/sweeps/{sweep_id}``: the sweeps of the attached results
store (``herz serve --db FILE``), read-only (:mod:`herz.web.sweeps`)."""

from __future__ import annotations

from fastapi import APIRouter

from herz.web.deps import Settings
from herz.web.errors import ERRORS, NotFoundError
from herz.web.schemas import SweepDetail, SweepInfo

__all__ = ["router"]

router = APIRouter(tags=["sweeps"])


@router.get("/api/sweeps", response_model=list[SweepInfo])
def sweeps(settings: Settings) -> list[SweepInfo]:
    """The sweeps in the attached results store (empty without ``--db``)."""
    from herz.web import sweeps as store

    if settings.db is None:
        return []
    return [SweepInfo(**row) for row in store.list_sweeps(settings.db)]


@router.get("/api/sweeps/{sweep_id}", response_model=SweepDetail, responses=ERRORS)
def sweep(sweep_id: str, settings: Settings) -> SweepDetail:
    """One stored sweep: its parameters, measures and every point's summary."""
    from herz.web import sweeps as store

    row = None if settings.db is None else store.get_sweep(settings.db, sweep_id)
    if row is None:
        raise NotFoundError(f"there is no stored sweep {sweep_id!r}.")
    return SweepDetail(**row)
