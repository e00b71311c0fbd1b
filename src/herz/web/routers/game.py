"""``GET /api/game``: the one-shot security game for Jervis's ω and δ (as ``herz game``)."""

from __future__ import annotations

from fastapi import APIRouter, Query

from herz.web.errors import ERRORS
from herz.web.schemas import GameView

__all__ = ["router"]

router = APIRouter(tags=["games"])


@router.get("/api/game", response_model=GameView, responses=ERRORS)
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
