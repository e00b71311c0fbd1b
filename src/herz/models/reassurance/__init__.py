"""Reassurance: Kydd's trust game, costly signals, and how a spiral ends.

The closed-form theory (the one-shot trust game, its equilibria and the reassurance game with
a costly signal) is in :mod:`herz.models.reassurance.game`; this module is the registered model
that runs it over a scenario. docs/reassurance.md has the equations and citations.

**The simulation** (Kydd 2000; Kydd 2005 ch. 7; the perception is herz's, see docs/spiral.md;
the rest **ours**, every constant a field of the ``reassurance:`` block). One *observer* (the
state whose trust is measured, e.g. the USA) watches one *sender* (e.g. the USSR) over the
scenario's clock. Per run (the ensemble axis) and step t:

* the observer's belief that the sender is greedy starts at the prior μ0, perturbed per run on
  the logit scale, logit μ_0 = logit μ0 + σ_p z (``prior``, ``prior_noise``);
* between signals it drifts, logit μ_t = logit μ_{t−1} + σ_b √dt η_t (``belief_noise``: the
  news other than signals);
* the sender's ``signal`` events are sent as the equilibrium says: a security seeker sends
  them as dated; a greedy sender sends a separating-size one only with probability ``tremble``
  and smaller ones not at all (they would cost and convince nobody);
* the observer sees a sent signal with probability visibility × ``visibility``, and its size
  with noise, ŝ = s · exp(σ ε), σ = ``size_noise`` · (1 − q) with q the observer's
  ``intelligence`` (the spiral model's perception rule, docs/spiral.md step 3);
* it reads a seen signal by the separating equilibrium: if k ŝ > B_G (and a separating
  equilibrium exists, B_G < B_S), the odds that the sender is greedy are multiplied by
  ``tremble``, Bayes' rule with P(signal | greedy) = tremble, P(signal | security seeker) = 1;
  a smaller signal is pooling and changes nothing;
* the observer **trusts** the sender at t when μ_t < μ*, equation (1) of
  :mod:`~herz.models.reassurance.game`.

Every run is also computed without the signals, from the same random numbers (common random
numbers), so ``trusted`` and ``trusted_without_signals`` are a paired comparison.
``signals: false`` in the block runs the world without signals as the main path;
``signal_scale`` multiplies every signal's size (capped at 1), the signal-size axis of sweeps.

**The rival explanation** (``decline: true``; Brooks & Wohlforth 2000/01; the numbers **ours**):
from ``decline_start`` the sender's capacity falls as exp(−r (year − start)), with
r = ``decline_rate`` · exp(σ_d w) per run (``decline_noise``; w from a child of the run's
stream, so every other draw is as without decline). A greedy and a security-seeking sender
decline alike, so the cuts it forces pool and carry no information about type: the belief does
not move. The race ends *by decline* when the capacity falls below ``decline_threshold``, and
*by trust* when μ_t < μ* first (a tie counts as trust).

Reads ``states`` (military, type, intelligence), ``time``, the sender's ``signal`` events and
the ``reassurance:`` block; ignores alliances, the world and every other event kind.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from herz._random import run_seed_sequence
from herz._validation import StrictModel
from herz.errors import ScenarioError
from herz.models._base import COMMON_OUTCOMES, Measure, Model, NoOptions, Progress
from herz.models._frames import state_column, tidy_frame
from herz.models.reassurance.game import (
    ReassuranceGame,
    TrustGame,
    minimal_separating_signal,
    trust_threshold,
)

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from herz.results import Result
    from herz.scenario import Scenario

__all__ = ["Reassurance", "ReassuranceParams"]

FloatArray = NDArray[np.float64]
_ID = r"^[A-Za-z][A-Za-z0-9_-]{0,15}$"
_MIL = "scenario military unit"
_EPS = 1e-12


class ReassuranceParams(StrictModel):
    """The scenario's ``reassurance:`` block. Every field has a default (see docs)."""

    observer: str | None = Field(
        default=None,
        pattern=_ID,
        description=(
            "Id of the state whose trust is measured (default: the first state that is not "
            "the sender)."
        ),
        json_schema_extra={
            "source": "ours",
            "why": "absent: the first state that is not the sender",
        },
    )
    sender: str | None = Field(
        default=None,
        pattern=_ID,
        description=(
            "Id of the state that signals (default: the state of the first signal event, else "
            "the scenario's second state)."
        ),
        json_schema_extra={
            "source": "ours",
            "why": ("absent: the state of the first signal event, else the second state"),
        },
    )
    prior: float = Field(
        default=0.7,
        ge=0,
        le=1,
        description="μ0: the observer's prior belief that the sender is greedy.",
        json_schema_extra={
            "source": "ours",
            "why": "an assumption: deep mistrust of the other's intentions",
            "after": (
                "Kydd (2005) ch. 7: American mistrust of Soviet intentions (the number is ours)"
            ),
        },
    )
    prior_sender: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description=(
            "ν: the sender's belief that the observer is greedy (common knowledge; beliefs "
            "about beliefs). Above μ* no cooperation is possible and no signal separates."
        ),
        json_schema_extra={
            "source": "ours",
            "why": "an assumption: the sender fears the observer little",
        },
    )
    t_secure: float = Field(
        default=0.5,
        ge=0,
        lt=1,
        description="t_S: a security seeker's payoff from exploiting the other (0 ≤ t_S < 1).",
        json_schema_extra={
            "source": "ours",
            "why": ("t_S < 1 makes the security seeker's game an assurance game; 0.5 is ours"),
            "after": "Kydd (2005) ch. 2: the security dilemma game",
        },
    )
    t_greedy: float = Field(
        default=1.5,
        gt=1,
        le=100,
        description="t_G: a greedy state's payoff from exploiting the other (t_G > 1).",
        json_schema_extra={
            "source": "ours",
            "why": ("t_G > 1 makes the greedy state's game a prisoner's dilemma; 1.5 is ours"),
            "after": "Kydd (2005) ch. 2: the security dilemma game",
        },
    )
    sucker_cost: float = Field(
        default=1.0,
        gt=0,
        le=100,
        description="c: the loss from being exploited (c > 0).",
        json_schema_extra={
            "source": "ours",
            "why": "c = 1: with t_S = 0.5 the trust threshold μ* is 1/3",
            "after": "Kydd (2005) ch. 2: the security dilemma game",
        },
    )
    horizon: float = Field(
        default=10.0,
        gt=0,
        le=1000,
        description="H: rounds of cooperation a trusted security seeker gains (ours).",
        json_schema_extra={
            "source": "ours",
            "why": "a trusted security seeker gains ten rounds of cooperation",
        },
    )
    signal_cost: float = Field(
        default=20.0,
        gt=0,
        le=10_000,
        description="k: the cost, in stage-game payoffs, of cutting the whole military.",
        json_schema_extra={
            "source": "ours",
            "why": (
                "cutting the whole military costs 20 stage-game payoffs: the "
                "minimal separating signal is then a cut of 6.1%"
            ),
            "after": "Kydd (2000): costly signals",
        },
    )
    tremble: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description=(
            "Chance that a greedy sender sends a separating-size signal all the same; the "
            "observer's likelihood ratio for such a signal (ours)."
        ),
        json_schema_extra={
            "source": "ours",
            "why": "a greedy sender makes a separating-size cut one time in ten",
        },
    )
    visibility: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="Multiplies every signal's visibility (misperception: missed signals).",
        json_schema_extra={"source": "ours", "why": "signals are as visible as their events say"},
    )
    size_noise: float = Field(
        default=0.5,
        ge=0,
        le=5,
        description=(
            "σ0: log-scale noise of a seen signal's size, times (1 − the observer's "
            "intelligence) (misperception of signals)."
        ),
        json_schema_extra={
            "source": "ours",
            "why": "σ0 = 0.5, the spiral model's noise_scale",
            "after": "the spiral model's perception rule (docs/spiral.md)",
        },
    )
    prior_noise: float = Field(
        default=0.5,
        ge=0,
        le=10,
        description="σ_p: per-run spread of the prior on the logit scale (ours).",
        json_schema_extra={
            "source": "ours",
            "why": ("per-run uncertainty about the prior, spread 0.5 on the logit scale"),
        },
    )
    belief_noise: float = Field(
        default=0.1,
        ge=0,
        le=10,
        description="σ_b: drift of the belief per √year on the logit scale: other news (ours).",
        json_schema_extra={
            "source": "ours",
            "why": "news other than signals moves the logit by 0.1 per √year",
        },
    )
    grain: float = Field(
        default=0.001,
        gt=0,
        le=1,
        description="Step of the grid of cut sizes for the minimal separating signal.",
        json_schema_extra={"source": "ours", "why": "numerical: grid step of the cut sizes"},
    )
    signals: bool = Field(
        default=True,
        description="false: the sender sends no signals (the world without them).",
        json_schema_extra={"source": "ours", "why": "signals on; false is the world without them"},
    )
    signal_scale: float = Field(
        default=1.0,
        gt=0,
        le=100,
        description=(
            "Multiplies every signal's size (capped at 1, the whole military): the signal-size "
            "axis of a sweep (ours)."
        ),
        json_schema_extra={"source": "ours", "why": "signals at the sizes the scenario gives"},
    )
    decline: bool = Field(
        default=False,
        description=(
            "true: the rival explanation (Brooks & Wohlforth 2000/01): the sender's capacity "
            "falls from decline_start, whatever its type."
        ),
        json_schema_extra={
            "source": "ours",
            "why": "the rival explanation is off unless asked for",
            "after": "Brooks & Wohlforth (2000/01), International Security 25(3)",
        },
    )
    decline_start: float = Field(
        default=1986.0,
        ge=-10_000,
        le=10_000,
        description="Year the sender's decline begins (ours).",
        json_schema_extra={"source": "ours", "why": "the decline begins in 1986"},
    )
    decline_rate: float = Field(
        default=0.15,
        ge=0,
        le=10,
        description="r: the decline's rate per year, capacity exp(−r (year − start)) (ours).",
        json_schema_extra={
            "source": "ours",
            "why": "capacity falls by 15% a year (on the log scale)",
        },
    )
    decline_noise: float = Field(
        default=0.3,
        ge=0,
        le=5,
        description="σ_d: per-run spread of the rate on the log scale (ours).",
        json_schema_extra={
            "source": "ours",
            "why": "per-run spread 0.3 of the rate on the log scale",
        },
    )
    decline_threshold: float = Field(
        default=0.5,
        gt=0,
        lt=1,
        description=(
            "Capacity (share of the starting military) below which the sender can no longer "
            "race: the race ends by decline (ours)."
        ),
        json_schema_extra={
            "source": "ours",
            "why": "the race ends by decline at half the starting military",
        },
    )


