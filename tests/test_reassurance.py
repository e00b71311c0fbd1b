"""The reassurance model (issue #13): Kydd's trust game, costly signals, the cold-war effect.

The equilibria are checked against independent best-reply computations on grids of payoffs
and priors, and (where pygambit is installed) against Gambit: Gambit computes Nash equilibria,
not perfect Bayesian ones, so herz's profiles are checked to be Nash in Gambit and herz checks
the beliefs off the path itself.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import herz
from herz.cli import app
from herz.models.reassurance.game import (
    C,
    D,
    ReassuranceGame,
    TrustGame,
    cooperates,
    fear_of_fear,
    minimal_separating_signal,
    one_shot_equilibria,
    posterior,
    signal_equilibria,
    trust_path,
    trust_threshold,
)
from herz.scenario import builtin_scenarios, load_scenario
from herz.testing import check_model

T_SECURE = (0.0, 0.3, 0.6, 0.9)
T_GREEDY = (1.2, 2.0)
COSTS = (0.25, 1.0, 3.0)
BELIEFS = (0.05, 0.2, 0.35, 0.5, 0.8, 0.95)
Z99 = 2.5758293035489004  # two-sided 99% normal quantile


# -- the one-shot game ----------------------------------------------------------------------
def _expected(game: TrustGame, own: str, p_other_c: float, *, greedy: bool) -> float:
    return p_other_c * game.payoff(own, C, greedy=greedy) + (1 - p_other_c) * game.payoff(
        own, D, greedy=greedy
    )


def _is_bayes_nash(
    game: TrustGame, coop: tuple[tuple[float, float], tuple[float, float]], mu: tuple[float, float]
) -> bool:
    """Every type of each player plays a best reply (mixing only when indifferent)."""
    for i in (0, 1):
        j = 1 - i
        p_c = (1 - mu[i]) * coop[j][0] + mu[i] * coop[j][1]
        for k, greedy in enumerate((False, True)):
            u_c = _expected(game, C, p_c, greedy=greedy)
            u_d = _expected(game, D, p_c, greedy=greedy)
            q = coop[i][k]
            if q > 0 and u_c < u_d - 1e-12:
                return False
            if q < 1 and u_d < u_c - 1e-12:
                return False
    return True


def test_trust_threshold_is_where_a_security_seeker_is_indifferent() -> None:
    for t, c in itertools.product(T_SECURE, COSTS):
        game = TrustGame(t, 1.5, c)
        p = trust_threshold(game)
        assert p == pytest.approx((1 - t) / (1 - t + c))
        # at μ*, cooperating against the other's security seeker's cooperation is a tie
        p_c = 1 - p
        assert _expected(game, C, p_c, greedy=False) == pytest.approx(
            _expected(game, D, p_c, greedy=False)
        )
        assert cooperates(game, p) and not cooperates(game, min(1.0, p + 1e-9))


def test_one_shot_equilibria_existence_on_a_grid() -> None:
    """Each equilibrium exists exactly when its profile is a Bayes–Nash equilibrium."""
    for t_s, t_g, c, m12, m21 in itertools.product(T_SECURE, T_GREEDY, COSTS, BELIEFS, BELIEFS):
        game = TrustGame(t_s, t_g, c)
        p = trust_threshold(game)
        eqs = {e.name: e for e in one_shot_equilibria(game, m12, m21)}
        assert eqs["spiral"].exists and _is_bayes_nash(game, eqs["spiral"].cooperate, (m12, m21))
        coop = eqs["cooperative"]
        assert coop.exists == (m12 <= p and m21 <= p)
        assert coop.exists == _is_bayes_nash(game, coop.cooperate, (m12, m21))
        mixed = eqs["mixed"]
        assert mixed.exists == (m12 < p and m21 < p)
        if mixed.exists:
            assert _is_bayes_nash(game, mixed.cooperate, (m12, m21))
            assert all(0 < mixed.cooperate[i][0] <= 1 for i in (0, 1))
        assert fear_of_fear(game, m12, m21) == (m12 <= p < m21)
        if fear_of_fear(game, m12, m21):
            # 1 trusts 2, yet its security seeker does not cooperate in any equilibrium
            assert not coop.exists and not mixed.exists


def test_payoff_validation() -> None:
    with pytest.raises(ValueError, match="t_secure"):
        TrustGame(1.0, 1.5, 1.0)
    with pytest.raises(ValueError, match="t_greedy"):
        TrustGame(0.5, 1.0, 1.0)
    with pytest.raises(ValueError, match="mu_12"):
        one_shot_equilibria(TrustGame(), 1.2, 0.1)


# -- the reassurance game -------------------------------------------------------------------
def test_minimal_separating_signal_at_the_boundary() -> None:
    """Numbers exact in binary: B_G = 1.5 (ν = 0, t_G = 1.5), k = 4, grain 1/64, so
    B_G / k = 24/64 and the minimal separating signal is 25/64; H makes the security seeker
    exactly indifferent there."""
    grain = 1 / 64
    s_star = 25 * grain
    rg = ReassuranceGame(TrustGame(0.5, 1.5, 1.0), horizon=4 * s_star, signal_cost=4.0)
    assert minimal_separating_signal(rg, 0.0, grain) == s_star
    # greedy strictly prefers not to send it; the security seeker weakly prefers to (a tie)
    assert rg.gain(s_star, 0.0, greedy=True) < 0
    assert rg.gain(s_star, 0.0, greedy=False) == 0.0
    assert rg.separates(s_star, 0.0)
    # one grain less: the greedy state is indifferent, so it no longer strictly separates
    assert rg.gain(s_star - grain, 0.0, greedy=True) == 0.0
    assert not rg.separates(s_star - grain, 0.0)
    # the separating PBE (weak IC for the greedy type) exists from B_G/k on
    eqs = {e.name: e for e in signal_equilibria(rg, 0.7, 0.0, s_star - grain)}
    assert eqs["separating"].exists
    # a security seeker that values being trusted a little less cannot separate at all
    poorer = ReassuranceGame(rg.game, horizon=4 * s_star - grain, signal_cost=4.0)
    assert minimal_separating_signal(poorer, 0.0, grain) is None


def test_minimal_separating_signal_on_a_grid() -> None:
    for t_g, nu, k, h in itertools.product((1.2, 2.0, 5.0), (0.0, 0.2, 0.3), (5.0, 20.0), (1, 10)):
        rg = ReassuranceGame(TrustGame(0.5, t_g, 1.0), horizon=h, signal_cost=k)
        grain = 0.001
        s = minimal_separating_signal(rg, nu, grain)
        b_g, b_s = rg.benefit(nu, greedy=True), rg.benefit(nu, greedy=False)
        if s is None:
            # no grid cut strictly deters the greedy type and keeps the security seeker
            n = math.floor(b_g / (k * grain)) + 1
            assert n * grain > 1 or k * n * grain > b_s or nu > trust_threshold(rg.game)
            continue
        assert k * s > b_g >= k * (s - grain) - 1e-12
        assert k * s <= b_s + 1e-12


def test_benefits_depend_on_beliefs_about_beliefs() -> None:
    rg = ReassuranceGame()
    p = trust_threshold(rg.game)
    assert rg.benefit(p + 0.01, greedy=False) == 0 == rg.benefit(p + 0.01, greedy=True)
    assert rg.benefit(0.0, greedy=False) == rg.horizon
    assert rg.benefit(0.2, greedy=True) == pytest.approx(0.8 * rg.game.t_greedy)
    assert minimal_separating_signal(rg, p + 0.01) is None


def _ic_gain(rg: ReassuranceGame, nu: float, size: float, greedy: bool, trusted: float) -> float:
    return trusted * rg.benefit(nu, greedy=greedy) - rg.signal_cost * size


def test_signal_equilibria_existence_on_a_grid() -> None:
    """Each equilibrium's existence matches the incentive constraints and Bayes' rule."""
    grid = itertools.product((1.2, 3.0), (0.0, 0.25), (5.0, 40.0), BELIEFS, (0.01, 0.05, 0.2, 1.0))
    for t_g, nu, k, mu, s in grid:
        rg = ReassuranceGame(TrustGame(0.5, t_g, 1.0), horizon=10, signal_cost=k)
        p = trust_threshold(rg.game)
        eqs = {e.name: e for e in signal_equilibria(rg, mu, nu, s)}
        sep = eqs["separating"]
        ic_sep = _ic_gain(rg, nu, s, False, 1.0) >= 0 and _ic_gain(rg, nu, s, True, 1.0) <= 0
        assert sep.exists == ic_sep
        assert sep.after_signal == 0.0 and sep.after_none == 1.0
        pool = eqs["pooling"]
        ic_pool = mu <= p and all(_ic_gain(rg, nu, s, g, 1.0) >= 0 for g in (False, True))
        assert pool.exists == ic_pool
        semi = eqs["semi_separating"]
        if semi.exists:
            # Bayes after the signal lands exactly on μ*: no trust by definition (strict)
            assert posterior(mu, semi.send[1], semi.send[0]) == pytest.approx(p)
            rho = semi.trust_after_signal
            assert 0 < rho <= 1
            assert _ic_gain(rg, nu, s, True, rho) == pytest.approx(0.0, abs=1e-12)
            assert _ic_gain(rg, nu, s, False, rho) >= -1e-12
        nothing = eqs["pooling_none"]
        assert nothing.exists
        b_g, b_s = rg.benefit(nu, greedy=True), rg.benefit(nu, greedy=False)
        if mu > p and b_g < b_s and b_g / k < 1:
            assert nothing.intuitive is False


def test_trust_evolves_round_by_round_by_bayes() -> None:
    rg = ReassuranceGame()
    path = trust_path(rg, 0.7, [0.03, 0.1, 0.1, 0.02], nu=0.2, tremble=0.25)
    odds = 0.7 / 0.3
    after_one, after_two = (o / (1 + o) for o in (odds * 0.25, odds * 0.0625))
    # the 3% and 2% cuts are pooling (below B_G/k = 0.06); the 10% cuts separate
    expected = [0.7, 0.7, after_one, after_two, after_two]
    assert path == pytest.approx(expected)
    assert trust_path(rg, 0.7, [0.1], nu=0.2, tremble=0.0)[-1] == 0.0


# -- pygambit: herz's profiles are Nash in the discretized games --------------------------
def _gambit() -> Any:
    return pytest.importorskip("pygambit")


def _one_shot_table(game: TrustGame, m12: float, m21: float) -> Any:
    """The ex-ante strategic form: a strategy is (action if security seeker, if greedy)."""
    gbt = _gambit()
    strategies = [(a, b) for a in (C, D) for b in (C, D)]
    types = [(False, 1 - m21), (True, m21)]  # player 1's type, as player 2 believes
    types2 = [(False, 1 - m12), (True, m12)]
    shape = (len(strategies), len(strategies))
    u1, u2 = np.zeros(shape), np.zeros(shape)
    for (a, s1), (b, s2) in itertools.product(enumerate(strategies), enumerate(strategies)):
        for (g1, p1), (g2, p2) in itertools.product(types, types2):
            x1, x2 = s1[int(g1)], s2[int(g2)]
            u1[a, b] += p1 * p2 * game.payoff(x1, x2, greedy=g1)
            u2[a, b] += p1 * p2 * game.payoff(x2, x1, greedy=g2)
    g = _strategic(gbt, u1, u2, "security dilemma game")
    return g, strategies


def _set_mixed(g: Any, profile: Any, index: int, weights: list[float]) -> None:
    """Give player ``index``'s pure strategies these weights (pygambit 16 and 17 APIs)."""
    if hasattr(profile, "set_mixed_strategy"):  # pygambit 17: by labels
        label = list(g.players)[index]
        labels = g.get_strategies(label)
        profile.set_mixed_strategy(label, dict(zip(labels, weights, strict=True)))
        return
    player = list(g.players)[index]  # pygambit 16: by strategy objects
    for strategy, weight in zip(list(player.strategies), weights, strict=True):
        profile[strategy] = weight


