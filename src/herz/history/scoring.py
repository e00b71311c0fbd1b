"""Scores of probability forecasts of binary events, and a moving-block bootstrap over years.

Pure NumPy functions of a forecast vector ``p`` (probabilities) and an outcome vector ``y``
(0 or 1), used by :mod:`herz.history.backtest` for every forecaster alike (the baselines and,
later, a model's ensemble frequencies).

Brier score
    ``mean((p - y)**2)`` (Brier 1950, Monthly Weather Review 78(1):1–3).
Brier skill score
    ``1 - Brier(p) / Brier(reference)``, here against climatology (Murphy 1973, Journal of
    Applied Meteorology 12:595–600; Wilks 2011, *Statistical Methods in the Atmospheric
    Sciences*, 3rd ed., §8.4.2). Positive: better than the reference.
Log loss
    ``-mean(y log p + (1 - y) log(1 - p))`` (Good 1952, JRSS B 14(1):107–114), with ``p``
    clipped to ``[1e-15, 1 - 1e-15]`` as scikit-learn did, so that a certain forecast that
    fails costs 34.5 nats instead of infinity.
AUC
    The area under the ROC curve: the probability that a window with the event gets a higher
    forecast than one without, ties counting ½; computed from mid-ranks as the Mann–Whitney
    statistic ``U / (n_pos n_neg)`` (Hanley & McNeil 1982, Radiology 143:29–36). Undefined
    (NaN) when only one class is present.
Reliability
    Forecasts binned on ``[0, 1]``; per bin the count, the mean forecast and the observed
    frequency (the reliability diagram of Murphy & Winkler 1977, Applied Statistics
    26(1):41–47).
Ensemble frequencies
    ``k`` of ``n`` runs with the event as ``(k + ½) / (n + 1)``, the posterior mean under a
    Jeffreys Beta(½, ½) prior, never 0 or 1, so log loss stays finite.
Moving-block bootstrap
    Künsch (1989), 'The Jackknife and the Bootstrap for General Stationary Observations',
    Annals of Statistics 17(3):1217–41: the resampled series is a concatenation of blocks of
    ``block`` consecutive units (here forecast years), each block drawn uniformly from the
    ``n - block + 1`` possible starts, cut to ``n`` units. Blocks keep the dependence between
    overlapping forecast windows of neighbouring years.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "LOG_LOSS_EPS",
    "BootstrapScores",
    "bootstrap_scores",
    "brier_score",
    "brier_skill_score",
    "ensemble_probability",
    "log_loss",
    "moving_block_indices",
    "reliability_curve",
    "roc_auc",
]

LOG_LOSS_EPS = 1e-15
"""Forecasts are clipped to ``[eps, 1 - eps]`` inside :func:`log_loss`."""

FloatArray = NDArray[np.float64]


def _pair(p: ArrayLike, y: ArrayLike) -> tuple[FloatArray, FloatArray]:
    pa = np.asarray(p, dtype=np.float64).ravel()
    ya = np.asarray(y, dtype=np.float64).ravel()
    if pa.shape != ya.shape:
        raise ValueError(f"forecasts and outcomes differ in length: {pa.size} and {ya.size}")
    if pa.size == 0:
        raise ValueError("no forecasts to score")
    if not np.all(np.isfinite(pa)) or np.any((pa < 0) | (pa > 1)):
        raise ValueError("forecasts must be probabilities in [0, 1]")
    if not np.all((ya == 0) | (ya == 1)):
        raise ValueError("outcomes must be 0 or 1")
    return pa, ya


def brier_score(p: ArrayLike, y: ArrayLike) -> float:
    """Mean squared difference between forecast probabilities and 0/1 outcomes (Brier 1950).

    >>> round(brier_score([0.9, 0.2], [1, 0]), 6)
    0.025
    """
    pa, ya = _pair(p, y)
    return float(np.mean((pa - ya) ** 2))


def brier_skill_score(p: ArrayLike, y: ArrayLike, reference: ArrayLike) -> float:
    """``1 - Brier(p) / Brier(reference)`` (Murphy 1973); NaN when the reference is perfect."""
    ref = brier_score(reference, y)
    return float("nan") if ref == 0 else 1.0 - brier_score(p, y) / ref


def log_loss(p: ArrayLike, y: ArrayLike, eps: float = LOG_LOSS_EPS) -> float:
    """Mean negative log-likelihood in nats, forecasts clipped to ``[eps, 1 - eps]``."""
    pa, ya = _pair(p, y)
    pc = np.clip(pa, eps, 1 - eps)
    return float(-np.mean(ya * np.log(pc) + (1 - ya) * np.log1p(-pc)))


def _midranks(values: FloatArray) -> FloatArray:
    """Ranks 1..n with ties given their average rank."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    upper = np.cumsum(counts)
    mid = upper - (counts - 1) / 2.0
    return np.asarray(mid[inverse], dtype=np.float64)


