"""Experiments at scale: sweep specs, designs, and chunked runs on local processes or Dask.

A *sweep* runs one model on one scenario at many parameter *points* (a grid, or a sampled
design) with ``runs`` ensemble members per point, and stores one row of outcomes per run in a
DuckDB file (:mod:`herz.store`). Three promises hold by construction:

**Exact.** Run *i* of point *p* draws only from ``SeedSequence(seed, spawn_key=(p, i))`` (the
model is called with ``stream_key=(p,)`` and ``run_offset`` = the chunk's first run; see
:mod:`herz._random`). Nothing depends on the executor, the number of workers, the chunk size
or the order in which chunks finish, so a sweep on one core, on all cores or on a Dask cluster
stores bit-identical outcomes.

**Crash-proof and resumable.** The work is cut into *chunks* (runs of one or several points) by
a fixed plan that depends only on the number of points, the runs per point and the chunk size.
Workers compute and return data; the parent alone writes, one transaction per chunk, so a crash
(even ``kill -9``) loses at most the chunks in flight and never leaves half a chunk. ``resume``
skips the chunks already stored and computes the rest.

**Validated first.** The spec, every parameter path and value, the model and its options (by a
one-run, one-step probe) and the cluster address are all checked before the database is created
or touched; any problem is one :class:`~herz.errors.InputError` sentence naming the file, the
field and the value.

A spec (YAML, ``yaml.safe_load`` only)::

    name: omega-delta            # letters, digits, '-', '_'
    scenario: two-state          # built-in name or a path (relative to the spec file)
    model: richardson
    options: {noise: 0.1}        # model options
    overrides: {time.steps: 30}  # fixed scenario changes applied at every point
    parameters:                  # dotted scenario paths (see Scenario.with_overrides)
      world.offense_advantage: {range: {start: 0, stop: 1, num: 11}}
      world.distinguishability: {values: [0, 0.5, 1]}
    design: {kind: grid}         # grid | lhs | sobol | saltelli (then: samples: N)
    runs: 100                    # runs per point
    steps: 50                    # default: the scenario's time.steps
    seed: 12345                  # default: fresh entropy, recorded
    keep: summary                # summary (outcomes per run) | series (also every time series)
    chunk: 500                   # runs per chunk (default: chosen from the size and workers)

Sampled designs give each parameter ``{low: .., high: ..}`` (``integer: true`` rounds) and
``design: {kind: lhs|sobol|saltelli, samples: N}``: a Latin hypercube or a scrambled Sobol'
sequence (``scipy.stats.qmc``), or Saltelli's (2010) scheme built on a Sobol' sequence — N base
rows, N·(D + 2) points — whose outputs :func:`herz.analysis.sobol_indices` turns into Sobol'
sensitivity indices.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import itertools
import json
import logging
import math
import os
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from herz._validation import StrictModel
from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from herz.scenario import Scenario

__all__ = [
    "ChunkResult",
    "ChunkTask",
    "DesignSpec",
    "ParameterSpec",
    "Progress",
    "RangeSpec",
    "SweepPlan",
    "SweepReport",
    "SweepSpec",
    "builtin_sweeps",
    "design_points",
    "load_sweep",
    "plan_chunks",
    "prepare_sweep",
    "run_chunk",
    "run_sweep",
]

_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$"
#: spawn_key of the stream that scrambles sampled designs (ASCII "design"); run streams use
#: two-element keys (point, run), so the two never meet.
_DESIGN_KEY = 0x64657369676E
#: Outcome columns that hold a run's final total military (for the generic arms growth).
_FINAL_TOTAL = ("final_military", "final_military_total")
#: Largest root seed (seeds are stored as signed 64-bit integers).
_MAX_SEED = 2**63 - 1

Scalar = bool | int | float | str
DesignKind = Literal["grid", "lhs", "sobol", "saltelli"]


# -- the spec ---------------------------------------------------------------------------------
_Spec = StrictModel


class RangeSpec(_Spec):
    """Evenly spaced values from ``start`` to ``stop`` inclusive: ``num`` of them, or every
    ``step``."""

    start: float
    stop: float
    num: int | None = Field(default=None, ge=0, le=1_000_000)
    step: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if (self.num is None) == (self.step is None):
            raise ValueError("give exactly one of 'num' and 'step'")
        return self

    def values(self) -> list[float]:
        """The grid values (floats, rounded to 12 significant digits to drop binary noise)."""
        import numpy as np

        raw: Any
        if self.num is not None:
            raw = np.linspace(self.start, self.stop, self.num)
        else:
            assert self.step is not None
            count = math.floor((self.stop - self.start) / self.step + 1e-9) + 1
            raw = self.start + self.step * np.arange(max(count, 0))
        return [float(f"{v:.12g}") for v in raw]


class ParameterSpec(_Spec):
    """One varied parameter: ``values`` or ``range`` for grids, ``low``/``high`` for samples."""

    values: list[Scalar] | None = None
    range: RangeSpec | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False

    @model_validator(mode="after")
    def _shape(self) -> Self:
        grid = self.values is not None or self.range is not None
        sampled = self.low is not None or self.high is not None
        if self.values is not None and self.range is not None:
            raise ValueError("give either 'values' or 'range', not both")
        if grid and sampled:
            raise ValueError("give grid values ('values' or 'range') or bounds ('low', 'high')")
        if not grid and not sampled:
            raise ValueError("give 'values', 'range', or 'low' and 'high'")
        if sampled:
            if self.low is None or self.high is None:
                raise ValueError("give both 'low' and 'high'")
            if not self.low < self.high:
                raise ValueError(f"'low' ({self.low:g}) must be below 'high' ({self.high:g})")
        return self

    @property
    def sampled(self) -> bool:
        """Whether this parameter has bounds (for sampled designs) rather than grid values."""
        return self.low is not None

    def grid(self) -> list[Scalar]:
        """The grid values (empty when none were given)."""
        if self.values is not None:
            return list(self.values)
        if self.range is not None:
            vals: list[Scalar] = list(self.range.values())
            if self.integer:
                vals = [round(float(v)) for v in vals]
            return vals
        return []


class DesignSpec(_Spec):
    """How points are laid out: a full grid, or ``samples`` drawn by a sampled design."""

    kind: DesignKind = "grid"
    samples: int | None = Field(default=None, ge=1, le=10_000_000)
    scramble: bool = True


class SweepSpec(_Spec):
    """A validated sweep spec (see the module docstring for the layout)."""

    name: str = Field(pattern=_NAME_PATTERN)
    description: str = ""
    scenario: str = Field(min_length=1)
    model: str = "richardson"
    options: dict[str, Any] = Field(default_factory=dict)
    overrides: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, ParameterSpec]
    design: DesignSpec = Field(default_factory=DesignSpec)
    runs: int = Field(le=1_000_000_000)
    steps: int | None = Field(default=None, le=100_000)
    seed: int | None = Field(default=None, ge=0, le=_MAX_SEED)
    keep: Literal["summary", "series"] = "summary"
    chunk: int | None = Field(default=None, le=10_000_000)

    @field_validator("runs")
    @classmethod
    def _runs(cls, value: int) -> int:
        if value <= 0:
            raise ValueError("runs per point must be a positive integer")
        return value

    @field_validator("steps", "chunk")
    @classmethod
    def _positive(cls, value: int | None) -> int | None:
        if value is not None and value <= 0:
            raise ValueError("must be a positive integer")
        return value

    @field_validator("parameters")
    @classmethod
    def _some(cls, value: dict[str, ParameterSpec]) -> dict[str, ParameterSpec]:
        if not value:
            raise ValueError("list at least one parameter to vary")
        return value

    @model_validator(mode="after")
    def _design_fits(self) -> Self:
        kind = self.design.kind
        for path, p in self.parameters.items():
            if kind == "grid" and p.sampled:
                raise _SpecFieldError(
                    f"parameters.{path}", None, "a grid needs 'values' or 'range', not bounds"
                )
            if kind == "grid" and not p.grid():
                raise _SpecFieldError(f"parameters.{path}", [], "the grid is empty")
            if kind != "grid" and not p.sampled:
                raise _SpecFieldError(
                    f"parameters.{path}", None, f"the {kind} design needs 'low' and 'high'"
                )
        if kind != "grid" and self.design.samples is None:
            raise _SpecFieldError("design.samples", None, f"the {kind} design needs 'samples'")
        return self

    @property
    def paths(self) -> list[str]:
        """The varied parameters' dotted paths, in spec order (the points table's columns)."""
        return list(self.parameters)

    def n_points(self) -> int:
        """How many parameter points the design has."""
        if self.design.kind == "grid":
            return math.prod(len(p.grid()) for p in self.parameters.values())
        assert self.design.samples is not None
        if self.design.kind == "saltelli":
            return self.design.samples * (len(self.parameters) + 2)
        return self.design.samples

    def canonical(self) -> dict[str, Any]:
        """The spec as plain JSON data (every default filled in)."""
        return self.model_dump(mode="json")


class _SpecFieldError(ValueError):
    def __init__(self, path: str, value: Any, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.value = value
        self.reason = reason


def _loc_path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _lookup(doc: Any, loc: Sequence[int | str]) -> tuple[bool, Any]:
    cur = doc
    for part in loc:
        in_dict = isinstance(cur, dict) and part in cur
        in_list = isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
        if not (in_dict or in_list):
            return False, None
        cur = cur[part]
    return True, cur


def _spec_error(exc: ValidationError, source: str, doc: Any) -> InputError:
    """One sentence for the first validation problem: file, field path, reason, value."""
    first = exc.errors(include_url=False)[0]
    inner = (first.get("ctx") or {}).get("error")
    if isinstance(inner, _SpecFieldError):
        got = "" if inner.value is None else f", got {inner.value!r}"
        return InputError(
            f"{source}: {inner.path}: {inner.reason}{got}.",
            source=source,
            field=inner.path,
            value=inner.value,
        )
    loc = tuple(first["loc"])
    # Pydantic reports a union member's tag (e.g. 'list[...]'); keep only real field names.
    loc = tuple(p for p in loc if isinstance(p, int) or not any(c in str(p) for c in "[]|"))
    scalar_union = bool(loc) and loc[-1] in ("bool", "int", "float", "str")
    if scalar_union:  # a member of the Scalar union: name the field, not the member type
        loc = loc[:-1]
    path = _loc_path(loc) or "(top level)"
    if first["type"] == "extra_forbidden":
        return InputError(f"{source}: {path}: unknown field.", source=source, field=path)
    if first["type"] == "missing":
        return InputError(
            f"{source}: {path}: required field is missing.", source=source, field=path
        )
    found, value = _lookup(doc, loc)
    reason = str(first["msg"]).removeprefix("Value error, ")
    reason = reason[:1].lower() + reason[1:]
    if scalar_union:
        reason = "must be a number, a text or true/false"
    got = f", got {value!r}" if found else ""
    return InputError(
        f"{source}: {path}: {reason}{got}.",
        source=source,
        field=path,
        value=value if found else None,
    )


def builtin_sweeps() -> dict[str, Path]:
    """Built-in sweep names mapped to their spec files (shipped in ``herz/sweeps``)."""
    folder = resources.files("herz") / "sweeps"
    out: dict[str, Path] = {}
    if folder.is_dir():
        for entry in folder.iterdir():
            if entry.name.endswith(".yaml"):
                out[entry.name.removesuffix(".yaml")] = Path(str(entry))
    return dict(sorted(out.items()))


def load_sweep(
    name_or_path: str | Path | Mapping[str, Any],
    *,
    runs: int | None = None,
    steps: int | None = None,
    seed: int | None = None,
) -> tuple[SweepSpec, str, Path | None]:
    """Read and validate a sweep spec; apply ``runs``/``steps``/``seed`` given on the side.

    Returns
    -------
    (spec, source, folder):
        The spec, the name used in messages (the file name), and the folder that relative
        scenario paths are resolved against (``None`` for a dict).

    Raises
    ------
    InputError
        For a missing file, invalid YAML or an invalid spec: one sentence naming the file,
        the field and the value.
    """
    folder: Path | None = None
    if isinstance(name_or_path, Mapping):
        source = "<sweep>"
        doc: Any = dict(name_or_path)
    else:
        text = str(name_or_path)
        builtins = builtin_sweeps()
        path = builtins[text] if text in builtins and not Path(text).exists() else Path(text)
        source = text
        if not path.is_file():
            names = ", ".join(builtins) or "none"
            raise InputError(
                f"{text}: no such file, and not a built-in sweep (built-ins: {names}).",
                source=text,
                value=text,
            )
        folder = path.resolve().parent
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{text}: cannot read the file: {exc}.", source=text) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark else ""
            raise InputError(f"{text}: invalid YAML{where}.", source=text) from None
    if not isinstance(doc, dict):
        raise InputError(
            f"{source}: a sweep spec must be a mapping of fields, got {type(doc).__name__}.",
            source=source,
        )
    for flag, value, least in (("--runs", runs, 1), ("--steps", steps, 1), ("--seed", seed, 0)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            kind = "a positive" if least else "a non-negative"
            raise InputError(
                f"{flag} must be {kind} integer, got {value!r}.", field=flag, value=value
            )
        doc[flag.removeprefix("--")] = value
    try:
        spec = SweepSpec.model_validate(doc)
    except ValidationError as exc:
        raise _spec_error(exc, source, doc) from None
    return spec, source, folder


# -- designs ----------------------------------------------------------------------------------
def design_points(spec: SweepSpec, seed: int) -> pd.DataFrame:
    """The parameter points of a spec, one row per point in point order.

    Grids are the Cartesian product of the parameters' values, the last parameter varying
    fastest. Sampled designs scale unit-cube samples to ``[low, high]``: a Latin hypercube
    (McKay, Beckman & Conover 1979) or a scrambled Sobol' sequence (``scipy.stats.qmc``), or
    Saltelli's (2010) radial scheme: for each base row i of a 2D-dimensional Sobol' sequence,
    the rows A_i, A_i with column j taken from B_i (j = 1..D), and B_i. This is the order
    SALib's Sobol' analysis expects (``calc_second_order=False``). The scrambling stream is
    ``SeedSequence(seed, spawn_key=(_DESIGN_KEY,))``: it depends on the seed alone.
    """
    import numpy as np
    import pandas as pd

    paths = spec.paths
    if spec.design.kind == "grid":
        grids = [spec.parameters[p].grid() for p in paths]
        rows = list(itertools.product(*grids))
        return pd.DataFrame(
            {
                p: pd.Series([r[k] for r in rows], dtype=_pandas_dtype(grids[k]))
                for k, p in enumerate(paths)
            }
        )
    from scipy.stats import qmc

    n = spec.design.samples
    assert n is not None
    d = len(paths)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_DESIGN_KEY,)))
    scramble = spec.design.scramble
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Sobol' balance wants n = 2^m; any n works
        if spec.design.kind == "lhs":
            unit = qmc.LatinHypercube(d=d, rng=rng).random(n)
        elif spec.design.kind == "sobol":
            unit = qmc.Sobol(d=d, scramble=scramble, rng=rng).random(n)
        else:
            base = qmc.Sobol(d=2 * d, scramble=scramble, rng=rng).random(n)
            a, b = base[:, :d], base[:, d:]
            unit = np.empty((n, d + 2, d))
            unit[:, 0] = a
            for j in range(d):
                unit[:, j + 1] = a
                unit[:, j + 1, j] = b[:, j]
            unit[:, d + 1] = b
            unit = unit.reshape(n * (d + 2), d)
    out: dict[str, Any] = {}
    for k, p in enumerate(paths):
        ps = spec.parameters[p]
        assert ps.low is not None and ps.high is not None
        col = ps.low + unit[:, k] * (ps.high - ps.low)
        out[p] = np.rint(col).astype(np.int64) if ps.integer else col
    return pd.DataFrame(out)


def _pandas_dtype(values: Sequence[Scalar]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int64"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "float64"
    return "object"


def _plain(value: Any) -> Any:
    """A NumPy scalar as the Python scalar it holds (for YAML overrides and JSON)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