def _profile_regret(g: Any, strategies: list[tuple[str, str]], coop: Any) -> float:
    profile = g.mixed_strategy_profile(rational=False)
    for i in range(2):
        q_s, q_g = coop[i]
        weights = [
            (q_s if a == C else 1 - q_s) * (q_g if b == C else 1 - q_g) for a, b in strategies
        ]
        _set_mixed(g, profile, i, weights)
    return float(profile.max_regret())


def test_one_shot_profiles_are_nash_in_gambit() -> None:
    _gambit()
    for t_s, c, m12, m21 in itertools.product((0.3, 0.6), (0.5, 2.0), (0.1, 0.3, 0.6), (0.1, 0.6)):
        game = TrustGame(t_s, 1.5, c)
        g, strategies = _one_shot_table(game, m12, m21)
        for eq in one_shot_equilibria(game, m12, m21):
            regret = _profile_regret(g, strategies, eq.cooperate)
            if eq.exists:
                assert regret == pytest.approx(0.0, abs=1e-9), (eq.name, t_s, c, m12, m21)
            elif eq.name == "cooperative":
                assert regret > 1e-9  # not an equilibrium where herz says it does not exist


def _strategic(gbt: Any, u1: Any, u2: Any, title: str) -> Any:
    """A two-player strategic game from payoff arrays (pygambit 16's ``Game.from_arrays``,
    17's ``StrategicGame.from_arrays``)."""
    maker = getattr(getattr(gbt, "StrategicGame", None), "from_arrays", None)
    if maker is None:
        maker = gbt.Game.from_arrays
    return maker(u1, u2, title=title)