def roc_auc(p: ArrayLike, y: ArrayLike) -> float:
    """Area under the ROC curve from mid-ranks (Mann–Whitney U / (n_pos n_neg)); ties ½.

    NaN when ``y`` holds only one class.

    >>> roc_auc([0.1, 0.4, 0.4, 0.8], [0, 0, 1, 1])
    0.875
    """
    pa, ya = _pair(p, y)
    pos = ya == 1
    n_pos = int(pos.sum())
    n_neg = pa.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    ranks = _midranks(pa)
    u = ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def ensemble_probability(k: ArrayLike, n: ArrayLike) -> FloatArray:
    """``k`` of ``n`` ensemble runs with the event as ``(k + ½) / (n + 1)``.

    The posterior mean of a Beta(½, ½) (Jeffreys) prior after ``k`` successes in ``n``
    trials: never 0 or 1, so the log loss of a forecast from a finite ensemble stays finite.

    >>> ensemble_probability([0, 3, 10], 10).round(4).tolist()
    [0.0455, 0.3182, 0.9545]
    """
    ka = np.asarray(k, dtype=np.float64)
    na = np.asarray(n, dtype=np.float64)
    if np.any(na < 1) or np.any(ka < 0) or np.any(ka > na):
        raise ValueError("need 0 <= k <= n and n >= 1")
    return np.asarray((ka + 0.5) / (na + 1.0), dtype=np.float64)


