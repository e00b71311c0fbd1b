"""Iterated security games: strategies as state machines, misperception, matches, tournaments.

Two states meet again and again in the same 2×2 game (:mod:`herz.models.games`); each turn
both choose, at once, to restrain (C) or to arm (D).

**Strategies are finite state machines over arrays.** A :class:`Strategy` is a Moore machine
with stochastic output: a vector ``p_cooperate[s]`` (the probability of playing C in state s)
and a transition table ``transitions[s, own, seen]`` (the next state after playing ``own`` and
seeing the other play ``seen``; 0 = C, 1 = D). Every strategy of MODELS.md §3 is such a
machine, and so is every memory-one strategy (Nowak & Sigmund 1990). Because of that, a whole
tournament advances as two gathers per turn over one array of machine states holding every
player of every match and repetition: no Python object per player, no loop over matches or
players inside the loop over turns.

**The slow path.** An :class:`ExternalStrategy` is a strategy played by outside code, an
axelrod ``Player`` (:mod:`herz.models.iterated.axelrod_adapter`): it is no machine, so every
match in which one takes part is played on its own, turn by turn in a Python loop that calls
the player's ``strategy()``, with the same noise, misperception, streams and payoffs as the
vectorised kernel. The other matches of the same tournament still advance together; the
result names the players that used the slow path (:attr:`TournamentResult.slow_path`).

**Two kinds of noise, kept apart** (MODELS.md §3):

* *implementation noise* ``noise`` = ε: each chosen action flips with probability ε, and both
  sides see (and remember) the flipped action. This is the axelrod library's ``noise``.
* *misperception* ``misperception`` = μ: each side's view of the other's action flips
  independently with probability μ; scores use the true actions and each side knows its own,
  so the two remember different histories (Jervis 1976, ch. 3: misperception).

**Randomness.** Match k of repetition r draws from its own stream
``Generator(PCG64(SeedSequence(entropy, spawn_key=(k, r))))``: first one uniform for the match
length (used only with ``prob_end``), then a block of shape (length, 6) with, per turn, the
uniforms of (row's choice, column's choice, row's noise, column's noise, row's perception,
column's perception). A match's stream depends only on (seed, pair, repetition), never on the
order of execution or on batching, and the same numbers are used whether noise or
misperception is switched on (common random numbers, which sharpen comparisons). On the slow
path the same block serves for noise and perception (and for the choices of a herz machine),
and an axelrod player's own random generator is seeded from child ``side`` (0 = row,
1 = column) of the match's stream, ``SeedSequence(entropy, spawn_key=(k, r, side))``.

Conventions follow the axelrod library (Knight et al. 2016) where both exist: the default game
(R, T, S, P) = (3, 5, 0, 1); a round robin that includes each player against a copy of itself
but leaves those matches out of ``scores`` and ``normalised_scores``; match lengths with
``prob_end`` drawn by inverse transform sampling and capped by ``turns``; ranking by the median
over repetitions of the normalised score.

References
----------
Axelrod, R. (1984). *The Evolution of Cooperation*. Basic Books.
Friedman, J. W. (1971). A non-cooperative equilibrium for supergames. *Review of Economic
Studies* 38(1), 1–12.
Jervis, R. (1976). *Perception and Misperception in International Politics*. Princeton.
Knight, V. et al. (2016). An open framework for the reproducible study of the iterated
prisoner's dilemma. *Journal of Open Research Software* 4(1), e35.
Mearsheimer, J. (2001). *The Tragedy of Great Power Politics*. Norton.
Nowak, M. & Sigmund, K. (1990). The evolution of stochastic strategies in the prisoner's
dilemma. *Acta Applicandae Mathematicae* 20, 247–265.
Nowak, M. & Sigmund, K. (1992). Tit for tat in heterogeneous populations. *Nature* 355, 250–253.
Nowak, M. & Sigmund, K. (1993). A strategy of win-stay, lose-shift that outperforms tit-for-tat
in the Prisoner's Dilemma game. *Nature* 364, 56–58.
Osgood, C. E. (1962). *An Alternative to War or Surrender*. University of Illinois Press.
Waltz, K. (1979). *Theory of International Politics*. Addison-Wesley.
"""

from __future__ import annotations

import difflib
import math
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

from herz._validation import positive_int
from herz.errors import InputError
from herz.models.games import Game

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "GRIT_INITIATIVE",
    "OFFENSIVE_REALIST_WINDOW",
    "REALIST_CAP",
    "STRATEGIES",
    "ExternalAgent",
    "ExternalPlayer",
    "ExternalStrategy",
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

C, D = 0, 1

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: Uniform columns per turn in a match's random block (see the module docstring).
_N_UNIFORMS = 6
#: Upper bound on the random block kept in memory at once (bytes); batches of matches above it.
_BATCH_BYTES = 64 * 2**20

#: Unanswered steps of restraint before :func:`grit` retaliates (its ``initiative`` K), as the
#: ``grit`` name plays it. **Ours**: Osgood (1962) asks for a series of unilateral initiatives
#: continued for a while without reciprocation but gives no count; three is the smallest that
#: is more than a single probe. Listed in :mod:`herz.models.iterated.constants`.
GRIT_INITIATIVE = 3

#: Bound of the perceived arms gap the realists remember (their ``cap``), as the
#: ``defensive-realist`` and ``offensive-realist`` names play them. **Ours**: a bounded memory
#: keeps each a finite machine; five turns of lead remembered is long against noise of a few
#: percent per turn. Listed in :mod:`herz.models.iterated.constants`.
REALIST_CAP = 5

#: Turns of the other's perceived arming that keep :func:`offensive_realist` in doubt (its
#: ``window``), as the ``offensive-realist`` name plays it. **Ours**: the last turn only, so that
#: while even it answers arming like tit for tat. Listed in :mod:`herz.models.iterated.constants`.
OFFENSIVE_REALIST_WINDOW = 1


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Strategy:
    """A strategy of the iterated game as a finite state machine with stochastic output.

    Parameters
    ----------
    name:
        The kebab-case name, e.g. ``"tit-for-tat"``.
    p_cooperate:
        Shape (n_states,): the probability of restraint (C) in each state.
    transitions:
        Shape (n_states, 2, 2), integers in [0, n_states): ``transitions[s, own, seen]`` is the
        next state after playing ``own`` and seeing the other play ``seen`` (0 = C, 1 = D).
        ``own`` is the action actually played (after implementation noise, as in axelrod);
        ``seen`` is the other's action as perceived (after misperception).
    initial_state:
        The state before the first turn.
    display_name:
        A human-readable name (axelrod's display name where the strategy exists there).
    source:
        The citation of the strategy's origin.

    Notes
    -----
    Any strategy whose choice depends on a finite summary of the past is such a machine; the
    machine form is what lets :func:`tournament` advance every match at once.
    """

    name: str
    p_cooperate: FloatArray
    transitions: IntArray
    initial_state: int = 0
    display_name: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        p = np.array(self.p_cooperate, dtype=np.float64).reshape(-1)
        tr = np.array(self.transitions, dtype=np.int64)
        n = p.shape[0]
        if n == 0:
            raise InputError(
                f"strategy {self.name!r} needs at least one state.", field="p_cooperate"
            )
        if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
            raise InputError(
                f"strategy {self.name!r}: p_cooperate must lie in [0, 1], got {p.tolist()}.",
                field="p_cooperate",
                value=p.tolist(),
            )
        if tr.shape != (n, 2, 2) or np.any(tr < 0) or np.any(tr >= n):
            raise InputError(
                f"strategy {self.name!r}: transitions must have shape ({n}, 2, 2) with states in "
                f"[0, {n}), got shape {tr.shape}.",
                field="transitions",
            )
        if not 0 <= int(self.initial_state) < n:
            raise InputError(
                f"strategy {self.name!r}: initial_state must lie in [0, {n}), "
                f"got {self.initial_state!r}.",
                field="initial_state",
                value=self.initial_state,
            )
        p.setflags(write=False)
        tr.setflags(write=False)
        object.__setattr__(self, "p_cooperate", p)
        object.__setattr__(self, "transitions", tr)
        object.__setattr__(self, "initial_state", int(self.initial_state))
        if not self.display_name:
            object.__setattr__(self, "display_name", self.name)

    @property
    def n_states(self) -> int:
        """The number of machine states."""
        return int(self.p_cooperate.shape[0])

    @property
    def stochastic(self) -> bool:
        """Whether some state chooses at random (a probability strictly between 0 and 1)."""
        p = self.p_cooperate
        return bool(np.any((p > 0) & (p < 1)))

    @property
    def slow(self) -> bool:
        """Whether its matches run on the slow path (False: a machine, vectorised)."""
        return False

    def __repr__(self) -> str:
        return f"Strategy({self.name!r}, n_states={self.n_states})"


