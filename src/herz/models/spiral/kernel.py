"""The spiral model: many states arming, reading each other, allying, meeting crises and fighting.

An agent-based model of the security dilemma (Herz 1950; Jervis 1976, 1978), built **ours** from
cited mechanisms in the manner of the realpolitik state-system simulations of Bremer & Mihalka
(1977) and Cusack & Stoll (1990). Every run of an ensemble advances the same arrays: stocks and
economies ``(runs, states)``, beliefs, alliance ties and war ``(runs, states, states)``; the only
Python loop is over time (and, once per block of steps, over runs to draw each run's random
numbers from its own stream).

Per step (``dt = time.step`` years; rates are per year), in this order. Results do not depend
on dt beyond the discretization error of holding threats, reviews and crisis hazards for a step
(issue #11): spending and postures are decided once a budget year at any step (step 2), stocks
get exact exponential updates, beliefs gain the same information per year at any dt (Wonham
1964) and every hazard is 1 − exp(−rate·dt), with no cap per step (docs/spiral.md, "Time
step"):

1. **Power and threat** (:func:`strength`, :func:`offense_multiplier`, :func:`contest_success`).
   S_i = M_i + Σ_k r_ik M_k (own stock plus allies' weighted by reliability). The chance that j,
   attacking, beats i is the contest success function (Tullock 1980; Hirshleifer 1989)
   p_ji = x_ij / (x_ij + S_i^m), x_ij = (A_ij G_ij S_j)^m. A_ij = θ_i (φ̂_ij + (1 − φ̂_ij)/θ_max)
   is j's attack multiplier as i reads it (defensive forces bring 1/θ_max of an offensive
   force's punch, in any world): θ_i = θ_max^(2ω_i − 1) with ω_i the offense advantage
   i believes in (``perceived_offense_advantage``), φ_j j's offensive share (posture: seekers
   keep ``defensive_mix`` while no rival is more likely greedy than not, others 1), read with
   distinguishability δ as φ̂ = δ φ + (1 − δ) (Jervis 1978; Glaser & Kaufmann 1998; **ours**),
   and by a biased observer as φ̂_ij = φ̂_j + β_i (1 − δ) (1 − φ̂_j) (Herz's asymmetry where
   the reading is ambiguous; **ours**).
   G_ij = exp(−d_ij / L) is the share of j's strength that reaches i's capital (Boulding 1962;
   L = ``reach_days`` × the era's transport speed). Perceived threat T_ij = μ_ij p_ji toward
   non-allies.
2. **Arming** (:func:`required_strength`, :func:`arming_target`, :func:`investment`,
   :func:`military_step`, :func:`economy_step`). A defensive security seeker wants the strength
   that keeps every T_ij at or below its tolerance τ: S_i ≥ A_ij G_ij S_j (μ_ij/τ − 1)^{1/m}; an
   offensive realist also wants ``superiority`` times its strongest rival in reach; a reassurer
   (GRIT, Osgood 1962) arms to ``grit_share`` of the defensive target while its highest belief
   stays below ``grit_abandon``; greedy states (Kydd 1997, 2005) spend at least
   ``greedy_effort`` of their budget ceiling (arming for opportunity). Spending closes the gap
   at speed λ and replaces depreciation, bounded by [0, max_budget_share·Y]; M' = a I + (M − a I)
   e^{−d dt} with a the military productivity (exact for spending held over the step, which is
   chosen so that the unbounded stock lands where dM/dt = λ (M* e^{γ s} − M) puts it, the target
   growing with the economy at its rate γ); Y' = Y exp(dt (g − c_g I/Y − war damage)) (guns vs
   butter).
   **Budgets** (``budget_period`` P = 1 year; Wildavsky 1964; Ostrom 1978, "A reactive linkage
   model of the U.S. defense expenditure policymaking process", APSR 72(3)): spending and the
   posture are decided as each budget period begins (counted from the scenario's start) and
   held until the next, whatever the step; the spending is the level that, held for the period,
   lands the stock where the adjustment puts it. Belligerents spend their ceiling from the step
   they enter a war (a war budget). With P = 1 a yearly step is the model itself, and smaller
   steps refine only what happens within the year (beliefs, threats, reviews, crises, wars);
   P = 0 decides at every step (issue #11: re-planned every step, beliefs and Jervis's four
   worlds converge only near dt = 1/16; docs/spiral.md, "Time step").
   **Units** (ours): spending I is a flow in the scenario's money per year, directly comparable
   with COW NMC ``milex``; the stock M is measured in the same unit, as the annual spending that
   sustains it (d times the depreciated sum of past spending). The scenario's ``military`` is
   the spending at the start, and the stock starts at the steady state it sustains (M0 =
   military), so the budget ceiling b·Y, the spending and the stock share one unit.
3. **Perception and belief** (:func:`belief_llr`). Each i sees j's spending rate with log-normal
   noise σ_i = σ0 (1 − q_i), on the scale log(I + f), f the upkeep b0 Y of ``base_posture`` (at
   least :data:`SPEND_FLOOR` of the ceiling; **ours**), and compares it with what a defensive
   security seeker j would spend from public information only: public stocks, alliances, distances,
   read postures, and reputations ρ_k (the belief in k's greed that the exact public spending
   record supports), counting j's need against i itself with weight (1 − β_i) (Herz's asymmetry,
   Jervis 1976 ch. 3). Under "greedy" j would spend at least its opportunity level. Bayes' rule on
   the log scale (Kydd 1997): the log-likelihood ratio of greedy against seeker is dt Δ (x − m_s −
   Δ/2) / s_i², s_i² = σ_i² + σ_f², with the observation noise of a step σ_i/√dt (a per-year rate
   observed over dt years): mean and variance ∝ dt, the Wonham (1964) filter discretized
   (**ours**). The spending observed is the budget of the period and the benchmark is held
   with it, so within a budget period each step adds its share dt/P of the period's ratio.
   Since issue #11 δ does not scale this ratio (arming is always seen; δ is the readability of
   postures, step 1).
4. **Alliances** (:func:`balancing_ties`). The balancing rule: each state's most threatening
   state (if above ``balance_threshold``) is its enemy; states that fear the same state should
   ally (balancing against threat, Walt 1987). Each pair reviews its tie at rate
   1/``balance_interval`` per year (a Poisson review) and takes the tie the rule calls for. The
   scenario's alliances (``defense``, ``offense``, ``entente``) are fixed ties with their
   reliability, changed only by events.
5. **Crises** (:func:`crisis_hazard`, :func:`war_demand`). Each non-allied dyad, not both at
   war, has a crisis with hazard h = (base + rate · mutual threat)/(N − 1) per year: in a step
   with chance 1 − exp(−h dt), each dyad on its own (no cap per run per step), settled in the
   order of their times within the step, each against the wars the earlier ones started.
   Scenario events force crises on their dates (Sarajevo, 1914). In a
   crisis each side demands the share of the stakes it expects from war, p̂ − c/v (Fearon
   1995: war occurs when the bargaining range is empty, i.e. the two demands add up to more
   than 1). The cost c is ``war_cost``, or under ``cost_model: attrition`` the expected cost
   of the war the side foresees from its own estimate of the other's strength
   (:func:`crisis_cost`: Lanchester losses at replacement cost, extra spending and war damage
   over the expected duration, over the stake's money value; **ours**). A side that fears
   the other is greedy expects to be struck and values striking first: its p̂ mixes the
   first-strike (its own attack multiplier) and the even contest with weights μ and 1 − μ
   (Schelling 1960's reciprocal fear of surprise attack; **ours**). Each side sees the
   other's strength with its own noise (private information, Fearon 1995). A side whose win
   chance, projected a year ahead on the public trends of both strengths, falls by more than
   :func:`herz.models.bargaining.shift_threshold` allows fights a preventive war (the
   commitment problem; Fearon 1995, pp. 404–409; Powell 2006).
6. **War between sides** (:func:`join_probability`, :func:`lanchester_losses`, issue #11). A war
   has two sides; a state is in one war at a time, on one side, at war with every member of the
   other side. A crisis between two states at peace that ends in war starts a war (the initiator
   on side 0); one between a belligerent and a state at peace brings the latter in on the other
   side. Each entry into a war is an attack that may call allies in (the casus foederis: Leeds
   2003; alliance ties as the channel by which wars spread, Siverson & King 1979, 1980): when e
   enters on side s, each ally at peace k of e has a chance to join side s, and each ally at
   peace k of every member x of side 1 − s that now faces e as one more enemy (x entered before
   e, or in the same round of the cascade; the two states of the crisis that starts a war are
   one event) a chance to join side 1 − s, if k and x are bound by a treaty (the scenario's
   ``defense``, ``offense`` or ``entente`` ties: the casus foederis is a treaty's); an ally
   through a balancing alignment only is called by x's own entry (issue #11: renewed by every
   new enemy of every aligned state, the chances added up in dense networks and drew most of
   a system into every war, whatever the offense–defense balance). A chance through x is
   p = reliability(k, x) · f(ω_k), f rising linearly from ``chaingang_defense`` at ω = 0 to
   ``chaingang_offense`` at ω = 1
   (Christensen & Snyder 1990: chain-ganging under offense dominance, buck-passing under defense
   dominance). Joining cascades through the alliance network within the step, each joiner's
   entry giving new chances; a state's chances are independent (**ours**): it joins with
   probability 1 − Π(1 − p_i) over all its chances in the step (drawn with its one join uniform
   of the step: it joins at the first round where the uniform falls below 1 − Π(1 − p_i) so
   far), on the side of its largest chance of that round (**ours**). Nothing carries over
   between steps: a state that declined is asked again only by a new entry into the war.
   Belligerents spend their budget ceiling; each loses attrition · (the other side's force) ·
   (its share of its own side's force) per year (Lanchester 1916, square law between the two
   coalitions; exact over the step with the forces held); a member leaves when its stock falls
   below ``exhaustion`` of its stock at entry (defeat: it loses ``defeat_cost`` of its economy,
   which passes to its enemies still standing; one overwhelmed ``conquest_ratio`` to one is
   conquered and eliminated, after Cederman's 1997 GeoSim) or by a separate peace at
   ``peace_rate``. The war goes on while both sides have members and ends when one has none
   (won, or settled), the other's members leaving with it. At war each enemy is a certain threat
   (μ at its upper bound in threat, arming and crises), but the war does not move the belief about
   its type: every belligerent spends its ceiling whatever its type, so wartime spending has
   likelihood ratio 1 and the belief waits out the war where it stood (Bayes' rule as in step 3;
   issue #11: the earlier rule, which set the belief itself to 1, is discussed in
   docs/spiral.md, "Time step").

Every mechanism can be switched off alone (``spiral.mechanisms``,
:class:`herz.scenario.SpiralMechanisms`; docs/spiral.md, "Mechanisms and their switches").

The random numbers of run i come only from :func:`herz._random.run_generator` ``(seed, i, key)``,
drawn in fixed blocks of :data:`BLOCK` steps (one call per run per block for the normals, one for
the uniforms: per step N² + 4 normals (N²·K + 4 with K inner steps, ``inner_step``) and
2N + N(N − 1) uniforms: one per dyad for crises
and one for balancing reviews (with inner steps it also times the review within the step);
a run's second and later endogenous crises within one step draw their two normals from the
run's own stream when they happen. So run i is bit-identical whatever the ensemble size, chunk
size or number of steps.
Every parameter comes from the scenario (``spiral:`` block, documented in
:class:`herz.scenario.SpiralParams` and docs/spiral.md); none is hidden here, except
:data:`SPEND_FLOOR`, the small spending floor inside the logarithms, :data:`GROWTH_MEMORY`,
:data:`BLOCK` and the few literals that :mod:`herz.models.spiral.constants` lists.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from herz._random import run_generator
from herz.errors import InputError
from herz.models._frames import from_codes, pop_concat, state_column, tidy_frame
from herz.models.bargaining import attrition_war_cost, shift_threshold

if TYPE_CHECKING:
    import pandas as pd

    from herz.results import Result
    from herz.scenario import Scenario, SpiralMechanisms, SpiralParams

__all__ = [
    "BLOCK",
    "CRISIS_BELLIGERENTS",
    "DOCTRINES",
    "RUN_PARAMETERS",
    "SPEND_FLOOR",
    "arming_target",
    "balancing_ties",
    "belief_llr",
    "contest_success",
    "crisis_cost",
    "crisis_hazard",
    "dyad_key",
    "economy_step",
    "investment",
    "join_probability",
    "lanchester_losses",
    "military_step",
    "offense_multiplier",
    "required_strength",
    "simulate_scenario",
    "strength",
    "war_demand",
]

RUN_PARAMETERS = (
    "crisis_base",
    "crisis_rate",
    "war_cost",
    "base_posture",
    "balance_interval",
    "tolerance",
    "superiority",
    "greedy_effort",
    "prior_greedy",
)
"""Parameters of the ``spiral:`` block that may differ from run to run within one call
(``run_params``): each enters the step as a number per run on the ensemble axis, so an
ensemble that draws them (a forecast from a posterior, a calibration's reference table) is one
vectorized call instead of a Python loop over parameter sets."""

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

#: Steps per block of random numbers. Part of the stream layout: changing it changes the draws.
BLOCK = 16
#: The least spending floor inside the logarithms of perception, as a share of the budget
#: ceiling (ours); the floor is the base posture's upkeep b0 Y when that is larger.
SPEND_FLOOR = 0.01
#: Memory (years) of the smoothed growth rate of strength that the commitment problem projects
#: one year ahead (ours: a year's trend, the horizon of the one-period shift).
GROWTH_MEMORY = 1.0
#: Doctrine codes on the doctrine axis.
DOCTRINES = ("defensive", "offensive", "reassurance")
#: Alliance kinds that are military ties (the others carry no strength and no obligation).
_TIE_KINDS = ("defense", "offense", "entente")
_TINY = 1e-300


# -- mechanisms: small pure functions ---------------------------------------------------------
def offense_multiplier(offense_advantage: float, scale: float) -> float:
    """θ(ω) = θ_max^(2ω − 1): the attacker's force multiplier (**ours**).

    Jervis (1978): with offense advantage (ω → 1) attacking is easier than defending, so an
    attacker's strength counts θ_max times; with defense advantage (ω → 0) 1/θ_max times;
    at ω = 1/2 neither side is favoured (θ = 1).
    """
    return float(scale ** (2.0 * offense_advantage - 1.0))


def contest_success(attacker: ArrayLike, defender: ArrayLike, theta: float, m: float) -> FloatArray:
    """Probability that the attacker wins: (θ a)^m / ((θ a)^m + d^m).

    The ratio form of the contest success function (Tullock 1980; Hirshleifer 1989,
    "Conflict and rent-seeking success functions", Public Choice 63). ``m`` is the
    decisiveness; θ the offense multiplier. Where both are zero the attacker cannot win (0).
    """
    a = np.asarray(attacker, dtype=float)
    d = np.asarray(defender, dtype=float)
    x = (theta * a) ** m
    y = d**m
    return np.asarray(x / np.maximum(x + y, _TINY), dtype=float)


def strength(military: FloatArray, ties: FloatArray) -> FloatArray:
    """S_i = M_i + Σ_k r_ik M_k: own stock plus allies' stocks weighted by reliability.

    Bremer & Mihalka (1977) and Cusack & Stoll (1990) count allies' capabilities toward a
    state's power; weighting them by the tie's reliability is **ours**. State axes come first
    and any trailing axes (the ensemble) broadcast: M (N, ...), ties (N, N, ...) with a zero
    diagonal.
    """
    return np.asarray(military + np.sum(ties * military[None], axis=1), dtype=float)


def required_strength(
    rival_strength: ArrayLike, belief: ArrayLike, tolerance: float, theta: float, m: float
) -> FloatArray:
    """The strength that keeps the threat μ · p(rival beats me) at the tolerance τ.

    Solving μ (θ S_j)^m / ((θ S_j)^m + S_i^m) ≤ τ for S_i gives
    S_i ≥ θ S_j (μ/τ − 1)^{1/m} when μ > τ, and 0 otherwise (**ours**: the defensive realist's
    "enough for security", Glaser 2010, read through the contest success function). Linear in
    S_j, so with frozen beliefs and two states the arming rule is Richardson's (P6).
    """
    mu = np.asarray(belief, dtype=float)
    excess = np.maximum(mu / tolerance - 1.0, 0.0)
    if m != 1.0:
        excess = excess ** (1.0 / m)
    return np.asarray(theta * np.asarray(rival_strength, dtype=float) * excess, dtype=float)


def arming_target(
    doctrine: IntArray,
    defensive: FloatArray,
    base: FloatArray,
    strongest_rival: FloatArray,
    ally_force: FloatArray,
    max_belief: FloatArray,
    superiority: float | FloatArray,
    grit_share: float,
    grit_abandon: float,
) -> FloatArray:
    """Each state's target stock by doctrine (codes in :data:`DOCTRINES`).

    * defensive realist (Waltz 1979; Glaser 2010): the defensive target (``defensive``: the
      base posture b0·Y plus the largest required strength over rivals minus what allies
      contribute, floored at 0);
    * offensive realist (Mearsheimer 2001): also the base plus ``superiority`` × the strongest
      rival's strength minus allies' part, whatever it believes;
    * reassurance, GRIT (Osgood 1962): ``grit_share`` of the defensive target while its highest
      belief about a rival is below ``grit_abandon``; defensive after that (restraint continued
      only while reciprocated).
    """
    offensive = base + np.maximum(superiority * strongest_rival - ally_force, 0.0)
    grit = np.where(max_belief < grit_abandon, grit_share * defensive, defensive)
    return np.asarray(
        np.where(
            doctrine == 1,
            np.maximum(defensive, offensive),
            np.where(doctrine == 2, grit, defensive),
        ),
        dtype=float,
    )


def investment(
    military: FloatArray,
    target: FloatArray,
    ceiling: FloatArray,
    productivity: FloatArray,
    depreciation: float,
    adjustment: float,
    dt: float = 0.0,
    target_growth: FloatArray | float = 0.0,
) -> FloatArray:
    """Spending per year: replace depreciation and close the gap to the target at speed λ.

    The stock is measured in spending units (see :func:`military_step`): keeping M costs M / a
    per year. I = clip((M + k (M* − M)) / a, 0, ceiling), a the military productivity, so
    that unbounded, dM/dt = λ (M* − M) (**ours**; a partial-adjustment rule as in Richardson
    1960 and the arms-race literature). Spending cannot be negative: a state above its target
    disarms only by depreciation. In the continuous limit (``dt = 0``) k = λ/d; over a step of
    ``dt`` years, with the spending held for the step and the stock updated exactly
    (:func:`military_step`), k = (1 − e^{−λ dt}) / (1 − e^{−d dt}) puts the stock at the end
    of the step exactly where the continuous rule would, M* + (M − M*) e^{−λ dt}, whatever dt
    (issue #11: results independent of the time step).

    ``target_growth`` γ (per year) lets the target grow over the step, M*(s) = M* e^{γ s}, as
    it does with the economy it is a share of: the stock then lands where
    dM/dt = λ (M* e^{γ s} − M) puts it, M* λ (e^{γ dt} − e^{−λ dt}) / (λ + γ) + M e^{−λ dt}
    (a target held for a year would lag a growing economy by about γ dt / 2).
    """
    if dt > 0.0:
        decay = -np.expm1(-depreciation * dt)
        if np.all(np.asarray(target_growth) == 0.0):
            gain = float(np.expm1(-adjustment * dt) / np.expm1(-depreciation * dt))
            want = (military + gain * (target - military)) / productivity
        else:
            g = np.asarray(target_growth, dtype=float)
            # λ (e^{γ dt} − e^{−λ dt}) / (λ + γ); where γ ≈ −λ its limit λ dt e^{γ dt} (the
            # quotient is 0/0 at γ = −λ, a growth rate the parameters allow)
            lg = adjustment + g
            near = np.abs(lg * dt) < 1e-8
            with np.errstate(divide="ignore", invalid="ignore"):
                reach = adjustment * (np.exp(g * dt) - np.exp(-adjustment * dt)) / lg
            if np.any(near):
                reach = np.where(
                    near, adjustment * dt * np.exp(-adjustment * dt) * (1.0 + 0.5 * lg * dt), reach
                )
            end = target * reach + military * np.exp(-adjustment * dt)
            want = (end - military * np.exp(-depreciation * dt)) / decay / productivity
    else:
        gain = adjustment / depreciation
        want = (military + gain * (target - military)) / productivity
    return np.asarray(np.clip(want, 0.0, ceiling), dtype=float)


def military_step(
    military: FloatArray,
    spending: FloatArray,
    productivity: FloatArray,
    depreciation: float,
    dt: float,
) -> FloatArray:
    """M' = a I + (M − a I) e^{−d dt}: the stock grows with spending and depreciates (exact).

    The exact solution of dM/dt = d (a I − M) over a step of ``dt`` years with the spending I
    held for the step (issue #11: stocks get exact exponential updates, so results do not
    depend on the time step; the Euler step M + dt d (a I − M) did).

    The stock is measured in *spending units* (**ours**): M is the annual spending that would
    keep it where it is (at productivity a = 1), i.e. d times the depreciated sum of past
    spending. A state that spends I year after year ends with M = a I, and the scenario's
    ``military`` (a spending, e.g. COW NMC ``milex``) is both the first year's spending and the
    steady-state stock it sustains. docs/spiral.md, "Units".
    """
    goal = productivity * spending
    return np.asarray(
        np.maximum(goal + (military - goal) * np.exp(-depreciation * dt), 0.0),
        dtype=float,
    )


def economy_step(
    economy: FloatArray,
    spending: FloatArray,
    growth: float,
    guns_cost: float,
    war_damage: float,
    at_war: BoolArray,
    dt: float,
) -> FloatArray:
    """Y' = Y exp(dt (g − c_g I/Y − w·war)): arms spending costs growth (guns vs butter).

    The exact solution of dY/dt = Y (g − c_g I/Y − w·war) with spending and war held for the
    step (issue #11: exact exponential updates, independent of the time step).

    The growth cost of military burden is **ours** in this form; the trade-off is the classic
    guns-versus-butter of Richardson (1960) and Powell (1993). War destroys ``war_damage`` of the
    economy per year. The economy is kept positive.
    """
    rate = growth - guns_cost * spending / economy - war_damage * at_war
    return np.asarray(np.maximum(economy * np.exp(dt * rate), 1e-9 * economy), dtype=float)


def belief_llr(
    observed: FloatArray,
    seeker_mean: FloatArray,
    separation: FloatArray,
    distinguishability: float,
    variance: FloatArray,
    dt: float = 1.0,
) -> FloatArray:
    """Log-likelihood ratio "greedy vs security seeker" of one step's noisy observation.

    On the log scale the observation is normal with mean m_s under "seeker" and
    m_s + δΔ under "greedy" (Δ = log greedy spending − log seeker spending), variance s²/dt:
    the observation of a step of ``dt`` years is the average rate of a noisy drift over the
    step, whose noise variance per year is s². The ratio is dt δΔ (x − m_s − δΔ/2) / s² and
    the posterior logit is the prior logit plus it (Bayes' rule; Kydd 1997, "Game theory and
    the spiral model", World Politics 49). Its mean and variance are ∝ dt, so the information
    per year does not depend on the step: the discretization (**ours**) of the Wonham (1964)
    filter for a two-state hidden type observed through dX = h(type) dt + s dW (Liptser &
    Shiryaev 2001, *Statistics of Random Processes* I, ch. 9), issue #11. ``distinguishability``
    scales the separation (at 0 the ratio is 0); the kernel passes 1 since issue #11, where δ is
    the readability of postures, not of spending.
    """
    sep = distinguishability * separation
    out = observed - seeker_mean
    out -= 0.5 * sep
    out *= sep
    out *= dt / variance
    return np.asarray(out, dtype=float)


def crisis_hazard(
    threat_ij: FloatArray,
    threat_ji: FloatArray,
    eligible: BoolArray,
    rate: float,
    base: float,
    n: int,
) -> FloatArray:
    """Crisis hazard per dyad per year: (base + rate · (T_ij + T_ji)/2) / (N − 1).

    "Crises ... with a probability rising with mutual threat" (**ours**, after the crisis
    onset rules of Bremer & Mihalka 1977). Dividing by N − 1 makes ``rate`` the number of crises
    a state meets per year at threat 1, whatever the number of states.
    """
    mutual = 0.5 * (threat_ij + threat_ji)
    return np.asarray((base + rate * mutual) * eligible / max(n - 1, 1), dtype=float)


def war_demand(
    p_first: FloatArray,
    p_even: FloatArray,
    fear: FloatArray,
    cost: FloatArray | float,
    value: FloatArray,
) -> FloatArray:
    """The least share of the stakes a side accepts rather than fight: p̂ − c / v.

    Fearon (1995, "Rationalist explanations for war", IO 49): a side prefers war to any deal
    that gives it less than its expected war payoff p − c; war happens only when the two
    demands add up to more than the whole (no bargaining range), through private information
    (each side's own estimate p̂) or a commitment problem. Here p̂ = μ p_first + (1 − μ) p_even:
    a side that believes the other greedy expects to be struck and counts the first-strike
    advantage (pre-emption, Schelling 1960 ch. 9; **ours**). Greedy sides value the stakes
    v = 1 + ``greed_stake``, so costs weigh less for them. The cost c is ``war_cost`` under
    ``cost_model: constant`` and each side's own :func:`crisis_cost` under ``attrition``.
    """
    return np.asarray(fear * p_first + (1.0 - fear) * p_even - cost / value, dtype=float)


#: The belligerents of the war a crisis would start: its two states, each of which makes a
#: separate peace at ``peace_rate`` (step 6), so that the war ends by negotiation at twice it.
CRISIS_BELLIGERENTS = 2


def crisis_cost(
    own_strength: FloatArray,
    enemy_strength: FloatArray,
    own_share: FloatArray,
    productivity: FloatArray,
    economy: FloatArray,
    other_economy: FloatArray,
    extra_spending: FloatArray,
    p: SpiralParams,
) -> FloatArray:
    """A side's cost of war c, in units of the stake, under ``cost_model: attrition`` (ours).

    :func:`herz.models.bargaining.attrition_war_cost` for the war the crisis would start, as the
    side reckons it (issue #11: "the cost of war comes from the model's expected attrition, not
    a free constant"): Lanchester's (1916) square law between ``own_strength`` and
    ``enemy_strength`` at ``attrition`` α, until a side falls to ``exhaustion`` of its force or
    one of the two belligerents makes a separate peace (rate 2 × ``peace_rate``,
    :data:`CRISIS_BELLIGERENTS`). The side bears ``own_share`` (its stock over its strength) of
    its side's losses, as in :func:`lanchester_losses`. In the model's money (the unit of
    spending and of the economy):

    * a unit of stock lost is worth its replacement cost 1/(a·d): a unit of money spent adds
      a·d to the stock (:func:`military_step`), a the productivity, d ``depreciation``;
    * belligerents spend their ceiling: ``extra_spending`` = ceiling − current spending, per
      year of the expected duration;
    * ``war_damage`` × economy per year of it;
    * the stake v = ``defeat_cost`` × (economy + other_economy): the war's transfer. Winning
      takes ``defeat_cost`` of the enemy's economy and losing gives up as much of one's own
      (``_settle``), so the swing between the two outcomes, the value of the whole stake
      in Fearon's (1995) lottery p·1 + (1 − p)·0, is their sum. The lottery p̂ of
      :func:`war_demand` prices it; the defeat is therefore not counted again in c.

    Every argument is an array over the crisis's runs; economies, stocks, alliances and
    spending are public, strengths are the side's own estimates (``resolve``).
    """
    return attrition_war_cost(
        own_strength,
        enemy_strength,
        p.attrition,
        p.exhaustion,
        CRISIS_BELLIGERENTS * p.peace_rate,
        stake=p.defeat_cost * (economy + other_economy),
        own_share=np.clip(own_share, 0.0, 1.0),
        unit_value=1.0 / (productivity * p.depreciation),
        economy=economy,
        extra_spending=np.maximum(extra_spending, 0.0),
        war_damage=p.war_damage,
    ).share


def join_probability(
    reliability: ArrayLike,
    offense_advantage: ArrayLike,
    defense_level: float,
    offense_level: float,
) -> FloatArray:
    """An ally's chance to join a war, for one call (one entry into it): reliability · f(ω).

    f is linear in ω. Every entry into a war calls in the entrant's allies and the allies of
    the members it is a new enemy of (issue #11, the casus foederis: an attack on an ally
    triggers the obligation, Leeds 2003, "Do alliances deter aggression?", AJPS 47; alliances
    as the channel by which wars spread, Siverson & King 1979, "Alliances and the expansion of
    war", and 1980, AJPS 24); a state's chances in a step are independent (**ours**), so it
    joins with 1 − Π(1 − p_i) (:func:`_run_chunk`, step 6).

    Christensen & Snyder (1990, "Chain gangs and passed bucks", IO 44): when the offense is
    believed dominant allies join at once (chain-ganging); when the defense is, they hold back
    and pass the buck. f(0) = ``chaingang_defense``, f(1) = ``chaingang_offense`` (**ours**).
    """
    f = defense_level + (offense_level - defense_level) * np.asarray(offense_advantage, float)
    return np.asarray(np.asarray(reliability, dtype=float) * f, dtype=float)


def lanchester_losses(
    military: FloatArray,
    enemy_force: FloatArray,
    own_force: FloatArray,
    attrition: float,
    dt: float,
) -> FloatArray:
    """Losses in one step: M (1 − exp(−dt · α · (enemy force) / (own side's force))).

    Lanchester's (1916) square law: a side loses α × the other side's strength per year;
    each belligerent bears the part of its side's losses that matches its share of the side's
    forces (**ours**), dM_i/dt = −α E M_i / F. Over a step with the forces E and F held, the
    exact solution loses the share 1 − exp(−α E dt / F) of the stock (issue #11: exact
    exponential updates; to first order in dt this is dt · α · E · M_i / F). ``enemy_force`` is
    the other side's and ``own_force`` its own side's (the belligerent included), both of the
    same war. Never more than the stock.
    """
    rate = attrition * enemy_force / np.maximum(own_force, _TINY)
    return np.asarray(-military * np.expm1(-dt * rate), dtype=float)


def balancing_ties(threat: FloatArray, threshold: float, at_war: BoolArray) -> BoolArray:
    """Balancing ties: i and k ally when both fear the same state most (Walt 1987).

    Each state's enemy is the state it finds most threatening, if that threat exceeds
    ``threshold``. Two states with the same enemy (neither of them being it, and not at war
    with each other) tie (**ours**: Walt's balance of threat as a rule). State axes first:
    threat and at_war (N, N, ...).
    """
    n = threat.shape[0]
    worst = np.argmax(threat, axis=1)
    valid = np.max(threat, axis=1) > threshold
    idx = np.arange(n).reshape((n,) + (1,) * (threat.ndim - 2))
    same = (worst[:, None] == worst[None, :]) & valid[:, None] & valid[None, :]
    not_enemy = (worst[:, None] != idx[None, :]) & (worst[None, :] != idx[:, None])
    eye = np.eye(n, dtype=bool).reshape((n, n) + (1,) * (threat.ndim - 2))
    return np.asarray(same & not_enemy & ~eye & ~at_war, dtype=bool)


# -- the scenario, turned into arrays once ------------------------------------------------------
_EVENT_KINDS = (
    "crisis",
    "war_start",
    "join",
    "exit",
    "war_end",
    "alliance_formed",
    "alliance_dissolved",
    "eliminated",
)
_DETAILS = (
    "",
    "scheduled, war",
    "scheduled, settled",
    "endogenous, war",
    "endogenous, settled",
    "pre-emptive",
    "deliberate",
    "preventive",
    "exhausted",
    "negotiated",
    "balancing",
    "ally",
    "crisis",
    "victory",
    "settled",
    "won by side 0",
    "won by side 1",
    "both sides out",
    "conquered",
)
_D = {name: k for k, name in enumerate(_DETAILS)}
_K = {name: k for k, name in enumerate(_EVENT_KINDS)}


@dataclass
class _Setup:
    """Everything the kernel needs, as arrays (built once from the scenario)."""

    ids: list[str]
    n: int
    dt: float
    start: float
    steps: int
    p: SpiralParams
    omega: float
    delta: float
    theta: float
    mech: SpiralMechanisms
    omega_obs: FloatArray  # (N,): the offense advantage each state believes in
    theta_obs: FloatArray  # (N,): its offense multiplier θ_i
    reach: FloatArray  # (N, N): [i, j] the share of j's strength that reaches i's capital
    m0: FloatArray
    y0: FloatArray
    budget: FloatArray
    base: FloatArray  # base posture as a share of the economy, per state
    greedy: BoolArray
    sigma: FloatArray
    own_weight: FloatArray
    doctrine: NDArray[np.int8]  # (steps + 1, N)
    tie_index: IntArray  # (steps + 1,) into ties
    ties: list[FloatArray]
    tech: dict[int, FloatArray] = field(default_factory=dict)
    forced: dict[int, list[tuple[int, int]]] = field(default_factory=dict)


def _reach(scenario: Scenario, p: SpiralParams) -> FloatArray:
    """G[i, j] = exp(−d_ij / L): the share of j's strength that reaches i's capital.

    Boulding's (1962, ch. 12) loss-of-strength gradient in the exponential form of
    :class:`herz.models.geography.ExponentialGradient` (form **ours**), d_ij the great-circle
    distance between the capitals and L = ``reach_days`` × the speed of military transport in
    the scenario's first year (:func:`herz.models.geography.war_trap_miles_per_day`: 250, 375
    or 500 miles a day; Bueno de Mesquita 1981 as EUGene codes it). Pairs where a state has no
    capital keep 1.
    """
    from herz.models.geography import (
        KM_PER_MILE,
        ExponentialGradient,
        haversine_km,
        war_trap_miles_per_day,
    )

    n = len(scenario.states)
    caps = [s.capital for s in scenario.states]
    lat = np.array([c.lat if c is not None else 0.0 for c in caps], dtype=float)
    lon = np.array([c.lon if c is not None else 0.0 for c in caps], dtype=float)
    known = np.array([c is not None for c in caps], dtype=bool)
    d = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    scale = p.reach_days * war_trap_miles_per_day(scenario.time.start) * KM_PER_MILE
    g = ExponentialGradient(scale).factor(np.asarray(d, dtype=float))
    out = np.where(known[:, None] & known[None, :], g, 1.0)
    np.fill_diagonal(out, 1.0)
    return np.asarray(out, dtype=float).reshape(n, n)


def _event_step(year: float, start: float, dt: float) -> int:
    return round((year - start) / dt)


def _setup(scenario: Scenario, steps: int) -> _Setup:
    from herz.scenario import (
        AllianceChangeEvent,
        CrisisEvent,
        DoctrineChangeEvent,
        SpiralParams,
        TechnologyShockEvent,
    )

    p = scenario.spiral if scenario.spiral is not None else SpiralParams()
    mech = p.mechanisms
    ids = scenario.ids
    n = len(ids)
    dt = scenario.time.step
    start = scenario.time.start
    states = scenario.states
    omega_obs = np.array(
        [
            scenario.world.offense_advantage
            if s.perceived_offense_advantage is None
            else s.perceived_offense_advantage
            for s in states
        ],
        dtype=float,
    )

    def code_of(doctrine_name: str) -> int:
        # without the reassurance mechanism a GRIT state acts as a defensive realist
        k = DOCTRINES.index(doctrine_name)
        return 0 if (k == 2 and not mech.reassurance) else k

    doctrine = np.empty((steps + 1, n), dtype=np.int8)
    current = np.array([code_of(s.doctrine) for s in states], dtype=np.int8)
    by_step: dict[int, list[Any]] = {}
    # An event of year Y (at grid index k = (Y − start)/dt) changes the regime from Y on: the
    # doctrine, technology and alliances of the steps that begin at Y or later (index k + 1), so
    # that its date does not move with dt; a scheduled crisis happens at Y, in the step that
    # ends there (index k). Alliances with from/until years are in force in a step whose middle
    # falls inside [from, until]: exact for dates on the grid at any dt (issue #11: both used to
    # take effect in the step that ends at their date, a step early)
    for ev in scenario.events:
        shift = 0 if isinstance(ev, CrisisEvent) else 1
        by_step.setdefault(_event_step(ev.year, start, dt) + shift, []).append(ev)
    tech: dict[int, FloatArray] = {}
    forced: dict[int, list[tuple[int, int]]] = {}
    # Alliance timeline: name -> [members, kind, reliability, from, until].
    book: dict[str, list[Any]] = {
        a.name: [set(a.members), a.kind, a.reliability, a.from_year, a.until]
        for a in scenario.alliances
    }
    cache: dict[tuple[Any, ...], int] = {}
    ties: list[FloatArray] = []
    tie_index = np.empty(steps + 1, dtype=np.int64)
    for t in range(steps + 1):
        for ev in by_step.get(t, []):
            if isinstance(ev, DoctrineChangeEvent):
                current = current.copy()
                current[ids.index(ev.state)] = code_of(ev.doctrine)
            elif isinstance(ev, TechnologyShockEvent):
                f = tech.setdefault(t, np.ones(n))
                f[ids.index(ev.state)] *= ev.factor
            elif isinstance(ev, CrisisEvent):
                forced.setdefault(max(t, 1), []).append(
                    (ids.index(ev.states[0]), ids.index(ev.states[1]))
                )
            elif isinstance(ev, AllianceChangeEvent):
                if ev.action == "form":
                    book[ev.alliance] = [
                        set(ev.members or []),
                        ev.alliance_kind,
                        ev.reliability,
                        None,
                        None,
                    ]
                elif ev.action == "dissolve":
                    book.pop(ev.alliance, None)
                elif ev.alliance in book and ev.state is not None:
                    if ev.action == "join":
                        book[ev.alliance][0].add(ev.state)
                    else:
                        book[ev.alliance][0].discard(ev.state)
        doctrine[t] = current
        year = start if t == 0 else start + dt * (t - 0.5)
        active = tuple(
            sorted(
                (name, tuple(sorted(v[0])), v[1], v[2])
                for name, v in book.items()
                if (v[3] is None or year >= v[3]) and (v[4] is None or year <= v[4])
            )
        )
        if active not in cache:
            mat = np.zeros((n, n))
            for _, members, kind, rel in active:
                if kind not in _TIE_KINDS:
                    continue
                idx = [ids.index(s) for s in members]
                block = mat[np.ix_(idx, idx)]
                mat[np.ix_(idx, idx)] = np.maximum(block, rel)
            np.fill_diagonal(mat, 0.0)
            cache[active] = len(ties)
            ties.append(mat)
        tie_index[t] = cache[active]
    return _Setup(
        ids=ids,
        n=n,
        dt=dt,
        start=start,
        steps=steps,
        p=p,
        omega=scenario.world.offense_advantage,
        delta=scenario.world.distinguishability,
        theta=offense_multiplier(scenario.world.offense_advantage, p.offense_scale),
        mech=mech,
        omega_obs=omega_obs,
        theta_obs=np.asarray(p.offense_scale ** (2.0 * omega_obs - 1.0), dtype=float),
        reach=_reach(scenario, p) if mech.geography else np.ones((n, n)),
        m0=np.array([s.military for s in states], dtype=float),
        y0=np.array([s.economy for s in states], dtype=float),
        budget=np.array([s.max_budget_share for s in states], dtype=float),
        base=(
            np.array([s.military / s.economy for s in states], dtype=float)
            if p.base_from_start
            else np.full(n, p.base_posture)
        ),
        greedy=np.array([s.type == "greedy" for s in states], dtype=bool),
        sigma=p.noise_scale * (1.0 - np.array([s.intelligence for s in states], dtype=float)),
        own_weight=(
            np.clip(1.0 - np.array([s.bias for s in states], dtype=float), 0.0, 1.0)
            if mech.bias
            else np.ones(n)
        ),
        doctrine=doctrine,
        tie_index=tie_index,
        ties=ties,
        tech=tech,
        forced=forced,
    )


# -- the kernel ---------------------------------------------------------------------------------
@dataclass
class _ChunkOut:
    outcomes: dict[str, NDArray[Any]]
    events: list[NDArray[np.int64]]  # rows of (run, t, kind, a, b, detail, war, side, steps)
    fought: FloatArray  # (N, N): runs in which i and j fought each other (i < j), this chunk
    series: dict[str, NDArray[Any]] | None


def _new_sums(n: int, steps: int) -> dict[str, FloatArray]:
    """Running totals over runs, per step (and state), of what the ensemble means show."""
    return {
        "military": np.zeros((steps + 1, n)),
        "spending": np.zeros((steps + 1, n)),
        "belief": np.zeros((steps + 1, n)),
        "at_war": np.zeros((steps + 1, n)),
        "tension": np.zeros(steps + 1),
    }


class _Events:
    def __init__(self, active: bool) -> None:
        self.active = active
        self.parts: list[NDArray[np.int64]] = []

    def add(
        self,
        runs: NDArray[Any],
        t: int,
        kind: str,
        a: ArrayLike,
        b: ArrayLike,
        detail: ArrayLike,
        war: ArrayLike = -1,
        side: ArrayLike = -1,
        steps: ArrayLike = -1,
    ) -> None:
        """Rows (run, t, kind, a, b, detail, war, side, steps); −1 where a field does not apply
        (``war``: the war's number within its run, from 0; ``side``: 0 or 1; ``steps``: a war's
        duration)."""
        if not self.active or len(runs) == 0:
            return
        k = len(runs)
        rows = np.empty((k, 9), dtype=np.int64)
        rows[:, 0] = runs
        rows[:, 1] = t
        rows[:, 2] = _K[kind]
        for col, value in enumerate((a, b, detail, war, side, steps), start=3):
            rows[:, col] = np.broadcast_to(np.asarray(value), (k,))
        self.parts.append(rows)


def _sum_states(x: NDArray[Any], axis: int | tuple[int, ...]) -> FloatArray:
    """Sum over state axes (the ensemble axis last), states added in order, for any ensemble size.

    With two runs or more NumPy adds the states one after the other, elementwise across runs:
    pairwise summation is only used along the fastest axis in memory, here the runs. With one
    run the ensemble axis drops out of NumPy's loop, a state axis becomes the fastest, and
    NumPy would sum it pairwise (in blocks of eight): a run alone in its chunk would differ in
    the last bits from the same run among others (issue #14). So a lone run is padded to two.
    """
    if x.shape[-1] == 1:
        wide = np.zeros((*x.shape[:-1], 2), dtype=x.dtype)
        wide[..., :1] = x
        out: FloatArray = np.add.reduce(wide, axis=axis)[..., :1]
        return out
    if x.strides[-1] != x.itemsize:  # the runs must be the fastest axis
        x = np.ascontiguousarray(x)
    total: FloatArray = np.add.reduce(x, axis=axis)
    return total


def _add_runs(total: FloatArray, x: NDArray[Any]) -> None:
    """``total += x[..., 0]``, then ``x[..., 1]``, ...: each run added in turn, in run order.

    A running total over runs that does not depend on how runs are cut into chunks (summing a
    chunk first and adding that to the total would round differently for other chunk sizes).
    """
    if x.shape[-1] == 1:
        total += x[..., 0]
        return
    buf = np.concatenate([total[..., None], x], axis=-1, dtype=float)
    np.add.accumulate(buf, axis=-1, out=buf)
    total[...] = buf[..., -1]


def _draw_block(
    gens: list[np.random.Generator],
    n: int,
    buffers: tuple[NDArray[np.float32], FloatArray, FloatArray] | None = None,
) -> tuple[NDArray[np.float32], FloatArray]:
    """Each run's normals and uniforms for :data:`BLOCK` steps, from its own stream.

    One call per run for the normals (float32) and one for the uniforms (float64). The normals
    are returned run-first, as drawn: (E, BLOCK, N·N + 4) (the kernel reads a step's slice
    transposed, which costs less than transposing the whole block); the uniforms
    ensemble-last: (BLOCK, 2N + N(N − 1), E). ``buffers`` (the normals, the uniforms as drawn
    and the ensemble-last uniforms) are filled in place when given, so that a chunk allocates
    them once.
    """
    e = len(gens)
    if buffers is None:
        buffers = (
            np.empty((e, BLOCK, n * n + 4), dtype=np.float32),
            np.empty((e, BLOCK, _n_uniforms(n))),
            np.empty((BLOCK, _n_uniforms(n), e)),
        )
    z, u_run, u = buffers
    for k, g in enumerate(gens):
        g.standard_normal(out=z[k], dtype=np.float32)
        g.random(out=u_run[k])
    np.copyto(u, u_run.transpose(1, 2, 0))
    return z, u


def _n_uniforms(n: int) -> int:
    """Uniforms per run per step: n for joining, n for separate peace, one per dyad for crises
    and one per dyad for balancing reviews."""
    return 2 * n + n * (n - 1)


def dyad_key(a: str, b: str) -> str:
    """A pair of states as a key: the two ids sorted and joined by "-" ("FRN-GMY")."""
    return "-".join(sorted((a, b)))


def _war_strings(
    ids: Sequence[str], first_side: BoolArray, fought: BoolArray
) -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """Per run: the first war's sides ("AUH,GMY|FRN,RUS,UKG": side 0, the initiator's, then
    side 1; ids sorted), their sizes ("2|3") and the dyads that fought ("AUH-FRN,..."), "" for
    runs without a war."""
    n, e = first_side.shape[1], first_side.shape[2]
    sides = np.full(e, "", dtype=object)
    sizes = np.full(e, "", dtype=object)
    dyads = np.full(e, "", dtype=object)
    i0, i1 = (x.tolist() for x in np.triu_indices(n, 1))
    keys: NDArray[Any] = np.array(
        [dyad_key(ids[a], ids[b]) for a, b in zip(i0, i1, strict=True)], dtype=object
    )
    pair = fought[i0, i1]  # (pairs, E)
    for r in np.nonzero(first_side.any((0, 1)))[0]:
        a = sorted(ids[k] for k in np.nonzero(first_side[0, :, r])[0].tolist())
        b = sorted(ids[k] for k in np.nonzero(first_side[1, :, r])[0].tolist())
        sides[r] = ",".join(a) + "|" + ",".join(b)
        sizes[r] = f"{len(a)}|{len(b)}"
        dyads[r] = ",".join(sorted(keys[pair[:, r]]))
    return sides, sizes, dyads


def _war_exits(
    events: _Events,
    runs: IntArray,
    t: int,
    code: IntArray,
    t0: IntArray,
    W: BoolArray,
    exhausted: BoolArray,
    negotiated: BoolArray,
) -> BoolArray:
    """Members' exits and the ends of wars, per war and side (state axes first, runs last).

    ``code`` (N, E): 2·war + side of each belligerent, −1 at peace; ``W`` (N, N, E): at war
    with each other; ``exhausted`` and ``negotiated``: the members that quit this step
    (defeated, or a separate peace). A war goes on while both sides have members; it ends
    when one side has none left: "won by side s" when the loser's last members include an
    exhausted one, "settled" when they all made peace, "both sides out" when both sides empty
    at once. The other side's remaining members then leave too ("victory" or "settled").
    Records the exit and war_end events; returns the members that leave (N, E).
    """
    n = code.shape[0]
    at = code >= 0
    quit_ = exhausted | negotiated
    left = at & ~quit_
    enemy_left = np.asarray((W & left[None]).any(1), dtype=bool)
    same_side = (code[:, None] == code[None]) & at[:, None]
    own_left = np.asarray((same_side & left[None]).any(1), dtype=bool)
    over = left & ~enemy_left  # its war is over: no enemy is left
    leave = np.asarray(quit_ | over, dtype=bool)
    if not events.active:
        return leave
    foe_exhausted = np.asarray((W & exhausted[None]).any(1), dtype=bool)
    own_exhausted = np.asarray((same_side & exhausted[None]).any(1), dtype=bool)
    k, r = np.nonzero(leave)
    if k.size:
        c = code[k, r]
        detail = np.where(
            exhausted[k, r],
            _D["exhausted"],
            np.where(
                negotiated[k, r],
                _D["negotiated"],
                np.where(foe_exhausted[k, r], _D["victory"], _D["settled"]),
            ),
        )
        events.add(runs[r], t, "exit", k, -1, detail, c >> 1, c & 1)
    # one war_end row per ended war, written by its lowest-numbered member
    ended = at & ~(own_left & enemy_left)
    war = code >> 1
    same_war = (war[:, None] == war[None]) & at[:, None] & at[None]
    earlier = np.triu(np.ones((n, n), dtype=bool), 1)[:, :, None]  # [k, i]: k < i
    first = ended & ~(same_war & earlier).any(0)
    k, r = np.nonzero(first)
    if k.size:
        side = code[k, r] & 1
        ol, el = own_left[k, r], enemy_left[k, r]
        winner = np.where(ol & ~el, side, np.where(el & ~ol, 1 - side, -1))
        loser_exhausted = np.where(winner == side, foe_exhausted[k, r], own_exhausted[k, r])
        detail = np.where(
            winner < 0,
            _D["both sides out"],
            np.where(
                loser_exhausted,
                np.where(winner == 0, _D["won by side 0"], _D["won by side 1"]),
                _D["settled"],
            ),
        )
        won = np.where(winner >= 0, loser_exhausted, False)
        events.add(
            runs[r],
            t,
            "war_end",
            -1,
            -1,
            detail,
            war[k, r],
            np.where(won, winner, -1),
            t - t0[k, r],
        )
    return leave


def _settle(
    lost: FloatArray,
    economy: FloatArray,
    military: FloatArray,
    enemies: BoolArray,
    exhausted: BoolArray,
    conquest_ratio: float,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """War outcomes (issue #11, item 3): what the defeated lose passes to the victors.

    State axes first, runs last: ``lost`` (N, E) the economy each defeated state loses,
    ``enemies`` (N, N, E) who fought whom before this step's exits. A defeated state whose
    enemies' force is at least ``conquest_ratio`` times its own is conquered (after Cederman's
    1997 GeoSim, where conquered states disappear): it loses its whole economy and is
    eliminated. What the defeated lose is shared among their enemies still standing in
    proportion to their military stocks (**ours**: the spoils follow the forces that won
    them); with none standing it is destroyed. Returns (lost, gained, eliminated).
    """
    enemy_force = _sum_states(enemies * military[None], 1)
    dead = exhausted & (enemy_force > 0.0) & (enemy_force >= conquest_ratio * military)
    lost = np.where(dead, economy, lost)
    standing = military * ~exhausted
    denom = _sum_states(enemies * standing[None], 1)
    per_unit = np.where(denom > 0.0, lost / np.maximum(denom, _TINY), 0.0)
    gain = standing * _sum_states(enemies * per_unit[None], 1)
    return np.asarray(lost, dtype=float), np.asarray(gain, dtype=float), np.asarray(dead)


def _run_chunk(
    s: _Setup,
    run_ids: IntArray,
    seed: int,
    stream_key: Sequence[int],
    keep_series: bool,
    tick: Callable[[], None] | None,
    sums: dict[str, FloatArray],
    run_params: Mapping[str, FloatArray] | None = None,
    keep_events: bool | None = None,
) -> _ChunkOut:
    """Advance one chunk of runs through all steps (``keep_events``: collect the events; by
    default with the series).

    ``run_params`` (names from :data:`RUN_PARAMETERS`, one value per run of the chunk) replace
    the block's scalar values; each is an (E,) array that broadcasts over the last axis.

    Internally the ensemble axis is the *last* one, (N, E) and (N, N, E): every reduction over
    states is then a vectorized operation across runs (about 7× faster than reducing a short
    contiguous state axis on this code's target machines). Results are per run and do not
    depend on E: sums over states go through :func:`_sum_states`, which adds the states in
    order for any E. ``sums`` are running totals over runs (:func:`_add_runs`), shared by the
    chunks of one call so that the ensemble means do not depend on the chunk size either.
    """
    p = s.p
    mech = s.mech
    n, dt, steps, E = s.n, s.dt, s.steps, len(run_ids)
    rp = dict(run_params or {})
    m = p.decisiveness
    tau: FloatArray | float = rp.get("tolerance", p.tolerance)
    war_cost: FloatArray | float = rp.get("war_cost", p.war_cost)
    crisis_base: FloatArray | float = rp.get("crisis_base", p.crisis_base)
    base_posture: FloatArray | float = rp.get("base_posture", p.base_posture)
    crisis_rate: FloatArray | float = rp.get("crisis_rate", p.crisis_rate)
    superiority: FloatArray | float = rp.get("superiority", p.superiority)
    greedy_effort: FloatArray | float = rp.get("greedy_effort", p.greedy_effort)
    theta_i = s.theta_obs  # each state's own θ: the offense advantage its leaders believe in
    theta3 = theta_i[:, None, None]
    reach3 = s.reach[:, :, None]
    # x[i, j] = (θ_i G_ij S_j)^m: j's strength as i sees it attacking i (i's θ, j's reach)
    xfac3 = ((theta_i[:, None] * s.reach) ** m)[:, :, None]
    eye3 = np.eye(n, dtype=bool)[:, :, None]
    bound = float(np.log((1.0 - p.belief_bound) / p.belief_bound))
    # Observation noise per step σ/√dt on a per-year rate, and the ratio's scale dt / s²
    # (belief_llr with dt: information per year independent of the step, issue #11)
    sigma_obs = s.sigma if mech.perception_noise else np.zeros(n)
    sigma_crisis = s.sigma if mech.private_information else np.zeros(n)
    dt_var3 = dt / (sigma_obs**2 + p.model_noise**2)[:, None, None]
    sig3 = (sigma_obs / np.sqrt(dt))[:, None, None]
    # inner steps of the arming-perception loop (``inner_step``; one: the plain step)
    n_in = 1 if p.inner_step is None else max(int(np.ceil(dt / p.inner_step - 1e-9)), 1)
    h_in = dt / n_in if n_in > 1 else dt
    dt_var3_in = dt_var3 / n_in if n_in > 1 else dt_var3
    # an inner step observes the spending rate over its own h_in years: noise σ/√h_in, each
    # inner step with normals of its own (independent increments of the observation noise)
    sig3_in = (sigma_obs / np.sqrt(h_in))[:, None, None] if n_in > 1 else sig3
    # δ is the readability of postures (posture), not of spending: arming is always seen
    update_beliefs = mech.belief_update and mech.type_uncertainty
    # The public benchmark: a security seeker certain about its enemies at war needs
    # θ G S (1/τ − 1)^(1/m) against each
    excess1: FloatArray | float = (
        max(1.0 / tau - 1.0, 0.0) ** (1.0 / m)
        if isinstance(tau, float)
        else np.maximum(1.0 / tau - 1.0, 0.0) ** (1.0 / m)
    )
    join_factor = (
        join_probability(1.0, s.omega_obs, p.chaingang_defense, p.chaingang_offense)
        if mech.chain_ganging
        else np.zeros(n)
    )
    disc = float(np.exp(-p.discount))  # δ per year of the commitment problem
    attrition_costs = p.cost_model == "attrition"  # crisis costs from the war (crisis_cost)
    p_exit = 1.0 - np.exp(-p.peace_rate * dt)
    val = np.asarray(1.0 + p.greed_stake * s.greedy, dtype=float)
    greedy = s.greedy[:, None]
    budget = s.budget[:, None]
    base_share = (
        np.repeat(np.asarray(base_posture, dtype=float)[None, :], n, axis=0)
        if "base_posture" in rp and not p.base_from_start
        else s.base[:, None]
    )
    iu0, iu1 = np.triu_indices(n, 1)
    up = np.triu(np.ones((n, n), dtype=bool), 1)[:, :, None]
    if "balance_interval" in rp:  # per run: every value > 0 (checked by the caller)
        balancing = mech.balancing
        p_review: FloatArray | float = -np.expm1(-dt / rp["balance_interval"])
        bal_interval: FloatArray | float = np.asarray(rp["balance_interval"], dtype=float)
    else:
        balancing = p.balance_interval > 0 and mech.balancing
        p_review = float(-np.expm1(-dt / p.balance_interval)) if balancing else 0.0
        bal_interval = p.balance_interval
    npairs = n * (n - 1) // 2
    events = _Events(keep_series if keep_events is None else keep_events)
    pairs = max(n * (n - 1), 1)

    gens = [run_generator(seed, int(r), stream_key) for r in run_ids]
    prod = np.ones(n)
    M = np.repeat(s.m0[:, None], E, axis=1)
    Y = np.repeat(s.y0[:, None], E, axis=1)
    if mech.type_uncertainty:
        if "prior_greedy" in rp:
            pg = rp["prior_greedy"]
            logit = np.repeat(np.repeat(np.log(pg / (1.0 - pg))[None, None, :], n, 0), n, 1)
        else:
            logit = np.full((n, n, E), float(np.log(p.prior_greedy / (1.0 - p.prior_greedy))))
    else:  # types are common knowledge: every belief is the truth (within the bounds)
        logit = np.repeat(np.where(s.greedy, bound, -bound)[None, :, None], n, 0)
        logit = np.repeat(logit, E, 2).astype(float)
    # ρ_k: k's reputation, the belief in its greed that the public record supports
    rep_logit = np.ascontiguousarray(logit[0]).copy()
    dt_pub = dt / max(p.model_noise**2, 1e-12)
    dt_pub_in = dt_pub / n_in if n_in > 1 else dt_pub
    alive = np.ones((n, E), dtype=bool)
    any_dead = False
    grow = np.zeros((n, E))  # smoothed growth rate of each state's strength, per year
    grow_keep = float(np.exp(-dt / GROWTH_MEMORY))
    B = np.zeros((n, n, E), dtype=bool)
    # Wars between sides: code[i] = 2·w + s when i fights on side s of its run's war w (wars
    # numbered from 0 in each run), −1 at peace; a state is in one war at a time. W[i, j]:
    # i and j are on opposite sides of the same war (derived from code by sync_war).
    code = np.full((n, E), -1, dtype=np.int64)
    war_t0 = np.zeros((n, E), dtype=np.int64)  # the step at which i's war began
    # The order in which the states that entered a war this step entered it (the number of
    # the crisis that brought them in; read only where ``started``): chain-ganging gives a
    # member's allies a chance for each state that enters the other side after it (step 6)
    seq = np.zeros((n, E), dtype=np.int64)
    W = np.zeros((n, n, E), dtype=bool)
    fought = np.zeros((n, n, E), dtype=bool)
    entry = np.zeros((n, E))

    first_war = np.full(E, -1, dtype=np.int64)
    first_side = np.zeros((2, n, E), dtype=bool)  # ever on side 0 / side 1 of the first war
    ever = np.zeros((n, E), dtype=bool)
    max_at_war = np.zeros(E, dtype=np.int64)
    n_crises = np.zeros(E, dtype=np.int64)
    n_wars = np.zeros(E, dtype=np.int64)
    n_pre = np.zeros(E, dtype=np.int64)
    n_prev = np.zeros(E, dtype=np.int64)
    n_dead = np.zeros(E, dtype=np.int64)
    transferred = np.zeros(E)
    n_ally = np.zeros(E, dtype=np.int64)
    mil_loss = np.zeros(E)
    econ_loss = np.zeros(E)
    tension_sum = np.zeros(E)
    tension_in_sum = np.zeros(E)  # with inner steps: each step's mean tension over its inner steps

    ser: dict[str, NDArray[Any]] | None = None
    if keep_series:
        ser = {
            "military": np.empty((E, steps + 1, n)),
            "spending": np.empty((E, steps + 1, n)),
            "economy": np.empty((E, steps + 1, n)),
            "belief": np.empty((E, steps + 1, n)),
            "threat": np.empty((E, steps + 1, n)),
            "at_war": np.zeros((E, steps + 1, n), dtype=bool),
            "allies": np.zeros((E, steps + 1, n), dtype=np.int16),
            "tension": np.empty((E, steps + 1)),
        }
    # Scratch and state arrays (N, N, E), allocated once per chunk and overwritten in place
    # (``out=``): the same operations on the same operands as fresh temporaries, so the same bits.
    nne = (n, n, E)
    mu = np.empty(nne)
    mu_r = np.empty(nne)
    pub = np.empty(nne)
    T = np.empty(nne)
    mu32 = np.empty(nne, dtype=np.float32)
    # the upper bound of beliefs, as the float32 logistic gives it (the belief of logit = bound)
    mu_war = float(np.reciprocal(np.float32(1.0) + np.exp(np.negative(np.float32(bound)))))
    # The beliefs about types as power() last computed them, before an enemy's threat was made
    # certain (the outputs report beliefs about types, not that certainty); allocated at the
    # first war, and None while the last power() saw no war (then mu itself is the belief)
    mu_type: list[FloatArray | None] = [None, None]
    req = np.empty(nne)
    att = np.broadcast_to(theta3, nne).copy()  # A_ij, j's attack multiplier as i reads it
    # Herz's asymmetry in reading postures: i takes a share β_i of what looks defensive in
    # j's forces for offensive (β_i = 1 − own_weight_i; none with the bias switch off)
    read_bias = 1.0 - s.own_weight
    biased_reading = bool(np.any(read_bias > 0.0))
    # ... on the ambiguous part of the reading only, (1 − δ): a perfectly readable posture
    # leaves no room for bias (Jervis 1976, ch. 4: expectations shape ambiguous evidence)
    beta_amb3 = read_bias[:, None, None] * (1.0 - s.delta)
    # the public reading of postures (no bias), for the public benchmark of step 3
    att_pub = np.broadcast_to(theta3, nne).copy() if biased_reading else att
    phi = np.ones((n, E))  # each state's offensive share of its forces
    inv_theta_max = 1.0 / p.offense_scale
    greedy_not = ~s.greedy[:, None]
    seek_now = (s.doctrine[0].astype(np.int64)[:, None] != 1) & greedy_not
    proj = np.empty(nne)
    ms = np.empty(nne)
    sep = np.empty(nne)
    obs = np.empty(nne)
    scratch = np.empty(nne)
    top_jk = np.empty(nne, dtype=bool)
    top_gt = np.empty(nne, dtype=bool)
    top_f = np.empty(nne)
    not_top = np.empty(nne)
    flat_up = iu0 * n + iu1  # the dyads (i < j) and their mirror, on the flattened state axes
    flat_lo = iu1 * n + iu0
    h = np.empty((len(iu0), E))
    h_lo = np.empty((len(iu0), E))
    eligible = np.empty((len(iu0), E), dtype=bool)
    blocks = (
        # with inner steps, each inner step after the first reads N² normals of its own, drawn
        # after the step's four crisis normals (one inner step: the layout is unchanged)
        np.empty((E, BLOCK, n * n * n_in + 4), dtype=np.float32),
        np.empty((E, BLOCK, _n_uniforms(n))),
        np.empty((BLOCK, _n_uniforms(n), E)),
    )

    # The budget (``budget_period`` P years; Wildavsky 1964, Ostrom 1978): spending and posture
    # are decided as each budget period begins (at the start of the (inner) step that first
    # reaches it, counted from the scenario's start) and held until the next; P = 0 decides at
    # every (inner) step. P = dt = 1 is the yearly step as it always was, bit for bit.
    bud_p = float(p.budget_period)

    def decision_at(t: int, k: int) -> bool:
        """Whether spending and posture are decided as inner step k of step t begins."""
        if bud_p <= 0.0 or (t <= 1 and k == 0):
            return True
        at = (t - 1) * dt + k * h_in
        return bool(np.floor(at / bud_p + 1e-9) != np.floor((at - h_in) / bud_p + 1e-9))

    def budget_hold(t: int, k: int) -> float:
        """The years a budget decided as inner step k of step t begins holds: until the first
        (inner) step that reaches the next period (investment chooses the spending for them)."""
        if bud_p <= 0.0:
            return h_in
        at = (t - 1) * dt + k * h_in
        nxt = (np.floor(at / bud_p + 1e-9) + 1.0) * bud_p
        return h_in * max(float(np.ceil((nxt - at) / h_in - 1e-9)), 1.0)

    posture_gate = [True]  # whether power() decides postures (at a budget decision only)
    I_budget: FloatArray = np.zeros((n, E))  # the spending of the budget period
    rate_b = floor_b = m_a = sep_pub = np.zeros((n, E))  # its public reading

    def ties_at(t: int) -> FloatArray:
        F = s.ties[int(s.tie_index[t])][:, :, None]
        if balancing:
            return np.asarray(np.maximum(F, p.balance_reliability * B), dtype=float)
        return np.asarray(F, dtype=float)

    def power(R: FloatArray, rival: FloatArray) -> tuple[Any, ...]:
        """Strength, allies' part, beliefs, masked beliefs and threat (into mu, mu_r, T)."""
        np.multiply(R, M[None], out=scratch)
        ally_force = _sum_states(scratch, 1)
        S = M + ally_force
        Sm = S**m if m != 1.0 else S
        # float32 exp: 4x faster, ample for beliefs. −float32(l) is float32(−l) exactly.
        np.copyto(mu32, logit, casting="same_kind")
        np.negative(mu32, out=mu32)
        np.exp(mu32, out=mu32)
        np.add(mu32, 1.0, out=mu32)
        np.reciprocal(mu32, out=mu32)
        np.copyto(mu, mu32)
        mu_type[0] = None
        if (code >= 0).any():
            held = mu_type[1]
            if held is None:
                held = mu_type[1] = np.empty(nne)
            np.copyto(held, mu)
            mu_type[0] = held
            # at war, each enemy is a certain threat (μ at its upper bound), whatever one
            # believes about its type (issue #11: writing that certainty into the belief
            # itself made beliefs after wars depend on the time step)
            np.copyto(mu, mu_war, where=W)
        np.multiply(mu, rival, out=mu_r)
        # P[i, j] = x_ij / (x_ij + S_i^m), x_ij = (A_ij G_ij S_j)^m: j, attacking, beats i as i
        # reckons it (A_ij: j's attack multiplier as i reads j's posture, with i's θ; G_ij:
        # the share of j's strength reaching i's capital); built in T, then T = μ_r P
        if mech.posture_choice:
            if posture_gate[0]:
                posture(mu_r)
            np.multiply(att, reach3, out=T)
            if m != 1.0:
                np.power(T, m, out=T)
            np.multiply(T, Sm[None], out=T)
        else:
            np.multiply(xfac3, Sm[None], out=T)
        np.add(T, (Sm + _TINY)[:, None], out=scratch)
        np.divide(T, scratch, out=T)
        np.multiply(T, mu_r, out=T)
        return S, ally_force

    def posture(mu_r: FloatArray) -> None:
        """Each state's offensive share φ and the attack multipliers A (into phi and att).

        Jervis (1978); Glaser & Kaufmann (1998): a security seeker (defensive or reassurance
        doctrine, not greedy) keeps the defensive mix φ = ``defensive_mix`` while it is safe,
        i.e. while no rival is more likely greedy than not; otherwise, and for greedy states
        and offensive realists, φ = 1. Offensive forces attack with the multiplier θ,
        defensive ones with θ/θ_max: whatever the balance, a force built for defence brings
        1/θ_max of an offensive force's punch to an attack (**ours**; the balance ω says how
        hard attacking is, the posture what the forces are for, Glaser & Kaufmann 1998). Others
        read the mix with distinguishability δ: φ̂ = δ φ + (1 − δ) (an unreadable posture is
        taken for offensive, **ours**), so a defensive posture reassures only when δ is high.
        Herz's asymmetry (Herz 1950; Jervis 1976, ch. 3: others' arms are read as offensive,
        one's own as defensive) in that reading, where it is ambiguous (Jervis 1976, ch. 4:
        expectations shape ambiguous evidence): i takes a share β_i (its ``bias``) of the
        unreadable part of what looks defensive in j's forces for offensive,
        φ̂_ij = φ̂_j + β_i (1 − δ) (1 − φ̂_j) (**ours**). At δ = 1 the posture is read as it is;
        at δ = 0 it is read as offensive anyway.
        A_ij = θ_i (φ̂_ij + (1 − φ̂_ij)/θ_max), the threat i sees and arms against. The public
        benchmark of step 3 reads postures without bias (``att_pub``): bias is private.
        """
        safe = mu_r.max(1) < 0.5
        np.copyto(phi, np.where(seek_now & safe, p.defensive_mix, 1.0))
        seen = s.delta * phi + (1.0 - s.delta)
        if biased_reading:
            np.multiply(beta_amb3, (1.0 - seen)[None], out=att)  # β_i (1 − δ) (1 − φ̂_j)
            np.add(att, seen[None], out=att)
            np.multiply(att, 1.0 - inv_theta_max, out=att)
            np.add(att, inv_theta_max, out=att)
            np.multiply(att, theta3, out=att)
        np.multiply(seen, 1.0 - inv_theta_max, out=seen)
        seen += inv_theta_max
        np.multiply(seen[None], theta3, out=att_pub)

    def strike(k: IntArray, runs: IntArray) -> FloatArray:
        """The attack multiplier of k striking first: its own mix, with its own θ."""
        if not mech.posture_choice:
            return np.asarray(theta_i[k], dtype=float)
        f = phi[k, runs]
        return np.asarray(theta_i[k] * (f + (1.0 - f) * inv_theta_max), dtype=float)

    def rivals(R: FloatArray) -> tuple[BoolArray, FloatArray]:
        """The rivals' mask, as booleans and as the 0.0/1.0 a product with it casts them to.
        An eliminated state is nobody's rival and has none."""
        rival = np.asarray((R <= 0.0) & ~eye3, dtype=bool)
        if any_dead:
            rival = rival & alive[:, None] & alive[None]
        return rival, rival.astype(np.float64)

    def sync_war(runs: IntArray | None = None) -> None:
        """W from code: at war with each other = the same war, opposite sides (code ^ 1 flips
        the side; −1 ^ 1 = −2 matches nobody). Only ``runs`` when given (the others did not
        change)."""
        if runs is None:
            np.equal((code ^ 1)[:, None], code[None], out=W)
        elif runs.size:
            c = code[:, runs]
            W[:, :, runs] = (c ^ 1)[:, None] == c[None]

    def beliefs() -> FloatArray:
        """The beliefs about types behind the last power(): ``mu`` but for enemies at war."""
        return mu if mu_type[0] is None else mu_type[0]

    def record(t: int, I: FloatArray, mu: FloatArray, T: FloatArray, R: FloatArray) -> None:
        at_war = code >= 0
        held = beliefs()
        belief = (_sum_states(held, 0) - np.diagonal(held).T) / max(n - 1, 1)
        tension = _sum_states(T, (0, 1)) / pairs
        _add_runs(sums["military"][t], M)
        _add_runs(sums["spending"][t], I)
        _add_runs(sums["belief"][t], belief)
        _add_runs(sums["at_war"][t], np.asarray(at_war))
        _add_runs(sums["tension"][t : t + 1], tension[None])
        tension_sum[:] += tension
        if ser is not None:
            ser["military"][:, t] = M.T
            ser["spending"][:, t] = I.T
            ser["economy"][:, t] = Y.T
            ser["belief"][:, t] = belief.T
            ser["threat"][:, t] = T.max(1).T
            ser["at_war"][:, t] = at_war.T
            ser["allies"][:, t] = np.broadcast_to((R > 0).sum(1), (n, E)).T
            ser["tension"][:, t] = tension

    def resolve(
        runs: IntArray,
        a: IntArray,
        bb: IntArray,
        za: FloatArray,
        zb: FloatArray,
        kind: str,
        t: int,
        S: FloatArray,
        mu: FloatArray,
        doctrine: IntArray,
        started: BoolArray,
        new_war: BoolArray,
        order: int,
        war_extra: FloatArray | None,
    ) -> None:
        """Settle crises in ``runs`` between a and bb; start the wars (in place).

        A crisis between two states at peace that ends in war starts a new war: the initiator
        (the larger demand) on side 0, the other on side 1. A crisis between a belligerent and
        a state at peace (never two belligerents: :func:`_run_chunk` does not let them meet)
        that ends in war brings the latter into the belligerent's war, on the other side.
        ``started`` marks the states that entered a war, ``new_war`` the runs that have any;
        ``order`` (the crisis's number in the step, each run's crises settled in order) goes
        to ``seq`` for the states that enter (the two of a new war enter together).
        ``war_extra`` (N, E): what war would add to each state's spending per year (ceiling − this
        step's spending), under ``cost_model: attrition`` only.
        """
        if runs.size == 0:
            return
        Sa, Sb = S[a, runs], S[bb, runs]
        sa_b = Sb * np.exp(sigma_crisis[a] * za)  # a's estimate of b's strength
        sb_a = Sa * np.exp(sigma_crisis[bb] * zb)
        if mech.preemption:
            fear_a = np.where(doctrine[a, 0] == 2, 0.0, mu[a, bb, runs])
            fear_b = np.where(doctrine[bb, 0] == 2, 0.0, mu[bb, a, runs])
        else:
            fear_a = fear_b = np.zeros(runs.size)
        # The costs of war: each side's own (c_a, c_b) and the other's as it reckons it (c_ab:
        # b's cost as a reckons it), the constant war_cost or the expected cost of the war
        # each side foresees from its own estimate of the other's strength (crisis_cost)
        wc = war_cost if isinstance(war_cost, float) else war_cost[runs]
        cost_a: FloatArray | float = wc
        cost_b: FloatArray | float = wc
        cost_ab: FloatArray | float = wc
        cost_ba: FloatArray | float = wc
        if war_extra is not None:
            Ya, Yb = Y[a, runs], Y[bb, runs]
            share_a = M[a, runs] / np.maximum(Sa, _TINY)  # public stocks and alliances
            share_b = M[bb, runs] / np.maximum(Sb, _TINY)
            ea, eb = war_extra[a, runs], war_extra[bb, runs]
            cost_a = crisis_cost(Sa, sa_b, share_a, prod[a], Ya, Yb, ea, p)
            cost_b = crisis_cost(Sb, sb_a, share_b, prod[bb], Yb, Ya, eb, p)
            cost_ab = crisis_cost(sa_b, Sa, share_b, prod[bb], Yb, Ya, eb, p)
            cost_ba = crisis_cost(sb_a, Sb, share_a, prod[a], Ya, Yb, ea, p)
        # Striking first, a counts its own θ_a (the offense advantage it believes in). Distance
        # has acted already, through the threat that raised the crisis hazard; the contest
        # over the stake is symmetric in it (Boulding's gradient at the stake's location,
        # which the model does not place: ours)
        d_a = war_demand(
            contest_success(strike(a, runs) * Sa, sa_b, 1.0, m),
            contest_success(Sa, sa_b, 1.0, m),
            fear_a,
            cost_a,
            val[a],
        )
        d_b = war_demand(
            contest_success(strike(bb, runs) * Sb, sb_a, 1.0, m),
            contest_success(Sb, sb_a, 1.0, m),
            fear_b,
            cost_b,
            val[bb],
        )
        war = d_a + d_b > 1.0
        a_first = d_a >= d_b
        prev = np.zeros(runs.size, dtype=bool)
        if mech.preventive_war:
            # The commitment problem (Fearon 1995, pp. 404–409; Powell 2006): each side
            # projects both strengths a year ahead on their public trends and fights now when
            # its own win chance is to fall by more than bargaining.shift_threshold allows
            ga, gb = np.exp(grow[a, runs]), np.exp(grow[bb, runs])
            pa0 = contest_success(Sa, sa_b, 1.0, m)
            pb0 = contest_success(Sb, sb_a, 1.0, m)
            fall_a = pa0 - contest_success(Sa * ga, sa_b * gb, 1.0, m)
            fall_b = pb0 - contest_success(Sb * gb, sb_a * ga, 1.0, m)
            prev_a = fall_a > shift_threshold(pa0, cost_a / val[a], cost_ab, disc)
            prev_b = fall_b > shift_threshold(pb0, cost_b / val[bb], cost_ba, disc)
            prev = (prev_a | prev_b) & ~war
            war = war | prev
            a_first = np.where(prev, prev_a, a_first)
        n_crises[runs] += 1
        init = np.where(a_first, a, bb)
        other = np.where(a_first, bb, a)
        detail = np.where(war, _D[f"{kind}, war"], _D[f"{kind}, settled"])
        c_init, c_other = code[init, runs], code[other, runs]
        fresh = (c_init < 0) & (c_other < 0)
        war_id = np.where(fresh, n_wars[runs], np.maximum(c_init, c_other) >> 1)
        events.add(run_ids[runs], t, "crisis", init, other, detail, np.where(war, war_id, -1))
        if not war.any():
            return
        new_war[runs[war]] = True
        # a new war: the initiator on side 0
        sel = war & fresh
        r, ia, ib, wid = runs[sel], init[sel], other[sel], war_id[sel]
        code[ia, r] = 2 * wid
        code[ib, r] = 2 * wid + 1
        war_t0[ia, r] = t
        war_t0[ib, r] = t
        started[ia, r] = True
        started[ib, r] = True
        seq[ia, r] = order
        seq[ib, r] = order
        n_wars[r] += 1
        n_prev[r] += prev[sel]
        pre = (theta_i[ia] > 1.0) & (mu[ia, ib, r] > 0.5) & mech.preemption & ~prev[sel]
        n_pre[r] += pre
        events.add(
            run_ids[r],
            t,
            "war_start",
            ia,
            ib,
            np.where(
                prev[sel], _D["preventive"], np.where(pre, _D["pre-emptive"], _D["deliberate"])
            ),
            wid,
            0,
        )
        # a belligerent's crisis with a state at peace: the latter enters on the other side
        for at_war_, joiner_, foe_ in ((c_init, other, init), (c_other, init, other)):
            sel = war & (at_war_ >= 0)
            if not sel.any():
                continue
            r, jk, fk = runs[sel], joiner_[sel], foe_[sel]
            c = code[fk, r] ^ 1
            code[jk, r] = c
            war_t0[jk, r] = war_t0[fk, r]
            started[jk, r] = True
            seq[jk, r] = order
            events.add(run_ids[r], t, "join", jk, fk, _D["crisis"], c >> 1, c & 1)

    R = ties_at(0)
    rival, rival_f = rivals(R)
    # What R (and rival) were built from; rebuilt only when the tie set or B changes.
    r_index, r_balance = int(s.tie_index[0]), B
    S, ally_force = power(R, rival_f)
    I_prev = np.minimum(M / prod[:, None], budget * Y)
    record(0, I_prev, mu, T, R)

    z: NDArray[np.float32] = np.empty((0, 0, 0), dtype=np.float32)
    u: FloatArray = np.empty((0, 0, 0))
    for t in range(1, steps + 1):
        b = (t - 1) % BLOCK
        if b == 0:
            z, u = _draw_block(gens, n, blocks)
        doctrine = s.doctrine[t].astype(np.int64)[:, None]
        seek_now = (doctrine != 1) & greedy_not
        M_start = M  # the stocks as the step begins, before any technology shock
        posture_gate[0] = decision_at(t, 0)
        if t in s.tech or s.tie_index[t] != s.tie_index[t - 1]:
            if t in s.tech:
                M = M * s.tech[t][:, None]
                prod = prod * s.tech[t]
            if int(s.tie_index[t]) != r_index or B is not r_balance:
                R = ties_at(t)
                rival, rival_f = rivals(R)
                r_index, r_balance = int(s.tie_index[t]), B
            S, ally_force = power(R, rival_f)
        at_war = code >= 0
        war_any0 = bool(at_war.any())
        prod2 = prod[:, None]

        # Inner steps (``inner_step``, issue #11): the loop of power, arming, perception and
        # stocks advances in n_in steps of h_in = dt / n_in; balancing reviews fall in the inner
        # step of their Poisson arrival and the crisis hazard is the inner steps' mean, while the
        # settlement of crises, wars and the economy stay on the step and see the step's start,
        # as with one inner step. Each inner step observes the spending rate over its h_in years
        # with noise of its own, as a step of h_in would. One inner step is the plain step, bit
        # for bit.
        T_haz = T  # the threats behind the step's crisis hazards (below, with inner steps)
        if n_in > 1:
            S0, ally0 = S, ally_force
            M_step0, Y_step0, saved = M, Y, [x.copy() for x in (mu, mu_r, T, att, att_pub, phi)]
            spend_sum = np.zeros_like(M)
            # the threats at the inner steps' starts, summed: the crisis hazard of the step is
            # their mean (a Riemann sum over the inner steps of the hazard per year)
            T_haz = T.copy()
            if balancing:
                # a pair's balancing review falls in the inner step where its Poisson arrival
                # τ = −K log(1 − U) does (a review in the step iff τ < dt, as with one inner
                # step), judges by the threats as that inner step begins and acts from the next
                # one; crises and wars see the step's start's ties
                R0, rival0, rival_f0, B_step0 = R, rival, rival_f, B
                u_rev = u[b, 2 * n + npairs :]
                k_rev = np.where(
                    u_rev < p_review,
                    np.minimum(-np.log1p(-u_rev) * bal_interval / h_in, n_in - 1),
                    -1.0,
                ).astype(np.int64)
        for k_in in range(n_in):
            # The budget (``budget_period``): spending and posture are decided when a budget
            # period begins and held until the next, whatever the step; belligerents spend
            # their ceiling from the day they enter a war (a war budget)
            decide = decision_at(t, k_in)
            if decide:
                # 2. arming
                np.divide(mu_r, tau, out=req)  # the excess max(μ/τ − 1, 0)^(1/m), built in req
                np.subtract(req, 1.0, out=req)
                np.maximum(req, 0.0, out=req)
                if m != 1.0:
                    req **= 1.0 / m
                # [j, k]: k's strength reaching j, if k is j's rival (public: stocks, alliances,
                # maps)
                np.multiply(reach3, S[None], out=proj)
                proj *= rival_f
                strongest = proj.max(1)
                base = base_share * Y
                np.multiply(req, proj, out=req)  # [j, k]: strength j needs against rival k
                if mech.posture_choice:
                    req *= att
                else:
                    req *= theta3
                req_top = req.max(1)
                defensive = base + np.maximum(req_top - ally_force, 0.0)
                target = arming_target(
                    doctrine,
                    defensive,
                    base,
                    strongest,
                    ally_force,
                    mu_r.max(1),
                    superiority,
                    p.grit_share,
                    p.grit_abandon,
                )
                cap = budget * Y
                # the target grows with the economy over the step (at its rate with last step's
                # burden)
                gamma = p.growth - p.guns_cost * I_prev / Y
                I = investment(
                    M, target, cap, prod2, p.depreciation, p.adjustment, budget_hold(t, k_in), gamma
                )
                I_prev = I
                I = np.where(greedy, np.maximum(I, greedy_effort * cap), I)
                I_budget = I
                I_held = I
            else:
                # the period's budget, within the ceiling of the economy as it is now (a
                # defeat, a conquest or war damage shrink it; an eliminated state spends nothing)
                cap = budget * Y
                I_held = np.minimum(I_budget, cap)
            I = np.where(at_war, cap, I_held)

            # 3. perception and belief
            if update_beliefs:
                if decide:
                    # Public information only (issue #11): observer i reckons what j would spend if
                    # j were a security seeker that believed what the public record says about its
                    # rivals (their reputations ρ_k, below; certainty about its enemies at war),
                    # from public stocks, alliances and distances (j's own θ: doctrines are public).
                    # Herz's asymmetry: i counts j's need against i itself with weight (1 − β_i),
                    # its own arms being defensive in its own eyes.
                    rho = 1.0 / (1.0 + np.exp(-rep_logit))
                    ex = np.maximum(rho / tau - 1.0, 0.0)
                    if m != 1.0:
                        ex **= 1.0 / m
                    np.multiply(proj, att_pub if mech.posture_choice else theta3, out=pub)
                    if war_any0:
                        np.multiply(pub, np.where(W, excess1, ex[None]), out=pub)
                    else:
                        pub *= ex[None]
                    pub_top = pub.max(1)
                    # [j, k]: k drives j's need; as 0.0/1.0 (what a product with the booleans casts
                    # to)
                    np.equal(pub, pub_top[:, None], out=top_jk)
                    np.greater(pub, 0.0, out=top_gt)
                    top_jk &= top_gt
                    np.copyto(top_f, top_jk)
                    np.subtract(1.0, top_f, out=not_top)
                    np.multiply(pub, not_top, out=scratch)
                    top2 = scratch.max(1)
                    np.multiply(top_f, s.own_weight[None, :, None], out=scratch)
                    w_top = scratch.max(1)
                    # Spending is read on the log scale above the upkeep of the base posture b0 Y
                    # (``base_posture``, whether or not the scenario takes its base from the start):
                    # a state that stops spending and one that spends b0 Y differ by log 2, not by
                    # the log of a tiny floor (issue #11: that floor made a state above its target
                    # look like a seeker within weeks, the fastest time scale in the model, and kept
                    # results from converging in dt; **ours**)
                    floor = np.maximum(base_posture * Y / prod2, SPEND_FLOOR * cap)
                    tgt_a = base + np.maximum(pub_top - ally_force, 0.0)
                    tgt_b = base + np.maximum(np.maximum(top2, w_top * pub_top) - ally_force, 0.0)
                    # What is observed is the spending *rate* the policy sets (its continuous-time
                    # value, dt = 0), so that the information per year does not depend on the step
                    dep, adj = p.depreciation, p.adjustment
                    m_a = np.log(investment(M, tgt_a, cap, prod2, dep, adj) + floor)
                    m_b = np.log(investment(M, tgt_b, cap, prod2, dep, adj) + floor)
                    lg = np.log(greedy_effort * cap + floor)
                    rate = investment(M, target, cap, prod2, p.depreciation, p.adjustment)
                    rate = np.where(greedy, np.maximum(rate, greedy_effort * cap), rate)
                    xo = np.log(np.where(at_war, cap, rate) + floor)
                    rate_b, floor_b = rate, floor
                    # Reputations: the public record's own filter, the same likelihood on the exact
                    # spending record with the model noise only (what anyone could compute)
                    sep_pub = np.maximum(lg - m_a, 0.0)
                    rep_step = sep_pub * (xo - m_a - 0.5 * sep_pub) * dt_pub_in
                    if war_any0:  # a belligerent's record says nothing of its type (below)
                        np.copyto(rep_step, 0.0, where=at_war)
                    rep_logit += rep_step
                    np.clip(rep_logit, -bound, bound, out=rep_logit)
                    # m_s[i, j]: seeker j's expected log spending as observer i reckons it
                    np.multiply(top_f.transpose(1, 0, 2), (m_b - m_a)[None], out=ms)
                    ms += m_a[None]
                    np.subtract(lg[None], ms, out=sep)
                    np.maximum(sep, 0.0, out=sep)
                else:
                    # the budget of the period, read against the period's benchmark (held with
                    # it): the log-likelihood ratio gains the same information per year at any dt
                    xo = np.log(np.where(at_war, cap, np.minimum(rate_b, cap)) + floor_b)
                    rep_step = sep_pub * (xo - m_a - 0.5 * sep_pub) * dt_pub_in
                    if war_any0:
                        np.copyto(rep_step, 0.0, where=at_war)
                    rep_logit += rep_step
                    np.clip(rep_logit, -bound, bound, out=rep_logit)
                z0 = 0 if k_in == 0 else n * n + 4 + (k_in - 1) * n * n
                np.multiply(sig3_in, z[:, b, z0 : z0 + n * n].T.reshape(n, n, E), out=obs)
                obs += xo[None]
                # belief_llr(obs, ms, sep, δ, var, dt), the same operations in place
                obs -= ms
                np.multiply(sep, 0.5, out=scratch)
                obs -= scratch
                obs *= sep
                obs *= dt_var3_in
                if war_any0:
                    # a war says nothing about a belligerent's type: every belligerent spends its
                    # ceiling, whatever its type (likelihood ratio 1), so every observer's belief
                    # about it, its enemies' and neutrals' alike, and its public reputation wait
                    # out the war where they stood (an enemy's threat is certain meanwhile:
                    # power). Until December 2026 only its enemies' beliefs waited: a neutral
                    # read the war budget against a peacetime benchmark, as greed.
                    np.copyto(obs, 0.0, where=at_war[None])
                logit += obs
                np.clip(logit, -bound, bound, out=logit)
            war_any = bool(at_war.any())

            # military, attrition
            M_new = military_step(M, I, prod2, p.depreciation, h_in)
            if n_in > 1:
                spend_sum += I
                if balancing:
                    due = k_rev == k_in
                    if due.any():
                        want = balancing_ties(T, p.balance_threshold, W)
                        want &= s.ties[int(s.tie_index[t])][:, :, None] <= 0.0
                        review = np.zeros((n, n, E), dtype=bool)
                        review[iu0, iu1] = due
                        review |= review.transpose(1, 0, 2)
                        B = np.where(review, want, B)
                        if k_in < n_in - 1:
                            R = ties_at(t)
                            rival, rival_f = rivals(R)
                if k_in < n_in - 1:
                    # the next inner step starts where this one ends: stocks, and the economy
                    # (budgets, base postures and floors grow with it inside the step)
                    M = M_new
                    Y = economy_step(
                        Y, I, p.growth, p.guns_cost, p.war_damage, np.asarray(at_war), h_in
                    )
                    posture_gate[0] = decision_at(t, k_in + 1)
                    S, ally_force = power(R, rival_f)
                    T_haz += T
        if n_in > 1:
            # crises and wars see the step's start, except that the crisis hazard is the mean of
            # the inner steps' (the tension can fall tenfold within a year as beliefs form:
            # two-state); the economy advances over the step from its start with the step's
            # mean spending, as with one inner step
            T_haz /= n_in
            tension_in_sum += _sum_states(T_haz, (0, 1)) / pairs
            if balancing:
                # the ties the reviews chose take effect at the step's end (below)
                B_inner, B = B, B_step0
                R, rival, rival_f = R0, rival0, rival_f0
            M, Y = M_step0, Y_step0
            for x, x0 in zip((mu, mu_r, T, att, att_pub, phi), saved, strict=True):
                np.copyto(x, x0)
            S, ally_force = S0, ally0
            I_step = spend_sum / n_in
        else:
            I_step = I
        if war_any:
            # Lanchester between the two sides of each war (runs at war only): i's side loses
            # α × the other side's force, shared by its members in proportion to their stocks
            rs = np.nonzero(at_war.any(0))[0]
            cs, Ms = code[:, rs], M[:, rs]
            enemy = _sum_states(W[:, :, rs] * Ms[None], 1)
            same_side = (cs[:, None] == cs[None]) & (cs >= 0)[:, None]  # i's side, i included
            own_force = _sum_states(same_side * Ms[None], 1)
            loss = lanchester_losses(M_new[:, rs], enemy, own_force, p.attrition, dt)
            loss *= at_war[:, rs]
            M_new[:, rs] -= loss
            mil_loss[rs] += _sum_states(loss, 0)

        # 5. crises
        new_war = np.zeros(E, dtype=bool)
        started = np.zeros((n, E), dtype=bool)
        crisis_no = 0  # the crises of the step settled so far, in each run in their order
        war_extra = np.maximum(cap - I_step, 0.0) if attrition_costs else None

        if n > 1 and (np.any(np.asarray(crisis_rate) > 0) or np.any(np.asarray(crisis_base) > 0)):
            # crisis_hazard(T[iu0, iu1], T[iu1, iu0], eligible, ...), the same operations in place
            # eligible: rivals, not both at war (two belligerents never meet in a crisis)
            np.take(at_war, iu0, axis=0, out=eligible)
            eligible &= np.take(at_war, iu1, axis=0)
            np.logical_not(eligible, out=eligible)
            eligible &= np.take(rival.reshape(n * n, -1), flat_up, axis=0)
            np.take(T_haz.reshape(n * n, E), flat_up, axis=0, out=h)
            np.take(T_haz.reshape(n * n, E), flat_lo, axis=0, out=h_lo)
            h += h_lo
            h *= 0.5
            h *= crisis_rate
            h += crisis_base
            h *= eligible
            h /= max(n - 1, 1)
            # Each dyad has its own crisis hazard h per year: a crisis in the step with chance
            # 1 − exp(−h dt), no cap per run (issue #11). Its time within the step is
            # τ = −log(1 − U)/h (< dt exactly when the crisis happens): crises are settled in
            # that order, each against the wars the earlier ones started.
            np.multiply(h, -dt, out=h_lo)
            np.expm1(h_lo, out=h_lo)  # −P(crisis in the step)
            ud = u[b, 2 * n : 2 * n + npairs]
            has_d = ud < -h_lo
            if has_d.any():
                runs_any = np.nonzero(has_d.any(0))[0]
                hd = has_d[:, runs_any]
                arrival = np.where(
                    hd, -np.log1p(-ud[:, runs_any]) / np.maximum(h[:, runs_any], _TINY), np.inf
                )
                order = np.argsort(arrival, axis=0, kind="stable")
                count = hd.sum(0)
                for nth in range(int(count.max())):
                    sub = np.nonzero(count > nth)[0]
                    pick = order[nth, sub]
                    runs = runs_any[sub]
                    a_k, b_k = iu0[pick], iu1[pick]
                    ok = (code[a_k, runs] < 0) | (code[b_k, runs] < 0)  # not both at war
                    runs, a_k, b_k = runs[ok], a_k[ok], b_k[ok]
                    if nth == 0:
                        za, zb = z[runs, b, n * n], z[runs, b, n * n + 1]
                    else:  # a run's further crises in one step draw from its own stream
                        extra = np.array(
                            [gens[r].standard_normal(2, dtype=np.float32) for r in runs.tolist()],
                            dtype=np.float32,
                        ).reshape(-1, 2)
                        za, zb = extra[:, 0], extra[:, 1]
                    crisis_no += 1
                    resolve(
                        runs,
                        a_k,
                        b_k,
                        za,
                        zb,
                        "endogenous",
                        t,
                        S,
                        mu,
                        doctrine,
                        started,
                        new_war,
                        crisis_no,
                        war_extra,
                    )
        for fa, fb in s.forced.get(t, []):
            runs = np.nonzero(((code[fa] < 0) | (code[fb] < 0)) & alive[fa] & alive[fb])[0]
            crisis_no += 1
            resolve(
                runs,
                np.full(runs.size, fa),
                np.full(runs.size, fb),
                z[runs, b, n * n + 2],
                z[runs, b, n * n + 3],
                "scheduled",
                t,
                S,
                mu,
                doctrine,
                started,
                new_war,
                crisis_no,
                war_extra,
            )

        # 6. chain-ganging, the casus foederis (issue #11; Leeds 2003; ours): every entry into
        # a war is an attack on the other side's members. When e enters on side s, each ally at
        # peace k of e has a chance to join side s, and each ally at peace k of every member x
        # of side 1 − s that e is a new enemy of (x entered before e, or with e in the same
        # round of the cascade) a chance to join side 1 − s, with p = tie(k, x) · f(ω_k), ω_k
        # the joiner's belief. The chances are independent: with k's one uniform of the step,
        # k joins at the first round of the cascade in which it falls below 1 − Π(1 − p) over
        # all of k's chances so far in the step, on the side of its largest chance of that
        # round (the first such ally in the scenario's order on a tie). Nothing carries over
        # to the next step: there, only new entries give chances
        if new_war.any():
            rw = np.nonzero(new_war)[0]
            cs, t0s = code[:, rw], war_t0[:, rw]
            # p[k, x]: k's chance through x; log(1 − p), floored so that p = 1 stays finite
            p_join = np.broadcast_to(R, (n, n, E))[:, :, rw] * join_factor[:, None, None]
            with np.errstate(divide="ignore"):
                log_stay = np.maximum(np.log1p(-np.minimum(p_join, 1.0)), np.log(_TINY))
            uj = u[b, :n][:, rw]
            can_join = alive[:, rw]
            # the scenario's treaties (defense, offense, entente) in force: the casus foederis
            # is a treaty's; a balancing alignment is not one
            treaty3 = (s.ties[int(s.tie_index[t])] > 0.0)[:, :, None]
            new = started[:, rw]  # this round's entrants
            # when each member entered: the crisis number this step, the cascade rounds after
            # them; −1 for those in their war before the step
            when = np.where(new, seq[:, rw], -1)
            log_q = np.zeros(new.shape)  # Σ log(1 − p) over each state's chances so far
            joined = np.zeros_like(new)
            for rnd in range(n):
                # chances through x: its own entry, and one per new enemy, a state e that
                # enters the other side of x's war after x or in the same round of the cascade
                # ([x, e]); the two states of the crisis that starts a war are one event (each
                # one's allies have the chance of its entry only)
                after = when[None] > when[:, None] if rnd == 0 else when[None] >= when[:, None]
                later_foe = (cs[None] == (cs ^ 1)[:, None]) & after & new[None]
                # [k, x]: a treaty renews x's call on k with each new enemy; a balancing
                # alignment calls only at x's own entry
                count = new[None] + later_foe.sum(1)[None] * treaty3
                log_q += _sum_states(count * log_stay, 1)
                pull = np.where(count > 0, p_join, 0.0)  # [k, x]: this round's chances
                joins = (cs < 0) & can_join & (pull.max(1) > 0.0) & (uj < -np.expm1(log_q))
                if not joins.any():
                    break
                k, rr = np.nonzero(joins)
                ally = np.argmax(pull[k, :, rr], axis=1)  # the side of the largest chance
                c = cs[ally, rr]  # the ally's war and side
                cs[k, rr] = c
                t0s[k, rr] = t0s[ally, rr]
                when[k, rr] = crisis_no + 1 + rnd
                events.add(run_ids[rw[rr]], t, "join", k, ally, _D["ally"], c >> 1, c & 1)
                new = joins
                joined |= joins
            code[:, rw] = cs
            war_t0[:, rw] = t0s
            started[:, rw] |= joined
        entry = np.where(started, M_new, entry)

        # war exits, per war and side
        in_war_step = at_war
        if war_any or new_war.any():
            in_war_step = code >= 0
            rs = np.nonzero(in_war_step.any(0))[0]
            if new_war.any():
                sync_war(rs)
            Ws = W[:, :, rs]
            fought[:, :, rs] |= Ws
            first_side[0] |= code == 0  # the first war is war 0 of each run
            first_side[1] |= code == 1
            exhausted = in_war_step & (M_new < p.exhaustion * entry)
            negotiated = in_war_step & ~exhausted & (u[b, n : 2 * n] < p_exit)
            quit_ = exhausted | negotiated
            if quit_.any():
                leave = _war_exits(
                    events,
                    run_ids[rs],
                    t,
                    code[:, rs],
                    war_t0[:, rs],
                    Ws,
                    exhausted[:, rs],
                    negotiated[:, rs],
                )
                code[:, rs] = np.where(leave, -1, code[:, rs])
                sync_war(rs)
                lost = p.defeat_cost * Y * exhausted
                if mech.war_outcomes and exhausted.any():
                    lost, gain, dead = _settle(
                        lost[:, rs], Y[:, rs], M_new[:, rs], Ws, exhausted[:, rs], p.conquest_ratio
                    )
                    # an eliminated state keeps a vestige of its economy (no division by 0),
                    # and so does one whose defeat took it all (defeat_cost = 1)
                    Y[:, rs] = np.where(
                        dead, 1e-9 * Y[:, rs], np.maximum(Y[:, rs] - lost + gain, 1e-9 * Y[:, rs])
                    )
                    transferred[rs] += _sum_states(gain, 0)
                    econ_loss[rs] += _sum_states(lost - gain, 0)
                    if dead.any():
                        k, r = np.nonzero(dead)
                        events.add(run_ids[rs[r]], t, "eliminated", k, -1, _D["conquered"])
                        alive[:, rs] &= ~dead
                        n_dead[rs] += dead.sum(0)
                        M_new[:, rs] = np.where(dead, 0.0, M_new[:, rs])
                        any_dead = True
                        r_index = -1  # rebuild the rivals without the eliminated
                else:
                    econ_loss += _sum_states(lost, 0)
                    Y = np.maximum(Y - lost, 1e-9 * Y)
            first_war = np.where((first_war < 0) & (n_wars > 0), t, first_war)
        ever |= in_war_step
        np.maximum(max_at_war, in_war_step.sum(0), out=max_at_war)

        # the public trend of each state's strength (for the commitment problem)
        if mech.preventive_war:
            ratio = np.maximum(M_new, _TINY) / np.maximum(M_start, _TINY)
            # log 0 = −inf, written rather than computed: the ratio is 0 only where it
            # underflows, when a state is eliminated (its stock set to 0) from a stock above
            # about 1e24, and its trend is reset to 0 below; log(0) warned on stderr
            step_log = np.where(ratio > 0.0, 0.0, -np.inf)
            np.log(ratio, out=step_log, where=ratio > 0.0)
            grow *= grow_keep
            # a technology shock is part of the public trend (a jump in power, Powell 2006)
            grow += (1.0 - grow_keep) * step_log / dt
            grow[~alive] = 0.0

        # economy
        econ_loss += _sum_states(Y * -np.expm1(-dt * p.war_damage) * at_war, 0)
        Y = economy_step(Y, I_step, p.growth, p.guns_cost, p.war_damage, np.asarray(at_war), dt)
        M = M_new

        # 4. alliances: balancing reviews. Each pair reviews its tie at the rate
        # 1/balance_interval per year, each on its own clock (a Poisson process: chance
        # 1 − exp(−dt/K) in a step), and takes the tie the balancing rule then calls for
        # (issue #11: synchronized rounds every K years made the alliance pattern jump with
        # the step at which they fell)
        if balancing:
            if n_in > 1:
                B_new = B_inner  # reviewed at their inner steps (above)
            else:
                want = balancing_ties(T, p.balance_threshold, W)
                want &= s.ties[int(s.tie_index[t])][:, :, None] <= 0.0  # not already allied
                review = np.zeros((n, n, E), dtype=bool)
                review[iu0, iu1] = u[b, 2 * n + npairs :] < p_review
                review |= review.transpose(1, 0, 2)
                B_new = np.where(review, want, B)
            changed = (B_new != B) & up
            if changed.any():
                n_ally += changed.sum((0, 1))
                if events.active:
                    for cond, kind in (
                        (B_new & ~B & up, "alliance_formed"),
                        (B & ~B_new & up, "alliance_dissolved"),
                    ):
                        i, k, r = np.nonzero(cond)
                        events.add(run_ids[r], t, kind, i, k, _D["balancing"])
            if changed.any():
                B = B_new

        if int(s.tie_index[t]) != r_index or B is not r_balance:
            R = ties_at(t)
            rival, rival_f = rivals(R)
            r_index, r_balance = int(s.tie_index[t]), B
        posture_gate[0] = decision_at(t + 1, 0)
        S, ally_force = power(R, rival_f)
        record(t, I_step, mu, T, R)
        if tick is not None:
            tick()

    held = beliefs()  # about types: an enemy's wartime certainty is not a belief about it
    trace = _sum_states(np.diagonal(held).T, 0)  # each run's Σ_i μ_ii
    sides, side_sizes, dyads = _war_strings(s.ids, first_side, fought)
    outcomes: dict[str, NDArray[Any]] = {
        "run": run_ids.astype(np.int64),
        "war": first_war >= 0,
        "first_war_step": first_war,
        "first_war_size": (first_side[0] | first_side[1]).sum(0),
        "first_war_sides": sides,
        "first_war_side_sizes": side_sizes,
        "states_drawn_in": ever.sum(0),
        "max_states_at_war": max_at_war,
        "n_crises": n_crises,
        "n_wars": n_wars,
        "n_preemptive": n_pre,
        "n_preventive": n_prev,
        "n_eliminated": n_dead,
        "economy_transferred": transferred,
        "n_alliance_changes": n_ally,
        "military_losses": mil_loss,
        "economic_losses": econ_loss,
        "final_military": _sum_states(M, 0),
        "final_tension": _sum_states(T, (0, 1)) / pairs,
        # the mean over the recorded steps' starts and the end; with inner steps over the inner
        # steps' starts and the end, the grid the inner steps run on
        "mean_tension": (
            tension_sum / (steps + 1)
            if n_in == 1
            else (n_in * tension_in_sum + _sum_states(T, (0, 1)) / pairs) / (n_in * steps + 1)
        ),
        "final_belief_mean": (_sum_states(held, (0, 1)) - trace) / pairs,
        "dyads_fought": dyads,
    }
    # what the others believe about each state at the end (mean over observers, as `belief` in
    # the series): the belief about greedy and security-seeking states apart
    about = (_sum_states(held, 0) - np.diagonal(held).T) / max(n - 1, 1)
    for k_state, sid in enumerate(s.ids):
        outcomes[f"final_military_{sid}"] = M[k_state].copy()
    for k_state, sid in enumerate(s.ids):
        outcomes[f"final_belief_about_{sid}"] = about[k_state].copy()
    fought_runs = (fought & up).sum(2).astype(float)
    return _ChunkOut(outcomes=outcomes, events=events.parts, series=ser, fought=fought_runs)


# -- the entry point ------------------------------------------------------------------------
def simulate_scenario(
    scenario: Scenario,
    *,
    steps: int,
    runs: int,
    seed: int,
    keep: str = "series",
    run_offset: int = 0,
    stream_key: Sequence[int] = (),
    chunk: int = 500,
    progress: Callable[[int, int], None] | None = None,
    run_params: Mapping[str, ArrayLike] | None = None,
) -> Result:
    """Run the spiral model on a scenario (the ``model="spiral"`` entry of :func:`herz.simulate`).

    Parameters
    ----------
    scenario:
        Reads ``world``, ``states`` (all fields except ``ccode``), ``alliances`` (kinds
        ``defense``, ``offense``, ``entente`` are military ties; the others are ignored),
        ``events`` (all four kinds) and the ``spiral:`` block; ignores ``richardson``.
    steps, runs, seed:
        Horizon (steps of ``time.step`` years), ensemble size and root seed.
    keep:
        ``"series"``: the tidy series (run, t, year, state, military, spending, economy,
        belief, threat, at_war, allies, tension) and the events table. ``"events"``: the events
        table only. ``"summary"``: neither (memory bounded by ``chunk``); outcomes, summary and
        ensemble means are always kept.
    run_offset, stream_key:
        Run k of this call is run ``run_offset + k`` and draws only from
        ``run_generator(seed, run_offset + k, stream_key)``.
    chunk:
        Runs advanced together in memory; does not change the results.
    progress:
        Called as ``progress(done, total)`` after every step of every chunk (for progress bars).
    run_params:
        ``{name: values}`` for names in :data:`RUN_PARAMETERS`, ``runs`` values each: run k of
        this call uses the k-th value instead of the ``spiral:`` block's (validated by
        :func:`herz.simulate`; ``balance_interval`` > 0). A run's results depend only on its
        own values and stream, so run k equals a call with those values as scalars.

    Returns
    -------
    Result
        ``series`` (or None), ``events`` (or None), ``outcomes`` (one row per run) and
        ``summary`` with ``p_war``, ``mean_states_at_war`` (given a war), ``mean_first_war_step``,
        ``final_military_mean`` and their standard errors. ``extra["means"]`` holds ensemble
        means per step and state (always).
    """
    import pandas as pd

    from herz.results import Result

    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise InputError(
            f"chunk must be a positive integer, got {chunk!r}.", field="chunk", value=chunk
        )
    if keep not in ("series", "events", "summary"):
        raise InputError(
            f"keep must be 'series', 'events' or 'summary', got {keep!r}.",
            field="keep",
            value=keep,
        )
    if run_offset < 0:
        raise InputError(
            f"run_offset must be ≥ 0, got {run_offset}.", field="run_offset", value=run_offset
        )
    setup = _setup(scenario, steps)
    per_run: dict[str, FloatArray] = {}
    for name, values in (run_params or {}).items():
        if name not in RUN_PARAMETERS:
            raise InputError(
                f"run_params: {name!r} cannot vary by run; expected some of "
                f"{', '.join(RUN_PARAMETERS)}.",
                field="run_params",
                value=name,
            )
        arr = np.asarray(values, dtype=float)
        if arr.shape != (runs,) or not np.all(np.isfinite(arr)):
            raise InputError(
                f"run_params: {name} must hold {runs} finite values, one per run.",
                field="run_params",
                value=name,
            )
        per_run[name] = arr
    keep_series = keep == "series"
    keep_events = keep in ("series", "events")
    n_chunks = -(-runs // chunk)
    total = n_chunks * steps
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    parts: list[_ChunkOut] = []
    totals = _new_sums(setup.n, steps)  # chunks add their runs in run order
    for lo in range(0, runs, chunk):
        hi = min(lo + chunk, runs)
        run_ids = np.arange(run_offset + lo, run_offset + hi, dtype=np.int64)
        chunk_params = {k: v[lo:hi] for k, v in per_run.items()}
        parts.append(
            _run_chunk(
                setup,
                run_ids,
                seed,
                stream_key,
                keep_series,
                tick,
                totals,
                chunk_params,
                keep_events,
            )
        )

    outcomes = pd.DataFrame(
        {k: np.concatenate([c.outcomes[k] for c in parts]) for k in parts[0].outcomes}
    )
    years = setup.start + setup.dt * outcomes["first_war_step"].to_numpy()
    outcomes.insert(3, "first_war_year", np.where(outcomes["war"].to_numpy(), years, np.nan))
    outcomes["first_war_step"] = (
        outcomes["first_war_step"].where(outcomes["war"], pd.NA).astype("Int64")
    )

    sums = {k: v / runs for k, v in totals.items()}
    t_idx = np.arange(steps + 1)
    names = setup.ids
    n = setup.n
    means = pd.DataFrame(
        {
            "t": np.repeat(t_idx, n),
            "year": np.repeat(setup.start + setup.dt * t_idx, n),
            "state": state_column(names, steps + 1),
            "military": sums["military"].reshape(-1),
            "spending": sums["spending"].reshape(-1),
            "belief": sums["belief"].reshape(-1),
            "at_war": sums["at_war"].reshape(-1),
            "tension": np.repeat(sums["tension"], n),
        }
    )

    series = None
    events = None
    if keep_series:
        series = _series_frame(setup, parts, runs, run_offset)
    if keep_events:
        events = _events_frame(setup, parts)

    fought = np.sum([c.fought for c in parts], axis=0)  # integer counts: exact in any order
    summary = _summary(scenario, setup, outcomes, runs, fought)
    if per_run:
        summary["run_parameters"] = {
            k: {"min": float(v.min()), "max": float(v.max()), "mean": float(v.mean())}
            for k, v in per_run.items()
        }
    return Result(
        model="spiral",
        scenario=scenario,
        seed=seed,
        summary=summary,
        series=series,
        events=events,
        outcomes=outcomes,
        extra={"means": means, "stream_key": tuple(stream_key), "run_offset": run_offset},
    )


def _series_frame(
    setup: _Setup, parts: list[_ChunkOut], runs: int, run_offset: int
) -> pd.DataFrame:
    n, steps = setup.n, setup.steps
    t_idx = np.arange(steps + 1)
    rows = runs * (steps + 1) * n
    # one column at a time, each chunk's array freed once joined (see herz.models._frames)
    chunks = [c.series for c in parts if c.series is not None]
    cols: dict[str, Any] = {}
    for k in ("military", "spending", "economy", "belief", "threat", "at_war", "allies"):
        cols[k] = pop_concat(chunks, k).reshape(rows)
    tension = np.repeat(pop_concat(chunks, "tension").reshape(-1), n)
    for c in parts:
        c.series = None
    return tidy_frame(
        {
            "run": np.repeat(np.arange(run_offset, run_offset + runs), (steps + 1) * n),
            "t": np.tile(np.repeat(t_idx, n), runs),
            "year": np.tile(np.repeat(setup.start + setup.dt * t_idx, n), runs),
            "state": state_column(setup.ids, runs * (steps + 1)),
            **cols,
            "tension": tension,
        }
    )


def _events_frame(setup: _Setup, parts: list[_ChunkOut]) -> pd.DataFrame:
    import pandas as pd

    rows = [r for c in parts for r in c.events]
    data = np.concatenate(rows) if rows else np.empty((0, 9), dtype=np.int64)
    if len(data):
        order = np.lexsort((data[:, 2], data[:, 1], data[:, 0]))
        data = data[order]
    # Strings from codes over a small vocabulary (each distinct string built once), not object
    # arrays of one Python string per event: the same column, a fraction of the memory.
    names = [*setup.ids, ""]
    m = len(names)
    kind_code = data[:, 2]
    a, bcol = data[:, 3] % m, data[:, 4] % m  # -1: none (as negative indexing read it)
    is_end = kind_code == _EVENT_KINDS.index("war_end")
    named = np.isin(
        kind_code, [_EVENT_KINDS.index(k) for k in ("crisis", "war_start", "join", "exit")]
    )

    def strings(codes: NDArray[np.int64], text: Callable[[int], str]) -> pd.Categorical:
        uniq, inv = np.unique(codes, return_inverse=True)
        return from_codes(inv.reshape(-1), [text(int(u)) for u in uniq])

    def pair(code: int) -> str:
        x, y = names[code // m], names[code % m]
        return x if y == "" else f"{x},{y}"

    nd = len(_DETAILS)

    def detail(code: int) -> str:
        d, k = code % nd, code // nd
        return _DETAILS[d] + (f" after {k - 1} steps" if k else "")

    states = strings(a * m + bcol, pair)
    who = strings(np.where(named, a, m - 1), names.__getitem__)
    details = strings(data[:, 5] + nd * np.where(is_end, data[:, 8] + 1, 0), detail)
    return pd.DataFrame(
        {
            "run": data[:, 0],
            "t": data[:, 1],
            "year": setup.start + setup.dt * data[:, 1],
            "kind": from_codes(kind_code, _EVENT_KINDS),
            "states": states.astype(str),
            "who": who.astype(str),
            "detail": details.astype(str),
            # the war's number within its run (from 0) and the side (0: the initiator's)
            "war": pd.Series(data[:, 6], dtype="Int64").mask(data[:, 6] < 0),
            "side": pd.Series(data[:, 7], dtype="Int64").mask(data[:, 7] < 0),
        }
    )


def _dyad_shares(ids: Sequence[str], fought: FloatArray, runs: int) -> dict[str, float]:
    """{"FRN-GMY": share of runs in which the two fought each other}, every pair, keys sorted."""
    i0, i1 = (x.tolist() for x in np.triu_indices(len(ids), 1))
    shares = {
        dyad_key(ids[a], ids[b]): float(fought[a, b] / runs) for a, b in zip(i0, i1, strict=True)
    }
    return dict(sorted(shares.items()))


def _mean_se(x: NDArray[Any]) -> tuple[float | None, float | None]:
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        return None, None
    se = float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else None
    return float(x.mean()), se


def _summary(
    scenario: Scenario, setup: _Setup, outcomes: pd.DataFrame, runs: int, fought: FloatArray
) -> dict[str, Any]:
    """The spiral's headline numbers; :func:`herz.simulate` adds the common keys (model,
    scenario, hash, version, seed, runs, steps, dt, start)."""
    war = outcomes["war"].to_numpy()
    p_war = float(war.mean())
    with_war = outcomes[war]
    states_mean, states_se = _mean_se(with_war["states_drawn_in"].to_numpy())
    size_mean, size_se = _mean_se(with_war["first_war_size"].to_numpy())
    first_mean, first_se = _mean_se(with_war["first_war_step"].to_numpy(dtype=float))
    mil_mean, mil_se = _mean_se(outcomes["final_military"].to_numpy())
    ten_mean, ten_se = _mean_se(outcomes["mean_tension"].to_numpy())
    return {
        "states": setup.ids,
        "units": scenario.units.military,
        "offense_advantage": setup.omega,
        "distinguishability": setup.delta,
        "theta": setup.theta,
        "p_war": p_war,
        "p_war_se": float(np.sqrt(p_war * (1 - p_war) / runs)),
        "mean_states_at_war": states_mean,
        "mean_states_at_war_se": states_se,
        "mean_first_war_size": size_mean,
        "mean_first_war_size_se": size_se,
        "mean_first_war_step": first_mean,
        "mean_first_war_step_se": first_se,
        "mean_first_war_year": None if first_mean is None else setup.start + setup.dt * first_mean,
        "final_military_mean": mil_mean,
        "final_military_mean_se": mil_se,
        "final_military": {
            sid: float(outcomes[f"final_military_{sid}"].mean()) for sid in setup.ids
        },
        "final_belief": {
            sid: float(outcomes[f"final_belief_about_{sid}"].mean()) for sid in setup.ids
        },
        "mean_tension": ten_mean,
        "mean_tension_se": ten_se,
        "mean_crises": float(outcomes["n_crises"].mean()),
        "mean_wars": float(outcomes["n_wars"].mean()),
        "share_preemptive": (
            float(outcomes["n_preemptive"].sum() / outcomes["n_wars"].sum())
            if outcomes["n_wars"].sum() > 0
            else None
        ),
        "share_preventive": (
            float(outcomes["n_preventive"].sum() / outcomes["n_wars"].sum())
            if outcomes["n_wars"].sum() > 0
            else None
        ),
        "mean_eliminated": float(outcomes["n_eliminated"].mean()),
        "mean_military_losses": float(outcomes["military_losses"].mean()),
        "mechanisms": {
            name: bool(getattr(setup.mech, name)) for name in type(setup.mech).model_fields
        },
        "p_dyad_war": _dyad_shares(setup.ids, fought, runs),
        "parameters": (setup.p.model_dump(mode="json")),
        "sources": [s.citation for s in scenario.sources],
    }
