"""Hostile and unlucky conditions for sweeps, the store and the CLI (issue #14).

Each case runs the real command line in a subprocess on real DuckDB files, and ends in one
sentence and a clear exit status, never a traceback; nothing stored is lost:

- Ctrl-C (SIGINT to the process group, as a terminal sends it) during ``herz sweep``, after 0,
  some and most chunks, on local worker processes and in-process: exit 130 and exactly
  "interrupted; run again with --resume"; ``--resume`` then gives the database of a sweep never
  interrupted;
- a damaged database (empty, truncated, overwritten, not a database) given to ``herz results``,
  ``herz results --csv``, ``herz sweep --resume`` and ``herz plot phase``: exit 2, naming it;
- a full disk during ``herz sweep`` and ``herz results --csv``: exit 2 with the operating
  system's words (a small tmpfs, else a file-size limit); the stored chunks are kept;
- a database in use by another process: exit 2, saying so;
- ``kill -9`` of the sweep's parent process: its local workers, the fork server and the
  resource tracker end too, instead of staying behind for good;
- the Dask scheduler of a ``--cluster`` sweep lost in the middle (it dies as ``kill -9``):
  exit 2 saying so and that ``--resume`` continues, which it does, to the database of a sweep
  never interrupted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from _lockholder import held_open
from _scheduler import dying_scheduler

pytest.importorskip("duckdb")

from herz.experiment import run_sweep
from herz.store import open_results

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and file systems")

INTERRUPTED = "interrupted; run again with --resume"
HERZ = [sys.executable, "-m", "herz"]
#: Every command here ends within this many seconds, or the test fails (never hangs).
TIMEOUT = 120


def herz(*args: str, **popen: Any) -> subprocess.CompletedProcess[str]:
    """Run ``python -m herz ARGS`` and capture its output."""
    return subprocess.run(
        [*HERZ, *args], capture_output=True, text=True, timeout=TIMEOUT, check=False, **popen
    )


def assert_one_sentence(done: subprocess.CompletedProcess[str], code: int, *needles: str) -> str:
    """Exit ``code``, one line on stderr starting "error: " and holding every needle, and no
    traceback anywhere."""
    err = done.stderr
    assert done.returncode == code, (done.returncode, done.stdout[-2000:], err[-2000:])
    assert "Traceback" not in err and "Traceback" not in done.stdout, err
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1, err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def write_spec(folder: Path, name: str, **changes: Any) -> Path:
    doc: dict[str, Any] = {
        "name": name,
        "scenario": "europe-1909",
        "model": "richardson",
        "options": {"noise": 0.2},
        "parameters": {
            "world.offense_advantage": {"values": [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]},
            "world.distinguishability": {"values": [0.0, 1.0]},
        },
        "runs": 100,
        "steps": 400,
        "seed": 14,
        "chunk": 100,
    }
    doc.update(changes)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def tables(db: Path) -> dict[str, pd.DataFrame]:
    """What a sweep database holds, apart from timings."""
    with open_results(db) as store:
        sid = store.resolve()
        chunks = store._con.execute(
            "SELECT chunk, runs FROM chunks WHERE sweep_id = ? ORDER BY chunk", [sid]
        ).df()
        return {
            "runs": store.runs(sid),
            "points": store.points(sid),
            "series": store.series(sid),
            "chunks": chunks,
        }


def assert_same_sweep(got: Path, want: Path) -> None:
    a, b = tables(got), tables(want)
    for name in b:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)


def assert_whole_chunks(db: Path, runs_per_row: int = 1) -> int:
    """The file holds whole chunks only; returns how many."""
    t = tables(db)
    assert len(t["runs"]) == int(t["chunks"]["runs"].sum())
    assert not t["runs"].duplicated(["point", "run"]).any()
    return len(t["chunks"])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- Ctrl-C -----------------------------------------------------------------------------------
#: Runs the real CLI (herz.cli.main, as the console script does) with one change: the progress
#: display prints the number of stored chunks on stdout, one line each time, so the test knows
#: when to press Ctrl-C. Everything else, stderr included, is the command's own.
_PROBE = textwrap.dedent(
    """
    import sys

    from herz.cli import main, sweep


    class ChunkLines(sweep._ProgressBar):
        def __call__(self, p):
            print(p.chunks_done, flush=True)


    if __name__ == "__main__":  # the fork server imports this script again: not there
        sweep._ProgressBar = ChunkLines
        sys.argv = ["herz", *sys.argv[1:]]
        main()
    """
)

SIGINT_CHUNKS = 12  # 12 points × 100 runs, 100 runs per chunk


@pytest.fixture(scope="module")
def sigint_reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The spec of the interrupted sweeps, and the database of the same sweep uninterrupted."""
    folder = tmp_path_factory.mktemp("sigint")
    spec = write_spec(folder, "hostile-sigint")
    db = folder / "uninterrupted.duckdb"
    run_sweep(spec, db=db, workers=1)
    (folder / "probe.py").write_text(_PROBE, encoding="utf-8")
    return spec, db