S_PURE = [(a, b) for a in ("send", "none") for b in ("send", "none")]  # (if secure, if greedy)
R_PURE = [(a, b) for a in ("trust", "distrust") for b in ("trust", "distrust")]  # (after send,
# after nothing)


def _signal_table(rg: ReassuranceGame, mu: float, nu: float, size: float) -> Any:
    """The signalling game in strategic form: chance draws S's type (greedy with prob. μ); S
    sends the cut or nothing; R, seeing which, trusts or not. A Nash equilibrium of this form
    is one of the game tree (perfect recall; Kuhn 1953), which Gambit checks.

    R's payoffs are the stage game's with R a security seeker: trusting a security seeker
    pays 1 and a greedy state −c; distrust pays t_S against a security seeker (who
    cooperates) and 0 against a greedy state. R trusts iff its posterior is at most μ*.
    """
    gbt = _gambit()
    t_s, c = rg.game.t_secure, rg.game.cost
    u_s = np.zeros((len(S_PURE), len(R_PURE)))
    u_r = np.zeros_like(u_s)
    for (i, plan), (j, reply) in itertools.product(enumerate(S_PURE), enumerate(R_PURE)):
        for is_greedy, prob in ((False, 1 - mu), (True, mu)):
            sent = plan[int(is_greedy)] == "send"
            trusted = reply[0 if sent else 1] == "trust"
            s_pay = (rg.benefit(nu, greedy=is_greedy) if trusted else 0.0) - (
                rg.signal_cost * size if sent else 0.0
            )
            r_pay = {(True, False): 1.0, (True, True): -c, (False, False): t_s}.get(
                (trusted, is_greedy), 0.0
            )
            u_s[i, j] += prob * s_pay
            u_r[i, j] += prob * r_pay
    return _strategic(gbt, u_s, u_r, "reassurance")


