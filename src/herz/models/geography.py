"""Geography: great-circle distances between capitals and the loss-of-strength gradient.

Pure functions. The spiral model's loss-of-strength gradient uses :func:`haversine_km`,
:class:`ExponentialGradient` and :func:`war_trap_miles_per_day` (docs/spiral.md, "Geography").

Distances
---------
Each state's home base is its capital (``states[i].capital`` of the scenario, see
:class:`herz.scenario.Capital`). :func:`distance_matrix` gives the (N, N) matrix of great-circle
distances between capitals in kilometres, by the haversine formula on a sphere of radius
:data:`EARTH_RADIUS_KM` (Sinnott 1984, "Virtues of the Haversine", *Sky and Telescope* 68(2):
159):

.. math::

    d = 2R \\arcsin \\sqrt{\\sin^2\\frac{\\Delta\\varphi}{2}
        + \\cos\\varphi_1 \\cos\\varphi_2 \\sin^2\\frac{\\Delta\\lambda}{2}}.

:func:`spherical_cosines_km` is the spherical law of cosines,
:math:`d = R \\arccos(\\sin\\varphi_1\\sin\\varphi_2 + \\cos\\varphi_1\\cos\\varphi_2
\\cos\\Delta\\lambda)`, the same distance by a second formula (less accurate for very short
arcs), kept to check the first. The sphere is off the ellipsoid by up to about 0.5%, far less
than the uncertainty of any gradient below.

The loss-of-strength gradient
-----------------------------
Boulding (1962, *Conflict and Defense: A General Theory*, New York: Harper, ch. 12, p. 262)
argued that the military power a state can bring to bear declines with distance from its home
base. Three forms, each a :class:`Gradient`:

:class:`BouldingLinear`
    Boulding's own, drawn as a straight line: strength falls by a fixed amount per unit of
    distance, :math:`P_{ij} = \\max(0,\\; m_i - s\\,d_{ij})`. The slope ``s`` is in the
    scenario's military unit per km and has no default: Boulding draws the gradient without a
    number.
:class:`ExponentialGradient`
    A smooth, scale-free stand-in: :math:`P_{ij} = m_i\\, e^{-d_{ij}/L}`. The form and its
    default length ``L`` = 1,000 km are **ours**, not from a cited source.
:class:`WarTrapGradient`
    Bueno de Mesquita (1981, *The War Trap*, New Haven: Yale University Press, ch. 5), as
    implemented in EUGene (Bennett & Stam 2000, "EUGene: A Conceptual Manual", *International
    Interactions* 26:179-204; function ``adj_cap`` of its source): a state's capability share
    :math:`c_i` is raised to a power that grows with the days of travel to the target,

    .. math::

        c_{ij} = c_i^{\\,\\log_{10}\\left(\\frac{\\text{miles}_{ij}}{\\text{miles per day}}
                 + (10 - e)\\right)},

    with 250 miles per day before 1918, 375 in 1918-1945 and 500 after 1945
    (:func:`war_trap_miles_per_day`). The exponent is :math:`\\log_{10}(10 - e) \\approx 0.862`
    at home (so a share below one is *raised* there: the published form, kept as it is), 1
    after :math:`e \\approx 2.72` days of travel, and 2 after :math:`90 + e` days. The page
    numbers of the formula in *The War Trap* were not checked against the book here; the
    formula and the speeds are those of EUGene's source.

:func:`projected_power` applies a gradient to a vector of military stocks and a distance matrix
and returns the (N, N) matrix of state i's power projected at state j's capital.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from herz.errors import InputError, ScenarioError

if TYPE_CHECKING:
    from herz.scenario import Scenario

__all__ = [
    "EARTH_RADIUS_KM",
    "KM_PER_MILE",
    "BouldingLinear",
    "ExponentialGradient",
    "Gradient",
    "WarTrapGradient",
    "capital_coordinates",
    "distance_matrix",
    "haversine_km",
    "projected_power",
    "scenario_distances",
    "spherical_cosines_km",
    "war_trap_miles_per_day",
]

EARTH_RADIUS_KM = 6371.0088
"""Mean radius of the Earth in km: the IUGG mean radius R1 = (2a + b)/3 of the GRS 80 ellipsoid
(Moritz 1980, "Geodetic Reference System 1980", *Bulletin Géodésique* 54:395-405)."""

KM_PER_MILE = 1.609344
"""Kilometres per international statute mile (exact, by the 1959 international yard)."""

_FloatArray = NDArray[np.float64]


def _as_float(name: str, value: ArrayLike) -> _FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name}: every value must be a finite number", field=name)
    return arr


def haversine_km(
    lat1: ArrayLike,
    lon1: ArrayLike,
    lat2: ArrayLike,
    lon2: ArrayLike,
    *,
    radius_km: float = EARTH_RADIUS_KM,
) -> _FloatArray:
    """Great-circle distance in km between points given in decimal degrees (haversine formula).

    The arguments broadcast against each other like NumPy arrays, so one call gives a scalar, a
    vector or a matrix of distances.

    Examples
    --------
    >>> round(float(haversine_km(51.51, -0.13, 48.86, 2.35)))  # London-Paris
    343
    """
    p1 = np.radians(_as_float("lat1", lat1))
    p2 = np.radians(_as_float("lat2", lat2))
    dphi = p2 - p1
    dlam = np.radians(_as_float("lon2", lon2)) - np.radians(_as_float("lon1", lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    out: _FloatArray = 2.0 * radius_km * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return out


def spherical_cosines_km(
    lat1: ArrayLike,
    lon1: ArrayLike,
    lat2: ArrayLike,
    lon2: ArrayLike,
    *,
    radius_km: float = EARTH_RADIUS_KM,
) -> _FloatArray:
    """Great-circle distance in km by the spherical law of cosines (a check on
    :func:`haversine_km`; rounding makes it less accurate below a few metres)."""
    p1 = np.radians(_as_float("lat1", lat1))
    p2 = np.radians(_as_float("lat2", lat2))
    dlam = np.radians(_as_float("lon2", lon2)) - np.radians(_as_float("lon1", lon1))
    c = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dlam)
    out: _FloatArray = radius_km * np.arccos(np.clip(c, -1.0, 1.0))
    return out


def distance_matrix(
    lat: ArrayLike, lon: ArrayLike, *, radius_km: float = EARTH_RADIUS_KM
) -> _FloatArray:
    """The (N, N) matrix of great-circle distances in km between N points (haversine).

    Symmetric with a zero diagonal, exactly (not merely to rounding).

    Raises
    ------
    InputError
        ``lat`` and ``lon`` are not two vectors of the same length, are not finite, or lie
        outside [-90, 90] and [-180, 180].
    """
    la = _as_float("lat", lat)
    lo = _as_float("lon", lon)
    if la.ndim != 1 or lo.shape != la.shape:
        raise InputError(
            f"lat, lon: expected two vectors of the same length, got shapes {la.shape} and "
            f"{lo.shape}",
            field="lat",
        )
    if np.any(np.abs(la) > 90) or np.any(np.abs(lo) > 180):
        raise InputError("lat, lon: latitudes must lie in [-90, 90], longitudes in [-180, 180]")
    d = haversine_km(la[:, None], lo[:, None], la[None, :], lo[None, :], radius_km=radius_km)
    d = np.triu(d, 1)
    out: _FloatArray = d + d.T
    return out


def capital_coordinates(scenario: Scenario) -> tuple[_FloatArray, _FloatArray]:
    """Latitudes and longitudes of the scenario's capitals, in the order of its states.

    Raises
    ------
    ScenarioError
        A state has no ``capital`` (the error names ``states[k].capital``).
    """
    lat = np.empty(len(scenario.states))
    lon = np.empty(len(scenario.states))
    for k, state in enumerate(scenario.states):
        if state.capital is None:
            raise ScenarioError(
                f"{scenario.origin}: states[{k}].capital: state {state.id} has no capital, which "
                "geography needs",
                source=scenario.origin,
                field=f"states[{k}].capital",
            )
        lat[k] = state.capital.lat
        lon[k] = state.capital.lon
    return lat, lon


def scenario_distances(scenario: Scenario) -> _FloatArray:
    """The (N, N) great-circle distances in km between the scenario's capitals."""
    return distance_matrix(*capital_coordinates(scenario))


