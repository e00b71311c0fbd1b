"""The results store: sweeps, points, runs and series in one DuckDB file.

Tables (one file can hold several sweeps, told apart by ``sweep_id``)::

    sweeps   one row per sweep: name, model, scenario (JSON and SHA-256), seed, runs per point,
             steps, what was kept, the design, the spec (JSON and hash), the chunk size, the
             herz version, when it was created and completed, its outcome columns
    points   one row per parameter point: a column per varied parameter (named by its dotted
             path, e.g. "world.offense_advantage"), the parameters as JSON, the SHA-256 of the
             point's scenario and its initial total military
    runs     one row per run: sweep_id, point, run, then the model's outcome columns
    series   (keep: series) one row per run, step and state, as the model's series
    chunks   one row per stored chunk: the bookkeeping that makes a sweep resumable

Writing happens in the parent process only, one transaction per chunk (:meth:`Store.write_chunk`):
the chunk's runs, series, point facts and its row in ``chunks`` appear together or not at all.
DuckDB's write-ahead log makes a committed chunk durable and drops an uncommitted one, so after
a crash (even ``kill -9``) the file holds whole chunks only, and ``resume`` computes the rest.
The ``runs`` primary key (sweep_id, point, run) makes a duplicated run impossible.

Failures the user's environment causes are :class:`~herz.errors.InputError`, one sentence that
names the file: a damaged (truncated or corrupted) file, a full disk (the operating system's
words, e.g. "No space left on device", never the error of the rollback that follows), a file in
use by another process. A failed chunk is rolled back; the chunks committed before it are kept.

DuckDB is an optional dependency (the ``store`` extra); it is imported when a store is opened.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import importlib
import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from herz.experiment import ChunkResult, SweepPlan

__all__ = [
    "ExistingSweep",
    "Store",
    "SweepInfo",
    "check_database",
    "full_disk_reason",
    "open_results",
]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sweeps (
    sweep_id INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL UNIQUE,
    description VARCHAR,
    model VARCHAR NOT NULL,
    scenario VARCHAR NOT NULL,
    scenario_hash VARCHAR NOT NULL,
    scenario_json VARCHAR NOT NULL,
    seed BIGINT NOT NULL,
    runs_per_point BIGINT NOT NULL,
    steps BIGINT NOT NULL,
    keep VARCHAR NOT NULL,
    design VARCHAR NOT NULL,
    parameters VARCHAR NOT NULL,
    n_points BIGINT NOT NULL,
    chunk_runs BIGINT NOT NULL,
    spec_json VARCHAR NOT NULL,
    spec_hash VARCHAR NOT NULL,
    herz_version VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    completed_at TIMESTAMP,
    outcome_columns VARCHAR
);
CREATE TABLE IF NOT EXISTS points (
    sweep_id INTEGER NOT NULL,
    point BIGINT NOT NULL,
    params VARCHAR NOT NULL,
    scenario_hash VARCHAR,
    initial_military DOUBLE,
    PRIMARY KEY (sweep_id, point)
);
CREATE TABLE IF NOT EXISTS runs (
    sweep_id INTEGER NOT NULL,
    point BIGINT NOT NULL,
    run BIGINT NOT NULL,
    PRIMARY KEY (sweep_id, point, run)
);
CREATE TABLE IF NOT EXISTS series (
    sweep_id INTEGER NOT NULL,
    point BIGINT NOT NULL,
    run BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    sweep_id INTEGER NOT NULL,
    chunk BIGINT NOT NULL,
    runs BIGINT NOT NULL,
    seconds DOUBLE,
    stored_at TIMESTAMP NOT NULL,
    PRIMARY KEY (sweep_id, chunk)
);
"""


def _q(name: str) -> str:
    """A quoted SQL identifier (column names are dotted paths and state ids)."""
    return '"' + name.replace('"', '""') + '"'


def _sql_type(series: pd.Series) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(series):
        return "BIGINT"
    if pd.api.types.is_float_dtype(series):
        return "DOUBLE"
    return "VARCHAR"


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise InputError(
            "the results store needs DuckDB: pip install 'herz[store]' (or duckdb)."
        ) from None
    return duckdb