def _behavior(g: Any, secure_send: float, greedy_send: float, after: tuple[float, float]) -> Any:
    """The mixed strategy profile equivalent to a behaviour profile: independent choices at
    each of S's two types and R's two information sets."""
    profile = g.mixed_strategy_profile(rational=False)

    def p_send(send: float, action: str) -> float:
        return send if action == "send" else 1 - send

    def p_trust(trust: float, action: str) -> float:
        return trust if action == "trust" else 1 - trust

    _set_mixed(g, profile, 0, [p_send(secure_send, a) * p_send(greedy_send, b) for a, b in S_PURE])
    _set_mixed(g, profile, 1, [p_trust(after[0], a) * p_trust(after[1], b) for a, b in R_PURE])
    return profile


def test_separating_profile_is_nash_in_gambit_and_beliefs_check_off_path() -> None:
    _gambit()
    rg = ReassuranceGame()
    nu = 0.2
    s_min = minimal_separating_signal(rg, nu)
    assert s_min is not None
    for mu in (0.4, 0.7, 0.9):
        for size, separating in ((s_min, True), (0.5 * s_min, False)):
            g = _signal_table(rg, mu, nu, size)
            profile = _behavior(g, 1.0, 0.0, (1.0, 0.0))
            regret = float(profile.max_regret())
            eq = {e.name: e for e in signal_equilibria(rg, mu, nu, size)}["separating"]
            assert eq.exists == separating
            if separating:
                assert regret == pytest.approx(0.0, abs=1e-9)
            else:
                assert regret > 1e-9  # the greedy type would mimic the small cut
            # pooling on nothing: Nash; its off-path belief (1 after the cut) is herz's check
            pool = {e.name: e for e in signal_equilibria(rg, mu, nu, size)}["pooling_none"]
            profile = _behavior(g, 0.0, 0.0, (0.0, 0.0))
            assert float(profile.max_regret()) == pytest.approx(0.0, abs=1e-9)
            assert pool.after_signal == 1.0 and pool.after_signal > trust_threshold(rg.game)
            assert pool.intuitive is False  # μ > μ* and a separating cut exists


