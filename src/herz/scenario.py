"""Scenarios: one validated description of a world, read by every model.

A scenario is a YAML document (``yaml.safe_load`` only) with these parts::

    name, description, sources, units
    time:      start (year), step (years per step), steps
    world:     offense_advantage, distinguishability (Jervis 1978), ...
    states:    id, name, military, economy, max_budget_share, type, doctrine,
               intelligence, bias, ccode, capital {lat, lon, name}
    alliances: name, members, kind, reliability, from, until
    events:    crisis | doctrine_change | technology_shock | alliance_change | signal, at a year
    richardson: optional coefficients for Richardson's model (or the rule that derives them),
               the form they are for (method) and, if fitted, where from (fitted)
    observed:  optional: the dataset and variable the states' military is (NMC milex), for
               comparing runs with the record
    spiral:    optional parameters of the spiral model (every one has a documented default)
    <model>:   any other registered model's block, named after the model (``iterated:``, ...)

Each model reads the parts it needs and says in its docstring which ones it ignores.

Validation is strict (unknown keys, wrong types and out-of-range values are errors) and every
failure becomes a :class:`~herz.errors.ScenarioError` whose message is one sentence naming the
file, the field path (``states[3].military``) and the value.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import hashlib
import json
import math
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, Self, Union, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from herz._validation import StrictModel
from herz.errors import InputError, ScenarioError

__all__ = [
    "Alliance",
    "AllianceChangeEvent",
    "Capital",
    "CrisisEvent",
    "DoctrineChangeEvent",
    "Event",
    "Observed",
    "RichardsonDerive",
    "RichardsonFitted",
    "RichardsonParams",
    "Scenario",
    "SignalEvent",
    "Source",
    "SpiralParams",
    "State",
    "TechnologyShockEvent",
    "TimeSpec",
    "World",
    "builtin_scenarios",
    "load_scenario",
    "parse_override",
    "validate_block",
]

StateType = Literal["security_seeker", "greedy"]
Doctrine = Literal["defensive", "offensive", "reassurance"]
AllianceKind = Literal[
    "defense", "offense", "neutrality", "nonaggression", "consultation", "entente"
]

_ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_-]{0,15}$"


_Model = StrictModel


class Source(_Model):
    """A citation for data or parameters used in the scenario."""

    key: str = Field(min_length=1, description="Short key, e.g. 'nmc6'.")
    citation: str = Field(min_length=1, description="Full reference.")
    used_for: str | None = Field(default=None, description="Which values come from it.")


class Units(_Model):
    """Units of the money-valued fields (free text, shown in plots and reports)."""

    military: str = "arbitrary units"
    economy: str = "arbitrary units"


class TimeSpec(_Model):
    """The clock: ``steps`` steps of ``step`` years from ``start``."""

    start: float = Field(
        default=0.0,
        ge=-1_000_000,
        le=1_000_000,
        description=(
            "Year of step 0, within ±1,000,000: a year beyond that is no date in history, "
            "and one as large as 1e300 leaves a step no width in the figures' years."
        ),
    )
    step: float = Field(default=1.0, gt=0, le=100, description="Years per step.")
    steps: int = Field(default=50, ge=1, le=100_000, description="Default number of steps.")

    @property
    def end(self) -> float:
        """The year of the last step."""
        return self.start + self.step * self.steps


class World(_Model):
    """Global parameters of the international system.

    ``offense_advantage`` (ω) and ``distinguishability`` (δ) are Jervis's (1978) two variables:
    ω = 1 means attacking is much easier than defending, ω = 0 the reverse; δ = 1 means offensive
    and defensive postures can be told apart, δ = 0 that they look the same.
    """

    offense_advantage: float = Field(default=0.5, ge=0, le=1)
    distinguishability: float = Field(default=0.5, ge=0, le=1)


class Capital(_Model):
    """Where a state's capital lies: its home base for the loss-of-strength gradient.

    Decimal degrees on the sphere (WGS 84 latitude and longitude, rounded as the scenario's
    ``sources`` say). :mod:`herz.models.geography` turns capitals into great-circle distances
    and power projected over them (Boulding 1962).
    """

    lat: float = Field(ge=-90, le=90, description="Latitude in decimal degrees, north positive.")
    lon: float = Field(ge=-180, le=180, description="Longitude in decimal degrees, east positive.")
    name: str | None = Field(default=None, description="The capital's name, e.g. 'Berlin'.")


class State(_Model):
    """One state: what it has (military stock, economy), what it is and how it sees."""

    id: str = Field(pattern=_ID_PATTERN, description="Short id, e.g. the COW abbreviation.")
    name: str | None = None
    ccode: int | None = Field(default=None, ge=0, description="COW country code, if any.")
    military: float = Field(
        ge=0,
        description=(
            "Military effort at the start, as annual spending (scenario's military unit; in "
            "the historical scenarios COW NMC milex). Richardson's x; the spiral model's first "
            "year's spending, its stock starting at the steady state this spending sustains."
        ),
    )
    economy: float = Field(gt=0, description="Economic resources (scenario's economy unit).")
    max_budget_share: float = Field(
        default=0.1, gt=0, le=1, description="Largest share of the economy spent on arms."
    )
    type: StateType = Field(
        default="security_seeker", description="Private type (Kydd 1997): security_seeker|greedy."
    )
    doctrine: Doctrine = Field(
        default="defensive", description="defensive|offensive realism, or reassurance (GRIT)."
    )
    intelligence: float = Field(default=0.5, ge=0, le=1, description="Intelligence quality q.")
    bias: float = Field(default=0.0, ge=0, le=10, description="Self-serving bias β (Herz).")
    perceived_offense_advantage: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description=(
            "The offense advantage ω this state's leaders believe in, if it differs from the "
            "world's (the cult of the offensive of 1914 was a belief of the general staffs, "
            "Van Evera 1984); it shapes the state's threat, arming, crisis and alliance "
            "choices, never the fighting itself."
        ),
    )
    capital: Capital | None = Field(
        default=None,
        description="The capital's coordinates, if given (herz.models.geography reads them).",
    )

    @property
    def label(self) -> str:
        """The name if given, else the id."""
        return self.name or self.id


class Alliance(_Model):
    """An alliance (or bloc): its members, kind and reliability, and when it is in force."""

    name: str = Field(min_length=1)
    members: list[str] = Field(min_length=2)
    kind: AllianceKind = "defense"
    reliability: float = Field(default=0.8, ge=0, le=1)
    from_year: float | None = Field(default=None, alias="from")
    until: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if len(set(self.members)) != len(self.members):
            dup = next(m for m in self.members if self.members.count(m) > 1)
            raise ValueError(f"member {dup!r} is listed twice")
        if self.from_year is not None and self.until is not None and self.until < self.from_year:
            raise ValueError(f"until ({self.until}) is before from ({self.from_year})")
        return self

    def active(self, year: float) -> bool:
        """Whether the alliance is in force in ``year``."""
        after_start = self.from_year is None or year >= self.from_year
        before_end = self.until is None or year <= self.until
        return after_start and before_end


class _EventBase(_Model):
    year: float = Field(description="When the event happens (a year on the scenario's clock).")
    name: str | None = None


class CrisisEvent(_EventBase):
    """A crisis forced between two states (e.g. Sarajevo, June 1914)."""

    kind: Literal["crisis"]
    states: list[str] = Field(min_length=2, max_length=2)

    @model_validator(mode="after")
    def _distinct(self) -> Self:
        if self.states[0] == self.states[1]:
            raise ValueError(
                f"a crisis needs two different states ({self.states[0]} is named twice)"
            )
        return self


class DoctrineChangeEvent(_EventBase):
    """A state changes doctrine (e.g. the USSR turns to reassurance in 1985)."""

    kind: Literal["doctrine_change"]
    state: str
    doctrine: Doctrine


class TechnologyShockEvent(_EventBase):
    """A state's military productivity jumps by ``factor`` (e.g. Sputnik, 1957)."""

    kind: Literal["technology_shock"]
    state: str
    factor: float = Field(gt=0, le=100)


class AllianceChangeEvent(_EventBase):
    """An alliance is formed or dissolved, or a state joins or leaves one."""

    kind: Literal["alliance_change"]
    action: Literal["join", "leave", "form", "dissolve"]
    alliance: str = Field(min_length=1)
    state: str | None = None
    members: list[str] | None = None
    alliance_kind: AllianceKind = "defense"
    reliability: float = Field(default=0.8, ge=0, le=1)

    @model_validator(mode="after")
    def _fields_for_action(self) -> Self:
        if self.action in ("join", "leave") and self.state is None:
            raise ValueError(f"action {self.action!r} needs 'state'")
        if self.action == "form" and (self.members is None or len(self.members) < 2):
            raise ValueError("action 'form' needs 'members' with at least two states")
        return self


