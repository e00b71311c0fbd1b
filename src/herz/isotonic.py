"""Isotonic regression on a two-dimensional grid: a surface monotone along both axes.

:func:`isotonic_grid` fits, to values on a grid, the weighted least-squares surface that is
monotone along each row and along each column (increasing or decreasing, chosen per axis): the
projection of the values onto the intersection of two convex cones, computed by Dykstra's (1983)
alternating projections. Projecting onto one cone is a one-dimensional isotonic regression of
every row (or column), the pool-adjacent-violators algorithm (``scipy.optimize.isotonic_regression``
where SciPy ≥ 1.12 provides it, a NumPy version of the same algorithm otherwise). Used for P(war)
over Jervis's four worlds (docs/experiments.md, "Jervis's four worlds").

>>> import numpy as np
>>> from herz.isotonic import isotonic_grid
>>> grid = np.array([[0.2, 0.4], [0.5, 0.2]])  # rows: y = 0, 1; columns: x = 0, 1
>>> isotonic_grid(grid).round(6)  # increasing in x, decreasing in y: three cells pooled
array([[0.3, 0.4],
       [0.3, 0.3]])

References: Dykstra, R. L. (1983), "An algorithm for restricted least squares regression",
JASA 78(384): 837-842; Robertson, Wright & Dykstra (1988), *Order Restricted Statistical
Inference*, ch. 1.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from herz.errors import InputError, ModelError

__all__ = ["isotonic_grid"]


def _pava(y: NDArray[np.float64], w: NDArray[np.float64], increasing: bool) -> NDArray[np.float64]:
    """Weighted pool-adjacent-violators: the isotonic (or antitonic) regression of ``y``."""
    if not increasing:
        return -_pava(-y, w, True)
    means: list[float] = []
    weights: list[float] = []
    sizes: list[int] = []
    for value, weight in zip(y.tolist(), w.tolist(), strict=True):
        means.append(value)
        weights.append(weight)
        sizes.append(1)
        while len(means) > 1 and means[-2] > means[-1]:
            total = weights[-2] + weights[-1]
            mean = (weights[-2] * means[-2] + weights[-1] * means[-1]) / total
            size = sizes[-2] + sizes[-1]
            del means[-1], weights[-1], sizes[-1]
            means[-1], weights[-1], sizes[-1] = mean, total, size
    return np.repeat(np.asarray(means, dtype=float), sizes)


def _isotonic_1d() -> Any:
    """SciPy's PAVA (≥ 1.12), else :func:`_pava`, as ``f(y, w, increasing) -> x``."""
    try:
        from scipy.optimize import isotonic_regression
    except ImportError:  # SciPy 1.11
        return _pava

    def fit(y: NDArray[np.float64], w: NDArray[np.float64], increasing: bool) -> Any:
        return isotonic_regression(y, weights=w, increasing=increasing).x

    return fit


def _project_rows(
    z: NDArray[np.float64], w: NDArray[np.float64], increasing: bool, fit: Any
) -> NDArray[np.float64]:
    out = np.empty_like(z)
    for i in range(z.shape[0]):
        out[i] = fit(z[i], w[i], increasing)
    return out


def isotonic_grid(
    values: ArrayLike,
    weights: ArrayLike | None = None,
    *,
    increasing_x: bool = True,
    increasing_y: bool = False,
    tol: float = 1e-10,
    max_iter: int = 100_000,
) -> NDArray[np.float64]:
    """The weighted least-squares fit to ``values`` that is monotone along both axes.

    Minimizes Σ w (fit − values)² over surfaces monotone in x (along each row) and in y (along
    each column), by Dykstra's alternating projections onto the two cones, each projection a
    weighted pool-adjacent-violators regression of every row or every column. Stops when no
    cell moves by more than ``tol`` in an iteration and the two projections agree within
    ``tol``; the fit returned is then exactly monotone in y and monotone in x within ``tol``.

    Parameters
    ----------
    values:
        A 2-D array, ``values[i, j]`` at the i-th y and the j-th x (rows are y, columns x: the
        layout of a heat map), both in increasing order.
    weights:
        Positive finite weights of the same shape (typically 1 / variance); default all 1.
    increasing_x, increasing_y:
        The direction of monotonicity along x (rows) and along y (columns).
    tol:
        Convergence tolerance (largest change of a cell).
    max_iter:
        Most iterations before giving up.

    Returns
    -------
    ndarray
        The fitted surface, the shape of ``values``.

    Raises
    ------
    InputError
        If ``values`` is not a non-empty 2-D array of finite numbers, or ``weights`` is not
        positive, finite and of the same shape.
    ModelError
        If the iteration has not converged within ``max_iter`` iterations.
    """
    y = np.asarray(values, dtype=float)
    if y.ndim != 2 or y.size == 0:
        raise InputError(
            f"values must be a non-empty 2-D grid, got shape {y.shape}.", value=y.shape
        )
    if not np.isfinite(y).all():
        raise InputError("values must be finite (no NaN or infinity).", field="values")
    w = np.ones_like(y) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != y.shape:
        raise InputError(
            f"weights must have the shape of values {y.shape}, got {w.shape}.", value=w.shape
        )
    if not (np.isfinite(w).all() and (w > 0).all()):
        raise InputError("weights must be positive and finite.", field="weights")
    if not tol > 0 or max_iter < 1:
        raise InputError(
            f"tol must be positive and max_iter at least 1, got {tol} and {max_iter}.",
            value=(tol, max_iter),
        )
    fit = _isotonic_1d()
    x = y.copy()
    p = np.zeros_like(y)  # Dykstra's increments, one per cone
    q = np.zeros_like(y)
    for _ in range(max_iter):
        a = _project_rows(x + p, w, increasing_x, fit)  # monotone in x
        p = x + p - a
        b = _project_rows((a + q).T, w.T, increasing_y, fit).T  # monotone in y
        q = a + q - b
        moved = float(np.max(np.abs(b - x)))
        gap = float(np.max(np.abs(b - a)))
        x = b
        if moved < tol and gap < tol:
            return x
    raise ModelError(
        f"the isotonic fit did not converge in {max_iter} iterations (tolerance {tol})."
    )
