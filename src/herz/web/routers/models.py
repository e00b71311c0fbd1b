"""``GET /api/models``: every registered model with the schemas its class declares."""

from __future__ import annotations

from fastapi import APIRouter

from herz.web.catalog import available_models
from herz.web.schemas import ModelInfo

__all__ = ["router"]

router = APIRouter(tags=["runs"])


@router.get("/api/models", response_model=list[ModelInfo])
def models() -> list[ModelInfo]:
    """The models a run can use (``herz.models``' registry and entry points): name, title,
    citation, the JSON schemas of their run options and scenario block, their outcomes and
    summary fields. A registered model that does not load is left out (and logged)."""
    return available_models()
