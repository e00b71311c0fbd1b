"""``GET /api/scenarios`` and ``GET /api/scenarios/{name}``; :func:`load_named`, which the runs
router shares, reads a scenario by name (never by path) within the server's limits."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter

from herz.errors import InputError
from herz.web.deps import Settings
from herz.web.errors import ERRORS, NotFoundError
from herz.web.limits import (
    MAX_SCENARIO_FILE_BYTES,
    WebSettings,
    folder_scenarios,
    resolve_scenario_file,
)
from herz.web.schemas import ScenarioDetail, ScenarioInfo

if TYPE_CHECKING:
    from herz.scenario import Scenario

__all__ = ["load_named", "router"]

log = logging.getLogger("herz.web")

router = APIRouter(tags=["scenarios"])


def load_named(name: str, settings: WebSettings) -> tuple[str, Scenario]:
    """``(source, scenario)`` for a scenario name: the built-ins first, then the folder.

    Raises
    ------
    NotFoundError
        If there is no scenario of that name (HTTP 404).
    InputError
        If the name is not a name, or the file is too large, unreadable or invalid (HTTP 422).
    """
    from herz.scenario import Scenario

    where = resolve_scenario_file(name, settings.scenario_dir)
    if where is None:
        raise NotFoundError(f"there is no scenario named {name!r}; GET /api/scenarios lists them.")
    source, path = where
    if path.stat().st_size > MAX_SCENARIO_FILE_BYTES:
        raise InputError(f"{name}: the scenario file is larger than 1 MiB.", source=name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise InputError(f"{name}: the scenario file cannot be read.", source=name) from None
    return source, Scenario.from_yaml(text, source=name)


def _info(name: str, source: str, sc: Scenario) -> dict[str, Any]:
    return {
        "name": name,
        "source": source,
        "title": sc.name,
        "description": sc.description,
        "states": sc.ids,
        "alliances": len(sc.alliances),
        "events": len(sc.events),
        "start": sc.time.start,
        "step": sc.time.step,
        "steps": sc.time.steps,
        "offense_advantage": sc.world.offense_advantage,
        "distinguishability": sc.world.distinguishability,
    }


@router.get("/api/scenarios", response_model=list[ScenarioInfo])
def scenarios(settings: Settings) -> list[ScenarioInfo]:
    """The built-in scenarios, then the valid ones in the server's scenario folder."""
    from herz.scenario import builtin_scenarios

    names = [*builtin_scenarios(), *folder_scenarios(settings.scenario_dir)]
    out = []
    for name in names:
        try:
            source, sc = load_named(name, settings)
        except (InputError, NotFoundError) as exc:
            log.warning("scenario %s skipped: %s", name, exc)
            continue
        out.append(ScenarioInfo(**_info(name, source, sc)))
    return out


@router.get("/api/scenarios/{name}", response_model=ScenarioDetail, responses=ERRORS)
def scenario(name: str, settings: Settings) -> ScenarioDetail:
    """One scenario, by name only: built-ins first, then the scenario folder."""
    source, sc = load_named(name, settings)
    return ScenarioDetail(**_info(name, source, sc), document=sc.to_dict())
