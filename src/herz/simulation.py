"""``herz.simulate``: run a model on a scenario, the one entry point every interface uses.

It looks the model up in :mod:`herz.models`, validates the common arguments, the scenario's
model blocks and the model's options once, runs it, and stamps the common summary keys
(:data:`herz.models._base.COMMON_SUMMARY`: version, seed, scenario hash, ...) once, so no
model records them itself.
"""

from __future__ import annotations

import math
import numbers
import operator
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from herz.errors import InputError, NumericalOverflowWarning, ScenarioError

if TYPE_CHECKING:
    from pydantic import BaseModel

    from herz.models import Model
    from herz.results import Result
    from herz.scenario import Scenario

__all__ = [
    "KEEP",
    "available_memory",
    "check_memory",
    "check_scenario",
    "memory_advice",
    "model_options",
    "new_seed",
    "resolve_model",
    "simulate",
    "validate_options",
]

KEEP = ("series", "events", "summary")
#: Common arguments of every model's ``simulate``; never model options.
COMMON_ARGUMENTS = ("steps", "runs", "seed", "keep", "run_offset", "stream_key", "progress")


def model_options(model: str) -> list[str]:
    """The names of the options ``model`` accepts besides the common arguments.

    Raises
    ------
    InputError
        If ``model`` is not registered.
    """
    from herz.models import get_model

    return list(get_model(model).Options.model_fields)


def validate_options(model: Model | str, options: Mapping[str, Any]) -> BaseModel:
    """Validate run options against the model's ``Options``; one sentence naming the option.

    Raises
    ------
    InputError
        For an unknown option or a bad value.
    """
    from pydantic import ValidationError

    from herz.models import get_model

    m = get_model(model) if isinstance(model, str) else model
    accepted = list(m.Options.model_fields)
    for name in options:
        if name not in accepted:
            raise InputError(
                f"model {m.name!r} has no option {name!r}; its options: "
                f"{', '.join(accepted) or 'none'}.",
                field=name,
                value=options[name],
            )
    try:
        return m.Options.model_validate(dict(options))
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in err["loc"]) or "options"
        value = options.get(str(err["loc"][0])) if err["loc"] else None
        reason = str(err["msg"]).removeprefix("Value error, ")
        reason = reason[:1].lower() + reason[1:]
        if isinstance(value, float) and not math.isfinite(value):
            reason = "must be a finite number"  # not "should be less than or equal to 10"
        raise InputError(
            f"model {m.name!r}: option {field}: {reason}, got {value!r}.",
            field=field,
            value=value,
        ) from None


def resolve_model(model: str | Model | type[Model]) -> Model:
    """A model from its registered name, an instance, or a :class:`~herz.models.Model`
    subclass (unregistered models can be run and checked before they are registered)."""
    from herz.models import Model, get_model

    if isinstance(model, Model):
        return model
    if isinstance(model, type) and issubclass(model, Model):
        return model()
    return get_model(model)


def check_scenario(scenario: Scenario, model: str | Model | type[Model] | None = None) -> None:
    """Check a scenario's model blocks: each names a registered model (or ``model``) and
    validates against its ``Params``. With ``model``, only that model's block is validated
    (the others must still name registered models).

    Raises
    ------
    InputError
        For a block of an unknown model, or a block its model rejects.
    """
    from herz.models import model_names

    names = model_names()
    chosen = resolve_model(model) if model is not None else None
    if chosen is not None and chosen.name not in names:
        names = [*names, chosen.name]
    for block in scenario.blocks:
        if block not in names:
            raise ScenarioError(
                f"{scenario.origin}: {block}: unknown field (a model's parameters go under its "
                f"name: {', '.join(names)}).",
                source=scenario.origin,
                field=block,
            )
    targets = [chosen] if chosen is not None else [resolve_model(n) for n in names]
    for m in targets:
        if m.name in scenario.blocks or m.name in ("richardson", "spiral"):
            m.params(scenario)


def new_seed() -> int:
    """A fresh 63-bit root seed from OS entropy (recorded, so the run can be repeated)."""
    import numpy as np

    return int(np.random.SeedSequence().generate_state(2, dtype=np.uint32).view(np.uint64)[0] >> 1)


