"""The model contract: what every herz model declares, and what herz does with it.

A model is a class with:

``name``
    Its registry name (``"spiral"``), also the name of its scenario block.
``title``, ``citation``
    One line each: what it is, and where its equations come from.
``Params``
    A pydantic class: the model's block of the scenario (``spiral: {...}``). ``None`` when the
    model reads nothing beyond the scenario's common fields.
``Options``
    A pydantic class: keyword options of a run that are not part of the world (Richardson's
    ``method``, the spiral's ``chunk``). The CLI (``--option NAME=VALUE``), the web page and
    sweeps (``options:``) all read them from here.
``outcomes``
    The per-run outcome columns (:class:`Measure`: name, dtype, unit, one line), besides
    ``run``. A name with ``{state}`` stands for one column per state (or bloc).
``summary_fields``
    The model's headline numbers in ``result.summary``, besides the common keys that
    :func:`herz.simulate` stamps (:data:`COMMON_SUMMARY`).
``simulate(scenario, *, steps, runs, seed, keep, run_offset, stream_key, progress, **options)``
    Returns a :class:`~herz.Result`. Run k of the call is run ``run_offset + k`` and draws only
    from ``SeedSequence(seed, spawn_key=(*stream_key, run_offset + k))`` (:mod:`herz._random`),
    so results never depend on batching, chunking or workers.
``figures(result)``
    Optional: named matplotlib figures (``{"arms.png": fig}``) for ``--out`` and the report.

:func:`herz.simulate` looks the model up (:mod:`herz.models`), validates the common arguments,
the scenario block and the options once, and stamps the version, seed and scenario hash once.
:func:`herz.testing.check_model` checks a model against this contract.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import BaseModel

from herz._validation import StrictModel

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from herz.results import Result
    from herz.scenario import Scenario

__all__ = [
    "COMMON_OUTCOMES",
    "COMMON_SUMMARY",
    "Measure",
    "Model",
    "NoOptions",
    "Progress",
]

Dtype = Literal["bool", "int", "float", "str"]
#: ``progress(done, total)``: called as a run advances (for progress bars); may be ignored.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Measure:
    """One declared outcome column or summary key.

    Attributes
    ----------
    name:
        The column or key. ``{state}`` in it stands for one entry per state (or bloc), e.g.
        ``final_military_{state}``.
    dtype:
        ``bool``, ``int``, ``float`` or ``str``. ``float`` columns may hold NaN (undefined for
        that run: e.g. the year of a war that did not happen).
    unit:
        The unit (``"scenario military unit"``, ``"years"``, ``"share"``), or ``""``.
    doc:
        One line: what it is.
    given:
        For a per-run outcome that means something only in some runs: the ``bool`` outcome
        that says which (``"war"`` for the first war's size, 0 in a run without one). A
        sweep's summary (:func:`herz.analysis.summarize`) then averages it over those runs
        alone, as the model's own summary does ("given a war"), and gives NaN where no run
        qualifies. ``None``: defined in every run (a NaN or NA value still counts as
        undefined).
    """

    name: str
    dtype: Dtype
    unit: str
    doc: str
    given: str | None = None

    @property
    def per_state(self) -> bool:
        """Whether the name is a template with one column per state."""
        return "{state}" in self.name

    def columns(self, states: Sequence[str]) -> list[str]:
        """The concrete column names for ``states``."""
        if not self.per_state:
            return [self.name]
        return [self.name.format(state=s) for s in states]


#: Outcome names that mean the same in every model that has them (the docs' glossary).
COMMON_OUTCOMES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure(
            "final_military",
            "float",
            "scenario military unit",
            "Total military of all states (or blocs) at the last step.",
        ),
        Measure(
            "final_military_{state}",
            "float",
            "scenario military unit",
            "One state's (or bloc's) military at the last step.",
        ),
        Measure(
            "arms_growth",
            "float",
            "ratio",
            "final_military over the initial total: above 1 an arms race, below 1 disarmament.",
        ),
        Measure("war", "bool", "", "Whether the run had a war."),
        Measure(
            "first_war_step", "int", "steps", "Step at which the first war began (NA: no war)."
        ),
        Measure(
            "first_war_year", "float", "year", "Year at which the first war began (NaN: no war)."
        ),
        Measure("states_drawn_in", "int", "states", "Number of states that fought in any war."),
    )
}

#: Summary keys that :func:`herz.simulate` stamps on every result, whatever the model.
COMMON_SUMMARY: tuple[Measure, ...] = (
    Measure("model", "str", "", "The model's registry name."),
    Measure("scenario", "str", "", "The scenario's name."),
    Measure("scenario_hash", "str", "", "SHA-256 of the scenario as run (overrides applied)."),
    Measure("herz_version", "str", "", "The herz version that ran it."),
    Measure("seed", "int", "", "The root seed (recorded when drawn from entropy)."),
    Measure("runs", "int", "runs", "Ensemble size."),
    Measure("run_offset", "int", "", "Label of the first run (chunks of a larger ensemble)."),
    Measure("steps", "int", "steps", "Steps simulated."),
    Measure("dt", "float", "years", "Years per step."),
    Measure("start", "float", "year", "Year of step 0."),
    Measure("options", "str", "", "The run's options (a mapping), defaults included."),
)


class NoOptions(StrictModel):
    """A model without run options."""


class Model:
    """Base class of herz models. Subclasses set the class attributes and ``simulate``.

    Models are stateless: one instance serves every call. See the module docstring for the
    contract, and ``docs/models.md`` for a worked example.
    """

    name: ClassVar[str]
    title: ClassVar[str] = ""
    citation: ClassVar[str] = ""
    Params: ClassVar[type[BaseModel] | None] = None
    Options: ClassVar[type[BaseModel]] = NoOptions
    outcomes: ClassVar[tuple[Measure, ...]] = ()
    summary_fields: ClassVar[tuple[Measure, ...]] = ()
    #: Whether ``herz run --out`` writes a self-contained report.html.
    report: ClassVar[bool] = False
    #: Whether ``simulate`` reports progress (a progress bar is shown for it).
    reports_progress: ClassVar[bool] = False
    #: Override paths whose values may differ from run to run within one call
    #: (``herz.simulate(..., run_overrides=...)``); ``simulate`` then takes ``run_params``,
    #: keyed by the name after the block's dot.
    run_parameters: ClassVar[tuple[str, ...]] = ()
    #: The numbers written into the model's code rather than its scenario block, each with
    #: its source or **ours** (records with ``name, value, source, why, where``; the spiral's
    #: :mod:`herz.models.spiral.constants`): the methods section of report.html lists them.
    constants: ClassVar[tuple[Any, ...]] = ()

    def params(self, scenario: Scenario) -> Any:
        """The scenario's block for this model, validated (defaults where absent)."""
        if self.Params is None:
            return None
        from herz.scenario import validate_block

        return validate_block(scenario, self.name, self.Params)

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
    ) -> Result:
        """Run the model; see the module docstring for the contract.

        A model with options adds them as keyword arguments with the defaults of its
        ``Options``; :func:`herz.simulate` passes every one, validated.
        """
        raise NotImplementedError

    def figures(self, result: Result) -> dict[str, Figure]:
        """Named figures of a result (file name → figure); none by default."""
        return {}

    def memory_bytes(self, scenario: Scenario, *, steps: int, runs: int, keep: str) -> int:
        """An upper estimate of the memory a run needs, checked before anything is allocated.

        The default assumes paths of three 8-byte numbers per (run, step, state), held
        whatever ``keep`` (Lanchester and reassurance measured 20 and 25 bytes with
        ``tracemalloc``), a few dozen numbers per run and state, and with ``keep="series"`` a
        tidy series of about a dozen 8-byte columns per (run, step, state) (they measured
        40-55 bytes, building it with :mod:`herz.models._frames`). Models that hold more (or
        less) say so by overriding it.
        """
        n = len(scenario.states)
        values = runs * (steps + 1) * n
        need = 3 * 8 * values + 32 * 8 * runs * (n + 1)
        if keep == "series":
            need += 12 * 8 * values
        return need

    def describe(self, result: Result) -> list[tuple[str, str]]:
        """Rows (label, value) for a printed summary: the declared summary fields."""
        rows: list[tuple[str, str]] = []
        for m in self.summary_fields:
            value = result.summary.get(m.name)
            if value is None or isinstance(value, dict | list):
                continue
            se = result.summary.get(f"{m.name}_se")
            text = f"{value:.4g}" if isinstance(value, float) else str(value)
            if isinstance(se, float):
                text += f" ± {se:.2g}"
            rows.append((m.doc.rstrip("."), text))
        return rows

    def outcome_columns(self, states: Sequence[str]) -> list[str]:
        """Every declared outcome column for these states (``run`` first)."""
        cols = ["run"]
        for m in self.outcomes:
            cols.extend(m.columns(states))
        return cols

    def __repr__(self) -> str:
        return f"<herz model {self.name!r}: {self.title}>"
