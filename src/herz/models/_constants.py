"""The record of one number written into a model's code (not a parameter of its block).

:mod:`herz.models.spiral.constants` has its own record (``KernelConstant``); the other models'
registries (:mod:`herz.models.richardson_constants`, :mod:`herz.models.iterated.constants`) use
this one, with the same columns. ``tests/test_provenance.py`` checks each registry against the
code's values.
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