def interrupt_sweep(
    args: list[str],
    after: int,
    *,
    python: list[str] | None = None,
    sig: signal.Signals = signal.SIGINT,
) -> tuple[int, str, str]:
    """Start a sweep in its own process group, wait until it reports ``after`` stored chunks,
    then send SIGINT to the whole group, as Ctrl-C in a terminal does (the fork server and the
    workers get it too), or SIGTERM to the parent alone, as ``kill PID`` or a batch
    scheduler does. Returns the exit code, stdout and stderr."""
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    seen: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            seen.append(line)
            if line.strip().isdigit() and int(line) >= after:
                if sig == signal.SIGINT:
                    os.killpg(proc.pid, sig)
                else:
                    os.kill(proc.pid, sig)
                break
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert seen and int(seen[-1]) >= after, ("the sweep ended before the interrupt", seen, err)
    return proc.returncode, "".join(seen) + out, err


@pytest.mark.parametrize(
    ("workers", "after"),
    [("2", 0), ("2", 3), ("2", 8), ("1", 5)],
    ids=["processes-0-chunks", "processes-some-chunks", "processes-most-chunks", "in-process"],
)
def test_sigint_exits_130_and_resume_completes_the_sweep(
    tmp_path: Path, sigint_reference: tuple[Path, Path], workers: str, after: int
) -> None:
    spec, reference = sigint_reference
    db = tmp_path / "interrupted.duckdb"
    probe = spec.parent / "probe.py"
    code, out, err = interrupt_sweep(
        [
            sys.executable,
            str(probe),
            "sweep",
            str(spec),
            "--db",
            str(db),
            "-q",
            "--workers",
            workers,
        ],
        after,
    )
    assert code == 130, (out, err)
    assert err == INTERRUPTED + "\n", err  # one line: no worker traceback, no "Aborted!"
    assert all(line.isdigit() for line in out.split()), out
    # Whole chunks only; at least those reported, and not all of them.
    stored = assert_whole_chunks(db)
    assert after <= stored < SIGINT_CHUNKS
    if after == 0:
        assert stored == 0
    # --resume (on the other executor) completes it to the uninterrupted sweep, exactly.
    other = "1" if workers == "2" else "2"
    done = herz("sweep", str(spec), "--db", str(db), "--resume", "-q", "--workers", other)
    assert done.returncode == 0, done.stderr
    if stored:
        assert f"{stored * 100} were already stored" in done.stderr
    assert_same_sweep(db, reference)
    with open_results(db) as store:
        assert store.info(store.resolve()).completed


