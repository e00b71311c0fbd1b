"""Any axelrod strategy in herz, and herz strategies in axelrod (issue #15, item 4).

* Mixed herz/axelrod tournaments without noise, deterministic strategies: every score equals
  axelrod's own ``Tournament`` on the same players (exactly; per-turn means to 1e-14).
* The slow path has herz's semantics exactly: an axelrod class that herz also has as a machine,
  played on the slow path, gives bit-identical matches to the machine under noise,
  misperception and ``prob_end`` (same streams).
* Stochastic strategies and noise: herz's mixed tournament and axelrod's are statistically
  indistinguishable by Welch tests with a stated power (see that test's docstring).
* Names, the CLI, the ``iterated`` model, and the export of herz strategies to axelrod.

axelrod takes seconds to import, so it is imported once, by the module-scoped fixture ``axl``.
"""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import numpy as np
import pytest
from scipy import stats
from typer.testing import CliRunner

import herz
import herz.models.iterated.model as iterated_model
from herz.cli import app
from herz.errors import InputError, ScenarioError
from herz.models.iterated import (
    ExternalStrategy,
    Strategy,
    from_axelrod,
    get_strategy,
    play_match,
    play_matches,
    strategy_names,
    to_axelrod,
    tournament,
)
from herz.models.iterated import _axelrod as adapter_core
from herz.models.iterated.axelrod_adapter import AXELROD_EQUIVALENTS, axelrod_names

