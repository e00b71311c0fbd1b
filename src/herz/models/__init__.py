"""herz's models, and the registry every interface reads.

:data:`REGISTRY` maps a model's name to ``"module:Class"``; adding a model is one file (or
package) and one line here. The CLI (``herz run --model``), the web page (``/api/models``),
sweeps and the conformance tests (:func:`herz.testing.check_model`) all find models here.
Third-party packages register theirs under the ``herz.models`` entry-point group::

    [project.entry-points."herz.models"]
    mymodel = "mypackage.mymodel:MyModel"

Nothing is imported until a model is asked for, so ``import herz`` stays fast. The contract a
model class fulfils is :class:`herz.models.Model` (see :mod:`herz.models._base`).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from herz.errors import InputError

if TYPE_CHECKING:
    from herz.models._base import COMMON_OUTCOMES, Measure, Model

__all__ = ["COMMON_OUTCOMES", "REGISTRY", "Measure", "Model", "get_model", "model_names"]

#: Model name → "module:Class". One line per model.
REGISTRY: dict[str, str] = {
    "richardson": "herz.models.richardson:Richardson",
    "spiral": "herz.models.spiral:Spiral",
    "iterated": "herz.models.iterated:Iterated",
    "lanchester": "herz.models.lanchester:Lanchester",
    "reassurance": "herz.models.reassurance:Reassurance",
}

_ENTRY_POINT_GROUP = "herz.models"


@cache
def _entry_points() -> dict[str, str]:
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group=_ENTRY_POINT_GROUP)}


def _targets() -> dict[str, str]:
    return {**_entry_points(), **REGISTRY}


def model_names() -> list[str]:
    """The names of every registered model: herz's own, then any from entry points."""
    extra = sorted(n for n in _entry_points() if n not in REGISTRY)
    return [*REGISTRY, *extra]


def get_model(name: str) -> Model:
    """The model registered as ``name`` (one shared, stateless instance).

    Raises
    ------
    InputError
        If no model has that name; the message lists the registered ones.
    """
    targets = _targets()
    if not isinstance(name, str) or name not in targets:
        raise InputError(
            f"unknown model {name!r}; choose one of: {', '.join(model_names())}.",
            field="model",
            value=name,
        )
    return _load(name, targets[name])


@cache
def _load(name: str, target: str) -> Model:
    import importlib

    from herz.errors import ModelError
    from herz.models._base import Model

    module, _, attr = target.partition(":")
    cls = getattr(importlib.import_module(module), attr)
    if not (isinstance(cls, type) and issubclass(cls, Model)):
        raise ModelError(f"model {name!r} ({target}) is not a herz.models.Model subclass.")
    if getattr(cls, "name", None) != name:
        raise ModelError(f"model {name!r} ({target}) declares the name {cls.name!r}.")
    return cls()


def __getattr__(name: str) -> Any:
    if name in ("Model", "Measure", "COMMON_OUTCOMES"):
        from herz.models import _base

        return getattr(_base, name)
    raise AttributeError(f"module 'herz.models' has no attribute {name!r}")