class SignalEvent(_EventBase):
    """A costly signal: ``state`` cuts its military by ``size`` (a share of it) in ``year``.

    Read by the reassurance model (Kydd 2000; docs/reassurance.md); every other model ignores
    it. ``visibility`` is the chance that the other side sees the signal at all.
    """

    kind: Literal["signal"]
    state: str
    size: float = Field(
        gt=0,
        description="The cut, as a share of the state's military (0 < size <= 1: at most all).",
    )
    visibility: float = Field(
        default=1.0, ge=0, le=1, description="Probability that the other side sees the signal."
    )

    @field_validator("size")
    @classmethod
    def _at_most_all(cls, value: float) -> float:
        if value > 1:
            raise ValueError(
                "a signal cannot cut more than the state's military (size is a share of it, "
                "at most 1)"
            )
        return value


Event = Annotated[
    Union[  # noqa: UP007
        CrisisEvent, DoctrineChangeEvent, TechnologyShockEvent, AllianceChangeEvent, SignalEvent
    ],
    Field(discriminator="kind"),
]

Matrix = dict[str, dict[str, float]]


class RichardsonDerive(_Model):
    """Constants of the rule that derives Richardson coefficients from a scenario (ours).

    See :func:`herz.models.richardson.coefficients_from_scenario` for the rule itself.
    """

    reaction_scale: float = Field(
        default=0.3,
        ge=0,
        le=10,
        description="κ, per year.",
        json_schema_extra={
            "source": "ours",
            "why": (
                "κ = 0.3 per year: in two-state the reaction (0.34) is below "
                "the fatigue (0.5), a stable race that ω = 1, δ = 0 turns "
                "into a runaway one (0.6)"
            ),
        },
    )
    fatigue: float = Field(
        default=0.5,
        gt=0,
        le=10,
        description="α, per year.",
        json_schema_extra={"source": "ours", "why": "α = 0.5 per year: a two-year time constant"},
    )
    grievance_share: float = Field(
        default=0.5,
        ge=-10,
        le=10,
        description="γ, seekers.",
        json_schema_extra={
            "source": "ours",
            "why": (
                "γ = 0.5: without rivals a security seeker's arms settle at half its starting level"
            ),
        },
    )
    greedy_grievance_share: float = Field(
        default=1.0,
        ge=-10,
        le=10,
        description="γ, greedy.",
        json_schema_extra={
            "source": "ours",
            "why": ("γ = 1: without rivals a greedy state keeps its starting level"),
        },
    )
    ally_reaction: float = Field(
        default=0.0,
        ge=-10,
        le=10,
        description="Reaction to an ally, as a multiple of κ.",
        json_schema_extra={"source": "ours", "why": "allies do not arm against each other"},
    )


class RichardsonFitted(_Model):
    """Where fitted Richardson coefficients came from: structured provenance that the code
    reads (``herz run`` labels the years inside ``years`` in-sample, the rest out-of-sample).

    ``herz fit richardson --pooled --yaml`` writes this block with the coefficients.
    """

    dataset: Literal["nmc"] = Field(
        description="The dataset fitted: COW National Material Capabilities (milex).",
        json_schema_extra={
            "source": "Singer, Bremer & Stuckey (1972), COW NMC: the only shipped milex series"
        },
    )
    version: Literal[6, 7] = Field(
        default=7,
        description="NMC version (6 or 7; milex is identical on the years they share).",
        json_schema_extra={"source": "ours", "why": "v7.0 is the current release herz ships"},
    )
    years: str = Field(
        pattern=r"^\d{1,4}:\d{1,4}$",
        description="The inclusive range of levels fitted, A:B (its changes are A->A+1 ... ).",
        json_schema_extra={
            "source": "ours",
            "why": "the fitted years: in-sample there, out-of-sample elsewhere",
        },
    )
    form: Literal["per-actor", "combined", "pooled"] = Field(
        description="Which fit: per-actor (two actors), combined (their sum) or pooled "
        "(N states, one k and one a, a grievance each).",
        json_schema_extra={
            "source": "ours",
            "why": "herz.history.estimate's three forms",
            "after": "Richardson (1960): per-actor equations and their combined form",
        },
    )
    regressor: Literal["level", "mean"] = Field(
        default="level",
        description="level: the first year's levels (the annual difference equation); mean: "
        "the two years' mean.",
        json_schema_extra={
            "source": "ours",
            "why": "level is the Euler form that method: euler runs",
            "after": "Richardson (1960): Δ plotted against the mean",
        },
    )
    command: str | None = Field(
        default=None,
        max_length=500,
        description="The command that printed the coefficients (to reproduce them).",
        json_schema_extra={"source": "ours", "why": "reproducibility: the exact command"},
    )

    @field_validator("years")
    @classmethod
    def _ordered(cls, value: str) -> str:
        start, end = (int(v) for v in value.split(":"))
        if end < start:
            raise ValueError("the end year is before the start year")
        return value

    @property
    def span(self) -> tuple[int, int]:
        """The fitted years as (start, end), inclusive."""
        start, end = (int(v) for v in self.years.split(":"))
        return start, end


class RichardsonParams(_Model):
    """Optional coefficients of Richardson's model; anything left out is derived.

    ``reaction`` is either one number (every state's reaction to every non-ally) or a mapping
    ``{i: {j: k_ij}}`` (pairs not listed are 0). ``fatigue`` and ``grievance`` are one number
    for all states or a mapping ``{i: value}``.
    """

    reaction: float | Matrix | None = Field(
        default=None,
        json_schema_extra={
            "source": "ours",
            "why": (
                "absent by default: derived from the scenario by the rule of richardson.derive"
            ),
            "after": "Richardson (1960): the reaction (defence) coefficients k, l",
        },
    )
    fatigue: float | dict[str, float] | None = Field(
        default=None,
        json_schema_extra={
            "source": "ours",
            "why": "absent by default: derived by the rule of richardson.derive",
            "after": "Richardson (1960): the fatigue coefficients a, b",
        },
    )
    grievance: float | dict[str, float] | None = Field(
        default=None,
        json_schema_extra={
            "source": "ours",
            "why": "absent by default: derived by the rule of richardson.derive",
            "after": "Richardson (1960): the grievances g, h",
        },
    )
    noise: float = Field(
        default=0.0,
        ge=0,
        le=10,
        description="Relative noise per √year.",
        json_schema_extra={"source": "Richardson (1960): his equations are deterministic (σ = 0)"},
    )
    method: Literal["exact", "euler"] | None = Field(
        default=None,
        description="The form the coefficients are for: euler for coefficients fitted to "
        "yearly changes (Richardson's annual difference equation, run with one-year steps), "
        "exact for those of the differential equation; the run's default method.",
        json_schema_extra={
            "source": "ours",
            "why": (
                "absent by default: the run's method is then exact; coefficients fitted to "
                "yearly changes are those of the annual map, which may have no continuous "
                "counterpart"
            ),
            "after": "Richardson (1960): the yearly difference form fitted to budgets",
        },
    )
    fitted: RichardsonFitted | None = Field(
        default=None,
        description="Provenance of fitted coefficients: dataset, version, years, form, "
        "regressor, command.",
        json_schema_extra={
            "source": "ours",
            "why": "absent unless the coefficients were fitted (herz fit richardson --yaml)",
        },
    )
    derive: RichardsonDerive = Field(
        default_factory=RichardsonDerive,
        json_schema_extra={
            "source": "ours",
            "why": (
                "the rule that derives the coefficients from a scenario is "
                "herz's operationalization, not Richardson's "
                "(docs/richardson.md)"
            ),
        },
    )


def _switch(description: str, source: str) -> Any:
    """A mechanism switch: on by default; its provenance is the mechanism's source."""
    return Field(
        default=True,
        strict=True,  # true or false only: 0, 1, "false" and "no" are refused, not coerced
        description=description,
        json_schema_extra={"source": source},
    )