if importlib.util.find_spec("axelrod") is None:  # an optional dependency (herz[axelrod])
    pytest.skip("axelrod is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def axl() -> Any:
    import axelrod

    return axelrod


def _letters(axl: Any, plays: list[tuple[Any, Any]]) -> list[tuple[str, str]]:
    names = {axl.Action.C: "C", axl.Action.D: "D"}
    return [(names[a], names[b]) for a, b in plays]


# --- exact agreement with axelrod's own tournament (deterministic, no noise) ---------------

# (name given to herz, axelrod class and arguments): herz machines by herz name and by axelrod
# name, then axelrod-only strategies (slow path), among them one that reads the match length
# (BackStabber) and one that reads the game (Adaptive).
MIXED = [
    ("tit-for-tat", "TitForTat", ()),
    ("Grudger", "Grudger", ()),
    ("win-stay-lose-shift", "WinStayLoseShift", ()),
    ("Tit For 2 Tats", "TitFor2Tats", ()),
    ("defector", "Defector", ()),
    ("Prober", "Prober", ()),
    ("Gradual", "Gradual", ()),
    ("BackStabber", "BackStabber", ()),
    ("Hard Prober", "HardProber", ()),
    ("First by Davis: 10", "FirstByDavis", (10,)),
    ("Adaptive", "Adaptive", ()),
]
SLOW = ["Prober", "Gradual", "BackStabber: (D, D)", "Hard Prober", "First by Davis: 10", "Adaptive"]


@pytest.mark.parametrize("payoffs", [(3, 5, 0, 1), (4, 7, 0, 2)], ids=["default", "other-game"])
def test_mixed_deterministic_tournament_equals_axelrod(axl: Any, payoffs: tuple[int, ...]) -> None:
    r, t, s, p = payoffs
    players = [getattr(axl, cls)(*args) for _, cls, args in MIXED]
    for player in players:
        assert not axl.Classifiers["stochastic"](player), player
    ref = axl.Tournament(
        players, turns=60, repetitions=2, seed=1, game=axl.Game(r=r, s=s, t=t, p=p)
    ).play(progress_bar=False)
    ours = tournament([h for h, _, _ in MIXED], turns=60, repetitions=2, seed=1, game=payoffs)
    assert ours.slow_path == SLOW
    assert "slow path" in ours.note and "Prober" in ours.note
    np.testing.assert_array_equal(ours.scores, np.array(ref.scores))  # integers: exact
    np.testing.assert_allclose(ours.normalised_scores, ref.normalised_scores, rtol=1e-14)
    np.testing.assert_allclose(ours.payoff_array, ref.payoff_matrix, rtol=1e-14)
    np.testing.assert_array_equal(ours.cooperation, np.array(ref.cooperation))
    assert ours.ranking == [ours.players[i] for i in ref.ranking]


def test_axelrod_objects_play_like_their_names(axl: Any) -> None:
    by_name = tournament(["Prober", "tft", "Gradual"], turns=30, repetitions=1, seed=2)
    by_object = tournament([axl.Prober(), "tft", axl.Gradual], turns=30, repetitions=1, seed=2)
    np.testing.assert_array_equal(by_name.payoffs, by_object.payoffs)
    assert by_object.players == ["Prober", "tit-for-tat", "Gradual"]
    assert by_object.to_dict()["slow_path"] == ["Prober", "Gradual"]
    native = tournament(["tft", "grim"], turns=30, repetitions=1, seed=2)
    assert native.slow_path == [] and native.note == ""


# --- the slow path has herz's semantics exactly ----------------------------------------------

# axelrod classes that herz also has as machines: on the slow path they must play like them
TWINS = {
    "TitForTat": "tit-for-tat",
    "Grudger": "grim",
    "WinStayLoseShift": "win-stay-lose-shift",
    "TitFor2Tats": "tit-for-two-tats",
    "Alternator": "alternator",
    "SuspiciousTitForTat": "suspicious-tit-for-tat",
}
SETTINGS = [
    {"noise": 0.1},
    {"misperception": 0.1},
    {"noise": 0.05, "misperception": 0.1, "prob_end": 0.05},
]


@pytest.mark.parametrize("kw", SETTINGS, ids=["noise", "misperception", "all"])
def test_slow_path_equals_the_machines_exactly(axl: Any, kw: dict[str, float]) -> None:
    """Implementation noise, misperception and match lengths follow the same streams.

    Each axelrod twin of a herz machine, on the slow path, against machines (deterministic
    and stochastic), both as row and as column: actions, perceptions and scores are
    identical to the machine's, match by match.
    """
    opponents = ["tit-for-tat", "grim", "random", "defensive-realist", "generous-tit-for-tat"]
    for cls, herz_name in TWINS.items():
        slow = from_axelrod(getattr(axl, cls))
        assert slow.slow and not get_strategy(herz_name).slow
        for opp in opponents:
            for row, col, ref_row, ref_col in (
                (slow, opp, herz_name, opp),
                (opp, slow, opp, herz_name),
            ):
                a = play_matches(row, col, repetitions=12, turns=25, seed=3, **kw)
                b = play_matches(ref_row, ref_col, repetitions=12, turns=25, seed=3, **kw)
                np.testing.assert_array_equal(a.actions, b.actions, err_msg=f"{cls} {opp}")
                np.testing.assert_array_equal(a.perceived, b.perceived)
                np.testing.assert_array_equal(a.scores, b.scores)
                np.testing.assert_array_equal(a.lengths, b.lengths)


def test_mixed_tournament_equals_machine_tournament_with_noise(axl: Any) -> None:
    kw: dict[str, Any] = dict(turns=30, repetitions=4, noise=0.05, misperception=0.05, seed=9)
    mixed = tournament([from_axelrod(axl.TitForTat), "grim", "random", axl.Grudger()], **kw)
    machines = tournament(["tit-for-tat", "grim", "random", "grim"], **kw)
    assert mixed.slow_path == ["Tit For Tat", "Grudger"]
    for field in ("payoffs", "scores", "normalised_scores", "cooperation", "match_lengths"):
        np.testing.assert_array_equal(getattr(mixed, field), getattr(machines, field))


def test_streams_keyed_by_pair_and_repetition_on_the_slow_path() -> None:
    kw: dict[str, Any] = dict(turns=30, repetitions=4, noise=0.1, misperception=0.05, seed=42)
    names = ["First by Joss: 0.9", "Prober", "random"]  # a stochastic axelrod player
    a = tournament(names, **kw)
    b = tournament(names, **kw)
    np.testing.assert_array_equal(a.payoffs, b.payoffs)
    c = tournament(names, **{**kw, "seed": 43})
    assert not np.array_equal(a.payoffs, c.payoffs)
    # pair (Joss, Prober) has pair index 1 with and without a fourth player appended
    d = tournament([*names, "defector"], **kw)
    np.testing.assert_array_equal(a.payoffs[0, 1], d.payoffs[0, 1])
    # more repetitions leave the earlier ones unchanged
    e = tournament(names, **{**kw, "repetitions": 6})
    np.testing.assert_array_equal(a.payoffs, e.payoffs[:, :, :4])


# --- statistical agreement with axelrod (stochastic strategies, noise) -----------------------

NOISY = [
    ("tit-for-tat", "TitForTat", ()),
    ("grim", "Grudger", ()),
    ("win-stay-lose-shift", "WinStayLoseShift", ()),
    ("GTFT", "GTFT", ()),
    ("random", "Random", ()),
    ("Prober", "Prober", ()),
    ("Gradual", "Gradual", ()),
    ("First by Joss: 0.9", "FirstByJoss", (0.9,)),
    ("Soft Joss: 0.9", "SoftJoss", (0.9,)),
    ("Stochastic WSLS: 0.05", "StochasticWSLS", (0.05,)),
]
ALPHA = 1e-3  # family-wise, Bonferroni over players
EFFECT = 0.15  # payoff per turn: the smallest shift in a player's mean score to be detected
POWER = 0.8


def _welch_power(a: np.ndarray, b: np.ndarray, effect: float, alpha: float) -> np.ndarray:
    """Per player, the power of the two-sided Welch t-test at level ``alpha`` against a true
    difference of means ``effect``, with the samples' variances (noncentral t).

    Only the rejection region on the side of the shift is counted (the other adds less than
    1e-10 here, and scipy's far tail of the noncentral t is unreliable): a lower bound.
    """
    n_a, n_b = a.shape[1], b.shape[1]
    va, vb = a.var(axis=1, ddof=1) / n_a, b.var(axis=1, ddof=1) / n_b
    df = (va + vb) ** 2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))
    crit = stats.t.ppf(1 - alpha / 2, df)
    nc = effect / np.sqrt(va + vb)
    power: np.ndarray = stats.nct.sf(crit, df, nc)
    return power