# -- the registered model -------------------------------------------------------------------
def test_check_model() -> None:
    check_model("reassurance")
    check_model("reassurance", "cold-war", runs=6, steps=43)


def test_spiral_and_richardson_ignore_signal_events() -> None:
    doc = load_scenario("two-state").to_dict()
    plain = load_scenario(doc)
    doc["events"] = [{"kind": "signal", "year": 3, "state": "B", "size": 0.5}]
    signalled = load_scenario(doc)
    for model in ("spiral", "richardson"):
        a = herz.simulate(plain, model=model, runs=5, seed=3, steps=10)
        b = herz.simulate(signalled, model=model, runs=5, seed=3, steps=10)
        assert a.outcomes.equals(b.outcomes)
        assert a.series is not None and b.series is not None and a.series.equals(b.series)


def _paired_ci(res: herz.Result) -> tuple[float, float, float]:
    with_ = res.outcomes["trusted"].to_numpy(dtype=float)
    wo = res.outcomes["trusted_without_signals"].to_numpy(dtype=float)
    diff = with_ - wo
    mean = float(diff.mean())
    se = float(diff.std(ddof=1) / math.sqrt(diff.size))
    return mean, mean - Z99 * se, mean + Z99 * se


def test_cold_war_signals_raise_trust_by_1991() -> None:
    """A verification of the mechanism, not a test of history: with the documented default
    priors (cold-war.yaml), separating cuts make the US trust the USSR by 1991 in a share of
    runs at least 0.2 higher than without them (99% CI of the paired difference)."""
    res = herz.simulate("cold-war", model="reassurance", runs=2000, seed=1989, keep="summary")
    assert res.scenario.time.end == 1991
    _, lo, _ = _paired_ci(res)
    assert lo >= 0.2
    off = herz.simulate(
        "cold-war",
        model="reassurance",
        runs=2000,
        seed=1989,
        keep="summary",
        overrides={"reassurance.signals": False},
    )
    assert off.summary["p_trusted"] == res.summary["p_trusted_without_signals"]


def test_signals_below_the_separating_size_do_not_help() -> None:
    """TOST equivalence at margin 0.05 (each one-sided test at α = 0.01): the 1987–89 signals
    cut to half the minimal separating size change the share of runs reaching trust by less
    than 0.05. (No semi-separating equilibrium creates trust: its posterior stops at μ*.)"""
    sc = load_scenario("cold-war")
    s_min = herz.simulate(sc, model="reassurance", runs=2, seed=0).summary[
        "minimal_separating_signal"
    ]
    overrides = {
        f"events[{i}].size": 0.5 * s_min
        for i, ev in enumerate(sc.events)
        if getattr(ev, "kind", "") == "signal"
    }
    res = herz.simulate(
        sc, model="reassurance", runs=4000, seed=7, keep="summary", overrides=overrides
    )
    diff = res.outcomes["trusted"].to_numpy(float) - res.outcomes[
        "trusted_without_signals"
    ].to_numpy(float)
    margin = 0.05
    se = max(float(diff.std(ddof=1) / math.sqrt(diff.size)), 1e-12)
    z_lower = (diff.mean() + margin) / se
    z_upper = (margin - diff.mean()) / se
    assert min(z_lower, z_upper) > 2.3263478740408408  # one-sided 1% quantile


