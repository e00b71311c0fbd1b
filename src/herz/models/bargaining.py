"""War as a bargaining failure: Fearon (1995) and Powell (1999, 2006), in closed form.

J. D. Fearon (1995), "Rationalist Explanations for War", *International Organization* 49(3):
379–414; R. Powell (1999), *In the Shadow of Power: States and Strategies in International
Politics* (Princeton University Press); R. Powell (2006), "War as a Commitment Problem",
*International Organization* 60(1): 169–203. docs/bargaining.md has the equations, their sources
and what is ours.

Pure, vectorized functions (NumPy; every argument broadcasts, the ensemble axis first where there
is one, time last in a path). Nothing here draws random numbers or reads a scenario: the spiral
model's crises are to call these functions, and the tests check them against the papers.

The setting (Fearon 1995, section "War as a bargaining failure")
----------------------------------------------------------------
Two states, A and B, bargain over a stake normalized to the interval [0, 1]; x is A's share and
1 − x is B's. Both are risk neutral. A war is a costly lottery: A wins (and takes the whole stake)
with probability p, and the states pay costs c_A, c_B > 0, in units of the stake. So A expects
p − c_A from war and B expects 1 − p − c_B. Every x in the **bargaining range**

    p − c_A < x < p + c_B

leaves both better off than war (Fearon 1995, the first proposition of the section, and his
Figure 1). With complete information and no problem of commitment, a range that is never empty
(c_A + c_B > 0) means no war: the **rationalist puzzle**. Fearon's two answers, and Powell's
development of the second, are the other functions:

* private information with an incentive to misrepresent: the **risk–return trade-off**
  (:func:`risk_return_uniform`, :func:`risk_return_optimal`);
* commitment problems: **pre-emption** under a first-strike advantage
  (:func:`preemptive_war`), **preventive war** under a shift in power
  (:func:`commitment_problem`, :func:`fearon_preventive_war`, :func:`preventive_war_path`), and
  bargaining over **sources of future power** (:func:`transfer_power_shift`);
* :func:`rationalist_war` puts them together: each mechanism, and whether any of them brings war.

The cost of war is an input of every function. :func:`expected_attrition` and :func:`war_cost`
turn a Lanchester war into c_A, c_B (an operationalization that is **ours**);
:func:`expected_war_costs` gives a square-law war's expected losses, duration and outcome when
it ends at a breakpoint or by a separate peace at an exponential time (closed form, Lanchester
1916), and :func:`attrition_war_cost` turns them into one state's cost in units of the stake,
the spiral model's ``cost_model: attrition`` (issue #11).

Page references are to the journal's pagination, by section; we could not check them, or any
equation numbers, against the full texts (docs/bargaining.md, "What we could check"). Where an
inequality below is our algebra on the papers' set-up, the docstring says so and derives it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from herz.errors import InputError
from herz.models.lanchester import breakpoint_time, closed_form

__all__ = [
    "Attrition",
    "ExpectedWar",
    "Offer",
    "WarCauses",
    "WarCost",
    "attrition_war_cost",
    "bargaining_range",
    "commitment_problem",
    "expected_attrition",
    "expected_war_costs",
    "fearon_preventive_war",
    "first_strike_range",
    "minmax_commitment_problem",
    "preemptive_war",
    "preventive_war_path",
    "proposer_utility",
    "rationalist_war",
    "risk_return_optimal",
    "risk_return_uniform",
    "shift_threshold",
    "transfer_power_shift",
    "war_cost",
    "win_probability",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: A's belief about B's private cost: ``cdf(d)`` is the probability that c_B < d, evaluated
#: element-wise on an array d of shape ``S + (n,)`` (S the broadcast shape of the other
#: arguments), returning an array of that shape.
CostCDF = Callable[[FloatArray], ArrayLike]

_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


# -- validation --------------------------------------------------------------------------------
def _float(name: str, value: ArrayLike) -> FloatArray:
    arr = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} must be finite", value=value)
    return arr


def _probability(name: str, value: ArrayLike) -> FloatArray:
    arr = _float(name, value)
    if np.any((arr < 0.0) | (arr > 1.0)):
        raise InputError(f"{name} must lie in [0, 1]", value=value)
    return arr


def _cost(name: str, value: ArrayLike) -> FloatArray:
    arr = _float(name, value)
    if np.any(arr < 0.0):
        raise InputError(f"{name} must be ≥ 0 (a cost of war, in units of the stake)", value=value)
    return arr


def _discount(value: ArrayLike) -> FloatArray:
    arr = _float("delta", value)
    if np.any((arr <= 0.0) | (arr >= 1.0)):
        raise InputError("delta (the discount factor) must lie in (0, 1)", value=value)
    return arr


# -- the bargaining range ----------------------------------------------------------------------
def bargaining_range(p: ArrayLike, c_a: ArrayLike, c_b: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """The bargaining range ``(p − c_A, p + c_B)``: A's shares both states prefer to war.

    Fearon (1995), pp. 386–388 and Figure 1: with A winning a war with probability p and the
    states' costs c_A, c_B (shares of the stake), A prefers x to war when x > p − c_A and B when
    1 − x > 1 − p − c_B, i.e. x < p + c_B. The range has width c_A + c_B > 0, so it is never empty:
    with positive costs there are always settlements both sides prefer to fighting. The bounds
    are returned as they are (not clipped to [0, 1]).

    Parameters
    ----------
    p:
        A's probability of winning a war, in [0, 1].
    c_a, c_b:
        The states' costs of war, ≥ 0, as shares of the stake.

    Returns
    -------
    (low, high):
        The bounds of the range, broadcast.
    """
    p_ = _probability("p", p)
    ca, cb = _cost("c_a", c_a), _cost("c_b", c_b)
    low, high = np.broadcast_arrays(p_ - ca, p_ + cb)
    return np.array(low, dtype=float), np.array(high, dtype=float)


# -- private information: the risk-return trade-off --------------------------------------------
@dataclass(frozen=True)
class Offer:
    """A proposer's optimal take-it-or-leave-it demand under private information.

    Attributes
    ----------
    demand:
        A's demanded share x* of the stake (B is offered 1 − x*).
    p_war:
        The probability that B rejects, i.e. of war: F(x* − p).
    utility:
        A's expected utility at x*: x*(1 − F) + (p − c_A)F.
    """

    demand: FloatArray
    p_war: FloatArray
    utility: FloatArray


def proposer_utility(x: ArrayLike, p: ArrayLike, c_a: ArrayLike, cdf: CostCDF) -> FloatArray:
    """A's expected utility from demanding x when B's cost is private: the risk–return trade-off.

    Fearon (1995), section "War due to private information and incentives to misrepresent"
    (pp. 390–401): A makes a take-it-or-leave-it demand x; B, whose cost c_B only B knows, accepts
    when 1 − x ≥ 1 − p − c_B, i.e. when c_B ≥ x − p. With F A's belief about c_B,

        U_A(x) = x·(1 − F(x − p)) + (p − c_A)·F(x − p).

    Raising x raises what A keeps if B accepts (the return) and the probability F(x − p) that B
    fights (the risk). ``cdf`` receives the array ``x − p`` and must return P(c_B < x − p)
    element-wise (for a continuous belief, F itself).
    """
    x_ = _float("x", x)
    p_, ca = _float("p", p), _float("c_a", c_a)
    d = x_ - p_
    f = np.clip(np.asarray(cdf(d), dtype=float), 0.0, 1.0)
    return np.asarray(x_ * (1.0 - f) + (p_ - ca) * f, dtype=float)


def risk_return_uniform(
    p: ArrayLike, c_a: ArrayLike, c_b_low: ArrayLike, c_b_high: ArrayLike
) -> Offer:
    """The optimal demand and the probability of war when c_B is uniform on [c_low, c_high].

    The set-up is Fearon's (1995, pp. 390–401; see :func:`proposer_utility`): A demands x, B
    accepts when c_B ≥ x − p. The solution for a uniform belief is our derivation. Write
    d = x − p (A's premium over its war odds) and w = c_high − c_low. On c_low ≤ d ≤ c_high,
    F(d) = (d − c_low)/w and

        U_A = p + d·(1 − F(d)) − c_A·F(d),
        dU_A/dd = (1 − F) − (d + c_A)·F′ = (c_high − d − d − c_A)/w,

    which is strictly concave with its peak at d = (c_high − c_A)/2. Below c_low, U_A = p + d
    rises (every type accepts), and above c_high, U_A = p − c_A (every type fights). A's share
    cannot exceed the stake (d ≤ 1 − p), so

        d* = min(clip((c_high − c_A)/2, c_low, c_high), 1 − p),
        x* = p + d*,    P(war) = clip((d* − c_low)/w, 0, 1).

    With c_low = 0 and c_high = c̄ (A knows only that B's cost lies between 0 and c̄):
    x* = p + (c̄ − c_A)/2 and P(war) = (c̄ − c_A)/(2c̄) when c_A < c̄, and no war when c_A ≥ c̄.
    P(war) falls as A's cost rises and as B's cost distribution shifts up (the same width);
    widening it (raising c̄ from 0) raises P(war), (c̄ − c_A)/(2c̄) growing toward 1/2. With
    complete information (w = 0) it is 0: A demands p + c_B, the top of the range, and B
    accepts (Fearon's complete-information benchmark).

    Parameters
    ----------
    p:
        A's probability of winning, in [0, 1].
    c_a:
        A's cost of war (known to both), ≥ 0.
    c_b_low, c_b_high:
        The support of A's uniform belief about B's cost, 0 ≤ c_low ≤ c_high.
    """
    p_ = _probability("p", p)
    ca = _cost("c_a", c_a)
    lo, hi = _cost("c_b_low", c_b_low), _cost("c_b_high", c_b_high)
    if np.any(hi < lo):
        raise InputError("c_b_high must be ≥ c_b_low", value=c_b_high)
    p_, ca, lo, hi = np.broadcast_arrays(p_, ca, lo, hi)
    width = hi - lo
    d = np.minimum(np.clip((hi - ca) / 2.0, lo, hi), 1.0 - p_)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(width > 0.0, np.clip((d - lo) / width, 0.0, 1.0), 0.0)
    utility = p_ + d * (1.0 - f) - ca * f
    return Offer(
        np.asarray(p_ + d, dtype=float),
        np.asarray(f, dtype=float),
        np.asarray(utility, dtype=float),
    )


def risk_return_optimal(
    p: ArrayLike,
    c_a: ArrayLike,
    cdf: CostCDF,
    *,
    grid: int = 1025,
    iterations: int = 60,
) -> Offer:
    """The optimal demand for any belief about B's cost, found numerically (all cases at once).

    Maximizes :func:`proposer_utility` over demands x in [p, 1] (a demand below p is accepted by
    every type with c_B ≥ 0 and gains less than x = p, so it is never optimal): a grid search of
    ``grid`` points, then golden-section search on the grid cells either side of the best point,
    ``iterations`` steps (the bracket shrinks by 0.618 per step). U_A need not be unimodal for an
    arbitrary belief; the grid finds the global peak to within a cell, the refinement its
    position. For a uniform belief this agrees with :func:`risk_return_uniform` (tested).

    Parameters
    ----------
    p, c_a:
        A's probability of winning and its cost (broadcast to a shape S).
    cdf:
        ``cdf(d)`` = P(c_B < d) for an array d of shape ``S + (n,)``, the belief broadcast along
        the last axis, e.g. ``lambda d: scipy.stats.beta.cdf(d, 2, 5, scale=c_max[..., None])``.
        The belief must put no mass on negative costs.
    grid:
        Points of the initial grid, ≥ 3.
    iterations:
        Golden-section steps.
    """
    if grid < 3:
        raise InputError("grid must be ≥ 3", value=grid)
    p_, ca = np.broadcast_arrays(_probability("p", p), _cost("c_a", c_a))
    p_, ca = np.asarray(p_, dtype=float), np.asarray(ca, dtype=float)
    span = 1.0 - p_
    t = np.linspace(0.0, 1.0, grid)
    d_grid = span[..., None] * t  # shape S + (grid,)
    u = _utility_of_premium(d_grid, p_[..., None], ca[..., None], cdf)
    best = np.argmax(u, axis=-1)
    step = span / (grid - 1)
    lo = np.maximum(best - 1, 0) * step
    hi = np.minimum(best + 1, grid - 1) * step
    for _ in range(iterations):
        m1 = hi - _GOLDEN * (hi - lo)
        m2 = lo + _GOLDEN * (hi - lo)
        pair = np.stack([m1, m2], axis=-1)
        u_pair = _utility_of_premium(pair, p_[..., None], ca[..., None], cdf)
        left = u_pair[..., 0] >= u_pair[..., 1]
        hi = np.where(left, m2, hi)
        lo = np.where(left, lo, m1)
    d_star = (lo + hi) / 2.0
    u_star = _utility_of_premium(d_star[..., None], p_[..., None], ca[..., None], cdf)[..., 0]
    u_grid = np.take_along_axis(u, best[..., None], axis=-1)[..., 0]
    d_grid_best = best * step
    use_grid = u_grid > u_star  # never worse than the best grid point
    d_final = np.where(use_grid, d_grid_best, d_star)
    f = np.clip(np.asarray(cdf(d_final[..., None]), dtype=float), 0.0, 1.0)
    f = np.broadcast_to(f, (*d_final.shape, 1))[..., 0]
    utility = p_ + d_final * (1.0 - f) - ca * f
    return Offer(
        np.asarray(p_ + d_final, dtype=float),
        np.asarray(f, dtype=float),
        np.asarray(utility, dtype=float),
    )


def _utility_of_premium(d: FloatArray, p: FloatArray, c_a: FloatArray, cdf: CostCDF) -> FloatArray:
    f = np.clip(np.asarray(cdf(d), dtype=float), 0.0, 1.0)
    return np.asarray(p + d * (1.0 - f) - c_a * f, dtype=float)


# -- commitment problems: pre-emption ----------------------------------------------------------
def first_strike_range(
    p_first: ArrayLike, p_second: ArrayLike, c_a: ArrayLike, c_b: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """The self-enforcing range ``(p_f − c_A, p_s + c_B)`` under a first-strike advantage.

    Fearon (1995), "Preemptive war and offensive advantages" (pp. 402–404): p_f is the probability
    that A wins if A strikes first, p_s if A strikes second (B first), p_f ≥ p ≥ p_s. A deal x
    holds only if neither side would rather attack: x ≥ p_f − c_A for A and
    1 − x ≥ 1 − p_s − c_B, i.e. x ≤ p_s + c_B, for B. With p_f = p_s = p this is
    :func:`bargaining_range`; the advantage p_f − p_s narrows it from both ends.
    """
    pf, ps = _probability("p_first", p_first), _probability("p_second", p_second)
    if np.any(pf < ps):
        raise InputError("p_first must be ≥ p_second (striking first cannot hurt)", value=p_first)
    ca, cb = _cost("c_a", c_a), _cost("c_b", c_b)
    low, high = np.broadcast_arrays(pf - ca, ps + cb)
    return np.array(low, dtype=float), np.array(high, dtype=float)


def preemptive_war(
    p_first: ArrayLike, p_second: ArrayLike, c_a: ArrayLike, c_b: ArrayLike
) -> BoolArray:
    """Pre-emptive war: the first-strike advantage exceeds the costs, ``p_f − p_s > c_A + c_B``.

    Fearon (1995), pp. 402–404: the self-enforcing range of :func:`first_strike_range` is empty,
    and no deal is safe from a surprise attack, exactly when p_f − c_A > p_s + c_B, i.e. when the
    first-strike advantage p_f − p_s is larger than the sum of the costs. The one-sided case
    (only A gains from striking first, so B striking first leaves A at p) is p_s = p:
    war iff p_f − p > c_A + c_B. At equality the range is a single, self-enforcing point: no war.
    """
    low, high = first_strike_range(p_first, p_second, c_a, c_b)
    return np.asarray(low > high, dtype=bool)


# -- commitment problems: shifting power -------------------------------------------------------
def minmax_commitment_problem(
    m_declining_now: ArrayLike, m_rising_next: ArrayLike, delta: ArrayLike
) -> BoolArray:
    """Powell's (2006) general condition: ``M_D(t) + δ·M_R(t+1) > 1/(1 − δ)``.

    Powell (2006), pp. 180–184 ("a common mechanism"): states divide a flow of 1 per period,
    discounted by δ, so the whole future is worth 1/(1 − δ). M_D(t) is what the declining state D
    can get by fighting at t (its minmax payoff, present value at t), M_R(t+1) what the rising
    state R can get by fighting at t+1. Today the most D can be given is the whole flow, 1, and
    the most R can credibly promise for the future is what it would not take by force then,
    1/(1 − δ) − M_R(t+1). D fights when even that is worth less than fighting now:

        M_D(t) > 1 + δ·(1/(1 − δ) − M_R(t+1))  ⇔  M_D(t) + δ·M_R(t+1) > 1/(1 − δ).

    Equivalently, with the bargaining surplus S(t) = 1/(1 − δ) − M_D(t) − M_R(t) (the costs of
    war), δ·M_R(t+1) − M_R(t) > S(t): the rising state's discounted gain in what it can take by
    force exceeds the surplus that fighting would destroy. The payoffs are inputs, so any
    technology of war (one-time or per-period costs, any win probability) fits.
    """
    d_, md, mr = (
        _discount(delta),
        _float("m_declining_now", m_declining_now),
        _float("m_rising_next", m_rising_next),
    )
    return np.asarray(md + d_ * mr > 1.0 / (1.0 - d_), dtype=bool)


def commitment_problem(
    p_now: ArrayLike, p_next: ArrayLike, c_a: ArrayLike, c_b: ArrayLike, delta: ArrayLike
) -> BoolArray:
    """Preventive war from a shift in power p_t → p_{t+1} (A's win probability), either way.

    :func:`minmax_commitment_problem` with the war payoffs of Fearon's (1995, p. 406) infinite-
    horizon model: fighting at t is absorbing and worth p_t/(1 − δ) − c_A to A and
    (1 − p_t)/(1 − δ) − c_B to B (c_A, c_B one-time costs, in units of one period's flow).
    Substituting is our algebra. If A declines (p_{t+1} < p_t) there is war iff

        δ·(p_t − p_{t+1}) > (1 − δ)·(1 − p_t + c_A + δ·c_B),

    and if B declines (p_{t+1} > p_t) iff

        δ·(p_{t+1} − p_t) > (1 − δ)·(p_t + c_B + δ·c_A).

    The left side is the discounted shift; the right side grows with the costs and shrinks as
    δ → 1. No shift, no war: the right side is positive. A large, rapid shift (a large left side
    in one period) brings war, the same total shift spread over many periods may not
    (:func:`preventive_war_path`).
    """
    d_ = _discount(delta)
    p0, p1 = _probability("p_now", p_now), _probability("p_next", p_next)
    ca, cb = _cost("c_a", c_a), _cost("c_b", c_b)
    a_declines = d_ * (p0 - p1) > (1.0 - d_) * (1.0 - p0 + ca + d_ * cb)
    b_declines = d_ * (p1 - p0) > (1.0 - d_) * (p0 + cb + d_ * ca)
    return np.asarray(a_declines | b_declines, dtype=bool)


def shift_threshold(
    p_now: ArrayLike, c_declining: ArrayLike, c_rising: ArrayLike, delta: ArrayLike
) -> FloatArray:
    """The largest one-period fall in the declining state's win probability without war.

    From :func:`commitment_problem` (our algebra): with q_t the *declining* state's probability of
    winning now, its fall q_t − q_{t+1} brings war iff it exceeds

        Δ* = (1 − δ)·(1 − q_t + c_D + δ·c_R) / δ.

    ``p_now`` is the declining state's own win probability here.
    """
    d_ = _discount(delta)
    q = _probability("p_now", p_now)
    cd, cr = _cost("c_declining", c_declining), _cost("c_rising", c_rising)
    return np.asarray((1.0 - d_) * (1.0 - q + cd + d_ * cr) / d_, dtype=float)


def fearon_preventive_war(
    p_now: ArrayLike, p_next: ArrayLike, c_b: ArrayLike, delta: ArrayLike
) -> BoolArray:
    """Fearon's (1995, pp. 404–406) preventive war: rising A makes the offers, B declines.

    Fearon's model: A's win probability rises from p_1 to p_2 > p_1 and stays there; A proposes
    each period, so from period 2 on it demands p_2 + (1 − δ)·c_B per period, leaving B exactly
    its war value (1 − p_2)/(1 − δ) − c_B. The best B can get without war is the whole stake now
    and that value later, 1 + δ·((1 − p_2)/(1 − δ) − c_B). B fights now when its war value today
    is larger; rearranged (our algebra):

        δ·(p_2 − p_1) > (1 − δ)·(p_1 + (1 − δ)·c_B).

    If B's expected decline in power is too large relative to its cost of war, B attacks.
    A's cost does not enter: A's proposals hold B to its reservation value, so A's inability to
    promise more is the commitment problem. The condition is weaker than
    :func:`commitment_problem` (which lets R promise all it would not take by force).
    """
    d_ = _discount(delta)
    p1, p2 = _probability("p_now", p_now), _probability("p_next", p_next)
    cb = _cost("c_b", c_b)
    return np.asarray(d_ * (p2 - p1) > (1.0 - d_) * (p1 + (1.0 - d_) * cb), dtype=bool)


def preventive_war_path(
    p_path: ArrayLike, c_a: ArrayLike, c_b: ArrayLike, delta: ArrayLike
) -> tuple[BoolArray, NDArray[np.int64]]:
    """:func:`commitment_problem` along paths of power: shape ``(runs, …, periods)``, time last.

    Applies the one-period condition between every pair of consecutive periods (each period's
    continuation valued as in Powell 2006 with the next period's war payoff; a path that keeps
    moving is checked one step at a time, which is how the condition is stated).

    Returns
    -------
    (war, first):
        ``war`` is whether the condition holds in some period; ``first`` the first such period
        t (the shift t → t+1), −1 where there is none. Both have the path's shape less its last
        axis.
    """
    path = _probability("p_path", p_path)
    if path.ndim < 1 or path.shape[-1] < 2:
        raise InputError("p_path needs at least two periods on its last axis", value=path.shape)
    ca = _cost("c_a", c_a)[..., None]
    cb = _cost("c_b", c_b)[..., None]
    d_ = _discount(delta)[..., None]
    hits = commitment_problem(path[..., :-1], path[..., 1:], ca, cb, d_)
    war = hits.any(axis=-1)
    first = np.where(war, np.argmax(hits, axis=-1), -1).astype(np.int64)
    return np.asarray(war, dtype=bool), first


def transfer_power_shift(
    p: ArrayLike,
    status_quo: ArrayLike,
    c_a: ArrayLike,
    c_b: ArrayLike,
    sensitivity: ArrayLike,
) -> FloatArray:
    """A's win probability after the concession needed to avoid war moves power with it (ours).

    Fearon (1995, pp. 408–409, "strategic territory") and Powell (2006, the third kind of
    commitment problem, "bargaining over issues that affect future bargaining power"): when the
    stake is itself a source of power, conceding part of it shifts the distribution of power, and
    the concession needed for peace today can create the shift that makes peace fail.

    The operationalization is **ours**. The status quo gives A the share q. If q lies in the
    bargaining range no concession is needed. If q < p − c_A, B must concede at least
    g = p − c_A − q to satisfy A; if q > p + c_B, A must concede g = q − p − c_B. The minimal
    concession moves A's win probability by ``sensitivity`` (s ≥ 0, power per unit of stake):

        p_{t+1} = clip(p + s·g, 0, 1)  (B concedes),   clip(p − s·g, 0, 1)  (A concedes).

    Feed p_{t+1} to :func:`commitment_problem`: the conceding side declines, and it fights when
    s·g is past :func:`shift_threshold`. With s = 0 the stake carries no power and nothing shifts.
    """
    p_ = _probability("p", p)
    q = _probability("status_quo", status_quo)
    ca, cb = _cost("c_a", c_a), _cost("c_b", c_b)
    s = _cost("sensitivity", sensitivity)
    gap_b = np.maximum(p_ - ca - q, 0.0)  # B must concede to A
    gap_a = np.maximum(q - p_ - cb, 0.0)  # A must concede to B
    return np.asarray(np.clip(p_ + s * gap_b - s * gap_a, 0.0, 1.0), dtype=float)


def win_probability(m_a: ArrayLike, m_b: ArrayLike, decisiveness: ArrayLike = 1.0) -> FloatArray:
    """A's probability of winning from forces: the ratio form ``m_A^k / (m_A^k + m_B^k)``.

    The contest success function of Tullock (1980) and Hirshleifer (1989, "Conflict and
    rent-seeking success functions", *Public Choice* 63: 101–112); k (``decisiveness``) > 0 is how
    much a force advantage tells. An endogenous shift in power comes from arming: the win
    probability before and after a build-up, fed to :func:`commitment_problem`. Equal forces
    (or both zero) give 1/2.
    """
    a, b = _cost("m_a", m_a), _cost("m_b", m_b)
    k = _float("decisiveness", decisiveness)
    if np.any(k <= 0.0):
        raise InputError("decisiveness must be > 0", value=decisiveness)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.power(b / a, k)  # A's share = 1 / (1 + (m_B/m_A)^k), stable for large k
        share = 1.0 / (1.0 + ratio)
    both_zero = (a == 0.0) & (b == 0.0)
    share = np.where(both_zero, 0.5, np.where(a == 0.0, 0.0, share))
    return np.asarray(share, dtype=float)


# -- the cost of war from attrition (ours) -----------------------------------------------------
@dataclass(frozen=True)
class Attrition:
    """Expected losses and duration of a war fought under Lanchester's square law.

    Attributes
    ----------
    loss_a, loss_b:
        The force each side loses before the first side reaches its breakpoint (force units).
    duration:
        Years until then (``inf`` if neither side ever breaks).
    a_wins:
        Whether B breaks first.
    """

    loss_a: FloatArray
    loss_b: FloatArray
    duration: FloatArray
    a_wins: BoolArray


def expected_attrition(
    x0: ArrayLike, y0: ArrayLike, a: ArrayLike, b: ArrayLike, breakpoint: float = 0.5
) -> Attrition:
    """Losses and duration of a square-law war, fought until a side falls to β of its force.

    Uses :func:`herz.models.lanchester.breakpoint_time` and
    :func:`herz.models.lanchester.closed_form` (Lanchester 1916; Taylor 1983): the war lasts
    T = min(t_x, t_y), the times at which x and y reach their breakpoints, and each side loses
    its initial force less its force at T. To turn uncertainty about the effectivenesses into an
    *expected* attrition, pass an ensemble of (a, b) and average the results over it: the
    operationalization is ours.
    """
    x0_, y0_ = _cost("x0", x0), _cost("y0", y0)
    a_, b_ = _float("a", a), _float("b", b)
    if np.any(a_ <= 0.0) or np.any(b_ <= 0.0):
        raise InputError("the effectivenesses a and b must be > 0", value=(a, b))
    if not 0.0 <= breakpoint < 1.0:
        raise InputError("breakpoint must lie in [0, 1)", value=breakpoint)
    tx = breakpoint_time(x0_, y0_, a_, b_, breakpoint)
    ty = breakpoint_time(y0_, x0_, b_, a_, breakpoint)
    t = np.minimum(tx, ty)
    finite = np.isfinite(t)
    x_t, y_t = closed_form(x0_, y0_, a_, b_, np.where(finite, t, 0.0))
    loss_x = np.where(finite, x0_ - np.maximum(x_t, 0.0), x0_)
    loss_y = np.where(finite, y0_ - np.maximum(y_t, 0.0), y0_)
    return Attrition(
        np.asarray(loss_x, dtype=float),
        np.asarray(loss_y, dtype=float),
        np.asarray(t, dtype=float),
        np.asarray(ty < tx, dtype=bool),
    )


def war_cost(
    loss: ArrayLike,
    duration: ArrayLike,
    stake: ArrayLike,
    *,
    value_per_unit: ArrayLike = 1.0,
    cost_per_year: ArrayLike = 0.0,
) -> FloatArray:
    """A state's cost of war as a share of the stake, from its expected attrition (ours).

        c = (value_per_unit · loss + cost_per_year · duration) / stake

    The operationalization is **ours**: Fearon (1995) and Powell (2006) take c_A, c_B as given.
    Every input is explicit: ``loss`` in force units (e.g. :class:`Attrition`'s ``loss_a``),
    ``value_per_unit`` what one unit of force is worth in the stake's unit, ``duration`` in years,
    ``cost_per_year`` the war's other costs per year (economy, blockade) in the stake's unit, and
    ``stake`` the value of what is bargained over (> 0). An infinite duration with a positive
    ``cost_per_year`` gives an infinite cost.
    """
    loss_, dur = _cost("loss", loss), np.asarray(duration, dtype=float)
    if np.any(np.isnan(dur)) or np.any(dur < 0.0):
        raise InputError("duration must be ≥ 0", value=duration)
    stake_ = _float("stake", stake)
    if np.any(stake_ <= 0.0):
        raise InputError("stake must be > 0", value=stake)
    v, f = _cost("value_per_unit", value_per_unit), _cost("cost_per_year", cost_per_year)
    with np.errstate(invalid="ignore"):
        flow = np.where(f == 0.0, 0.0, f * dur)
    return np.asarray((v * loss_ + flow) / stake_, dtype=float)


@dataclass(frozen=True)
class ExpectedWar:
    """A square-law war's expected losses, duration and outcome (:func:`expected_war_costs`).

    Attributes
    ----------
    loss_a, loss_b:
        Each side's expected loss of force, E[A0 − A(τ)] and E[B0 − B(τ)] (force units).
    duration:
        The expected duration E[τ] in years (``inf`` where the war can last for ever).
    p_a_exhausted, p_b_exhausted:
        The probability that the side is exhausted (reaches ``exhaustion`` × its initial force)
        before a peace: e^{−rT} for the weaker side, 0 for the stronger, e^{−rT} for both when
        the forces are equal (both break at T).
    exhaustion_time:
        T, the years until the weaker side is exhausted if no peace comes first (``inf`` if it
        never is).
    """

    loss_a: FloatArray
    loss_b: FloatArray
    duration: FloatArray
    p_a_exhausted: FloatArray
    p_b_exhausted: FloatArray
    exhaustion_time: FloatArray


def _exprel(z: FloatArray) -> FloatArray:
    """(e^z − 1)/z, 1 at z = 0, without cancellation near 0 (T·exprel(cT) = ∫0^T e^{ct} dt)."""
    zero = z == 0.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.expm1(z) / np.where(zero, 1.0, z)
    return np.asarray(np.where(zero, 1.0, out), dtype=float)


def expected_war_costs(
    force_a: ArrayLike,
    force_b: ArrayLike,
    alpha: ArrayLike,
    exhaustion: ArrayLike,
    peace_rate: ArrayLike,
) -> ExpectedWar:
    """Expected losses and duration of a square-law war that ends by exhaustion or by peace.

    **The war** (Lanchester 1916, the square law: F. W. Lanchester, *Aircraft in Warfare: The
    Dawn of the Fourth Arm*, Constable, ch. V; Taylor 1983, *Lanchester Models of Warfare*). Two
    sides with forces A0, B0 ≥ 0 and the same attrition α ≥ 0 per year (the spiral model's
    ``attrition``): dA/dt = −α B, dB/dt = −α A. The solution is

        A(t) = A0 cosh(αt) − B0 sinh(αt),    B(t) = B0 cosh(αt) − A0 sinh(αt),

    i.e. the sum Σ = A + B = Σ0 e^{−αt} decays and the difference Δ = A − B = Δ0 e^{αt} grows;
    A² − B² is constant (the square law). The war ends at the first of

    * **exhaustion**: a side falls to e × its initial force (e = ``exhaustion``, the spiral
      model's breakpoint; Helmbold 1971; Taylor 1983);
    * **peace**: a separate peace arrives at rate r (``peace_rate``, per year), an exponential
      time X independent of the fighting.

    **Who breaks first, and when** (our algebra). When the weaker side W (force w0 ≤ s0, the
    stronger's) reaches e·w0, the invariant gives the stronger side s_T = √(s0² − (1 − e²) w0²),
    and s_T / s0 > e whenever w0 < s0 and e < 1: the weaker side always breaks first (with equal
    forces both break together). As Σ(T) = Σ0 e^{−αT},

        T = ln[(A0 + B0) / (e·w0 + √(s0² − (1 − e²) w0²))] / α,

    which is the solution of w0 cosh(αT) − s0 sinh(αT) = e·w0 (equivalently
    αT = arcsinh(w0/R) − arcsinh(e·w0/R), R = √(s0² − w0²), tanh of the first term w0/s0);
    all terms are positive, so there is no cancellation near a draw. Equal forces give
    T = ln(1/e)/α (A(t) = A0 e^{−αt}); e = 1 gives T = 0; equal forces with e = 0, or α = 0, give
    T = ∞ (never exhausted). A side with no force inflicts no losses and loses none: T = ∞.

    **Expectations over the stopping time** τ = min(T, X) (our algebra). For any f with
    f(0) = 0,

        E[f(τ)] = ∫0^T r e^{−rt} f(t) dt + e^{−rT} f(T) = ∫0^T e^{−rt} f′(t) dt

    (integrate the first term by parts). With f = A0 − A, f′ = α B(t) = (α/2)(Σ0 e^{−αt} −
    Δ0 e^{αt}), so with I±(T) = ∫0^T e^{(±α − r)t} dt = T·exprel((±α − r)T),
    exprel(z) = (e^z − 1)/z,

        E[loss_A] = (α/2) (Σ0 I₋ − Δ0 I₊),    E[loss_B] = (α/2) (Σ0 I₋ + Δ0 I₊),
        E[τ] = ∫0^T e^{−rt} dt = (1 − e^{−rT}) / r   (T at r = 0),
        P(the weaker side is exhausted) = P(X > T) = e^{−rT}.

    Where T = ∞ (and α > 0) the forces are equal (Δ0 = 0) and I₋ = 1/(α + r); E[τ] = 1/r. At
    r = 0 the losses are the deterministic ones, A0 − A(T), as in :func:`expected_attrition`.
    The closed forms are checked against ``scipy.integrate.solve_ivp`` with events and
    quadrature of the first form of E[f(τ)] (tests/test_bargaining.py).

    Every argument broadcasts; ``force_a``, ``force_b`` ≥ 0, ``alpha`` ≥ 0, ``exhaustion`` in
    [0, 1], ``peace_rate`` ≥ 0. The operationalization (which war, which stopping rule) is
    **ours**, after the spiral model's war (:mod:`herz.models.spiral.kernel`, step 6), where
    each of the two belligerents of a dyadic war makes a separate peace at ``peace_rate``, so
    that the war ends by negotiation at twice that rate. The kernel's war also buys new forces
    at the budget ceiling while it lasts, which this closed form leaves out.
    """
    a0, b0 = _cost("force_a", force_a), _cost("force_b", force_b)
    al = _cost("alpha", alpha)
    e = _probability("exhaustion", exhaustion)
    r = _cost("peace_rate", peace_rate)
    a0, b0, al, e, r = (np.asarray(x, dtype=float) for x in np.broadcast_arrays(a0, b0, al, e, r))
    weak, strong = np.minimum(a0, b0), np.maximum(a0, b0)
    total, diff = a0 + b0, a0 - b0
    fights = (al > 0.0) & (weak > 0.0)  # otherwise nothing is lost and nobody breaks
    end_sum = e * weak + np.sqrt(np.maximum(strong * strong - (1.0 - e * e) * weak * weak, 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        t_exh = np.log(total / end_sum) / np.where(fights, al, 1.0)
    t_exh = np.where(fights & (end_sum > 0.0), np.maximum(t_exh, 0.0), np.inf)
    finite = np.isfinite(t_exh)
    t_f = np.where(finite, t_exh, 0.0)
    # E[τ] = ∫0^T e^{−rt} dt
    forever = np.where(r > 0.0, 1.0 / np.where(r > 0.0, r, 1.0), np.inf)
    duration = np.where(finite, t_f * _exprel(-r * t_f), forever)
    # I₋ and I₊ (I₊ only multiplies Δ0, which is 0 wherever T = ∞ and the sides fight)
    i_minus = np.where(finite, t_f * _exprel(-(al + r) * t_f), 1.0 / np.where(fights, al + r, 1.0))
    i_plus = np.where(finite, t_f * _exprel((al - r) * t_f), 0.0)
    half = 0.5 * al
    loss_a = np.where(fights, half * (total * i_minus - diff * i_plus), 0.0)
    loss_b = np.where(fights, half * (total * i_minus + diff * i_plus), 0.0)
    p_exh = np.where(finite, np.exp(-r * t_f), 0.0)
    return ExpectedWar(
        np.asarray(np.clip(loss_a, 0.0, a0), dtype=float),
        np.asarray(np.clip(loss_b, 0.0, b0), dtype=float),
        np.asarray(duration, dtype=float),
        np.asarray(np.where(a0 <= b0, p_exh, 0.0), dtype=float),
        np.asarray(np.where(b0 <= a0, p_exh, 0.0), dtype=float),
        np.asarray(t_exh, dtype=float),
    )


@dataclass(frozen=True)
class WarCost:
    """One side's expected cost of a war, term by term, in money (:func:`attrition_war_cost`).

    Attributes
    ----------
    military:
        The state's expected loss of force times the money value of a unit of force.
    spending:
        The expected extra spending: (ceiling − current spending) × E[duration].
    damage:
        The expected damage to the economy: ``war_damage`` × economy × E[duration].
    defeat:
        ``defeat_cost`` × economy × P(the state's side is exhausted): 0 unless
        ``defeat_cost`` is given (see :func:`attrition_war_cost` on the stake).
    stake:
        The money value v of the whole stake (> 0).
    """

    military: FloatArray
    spending: FloatArray
    damage: FloatArray
    defeat: FloatArray
    stake: FloatArray

    @property
    def total(self) -> FloatArray:
        """The expected cost in money: the sum of the four terms."""
        return np.asarray(self.military + self.spending + self.damage + self.defeat, dtype=float)

    @property
    def share(self) -> FloatArray:
        """The cost c = total / v in units of the stake: the c of Fearon (1995)."""
        return np.asarray(self.total / self.stake, dtype=float)


def _times(rate: FloatArray, duration: FloatArray) -> FloatArray:
    """rate × duration, 0 where the rate is 0 (even for an endless war)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(np.where(rate == 0.0, 0.0, rate * duration), dtype=float)


def attrition_war_cost(
    own_force: ArrayLike,
    enemy_force: ArrayLike,
    alpha: ArrayLike,
    exhaustion: ArrayLike,
    end_rate: ArrayLike,
    *,
    stake: ArrayLike,
    own_share: ArrayLike = 1.0,
    unit_value: ArrayLike = 1.0,
    economy: ArrayLike = 0.0,
    extra_spending: ArrayLike = 0.0,
    war_damage: ArrayLike = 0.0,
    defeat_cost: ArrayLike = 0.0,
) -> WarCost:
    """A state's expected cost of war, from the war's expected attrition, in units of the stake.

    The c_A, c_B of Fearon (1995) are inputs of every function of this module; here they come
    from the war itself (issue #11: "the cost of war comes from the model's expected
    attrition, not a free constant"). The operationalization is **ours**:

        C = unit_value · share · E[loss of the own side]
            + extra_spending · E[τ] + war_damage · economy · E[τ]
            + defeat_cost · economy · P(the own side is exhausted),
        c = C / v,

    with the expectations of :func:`expected_war_costs` for a war of ``own_force`` against
    ``enemy_force`` (attrition α, breakpoint ``exhaustion``, ended by negotiation at
    ``end_rate`` per year). ``own_share`` is the state's share of its side's force (in a
    coalition each member bears that share of its side's losses, as in the spiral kernel);
    ``unit_value`` the money value of a unit of force; ``extra_spending`` the money per year the
    war adds to the state's spending; ``war_damage`` the share of its economy a year at war
    destroys (to first order: the exact loss Y(1 − e^{−wτ}) is at most w·Y·τ).

    **The stake.** v (``stake``, > 0) is the money value of the whole stake, what the demands
    x ∈ [0, 1] of the crisis divide. It must be stated in the same money as the costs; the
    spiral model values it as the war's transfer (see docs/bargaining.md, "The cost of war from
    attrition"). If v *is* what a defeated state loses, the defeat term prices the same loss as
    the lottery p of the demand p − c: leave ``defeat_cost`` at 0 then. Pass it when the stake is
    valued apart from what defeat costs.

    Monotone (tested): the military term rises with α and with the enemy's force, every term
    falls as the peace rate rises, and with α = 0, no extra spending and no damage the cost is 0.
    An endless war (T = ∞ and no peace) with a positive flow cost costs ``inf``.
    """
    v = _float("stake", stake)
    if np.any(v <= 0.0):
        raise InputError(
            "stake must be > 0 (the money value of what the crisis divides)", value=stake
        )
    share = _probability("own_share", own_share)
    unit = _cost("unit_value", unit_value)
    y = _cost("economy", economy)
    extra = _cost("extra_spending", extra_spending)
    w = _cost("war_damage", war_damage)
    d = _cost("defeat_cost", defeat_cost)
    war = expected_war_costs(own_force, enemy_force, alpha, exhaustion, end_rate)
    military = unit * share * war.loss_a
    spending = _times(extra, war.duration)
    damage = _times(w * y, war.duration)
    defeat = d * y * war.p_a_exhausted
    shape = np.broadcast(military, spending, damage, defeat, v).shape

    def full(x: FloatArray) -> FloatArray:
        return np.asarray(np.broadcast_to(x, shape), dtype=float).copy()

    return WarCost(full(military), full(spending), full(damage), full(defeat), full(v))


# -- the rationalist puzzle --------------------------------------------------------------------
@dataclass(frozen=True)
class WarCauses:
    """Which of the rationalist mechanisms brings war (:func:`rationalist_war`).

    Attributes
    ----------
    p_war_private:
        The probability of war from the risk–return trade-off (0 with complete information).
    private_information:
        ``p_war_private > 0``.
    commitment:
        A shift in power (exogenous or from arming) past :func:`commitment_problem`'s bound.
    preemption:
        A first-strike advantage past the costs (:func:`preemptive_war`).
    transfer:
        The concession needed for peace shifts power past the bound
        (:func:`transfer_power_shift`).
    """

    p_war_private: FloatArray
    private_information: BoolArray
    commitment: BoolArray
    preemption: BoolArray
    transfer: BoolArray

    @property
    def war(self) -> BoolArray:
        """Whether any mechanism brings war."""
        return np.asarray(
            self.private_information | self.commitment | self.preemption | self.transfer,
            dtype=bool,
        )


def rationalist_war(
    p: ArrayLike,
    c_a: ArrayLike,
    c_b: ArrayLike,
    *,
    cost_spread: ArrayLike = 0.0,
    p_next: ArrayLike | None = None,
    delta: ArrayLike = 0.9,
    p_first: ArrayLike | None = None,
    p_second: ArrayLike | None = None,
    status_quo: ArrayLike | None = None,
    transfer_sensitivity: ArrayLike = 0.0,
) -> WarCauses:
    """The rationalist puzzle (Fearon 1995): which bound, if any, is past, and so brings war.

    With complete information (``cost_spread = 0``), no shift in power (``p_next`` = p), no
    first-strike advantage (``p_first`` = ``p_second`` = p) and no stake that carries power
    (``transfer_sensitivity = 0``), there is no war: the range of :func:`bargaining_range` is
    never empty and nothing stops the states from settling in it. Past each bound, war comes back:

    * private information: A believes c_B uniform on [c_B − w/2, c_B + w/2] (w = ``cost_spread``,
      at most 2c_B), and :func:`risk_return_uniform` gives a positive ex-ante probability of
      war, under A's belief, iff min((c_high − c_A)/2, 1 − p) > c_low, i.e. (when the stake
      does not cap A's demand) w > 2(c_A + c_B)/3 (our algebra). It is a probability over the
      types A cannot tell apart: a B whose cost is the centre c_B itself accepts A's demand;
      the war comes from the types below it;
    * a shift in power p → ``p_next`` past :func:`shift_threshold` (:func:`commitment_problem`);
      arming makes it endogenous (``p_next`` from :func:`win_probability` after the build-up).
      The discount factor ``delta`` is 0.9 by default (**ours**: a patient state; Fearon 1995
      and Powell 2006 leave δ free); it enters only this bound and the transfer's;
    * a first-strike advantage ``p_first − p_second > c_A + c_B`` (:func:`preemptive_war`);
    * a status quo outside the range whose minimal concession shifts power past the bound
      (:func:`transfer_power_shift`; ours).

    All arguments broadcast; the result's arrays have the broadcast shape.
    """
    p_ = _probability("p", p)
    ca, cb = _cost("c_a", c_a), _cost("c_b", c_b)
    w = _cost("cost_spread", cost_spread)
    if np.any(w > 2.0 * cb):
        raise InputError("cost_spread must be ≤ 2·c_b (costs stay ≥ 0)", value=cost_spread)
    offer = risk_return_uniform(p_, ca, cb - w / 2.0, cb + w / 2.0)
    private = offer.p_war > 0.0
    nxt = p_ if p_next is None else p_next
    commitment = commitment_problem(p_, nxt, ca, cb, delta)
    pf = p_ if p_first is None else p_first
    ps = p_ if p_second is None else p_second
    preemption = preemptive_war(pf, ps, ca, cb)
    if status_quo is None:
        transfer = np.zeros(np.broadcast(p_, ca, cb).shape, dtype=bool)
    else:
        shifted = transfer_power_shift(p_, status_quo, ca, cb, transfer_sensitivity)
        transfer = commitment_problem(p_, shifted, ca, cb, delta)
    shape = np.broadcast(offer.p_war, commitment, preemption, transfer).shape
    return WarCauses(
        np.broadcast_to(offer.p_war, shape).copy(),
        np.broadcast_to(private, shape).copy(),
        np.broadcast_to(commitment, shape).copy(),
        np.broadcast_to(preemption, shape).copy(),
        np.broadcast_to(transfer, shape).copy(),
    )