class Gradient(Protocol):
    """A loss-of-strength gradient: how a state's power falls with distance from home."""

    def project(self, military: _FloatArray, distance_km: _FloatArray) -> _FloatArray:
        """Power of state i at distance ``distance_km[i, j]`` from home, as an (N, N) matrix."""
        ...


@dataclass(frozen=True)
class BouldingLinear:
    """Boulding's (1962, ch. 12) linear gradient: ``max(0, m_i - slope * d_ij)``.

    Parameters
    ----------
    slope:
        Strength lost per km, in the scenario's military unit (≥ 0). No default: Boulding gives
        the form, not a number. A state's reach is ``m_i / slope`` km.
    """

    slope: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.slope) and self.slope >= 0):
            raise InputError(
                f"slope: must be a finite number >= 0, got {self.slope!r}",
                field="slope",
                value=self.slope,
            )

    def project(self, military: _FloatArray, distance_km: _FloatArray) -> _FloatArray:
        """``max(0, m_i - slope * d_ij)`` for every pair."""
        out: _FloatArray = np.maximum(military[:, None] - self.slope * distance_km, 0.0)
        return out


@dataclass(frozen=True)
class ExponentialGradient:
    """An exponential gradient ``m_i * exp(-d_ij / scale_km)`` (form and default **ours**).

    Parameters
    ----------
    scale_km:
        Distance over which power falls by a factor e (> 0); 1,000 km by default (**ours**:
        roughly Paris-Berlin, so that a neighbour keeps about 40% of its power at the other's
        capital).
    """

    scale_km: float = 1000.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.scale_km) and self.scale_km > 0):
            raise InputError(
                f"scale_km: must be a finite number > 0, got {self.scale_km!r}",
                field="scale_km",
                value=self.scale_km,
            )

    def factor(self, distance_km: ArrayLike) -> _FloatArray:
        """The share of power kept at ``distance_km``: 1 at home, falling towards 0."""
        out: _FloatArray = np.exp(-_as_float("distance_km", distance_km) / self.scale_km)
        return out

    def project(self, military: _FloatArray, distance_km: _FloatArray) -> _FloatArray:
        """``m_i * exp(-d_ij / scale_km)`` for every pair."""
        out: _FloatArray = military[:, None] * self.factor(distance_km)
        return out