def reliability_curve(
    p: ArrayLike, y: ArrayLike, bins: int = 10
) -> dict[str, FloatArray | NDArray[np.int64]]:
    """Forecasts binned on ``[0, 1]`` in ``bins`` equal-width bins (the last one closed).

    Returns arrays ``lower``, ``upper``, ``n`` (forecasts in the bin), ``mean_forecast`` and
    ``observed`` (the event's frequency in the bin); empty bins have ``n = 0`` and NaN means.
    """
    pa, ya = _pair(p, y)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, pa, side="right") - 1, 0, bins - 1)
    n = np.bincount(which, minlength=bins).astype(np.int64)
    sum_p = np.bincount(which, weights=pa, minlength=bins)
    sum_y = np.bincount(which, weights=ya, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.where(n > 0, sum_p / np.maximum(n, 1), np.nan)
        obs = np.where(n > 0, sum_y / np.maximum(n, 1), np.nan)
    return {
        "lower": edges[:-1],
        "upper": edges[1:],
        "n": n,
        "mean_forecast": mean_p,
        "observed": obs,
    }


def moving_block_indices(
    n: int, block: int, n_boot: int, rng: np.random.Generator
) -> NDArray[np.int64]:
    """``n_boot`` moving-block resamples of the units ``0..n-1`` (Künsch 1989).

    Each row concatenates ``ceil(n / block)`` blocks of ``block`` consecutive units whose
    starts are drawn uniformly from ``0..n-block``, cut to ``n`` units. ``block`` is capped at
    ``n`` (one block: every resample is the original series).
    """
    if n < 1 or block < 1 or n_boot < 1:
        raise ValueError("need n, block and n_boot >= 1")
    block = min(block, n)
    n_blocks = -(-n // block)
    starts = rng.integers(0, n - block + 1, size=(n_boot, n_blocks))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(n_boot, -1)
    return np.asarray(idx[:, :n], dtype=np.int64)


class BootstrapScores:
    """Scores of several forecasters on the same windows, on year-block bootstrap resamples.

    Every forecaster is scored on the *same* resamples, so differences between forecasters
    (and the Brier skill score) get paired intervals.

    Parameters
    ----------
    forecasts:
        ``(n_windows, n_forecasters)`` probabilities.
    outcomes:
        ``(n_windows,)`` 0/1 outcomes.
    years:
        ``(n_windows,)`` the unit of resampling of each window (its forecast origin), as
        integers ``0..n_years-1``.
    n_years:
        The number of resampling units.
    """

    def __init__(
        self, forecasts: FloatArray, outcomes: FloatArray, years: NDArray[np.int64], n_years: int
    ) -> None:
        self.forecasts = np.asarray(forecasts, dtype=np.float64)
        self.outcomes = np.asarray(outcomes, dtype=np.float64)
        self.years = np.asarray(years, dtype=np.int64)
        self.n_years = n_years
        onehot = np.zeros((self.years.size, n_years))
        onehot[np.arange(self.years.size), self.years] = 1.0
        p, y = self.forecasts, self.outcomes[:, None]
        pc = np.clip(p, LOG_LOSS_EPS, 1 - LOG_LOSS_EPS)
        # per-year sums: windows, squared errors, log losses, events
        self._count = onehot.sum(axis=0)
        self._sq = onehot.T @ ((p - y) ** 2)
        self._ll = onehot.T @ (-(y * np.log(pc) + (1 - y) * np.log1p(-pc)))
        pos = self.outcomes == 1
        self._npos = onehot[pos].sum(axis=0)
        self._nneg = onehot[~pos].sum(axis=0)
        # per pair of years (a, b): sum over events in a and non-events in b of
        # 1[p_event > p_none] + ½ 1[p_event = p_none], one matrix per forecaster
        pp, pn = p[pos], p[~pos]
        cmp = (pp[:, None, :] > pn[None, :, :]) + 0.5 * (pp[:, None, :] == pn[None, :, :])
        oa, ob = onehot[pos], onehot[~pos]
        self._cmp = np.einsum("ia,ijf,jb->fab", oa, cmp, ob, optimize=True)

    def scores(self, weights: FloatArray) -> dict[str, FloatArray]:
        """Brier, log loss and AUC for year weights ``(n_rep, n_years)``; ``(n_rep, n_f)``."""
        w = np.asarray(weights, dtype=np.float64)
        count = w @ self._count
        with np.errstate(invalid="ignore", divide="ignore"):
            brier = (w @ self._sq) / count[:, None]
            loss = (w @ self._ll) / count[:, None]
            pairs = (w @ self._npos) * (w @ self._nneg)
            num = np.einsum("ra,fab,rb->rf", w, self._cmp, w)
            auc = num / pairs[:, None]
        auc[pairs == 0] = np.nan
        return {"brier": brier, "log_loss": loss, "auc": auc}

    def point(self) -> dict[str, FloatArray]:
        """The scores on the windows as they are (every year once)."""
        out = self.scores(np.ones((1, self.n_years)))
        return {k: v[0] for k, v in out.items()}

    def resampled(self, index: NDArray[np.int64]) -> dict[str, FloatArray]:
        """The scores on resamples given as year indices ``(n_rep, n_years)``."""
        w = np.zeros((index.shape[0], self.n_years))
        rows = np.repeat(np.arange(index.shape[0]), index.shape[1])
        np.add.at(w, (rows, index.ravel()), 1.0)
        return self.scores(w)


def bootstrap_scores(
    forecasts: FloatArray,
    outcomes: FloatArray,
    years: NDArray[np.int64],
    n_years: int,
    *,
    block: int,
    n_boot: int,
    rng: np.random.Generator,
) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """Point scores ``(n_f,)`` and bootstrap replicates ``(n_boot, n_f)`` of each score."""
    scorer = BootstrapScores(forecasts, outcomes, years, n_years)
    index = moving_block_indices(n_years, block, n_boot, rng)
    return scorer.point(), scorer.resampled(index)
