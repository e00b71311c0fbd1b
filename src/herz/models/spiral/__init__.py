"""The spiral model: an agent-based security dilemma among many states (MODELS.md §4).

:mod:`~herz.models.spiral.kernel` holds the cited mechanisms as pure functions and the
vectorized kernel; :mod:`~herz.models.spiral.figures` its figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import Field

from herz._validation import StrictModel
from herz.models._base import COMMON_OUTCOMES, Measure, Model, Progress
from herz.models.spiral.constants import CONSTANTS
from herz.models.spiral.kernel import (
    BLOCK,
    CRISIS_BELLIGERENTS,
    DOCTRINES,
    RUN_PARAMETERS,
    SPEND_FLOOR,
    arming_target,
    balancing_ties,
    belief_llr,
    contest_success,
    crisis_cost,
    crisis_hazard,
    dyad_key,
    economy_step,
    investment,
    join_probability,
    lanchester_losses,
    military_step,
    offense_multiplier,
    required_strength,
    simulate_scenario,
    strength,
    war_demand,
)
from herz.scenario import SpiralParams

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from herz.results import Result
    from herz.scenario import Scenario

__all__ = [
    "BLOCK",
    "CRISIS_BELLIGERENTS",
    "DOCTRINES",
    "SPEND_FLOOR",
    "Spiral",
    "SpiralOptions",
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


class SpiralOptions(StrictModel):
    """Run options of the spiral model."""

    chunk: int = Field(
        default=500,
        ge=1,
        le=100_000,
        description="Runs advanced together in memory; never changes the results.",
    )


_MIL = "scenario military unit"


class Spiral(Model):
    """The agent-based spiral model among many states (MODELS.md §4; docs/spiral.md).

    Reads ``world``, ``states`` (all fields except ``ccode``), ``alliances`` (kinds ``defense``,
    ``offense``, ``entente``), ``events`` (all four kinds) and the ``spiral:`` block.
    """

    name = "spiral"
    constants = CONSTANTS
    title = "The spiral model: beliefs, arming, alliances, crises and war among many states"
    run_parameters = tuple(f"spiral.{k}" for k in RUN_PARAMETERS)
    citation = (
        "Jervis, R. (1976). Perception and Misperception in International Politics, ch. 3; "
        "Kydd, A. (1997). Game Theory and the Spiral Model. World Politics 49(3)."
    )
    Params = SpiralParams
    Options = SpiralOptions
    report = True
    reports_progress = True
    outcomes = (
        COMMON_OUTCOMES["war"],
        COMMON_OUTCOMES["first_war_step"],
        COMMON_OUTCOMES["first_war_year"],
        Measure(
            "first_war_size",
            "int",
            "states",
            "States on either side of the first war (0 in a run without a war).",
            given="war",
        ),
        Measure(
            "first_war_sides",
            "str",
            "",
            "The first war's two sides, ids sorted: the initiator's | the other's (AUH,GMY|FRN).",
        ),
        Measure("first_war_side_sizes", "str", "states", "States on each side of it (2|3)."),
        COMMON_OUTCOMES["states_drawn_in"],
        Measure("max_states_at_war", "int", "states", "Most states at war at one time."),
        Measure("n_crises", "int", "crises", "Crises in the run."),
        Measure("n_wars", "int", "wars", "Wars begun in the run."),
        Measure("n_preemptive", "int", "wars", "Wars begun by a pre-emptive strike."),
        Measure(
            "n_preventive", "int", "wars", "Wars begun by a declining side (commitment problem)."
        ),
        Measure("n_eliminated", "int", "states", "States conquered and eliminated."),
        Measure(
            "economy_transferred",
            "float",
            "scenario economy unit",
            "Economy passed from defeated to victorious states.",
        ),
        Measure("n_alliance_changes", "int", "changes", "Alliance ties formed or broken."),
        Measure("military_losses", "float", _MIL, "Military stock destroyed in wars."),
        Measure("economic_losses", "float", "scenario economy unit", "Economy lost to wars."),
        COMMON_OUTCOMES["final_military"],
        COMMON_OUTCOMES["arms_growth"],
        Measure("final_tension", "float", "", "Tension index (mean μ·p) at the last step."),
        Measure("mean_tension", "float", "", "Tension index averaged over the run."),
        Measure("final_belief_mean", "float", "probability", "Mean belief P(greedy) at the end."),
        Measure(
            "dyads_fought",
            "str",
            "",
            "The pairs that fought each other in any war, keyed FRN-GMY, comma-separated.",
        ),
        COMMON_OUTCOMES["final_military_{state}"],
        Measure(
            "final_belief_about_{state}",
            "float",
            "probability",
            "Mean belief of the other states that this one is greedy, at the last step.",
        ),
    )
    summary_fields = (
        Measure("p_war", "float", "share", "P(war) (share of runs with a war)."),
        Measure("mean_states_at_war", "float", "states", "States drawn in, given a war."),
        Measure("mean_first_war_size", "float", "states", "States in the first war, given a war."),
        Measure("mean_first_war_step", "float", "steps", "First war step, given a war."),
        Measure("mean_first_war_year", "float", "year", "First war year, given a war."),
        Measure("mean_crises", "float", "crises", "Crises per run."),
        Measure("mean_tension", "float", "", "Tension (mean over time)."),
        Measure("final_military_mean", "float", _MIL, "Final military, all states."),
        Measure("final_military", "float", _MIL, "Final military per state (ensemble mean)."),
        Measure(
            "final_belief",
            "float",
            "probability",
            "Final belief of the others that each state is greedy (ensemble mean), by state.",
        ),
        Measure(
            "p_dyad_war",
            "float",
            "share",
            "Share of runs in which each pair fought each other (keyed FRN-GMY, ids sorted).",
        ),
        Measure(
            "mechanisms",
            "bool",
            "",
            "Which mechanisms were on, by switch name (spiral.mechanisms; docs/spiral.md).",
        ),
        Measure("mean_eliminated", "float", "states", "States eliminated per run."),
    )

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
        chunk: int = 500,
        run_params: Mapping[str, Any] | None = None,
    ) -> Result:
        """Run the model (see :func:`herz.models.spiral.kernel.simulate_scenario`); adds
        ``arms_growth``, the final over the initial total military of each run."""
        result = simulate_scenario(
            scenario,
            steps=steps,
            runs=runs,
            seed=seed,
            keep=keep,
            run_offset=run_offset,
            stream_key=stream_key,
            chunk=chunk,
            progress=progress,
            run_params=run_params,
        )
        out = result.outcomes
        if out is not None:
            initial = float(sum(s.military for s in scenario.states))
            total = out["final_military"].astype(float)
            growth = total / initial if initial > 0 else total * float("nan")
            where = list(out.columns).index("final_military") + 1
            out.insert(where, "arms_growth", growth)
        return result

    def memory_bytes(self, scenario: Scenario, *, steps: int, runs: int, keep: str) -> int:
        """A chunk of runs holds (states × states) arrays of beliefs, threats and ties, about
        forty of them, and the random normals of 16 steps (N² per inner step); outcomes are a
        few dozen numbers per run; the series (kept only with ``keep="series"``) twelve columns
        per (run, step, state), 76 bytes a row, and the events.

        An upper bound of the measured peak (``tracemalloc``, europe-1914 and multipolar-20 at
        1,000-10,000 runs): the chunk's working set measured 1.5× the count of its arrays (the
        temporaries of each step), so it counts twice; the series is built one column at a time
        with each chunk's arrays freed as they are joined (:mod:`herz.models._frames`), and
        measured 76 bytes per (run, step, state) plus about 150 bytes per event (multipolar-20:
        0.27 events per row), within the 160 counted (the margin: the allocator's peak RSS ran
        0.94× a count of 128 at 20,000 runs of europe-1914)."""
        import math

        from herz.models.spiral.kernel import BLOCK

        n = len(scenario.states)
        chunk = min(runs, 500)
        working = 40 * 8 * chunk * n * n
        # the random block: float32 normals, N² for each inner step (``inner_step``), for
        # BLOCK steps at a time
        p = scenario.spiral
        dt = scenario.time.step
        n_in = 1
        if p is not None and p.inner_step is not None:
            n_in = max(math.ceil(dt / p.inner_step - 1e-9), 1)
        working += 4 * chunk * BLOCK * (n * n * n_in + 4)
        working *= 2
        outcomes = 8 * runs * (n + 24)
        series = 8 * 20 * runs * (steps + 1) * n if keep == "series" else 0
        if keep == "events":  # the events alone: 150 bytes each, up to 0.3 per row
            series = 8 * 6 * runs * (steps + 1) * n
        means = 8 * 8 * (steps + 1) * n
        return working + outcomes + series + means

    def figures(self, result: Result) -> dict[str, Figure]:
        """Arms per state, tension and war, and (with the series) a war timeline."""
        from herz.models.spiral.figures import (
            plot_spiral_arms,
            plot_spiral_tension,
            plot_war_timeline,
        )

        figs = {"arms.png": plot_spiral_arms(result), "tension.png": plot_spiral_tension(result)}
        if result.series is not None:
            figs["war_timeline.png"] = plot_war_timeline(result)
        return figs

    def describe(self, result: Result) -> list[tuple[str, str]]:
        """The headline numbers with standard errors (the first-war year to one decimal)."""
        rows = super().describe(result)
        s: dict[str, Any] = result.summary
        return [
            (label, f"{s['mean_first_war_year']:.1f}")
            if label.startswith("First war year")
            else (label, value)
            for label, value in rows
        ]
