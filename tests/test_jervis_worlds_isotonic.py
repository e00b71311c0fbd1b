"""herz.isotonic: the 2-D isotonic fit of docs/jervis_worlds.py against a brute-force QP."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import minimize

from herz.errors import InputError
from herz.isotonic import _pava, isotonic_grid


def _constraints(shape: tuple[int, int], increasing_x: bool, increasing_y: bool) -> list[dict]:
    """SLSQP inequality constraints (fun ≥ 0): each adjacent pair in its direction."""
    rows, cols = shape
    cons = []
    for i, j in itertools.product(range(rows), range(cols - 1)):
        a, b = i * cols + j, i * cols + j + 1
        sign = 1.0 if increasing_x else -1.0
        cons.append({"type": "ineq", "fun": lambda v, a=a, b=b, s=sign: s * (v[b] - v[a])})
    for i, j in itertools.product(range(rows - 1), range(cols)):
        a, b = i * cols + j, (i + 1) * cols + j
        sign = 1.0 if increasing_y else -1.0
        cons.append({"type": "ineq", "fun": lambda v, a=a, b=b, s=sign: s * (v[b] - v[a])})
    return cons


def _qp(y: np.ndarray, w: np.ndarray, increasing_x: bool, increasing_y: bool) -> np.ndarray:
    yv, wv = y.ravel(), w.ravel()
    res = minimize(
        lambda v: float(np.sum(wv * (v - yv) ** 2)),
        x0=np.full_like(yv, np.average(yv, weights=wv)),  # feasible start
        jac=lambda v: 2 * wv * (v - yv),
        constraints=_constraints(y.shape, increasing_x, increasing_y),
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    assert res.success, res.message
    return res.x.reshape(y.shape)


def _monotone(fit: np.ndarray, increasing_x: bool, increasing_y: bool, tol: float) -> bool:
    dx = np.diff(fit, axis=1) * (1 if increasing_x else -1)
    dy = np.diff(fit, axis=0) * (1 if increasing_y else -1)
    return bool((dx >= -tol).all() and (dy >= -tol).all())


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(("increasing_x", "increasing_y"), [(True, False), (True, True)])
def test_matches_a_brute_force_qp_on_3x3(seed: int, increasing_x: bool, increasing_y: bool) -> None:
    rng = np.random.default_rng(seed)
    y = rng.uniform(0, 1, (3, 3))
    w = rng.uniform(0.2, 5, (3, 3))
    fit = isotonic_grid(y, w, increasing_x=increasing_x, increasing_y=increasing_y)
    qp = _qp(y, w, increasing_x, increasing_y)
    assert _monotone(fit, increasing_x, increasing_y, 1e-9)
    np.testing.assert_allclose(fit, qp, atol=1e-6)
    # The QP's optimum cannot be beaten: the fit's objective is no larger.
    assert np.sum(w * (fit - y) ** 2) <= np.sum(w * (qp - y) ** 2) + 1e-10


def test_matches_a_brute_force_qp_on_a_rectangle() -> None:
    rng = np.random.default_rng(99)
    y = rng.uniform(0, 1, (3, 5))
    w = rng.uniform(0.2, 5, (3, 5))
    np.testing.assert_allclose(isotonic_grid(y, w), _qp(y, w, True, False), atol=1e-6)


def test_monotone_input_is_returned_unchanged() -> None:
    x = np.linspace(0, 1, 5)
    y = np.linspace(0, 1, 4)
    grid = x[None, :] - y[:, None]  # increasing in x, decreasing in y
    np.testing.assert_allclose(isotonic_grid(grid, np.full(grid.shape, 3.0)), grid)


def test_one_row_is_a_one_dimensional_isotonic_regression() -> None:
    rng = np.random.default_rng(3)
    y, w = rng.uniform(0, 1, 9), rng.uniform(0.5, 2, 9)
    fit = isotonic_grid(y[None, :], w[None, :])[0]
    np.testing.assert_allclose(fit, _pava(y, w, True), atol=1e-12)


def test_weights_scale_free_and_larger_grid_monotone() -> None:
    rng = np.random.default_rng(5)
    y = rng.uniform(0, 1, (9, 9))
    w = rng.uniform(0.1, 10, (9, 9))
    fit = isotonic_grid(y, w)
    assert _monotone(fit, True, False, 1e-9)
    np.testing.assert_allclose(isotonic_grid(y, 7.5 * w), fit, atol=1e-8)
    # Optimality (KKT): the weighted residuals of each pooled block sum to zero, so the fit's
    # weighted mean equals the data's.
    assert np.sum(w * (fit - y)) == pytest.approx(0.0, abs=1e-8)


def test_numpy_pava_agrees_with_scipy() -> None:
    iso = pytest.importorskip("scipy.optimize").__dict__.get("isotonic_regression")
    if iso is None:
        pytest.skip("SciPy < 1.12 has no isotonic_regression")
    rng = np.random.default_rng(11)
    for _ in range(20):
        y, w = rng.normal(size=12), rng.uniform(0.1, 3, 12)
        for inc in (True, False):
            np.testing.assert_allclose(
                _pava(y, w, inc), iso(y, weights=w, increasing=inc).x, atol=1e-12
            )


@pytest.mark.parametrize(
    ("values", "weights"),
    [
        (np.zeros(3), None),
        (np.zeros((0, 2)), None),
        (np.array([[0.0, np.nan]]), None),
        (np.zeros((2, 2)), np.ones((2, 3))),
        (np.zeros((2, 2)), np.array([[1.0, 0.0], [1.0, 1.0]])),
        (np.zeros((2, 2)), np.array([[1.0, np.inf], [1.0, 1.0]])),
    ],
)
def test_bad_input_is_an_input_error(values: np.ndarray, weights: np.ndarray | None) -> None:
    with pytest.raises(InputError):
        isotonic_grid(values, weights)


def test_no_convergence_is_a_model_error() -> None:
    from herz.errors import ModelError

    y = np.random.default_rng(2).uniform(0, 1, (4, 4))
    with pytest.raises(ModelError):
        isotonic_grid(y, max_iter=1)
