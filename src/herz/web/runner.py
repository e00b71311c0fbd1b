"""Runs for the web app: a bounded pool of worker processes, a wait queue and recent results.

Why processes: a run is CPU-bound NumPy work that cannot be interrupted from another thread. Each
run works in its own short-lived process (forked from a warm ``forkserver`` that has NumPy, pandas
and the models imported, so a start costs milliseconds), which is killed when the time limit
passes; its memory goes back to the system when it ends. At most ``workers`` such processes live
at once; up to ``queue`` more runs wait; beyond that :meth:`RunManager.submit` raises
:class:`BusyError` (HTTP 503).

A run's process builds the dashboard's payload and serializes it to JSON itself, once: the server
receives bytes (at most ``max_result_mb``; a larger result fails the run and is never kept) and
sends those very bytes to every ``GET /api/runs/{id}``, without decoding or re-encoding them.
Finished runs stay in a least-recently-used table bounded by the total size of their results
(``keep_results_mb``) and by their number (``keep_results``).

A run's process loads the model class the server resolved from the registry (its
``"module:Class"`` target), shows a progress bar when the model declares ``reports_progress``,
and reports how the run ended by cause: a result, bad input (HTTP 422), a limit (time, memory;
422) or an internal error in the model (HTTP 500, with the traceback sent to the server's log
only).

Everything here uses threads and events rather than the server's event loop, so it behaves the
same under uvicorn and under test clients that start a loop per request.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
import traceback
import uuid
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any, Literal

from herz.errors import InputError
from herz.web.errors import INTERNAL_ERROR, BusyError, model_failure_detail
from herz.web.limits import Limits

__all__ = ["BusyError", "RunJob", "RunManager"]

log = logging.getLogger("herz.web")

Status = Literal["queued", "running", "done", "failed"]

#: Modules the forkserver imports once, so that each run's process starts warm. ``__main__``
#: (multiprocessing's own default) lets each child skip re-running the main script. The models'
#: modules are added from the registry (:func:`_preload`).
_PRELOAD_BASE = [
    "__main__",
    "numpy",
    "pandas",
    "scipy.linalg",
    "herz.scenario",
    "herz.results",
    "herz.simulation",
    "herz.models",
    "herz.web.payload",
]

#: Why a run failed: the model rejected its input, a server limit stopped it (time, memory), or
#: the model broke (a :class:`~herz.errors.ModelError` or an unexpected exception).
Failure = Literal["input", "limit", "internal"]
_FAILURES: dict[str, Failure] = {"input": "input", "limit": "limit"}


#: How many recent successful runs of a model the duration guess is fitted to.
_DURATIONS_KEPT = 20


def fit_duration(seen: Iterable[tuple[int, float]]) -> tuple[float, float]:
    """A guess at a run's duration, seconds = overhead + per_cell × cells, fitted by least
    squares to recent (cells, seconds) of one model, both coefficients ≥ 0.

    With runs of one size only (or durations that do not grow with the size) the guess is their
    mean duration. The overhead of a run's process (starting it, the payload) is a few tenths
    of a second, more than many small runs' work: a fixed 0.05 s overhead, as the guess had
    before, made a tiny first run's per-cell rate 50 times too high, and a 4,000-cell run that
    took 0.6 s was announced at 300 s.
    """
    pts = list(seen)
    if not pts:
        return 0.0, 0.0
    n = len(pts)
    mx = sum(c for c, _ in pts) / n
    my = sum(s for _, s in pts) / n
    sxx = sum((c - mx) ** 2 for c, _ in pts)
    if sxx <= 0.0:
        return my, 0.0
    slope = sum((c - mx) * (s - my) for c, s in pts) / sxx
    if slope <= 0.0:
        return my, 0.0
    overhead = my - slope * mx
    if overhead < 0.0:  # through the origin instead
        return 0.0, sum(c * s for c, s in pts) / sum(c * c for c, _ in pts)
    return overhead, slope


def _preload() -> list[str]:
    """:data:`_PRELOAD_BASE` and the module of every model in :data:`herz.models.REGISTRY`
    that exists (the forkserver skips one that fails to import)."""
    import importlib.util

    from herz.models import REGISTRY

    modules = list(_PRELOAD_BASE)
    for target in REGISTRY.values():
        module = target.partition(":")[0]
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if found and module not in modules:
            modules.append(module)
    return modules


@dataclass
class RunJob:
    """One run request and what became of it."""

    id: str
    scenario: str
    model: str
    target: str
    runs: int
    steps: int
    seed: int
    states: int
    overrides: dict[str, Any]
    options: dict[str, Any]
    document: dict[str, Any]
    status: Status = "queued"
    detail: str | None = None
    failure: Failure | None = None
    result_json: bytes | None = None
    created: float = field(default_factory=time.monotonic)
    started: float | None = None
    finished: float | None = None
    expected_s: float | None = None
    progress: float | None = None
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def cells(self) -> int:
        """``runs × (steps + 1) × states``: the size of the run."""
        return self.runs * (self.steps + 1) * self.states

    @property
    def result_bytes(self) -> int:
        """Size of the serialized result (0 without one)."""
        return 0 if self.result_json is None else len(self.result_json)

    @property
    def elapsed_s(self) -> float:
        """Seconds the run has been working (0 while it waits)."""
        if self.started is None:
            return 0.0
        end = self.finished if self.finished is not None else time.monotonic()
        return end - self.started


def _child(conn: Connection, spec: dict[str, Any]) -> None:
    """The body of a run's process: simulate, reduce to the dashboard's payload, send it back.

    Sends ``("progress", fraction)`` while a model that reports progress works, then one of
    ``("ok", size)`` followed by the payload's JSON as one message of ``size`` bytes,
    ``("input", sentence)`` for bad input (an :class:`InputError` from the model), ``("limit",
    sentence)`` when the run ran out of memory or its result is over ``max_result_bytes``, or
    ``("internal", traceback)`` for a :class:`~herz.errors.ModelError` or any unexpected
    exception: the server logs the traceback and tells the client only that the model failed.
    """
    try:
        memory_mb = int(spec.get("memory_mb", 0))
        if memory_mb > 0:
            try:
                import resource

                limit = memory_mb * 1024 * 1024
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            except (ImportError, ValueError, OSError):  # pragma: no cover - not on this OS
                pass
        from herz.models import REGISTRY, get_model
        from herz.scenario import Scenario
        from herz.simulation import simulate
        from herz.web.payload import build_payload, encode_payload

        name = spec["model"]
        if spec.get("target") and REGISTRY.get(name) != spec["target"]:
            # Run the model class the server resolved (also one it registered at run time);
            # this process runs this one model and ends.
            REGISTRY[name] = spec["target"]
        progress: Callable[[int, int], None] | None = None
        if get_model(name).reports_progress:
            last = [0.0]

            def report(done: int, total: int) -> None:
                now = time.monotonic()
                if now - last[0] >= 0.1 or done == total:
                    last[0] = now
                    conn.send(("progress", done / max(total, 1)))

            progress = report
        scenario = Scenario.from_dict(spec["document"], source=spec["scenario"])
        result = simulate(
            scenario,
            name,
            steps=spec["steps"],
            runs=spec["runs"],
            seed=spec["seed"],
            keep="series",
            progress=progress,
            **spec["options"],
        )
        limit = int(spec["max_result_bytes"])
        payload = build_payload(
            result,
            max_points=spec["max_points"],
            max_rows=spec["max_table_rows"],
            max_bytes=limit,
        )
        del result
        data = encode_payload(payload)
        del payload
        if len(data) > limit:
            conn.send(
                (
                    "limit",
                    f"the result of this run is {len(data) / 2**20:,.1f} MB, over this server's "
                    f"limit of {limit / 2**20:,.1f} MB per result; ask for fewer states, "
                    "alliances or steps.",
                )
            )
            return
        conn.send(("ok", len(data)))
        conn.send_bytes(data)
    except InputError as exc:
        conn.send(("input", str(exc)))
    except MemoryError:
        conn.send(("limit", "the run ran out of memory; ask for fewer runs or steps."))
    except Exception:
        conn.send(("internal", traceback.format_exc()))
    finally:
        conn.close()


def _context() -> Any:
    """The multiprocessing context for runs: a warm forkserver where the OS has one."""
    methods = multiprocessing.get_all_start_methods()
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(_preload())
        return ctx
    return multiprocessing.get_context("spawn")  # pragma: no cover - Windows


class RunManager:
    """Queue, run and remember runs within :class:`~herz.web.limits.Limits`."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, RunJob] = OrderedDict()
        self._kept_bytes = 0  # serialized results of the finished runs in _jobs
        self._pending = 0  # queued or running
        self._running = 0
        self._procs: dict[str, Any] = {}
        self._seen: dict[str, deque[tuple[int, float]]] = {}  # model -> recent (cells, s)
        self._pool = ThreadPoolExecutor(max_workers=limits.workers, thread_name_prefix="herz-run")
        self._ctx = _context()
        self._closed = False

    # -- bookkeeping ----------------------------------------------------------------------
    @property
    def busy(self) -> dict[str, int]:
        """How many runs work now and how many wait; how many finished runs are kept, and the
        total size of their results in bytes."""
        with self._lock:
            return {
                "running": self._running,
                "queued": self._pending - self._running,
                "kept": len(self._jobs) - self._pending,
                "kept_bytes": self._kept_bytes,
            }

    def position(self, job: RunJob) -> int | None:
        """How many queued runs are ahead of ``job`` (``None`` once it is running)."""
        if job.status != "queued":
            return None
        with self._lock:
            ahead = [j for j in self._jobs.values() if j.status == "queued" and j.id != job.id]
            return sum(1 for j in ahead if j.created < job.created)

    def get(self, job_id: str) -> RunJob | None:
        """The run with this id, if it is still remembered (refreshes its place in the LRU)."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is not None:
                self._jobs.move_to_end(job_id)
            return job

    def _evict(self) -> None:
        """Forget the least recently used finished runs until both the count and the bytes of
        the kept results are within the limits (the newest result is always kept)."""
        finished = [k for k, j in self._jobs.items() if j.finished is not None]
        count = len(finished)
        for k in finished[:-1]:
            if count <= self.limits.keep_results and (
                self._kept_bytes <= self.limits.keep_results_bytes
            ):
                break
            job = self._jobs.pop(k)
            self._kept_bytes -= job.result_bytes
            count -= 1

    def _expected(self, model: str, cells: int) -> float | None:
        seen = self._seen.get(model)
        if not seen:
            return None
        overhead, per_cell = fit_duration(seen)
        return overhead + per_cell * cells

    def _learn(self, job: RunJob) -> None:
        self._seen.setdefault(job.model, deque(maxlen=_DURATIONS_KEPT)).append(
            (job.cells, job.elapsed_s)
        )

    # -- running ----------------------------------------------------------------------------
    def new_job(self, **fields: Any) -> RunJob:
        """A job with a fresh unguessable id (not yet submitted)."""
        return RunJob(id=uuid.uuid4().hex, **fields)

    def submit(self, job: RunJob) -> RunJob:
        """Queue ``job``; raise :class:`BusyError` when the workers and the queue are all taken."""
        with self._lock:
            if self._closed or self._pending >= self.limits.workers + self.limits.queue:
                raise BusyError()
            self._pending += 1
            job.expected_s = self._expected(job.model, job.cells)
            self._jobs[job.id] = job
            self._evict()
        self._pool.submit(self._work, job)
        return job

    def _work(self, job: RunJob) -> None:
        with self._lock:
            self._running += 1
            job.status = "running"
            job.started = time.monotonic()
        try:
            kind, value = self._execute(job)
        except Exception:  # pragma: no cover - defensive: never leave a job hanging
            log.error("run %s: could not be run:\n%s", job.id, traceback.format_exc())
            kind, value = "server", INTERNAL_ERROR
        if kind == "internal":
            # The traceback goes to the server's log only; the client learns which model broke.
            log.error("run %s: internal error in model %r:\n%s", job.id, job.model, value)
            value = model_failure_detail(job.model)
        with self._lock:
            job.finished = time.monotonic()
            if kind == "ok":
                job.status = "done"
                job.result_json = value
                self._kept_bytes += len(value)
                self._learn(job)
            else:
                job.status = "failed"
                job.failure = _FAILURES.get(kind, "internal")
                job.detail = str(value)
            if job.id in self._jobs:
                self._jobs.move_to_end(job.id)  # just used: the last to be forgotten
            job.document = {}
            self._running -= 1
            self._pending -= 1
            self._evict()
        job.done.set()

    def _execute(self, job: RunJob) -> tuple[str, Any]:
        spec = {
            "id": job.id,
            "scenario": job.scenario,
            "document": job.document,
            "model": job.model,
            "target": job.target,
            "runs": job.runs,
            "steps": job.steps,
            "seed": job.seed,
            "options": job.options,
            "max_points": self.limits.max_points,
            "max_table_rows": self.limits.max_table_rows,
            "max_result_bytes": self.limits.max_result_bytes,
            "memory_mb": self.limits.memory_mb,
        }
        receiver, sender = self._ctx.Pipe(duplex=False)
        proc = self._ctx.Process(target=_child, args=(sender, spec), daemon=True)
        proc.start()
        sender.close()
        with self._lock:
            self._procs[job.id] = proc
        deadline = time.monotonic() + self.limits.time_limit_s
        try:
            while receiver.poll(max(deadline - time.monotonic(), 0.0)):
                try:
                    kind, value = receiver.recv()
                    if kind == "ok":
                        return "ok", self._receive_result(receiver, int(value), deadline)
                except (EOFError, OSError):
                    return "limit", (
                        "the run's process ended without a result (out of memory?); ask for "
                        "fewer runs or steps."
                    )
                if kind == "progress":
                    job.progress = float(value)
                    if time.monotonic() < deadline:
                        continue
                    break
                return str(kind), value
            return "limit", (
                f"the run did not finish within this server's time limit of "
                f"{self.limits.time_limit_s:g} s; ask for fewer runs or steps."
            )
        finally:
            receiver.close()
            if proc.is_alive():
                proc.kill()
            proc.join(5)
            with self._lock:
                self._procs.pop(job.id, None)

    def _receive_result(self, receiver: Connection, size: int, deadline: float) -> bytes:
        """The result's JSON, read as one message of at most ``max_result_bytes`` (a message
        that is longer, late or cut off raises ``OSError``/``EOFError``: the run failed)."""
        if size > self.limits.max_result_bytes or not receiver.poll(
            max(deadline - time.monotonic(), 0.0) + 5.0
        ):
            raise OSError("the result did not arrive")
        return receiver.recv_bytes(self.limits.max_result_bytes)

    def warm_up(self) -> None:
        """Start the forkserver in the background so that the first run starts fast."""

        def start() -> None:
            try:
                proc = self._ctx.Process(target=_noop, daemon=True)
                proc.start()
                proc.join(60)
            except Exception:  # pragma: no cover - warm-up is only an optimisation
                log.debug("warm-up failed:\n%s", traceback.format_exc())

        threading.Thread(target=start, name="herz-warm-up", daemon=True).start()

    def close(self) -> None:
        """Stop accepting runs and kill the ones working (server shutdown)."""
        with self._lock:
            self._closed = True
            procs = list(self._procs.values())
        for proc in procs:
            if proc.is_alive():
                proc.kill()
        self._pool.shutdown(wait=False, cancel_futures=True)


def _noop() -> None:
    """Nothing: the target of the warm-up process."""