# -- preparing a sweep ------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepPlan:
    """Everything a sweep needs once validated: the spec with every default resolved.

    Attributes
    ----------
    spec:
        The spec (``steps`` and ``seed`` filled in).
    source:
        Where it came from (for messages).
    scenario_json:
        The base scenario (the spec's fixed ``overrides`` applied) as canonical JSON; workers
        rebuild the scenario from it.
    scenario_hash:
        SHA-256 of that scenario (:meth:`herz.Scenario.hash`).
    points:
        The design: one row per point, one column per parameter path.
    spec_hash:
        SHA-256 of the resolved spec and the scenario hash: a resumed sweep must match it.
    """

    spec: SweepSpec
    source: str
    scenario_json: str
    scenario_hash: str
    points: pd.DataFrame
    spec_hash: str

    @property
    def n_points(self) -> int:
        """Number of parameter points."""
        return len(self.points)

    @property
    def total_runs(self) -> int:
        """Runs in the whole sweep."""
        return self.n_points * self.spec.runs

    def overrides(self, point: int) -> dict[str, Any]:
        """The scenario overrides of one point (parameter path → value)."""
        row = self.points.iloc[point]
        return {p: _plain(row[p]) for p in self.spec.paths}


def _resolve_scenario(spec: SweepSpec, source: str, folder: Path | None) -> Scenario:
    from herz.errors import ScenarioError
    from herz.scenario import builtin_scenarios, load_scenario

    name = spec.scenario
    target: str | Path = name
    if name not in builtin_scenarios() and folder is not None and not Path(name).is_absolute():
        candidate = folder / name
        if candidate.exists():
            target = candidate
    try:
        base = load_scenario(target)
        return base.with_overrides(spec.overrides, source=f"{source}: overrides")
    except ScenarioError as exc:
        raise InputError(
            f"{source}: scenario: {exc}", source=source, field="scenario", value=name
        ) from None


