"""The models this server offers, read from the registry (:mod:`herz.models`), never listed here.

Every registered model (herz's own and those of ``herz.models`` entry points) that imports is
offered, with what its class declares: title, citation, the JSON schemas of its ``Options`` (the
page builds its controls from it) and of its ``Params`` block, its outcomes and summary fields.
A model whose module fails to import is left out with a warning in the server's log, so one
broken plug-in never breaks the list.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from herz.web.errors import model_code
from herz.web.schemas import MeasureInfo, ModelInfo

if TYPE_CHECKING:
    from herz.models import Measure, Model

__all__ = ["available_models", "model_info", "resolve_model", "target_of"]

log = logging.getLogger("herz.web")

_warned: set[str] = set()
_warned_lock = threading.Lock()


def _warn_once(name: str, exc: BaseException) -> None:
    with _warned_lock:
        first = name not in _warned
        _warned.add(name)
    if first:
        log.warning(
            "model %r is registered but cannot be loaded (%s: %s); it is not offered.",
            name,
            type(exc).__name__,
            exc,
        )


def _measures(measures: tuple[Measure, ...]) -> list[MeasureInfo]:
    return [MeasureInfo(name=m.name, dtype=m.dtype, unit=m.unit, doc=m.doc) for m in measures]


def model_info(model: Model) -> ModelInfo:
    """What ``GET /api/models`` says about one model."""
    return ModelInfo(
        name=model.name,
        title=model.title,
        citation=model.citation,
        options_schema=model.Options.model_json_schema(),
        params_schema=None if model.Params is None else model.Params.model_json_schema(),
        outcomes=_measures(model.outcomes),
        summary_fields=_measures(model.summary_fields),
        report=model.report,
        reports_progress=model.reports_progress,
    )


def available_models() -> list[ModelInfo]:
    """Every registered model that loads, in registry order (see the module docstring)."""
    from herz.models import get_model, model_names

    out: list[ModelInfo] = []
    for name in model_names():
        try:
            out.append(model_info(get_model(name)))
        except Exception as exc:
            _warn_once(name, exc)
    return out


def resolve_model(name: str) -> Model:
    """The registered model ``name``.

    Raises
    ------
    InputError
        If no model has that name (HTTP 422).
    ModelFailedError
        If it is registered but does not load (HTTP 500; the traceback is logged).
    """
    from herz.models import get_model, model_names

    if name not in model_names():
        return get_model(name)  # raises InputError listing the registered models
    with model_code(name):
        return get_model(name)


def target_of(model: Model) -> str:
    """``"module:Class"`` of the model's class: what a run's process loads to run it."""
    cls = type(model)
    return f"{cls.__module__}:{cls.__qualname__}"