class ExternalAgent(Protocol):
    """One side of one match played by outside code (see :class:`ExternalPlayer`)."""

    def choose(self) -> int:
        """The action chosen this turn, before implementation noise: 0 = C, 1 = D."""
        ...

    def record(self, own: int, seen: int) -> None:
        """The turn as this side knows it: its action as played (after noise) and the
        other's as perceived (after misperception)."""
        ...


class ExternalPlayer(Protocol):
    """A player run by outside code, e.g. an axelrod ``Player``
    (:class:`herz.models.iterated._axelrod.AxelrodPlayer`)."""

    name: str
    display_name: str
    stochastic: bool
    source: str

    def new_agent(
        self, *, opponent: str, seed: int, game: Game, length: float, noise: float
    ) -> ExternalAgent:
        """A fresh agent for one match against ``opponent`` (a name); ``seed`` seeds its own
        randomness; ``length`` is the number of turns, ``inf`` when it is random
        (``prob_end``), as axelrod tells its players."""
        ...


@dataclass(frozen=True, eq=False)
class ExternalStrategy(Strategy):
    """A strategy played by outside code (an axelrod ``Player``): the **slow path**.

    It is no state machine: its tables are a one-state placeholder that the kernel never
    reads. Every match in which it takes part is played on its own, turn by turn in Python,
    calling ``player``'s agents (see the module docstring); matches between machines in the
    same tournament stay vectorised. Made by :func:`get_strategy` from an axelrod name,
    class or instance, or by :func:`herz.models.iterated.axelrod_adapter.from_axelrod`.

    Parameters
    ----------
    player:
        The :class:`ExternalPlayer` that makes one agent per match.
    """

    player: ExternalPlayer | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.player is None:
            raise InputError(f"external strategy {self.name!r} needs a player.", field="player")

    @property
    def stochastic(self) -> bool:
        """The player's own claim (axelrod's ``stochastic`` classifier)."""
        return bool(self.external.stochastic)

    @property
    def slow(self) -> bool:
        """Always True: its matches are played turn by turn in Python."""
        return True

    @property
    def external(self) -> ExternalPlayer:
        """The player (never None after construction)."""
        assert self.player is not None
        return self.player

    def __repr__(self) -> str:
        return f"ExternalStrategy({self.name!r}, slow path)"


def _external(player: ExternalPlayer) -> ExternalStrategy:
    return ExternalStrategy(
        player.name,
        np.array([1.0]),
        np.zeros((1, 2, 2), dtype=np.int64),
        0,
        player.display_name,
        player.source,
        player=player,
    )


def _memory_one_tables(
    p_cc: float, p_cd: float, p_dc: float, p_dd: float, initial: float
) -> tuple[FloatArray, IntArray]:
    # states: 0 = before the first turn, 1 + 2*own + seen = last round (own, seen)
    p = np.array([initial, p_cc, p_cd, p_dc, p_dd], dtype=np.float64)
    tr = np.empty((5, 2, 2), dtype=np.int64)
    for own in (C, D):
        for seen in (C, D):
            tr[:, own, seen] = 1 + 2 * own + seen
    return p, tr


def memory_one(
    p_cc: float,
    p_cd: float,
    p_dc: float,
    p_dd: float,
    *,
    initial: float = 1.0,
    name: str | None = None,
    display_name: str = "",
    source: str = "Nowak & Sigmund (1990), memory-one strategies.",
) -> Strategy:
    """A memory-one strategy: P(C) after each outcome (own, other's) of the last round.

    Parameters
    ----------
    p_cc, p_cd, p_dc, p_dd:
        Probability of restraint after (C, C), (C, D), (D, C), (D, D), own action first: the
        "four-vector" of Nowak & Sigmund (1990) and of axelrod's ``MemoryOnePlayer``.
    initial:
        Probability of restraint on the first turn.
    """
    vals = [p_cc, p_cd, p_dc, p_dd, initial]
    for label, v in zip(("p_cc", "p_cd", "p_dc", "p_dd", "initial"), vals, strict=True):
        if not isinstance(v, int | float) or not 0.0 <= float(v) <= 1.0:
            raise InputError(f"{label} must lie in [0, 1], got {v!r}.", field=label, value=v)
    p, tr = _memory_one_tables(p_cc, p_cd, p_dc, p_dd, initial)
    if name is None:
        name = f"memory-one({p_cc:g},{p_cd:g},{p_dc:g},{p_dd:g};{initial:g})"
    return Strategy(name, p, tr, 0, display_name, source)


def cooperator() -> Strategy:
    """Always restrains (C). Axelrod (1984); axelrod's ``Cooperator``."""
    return Strategy(
        "cooperator",
        np.array([1.0]),
        np.zeros((1, 2, 2), dtype=np.int64),
        display_name="Cooperator",
        source="Axelrod (1984): the unconditional cooperator (ALLC).",
    )


def defector() -> Strategy:
    """Always arms (D). Axelrod (1984); axelrod's ``Defector``."""
    return Strategy(
        "defector",
        np.array([0.0]),
        np.zeros((1, 2, 2), dtype=np.int64),
        display_name="Defector",
        source="Axelrod (1984): the unconditional defector (ALLD).",
    )


def tit_for_tat() -> Strategy:
    """Restrains first, then does what the other did last turn.

    Rapoport's entry, winner of both of Axelrod's tournaments (Axelrod 1984). Memory-one
    (1, 0, 1, 0) starting with C; axelrod's ``TitForTat``.
    """
    s = memory_one(1, 0, 1, 0, initial=1, name="tit-for-tat", display_name="Tit For Tat")
    return _with_source(s, "Rapoport; Axelrod (1980, 1984).")


def suspicious_tit_for_tat() -> Strategy:
    """Arms first, then does what the other did last turn (Beaufils et al. 1997 "Mistrust").

    Memory-one (1, 0, 1, 0) starting with D; axelrod's ``SuspiciousTitForTat``.
    """
    s = memory_one(
        1, 0, 1, 0, initial=0, name="suspicious-tit-for-tat", display_name="Suspicious Tit For Tat"
    )
    return _with_source(s, "Beaufils, Delahaye & Mathieu (1997); Hilbe et al. (2013).")


def anti_tit_for_tat() -> Strategy:
    """Restrains first, then does the opposite of the other's last action.

    Memory-one (0, 1, 0, 1) starting with C (Hilbe et al. 2013); axelrod's ``AntiTitForTat``.
    """
    s = memory_one(0, 1, 0, 1, initial=1, name="anti-tit-for-tat", display_name="Anti Tit For Tat")
    return _with_source(s, "Hilbe, Nowak & Sigmund (2013); Ashlock (2009) 'Psycho'.")


def bully() -> Strategy:
    """Arms first, then does the opposite of the other's last action (reverse tit for tat).

    Memory-one (0, 1, 0, 1) starting with D (Nachbar 1992); axelrod's ``Bully``.
    """
    s = memory_one(0, 1, 0, 1, initial=0, name="bully", display_name="Bully")
    return _with_source(s, "Nachbar (1992): reverse tit for tat.")


def alternator() -> Strategy:
    """Restrains first, then alternates: arms after its own C, restrains after its own D.

    Memory-one (0, 0, 1, 1) starting with C; axelrod's ``Alternator`` (Axelrod 1984).
    """
    s = memory_one(0, 0, 1, 1, initial=1, name="alternator", display_name="Alternator")
    return _with_source(s, "Axelrod (1984).")


def win_stay_lose_shift() -> Strategy:
    """Pavlov: repeats its last action after R or T, switches after S or P.

    Nowak & Sigmund (1993). Memory-one (1, 0, 0, 1) starting with C; axelrod's
    ``WinStayLoseShift``.
    """
    s = memory_one(
        1, 0, 0, 1, initial=1, name="win-stay-lose-shift", display_name="Win-Stay Lose-Shift"
    )
    return _with_source(s, "Nowak & Sigmund (1993); Kraines & Kraines (1989) 'Pavlov'.")


