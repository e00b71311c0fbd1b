"""Richardson's hard-coded constants: every number of :mod:`herz.models.richardson` that is not
a ``richardson:`` parameter.

The parameters (``reaction``, ``fatigue``, ``grievance``, ``noise`` and the ``derive`` block)
carry their provenance in :class:`herz.scenario.RichardsonParams`. This module lists the few
numbers written into :mod:`herz.models.richardson` itself, with their values, where they act
and where they come from; docs/richardson.md ("Constants of the code") shows them and
``tests/test_provenance.py`` checks that every numeric module-level constant of
:mod:`herz.models.richardson` is listed here with its value.

Nothing here is imported by the model: it is a record of the code, not a setting of it.
"""

from __future__ import annotations

from herz._constants import ModelConstant

__all__ = ["CONSTANTS"]

CONSTANTS: tuple[ModelConstant, ...] = (
    ModelConstant(
        name="reassurance reaction",
        value=0.5,
        source="ours",
        why=(
            "a state with a reassurance doctrine reacts to a non-ally's arms at half the "
            "derived reaction. Osgood (1962) argues for graduated, reciprocated restraint but "
            "gives no number; one half lies midway between a full reaction (a defensive "
            "doctrine) and none. Not a parameter: no --set varies it; the keyword "
            "coefficients_from_scenario(reassurance_reaction=) does, for its sensitivity "
            "analysis (docs/richardson.md)."
        ),
        where="coefficients_from_scenario (derived K_ij; a given richardson.reaction bypasses it)",
        code_name="REASSURANCE_REACTION",
    ),
    ModelConstant(
        name="distinguishability weight",
        value=0.5,
        source="ours",
        why=(
            "the derived reaction carries the factor (1 − 0.5 δ): fully distinguishable "
            "postures (δ = 1) halve the reaction, indistinguishable ones (δ = 0) leave it "
            "whole. Jervis (1978) gives the direction, not a number. Not a parameter: "
            "world.distinguishability varies δ, not this weight; the keyword "
            "coefficients_from_scenario(distinguishability_weight=) does, for its sensitivity "
            "analysis (docs/richardson.md)."
        ),
        where="coefficients_from_scenario (derived K_ij; a given richardson.reaction bypasses it)",
        code_name="DISTINGUISHABILITY_WEIGHT",
    ),
    ModelConstant(
        name="TOL",
        value=1e-12,
        source="ours",
        why=(
            "numerical guard: the relative tolerance under which an eigenvalue counts as zero "
            "(a neutral race) or an equilibrium as degenerate."
        ),
        where="stability (the classification of the system)",
        code_name="_TOL",
        affects_results=False,
    ),
)
