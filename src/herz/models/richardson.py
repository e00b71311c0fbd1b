"""Richardson's arms-race equations for N actors.

Lewis F. Richardson (1939), *Generalized Foreign Politics*, and (1960), *Arms and Insecurity*.
For two actors with armaments x and y,

.. math::

    \\dot x = k\\,y - a\\,x + g, \\qquad \\dot y = l\\,x - b\\,y + h,

with reaction ("defence") coefficients k, l > 0, fatigue-and-expense coefficients a, b > 0 and
grievances g, h (negative values are goodwill). For N actors,

.. math::

    \\dot x = (K - A)\\,x + g = M x + g, \\qquad A = \\operatorname{diag}(a),

where ``K[i, j]`` is i's reaction to j (zero on the diagonal; zero or negative toward an ally).

* Equilibrium: :math:`x^* = -M^{-1} g` (two actors: :math:`x^* = (kh + bg)/(ab - kl)`,
  :math:`y^* = (lg + ah)/(ab - kl)`).
* Stability: every eigenvalue of M has a negative real part (two actors: ab > kl).
* Closed form: :math:`x(t) = x^* + e^{Mt}(x_0 - x^*)`; for a singular M the same solution is
  read off the matrix exponential of the augmented matrix ``[[M, g], [0, 0]]`` (Van Loan 1978),
  which is what this module uses everywhere, so a singular system needs no special case.

Two discrete forms are offered by :func:`simulate`:

``method="exact"`` (default)
    The continuous model sampled every ``dt`` years: ``x_{t+1} = P x_t + c`` with
    ``P = expm(M dt)``. It agrees with the closed form to rounding error.
``method="euler"``
    Richardson's annual difference equation ``x_{t+1} = x_t + dt (M x_t + g)``, the form that is
    fitted to budget data. Where the continuous model is stable the annual form can still
    overshoot or diverge (when ``dt`` times an eigenvalue leaves the unit circle around -1).

Spending cannot be negative, so both forms floor each actor at 0 after every step (``floor=True``).
With K ≥ 0 and g ≥ 0 the continuous model never reaches the floor from a non-negative start
(M is a Metzler matrix, so the positive orthant is invariant); with goodwill (g < 0) or negative
reactions an actor can hit 0 and then stays there while its net drive is negative. After the floor
binds, the closed form no longer describes the path.

Optional noise is multiplicative and mean-preserving: each step's deterministic value is
multiplied by ``exp(σ √dt ε − σ² dt / 2)`` with ε standard normal (budget shocks proportional to
the budget), drawn from run i's own stream ``SeedSequence(seed, spawn_key=(i,))``.

**Blocs.** Richardson summed France + Russia and Germany + Austria-Hungary into two actors.
:func:`aggregate` does this exactly under the assumption that each member keeps its initial share
s_j of its bloc's total: ``K_AB = Σ_{i∈A} Σ_{j∈B} K_ij s_j``,
``a_A = Σ_{i∈A} a_i s_i − Σ_{i,j∈A} K_ij s_j`` and ``g_A = Σ_{i∈A} g_i``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import Field
from scipy.linalg import expm

from herz._random import run_generator
from herz._validation import StrictModel
from herz.errors import InputError, ModelError
from herz.models._base import COMMON_OUTCOMES, Measure, Model, Progress
from herz.models._frames import ensemble_mean, state_column, tidy_frame
from herz.models.richardson_constants import CONSTANTS
from herz.scenario import RichardsonParams

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from herz.results import Result
    from herz.scenario import Scenario

__all__ = [
    "DISTINGUISHABILITY_WEIGHT",
    "REASSURANCE_REACTION",
    "Richardson",
    "RichardsonOptions",
    "RichardsonSystem",
    "Stability",
    "aggregate",
    "closed_form",
    "coefficients_from_scenario",
    "equilibrium",
    "simulate",
    "simulate_scenario",
    "stability",
    "two_actor",
]

FloatArray = NDArray[np.float64]
Method = Literal["exact", "euler"]

#: Relative tolerance used to call an eigenvalue zero or an equilibrium degenerate.
_TOL = 1e-12

#: Share of the derived reaction to a non-ally kept by a state with a ``reassurance`` doctrine
#: (:func:`coefficients_from_scenario`). **Ours**: Osgood (1962) argues for graduated,
#: reciprocated restraint but gives no number; one half lies midway between a full reaction
#: (1, a defensive doctrine) and none (0). Listed in :mod:`herz.models.richardson_constants`.
REASSURANCE_REACTION = 0.5

#: Weight of distinguishability δ in the derived reaction's factor ``(1 − w·δ)``
#: (:func:`coefficients_from_scenario`). **Ours**: Jervis (1978) says that telling defensive
#: from offensive arms eases the dilemma, not by how much; with one half, fully
#: distinguishable postures (δ = 1) halve the reaction and indistinguishable ones (δ = 0) leave
#: it whole. Listed in :mod:`herz.models.richardson_constants`.
DISTINGUISHABILITY_WEIGHT = 0.5


def _system_matrix(K: FloatArray, a: FloatArray) -> FloatArray:
    K = np.asarray(K, dtype=float)
    M = K - np.diag(np.diag(K)) - np.diag(np.asarray(a, dtype=float))
    return M


def _augmented(M: FloatArray, g: FloatArray) -> FloatArray:
    n = M.shape[0]
    aug = np.zeros((n + 1, n + 1))
    aug[:n, :n] = M
    aug[:n, n] = g
    return aug


def equilibrium(K: ArrayLike, a: ArrayLike, g: ArrayLike) -> FloatArray:
    """The equilibrium :math:`x^* = -(K - A)^{-1} g` (Richardson 1960).

    Raises
    ------
    ModelError
        If K − A is singular (two actors: ab = kl), where no unique equilibrium exists.
    """
    M = _system_matrix(np.asarray(K, dtype=float), np.asarray(a, dtype=float))
    g_arr = np.asarray(g, dtype=float)
    # singular (to working precision) when the smallest singular value is a negligible share of
    # the largest; the determinant of M scaled by its largest entry, tested before, shrinks with
    # the number of actors and the spread of the rates (15 actors, fatigue 1 and 0.1 × 14:
    # det 1e-14, a condition number of 10, called singular)
    sv = np.linalg.svd(M, compute_uv=False)
    if not sv.size or sv[-1] <= 1e-12 * max(float(sv[0]), 1e-300):
        raise ModelError("the Richardson system is singular (ab = kl): there is no equilibrium")
    return np.asarray(-np.linalg.solve(M, g_arr), dtype=float)


@dataclass(frozen=True)
class Stability:
    """The stability of a Richardson system and the regime it is in.

    Attributes
    ----------
    stable:
        Every eigenvalue of K − A has a negative real part.
    regime:
        ``"stable equilibrium"``; ``"runaway race"`` (unstable, arms grow without bound from this
        start); ``"disarmament"`` (unstable, arms fall to the floor from this start); or
        ``"unstable equilibrium"`` (the start lies exactly on the dividing line).
    eigenvalues:
        Eigenvalues of K − A, sorted by decreasing real part.
    """

    stable: bool
    regime: str
    eigenvalues: NDArray[np.complex128]


def stability(K: ArrayLike, a: ArrayLike, g: ArrayLike, x0: ArrayLike | None = None) -> Stability:
    """Stability and regime of ``dx/dt = (K - A) x + g`` started at ``x0``.

    In the unstable case the regime depends on where the start lies relative to the equilibrium
    along the dominant eigenvector (Richardson 1960, ch. 3): above it, a runaway race; below it,
    mutual disarmament. For reactions K ≥ 0 (a Metzler matrix) the dominant eigenvalue is real
    with a non-negative eigenvector (Perron–Frobenius), so the side is well defined. When the
    dominant eigenvalue is complex the side is read off the closed form far ahead.
    """
    K_arr = np.asarray(K, dtype=float)
    a_arr = np.asarray(a, dtype=float)
    g_arr = np.asarray(g, dtype=float)
    M = _system_matrix(K_arr, a_arr)
    vals, right = np.linalg.eig(M)
    order = np.argsort(-vals.real, kind="stable")
    vals = vals[order]
    right = right[:, order]
    scale = max(float(np.abs(M).max()), 1.0)
    if vals[0].real < -_TOL * scale:
        return Stability(True, "stable equilibrium", vals)
    start = np.zeros(M.shape[0]) if x0 is None else np.asarray(x0, dtype=float)
    try:
        x_star = equilibrium(K_arr, a_arr, g_arr)
    except ModelError:
        x_star = None
    if x_star is not None and abs(vals[0].imag) <= _TOL * scale:
        left_vals, left = np.linalg.eig(M.T)
        w = np.real(left[:, int(np.argmin(np.abs(left_vals - vals[0])))])
        v = np.real(right[:, 0])
        if v.sum() < 0:
            v = -v
        if w @ v < 0:
            w = -w
        side = float(w @ (start - x_star))
        tol = 1e-9 * max(1.0, float(np.abs(start).max()), float(np.abs(x_star).max()))
        if abs(side) <= tol:
            return Stability(False, "unstable equilibrium", vals)
        return Stability(False, "runaway race" if side > 0 else "disarmament", vals)
    # Singular or oscillatory: look at the direction of the closed form some e-folds ahead.
    horizon = 10.0 / max(abs(vals[0].real), 1e-3)
    ahead = closed_form(K_arr, a_arr, g_arr, start, np.array([horizon]))[0]
    drift = float(np.sum(ahead - start))
    return Stability(False, "runaway race" if drift > 0 else "disarmament", vals)


def closed_form(
    K: ArrayLike, a: ArrayLike, g: ArrayLike, x0: ArrayLike, t: ArrayLike
) -> FloatArray:
    """The exact solution :math:`x(t) = x^* + e^{Mt}(x_0 - x^*)`, shape ``(len(t), N)``.

    Computed through the augmented matrix exponential, so it also holds for singular M. No
    floor is applied.
    """
    M = _system_matrix(np.asarray(K, dtype=float), np.asarray(a, dtype=float))
    g_arr = np.asarray(g, dtype=float)
    x = np.asarray(x0, dtype=float)
    aug = _augmented(M, g_arr)
    n = M.shape[0]
    times = np.atleast_1d(np.asarray(t, dtype=float))
    out = np.empty((times.size, n))
    for k, tk in enumerate(times):
        E = expm(aug * tk)
        out[k] = E[:n, :n] @ x + E[:n, n]
    return out


def _run_normals(
    seed: int, run_ids: NDArray[np.int64], shape: tuple[int, ...], key: Sequence[int] = ()
) -> FloatArray:
    """Standard normals for each run from its own stream (see :mod:`herz._random`).

    One call per run (not per step), so the draws of run i depend only on (seed, key, i).
    """
    out = np.empty((run_ids.size, *shape))
    for k, i in enumerate(run_ids):
        out[k] = run_generator(seed, int(i), key).standard_normal(shape)
    return out


def simulate(
    K: ArrayLike,
    a: ArrayLike,
    g: ArrayLike,
    x0: ArrayLike,
    *,
    steps: int,
    dt: float = 1.0,
    runs: int = 1,
    noise: float | ArrayLike = 0.0,
    seed: int = 0,
    method: Method = "exact",
    floor: bool = True,
    shocks: dict[int, FloatArray] | None = None,
    run_offset: int = 0,
    stream_key: Sequence[int] = (),
    chunk: int = 4096,
) -> FloatArray:
    """Simulate an ensemble of Richardson systems; returns ``(runs, steps + 1, N)``.

    Parameters
    ----------
    K, a, g, x0:
        Reaction matrix (N, N), fatigue (N,), grievance (N,), start (N,).
    steps, dt:
        Number of steps and their length in years.
    runs:
        Ensemble size (the first axis of the result). Without noise all runs are equal.
    noise:
        σ of the multiplicative, mean-preserving log-normal shock per √year (scalar or per actor).
    seed:
        Root seed; run i draws from ``SeedSequence(seed, spawn_key=(run_offset + i,))``.
    method:
        ``"exact"`` (continuous model sampled every dt) or ``"euler"`` (annual difference form).
    floor:
        Floor spending at zero after each step.
    shocks:
        ``{step: factors}``: after computing step ``step``, multiply the stocks by ``factors``
        (N,) — a technology shock.
    run_offset, stream_key:
        Run k of this call is run ``run_offset + k`` of the ensemble and draws from
        ``SeedSequence(seed, spawn_key=(*stream_key, run_offset + k))``.
    chunk:
        How many runs advance together in memory. It does not change the results, not even in
        the last bit: each run's product with the transition matrix is computed on its own, so
        a run is bit-identical whatever its batch (a sweep's chunk, a worker, a cluster).
    """
    if steps < 0:
        raise InputError(f"steps must be ≥ 0, got {steps}.", field="steps", value=steps)
    if runs < 1:
        raise InputError(f"runs must be ≥ 1, got {runs}.", field="runs", value=runs)
    if dt <= 0:
        raise InputError(f"dt must be > 0, got {dt}.", field="dt", value=dt)
    M = _system_matrix(np.asarray(K, dtype=float), np.asarray(a, dtype=float))
    g_arr = np.asarray(g, dtype=float)
    x_start = np.asarray(x0, dtype=float)
    n = M.shape[0]
    if method == "exact":
        E = expm(_augmented(M, g_arr) * dt)
        P, c = E[:n, :n], E[:n, n]
    elif method == "euler":
        P, c = np.eye(n) + dt * M, dt * g_arr
    else:
        raise InputError(
            f"method must be 'exact' or 'euler', got {method!r}.", field="method", value=method
        )
    sigma = np.broadcast_to(np.asarray(noise, dtype=float), (n,))
    noisy = bool(np.any(sigma > 0))
    shocks = shocks or {}
    PT = np.ascontiguousarray(P.T)
    out = np.empty((runs, steps + 1, n))
    for lo in range(0, runs, chunk):
        hi = min(lo + chunk, runs)
        x = np.broadcast_to(x_start, (hi - lo, n)).copy()
        out[lo:hi, 0] = x
        eps = (
            _run_normals(seed, np.arange(run_offset + lo, run_offset + hi), (steps, n), stream_key)
            if noisy
            else None
        )
        for t in range(1, steps + 1):
            # One (1, N) @ (N, N) product per run, not one (R, N) @ (N, N) product: BLAS picks
            # different kernels (and summation orders) for different R, which would make a run's
            # last bits depend on how many runs share its chunk; the stacked form does not.
            x = np.matmul(x[:, None, :], PT)[:, 0, :] + c
            if eps is not None:
                x *= np.exp(sigma * np.sqrt(dt) * eps[:, t - 1] - 0.5 * sigma**2 * dt)
            if t in shocks:
                x *= shocks[t]
            if floor:
                np.maximum(x, 0.0, out=x)
            out[lo:hi, t] = x
    return out


@dataclass(frozen=True)
class RichardsonSystem:
    """A Richardson system: actors, coefficients and a start.

    Attributes
    ----------
    actors:
        Actor labels (state ids, or bloc names after :func:`aggregate`).
    K:
        Reaction matrix, ``K[i, j]`` = i's reaction to j per year (diagonal ignored).
    a:
        Fatigue-and-expense coefficients per year.
    g:
        Grievances (military units per year).
    x0:
        Starting stocks.
    members:
        For blocs, the states summed into each actor.
    """

    actors: list[str]
    K: FloatArray
    a: FloatArray
    g: FloatArray
    x0: FloatArray
    members: list[list[str]] = field(default_factory=list)

    @property
    def M(self) -> FloatArray:
        """The system matrix K − A."""
        return _system_matrix(self.K, self.a)

    def equilibrium(self) -> FloatArray:
        """See :func:`equilibrium`."""
        return equilibrium(self.K, self.a, self.g)

    def stability(self) -> Stability:
        """See :func:`stability` (from this system's start)."""
        return stability(self.K, self.a, self.g, self.x0)

    def closed_form(self, t: ArrayLike) -> FloatArray:
        """See :func:`closed_form` (from this system's start)."""
        return closed_form(self.K, self.a, self.g, self.x0, t)

    def simulate(self, steps: int, **kwargs: Any) -> FloatArray:
        """See :func:`simulate` (from this system's start)."""
        return simulate(self.K, self.a, self.g, self.x0, steps=steps, **kwargs)

    def aggregate(self, groups: Sequence[Sequence[str]], names: Sequence[str]) -> RichardsonSystem:
        """See :func:`aggregate`."""
        return aggregate(self, groups, names)


def two_actor(
    k: float, l: float, a: float, b: float, g: float, h: float, x0: float = 0.0, y0: float = 0.0
) -> RichardsonSystem:
    """Richardson's two-actor system ``dx/dt = k y − a x + g``, ``dy/dt = l x − b y + h``."""
    return RichardsonSystem(
        actors=["x", "y"],
        K=np.array([[0.0, k], [l, 0.0]]),
        a=np.array([a, b], dtype=float),
        g=np.array([g, h], dtype=float),
        x0=np.array([x0, y0], dtype=float),
    )


def aggregate(
    system: RichardsonSystem, groups: Sequence[Sequence[str]], names: Sequence[str]
) -> RichardsonSystem:
    """Sum the members of each group into one actor (Richardson's blocs).

    Exact if every member keeps its initial share ``s_j`` of its bloc (see the module docstring);
    members with zero total stock are weighted equally. Every actor must be in exactly one group.
    """
    index = {s: i for i, s in enumerate(system.actors)}
    flat = [s for grp in groups for s in grp]
    missing = [s for s in system.actors if s not in flat]
    unknown = [s for s in flat if s not in index]
    if unknown:
        raise InputError(f"blocs: unknown actor {unknown[0]!r}.", field="blocs", value=unknown[0])
    if len(set(flat)) != len(flat):
        dup = next(s for s in flat if flat.count(s) > 1)
        raise InputError(f"blocs: actor {dup!r} is in two blocs.", field="blocs", value=dup)
    if missing:
        raise InputError(
            f"blocs: actor {missing[0]!r} is in no bloc.", field="blocs", value=missing[0]
        )
    n_b = len(groups)
    S = np.zeros((n_b, len(system.actors)))  # S[B, j] = share of j in bloc B
    G = np.zeros_like(S)  # membership indicator
    for b, grp in enumerate(groups):
        idx = [index[s] for s in grp]
        total = system.x0[idx].sum()
        S[b, idx] = system.x0[idx] / total if total > 0 else 1.0 / len(idx)
        G[b, idx] = 1.0
    K = system.K - np.diag(np.diag(system.K))
    coupling = G @ K @ S.T  # coupling[A, B] = Σ_{i∈A} Σ_{j∈B} K_ij s_j
    a_blocs = G @ (system.a * S.sum(axis=0)) - np.diag(coupling)
    K_blocs = coupling - np.diag(np.diag(coupling))
    return RichardsonSystem(
        actors=list(names),
        K=K_blocs,
        a=a_blocs,
        g=G @ system.g,
        x0=G @ system.x0,
        members=[list(grp) for grp in groups],
    )


def _per_state(value: float | dict[str, float] | None, ids: list[str], default: FloatArray) -> Any:
    if value is None:
        return default
    if isinstance(value, dict):
        out = np.zeros(len(ids)) if default is None else default.copy()
        for s, v in value.items():
            out[ids.index(s)] = v
        return out
    return np.full(len(ids), float(value))


def coefficients_from_scenario(
    scenario: Scenario,
    *,
    reassurance_reaction: float = REASSURANCE_REACTION,
    distinguishability_weight: float = DISTINGUISHABILITY_WEIGHT,
) -> RichardsonSystem:
    """Richardson coefficients for a scenario: those its ``richardson:`` block gives, the rest
    derived by the rule below (**ours**, a documented operationalization, not Richardson's).

    With κ = ``richardson.derive.reaction_scale``, α = ``derive.fatigue``, γ the grievance shares,
    ω the offense advantage, δ the distinguishability and β_i state i's bias:

    * reaction to a non-ally j: ``K_ij = κ (1 + ω)(1 − δ/2)(1 + β_i) / n_i``, n_i the number of
      i's non-allies, so a state's total reaction is shared among its rivals. Offense advantage
      makes others' arms more threatening and indistinguishability makes them look offensive
      (Jervis 1978); bias inflates the threat perceived (Jervis 1976). States with a
      ``reassurance`` doctrine react at half strength (:data:`REASSURANCE_REACTION`; the
      restraint is Osgood's 1962, the half is ours). The 1/2 of δ/2 is
      :data:`DISTINGUISHABILITY_WEIGHT` (ours).
    * reaction to an ally (an alliance in force at any time in the scenario's time range):
      ``K_ij = derive.ally_reaction · κ`` (0 by default: allies do not race each other; negative
      values model free-riding).
    * fatigue: ``a_i = α`` (per year);
    * grievance: ``g_i = γ_i a_i x_i(0)``, γ_i = ``derive.grievance_share`` for security seekers
      and ``derive.greedy_grievance_share`` for greedy states — the part of the budget that does
      not respond to the others (domestic drivers, ambitions).

    The start is each state's ``military``. Richardson's model ignores ``economy``,
    ``max_budget_share``, ``intelligence`` and all events except technology shocks.

    ``reassurance_reaction`` and ``distinguishability_weight`` replace the two rule constants
    (for their sensitivity analysis, docs/ours_sensitivity.py); the defaults are the module's
    :data:`REASSURANCE_REACTION` and :data:`DISTINGUISHABILITY_WEIGHT`. Like the constants they
    act only on derived reactions: a given ``richardson.reaction`` bypasses them.
    """
    for label, value in (
        ("reassurance_reaction", reassurance_reaction),
        ("distinguishability_weight", distinguishability_weight),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise InputError(
                f"{label}: must be a number in [0, 1], got {value!r}.", field=label, value=value
            )
    params = scenario.richardson
    derive = params.derive if params is not None else None
    if derive is None:
        from herz.scenario import RichardsonDerive

        derive = RichardsonDerive()
    ids = scenario.ids
    n = len(ids)
    x0 = np.array([s.military for s in scenario.states], dtype=float)
    w = scenario.world
    allied = np.zeros((n, n), dtype=bool)
    for alliance in _alliances_in_window(scenario):
        idx = [ids.index(m) for m in alliance.members]
        allied[np.ix_(idx, idx)] = True
    np.fill_diagonal(allied, False)
    rivals = ~allied
    np.fill_diagonal(rivals, False)
    n_rivals = np.maximum(rivals.sum(axis=1), 1)
    bias = np.array([s.bias for s in scenario.states])
    reassure = np.array(
        [reassurance_reaction if s.doctrine == "reassurance" else 1.0 for s in scenario.states]
    )
    intensity = (
        derive.reaction_scale
        * (1 + w.offense_advantage)
        * (1 - distinguishability_weight * w.distinguishability)
        * (1 + bias)
        * reassure
        / n_rivals
    )
    K_derived = np.where(rivals, intensity[:, None], 0.0) + np.where(
        allied, derive.ally_reaction * derive.reaction_scale, 0.0
    )
    a_derived = np.full(n, derive.fatigue)

    K = K_derived
    a = a_derived
    if params is not None and params.reaction is not None:
        if isinstance(params.reaction, dict):
            K = np.zeros((n, n))
            for i, row in params.reaction.items():
                for j, v in row.items():
                    K[ids.index(i), ids.index(j)] = v
        else:
            K = np.where(rivals, float(params.reaction), 0.0)
    if params is not None:
        a = _per_state(params.fatigue, ids, a_derived)
    share = np.array(
        [
            derive.greedy_grievance_share if s.type == "greedy" else derive.grievance_share
            for s in scenario.states
        ]
    )
    g = share * a * x0
    if params is not None:
        g = _per_state(params.grievance, ids, g)
    np.fill_diagonal(K, 0.0)
    return RichardsonSystem(actors=ids, K=K, a=np.asarray(a, float), g=np.asarray(g, float), x0=x0)


def _alliances_in_window(scenario: Scenario) -> list[Any]:
    """The scenario's alliances in force at some time between its start and its end."""
    lo, hi = scenario.time.start, scenario.time.end
    return [
        a
        for a in scenario.alliances
        if (a.from_year is None or a.from_year <= hi) and (a.until is None or a.until >= lo)
    ]


def _blocs_of(scenario: Scenario) -> tuple[list[list[str]], list[str]]:
    """The scenario's alliances (in force at some time in its range) as blocs, plus each
    unaligned state on its own. Alliances with the same members are one bloc."""
    groups: list[list[str]] = []
    names: list[str] = []
    used: dict[str, str] = {}
    for alliance in _alliances_in_window(scenario):
        if sorted(alliance.members) in [sorted(g) for g in groups]:
            continue
        for m in alliance.members:
            if m in used:
                raise InputError(
                    f"blocs: state {m!r} is in both {used[m]!r} and {alliance.name!r}; "
                    f"blocs must not overlap.",
                    field="alliances",
                    value=m,
                )
            used[m] = alliance.name
        groups.append(list(alliance.members))
        names.append(alliance.name)
    for s in scenario.ids:
        if s not in used:
            groups.append([s])
            names.append(s)
    return groups, names


def simulate_scenario(
    scenario: Scenario,
    *,
    steps: int,
    runs: int,
    seed: int,
    keep: str = "series",
    run_offset: int = 0,
    stream_key: Sequence[int] = (),
    method: Method | None = None,
    blocs: bool = False,
    noise: float | None = None,
    floor: bool = True,
) -> Result:
    """Run Richardson's model on a scenario (the ``model="richardson"`` entry of
    :func:`herz.simulate`).

    Parameters
    ----------
    method:
        ``"exact"`` or ``"euler"`` (see :func:`simulate`); ``None`` (default): the form the
        scenario's ``richardson.method`` says its coefficients are for, else ``"exact"``.
        Coefficients fitted to yearly changes (``richardson.fitted`` with ``method: euler``)
        are those of the annual map and run only with one-year steps.
    run_offset, stream_key:
        Run k of this call is run ``run_offset + k`` (its ``run`` label in the series) and draws
        from ``SeedSequence(seed, spawn_key=(*stream_key, run_offset + k))``.
    blocs:
        Sum the members of each alliance (in force at some time in the scenario's range) into
        one actor; overlapping alliances with different members are an error.
    noise:
        Overrides ``richardson.noise`` (relative σ per √year).
    method, floor:
        See :func:`simulate`.
    """

    from herz.results import Result
    from herz.scenario import TechnologyShockEvent

    params = scenario.richardson
    if method is None:
        method = params.method if params is not None and params.method is not None else "exact"
    dt = scenario.time.step
    if params is not None and params.fitted is not None and method == "euler" and dt != 1:
        raise InputError(
            f"{scenario.origin}: time.step: the richardson coefficients were fitted to yearly "
            f"changes ({params.fitted.dataset} {params.fitted.years}) and run only with "
            f"one-year steps, got {dt:g}.",
            field="time.step",
            value=dt,
        )
    system = coefficients_from_scenario(scenario)
    if blocs:
        groups, names = _blocs_of(scenario)
        system = aggregate(system, groups, names)
    n = len(system.actors)
    start = scenario.time.start
    shocks: dict[int, FloatArray] = {}
    military = {st.id: st.military for st in scenario.states}
    groups = system.members or [[actor] for actor in system.actors]
    for ev in scenario.events:
        if isinstance(ev, TechnologyShockEvent):
            t = round((ev.year - start) / dt)
            if not 1 <= t <= steps:
                continue
            factors = shocks.setdefault(t, np.ones(n))
            for b, grp in enumerate(groups):
                if ev.state in grp:  # in a bloc, the shock scales with the member's share
                    total = sum(military[m] for m in grp)
                    share = military[ev.state] / total if total > 0 else 1.0 / len(grp)
                    factors[b] *= 1.0 + (ev.factor - 1.0) * share
    sigma = (
        noise if noise is not None else (scenario.richardson.noise if scenario.richardson else 0)
    )
    if sigma < 0:
        raise InputError(f"noise must be ≥ 0, got {sigma}.", field="noise", value=sigma)
    paths = system.simulate(
        steps,
        dt=dt,
        runs=runs,
        noise=sigma,
        seed=seed,
        method=method,
        floor=floor,
        shocks=shocks,
        run_offset=run_offset,
        stream_key=stream_key,
    )
    stab = system.stability()
    try:
        x_star: FloatArray | None = system.equilibrium()
    except ModelError:
        x_star = None
    final = paths[:, -1, :]
    summary: dict[str, Any] = {
        "method": method,
        "blocs": blocs,
        "noise": float(sigma),
        "actors": system.actors,
        "members": dict(zip(system.actors, system.members, strict=True)) if blocs else None,
        "units": scenario.units.military,
        "fitted": (
            params.fitted.model_dump(mode="json")
            if params is not None and params.fitted is not None
            else None
        ),
        "coefficients": {
            "reaction": {
                system.actors[i]: {
                    system.actors[j]: float(system.K[i, j]) for j in range(n) if j != i
                }
                for i in range(n)
            },
            "fatigue": dict(zip(system.actors, map(float, system.a), strict=True)),
            "grievance": dict(zip(system.actors, map(float, system.g), strict=True)),
        },
        "initial": dict(zip(system.actors, map(float, system.x0), strict=True)),
        "equilibrium": (
            dict(zip(system.actors, map(float, x_star), strict=True))
            if x_star is not None
            else None
        ),
        "stable": stab.stable,
        "regime": stab.regime,
        "eigenvalues": [{"real": float(v.real), "imag": float(v.imag)} for v in stab.eigenvalues],
        "final_mean": dict(zip(system.actors, map(float, final.mean(axis=0)), strict=True)),
        "final_military_mean": float(final.sum(axis=1).mean()),
        "final_military_mean_se": (
            float(final.sum(axis=1).std(ddof=1) / np.sqrt(runs)) if runs > 1 else None
        ),
        "final_sd": dict(
            zip(
                system.actors,
                map(float, final.std(axis=0, ddof=1) if runs > 1 else [0.0] * n),
                strict=True,
            )
        ),
        "sources": [s.citation for s in scenario.sources],
    }
    series = None
    if keep == "series":
        t_idx = np.arange(steps + 1)
        series = tidy_frame(
            {
                "run": np.repeat(np.arange(run_offset, run_offset + runs), (steps + 1) * n),
                "t": np.tile(np.repeat(t_idx, n), runs),
                "year": np.tile(np.repeat(start + dt * t_idx, n), runs),
                "state": state_column(system.actors, runs * (steps + 1)),
                "military": paths.reshape(-1),
            }
        )
    # the ensemble mean per step and actor, as the series' groupby mean gives it, kept in every
    # mode: the comparison with the record needs only this, not the series
    t_idx = np.arange(steps + 1)
    means = tidy_frame(
        {
            "t": np.repeat(t_idx, n),
            "year": np.repeat(start + dt * t_idx, n),
            "state": state_column(system.actors, steps + 1),
            "military": ensemble_mean(paths).reshape(-1),
        }
    )
    return Result(
        model="richardson",
        scenario=scenario,
        seed=seed,
        summary=summary,
        series=series,
        outcomes=_outcomes(paths, system.actors, run_offset),
        extra={"means": means},
    )


def _outcomes(paths: FloatArray, actors: list[str], run_offset: int) -> pd.DataFrame:
    """One row per run: the final stock of each actor, their total, and the arms growth.

    ``arms_growth`` is the ratio of the final to the initial total stock (NaN when the initial
    total is 0): above 1 the run ended in a race, below 1 in (partial) disarmament. Sweeps
    store these columns per run (see :mod:`herz.experiment`).
    """
    import pandas as pd

    final = paths[:, -1, :]
    total = final.sum(axis=1)
    initial = float(paths[0, 0, :].sum()) if paths.shape[0] else 0.0
    growth = total / initial if initial > 0 else np.full(total.shape, np.nan)
    columns: dict[str, Any] = {
        "run": np.arange(run_offset, run_offset + paths.shape[0], dtype=np.int64),
        "final_military": total,
        "arms_growth": growth,
    }
    for k, actor in enumerate(actors):
        columns[f"final_military_{actor}"] = final[:, k]
    return pd.DataFrame(columns)


# -- the registered model ---------------------------------------------------------------------
class RichardsonOptions(StrictModel):
    """Run options of Richardson's model (``herz run --option NAME=VALUE``, sweeps' ``options``)."""

    method: Literal["exact", "euler"] | None = Field(
        default=None,
        description="exact: the closed form step by step; euler: Richardson's annual difference "
        "form (can overshoot where the continuous system is stable); default: the scenario's "
        "richardson.method (the form its coefficients are for), else exact.",
    )
    blocs: bool = Field(
        default=False,
        description="Sum each alliance's members into one actor (Richardson's two blocs).",
    )
    noise: float | None = Field(
        default=None,
        ge=0,
        le=10,
        description="Relative noise σ per √year; default: the scenario's richardson.noise.",
    )
    floor: bool = Field(default=True, description="Floor spending at zero.")


class Richardson(Model):
    """Richardson's arms-race equations on a scenario (Richardson 1960; MODELS.md §1).

    Reads ``states`` (military, type), ``alliances``, ``events`` (technology shocks) and the
    ``richardson:`` block; ignores ``world`` and the other models' blocks.
    """

    name = "richardson"
    constants = CONSTANTS
    title = "Richardson's arms-race equations (linear ODEs, N actors, exact or annual)"
    citation = "Richardson, L. F. (1960). Arms and Insecurity. Boxwood Press."
    Params = RichardsonParams
    Options = RichardsonOptions
    outcomes = (
        COMMON_OUTCOMES["final_military"],
        COMMON_OUTCOMES["arms_growth"],
        COMMON_OUTCOMES["final_military_{state}"],
    )
    summary_fields = (
        Measure("regime", "str", "", "The regime (stable equilibrium, runaway race, disarmament)."),
        Measure("stable", "bool", "", "Stable (every eigenvalue of K − A negative)."),
        Measure("final_military_mean", "float", "scenario military unit", "Final total military."),
        Measure("initial", "float", "scenario military unit", "Start per actor."),
        Measure("equilibrium", "float", "scenario military unit", "Equilibrium per actor."),
        Measure("final_mean", "float", "scenario military unit", "Final (mean) per actor."),
        Measure("final_sd", "float", "scenario military unit", "Final (s.d.) per actor."),
    )

    def simulate(
        self,
        scenario: Scenario,
        *,
        steps: int,
        runs: int,
        seed: int,
        keep: str = "series",
        run_offset: int = 0,
        stream_key: Sequence[int] = (),
        progress: Progress | None = None,
        method: Method | None = None,
        blocs: bool = False,
        noise: float | None = None,
        floor: bool = True,
    ) -> Result:
        """Run the model (see :func:`simulate_scenario`)."""
        return simulate_scenario(
            scenario,
            steps=steps,
            runs=runs,
            seed=seed,
            keep=keep,
            run_offset=run_offset,
            stream_key=stream_key,
            method=method,
            blocs=blocs,
            noise=noise,
            floor=floor,
        )

    def memory_bytes(self, scenario: Scenario, *, steps: int, runs: int, keep: str) -> int:
        """The paths (runs × steps × actors) are held whatever ``keep``: with their noise draws
        and the outcomes about three arrays of 8 bytes per value (measured with
        ``tracemalloc``: 2.06 at 3,000 runs of cold-war), and a tidy series of five columns more
        to keep it, counted as six (the series holds the paths themselves and builds ``state``
        from codes, :mod:`herz.models._frames`: the peak RSS grew 34 bytes per value at 200,000
        runs of cold-war, against 72 counted)."""
        values = runs * (steps + 1) * len(scenario.states)
        return 8 * values * (3 + (6 if keep == "series" else 0))

    def describe(self, result: Result) -> list[tuple[str, str]]:
        """The declared headline numbers and the eigenvalues of K − A."""
        eig = ", ".join(
            f"{e['real']:.4g}" + (f"{e['imag']:+.4g}i" if abs(e["imag"]) > 1e-12 else "")
            for e in result.summary.get("eigenvalues", [])
        )
        return [*super().describe(result), ("Eigenvalues of K − A", eig)]

    def figures(self, result: Result) -> dict[str, Figure]:
        """``military.png``: each actor's military over time (mean and 5–95% band)."""
        if result.series is None:
            return {}
        from herz.plots.series import plot_series

        return {"military.png": plot_series(result, "military")}
