"""The record of one number written into herz's code rather than a scenario block.

Every registry uses it: the spiral kernel's (:mod:`herz.models.spiral.constants`), the other
models' (:mod:`herz.models.richardson_constants`, :mod:`herz.models.iterated.constants`) and
the assumptions of scenarios from history (:mod:`herz.history.constants`); it sits below both
``herz.models`` and ``herz.history`` so that each can. ``tests/test_provenance.py`` checks each
registry against the code's values.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ModelConstant"]


@dataclass(frozen=True)
class ModelConstant:
    """One number written into a model's code.

    ``source`` is a citation when the number itself comes from one, else ``"ours"``, with
    ``why`` saying why the value is what it is. ``code_name`` is the module-level name the code
    gives it (``None`` for a literal inside a function). ``affects_results`` is false for
    numbers that only change how results are computed or stored, not what they are.
    """

    name: str
    value: float
    source: str
    why: str
    where: str
    code_name: str | None = None
    affects_results: bool = True