class SpiralMechanisms(_Model):
    """Switches for the spiral model's mechanisms (issue #11, item 7): all on by default.

    Switching one off removes that mechanism and nothing else, so that the property it explains
    can be tested with it off (docs/spiral.md, "Mechanisms and their switches"). Set one with
    ``--set spiral.mechanisms.bias=false``; the summary reports them under ``mechanisms``.
    """

    type_uncertainty: bool = _switch(
        "States do not know each other's types (off: types are common knowledge, so each "
        "belief is the truth and never moves).",
        "Jervis (1976), Perception and Misperception, ch. 3; Kydd (1997), World Politics 49",
    )
    belief_update: bool = _switch(
        "Beliefs about types are updated from observed arming (off: they stay at the prior).",
        "Kydd (1997), World Politics 49: Bayesian updating in the spiral model",
    )
    perception_noise: bool = _switch(
        "Each state sees others' arming with noise σ0 (1 − q) (off: it sees it exactly).",
        "Jervis (1976), ch. 4; Fearon (1995), IO 49: private information",
    )
    bias: bool = _switch(
        "The Herz–Jervis asymmetry: a state reads its own arms as defensive and discounts the "
        "threat it poses to others by its bias β (off: β = 0 for every state).",
        "Herz (1950), World Politics 2; Jervis (1976), ch. 3",
    )
    balancing: bool = _switch(
        "States that fear the same state ally against it (off: only the scenario's alliances).",
        "Walt (1987), The Origins of Alliances: balancing against threat",
    )
    preemption: bool = _switch(
        "A side that fears the other is greedy counts the first-strike advantage in a crisis "
        "(off: both sides expect the even contest).",
        "Schelling (1960), ch. 9; Fearon (1995), IO 49, pp. 402–404",
    )
    preventive_war: bool = _switch(
        "A declining side fights when the power shift it expects exceeds what a settlement "
        "can promise (the commitment problem; off: no preventive wars).",
        "Fearon (1995), IO 49, pp. 404–409; Powell (2006), IO 60",
    )
    private_information: bool = _switch(
        "Each side of a crisis estimates the other's strength with its own noise (off: "
        "both sides know the true strengths).",
        "Fearon (1995), IO 49, pp. 390–401: private information and incentives to misrepresent",
    )
    chain_ganging: bool = _switch(
        "Allies of a belligerent join its side with a chance rising with the offense "
        "advantage (off: nobody joins through an alliance).",
        "Christensen & Snyder (1990), IO 44",
    )
    geography: bool = _switch(
        "Projected power and threat decay with the distance between capitals (off: distance "
        "does not matter, or when a state has no capital).",
        "Boulding (1962), Conflict and Defense, ch. 12: the loss-of-strength gradient",
    )
    posture_choice: bool = _switch(
        "Each state chooses a mix of offensive and defensive forces; the offense multiplier "
        "acts on the offensive part and others read the mix with distinguishability δ (off: "
        "all forces are offensive).",
        "Jervis (1978), World Politics 30; Glaser & Kaufmann (1998), International Security 22",
    )
    reassurance: bool = _switch(
        "States with the reassurance doctrine arm below their defensive need while "
        "reciprocated (off: they act as defensive realists).",
        "Osgood (1962), An Alternative to War or Surrender: GRIT",
    )
    war_outcomes: bool = _switch(
        "A defeated state's economy passes in part to the victors and a state can be "
        "eliminated (off: defeat costs the loser and nobody gains).",
        "Cederman (1997), Emergent Actors in World Politics (GeoSim); Fearon (1995), IO 49",
    )

    def off(self) -> list[str]:
        """The names of the switches that are off, in declaration order."""
        return [name for name in type(self).model_fields if not getattr(self, name)]


