"""The iterated games' hard-coded constants: every number of
:mod:`herz.models.iterated.kernel` that is not an ``iterated:`` parameter.

The parameters (``strategy``, ``strategies``, ``turns``, ``noise``, ``misperception``,
``prob_end``, ``cost``, ``stakes``, …) carry their provenance in
:class:`herz.models.iterated.model.IteratedParams`; the published strategies name their source
(``Strategy.source``). This module lists the numbers written into the kernel itself, with their
values, where they act and where they come from; docs/games.md ("Constants of the kernel")
shows them and ``tests/test_provenance.py`` checks that every numeric module-level constant of
:mod:`herz.models.iterated.kernel` is listed here with its value (``MAX_TURNS``, a limit on
the input's size, excepted).

Nothing here is imported by the kernel: it is a record of the kernel, not a setting of it.
"""

from __future__ import annotations

from herz._constants import ModelConstant

__all__ = ["CONSTANTS"]

CONSTANTS: tuple[ModelConstant, ...] = (
    ModelConstant(
        name="GRIT initiative",
        value=3,
        source="ours",
        why=(
            "GRIT keeps restraining for up to 3 unanswered steps before it retaliates. Osgood "
            "(1962) asks for a series of unilateral initiatives continued for a while without "
            "reciprocation but gives no count; three is the smallest that is more than a "
            "single probe. The name 'grit' takes no parameter, so no --set varies it."
        ),
        where="grit (default initiative K: K + 2 states)",
        code_name="GRIT_INITIATIVE",
    ),
    ModelConstant(
        name="realist cap",
        value=5,
        source="ours",
        why=(
            "the realists remember the perceived arms gap within [-5, 5]: a bounded memory "
            "keeps each a finite machine, and a lead of five turns is long against noise of a "
            "few percent per turn. Waltz (1979) and Mearsheimer (2001) give no number. The "
            "names take no parameter, so no --set varies it."
        ),
        where="defensive_realist, offensive_realist (default cap: 11 and 22 states)",
        code_name="REALIST_CAP",
    ),
    ModelConstant(
        name="offensive-realist window",
        value=1,
        source="ours",
        why=(
            "the offensive realist doubts the other's intentions while the other armed in the "
            "last turn it saw: one turn, so that while even it answers arming like tit for "
            "tat. Mearsheimer (2001) gives no number."
        ),
        where="offensive_realist (default window)",
        code_name="OFFENSIVE_REALIST_WINDOW",
    ),
    ModelConstant(
        name="N_UNIFORMS",
        value=6,
        source="ours",
        why=(
            "uniform numbers drawn per turn of a match (two for stochastic strategies, two for "
            "noise, two for misperception): the random-number layout. Changing it changes "
            "every stochastic match's numbers, not their distribution."
        ),
        where="_match_lengths_and_uniforms, _run_kernel (the random-number layout)",
        code_name="_N_UNIFORMS",
        affects_results=False,
    ),
    ModelConstant(
        name="BATCH_BYTES",
        value=64 * 2**20,
        source="ours",
        why=(
            "the most bytes of random numbers held in memory at once; matches are run in "
            "batches under it. Each match draws from its own stream, so the batch size does "
            "not change any result."
        ),
        where="_play_batched (memory only)",
        code_name="_BATCH_BYTES",
        affects_results=False,
    ),
)
