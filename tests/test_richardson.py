"""Richardson's model against closed forms and Richardson's own two-actor formulas."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from herz.errors import InputError, ModelError
from herz.models import richardson as R


def random_system(
    rng: np.random.Generator, n: int, kind: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A random N-actor system with K ≥ 0, g ≥ 0 (so the floor never binds), stable or not."""
    K = rng.uniform(0.0, 1.0, (n, n))
    np.fill_diagonal(K, 0.0)
    rho = np.max(np.linalg.eigvals(K).real)  # Perron root of K
    # Stable iff every a_i > ... ; with equal a, stable iff a > rho.
    a = np.full(n, rho * (1.5 if kind == "stable" else 0.7)) + rng.uniform(0, 0.05, n)
    if kind == "stable":
        a = np.maximum(a, rho * 1.2)
    g = rng.uniform(0.0, 2.0, n)
    x0 = rng.uniform(0.5, 5.0, n)
    return K, a, g, x0


@pytest.mark.parametrize("n", range(2, 11))
@pytest.mark.parametrize("kind", ["stable", "unstable"])
def test_simulator_equals_closed_form(n: int, kind: str) -> None:
    rng = np.random.default_rng(1000 * n + (kind == "stable"))
    K, a, g, x0 = random_system(rng, n, kind)
    stab = R.stability(K, a, g, x0)
    assert stab.stable == (kind == "stable")
    steps, dt = 40, 0.5
    sim = R.simulate(K, a, g, x0, steps=steps, dt=dt)[0]
    exact = R.closed_form(K, a, g, x0, dt * np.arange(steps + 1))
    rel = np.abs(sim - exact) / np.abs(exact)
    assert rel.max() < 1e-8, f"max relative error {rel.max():.3g}"


@given(
    n=st.integers(2, 10),
    seed=st.integers(0, 2**32 - 1),
    stable=st.booleans(),
)
def test_simulator_equals_closed_form_hypothesis(n: int, seed: int, stable: bool) -> None:
    rng = np.random.default_rng(seed)
    K, a, g, x0 = random_system(rng, n, "stable" if stable else "unstable")
    sim = R.simulate(K, a, g, x0, steps=25, dt=0.7)[0]
    exact = R.closed_form(K, a, g, x0, 0.7 * np.arange(26))
    assert np.max(np.abs(sim - exact) / np.abs(exact)) < 1e-8


def test_closed_form_matches_an_ode_solver() -> None:
    rng = np.random.default_rng(7)
    K, a, g, x0 = random_system(rng, 4, "stable")
    M = K - np.diag(a)
    t = np.linspace(0, 10, 11)
    sol = solve_ivp(lambda _t, x: M @ x + g, (0, 10), x0, t_eval=t, rtol=1e-11, atol=1e-12)
    assert_allclose(R.closed_form(K, a, g, x0, t), sol.y.T, rtol=1e-8)


def test_closed_form_is_the_matrix_exponential_solution() -> None:
    rng = np.random.default_rng(3)
    K, a, g, x0 = random_system(rng, 3, "stable")
    M = K - np.diag(a)
    x_star = -np.linalg.solve(M, g)
    for t in (0.0, 0.3, 2.0, 17.0):
        expected = x_star + expm(M * t) @ (x0 - x_star)
        assert_allclose(R.closed_form(K, a, g, x0, [t])[0], expected, rtol=1e-10)


@given(
    k=st.floats(0.05, 2.0),
    l=st.floats(0.05, 2.0),
    a=st.floats(0.05, 2.0),
    b=st.floats(0.05, 2.0),
    g=st.floats(-5.0, 5.0),
    h=st.floats(-5.0, 5.0),
)
def test_two_actor_equilibrium_and_stability_formulas(
    k: float, l: float, a: float, b: float, g: float, h: float
) -> None:
    det = a * b - k * l
    system = R.two_actor(k, l, a, b, g, h, x0=1.0, y0=1.0)
    if abs(det) < 1e-6:
        return
    x_star, y_star = system.equilibrium()
    assert x_star == pytest.approx((k * h + b * g) / det, rel=1e-9, abs=1e-9)
    assert y_star == pytest.approx((l * g + a * h) / det, rel=1e-9, abs=1e-9)
    stab = system.stability()
    assert stab.stable == (det > 0)
    # Two-actor eigenvalues: (-(a+b) ± sqrt((a-b)^2 + 4kl)) / 2, always real.
    disc = np.sqrt((a - b) ** 2 + 4 * k * l)
    expected = sorted([(-(a + b) + disc) / 2, (-(a + b) - disc) / 2], reverse=True)
    assert_allclose(stab.eigenvalues.real, expected, rtol=1e-9, atol=1e-12)
    assert_allclose(stab.eigenvalues.imag, 0.0, atol=1e-12)