class SpiralParams(_Model):
    """Parameters of the spiral model (:mod:`herz.models.spiral`); absent means all defaults.

    Rates are per year (over a step of ``time.step`` years the model turns them into exact
    exponential updates and hazards 1 − exp(−rate·dt); issue #11). World-level and per-state
    quantities that the scenario already has (``world.offense_advantage``,
    ``world.distinguishability``, each state's ``military``, ``economy``, ``max_budget_share``,
    ``type``, ``doctrine``, ``intelligence``, ``bias``, the alliances and their ``reliability``)
    are read from there and not repeated here. docs/spiral.md has the equations.
    """

    # power and threat (Hirshleifer 1989; Tullock 1980; Jervis 1978)
    decisiveness: float = Field(
        default=1.0,
        # below 0.1 the need (μ/τ − 1)^(1/m) of a defensive realist overflows a float (m =
        # 0.001 raised it to the 1000th power): a contest that indecisive leaves arms no say
        ge=0.1,
        le=10,
        description="m: exponent of the contest success function (at least 0.1).",
        json_schema_extra={
            "source": "ours",
            "why": (
                "m = 1, the lottery form: win chances proportional to "
                "strength; no source fixes m for states at war"
            ),
            "after": (
                "Tullock (1980); Hirshleifer (1989), Public Choice 63: the "
                "ratio form of the contest success function"
            ),
        },
    )
    offense_scale: float = Field(
        default=2.0,
        ge=1,
        le=100,
        description="θ_max: offense multiplier θ = θ_max^(2ω − 1), so θ ∈ [1/θ_max, θ_max].",
        json_schema_extra={
            "source": "ours",
            "why": (
                "at full offense advantage an attacker's strength counts "
                "twice, at full defense advantage half; Jervis gives no "
                "number"
            ),
            "after": "Jervis (1978): the offense-defense balance",
        },
    )
    # arming
    tolerance: float = Field(
        default=0.2,
        # at least 0.001, so that the need (μ/τ − 1)^(1/m) stays finite for every m ≥ 0.1
        ge=0.001,
        le=1,
        description="τ: the threat a security seeker tolerates (at least 0.001).",
        json_schema_extra={
            "source": "ours",
            "why": (
                "a security seeker tolerates a threat (belief × chance of "
                "losing) of 0.2: a testbed value"
            ),
            "after": "Glaser (2010): enough for security",
            "calibrated": {
                "europe-1914": {
                    "value": 0.325,
                    "how": (
                        "docs/calibrate_spiral.py: grid search, jointly over "
                        "tolerance τ ∈ [0.3, 0.6] (step 0.025) and superiority s ∈ "
                        "[0, 1.2] (step 0.1), least RMS log error of the six great "
                        "powers' ensemble-mean spending against COW NMC v6.0 milex; "
                        "fitted years 1910–1913 (1909 is the start); 200 runs, seed "
                        "1, endogenous crises off (crisis_rate 0); checked with seed 2. "
                        "A calibration, not a citation; the grid starts at the prior μ0 "
                        "(below it 1909 would not be a rest point), and the error is nearly "
                        "flat over it"
                    ),
                }
            },
        },
    )
    adjustment: float = Field(
        default=0.5,
        ge=0,
        le=10,
        description="λ: speed of arming toward the target, per year.",
        json_schema_extra={
            "source": "ours",
            "why": ("half the gap to the target closed per year (a two-year time constant)"),
            "after": "Richardson (1960): partial adjustment toward a target",
        },
    )
    base_posture: float = Field(
        default=0.02,
        ge=0,
        le=10,
        description="b0: stock kept whatever the threat, as a share of the economy.",
        json_schema_extra={
            "source": "ours",
            "why": ("a military burden of 2% of the economy kept whatever the threat"),
            "after": "Richardson (1960): the grievance term",
        },
    )
    base_from_start: bool = Field(
        default=False,
        description=(
            "If true, each state's base posture is its own burden at the start "
            "(military / economy) instead of base_posture: the starting spending is what the "
            "state keeps whatever the threat (calibration of historical scenarios)."
        ),
        json_schema_extra={
            "source": "ours",
            "why": (
                "off for synthetic worlds; europe-1914 and cold-war set it so"
                " that their first year is a rest point: a modelling choice, "
                "not data"
            ),
            "after": "Richardson (1960): grievances fitted to the start",
        },
    )
    depreciation: float = Field(
        default=0.1,
        gt=0,
        le=1,
        description="d: share of the military stock lost per year.",
        json_schema_extra={
            "source": "ours",
            "why": "10% of the stock lost per year: a ten-year service life",
        },
    )
    superiority: float = Field(
        default=1.2,
        ge=0,
        le=10,
        description="Offensive realists' target ratio to the strongest rival.",
        json_schema_extra={
            "source": "ours",
            "why": ("offensive realists aim at 20% more strength than their strongest rival"),
            "after": "Mearsheimer (2001): offensive realists seek superiority",
            "calibrated": {
                "europe-1914": {
                    "value": 0.3,
                    "how": (
                        "docs/calibrate_spiral.py: grid search, jointly over "
                        "tolerance τ ∈ [0.3, 0.6] (step 0.025) and superiority s ∈ "
                        "[0, 1.2] (step 0.1), least RMS log error of the six great "
                        "powers' ensemble-mean spending against COW NMC v6.0 milex; "
                        "fitted years 1910–1913 (1909 is the start); 200 runs, seed "
                        "1, endogenous crises off (crisis_rate 0); checked with seed "
                        "2. A calibration, not a citation; the error is nearly flat in "
                        "both (docs/spiral.md, Calibration against NMC)"
                    ),
                }
            },
        },
    )
    greedy_effort: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="Greedy states spend at least this share of their budget ceiling.",
        json_schema_extra={
            "source": "ours",
            "why": ("greedy states spend their whole budget ceiling (arming for opportunity)"),
            "after": "Kydd (1997, 2005): greedy types",
        },
    )
    grit_share: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Reassurers (GRIT) arm to this share of the target.",
        json_schema_extra={
            "source": "ours",
            "why": "a reassurer arms to half its defensive target",
            "after": "Osgood (1962): GRIT",
        },
    )
    grit_abandon: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="A reassurer returns to defence when its highest belief exceeds this.",
        json_schema_extra={
            "source": "ours",
            "why": (
                "restraint is dropped once the reassurer's highest belief "
                "that a rival is greedy exceeds 0.8"
            ),
            "after": "Osgood (1962): restraint continued only while reciprocated",
        },
    )
    growth: float = Field(
        default=0.02,
        ge=-0.5,
        le=0.5,
        description="Economic growth per year without arms.",
        json_schema_extra={
            "source": "ours",
            "why": "2% growth a year without arms, a long-run real rate",
            "calibrated": {
                "cold-war": {
                    "value": 0.06,
                    "how": (
                        "docs/calibrate_spiral.py: grid search over growth ∈ [0.02, "
                        "0.12] (step 0.005; nominal, as NMC milex is in current "
                        "dollars), least RMS log error of the USA's and the USSR's "
                        "ensemble-mean spending against COW NMC v6.0 milex; fitted "
                        "years 1949–1990; 200 runs, seed 1, endogenous crises off "
                        "(crisis_rate 0); checked with seed 2. A calibration, not a "
                        "citation"
                    ),
                }
            },
        },
    )
    guns_cost: float = Field(
        default=0.05,
        ge=0,
        le=10,
        description="Growth lost per unit of military burden (spending / economy).",
        json_schema_extra={
            "source": "ours",
            "why": (
                "half a point of growth lost at a 10% military burden; chosen"
                " so that the growth cost per unit of stock stayed what it "
                "was before the units of M were fixed (0.5 × d)"
            ),
            "after": "Richardson (1960); Powell (1993): guns versus butter",
        },
    )
    # perception and belief (Jervis 1976; Kydd 1997)
    noise_scale: float = Field(
        default=0.5,
        ge=0,
        le=5,
        description=(
            "σ0: observation noise is σ0·(1 − intelligence) per year (σ/√dt in a step of dt)."
        ),
        json_schema_extra={
            "source": "ours",
            "why": (
                "log-scale observation noise 0.5 for a state without "
                "intelligence (q = 0), none at q = 1"
            ),
            "after": "Jervis (1976): misperception",
        },
    )
    model_noise: float = Field(
        default=1.0,
        gt=0,
        le=5,
        description="σ_f: observers' allowance for unmodelled noise, per year like σ0.",
        json_schema_extra={
            "source": "ours",
            "why": (
                "spending is a weak signal of intent: observers allow a log-scale spread of 1 "
                "a year for what moves budgets besides type (domestic politics, technology, "
                "the need the public benchmark cannot see), so a year of a state spending its "
                "ceiling where a seeker would spend a third moves the log-odds by about 0.6 "
                "and beliefs form over years (images resist change: Jervis 1976, ch. 4). "
                "It was 0.2 while δ scaled the information (issue #11); at 0.2 a type is read "
                "in months, faster than steps of a quarter resolve (docs/spiral.md, Time step)"
            ),
        },
    )
    prior_greedy: float = Field(
        default=0.3,
        gt=0,
        lt=1,
        description="μ0: initial belief that another state is greedy.",
        json_schema_extra={
            "source": "ours",
            "why": ("before any observation a state puts 0.3 on another being greedy"),
            "after": "Kydd (1997): beliefs about types",
        },
    )
    belief_bound: float = Field(
        default=0.001,
        gt=0,
        lt=0.5,
        description="Beliefs are kept in [b, 1 − b].",
        json_schema_extra={
            "source": "ours",
            "why": (
                "numerical: keeps beliefs off 0 and 1, so that logits stay "
                "finite and beliefs can move"
            ),
        },
    )
    inner_step: float | None = Field(
        default=None,
        gt=0,
        le=1,
        description=(
            "Longest inner step (years) of the loop of power, arming, perception, stocks and "
            "budgets inside each step, where balancing reviews fall and over which the crisis "
            "hazard is averaged; the settlement of crises and wars stay on the step. "
            "null: the step itself."
        ),
        json_schema_extra={
            "source": "ours",
            "why": (
                "numerical, off by default: learning comes in bursts shorter than a year, "
                "which a yearly step holds for the whole step; inner steps of 0.25 years make "
                "dt = 1 and 0.5 agree with dt = 0.25, by type too, at 3.1 times the cost "
                "(docs/spiral.md, Time step)"
            ),
        },
    )
    budget_period: float = Field(
        default=1.0,
        ge=0,
        le=10,
        description=(
            "P: years between budget decisions. Spending and the posture are decided as each "
            "period begins (counted from the scenario's start) and held until the next; "
            "belligerents spend their ceiling from the day they enter a war. 0: decided at "
            "every step."
        ),
        json_schema_extra={
            "source": (
                "Wildavsky (1964), The Politics of the Budgetary Process; Ostrom (1978), "
                "APSR 72(3): defence spending is appropriated once a year"
            ),
            "why": (
                "states re-plan their arms once a year; at P = 0 (re-planned every step) "
                "beliefs and the four worlds depend on the step down to dt = 1/16 "
                "(docs/spiral.md, Time step)"
            ),
        },
    )
    # alliances (Walt 1987)
    balance_interval: float = Field(
        default=5.0,
        ge=0,
        le=1000,
        description=(
            "K: mean years between reviews of a pair's balancing tie (a Poisson review at "
            "rate 1/K; 0: never)."
        ),
        json_schema_extra={
            "source": "ours",
            "why": "each alliance is reviewed every five years on average",
            "after": "Walt (1987): balancing against threat",
        },
    )
    balance_threshold: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="Least threat that makes a state seek allies.",
        json_schema_extra={
            "source": "ours",
            "why": ("a state seeks allies only when its highest threat exceeds 0.1"),
        },
    )
    balance_reliability: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Reliability of a balancing tie.",
        json_schema_extra={
            "source": "ours",
            "why": ("a balancing tie counts half as much as a full alliance of reliability 1"),
        },
    )
    # crises (Fearon 1995; Schelling 1960)
    crisis_rate: float = Field(
        default=0.5,
        ge=0,
        le=100,
        description="Crises per state per year at mutual threat 1.",
        json_schema_extra={
            "source": "ours",
            "why": "at mutual threat 1 a state meets one crisis every two years",
            "after": "Bremer & Mihalka (1977): crisis onset rising with threat",
        },
    )
    crisis_base: float = Field(
        default=0.0,
        ge=0,
        le=100,
        description="Crises per state per year at no threat.",
        json_schema_extra={
            "source": "ours",
            "why": ("no crises without threat: every endogenous crisis comes from threat"),
        },
    )
    war_cost: float = Field(
        default=0.1,
        ge=0,
        le=1000,
        description="c: expected cost of war as a share of the stakes.",
        json_schema_extra={
            "source": "ours",
            "why": (
                "war costs a tenth of the stakes; P(war) is very sensitive to"
                " it (europe-1914, 2,000 runs, seed 5: 0.72, 0.27, 0.044, 0.0005 at 0,"
                " 0.05, 0.1, 0.2)"
            ),
            "after": "Fearon (1995): the costs of war as a share of the stakes",
        },
    )
    cost_model: Literal["constant", "attrition"] = Field(
        default="constant",
        description=(
            "Where each side's cost of war c in a crisis comes from. constant: c = war_cost. "
            "attrition: the expected cost of the war the side foresees, in the model's money "
            "over the money value of the stake (share of the stake): its expected losses of "
            "stock at replacement cost 1/(a·d), its extra spending at the ceiling and its "
            "economy's war damage over the expected duration, for a square-law war at "
            "attrition until exhaustion or a separate peace (2 × peace_rate); the stake is "
            "worth defeat_cost × the two economies (the war's transfer). Needs "
            "defeat_cost > 0 and peace_rate > 0."
        ),
        json_schema_extra={
            "source": "ours",
            "why": (
                "constant by default, so that every result stays as it was; attrition "
                "derives c from the war the model would fight (issue #11: the cost of war "
                "comes from the model's expected attrition, not a free constant). Under the "
                "defaults its median is 0.53 of the stake in europe-1914 and 1.17 in "
                "multipolar-20, against 0.1, and war vanishes (seed 7; "
                "docs/bargaining.md, The cost of war from attrition)"
            ),
            "after": (
                "Fearon (1995), IO 49: costs as a share of the stakes; Lanchester (1916): the "
                "square law"
            ),
        },
    )
    greed_stake: float = Field(
        default=0.5,
        ge=0,
        le=100,
        description="Greedy states value the stakes 1 + this.",
        json_schema_extra={
            "source": "ours",
            "why": "greedy states value the stakes 1.5 times",
            "after": "Kydd (2005): greedy types value gains more",
        },
    )
    # war (Christensen & Snyder 1990; Lanchester 1916)
    chaingang_defense: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description="An ally's chance to join per unit reliability, ω = 0.",
        json_schema_extra={
            "source": "ours",
            "why": (
                "under full defense advantage an ally joins with a fifth of its tie's reliability"
            ),
            "after": ("Christensen & Snyder (1990): buck-passing under defense dominance"),
        },
    )
    chaingang_offense: float = Field(
        default=1.0,
        ge=0,
        le=1,
        description="An ally's chance to join per unit reliability, ω = 1.",
        json_schema_extra={
            "source": "ours",
            "why": ("under full offense advantage an ally joins with its tie's full reliability"),
            "after": ("Christensen & Snyder (1990): chain-ganging under offense dominance"),
        },
    )
    attrition: float = Field(
        default=0.3,
        ge=0,
        le=10,
        description="Lanchester attrition per year.",
        json_schema_extra={
            "source": "ours",
            "why": "a side loses 0.3 of the enemy's force per year",
            "after": "Lanchester (1916): the square law",
        },
    )
    exhaustion: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="A belligerent quits below this share of its forces.",
        json_schema_extra={
            "source": "ours",
            "why": "a belligerent quits at half its stock at entry",
            "after": (
                "Taylor (1983); Helmbold (1971): force-level breakpoints (the"
                " convention, not the value)"
            ),
        },
    )
    peace_rate: float = Field(
        default=0.3,
        ge=0,
        le=100,
        description="Negotiated exits from war per belligerent per year.",
        json_schema_extra={
            "source": "ours",
            "why": ("negotiated exits at 0.3 per belligerent per year (3.3 years on average)"),
        },
    )
    war_damage: float = Field(
        default=0.05,
        ge=0,
        le=1,
        description="Share of the economy lost per year at war.",
        json_schema_extra={"source": "ours", "why": "5% of the economy lost per year at war"},
    )
    defeat_cost: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="Share of the economy lost by a defeated state.",
        json_schema_extra={"source": "ours", "why": "a defeated state loses 10% of its economy"},
    )
    # war outcomes (Cederman 1997), preventive war (Powell 2006), geography (Boulding 1962)
    conquest_ratio: float = Field(
        default=10.0,
        ge=1,
        le=1e6,
        description=(
            "A defeated state is conquered (eliminated, its economy passing to the victors) "
            "when the other side's force is at least this many times its own."
        ),
        json_schema_extra={
            "source": "ours",
            "why": (
                "an order of magnitude: Serbia (1915) or Belgium (1914) against a great "
                "power, not France against Germany; GeoSim conquers province by province"
            ),
            "after": "Cederman (1997), Emergent Actors in World Politics, ch. 4 (GeoSim)",
        },
    )
    discount: float = Field(
        default=0.1,
        gt=0,
        le=10,
        description=(
            "r: per-year discount rate of the future in the commitment problem, δ = e^(−r)."
        ),
        json_schema_extra={
            "source": "ours",
            "why": "10% a year: a one-year shift is weighed against about ten years of peace",
            "after": "Powell (2006), IO 60: the discount factor δ of the commitment problem",
        },
    )
    defensive_mix: float = Field(
        default=0.2,
        ge=0,
        le=1,
        description=(
            "φ_def: the offensive share of a security seeker's forces while it feels safe "
            "(posture choice; 1 for greedy states and offensive realists)."
        ),
        json_schema_extra={
            "source": "ours",
            "why": "a mostly defensive force: a fifth of it usable for attack",
            "after": "Glaser & Kaufmann (1998), International Security 22: force posture",
        },
    )
    reach_days: float = Field(
        default=10.0,
        gt=0,
        le=1e4,
        description=(
            "Loss-of-strength gradient: an attacker's strength at distance d from its capital "
            "counts exp(−d / L), L = reach_days × the era's speed of military transport "
            "(250, 375 or 500 miles a day before 1918, to 1945, after; Bueno de Mesquita 1981 "
            "as EUGene codes it)."
        ),
        json_schema_extra={
            "source": "ours",
            "why": (
                "power falls by a factor e over ten days' transport: L = 4,023 km before "
                "1918 (a neighbour at 900 km keeps 80%, Serbia's strength at London 65%), "
                "8,047 km after 1945 (Moscow at Washington 38%); the exponential form is ours"
            ),
            "after": (
                "Boulding (1962), Conflict and Defense, ch. 12; transport speeds from "
                "Bueno de Mesquita (1981), The War Trap, via EUGene (Bennett & Stam 2000)"
            ),
        },
    )
    mechanisms: SpiralMechanisms = Field(
        default_factory=SpiralMechanisms,
        json_schema_extra={
            "source": "ours",
            "why": "switches that remove one mechanism each, for ablation (issue #11, item 7)",
        },
    )


