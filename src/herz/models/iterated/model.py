"""The ``iterated`` model: a round robin of iterated security games among a scenario's states.

The games of :mod:`herz.models.iterated.kernel` read a scenario here, so that a tournament
can be run by :func:`herz.simulate`, swept, stored, resumed and plotted like any model.

**The stage game** comes from the scenario's world through the Jervis map
(:meth:`herz.models.games.Game.from_jervis`, **ours**, documented in ``docs/games.md``): the
offense advantage ω and the distinguishability δ, with the block's ``cost`` c and ``stakes`` v,
give R = v, T = v − c + ωv, S = v − (1 − δ)(ωv + c), P = v − c. Offense advantage turns a Stag
Hunt into a Prisoner's Dilemma; distinguishability turns either toward Harmony or Chicken
(Jervis 1978).

**The strategies** come from the ``iterated:`` block: each state's strategy by id, the others
play ``strategy`` (tit for tat by default: Axelrod 1984). Names are those of
:func:`herz.models.iterated.kernel.get_strategy` (aliases and axelrod display names accepted).
An axelrod strategy herz has no machine for (``Prober``, ``Gradual``, ...) plays on the slow
path (:mod:`herz.models.iterated.axelrod_adapter`): its matches run turn by turn in Python,
with the same streams; the summary's ``slow_path`` lists the states concerned.

**A run** is one round robin: every pair of distinct states plays one match of ``turns`` turns
(or a random length capped by ``turns`` with ``prob_end``), with implementation noise ε and
misperception μ as in the kernel. Self-play is excluded: a state does not play a copy of
itself (axelrod's tournaments include it, but a state has no "copy" in a scenario).

**Randomness.** Run k of a call is run ``r = run_offset + k``; the match of pair p (pairs
(i, j), i < j, in row-major order) in run r draws from
``SeedSequence(seed, spawn_key=(*stream_key, r, p))``, which is exactly the p-th child
(``spawn``) of run r's own stream ``SeedSequence(seed, spawn_key=(*stream_key, r))``
(:mod:`herz._random`). So a run's numbers depend on (seed, stream key, run) alone, never on
the chunk, the offset or the worker that computes it. Within a match the draws are the
kernel's (one uniform for the length, then six per turn). All pairs of all runs of a call
advance together in one kernel call (vectorised over matches; only the per-match generators
are made in a Python loop). Without noise, misperception, ``prob_end`` or stochastic
strategies nothing is drawn.

**Measures.** A state's score in a run is its mean payoff per turn against the others,
averaged over its opponents (axelrod's "normalised score"); its cooperation rate is the share
of its moves, over all its matches, that were restraint (C). The series (``keep="series"``)
has one row per (run, turn, state): the state's share of restraint at that turn across its
matches and its mean payoff at that turn (rows only where the state played: with
``prob_end`` a state whose matches have all ended has none).

References
----------
Axelrod, R. (1984). *The Evolution of Cooperation*. Basic Books.
Jervis, R. (1976). *Perception and Misperception in International Politics*. Princeton.
Jervis, R. (1978). Cooperation under the security dilemma. *World Politics* 30(2), 167–214.
Knight, V. et al. (2016). An open framework for the reproducible study of the iterated
prisoner's dilemma. *Journal of Open Research Software* 4(1), e35.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import AfterValidator, Field

from herz._validation import StrictModel
from herz.errors import InputError, ScenarioError
from herz.models._base import Measure, Model, NoOptions, Progress
from herz.models._frames import tidy_frame
from herz.models.games import Game
from herz.models.iterated.constants import CONSTANTS
from herz.models.iterated.kernel import (
    _KernelOut,
    _play_mixed,
    _unknown_strategy_hint,
    get_strategy,
    strategy_names,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from herz.results import Result
    from herz.scenario import Scenario

__all__ = ["Iterated", "IteratedParams", "iterated_game", "state_strategies"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _canonical_strategy(name: str) -> str:
    """The canonical name of a named strategy; a ValueError listing the choices otherwise.

    A herz machine's name (with its parameter, e.g. ``generous-tit-for-tat: 0.33``), or for
    an axelrod strategy on the slow path the name as given (axelrod's own printed names do
    not always resolve back), so that the canonical name gives the same strategy again.
    """
    try:
        s = get_strategy(name)
    except InputError as err:
        if "unknown strategy" not in str(err):
            raise ValueError(str(err)) from None
        raise ValueError(
            f"unknown strategy (choose one of: {', '.join(strategy_names())}; "
            f"{_unknown_strategy_hint(name)})"
        ) from None
    return name.strip() if s.slow else s.name


StrategyName = Annotated[
    str,
    AfterValidator(_canonical_strategy),
    Field(
        min_length=1,
        max_length=100,
        description="A strategy name (herz tournament --help lists them), e.g. tit-for-tat.",
    ),
]


class IteratedParams(StrictModel):
    """The ``iterated:`` block of a scenario: who plays what, how long, and how noisily.

    Every field has a default, so an absent block is a round robin of tit for tat among all
    states for the run's steps, without noise, in the game the world's ω and δ give.
    """

    strategy: StrategyName = Field(
        default="tit-for-tat",
        description="Strategy of every state not listed in 'strategies' (Axelrod 1984: TFT).",
        json_schema_extra={
            "source": ("Axelrod (1984): tit for tat, the winner of both of his tournaments")
        },
    )
    strategies: dict[str, StrategyName] = Field(
        default_factory=dict,
        max_length=1000,
        description="Strategy by state id, e.g. {GMY: grim, RUS: defensive-realist}.",
        json_schema_extra={
            "source": "ours",
            "why": "every state plays the default strategy unless listed",
        },
    )
    turns: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="Turns per match (the cap with prob_end); default: the run's steps, one "
        "turn per step of the scenario's clock.",
        json_schema_extra={
            "source": "ours",
            "why": "absent: one turn per step of the scenario's clock",
        },
    )
    noise: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Implementation noise ε: each action flips with this probability "
        "(axelrod's noise).",
        json_schema_extra={"source": "ours", "why": "no implementation noise unless asked for"},
    )
    misperception: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="Misperception μ: each side misreads the other's action with this "
        "probability (Jervis 1976).",
        json_schema_extra={
            "source": "ours",
            "why": "no misperception unless asked for",
            "after": "Jervis (1976): misperception",
        },
    )
    prob_end: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description="Probability that a match ends after each turn (axelrod's prob_end); "
        "default: matches last 'turns' turns.",
        json_schema_extra={
            "source": "ours",
            "why": "absent: matches have a fixed length",
            "after": "Knight et al. (2016), the axelrod library: prob_end",
        },
    )
    cost: float = Field(
        default=0.5,
        ge=0,
        le=1000,
        description="Cost c of arming in the Jervis map (stakes' units); c/v is the ω at "
        "which the Stag Hunt becomes a Prisoner's Dilemma.",
        json_schema_extra={
            "source": "ours",
            "why": ("c/v = 0.5: the Stag Hunt becomes a Prisoner's Dilemma at ω = 0.5"),
            "after": ("Jervis (1978); the map from ω and δ to payoffs is ours (docs/games.md)"),
        },
    )
    stakes: float = Field(
        default=1.0,
        gt=0,
        le=1000,
        description="Value v of security in the Jervis map (R = v).",
        json_schema_extra={"source": "ours", "why": "v = 1 sets the payoff unit (R = 1)"},
    )


def iterated_game(scenario: Scenario, params: IteratedParams) -> Game:
    """The stage game of a scenario: the Jervis map of its world's ω and δ (with c and v)."""
    w = scenario.world
    return Game.from_jervis(
        w.offense_advantage, w.distinguishability, cost=params.cost, stakes=params.stakes
    )


