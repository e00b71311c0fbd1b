"""Ranks of true parameter values among posterior draws: what a simulation-based calibration
(Talts, Betancourt, Simpson, Vehtari & Gelman 2018, arXiv:1804.06788) records, and the tests of
them. The lowest layer of the SBC: :mod:`herz.calibration.rejection` and
:mod:`herz.calibration.sbc` both use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from herz.calibration.posterior import Posterior
from herz.calibration.priors import Prior

__all__ = ["DRAWS_KEY", "SYNTHETIC_KEY", "SBCResult", "width_ratio"]

SYNTHETIC_KEY = 0x5B7
"""First element of the stream keys of synthetic 'observed' datasets (calibrations use
:data:`herz.calibration.abc.CALIBRATION_KEY`)."""

DRAWS_KEY = 3
"""Second element of the keys of an SBC's posterior draws: ``(seed, DRAWS_KEY, dataset)``."""


@dataclass
class SBCResult:
    """Ranks of the true values among posterior draws, per dataset and parameter."""

    parameters: tuple[str, ...]
    ranks: NDArray[np.int64]  # (D, p), each in 0..n_draws
    truths: NDArray[np.float64]  # (D, p)
    width_ratio: NDArray[np.float64]  # (D, p): 90% posterior width / 90% prior width
    n_draws: int
    bins: int
    elapsed_s: float
    settings: dict[str, Any] = field(default_factory=dict)

    def uniformity(self) -> dict[str, dict[str, float]]:
        """Per parameter: chi-square statistic and p-value of the binned ranks against the
        uniform, the mean width ratio, and whether it counts as identified (ratio ≤ 0.5)."""
        from scipy import stats

        out: dict[str, dict[str, float]] = {}
        edges = np.linspace(0, self.n_draws + 1, self.bins + 1)
        for j, name in enumerate(self.parameters):
            counts, _ = np.histogram(self.ranks[:, j], bins=edges)
            chi2, p = stats.chisquare(counts)
            ratio = float(np.mean(self.width_ratio[:, j]))
            out[name] = {
                "chi2": float(chi2),
                "p_value": float(p),
                "mean_width_ratio": ratio,
                "identified": float(ratio <= 0.5),
            }
        return out

    def coverage(self, level: float = 0.9) -> dict[str, float]:
        """Per parameter: the share of truths inside the central ``level`` of the draws (a
        calibrated posterior holds the truth there ``level`` of the time)."""
        tail = (1 - level) / 2 * (self.n_draws + 1)
        lo, hi = tail, self.n_draws + 1 - tail
        return {
            name: float(np.mean((self.ranks[:, j] >= lo) & (self.ranks[:, j] < hi)))
            for j, name in enumerate(self.parameters)
        }

    def verdicts(self, alpha: float = 0.01) -> dict[str, dict[str, Any]]:
        """Per parameter: :meth:`uniformity` with the coverage of the central 90% and the
        verdicts (``uniform``: the chi-square test does not reject at ``alpha``)."""
        cover = self.coverage()
        out: dict[str, dict[str, Any]] = {}
        for name, v in self.uniformity().items():
            out[name] = {
                **v,
                "coverage90": cover[name],
                "uniform": bool(v["p_value"] > alpha),
                "identified": bool(v["identified"]),
            }
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "parameters": list(self.parameters),
            "ranks": self.ranks.tolist(),
            "truths": self.truths.tolist(),
            "width_ratio": self.width_ratio.tolist(),
            "n_draws": self.n_draws,
            "bins": self.bins,
            "elapsed_s": self.elapsed_s,
            "settings": self.settings,
            "uniformity": self.uniformity(),
        }


def width_ratio(post: Posterior, priors: Mapping[str, Prior]) -> NDArray[np.float64]:
    from herz.calibration.posterior import weighted_quantile

    out = np.empty(len(post.parameters), dtype=np.float64)
    for j, n in enumerate(post.parameters):
        v = post.particles[:, j]
        width = weighted_quantile(v, post.weights, 0.95) - weighted_quantile(v, post.weights, 0.05)
        out[j] = width / priors[n].width90
    return out
