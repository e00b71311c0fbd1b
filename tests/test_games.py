"""One-shot security games: taxonomy, Nash equilibria (vs nashpy), Jervis's map and worlds."""

from __future__ import annotations

import itertools
import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from herz.errors import InputError
from herz.models.games import (
    CLASSES,
    WORLDS,
    Game,
    classify,
    jervis_world,
    nash_equilibria,
    ordering,
)

nashpy = pytest.importorskip("nashpy")


def _nashpy_equilibria(A: np.ndarray, B: np.ndarray) -> set[tuple[float, float]]:
    """Reference: nashpy's vertex enumeration (payoffs shifted positive, as its polytopes need)."""
    game = nashpy.Game(A - A.min() + 1.0, B - B.min() + 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eqs = list(game.vertex_enumeration())
    return {(round(float(s[0]), 9) + 0.0, round(float(t[0]), 9) + 0.0) for s, t in eqs}


def _ours(A: np.ndarray, B: np.ndarray) -> set[tuple[float, float]]:
    eqs = nash_equilibria(tuple(map(tuple, A.tolist())), tuple(map(tuple, B.tolist())))
    return {(round(e.row[0], 9) + 0.0, round(e.column[0], 9) + 0.0) for e in eqs}


# --- taxonomy -------------------------------------------------------------------------------

STRICT_ORDERINGS = list(itertools.permutations("RTSP"))


def _game_from_order(order: tuple[str, ...]) -> tuple[float, float, float, float]:
    rank = {k: 4 - i for i, k in enumerate(order)}  # best gets 4
    return rank["R"], rank["T"], rank["S"], rank["P"]


@pytest.mark.parametrize("order", STRICT_ORDERINGS, ids=">".join)
def test_every_strict_ordering_has_a_named_class(order: tuple[str, ...]) -> None:
    R, T, S, P = _game_from_order(order)
    cls = classify(R, T, S, P)
    assert cls in CLASSES
    assert cls != "other"
    assert ordering(R, T, S, P) == ">".join(order)


def test_classical_definitions() -> None:
    # Rapoport & Guyer (1966); Snyder & Diesing (1977); MODELS.md §2
    assert classify(3, 5, 0, 1) == "Prisoner's Dilemma"  # T > R > P > S
    assert classify(4, 3, 1, 2) == "Stag Hunt"  # R > T > P > S
    assert classify(3, 4, 2, 1) == "Chicken"  # T > R > S > P
    assert classify(2, 4, 1, 3) == "Deadlock"  # T > P > R > S
    assert classify(4, 3, 2, 1) == "Harmony"  # R > T > S > P
    assert classify(2, 4, 3, 1) == "Leader"  # T > S > R > P
    assert classify(2, 3, 4, 1) == "Hero"  # S > T > R > P
    # weak definitions with ties
    assert classify(4, 2, 0, 2) == "Stag Hunt"  # R > T = P > S
    assert classify(3, 3, 1, 1) == "Harmony"  # R = T, S = P
    assert classify(1, 1, 1, 1) == "other"


def test_each_class_partitions_the_orderings_as_documented() -> None:
    counts: dict[str, int] = {}
    for order in STRICT_ORDERINGS:
        c = classify(*_game_from_order(order))
        counts[c] = counts.get(c, 0) + 1
    assert counts == {
        "Prisoner's Dilemma": 1,
        "Deadlock": 5,
        "Harmony": 5,
        "Reversed Prisoner's Dilemma": 1,
        "Stag Hunt": 3,
        "Reversed Stag Hunt": 3,
        "Chicken": 1,
        "Leader": 1,
        "Hero": 1,
        "Reversed Chicken": 1,
        "Reversed Leader": 1,
        "Reversed Hero": 1,
    }


MIRROR = {
    "Prisoner's Dilemma": "Reversed Prisoner's Dilemma",
    "Deadlock": "Harmony",
    "Stag Hunt": "Reversed Stag Hunt",
    "Chicken": "Reversed Chicken",
    "Leader": "Reversed Leader",
    "Hero": "Reversed Hero",
}
MIRROR |= {v: k for k, v in MIRROR.items()}


@pytest.mark.parametrize("order", STRICT_ORDERINGS, ids=">".join)
def test_relabelling_actions_mirrors_the_class(order: tuple[str, ...]) -> None:
    # swapping the labels C <-> D maps (R, T, S, P) to (P, S, T, R)
    R, T, S, P = _game_from_order(order)
    assert classify(P, S, T, R) == MIRROR[classify(R, T, S, P)]


distinct_payoffs = st.lists(
    st.floats(min_value=-100, max_value=100, allow_nan=False), min_size=4, max_size=4
).filter(lambda v: len({round(x, 6) for x in v}) == 4)


@given(distinct_payoffs, st.floats(min_value=0.01, max_value=50), st.floats(-50, 50))
def test_class_is_ordinal(vals: list[float], scale: float, shift: float) -> None:
    R, T, S, P = vals
    cls = classify(R, T, S, P)
    assert cls in CLASSES and cls != "other"
    assert classify(*(scale * v + shift for v in vals)) == cls


# --- Nash equilibria ------------------------------------------------------------------------


def test_prisoners_dilemma_has_only_mutual_arming() -> None:
    eqs = Game(3, 5, 0, 1).equilibria
    assert len(eqs) == 1
    assert eqs[0].row == (0.0, 1.0) and eqs[0].column == (0.0, 1.0)
    assert eqs[0].payoffs == (1.0, 1.0) and eqs[0].kind == "pure"


@pytest.mark.parametrize(("R", "T", "S", "P"), [(4, 3, 1, 2), (3, 4, 2, 1), (10, 7, -3, 2)])
def test_mixed_equilibrium_closed_form(R: float, T: float, S: float, P: float) -> None:
    # symmetric mixed equilibrium: q R + (1-q) S = q T + (1-q) P  =>  q = (P - S)/(R - T - S + P)
    q = Fraction(P - S, R - T - S + P)
    eqs = Game(R, T, S, P).equilibria
    mixed = [e for e in eqs if e.kind == "mixed"]
    assert len(eqs) == 3 and len(mixed) == 1
    assert mixed[0].row[0] == pytest.approx(float(q), abs=1e-15)
    assert mixed[0].column[0] == pytest.approx(float(q), abs=1e-15)
    value = q * R + (1 - q) * S
    assert mixed[0].payoffs[0] == pytest.approx(float(value), abs=1e-12)


@given(
    st.lists(st.floats(-10, 10, allow_nan=False), min_size=8, max_size=8),
)
def test_equilibria_equal_nashpy_on_random_games(vals: list[float]) -> None:
    A = np.array(vals[:4]).reshape(2, 2)
    B = np.array(vals[4:]).reshape(2, 2)
    # generic games (ties make vertex enumeration's floating-point output fragile)
    diffs = [A[0, 0] - A[1, 0], A[0, 1] - A[1, 1], B[0, 0] - B[0, 1], B[1, 0] - B[1, 1]]
    assume(all(abs(d) > 1e-3 for d in diffs))
    assume(abs(diffs[0] - diffs[1]) > 1e-3 and abs(diffs[2] - diffs[3]) > 1e-3)
    assert _ours(A, B) == _nashpy_equilibria(A, B)


@given(st.lists(st.integers(-2, 2), min_size=8, max_size=8))
def test_equilibria_equal_nashpy_on_degenerate_integer_games(vals: list[int]) -> None:
    # small integer payoffs: many ties, segments of equilibria; compare extreme points
    A = np.array(vals[:4], dtype=float).reshape(2, 2)
    B = np.array(vals[4:], dtype=float).reshape(2, 2)
    assert _ours(A, B) == _nashpy_equilibria(A, B)


@given(st.lists(st.floats(-10, 10, allow_nan=False), min_size=8, max_size=8))
def test_equilibria_admit_no_profitable_deviation(vals: list[float]) -> None:
    A = np.array(vals[:4]).reshape(2, 2)
    B = np.array(vals[4:]).reshape(2, 2)
    eqs = nash_equilibria(tuple(map(tuple, A.tolist())), tuple(map(tuple, B.tolist())))
    assert len(eqs) >= 1  # Nash (1951)
    for e in eqs:
        x, y = np.array(e.row), np.array(e.column)
        assert np.all(A @ y <= x @ A @ y + 1e-9)
        assert np.all(x @ B <= x @ B @ y + 1e-9)
        assert e.payoffs[0] == pytest.approx(float(x @ A @ y), abs=1e-9)


# --- Jervis ---------------------------------------------------------------------------------


def test_jervis_worlds() -> None:
    assert jervis_world(0.9, 0.1) == "doubly dangerous"
    assert jervis_world(0.1, 0.9) == "doubly stable"
    assert jervis_world(0.1, 0.1).startswith("security dilemma, but security requirements")
    assert jervis_world(0.9, 0.9).startswith("no security dilemma, but aggression possible")
    assert set(WORLDS.values()) == {jervis_world(w, d) for w in (0.0, 1.0) for d in (0.0, 1.0)}


@pytest.mark.parametrize(
    ("w", "d", "cls"),
    [
        (0.2, 0.0, "Stag Hunt"),  # defense dominant, indistinguishable
        (0.8, 0.0, "Prisoner's Dilemma"),  # offense dominant, indistinguishable
        (0.2, 0.9, "Harmony"),  # doubly stable
        (0.8, 0.9, "Chicken"),  # aggression possible, no dilemma for the status quo
    ],
)
def test_jervis_map_corners(w: float, d: float, cls: str) -> None:
    assert Game.from_jervis(w, d).game_class == cls


def test_jervis_map_payoffs_by_hand() -> None:
    g = Game.from_jervis(0.6, 0.25, cost=0.4, stakes=2.0)
    # R = v, T = v - c + w v, P = v - c, S = v - (1 - d)(w v + c)
    assert g.payoffs == pytest.approx({"R": 2.0, "T": 2.8, "P": 1.6, "S": 0.8})


@given(
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0, 1),
    st.floats(0.01, 5),
    st.floats(0.01, 10),
)
def test_jervis_map_monotone(w1: float, w2: float, d: float, c: float, v: float) -> None:
    lo, hi = sorted((w1, w2))
    g_lo = Game.from_jervis(lo, d, cost=c, stakes=v)
    g_hi = Game.from_jervis(hi, d, cost=c, stakes=v)
    assert g_hi.T >= g_lo.T  # offense advantage raises the temptation
    assert g_hi.S <= g_lo.S  # ... and the loss of being exploited
    g_d = Game.from_jervis(hi, min(1.0, d + 0.1), cost=c, stakes=v)
    assert g_d.S >= g_hi.S  # distinguishability reduces the loss
    # the Stag Hunt / Prisoner's Dilemma boundary is at w = c / v when d = 0
    w = hi
    if abs(w - c / v) > 1e-9 and w * v > 1e-9 * (v + c):  # w*v not lost to rounding
        expected = "Prisoner's Dilemma" if w > c / v else "Stag Hunt"
        assert Game.from_jervis(w, 0.0, cost=c, stakes=v).game_class == expected


def test_to_dict_keys() -> None:
    d = Game.from_jervis(0.8, 0.1).to_dict()
    assert {"payoffs", "class", "equilibria", "world"} <= set(d)
    assert d["world"] == "doubly dangerous"
    assert Game(3, 5, 0, 1).to_dict()["world"] is None


@pytest.mark.parametrize(
    "call",
    [
        lambda: Game.from_jervis(1.5, 0.0),
        lambda: Game.from_jervis(0.5, -0.1),
        lambda: Game.from_jervis(0.5, 0.5, stakes=0),
        lambda: Game.from_jervis(0.5, 0.5, cost=-1),
        lambda: Game(float("nan"), 1, 2, 3),
        lambda: jervis_world(2, 0),
    ],
)
def test_bad_input(call: object) -> None:
    with pytest.raises(InputError):
        call()  # type: ignore[operator]