def state_strategies(scenario: Scenario, params: IteratedParams) -> dict[str, str]:
    """Each state's strategy name (canonical), in scenario order."""
    return {sid: params.strategies.get(sid, params.strategy) for sid in scenario.ids}


def _se(x: FloatArray) -> float | None:
    """Standard error of the mean (None for a single run)."""
    return float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else None


class Iterated(Model):
    """A round robin of iterated security games among a scenario's states.

    Reads ``world.offense_advantage`` and ``world.distinguishability`` (the stage game, through
    the Jervis map), the state ids and the ``iterated:`` block; ignores everything else
    (military, economy, alliances, events, the other models' blocks). See
    :mod:`herz.models.iterated.model` for the run, the streams and the measures.
    """

    name = "iterated"
    constants = CONSTANTS
    title = "Iterated security games: a round robin among the states in the Jervis game"
    citation = (
        "Axelrod, R. (1984). The Evolution of Cooperation; Jervis, R. (1978). Cooperation "
        "under the Security Dilemma. World Politics 30(2)."
    )
    Params = IteratedParams
    Options = NoOptions
    outcomes = (
        Measure(
            "mean_score",
            "float",
            "payoff per turn",
            "Mean over states of their score (mean payoff per turn against the others).",
        ),
        Measure(
            "cooperation",
            "float",
            "share",
            "Mean over states of their cooperation rate (share of moves that were restraint).",
        ),
        Measure(
            "mean_length", "float", "turns", "Mean match length (below 'turns' with prob_end)."
        ),
        Measure(
            "score_{state}",
            "float",
            "payoff per turn",
            "A state's mean payoff per turn, averaged over its opponents.",
        ),
        Measure(
            "cooperation_{state}",
            "float",
            "share",
            "A state's share of restraint (C) over all its moves.",
        ),
    )
    summary_fields = (
        Measure("game_class", "str", "", "Stage game (ordinal class)."),
        Measure("world", "str", "", "Jervis's world."),
        Measure("mean_score", "float", "payoff per turn", "Mean score (all states)."),
        Measure("cooperation", "float", "share", "Cooperation rate (all states)."),
        Measure("turns", "int", "turns", "Turns per match (the cap with prob_end)."),
        Measure("mean_length", "float", "turns", "Mean match length."),
        Measure("noise", "float", "probability", "Implementation noise."),
        Measure("misperception", "float", "probability", "Misperception."),
        Measure("prob_end", "float", "probability", "Probability a match ends after a turn."),
        Measure("payoff_R", "float", "payoff", "Payoff R (both restrain)."),
        Measure("payoff_T", "float", "payoff", "Payoff T (arm against a restrainer)."),
        Measure("payoff_S", "float", "payoff", "Payoff S (restrain against an armer)."),
        Measure("payoff_P", "float", "payoff", "Payoff P (both arm)."),
        Measure("ordering", "str", "", "Ordinal type of the stage game."),
        Measure("strategies", "str", "", "Strategy per state."),
        Measure("scores", "float", "payoff per turn", "Mean score per state."),
        Measure("cooperation_rates", "float", "share", "Cooperation rate per state."),
        Measure("ranking", "str", "", "States from best to worst mean score."),
        Measure(
            "slow_path",
            "str",
            "",
            "States whose strategy is an axelrod player, played turn by turn (the slow path).",
        ),
    )

    def params(self, scenario: Scenario) -> IteratedParams:
        """The scenario's ``iterated:`` block, validated; its state ids must be the scenario's.

        Raises
        ------
        ScenarioError
            Naming the field (``iterated.strategies.XYZ``) and the value.
        """
        p = super().params(scenario)
        assert isinstance(p, IteratedParams)
        ids = scenario.ids
        if len(ids) < 2:
            raise ScenarioError(
                f"{scenario.origin}: the iterated model needs at least two states, got {len(ids)}.",
                source=scenario.origin,
                field="states",
            )
        for sid in p.strategies:
            if sid not in ids:
                known = ", ".join(ids[:12]) + (", ..." if len(ids) > 12 else "")
                field = f"iterated.strategies.{sid}"
                raise ScenarioError(
                    f"{scenario.origin}: {field}: unknown state id (known: {known}), got {sid!r}.",
                    source=scenario.origin,
                    field=field,
                    value=sid,
                )
        return p

    def simulate(
        self,
        scenario: Scenario,
        *,
        steps: int,
        runs: int,
        seed: int,
        keep: str = "series",
        run_offset: int = 0,
        stream_key: Sequence[int] = (),
        progress: Progress | None = None,
        **options: Any,
    ) -> Result:
        """Play ``runs`` round robins (see the module docstring) and return a Result.

        ``steps`` gives the match length when the block sets no ``turns``.
        """
        import pandas as pd

        from herz.results import Result

        p = self.params(scenario)  # refuses fewer than two states
        ids = scenario.ids
        n = len(ids)
        turns = p.turns if p.turns is not None else steps
        game = iterated_game(scenario, p)
        names = state_strategies(scenario, p)
        strategies = [get_strategy(names[s], game=game) for s in ids]
        iu, ju = np.triu_indices(n, k=1)  # pairs (i < j), row-major: pair index p
        n_pairs = int(iu.shape[0])
        run_ids = np.arange(run_offset, run_offset + runs, dtype=np.int64)
        # match index m = k * n_pairs + p (run-major)
        idx_a = np.tile(iu, runs).astype(np.int64)
        idx_b = np.tile(ju, runs).astype(np.int64)
        key = tuple(int(k) for k in stream_key)
        keys = [(*key, int(r), q) for r in run_ids for q in range(n_pairs)]
        out = _play_mixed(
            strategies,
            idx_a,
            idx_b,
            keys,
            game,
            turns,
            float(p.noise),
            float(p.misperception),
            p.prob_end,
            int(seed),
            record=keep == "series",
        )
        if progress is not None:
            progress(runs, runs)
        outcomes = _outcomes(out, ids, iu, ju, runs, run_ids)
        series = _series(out, scenario, game, iu, ju, runs, run_ids) if keep == "series" else None
        summary = _summary(outcomes, ids, names, game, turns, p)
        summary["slow_path"] = [sid for sid, s in zip(ids, strategies, strict=True) if s.slow]
        return Result(
            model=self.name,
            scenario=scenario,
            seed=seed,
            summary=summary,
            series=series,
            outcomes=pd.DataFrame(outcomes),
        )

    def memory_bytes(self, scenario: Scenario, *, steps: int, runs: int, keep: str) -> int:
        """A match per pair and run: a few numbers each, the random blocks (batched to 64 MiB),
        and with ``keep="series"`` four int8 histories per match and turn plus the tidy series
        (eight columns per run, turn and state).

        Counted against ``tracemalloc`` peaks at 20,000 runs of europe-1914: the matches
        measured about 110 bytes each beyond the random blocks (160 counted), the series 61
        bytes per (run, turn, state) beyond that (96 counted)."""
        block = scenario.blocks.get(self.name, {})
        given = block.get("turns")
        turns: int = given if isinstance(given, int) else steps
        n = len(scenario.states)
        matches = runs * n * (n - 1) // 2
        need = 160 * matches + 64 * 2**20
        if keep == "series":
            need += 4 * matches * turns + 12 * 8 * runs * turns * n
        return int(need)

    def figures(self, result: Result) -> dict[str, Figure]:
        """``scores.png``: mean score and cooperation rate per state (bars with standard
        errors); with the series, ``cooperation.png``: each state's restraint per turn."""
        if result.outcomes is None:
            return {}
        figs = {"scores.png": plot_scores(result)}
        if result.series is not None and len(result.series):
            from herz.plots.series import plot_series

            figs["cooperation.png"] = plot_series(result, "cooperation")
        return figs


