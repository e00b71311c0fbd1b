"""Evolution: replicator dynamics (closed forms, axelrod's Ecosystem) and the Moran process
(exact fixation probabilities of the birth–death chain)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats

from herz.errors import InputError
from herz.models.evolution import fixation_probability, moran_process, replicator_dynamics
from herz.models.iterated import tournament


@pytest.fixture(scope="module")
def axl() -> Any:
    import axelrod  # ~25 s the first time in a session; cached by Python afterwards

    return axelrod


# --- replicator dynamics --------------------------------------------------------------------


def test_replicator_equals_axelrod_ecosystem(axl: Any) -> None:
    names = ["Cooperator", "Defector", "TitForTat", "Grudger", "Alternator", "WinStayLoseShift"]
    herz_names = ["cooperator", "defector", "tit-for-tat", "grim", "alternator", "wsls"]
    ref_results = axl.Tournament(
        [getattr(axl, n)() for n in names], turns=50, repetitions=2, seed=1
    ).play(progress_bar=False)
    eco = axl.Ecosystem(ref_results)  # deterministic: payoff standard deviations are 0
    eco.reproduce(60)
    ours = tournament(herz_names, turns=50, repetitions=2, seed=1)
    evo = replicator_dynamics(ours.payoff_array, generations=60, players=ours.players)
    np.testing.assert_allclose(evo.shares[0], np.array(eco.population_sizes), rtol=1e-10)


def test_replicator_interior_rest_point_of_chicken() -> None:
    # Hawk–Dove / Chicken: x* = (S - P) / (S - P + T - R) restrainers is globally stable
    R, T, S, P = 3.0, 5.0, 1.0, 0.0
    A = np.array([[R, S], [T, P]])
    x_star = (S - P) / (S - P + T - R)
    evo = replicator_dynamics(A, generations=400, initial=[0.9, 0.1], background=1.0)
    assert evo.mean_shares[-1, 0] == pytest.approx(x_star, abs=1e-9)
    start = replicator_dynamics(A, generations=5, initial=[x_star, 1 - x_star], background=1.0)
    np.testing.assert_allclose(start.mean_shares, [[x_star, 1 - x_star]] * 6, atol=1e-15)


def test_replicator_dominated_strategy_dies_out() -> None:
    # Prisoner's Dilemma, one shot: defection strictly dominates
    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    evo = replicator_dynamics(A, generations=200)
    x = evo.mean_shares[:, 0]
    assert np.all(np.diff(x) <= 0) and np.all(np.diff(x)[:5] < 0) and x[-1] < 1e-6
    np.testing.assert_allclose(evo.mean_shares.sum(axis=1), 1.0, rtol=1e-12)


def test_replicator_bad_input() -> None:
    with pytest.raises(InputError, match="background"):
        replicator_dynamics(np.array([[-1.0, 0.0], [0.0, 1.0]]))
    with pytest.raises(InputError, match="square"):
        replicator_dynamics(np.ones((2, 3)))
    with pytest.raises(InputError, match="generations"):
        replicator_dynamics(np.ones((2, 2)), generations=0)


# --- Moran process --------------------------------------------------------------------------


def _fixation_by_linear_system(A: np.ndarray, n: int, w: float) -> float:
    """Absorption probability of the birth–death chain, solved as a linear system.

    Independent of the product formula: states j = 0..N mutants; from j the chain moves up
    with T+ = j f / (j f + (N - j) g) * (N - j) / N and down with T- = (N - j) g / (...) * j / N;
    x_j = T+ x_{j+1} + T- x_{j-1} + (1 - T+ - T-) x_j with x_0 = 0, x_N = 1.
    """
    M = np.zeros((n + 1, n + 1))
    rhs = np.zeros(n + 1)
    M[0, 0] = M[n, n] = 1.0
    rhs[n] = 1.0
    for j in range(1, n):
        f = 1 - w + w * ((j - 1) * A[0, 0] + (n - j) * A[0, 1]) / (n - 1)
        g = 1 - w + w * (j * A[1, 0] + (n - j - 1) * A[1, 1]) / (n - 1)
        tot = j * f + (n - j) * g
        up = j * f / tot * (n - j) / n
        down = (n - j) * g / tot * j / n
        M[j, j] = up + down
        M[j, j + 1] = -up
        M[j, j - 1] = -down
    return float(np.linalg.solve(M, rhs)[1])


@pytest.mark.parametrize("w", [0.1, 0.5, 1.0])
def test_fixation_formula_equals_markov_chain(w: float) -> None:
    A = np.array([[3.0, 0.5], [4.0, 1.0]])
    for n in (2, 5, 12):
        for mutant in (0, 1):
            B = A if mutant == 0 else A[::-1, ::-1]
            assert fixation_probability(A, n, mutant=mutant, intensity=w) == pytest.approx(
                _fixation_by_linear_system(B, n, w), rel=1e-12
            )


def test_neutral_fixation_is_one_over_n() -> None:
    assert fixation_probability(np.ones((2, 2)), 10) == pytest.approx(0.1)


def test_moran_fixation_frequency_matches_exact_probability() -> None:
    """One mutant among N - 1 residents, 6000 runs: binomial z-test at 5 sigma.

    Stag-Hunt-like payoffs, N = 8, intensity 0.5: the exact ρ from the birth–death chain.
    """
    A = np.array([[4.0, 0.0], [3.0, 2.0]])
    n, runs, w = 8, 6000, 0.5
    rho = _fixation_by_linear_system(A, n, w)
    evo = moran_process(
        A, population=n, generations=600, initial=[1, n - 1], runs=runs, intensity=w, seed=12
    )
    final = evo.counts[:, -1, 0]
    assert set(np.unique(final)) <= {0, n}  # every run has been absorbed
    k = int((final == n).sum())
    assert stats.binomtest(k, runs, rho).pvalue > 1e-6
    # power: the same data reject the neutral value 1/N
    assert stats.binomtest(k, runs, 1 / n).pvalue < 1e-6  # rho = 0.0124, 1/N = 0.125


def test_moran_conserves_population_and_is_seeded() -> None:
    A = tournament(["tft", "defector", "cooperator"], turns=20, repetitions=1).payoff_array
    a = moran_process(A, population=30, generations=200, runs=5, seed=4)
    assert (a.counts.sum(axis=2) == 30).all()
    assert (np.abs(np.diff(a.counts, axis=1)).sum(axis=2) <= 2).all()  # one birth, one death
    b = moran_process(A, population=30, generations=200, runs=3, seed=4)
    np.testing.assert_array_equal(a.counts[:3], b.counts)  # run r's stream is keyed by r
    c = moran_process(A, population=30, generations=200, runs=5, seed=5)
    assert not np.array_equal(a.counts, c.counts)


def test_moran_absent_types_stay_absent_without_mutation() -> None:
    A = np.array([[3.0, 0.0, 1.0], [5.0, 1.0, 2.0], [2.0, 1.0, 1.0]])
    evo = moran_process(A, population=20, generations=300, initial=[10, 10, 0], runs=4, seed=1)
    assert (evo.counts[:, :, 2] == 0).all()
    mut = moran_process(
        A, population=20, generations=300, initial=[10, 10, 0], runs=4, seed=1, mutation_rate=0.2
    )
    assert (mut.counts[:, :, 2] > 0).any()


def test_evolution_results_frames_and_plots() -> None:
    A = np.array([[3.0, 0.0], [5.0, 1.0]])
    evo = moran_process(A, population=10, generations=50, players=["c", "d"], seed=0)
    assert list(evo.to_frame().columns) == ["c", "d"]
    assert set(evo.to_dict()) >= {"players", "final_shares", "shares", "fixations"}
    assert evo.plot().axes
    assert replicator_dynamics(A, generations=5).plot().axes


@pytest.mark.parametrize(
    "kwargs",
    [
        {"population": 1},
        {"population": 10, "initial": [3, 3]},
        {"intensity": 2.0},
        {"mutation_rate": -0.1},
        {"generations": 0},
        {"seed": -1},
    ],
)
def test_moran_bad_input(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        moran_process(np.ones((2, 2)), **kwargs)


def test_count_arguments_share_one_check_with_the_iterated_model() -> None:
    """evolution._positive_int and iterated.kernel._check_positive_int were one function
    written twice; both now use herz._validation.positive_int (NumPy integers accepted, bools
    and floats refused, an upper bound named)."""
    import numpy as np

    import herz.models.evolution as evolution
    import herz.models.iterated.kernel as iterated
    from herz._validation import positive_int

    assert evolution.positive_int is iterated.positive_int is positive_int
    assert positive_int("turns", np.int64(3)) == 3
    for bad in (True, 0, -2, 2.0, "3"):
        with pytest.raises(InputError, match=r"^turns must be a positive integer, got "):
            positive_int("turns", bad)
    with pytest.raises(InputError, match="turns must be at most 10, got 11"):
        positive_int("turns", 11, most=10)
