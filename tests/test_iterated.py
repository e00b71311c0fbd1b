"""Iterated games: strategies, matches and tournaments against axelrod, misperception against
hand-derived Markov chains, seeding conventions.

axelrod takes ~25 s to import (it scans its strategy sources), so it is imported once, by the
module-scoped fixture ``axl`` (Python caches the module for the rest of the session).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy import stats

import herz.models.iterated.kernel as it
from herz.errors import InputError
from herz.models.games import Game
from herz.models.iterated import (
    Strategy,
    get_strategy,
    play_match,
    play_matches,
    strategy_names,
    tournament,
)


@pytest.fixture(scope="module")
def axl() -> Any:
    import axelrod

    return axelrod


# herz name -> axelrod class name, deterministic strategies present in both
DETERMINISTIC = {
    "cooperator": "Cooperator",
    "defector": "Defector",
    "tit-for-tat": "TitForTat",
    "grim": "Grudger",
    "alternator": "Alternator",
    "tit-for-two-tats": "TitFor2Tats",
    "win-stay-lose-shift": "WinStayLoseShift",
    "suspicious-tit-for-tat": "SuspiciousTitForTat",
    "anti-tit-for-tat": "AntiTitForTat",
    "bully": "Bully",
}


# --- exact agreement with axelrod (no noise) ------------------------------------------------


def test_every_deterministic_match_equals_axelrod(axl: Any) -> None:
    letters = {axl.Action.C: "C", axl.Action.D: "D"}
    for (h1, a1), (h2, a2) in itertools.product(DETERMINISTIC.items(), repeat=2):
        match = axl.Match((getattr(axl, a1)(), getattr(axl, a2)()), turns=40)
        ref = match.play()
        ours = play_match(h1, h2, turns=40)
        assert ours.history == [(letters[x], letters[y]) for x, y in ref], (h1, h2)
        assert ours.scores.tolist() == [list(map(float, s)) for s in match.scores()], (h1, h2)


def test_deterministic_tournament_equals_axelrod(axl: Any) -> None:
    names = list(DETERMINISTIC)
    ours = tournament(names, turns=100, repetitions=3, seed=1)
    players = [getattr(axl, DETERMINISTIC[n])() for n in names]
    ref = axl.Tournament(players, turns=100, repetitions=3, seed=1).play(progress_bar=False)
    np.testing.assert_array_equal(ours.scores, np.array(ref.scores))  # integers: exact
    # per-turn means: equal up to the last bit of floating-point summation order
    np.testing.assert_allclose(ours.normalised_scores, ref.normalised_scores, rtol=1e-14)
    np.testing.assert_allclose(ours.payoff_array, ref.payoff_matrix, rtol=1e-14)
    np.testing.assert_array_equal(ours.cooperation, np.array(ref.cooperation))
    assert ours.ranking == [names[i] for i in ref.ranking]
    assert ours.mean_scores == pytest.approx(
        {n: float(np.mean(s)) for n, s in zip(names, ref.normalised_scores, strict=True)},
        rel=1e-14,
    )


def test_display_names_resolve(axl: Any) -> None:
    for cls in DETERMINISTIC.values():
        display = getattr(axl, cls).name
        assert get_strategy(display).name in DETERMINISTIC
    assert get_strategy("Random").name == "random"
    assert get_strategy("GTFT").name == "generous-tit-for-tat"
    assert get_strategy("Grim Trigger").name == "grim"


# --- statistical agreement with axelrod (noise, stochastic strategies) ----------------------

NOISY = [*DETERMINISTIC.items(), ("generous-tit-for-tat", "GTFT"), ("random", "Random")]
NOISY = [NOISY[i] for i in (0, 1, 2, 3, 5, 6, 10, 11)]  # 8 players, 2 of them stochastic


def _axelrod_noisy(axl: Any, noise: float, reps: int, turns: int) -> np.ndarray:
    players = [getattr(axl, a)() for _, a in NOISY]
    res = axl.Tournament(players, turns=turns, repetitions=reps, noise=noise, seed=7).play(
        progress_bar=False
    )
    return np.array(res.normalised_scores)


def _welch_min_p(a: np.ndarray, b: np.ndarray) -> float:
    """Smallest per-player Welch t-test p-value, Bonferroni-adjusted over players."""
    p = stats.ttest_ind(a, b, axis=1, equal_var=False).pvalue
    return float(min(1.0, np.min(p) * a.shape[0]))


def test_noisy_tournament_agrees_with_axelrod_within_sampling_error(axl: Any) -> None:
    """Two-sample test, documented.

    Each repetition's normalised score of a player is one independent draw (repetitions use
    independent streams in both libraries). For every player we run Welch's t-test of
    "same mean" on 40 repetitions from herz against 40 from axelrod, and reject if the
    Bonferroni-adjusted smallest p-value is below α = 0.001. The same test must reject a
    deliberately wrong noise rate (power check), so it is not a tolerance chosen to pass.
    """
    reps, turns, noise = 40, 50, 0.05
    ref = _axelrod_noisy(axl, noise, reps, turns)
    names = [h for h, _ in NOISY]
    ours = tournament(names, turns=turns, repetitions=reps, noise=noise, seed=11)
    assert _welch_min_p(ours.normalised_scores, ref) > 1e-3
    wrong = tournament(names, turns=turns, repetitions=reps, noise=0.15, seed=11)
    assert _welch_min_p(wrong.normalised_scores, ref) < 1e-3


# --- misperception against hand-derived Markov chains ---------------------------------------

Step = Callable[[tuple[int, int], int, int], tuple[tuple[int, int], tuple[int, int]]]


def _exact_action_distributions(
    hidden0: tuple[int, int], step: Step, rate: float, turns: int
) -> np.ndarray:
    """P(actions at turn t = (a, b)) for t = 1..turns, shape (turns, 4), index 2a + b.

    ``step(hidden, e_a, e_b)`` returns (actions, next hidden) for flip indicators e_a, e_b,
    each 1 with probability ``rate`` independently: a Markov chain on the hidden states,
    propagated exactly.
    """
    dist = {hidden0: 1.0}
    out = np.zeros((turns, 4))
    for t in range(turns):
        nxt: dict[tuple[int, int], float] = {}
        for h, ph in dist.items():
            for ea, eb in itertools.product((0, 1), repeat=2):
                pe = (rate if ea else 1 - rate) * (rate if eb else 1 - rate)
                (a, b), h2 = step(h, ea, eb)
                out[t, 2 * a + b] += ph * pe
                nxt[h2] = nxt.get(h2, 0.0) + ph * pe
        dist = nxt
    return out


# Tit for tat vs tit for tat; hidden = the actions of the previous turn, (C, C) before turn 1.
def _tft_misperception(h: tuple[int, int], ea: int, eb: int) -> Any:
    # each copies what it *saw*: the other's last action, misread with probability mu
    a, b = (h[1] ^ ea, h[0] ^ eb) if h != (-1, -1) else (0, 0)
    return (a, b), (a, b)


def _tft_noise(h: tuple[int, int], ea: int, eb: int) -> Any:
    # each copies the other's last action; the chosen action then flips with probability eps
    a, b = (h[1], h[0]) if h != (-1, -1) else (0, 0)
    a, b = a ^ ea, b ^ eb
    return (a, b), (a, b)


# Grim vs grim; hidden = (A holds a grudge, B holds a grudge).
def _grim_misperception(h: tuple[int, int], ea: int, eb: int) -> Any:
    a, b = h  # a grudge means arming
    return (a, b), (h[0] | (b ^ ea), h[1] | (a ^ eb))  # the grudge starts on a *seen* D


def _grim_noise(h: tuple[int, int], ea: int, eb: int) -> Any:
    a, b = h[0] ^ ea, h[1] ^ eb  # the flipped action is played and seen by both
    return (a, b), (h[0] | b, h[1] | a)


def _chi2_p(sim_actions: np.ndarray, probs: np.ndarray) -> float:
    """Chi-square goodness of fit of the (a, b) counts at one turn to exact probabilities."""
    counts = np.bincount(2 * sim_actions[:, 0] + sim_actions[:, 1], minlength=4)
    keep = probs > 0
    assert counts[~keep].sum() == 0  # impossible outcomes never occur
    if keep.sum() == 1:
        return 1.0  # a sure outcome: the line above is the whole test
    expected = probs[keep] * counts.sum()
    return float(stats.chisquare(counts[keep], expected).pvalue)


CHAINS = {
    ("tit-for-tat", "misperception"): ((-1, -1), _tft_misperception),
    ("tit-for-tat", "noise"): ((-1, -1), _tft_noise),
    ("grim", "misperception"): ((0, 0), _grim_misperception),
    ("grim", "noise"): ((0, 0), _grim_noise),
}
CHECK_TURNS = (0, 1, 2, 3, 5, 9, 14)


@pytest.mark.parametrize(("name", "kind"), list(CHAINS))
def test_action_distribution_equals_markov_chain(name: str, kind: str) -> None:
    """Simulated joint actions per turn fit the exact chain (chi-square, Bonferroni α=1e-4)."""
    rate, turns, reps = 0.1, 15, 20_000
    h0, step = CHAINS[(name, kind)]
    exact = _exact_action_distributions(h0, step, rate, turns)
    ens = play_matches(name, name, repetitions=reps, turns=turns, seed=3, **{kind: rate})
    for t in CHECK_TURNS:
        p = _chi2_p(ens.actions[:, t, :].astype(int), exact[t])
        assert p * len(CHECK_TURNS) > 1e-4, (t, p)


def test_misperception_is_not_noise_for_grim() -> None:
    """Under misperception the misreader strikes first; under noise the victim does.

    Grim vs grim, rate 0.1. Under noise an accidental arming is seen by both: the victim
    retaliates while the erring side, still without a grudge, restrains once more (C, D).
    Under misperception the side that misread strikes at once and the other follows: fewer
    mismatched turns, faster mutual arming. The exact chains differ (at turn 3 P(C, D) is
    0.142 under noise, 0.082 under misperception), and the simulation under misperception
    rejects the noise chain decisively while fitting its own (previous test).
    """
    rate, turns, reps = 0.1, 15, 20_000
    noise_exact = _exact_action_distributions((0, 0), _grim_noise, rate, turns)
    mis_exact = _exact_action_distributions((0, 0), _grim_misperception, rate, turns)
    assert np.abs(noise_exact - mis_exact).max() > 0.05
    ens = play_matches("grim", "grim", repetitions=reps, turns=turns, seed=3, misperception=rate)
    assert _chi2_p(ens.actions[:, 2, :].astype(int), noise_exact[2]) < 1e-12


def test_tft_echoes_and_diverging_memories() -> None:
    """Tit for tat vs tit for tat: a misread move starts an echo of retaliation.

    In action space misperception of the other's move and an implementation error by the
    other act the same way on tit for tat (its reply is "copy the other's last move", so
    flipping the input equals flipping the output); the exact chains differ only through the
    first move, which misperception never touches. What differs is memory: under
    misperception the two sides remember different histories in a share μ of turns, under
    noise never (the Jervis point: each believes the other moved first).
    """
    rate, turns, reps = 0.05, 30, 4000
    mis = play_matches("tft", "tft", repetitions=reps, turns=turns, seed=5, misperception=rate)
    noise = play_matches("tft", "tft", repetitions=reps, turns=turns, seed=5, noise=rate)
    # memories: row's view of column vs what column did
    mis_diverge = (mis.perceived[:, :, 0] != mis.actions[:, :, 1]).mean()
    assert (noise.perceived[:, :, 0] == noise.actions[:, :, 1]).all()
    se = np.sqrt(rate * (1 - rate) / (reps * turns))
    assert abs(mis_diverge - rate) < 5 * se
    # misperception never alters the first move; noise does, at rate eps on each side
    assert (mis.actions[:, 0, :] == 0).all()
    first = (noise.actions[:, 0, :] == 1).mean()
    assert abs(first - rate) < 5 * np.sqrt(rate * (1 - rate) / (2 * reps))
    # echoes: the exact chain's long-run share of (C, D) + (D, C) turns is 1/2 - ... > 0
    exact = _exact_action_distributions((-1, -1), _tft_misperception, rate, turns)
    echo_exact = exact[:, 1] + exact[:, 2]
    echo_sim = (mis.actions[:, :, 0] != mis.actions[:, :, 1]).mean(axis=0)
    assert echo_exact[-1] > 0.2  # a large share of turns are spent in echoes
    assert np.abs(echo_sim - echo_exact).max() < 5 * np.sqrt(0.25 / reps)


# --- strategies by hand ---------------------------------------------------------------------


def _scripted(actions: str) -> Strategy:
    """A test opponent that plays a fixed script, then restrains."""
    n = len(actions) + 1
    p = np.array([1.0 if c == "C" else 0.0 for c in actions] + [1.0])
    tr = np.empty((n, 2, 2), dtype=np.int64)
    for s in range(n):
        tr[s] = min(s + 1, n - 1)
    return Strategy("script", p, tr)


def _row(name: str | Strategy, script: str, turns: int | None = None) -> str:
    res = play_match(name, _scripted(script), turns=turns or len(script))
    return "".join(a for a, _ in res.history)


def test_strategies_by_hand() -> None:
    assert _row("tit-for-tat", "CDDCC") == "CCDDC"
    assert _row("tit-for-two-tats", "CDDCDC") == "CCCDCC"
    assert _row("grim", "CDCCC") == "CCDDD"
    assert _row("win-stay-lose-shift", "CDCDD") == "CCDDC"
    assert _row("alternator", "DDDDD") == "CDCDC"
    assert _row("suspicious-tit-for-tat", "CCDC") == "DCCD"
    assert _row("bully", "CCDC") == "DDDC"
    assert _row("anti-tit-for-tat", "CCDC") == "CDDC"
    assert _row("cooperator", "DDD") == "CCC"
    assert _row("defector", "CCC") == "DDD"


def test_grit_by_hand() -> None:
    # initiative of 3 unanswered steps, one retaliation, then a renewed initiative
    assert _row("grit", "DDDDDDDD") == "CCCDCCCD"
    # reciprocation, then a single retaliation for an arming, then back to restraint
    assert _row("grit", "CCDCCC") == "CCCDCC"
    assert _row(it.grit(initiative=1), "DDDD") == "CDCD"


def test_realists_by_hand() -> None:
    # defensive realist: arms only while the other is ahead in cumulative arming
    assert _row("defensive-realist", "DDCCCC") == "CDDCCC"
    assert _row("defensive-realist", "DCCC") == "CDCC"
    # offensive realist (window 1): answers an arming like tit for tat while even...
    assert _row("offensive-realist", "CCDCCCC") == "CCCDCCC"
    assert _row("offensive-realist", "DDCCCC") == "CDDCCC"
    # ... and with a window of 2 turns of doubt it over-retaliates, gets ahead, and presses
    # the advantage for ever
    assert _row(it.offensive_realist(window=2), "DCCCCC") == "CDDDDD"


def _or_vs_cooperator(kind: str) -> Step:
    """The offensive realist's documented rule (window 1, cap 5) against a cooperator.

    Hidden state (g, w): the perceived gap (other's armings minus own) and whether the other
    was seen arming last turn. It arms iff g < 0 (ahead) or w = 1 (doubt).
    """

    def step(h: tuple[int, int], ea: int, eb: int) -> Any:
        g, w = h
        a = 1 if (g < 0 or w == 1) else 0
        b = 0
        if kind == "noise":
            a, b = a ^ ea, b ^ eb
            seen = b
        else:
            seen = b ^ ea
        return (a, b), (int(np.clip(g + seen - a, -5, 5)), seen)

    return step


@pytest.mark.parametrize("kind", ["noise", "misperception"])
def test_offensive_realist_equals_its_documented_rule(kind: str) -> None:
    """Simulated actions against a cooperator fit the exact chain of the documented rule."""
    rate, turns, reps = 0.1, 15, 20_000
    exact = _exact_action_distributions((0, 0), _or_vs_cooperator(kind), rate, turns)
    ens = play_matches(
        "offensive-realist", "cooperator", repetitions=reps, turns=turns, seed=8, **{kind: rate}
    )
    for t in CHECK_TURNS:
        p = _chi2_p(ens.actions[:, t, :].astype(int), exact[t])
        assert p * len(CHECK_TURNS) > 1e-4, (t, p)
    if kind == "noise":
        # an accidental lead is pressed: by turn 15 it arms far more often than it errs
        assert exact[-1, 2] + exact[-1, 3] > 0.5


def test_defensive_realist_does_not_echo_but_tit_for_tat_does() -> None:
    # after an implementation error the defensive realist lets the other catch up once and
    # returns to restraint; two tit-for-tats echo the error until the next one
    ens = play_matches(
        "defensive-realist", "defensive-realist", repetitions=2000, turns=40, seed=1, noise=0.02
    )
    tft = play_matches("tft", "tft", repetitions=2000, turns=40, seed=1, noise=0.02)
    coop_dr = (ens.actions == 0).mean()
    coop_tft = (tft.actions == 0).mean()
    assert coop_dr > coop_tft + 0.1


def test_memory_one_generic_equals_named() -> None:
    wsls = it.memory_one(1, 0, 0, 1, initial=1)
    for opp in ("alternator", "tit-for-two-tats", "bully"):
        a = play_match(wsls, opp, turns=30).actions
        b = play_match("win-stay-lose-shift", opp, turns=30).actions
        np.testing.assert_array_equal(a, b)


def test_random_strategy_rate() -> None:
    ens = play_matches(it.random_strategy(0.3), "cooperator", repetitions=500, turns=40, seed=2)
    rate = (ens.actions[:, :, 0] == 0).mean()
    assert abs(rate - 0.3) < 5 * np.sqrt(0.3 * 0.7 / (500 * 40))


def test_gtft_generosity_from_game() -> None:
    s = get_strategy("generous-tit-for-tat")
    assert s.p_cooperate.tolist() == pytest.approx([1, 1, 1 / 3, 1, 1 / 3])
    s2 = it.generous_tit_for_tat(game=Game(4, 5, 0, 1))
    assert s2.p_cooperate[2] == pytest.approx(min(1 - 1 / 4, 3 / 4))


# --- tournaments: conventions, seeding, lengths ---------------------------------------------


def test_self_play_is_excluded_from_scores() -> None:
    res = tournament(["cooperator", "defector"], turns=10, repetitions=2)
    # cooperator gets S = 0 against the defector; its self-play (R = 3) is not in its score
    assert res.mean_scores == {"cooperator": 0.0, "defector": 5.0}
    assert res.payoff_array.tolist() == [[3.0, 0.0], [5.0, 1.0]]
    assert res.cooperation_rates == {"cooperator": 1.0, "defector": 0.0}


def test_same_seed_same_results_and_streams_keyed_by_pair_and_repetition() -> None:
    kw: dict[str, Any] = dict(turns=30, repetitions=4, noise=0.1, misperception=0.05, seed=42)
    a = tournament(["tft", "grim", "random"], **kw)
    b = tournament(["tft", "grim", "random"], **kw)
    np.testing.assert_array_equal(a.payoffs, b.payoffs)
    c = tournament(["tft", "grim", "random"], **{**kw, "seed": 43})
    assert not np.array_equal(a.payoffs, c.payoffs)
    # pair (tft, grim) has pair index 1 both with and without a fourth player appended
    d = tournament(["tft", "grim", "random", "defector"], **kw)
    np.testing.assert_array_equal(a.payoffs[0, 1], d.payoffs[0, 1])
    # more repetitions leave the earlier ones unchanged
    e = tournament(["tft", "grim", "random"], **{**kw, "repetitions": 6})
    np.testing.assert_array_equal(a.payoffs, e.payoffs[:, :, :4])


def test_batching_does_not_change_results(monkeypatch: pytest.MonkeyPatch) -> None:
    kw: dict[str, Any] = dict(turns=25, repetitions=3, noise=0.05, seed=9, prob_end=0.1)
    a = tournament(["tft", "wsls", "gtft", "alternator"], **kw)
    monkeypatch.setattr(it, "_BATCH_BYTES", 25 * 6 * 8 * 5)  # batches of 5 matches
    b = tournament(["tft", "wsls", "gtft", "alternator"], **kw)
    np.testing.assert_array_equal(a.payoffs, b.payoffs)
    np.testing.assert_array_equal(a.match_lengths, b.match_lengths)


def test_prob_end_match_lengths() -> None:
    """Mean length equals E[min(Geometric(p), T)] = (1 - (1 - p)^T) / p (z-test, 5 sigma)."""
    p, cap, reps = 0.1, 30, 4000
    ens = play_matches("tft", "tft", repetitions=reps, turns=cap, prob_end=p, seed=4)
    k = np.arange(1, cap + 1)
    pmf = p * (1 - p) ** (k - 1)
    pmf[-1] = (1 - p) ** (cap - 1)
    mean = (k * pmf).sum()
    assert mean == pytest.approx((1 - (1 - p) ** cap) / p)
    sd = np.sqrt(((k - mean) ** 2 * pmf).sum())
    assert abs(ens.lengths.mean() - mean) < 5 * sd / np.sqrt(reps)
    assert ens.lengths.min() >= 1 and ens.lengths.max() <= cap
    assert (ens.actions[np.arange(cap)[None, :] >= ens.lengths[:, None]] == -1).all()


def test_result_frames_and_plot() -> None:
    res = tournament(strategy_names(), turns=20, repetitions=2, seed=1)
    frame = res.to_frame()
    assert list(frame["player"]) == res.ranking
    assert res.payoff_matrix.shape == (len(strategy_names()), len(strategy_names()))
    assert set(res.to_dict()) >= {"players", "mean_scores", "ranking", "payoff_matrix"}
    fig = res.plot()
    assert fig.axes


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"strategies": ["tft", "nonsense"]}, "valid choices: alternator"),
        ({"strategies": ["tft"]}, "at least two"),
        ({"noise": 1.5}, "noise must be a rate in [0, 1]"),
        ({"misperception": -0.1}, "misperception must be a rate in [0, 1]"),
        ({"turns": 0}, "turns must be a positive integer"),
        ({"repetitions": -3}, "repetitions must be a positive integer"),
        ({"prob_end": 2.0}, "prob_end must be a rate"),
    ],
)
def test_bad_input(kwargs: dict[str, Any], needle: str) -> None:
    args: dict[str, Any] = {"strategies": ["tft", "grim"], "turns": 5, "repetitions": 1}
    args.update(kwargs)
    with pytest.raises(InputError, match=None) as info:
        tournament(**args)
    assert needle in str(info.value)


def test_bad_strategy_tables() -> None:
    with pytest.raises(InputError):
        Strategy("x", np.array([1.5]), np.zeros((1, 2, 2), dtype=np.int64))
    with pytest.raises(InputError):
        Strategy("x", np.array([1.0]), np.ones((1, 2, 2), dtype=np.int64))
    with pytest.raises(InputError):
        it.memory_one(1, 0, 2, 0)


# --- the kernel's strategy constants varied (docs/ours_sensitivity.py) ---------------------------

_FIELD = ("tit-for-tat", "grim", "grit", "defensive-realist", "offensive-realist", "defector")


def _field(**swap: it.Strategy) -> list[str | it.Strategy]:
    return [swap.get(p.replace("-", "_"), p) for p in _FIELD]


def test_the_names_play_the_kernel_constants() -> None:
    """The names 'grit', 'defensive-realist' and 'offensive-realist' are the factories at their
    default arguments, the registered constants: same tournament to the last bit."""
    assert (it.GRIT_INITIATIVE, it.REALIST_CAP, it.OFFENSIVE_REALIST_WINDOW) == (3, 5, 1)
    kw = {"turns": 200, "repetitions": 20, "misperception": 0.05, "seed": 11}
    by_name = it.tournament(list(_FIELD), **kw)  # type: ignore[arg-type]
    explicit = it.tournament(
        _field(
            grit=it.grit(3),
            defensive_realist=it.defensive_realist(5),
            offensive_realist=it.offensive_realist(window=1, cap=5),
        ),
        **kw,  # type: ignore[arg-type]
    )
    assert np.array_equal(by_name.normalised_scores, explicit.normalised_scores)
    assert by_name.ranking == explicit.ranking


def test_a_shorter_grit_initiative_scores_more_in_the_standard_field() -> None:
    """docs/games.md: in the round robin with the defector, GRIT's score falls with every
    step of initiative (it pays the sucker's payoff longer); rank 4 at K = 1, 5 at K = 3."""
    kw = {"turns": 200, "repetitions": 30, "misperception": 0.05, "seed": 1}
    scores = [
        it.tournament(_field(grit=it.grit(k)), **kw).mean_scores["grit"]  # type: ignore[arg-type]
        for k in (1, 3, 6)
    ]
    assert scores[0] > scores[1] > scores[2]


def test_a_smaller_realist_cap_forgets_a_steady_armers_lead_sooner() -> None:
    """With cap 1 a defensive realist facing a defector restrains again after each accidental
    arming of its own (the remembered gap falls to 0); with cap 5 it keeps arming. So under
    noise it cooperates more and scores less against the defector at cap 1."""
    kw = {"turns": 200, "repetitions": 50, "noise": 0.1, "seed": 3}
    small = it.play_matches(it.defensive_realist(1), "defector", **kw)  # type: ignore[arg-type]
    default = it.play_matches(it.defensive_realist(), "defector", **kw)  # type: ignore[arg-type]
    assert small.cooperation_rate[:, 0].mean() > default.cooperation_rate[:, 0].mean()
    assert small.score_per_turn[:, 0].mean() < default.score_per_turn[:, 0].mean()


def test_a_longer_offensive_realist_window_scores_less_under_misperception() -> None:
    """docs/games.md: window 2 keeps the offensive realist in doubt a turn longer after each
    misread turn; its score in the standard field at misperception 0.05 falls (1.88 -> 1.73)."""
    kw = {"turns": 200, "repetitions": 30, "misperception": 0.05, "seed": 1}
    one, two = (
        it.tournament(_field(offensive_realist=it.offensive_realist(window=w)), **kw).mean_scores[  # type: ignore[arg-type]
            "offensive-realist"
        ]
        for w in (1, 2)
    )
    assert two < one - 0.05
