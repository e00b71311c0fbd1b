"""herz.calibration.Posterior: weighted particles, draws that depend only on (seed, i)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from herz.calibration import Posterior, weighted_quantile
from herz.errors import InputError


def make() -> Posterior:
    rng = np.random.default_rng(0)
    return Posterior(
        "spiral", ("spiral.a", "spiral.b"), rng.random((50, 2)), rng.random(50), {"years": [1, 2]}
    )


def test_draws_follow_the_weights_and_depend_only_on_seed_and_index() -> None:
    p = Posterior("m", ("x",), np.array([[0.0], [1.0]]), np.array([1.0, 3.0]))
    draws = [d["x"] for d in p.sample(20_000, 7)]
    assert abs(np.mean(draws) - 0.75) < 4 * np.sqrt(0.75 * 0.25 / 20_000)
    assert p.sample(5, 7) == p.sample(20_000, 7)[:5]
    assert p.sample(5, 7) != p.sample(5, 8)


def test_weighted_quantile_matches_repetition() -> None:
    v = np.array([3.0, 1.0, 2.0])
    w = np.array([1.0, 2.0, 1.0])
    rep = np.repeat(v, [1, 2, 1])
    for q in (0.1, 0.25, 0.5, 0.75, 0.9):
        assert weighted_quantile(v, w, q) == np.quantile(rep, q, method="inverted_cdf")


def test_round_trip_and_bad_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = make()
    q = Posterior.load(p.save(tmp_path / "p.json"))
    assert q.parameters == p.parameters and np.array_equal(q.particles, p.particles)
    assert np.allclose(q.weights, p.weights) and q.meta == p.meta
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"model": "m", "parameters": ["x"], "particles": [[1]]}))
    with pytest.raises(InputError, match="weights"):
        Posterior.load(bad)
    with pytest.raises(InputError, match="no such"):
        Posterior.load(tmp_path / "missing.json")
    with pytest.raises(InputError, match="weights"):
        Posterior("m", ("x",), np.ones((2, 1)), np.array([0.0, 0.0]))