class Observed(_Model):
    """What the scenario's ``military`` is, as data: a dataset and a variable in the
    scenario's unit, so that runs can be compared with the record (``herz run`` overlays the
    observed values and reports ``observed_error``; :mod:`herz.history.observed`).

    Matched by each state's ``ccode``; compared only in the years whose dataset unit is the
    scenario's ``currency`` (NMC milex is in GBP to 1913 and in USD from 1914; herz does not
    convert).
    """

    dataset: Literal["nmc"] = Field(
        description="The dataset: COW National Material Capabilities.",
        json_schema_extra={
            "source": "Singer, Bremer & Stuckey (1972), COW NMC: milex, military expenditure"
        },
    )
    variable: Literal["milex"] = Field(
        default="milex",
        description="The dataset's variable that the scenario's military measures.",
        json_schema_extra={"source": "Singer, Bremer & Stuckey (1972): milex"},
    )
    scale: float = Field(
        gt=0,
        le=1e6,
        description="Multiply the dataset's values by this to get the scenario's military "
        "unit (0.001: NMC's thousands to millions).",
        json_schema_extra={"source": "ours", "why": "the scenario's unit, stated in its header"},
    )
    version: Literal[6, 7] = Field(
        default=7,
        description="NMC version (milex is identical in v6.0 and v7.0 on the years they share).",
        json_schema_extra={"source": "ours", "why": "v7.0 is the current release herz ships"},
    )
    currency: Literal["GBP", "USD"] = Field(
        description="The currency of the scenario's military unit; only the dataset's years "
        "in that currency are compared.",
        json_schema_extra={
            "source": "ours",
            "why": "NMC milex is current GBP to 1913 and current USD from 1914; no conversion",
        },
    )


