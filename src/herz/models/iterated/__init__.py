"""Iterated security games: strategies as array state machines, matches, tournaments.

:mod:`~herz.models.iterated.kernel` holds the strategies, the vectorized match kernel and
round-robin tournaments; :mod:`~herz.models.iterated.model` holds :class:`Iterated`, the
registered ``iterated`` model that plays a round robin among a scenario's states (imported on
first use, so that ``herz tournament`` does not load the model machinery);
:mod:`~herz.models.iterated.axelrod_adapter` lets any axelrod strategy play in herz (on the slow
path) and herz strategies play in axelrod.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from herz.models.iterated.axelrod_adapter import axelrod_names, from_axelrod, to_axelrod
from herz.models.iterated.kernel import (
    STRATEGIES,
    ExternalStrategy,
    MatchEnsemble,
    MatchResult,
    Strategy,
    TournamentResult,
    alternator,
    anti_tit_for_tat,
    bully,
    cooperator,
    defector,
    defensive_realist,
    generous_tit_for_tat,
    get_strategy,
    grim_trigger,
    grit,
    memory_one,
    offensive_realist,
    play_match,
    play_matches,
    random_strategy,
    strategy_names,
    suspicious_tit_for_tat,
    tit_for_tat,
    tit_for_two_tats,
    tournament,
    win_stay_lose_shift,
)

if TYPE_CHECKING:
    from herz.models.iterated.model import Iterated, IteratedParams

__all__ = [
    "STRATEGIES",
    "ExternalStrategy",
    "Iterated",
    "IteratedParams",
    "MatchEnsemble",
    "MatchResult",
    "Strategy",
    "TournamentResult",
    "alternator",
    "anti_tit_for_tat",
    "axelrod_names",
    "bully",
    "cooperator",
    "defector",
    "defensive_realist",
    "from_axelrod",
    "generous_tit_for_tat",
    "get_strategy",
    "grim_trigger",
    "grit",
    "memory_one",
    "offensive_realist",
    "play_match",
    "play_matches",
    "random_strategy",
    "strategy_names",
    "suspicious_tit_for_tat",
    "tit_for_tat",
    "tit_for_two_tats",
    "to_axelrod",
    "tournament",
    "win_stay_lose_shift",
]


def __getattr__(name: str) -> Any:
    if name in ("Iterated", "IteratedParams"):
        from herz.models.iterated import model

        return getattr(model, name)
    raise AttributeError(f"module 'herz.models.iterated' has no attribute {name!r}")