@dataclass(frozen=True)
class _Signal:
    year: float
    step: int
    size: float
    visibility: float
    name: str | None


@dataclass(frozen=True)
class _Setup:
    observer: str
    sender: str
    greedy_sender: bool
    intelligence: float
    game: ReassuranceGame
    threshold: float
    signals: tuple[_Signal, ...]


def _pair(scenario: Scenario, params: ReassuranceParams) -> tuple[str, str]:
    """``(observer, sender)``: those the block names, else the sender is the state of the
    first signal event, else the second state, skipping the observer where the block names
    one (``observer: B`` alone makes A the sender); the observer is the first other state.

    Raises
    ------
    ScenarioError
        Where the two would be one state: the block names the same state twice, or the
        scenario has one state.
    """
    from herz.scenario import SignalEvent

    ids = scenario.ids
    sender = params.sender
    if sender is None:
        signalling = [ev.state for ev in scenario.events if isinstance(ev, SignalEvent)]
        candidates = [*signalling, *ids[1:2], *ids[:1], *ids[2:]]
        sender = next((s for s in candidates if s != params.observer), candidates[0])
    observer = params.observer or next((s for s in ids if s != sender), sender)
    if observer == sender:
        field = "observer" if params.observer is not None else "sender"
        why = (
            f"got {observer!r} for both"
            if params.observer is not None and params.sender is not None
            else f"and the scenario has no other state than {observer!r}"
        )
        raise ScenarioError(
            f"{scenario.origin}: reassurance.{field}: the observer must differ from the sender, "
            f"{why}.",
            source=scenario.origin,
            field=f"reassurance.{field}",
            value=observer,
        )
    return observer, sender