# -- failures of the file, the disk or the lock, in one sentence ------------------------------
#: Words of the operating system (as DuckDB passes them on) for a write that found no room;
#: "File too large" is a file-size limit (RLIMIT_FSIZE, a quota), to the user the same thing.
_FULL = ("No space left on device", "Disk quota exceeded", "File too large")
_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_LOCKED = ("could not set lock on file", "conflicting lock")
_DAMAGED = (
    "corrupt database",
    "could not read enough bytes",
    "not a valid duckdb database",
    "checksum",
    "serialization error",
    "invalid block",
    "failed to read",
    "deserializ",
)


def _detail(exc: BaseException, limit: int = 160) -> str:
    """The first line of an error message, shortened."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def full_disk_reason(exc: BaseException) -> str | None:
    """The operating system's words if ``exc`` (or its cause) is a write that found no room.

    ``"No space left on device"`` (ENOSPC), ``"Disk quota exceeded"`` (EDQUOT) or ``"File too
    large"`` (EFBIG, a file-size limit), else ``None``.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in _FULL_ERRNOS:
            return current.strerror or _detail(current)
        text = str(current).lower()
        for words in _FULL:
            if words.lower() in text:
                return words
        current = current.__cause__ or current.__context__
    return None


def _store_error(path: Path, exc: BaseException, *, writing: bool = True) -> InputError | None:
    """The one sentence for a failure of the file, the disk or the lock; ``None`` for others
    (a defect, which the caller re-raises as it is)."""
    duckdb = sys.modules.get("duckdb")
    full = full_disk_reason(exc)
    if full is not None and writing:
        return InputError(
            f"{path}: cannot write to it: {full}; every chunk stored before is kept: free some "
            "space, then run the sweep again with --resume.",
            value=str(path),
        )
    if full is not None:  # reading: DuckDB's temporary files found no room
        return InputError(
            f"{path}: cannot read it: {full} (for temporary files); free some space and try again.",
            value=str(path),
        )
    if duckdb is None or not isinstance(exc, duckdb.Error | OSError):
        return None
    text = str(exc)
    low = text.lower()
    if any(words in low for words in _LOCKED):
        pid = re.search(r"\(PID (\d+)\)", text)
        who = f"another process (PID {pid.group(1)})" if pid else "another process"
        return InputError(
            f"{path}: in use by {who}, which holds its lock; wait for it to finish, or use "
            "another --db.",
            value=str(path),
        )
    if "not a valid duckdb database" in low:
        return InputError(
            f"{path}: not a DuckDB database, or a damaged one (empty, truncated or overwritten).",
            value=str(path),
        )
    if any(words in low for words in _DAMAGED):
        return InputError(
            f"{path}: the database is damaged (truncated or corrupted) and cannot be read "
            f"({_detail(exc)}).",
            value=str(path),
        )
    if isinstance(exc, OSError | duckdb.IOException | duckdb.PermissionException):
        return InputError(f"{path}: cannot read or write it ({_detail(exc)}).", value=str(path))
    if isinstance(exc, duckdb.CatalogException):  # a DuckDB file, but not a sweep database
        return InputError(
            f"{path}: not a herz sweep database, or a damaged one ({_detail(exc)}).",
            value=str(path),
        )
    return None