def _outcomes(
    out: _KernelOut,
    ids: list[str],
    iu: IntArray,
    ju: IntArray,
    runs: int,
    run_ids: IntArray,
) -> dict[str, Any]:
    """Per-run outcome columns from the kernel's per-match totals.

    Sums run over pairs in a fixed order, elementwise across runs, so a run's values do not
    depend on which other runs share the call.
    """
    n = len(ids)
    n_pairs = iu.shape[0]
    lengths = out.lengths.reshape(runs, n_pairs)
    flen = lengths.astype(np.float64)
    per_turn_a = out.score_a.reshape(runs, n_pairs) / flen
    per_turn_b = out.score_b.reshape(runs, n_pairs) / flen
    coop_a = out.coop_a.reshape(runs, n_pairs)
    coop_b = out.coop_b.reshape(runs, n_pairs)
    score = np.zeros((runs, n))
    coop = np.zeros((runs, n), dtype=np.int64)
    moves = np.zeros((runs, n), dtype=np.int64)
    for q in range(n_pairs):
        i, j = int(iu[q]), int(ju[q])
        score[:, i] += per_turn_a[:, q]
        score[:, j] += per_turn_b[:, q]
        coop[:, i] += coop_a[:, q]
        coop[:, j] += coop_b[:, q]
        moves[:, i] += lengths[:, q]
        moves[:, j] += lengths[:, q]
    score /= n - 1
    rate = coop / moves
    mean_score = np.zeros(runs)
    mean_coop = np.zeros(runs)
    for i in range(n):
        mean_score += score[:, i]
        mean_coop += rate[:, i]
    mean_length = np.zeros(runs)
    for q in range(n_pairs):
        mean_length += flen[:, q]
    cols: dict[str, Any] = {
        "run": run_ids,
        "mean_score": mean_score / n,
        "cooperation": mean_coop / n,
        "mean_length": mean_length / n_pairs,
    }
    for i, s in enumerate(ids):
        cols[f"score_{s}"] = score[:, i]
    for i, s in enumerate(ids):
        cols[f"cooperation_{s}"] = rate[:, i]
    return cols