def _setup(scenario: Scenario, params: ReassuranceParams, steps: int) -> _Setup:
    from herz.scenario import SignalEvent

    observer, sender = _pair(scenario, params)
    states = {s.id: s for s in scenario.states}
    start, dt = scenario.time.start, scenario.time.step
    signals: list[_Signal] = []
    for ev in scenario.events:
        if isinstance(ev, SignalEvent) and ev.state == sender:
            step = max(0, math.ceil((ev.year - start) / dt - 1e-9))
            if step <= steps:
                size = min(1.0, ev.size * params.signal_scale)
                signals.append(_Signal(ev.year, step, size, ev.visibility, ev.name))
    game = ReassuranceGame(
        TrustGame(params.t_secure, params.t_greedy, params.sucker_cost),
        horizon=params.horizon,
        signal_cost=params.signal_cost,
    )
    return _Setup(
        observer=observer,
        sender=sender,
        greedy_sender=states[sender].type == "greedy",
        intelligence=states[observer].intelligence,
        game=game,
        threshold=trust_threshold(game.game),
        signals=tuple(signals) if params.signals else (),
    )


@dataclass(frozen=True)
class _Paths:
    logit: FloatArray  # (runs, steps + 1), with signals
    logit_without: FloatArray  # (runs, steps + 1), same draws, no signals
    sent: NDArray[np.bool_]  # (runs, n_signals)
    seen: NDArray[np.bool_]
    informative: NDArray[np.bool_]
    perceived: FloatArray
    capacity: FloatArray  # (runs, steps + 1): the decline's share of capacity left (1: none)


