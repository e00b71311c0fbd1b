"""``GET /api/sweeps`` and ``GET /api/sweeps/{sweep_id}``: the sweeps of the attached results
store (``herz serve --db FILE``), read-only (:mod:`herz.web.sweeps`).

A store that cannot be read (truncated, overwritten, locked by a sweep that is writing it, not a
herz store) answers HTTP 503 with one sentence and ``Retry-After``; the reason goes to the server
log. Nothing else in the app depends on the store, so the rest keeps working.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter

from herz.web.deps import Settings
from herz.web.errors import ERRORS, NotFoundError, StoreUnavailableError
from herz.web.schemas import ErrorBody, SweepDetail, SweepInfo

__all__ = ["router"]

log = logging.getLogger("herz.web")

router = APIRouter(tags=["sweeps"])

_UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {
        "model": ErrorBody,
        "description": "The results store cannot be read now (damaged or locked).",
    }
}

T = TypeVar("T")


def _read(what: Callable[[], T]) -> T:
    """``what()``, with any failure to read the store answered 503 (and logged)."""
    try:
        return what()
    except NotFoundError:
        raise
    except Exception as exc:
        log.warning("the results store cannot be read: %s: %s", type(exc).__name__, exc)
        log.debug("reading the results store failed", exc_info=True)
        raise StoreUnavailableError() from None


@router.get("/api/sweeps", response_model=list[SweepInfo], responses=_UNAVAILABLE)
def sweeps(settings: Settings) -> list[SweepInfo]:
    """The sweeps in the attached results store (empty without ``--db``)."""
    from herz.web import sweeps as store

    db = settings.db
    if db is None:
        return []
    return _read(lambda: [SweepInfo(**row) for row in store.list_sweeps(db)])


@router.get(
    "/api/sweeps/{sweep_id}", response_model=SweepDetail, responses={**ERRORS, **_UNAVAILABLE}
)
def sweep(sweep_id: str, settings: Settings) -> SweepDetail:
    """One stored sweep: its parameters, measures and every point's summary."""
    from herz.web import sweeps as store

    db = settings.db
    row = None if db is None else _read(lambda: store.get_sweep(db, sweep_id))
    if row is None:
        raise NotFoundError(f"there is no stored sweep {sweep_id!r}.")
    return _read(lambda: SweepDetail(**row))
