"""Executors: in-process, local processes (forkserver) and Dask, behind one protocol.

See :mod:`herz.experiment` for the promises every sweep keeps.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import itertools
import logging
import math
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from herz.errors import ClusterLostError, InputError

if TYPE_CHECKING:
    pass

from herz.experiment.chunk import ChunkResult, ChunkTask


# -- executors --------------------------------------------------------------------------------
class _Executor(Protocol):
    workers: int

    @property
    def name(self) -> str: ...

    def map_unordered(
        self, fn: Callable[[ChunkTask], ChunkResult], tasks: Iterable[ChunkTask]
    ) -> Iterator[ChunkResult]: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


class _SerialExecutor:
    """One worker: the chunks run in this process, one after the other."""

    name = "local (1 worker, in-process)"
    workers = 1

    def map_unordered(
        self, fn: Callable[[ChunkTask], ChunkResult], tasks: Iterable[ChunkTask]
    ) -> Iterator[ChunkResult]:
        for task in tasks:
            yield fn(task)

    def close(self) -> None:
        """Nothing to release."""

    def abort(self) -> None:
        """Nothing to stop."""


_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


@contextlib.contextmanager
def _single_threaded_children() -> Iterator[None]:
    """Child processes started inside get one BLAS/OpenMP thread (unless the user chose)."""
    saved = {k: os.environ.get(k) for k in _THREAD_VARIABLES}
    for k in _THREAD_VARIABLES:
        os.environ.setdefault(k, "1")
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Processes started inside ignore SIGINT (Ctrl-C) for good: an ignored signal stays
    ignored across fork and exec, and Python installs its KeyboardInterrupt handler only where
    SIGINT is not ignored. A fork server started so ignores it, and so do the workers it forks.

    Ctrl-C in a terminal signals the whole process group: workers and the fork server would
    each die with a KeyboardInterrupt traceback. The parent alone handles it (it stops the
    sweep between two chunks); its workers are stopped by it. Only the main thread can change
    a handler; elsewhere this does nothing.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        # None: a handler set outside Python, which cannot be put back; Python's own instead.
        signal.signal(
            signal.SIGINT, previous if previous is not None else signal.default_int_handler
        )


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold back a Ctrl-C (SIGINT) that arrives inside, and deliver it on leaving.

    For steps that must not be cut in the middle: starting a worker process (cut there, the
    worker is forked but never recorded, outlives the pool and fails noisily). Only the main
    thread receives signals and can change a handler; elsewhere, or where SIGINT is ignored or
    left to the system, this does nothing.
    """
    import signal
    import threading

    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(previous):
        yield
        return
    received: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            previous(signal.SIGINT, None)  # Python's own handler raises KeyboardInterrupt


def _ignore_sigint() -> None:
    """Worker initializer: ignore SIGINT (for workers not forked from a fork server started by
    :func:`_sigint_ignored`, e.g. spawned ones or those of a fork server started elsewhere)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _exit_with_parent() -> None:
    """Worker initializer's second half: end this worker when the sweep's parent process dies.

    A parent killed outright (``kill -9``, the OOM killer) runs no clean-up: its workers sat
    in ``call_queue.get()`` for good (each holds the queue's write end too, so no EOF comes),
    and with them the fork server (which lives while any worker holds its "alive" pipe) and
    the resource tracker, all orphaned. A daemon thread waits on the parent's sentinel (a
    pipe whose other end only the parent holds; multiprocessing gives one to every child) and
    exits the worker at once when it closes; the fork server and the tracker then see their
    last users gone and exit too. The chunk a worker was computing is dropped: with its parent
    dead nothing would store it, and ``--resume`` computes it again.
    """
    import multiprocessing
    import threading

    parent = multiprocessing.parent_process()
    sentinel = getattr(parent, "sentinel", None)
    if sentinel is None:
        return

    def watch() -> None:
        from multiprocessing.connection import wait

        wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="herz-exit-with-parent", daemon=True).start()


def _init_worker() -> None:
    """Initializer of every local worker: ignore Ctrl-C, and end with the parent."""
    _ignore_sigint()
    _exit_with_parent()


def _warm_up() -> int:
    """Import what a chunk needs, so that workers start before the first chunk arrives."""
    import pandas  # noqa: F401

    import herz.simulation  # noqa: F401

    return os.getpid()


#: Modules a worker needs for every chunk; the fork server imports them once, and every worker
#: forked from it starts with them loaded (instead of importing pandas & co. itself).
_WORKER_PRELOAD = ("numpy", "pandas", "herz.results", "herz.scenario", "herz.simulation")


def _worker_preload(model: str | None) -> list[str]:
    """The modules to preload in the fork server: the common ones and the model's module."""
    from herz.models import REGISTRY

    mods = ["herz.experiment", *_WORKER_PRELOAD]
    target = REGISTRY.get(model or "")
    if target:
        mods.append(target.partition(":")[0])
    return mods