def _logit(p: float) -> float:
    q = min(max(p, _EPS), 1 - _EPS)
    return math.log(q / (1 - q))


def _paths(
    setup: _Setup,
    params: ReassuranceParams,
    *,
    steps: int,
    runs: int,
    seed: int,
    run_offset: int,
    stream_key: Sequence[int],
    dt: float,
    start_year: float,
) -> _Paths:
    n_sig = len(setup.signals)
    z = np.empty((runs, steps + 1))
    u = np.empty((runs, n_sig, 2))
    e = np.empty((runs, n_sig))
    w = np.zeros(runs)
    for k in range(runs):  # run k draws only from its own stream
        seq = run_seed_sequence(seed, run_offset + k, stream_key)
        rng = np.random.default_rng(seq)
        z[k] = rng.standard_normal(steps + 1)
        u[k] = rng.random((n_sig, 2))
        e[k] = rng.standard_normal(n_sig)
        if params.decline:  # a child stream: the same with and without signals, and the
            # draws above are those of a run without decline
            w[k] = np.random.default_rng(seq.spawn(1)[0]).standard_normal()
    start = _logit(params.prior) + params.prior_noise * z[:, 0]
    drift = np.zeros((runs, steps + 1))
    drift[:, 1:] = params.belief_noise * math.sqrt(dt) * z[:, 1:]
    base = start[:, None] + np.cumsum(drift, axis=1)
    game, nu = setup.game, params.prior_sender
    b_g, b_s = game.benefit(nu, greedy=True), game.benefit(nu, greedy=False)
    sizes = np.array([s.size for s in setup.signals], dtype=float)
    vis = np.array([s.visibility for s in setup.signals], dtype=float) * params.visibility
    nominal = np.array([game.informative(s, nu) for s in sizes], dtype=bool)
    if setup.greedy_sender:
        sent = nominal[None, :] & (u[:, :, 0] < params.tremble)
    else:
        sent = np.ones((runs, n_sig), dtype=bool)
    seen = sent & (u[:, :, 1] < vis[None, :])
    sigma = params.size_noise * (1 - setup.intelligence)
    perceived = sizes[None, :] * np.exp(sigma * e)
    informative = seen & (game.signal_cost * perceived > b_g) & (b_g < b_s)
    with np.errstate(divide="ignore"):
        llr = math.log(params.tremble) if params.tremble > 0 else -math.inf
    jumps = np.zeros((runs, steps + 1))
    for i, sig in enumerate(setup.signals):
        jumps[:, sig.step] += np.where(informative[:, i], llr, 0.0)
    logit = base + np.cumsum(jumps, axis=1)
    capacity = np.ones((runs, steps + 1))
    if params.decline:
        rate = params.decline_rate * np.exp(params.decline_noise * w)
        elapsed = np.maximum(0.0, start_year + dt * np.arange(steps + 1) - params.decline_start)
        capacity = np.exp(-rate[:, None] * elapsed[None, :])
    return _Paths(logit, base, sent, seen, informative, perceived, capacity)