def generous_tit_for_tat(generosity: float | None = None, *, game: Game | None = None) -> Strategy:
    """Tit for tat that forgives a defection with probability ``generosity``.

    Nowak & Sigmund (1992). Memory-one (1, g, 1, g) starting with C. When ``generosity`` is
    None it is their optimum g = min(1 − (T − R)/(R − S), (R − P)/(T − P)) for ``game``
    (1/3 in the default game), as in axelrod's ``GTFT``.
    """
    if generosity is None:
        g = game if game is not None else Game()
        if g.R == g.S or g.T == g.P:
            raise InputError(
                "generous-tit-for-tat needs R != S and T != P to set its generosity.",
                field="game",
            )
        generosity = min(1 - (g.T - g.R) / (g.R - g.S), (g.R - g.P) / (g.T - g.P))
        generosity = min(1.0, max(0.0, generosity))
    s = memory_one(
        1, generosity, 1, generosity, initial=1, name="generous-tit-for-tat", display_name="GTFT"
    )
    return _with_source(s, "Nowak & Sigmund (1992); Molander (1985).")


def random_strategy(p: float = 0.5) -> Strategy:
    """Restrains with probability ``p`` each turn, whatever happened (Axelrod 1984 'Random')."""
    if not isinstance(p, int | float) or not 0.0 <= p <= 1.0:
        raise InputError(f"p must lie in [0, 1], got {p!r}.", field="p", value=p)
    return Strategy(
        "random",
        np.array([float(p)]),
        np.zeros((1, 2, 2), dtype=np.int64),
        display_name="Random",
        source="Axelrod (1980): the RANDOM entry of the first tournament.",
    )


def grim_trigger() -> Strategy:
    """Restrains until the other arms once, then arms for ever.

    Friedman (1971): the trigger strategy that sustains cooperation in supergames; axelrod's
    ``Grudger``. Two states: 0 = no arming seen (C), 1 = grudge (D, absorbing).
    """
    tr = np.empty((2, 2, 2), dtype=np.int64)
    tr[0, :, C] = 0
    tr[0, :, D] = 1
    tr[1] = 1
    return Strategy(
        "grim",
        np.array([1.0, 0.0]),
        tr,
        display_name="Grudger",
        source="Friedman (1971); Axelrod (1980) 'Friedman'.",
    )


def tit_for_two_tats() -> Strategy:
    """Arms only if the other armed in each of the last two turns.

    John Maynard Smith's entry to Axelrod's second tournament (Axelrod 1984); axelrod's
    ``TitFor2Tats``. States encode (other armed two turns ago, other armed last turn).
    """
    tr = np.empty((4, 2, 2), dtype=np.int64)
    for s in range(4):
        last = s & 1
        for seen in (C, D):
            tr[s, :, seen] = 2 * last + seen
    return Strategy(
        "tit-for-two-tats",
        np.array([1.0, 1.0, 1.0, 0.0]),
        tr,
        display_name="Tit For 2 Tats",
        source="Maynard Smith, in Axelrod (1984).",
    )


def grit(initiative: int = GRIT_INITIATIVE) -> Strategy:
    """GRIT: announced unilateral steps of restraint, continued while reciprocated.

    Osgood (1962), "Graduated and Reciprocated Initiatives in Tension-reduction". The
    operationalisation as a machine is **ours**: GRIT restrains first and keeps restraining
    for up to ``initiative`` turns even when the other arms (the unilateral initiative). As
    soon as the other restrains, GRIT reciprocates: it restrains while the other does. When an
    initiative goes unanswered ``initiative`` times in a row, or the other arms after
    reciprocating, GRIT retaliates once (Osgood's firm but measured response) and then renews
    the initiative: back to reciprocation if the other restrained during the retaliation, to
    a fresh initiative otherwise.

    States: 0..K−1 = initiative after k unanswered steps (C), K = reciprocating (C),
    K+1 = retaliating (D), with K = ``initiative``.
    """
    if not isinstance(initiative, int) or initiative < 1:
        raise InputError(
            f"initiative must be a positive integer, got {initiative!r}.",
            field="initiative",
            value=initiative,
        )
    k = initiative
    n = k + 2
    rec, ret = k, k + 1
    tr = np.empty((n, 2, 2), dtype=np.int64)
    for s in range(k):
        tr[s, :, C] = rec
        tr[s, :, D] = s + 1 if s + 1 < k else ret
    tr[rec, :, C] = rec
    tr[rec, :, D] = ret
    tr[ret, :, C] = rec
    tr[ret, :, D] = 0
    p = np.ones(n)
    p[ret] = 0.0
    return Strategy(
        "grit",
        p,
        tr,
        display_name="GRIT",
        source="Osgood (1962); machine form ours.",
    )


def _gap_index(gap: int, cap: int) -> int:
    return gap + cap


def defensive_realist(cap: int = REALIST_CAP) -> Strategy:
    """A defensive realist: matches the other's arming, never exceeds it.

    **Ours**, after Waltz (1979): security, not advantage, is the aim. The state keeps the
    perceived arms gap g = (times the other armed) − (times it armed itself), clipped to
    [−cap, cap]; it arms iff g > 0 (the other is ahead) and restrains otherwise, so its
    cumulative arming never exceeds the other's as it perceives it. Unlike tit for tat it lets
    the other catch up after an accidental arming of its own (a single error does not echo).
    """
    if not isinstance(cap, int) or cap < 1:
        raise InputError(f"cap must be a positive integer, got {cap!r}.", field="cap", value=cap)
    n = 2 * cap + 1
    gaps = np.arange(-cap, cap + 1)
    p = (gaps <= 0).astype(np.float64)
    tr = np.empty((n, 2, 2), dtype=np.int64)
    for i, g in enumerate(gaps):
        for own in (C, D):
            for seen in (C, D):
                tr[i, own, seen] = _gap_index(int(np.clip(g + seen - own, -cap, cap)), cap)
    return Strategy(
        "defensive-realist",
        p,
        tr,
        initial_state=_gap_index(0, cap),
        display_name="Defensive Realist",
        source="Ours, after Waltz (1979) and Jervis (1978).",
    )


def offensive_realist(window: int = OFFENSIVE_REALIST_WINDOW, cap: int = REALIST_CAP) -> Strategy:
    """An offensive realist: arms whenever it is ahead or the other's intentions are uncertain.

    **Ours**, after Mearsheimer (2001): states seek relative advantage and assume the worst
    about uncertain intentions. The state keeps the perceived gap g (as in
    :func:`defensive_realist`) and the other's last ``window`` perceived actions. It arms iff
    it is ahead (g < 0: press the advantage) or the other armed in any of the last ``window``
    turns (its intentions are in doubt); otherwise it restrains. It starts restrained (no
    evidence yet) and, while even, answers arming like tit for tat; but a lead won by
    accident (noise) or by a misread turn (misperception) is pressed for ever against a
    state that keeps restraining, and against a reciprocator it locks both into arming.
    """
    if not isinstance(window, int) or window < 1:
        raise InputError(
            f"window must be a positive integer, got {window!r}.", field="window", value=window
        )
    if not isinstance(cap, int) or cap < 1:
        raise InputError(f"cap must be a positive integer, got {cap!r}.", field="cap", value=cap)
    n_gap = 2 * cap + 1
    n_win = 2**window
    n = n_gap * n_win
    p = np.empty(n)
    tr = np.empty((n, 2, 2), dtype=np.int64)
    mask = n_win - 1
    for gi in range(n_gap):
        g = gi - cap
        for w in range(n_win):
            s = gi * n_win + w
            p[s] = 1.0 if (g >= 0 and w == 0) else 0.0
            for own in (C, D):
                for seen in (C, D):
                    g2 = int(np.clip(g + seen - own, -cap, cap))
                    w2 = ((w << 1) | seen) & mask
                    tr[s, own, seen] = (g2 + cap) * n_win + w2
    return Strategy(
        "offensive-realist",
        p,
        tr,
        initial_state=cap * n_win,
        display_name="Offensive Realist",
        source="Ours, after Mearsheimer (2001).",
    )


def _with_source(s: Strategy, source: str) -> Strategy:
    return Strategy(s.name, s.p_cooperate, s.transitions, s.initial_state, s.display_name, source)