# -- bad input through the CLI ----------------------------------------------------------------
def _bad_scenario(tmp_path: Path, change: dict[str, Any]) -> Path:
    doc = yaml.safe_load(Path(builtin_scenarios()["cold-war"]).read_text())
    for key, value in change.items():
        if key == "signal":
            doc["events"].append(value)
        else:
            doc["reassurance"][key] = value
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"signal": {"kind": "signal", "year": 1988, "state": "RUS", "size": 1.5}}, "size"),
        ({"signal": {"kind": "signal", "year": 1988, "state": "XYZ", "size": 0.1}}, "state"),
        ({"prior": 1.5}, "reassurance.prior"),
        ({"prior_sender": -0.1}, "reassurance.prior_sender"),
        ({"sender": "XYZ"}, "reassurance.sender"),
    ],
)
def test_bad_input_exits_2_naming_the_field(
    tmp_path: Path, change: dict[str, Any], field: str
) -> None:
    path = _bad_scenario(tmp_path, change)
    result = CliRunner().invoke(app, ["run", str(path), "--model", "reassurance", "--runs", "2"])
    assert result.exit_code == 2, result.output
    message = result.stderr.strip()
    assert field in message
    assert message.count(". ") == 0 and message.endswith(".")  # one sentence


# -- the rival explanation: Soviet decline (Brooks & Wohlforth 2000/01) ----------------------
def _cold_war(runs: int = 2000, seed: int = 1991, **block: Any) -> herz.Result:
    overrides = {f"reassurance.{k}": v for k, v in block.items()}
    return herz.simulate(
        "cold-war", model="reassurance", runs=runs, seed=seed, keep="summary", overrides=overrides
    )


def _lower_99(a: np.ndarray, b: np.ndarray) -> float:
    """Lower end of the 99% CI of the paired mean difference a − b."""
    diff = a.astype(float) - b.astype(float)
    return float(diff.mean() - Z99 * diff.std(ddof=1) / math.sqrt(diff.size))


def test_decline_without_signals_ends_the_race_but_builds_no_trust() -> None:
    """Cuts forced by decline pool (both types make them), so the belief never moves: the share
    of runs reaching trust is exactly the no-signal baseline, run by run, while the share in
    which the race ends (trust or decline) is much higher."""
    baseline = _cold_war(signals=False)
    decline = _cold_war(signals=False, decline=True)
    out, base = decline.outcomes, baseline.outcomes
    assert out["trusted"].equals(base["trusted"])
    assert out["final_belief"].equals(base["final_belief"])
    assert decline.summary["p_trusted"] == baseline.summary["p_trusted"]
    assert _lower_99(out["race_ended"].to_numpy(), base["race_ended"].to_numpy()) >= 0.3
    ended = out["race_ended"].to_numpy(bool)
    by_decline = out["ended_by_decline"].to_numpy(bool)
    assert (out["ended_by_trust"].to_numpy(bool) ^ by_decline).sum() == ended.sum()
    assert by_decline.sum() > 0 and not base["declined"].any()
    year = out["race_end_year"].to_numpy(float)
    assert np.array_equal(np.isfinite(year), ended)
    assert np.all(year[by_decline] == out["decline_year"].to_numpy(float)[by_decline])


def test_signals_without_decline_build_trust_and_no_decline() -> None:
    """The reverse: signals without decline raise trust above the no-signal baseline (99% CI of
    the paired difference at least 0.2) and never end the race by decline."""
    signals = _cold_war()
    out = signals.outcomes
    assert not out["declined"].any() and not out["ended_by_decline"].any()
    assert out["race_ended"].equals(out["trusted"])
    assert _lower_99(out["trusted"].to_numpy(), out["trusted_without_signals"].to_numpy()) >= 0.2


