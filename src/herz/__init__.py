"""herz: a laboratory for the security dilemma.

The public API. Heavy modules load on first use, so ``import herz`` stays fast::

    import herz
    result = herz.simulate("europe-1909", model="richardson", steps=20)
    result.series.head()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from herz._version import __version__
from herz.errors import HerzError, InputError, ModelError, ScenarioError

if TYPE_CHECKING:
    from herz.history import datasets, estimate
    from herz.history.from_history import scenario_from_history
    from herz.models.evolution import moran_process, replicator_dynamics
    from herz.models.games import Game
    from herz.models.iterated import tournament
    from herz.results import Result
    from herz.scenario import Scenario, builtin_scenarios, load_scenario
    from herz.simulation import simulate

__all__ = [
    "Game",
    "HerzError",
    "InputError",
    "ModelError",
    "Result",
    "Scenario",
    "ScenarioError",
    "__version__",
    "builtin_scenarios",
    "datasets",
    "estimate",
    "load_scenario",
    "moran_process",
    "replicator_dynamics",
    "scenario_from_history",
    "simulate",
    "tournament",
]

#: Sub-modules exposed as attributes (``herz.datasets.load(...)``), imported on first use.
_MODULES = {"datasets": "herz.history.datasets", "estimate": "herz.history.estimate"}

_LAZY: dict[str, str] = {
    "Result": "herz.results",
    "Scenario": "herz.scenario",
    "builtin_scenarios": "herz.scenario",
    "load_scenario": "herz.scenario",
    "simulate": "herz.simulation",
    "scenario_from_history": "herz.history.from_history",
    "Game": "herz.models.games",
    "tournament": "herz.models.iterated",
    "moran_process": "herz.models.evolution",
    "replicator_dynamics": "herz.models.evolution",
}


def __getattr__(name: str) -> Any:
    import importlib

    if name in _MODULES:
        value = importlib.import_module(_MODULES[name])
        globals()[name] = value
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'herz' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