#: A model block's key: the name of a registered model (``iterated``, ``lanchester``, ...).
_BLOCK_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class Scenario(_Model):
    """A world to simulate. See the module docstring for the layout.

    Besides its own fields, a scenario may carry one block per model, named after the model
    (``iterated: {...}``). ``richardson`` and ``spiral`` are typed here; any other block is
    kept as given and validated by its model's ``Params`` (see :func:`validate_block`) when the
    model runs, and by ``herz validate``. A key that is neither a field nor a block name is an
    error here.
    """

    model_config = ConfigDict(extra="allow")

    #: where the scenario came from, as given (a file's path, a built-in's name), for errors
    #: found after it was loaded; see :attr:`origin`
    _origin: str | None = PrivateAttr(default=None)

    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    sources: list[Source] = Field(default_factory=list)
    units: Units = Field(default_factory=Units)
    time: TimeSpec = Field(default_factory=TimeSpec)
    world: World = Field(default_factory=World)
    states: list[State] = Field(min_length=1, max_length=1000)
    alliances: list[Alliance] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    richardson: RichardsonParams | None = None
    spiral: SpiralParams | None = None
    observed: Observed | None = Field(
        default=None,
        description="Where the states' military is observed (dataset, variable, scale), for "
        "comparing runs with the record.",
        json_schema_extra={
            "source": "ours",
            "why": "absent by default: a synthetic scenario has no record to compare with",
        },
    )

    # -- cross-field checks ---------------------------------------------------------------
    @model_validator(mode="before")
    @classmethod
    def _blocks(cls, doc: Any) -> Any:
        if isinstance(doc, dict):
            fields = set(cls.model_fields) | {f.alias for f in cls.model_fields.values()}
            for key, value in doc.items():
                if key in fields:
                    continue
                if not isinstance(key, str) or not _BLOCK_NAME.match(key):
                    raise _FieldError(str(key), value, "unknown field")
                if value is not None and not isinstance(value, dict):
                    raise _FieldError(
                        str(key), value, "a model block must be a mapping of parameters"
                    )
        return doc

    @model_validator(mode="after")
    def _cross_check(self) -> Self:
        seen: dict[str, int] = {}
        for i, s in enumerate(self.states):
            if s.id in seen:
                raise _FieldError(f"states[{i}].id", s.id, "duplicate state id")
            seen[s.id] = i
        names: set[str] = set()
        for a_i, a in enumerate(self.alliances):
            if a.name in names:
                raise _FieldError(f"alliances[{a_i}].name", a.name, "duplicate alliance name")
            names.add(a.name)
            for m_i, m in enumerate(a.members):
                self._known(m, f"alliances[{a_i}].members[{m_i}]")
        for e_i, e in enumerate(self.events):
            where = f"events[{e_i}]"
            if not (self.time.start <= e.year <= self.time.end):
                raise _FieldError(
                    f"{where}.year",
                    e.year,
                    f"is outside the scenario's time range {self.time.start:g}–{self.time.end:g}",
                )
            if isinstance(e, CrisisEvent):
                for s_i, sid in enumerate(e.states):
                    self._known(sid, f"{where}.states[{s_i}]")
            elif isinstance(e, DoctrineChangeEvent | TechnologyShockEvent | SignalEvent):
                self._known(e.state, f"{where}.state")
            else:
                if e.state is not None:
                    self._known(e.state, f"{where}.state")
                for m_i, m in enumerate(e.members or []):
                    self._known(m, f"{where}.members[{m_i}]")
        self._check_alliance_timeline()
        if self.richardson is not None:
            self._check_richardson(self.richardson)
        if self.spiral is not None and self.spiral.cost_model == "attrition":
            # the stake is worth defeat_cost × the two economies, and only a peace ends a
            # war that nobody can win
            for name in ("defeat_cost", "peace_rate"):
                value = getattr(self.spiral, name)
                if value <= 0:
                    raise _FieldError(
                        f"spiral.{name}", value, "must be > 0 under spiral.cost_model: attrition"
                    )
        return self

    def _known(self, state_id: str, path: str) -> None:
        if state_id not in {s.id for s in self.states}:
            known = ", ".join(s.id for s in self.states[:12])
            more = ", ..." if len(self.states) > 12 else ""
            raise _FieldError(path, state_id, f"unknown state id (known: {known}{more})")

    def _check_alliance_timeline(self) -> None:
        """The alliance changes, replayed in the order of their years (the file's order on a
        tie), as the models apply them: each joins, leaves or dissolves an alliance that exists
        then (declared under ``alliances`` or formed by an earlier event and not dissolved);
        ``form`` makes a new one; a state joins an alliance it is not in and leaves one it is
        in. An event that could not take effect was accepted and then silently ignored."""
        book: dict[str, set[str]] = {a.name: set(a.members) for a in self.alliances}
        changes = sorted(
            (e.year, k, e) for k, e in enumerate(self.events) if isinstance(e, AllianceChangeEvent)
        )
        for year, k, e in changes:
            where = f"events[{k}]"
            if e.action == "form":
                if e.alliance in book:
                    raise _FieldError(
                        f"{where}.alliance",
                        e.alliance,
                        f"an alliance of that name exists in {year:g}; dissolve it first or "
                        "choose another name",
                    )
                book[e.alliance] = set(e.members or [])
                continue
            if e.alliance not in book:
                raise _FieldError(
                    f"{where}.alliance",
                    e.alliance,
                    f"no alliance of that name exists in {year:g} (it must be declared under "
                    "alliances or formed by an earlier event)",
                )
            members = book[e.alliance]
            if e.action == "dissolve":
                del book[e.alliance]
            elif e.action == "join":
                if e.state in members:
                    raise _FieldError(
                        f"{where}.state",
                        e.state,
                        f"is already a member of {e.alliance} in {year:g}",
                    )
                members.add(str(e.state))
            else:
                if e.state not in members:
                    raise _FieldError(
                        f"{where}.state", e.state, f"is not a member of {e.alliance} in {year:g}"
                    )
                members.discard(str(e.state))

    def _check_richardson(self, r: RichardsonParams) -> None:
        if isinstance(r.reaction, dict):
            for i, row in r.reaction.items():
                self._known(i, "richardson.reaction")
                for j in row:
                    self._known(j, f"richardson.reaction.{i}")
                    if j == i and row[j] != 0:
                        # Richardson's K has a zero diagonal: a state's own stock acts through
                        # its fatigue, a (the kernel ignored a diagonal entry without a word)
                        raise _FieldError(
                            f"richardson.reaction.{i}.{j}",
                            row[j],
                            "a state cannot react to its own arms (use richardson.fatigue)",
                        )
        for part in ("fatigue", "grievance"):
            value = getattr(r, part)
            if isinstance(value, dict):
                for i in value:
                    self._known(i, f"richardson.{part}")

    # -- convenience ----------------------------------------------------------------------
    @property
    def blocks(self) -> dict[str, dict[str, Any]]:
        """The model blocks that are not typed fields, by name (raw, as in the file)."""
        return {k: (v or {}) for k, v in (self.model_extra or {}).items()}

    @property
    def ids(self) -> list[str]:
        """State ids in scenario order (the order of every model's state axis)."""
        return [s.id for s in self.states]

    def index(self, state_id: str) -> int:
        """Position of a state on the state axis."""
        return self.ids.index(state_id)

    def alliances_at(self, year: float) -> list[Alliance]:
        """The scenario's alliances in force in ``year``."""
        return [a for a in self.alliances if a.active(year)]

    def to_dict(self) -> dict[str, Any]:
        """The scenario as a plain dict (YAML field names, defaults included)."""
        return self.model_dump(mode="json", by_alias=True)

    def to_yaml(self) -> str:
        """The scenario as a YAML document that :func:`load_scenario` reads back."""
        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)

    def save(self, path: str | Path) -> None:
        """Write the scenario as YAML."""
        Path(path).write_text(self.to_yaml(), encoding="utf-8")

    def hash(self) -> str:
        """A SHA-256 of the scenario's canonical JSON form (recorded with every result)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def with_overrides(
        self, overrides: Mapping[str, Any] | None, *, source: str = "overrides"
    ) -> Scenario:
        """A copy with dotted-path values replaced, validated again.

        Paths use the YAML field names: ``world.offense_advantage``, ``time.steps``,
        ``states[2].military`` or, by id, ``states.UKG.military``, ``alliances[0].reliability``,
        ``richardson.derive.fatigue``; ``[*]`` sets every item of a list
        (``states[*].type``). A path that does not exist raises
        :class:`~herz.errors.ScenarioError`.
        """
        if overrides is not None and not isinstance(overrides, Mapping):
            raise ScenarioError(
                f"{self.origin}: {source} must be a mapping of dotted paths to values, such as "
                f"{{'world.offense_advantage': 0.8}}, got {_kind(overrides)}.",
                source=source,
                value=overrides,
            )
        if not overrides:
            return self
        for path in overrides:
            if not isinstance(path, str):
                raise ScenarioError(
                    f"{self.origin}: {source}: a path must be a string such as "
                    f"'world.offense_advantage', got {_kind(path)}.",
                    source=source,
                    field=str(path),
                    value=path,
                )
        doc = self.to_dict()
        for path, value in overrides.items():
            for concrete in _expand_wildcards(doc, path, source=source):
                _set_path(doc, concrete, value, source=source)
        # a source that names the scenario already (the web's "two-state (overrides)") is not
        # wrapped again ("two-state (with two-state (overrides))")
        where = source if source.startswith(self.origin) else f"{self.origin} (with {source})"
        changed = Scenario.from_dict(doc, source=where)
        changed._origin = self._origin
        return changed

    def __eq__(self, other: object) -> bool:
        """Equal in content: where two scenarios were loaded from (:attr:`origin`) does not
        make them different (a built-in and a copy of its file are the same scenario)."""
        if not isinstance(other, BaseModel):
            return NotImplemented
        return (
            type(self) is type(other)
            and self.__dict__ == other.__dict__
            and self.__pydantic_extra__ == other.__pydantic_extra__
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, as pydantic's models

    @property
    def origin(self) -> str:
        """What errors found after loading call this scenario: the file as the user gave it
        (``my.yaml``, not the ``name:`` inside it, which a copy of a built-in shares with the
        built-in), a built-in's name, or the scenario's name when it was made in code."""
        return self._origin or self.name

    @classmethod
    def from_dict(cls, doc: Any, *, source: str = "<scenario>") -> Scenario:
        """Validate a parsed document; raise :class:`ScenarioError` with one sentence if bad."""
        if not isinstance(doc, dict):
            raise ScenarioError(
                f"{source}: a scenario must be a mapping of fields, got {_kind(doc)}.",
                source=source,
                value=doc,
            )
        try:
            scenario = cls.model_validate(doc)
        except ValidationError as exc:
            raise _to_scenario_error(exc, source, doc) from None
        except _FieldError as exc:  # raised directly when not wrapped by pydantic
            raise ScenarioError(
                f"{source}: {exc.path}: {exc.reason}, got {_short(exc.value)}.",
                source=source,
                field=exc.path,
                value=exc.value,
            ) from None
        if not source.startswith("<"):  # "<dict>", "<string>": nothing the user would know
            scenario._origin = source
        return scenario

    @classmethod
    def from_yaml(cls, text: str, *, source: str = "<string>") -> Scenario:
        """Parse and validate a YAML document."""
        from herz._yaml import load_yaml

        try:
            doc = load_yaml(text, source=source)
        except InputError as exc:
            raise ScenarioError(str(exc), source=source, field=exc.field) from None
        return cls.from_dict(doc, source=source)


class _FieldError(ValueError):
    """A cross-field problem that knows its exact path (turned into a ScenarioError)."""

    def __init__(self, path: str, value: Any, reason: str) -> None:
        super().__init__(f"{path}: {reason}, got {value!r}")
        self.path = path
        self.value = value
        self.reason = reason


def _kind(value: Any) -> str:
    if value is None:
        return "an empty document"
    name = type(value).__name__
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name} ({_short(value)})"


def _short(value: Any, limit: int = 60) -> str:
    from herz._yaml import quote

    return quote(value, limit)


_EVENT_TAGS = ("crisis", "doctrine_change", "technology_shock", "alliance_change", "signal")


def _loc_to_path(loc: tuple[int | str, ...]) -> str:
    """``("states", 3, "military")`` → ``"states[3].military"`` (event-kind tags dropped)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part not in _EVENT_TAGS:
            out += ("." if out else "") + str(part)
    return out