def _series(
    out: _KernelOut,
    scenario: Scenario,
    game: Game,
    iu: IntArray,
    ju: IntArray,
    runs: int,
    run_ids: IntArray,
) -> pd.DataFrame:
    """One row per (run, turn, state) where the state played: its share of restraint and its
    mean payoff at that turn across its matches."""
    import pandas as pd

    assert out.actions_a is not None and out.actions_b is not None
    ids = scenario.ids
    n = len(ids)
    n_pairs = iu.shape[0]
    width = out.actions_a.shape[1]
    act_a = out.actions_a.reshape(runs, n_pairs, width)
    act_b = out.actions_b.reshape(runs, n_pairs, width)
    pay = np.array([game.R, game.S, game.T, game.P])  # index 2 * own + other
    coop = np.zeros((runs, width, n), dtype=np.int64)
    played = np.zeros((runs, width, n), dtype=np.int64)
    total = np.zeros((runs, width, n))
    for q in range(n_pairs):
        i, j = int(iu[q]), int(ju[q])
        a = act_a[:, q, :].astype(np.int64)
        b = act_b[:, q, :].astype(np.int64)
        active = a >= 0
        a0, b0 = np.clip(a, 0, 1), np.clip(b, 0, 1)
        coop[:, :, i] += a == 0
        coop[:, :, j] += b == 0
        played[:, :, i] += active
        played[:, :, j] += active
        total[:, :, i] += np.where(active, pay[2 * a0 + b0], 0.0)
        total[:, :, j] += np.where(active, pay[2 * b0 + a0], 0.0)
    keep = played > 0
    t_idx = np.broadcast_to(np.arange(width)[None, :, None], keep.shape)
    r_idx = np.broadcast_to(run_ids[:, None, None], keep.shape)
    s_idx = np.broadcast_to(np.arange(n)[None, None, :], keep.shape)
    denom = np.where(keep, played, 1)
    del played
    # each column built and its inputs freed before the next; the frame holds the arrays
    # themselves (no consolidating copy, herz.models._frames)
    cooperation = (coop / denom)[keep]
    del coop
    score = (total / denom)[keep]
    del total, denom
    t = t_idx[keep].astype(np.int64)
    return tidy_frame(
        {
            "run": r_idx[keep].astype(np.int64),
            "t": t,
            "year": scenario.time.start + scenario.time.step * t,
            "state": pd.Categorical.from_codes(s_idx[keep], categories=pd.Index(ids)),
            "cooperation": cooperation,
            "score": score,
        }
    )