def available_memory() -> int:
    """Bytes of memory available to this process now (``MemAvailable`` on Linux; elsewhere
    the physical memory), capped by an address-space limit (``ulimit -v``) if one is set."""
    import os
    import resource

    avail = 0
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    avail = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    if not avail:
        try:
            avail = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            avail = 8 * 2**30
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        avail = min(avail, soft)
    return avail


def _gb(n: float) -> str:
    return f"{n / 2**30:,.1f} GB" if n >= 2**30 else f"{n / 2**20:,.0f} MB"


#: What a refusal for memory advises, by ``keep``: set by the caller that knows its own way
#: out (:func:`memory_advice`); the Python API's by default.
_ADVICE: ContextVar[dict[str, str] | None] = ContextVar("herz_memory_advice", default=None)

_API_ADVICE = {
    "series": "keep='summary' (no series kept), or fewer runs or steps",
    "summary": "fewer runs or steps, or a sweep (herz.run_sweep), which runs and stores them "
    "chunk by chunk",
}


@contextmanager
def memory_advice(*, series: str, summary: str) -> Iterator[None]:
    """Within the block, a run refused for memory advises ``series`` (with ``keep="series"``)
    or ``summary`` (otherwise): the way out of the caller (the CLI's flags, a sweep's spec)
    rather than the Python API's arguments."""
    token = _ADVICE.set({"series": series, "summary": summary})
    try:
        yield
    finally:
        _ADVICE.reset(token)


def check_memory(
    model: Model,
    scenario: Scenario,
    *,
    steps: int,
    runs: int,
    keep: str,
    copies: int = 1,
    advice: str | None = None,
) -> None:
    """Refuse, before anything is allocated, a run whose estimated memory
    (:meth:`herz.models.Model.memory_bytes`, × ``copies`` runs at once: a sweep's local
    workers) exceeds 80% of what is available; the message names the way out (``advice``,
    else the caller's :func:`memory_advice`, else the Python API's)."""
    need = copies * model.memory_bytes(scenario, steps=steps, runs=runs, keep=keep)
    have = available_memory()
    if need <= 0.8 * have:
        return
    states = len(scenario.states)
    kind = "series" if keep == "series" else "summary"
    way_out = advice or (_ADVICE.get() or _API_ADVICE)[kind]
    at_once = f", {copies} at once," if copies > 1 else ""
    raise InputError(
        f"{runs:,} runs × {steps:,} steps × {states:,} states of model {model.name!r}"
        f"{at_once} would need about {_gb(need)} of memory, more than the "
        f"{_gb(0.8 * have)} available; use {way_out}.",
        field="runs",
        value=runs,
    )


def _check_memory(model: Model, scenario: Scenario, *, steps: int, runs: int, keep: str) -> None:
    check_memory(model, scenario, steps=steps, runs=runs, keep=keep)


def scenario_for_run(
    scenario: Scenario | str | Path,
    overrides: Mapping[str, Any] | None,
    steps: int | None,
    *,
    source: str = "overrides",
) -> Scenario:
    """``scenario`` with ``overrides``, validated for a run of ``steps`` steps (``None``: the
    scenario's own ``time.steps``).

    The scenario's events must lie within its horizon, ``time.steps`` × ``time.step`` years.
    A run's ``steps`` alone only sets its length: a run that ends before an event is a shorter
    run, whose later events never come. An override of the step (``time.step``, or any
    ``time.*`` but ``time.steps``) changes the horizon in years, so the scenario is validated
    with ``time.steps`` enough to cover both the run and the file's own horizon at the new
    step: ``time.step=0.5`` with twice the steps keeps the file's events in range (issue #11),
    and with fewer steps is a shorter run, as without the override (the CLI and the API
    disagreed on this, and ``--set time.step=1 --steps 5`` on cold-war was refused).
    """
    from herz.scenario import Scenario, load_scenario

    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if (
        steps is not None
        and isinstance(overrides, Mapping)  # anything else: with_overrides says what is wrong
        and any(isinstance(k, str) and k.startswith("time.") for k in overrides)
        and "time.steps" not in overrides
    ):
        cover = steps
        step = overrides.get("time.step", base.time.step)
        if isinstance(step, int | float) and not isinstance(step, bool) and step > 0:
            years = base.time.steps * base.time.step
            if math.isfinite(years / step):
                cover = max(steps, min(math.ceil(years / step - 1e-9), 100_000))
        overrides = {**overrides, "time.steps": cover}
    return base.with_overrides(overrides, source=source)