def test_noisy_mixed_tournament_agrees_with_axelrod_with_stated_power(axl: Any) -> None:
    """Two-sample test with a stated power.

    Ten players: five herz machines (two stochastic: GTFT, Random) and five axelrod-only
    strategies on the slow path (three stochastic), noise 0.05, 100 turns. Each repetition's
    normalised score of a player is an independent draw in both libraries. For every player,
    Welch's t-test of equal means on 40 repetitions from herz against 40 from axelrod's own
    tournament; Bonferroni over the 10 players at a family-wise α = 0.001 (per test 1e-4).
    It must not reject. Power: with the samples' variances, each per-player test detects a
    shift of 0.15 in the mean payoff per turn (about 7% of a score) with probability at
    least 0.8 (noncentral t, computed below); and it does reject herz at noise 0.15.
    """
    reps, turns = 40, 100
    players = [getattr(axl, cls)(*args) for _, cls, args in NOISY]
    ref = np.array(
        axl.Tournament(players, turns=turns, repetitions=reps, noise=0.05, seed=7)
        .play(progress_bar=False)
        .normalised_scores
    )
    names = [h for h, _, _ in NOISY]
    ours = tournament(names, turns=turns, repetitions=reps, noise=0.05, seed=11)
    assert len(ours.slow_path) == 5
    k = len(names)
    p = stats.ttest_ind(ours.normalised_scores, ref, axis=1, equal_var=False).pvalue
    assert p.min() * k > ALPHA, dict(zip(names, p.round(5), strict=True))
    power = _welch_power(ours.normalised_scores, ref, EFFECT, ALPHA / k)
    assert power.min() >= POWER, dict(zip(names, power.round(3), strict=True))
    wrong = tournament(names, turns=turns, repetitions=reps, noise=0.15, seed=11)
    p_wrong = stats.ttest_ind(wrong.normalised_scores, ref, axis=1, equal_var=False).pvalue
    assert p_wrong.min() * k < ALPHA


