"""One-shot security games: Jervis's 2×2 games, their ordinal class and their Nash equilibria.

Two states choose, simultaneously, to **restrain** (C) or to **arm** (D). A symmetric 2×2 game
is given by four payoffs to the row state (Rapoport & Chammah 1965 notation)::

                 other C   other D
    own C (restrain)   R         S
    own D (arm)        T         P

and the column state's payoffs are the transpose. This module

* builds such a game from (R, T, S, P) or from Jervis's (1978) variables through a documented
  map (**ours**, see :meth:`Game.from_jervis`);
* names its ordinal class in a complete taxonomy of the 24 strict orderings (**ours**, built on
  the best-reply structure that organises Robinson & Goforth 2005; see :func:`classify`);
* lists all its Nash equilibria, pure and mixed, in closed form (:func:`nash_equilibria`);
* names Jervis's "world" for an offense–defense balance and its distinguishability
  (:func:`jervis_world`).

References
----------
Jervis, R. (1978). Cooperation under the security dilemma. *World Politics* 30(2), 167–214.
Rapoport, A. & Guyer, M. (1966). A taxonomy of 2×2 games. *General Systems* 11, 203–214.
Robinson, D. & Goforth, D. (2005). *The Topology of the 2×2 Games: A New Periodic Table*.
Routledge.
Nash, J. (1951). Non-cooperative games. *Annals of Mathematics* 54(2), 286–295.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from herz.errors import InputError

__all__ = [
    "CLASSES",
    "WORLDS",
    "Equilibrium",
    "Game",
    "classify",
    "jervis_world",
    "nash_equilibria",
    "ordering",
]

#: Every class name :func:`classify` can return, in the order of the taxonomy table.
CLASSES: tuple[str, ...] = (
    "Prisoner's Dilemma",
    "Deadlock",
    "Harmony",
    "Reversed Prisoner's Dilemma",
    "Stag Hunt",
    "Reversed Stag Hunt",
    "Chicken",
    "Leader",
    "Hero",
    "Reversed Chicken",
    "Reversed Leader",
    "Reversed Hero",
    "other",
)

#: Jervis's (1978, p. 211) four worlds, keyed by (offense has the advantage, distinguishable).
WORLDS: dict[tuple[bool, bool], str] = {
    (True, False): "doubly dangerous",
    (False, False): "security dilemma, but security requirements may be compatible",
    (True, True): (
        "no security dilemma, but aggression possible; status-quo states can follow different "
        "policies than aggressors; warning given"
    ),
    (False, True): "doubly stable",
}


def _check_finite(name: str, value: float) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(
            f"{name} must be a number, got {value!r}.", field=name, value=value
        ) from None
    if not math.isfinite(x):
        raise InputError(f"{name} must be a finite number, got {value!r}.", field=name, value=value)
    return x


def _check_unit(name: str, value: float) -> float:
    x = _check_finite(name, value)
    if not 0.0 <= x <= 1.0:
        raise InputError(f"{name} must lie in [0, 1], got {value!r}.", field=name, value=value)
    return x


def ordering(R: float, T: float, S: float, P: float) -> str:
    """The ordinal type of a game as a string such as ``"T>R>P>S"`` (ties shown with ``=``).

    The payoffs are listed from best to worst; equal payoffs are joined by ``=`` in the fixed
    order R, T, S, P.
    """
    vals = {"R": R, "T": T, "S": S, "P": P}
    order = sorted(vals, key=lambda k: (-vals[k], "RTSP".index(k)))
    out = order[0]
    for prev, cur in itertools.pairwise(order):
        out += ("=" if vals[cur] == vals[prev] else ">") + cur
    return out


def classify(R: float, T: float, S: float, P: float) -> str:
    """The ordinal class of the symmetric 2×2 game (R, T, S, P).

    The taxonomy (**ours**, documented in ``docs/games.md``) sorts the 24 strict orderings of
    (R, T, S, P) by each state's best replies, the structure on which Robinson & Goforth's
    (2005) topology is built, and then by which symmetric outcome the states prefer:

    ========================  =====================  =============================================
    best replies              R > P (restraint pays)  P > R (mutual arming preferred)
    ========================  =====================  =============================================
    arming dominant           Prisoner's Dilemma      Deadlock (5 orderings, incl. T>P>R>S)
    (T > R, P > S)            (T>R>P>S)
    restraint dominant        Harmony (5 orderings,   Reversed Prisoner's Dilemma (S>P>R>T)
    (R > T, S > P)            incl. R>T>S>P)
    coordination              Stag Hunt (R>T>P>S,     Reversed Stag Hunt (the three mirror
    (R > T, P > S)            R>P>T>S, R>P>S>T)       orderings)
    anti-coordination         Chicken (T>R>S>P),      Reversed Chicken (S>P>T>R), Reversed Leader
    (T > R, S > P)            Leader (T>S>R>P),       (S>T>P>R), Reversed Hero (T>S>P>R)
                              Hero (S>T>R>P)
    ========================  =====================  =============================================

    "Reversed X" is game X with the labels of restraint and arming swapped (R↔P, T↔S): the same
    strategic structure with the roles of the actions exchanged. The classical definitions
    (Rapoport & Guyer 1966; Snyder & Diesing 1977; MODELS.md §2) are the special cases named
    in brackets. Every strict ordering falls in exactly one class (tested).

    Games with ties get the class of MODELS.md's weak definitions where one applies, in this
    order: Prisoner's Dilemma (T > R > P > S), Chicken (T > R ≥ S > P), Stag Hunt
    (R > T ≥ P > S), Deadlock (T > P > R > S), Harmony (R ≥ T, S ≥ P and R ≥ P, not all
    equal); otherwise ``"other"``.
    """
    R, T, S, P = (_check_finite(n, v) for n, v in zip("RTSP", (R, T, S, P), strict=True))
    if len({R, T, S, P}) == 4:
        if T > R and P > S:
            return "Prisoner's Dilemma" if R > P else "Deadlock"
        if R > T and S > P:
            return "Harmony" if R > P else "Reversed Prisoner's Dilemma"
        if R > T and P > S:
            return "Stag Hunt" if R > P else "Reversed Stag Hunt"
        # anti-coordination: T > R and S > P
        if R > P:
            if R > S:
                return "Chicken"  # T > R > S > P
            return "Leader" if T > S else "Hero"  # T>S>R>P / S>T>R>P
        if P > T:
            return "Reversed Chicken"  # S > P > T > R
        return "Reversed Leader" if S > T else "Reversed Hero"  # S>T>P>R / T>S>P>R
    if T > R > P > S:
        return "Prisoner's Dilemma"
    if T > R >= S > P:
        return "Chicken"
    if R > T >= P > S:
        return "Stag Hunt"
    if T > P > R > S:
        return "Deadlock"
    if R >= T and S >= P and R >= P and not R == T == S == P:
        return "Harmony"
    return "other"


def jervis_world(offense_advantage: float, distinguishability: float) -> str:
    """Jervis's (1978, p. 211) world for an offense–defense balance and its distinguishability.

    Offense has the advantage when ``offense_advantage > 1/2``; offensive and defensive postures
    are distinguishable when ``distinguishability > 1/2`` (the cut at one half is ours: Jervis's
    table is dichotomous).

    ================  ======================  ===============================================
    offense           indistinguishable       distinguishable
    ================  ======================  ===============================================
    has advantage     doubly dangerous        no security dilemma, but aggression possible;
                                              status-quo states can follow different policies
                                              than aggressors; warning given
    has no advantage  security dilemma, but   doubly stable
                      security requirements
                      may be compatible
    ================  ======================  ===============================================
    """
    w = _check_unit("offense_advantage", offense_advantage)
    d = _check_unit("distinguishability", distinguishability)
    return WORLDS[(w > 0.5, d > 0.5)]


@dataclass(frozen=True)
class Equilibrium:
    """A Nash equilibrium of a 2×2 game.

    Attributes
    ----------
    row, column:
        Each state's mixed strategy as (probability of restraint C, probability of arming D).
    payoffs:
        The expected payoffs (row, column) at the equilibrium.
    kind:
        ``"pure"`` or ``"mixed"`` (a profile in which some state randomises).
    """

    row: tuple[float, float]
    column: tuple[float, float]
    payoffs: tuple[float, float]
    kind: str

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return {
            "row": list(self.row),
            "column": list(self.column),
            "payoffs": list(self.payoffs),
            "kind": self.kind,
        }


Matrix = tuple[tuple[float, float], tuple[float, float]]


def _exact(x: float) -> Fraction:
    return Fraction(x)


def nash_equilibria(A: Matrix, B: Matrix | None = None) -> list[Equilibrium]:
    """All Nash equilibria of the 2×2 bimatrix game (A, B), pure and mixed, in closed form.

    ``A[i][j]`` is the row player's payoff and ``B[i][j]`` the column player's when row plays
    i and column plays j (0 = C, 1 = D); ``B = Aᵀ`` (a symmetric game) when omitted.

    Method (Nash 1951; e.g. Osborne 2004, §4.3): let p be row's probability of C and q
    column's. Row's payoff advantage of C over D is linear in q,
    ``d_r(q) = q·(A00 − A10) + (1 − q)·(A01 − A11)``, and column's is linear in p,
    ``d_c(p) = p·(B00 − B01) + (1 − p)·(B10 − B11)``. (p, q) is an equilibrium iff p is a best
    reply to q (p = 1 if d_r > 0, p = 0 if d_r < 0, any p if d_r = 0) and likewise q to p.
    Every extreme point of the equilibrium set lies on the grid {0, 1, p*} × {0, 1, q*}, where
    p* and q* are the unique roots of d_c and d_r in [0, 1] when those functions are not
    identically zero (when one is, the other player's best-reply graph supplies the corners).
    The candidates are checked in exact rational arithmetic, and those that are extreme points
    of the equilibrium set are returned: for a nondegenerate game these are its isolated
    equilibria (an odd number: 1 or 3), for a degenerate game the endpoints of its equilibrium
    segments, as in vertex enumeration (Avis et al. 2010; nashpy's ``vertex_enumeration``).

    Returns the equilibria sorted by (row's p, column's q), each with its expected payoffs.
    """
    if B is None:
        B = ((A[0][0], A[1][0]), (A[0][1], A[1][1]))
    a = [[_exact(_check_finite("payoff", A[i][j])) for j in range(2)] for i in range(2)]
    b = [[_exact(_check_finite("payoff", B[i][j])) for j in range(2)] for i in range(2)]

    def d_r(q: Fraction) -> Fraction:
        return q * (a[0][0] - a[1][0]) + (1 - q) * (a[0][1] - a[1][1])

    def d_c(p: Fraction) -> Fraction:
        return p * (b[0][0] - b[0][1]) + (1 - p) * (b[1][0] - b[1][1])

    def root(f0: Fraction, f1: Fraction) -> list[Fraction]:
        # root in [0, 1] of the linear function x -> f0 + x (f1 - f0), when it is not constant
        if f0 == f1:
            return []
        x = f0 / (f0 - f1)
        return [x] if 0 <= x <= 1 else []

    ps = sorted({Fraction(0), Fraction(1), *root(d_c(Fraction(0)), d_c(Fraction(1)))})
    qs = sorted({Fraction(0), Fraction(1), *root(d_r(Fraction(0)), d_r(Fraction(1)))})

    def best_p(p: Fraction, q: Fraction) -> bool:
        d = d_r(q)
        return (d > 0 and p == 1) or (d < 0 and p == 0) or d == 0

    def best_q(p: Fraction, q: Fraction) -> bool:
        d = d_c(p)
        return (d > 0 and q == 1) or (d < 0 and q == 0) or d == 0

    eq = {(p, q) for p in ps for q in qs if best_p(p, q) and best_q(p, q)}

    def interior(p: Fraction, q: Fraction) -> bool:
        # (p, q) lies strictly inside an equilibrium segment of the grid: its two neighbours
        # along one axis are equilibria and so is every point between (linearity of d_r, d_c).
        for axis_vals, along_p in ((ps, True), (qs, False)):
            x = p if along_p else q
            i = axis_vals.index(x)
            if 0 < i < len(axis_vals) - 1:
                lo, hi = axis_vals[i - 1], axis_vals[i + 1]
                pts = [(lo, q), (hi, q)] if along_p else [(p, lo), (p, hi)]
                if all(pt in eq for pt in pts):
                    mids = (
                        [((lo + x) / 2, q), ((x + hi) / 2, q)]
                        if along_p
                        else [
                            (p, (lo + x) / 2),
                            (p, (x + hi) / 2),
                        ]
                    )
                    if all(best_p(*m) and best_q(*m) for m in mids):
                        return True
        return False

    out: list[Equilibrium] = []
    for p, q in sorted(eq):
        if interior(p, q):
            continue
        u_row = (
            p * q * a[0][0]
            + p * (1 - q) * a[0][1]
            + (1 - p) * q * a[1][0]
            + (1 - p) * (1 - q) * a[1][1]
        )
        u_col = (
            p * q * b[0][0]
            + p * (1 - q) * b[0][1]
            + (1 - p) * q * b[1][0]
            + (1 - p) * (1 - q) * b[1][1]
        )
        kind = "pure" if p in (0, 1) and q in (0, 1) else "mixed"
        out.append(
            Equilibrium(
                row=(float(p), float(1 - p)),
                column=(float(q), float(1 - q)),
                payoffs=(float(u_row), float(u_col)),
                kind=kind,
            )
        )
    return out


@dataclass(frozen=True)
class Game:
    """A symmetric 2×2 security game: restrain (C) or arm (D).

    Parameters
    ----------
    R, T, S, P:
        The row state's payoffs for (C, C), (D, C), (C, D) and (D, D); the column state's are
        symmetric. The default (3, 5, 0, 1) is Axelrod's (1984) Prisoner's Dilemma.
    offense_advantage, distinguishability:
        Jervis's variables when the game was built by :meth:`from_jervis` (else ``None``).

    Examples
    --------
    >>> Game(3, 5, 0, 1).game_class
    "Prisoner's Dilemma"
    >>> Game.from_jervis(0.2, 0.0).game_class
    'Stag Hunt'
    """

    R: float = 3.0
    T: float = 5.0
    S: float = 0.0
    P: float = 1.0
    offense_advantage: float | None = None
    distinguishability: float | None = None

    def __post_init__(self) -> None:
        for name in "RTSP":
            object.__setattr__(self, name, _check_finite(name, getattr(self, name)))

    @classmethod
    def from_payoffs(cls, R: float, T: float, S: float, P: float) -> Game:
        """The game with payoffs (R, T, S, P)."""
        return cls(R, T, S, P)

    @classmethod
    def from_jervis(
        cls,
        offense_advantage: float,
        distinguishability: float,
        *,
        cost: float = 0.5,
        stakes: float = 1.0,
    ) -> Game:
        """The game implied by Jervis's (1978) variables, through our documented map.

        **Ours.** Each state values its security at ``stakes`` v > 0; arming costs ``cost``
        c ≥ 0; ω = ``offense_advantage`` and δ = ``distinguishability`` lie in [0, 1]::

            R = v                      both restrain: security kept at no cost
            T = v − c + ω·v            arming against a restrainer gains the spoils ω·v of
                                       offense (larger the more offense has the advantage)
            P = v − c                  both arm: the balance holds, both pay for arms
            S = v − (1 − δ)·(ω·v + c)  caught restraining: lose the spoils ω·v and still have
                                       to arm (c); a distinguishable, non-threatening defensive
                                       posture (Jervis) averts the fraction δ of that loss

        Hence T > R iff ω > c/v (offense pays) and S > P iff δ·c > (1 − δ)·ω·v. With δ = 0 the
        game is a Stag Hunt while ω < c/v (defense dominant: cooperation is possible but
        fear of exploitation remains) and a Prisoner's Dilemma when ω > c/v (offense
        dominant), as Jervis argues; with δ near 1 it is Harmony (defense dominant) or Chicken
        (offense dominant: aggression pays, but a status-quo state does better to stay
        defensive than to race). The defaults c = 0.5, v = 1 put the Stag Hunt/Prisoner's
        Dilemma boundary at ω = 1/2, the cut :func:`jervis_world` uses.
        """
        w = _check_unit("offense_advantage", offense_advantage)
        d = _check_unit("distinguishability", distinguishability)
        c = _check_finite("cost", cost)
        v = _check_finite("stakes", stakes)
        if c < 0:
            raise InputError(f"cost must be non-negative, got {cost!r}.", field="cost", value=cost)
        if v <= 0:
            raise InputError(
                f"stakes must be positive, got {stakes!r}.", field="stakes", value=stakes
            )
        return cls(
            R=v,
            T=v - c + w * v,
            S=v - (1.0 - d) * (w * v + c),
            P=v - c,
            offense_advantage=w,
            distinguishability=d,
        )

    @property
    def payoffs(self) -> dict[str, float]:
        """The payoffs as a dictionary ``{"R": .., "T": .., "S": .., "P": ..}``."""
        return {"R": self.R, "T": self.T, "S": self.S, "P": self.P}

    @property
    def matrix(self) -> Matrix:
        """The row state's payoff matrix ``[[R, S], [T, P]]`` (rows: own C, D)."""
        return ((self.R, self.S), (self.T, self.P))

    @property
    def game_class(self) -> str:
        """The ordinal class (:func:`classify`)."""
        return classify(self.R, self.T, self.S, self.P)

    @property
    def ordering(self) -> str:
        """The ordinal type, e.g. ``"T>R>P>S"`` (:func:`ordering`)."""
        return ordering(self.R, self.T, self.S, self.P)

    @property
    def equilibria(self) -> list[Equilibrium]:
        """All Nash equilibria, pure and mixed (:func:`nash_equilibria`)."""
        return nash_equilibria(self.matrix)

    @property
    def world(self) -> str | None:
        """Jervis's world (:func:`jervis_world`), or ``None`` when built from bare payoffs."""
        if self.offense_advantage is None or self.distinguishability is None:
            return None
        return jervis_world(self.offense_advantage, self.distinguishability)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary: payoffs, class, ordering, equilibria, world."""
        return {
            "payoffs": self.payoffs,
            "class": self.game_class,
            "ordering": self.ordering,
            "equilibria": [e.to_dict() for e in self.equilibria],
            "world": self.world,
            "offense_advantage": self.offense_advantage,
            "distinguishability": self.distinguishability,
        }
