"""Results of a model run: tidy tables, a summary, and ways to save and plot them."""

from __future__ import annotations

import json
import math
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from herz.scenario import Scenario

__all__ = ["Result", "to_jsonable"]


def to_jsonable(value: Any) -> Any:
    """Convert NumPy scalars/arrays and non-finite floats into plain JSON values."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass
class Result:
    """What :func:`herz.simulate` returns.

    Attributes
    ----------
    model:
        The model's name (``"richardson"``, ...).
    scenario:
        The scenario that was run, overrides applied.
    seed:
        The root seed (drawn from fresh entropy and recorded when none was given).
    summary:
        A JSON-ready dict: the model's headline numbers (see each model's docs).
    series:
        Tidy time series, one row per (run, t, state): columns ``run``, ``t``, ``year``,
        ``state``, ``military`` and whatever else the model records. ``None`` with
        ``keep="summary"``.
    events:
        Tidy events table (crises, wars, alliance changes) for models that have events.
    outcomes:
        One row per run for models with per-run outcomes.
    """

    model: str
    scenario: Scenario
    seed: int
    summary: dict[str, Any]
    series: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    outcomes: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self, indent: int | None = 2) -> str:
        """The summary as JSON."""
        return json.dumps(to_jsonable(self.summary), indent=indent, allow_nan=False)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The non-empty tables by file stem: ``timeseries``, ``events``, ``outcomes``."""
        named = {"timeseries": self.series, "events": self.events, "outcomes": self.outcomes}
        return {k: v for k, v in named.items() if v is not None}

    def to_csv(self, folder: str | Path) -> list[Path]:
        """Write each table as CSV and the summary as ``summary.json`` into ``folder``."""
        return self._write(folder, "csv")

    def to_parquet(self, folder: str | Path) -> list[Path]:
        """Write each table as Parquet (needs pyarrow) and ``summary.json`` into ``folder``."""
        return self._write(folder, "parquet")

    def _write(self, folder: str | Path, fmt: str) -> list[Path]:
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        written: list[Path] = []
        for stem, table in self.tables().items():
            target = out / f"{stem}.{fmt}"
            with _AtomicWrite(target) as tmp:
                if fmt == "csv":
                    table.to_csv(tmp, index=False)
                else:
                    table.to_parquet(tmp, index=False)
            written.append(target)
        target = out / "summary.json"
        with _AtomicWrite(target) as tmp:
            Path(tmp).write_text(self.to_json() + "\n", encoding="utf-8")
        written.append(target)
        return written

    def plot(self, variable: str | None = None, *, ax: Any = None) -> Figure:
        """Line plot of ``variable`` per state over time (ensemble mean with a 5–95% band).

        By default ``military``, or the model's first variable where it has none (the
        iterated game's ``cooperation``), as the web page does.
        """
        from herz.plots.series import plot_series

        if self.series is None:
            raise ValueError("this result kept no series (keep='summary'); nothing to plot")
        if variable is None:
            names = [c for c in self.series.columns if c not in ("run", "t", "year", "state")]
            variable = "military" if "military" in names or not names else names[0]
        return plot_series(self, variable=variable, ax=ax)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style='text-align:left'>{k}</th><td>{_short(v)}</td></tr>"
            for k, v in self.summary.items()
            if k not in ("coefficients",)
        )
        return f"<table><caption>herz {self.model} on {self.scenario.name}</caption>{rows}</table>"


def _short(value: Any) -> str:
    text = json.dumps(to_jsonable(value))
    return text if len(text) < 200 else text[:197] + "..."


def check_folder_writable(folder: Path, flag: str, target: Path | None = None) -> None:
    """Raise :class:`~herz.errors.InputError` (naming ``flag``) if ``folder`` could not be
    created or written: a part of its path is a file, or the nearest folder of it that exists
    does not let this user write. Checked before a run, so that a bad output path is a clear
    sentence at once rather than an OS error after the work. ``target`` (default ``folder``) is
    what the message says cannot be written."""
    from herz.errors import InputError

    what = folder if target is None else target
    for part in (folder, *folder.parents):
        try:
            exists = part.exists()
        except OSError:  # ENAMETOOLONG and the like: the lengths are checked below
            exists = False
        if not exists:
            continue
        _check_name_lengths(what, part, flag)
        if not part.is_dir():
            raise InputError(
                f"{flag}: cannot write {what}: {part} is a file, not a folder.",
                field=flag,
                value=str(what),
            )
        if not os.access(part, os.W_OK | os.X_OK):
            raise InputError(
                f"{flag}: cannot write {what}: {part} does not let this user write in it.",
                field=flag,
                value=str(what),
            )
        return


#: Bytes that herz adds to a name for its temporary files and folders beside the target
#: (``.NAME.<12 hex>.part``): a name must leave room for them.
_TEMP_NAME_EXTRA = 19


def _check_name_lengths(what: Path, existing: Path, flag: str) -> None:
    """Refuse a path with a part longer than the file system under ``existing`` allows, less
    the room herz's temporary names need (an OS error after the work otherwise)."""
    from herz.errors import InputError

    try:
        name_max = int(os.pathconf(existing, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        name_max = 255
    for name in what.parts:
        size = len(os.fsencode(name))
        if size + _TEMP_NAME_EXTRA > name_max:
            shown = name if len(name) <= 40 else f"{name[:40]}…"
            raise InputError(
                f"{flag}: cannot write {shown}: a name of {size} bytes is too long for the "
                f"file system (at most {name_max - _TEMP_NAME_EXTRA} bytes here).",
                field=flag,
                value=shown,
            )


class _AtomicWrite:
    """Write to a temporary file beside ``target`` and move it into place on success.

    The temporary file is created with mode 0o666 less the umask, as ``open`` would create
    ``target`` itself (``tempfile.mkstemp`` makes it 0o600, and ``os.replace`` kept that: tables
    and summaries came out unreadable to the group where the figures beside them were not).
    """

    def __init__(self, target: Path) -> None:
        self.target = target
        self.tmp = ""

    def __enter__(self) -> str:
        for _ in range(100):
            tmp = os.path.join(
                self.target.parent, f".{self.target.name}.{secrets.token_hex(6)}.part"
            )
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            except FileExistsError:
                continue
            os.close(fd)
            self.tmp = tmp
            return tmp
        raise FileExistsError(f"no free temporary name beside {self.target}")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            os.replace(self.tmp, self.target)
        else:
            Path(self.tmp).unlink(missing_ok=True)