def test_decline_leaves_the_beliefs_and_the_signals_alone() -> None:
    """Switching the decline on changes no belief and no signal (its draws come from a child
    stream), and its draws are the same with and without the signals (common random numbers)."""
    off, on = _cold_war(runs=300), _cold_war(runs=300, decline=True)
    for col in ("trusted", "trusted_without_signals", "final_belief", "signals_informative"):
        assert on.outcomes[col].equals(off.outcomes[col]), col
    silent = _cold_war(runs=300, decline=True, signals=False)
    assert on.outcomes["decline_year"].equals(silent.outcomes["decline_year"])
    # the sender's military falls with the decline, the observer's does not
    assert (on.outcomes["final_military_RUS"] < off.outcomes["final_military_RUS"]).all()
    assert on.outcomes["final_military_USA"].equals(off.outcomes["final_military_USA"])


def test_decline_year_follows_the_documented_path() -> None:
    """Without spread, capacity exp(−r (year − start)) first falls below the threshold in the
    first scenario year at or after start + ln(1/threshold)/r."""
    res = _cold_war(runs=5, decline=True, decline_noise=0.0, decline_rate=0.2)
    expected = math.ceil(1986 + math.log(1 / 0.5) / 0.2)
    assert (res.outcomes["decline_year"] == expected).all()
    none = _cold_war(runs=5, decline=True, decline_rate=0.0)
    assert not none.outcomes["declined"].any()


def test_signal_scale_scales_the_cuts_and_caps_them_at_one() -> None:
    one = _cold_war(runs=50)
    assert one.outcomes.equals(_cold_war(runs=50, signal_scale=1.0).outcomes)
    big = _cold_war(runs=5, signal_scale=20.0)
    assert [s["size"] for s in big.summary["signals"]] == [0.6, 1.0, 0.4, 1.0]
    small = _cold_war(runs=5, signal_scale=0.5)
    sizes = [s["size"] for s in one.summary["signals"]]
    assert [s["size"] for s in small.summary["signals"]] == pytest.approx([x / 2 for x in sizes])


def test_sweeps_are_built_in_and_run(tmp_path: Path) -> None:
    """The three reassurance sweeps validate and run (a few runs per point here); the summary
    has p_trusted and p_trusted_without_signals with Wilson intervals."""
    pytest.importorskip("duckdb")
    from herz.analysis import sweep_summary
    from herz.experiment import run_sweep

    for name in ("reassurance-cold-war", "reassurance-signal-size", "reassurance-decline"):
        db = tmp_path / f"{name}.duckdb"
        run_sweep(name, db=db, runs=4, workers=1)
        summary = sweep_summary(db)
        for col in ("p_trusted", "p_trusted_low", "p_trusted_without_signals", "p_race_ended"):
            assert col in summary.columns, (name, col)
        assert summary["p_trusted"].between(0, 1).all()


# -- the CLI report and the web page -----------------------------------------------------------
def test_cli_run_writes_a_report_with_the_trust_figure(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["run", "cold-war", "--model", "reassurance", "--runs", "500", "--seed", "1"]
    result = CliRunner().invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "trust.png").read_bytes().startswith(b"\x89PNG")
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "trust.png" in report and "data:image/png;base64," in report


def test_web_api_runs_the_model() -> None:
    import warnings

    pytest.importorskip("fastapi")

    from herz.web import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    body = {
        "wait": True,
        "scenario": "cold-war",
        "model": "reassurance",
        "runs": 50,
        "seed": 1,
        "overrides": {"reassurance.decline": True},
    }
    with TestClient(create_app()) as client:
        assert "reassurance" in [m["name"] for m in client.get("/api/models").json()]
        response = client.post("/api/runs", json=body)
        assert response.status_code == 200, response.text
        summary = response.json()["result"]["summary"]
    direct = _cold_war(runs=50, seed=1, decline=True)
    assert summary["p_trusted"] == pytest.approx(direct.summary["p_trusted"])
    assert summary["p_race_ended"] == pytest.approx(direct.summary["p_race_ended"])