def war_trap_miles_per_day(year: float) -> float:
    """Miles per day of military transport in Bueno de Mesquita's (1981) adjustment, as EUGene
    codes it: 250 before 1918, 375 from 1918 to 1945, 500 after 1945."""
    if year < 1918:
        return 250.0
    if year <= 1945:
        return 375.0
    return 500.0


@dataclass(frozen=True)
class WarTrapGradient:
    """Bueno de Mesquita's (1981) distance adjustment, as in EUGene (Bennett & Stam 2000).

    A state's capability share ``c_i = m_i / sum(m)`` is raised to the power
    ``log10(miles / miles_per_day + 10 - e)``. :meth:`project` returns the adjusted share times
    ``sum(m)``, in the scenario's military unit, so that the result is comparable with the
    other gradients. Bueno de Mesquita's shares are of the whole state system (COW composite
    capabilities); here they are of the scenario's states (**ours**: a scenario is its world).

    Parameters
    ----------
    miles_per_day:
        Speed of military transport (> 0); 250, EUGene's value before 1918. Use
        :meth:`for_year` for the value of a year.
    """

    miles_per_day: float = 250.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.miles_per_day) and self.miles_per_day > 0):
            raise InputError(
                f"miles_per_day: must be a finite number > 0, got {self.miles_per_day!r}",
                field="miles_per_day",
                value=self.miles_per_day,
            )

    @classmethod
    def for_year(cls, year: float) -> WarTrapGradient:
        """The gradient with the miles per day of ``year`` (:func:`war_trap_miles_per_day`)."""
        return cls(war_trap_miles_per_day(year))

    def exponent(self, distance_km: ArrayLike) -> _FloatArray:
        """``log10(miles / miles_per_day + 10 - e)``: about 0.862 at home, 1 after e days of
        travel, 2 after 90 + e days."""
        miles = _as_float("distance_km", distance_km) / KM_PER_MILE
        out: _FloatArray = np.log10(miles / self.miles_per_day + (10.0 - math.e))
        return out

    def project(self, military: _FloatArray, distance_km: _FloatArray) -> _FloatArray:
        """``sum(m) * (m_i / sum(m)) ** exponent(d_ij)`` for every pair (zeros if ``sum(m)`` is
        0)."""
        total = float(military.sum())
        if total <= 0:
            return np.zeros_like(distance_km, dtype=np.float64)
        share = military / total
        out: _FloatArray = total * np.power(share[:, None], self.exponent(distance_km))
        return out


def projected_power(military: ArrayLike, distance: ArrayLike, gradient: Gradient) -> _FloatArray:
    """State i's power projected at state j's capital: the (N, N) matrix ``P[i, j]``.

    Parameters
    ----------
    military:
        The N states' military stocks (≥ 0), in the scenario's military unit.
    distance:
        The (N, N) distances in km between their capitals (≥ 0), e.g. from
        :func:`scenario_distances`.
    gradient:
        How power falls with distance: :class:`BouldingLinear`, :class:`ExponentialGradient`,
        :class:`WarTrapGradient` or any object with their ``project`` method.

    Raises
    ------
    InputError
        Shapes that do not match, negative or non-finite values.

    Examples
    --------
    >>> import numpy as np
    >>> d = np.array([[0.0, 1000.0], [1000.0, 0.0]])
    >>> projected_power([100.0, 50.0], d, ExponentialGradient(1000.0)).round(1)
    array([[100. ,  36.8],
           [ 18.4,  50. ]])
    """
    m = _as_float("military", military)
    d = _as_float("distance", distance)
    if m.ndim != 1:
        raise InputError(f"military: expected a vector, got shape {m.shape}", field="military")
    if d.shape != (m.size, m.size):
        raise InputError(
            f"distance: expected shape ({m.size}, {m.size}) to match military, got {d.shape}",
            field="distance",
        )
    if np.any(m < 0):
        raise InputError("military: every value must be >= 0", field="military")
    if np.any(d < 0):
        raise InputError("distance: every value must be >= 0", field="distance")
    return gradient.project(m, d)
