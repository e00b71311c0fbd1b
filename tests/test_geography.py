"""Geography: capitals in every built-in scenario, great-circle distances, loss-of-strength
gradients and projected power (herz.models.geography)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from herz.errors import InputError, ScenarioError
from herz.models.geography import (
    EARTH_RADIUS_KM,
    KM_PER_MILE,
    BouldingLinear,
    ExponentialGradient,
    WarTrapGradient,
    capital_coordinates,
    distance_matrix,
    haversine_km,
    projected_power,
    scenario_distances,
    spherical_cosines_km,
    war_trap_miles_per_day,
)
from herz.scenario import Scenario, builtin_scenarios, load_scenario


def _doc(capital: object) -> dict[str, object]:
    return {
        "name": "t",
        "states": [
            {"id": "A", "military": 1, "economy": 10, "capital": {"lat": 0, "lon": 0}},
            {"id": "B", "military": 1, "economy": 10, "capital": capital},
        ],
    }


# --- capitals in the scenarios --------------------------------------------------------------


@pytest.mark.parametrize("name", builtin_scenarios())
def test_every_builtin_state_has_a_capital(name: str) -> None:
    scenario = load_scenario(name)
    assert all(s.capital is not None for s in scenario.states)
    # no two states share a capital
    d = scenario_distances(scenario)
    off = d[~np.eye(len(scenario.states), dtype=bool)]
    assert np.all(off > 0)
    keys = {s.key for s in scenario.sources}
    assert {"geonames", "herz-synthetic-capitals"} & keys, "the capitals' source is not cited"


@pytest.mark.parametrize(
    ("name", "sid", "city"),
    [
        ("europe-1909", "RUS", "St Petersburg"),
        ("europe-1914", "SRB", "Belgrade"),
        ("europe-1914", "AUH", "Vienna"),
        ("cold-war", "RUS", "Moscow"),
        ("cold-war", "USA", "Washington"),
        ("cold-war", "CZE", "Prague"),
    ],
)
def test_historical_capitals_are_those_of_the_time(name: str, sid: str, city: str) -> None:
    state = next(s for s in load_scenario(name).states if s.id == sid)
    assert state.capital is not None and state.capital.name == city


@pytest.mark.parametrize(
    ("field", "value", "path"),
    [
        ("lat", 91, "states[1].capital.lat"),
        ("lat", -90.5, "states[1].capital.lat"),
        ("lon", 180.01, "states[1].capital.lon"),
    ],
)
def test_invalid_coordinates_raise_scenario_error(field: str, value: float, path: str) -> None:
    capital = {"lat": 10.0, "lon": 10.0, field: value}
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict(_doc(capital))
    assert info.value.field == path
    assert path in str(info.value)


def test_capital_rejects_unknown_keys_and_booleans() -> None:
    with pytest.raises(ScenarioError, match=r"states\[1\]\.capital"):
        Scenario.from_dict(_doc({"lat": 1, "lon": 2, "elevation": 3}))
    with pytest.raises(ScenarioError, match=r"states\[1\]\.capital\.lat"):
        Scenario.from_dict(_doc({"lat": True, "lon": 2}))


def test_capital_is_optional_but_geography_needs_it() -> None:
    doc = _doc(None)
    scenario = Scenario.from_dict(doc)
    assert scenario.states[1].capital is None
    with pytest.raises(ScenarioError, match=r"states\[1\]\.capital") as info:
        scenario_distances(scenario)
    assert info.value.field == "states[1].capital"


def test_capital_can_be_overridden() -> None:
    s = load_scenario("two-state").with_overrides({"states.B.capital.lon": 15})
    assert s.states[1].capital is not None and s.states[1].capital.lon == 15
    with pytest.raises(ScenarioError, match=r"capital\.lat"):
        load_scenario("two-state").with_overrides({"states[0].capital.lat": 100})


# --- distances -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "km", "tol"),
    [
        ((51.5074, -0.1278), (48.8566, 2.3522), 344.0, 1.5),  # London-Paris
        ((52.5200, 13.4050), (48.2082, 16.3738), 524.0, 2.0),  # Berlin-Vienna
        ((38.9072, -77.0369), (55.7558, 37.6173), 7820.0, 15.0),  # Washington-Moscow
    ],
)
def test_known_distances(
    a: tuple[float, float], b: tuple[float, float], km: float, tol: float
) -> None:
    assert float(haversine_km(*a, *b)) == pytest.approx(km, abs=tol)


def test_exact_arcs_on_the_sphere() -> None:
    quarter = math.pi * EARTH_RADIUS_KM / 2
    assert float(haversine_km(0, 0, 90, 0)) == pytest.approx(quarter, rel=1e-12)
    assert float(haversine_km(0, 0, 0, 1)) == pytest.approx(quarter / 90, rel=1e-12)
    assert float(haversine_km(0, 0, 0, 180)) == pytest.approx(2 * quarter, rel=1e-12)
    # across the antimeridian: 2 degrees, not 358
    assert float(haversine_km(0, 179, 0, -179)) == pytest.approx(quarter / 45, rel=1e-9)


def test_haversine_agrees_with_the_law_of_cosines() -> None:
    rng = np.random.default_rng(11)
    lat1, lat2 = rng.uniform(-89, 89, (2, 500))
    lon1, lon2 = rng.uniform(-180, 180, (2, 500))
    h = haversine_km(lat1, lon1, lat2, lon2)
    c = spherical_cosines_km(lat1, lon1, lat2, lon2)
    assert h.shape == (500,)
    np.testing.assert_allclose(h, c, rtol=1e-7, atol=1e-3)


@pytest.mark.parametrize("name", builtin_scenarios())
def test_distance_matrix_is_symmetric_with_zero_diagonal(name: str) -> None:
    scenario = load_scenario(name)
    lat, lon = capital_coordinates(scenario)
    d = distance_matrix(lat, lon)
    n = len(scenario.states)
    assert d.shape == (n, n)
    assert np.array_equal(d, d.T)
    assert np.all(np.diag(d) == 0)
    for i in range(n):
        for j in range(n):
            if i != j:
                assert d[i, j] == pytest.approx(float(haversine_km(lat[i], lon[i], lat[j], lon[j])))


def test_distance_matrix_of_the_synthetic_scenarios() -> None:
    d = scenario_distances(load_scenario("two-state"))
    assert d[0, 1] == pytest.approx(10 * math.pi * EARTH_RADIUS_KM / 180)
    grid = scenario_distances(load_scenario("multipolar-20"))
    assert grid.shape == (20, 20)
    i, j = (int(k) for k in np.unravel_index(np.argmax(grid), grid.shape))
    assert (i, j) in {(0, 19), (19, 0), (4, 15), (15, 4)}


def test_distance_matrix_rejects_bad_input() -> None:
    with pytest.raises(InputError):
        distance_matrix([0, 1], [0])
    with pytest.raises(InputError):
        distance_matrix([0, 91], [0, 0])
    with pytest.raises(InputError):
        distance_matrix([0, float("nan")], [0, 0])


# --- gradients -------------------------------------------------------------------------------

D = np.linspace(0, 20_000, 201)


def test_boulding_linear() -> None:
    g = BouldingLinear(slope=0.01)
    p = g.project(np.array([100.0]), D[None, :])[0]
    assert p[0] == 100.0  # no decay at home
    assert np.all(np.diff(p) <= 0)  # monotone
    assert p[D == 5000][0] == pytest.approx(50.0)
    assert np.all(p[D >= 10_000] == 0)  # beyond its reach, nothing (and never negative)
    assert np.all(BouldingLinear(0).project(np.array([7.0]), D[None, :]) == 7.0)
    with pytest.raises(InputError, match="slope"):
        BouldingLinear(-1)


def test_exponential_gradient() -> None:
    g = ExponentialGradient()
    assert g.scale_km == 1000.0
    f = g.factor(D)
    assert f[0] == 1.0
    assert np.all(np.diff(f) < 0)
    assert float(g.factor(1000.0)) == pytest.approx(math.exp(-1))
    assert f[-1] < 1e-8
    with pytest.raises(InputError, match="scale_km"):
        ExponentialGradient(0)


def test_war_trap_miles_per_day() -> None:
    assert war_trap_miles_per_day(1816) == 250
    assert war_trap_miles_per_day(1917) == 250
    assert war_trap_miles_per_day(1918) == 375
    assert war_trap_miles_per_day(1945) == 375
    assert war_trap_miles_per_day(1946) == 500
    assert WarTrapGradient.for_year(1950).miles_per_day == 500
    assert WarTrapGradient().miles_per_day == 250


def test_war_trap_exponent_at_its_documented_points() -> None:
    g = WarTrapGradient(miles_per_day=250)
    day_km = 250 * KM_PER_MILE  # one day's travel
    assert float(g.exponent(0.0)) == pytest.approx(math.log10(10 - math.e))
    assert float(g.exponent(0.0)) == pytest.approx(0.8622, abs=1e-4)
    assert float(g.exponent(math.e * day_km)) == pytest.approx(1.0)  # after e days, no change
    assert float(g.exponent((90 + math.e) * day_km)) == pytest.approx(2.0)
    assert np.all(np.diff(g.exponent(D)) > 0)
    # faster transport: the same distance costs less
    assert float(WarTrapGradient(500).exponent(5000)) < float(g.exponent(5000))


def test_war_trap_projection() -> None:
    g = WarTrapGradient(miles_per_day=250)
    m = np.array([60.0, 30.0, 10.0])
    day_km = 250 * KM_PER_MILE
    d = np.full((3, 3), math.e * day_km)
    np.fill_diagonal(d, 0.0)
    p = g.project(m, d)
    # at e days' travel the share is unchanged: P = m
    off = ~np.eye(3, dtype=bool)
    np.testing.assert_allclose(p[off], np.repeat(m, 2))
    # at home the published form raises a share below one (exponent 0.862 < 1)
    assert np.all(np.diag(p) > m)
    np.testing.assert_allclose(np.diag(p), 100 * (m / 100) ** math.log10(10 - math.e))
    # monotone decline with distance, towards zero
    column = g.project(m, np.tile(D, (3, 1)))
    assert np.all(np.diff(column, axis=1) < 0)
    far = g.project(np.array([60.0, 40.0]), np.array([[0.0, 1e7], [1e7, 0.0]]))
    assert far[0, 1] < 0.2 * 60 and far[1, 0] < 0.2 * 40
    # a lone state holds the whole system: share 1 stays 1
    assert g.project(np.array([5.0]), np.array([[1e4]]))[0, 0] == pytest.approx(5.0)
    assert np.all(g.project(np.zeros(2), np.zeros((2, 2))) == 0)


@pytest.mark.parametrize(
    "gradient",
    [BouldingLinear(0.02), ExponentialGradient(800.0), WarTrapGradient(375.0)],
    ids=["linear", "exponential", "war-trap"],
)
def test_projected_power_declines_with_distance(gradient: object) -> None:
    m = np.array([40.0, 25.0])
    prev = None
    for km in np.linspace(0, 6000, 31):
        d = np.array([[0.0, km], [km, 0.0]])
        p = projected_power(m, d, gradient)  # type: ignore[arg-type]
        assert p.shape == (2, 2) and np.all(p >= 0)
        if prev is not None:
            assert np.all(p[[0, 1], [1, 0]] <= prev + 1e-12)
        prev = p[[0, 1], [1, 0]]


def test_projected_power_on_europe_1914() -> None:
    s = load_scenario("europe-1914")
    ids = [x.id for x in s.states]
    m = np.array([x.military for x in s.states])
    p = projected_power(m, scenario_distances(s), ExponentialGradient())
    assert p.shape == (8, 8)
    np.testing.assert_allclose(np.diag(p), m)
    srb, gmy, ukg = ids.index("SRB"), ids.index("GMY"), ids.index("UKG")
    # Serbia threatens Britain far less than Germany does (issue #11)
    assert p[srb, ukg] < p[gmy, ukg]


def test_projected_power_rejects_bad_input() -> None:
    g = ExponentialGradient()
    with pytest.raises(InputError, match="shape"):
        projected_power([1.0, 2.0], np.zeros((3, 3)), g)
    with pytest.raises(InputError, match="military"):
        projected_power([-1.0, 2.0], np.zeros((2, 2)), g)
    with pytest.raises(InputError, match="distance"):
        projected_power([1.0, 2.0], -np.ones((2, 2)), g)
    with pytest.raises(InputError, match="military"):
        projected_power(np.ones((2, 2)), np.zeros((2, 2)), g)
