"""herz.models.bargaining: Fearon's (1995) bargaining range, risk–return trade-off and
pre-emption, Powell's (2006) commitment problem, the cost of war from attrition, and the
rationalist puzzle on both sides of each of its bounds."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import integrate, optimize, stats

from herz.errors import InputError
from herz.models.bargaining import (
    attrition_war_cost,
    bargaining_range,
    commitment_problem,
    expected_attrition,
    expected_war_costs,
    fearon_preventive_war,
    first_strike_range,
    minmax_commitment_problem,
    preemptive_war,
    preventive_war_path,
    proposer_utility,
    rationalist_war,
    risk_return_optimal,
    risk_return_uniform,
    shift_threshold,
    transfer_power_shift,
    war_cost,
    win_probability,
)

unit = st.floats(0.0, 1.0)
prob = st.floats(0.05, 0.95)
cost = st.floats(0.01, 0.4)
disc = st.floats(0.5, 0.99)


# -- the bargaining range ----------------------------------------------------------------------
def test_bargaining_range_by_hand() -> None:
    low, high = bargaining_range(0.6, 0.1, 0.15)
    assert low == pytest.approx(0.5)
    assert high == pytest.approx(0.75)


@given(prob, cost, cost)
def test_the_range_is_never_empty_and_both_prefer_its_points(
    p: float, ca: float, cb: float
) -> None:
    low, high = bargaining_range(p, ca, cb)
    assert high - low == pytest.approx(ca + cb)
    x = (low + high) / 2
    assert x > p - ca  # A prefers x to war
    assert 1 - x > 1 - p - cb  # and so does B


# -- the risk-return trade-off -----------------------------------------------------------------
def test_uniform_optimum_by_hand() -> None:
    # p = 1/2, c_A = 0.1, c_B ~ U[0, 0.3]: d* = (0.3 − 0.1)/2 = 0.1, P(war) = 0.1/0.3 = 1/3,
    # U_A = 0.6·(2/3) + 0.4·(1/3) = 0.5333…
    offer = risk_return_uniform(0.5, 0.1, 0.0, 0.3)
    assert offer.demand == pytest.approx(0.6)
    assert offer.p_war == pytest.approx(1 / 3)
    assert offer.utility == pytest.approx(0.6 * 2 / 3 + 0.4 / 3)
    # the general form from zero: P(war) = (c̄ − c_A)/(2c̄)
    for cbar, ca in [(0.2, 0.05), (0.5, 0.1), (0.4, 0.0)]:
        assert risk_return_uniform(0.3, ca, 0.0, cbar).p_war == pytest.approx(
            (cbar - ca) / (2 * cbar)
        )
    # c_A ≥ c̄: A asks only p + c_low and nobody fights
    none = risk_return_uniform(0.3, 0.5, 0.0, 0.4)
    assert none.p_war == 0.0
    assert none.demand == pytest.approx(0.3)


def test_complete_information_is_the_top_of_the_range() -> None:
    offer = risk_return_uniform([0.2, 0.5, 0.7], 0.1, 0.15, 0.15)
    np.testing.assert_allclose(offer.demand, [0.35, 0.65, 0.85])
    np.testing.assert_array_equal(offer.p_war, 0.0)


def test_the_stake_caps_the_demand() -> None:
    # p = 0.9: the interior optimum p + 0.3 is beyond the stake; A asks for all of it.
    offer = risk_return_uniform(0.9, 0.0, 0.0, 0.6)
    assert offer.demand == pytest.approx(1.0)
    assert offer.p_war == pytest.approx(0.1 / 0.6)


@settings(max_examples=60, deadline=None)
@given(
    prob,
    st.floats(0.0, 0.3),
    st.floats(0.0, 0.3),
    st.one_of(st.just(0.0), st.floats(1e-6, 0.5)),  # no width so small that x − p rounds past it
)
def test_uniform_closed_form_is_the_maximum(p: float, ca: float, lo: float, width: float) -> None:
    hi = lo + width
    offer = risk_return_uniform(p, ca, lo, hi)
    x = np.linspace(0.0, 1.0, 20001)

    def cdf(d: np.ndarray) -> np.ndarray:
        if width == 0:
            return np.asarray(d > lo + 1e-12, dtype=float)  # rounding of (p + lo) − p
        return np.clip((d - lo) / width, 0.0, 1.0)

    u = proposer_utility(x, p, ca, cdf)
    assert offer.utility >= u.max() - 1e-9
    assert offer.utility == pytest.approx(float(proposer_utility(offer.demand, p, ca, cdf)))


def test_numerical_optimum_matches_the_closed_form_vectorized() -> None:
    rng = np.random.default_rng(7)
    n = 400
    p = rng.uniform(0.0, 1.0, n)
    ca = rng.uniform(0.0, 0.3, n)
    lo = rng.uniform(0.0, 0.2, n)
    hi = lo + rng.uniform(0.01, 0.5, n)
    exact = risk_return_uniform(p, ca, lo, hi)

    def cdf(d: np.ndarray) -> np.ndarray:
        return np.clip((d - lo[:, None]) / (hi - lo)[:, None], 0.0, 1.0)

    numeric = risk_return_optimal(p, ca, cdf)
    np.testing.assert_allclose(numeric.demand, exact.demand, atol=1e-7)
    np.testing.assert_allclose(numeric.p_war, exact.p_war, atol=1e-6)
    np.testing.assert_allclose(numeric.utility, exact.utility, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    prob,
    st.floats(0.0, 0.3),
    st.floats(1.2, 6.0),
    st.floats(1.2, 6.0),
    st.floats(0.05, 0.8),
)
def test_numerical_optimum_against_scipy_for_a_beta_belief(
    p: float, ca: float, alpha: float, beta: float, cmax: float
) -> None:
    def cdf(d: np.ndarray) -> np.ndarray:
        return np.asarray(stats.beta.cdf(d, alpha, beta, scale=cmax), dtype=float)

    ours = risk_return_optimal(p, ca, cdf)

    def neg(x: float) -> float:
        return -float(proposer_utility(x, p, ca, cdf))

    # scipy, started from a coarse grid's best point, bounded to [p, 1]
    xs = np.linspace(p, 1.0, 201)
    best = xs[np.argmax(proposer_utility(xs, p, ca, cdf))]
    step = (1.0 - p) / 200
    ref = optimize.minimize_scalar(
        neg,
        bounds=(max(p, best - step), min(1.0, best + step)),
        method="bounded",
        options={"xatol": 1e-10},
    )
    # the bounded search stops within xatol of an end; the ends themselves are candidates too
    best_ref = max(-ref.fun, -neg(p), -neg(1.0))
    assert float(ours.utility) >= best_ref - 1e-10
    assert float(ours.utility) == pytest.approx(best_ref, abs=1e-8)
    assert float(ours.p_war) == pytest.approx(float(cdf(np.asarray(ours.demand - p))), abs=1e-12)


@given(prob, st.floats(0.0, 0.3), st.floats(0.0, 0.3), st.floats(0.01, 0.5), st.floats(0.0, 0.2))
def test_p_war_falls_as_costs_rise(
    p: float, ca: float, lo: float, width: float, more: float
) -> None:
    base = risk_return_uniform(p, ca, lo, lo + width).p_war
    assert risk_return_uniform(p, ca + more, lo, lo + width).p_war <= base + 1e-12
    assert risk_return_uniform(p, ca, lo + more, lo + width + more).p_war <= base + 1e-12


# -- pre-emption -------------------------------------------------------------------------------
def test_preemption_on_both_sides_of_fearons_bound() -> None:
    ca, cb = 0.1, 0.05
    # p_f − p_s = c_A + c_B ± ε
    assert not preemptive_war(0.6 + 0.15 - 1e-9, 0.6, ca, cb)
    assert not preemptive_war(0.75, 0.6, ca, cb)  # at equality a single self-enforcing deal
    assert preemptive_war(0.6 + 0.15 + 1e-9, 0.6, ca, cb)
    # one-sided: only A gains from striking first, p_s = p
    p = 0.5
    assert not preemptive_war(p + 0.14, p, ca, cb)
    assert preemptive_war(p + 0.16, p, ca, cb)


@given(prob, cost, cost)
def test_no_first_strike_advantage_is_the_plain_range(p: float, ca: float, cb: float) -> None:
    np.testing.assert_allclose(first_strike_range(p, p, ca, cb), bargaining_range(p, ca, cb))
    assert not preemptive_war(p, p, ca, cb)


def test_striking_first_cannot_hurt() -> None:
    with pytest.raises(InputError):
        preemptive_war(0.4, 0.5, 0.1, 0.1)


# -- commitment problems -----------------------------------------------------------------------
def test_powell_condition_by_hand() -> None:
    # δ = 0.9, p = 1/2, c_A = c_B = 0.1. B declines when A's p rises by more than
    # (1 − δ)(p + c_B + δc_A)/δ = 0.1·0.69/0.9 = 0.07667.
    assert not commitment_problem(0.5, 0.57, 0.1, 0.1, 0.9)
    assert commitment_problem(0.5, 0.58, 0.1, 0.1, 0.9)
    # A declines when p falls by more than (1 − δ)(1 − p + c_A + δc_B)/δ: the same number here
    assert not commitment_problem(0.5, 0.43, 0.1, 0.1, 0.9)
    assert commitment_problem(0.5, 0.42, 0.1, 0.1, 0.9)
    assert shift_threshold(0.5, 0.1, 0.1, 0.9) == pytest.approx(0.1 * 0.69 / 0.9)
    # Fearon's proposer version: δ(p₂ − p₁) > (1 − δ)(p₁ + (1 − δ)c_B), a shift of 0.05667
    assert not fearon_preventive_war(0.5, 0.556, 0.1, 0.9)
    assert fearon_preventive_war(0.5, 0.557, 0.1, 0.9)


@given(prob, cost, cost, disc)
def test_no_shift_no_preventive_war(p: float, ca: float, cb: float, delta: float) -> None:
    assert not commitment_problem(p, p, ca, cb, delta)
    assert not fearon_preventive_war(p, p, cb, delta)


@given(prob, cost, cost, disc, st.booleans())
def test_both_sides_of_the_shift_threshold(
    p: float, ca: float, cb: float, delta: float, a_declines: bool
) -> None:
    if a_declines:
        star = float(shift_threshold(p, ca, cb, delta))
        assume(star < p - 1e-6)
        assert not commitment_problem(p, p - star * (1 - 1e-6), ca, cb, delta)
        assert commitment_problem(p, p - star * (1 + 1e-6), ca, cb, delta)
    else:
        star = float(shift_threshold(1 - p, cb, ca, delta))
        assume(star < 1 - p - 1e-6)
        assert not commitment_problem(p, p + star * (1 - 1e-6), ca, cb, delta)
        assert commitment_problem(p, p + star * (1 + 1e-6), ca, cb, delta)


@given(prob, unit, cost, cost, disc)
def test_the_p_form_is_powells_minmax_form(
    p0: float, p1: float, ca: float, cb: float, delta: float
) -> None:
    ma = lambda p: p / (1 - delta) - ca  # noqa: E731 - Fearon's p. 406 war payoffs
    mb = lambda p: (1 - p) / (1 - delta) - cb  # noqa: E731
    by_minmax = minmax_commitment_problem(ma(p0), mb(p1), delta) | minmax_commitment_problem(
        mb(p0), ma(p1), delta
    )
    gap = abs(ma(p0) + delta * mb(p1) - 1 / (1 - delta))
    gap2 = abs(mb(p0) + delta * ma(p1) - 1 / (1 - delta))
    assume(min(gap, gap2) > 1e-9)
    assert commitment_problem(p0, p1, ca, cb, delta) == by_minmax


@given(prob, unit, cost, cost, disc)
def test_fearons_proposer_war_contains_powells(
    p1: float, p2: float, ca: float, cb: float, delta: float
) -> None:
    # Powell's bound lets the rising side promise all it would not take by force; Fearon's
    # proposer promises only B's reservation value, so war under Powell implies war under Fearon.
    assume(p2 > p1)
    if commitment_problem(p1, p2, ca, cb, delta):
        assert fearon_preventive_war(p1, p2, cb, delta)


def test_any_shift_brings_war_as_the_future_weighs_more() -> None:
    assert not commitment_problem(0.5, 0.52, 0.1, 0.1, 0.9)
    assert commitment_problem(0.5, 0.52, 0.1, 0.1, 0.999)


def test_p_war_rises_with_the_speed_of_the_shift() -> None:
    rng = np.random.default_rng(3)
    total = rng.uniform(0.0, 0.4, 5000)  # the same total rise in A's p, spread over k periods
    p_war = []
    for k in (8, 4, 2, 1):
        path = 0.4 + total[:, None] * np.linspace(0.0, 1.0, k + 1)[None, :]
        war, first = preventive_war_path(path, 0.1, 0.1, 0.9)
        assert np.all((first >= 0) == war)
        p_war.append(war.mean())
    assert all(a < b for a, b in itertools.pairwise(p_war))
    # the same shift: war at one period, none over eight
    fast = preventive_war_path(np.array([[0.4, 0.6]]), 0.1, 0.1, 0.9)
    slow = preventive_war_path(np.linspace(0.4, 0.6, 9)[None, :], 0.1, 0.1, 0.9)
    assert fast[0][0]
    assert fast[1][0] == 0
    assert not slow[0][0]
    assert slow[1][0] == -1


def test_arming_is_an_endogenous_shift() -> None:
    assert win_probability(1.0, 1.0) == pytest.approx(0.5)
    assert win_probability(3.0, 1.0) == pytest.approx(0.75)
    assert win_probability(3.0, 1.0, 2.0) == pytest.approx(0.9)
    assert win_probability(0.0, 0.0) == 0.5
    assert win_probability(0.0, 1.0) == 0.0
    p0 = float(win_probability(1.0, 1.0))
    star = float(shift_threshold(p0, 0.1, 0.1, 0.9))  # A declines as B arms
    # B's build-up m_B: p = 1/(1 + m_B) falls past 1/2 − Δ* when m_B > (1/2 + Δ*)/(1/2 − Δ*)
    m_star = (0.5 + star) / (0.5 - star)
    below = win_probability(1.0, m_star * (1 - 1e-6))
    above = win_probability(1.0, m_star * (1 + 1e-6))
    assert not commitment_problem(p0, below, 0.1, 0.1, 0.9)
    assert commitment_problem(p0, above, 0.1, 0.1, 0.9)


def test_transfer_of_sources_of_power() -> None:
    p, ca, cb, delta = 0.5, 0.1, 0.1, 0.9
    q = 0.2  # A is dissatisfied: B must concede g = p − c_A − q = 0.2
    assert transfer_power_shift(p, q, ca, cb, 0.3) == pytest.approx(0.56)
    assert transfer_power_shift(p, 0.5, ca, cb, 5.0) == pytest.approx(0.5)  # q in range
    assert transfer_power_shift(p, 0.9, ca, cb, 0.5) == pytest.approx(0.35)  # A concedes 0.3
    s_star = float(shift_threshold(1 - p, cb, ca, delta)) / 0.2
    for s, war in [(s_star * (1 - 1e-6), False), (s_star * (1 + 1e-6), True)]:
        shifted = transfer_power_shift(p, q, ca, cb, s)
        assert bool(commitment_problem(p, shifted, ca, cb, delta)) is war


# -- the cost of war from attrition ------------------------------------------------------------
def test_attrition_by_hand_and_the_square_law() -> None:
    # equal sides: a draw, both reach the breakpoint together and lose half their force
    even = expected_attrition(100.0, 100.0, 0.3, 0.3, 0.5)
    assert even.loss_a == pytest.approx(50.0)
    assert even.loss_b == pytest.approx(50.0)
    # x0 = 100, y0 = 80, a = b: B breaks at 40; a(x0² − x²) = b(y0² − y²) gives x² = 100² − 4800
    war = expected_attrition(100.0, 80.0, 0.3, 0.3, 0.5)
    assert bool(war.a_wins)
    assert war.loss_b == pytest.approx(40.0)
    assert war.loss_a == pytest.approx(100.0 - np.sqrt(100.0**2 - 80.0**2 + 40.0**2))
    assert np.isfinite(war.duration)
    assert float(war.duration) > 0


def test_war_cost_by_hand() -> None:
    # 40 units lost at 0.01 of the stake's unit each, 2 years at 0.05 a year, stake 2
    assert war_cost(40.0, 2.0, 2.0, value_per_unit=0.01, cost_per_year=0.05) == pytest.approx(
        (0.4 + 0.1) / 2.0
    )
    assert war_cost(40.0, np.inf, 1.0, value_per_unit=0.01) == pytest.approx(0.4)
    assert war_cost(0.0, np.inf, 1.0, cost_per_year=0.1) == np.inf
    with pytest.raises(InputError):
        war_cost(1.0, 1.0, 0.0)


def test_bloodier_wars_are_rarer() -> None:
    # more attrition → higher c_A → lower P(war) in the risk-return trade-off
    ensemble = expected_attrition(100.0, 80.0, np.array([0.2, 0.3, 0.4]), 0.3)
    c_a = war_cost(ensemble.loss_a.mean(), ensemble.duration.mean(), 1000.0)
    cheaper = war_cost(ensemble.loss_a.mean() / 2, ensemble.duration.mean(), 1000.0)
    assert c_a > cheaper
    assert (
        risk_return_uniform(0.5, c_a, 0.0, 0.2).p_war
        < risk_return_uniform(0.5, cheaper, 0.0, 0.2).p_war
    )


# -- the expected cost of a square-law war stopped by exhaustion or peace ------------------------
def _numerical_war(a0: float, b0: float, alpha: float, e: float, r: float) -> tuple[float, ...]:
    """(T, E[loss_A], E[loss_B], E[τ], P(A exhausted), P(B exhausted)) by solve_ivp with
    exhaustion events and quadrature of ∫0^T r e^{−rt} f(t) dt + e^{−rT} f(T)."""

    def hit_a(t: float, y: np.ndarray) -> float:
        return float(y[0] - e * a0)

    def hit_b(t: float, y: np.ndarray) -> float:
        return float(y[1] - e * b0)

    for ev in (hit_a, hit_b):
        ev.terminal = True  # type: ignore[attr-defined]
        ev.direction = -1  # type: ignore[attr-defined]
    sol = integrate.solve_ivp(
        lambda t, y: [-alpha * y[1], -alpha * y[0]],
        (0.0, 400.0 / alpha),
        [a0, b0],
        events=(hit_a, hit_b),
        dense_output=True,
        rtol=1e-11,
        atol=1e-12 * max(a0, b0),
    )
    assert sol.status == 1, "an exhaustion event ends the war"
    t_end = float(sol.t[-1])
    broke_a, broke_b = sol.t_events[0].size > 0, sol.t_events[1].size > 0

    def expect(f: Callable[[float], float]) -> float:
        """E[f(τ)] for f(0) = 0, in the first form (not the closed form's integration by parts)."""
        head = integrate.quad(
            lambda t: r * np.exp(-r * t) * f(t), 0.0, t_end, epsabs=1e-13, epsrel=1e-11, limit=200
        )[0]
        return float(head + np.exp(-r * t_end) * f(t_end))

    loss_a = expect(lambda t: float(a0 - sol.sol(t)[0]))
    loss_b = expect(lambda t: float(b0 - sol.sol(t)[1]))
    duration = expect(lambda t: t)
    p_stop = float(np.exp(-r * t_end))
    return t_end, loss_a, loss_b, duration, p_stop * broke_a, p_stop * broke_b


def test_expected_war_by_hand_equal_forces() -> None:
    # A0 = B0: A(t) = A0 e^{−αt}, both break at T = ln(1/e)/α
    a0, alpha, e, r = 100.0, 0.3, 0.5, 0.6
    war = expected_war_costs(a0, a0, alpha, e, r)
    t = np.log(1 / e) / alpha
    assert war.exhaustion_time == pytest.approx(t)
    assert war.loss_a == pytest.approx(alpha * a0 * (1 - np.exp(-(alpha + r) * t)) / (alpha + r))
    assert war.loss_b == pytest.approx(float(war.loss_a))
    assert war.duration == pytest.approx((1 - np.exp(-r * t)) / r)
    assert war.p_a_exhausted == pytest.approx(np.exp(-r * t))
    assert war.p_b_exhausted == pytest.approx(np.exp(-r * t))
    # e = 0: never exhausted, the war ends by peace only; E[loss] = α A0 / (α + r)
    endless = expected_war_costs(a0, a0, alpha, 0.0, r)
    assert endless.exhaustion_time == np.inf
    assert endless.loss_a == pytest.approx(alpha * a0 / (alpha + r))
    assert endless.duration == pytest.approx(1 / r)
    assert endless.p_a_exhausted == 0.0


def test_expected_war_without_peace_is_the_deterministic_war() -> None:
    # r = 0: the war runs to the breakpoint, as in expected_attrition (a = b = α)
    a0 = np.array([100.0, 100.0, 50.0, 80.0])
    b0 = np.array([80.0, 30.0, 120.0, 79.0])
    war = expected_war_costs(a0, b0, 0.4, 0.5, 0.0)
    det = expected_attrition(a0, b0, 0.4, 0.4, 0.5)
    np.testing.assert_allclose(war.loss_a, det.loss_a, rtol=1e-10)
    np.testing.assert_allclose(war.loss_b, det.loss_b, rtol=1e-10)
    np.testing.assert_allclose(war.duration, det.duration, rtol=1e-10)
    np.testing.assert_array_equal(war.p_b_exhausted == 1.0, det.a_wins)
    # the square law: A0² − A_T² = B0² − B_T²
    np.testing.assert_allclose(
        a0**2 - (a0 - war.loss_a) ** 2, b0**2 - (b0 - war.loss_b) ** 2, rtol=1e-9
    )


@settings(max_examples=40, deadline=None)
@given(
    st.floats(1.0, 1000.0),
    st.floats(0.1, 10.0),
    st.floats(0.05, 3.0),
    st.floats(0.02, 0.98),
    st.floats(0.0, 3.0),
)
def test_expected_war_against_numerical_integration(
    a0: float, ratio: float, alpha: float, e: float, r: float
) -> None:
    b0 = a0 * ratio
    assume(abs(ratio - 1.0) > 1e-3)  # near a draw the two events are a photo finish
    t, loss_a, loss_b, duration, pa, pb = _numerical_war(a0, b0, alpha, e, r)
    war = expected_war_costs(a0, b0, alpha, e, r)
    assert war.exhaustion_time == pytest.approx(t, rel=1e-7)
    assert war.loss_a == pytest.approx(loss_a, rel=1e-7, abs=1e-9 * a0)
    assert war.loss_b == pytest.approx(loss_b, rel=1e-7, abs=1e-9 * b0)
    assert war.duration == pytest.approx(duration, rel=1e-7)
    assert war.p_a_exhausted == pytest.approx(pa, rel=1e-7)
    assert war.p_b_exhausted == pytest.approx(pb, rel=1e-7)


def test_expected_war_against_numerical_integration_near_alpha_equal_r() -> None:
    # (α − r)T → 0 is where exprel matters
    for a0, b0, alpha, e, r in [(100.0, 70.0, 0.3, 0.5, 0.3), (100.0, 70.0, 0.3, 0.5, 0.3 + 1e-9)]:
        _, loss_a, loss_b, duration, _, _ = _numerical_war(a0, b0, alpha, e, r)
        war = expected_war_costs(a0, b0, alpha, e, r)
        assert war.loss_a == pytest.approx(loss_a, rel=1e-7)
        assert war.loss_b == pytest.approx(loss_b, rel=1e-7)
        assert war.duration == pytest.approx(duration, rel=1e-7)


def test_expected_war_vectorized_matches_one_at_a_time() -> None:
    rng = np.random.default_rng(5)
    n = 300
    args = (
        rng.uniform(0.0, 200.0, n),
        rng.uniform(0.0, 200.0, n),
        rng.uniform(0.0, 2.0, n),
        rng.uniform(0.0, 1.0, n),
        rng.uniform(0.0, 2.0, n),
    )
    args[0][:5] = args[1][:5]  # some draws
    args[2][5:10] = 0.0  # and no attrition
    war = expected_war_costs(*args)
    assert war.loss_a.shape == (n,)
    for i in range(0, n, 7):
        one = expected_war_costs(*(x[i] for x in args))
        for name in ("loss_a", "loss_b", "duration", "p_a_exhausted", "exhaustion_time"):
            assert getattr(war, name)[i] == pytest.approx(float(getattr(one, name))), name
    assert np.all((war.loss_a >= 0) & (war.loss_a <= args[0]))
    assert np.all((war.loss_b >= 0) & (war.loss_b <= args[1]))
    # broadcasting: a column of forces against a row of rates
    grid = expected_war_costs(np.array([[50.0], [100.0]]), 80.0, 0.3, 0.5, np.array([0.1, 0.6]))
    assert grid.loss_a.shape == (2, 2)


def test_expected_war_degenerate_cases() -> None:
    # no attrition: nothing lost, nobody breaks, the war lasts until peace
    calm = expected_war_costs(100.0, 50.0, 0.0, 0.5, 0.5)
    assert calm.loss_a == 0.0 and calm.loss_b == 0.0 and calm.p_b_exhausted == 0.0
    assert calm.duration == pytest.approx(2.0)
    # a side without force inflicts no losses and cannot break
    empty = expected_war_costs(100.0, 0.0, 0.3, 0.5, 0.5)
    assert empty.loss_a == 0.0 and empty.loss_b == 0.0 and empty.p_b_exhausted == 0.0
    # e = 1: the weaker side breaks at once
    brittle = expected_war_costs(100.0, 50.0, 0.3, 1.0, 0.5)
    assert brittle.exhaustion_time == 0.0 and brittle.duration == 0.0
    assert brittle.p_b_exhausted == 1.0 and brittle.loss_a == 0.0
    # equal forces, e = 0, no peace: both are ground down for ever
    forever = expected_war_costs(100.0, 100.0, 0.3, 0.0, 0.0)
    assert forever.duration == np.inf and forever.loss_a == pytest.approx(100.0)
    # e = 0, unequal: the weaker side is annihilated in finite time, A_T = √(A0² − B0²)
    annihilation = expected_war_costs(100.0, 60.0, 0.3, 0.0, 0.0)
    assert annihilation.loss_b == pytest.approx(60.0)
    assert annihilation.loss_a == pytest.approx(100.0 - 80.0)
    assert annihilation.exhaustion_time == pytest.approx(np.arctanh(0.6) / 0.3)


def test_expected_war_monotonicity() -> None:
    alphas = np.linspace(0.05, 3.0, 60)
    war = expected_war_costs(100.0, 80.0, alphas, 0.5, 0.6)
    assert np.all(np.diff(war.loss_a) > 0) and np.all(np.diff(war.loss_b) > 0)
    assert np.all(np.diff(war.duration) < 0)
    # the enemy's force: A's expected loss rises, through the draw and past it
    enemies = np.linspace(1.0, 300.0, 300)
    war = expected_war_costs(100.0, enemies, 0.3, 0.5, 0.6)
    assert np.all(np.diff(war.loss_a) > 0)
    assert np.all(np.diff(war.p_a_exhausted) >= 0) and war.p_a_exhausted[-1] > 0.5
    # peace: every expectation falls as it comes sooner
    rates = np.linspace(0.0, 5.0, 60)
    war = expected_war_costs(100.0, 80.0, 0.3, 0.5, rates)
    for name in ("loss_a", "loss_b", "duration", "p_b_exhausted"):
        assert np.all(np.diff(getattr(war, name)) < 0), name
    # a later breakpoint (smaller e): longer, bloodier
    es = np.linspace(0.05, 0.95, 40)
    war = expected_war_costs(100.0, 80.0, 0.3, es, 0.6)
    assert np.all(np.diff(war.loss_a) < 0) and np.all(np.diff(war.duration) < 0)


def test_attrition_war_cost_by_hand() -> None:
    war = expected_war_costs(100.0, 80.0, 0.3, 0.5, 0.6)
    cost = attrition_war_cost(
        100.0,
        80.0,
        0.3,
        0.5,
        0.6,
        stake=200.0,
        own_share=0.5,
        unit_value=10.0,
        economy=1000.0,
        extra_spending=100.0,
        war_damage=0.05,
        defeat_cost=0.1,
    )
    assert cost.military == pytest.approx(10.0 * 0.5 * float(war.loss_a))
    assert cost.spending == pytest.approx(100.0 * float(war.duration))
    assert cost.damage == pytest.approx(0.05 * 1000.0 * float(war.duration))
    assert cost.defeat == 0.0  # A is the stronger side: never exhausted first
    weaker = attrition_war_cost(
        80.0, 100.0, 0.3, 0.5, 0.6, stake=200.0, economy=1000.0, defeat_cost=0.1
    )
    assert weaker.defeat == pytest.approx(
        0.1 * 1000.0 * float(expected_war_costs(80.0, 100.0, 0.3, 0.5, 0.6).p_a_exhausted)
    )
    total = cost.military + cost.spending + cost.damage + cost.defeat
    assert cost.total == pytest.approx(total)
    assert cost.share == pytest.approx(total / 200.0)


def test_attrition_war_cost_is_zero_without_attrition_spending_or_damage() -> None:
    free = attrition_war_cost(100.0, 80.0, 0.0, 0.5, 0.6, stake=1.0, economy=1000.0)
    assert free.share == 0.0
    # even a war that never ends costs nothing then
    endless = attrition_war_cost(100.0, 80.0, 0.0, 0.5, 0.0, stake=1.0, economy=1000.0)
    assert endless.share == 0.0
    # but a positive flow cost over an endless war is infinite
    assert attrition_war_cost(100.0, 80.0, 0.0, 0.5, 0.0, stake=1.0, extra_spending=1.0).share == (
        np.inf
    )


def test_attrition_war_cost_monotonicity() -> None:
    kw = {"stake": 200.0, "unit_value": 10.0, "economy": 1000.0, "war_damage": 0.05}
    alphas = np.linspace(0.05, 3.0, 40)
    assert np.all(np.diff(attrition_war_cost(100.0, 80.0, alphas, 0.5, 0.6, **kw).military) > 0)
    enemies = np.linspace(1.0, 300.0, 100)
    rising = attrition_war_cost(100.0, enemies, 0.3, 0.5, 0.6, **kw, defeat_cost=0.1)
    assert np.all(np.diff(rising.military) > 0)
    assert np.all(np.diff(rising.defeat) >= 0)
    rates = np.linspace(0.01, 5.0, 40)
    falling = attrition_war_cost(100.0, 80.0, 0.3, 0.5, rates, **kw, extra_spending=50.0)
    assert np.all(np.diff(falling.share) < 0)
    stakes = np.array([100.0, 200.0, 400.0])
    kw_no_stake = {k: v for k, v in kw.items() if k != "stake"}
    shares = attrition_war_cost(100.0, 80.0, 0.3, 0.5, 0.6, stake=stakes, **kw_no_stake).share
    np.testing.assert_allclose(shares * stakes, shares[0] * stakes[0])


def test_bloodier_wars_are_rarer_with_the_attrition_cost() -> None:
    # Fearon's risk-return trade-off with c_A from the war itself: more attrition, less war
    c_a = attrition_war_cost(100.0, 80.0, np.array([0.1, 0.3, 0.9]), 0.5, 0.6, stake=2000.0).share
    p_war = risk_return_uniform(0.5, c_a, 0.0, 0.2).p_war
    assert np.all(np.diff(c_a) > 0) and np.all(np.diff(p_war) < 0)


def _attrition_costs() -> tuple[float, float]:
    """c_A, c_B from attrition_war_cost as the spiral kernel values them for a dyad of
    two-state-like states (forces 100 and 80, economies 1,000, ceilings 200, spending 100,
    the spiral defaults; stake = defeat_cost × the two economies; a unit of force at its
    replacement cost 1/(a·d) = 10)."""
    kw = {"stake": 0.1 * 2000.0, "unit_value": 10.0, "economy": 1000.0, "war_damage": 0.05}
    c_a = attrition_war_cost(100.0, 80.0, 0.3, 0.5, 0.6, extra_spending=100.0, **kw).share
    c_b = attrition_war_cost(80.0, 100.0, 0.3, 0.5, 0.6, extra_spending=100.0, **kw).share
    return float(c_a), float(c_b)


@pytest.mark.parametrize("setting", ["constant", "attrition"])
def test_the_rationalist_puzzle_under_both_cost_settings(setting: str) -> None:
    """No war with complete information whatever the costs; with the attrition costs (about
    1.7 and 2.1 of the stake) the first-strike bound cannot be passed (p_f − p_s ≤ 1 < c_A +
    c_B), and the other bounds move out with the costs."""
    ca, cb = (0.1, 0.1) if setting == "constant" else _attrition_costs()
    rng = np.random.default_rng(3)
    p = rng.uniform(0.0, 1.0, 2000)
    assert not rationalist_war(p, ca, cb, status_quo=p, transfer_sensitivity=1.0).war.any()
    assert bool(rationalist_war(0.5, ca, cb, p_first=1.0, p_second=0.0).preemption) is (
        ca + cb < 1.0
    )
    star = float(shift_threshold(0.5, ca, cb, DELTA))
    assert bool(rationalist_war(0.5, ca, cb, p_next=0.5 - 1.001 * star, delta=DELTA).commitment)
    assert not rationalist_war(0.5, ca, cb, p_next=0.5 - 0.999 * star, delta=DELTA).war
    if setting == "attrition":
        assert ca > 1.0 and cb > 1.0
        assert star > 0.3  # A's chance must fall by a third in one period


# -- the rationalist puzzle --------------------------------------------------------------------
@given(prob, cost, cost, disc)
def test_the_rationalist_puzzle_no_war_within_every_bound(
    p: float, ca: float, cb: float, delta: float
) -> None:
    causes = rationalist_war(p, ca, cb, delta=delta, status_quo=p, transfer_sensitivity=1.0)
    assert not causes.war
    assert causes.p_war_private == 0.0


def test_the_rationalist_puzzle_vectorized_baseline() -> None:
    rng = np.random.default_rng(11)
    n = 10_000
    causes = rationalist_war(
        rng.uniform(0, 1, n), rng.uniform(0.001, 0.5, n), rng.uniform(0.001, 0.5, n)
    )
    assert causes.war.shape == (n,)
    assert not causes.war.any()


P, CA, CB, DELTA = 0.5, 0.1, 0.15, 0.9
EPS = 1e-6


@pytest.mark.parametrize("past", [False, True])
def test_private_information_bound(past: bool) -> None:
    w_star = 2 * (CA + CB) / 3  # our algebra for the centred uniform belief
    w = w_star * (1 + EPS if past else 1 - EPS)
    causes = rationalist_war(P, CA, CB, cost_spread=w)
    assert bool(causes.private_information) is past
    assert bool(causes.war) is past
    assert not causes.commitment and not causes.preemption and not causes.transfer


@pytest.mark.parametrize("past", [False, True])
@pytest.mark.parametrize("direction", [-1, 1])
def test_exogenous_power_shift_bound(past: bool, direction: int) -> None:
    if direction < 0:  # A declines
        star = float(shift_threshold(P, CA, CB, DELTA))
    else:  # B declines
        star = float(shift_threshold(1 - P, CB, CA, DELTA))
    shift = star * (1 + EPS if past else 1 - EPS)
    causes = rationalist_war(P, CA, CB, p_next=P + direction * shift, delta=DELTA)
    assert bool(causes.commitment) is past
    assert bool(causes.war) is past
    assert not causes.private_information and not causes.preemption


@pytest.mark.parametrize("past", [False, True])
def test_endogenous_power_shift_bound(past: bool) -> None:
    star = float(shift_threshold(P, CA, CB, DELTA))
    m_star = (P + star) / (P - star)  # B's arms that take A's p from 1/2 to 1/2 − Δ*
    p_next = win_probability(1.0, m_star * (1 + EPS if past else 1 - EPS))
    assert bool(rationalist_war(P, CA, CB, p_next=p_next, delta=DELTA).war) is past


@pytest.mark.parametrize("past", [False, True])
def test_first_strike_bound(past: bool) -> None:
    advantage = (CA + CB) * (1 + EPS if past else 1 - EPS)
    causes = rationalist_war(P, CA, CB, p_first=P + advantage / 2, p_second=P - advantage / 2)
    assert bool(causes.preemption) is past
    assert bool(causes.war) is past


@pytest.mark.parametrize("past", [False, True])
def test_transfer_of_future_power_bound(past: bool) -> None:
    q = 0.1  # B must concede g = P − CA − q = 0.3 of the stake to A
    s_star = float(shift_threshold(1 - P, CB, CA, DELTA)) / (P - CA - q)
    s = s_star * (1 + EPS if past else 1 - EPS)
    causes = rationalist_war(P, CA, CB, delta=DELTA, status_quo=q, transfer_sensitivity=s)
    assert bool(causes.transfer) is past
    assert bool(causes.war) is past
    assert not causes.commitment


def test_broadcasting_over_an_ensemble() -> None:
    p = np.full((4, 1), 0.5)
    spread = np.array([0.0, 0.1, 0.2, 0.3])
    causes = rationalist_war(p, 0.05, 0.15, cost_spread=spread)
    assert causes.war.shape == (4, 4)
    # w* = 2(0.2)/3 = 0.1333: the last two spreads are past it
    np.testing.assert_array_equal(causes.private_information[0], [False, False, True, True])


@pytest.mark.parametrize(
    "call",
    [
        lambda: bargaining_range(1.2, 0.1, 0.1),
        lambda: bargaining_range(0.5, -0.1, 0.1),
        lambda: risk_return_uniform(0.5, 0.1, 0.3, 0.2),
        lambda: commitment_problem(0.5, 0.6, 0.1, 0.1, 1.0),
        lambda: rationalist_war(0.5, 0.1, 0.1, cost_spread=0.3),
        lambda: preventive_war_path([0.5], 0.1, 0.1, 0.9),
        lambda: win_probability(1.0, 1.0, 0.0),
        lambda: expected_attrition(1.0, 1.0, 0.0, 1.0),
        lambda: expected_war_costs(1.0, -1.0, 0.3, 0.5, 0.3),
        lambda: expected_war_costs(1.0, 1.0, 0.3, 1.5, 0.3),
        lambda: expected_war_costs(1.0, 1.0, 0.3, 0.5, np.inf),
        lambda: attrition_war_cost(1.0, 1.0, 0.3, 0.5, 0.3, stake=0.0),
        lambda: attrition_war_cost(1.0, 1.0, 0.3, 0.5, 0.3, stake=1.0, own_share=2.0),
        lambda: bargaining_range(np.nan, 0.1, 0.1),
    ],
)
def test_bad_input_is_an_input_error(call: object) -> None:
    with pytest.raises(InputError):
        call()  # type: ignore[operator]