def _worker_context(preload: Sequence[str]) -> Any:
    """The multiprocessing context for local workers: "forkserver" where the platform has it
    (preloading ``preload`` there), else "spawn". The global start method is never changed."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    from multiprocessing import forkserver

    ctx = multiprocessing.get_context("forkserver")
    # "__main__" (the default) imports the parent's main script once, there, rather than in
    # every worker. A fork server already running (one per process) keeps what it preloaded.
    ctx.set_forkserver_preload(["__main__", *preload])
    # Launch it now (without waiting for its imports), with one BLAS/OpenMP thread per worker
    # and SIGINT ignored: its children inherit both.
    with _single_threaded_children(), _sigint_ignored():
        forkserver.ensure_running()
    return ctx


class _ProcessExecutor:
    """Local worker processes (``concurrent.futures``; the "forkserver" context, else "spawn").

    The context is chosen explicitly (the global start method is never changed). A fork server
    is a fresh interpreter that imports what a chunk needs once (``preload``) and forks each
    worker from that clean state: workers start in milliseconds, import nothing, and hold no
    copy of the parent's database connection or threads. Where there is no fork server
    (Windows), "spawn" starts fresh interpreters. Either way the workers start in the
    background while the parent prepares the database and, until the fork server is ready,
    computes chunks itself. At most
    ``2 × workers`` chunks are in flight, which bounds memory and what a crash can lose.
    """

    def __init__(self, workers: int, preload: Sequence[str] = ()) -> None:
        import threading
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        self.name = f"local processes ({workers} workers)"
        # Workers get one BLAS/OpenMP thread each (as Dask's nanny does): the workers are the
        # parallelism, and N workers × M BLAS threads on N cores only contend. The variables
        # are set only while the fork server (or each spawned worker) starts.
        ctx = _worker_context(preload)
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_init_worker
        )
        self._starter: threading.Thread | None = None
        if ctx.get_start_method() == "forkserver":
            # Starting a worker waits for the fork server's imports: do it in a thread.
            self._starter = threading.Thread(
                target=self._start_workers, name="herz-start-workers", daemon=True
            )
            self._starter.start()
        else:
            with _single_threaded_children(), _sigint_ignored():
                self._start_workers()  # returns at once; each child imports on its own

    def _start_workers(self) -> None:
        for _ in range(self.workers):
            self._pool.submit(_warm_up)

    def _started(self) -> None:
        if self._starter is not None:
            self._starter.join()
            self._starter = None

    def map_unordered(
        self, fn: Callable[[ChunkTask], ChunkResult], tasks: Iterable[ChunkTask]
    ) -> Iterator[ChunkResult]:
        from concurrent.futures import FIRST_COMPLETED, Future, wait

        it = iter(tasks)
        # While the fork server imports what the workers need (most of a second), a core sits
        # idle: the parent computes chunks itself meanwhile, exactly as the 1-worker executor
        # does (same chunks, same streams, so the same results).
        while self._starter is not None and self._starter.is_alive():
            task = next(it, None)
            if task is None:
                break
            yield fn(task)
        self._started()
        pending: set[Future[ChunkResult]] = set()

        def submit(task: ChunkTask) -> None:
            with _sigint_deferred():  # submit() may start a worker process
                pending.add(self._pool.submit(fn, task))

        try:
            for task in itertools.islice(it, 2 * self.workers):
                submit(task)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    yield fut.result()
                for task in itertools.islice(it, len(done)):
                    submit(task)
        finally:
            for fut in pending:
                fut.cancel()

    def close(self) -> None:
        """Stop the worker processes."""
        self._started()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def abort(self) -> None:
        """Stop the worker processes now, dropping the chunks they are computing (after an
        interrupt or a failure in the parent: nothing they return would be stored)."""
        self._started()
        # SIGTERM: a worker ignores SIGINT, and dies of SIGTERM without a traceback. The pool's
        # manager thread sees them go and ends; shutdown then returns at once.
        processes = list((getattr(self._pool, "_processes", None) or {}).values())
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()
        self._pool.shutdown(wait=True, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(timeout=5)


class _DaskExecutor:
    """A Dask distributed cluster: an existing scheduler, or a ``LocalCluster`` we start.

    A scheduler lost mid-sweep (stopped, its machine or the network gone) is one
    :class:`~herz.errors.ClusterLostError` sentence, not Dask's "cancelled for reason:
    scheduler-connection-lost" and the client's reconnection traceback: the chunks stored so
    far are kept, and ``--resume`` completes the sweep.
    """

    def __init__(self, client: Any, cluster: Any | None, label: str, address: str) -> None:
        self._client = client
        self._cluster = cluster
        self._address = address
        self._lost = False
        info = client.scheduler_info()
        self.workers = max(1, sum(w.get("nthreads", 1) for w in info["workers"].values()))
        self.name = f"Dask {label} ({self.workers} worker threads)"

    def _connection_lost(self, exc: BaseException) -> bool:
        """Whether ``exc`` (from a chunk's future, or from submitting one) means the client has
        lost its scheduler, rather than a chunk that failed."""
        if getattr(exc, "reason", None) == "scheduler-connection-lost":
            return True
        status = str(getattr(self._client, "status", "running"))
        comm_closed = importlib.import_module("distributed.comm").CommClosedError
        return status != "running" or isinstance(exc, comm_closed)

    def _lost_error(self) -> ClusterLostError:
        self._lost = True
        where = "--cluster" if self._cluster is None else "--dask-local"
        return ClusterLostError(
            f"{where}: lost the Dask scheduler at {self._address} in the middle of the sweep; "
            "the chunks stored so far are kept: run the same command again with --resume "
            "(on this or any executor) to complete it.",
            field=where,
            value=self._address,
        )

    def map_unordered(
        self, fn: Callable[[ChunkTask], ChunkResult], tasks: Iterable[ChunkTask]
    ) -> Iterator[ChunkResult]:
        as_completed = importlib.import_module("distributed").as_completed

        it = iter(tasks)
        queue: Any = None
        logging.getLogger("distributed.client").addFilter(self._quiet_when_lost)
        try:
            first = [
                self._client.submit(fn, t, pure=False)
                for t in itertools.islice(it, 2 * self.workers)
            ]
            if not first:
                return
            queue = as_completed(first, loop=self._client.loop)
            for fut in queue:
                result: ChunkResult = fut.result()
                fut.release()
                yield result
                nxt = next(it, None)
                if nxt is not None:
                    queue.add(self._client.submit(fn, nxt, pure=False))
        except (Exception, asyncio.CancelledError) as exc:
            if self._connection_lost(exc):
                raise self._lost_error() from None
            raise
        finally:
            if queue is not None and not self._lost:
                for fut in list(queue.futures):
                    fut.cancel()

    def close(self) -> None:
        """Close the client, and the cluster if we started it."""
        try:
            self._client.close()
            if self._cluster is not None:
                self._cluster.close()
        finally:
            logging.getLogger("distributed.client").removeFilter(self._quiet_when_lost)

    def abort(self) -> None:
        """Close at once (the chunks in flight were cancelled by :meth:`map_unordered`)."""
        self.close()

    def _quiet_when_lost(self, record: logging.LogRecord) -> bool:
        """A filter on Dask's client log, from the start of the sweep to :meth:`close`: once
        the scheduler is lost, the client's own reports (its reconnection attempt, its
        traceback when closed mid-attempt) say nothing the one sentence does not."""
        return not self._lost and str(getattr(self._client, "status", "running")) == "running"


def _dask_client(
    cluster: str | None, dask_local: int | None, timeout: float, method: str = "spawn"
) -> _DaskExecutor:
    try:
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise InputError(
            "Dask is not installed: pip install 'herz[dist]' to use --cluster or --dask-local."
        ) from None
    if cluster is not None:
        try:
            client = distributed.Client(cluster, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"--cluster: cannot reach the Dask scheduler at {cluster} "
                f"within {timeout:g} s ({type(exc).__name__}).",
                field="--cluster",
                value=cluster,
            ) from None
        return _DaskExecutor(client, None, f"cluster {cluster}", cluster)
    assert dask_local is not None
    dask: Any = importlib.import_module("dask")
    # A cluster of our own runs our chunks only, so two of the nanny's defaults that cost
    # compute time can go: the statistical profiler that samples each worker's stack every
    # 10 ms, and MALLOC_TRIM_THRESHOLD_=65536, which makes glibc hand freed memory back to the
    # system at once, so NumPy's short-lived arrays keep faulting pages in again (about 7% of
    # a chunk's time). Chunks are small and bounded, so nothing needs trimming or spilling.
    environ = {
        k: v
        for k, v in (dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {}).items()
        if k != "MALLOC_TRIM_THRESHOLD_"
    }
    settings: dict[str, Any] = {
        "distributed.worker.profile.enabled": False,
        "distributed.nanny.pre-spawn-environ": environ,
    }
    # Workers forked from a fork server that has imported Dask, pandas and herz once (launched
    # by _start_executor) start in a fraction of the time of fresh interpreters.
    settings["distributed.worker.multiprocessing-method"] = method
    with dask.config.set(settings):
        local = distributed.LocalCluster(
            n_workers=dask_local,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            # A cluster we start and stop ourselves: its workers' shutdown chatter (heartbeats
            # racing the closing scheduler) is noise; task failures still reach us as
            # exceptions.
            silence_logs=logging.CRITICAL,
        )
    client = distributed.Client(local, set_as_default=False)
    return _DaskExecutor(
        client,
        local,
        f"LocalCluster on 127.0.0.1, {dask_local} processes",
        str(local.scheduler_address),
    )


#: A Dask scheduler address: ``HOST:PORT``, or with a scheme (``tcp://``, ``tls://``); the host
#: a name, an IPv4 address or a bracketed IPv6 one.
_ADDRESS = re.compile(
    r"^(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)"
    r":(?P<port>[0-9]{1,5})/?$"
)
#: The schemes a --cluster address may have (Dask's TCP transports).
_SCHEMES = ("tcp", "tls")


def _check_address(cluster: str) -> None:
    """``cluster`` is a scheduler address Dask can dial (``HOST:PORT`` or ``tcp://HOST:PORT``,
    port 1–65535), or one InputError sentence: a malformed one otherwise failed only after
    the client had tried (and hung for seconds closing itself)."""
    match = _ADDRESS.match(cluster) if isinstance(cluster, str) else None
    scheme = match.group("scheme") if match else None
    if (
        match is None
        or (scheme is not None and scheme.lower() not in _SCHEMES)
        or not 1 <= int(match.group("port")) <= 65535
    ):
        raise InputError(
            "--cluster: expected a scheduler address such as tcp://HOST:8786 or HOST:8786 "
            f"(tcp:// or tls://, port 1-65535), got {cluster!r}.",
            field="--cluster",
            value=cluster,
        )


def _check_timeout(timeout: float) -> None:
    """``--connect-timeout`` is a finite number of seconds above 0 (Dask fails on NaN or
    infinity with an error of its own, and a negative one can never be met)."""
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise InputError(
            f"--connect-timeout must be a finite number of seconds above 0, got {timeout!r}.",
            field="--connect-timeout",
            value=timeout,
        )


def _check_executor(
    cluster: str | None, dask_local: int | None, connect_timeout: float = 5.0
) -> None:
    """The executor options that can be checked without starting anything."""
    if cluster is not None and dask_local is not None:
        raise InputError("give either --cluster or --dask-local, not both.", field="--cluster")
    if dask_local is not None and (isinstance(dask_local, bool) or dask_local < 1):
        raise InputError(
            f"--dask-local must be ≥ 1 worker, got {dask_local}.",
            field="--dask-local",
            value=dask_local,
        )
    if cluster is not None:
        _check_address(cluster)
    _check_timeout(connect_timeout)


def _start_executor(
    workers: int | None,
    cluster: str | None,
    dask_local: int | None,
    timeout: float,
    preload: Sequence[str] = (),
) -> _StartingExecutor:
    """Start the executor the options ask for, without waiting for it (see _StartingExecutor).

    Anything that changes this process's environment (launching the fork server with one
    BLAS thread per worker) happens here, in the caller's thread.
    """
    import importlib.util

    _check_executor(cluster, dask_local, timeout)
    if cluster is not None:
        return _StartingExecutor(lambda: _dask_client(cluster, None, timeout))
    if dask_local is not None:
        method = "spawn"
        if importlib.util.find_spec("distributed") is not None:
            method = _worker_context(["distributed", *preload]).get_start_method()
        return _StartingExecutor(lambda: _dask_client(None, dask_local, timeout, method))
    n = workers if workers is not None else (os.cpu_count() or 1)
    if n == 1:
        return _StartingExecutor(_SerialExecutor, background=False)
    return _StartingExecutor(lambda: _ProcessExecutor(n, preload), background=False)


class _StartingExecutor:
    """An executor being started: a Dask cluster in a background thread (local worker
    processes start in the background by themselves, so they are built at once).

    :meth:`result` waits for it (and raises what starting it raised, e.g. an unreachable
    cluster); :meth:`abandon` waits and stops it.
    """

    def __init__(self, start: Callable[[], _Executor], *, background: bool = True) -> None:
        import threading

        self._executor: _Executor | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(start,), name="herz-start-executor", daemon=True
        )
        if background:
            self._thread.start()
        else:  # already quick (local workers start in the background by themselves)
            self._run(start)

    def _join(self) -> None:
        if self._thread.is_alive() or self._thread.ident is not None:
            self._thread.join()

    def _run(self, start: Callable[[], _Executor]) -> None:
        try:
            self._executor = start()
        except BaseException as exc:  # re-raised in the caller's thread by result()
            self._error = exc

    def ready(self) -> bool:
        """Whether starting has finished (successfully or not)."""
        return not self._thread.is_alive()

    def result(self) -> _Executor:
        """The started executor."""
        self._join()
        if self._error is not None:
            raise self._error
        assert self._executor is not None
        return self._executor

    def abandon(self, *, abort: bool = False) -> None:
        """Stop the executor (once started), ignoring any error starting it; with ``abort``,
        dropping the chunks in flight."""
        self._join()
        if self._executor is not None:
            if abort:
                self._executor.abort()
            else:
                self._executor.close()


class _ParentWhileStarting:
    """An executor still starting (a LocalCluster): until it is up, chunks run in this process,
    exactly as on the 1-worker executor (same chunks, same streams, so the same results);
    then the rest go to it. ``workers`` is what it will have."""

    def __init__(self, starting: _StartingExecutor, workers: int) -> None:
        self._starting = starting
        self.workers = workers

    @property
    def name(self) -> str:
        """The started executor's name."""
        return self._starting.result().name

    def map_unordered(
        self, fn: Callable[[ChunkTask], ChunkResult], tasks: Iterable[ChunkTask]
    ) -> Iterator[ChunkResult]:
        it = iter(tasks)
        while not self._starting.ready():
            task = next(it, None)
            if task is None:
                return
            yield fn(task)
        yield from self._starting.result().map_unordered(fn, it)

    def close(self) -> None:
        """Stop the executor (waiting for it to finish starting)."""
        self._starting.abandon()

    def abort(self) -> None:
        """Stop the executor now (once it has started), dropping the chunks in flight."""
        self._starting.abandon(abort=True)