def prepare_sweep(
    spec_or_name: SweepSpec | str | Path | Mapping[str, Any],
    *,
    runs: int | None = None,
    steps: int | None = None,
    seed: int | None = None,
    probe: bool = True,
) -> SweepPlan:
    """Validate a sweep completely, without touching any database, and plan its points.

    Checks the spec, the scenario, every parameter path with every grid value (or both
    bounds), the model and its options, and, with ``probe``, runs the model once for one step
    at the first point, so that a bad option value fails here rather than in a worker.

    Parameters
    ----------
    spec_or_name:
        A built-in sweep name, a YAML path, a parsed document, or a :class:`SweepSpec`.
    runs, steps, seed:
        Replace the spec's runs per point, steps and seed. A spec without a seed gets a fresh
        one here (a resumed sweep passes the stored one).
    """
    from herz.errors import ScenarioError
    from herz.simulation import MODELS, model_options, new_seed

    if isinstance(spec_or_name, SweepSpec):
        doc = spec_or_name.canonical()
        spec, source, folder = load_sweep(doc, runs=runs, steps=steps, seed=seed)
    else:
        spec, source, folder = load_sweep(spec_or_name, runs=runs, steps=steps, seed=seed)
    if spec.model not in MODELS:
        raise InputError(
            f"{source}: model: unknown model {spec.model!r} (known: {', '.join(MODELS)}).",
            source=source,
            field="model",
            value=spec.model,
        )
    accepted = model_options(spec.model)
    for opt in spec.options:
        if opt not in accepted:
            raise InputError(
                f"{source}: options.{opt}: model {spec.model!r} has no such option "
                f"(its options: {', '.join(accepted) or 'none'}).",
                source=source,
                field=f"options.{opt}",
                value=spec.options[opt],
            )
    base = _resolve_scenario(spec, source, folder)
    for path, pspec in spec.parameters.items():
        candidates: list[Any] = pspec.grid() if not pspec.sampled else [pspec.low, pspec.high]
        if pspec.integer and pspec.sampled:
            candidates = [round(float(v)) for v in candidates]
        for value in candidates:
            try:
                base.with_overrides({path: value}, source=f"{source}: parameters")
            except ScenarioError as exc:
                raise InputError(
                    f"{exc}".rstrip("."), source=source, field=f"parameters.{path}", value=value
                ) from None
    resolved = spec.model_copy(
        update={
            "steps": spec.steps if spec.steps is not None else base.time.steps,
            "seed": spec.seed if spec.seed is not None else new_seed(),
        }
    )
    assert resolved.seed is not None
    points = design_points(resolved, resolved.seed)
    scenario_json = json.dumps(base.to_dict(), sort_keys=True, separators=(",", ":"))
    scenario_hash = base.hash()
    identity = resolved.canonical()
    identity.pop("description", None)
    identity.pop("chunk", None)  # chunking never changes results
    identity.pop("scenario", None)  # the scenario's content counts, not its name
    identity["scenario_hash"] = scenario_hash
    spec_hash = hashlib.sha256(
        json.dumps(identity, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
    plan = SweepPlan(resolved, source, scenario_json, scenario_hash, points, spec_hash)
    if probe:
        task = ChunkTask(
            model=resolved.model,
            scenario_json=scenario_json,
            steps=1,
            seed=resolved.seed,
            keep="summary",
            options=dict(resolved.options),
            segments=((0, json.dumps(plan.overrides(0), sort_keys=True), 0, 1),),
            chunk=-1,
        )
        try:
            run_chunk(task)
        except InputError as exc:
            raise InputError(
                f"{source}: the model rejects this sweep at point 0: {exc}", source=source
            ) from None
    return plan


# -- chunks -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChunkTask:
    """One unit of work sent to a worker: some runs of one or more points.

    ``segments`` are ``(point, overrides_json, first_run, stop_run)``. Everything is plain
    data (strings, numbers), so a task pickles small and means the same on any machine.
    """

    model: str
    scenario_json: str
    steps: int
    seed: int
    keep: str
    options: dict[str, Any]
    segments: tuple[tuple[int, str, int, int], ...]
    chunk: int

    @property
    def n_runs(self) -> int:
        """Runs in this chunk."""
        return sum(stop - start for _, _, start, stop in self.segments)


@dataclass
class ChunkResult:
    """What a worker sends back: outcomes (one row per run), optional series, point facts."""

    chunk: int
    n_runs: int
    outcomes: pd.DataFrame
    series: pd.DataFrame | None
    point_info: dict[int, tuple[str, float]] = field(default_factory=dict)
    seconds: float = 0.0


def plan_chunks(
    n_points: int, runs: int, chunk: int
) -> Iterator[tuple[int, list[tuple[int, int, int]]]]:
    """The fixed chunk plan: ``(chunk_id, [(point, first_run, stop_run), ...])``.

    Each point's runs are cut into pieces of at most ``chunk`` runs; consecutive pieces are
    packed into chunks of at most ``chunk`` runs. The plan depends only on its three arguments,
    so a resumed sweep sees the same chunk ids. Lazy: memory stays flat for huge sweeps.
    """
    cid = 0
    current: list[tuple[int, int, int]] = []
    size = 0
    for p in range(n_points):
        start = 0
        while start < runs:
            take = min(runs - start, chunk - size)
            current.append((p, start, start + take))
            size += take
            start += take
            if size == chunk:
                yield cid, current
                cid += 1
                current, size = [], 0
    if current:
        yield cid, current


def default_chunk(total_runs: int, workers: int) -> int:
    """Runs per chunk when the spec gives none: about eight chunks per worker, 1–1000 runs.

    Big enough that per-chunk costs (scenario validation, pickling, one transaction) are small
    beside the simulation, small enough to balance the load and to lose little in a crash.
    """
    return max(1, min(1000, math.ceil(total_runs / (8 * max(workers, 1)))))


@lru_cache(maxsize=4)
def _base_scenario(scenario_json: str) -> Scenario:
    from herz.scenario import Scenario

    return Scenario.from_dict(json.loads(scenario_json), source="sweep scenario")


@lru_cache(maxsize=256)
def _point_scenario(scenario_json: str, overrides_json: str) -> Scenario:
    return _base_scenario(scenario_json).with_overrides(
        json.loads(overrides_json), source="sweep parameters"
    )


def run_chunk(task: ChunkTask) -> ChunkResult:
    """Simulate one chunk (in a worker process, a Dask worker or in-process).

    For each segment the model runs ``stop - first`` runs with ``run_offset=first`` and
    ``stream_key=(point,)``, so the numbers are those of runs ``first..stop-1`` of the point
    whatever the chunk. Outcomes come from the model's ``result.outcomes``; a model without
    them gets a generic row per run from its series (final total military and its growth).
    """
    import pandas as pd

    from herz.simulation import simulate

    t0 = time.perf_counter()
    outcomes: list[pd.DataFrame] = []
    series: list[pd.DataFrame] = []
    info: dict[int, tuple[str, float]] = {}
    for point, overrides_json, first, stop in task.segments:
        sc = _point_scenario(task.scenario_json, overrides_json)
        n = stop - first
        kwargs: dict[str, Any] = {
            "steps": task.steps,
            "runs": n,
            "seed": task.seed,
            "run_offset": first,
            "stream_key": (point,),
        }
        result = simulate(sc, task.model, keep=task.keep, **kwargs, **task.options)
        initial = float(sum(s.military for s in sc.states))
        out = result.outcomes
        if out is None:
            src = result.series
            if src is None:
                src = simulate(sc, task.model, keep="series", **kwargs, **task.options).series
            out = _outcomes_from_series(src, first, n, initial)
        out = _tidy_outcomes(out, first, n, task.model)
        total = next((c for c in _FINAL_TOTAL if c in out.columns), None)
        if "arms_growth" not in out.columns and total is not None:
            out["arms_growth"] = out[total].astype(float) / initial if initial > 0 else math.nan
        out.insert(0, "point", point)
        outcomes.append(out)
        if task.keep == "series" and result.series is not None:
            s = result.series.copy()
            for col in s.columns:
                if isinstance(s[col].dtype, pd.CategoricalDtype):
                    s[col] = s[col].astype(str)
            s.insert(0, "point", point)
            series.append(s)
        info[point] = (sc.hash(), initial)
    frame = pd.concat(outcomes, ignore_index=True) if outcomes else pd.DataFrame()
    return ChunkResult(
        chunk=task.chunk,
        n_runs=task.n_runs,
        outcomes=frame,
        series=pd.concat(series, ignore_index=True) if series else None,
        point_info=info,
        seconds=time.perf_counter() - t0,
    )


def _outcomes_from_series(
    series: pd.DataFrame | None, first: int, n: int, initial: float
) -> pd.DataFrame:
    """Generic per-run outcomes for a model without ``outcomes``: the final total military,
    its growth over the initial total, and each state's final military (``final_<state>``)."""
    import numpy as np
    import pandas as pd

    runs = np.arange(first, first + n, dtype=np.int64)
    if series is None or "military" not in series.columns:
        return pd.DataFrame({"run": runs})
    last = series[series["t"] == series["t"].max()]
    wide = last.pivot_table(
        index="run", columns="state", values="military", aggfunc="sum", observed=True
    ).reindex(runs)
    final = wide.to_numpy(dtype=float)
    total = final.sum(axis=1)
    growth = total / initial if initial > 0 else np.full(n, np.nan)
    out = pd.DataFrame({"run": runs, "final_military": total, "arms_growth": growth})
    for k, state in enumerate(wide.columns):
        out[f"final_{state}"] = final[:, k]
    return out


def _tidy_outcomes(out: pd.DataFrame, first: int, n: int, model: str) -> pd.DataFrame:
    """Check and normalise a model's outcomes: one row per run, labelled first..first+n-1,
    scalar columns only (bool, int, float or text)."""
    import numpy as np
    import pandas as pd

    out = out.reset_index(drop=True).copy()
    if "run" not in out.columns:
        if len(out) != n:
            raise InputError(f"model {model!r} returned {len(out)} outcome rows for {n} runs.")
        out.insert(0, "run", np.arange(first, first + n))
    runs = out["run"].to_numpy(dtype=np.int64)
    if len(runs) != n:
        raise InputError(f"model {model!r} returned {len(runs)} outcome rows for {n} runs.")
    if first and np.array_equal(np.sort(runs), np.arange(n)):
        runs = runs + first  # labelled from 0 within the call: shift to the global run index
    if not np.array_equal(np.sort(runs), np.arange(first, first + n)):
        raise InputError(f"model {model!r} returned outcomes for the wrong runs.")
    out["run"] = runs
    for col in list(out.columns):
        s = out[col]
        if col == "run":
            continue
        if isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object:
            if s.map(lambda v: isinstance(v, list | tuple | dict | np.ndarray)).any():
                out = out.drop(columns=col)
            else:
                out[col] = s.astype(str)
        elif not (
            pd.api.types.is_bool_dtype(s)
            or pd.api.types.is_integer_dtype(s)
            or pd.api.types.is_float_dtype(s)
            or pd.api.types.is_string_dtype(s)
        ):
            out[col] = s.astype(str)
    return out.sort_values("run", kind="stable").reset_index(drop=True)


# -- executors --------------------------------------------------------------------------------
class _Executor(Protocol):
    workers: int

    @property
    def name(self) -> str: ...

    def map_unordered(
        self, fn: Callable[[ChunkTask], ChunkResult], tasks: Iterable[ChunkTask]
    ) -> Iterator[ChunkResult]: ...

    def close(self) -> None: ...


class _SerialExecutor:
    """One worker: the chunks run in this process, one after the other."""

    name = "local (1 worker, in-process)"
    workers = 1

    def map_unordered(
        self, fn: Callable[[ChunkTask], ChunkResult], tasks: Iterable[ChunkTask]
    ) -> Iterator[ChunkResult]:
        for task in tasks:
            yield fn(task)

    def close(self) -> None:
        """Nothing to release."""


_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


@contextlib.contextmanager
def _single_threaded_children() -> Iterator[None]:
    """Child processes started inside get one BLAS/OpenMP thread (unless the user chose)."""
    saved = {k: os.environ.get(k) for k in _THREAD_VARIABLES}
    for k in _THREAD_VARIABLES:
        os.environ.setdefault(k, "1")
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _warm_up() -> int:
    """Import what a chunk needs, so that workers start before the first chunk arrives."""
    import pandas  # noqa: F401

    import herz.simulation  # noqa: F401

    return os.getpid()


#: Modules a worker needs for every chunk; the fork server imports them once, and every worker
#: forked from it starts with them loaded (instead of importing pandas & co. itself).
_WORKER_PRELOAD = ("numpy", "pandas", "herz.results", "herz.scenario", "herz.simulation")


def _worker_preload(model: str | None) -> list[str]:
    """The modules to preload in the fork server: the common ones and the model's module."""
    from herz.simulation import MODELS

    mods = ["herz.experiment", *_WORKER_PRELOAD]
    target = MODELS.get(model or "")
    if target:
        mods.append(target.partition(":")[0])
    return mods


def _worker_context(preload: Sequence[str]) -> Any:
    """The multiprocessing context for local workers: "forkserver" where the platform has it
    (preloading ``preload`` there), else "spawn". The global start method is never changed."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    from multiprocessing import forkserver

    ctx = multiprocessing.get_context("forkserver")
    # "__main__" (the default) imports the parent's main script once, there, rather than in
    # every worker. A fork server already running (one per process) keeps what it preloaded.
    ctx.set_forkserver_preload(["__main__", *preload])
    # Launch it now (without waiting for its imports), with one BLAS/OpenMP thread per worker:
    # its children inherit its environment.
    with _single_threaded_children():
        forkserver.ensure_running()
    return ctx


class _ProcessExecutor:
    """Local worker processes (``concurrent.futures``; the "forkserver" context, else "spawn").

    The context is chosen explicitly (the global start method is never changed). A fork server
    is a fresh interpreter that imports what a chunk needs once (``preload``) and forks each
    worker from that clean state: workers start in milliseconds, import nothing, and hold no
    copy of the parent's database connection or threads. Where there is no fork server
    (Windows), "spawn" starts fresh interpreters. Either way the workers start in the
    background while the parent prepares the database and, until the fork server is ready,
    computes chunks itself. At most
    ``2 × workers`` chunks are in flight, which bounds memory and what a crash can lose.
    """

    def __init__(self, workers: int, preload: Sequence[str] = ()) -> None:
        import threading
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        self.name = f"local processes ({workers} workers)"
        # Workers get one BLAS/OpenMP thread each (as Dask's nanny does): the workers are the
        # parallelism, and N workers × M BLAS threads on N cores only contend. The variables
        # are set only while the fork server (or each spawned worker) starts.
        ctx = _worker_context(preload)
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        self._starter: threading.Thread | None = None
        if ctx.get_start_method() == "forkserver":
            # Starting a worker waits for the fork server's imports: do it in a thread.
            self._starter = threading.Thread(
                target=self._start_workers, name="herz-start-workers", daemon=True
            )
            self._starter.start()
        else:
            with _single_threaded_children():
                self._start_workers()  # returns at once; each child imports on its own

    def _start_workers(self) -> None:
        for _ in range(self.workers):
            self._pool.submit(_warm_up)

    def _started(self) -> None:
        if self._starter is not None:
            self._starter.join()
            self._starter = None

    def map_unordered(
        self, fn: Callable[[ChunkTask], ChunkResult], tasks: Iterable[ChunkTask]
    ) -> Iterator[ChunkResult]:
        from concurrent.futures import FIRST_COMPLETED, Future, wait

        it = iter(tasks)
        # While the fork server imports what the workers need (most of a second), a core sits
        # idle: the parent computes chunks itself meanwhile, exactly as the 1-worker executor
        # does (same chunks, same streams, so the same results).
        while self._starter is not None and self._starter.is_alive():
            task = next(it, None)
            if task is None:
                break
            yield fn(task)
        self._started()
        pending: set[Future[ChunkResult]] = set()
        try:
            for task in itertools.islice(it, 2 * self.workers):
                pending.add(self._pool.submit(fn, task))
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield fut.result()
                for task in itertools.islice(it, len(done)):
                    pending.add(self._pool.submit(fn, task))
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        """Stop the worker processes."""
        self._started()
        self._pool.shutdown(wait=True, cancel_futures=True)


class _DaskExecutor:
    """A Dask distributed cluster: an existing scheduler, or a ``LocalCluster`` we start."""

    def __init__(self, client: Any, cluster: Any | None, label: str) -> None:
        self._client = client
        self._cluster = cluster
        info = client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info["workers"].values()))
        self.name = f"Dask {label} ({self.workers} worker threads)"

    def map_unordered(
        self, fn: Callable[[ChunkTask], ChunkResult], tasks: Iterable[ChunkTask]
    ) -> Iterator[ChunkResult]:
        as_completed = importlib.import_module("distributed").as_completed

        it = iter(tasks)
        first = [
            self._client.submit(fn, t, pure=False) for t in itertools.islice(it, 2 * self.workers)
        ]
        if not first:
            return
        queue = as_completed(first, loop=self._client.loop)
        try:
            for fut in queue:
                result: ChunkResult = fut.result()
                fut.release()
                yield result
                nxt = next(it, None)
                if nxt is not None:
                    queue.add(self._client.submit(fn, nxt, pure=False))
        finally:
            for fut in list(queue.futures):
                fut.cancel()

    def close(self) -> None:
        """Close the client, and the cluster if we started it."""
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


def _dask_client(
    cluster: str | None, dask_local: int | None, timeout: float, method: str = "spawn"
) -> _DaskExecutor:
    try:
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise InputError(
            "Dask is not installed: pip install 'herz[dist]' to use --cluster or --dask-local."
        ) from None
    if cluster is not None:
        try:
            client = distributed.Client(cluster, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"--cluster: cannot reach the Dask scheduler at {cluster} "
                f"within {timeout:g} s ({type(exc).__name__}).",
                field="--cluster",
                value=cluster,
            ) from None
        return _DaskExecutor(client, None, f"cluster {cluster}")
    assert dask_local is not None
    dask: Any = importlib.import_module("dask")
    # A cluster of our own runs our chunks only, so two of the nanny's defaults that cost
    # compute time can go: the statistical profiler that samples each worker's stack every
    # 10 ms, and MALLOC_TRIM_THRESHOLD_=65536, which makes glibc hand freed memory back to the
    # system at once, so NumPy's short-lived arrays keep faulting pages in again (about 7% of
    # a chunk's time). Chunks are small and bounded, so nothing needs trimming or spilling.
    environ = {
        k: v
        for k, v in (dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {}).items()
        if k != "MALLOC_TRIM_THRESHOLD_"
    }
    settings: dict[str, Any] = {
        "distributed.worker.profile.enabled": False,
        "distributed.nanny.pre-spawn-environ": environ,
    }
    # Workers forked from a fork server that has imported Dask, pandas and herz once (launched
    # by _start_executor) start in a fraction of the time of fresh interpreters.
    settings["distributed.worker.multiprocessing-method"] = method
    with dask.config.set(settings):
        local = distributed.LocalCluster(
            n_workers=dask_local,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # A cluster we start and stop ourselves: its workers' shutdown chatter (heartbeats
            # racing the closing scheduler) is noise; task failures still reach us as
            # exceptions.
            silence_logs=logging.CRITICAL,
        )
    client = distributed.Client(local, set_as_default=False)
    return _DaskExecutor(client, local, f"LocalCluster on 127.0.0.1, {dask_local} processes")


def _check_executor(cluster: str | None, dask_local: int | None) -> None:
    """The executor options that can be checked without starting anything."""
    if cluster is not None and dask_local is not None:
        raise InputError("give either --cluster or --dask-local, not both.", field="--cluster")
    if dask_local is not None and (isinstance(dask_local, bool) or dask_local < 1):
        raise InputError(
            f"--dask-local must be ≥ 1 worker, got {dask_local}.",
            field="--dask-local",
            value=dask_local,
        )
    if cluster is not None and ("://" not in cluster or not cluster.split("://", 1)[1]):
        raise InputError(
            f"--cluster: expected a scheduler address such as tcp://HOST:8786, got {cluster!r}.",
            field="--cluster",
            value=cluster,
        )


def _start_executor(
    workers: int | None,
    cluster: str | None,
    dask_local: int | None,
    timeout: float,
    preload: Sequence[str] = (),
) -> _StartingExecutor:
    """Start the executor the options ask for, without waiting for it (see _StartingExecutor).

    Anything that changes this process's environment (launching the fork server with one
    BLAS thread per worker) happens here, in the caller's thread.
    """
    import importlib.util

    _check_executor(cluster, dask_local)
    if cluster is not None:
        return _StartingExecutor(lambda: _dask_client(cluster, None, timeout))
    if dask_local is not None:
        method = "spawn"
        if importlib.util.find_spec("distributed") is not None:
            method = _worker_context(["distributed", *preload]).get_start_method()
        return _StartingExecutor(lambda: _dask_client(None, dask_local, timeout, method))
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n == 1:
        return _StartingExecutor(_SerialExecutor, background=False)
    return _StartingExecutor(lambda: _ProcessExecutor(n, preload), background=False)


class _StartingExecutor:
    """An executor being started: a Dask cluster in a background thread (local worker
    processes start in the background by themselves, so they are built at once).

    :meth:`result` waits for it (and raises what starting it raised, e.g. an unreachable
    cluster); :meth:`abandon` waits and stops it.
    """

    def __init__(self, start: Callable[[], _Executor], *, background: bool = True) -> None:
        import threading

        self._executor: _Executor | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(start,), name="herz-start-executor", daemon=True
        )
        if background:
            self._thread.start()
        else:  # already quick (local workers start in the background by themselves)
            self._run(start)

    def _join(self) -> None:
        if self._thread.is_alive() or self._thread.ident is not None:
            self._thread.join()

    def _run(self, start: Callable[[], _Executor]) -> None:
        try:
            self._executor = start()
        except BaseException as exc:  # re-raised in the caller's thread by result()
            self._error = exc

    def ready(self) -> bool:
        """Whether starting has finished (successfully or not)."""
        return not self._thread.is_alive()

    def result(self) -> _Executor:
        """The started executor."""
        self._join()
        if self._error is not None:
            raise self._error
        assert self._executor is not None
        return self._executor

    def abandon(self) -> None:
        """Stop the executor (once started), ignoring any error starting it."""
        self._join()
        if self._executor is not None:
            self._executor.close()


class _ParentWhileStarting:
    """An executor still starting (a LocalCluster): until it is up, chunks run in this process,
    exactly as on the 1-worker executor (same chunks, same streams, so the same results);
    then the rest go to it. ``workers`` is what it will have."""

    def __init__(self, starting: _StartingExecutor, workers: int) -> None:
        self._starting = starting
        self.workers = workers

    @property
    def name(self) -> str:
        """The started executor's name."""
        return self._starting.result().name

    def map_unordered(
        self, fn: Callable[[ChunkTask], ChunkResult], tasks: Iterable[ChunkTask]
    ) -> Iterator[ChunkResult]:
        it = iter(tasks)
        while not self._starting.ready():
            task = next(it, None)
            if task is None:
                return
            yield fn(task)
        yield from self._starting.result().map_unordered(fn, it)

    def close(self) -> None:
        """Stop the executor (waiting for it to finish starting)."""
        self._starting.abandon()


# -- running a sweep --------------------------------------------------------------------------
@dataclass(frozen=True)
class Progress:
    """Where a running sweep stands (passed to the ``progress`` callback after each chunk)."""

    points_done: int
    points_total: int
    runs_done: int
    runs_total: int
    chunks_done: int
    chunks_total: int


@dataclass(frozen=True)
class SweepReport:
    """What :func:`run_sweep` did."""

    name: str
    sweep_id: int
    db: Path
    points: int
    runs_total: int
    runs_computed: int
    runs_skipped: int
    chunks: int
    chunk_runs: int
    executor: str
    seconds: float
    seed: int

    @property
    def runs_per_second(self) -> float:
        """Throughput of this call (runs computed per second of wall time)."""
        return self.runs_computed / self.seconds if self.seconds > 0 else math.nan


def _check_workers(workers: int | None) -> None:
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise InputError(f"--workers must be ≥ 1, got {workers}.", field="--workers", value=workers)


def run_sweep(
    spec: SweepSpec | str | Path | Mapping[str, Any],
    *,
    db: str | Path | None = None,
    resume: bool = False,
    workers: int | None = None,
    cluster: str | None = None,
    dask_local: int | None = None,
    runs: int | None = None,
    steps: int | None = None,
    chunk: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    out: str | Path = "results",
    connect_timeout: float = 5.0,
) -> SweepReport:
    """Run (or complete) a sweep and store it in a DuckDB file.

    Parameters
    ----------
    spec:
        A built-in sweep name (``"jervis-worlds"``), a YAML path, a parsed document or a
        :class:`SweepSpec`.
    db:
        The database file; default ``<out>/<name>.duckdb``.
    resume:
        Complete a sweep already in ``db``: skip its stored chunks, compute the rest. Without
        it, a sweep of the same name in ``db`` is an error.
    workers:
        Local worker processes; default: all cores. 1 runs in this process.
    cluster, dask_local:
        Run on the Dask scheduler at this address (checked within ``connect_timeout``
        seconds), or on a ``LocalCluster`` of this many single-threaded worker processes.
    runs, steps:
        Replace the spec's runs per point and steps.
    chunk:
        Runs per chunk (default: the spec's, else :func:`default_chunk`). A resumed sweep
        keeps the chunk size it was started with.
    progress:
        Called with a :class:`Progress` at the start and after each stored chunk.

    Raises
    ------
    InputError
        For anything invalid, raised before the database is created or changed.
    """
    import numpy as np

    from herz.store import Store, check_database

    t0 = time.perf_counter()
    _check_workers(workers)
    _check_executor(cluster, dask_local)
    if chunk is not None and (isinstance(chunk, bool) or chunk < 1):
        raise InputError(f"--chunk must be ≥ 1, got {chunk}.", field="--chunk", value=chunk)
    # 1. The spec (nothing is written yet).
    first, _, _ = load_sweep(spec.canonical()) if isinstance(spec, SweepSpec) else load_sweep(spec)
    db_path = Path(db) if db is not None else Path(out) / f"{first.name}.duckdb"
    existing = check_database(db_path, first.name)
    if existing is not None and not resume:
        raise InputError(
            f"{db_path}: already holds a sweep named {first.name!r}; pass --resume to complete "
            f"it, or choose another --db.",
            field="--db",
            value=str(db_path),
        )
    # A spec without a seed draws one; a resumed sweep reuses the one it was started with.
    stored_seed = existing.seed if existing is not None and first.seed is None else None
    # 2. The scenario, the parameters, the model and its options (still nothing written).
    plan = prepare_sweep(spec, runs=runs, steps=steps, seed=stored_seed)
    from herz._version import __version__

    if existing is not None:
        existing.check_resumable(plan, __version__, str(db_path))
    # 3. The executor. A cluster must be reached before the database is touched (that is
    # validation too); local workers and a LocalCluster start in the background while this
    # process prepares the database and computes the first chunks itself.
    starting = _start_executor(
        workers, cluster, dask_local, connect_timeout, _worker_preload(plan.spec.model)
    )
    executor: _Executor
    if dask_local is not None:
        executor = _ParentWhileStarting(starting, dask_local)
    else:
        executor = starting.result()
    try:
        chunk_runs = (
            existing.chunk_runs
            if existing is not None
            else chunk or plan.spec.chunk or default_chunk(plan.total_runs, executor.workers)
        )
        # 4. Only now the database is created or opened for writing.
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with Store(db_path) as store:
            sweep_id = store.sweep_id(plan.spec.name)
            if sweep_id is None:
                sweep_id = store.create_sweep(plan, chunk_runs=chunk_runs, version=__version__)
            done = store.done_chunks(sweep_id)
            runs_per_point = plan.spec.runs
            point_runs = store.point_run_counts(sweep_id)
            points_done = sum(1 for c in point_runs.values() if c == runs_per_point)
            runs_done = sum(point_runs.values())
            skipped = runs_done
            chunks_total = _count_chunks(plan.n_points, runs_per_point, chunk_runs)
            state = {
                "points": points_done,
                "runs": runs_done,
                "chunks": len(done),
            }

            def report() -> None:
                if progress is not None:
                    progress(
                        Progress(
                            points_done=state["points"],
                            points_total=plan.n_points,
                            runs_done=state["runs"],
                            runs_total=plan.total_runs,
                            chunks_done=state["chunks"],
                            chunks_total=chunks_total,
                        )
                    )

            report()
            overrides_cache: dict[int, str] = {}

            def overrides_json(p: int) -> str:
                text = overrides_cache.get(p)
                if text is None:
                    text = json.dumps(plan.overrides(p), sort_keys=True)
                    if len(overrides_cache) > 4096:
                        overrides_cache.clear()
                    overrides_cache[p] = text
                return text

            assert plan.spec.steps is not None and plan.spec.seed is not None
            tasks = (
                ChunkTask(
                    model=plan.spec.model,
                    scenario_json=plan.scenario_json,
                    steps=plan.spec.steps,
                    seed=plan.spec.seed,
                    keep=plan.spec.keep,
                    options=dict(plan.spec.options),
                    segments=tuple((p, overrides_json(p), a, b) for p, a, b in segs),
                    chunk=cid,
                )
                for cid, segs in plan_chunks(plan.n_points, runs_per_point, chunk_runs)
                if cid not in done
            )
            computed = 0
            for result in executor.map_unordered(run_chunk, tasks):
                store.write_chunk(sweep_id, result)
                computed += result.n_runs
                pts, counts = np.unique(result.outcomes["point"].to_numpy(), return_counts=True)
                for p, k in zip(pts.tolist(), counts.tolist(), strict=True):
                    point_runs[p] = point_runs.get(p, 0) + k
                    if point_runs[p] == runs_per_point:
                        state["points"] += 1
                state["runs"] += result.n_runs
                state["chunks"] += 1
                report()
            if state["chunks"] == chunks_total:
                store.mark_complete(sweep_id)
    finally:
        executor.close()
    return SweepReport(
        name=plan.spec.name,
        sweep_id=sweep_id,
        db=db_path,
        points=plan.n_points,
        runs_total=plan.total_runs,
        runs_computed=computed,
        runs_skipped=skipped,
        chunks=chunks_total,
        chunk_runs=chunk_runs,
        executor=executor.name,
        seconds=time.perf_counter() - t0,
        seed=plan.spec.seed,
    )


def _count_chunks(n_points: int, runs: int, chunk: int) -> int:
    """Chunks in :func:`plan_chunks`'s plan: all hold ``chunk`` runs except perhaps the last."""
    return math.ceil(n_points * runs / chunk)