def _summary(
    cols: dict[str, Any],
    ids: list[str],
    names: dict[str, str],
    game: Game,
    turns: int,
    p: IteratedParams,
) -> dict[str, Any]:
    """The headline numbers: computed from the outcomes alone, so they are the same whether
    the series was kept or not."""
    scores = {s: float(np.mean(cols[f"score_{s}"])) for s in ids}
    rates = {s: float(np.mean(cols[f"cooperation_{s}"])) for s in ids}
    return {
        "game_class": game.game_class,
        "world": game.world,
        **{f"payoff_{k}": v for k, v in game.payoffs.items()},
        "payoffs": game.payoffs,
        "ordering": game.ordering,
        "offense_advantage": game.offense_advantage,
        "distinguishability": game.distinguishability,
        "cost": float(p.cost),
        "stakes": float(p.stakes),
        "turns": int(turns),
        "noise": float(p.noise),
        "misperception": float(p.misperception),
        "prob_end": p.prob_end,
        "strategies": dict(names),
        "mean_score": float(np.mean(cols["mean_score"])),
        "mean_score_se": _se(cols["mean_score"]),
        "cooperation": float(np.mean(cols["cooperation"])),
        "cooperation_se": _se(cols["cooperation"]),
        "mean_length": float(np.mean(cols["mean_length"])),
        "mean_length_se": _se(cols["mean_length"]),
        "scores": scores,
        "scores_se": {s: _se(cols[f"score_{s}"]) for s in ids},
        "cooperation_rates": rates,
        "cooperation_rates_se": {s: _se(cols[f"cooperation_{s}"]) for s in ids},
        "ranking": sorted(ids, key=lambda s: -scores[s]),
    }


