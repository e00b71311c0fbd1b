"""The spiral kernel's hard-coded constants: every number that is not a ``spiral:`` parameter.

Every parameter of the model is a field of :class:`herz.scenario.SpiralParams`, with its
provenance in the field's metadata (``json_schema_extra``: ``source``, and ``why`` for
**ours**). A few numbers are written into :mod:`herz.models.spiral.kernel` itself; this module
lists them, with their values, where they act and where they come from, so that the docs
(docs/spiral.md, "Constants of the kernel") and every run's report (its methods section) can
show them. ``tests/test_provenance.py`` checks that the values here are the kernel's: every
numeric module-level constant of the kernel must be listed under its name, with its value, and
the literal numbers of the pure mechanism functions are checked through those functions.

Nothing here is imported by the kernel: it is a record of the kernel, not a setting of it.
"""

from __future__ import annotations

from herz._constants import ModelConstant

__all__ = ["CONSTANTS"]


CONSTANTS: tuple[ModelConstant, ...] = (
    ModelConstant(
        name="BLOCK",
        value=16,
        source="ours",
        why=(
            "steps whose random numbers a run draws in one call: a speed and layout choice. "
            "It fixes which draw goes to which step, so changing it changes every run's "
            "numbers (not their distribution)."
        ),
        where="_draw_block, _run_chunk (the random-number layout)",
        code_name="BLOCK",
        affects_results=False,
    ),
    ModelConstant(
        name="SPEND_FLOOR",
        value=0.01,
        source="ours",
        why=(
            "the least floor inside the logarithms of perception (step 3), as a share of the "
            "budget ceiling: spending is read as log(I + f) with f the upkeep b0 Y of the "
            "base posture (``base_posture``, 0.02 of the economy) or 1% of the ceiling if that "
            "is larger, so that a state that stops spending and one that spends b0 Y differ by "
            "log 2 "
            "(issue #11: a floor of 1% alone let a state above its target be read as a seeker "
            "within weeks, the fastest time scale in the model, and kept results from "
            "converging in the time step)."
        ),
        where="_run_chunk, step 3 (perception and belief)",
        code_name="SPEND_FLOOR",
    ),
    ModelConstant(
        name="TINY",
        value=1e-300,
        source="ours",
        why=(
            "numerical guard: the floor of denominators, so that a contest between two "
            "zero strengths gives the attacker 0 and an empty side takes no losses."
        ),
        where="contest_success, lanchester_losses, _run_chunk (threat)",
        code_name="_TINY",
        affects_results=False,
    ),
    ModelConstant(
        name="economy floor",
        value=1e-9,
        source="ours",
        why=(
            "numerical guard: the economy never falls below 1e-9 of its previous value in a "
            "step, so that it stays positive."
        ),
        where="economy_step",
    ),
    ModelConstant(
        name="mutual threat weight",
        value=0.5,
        source="ours",
        why=(
            "a dyad's crisis hazard rises with the mean of the two threats, (T_ij + T_ji)/2: "
            "both sides' fear counts equally."
        ),
        where="crisis_hazard, _run_chunk (step 5)",
    ),
    ModelConstant(
        name="stakes",
        value=1.0,
        source=(
            "Fearon (1995), International Organization 49: the issue in dispute is the "
            "interval [0, 1]; war when the demands add up to more than 1"
        ),
        why="the stakes of a crisis are normalized to 1; war_cost is a share of them.",
        where="_run_chunk, resolve (step 5: war iff d_i + d_j > 1)",
    ),
    ModelConstant(
        name="pre-emption belief",
        value=0.5,
        source="ours",
        why=(
            "a war is recorded as pre-emptive when the offense has the advantage (θ > 1) and "
            "the initiator believes the other more likely greedy than not; a label of the "
            "events and of n_preemptive only, not a cause of war."
        ),
        where="_run_chunk, resolve (events and outcomes)",
    ),
    ModelConstant(
        name="reassurer's fear",
        value=0.0,
        source="ours",
        why=(
            "a reassurer (GRIT) never counts the first-strike advantage in a crisis, whatever "
            "it believes (Osgood 1962's restraint, made a rule)."
        ),
        where="_run_chunk, resolve (step 5)",
    ),
    ModelConstant(
        name="GROWTH_MEMORY",
        value=1.0,
        source="ours",
        why=(
            "the commitment problem projects each state's strength one year ahead on its "
            "public trend, the growth of its stock smoothed over about a year (an exponential "
            "moving average with a one-year time constant, exact at any dt)."
        ),
        where="_run_chunk (trend of strength), resolve (preventive war)",
        code_name="GROWTH_MEMORY",
    ),
    ModelConstant(
        name="posture safety belief",
        value=0.5,
        source="ours",
        why=(
            "a security seeker keeps its defensive mix while no rival is more likely greedy "
            "than not (highest belief below 0.5), and goes offensive after that."
        ),
        where="_run_chunk, posture (posture choice)",
    ),
    ModelConstant(
        name="unreadable posture",
        value=1.0,
        source="ours",
        why=(
            "what others cannot read of a force's mix is taken for offensive: the perceived "
            "offensive share is δ φ + (1 − δ) · 1 (worst-case reading, after Jervis 1978)."
        ),
        where="_run_chunk, posture (posture choice)",
    ),
    ModelConstant(
        name="vestige of an eliminated state",
        value=1e-9,
        source="ours",
        why=(
            "numerical guard: an eliminated state keeps 1e-9 of its economy, so that no "
            "division by zero occurs; it arms, threatens and fights no more."
        ),
        where="_run_chunk (war outcomes)",
        affects_results=False,
    ),
    ModelConstant(
        name="CRISIS_BELLIGERENTS",
        value=2,
        source="ours",
        why=(
            "under cost_model: attrition a side reckons the war a crisis would start as a war "
            "of the crisis's two states, each of which makes a separate peace at peace_rate "
            "(step 6), so that it ends by negotiation at 2 × peace_rate; allies it counts in "
            "its strength, not in this rate."
        ),
        where="crisis_cost (cost_model: attrition only)",
        code_name="CRISIS_BELLIGERENTS",
    ),
)