def test_unstable_regime_depends_on_the_start() -> None:
    # k = l = 1, a = b = 0.5: kl > ab; equilibrium x* = y* = -(g)/(ab-kl)... with g = h = 1:
    # x* = (kh + bg)/(ab - kl) = 1.5 / -0.75 = -2: negative, so any start >= 0 lies above it.
    race = R.two_actor(1.0, 1.0, 0.5, 0.5, 1.0, 1.0, x0=1.0, y0=1.0)
    assert race.stability().regime == "runaway race"
    # With goodwill g = h = -1, x* = y* = 2: starting below it the race unwinds to zero.
    down = R.two_actor(1.0, 1.0, 0.5, 0.5, -1.0, -1.0, x0=1.0, y0=1.5)
    assert down.stability().regime == "disarmament"
    path = down.simulate(200)[0]
    assert np.all(path[-1] == 0.0)  # floored at zero and stays there
    up = R.two_actor(1.0, 1.0, 0.5, 0.5, -1.0, -1.0, x0=2.5, y0=2.0)
    assert up.stability().regime == "runaway race"
    assert np.all(up.simulate(50)[0][-1] > 1e6)
    on_line = R.two_actor(1.0, 1.0, 0.5, 0.5, -1.0, -1.0, x0=2.0, y0=2.0)
    assert on_line.stability().regime == "unstable equilibrium"


def test_stable_system_converges_to_equilibrium() -> None:
    system = R.two_actor(0.3, 0.4, 0.6, 0.5, 2.0, 1.0, x0=0.0, y0=10.0)
    assert system.stability().regime == "stable equilibrium"
    final = system.simulate(400, dt=0.5)[0, -1]
    assert_allclose(final, system.equilibrium(), rtol=1e-9)


def test_singular_system_has_no_equilibrium_but_simulates() -> None:
    system = R.two_actor(0.5, 0.5, 0.5, 0.5, 1.0, 1.0, x0=1.0, y0=1.0)  # ab = kl
    with pytest.raises(ModelError):
        system.equilibrium()
    # det = 0: x + y grows linearly at rate g + h = 2 (sum of the equations).
    path = system.simulate(10)[0]
    assert_allclose(path.sum(axis=1), 2.0 + 2.0 * np.arange(11), rtol=1e-10)
    assert system.stability().regime == "runaway race"


def test_many_actors_with_spread_rates_are_not_singular() -> None:
    """15 actors without reactions, fatigue 1 and 0.1 (condition number 10): the equilibrium
    is g / a. The determinant test called it singular (det of M scaled: 0.1^14)."""
    n = 15
    a = np.array([1.0] + [0.1] * (n - 1))
    assert_allclose(R.equilibrium(np.zeros((n, n)), a, np.ones(n)), 1.0 / a, rtol=1e-12)
    # and a system singular to working precision still is
    with pytest.raises(ModelError):
        R.equilibrium(np.array([[0.0, 0.5], [0.5, 0.0]]), np.array([0.5, 0.5]), np.ones(2))


def test_euler_is_richardsons_difference_equation() -> None:
    rng = np.random.default_rng(11)
    K, a, g, x0 = random_system(rng, 3, "stable")
    sim = R.simulate(K, a, g, x0, steps=12, dt=1.0, method="euler")[0]
    x = x0.copy()
    for t in range(1, 13):
        x = x + (K @ x - a * x + g)
        assert_allclose(sim[t], np.maximum(x, 0), rtol=1e-12)


def test_euler_can_overshoot_where_the_continuous_model_is_stable() -> None:
    # a = 2.5 per year: stable continuous model, but the annual step 1 - a = -1.5 oscillates
    # with growing amplitude (the discrete form is unstable when |1 + dt·λ| > 1).
    system = R.two_actor(0.1, 0.1, 2.5, 2.5, 1.0, 1.0, x0=5.0, y0=5.0)
    assert system.stability().stable
    euler = system.simulate(30, method="euler", floor=False)[0]
    exact = system.simulate(30, method="exact", floor=False)[0]
    assert np.abs(euler[-1] - system.equilibrium()).max() > 100
    assert_allclose(exact[-1], system.equilibrium(), rtol=1e-9)


def test_floor_keeps_spending_non_negative() -> None:
    system = R.two_actor(0.1, 0.1, 0.5, 0.5, -3.0, -3.0, x0=1.0, y0=1.0)
    paths = system.simulate(30)
    assert paths.min() == 0.0
    unfloored = system.simulate(30, floor=False)
    assert unfloored.min() < 0