def plot_scores(result: Result, *, ax: Any = None) -> Figure:
    """Bars of each state's mean score and cooperation rate, with standard errors.

    Two panels side by side (or, with ``ax``, only the scores on that axis); each bar is
    labelled with the state's strategy.
    """
    from herz.plots._mpl import pyplot

    plt = pyplot()
    out = result.outcomes
    if out is None:
        raise ValueError("the result has no outcomes to plot")
    from herz.plots._mpl import MAX_LEGEND_STATES, MAX_TICK_LABELS

    ids = result.scenario.ids
    strategies: dict[str, str] = result.summary.get("strategies") or {}
    x = np.arange(len(ids))
    many = len(ids) > MAX_LEGEND_STATES
    if many:
        # one line per label, turned upright, and at most MAX_TICK_LABELS of them: the
        # labels of 60 states side by side overlap
        every = -(-len(ids) // MAX_TICK_LABELS)
        labels = [f"{s} {strategies.get(s, '')}".strip() for s in ids][::every]
        ticks = x[::every]
    else:
        labels = [f"{s}\n{strategies.get(s, '')}".strip() for s in ids]
        ticks = x
    runs = len(out)

    def stats(prefix: str) -> tuple[FloatArray, FloatArray]:
        vals = out[[f"{prefix}_{s}" for s in ids]].to_numpy(dtype=float)
        mean = vals.mean(axis=0)
        se = vals.std(axis=0, ddof=1) / np.sqrt(runs) if runs > 1 else np.zeros(len(ids))
        return mean, se

    if ax is None:
        fig, axes = plt.subplots(1, 2, figsize=(10, 5.2 if many else 4.2), layout="constrained")
    else:
        fig, axes = ax.figure, [ax]
    panels = [("score", "mean payoff per turn", "C0"), ("cooperation", "share of restraint", "C2")]
    for axis, (prefix, ylabel, colour) in zip(axes, panels, strict=False):
        mean, se = stats(prefix)
        axis.bar(x, mean, yerr=se, color=colour, alpha=0.85, capsize=3)
        if many:
            axis.set_xticks(ticks, labels, fontsize=6, rotation=90)
            axis.set_xlabel(
                f"{len(ids)} states" + (f", one in {every} labelled" if every > 1 else "")
            )
        else:
            axis.set_xticks(ticks, labels, fontsize=7)
        axis.set_ylabel(ylabel)
        axis.grid(axis="y", alpha=0.3)
        if prefix == "cooperation":
            axis.set_ylim(0, 1.05)
    s = result.summary
    game = f"{s.get('game_class', '')}, (R, T, S, P) = " + ", ".join(
        f"{v:.3g}" for v in (s.get("payoffs") or {}).values()
    )
    fig.suptitle(f"{result.scenario.name}: iterated games, {game}; {runs} runs", fontsize=10)
    return fig  # type: ignore[no-any-return]