#: The named strategies: kebab-case name -> factory taking the game (for game-dependent ones).
STRATEGIES: dict[str, Callable[[Game], Strategy]] = {
    "cooperator": lambda g: cooperator(),
    "defector": lambda g: defector(),
    "tit-for-tat": lambda g: tit_for_tat(),
    "tit-for-two-tats": lambda g: tit_for_two_tats(),
    "suspicious-tit-for-tat": lambda g: suspicious_tit_for_tat(),
    "anti-tit-for-tat": lambda g: anti_tit_for_tat(),
    "bully": lambda g: bully(),
    "generous-tit-for-tat": lambda g: generous_tit_for_tat(game=g),
    "grim": lambda g: grim_trigger(),
    "win-stay-lose-shift": lambda g: win_stay_lose_shift(),
    "alternator": lambda g: alternator(),
    "random": lambda g: random_strategy(),
    "grit": lambda g: grit(),
    "defensive-realist": lambda g: defensive_realist(),
    "offensive-realist": lambda g: offensive_realist(),
}

#: Other accepted names (after normalisation: lower case, spaces and underscores -> "-"),
#: including the axelrod library's display names of the classics.
ALIASES: dict[str, str] = {
    "allc": "cooperator",
    "alld": "defector",
    "tft": "tit-for-tat",
    "tf2t": "tit-for-two-tats",
    "tit-for-2-tats": "tit-for-two-tats",
    "stft": "suspicious-tit-for-tat",
    "reverse-tit-for-tat": "bully",
    "gtft": "generous-tit-for-tat",
    "grim-trigger": "grim",
    "grudger": "grim",
    "wsls": "win-stay-lose-shift",
    "pavlov": "win-stay-lose-shift",
    "win-stay-lose-shift": "win-stay-lose-shift",
    # axelrod's class names of the same strategies (its display names normalise to ours)
    "titfortat": "tit-for-tat",
    "titfor2tats": "tit-for-two-tats",
    "suspicioustitfortat": "suspicious-tit-for-tat",
    "antititfortat": "anti-tit-for-tat",
    "winstayloseshift": "win-stay-lose-shift",
}


def _normalise_name(name: str) -> str:
    return "-".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


def strategy_names() -> list[str]:
    """The canonical names accepted by :func:`get_strategy` (aliases aside), sorted."""
    return sorted(STRATEGIES)


#: Strategies whose axelrod display name carries a parameter herz's machine takes:
#: canonical name -> (factory of the parameter, axelrod's display name).
_PARAMETRISED: dict[str, tuple[Callable[[float], Strategy], str]] = {
    "generous-tit-for-tat": (lambda g: generous_tit_for_tat(g), "GTFT"),
    "random": (lambda p: random_strategy(p), "Random"),
}


def _native(name: str, game: Game | None) -> Strategy | None:
    """A herz machine for ``name``, or None when herz has none."""
    key = _normalise_name(name)
    key = ALIASES.get(key, key)
    factory = STRATEGIES.get(key)
    if factory is not None:
        return factory(game if game is not None else Game())
    base, sep, rest = name.partition(":")
    if not sep:
        return None
    key = _normalise_name(base)
    key = ALIASES.get(key, key)
    if key not in _PARAMETRISED:
        return None
    make, display = _PARAMETRISED[key]
    try:
        value = float(rest.strip())
    except ValueError:
        raise InputError(
            f"{display} takes one number in [0, 1] (e.g. '{display}: 0.33'), got {name!r}.",
            field="strategies",
            value=name,
        ) from None
    s = make(value)
    return Strategy(
        f"{key}: {value!r}",
        s.p_cooperate,
        s.transitions,
        s.initial_state,
        f"{display}: {value!r}",
        s.source,
    )


def _unknown_strategy_hint(name: str | None = None) -> str:
    """The sentence after the valid names: aliases, axelrod names, a close match."""
    from herz.models.iterated import _axelrod

    hint = (
        "aliases such as 'tft', 'grudger', 'pavlov' and axelrod display names such as "
        "'Tit For Tat' or 'GTFT: 0.33' are accepted too; "
    )
    # axelrod's names as its source spells them: importing it for a hint takes seconds
    axelrod_names = (
        (_axelrod.display_names() if "axelrod" in sys.modules else [])
        or _axelrod.source_display_names()
        if _axelrod.available()
        else []
    )
    if axelrod_names:
        hint += (
            "so is any axelrod strategy name ('Prober', 'Gradual', 'First by Joss: 0.8', ...; "
            "herz.models.iterated.axelrod_names() lists them), played on the slow path"
        )
    else:
        hint += (
            "so is any axelrod strategy name ('Prober', 'Gradual', ...) once the axelrod "
            f"library is installed ({_axelrod.INSTALL_HINT}); it is not installed"
        )
    if name is not None:
        candidates: dict[str, str] = {}
        for label in [*ALIASES, *STRATEGIES, *axelrod_names]:  # later labels win
            candidates[_normalise_name(label)] = label
        close = difflib.get_close_matches(_normalise_name(name), list(candidates), n=3)
        if close:
            hint += "; did you mean " + " or ".join(repr(candidates[c]) for c in close) + "?"
    return hint


def get_strategy(name: str | Strategy | Any, *, game: Game | None = None) -> Strategy:
    """The strategy called ``name``: a herz name, an alias, or an axelrod strategy.

    Parameters
    ----------
    name:
        A :class:`Strategy` (returned as is); a herz name (kebab-case, see
        :func:`strategy_names`) or alias; an axelrod display name. Axelrod names of
        strategies herz has as machines give the machine (``"Grudger"`` → ``grim``, ``"Tit
        For 2 Tats"`` → ``tit-for-two-tats``, ``"GTFT: 0.33"`` → ``generous-tit-for-tat``
        with generosity 0.33, ``"Random: 0.3"``). Any other axelrod name (``"Prober"``,
        ``"First by Joss: 0.8"``, or a class name such as ``"HardProber"``), an axelrod
        ``Player`` class or instance gives an :class:`ExternalStrategy`, played on the slow
        path (this needs the axelrod library, imported on first use). A herz machine
        exported with :func:`~herz.models.iterated.to_axelrod` gives the machine back.
    game:
        The stage game, for strategies that depend on it (``generous-tit-for-tat``).

    Raises
    ------
    InputError
        When ``name`` is unknown: listing the valid herz names, saying that axelrod names are
        accepted (when axelrod is installed) and suggesting close matches.
    """
    if isinstance(name, Strategy):
        return name
    from herz.models.iterated import _axelrod

    if not isinstance(name, str):
        inner = getattr(name, "herz_strategy", None)  # a herz machine exported by to_axelrod
        if isinstance(inner, Strategy) and not isinstance(name, type):
            return inner
        player = _axelrod.from_object(name)
        if player is None:
            raise InputError(
                f"a strategy must be a name, a Strategy or an axelrod Player, got {name!r}.",
                value=name,
            )
        return _external(player)
    native = _native(name, game)
    if native is not None:
        return native
    found = _axelrod.lookup(name)
    if found is not None:
        return _external(found)
    raise InputError(
        f"unknown strategy {name!r}; valid choices: {', '.join(strategy_names())} "
        f"({_unknown_strategy_hint(name)}).",
        field="strategies",
        value=name,
    )


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


def _check_rate(name: str, value: float) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number in [0, 1], got {value!r}.", field=name) from None
    if not (math.isfinite(x) and 0.0 <= x <= 1.0):
        raise InputError(
            f"{name} must be a rate in [0, 1], got {value!r}.", field=name, value=value
        )
    return x


#: The most turns a match (or repetitions a tournament) may have: as many as a run's steps.
MAX_TURNS = 100_000


def _check_prob_end(value: float | None) -> float | None:
    if value is None:
        return None
    x = _check_rate("prob_end", value)
    if x == 0.0:
        return None
    return x


def _as_game(game: Game | Sequence[float] | None) -> Game:
    if game is None:
        return Game()
    if isinstance(game, Game):
        return game
    vals = list(game)
    if len(vals) != 4:
        raise InputError(f"game must be (R, T, S, P), got {game!r}.", field="game", value=game)
    return Game(*vals)


def _entropy(seed: int | None) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}.", field="seed")
    return int(seed)


# --------------------------------------------------------------------------------------------
# The kernel
# --------------------------------------------------------------------------------------------