def _expit(x: FloatArray) -> FloatArray:
    with np.errstate(over="ignore"):
        return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=float)


def _first(mask: NDArray[np.bool_]) -> FloatArray:
    """Index of the first True per row (NaN where none)."""
    any_ = mask.any(axis=1)
    idx = np.asarray(mask.argmax(axis=1), dtype=float)
    idx[~any_] = np.nan
    return idx


def _year(index: FloatArray, start: float, dt: float) -> FloatArray:
    """The year of step ``index`` (NaN stays NaN: never)."""
    return np.asarray(np.where(np.isnan(index), np.nan, start + dt * np.nan_to_num(index)), float)


def _share(values: NDArray[Any]) -> tuple[float, float]:
    n = values.size
    p = float(values.mean()) if n else math.nan
    return p, float(math.sqrt(p * (1 - p) / n)) if n else math.nan


class Reassurance(Model):
    """Kydd's reassurance game over a scenario: does costly restraint build trust?

    See the module docstring for the simulation, :mod:`herz.models.reassurance.game` for the
    closed-form equilibria, and docs/reassurance.md.
    """

    name = "reassurance"
    title = "Reassurance: Kydd's trust game, costly signals, and how a spiral ends"
    citation = (
        "Kydd, A. H. (1997). Game Theory and the Spiral Model. World Politics 49(3); Kydd, "
        "A. H. (2000). Trust, Reassurance, and Cooperation. International Organization 54(2); "
        "Kydd, A. H. (2005). Trust and Mistrust in International Relations, chs. 2 and 7."
    )
    Params = ReassuranceParams
    Options = NoOptions
    report = True
    outcomes = (
        Measure("trusted", "bool", "", "Whether the observer came to trust the sender (μ < μ*)."),
        Measure("trust_year", "float", "year", "First year of trust (NaN: never)."),
        Measure(
            "trusted_without_signals",
            "bool",
            "",
            "The same run without the sender's signals (same random numbers).",
        ),
        Measure(
            "trust_year_without_signals",
            "float",
            "year",
            "First year of trust without the signals (NaN: never).",
        ),
        Measure(
            "declined",
            "bool",
            "",
            "Whether the sender's decline took its capacity below decline_threshold.",
        ),
        Measure("decline_year", "float", "year", "First year below the threshold (NaN: never)."),
        Measure("race_ended", "bool", "", "Whether the race ended: trust or decline."),
        Measure("race_end_year", "float", "year", "First year of trust or decline (NaN: never)."),
        Measure("ended_by_trust", "bool", "", "The race ended by trust (no later than decline)."),
        Measure("ended_by_decline", "bool", "", "The race ended by decline, before any trust."),
        Measure(
            "race_ended_without_signals",
            "bool",
            "",
            "The race ended (trust or decline) in the same run without the signals.",
        ),
        Measure("trusts_at_end", "bool", "", "Whether the observer trusts at the last step."),
        Measure(
            "trusts_at_end_without_signals",
            "bool",
            "",
            "Whether it trusts at the last step without the signals (same random numbers).",
        ),
        Measure("final_belief", "float", "probability", "Observer's belief: sender is greedy."),
        Measure("signals_sent", "int", "signals", "Signals the sender sent."),
        Measure("signals_seen", "int", "signals", "Signals the observer saw."),
        Measure(
            "signals_informative", "int", "signals", "Seen signals read as separating (k ŝ > B_G)."
        ),
        COMMON_OUTCOMES["final_military"],
        COMMON_OUTCOMES["final_military_{state}"],
    )
    summary_fields = (
        Measure("observer", "str", "", "The state whose trust is measured."),
        Measure("sender", "str", "", "The state that signals."),
        Measure("threshold", "float", "probability", "Trust threshold μ* (equation 1)."),
        Measure(
            "minimal_separating_signal",
            "float",
            "share",
            "Smallest cut that separates (share of military; none: no cut does).",
        ),
        Measure("p_trusted", "float", "share", "P(trust reached) with the signals."),
        Measure("p_trusted_without_signals", "float", "share", "P(trust reached) without them."),
        Measure("signal_effect", "float", "share", "P(trust) with minus without signals."),
        Measure("p_declined", "float", "share", "P(the decline ended the sender's capacity)."),
        Measure("p_race_ended", "float", "share", "P(the race ended: trust or decline)."),
        Measure("p_race_ended_without_signals", "float", "share", "P(race ended) without signals."),
        Measure("mean_trust_year", "float", "year", "First year of trust, given trust."),
        Measure("mean_final_belief", "float", "probability", "Final belief that S is greedy."),
        Measure(
            "mechanisms",
            "bool",
            "",
            "Which switches were on: signals (the sender signals) and decline (the rival "
            "explanation), reassurance.signals and reassurance.decline.",
        ),
    )

    def params(self, scenario: Scenario) -> ReassuranceParams:
        """The ``reassurance:`` block, validated; ``observer`` and ``sender`` must be states."""
        params = super().params(scenario)
        assert isinstance(params, ReassuranceParams)
        known = scenario.ids
        for key in ("observer", "sender"):
            sid = getattr(params, key)
            if sid is not None and sid not in known:
                listed = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
                raise ScenarioError(
                    f"{scenario.origin}: reassurance.{key}: unknown state id (known: {listed}), "
                    f"got {sid!r}.",
                    source=scenario.origin,
                    field=f"reassurance.{key}",
                    value=sid,
                )
        _pair(scenario, params)  # the two must differ (here, so that `herz validate` says so)
        return params

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
        """Run ``runs`` belief paths over ``steps`` steps (see the module docstring)."""
        import pandas as pd

        from herz.results import Result

        params = self.params(scenario)
        setup = _setup(scenario, params, steps)
        dt, start = scenario.time.step, scenario.time.start
        paths = _paths(
            setup,
            params,
            steps=steps,
            runs=runs,
            seed=seed,
            run_offset=run_offset,
            stream_key=stream_key,
            dt=dt,
            start_year=start,
        )
        belief = _expit(paths.logit)
        without = _expit(paths.logit_without)
        trust = belief < setup.threshold
        trust_wo = without < setup.threshold
        years = start + dt * np.arange(steps + 1, dtype=float)
        first, first_wo = _first(trust), _first(trust_wo)
        declined = paths.capacity < params.decline_threshold
        first_dec = _first(declined)
        trust_year = _year(first, start, dt)
        decline_year = _year(first_dec, start, dt)
        # the race ends at the first of trust and decline; by trust if trust came no later
        end_year = np.fmin(trust_year, decline_year)
        by_trust = np.isfinite(trust_year) & ~(decline_year < trust_year)
        ids = scenario.ids
        military = np.array([s.military for s in scenario.states], dtype=float)
        mil = np.broadcast_to(military, (runs, steps + 1, len(ids))).copy()
        keepshare = np.ones((runs, steps + 1))
        for i, sig in enumerate(setup.signals):
            keepshare[:, sig.step] *= np.where(paths.sent[:, i], 1 - sig.size, 1.0)
        mil[:, :, ids.index(setup.sender)] *= np.cumprod(keepshare, axis=1) * paths.capacity
        final = mil[:, -1, :]
        outcomes = pd.DataFrame(
            {
                "run": np.arange(run_offset, run_offset + runs, dtype=np.int64),
                "trusted": trust.any(axis=1),
                "trust_year": trust_year,
                "trusted_without_signals": trust_wo.any(axis=1),
                "trust_year_without_signals": _year(first_wo, start, dt),
                "declined": declined.any(axis=1),
                "decline_year": decline_year,
                "race_ended": np.isfinite(end_year),
                "race_end_year": end_year,
                "ended_by_trust": by_trust,
                "ended_by_decline": np.isfinite(end_year) & ~by_trust,
                "race_ended_without_signals": trust_wo.any(axis=1) | declined.any(axis=1),
                "trusts_at_end": trust[:, -1],
                "trusts_at_end_without_signals": trust_wo[:, -1],
                "final_belief": belief[:, -1],
                "signals_sent": paths.sent.sum(axis=1).astype(np.int64),
                "signals_seen": paths.seen.sum(axis=1).astype(np.int64),
                "signals_informative": paths.informative.sum(axis=1).astype(np.int64),
                "final_military": final.sum(axis=1),
                **{f"final_military_{sid}": final[:, i] for i, sid in enumerate(ids)},
            }
        )
        summary = self._summary(
            scenario, setup, params, outcomes, belief, without, paths.capacity, years
        )
        series = None
        if keep == "series":
            series = self._series(ids, setup, params, runs, run_offset, years, mil, belief, without)
        if progress is not None:
            progress(runs, runs)
        return Result(
            model=self.name,
            scenario=scenario,
            seed=seed,
            summary=summary,
            series=series,
            outcomes=outcomes,
        )

    @staticmethod
    def _series(
        ids: list[str],
        setup: _Setup,
        params: ReassuranceParams,
        runs: int,
        run_offset: int,
        years: FloatArray,
        mil: FloatArray,
        belief: FloatArray,
        without: FloatArray,
    ) -> pd.DataFrame:
        n, t1 = len(ids), len(years)
        held = np.full((runs, t1, n), np.nan)
        held_wo = np.full((runs, t1, n), np.nan)
        o, s = ids.index(setup.observer), ids.index(setup.sender)
        held[:, :, o], held_wo[:, :, o] = belief, without
        held[:, :, s] = held_wo[:, :, s] = params.prior_sender
        trust = np.zeros((runs, t1, n), dtype=bool)
        trust[:, :, o] = belief < setup.threshold
        trust[:, :, s] = params.prior_sender < setup.threshold
        return tidy_frame(
            {
                "run": np.repeat(np.arange(run_offset, run_offset + runs), t1 * n),
                "t": np.tile(np.repeat(np.arange(t1), n), runs),
                "year": np.tile(np.repeat(years, n), runs),
                "state": state_column(ids, runs * t1),
                "military": mil.reshape(-1),
                "belief": held.reshape(-1),
                "belief_without_signals": held_wo.reshape(-1),
                "trust": trust.reshape(-1),
            }
        )

    @staticmethod
    def _summary(
        scenario: Scenario,
        setup: _Setup,
        params: ReassuranceParams,
        outcomes: pd.DataFrame,
        belief: FloatArray,
        without: FloatArray,
        capacity: FloatArray,
        years: FloatArray,
    ) -> dict[str, Any]:
        game, nu = setup.game, params.prior_sender
        lo, hi = game.bounds(nu)
        with_ = outcomes["trusted"].to_numpy(dtype=bool)
        wo = outcomes["trusted_without_signals"].to_numpy(dtype=bool)
        p, p_se = _share(with_)
        q, q_se = _share(wo)
        diff = with_.astype(float) - wo.astype(float)
        n = diff.size
        eff_se = float(diff.std(ddof=1) / math.sqrt(n)) if n > 1 else None
        ty = outcomes["trust_year"].to_numpy(dtype=float)
        ty = ty[np.isfinite(ty)]
        minimal = minimal_separating_signal(game, nu, params.grain)
        return {
            "observer": setup.observer,
            "sender": setup.sender,
            "sender_type": "greedy" if setup.greedy_sender else "security_seeker",
            "threshold": setup.threshold,
            "benefit_secure": game.benefit(nu, greedy=False),
            "benefit_greedy": game.benefit(nu, greedy=True),
            "separating_range": [lo, hi] if lo < hi else None,
            "minimal_separating_signal": minimal,
            "signals": [
                {
                    "year": sig.year,
                    "name": sig.name,
                    "size": sig.size,
                    "visibility": sig.visibility,
                    "separating": game.informative(sig.size, nu),
                }
                for sig in setup.signals
            ],
            "signals_on": params.signals,
            "signal_scale": params.signal_scale,
            "decline_on": params.decline,
            # the model's switches, as the spiral model reports its own: the report's methods
            # section lists them on or off
            "mechanisms": {"signals": params.signals, "decline": params.decline},
            "p_trusted": p,
            "p_trusted_se": p_se,
            "p_trusted_without_signals": q,
            "p_trusted_without_signals_se": q_se,
            "signal_effect": float(diff.mean()) if n else None,
            "signal_effect_se": eff_se,
            "p_declined": float(outcomes["declined"].mean()) if n else None,
            "p_race_ended": float(outcomes["race_ended"].mean()) if n else None,
            "p_race_ended_without_signals": (
                float(outcomes["race_ended_without_signals"].mean()) if n else None
            ),
            "p_ended_by_trust": float(outcomes["ended_by_trust"].mean()) if n else None,
            "p_ended_by_decline": float(outcomes["ended_by_decline"].mean()) if n else None,
            "mean_trust_year": float(ty.mean()) if ty.size else None,
            "mean_final_belief": float(belief[:, -1].mean()) if belief.size else None,
            "mean_belief_path": [float(x) for x in belief.mean(axis=0)],
            "mean_belief_path_without_signals": [float(x) for x in without.mean(axis=0)],
            "mean_capacity_path": [float(x) for x in capacity.mean(axis=0)],
            "decline_threshold": params.decline_threshold,
            "years": [float(y) for y in years],
            "sources": [s.citation for s in scenario.sources],
        }

    def figures(self, result: Result) -> dict[str, Figure]:
        """``trust.png``: the observer's mean belief with and without signals, μ*, signals."""
        from herz.plots._mpl import pyplot

        plt = pyplot()
        s = result.summary
        fig, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
        ax.plot(s["years"], s["mean_belief_path"], lw=1.8, label="with signals")
        ax.plot(s["years"], s["mean_belief_path_without_signals"], lw=1.2, ls=":", label="without")
        ax.axhline(s["threshold"], color="k", ls="--", lw=0.8, label="trust threshold μ*")
        for sig in s["signals"]:
            ax.axvline(sig["year"], color="grey", lw=0.6, alpha=0.6)
        ax.set_ylim(0, 1)
        ax.set_xlabel("year")
        ax.set_ylabel(f"P({s['sender']} greedy) held by {s['observer']}")
        ax.set_title(f"{result.scenario.name}: reassurance, mean belief of the runs")
        ax.grid(alpha=0.3)
        if s.get("decline_on"):
            ax.plot(
                s["years"],
                s["mean_capacity_path"],
                color="tab:red",
                lw=1.2,
                ls="-.",
                label=f"{s['sender']} capacity left by the decline (share)",
            )
            ax.axhline(s["decline_threshold"], color="tab:red", ls="--", lw=0.6)
        ax.legend(fontsize="small", frameon=False)
        return {"trust.png": fig}
