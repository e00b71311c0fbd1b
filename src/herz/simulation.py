"""``herz.simulate``: run a model on a scenario, the one entry point every interface uses."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from herz.errors import InputError

if TYPE_CHECKING:
    from herz.results import Result
    from herz.scenario import Scenario

__all__ = ["MODELS", "model_options", "new_seed", "simulate"]

#: Model name → "module:function". The function is called as
#: ``fn(scenario, *, steps, runs, seed, keep, run_offset=0, stream_key=(), **options)`` and
#: returns a :class:`~herz.Result`. Run k of the call is run ``run_offset + k`` and draws only
#: from ``SeedSequence(seed, spawn_key=(*stream_key, run_offset + k))`` (see herz._random), so
#: results never depend on batching, chunking or workers.
MODELS: dict[str, str] = {
    "richardson": "herz.models.richardson:simulate_scenario",
    "spiral": "herz.models.spiral:simulate_scenario",
}

KEEP = ("series", "summary")


def _model_function(model: str) -> Callable[..., Result]:
    if model not in MODELS:
        raise InputError(
            f"unknown model {model!r}; choose one of: {', '.join(MODELS)}.",
            field="model",
            value=model,
        )
    module, _, name = MODELS[model].partition(":")
    fn: Callable[..., Result] = getattr(importlib.import_module(module), name)
    return fn


def _options_of(fn: Callable[..., Result]) -> list[str]:
    import inspect

    return [
        name
        for name, p in inspect.signature(fn).parameters.items()
        if p.kind is p.KEYWORD_ONLY
        and name not in ("steps", "runs", "seed", "keep", "run_offset", "stream_key")
    ]


def model_options(model: str) -> list[str]:
    """The keyword options ``model`` accepts besides the common ones (``steps``, ``runs``, ...).

    Sweeps use it to reject a misspelt option before anything runs.

    Raises
    ------
    InputError
        If ``model`` is not registered in :data:`MODELS`.
    """
    return _options_of(_model_function(model))


def new_seed() -> int:
    """A fresh 63-bit root seed from OS entropy (recorded, so the run can be repeated)."""
    import numpy as np

    return int(np.random.SeedSequence().generate_state(2, dtype=np.uint32).view(np.uint64)[0] >> 1)


def simulate(
    scenario: Scenario | str | Path,
    model: str = "richardson",
    *,
    steps: int | None = None,
    runs: int = 1,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    keep: str = "series",
    run_offset: int = 0,
    stream_key: Sequence[int] = (),
    **options: Any,
) -> Result:
    """Run ``model`` on ``scenario`` and return a :class:`~herz.Result`.

    Parameters
    ----------
    scenario:
        A :class:`~herz.Scenario`, a built-in name (``"europe-1909"``) or a YAML path.
    model:
        ``"richardson"`` (see :data:`MODELS` for all).
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
        ``"series"`` (full time series) or ``"summary"`` (headline numbers only, for large
        ensembles).
    run_offset, stream_key:
        For sweeps and chunked ensembles: run k of this call is run ``run_offset + k`` and draws
        from ``SeedSequence(seed, spawn_key=(*stream_key, run_offset + k))`` (see
        :mod:`herz._random`), so a chunk of runs equals the same runs of one big call.
    **options:
        Model options (Richardson: ``method``, ``blocs``, ``noise``, ``floor``).
    """
    from herz.scenario import load_scenario

    fn = _model_function(model)
    sc = load_scenario(scenario, overrides)
    n_steps = sc.time.steps if steps is None else steps
    if isinstance(n_steps, bool) or not isinstance(n_steps, int) or n_steps < 1:
        raise InputError(f"steps must be a positive integer, got {n_steps!r}.", value=n_steps)
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 1:
        raise InputError(f"runs must be a positive integer, got {runs!r}.", value=runs)
    if seed is None:
        seed = new_seed()
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed!r}.", value=seed)
    if keep not in KEEP:
        raise InputError(f"keep must be one of {', '.join(KEEP)}; got {keep!r}.", value=keep)
    accepted = _options_of(fn)
    for name in options:
        if name not in accepted:
            raise InputError(
                f"model {model!r} has no option {name!r}; its options: {', '.join(accepted)}.",
                field=name,
                value=options[name],
            )
    if isinstance(run_offset, bool) or not isinstance(run_offset, int) or run_offset < 0:
        raise InputError(
            f"run_offset must be a non-negative integer, got {run_offset!r}.", value=run_offset
        )
    import operator

    try:
        key = tuple(operator.index(k) for k in stream_key)
    except TypeError:
        key = (-1,)
    if any(k < 0 for k in key):
        raise InputError(
            f"stream_key must be non-negative integers, got {stream_key!r}.", value=stream_key
        )
    return fn(
        sc,
        steps=n_steps,
        runs=runs,
        seed=seed,
        keep=keep,
        run_offset=run_offset,
        stream_key=key,
        **options,
    )
