"""herz's scores against scikit-learn's on random inputs (issue #12 acceptance)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.metrics import log_loss as sk_log_loss

from herz.history.scoring import brier_score, log_loss, roc_auc


@st.composite
def forecasts(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n = draw(st.integers(2, 200))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    y[0], y[1] = 0, 1  # both classes, so that AUC and log loss are defined
    # with ties (as ensemble frequencies (k + 1/2)/(n + 1) give them) or without
    ties = draw(st.booleans())
    p = (rng.integers(0, 11, n) + 0.5) / 11 if ties else rng.random(n)
    return p, y


@settings(max_examples=200, deadline=None)
@given(forecasts())
def test_scores_match_scikit_learn(case: tuple[np.ndarray, np.ndarray]) -> None:
    p, y = case
    assert brier_score(p, y) == pytest.approx(brier_score_loss(y, p), rel=1e-12, abs=1e-15)
    assert log_loss(p, y) == pytest.approx(sk_log_loss(y, p, labels=[0, 1]), rel=1e-10)
    assert roc_auc(p, y) == pytest.approx(roc_auc_score(y, p), rel=1e-12)