def test_blocs_aggregate_exactly_when_members_are_alike() -> None:
    # Two blocs of two identical members: shares stay constant, so aggregation is exact.
    K = np.array(
        [
            [0.0, 0.2, 0.4, 0.4],
            [0.2, 0.0, 0.4, 0.4],
            [0.3, 0.3, 0.0, 0.1],
            [0.3, 0.3, 0.1, 0.0],
        ]
    )
    system = R.RichardsonSystem(
        actors=["A1", "A2", "B1", "B2"],
        K=K,
        a=np.array([0.9, 0.9, 0.8, 0.8]),
        g=np.array([1.0, 1.0, 0.5, 0.5]),
        x0=np.array([3.0, 3.0, 2.0, 2.0]),
    )
    blocs = system.aggregate([["A1", "A2"], ["B1", "B2"]], ["A", "B"])
    # K_AB = sum over i in A, j in B of K_ij s_j = 2 * 0.4 * 0.5 * 2 = 0.8
    assert_allclose(blocs.K, [[0.0, 0.8], [0.6, 0.0]])
    # a_A = a - (within-bloc reaction) = 0.9 - 0.2 = 0.7; a_B = 0.8 - 0.1 = 0.7
    assert_allclose(blocs.a, [0.7, 0.7])
    full = system.simulate(30, dt=0.5)[0]
    agg = blocs.simulate(30, dt=0.5)[0]
    assert_allclose(agg[:, 0], full[:, :2].sum(axis=1), rtol=1e-10)
    assert_allclose(agg[:, 1], full[:, 2:].sum(axis=1), rtol=1e-10)


def test_blocs_must_partition_the_actors() -> None:
    system = R.two_actor(0.1, 0.1, 0.5, 0.5, 1, 1)
    with pytest.raises(InputError, match="in no bloc"):
        system.aggregate([["x"]], ["X"])
    with pytest.raises(InputError, match="two blocs"):
        system.aggregate([["x", "y"], ["y"]], ["X", "Y"])


def test_noise_streams_depend_only_on_seed_and_run_index() -> None:
    system = R.two_actor(0.3, 0.3, 0.5, 0.5, 1.0, 1.0, x0=1.0, y0=1.0)
    small = system.simulate(20, runs=10, noise=0.2, seed=42)
    large = system.simulate(20, runs=100, noise=0.2, seed=42, chunk=7)
    assert_allclose(small, large[:10], rtol=0, atol=0)
    again = system.simulate(20, runs=10, noise=0.2, seed=42)
    assert np.array_equal(small, again)
    other = system.simulate(20, runs=10, noise=0.2, seed=43)
    assert not np.array_equal(small, other)
    offset = system.simulate(20, runs=5, noise=0.2, seed=42, run_offset=5)
    assert np.array_equal(offset, small[5:])
    assert len({tuple(p[-1]) for p in small}) == 10  # runs differ from one another


def test_noise_is_mean_preserving_in_one_step() -> None:
    # One step from x0: E[x1] = deterministic x1 (log-normal factor with mean 1).
    system = R.two_actor(0.3, 0.3, 0.5, 0.5, 1.0, 1.0, x0=10.0, y0=10.0)
    det = system.simulate(1)[0, 1]
    sample = system.simulate(1, runs=20_000, noise=0.3, seed=5)[:, 1, :]
    se = sample.std(axis=0, ddof=1) / np.sqrt(sample.shape[0])
    z = np.abs(sample.mean(axis=0) - det) / se
    assert np.all(z < 4.5), f"z-scores {z}"
    # and the spread matches sigma: sd(log x1) = 0.3
    assert_allclose(np.log(sample).std(axis=0), 0.3, rtol=0.03)


def test_simulate_rejects_bad_arguments() -> None:
    system = R.two_actor(0.3, 0.3, 0.5, 0.5, 1.0, 1.0)
    with pytest.raises(InputError):
        system.simulate(-1)
    with pytest.raises(InputError):
        system.simulate(5, runs=0)
    with pytest.raises(InputError):
        system.simulate(5, dt=0)
    with pytest.raises(InputError):
        system.simulate(5, method="rk4")  # type: ignore[arg-type]


