"""``GET /api/scenarios`` and ``GET /api/scenarios/{name}``; :func:`load_named`, which the runs
router shares, reads a scenario by name (never by path) within the server's limits.

Files of the scenario folder are read with herz's bounded YAML loader (``Scenario.from_yaml``:
no alias bombs, no deep nesting, no huge integers, no duplicate keys). A file that does not load,
for whatever reason, is left out of the list (and logged) and answers 422 by name; it never
breaks the list. A file is parsed once per change (its size and modification time).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
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
    where = resolve_scenario_file(name, settings.scenario_dir)
    if where is None:
        raise NotFoundError(f"there is no scenario named {name!r}; GET /api/scenarios lists them.")
    source, path = where
    try:
        stat = path.stat()
    except OSError:
        raise InputError(f"{name}: the scenario file cannot be read.", source=name) from None
    if stat.st_size > MAX_SCENARIO_FILE_BYTES:
        raise InputError(f"{name}: the scenario file is larger than 1 MiB.", source=name)
    return source, _parse(str(path), name, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _parse(path: str, name: str, size: int, mtime_ns: int) -> Scenario:
    """The scenario in ``path`` (cached per size and modification time; failures are not
    cached). Any failure is an :class:`InputError` naming the scenario, never a path."""
    from herz.scenario import Scenario

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise InputError(f"{name}: the scenario file cannot be read.", source=name) from None
    try:
        return Scenario.from_yaml(text, source=name)
    except InputError:
        raise
    except Exception as exc:  # the loader's bounds should make this unreachable
        log.warning("scenario %s: %s while reading it", name, type(exc).__name__, exc_info=True)
        raise InputError(
            f"{name}: the scenario file cannot be read ({type(exc).__name__}).", source=name
        ) from None


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
        except Exception:  # pragma: no cover - load_named turns failures into InputError
            log.warning("scenario %s skipped", name, exc_info=True)
            continue
        out.append(ScenarioInfo(**_info(name, source, sc)))
    return out


@router.get("/api/scenarios/{name}", response_model=ScenarioDetail, responses=ERRORS)
def scenario(name: str, settings: Settings) -> ScenarioDetail:
    """One scenario, by name only: built-ins first, then the scenario folder."""
    source, sc = load_named(name, settings)
    return ScenarioDetail(**_info(name, source, sc), document=sc.to_dict())
