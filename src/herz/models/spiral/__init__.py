"""The spiral model: an agent-based security dilemma among many states (MODELS.md §4).

:mod:`~herz.models.spiral.kernel` holds the cited mechanisms as pure functions and the
vectorized kernel; :mod:`~herz.models.spiral.figures` its figures.
"""

from __future__ import annotations

from herz.models.spiral.kernel import (
    BLOCK,
    DOCTRINES,
    SPEND_FLOOR,
    arming_target,
    balancing_ties,
    belief_llr,
    contest_success,
    crisis_hazard,
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

__all__ = [
    "BLOCK",
    "DOCTRINES",
    "SPEND_FLOOR",
    "arming_target",
    "balancing_ties",
    "belief_llr",
    "contest_success",
    "crisis_hazard",
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