@dataclass
class _Tables:
    """The machines of several strategies stacked into one global state space."""

    p: FloatArray  # (n_total,)
    trans: IntArray  # (n_total * 4,) flat: next = trans[4*s + 2*own + seen]
    start: IntArray  # (n_strategies,) global initial state of each strategy
    stochastic: bool


def _stack(strategies: Sequence[Strategy]) -> _Tables:
    if any(s.slow for s in strategies):
        raise RuntimeError("external strategies have no tables: use _play_mixed")
    offsets = np.cumsum([0] + [s.n_states for s in strategies])
    p = np.concatenate([s.p_cooperate for s in strategies])
    trans = np.concatenate(
        [(s.transitions + off).reshape(-1) for s, off in zip(strategies, offsets, strict=False)]
    )
    start = np.array(
        [s.initial_state + off for s, off in zip(strategies, offsets, strict=False)],
        dtype=np.int64,
    )
    return _Tables(p, trans.astype(np.int64), start, any(s.stochastic for s in strategies))


@dataclass
class _KernelOut:
    score_a: FloatArray  # (M,) total payoff of the row player
    score_b: FloatArray
    coop_a: IntArray  # (M,) number of turns the row player restrained
    coop_b: IntArray
    lengths: IntArray  # (M,)
    actions_a: NDArray[np.int8] | None  # (M, T) true actions, -1 after the end
    actions_b: NDArray[np.int8] | None
    seen_a: NDArray[np.int8] | None  # (M, T) what the row player saw the column player do
    seen_b: NDArray[np.int8] | None


def _match_lengths_and_uniforms(
    keys: Sequence[tuple[int, ...]],
    entropy: int,
    turns: int,
    prob_end: float | None,
) -> tuple[IntArray, FloatArray]:
    """Per-match lengths and the (T, M, 6) uniforms, one stream per (pair, repetition) key.

    One loop over matches, before the loop over turns: the stream of a match depends only on
    (entropy, key).
    """
    m = len(keys)
    lengths = np.full(m, turns, dtype=np.int64)
    drawn: list[FloatArray] = []
    for i, key in enumerate(keys):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy, spawn_key=key)))
        r = rng.random()
        if prob_end is not None:
            # axelrod's inverse transform sampling: n = ceil(ln(1 - r) / ln(1 - prob_end))
            n = 1 if prob_end >= 1.0 else math.ceil(math.log1p(-r) / math.log1p(-prob_end))
            lengths[i] = max(1, min(turns, n))
        drawn.append(rng.random((int(lengths[i]), _N_UNIFORMS)))
    t_max = int(lengths.max()) if m else 0
    u = np.zeros((t_max, m, _N_UNIFORMS))
    for i, block in enumerate(drawn):
        u[: block.shape[0], i, :] = block
    return lengths, u


def _run_kernel(
    tables: _Tables,
    idx_a: IntArray,
    idx_b: IntArray,
    payoff: FloatArray,
    lengths: IntArray,
    uniforms: FloatArray | None,
    noise: float,
    misperception: float,
    record: bool,
) -> _KernelOut:
    """Advance M matches together, one vectorised step per turn.

    ``idx_a``/``idx_b`` (M,) are strategy indices into ``tables``; ``payoff[own, other]`` is
    the row payoff (2×2); ``uniforms`` (T, M, 6) or None when nothing is random.
    """
    m = idx_a.shape[0]
    t_max = int(lengths.max()) if m else 0
    p_all, trans = tables.p, tables.trans
    sa = tables.start[idx_a].copy()
    sb = tables.start[idx_b].copy()
    pay_flat = payoff.reshape(-1)  # index 2*own + other
    score_a = np.zeros(m)
    score_b = np.zeros(m)
    coop_a = np.zeros(m, dtype=np.int64)
    coop_b = np.zeros(m, dtype=np.int64)
    variable = bool(np.any(lengths != t_max))
    rec_a = rec_b = seen_rec_a = seen_rec_b = None
    if record:
        rec_a = np.full((m, t_max), -1, dtype=np.int8)
        rec_b = np.full((m, t_max), -1, dtype=np.int8)
        seen_rec_a = np.full((m, t_max), -1, dtype=np.int8)
        seen_rec_b = np.full((m, t_max), -1, dtype=np.int8)
    stochastic = tables.stochastic and uniforms is not None
    for t in range(t_max):
        pa = p_all[sa]
        pb = p_all[sb]
        if stochastic:
            assert uniforms is not None
            ut = uniforms[t]
            a = (ut[:, 0] >= pa).astype(np.int64)  # 1 = D
            b = (ut[:, 1] >= pb).astype(np.int64)
        else:
            a = (pa < 0.5).astype(np.int64)
            b = (pb < 0.5).astype(np.int64)
        if noise > 0.0:
            assert uniforms is not None
            a ^= uniforms[t, :, 2] < noise
            b ^= uniforms[t, :, 3] < noise
        if misperception > 0.0:
            assert uniforms is not None
            seen_by_a = b ^ (uniforms[t, :, 4] < misperception)
            seen_by_b = a ^ (uniforms[t, :, 5] < misperception)
        else:
            seen_by_a, seen_by_b = b, a
        ga = pay_flat[2 * a + b]
        gb = pay_flat[2 * b + a]
        if variable:
            active = t < lengths
            score_a += np.where(active, ga, 0.0)
            score_b += np.where(active, gb, 0.0)
            coop_a += active & (a == C)
            coop_b += active & (b == C)
        else:
            score_a += ga
            score_b += gb
            coop_a += a == C
            coop_b += b == C
        if record:
            assert rec_a is not None and rec_b is not None
            assert seen_rec_a is not None and seen_rec_b is not None
            rec_a[:, t] = a
            rec_b[:, t] = b
            seen_rec_a[:, t] = seen_by_a
            seen_rec_b[:, t] = seen_by_b
        sa = trans[4 * sa + 2 * a + seen_by_a]
        sb = trans[4 * sb + 2 * b + seen_by_b]
    if record and variable:
        assert rec_a is not None and rec_b is not None
        assert seen_rec_a is not None and seen_rec_b is not None
        past = np.arange(t_max)[None, :] >= lengths[:, None]
        for arr in (rec_a, rec_b, seen_rec_a, seen_rec_b):
            arr[past] = -1
    return _KernelOut(
        score_a, score_b, coop_a, coop_b, lengths, rec_a, rec_b, seen_rec_a, seen_rec_b
    )


def _payoff_table(game: Game) -> FloatArray:
    return np.array([[game.R, game.S], [game.T, game.P]], dtype=np.float64)