# --- herz strategies exported to axelrod -------------------------------------------------------


def test_exported_herz_strategies_play_identically_in_axelrod(axl: Any) -> None:
    """to_axelrod(h) in an axelrod Match plays as h does in herz's own match."""
    opponents = [axl.Prober(), axl.Gradual(), axl.TitForTat(), axl.Alternator(), axl.Cycler("CCD")]
    deterministic = [n for n in strategy_names() if not get_strategy(n).stochastic]
    for name in deterministic:
        player = to_axelrod(name)
        assert isinstance(player, axl.Player) and str(player).endswith("(herz)")
        for opp in opponents:
            plays = axl.Match((player, opp.clone()), turns=40).play()
            ours = play_match(name, opp, turns=40)  # herz, slow path
            assert ours.history == _letters(axl, plays), (name, str(opp))
        for other in deterministic:
            plays = axl.Match((to_axelrod(name), to_axelrod(other)), turns=40).play()
            assert play_match(name, other, turns=40).history == _letters(axl, plays)


def test_exported_strategies_in_an_axelrod_tournament_equal_herz(axl: Any) -> None:
    names = ["grit", "defensive-realist", "offensive-realist", "tit-for-tat", "bully"]
    players = [to_axelrod(n) for n in names] + [axl.Prober()]
    ref = axl.Tournament(players, turns=50, repetitions=2, seed=1).play(progress_bar=False)
    ours = tournament([*names, "Prober"], turns=50, repetitions=2, seed=1)
    np.testing.assert_array_equal(ours.scores, np.array(ref.scores))
    np.testing.assert_allclose(ours.normalised_scores, ref.normalised_scores, rtol=1e-14)


def test_exported_players_see_axelrod_noise_as_herz_does(axl: Any) -> None:
    """Under axelrod's noise the exported TFT plays exactly as axelrod's TFT (same seed)."""
    for seed in range(5):
        a = axl.Match((to_axelrod("tit-for-tat"), axl.Grudger()), turns=60, noise=0.1, seed=seed)
        b = axl.Match((axl.TitForTat(), axl.Grudger()), turns=60, noise=0.1, seed=seed)
        assert a.play() == b.play()


def test_exported_stochastic_strategy_uses_the_players_random(axl: Any) -> None:
    """Random(0.3) exported: seeded matches repeat; its restraint rate is 0.3 (z-test, 5σ)."""
    player = to_axelrod(get_strategy("Random: 0.3"))
    assert axl.Classifiers["stochastic"](player)
    turns = 4000
    first = axl.Match((player, axl.Cooperator()), turns=turns, seed=5).play()
    again = axl.Match((player.clone(), axl.Cooperator()), turns=turns, seed=5).play()
    assert first == again
    rate = sum(a == axl.Action.C for a, _ in first) / turns
    assert abs(rate - 0.3) < 5 * np.sqrt(0.3 * 0.7 / turns)


def test_round_trips(axl: Any) -> None:
    back = to_axelrod(from_axelrod("First by Joss: 0.8"))
    assert isinstance(back, axl.FirstByJoss) and back.init_kwargs == {"p": 0.8}
    grit = get_strategy("grit")
    assert get_strategy(to_axelrod(grit)) is grit  # an exported machine comes back fast
    assert from_axelrod(to_axelrod(grit)).slow  # unless the slow path is asked for


# --- names -------------------------------------------------------------------------------------


