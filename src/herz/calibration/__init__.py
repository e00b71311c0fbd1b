"""Calibration as inference: model parameters fitted to the historical record (issue #12).

:func:`calibrate` fits a model's free parameters to moments of the record in a training window
(targets in :mod:`herz.calibration.moments`) and returns a
:class:`~herz.calibration.posterior.Posterior`, what forecasts (:mod:`herz.forecast`) draw
parameter sets from. By default it uses rejection ABC from a reference table with regression
adjustment (:mod:`herz.calibration.rejection`), whose simulation-based calibration
(:mod:`herz.calibration.sbc`) runs at full size; ``method="smc"`` uses pyabc's ABC-SMC
(:mod:`herz.calibration.abc`; ``pip install herz[calibrate]``, imported only then).
:func:`shipped_posterior` is the posterior herz ships for the spiral on 1816–1899, so a
backtest need not recalibrate.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from herz.calibration.posterior import Posterior, weighted_quantile
from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SHIPPED",
    "Posterior",
    "calibrate",
    "posterior_table",
    "shipped_posterior",
    "shipped_posterior_path",
    "weighted_quantile",
]

SHIPPED: dict[tuple[str, str], str] = {("spiral", "1816:1899"): "spiral-1816-1899.json"}
"""The posteriors shipped in ``herz/calibration/data``: (model, training years) → file."""


def shipped_posterior_path(model: str = "spiral", years: str = "1816:1899") -> Path:
    """The path of the posterior herz ships for ``model`` trained on ``years``."""
    name = SHIPPED.get((model, years))
    if name is None:
        known = ", ".join(f"{m} {y}" for m, y in SHIPPED)
        raise InputError(
            f"posterior: herz ships no posterior for {model} trained on {years} (it ships: "
            f"{known}); run herz calibrate.",
            field="posterior",
            value=f"{model} {years}",
        )
    return Path(__file__).with_name("data") / name


def shipped_posterior(model: str = "spiral", years: str = "1816:1899") -> Posterior:
    """The posterior herz ships for ``model`` trained on ``years`` (its provenance in ``meta``:
    how it was made, the observed moments, the seeds)."""
    return Posterior.load(shipped_posterior_path(model, years))


def calibrate(*args: Any, **kwargs: Any) -> Posterior:
    """:func:`herz.calibration.abc.calibrate` (imported on first use)."""
    from herz.calibration.abc import calibrate as _calibrate

    return _calibrate(*args, **kwargs)


def posterior_table(posterior: Posterior, level: float = 0.9) -> pd.DataFrame:
    """:func:`herz.calibration.abc.posterior_table` (imported on first use)."""
    from herz.calibration.abc import posterior_table as _table

    out: pd.DataFrame = _table(posterior, level)
    return out
