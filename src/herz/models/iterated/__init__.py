"""Iterated security games: strategies as array state machines, matches, tournaments.

:mod:`~herz.models.iterated.kernel` holds the strategies, the vectorized match kernel and
round-robin tournaments.
"""

from __future__ import annotations

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

__all__ = [
    "STRATEGIES",
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