@pytest.mark.parametrize("workers", ["2", "1"], ids=["processes", "in-process"])
def test_sigterm_exits_143_and_resume_completes_the_sweep(
    tmp_path: Path, sigint_reference: tuple[Path, Path], workers: str
) -> None:
    """SIGTERM (``kill PID``, a batch scheduler's stop) to the parent alone is handled as
    Ctrl-C: whole chunks kept, one line, and ``--resume`` gives the uninterrupted sweep."""
    spec, reference = sigint_reference
    db = tmp_path / "terminated.duckdb"
    probe = spec.parent / "probe.py"
    args = [sys.executable, str(probe), "sweep", str(spec), "--db", str(db), "-q"]
    code, out, err = interrupt_sweep([*args, "--workers", workers], 3, sig=signal.SIGTERM)
    assert code == 143, (out, err)
    assert err == INTERRUPTED + "\n", err
    stored = assert_whole_chunks(db)
    assert 3 <= stored < SIGINT_CHUNKS
    done = herz("sweep", str(spec), "--db", str(db), "--resume", "-q")
    assert done.returncode == 0, done.stderr
    assert_same_sweep(db, reference)


def test_sigint_to_the_console_script_with_its_progress_bar(
    tmp_path: Path, sigint_reference: tuple[Path, Path]
) -> None:
    """The installed ``herz`` script, progress bar on: interrupted once the database exists."""
    script = Path(sys.executable).with_name("herz")
    if not script.is_file():
        pytest.skip("the herz console script is not installed beside this Python")
    spec, _ = sigint_reference
    db = tmp_path / "bar.duckdb"
    proc = subprocess.Popen(
        [str(script), "sweep", str(spec), "--db", str(db), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        import time

        deadline = time.monotonic() + TIMEOUT
        while not db.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
        assert proc.poll() is None, "the sweep ended before the interrupt"
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == 130, (out, err)
    assert "Traceback" not in err and "Traceback" not in out, (out, err)
    assert err.strip().splitlines()[-1] == INTERRUPTED, err
    assert_whole_chunks(db)


# -- kill -9 ----------------------------------------------------------------------------------
def _descendants(pid: int) -> set[int]:
    """The processes below ``pid`` (Linux /proc), children first."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_kill_9_of_the_parent_ends_its_local_workers(tmp_path: Path) -> None:
    """``kill -9`` of ``herz sweep`` mid-sweep: its worker processes, the fork server and the
    resource tracker all end within seconds (they stayed, orphaned, for good); the chunks
    stored are whole."""
    import time

    spec = write_spec(
        tmp_path,
        "hostile-kill",
        scenario="two-state",
        model="spiral",
        options={},
        runs=400,
        steps=50,
        chunk=50,
    )
    db = tmp_path / "killed.duckdb"
    probe = tmp_path / "probe.py"
    probe.write_text(_PROBE, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(probe), "sweep", str(spec), "--db", str(db), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    others: set[int] = set()
    try:
        assert proc.stdout is not None
        up: int | None = None  # chunks stored when the workers were first seen
        for line in proc.stdout:  # until the workers have stored a few chunks themselves
            if not line.strip().isdigit():
                continue
            if up is None and len(_descendants(proc.pid)) >= 4:
                up = int(line)
            if up is not None and int(line) >= up + 6:
                others = _descendants(proc.pid)
                break
        # the fork server, the resource tracker and two workers, the sweep still running
        assert len(others) >= 4 and proc.poll() is None, others
        proc.kill()  # SIGKILL to the parent alone: no clean-up of its own runs
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while any(_alive(p) for p in others) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = sorted(p for p in others if _alive(p))
        assert not left, f"processes left behind by the killed sweep: {left}"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert_whole_chunks(db)


# -- a damaged database -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def stored_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small finished sweep: its spec and its database."""
    folder = tmp_path_factory.mktemp("stored")
    spec = write_spec(folder, "hostile-store", runs=20, steps=30, chunk=20)
    db = folder / "good.duckdb"
    run_sweep(spec, db=db, workers=1)
    return spec, db


def _damage(good: bytes, how: str) -> bytes:
    if how == "empty":
        return b""
    if how == "truncated":
        return good[: len(good) // 3]
    if how == "overwritten":  # the headers kept, every block after them garbage
        rng = __import__("random").Random(14)
        return good[:12288] + rng.randbytes(len(good) - 12288)
    assert how == "text"
    return b"name,value\nnot,a database\n" * 100


@pytest.mark.parametrize("how", ["empty", "truncated", "overwritten", "text"])
def test_a_damaged_database_is_one_sentence_and_exit_2(
    tmp_path: Path, stored_sweep: tuple[Path, Path], how: str
) -> None:
    spec, good = stored_sweep
    db = tmp_path / f"{how}.duckdb"
    db.write_bytes(_damage(good.read_bytes(), how))
    before = digest(db)
    csv, png = tmp_path / "out.csv", tmp_path / "phase.png"
    commands = [
        ("results", str(db)),
        ("results", str(db), "--summary", "--csv", str(csv)),
        ("sweep", str(spec), "--db", str(db), "--resume", "-q", "--workers", "1"),
        (
            "plot",
            "phase",
            str(db),
            "--x",
            "world.offense_advantage",
            "--y",
            "world.distinguishability",
            "-o",
            str(png),
        ),
    ]
    # A reader and a writer can't share a file: the two reading commands run side by side,
    # then the others, one after the other.
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = list(pool.map(lambda args: herz(*args), commands[:2]))
    results = [*first, herz(*commands[2]), herz(*commands[3])]
    for args, done in zip(commands, results, strict=True):
        err = assert_one_sentence(done, 2, str(db))
        assert "damaged" in err or "not a DuckDB database" in err, (args, err)
        assert done.stdout == "", args
    assert digest(db) == before  # nothing was written into it
    assert not csv.exists() and not png.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [db.name]


# -- a full disk ------------------------------------------------------------------------------
@dataclass
class SmallDisk:
    """A folder with little room: a tmpfs of ``size`` bytes where one can be mounted, else an
    ordinary folder where the commands run under a file-size limit (RLIMIT_FSIZE, with SIGXFSZ
    ignored, so a write past it fails with EFBIG, "File too large")."""

    folder: Path
    size: int
    mounted: bool

    @property
    def reasons(self) -> tuple[str, ...]:
        return ("No space left on device",) if self.mounted else ("File too large",)

    def limits(self) -> dict[str, Any]:
        """Keyword arguments for subprocess: none on a tmpfs, else the file-size limit."""
        if self.mounted:
            return {}
        size = self.size

        def limit() -> None:
            import resource

            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

        return {"preexec_fn": limit}

    def grow(self) -> None:
        """Make room (a bigger tmpfs; without one, later commands run without the limit)."""
        if self.mounted:
            subprocess.run(
                ["mount", "-o", "remount,size=256m", str(self.folder)], check=True, timeout=30
            )
        self.size = 0


def _can_limit_file_size() -> bool:
    try:
        import resource

        return hasattr(resource, "RLIMIT_FSIZE") and hasattr(signal, "SIGXFSZ")
    except ImportError:  # pragma: no cover - not POSIX
        return False


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[int], SmallDisk]]:
    mounts: list[Path] = []

    def make(size: int) -> SmallDisk:
        folder = tmp_path / f"disk-{uuid.uuid4().hex[:8]}"
        folder.mkdir()
        mount = shutil.which("mount")
        # HERZ_TEST_NO_TMPFS=1 tries the file-size limit where a tmpfs could be mounted.
        may_mount = not os.environ.get("HERZ_TEST_NO_TMPFS")
        if may_mount and mount is not None and hasattr(os, "geteuid") and os.geteuid() == 0:
            done = subprocess.run(
                [mount, "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                capture_output=True,
                timeout=30,
                check=False,
            )
            if done.returncode == 0:
                mounts.append(folder)
                return SmallDisk(folder, size, mounted=True)
        if not _can_limit_file_size():
            pytest.skip("neither a tmpfs mount nor a file-size limit is possible here")
        return SmallDisk(folder, size, mounted=False)

    yield make
    for folder in mounts:
        with contextlib.suppress(Exception):
            subprocess.run(["umount", "-l", str(folder)], timeout=30, check=False)


def test_a_full_disk_during_a_sweep_keeps_every_stored_chunk(
    tmp_path: Path, small_disk: Callable[[int], SmallDisk]
) -> None:
    disk = small_disk(1_500_000)
    spec = write_spec(
        tmp_path,
        "hostile-full",
        keep="series",
        steps=20,
        runs=20,
        chunk=20,
        parameters={
            "world.offense_advantage": {"values": [0.0, 0.25, 0.5, 0.75, 1.0]},
            "world.distinguishability": {"range": {"start": 0, "stop": 1, "num": 6}},
        },
    )
    db = disk.folder / "full.duckdb"
    done = herz("sweep", str(spec), "--db", str(db), "-q", "--workers", "2", **disk.limits())
    err = assert_one_sentence(done, 2, str(db), "--resume")
    assert any(reason in err for reason in disk.reasons), err
    assert "rollback" not in err.lower() and "transaction" not in err.lower(), err
    stored = assert_whole_chunks(db)
    assert 1 <= stored < 30
    # Room again: --resume completes it to the sweep that never ran out of space.
    disk.grow()
    done = herz("sweep", str(spec), "--db", str(db), "--resume", "-q", "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert f"{stored * 20} were already stored" in done.stderr
    reference = tmp_path / "reference.duckdb"
    run_sweep(spec, db=reference, workers=1)
    assert_same_sweep(db, reference)


def test_a_full_disk_under_results_csv_writes_nothing(
    tmp_path: Path, stored_sweep: tuple[Path, Path], small_disk: Callable[[int], SmallDisk]
) -> None:
    _, db = stored_sweep
    disk = small_disk(32_768)
    csv = disk.folder / "runs.csv"
    before = digest(db)
    done = herz("results", str(db), "--csv", str(csv), **disk.limits())
    err = assert_one_sentence(done, 2, str(csv), "nothing was written")
    assert any(reason in err for reason in disk.reasons), err
    assert list(disk.folder.iterdir()) == []  # neither the file nor its temporary part
    assert digest(db) == before


# -- a database in use ------------------------------------------------------------------------
def test_a_database_in_use_by_another_process_is_one_sentence(
    tmp_path: Path, stored_sweep: tuple[Path, Path]
) -> None:
    spec, good = stored_sweep
    db = tmp_path / "busy.duckdb"
    shutil.copyfile(good, db)
    with held_open(db):
        other = write_spec(tmp_path, "another-sweep", runs=2, steps=5)
        runs = [
            herz("sweep", str(other), "--db", str(db), "-q", "--workers", "1"),
            herz("sweep", str(spec), "--db", str(db), "--resume", "-q", "--workers", "1"),
            herz("results", str(db)),
        ]
        for done in runs:
            assert_one_sentence(done, 2, str(db), "in use by another process", "--db")
    # Nothing was lost or added: the sweep is there, the other one is not.
    assert_same_sweep(db, good)
    with open_results(db) as store:
        assert store.sweeps()["name"].tolist() == ["hostile-store"]


# -- a lost cluster ---------------------------------------------------------------------------
def test_a_lost_dask_scheduler_is_one_sentence_and_resume_completes_the_sweep(
    tmp_path: Path,
) -> None:
    """The scheduler dies (as ``kill -9``) after a few chunks: one sentence naming the cluster
    and ``--resume``, exit 2, whole chunks kept (it was an "internal error" with Dask's
    reconnection traceback); ``--resume`` on local processes gives the uninterrupted result."""
    pytest.importorskip("distributed")
    spec = write_spec(tmp_path, "hostile-lost-cluster", steps=50, chunk=50)
    reference = tmp_path / "uninterrupted.duckdb"
    run_sweep(spec, db=reference, workers=1)
    db = tmp_path / "lost.duckdb"
    with dying_scheduler(after=4) as address:
        done = herz("sweep", str(spec), "--db", str(db), "--cluster", address, "-q")
    assert_one_sentence(done, 2, f"lost the Dask scheduler at {address}", "--resume")
    assert 0 < assert_whole_chunks(db) < 24
    done = herz("sweep", str(spec), "--db", str(db), "--resume", "--workers", "2", "-q")
    assert done.returncode == 0, done.stderr
    assert_same_sweep(db, reference)