def test_axelrod_names_of_herz_machines_give_the_machines(axl: Any) -> None:
    for display, herz_name in AXELROD_EQUIVALENTS.items():
        assert display in axelrod_names()
        s = get_strategy(display)
        assert not s.slow and s.name == herz_name, display
        cls = next(c for c in axl.all_strategies if c.name == display)
        assert get_strategy(cls.__name__).name == herz_name  # class names too
    gtft = get_strategy("GTFT: 0.33")
    assert gtft.name == "generous-tit-for-tat: 0.33" and gtft.display_name == "GTFT: 0.33"
    assert gtft.p_cooperate.tolist() == [1.0, 1.0, 0.33, 1.0, 0.33]
    assert get_strategy("Random: 0.3").p_cooperate.tolist() == [0.3]
    assert get_strategy(gtft.name).p_cooperate.tolist() == gtft.p_cooperate.tolist()


def test_other_axelrod_names_give_the_slow_path(axl: Any) -> None:
    for name in ("Prober", "hard prober", "HardProber", "First by Joss: 0.8", "ZD-GTFT-2"):
        s = get_strategy(name)
        assert isinstance(s, ExternalStrategy) and s.slow, name
    assert get_strategy("First by Joss: 0.8").stochastic
    assert not get_strategy("Prober").stochastic
    assert get_strategy("Limited Retaliate: 0.2, 10").name == "Limited Retaliate: 0.2, 10"
    assert len(axelrod_names()) > 200


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("Grudgr", "did you mean 'Grudger'"),
        ("Probr", "did you mean 'Prober'"),
        ("nonsense", "valid choices: alternator, anti-tit-for-tat"),
        ("GTFT: lots", "GTFT takes one number in [0, 1]"),
        ("GTFT: 1.5", "must lie in [0, 1]"),
        ("Prober: 3", "does not take the parameters '3'"),
        ("Darwin", "inspects or manipulates its opponent"),
    ],
)
def test_bad_names(axl: Any, name: str, needle: str) -> None:
    with pytest.raises(InputError) as info:
        get_strategy(name)
    assert needle in str(info.value)