def _play_batched(
    tables: _Tables,
    idx_a: IntArray,
    idx_b: IntArray,
    keys: Sequence[tuple[int, ...]],
    game: Game,
    turns: int,
    noise: float,
    misperception: float,
    prob_end: float | None,
    entropy: int,
    record: bool,
) -> _KernelOut:
    """Run the kernel over batches of matches whose random blocks fit in memory."""
    m = len(keys)
    needs_random = tables.stochastic or noise > 0 or misperception > 0 or prob_end is not None
    payoff = _payoff_table(game)
    if not needs_random:
        lengths = np.full(m, turns, dtype=np.int64)
        return _run_kernel(tables, idx_a, idx_b, payoff, lengths, None, 0.0, 0.0, record)
    batch = max(1, _BATCH_BYTES // (turns * _N_UNIFORMS * 8))
    outs: list[_KernelOut] = []
    for lo in range(0, m, batch):
        hi = min(m, lo + batch)
        lengths, u = _match_lengths_and_uniforms(keys[lo:hi], entropy, turns, prob_end)
        outs.append(
            _run_kernel(
                tables, idx_a[lo:hi], idx_b[lo:hi], payoff, lengths, u, noise, misperception, record
            )
        )
    if len(outs) == 1:
        return outs[0]

    def cat_rec(arrs: list[NDArray[np.int8] | None]) -> NDArray[np.int8] | None:
        if not record:
            return None
        width = max(a.shape[1] for a in arrs if a is not None)
        padded = []
        for a in arrs:
            assert a is not None
            pad = np.full((a.shape[0], width), -1, dtype=np.int8)
            pad[:, : a.shape[1]] = a
            padded.append(pad)
        return np.concatenate(padded)

    return _KernelOut(
        np.concatenate([o.score_a for o in outs]),
        np.concatenate([o.score_b for o in outs]),
        np.concatenate([o.coop_a for o in outs]),
        np.concatenate([o.coop_b for o in outs]),
        np.concatenate([o.lengths for o in outs]),
        cat_rec([o.actions_a for o in outs]),
        cat_rec([o.actions_b for o in outs]),
        cat_rec([o.seen_a for o in outs]),
        cat_rec([o.seen_b for o in outs]),
    )


# --------------------------------------------------------------------------------------------
# The slow path: matches with an external player, one at a time, turn by turn
# --------------------------------------------------------------------------------------------


class _MachineSide:
    """A herz machine as one side of a slow-path match (the kernel's rule, unvectorised)."""

    def __init__(self, s: Strategy, column: int) -> None:
        self.p = [float(x) for x in s.p_cooperate]
        self.tr: list[list[list[int]]] = s.transitions.tolist()
        self.state = int(s.initial_state)
        self.column = column  # 0 = row's choice uniform, 1 = column's

    def choose(self, u: list[float] | None) -> int:
        p = self.p[self.state]
        if u is None:
            return int(p < 0.5)
        return int(u[self.column] >= p)

    def record(self, own: int, seen: int) -> None:
        self.state = self.tr[self.state][own][seen]


class _ExternalSide:
    def __init__(self, agent: ExternalAgent) -> None:
        self.agent = agent

    def choose(self, u: list[float] | None) -> int:
        return 1 if self.agent.choose() else 0

    def record(self, own: int, seen: int) -> None:
        self.agent.record(own, seen)


def _side(
    s: Strategy,
    column: int,
    opponent: Strategy,
    key: tuple[int, ...],
    entropy: int,
    game: Game,
    turns: int,
    noise: float,
    prob_end: float | None,
) -> _MachineSide | _ExternalSide:
    if not isinstance(s, ExternalStrategy):
        return _MachineSide(s, column)
    # the agent's own randomness: child `column` of the match's stream (module docstring)
    child = np.random.SeedSequence(entropy, spawn_key=(*key, column))
    seed = int(child.generate_state(1, dtype=np.uint32)[0])
    length: float = turns if prob_end is None else math.inf  # an int, as axelrod gives it
    agent = s.external.new_agent(
        opponent=opponent.name, seed=seed, game=game, length=length, noise=noise
    )
    return _ExternalSide(agent)


def _play_slow_match(
    sa: Strategy,
    sb: Strategy,
    key: tuple[int, ...],
    game: Game,
    turns: int,
    noise: float,
    misperception: float,
    prob_end: float | None,
    entropy: int,
) -> tuple[float, float, int, int, int, NDArray[np.int8]]:
    """One match on the slow path, with the kernel's semantics and the match's own stream.

    Returns (score_a, score_b, coop_a, coop_b, length, record) where ``record`` has shape
    (length, 4): row's action, column's action, row's view of column, column's view of row.
    """
    needs_random = (
        sa.stochastic or sb.stochastic or noise > 0 or misperception > 0 or prob_end is not None
    )
    uniforms: list[list[float]] | None = None  # per turn, the six uniforms of the module doc
    n = turns
    if needs_random:
        lengths, block = _match_lengths_and_uniforms([key], entropy, turns, prob_end)
        n = int(lengths[0])
        uniforms = block[:n, 0, :].tolist()
    side_a = _side(sa, 0, sb, key, entropy, game, turns, noise, prob_end)
    side_b = _side(sb, 1, sa, key, entropy, game, turns, noise, prob_end)
    pay = _payoff_table(game).tolist()
    rows: list[tuple[int, int, int, int]] = []
    score_a = score_b = 0.0
    coop_a = coop_b = 0
    for t in range(n):
        u = uniforms[t] if uniforms is not None else None
        a = side_a.choose(u)
        b = side_b.choose(u)
        if noise > 0.0:
            assert u is not None
            a ^= int(u[2] < noise)
            b ^= int(u[3] < noise)
        if misperception > 0.0:
            assert u is not None
            seen_a = b ^ int(u[4] < misperception)
            seen_b = a ^ int(u[5] < misperception)
        else:
            seen_a, seen_b = b, a
        score_a += pay[a][b]
        score_b += pay[b][a]
        coop_a += a == C
        coop_b += b == C
        rows.append((a, b, seen_a, seen_b))
        side_a.record(a, seen_a)
        side_b.record(b, seen_b)
    rec = np.array(rows, dtype=np.int8).reshape(n, 4)
    return score_a, score_b, coop_a, coop_b, n, rec


def _play_mixed(
    strategies: Sequence[Strategy],
    idx_a: IntArray,
    idx_b: IntArray,
    keys: Sequence[tuple[int, ...]],
    game: Game,
    turns: int,
    noise: float,
    misperception: float,
    prob_end: float | None,
    entropy: int,
    record: bool,
) -> _KernelOut:
    """Play matches among machines and external strategies.

    Without external strategies this is :func:`_play_batched` on the stacked machines, call for
    call. Otherwise the matches between machines run through :func:`_play_batched` as well
    (each with its own stream, so with the same numbers as without the others), and every
    match with an external strategy runs on the slow path (a deterministic one only once when
    nothing is random: its repetitions are copies); the outputs are merged in the given order.
    """
    external = np.array([s.slow for s in strategies], dtype=bool)
    if not external.any():
        return _play_batched(
            _stack(strategies),
            idx_a,
            idx_b,
            keys,
            game,
            turns,
            noise,
            misperception,
            prob_end,
            entropy,
            record,
        )
    m = len(keys)
    slow = external[idx_a] | external[idx_b]
    score_a = np.zeros(m)
    score_b = np.zeros(m)
    coop_a = np.zeros(m, dtype=np.int64)
    coop_b = np.zeros(m, dtype=np.int64)
    lengths = np.zeros(m, dtype=np.int64)
    recs: list[NDArray[np.int8] | None] = [None] * 4
    fast_rows = np.flatnonzero(~slow)
    fast_out: _KernelOut | None = None
    if fast_rows.size:
        machines = np.flatnonzero(~external)
        position = np.full(len(strategies), -1, dtype=np.int64)
        position[machines] = np.arange(machines.size)
        fast_out = _play_batched(
            _stack([strategies[i] for i in machines.tolist()]),
            position[idx_a[fast_rows]],
            position[idx_b[fast_rows]],
            [keys[i] for i in fast_rows.tolist()],
            game,
            turns,
            noise,
            misperception,
            prob_end,
            entropy,
            record,
        )
        score_a[fast_rows] = fast_out.score_a
        score_b[fast_rows] = fast_out.score_b
        coop_a[fast_rows] = fast_out.coop_a
        coop_b[fast_rows] = fast_out.coop_b
        lengths[fast_rows] = fast_out.lengths
    slow_recs: dict[int, NDArray[np.int8]] = {}
    # Without noise, misperception or prob_end, a match between deterministic players is the
    # same in every repetition: it is played once (axelrod's deterministic cache does the same).
    fixed = noise == 0.0 and misperception == 0.0 and prob_end is None
    played: dict[tuple[int, int], tuple[float, float, int, int, int, NDArray[np.int8]]] = {}
    for i in np.flatnonzero(slow).tolist():
        ia, ib = int(idx_a[i]), int(idx_b[i])
        sa, sb = strategies[ia], strategies[ib]
        reuse = fixed and not sa.stochastic and not sb.stochastic
        if reuse and (ia, ib) in played:
            got = played[(ia, ib)]
        else:
            got = _play_slow_match(
                sa, sb, tuple(keys[i]), game, turns, noise, misperception, prob_end, entropy
            )
            if reuse:
                played[(ia, ib)] = got
        score_a[i], score_b[i], coop_a[i], coop_b[i], lengths[i], slow_recs[i] = got
    if record:
        width = int(lengths.max()) if m else 0
        recs = [np.full((m, width), -1, dtype=np.int8) for _ in range(4)]
        if fast_out is not None:
            fast = (fast_out.actions_a, fast_out.actions_b, fast_out.seen_a, fast_out.seen_b)
            for target, part in zip(recs, fast, strict=True):
                assert target is not None and part is not None
                target[fast_rows, : part.shape[1]] = part
        for i, rec in slow_recs.items():
            for j, target in enumerate(recs):
                assert target is not None
                target[i, : rec.shape[0]] = rec[:, j]
    return _KernelOut(score_a, score_b, coop_a, coop_b, lengths, *recs)


# --------------------------------------------------------------------------------------------
# Matches
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MatchEnsemble:
    """Many independent repetitions of one match, played together.

    Attributes
    ----------
    players:
        The two strategy names (row, column).
    actions:
        Shape (repetitions, turns, 2), int8: the true actions (0 = C, 1 = D; −1 after a
        match's end when lengths vary).
    perceived:
        Shape (repetitions, turns, 2): what each side saw the *other* do (column 0: row's
        view of column; column 1: column's view of row). Equal to the swapped true actions
        without misperception.
    scores:
        Shape (repetitions, 2): total payoffs.
    lengths:
        Shape (repetitions,): the number of turns played.
    """

    players: tuple[str, str]
    actions: NDArray[np.int8]
    perceived: NDArray[np.int8]
    scores: FloatArray
    lengths: IntArray
    game: Game

    @property
    def score_per_turn(self) -> FloatArray:
        """Shape (repetitions, 2): mean payoff per turn of each side."""
        return self.scores / self.lengths[:, None]

    @property
    def cooperation_rate(self) -> FloatArray:
        """Shape (repetitions, 2): the share of turns each side restrained."""
        played = self.actions >= 0
        rate: FloatArray = ((self.actions == C) & played).sum(axis=1) / self.lengths[:, None]
        return rate


@dataclass(frozen=True, eq=False)
class MatchResult:
    """One match: per-turn actions and payoffs.

    ``actions`` and ``perceived`` have shape (turns, 2) (row, column; 0 = C, 1 = D),
    ``scores`` the per-turn payoffs, shape (turns, 2).
    """

    players: tuple[str, str]
    actions: NDArray[np.int8]
    perceived: NDArray[np.int8]
    game: Game

    @property
    def history(self) -> list[tuple[str, str]]:
        """The actions as letters, e.g. ``[("C", "C"), ("C", "D"), ...]``."""
        letters = np.array(["C", "D"])
        return [(str(letters[a]), str(letters[b])) for a, b in self.actions]

    @property
    def scores(self) -> FloatArray:
        """Shape (turns, 2): each side's payoff per turn."""
        pay = _payoff_table(self.game)
        a, b = self.actions[:, 0].astype(np.intp), self.actions[:, 1].astype(np.intp)
        return np.stack([pay[a, b], pay[b, a]], axis=1)

    @property
    def final_scores(self) -> tuple[float, float]:
        """Total payoffs (row, column)."""
        tot = self.scores.sum(axis=0)
        return float(tot[0]), float(tot[1])

    @property
    def score_per_turn(self) -> tuple[float, float]:
        """Mean payoff per turn (row, column)."""
        n = self.actions.shape[0]
        a, b = self.final_scores
        return a / n, b / n


def play_matches(
    player: str | Strategy | Any,
    opponent: str | Strategy | Any,
    *,
    repetitions: int = 1,
    turns: int = 200,
    noise: float = 0.0,
    misperception: float = 0.0,
    prob_end: float | None = None,
    game: Game | Sequence[float] | None = None,
    seed: int | None = None,
) -> MatchEnsemble:
    """Play ``repetitions`` independent matches of ``player`` (row) against ``opponent``.

    All repetitions advance together (vectorised). Repetition r draws from the stream keyed
    (0, r) under ``seed`` (see the module docstring). With an axelrod player (an
    :class:`ExternalStrategy`) the repetitions are played one by one on the slow path.

    Parameters
    ----------
    turns:
        Match length, or the cap on it when ``prob_end`` is given.
    noise:
        Implementation noise ε (axelrod's convention): each action flips with probability ε.
    misperception:
        Each side's view of the other's action flips with probability μ.
    prob_end:
        Probability that the match ends after each turn (continuation probability
        1 − prob_end), as axelrod's ``prob_end``.
    """
    g = _as_game(game)
    reps = positive_int("repetitions", repetitions)
    turns = positive_int("turns", turns, most=MAX_TURNS)
    noise = _check_rate("noise", noise)
    mis = _check_rate("misperception", misperception)
    pe = _check_prob_end(prob_end)
    sa, sb = get_strategy(player, game=g), get_strategy(opponent, game=g)
    idx_a = np.zeros(reps, dtype=np.int64)
    idx_b = np.ones(reps, dtype=np.int64)
    keys = [(0, r) for r in range(reps)]
    out = _play_mixed(
        [sa, sb], idx_a, idx_b, keys, g, turns, noise, mis, pe, _entropy(seed), record=True
    )
    assert out.actions_a is not None and out.actions_b is not None
    assert out.seen_a is not None and out.seen_b is not None
    return MatchEnsemble(
        players=(sa.name, sb.name),
        actions=np.stack([out.actions_a, out.actions_b], axis=2),
        perceived=np.stack([out.seen_a, out.seen_b], axis=2),
        scores=np.stack([out.score_a, out.score_b], axis=1),
        lengths=out.lengths,
        game=g,
    )


def play_match(
    player: str | Strategy | Any,
    opponent: str | Strategy | Any,
    *,
    turns: int = 200,
    noise: float = 0.0,
    misperception: float = 0.0,
    prob_end: float | None = None,
    game: Game | Sequence[float] | None = None,
    seed: int | None = None,
) -> MatchResult:
    """Play one match of ``player`` (row) against ``opponent``; see :func:`play_matches`."""
    ens = play_matches(
        player,
        opponent,
        repetitions=1,
        turns=turns,
        noise=noise,
        misperception=misperception,
        prob_end=prob_end,
        game=game,
        seed=seed,
    )
    n = int(ens.lengths[0])
    return MatchResult(
        players=ens.players,
        actions=ens.actions[0, :n].copy(),
        perceived=ens.perceived[0, :n].copy(),
        game=ens.game,
    )


# --------------------------------------------------------------------------------------------
# Tournaments
# --------------------------------------------------------------------------------------------


def _unique_names(strategies: Sequence[Strategy]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for s in strategies:
        k = seen.get(s.name, 0) + 1
        seen[s.name] = k
        out.append(s.name if k == 1 else f"{s.name}#{k}")
    return out


@dataclass(frozen=True, eq=False)
class TournamentResult:
    """The results of a round-robin tournament, with axelrod's conventions.

    Attributes
    ----------
    players:
        Unique player names in the order given (a repeated strategy gets ``#2``, ``#3``...).
    payoffs:
        Shape (n, n, repetitions): mean payoff per turn of player i against player j in each
        repetition (axelrod's ``payoffs``). The diagonal holds the match against a copy of
        itself, averaged over the two copies.
    scores:
        Shape (n, repetitions): total payoff of each player over its matches against the
        others, self-play excluded (axelrod's ``scores``).
    normalised_scores:
        Shape (n, repetitions): mean over the other players of the payoff per turn
        (axelrod's ``normalised_scores``).
    cooperation:
        Shape (n, n): turns player i restrained against j, summed over repetitions (the
        diagonal averaged over the two copies).
    match_lengths:
        Shape (n, n, repetitions): the number of turns of each match.
    slow_path:
        The players that are :class:`ExternalStrategy` objects (axelrod players): their
        matches were played on the slow path, turn by turn in Python (see :attr:`note`).
        Empty when every player is a herz machine and the whole tournament ran vectorised.
    """

    players: list[str]
    strategies: list[Strategy]
    game: Game
    turns: int
    repetitions: int
    noise: float
    misperception: float
    prob_end: float | None
    seed: int
    payoffs: FloatArray
    scores: FloatArray
    normalised_scores: FloatArray
    cooperation: FloatArray
    match_lengths: IntArray = field(repr=False)
    slow_path: list[str] = field(default_factory=list)

    @property
    def note(self) -> str:
        """One sentence on the slow path, or "" when the whole tournament ran vectorised."""
        if not self.slow_path:
            return ""
        names = ", ".join(self.slow_path)
        who = "an axelrod player" if len(self.slow_path) == 1 else "axelrod players"
        return (
            f"slow path: the matches of {names} ({who}) were played turn by turn in Python, "
            "the others vectorised."
        )

    @property
    def mean_scores(self) -> dict[str, float]:
        """Player -> mean payoff per turn against the others, over all repetitions."""
        m = self.normalised_scores.mean(axis=1)
        return {p: float(v) for p, v in zip(self.players, m, strict=True)}

    @property
    def ranking(self) -> list[str]:
        """Players from best to worst by median normalised score (axelrod's rule; stable)."""
        med = np.median(self.normalised_scores, axis=1)
        order = sorted(range(len(self.players)), key=lambda i: -med[i])
        return [self.players[i] for i in order]

    @property
    def payoff_array(self) -> FloatArray:
        """Shape (n, n): mean payoff per turn of i against j over repetitions."""
        out: FloatArray = self.payoffs.mean(axis=2)
        return out

    @property
    def payoff_matrix(self) -> pd.DataFrame:
        """The per-pair payoff matrix (mean payoff per turn of row against column)."""
        import pandas as pd

        return pd.DataFrame(self.payoff_array, index=self.players, columns=self.players)

    @property
    def cooperation_matrix(self) -> pd.DataFrame:
        """Share of turns the row player restrained against the column player."""
        import pandas as pd

        total = self.match_lengths.sum(axis=2)
        return pd.DataFrame(self.cooperation / total, index=self.players, columns=self.players)

    @property
    def cooperation_rates(self) -> dict[str, float]:
        """Player -> share of turns it restrained in its matches against the others."""
        n = len(self.players)
        off = ~np.eye(n, dtype=bool)
        total = self.match_lengths.sum(axis=2)
        rates = (self.cooperation * off).sum(axis=1) / (total * off).sum(axis=1)
        return {p: float(v) for p, v in zip(self.players, rates, strict=True)}

    def to_frame(self) -> pd.DataFrame:
        """One row per player, best first: rank, mean and median score, cooperation rate."""
        import pandas as pd

        means = self.mean_scores
        coop = self.cooperation_rates
        idx = {p: i for i, p in enumerate(self.players)}
        rows = []
        for rank, p in enumerate(self.ranking, start=1):
            ns = self.normalised_scores[idx[p]]
            rows.append(
                {
                    "rank": rank,
                    "player": p,
                    "mean_score": means[p],
                    "median_score": float(np.median(ns)),
                    "std_score": float(np.std(ns)),
                    "cooperation_rate": coop[p],
                }
            )
        return pd.DataFrame(rows).set_index("rank")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: players, mean_scores, ranking, payoff_matrix and the settings."""
        return {
            "players": list(self.players),
            "mean_scores": self.mean_scores,
            "ranking": self.ranking,
            "payoff_matrix": self.payoff_array.tolist(),
            "cooperation_rates": self.cooperation_rates,
            "turns": self.turns,
            "repetitions": self.repetitions,
            "noise": self.noise,
            "misperception": self.misperception,
            "prob_end": self.prob_end,
            "seed": self.seed,
            "game": self.game.payoffs,
            "slow_path": list(self.slow_path),
        }

    def plot(self, *, ax: Any = None) -> Figure:
        """Heat map of the payoff matrix (mean payoff per turn of row against column)."""
        from herz.plots.games import payoff_heatmap

        return payoff_heatmap(self.payoff_array, self.players, self._title(), ax=ax)

    def _title(self) -> str:
        bits = [f"{self.turns} turns", f"{self.repetitions} repetitions"]
        if self.noise:
            bits.append(f"noise {self.noise:g}")
        if self.misperception:
            bits.append(f"misperception {self.misperception:g}")
        return "Tournament payoffs per turn (" + ", ".join(bits) + ")"


def tournament(
    strategies: Sequence[str | Strategy | Any],
    turns: int = 200,
    repetitions: int = 10,
    noise: float = 0.0,
    misperception: float = 0.0,
    seed: int | None = None,
    *,
    prob_end: float | None = None,
    game: Game | Sequence[float] | None = None,
) -> TournamentResult:
    """A round-robin tournament with repetitions, all matches advancing together.

    Every pair (i, j), i ≤ j, plays ``repetitions`` matches, self-play included as in the
    axelrod library (its scores are left out of ``scores`` and ``normalised_scores``). Match
    (pair k, repetition r) draws from the stream keyed (k, r) under ``seed``, so results do
    not depend on batching or on the order of execution. Without noise, misperception,
    ``prob_end`` and stochastic strategies nothing random is drawn and the results equal
    axelrod's exactly (tested).

    Parameters
    ----------
    strategies:
        Names (see :func:`get_strategy`), :class:`Strategy` objects or axelrod ``Player``
        classes or instances; at least two. Matches with an axelrod player run on the slow
        path (turn by turn in Python; :attr:`TournamentResult.slow_path` names them), the
        others vectorised.
    turns:
        Match length (the cap on it with ``prob_end``).
    repetitions:
        Number of repetitions of every match.
    noise, misperception:
        Implementation noise ε and misperception μ (see the module docstring).
    seed:
        Root seed; ``None`` draws fresh entropy (recorded in ``result.seed``).
    prob_end:
        Probability that a match ends after each turn.
    game:
        A :class:`~herz.models.games.Game` or (R, T, S, P); default (3, 5, 0, 1).

    Examples
    --------
    >>> res = tournament(["tit-for-tat", "defector", "cooperator"], turns=10, repetitions=1)
    >>> res.mean_scores["tit-for-tat"]  # (0.9 against the defector + 3 against cooperator) / 2
    1.95
    """
    g = _as_game(game)
    if isinstance(strategies, str):
        strategies = [s for s in strategies.split(",") if s.strip()]
    strats = [get_strategy(s, game=g) for s in strategies]
    if len(strats) < 2:
        raise InputError(
            f"a tournament needs at least two strategies, got {len(strats)}.", field="strategies"
        )
    turns = positive_int("turns", turns, most=MAX_TURNS)
    reps = positive_int("repetitions", repetitions, most=MAX_TURNS)
    noise = _check_rate("noise", noise)
    mis = _check_rate("misperception", misperception)
    pe = _check_prob_end(prob_end)
    entropy = _entropy(seed)

    n = len(strats)
    iu, ju = np.triu_indices(n)  # pairs (i <= j) in axelrod's order
    n_pairs = iu.shape[0]
    # match index = repetition * n_pairs + pair
    idx_a = np.tile(iu, reps).astype(np.int64)
    idx_b = np.tile(ju, reps).astype(np.int64)
    pair = np.tile(np.arange(n_pairs), reps)
    rep = np.repeat(np.arange(reps), n_pairs)
    keys = [(int(k), int(r)) for k, r in zip(pair, rep, strict=True)]
    out = _play_mixed(strats, idx_a, idx_b, keys, g, turns, noise, mis, pe, entropy, record=False)

    lengths = out.lengths.astype(np.float64)
    per_turn_a = out.score_a / lengths
    per_turn_b = out.score_b / lengths
    payoffs = np.zeros((n, n, reps))
    match_lengths = np.zeros((n, n, reps), dtype=np.int64)
    cooperation = np.zeros((n, n))
    self_play = idx_a == idx_b
    other = ~self_play
    # off-diagonal: each side of the match
    payoffs[idx_a[other], idx_b[other], rep[other]] = per_turn_a[other]
    payoffs[idx_b[other], idx_a[other], rep[other]] = per_turn_b[other]
    # diagonal: the two copies averaged (axelrod counts a self-match from both sides)
    payoffs[idx_a[self_play], idx_a[self_play], rep[self_play]] = (
        per_turn_a[self_play] + per_turn_b[self_play]
    ) / 2
    match_lengths[idx_a, idx_b, rep] = out.lengths
    match_lengths[idx_b, idx_a, rep] = out.lengths
    np.add.at(cooperation, (idx_a[other], idx_b[other]), out.coop_a[other])
    np.add.at(cooperation, (idx_b[other], idx_a[other]), out.coop_b[other])
    np.add.at(
        cooperation,
        (idx_a[self_play], idx_a[self_play]),
        (out.coop_a[self_play] + out.coop_b[self_play]) / 2,
    )
    totals = np.zeros((n, reps))
    np.add.at(totals, (idx_a[other], rep[other]), out.score_a[other])
    np.add.at(totals, (idx_b[other], rep[other]), out.score_b[other])
    off = ~np.eye(n, dtype=bool)
    normalised = (payoffs * off[:, :, None]).sum(axis=1) / (n - 1)
    players = _unique_names(strats)
    return TournamentResult(
        players=players,
        strategies=strats,
        game=g,
        turns=turns,
        repetitions=reps,
        noise=noise,
        misperception=mis,
        prob_end=pe,
        seed=entropy,
        payoffs=payoffs,
        scores=totals,
        normalised_scores=normalised,
        cooperation=cooperation,
        match_lengths=match_lengths,
        slow_path=[p for p, s in zip(players, strats, strict=True) if s.slow],
    )
