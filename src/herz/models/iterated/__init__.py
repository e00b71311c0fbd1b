"""Iterated security games: strategies as array state machines, matches, tournaments.

:mod:`~herz.models.iterated.kernel` holds the strategies, the vectorized match kernel and
round-robin tournaments; :mod:`~herz.models.iterated.model` holds :class:`Iterated`, the
registered ``iterated`` model that plays a round robin among a scenario's states (imported on
first use, so that ``herz tournament`` does not load the model machinery).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from herz.models.iterated.kernel import (
    STRATEGIES,
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
    "Iterated",
    "IteratedParams",
    "MatchEnsemble",
    "MatchResult",
    "Strategy",
    "TournamentResult",
    "alternator",
    "anti_tit_for_tat",
    "bully",
    "cooperator",
    "defector",
    "defensive_realist",
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
    "tournament",
    "win_stay_lose_shift",
]


def __getattr__(name: str) -> Any:
    if name in ("Iterated", "IteratedParams"):
        from herz.models.iterated import model

        return getattr(model, name)
    raise AttributeError(f"module 'herz.models.iterated' has no attribute {name!r}")