def _check_int(name: str, value: Any, low: int) -> int:
    """``value`` as a Python int: any integer (NumPy's too, as ``np.arange`` gives them), not a
    bool, at least ``low``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        kind = "a positive" if low == 1 else "a non-negative"
        raise InputError(f"{name} must be {kind} integer, got {value!r}.", field=name, value=value)
    return int(value)


def _check_run_overrides(
    m: Model,
    scenario: Scenario | str | Path,
    overrides: Mapping[str, Any] | None,
    run_overrides: Mapping[str, Any],
    runs: int,
) -> dict[str, Any]:
    """``run_overrides`` checked: allowed paths, one finite value per run, and the extremes of
    each valid as an override (InputError naming the path otherwise). Keys lose the block."""
    import numpy as np

    from herz.scenario import load_scenario

    out: dict[str, Any] = {}
    for path, values in run_overrides.items():
        if path not in m.run_parameters:
            allowed = ", ".join(m.run_parameters) or "none"
            raise InputError(
                f"run_overrides: {path!r} cannot vary by run in the {m.name} model (it allows: "
                f"{allowed}).",
                field="run_overrides",
                value=path,
            )
        try:
            arr = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            arr = np.full(1, np.nan)
        if arr.shape != (runs,) or not np.all(np.isfinite(arr)):
            raise InputError(
                f"run_overrides: {path} must hold {runs} finite numbers, one per run.",
                field="run_overrides",
                value=path,
            )
        for v in {float(arr.min()), float(arr.max())}:
            load_scenario(scenario, {**(overrides or {}), path: v})
        if path.endswith(".balance_interval") and arr.min() <= 0:
            raise InputError(
                f"run_overrides: {path} must be > 0 in every run (0 switches balancing off for "
                "the whole call: give it in overrides).",
                field="run_overrides",
                value=path,
            )
        out[path.split(".", 1)[1]] = arr
    return out


def simulate(
    scenario: Scenario | str | Path,
    model: str | Model | type[Model] = "richardson",
    *,
    steps: int | None = None,
    runs: int = 1,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    keep: str = "series",
    run_offset: int = 0,
    stream_key: Sequence[int] = (),
    progress: Callable[[int, int], None] | None = None,
    run_overrides: Mapping[str, Any] | None = None,
    **options: Any,
) -> Result:
    """Run ``model`` on ``scenario`` and return a :class:`~herz.Result`.

    Parameters
    ----------
    scenario:
        A :class:`~herz.Scenario`, a built-in name (``"europe-1909"``) or a YAML path.
    model:
        A registered model's name: ``"richardson"``, ``"spiral"``, ``"iterated"``,
        ``"lanchester"`` (:func:`herz.models.model_names` lists them all), or a
        :class:`~herz.models.Model` subclass or instance, registered or not.
    steps:
        Number of steps; default: the scenario's ``time.steps``.
    runs:
        Ensemble size. Run i draws from ``SeedSequence(seed, spawn_key=(i,))`` only, so run i
        is the same whatever the ensemble size.
    seed:
        Root seed (a non-negative integer). ``None`` draws one from OS entropy; it is recorded
        in ``result.seed`` and ``result.summary["seed"]``.
    overrides:
        Dotted-path replacements, e.g. ``{"world.offense_advantage": 0.8}``.
    keep:
        ``"series"`` (full time series), ``"events"`` (the events table of a model that has
        one, the spiral's, without the series; elsewhere as ``"summary"``) or ``"summary"``
        (outcomes and headline numbers only, for large ensembles).
    run_offset, stream_key:
        For sweeps and chunked ensembles: run k of this call is run ``run_offset + k`` and draws
        from ``SeedSequence(seed, spawn_key=(*stream_key, run_offset + k))`` (see
        :mod:`herz._random`), so a chunk of runs equals the same runs of one big call.
    progress:
        Called as ``progress(done, total)`` by models that report progress.
    run_overrides:
        ``{path: values}``, ``runs`` values per path: run k of this call takes the k-th value
        (after ``overrides``). Only the model's ``run_parameters`` may vary by run (the
        spiral: ``spiral.crisis_base``, ``crisis_rate``, ``war_cost``, ``base_posture``,
        ``balance_interval``, ``tolerance``, ``superiority``, ``greedy_effort``,
        ``prior_greedy``). Each run equals a call with its values as ``overrides``, so a
        posterior's draws run as one vectorized ensemble. The smallest and largest value of
        each path are validated as overrides are.
    **options:
        The model's run options (its ``Options``; Richardson: ``method``, ``blocs``, ``noise``,
        ``floor``; the spiral: ``chunk``).

    Raises
    ------
    InputError
        For any bad argument, scenario, block or option: one sentence naming it.
    """
    from herz._version import __version__

    m = resolve_model(model)
    if steps is not None:
        steps = _check_int("steps", steps, 1)
        if steps > 100_000:
            raise InputError(f"steps must be at most 100000, got {steps}.", value=steps)
    sc = scenario_for_run(scenario, overrides, steps)
    check_scenario(sc, m)
    n_steps = _check_int("steps", sc.time.steps if steps is None else steps, 1)
    if n_steps > 100_000:
        raise InputError(f"steps must be at most 100000, got {n_steps}.", value=n_steps)
    runs = _check_int("runs", runs, 1)
    if seed is None:
        seed = new_seed()
    seed = _check_int("seed", seed, 0)
    if seed >= 2**63:
        raise InputError(f"seed must be below 2**63, got {seed}.", field="seed", value=seed)
    if keep not in KEEP:
        raise InputError(f"keep must be one of {', '.join(KEEP)}; got {keep!r}.", value=keep)
    run_offset = _check_int("run_offset", run_offset, 0)
    try:
        key = tuple(operator.index(k) for k in stream_key)
    except TypeError:
        key = (-1,)
    if any(k < 0 for k in key):
        raise InputError(
            f"stream_key must be non-negative integers, got {stream_key!r}.", value=stream_key
        )
    _check_memory(m, sc, steps=n_steps, runs=runs, keep=keep)
    opts = validate_options(m, options)
    given = {k: getattr(opts, k) for k in type(opts).model_fields}
    if run_overrides:
        given["run_params"] = _check_run_overrides(m, scenario, overrides, run_overrides, runs)
    import numpy as np

    errors: set[str] = set()  # the floating-point errors NumPy met in the run, by kind

    def note(kind: str, _flag: int) -> None:
        errors.add(kind.split()[0])

    with np.errstate(over="call", invalid="call", call=note):
        result = m.simulate(
            sc,
            steps=n_steps,
            runs=runs,
            seed=seed,
            keep=keep,
            run_offset=run_offset,
            stream_key=key,
            progress=progress,
            **given,
        )
    if "overflow" in errors:
        warnings.warn(
            NumericalOverflowWarning(
                f"{m.name} on {sc.name}: a value went beyond the floating-point range "
                f"(about 1.8e308) within {n_steps} steps, and the results it touched are inf "
                "or NaN (null in JSON): an explosive process (a runaway arms race, an economy "
                "growing for millennia) cannot be followed that far; ask for fewer steps."
            ),
            stacklevel=2,
        )
    elif "invalid" in errors:  # what NumPy would have said, once
        warnings.warn(
            RuntimeWarning(f"{m.name} on {sc.name}: invalid value encountered in the run"),
            stacklevel=2,
        )
    stamp = {
        "model": m.name,
        "scenario": sc.name,
        "scenario_hash": sc.hash(),
        "herz_version": __version__,
        "seed": seed,
        "runs": runs,
        "run_offset": run_offset,
        "steps": n_steps,
        "dt": sc.time.step,
        "start": sc.time.start,
        "options": opts.model_dump(mode="json"),
    }
    result.summary = {**stamp, **{k: v for k, v in result.summary.items() if k not in stamp}}
    result.model = m.name
    result.seed = seed
    return result
