"""Calibration as inference: model parameters fitted to the historical record (issue #12).

:class:`~herz.calibration.posterior.Posterior` is what calibration produces and what forecasts
(:mod:`herz.forecast`) draw parameter sets from.
"""

from herz.calibration.posterior import Posterior, weighted_quantile

__all__ = ["Posterior", "weighted_quantile"]