def _interrupted(exc: BaseException) -> bool:
    """Whether ``exc`` is DuckDB's answer to Ctrl-C inside a query: it takes the SIGINT itself
    and raises ``RuntimeError("Query interrupted")`` (or its InterruptException) instead."""
    duckdb = sys.modules.get("duckdb")
    if duckdb is not None and isinstance(exc, duckdb.InterruptException):
        return True
    return type(exc) is RuntimeError and str(exc).strip().lower() == "query interrupted"


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _guarded(method: Callable[Concatenate[Store, _P], _R]) -> Callable[Concatenate[Store, _P], _R]:
    """Turn a failure of the file, the disk or the lock into its one sentence (InputError);
    DuckDB's interrupt (Ctrl-C inside a query) into KeyboardInterrupt."""

    @functools.wraps(method)
    def wrapper(self: Store, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except InputError:
            raise
        except Exception as exc:
            if _interrupted(exc):
                raise KeyboardInterrupt from exc
            error = _store_error(self.path, exc, writing=not self.read_only)
            if error is None:
                raise
            raise error from exc

    return wrapper


@dataclass(frozen=True)
class SweepInfo:
    """A stored sweep's identity and layout (a row of ``sweeps``)."""

    sweep_id: int
    name: str
    model: str
    scenario: str
    scenario_hash: str
    seed: int
    runs_per_point: int
    steps: int
    keep: str
    design: str
    parameters: list[str]
    n_points: int
    chunk_runs: int
    spec: dict[str, Any]
    spec_hash: str
    herz_version: str
    completed: bool
    outcome_columns: list[str]


@dataclass(frozen=True)
class ExistingSweep:
    """What a resume needs to know about a sweep already in a database."""

    db: str
    info: SweepInfo

    @property
    def seed(self) -> int:
        """The root seed the sweep was started with."""
        return self.info.seed

    @property
    def chunk_runs(self) -> int:
        """The chunk size the sweep was started with (kept, so chunk ids stay the same)."""
        return self.info.chunk_runs

    def check_resumable(self, plan: SweepPlan, version: str, db: str) -> None:
        """Raise :class:`InputError` unless ``plan`` is the same sweep as the stored one."""
        if self.info.herz_version != version:
            raise InputError(
                f"{db}: sweep {self.info.name!r} was started with herz {self.info.herz_version}, "
                f"this is herz {version}; results could differ, so it cannot be resumed.",
                field="--resume",
                value=version,
            )
        if self.info.spec_hash == plan.spec_hash:
            return
        new = plan.spec.canonical()
        differing = [
            key
            for key in sorted(set(new) | set(self.info.spec))
            if key not in ("description", "chunk") and new.get(key) != self.info.spec.get(key)
        ]
        if plan.scenario_hash != self.info.scenario_hash:
            differing.append("the scenario's content")
        what = ", ".join(differing) or "the spec"
        raise InputError(
            f"{db}: sweep {self.info.name!r} was started with a different spec ({what} "
            f"changed); it cannot be resumed with this one.",
            field="--resume",
            value=what,
        )


def check_database(path: str | Path, name: str) -> ExistingSweep | None:
    """Look into ``path`` (read-only, changing nothing) for a sweep named ``name``.

    Returns ``None`` when the file does not exist or holds no such sweep.

    The sweep's bookkeeping (its chunks, its runs per point) is read too, so that a damaged
    file is refused here, read-only, before anything opens it for writing.

    Raises
    ------
    InputError
        If the path is a folder, not a DuckDB file, damaged, or locked by another process.
    """
    p = Path(path)
    if not p.exists():
        return None
    if p.is_dir():
        raise InputError(f"--db: {p} is a folder, not a database file.", field="--db", value=str(p))
    with Store(p, read_only=True) as store:
        sweep_id = store.sweep_id(name)
        if sweep_id is None:
            return None
        store.done_chunks(sweep_id)
        store.point_run_counts(sweep_id)
        store.points(sweep_id)
        return ExistingSweep(str(p), store.info(sweep_id))


#: DuckDB's share of the memory available when a store opens (:func:`memory_limit`).
MEMORY_SHARE = 0.1
#: Never less than this (DuckDB spills what does not fit to a temporary folder beside the file).
MEMORY_FLOOR = 256 * 2**20


def memory_limit() -> int:
    """The ``memory_limit`` a :class:`Store` sets on its DuckDB connection, in bytes: a tenth
    of the memory available now (:func:`herz.simulation.available_memory`), at least 256 MiB.

    DuckDB's own default is 80% of the machine's memory, which it may take beside a sweep's
    workers (the parent grew to 3.3 GB storing 200,000 spiral runs with their series); beyond
    the limit, sorts and joins spill to ``<database>.tmp`` on disk instead. Large stores work
    at the floor: a sweep of 50,000 Richardson runs with their series (13.2M rows) stored with
    256 MiB (parent peak RSS 485 MB against 872 MB without a limit), and its Parquet export
    sorted them with 493 MB.
    """
    from herz.simulation import available_memory

    return max(MEMORY_FLOOR, int(MEMORY_SHARE * available_memory()))


class Store:
    """A DuckDB results store (see the module docstring for the tables).

    Parameters
    ----------
    path:
        The database file; created (with its tables) unless ``read_only``.
    read_only:
        Open for reading only: nothing in the file can change, and other readers may share it.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        duckdb = _duckdb()
        self.path = Path(path)
        self.read_only = read_only
        if read_only and not self.path.is_file():
            raise InputError(f"{self.path}: no such database file.", value=str(self.path))
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.Error as exc:
            error = _store_error(self.path, exc, writing=not read_only)
            raise error or InputError(
                f"{self.path}: cannot open it as a DuckDB database ({_detail(exc)}).",
                value=str(self.path),
            ) from exc
        try:
            self._con.execute(f"SET memory_limit = '{memory_limit() // 2**20}MiB'")
            # no DuckDB progress bar on the terminal (herz draws its own). Under Jupyter
            # without ipywidgets DuckDB refuses to change the setting at all (it could not
            # draw the bar there either), so a refusal is not an error
            with contextlib.suppress(duckdb.InvalidInputException):
                self._con.execute("SET enable_progress_bar = false")
        except BaseException:
            with contextlib.suppress(Exception):
                self._con.close()
            raise
        self._known_columns: dict[str, set[str]] = {}
        self._hashed: set[tuple[int, int]] = set()
        self._outcomes_recorded: set[int] = set()
        if not read_only:
            try:
                self._create_tables()
            except BaseException:
                with contextlib.suppress(Exception):
                    self._con.close()
                raise

    @_guarded
    def _create_tables(self) -> None:
        self._con.execute(_SCHEMA)

    # -- context management ------------------------------------------------------------------
    @_guarded
    def close(self) -> None:
        """Close the connection (a checkpoint folds the write-ahead log into the file)."""
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.close()
            return
        # Already failing: the error on its way out is the root cause; closing a connection
        # that hit a full disk or a damaged block may fail too, and must not hide it.
        with contextlib.suppress(Exception):
            self._con.close()

    # -- helpers -----------------------------------------------------------------------------
    def _has_table(self, table: str) -> bool:
        rows = self._con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
        ).fetchone()
        return bool(rows and rows[0])

    def _columns(self, table: str) -> list[str]:
        return [r[0] for r in self._con.execute(f"DESCRIBE {table}").fetchall()]

    def _ensure_columns(self, table: str, frame: pd.DataFrame) -> None:
        have = self._known_columns.get(table)
        if have is not None and have.issuperset(frame.columns):
            return
        have = set(self._columns(table))
        for col in frame.columns:
            if col not in have:
                self._con.execute(
                    f"ALTER TABLE {table} ADD COLUMN {_q(col)} {_sql_type(frame[col])}"
                )
                have.add(col)
        self._known_columns[table] = have

    def _insert(self, table: str, frame: pd.DataFrame, *, arrow: bool = False) -> None:
        # No try/finally: inside an aborted transaction even unregister fails and would hide
        # the real error; the caller rolls back, then _forget() drops the view.
        data: Any = _arrow(frame) if arrow else frame
        self._con.register("_herz_frame", data)
        cols = ", ".join(_q(c) for c in frame.columns)
        self._con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _herz_frame")
        self._con.unregister("_herz_frame")

    def _rollback(self) -> None:
        """Roll back the open transaction and drop any registered views.

        Never raises: it runs while an error is on its way out, and that error is the root
        cause. (After a failed COMMIT, e.g. on a full disk, DuckDB has already ended the
        transaction, and ROLLBACK would fail with "no transaction is active".)
        """
        with contextlib.suppress(Exception):
            self._con.execute("ROLLBACK")
        for view in ("_herz_frame", "_herz_info"):
            with contextlib.suppress(Exception):  # not registered
                self._con.unregister(view)

    # -- sweeps ------------------------------------------------------------------------------
    @_guarded
    def sweep_id(self, name: str) -> int | None:
        """The id of the sweep called ``name``, or ``None``."""
        if not self._has_table("sweeps"):
            return None
        row = self._con.execute("SELECT sweep_id FROM sweeps WHERE name = ?", [name]).fetchone()
        return None if row is None else int(row[0])

    @_guarded
    def sweeps(self) -> pd.DataFrame:
        """All sweeps in the file, one row each."""
        if not self._has_table("sweeps"):
            import pandas as pd

            return pd.DataFrame()
        frame: pd.DataFrame = self._con.execute("SELECT * FROM sweeps ORDER BY sweep_id").df()
        return frame

    @_guarded
    def resolve(self, name: str | None = None) -> int:
        """The id of sweep ``name``; without a name, of the only sweep in the file."""
        if not self._has_table("sweeps"):
            raise InputError(f"{self.path}: holds no sweeps.", value=str(self.path))
        names = [r[0] for r in self._con.execute("SELECT name FROM sweeps ORDER BY 1").fetchall()]
        if name is None:
            if len(names) != 1:
                listed = ", ".join(names) or "none"
                raise InputError(
                    f"{self.path}: holds {len(names)} sweeps ({listed}); choose one with --sweep.",
                    field="--sweep",
                )
            name = names[0]
        sweep_id = self.sweep_id(name)
        if sweep_id is None:
            raise InputError(
                f"{self.path}: no sweep named {name!r} (it holds: {', '.join(names) or 'none'}).",
                field="--sweep",
                value=name,
            )
        return sweep_id

    @_guarded
    def info(self, sweep_id: int) -> SweepInfo:
        """A sweep's row as a :class:`SweepInfo`."""
        cur = self._con.execute("SELECT * FROM sweeps WHERE sweep_id = ?", [sweep_id])
        names = [d[0] for d in cur.description]
        row = cur.fetchone()
        if row is None:
            raise InputError(f"{self.path}: no sweep with id {sweep_id}.", value=sweep_id)
        r = dict(zip(names, row, strict=True))
        return SweepInfo(
            sweep_id=int(r["sweep_id"]),
            name=r["name"],
            model=r["model"],
            scenario=r["scenario"],
            scenario_hash=r["scenario_hash"],
            seed=int(r["seed"]),
            runs_per_point=int(r["runs_per_point"]),
            steps=int(r["steps"]),
            keep=r["keep"],
            design=r["design"],
            parameters=json.loads(r["parameters"]),
            n_points=int(r["n_points"]),
            chunk_runs=int(r["chunk_runs"]),
            spec=json.loads(r["spec_json"]),
            spec_hash=r["spec_hash"],
            herz_version=r["herz_version"],
            completed=r["completed_at"] is not None,
            outcome_columns=json.loads(r["outcome_columns"] or "[]"),
        )

    @_guarded
    def create_sweep(self, plan: SweepPlan, *, chunk_runs: int, version: str) -> int:
        """Record a new sweep and its points (one transaction); return its id."""
        import pandas as pd

        spec = plan.spec
        points = plan.points.copy()
        paths = spec.paths
        params_json = [
            json.dumps({p: _plain(v) for p, v in zip(paths, row, strict=True)}, sort_keys=True)
            for row in points[paths].itertuples(index=False, name=None)
        ]
        self._con.execute("BEGIN TRANSACTION")
        try:
            row = self._con.execute("SELECT coalesce(max(sweep_id), 0) + 1 FROM sweeps").fetchone()
            assert row is not None
            sweep_id = int(row[0])
            self._con.execute(
                "INSERT INTO sweeps (sweep_id, name, description, model, scenario, scenario_hash, "
                "scenario_json, seed, runs_per_point, steps, keep, design, parameters, n_points, "
                "chunk_runs, spec_json, spec_hash, herz_version, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, current_timestamp)",
                [
                    sweep_id,
                    spec.name,
                    spec.description,
                    spec.model,
                    spec.scenario,
                    plan.scenario_hash,
                    plan.scenario_json,
                    spec.seed,
                    spec.runs,
                    spec.steps,
                    spec.keep,
                    spec.design.kind,
                    json.dumps(paths),
                    plan.n_points,
                    chunk_runs,
                    json.dumps(spec.canonical(), sort_keys=True),
                    plan.spec_hash,
                    version,
                ],
            )
            frame = pd.DataFrame(
                {"sweep_id": sweep_id, "point": range(len(points)), "params": params_json}
            )
            for p in paths:
                frame[p] = points[p].to_numpy()
            self._ensure_columns("points", frame)
            self._insert("points", frame)
            self._con.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        return sweep_id

    @_guarded
    def done_chunks(self, sweep_id: int) -> set[int]:
        """The ids of the chunks already stored for a sweep."""
        rows = self._con.execute(
            "SELECT chunk FROM chunks WHERE sweep_id = ?", [sweep_id]
        ).fetchall()
        return {int(r[0]) for r in rows}

    @_guarded
    def point_run_counts(self, sweep_id: int) -> dict[int, int]:
        """Stored runs per point (points with none are left out)."""
        rows = self._con.execute(
            "SELECT point, count(*) FROM runs WHERE sweep_id = ? GROUP BY point", [sweep_id]
        ).fetchall()
        return {int(p): int(n) for p, n in rows}

    @_guarded
    def write_chunk(self, sweep_id: int, result: ChunkResult) -> None:
        """Store one chunk in one transaction: its runs, series, point facts and bookkeeping.

        New outcome or series columns are added first (outside the transaction: an empty
        column left by a crash is harmless); then everything else commits together or not at
        all.
        """
        import pandas as pd

        runs = result.outcomes.copy()
        runs.insert(0, "sweep_id", sweep_id)
        self._ensure_columns("runs", runs)
        series = None
        if result.series is not None:
            series = result.series.copy()
            series.insert(0, "sweep_id", sweep_id)
            self._ensure_columns("series", series)
        fresh = {p: v for p, v in result.point_info.items() if (sweep_id, p) not in self._hashed}
        info = pd.DataFrame(
            {
                "point": list(fresh),
                "scenario_hash": [h for h, _ in fresh.values()],
                "initial_military": [m for _, m in fresh.values()],
            }
        )
        outcome_columns = [c for c in result.outcomes.columns if c not in ("point", "run")]
        self._con.execute("BEGIN TRANSACTION")
        try:
            self._insert("runs", runs, arrow=True)
            if series is not None:
                self._insert("series", series, arrow=True)
            if fresh:
                self._con.register("_herz_info", info)
                self._con.execute(
                    "UPDATE points SET scenario_hash = i.scenario_hash, "
                    "initial_military = i.initial_military FROM _herz_info AS i "
                    "WHERE points.sweep_id = ? AND points.point = i.point "
                    "AND points.scenario_hash IS NULL",
                    [sweep_id],
                )
                self._con.unregister("_herz_info")
            if sweep_id not in self._outcomes_recorded:
                self._con.execute(
                    "UPDATE sweeps SET outcome_columns = ? WHERE sweep_id = ? "
                    "AND outcome_columns IS NULL",
                    [json.dumps(outcome_columns), sweep_id],
                )
            self._con.execute(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, current_timestamp)",
                [sweep_id, result.chunk, result.n_runs, result.seconds],
            )
            self._con.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise
        self._hashed.update((sweep_id, p) for p in fresh)
        self._outcomes_recorded.add(sweep_id)

    @_guarded
    def mark_complete(self, sweep_id: int) -> None:
        """Record that every chunk of the sweep is stored."""
        self._con.execute(
            "UPDATE sweeps SET completed_at = current_timestamp WHERE sweep_id = ? "
            "AND completed_at IS NULL",
            [sweep_id],
        )

    # -- reading -----------------------------------------------------------------------------
    @_guarded
    def points(self, sweep_id: int) -> pd.DataFrame:
        """One row per point: ``point``, the parameters, ``scenario_hash``, ``initial_military``."""
        info = self.info(sweep_id)
        cols = ", ".join(["point", *(_q(p) for p in info.parameters)])
        frame: pd.DataFrame = self._con.execute(
            f"SELECT {cols}, scenario_hash, initial_military FROM points "
            "WHERE sweep_id = ? ORDER BY point",
            [sweep_id],
        ).df()
        return frame

    @_guarded
    def runs(self, sweep_id: int) -> pd.DataFrame:
        """One row per stored run: the parameters, ``point``, ``run``, then the outcomes."""
        info = self.info(sweep_id)
        have = set(self._columns("runs"))
        outcomes = [c for c in info.outcome_columns if c in have]
        cols = ", ".join(
            [
                *(f"p.{_q(p)}" for p in info.parameters),
                "r.point",
                "r.run",
                *(f"r.{_q(c)}" for c in outcomes),
            ]
        )
        frame: pd.DataFrame = self._con.execute(
            f"SELECT {cols} FROM runs AS r JOIN points AS p "
            "ON r.sweep_id = p.sweep_id AND r.point = p.point "
            "WHERE r.sweep_id = ? ORDER BY r.point, r.run",
            [sweep_id],
        ).df()
        return frame

    @_guarded
    def series(self, sweep_id: int) -> pd.DataFrame:
        """The stored time series of a sweep (empty unless it kept series)."""
        cols = [c for c in self._columns("series") if c != "sweep_id"]
        order = ", ".join(_q(c) for c in ("point", "run", "t", "state") if c in cols)
        frame: pd.DataFrame = self._con.execute(
            f"SELECT {', '.join(_q(c) for c in cols)} FROM series WHERE sweep_id = ? "
            f"ORDER BY {order}",
            [sweep_id],
        ).df()
        all_null = [c for c in frame.columns if frame[c].isna().all()]
        return frame.drop(columns=all_null) if len(frame) else frame

    @_guarded
    def export_parquet(self, folder: str | Path, sweep_id: int) -> list[Path]:
        """Write ``points``, ``runs`` (with parameters) and, if kept, ``series`` as Parquet."""
        out = Path(folder)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = full_disk_reason(exc) or exc.strerror or _detail(exc)
            raise InputError(f"{out}: cannot create the folder: {reason}.", value=str(out)) from exc
        from herz.results import _AtomicWrite

        written = []
        tables = {"points": self.points(sweep_id), "runs": self.runs(sweep_id)}
        for stem, frame in tables.items():
            target = out / f"{stem}.parquet"
            try:
                with _AtomicWrite(target) as tmp:
                    frame.to_parquet(tmp, index=False)
            except OSError as exc:  # the target's failure, not the database's
                reason = full_disk_reason(exc) or exc.strerror or _detail(exc)
                raise InputError(
                    f"{target}: cannot write it: {reason}.", value=str(target)
                ) from exc
            written.append(target)
        if self.info(sweep_id).keep == "series":
            target = out / "series.parquet"
            self._copy_series(target, sweep_id)
            written.append(target)
        return written

    def _series_query(self, sweep_id: int) -> str:
        """The SELECT of :meth:`series`, its all-null columns left out (one scan to find
        them), with ``sweep_id`` inlined (COPY takes no parameters)."""
        cols = [c for c in self._columns("series") if c != "sweep_id"]
        where = f"WHERE sweep_id = {int(sweep_id)}"
        if cols:
            floats = {
                name
                for name, kind in self._con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_name = 'series'"
                ).fetchall()
                if kind in ("DOUBLE", "FLOAT", "REAL")
            }

            def present(c: str) -> str:  # pandas counts NaN as missing too
                if c in floats:
                    return f"count(CASE WHEN NOT isnan({_q(c)}) THEN 1 END)"
                return f"count({_q(c)})"

            counts = self._con.execute(
                f"SELECT count(*), {', '.join(present(c) for c in cols)} FROM series {where}"
            ).fetchone()
            assert counts is not None
            if counts[0]:  # an empty series keeps every column, as the frame did
                cols = [c for c, k in zip(cols, counts[1:], strict=True) if k]
        order = ", ".join(_q(c) for c in ("point", "run", "t", "state") if c in cols)
        return f"SELECT {', '.join(_q(c) for c in cols)} FROM series {where}" + (
            f" ORDER BY {order}" if order else ""
        )

    def _copy_series(self, target: Path, sweep_id: int) -> None:
        """Stream the series into ``target`` (Parquet) with DuckDB's COPY, through a temporary
        file beside it: never the whole table in pandas (12.9 GB of peak memory for 569 MB of
        Parquet at 200,000 runs of the spiral)."""
        from herz.results import _AtomicWrite

        query = self._series_query(sweep_id)
        duckdb = _duckdb()
        try:
            with _AtomicWrite(target) as tmp:
                path = tmp.replace("'", "''")
                self._con.execute(f"COPY ({query}) TO '{path}' (FORMAT parquet)")
        except OSError as exc:
            reason = full_disk_reason(exc) or exc.strerror or _detail(exc)
            raise InputError(f"{target}: cannot write it: {reason}.", value=str(target)) from exc
        except duckdb.IOException as exc:
            raise InputError(
                f"{target}: cannot write it: {_detail(exc)}.", value=str(target)
            ) from exc


def open_results(path: str | Path) -> Store:
    """Open a results database for reading (it must exist; nothing in it changes)."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such results database.", value=str(p))
    return Store(p, read_only=True)


def _arrow(frame: pd.DataFrame) -> Any:
    """The frame as an Arrow table when it converts cleanly (DuckDB scans Arrow about twice as
    fast as a DataFrame); else the frame itself (e.g. an object column of mixed types)."""
    try:
        pa: Any = importlib.import_module("pyarrow")
    except ImportError:  # pragma: no cover - pyarrow comes with the store extra
        return frame
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return frame


def _plain(value: Any) -> Any:
    item = getattr(value, "item", None)
    return item() if callable(item) else value