def _lookup(doc: Any, loc: tuple[int | str, ...]) -> tuple[bool, Any]:
    """The value at a pydantic error location in the raw document, if it is there."""
    cur = doc
    for part in loc:
        if isinstance(part, str) and part in _EVENT_TAGS:
            continue
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
            continue
        if isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            cur = cur[part]
            continue
        return False, None
    return True, cur


def _not_finite(value: Any) -> bool:
    """Whether ``value`` is NaN or ±inf, as a float or as text a number field would read so
    ("nan", "inf", "-Infinity")."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return not math.isfinite(value)
    if isinstance(value, str):
        try:
            return not math.isfinite(float(value))
        except ValueError:
            return False
    return False


#: Added where text was wanted and YAML gave a boolean: YAML 1.1 reads unquoted yes, no, on,
#: off, true and false (any case) as booleans, so Norway's id ``NO`` arrives as false.
YAML_BOOLEAN_HINT = (
    " (YAML reads unquoted yes, no, on, off, true and false as true or false: quote the value, "
    "as in 'NO')"
)


def _to_scenario_error(exc: ValidationError, source: str, doc: Any) -> ScenarioError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    ctx = first.get("ctx") or {}
    inner = ctx.get("error")
    if isinstance(inner, _FieldError):
        return ScenarioError(
            f"{source}: {inner.path}: {inner.reason}, got {_short(inner.value)}.",
            source=source,
            field=inner.path,
            value=inner.value,
        )
    loc = tuple(first["loc"])
    path = _loc_to_path(loc) or "(top level)"
    etype = first["type"]
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    if etype == "extra_forbidden":
        msg = f"{source}: {path}: unknown field{more}."
        return ScenarioError(msg, source=source, field=path)
    if etype == "missing":
        msg = f"{source}: {path}: required field is missing{more}."
        return ScenarioError(msg, source=source, field=path)
    found, value = _lookup(doc, loc)
    reason = str(first["msg"])
    reason = reason.removeprefix("Value error, ")
    flag = re.fullmatch(
        r"(\w+) must be (text|a number|a number or text|a mapping of fields), not (true|false)",
        reason,
    )
    if flag:  # StrictModel refused a boolean: name the field itself
        path = f"{path}.{flag.group(1)}" if path != "(top level)" else flag.group(1)
        value = flag.group(3) == "true"
        hint = YAML_BOOLEAN_HINT if "text" in flag.group(2) else ""
        return ScenarioError(
            f"{source}: {path}: must be {flag.group(2)}, not true or false, got "
            f"{str(value).lower()}{hint}{more}.",
            source=source,
            field=path,
            value=value,
        )
    reason = reason[0].lower() + reason[1:] if reason else reason
    if found and _not_finite(value):  # not "should be less than or equal to 1, got nan"
        reason = "must be a finite number"
    hint = ""
    if etype == "union_tag_not_found":  # a tagged item without its tag (an event's kind)
        tag = str((first.get("ctx") or {}).get("discriminator", "kind")).strip("'")
        msg = f"{source}: {path}.{tag}: required field is missing{more}."
        return ScenarioError(msg, source=source, field=f"{path}.{tag}")
    if etype == "string_pattern_mismatch" and (first.get("ctx") or {}).get("pattern") == (
        _ID_PATTERN
    ):
        reason = "must be 1 to 16 ASCII letters, digits, '_' or '-', starting with a letter"
    if etype == "bool_type":
        reason = "must be true or false"
    if found and isinstance(value, (datetime.date, datetime.datetime)):
        # YAML reads 1914-06-28 as a date
        reason, hint = "must be a number", " (a year as a decimal number, such as 1914.49)"
        value = value.isoformat()
    if loc and loc[-1] == "[key]":  # a mapping's key: pydantic's path ends "...[0].[key]"
        found, value = True, first.get("input")
        path = _loc_to_path(loc[:-2]) + " (a key)"
    if etype == "string_type" and found and isinstance(value, bool):
        reason, hint = "must be text, not true or false", YAML_BOOLEAN_HINT
    shown = str(value).lower() if isinstance(value, bool) else _short(value)
    got = f", got {shown}" if found else ""
    msg = f"{source}: {path}: {reason}{got}{hint}{more}."
    return ScenarioError(msg, source=source, field=path, value=value if found else None)


def validate_block(scenario: Scenario, name: str, params: type[BaseModel]) -> BaseModel:
    """Validate the model block ``name`` of ``scenario`` with ``params`` (its model's schema).

    An absent block means every default. A bad block raises :class:`ScenarioError` naming the
    scenario, the path inside the block (``iterated.turns``) and the value.
    """
    typed = getattr(scenario, name, None) if name in Scenario.model_fields else None
    if isinstance(typed, params):
        return typed
    if name in Scenario.model_fields:
        raw: Any = scenario.to_dict().get(name) or {}
    else:
        raw = scenario.blocks.get(name, {})
    try:
        return params.model_validate(raw)
    except ValidationError as exc:
        wrapped = _prefixed(exc, name)
        raise _to_scenario_error(wrapped, scenario.origin, {name: raw}) from None
    except _FieldError as exc:
        path = f"{name}.{exc.path}"
        raise ScenarioError(
            f"{scenario.origin}: {path}: {exc.reason}, got {_short(exc.value)}.",
            source=scenario.origin,
            field=path,
            value=exc.value,
        ) from None


def _prefixed(exc: ValidationError, prefix: str) -> ValidationError:
    """The same validation errors with ``prefix`` in front of every location."""
    from pydantic_core import InitErrorDetails

    details: list[InitErrorDetails] = []
    for err in exc.errors(include_url=False):
        item: dict[str, Any] = {
            "type": err["type"],
            "loc": (prefix, *err["loc"]),
            "input": err.get("input"),
        }
        if err.get("ctx"):
            item["ctx"] = err["ctx"]
        details.append(item)  # type: ignore[arg-type]
    return ValidationError.from_exception_data(exc.title, details)


# -- overrides --------------------------------------------------------------------------------
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _expand_wildcards(doc: dict[str, Any], path: str, *, source: str) -> list[str]:
    """Replace the first ``[*]`` in ``path`` by every index of that list (recursively)."""
    head, star, tail = path.partition("[*]")
    if not star:
        return [path]
    cur: Any = doc
    try:
        for part in _split_path(head):
            if isinstance(cur, list) and isinstance(part, str):
                cur = next(x for x in cur if isinstance(x, dict) and x.get("id") == part)
            else:
                cur = cur[part]
    except (ValueError, KeyError, IndexError, TypeError, StopIteration):
        cur = None
    if not isinstance(cur, list):
        raise ScenarioError(
            f"{source}: override path {path!r}: {head!r} is not a list, so [*] does not apply.",
            source=source,
            field=path,
        )
    return [
        concrete
        for i in range(len(cur))
        for concrete in _expand_wildcards(doc, f"{head}[{i}]{tail}", source=source)
    ]


def _split_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    pos = 0
    for m in _PART.finditer(path):
        between = path[pos : m.start()]
        if between not in ("", "."):
            raise ValueError(path)
        parts.append(int(m.group(2)) if m.group(2) is not None else m.group(1))
        pos = m.end()
    if pos != len(path) or not parts:
        raise ValueError(path)
    return parts


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic model classes inside an annotation such as ``list[X] | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in get_args(annotation):
        found.extend(_models_in(arg))
    return found


def _is_free_mapping(annotation: Any) -> bool:
    """Whether a field accepts arbitrary keys (a dict-typed field such as ``reaction``)."""
    if get_origin(annotation) is dict:
        return True
    return any(_is_free_mapping(a) for a in get_args(annotation))


def _pick_model(models: list[type[BaseModel]], item: Any) -> type[BaseModel] | None:
    """The model of a list item; for a tagged union (events), the one matching its ``kind``."""
    if len(models) <= 1:
        return models[0] if models else None
    kind = item.get("kind") if isinstance(item, dict) else None
    for m in models:
        tag = m.model_fields.get("kind")
        if tag is not None and kind in get_args(tag.annotation):
            return m
    return None


def _set_path(doc: dict[str, Any], path: str, value: Any, *, source: str) -> None:
    """Set ``value`` at a dotted ``path`` in a scenario document, checking the schema."""

    def bad(reason: str) -> ScenarioError:
        return ScenarioError(
            f"{source}: override path {path!r} {reason}.", source=source, field=path, value=value
        )

    try:
        parts = _split_path(path)
    except ValueError:
        raise bad("is not a valid dotted path") from None
    cur: Any = doc
    model: type[BaseModel] | None = Scenario  # None: inside a free mapping
    item_models: list[type[BaseModel]] = []
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        if isinstance(cur, list):
            if isinstance(part, str):  # states.UKG: the item whose id (or name) is UKG
                hits = [
                    k
                    for k, item in enumerate(cur)
                    if isinstance(item, dict) and part in (item.get("id"), item.get("name"))
                ]
                if not hits:
                    raise bad(f"does not exist (no item with id {part!r})")
                part = hits[0]
            if not 0 <= part < len(cur):
                raise bad(f"does not exist (index {part} is outside 0–{len(cur) - 1})")
            if last:
                cur[part] = value
                return
            model = _pick_model(item_models, cur[part])
            cur = cur[part]
            continue
        if not isinstance(cur, dict) or isinstance(part, int):
            raise bad("does not exist")
        if model is None:  # free mapping: any key, created on the way
            if last:
                cur[part] = value
                return
            cur = cur.setdefault(part, {})
            continue
        info = model.model_fields.get(part)
        if info is None:
            aliased = [f for f in model.model_fields.values() if f.alias == part]
            if not aliased:
                if model is Scenario and n == 0 and not last and _BLOCK_NAME.match(part):
                    # a model's block: its model checks the keys when it runs
                    nxt_block = cur.get(part)
                    if not isinstance(nxt_block, dict):
                        nxt_block = cur[part] = {}
                    cur, model = nxt_block, None
                    continue
                close = difflib.get_close_matches(part, list(model.model_fields), n=3)
                hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
                raise bad(f"does not exist ({model.__name__} has no field {part!r}{hint})")
            info = aliased[0]
        if last:
            cur[part] = value
            return
        annotation = info.annotation
        models = _models_in(annotation)
        if cur.get(part) is None:
            if (len(models) == 1 and get_origin(annotation) is not list) or _is_free_mapping(
                annotation
            ):
                cur[part] = {}
            else:
                raise bad("does not exist")
        nxt = cur[part]
        if isinstance(nxt, list):
            item_models = models
        elif isinstance(nxt, dict):
            model = models[0] if len(models) == 1 and not _is_free_mapping(annotation) else None
        cur = nxt


def parse_override(text: str, *, source: str = "--set") -> tuple[str, Any]:
    """Split ``"world.offense_advantage=0.8"`` into a path and a YAML-parsed value."""
    if "=" not in text:
        raise ScenarioError(
            f"{source}: expected PATH=VALUE (e.g. world.offense_advantage=0.8), got {text!r}.",
            source=source,
            value=text,
        )
    path, raw = text.split("=", 1)
    path = path.strip()
    if not path:
        raise ScenarioError(f"{source}: the path before '=' is empty in {text!r}.", source=source)
    from herz._yaml import load_yaml

    try:
        value = load_yaml(raw, source=f"{source} {path}") if raw.strip() else ""
    except InputError as exc:
        if "invalid YAML" not in str(exc):
            raise ScenarioError(str(exc), source=source, field=path) from None
        value = raw  # not YAML: the text itself
    return path, value


# -- loading ----------------------------------------------------------------------------------
def builtin_scenarios() -> dict[str, Path]:
    """Built-in scenario names mapped to their files (shipped in ``herz/scenarios``)."""
    folder = resources.files("herz") / "scenarios"
    out: dict[str, Path] = {}
    for entry in folder.iterdir():
        if entry.name.endswith(".yaml"):
            out[entry.name.removesuffix(".yaml")] = Path(str(entry))
    return dict(sorted(out.items()))


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; False where the OS cannot even look it up (a name too long for
    the file system, a NUL byte), so such text gets the usual "no such file" answer."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def load_scenario(
    name_or_path: str | Path | Scenario | Mapping[str, Any],
    overrides: Mapping[str, Any] | None = None,
) -> Scenario:
    """Load a scenario by built-in name, from a YAML file, or from a dict; apply overrides.

    Parameters
    ----------
    name_or_path:
        A built-in name (see :func:`builtin_scenarios`), a path to a YAML file, an existing
        :class:`Scenario` or a parsed document.
    overrides:
        Dotted paths and values, e.g. ``{"world.offense_advantage": 0.8}``.

    Raises
    ------
    ScenarioError
        If the file is missing or the document does not validate; the message names the file,
        the field path and the value.
    """
    if isinstance(name_or_path, Scenario):
        scenario = name_or_path
    elif isinstance(name_or_path, Mapping):
        scenario = Scenario.from_dict(copy.deepcopy(dict(name_or_path)), source="<dict>")
    else:
        text = str(name_or_path)
        builtins = builtin_scenarios()
        if text in builtins and not _exists(Path(text)):
            path = builtins[text]
            source = text
        else:
            path = Path(text)
            source = text
            if not _exists(path):
                names = ", ".join(builtins)
                yaml_text = "\n" in text
                shown = text if len(text) <= 80 and not yaml_text else f"{text[:40]!r}…"
                hint = " To load YAML text, use herz.Scenario.from_yaml(text)." if yaml_text else ""
                raise ScenarioError(
                    f"{shown}: no such file, and not a built-in scenario (built-ins: {names})."
                    + hint,
                    source=shown,
                    value=shown,
                )
            if path.is_dir():
                raise ScenarioError(f"{text}: is a folder, not a scenario file.", source=text)
        try:
            raw = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ScenarioError(
                f"{source}: cannot read the file: {reason}.", source=source
            ) from None
        scenario = Scenario.from_yaml(raw, source=source)
    return scenario.with_overrides(overrides, source="overrides")