def test_technology_shock_scales_the_stock() -> None:
    import herz

    base = herz.simulate("two-state", steps=10, seed=1)
    doc = herz.load_scenario("two-state").to_dict()
    doc["events"] = [{"year": 5, "kind": "technology_shock", "state": "A", "factor": 1.5}]
    shocked = herz.simulate(herz.Scenario.from_dict(doc), steps=10, seed=1)
    b = base.series.pivot_table(index="t", columns="state", values="military", observed=True)
    s = shocked.series.pivot_table(index="t", columns="state", values="military", observed=True)
    assert_allclose(s.loc[:4], b.loc[:4])
    # At step 5 the stock is 1.5 times the unshocked step-5 value (same pre-shock path).
    assert s.loc[5, "A"] == pytest.approx(1.5 * b.loc[5, "A"], rel=1e-12)
    assert s.loc[5, "B"] == pytest.approx(b.loc[5, "B"], rel=1e-12)


def test_stream_key_selects_other_draws() -> None:
    # Batching invariance (run_offset pieces equal one call) is checked for every model by
    # herz.testing.check_batching (tests/test_conformance.py); a stream key is another family.
    import herz
    from herz.models.richardson import simulate_scenario

    sc = herz.load_scenario("cold-war")
    whole = simulate_scenario(sc, steps=15, runs=8, seed=4, noise=0.1)
    assert whole.series is not None
    keyed = simulate_scenario(sc, steps=15, runs=8, seed=4, noise=0.1, stream_key=(1,))
    assert keyed.series is not None
    assert not np.array_equal(keyed.series.military, whole.series.military)


# --- the rule constants as keywords (docs/ours_sensitivity.py) -----------------------------------


def test_rule_constant_keywords_default_to_the_constants() -> None:
    """The defaults reproduce the derived systems as they were before the keywords (largest
    eigenvalues measured before the change)."""
    from herz.scenario import load_scenario

    for name, lam in (("europe-1914", 0.0967), ("multipolar-20", -0.07128164944971917)):
        sc = load_scenario(name)
        default = R.coefficients_from_scenario(sc)
        explicit = R.coefficients_from_scenario(
            sc,
            reassurance_reaction=R.REASSURANCE_REACTION,
            distinguishability_weight=R.DISTINGUISHABILITY_WEIGHT,
        )
        assert np.array_equal(default.K, explicit.K)
        assert np.array_equal(default.g, explicit.g)
        assert default.stability().eigenvalues[0].real == pytest.approx(lam, rel=1e-12)
    assert R.REASSURANCE_REACTION == 0.5 and R.DISTINGUISHABILITY_WEIGHT == 0.5


def test_a_smaller_distinguishability_weight_raises_the_reactions() -> None:
    """(1 − w δ): less weight on distinguishability, stronger reactions; multipolar-20 (δ = 0.5)
    turns from a stable equilibrium into a runaway race at w = 0.25 (docs/richardson.md)."""
    from herz.scenario import load_scenario

    sc = load_scenario("multipolar-20")
    half = R.coefficients_from_scenario(sc, distinguishability_weight=0.25)
    default = R.coefficients_from_scenario(sc)
    assert np.all(half.K >= default.K) and np.any(half.K > default.K)
    assert default.stability().regime == "stable equilibrium"
    assert half.stability().regime == "runaway race"
    # a given richardson.reaction bypasses the weight
    fitted = load_scenario("europe-1909")
    assert np.array_equal(
        R.coefficients_from_scenario(fitted, distinguishability_weight=0.0).K,
        R.coefficients_from_scenario(fitted).K,
    )


def test_the_reassurance_reaction_scales_a_reassuring_states_reactions() -> None:
    """A reassuring state's derived reactions are r times a defensive one's: r = 1 is no
    restraint at all, a smaller r lowers the equilibrium (docs/richardson.md)."""
    from herz.scenario import load_scenario

    base = load_scenario("two-state")
    sc = base.with_overrides({"states.A.doctrine": "reassurance"})
    full = R.coefficients_from_scenario(sc, reassurance_reaction=1.0)
    assert np.array_equal(full.K, R.coefficients_from_scenario(base).K)
    default = R.coefficients_from_scenario(sc)
    quarter = R.coefficients_from_scenario(sc, reassurance_reaction=0.25)
    assert quarter.K[0, 1] == pytest.approx(full.K[0, 1] / 4)
    assert default.K[0, 1] == pytest.approx(full.K[0, 1] / 2)
    assert quarter.K[1, 0] == full.K[1, 0]
    assert quarter.equilibrium().sum() < default.equilibrium().sum() < full.equilibrium().sum()


@pytest.mark.parametrize(
    "kw",
    [
        {"reassurance_reaction": -0.1},
        {"distinguishability_weight": 1.5},
        {"reassurance_reaction": True},
    ],
)
def test_rule_constant_keywords_are_checked(kw: dict[str, float]) -> None:
    from herz.scenario import load_scenario

    with pytest.raises(InputError, match=next(iter(kw))):
        R.coefficients_from_scenario(load_scenario("two-state"), **kw)
