"""Preparing a sweep: validate everything, resolve defaults, plan the points and chunks.

See :mod:`herz.experiment` for the promises every sweep keeps.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from herz.scenario import Scenario

from herz.experiment.chunk import ChunkTask, run_chunk
from herz.experiment.spec import SweepSpec, _plain, design_points, load_sweep


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
    except ScenarioError as exc:
        raise InputError(
            f"{source}: scenario: {exc}", source=source, field="scenario", value=name
        ) from None
    # an override's error names the spec's overrides itself ("ob.yaml: scenario: ob.yaml:
    # overrides: ..." before)
    return base.with_overrides(spec.overrides, source=f"{source}: overrides")


def _canonical_path(path: str, ids: list[str]) -> tuple[str, ...]:
    """``path`` as a tuple of keys with list items as indices (``states.A.type`` and
    ``states[0].type`` alike: ``("states", "0", "type")``; ``[*]`` stays ``"*"``)."""
    out: list[str] = []
    for token in path.split("."):
        name, bracket, rest = token.partition("[")
        if name:
            out.append(name)
        while bracket:
            index, _, rest = rest.partition("]")
            out.append(index.strip())
            _, bracket, rest = rest.partition("[")
    for k in range(len(out) - 1):  # a state by its id
        if out[k] == "states" and out[k + 1] in ids:
            out[k + 1] = str(ids.index(out[k + 1]))
    return tuple(out)


def _same_field(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Whether two canonical paths set a common field (``*`` matches every index; a path that
    is a prefix of the other sets a part of it)."""
    return all(x == y or "*" in (x, y) for x, y in zip(a, b, strict=False))


def _check_distinct_fields(spec: SweepSpec, base: Scenario, source: str) -> None:
    """Each field is varied by one parameter and not also fixed by an override: two paths to
    one field (``states.A.type`` and ``states[0].type``, or ``states[*].type``) ran the points
    with one value while the points table recorded the other."""
    ids = list(base.ids)
    named = [("parameters", p) for p in spec.parameters] + [
        ("overrides", p) for p in spec.overrides
    ]
    canon = [(where, p, _canonical_path(p, ids)) for where, p in named]
    for where, p, c in canon:
        if where == "parameters" and _same_field(c, ("time", "steps")):
            # every point runs the spec's steps: varied, it changed nothing
            raise InputError(
                f"{source}: parameters.{p}: the run length is the spec's steps (or the "
                "scenario's) at every point and cannot be a parameter; run one sweep per length.",
                source=source,
                field=f"parameters.{p}",
                value=p,
            )
    for i, (w1, p1, c1) in enumerate(canon):
        for w2, p2, c2 in canon[i + 1 :]:
            if w1 == w2 == "overrides" or not _same_field(c1, c2):
                continue
            raise InputError(
                f"{source}: {w2}.{p2}: sets the same field as {w1}.{p1}; vary each field "
                "through one parameter, and do not also fix it in overrides.",
                source=source,
                field=f"{w2}.{p2}",
                value=p2,
            )


def _is_number_text(value: Any) -> bool:
    """Whether ``value`` is text that reads as a number (``"0.5"``, ``"1e3"``)."""
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _check_quoted_number(base: Scenario, path: str, value: Any, where: str, source: str) -> None:
    """A number in quotes (``"0.5"``) for a scenario field that takes a number is refused: the
    scenario read it as the number, but the points table (a parameter) or the spec's record
    (an override) kept the text, so phase plots and summaries saw a text column. Text that a
    text field takes as it is (a state named ``"1"``) stays allowed."""
    if not _is_number_text(value):
        return
    number = float(value)
    as_text = base.with_overrides({path: value}, source=f"{source}: {where}").hash()
    try:
        as_number = base.with_overrides({path: number}, source=f"{source}: {where}").hash()
    except InputError:
        return  # the field takes text, not a number
    if as_text == as_number:
        raise InputError(
            f"{source}: {where}.{path}: {value!r} is a number in quotes; write it without "
            "quotes, as a number.",
            source=source,
            field=f"{where}.{path}",
            value=value,
        )


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
    from herz.models import get_model
    from herz.simulation import check_scenario, new_seed, validate_options

    if isinstance(spec_or_name, SweepSpec):
        doc = spec_or_name.canonical()
        spec, source, folder = load_sweep(doc, runs=runs, steps=steps, seed=seed)
    else:
        spec, source, folder = load_sweep(spec_or_name, runs=runs, steps=steps, seed=seed)
    try:
        model = get_model(spec.model)
    except InputError as exc:
        raise InputError(
            f"{source}: model: {exc}", source=source, field="model", value=spec.model
        ) from None
    try:
        validated = validate_options(model, spec.options)
    except InputError as exc:
        raise InputError(
            f"{source}: options.{exc.field}: {exc}",
            source=source,
            field=f"options.{exc.field}",
            value=exc.value,
        ) from None
    for name, value in spec.options.items():
        if _is_number_text(value) and not isinstance(getattr(validated, name, None), str):
            raise InputError(
                f"{source}: options.{name}: {value!r} is a number in quotes; write it without "
                "quotes, as a number.",
                source=source,
                field=f"options.{name}",
                value=value,
            )
    base = _resolve_scenario(spec, source, folder)
    _check_distinct_fields(spec, base, source)
    for path, value in spec.overrides.items():
        _check_quoted_number(base, path, value, "overrides", source)
    for path, pspec in spec.parameters.items():
        candidates: list[Any] = pspec.grid() if not pspec.sampled else [pspec.low, pspec.high]
        if pspec.integer and pspec.sampled:
            candidates = [round(float(v)) for v in candidates]
        for value in candidates:
            try:  # the path exists, and the model's block accepts the value
                point = base.with_overrides({path: value}, source=f"{source}: parameters")
                check_scenario(point, model.name)
            except InputError as exc:
                raise InputError(
                    f"{exc}".rstrip("."), source=source, field=f"parameters.{path}", value=value
                ) from None
            _check_quoted_number(base, path, value, "parameters", source)
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
