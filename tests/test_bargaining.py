"""herz.models.bargaining: Fearon's (1995) bargaining range, risk–return trade-off and
pre-emption, Powell's (2006) commitment problem, the cost of war from attrition, and the
rationalist puzzle on both sides of each of its bounds."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from herz.errors import InputError
from herz.models.bargaining import (
    bargaining_range,
    commitment_problem,
    expected_attrition,
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
        lambda: bargaining_range(np.nan, 0.1, 0.1),
    ],
)
def test_bad_input_is_an_input_error(call: object) -> None:
    with pytest.raises(InputError):
        call()  # type: ignore[operator]
