"""The assumed numbers of the scenarios built from history: not data, but they shape every
from-history world and so the spiral's calibration on them (:mod:`herz.calibration`).

:mod:`herz.history.from_history` writes them as module constants (the burdens) and as
:data:`~herz.history.from_history.RELIABILITY` (the reliability of each kind of alliance). This
module lists them with their values, where they act and why they are what they are;
docs/history.md ("Constants of the scenarios from history") shows them and
``tests/test_provenance.py`` checks the values against the code.

Nothing here is imported by :mod:`herz.history.from_history`: it is a record of the code, not a
setting of it.
"""

from __future__ import annotations

from herz._constants import ModelConstant

__all__ = ["CONSTANTS"]


_BURDEN_WHY = (
    " It sets the scale of economy against military (economy = combined milex / burden), so "
    "every state's budget share and room to arm; `herz scenario from-history --burden` varies "
    "it for one scenario, but the calibration's worlds (scenario_known_at) use the default."
)

_RELIABILITY_WHY = (
    "herz's assumption, not estimated from data: the probability that a member honours the "
    "obligation in a crisis, ordered by the strength of the obligation (defense 0.8 > offense "
    "0.7 > neutrality 0.5 > non-aggression 0.4 > consultation 0.3) in steps of about 0.1; no "
    "source gives these numbers. Scenario files can set their own, but the calibration's "
    "from-history worlds always use these; scenario_known_at(reliability=) varies them for "
    "their sensitivity analysis (docs/history.md)."
)

CONSTANTS: tuple[ModelConstant, ...] = (
    ModelConstant(
        name="burden to 1913",
        value=0.035,
        source="ours",
        why="the assumed mean military burden of europe-1909 (an assumption, not data)."
        + _BURDEN_WHY,
        where="default_burden (the economy proxy), years <= 1913",
        code_name="BURDEN_TO_1913",
    ),
    ModelConstant(
        name="burden 1914-1945",
        value=0.05,
        source="ours",
        why="between the other two, with no anchor of its own." + _BURDEN_WHY,
        where="default_burden (the economy proxy), 1914-1945",
        code_name="BURDEN_1914_TO_1945",
    ),
    ModelConstant(
        name="burden from 1946",
        value=0.08,
        source="ours",
        why="the assumed mean military burden of cold-war (an assumption, not data)." + _BURDEN_WHY,
        where="default_burden (the economy proxy), years >= 1946",
        code_name="BURDEN_FROM_1946",
    ),
    *(
        ModelConstant(
            name=f"reliability of {kind}",
            value=value,
            source="ours",
            why=_RELIABILITY_WHY,
            where="scenario_from_history (alliances[*].reliability)",
            code_name=f"RELIABILITY[{kind!r}]",
        )
        for kind, value in (
            ("defense", 0.8),
            ("offense", 0.7),
            ("neutrality", 0.5),
            ("nonaggression", 0.4),
            ("consultation", 0.3),
        )
    ),
)