def test_unknown_name_lists_the_valid_ones_and_how_to_get_axelrod(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(InputError) as info:
        get_strategy("Grudgr")
    msg = str(info.value)
    assert "unknown strategy 'Grudgr'; valid choices: alternator" in msg
    assert "any axelrod strategy name" in msg and "slow path" in msg
    monkeypatch.setattr(adapter_core, "available", lambda: False)
    with pytest.raises(InputError) as info:
        get_strategy("Prober")
    msg = str(info.value)
    assert "valid choices: alternator" in msg
    assert "pip install 'herz[axelrod]'" in msg and "it is not installed" in msg
    # herz's own names never need axelrod
    assert get_strategy("Tit For 2 Tats").name == "tit-for-two-tats"
    assert get_strategy("GTFT: 0.25").name == "generous-tit-for-tat: 0.25"


def test_not_a_strategy() -> None:
    with pytest.raises(InputError, match="a name, a Strategy or an axelrod Player"):
        get_strategy(3.5)
    with pytest.raises(InputError, match="from_axelrod takes an axelrod Player"):
        from_axelrod(3.5)


# --- the command line ----------------------------------------------------------------------


runner = CliRunner()


def test_cli_accepts_axelrod_names() -> None:
    res = runner.invoke(
        app, ["tournament", "--strategies", "Grudger,Tit For 2 Tats", "--turns", "20"]
    )
    assert res.exit_code == 0, res.output
    assert "grim" in res.stdout and "tit-for-two-tats" in res.stdout
    assert "slow path" not in res.stdout
    args = ["--strategies", "Grudger,Prober,GTFT: 0.33", "--turns", "20", "--seed", "1"]
    res = runner.invoke(app, ["tournament", *args])
    assert res.exit_code == 0, res.output
    assert "slow path: the matches of Prober (an axelrod player)" in res.stdout
    res = runner.invoke(app, ["tournament", *args, "--json"])
    data = json.loads(res.stdout)
    assert data["slow_path"] == ["Prober"]
    assert data["players"] == ["grim", "Prober", "generous-tit-for-tat: 0.33"]


def test_cli_unknown_name_lists_the_valid_ones() -> None:
    res = runner.invoke(app, ["tournament", "--strategies", "Grudger,Tit For 3 Tats"])
    assert res.exit_code == 2
    assert res.stderr.startswith("error: unknown strategy 'Tit For 3 Tats'; valid choices: ")
    for name in strategy_names():
        assert name in res.stderr
    assert "did you mean 'Tit For 2 Tats'" in res.stderr


# --- the iterated model --------------------------------------------------------------------


def test_iterated_model_takes_axelrod_names() -> None:
    overrides = {
        "iterated.strategies.GMY": "Prober",
        "iterated.strategies.RUS": "GTFT: 0.33",
        "iterated.noise": 0.05,
        "iterated.turns": 30,
    }
    r = herz.simulate("europe-1914", model="iterated", runs=3, seed=1, overrides=overrides)
    assert r.summary["slow_path"] == ["GMY"]
    assert r.summary["strategies"]["GMY"] == "Prober"
    assert r.summary["strategies"]["RUS"] == "generous-tit-for-tat: 0.33"
    assert r.series is not None and len(r.series)
    plain = herz.simulate("europe-1914", model="iterated", runs=1, seed=1, keep="summary")
    assert plain.summary["slow_path"] == []
    with pytest.raises(ScenarioError, match="did you mean 'Prober'"):
        herz.simulate(
            "europe-1914", model="iterated", overrides={"iterated.strategies.GMY": "Probr"}
        )


def test_iterated_model_slow_path_equals_machines(
    axl: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model's matches of an axelrod twin on the slow path equal the machine's exactly."""
    overrides = {
        "iterated.strategies.GMY": "grim",
        "iterated.noise": 0.05,
        "iterated.misperception": 0.05,
        "iterated.prob_end": 0.05,
        "iterated.turns": 40,
    }
    fast = herz.simulate("europe-1914", model="iterated", runs=3, seed=4, overrides=overrides)
    real = iterated_model.get_strategy

    def twin(name: str | Strategy, *, game: Any = None) -> Strategy:
        return from_axelrod(axl.Grudger) if name == "grim" else real(name, game=game)

    monkeypatch.setattr(iterated_model, "get_strategy", twin)
    slow = herz.simulate("europe-1914", model="iterated", runs=3, seed=4, overrides=overrides)
    assert slow.summary["slow_path"] == ["GMY"] and fast.summary["slow_path"] == []
    assert slow.outcomes is not None and fast.outcomes is not None
    assert slow.outcomes.equals(fast.outcomes)
    assert slow.series is not None and fast.series is not None
    assert slow.series.equals(fast.series)


def test_the_source_scan_covers_every_strategy_axelrod_lists(axl: Any) -> None:
    """A mistyped name is refused from axelrod's source, without importing it; that is safe
    only if every name axelrod itself lists (class and display names) is among those read."""
    from herz.models.iterated import _axelrod

    names, shown = _axelrod._source_names()
    missing = [
        label
        for cls in axl.all_strategies
        for label in (cls.__name__, cls.name)
        if _axelrod._squash(label) not in names
    ]
    assert not missing, missing
    assert "Tit For Tat" in shown and "Prober" in shown
    assert _axelrod._squash("grimm") not in names


def test_a_mistyped_strategy_is_refused_without_importing_axelrod() -> None:
    """``herz tournament --strategies tit-for-tat,grimm`` answered after about ten seconds,
    the time ``import axelrod`` takes, only to say that axelrod has no 'grimm' either."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from herz.errors import InputError\n"
        "from herz.models.iterated.kernel import get_strategy\n"
        "try:\n"
        "    get_strategy('grimm')\n"
        "except InputError as err:\n"
        "    print('axelrod' in sys.modules, 'Tit For Tat' in str(err), \"'grim'\" in str(err))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.split() == ["False", "True", "True"], out.stdout + out.stderr
