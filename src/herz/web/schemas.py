"""The JSON shapes of the web API (pydantic models; they are the OpenAPI spec's schemas)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue

__all__ = [
    "ErrorBody",
    "GameView",
    "Health",
    "MeasureInfo",
    "ModelInfo",
    "RunRequest",
    "RunStatus",
    "ScenarioDetail",
    "ScenarioInfo",
    "SweepDetail",
    "SweepInfo",
]

_FORBID = ConfigDict(extra="forbid")

#: A scenario name as the API accepts it (see :data:`herz.web.limits.SCENARIO_NAME`).
ScenarioName = Field(
    min_length=1,
    max_length=64,
    description="A built-in scenario name (GET /api/scenarios lists them), e.g. 'europe-1909'.",
)


class ErrorBody(BaseModel):
    """Every error answer: one sentence for a person."""

    detail: str


class Health(BaseModel):
    """``GET /api/health``: the server is up; its version, models, limits and load."""

    status: Literal["ok"]
    version: str
    models: list[str] = Field(description="The models this server runs (GET /api/models).")
    limits: dict[str, float]
    running: int
    queued: int
    kept_results: int = Field(description="Finished runs kept for GET /api/runs/{id}.")
    kept_results_mb: float = Field(description="Their results' size in MiB (as sent, JSON).")
    sweeps: bool = Field(description="Whether a results store with sweeps is attached.")


class MeasureInfo(BaseModel):
    """One declared outcome column or summary key of a model (:class:`herz.models.Measure`)."""

    name: str = Field(
        description="The column or key; '{state}' in it stands for one entry per state."
    )
    dtype: Literal["bool", "int", "float", "str"]
    unit: str = Field(description="Its unit, or an empty string.")
    doc: str = Field(description="One line: what it is.")


class ModelInfo(BaseModel):
    """A model that ``POST /api/runs`` can run: what its class declares (``herz.models``)."""

    name: str = Field(description="The registry name, also the name of its scenario block.")
    title: str
    citation: str
    options_schema: dict[str, Any] = Field(
        description="JSON schema of the model's run options (POST /api/runs 'options')."
    )
    params_schema: dict[str, Any] | None = Field(
        description="JSON schema of the model's scenario block (null: it reads none)."
    )
    outcomes: list[MeasureInfo] = Field(description="Per-run outcome columns, besides 'run'.")
    summary_fields: list[MeasureInfo] = Field(
        description="The model's headline numbers in a result's summary."
    )
    report: bool = Field(description="Whether 'herz run --out' writes a report.html for it.")
    reports_progress: bool = Field(description="Whether a run reports its progress.")


class ScenarioInfo(BaseModel):
    """A scenario in the list: what it is and its size."""

    name: str
    source: Literal["builtin", "folder"]
    title: str
    description: str
    states: list[str]
    alliances: int
    events: int
    start: float
    step: float
    steps: int
    offense_advantage: float
    distinguishability: float


class ScenarioDetail(ScenarioInfo):
    """A scenario with its full validated document (the YAML fields, defaults filled in)."""

    document: dict[str, Any]


class RunRequest(BaseModel):
    """``POST /api/runs``: run a model on a scenario.

    Overrides use the scenario's dotted paths (``world.offense_advantage``,
    ``states.UKG.intelligence``, ``states[2].bias``); values are plain JSON and are validated
    like the scenario file itself. Options are the model's run options, validated against
    its options schema (GET /api/models); absent ones take their defaults.
    """

    model_config = _FORBID

    scenario: str = ScenarioName
    model: str = Field(default="richardson", min_length=1, max_length=64)
    # strict: "5" or true for a count is refused, as herz.simulate refuses them (lax parsing
    # ran true as 1 run)
    runs: int = Field(default=1, ge=1, le=1_000_000, strict=True)
    steps: int | None = Field(default=None, ge=1, le=1_000_000, strict=True)
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1, strict=True)
    overrides: dict[str, JsonValue] = Field(default_factory=dict, max_length=200)
    options: dict[str, bool | int | float | str | None] = Field(default_factory=dict, max_length=20)
    wait: bool = Field(
        default=False,
        strict=True,
        description="Answer when the run has finished (200) instead of at once (202).",
    )


class RunStatus(BaseModel):
    """A run and what became of it; ``result`` is there once ``status`` is ``done``."""

    id: str
    status: Literal["queued", "running", "done", "failed"]
    scenario: str
    model: str
    runs: int
    steps: int
    seed: int
    states: int
    cells: int
    elapsed_s: float
    expected_s: float | None = Field(
        description="A guess at the run's duration from earlier runs (None before any)."
    )
    progress: float | None = Field(
        description="Share of the work done, for models that report it (reports_progress)."
    )
    position: int | None = Field(description="Runs waiting ahead of this one, while queued.")
    detail: str | None = Field(description="Why the run failed, when it did.")
    failure: Literal["input", "limit", "internal"] | None = Field(
        default=None,
        description=(
            "Why a failed run failed: bad input (the model rejected it), a server limit (time "
            "or memory), or an internal error in the model (details in the server log)."
        ),
    )
    result: dict[str, Any] | None = Field(
        description=(
            "The dashboard's view of the result: summary, per-state bands of every variable, "
            "P(war) and tension per step, event timeline, events, outcomes, alliance network."
        )
    )


class GameView(BaseModel):
    """``GET /api/game``: the one-shot security game for Jervis's ω and δ (``herz game``)."""

    model_config = ConfigDict(populate_by_name=True)

    payoffs: dict[str, float]
    game_class: str = Field(alias="class")
    ordering: str
    equilibria: list[dict[str, Any]]
    world: str | None
    offense_advantage: float | None
    distinguishability: float | None
    matrix: list[list[list[float]]] = Field(
        description="Rows own C, D; columns other C, D; each cell (row payoff, column payoff)."
    )


class SweepInfo(BaseModel):
    """A stored sweep in the list."""

    id: str
    label: str
    info: dict[str, Any]


class SweepDetail(SweepInfo):
    """A stored sweep: its points with their measures, and the axes of its phase diagram."""

    parameters: list[str]
    measures: list[str]
    points: list[dict[str, Any]]
