"""Experiment commands: ``sweep``, ``results`` and ``plot phase`` / ``plot sensitivity``.

Thin: each command calls :mod:`herz.experiment`, :mod:`herz.store`, :mod:`herz.analysis` or
:mod:`herz.plots.experiments`, which a notebook user calls the same way. Heavy imports stay
inside the commands.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from herz.cli._app import EXIT_INTERRUPTED
from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from herz.experiment import Progress

__all__ = ["INTERRUPTED_SWEEP", "register"]

#: What ``herz sweep`` says on Ctrl-C (SIGINT), before it exits with code 130.
INTERRUPTED_SWEEP = "interrupted; run again with --resume"


class _ProgressBar:
    """A rich progress display (points and runs, with ETA) on stderr, started lazily."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._points: Any = None
        self._runs: Any = None

    def __call__(self, p: Progress) -> None:
        if not self.enabled:
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description:>7}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("eta"),
                TimeRemainingColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._bar.start()
            self._points = self._bar.add_task("points", total=p.points_total)
            self._runs = self._bar.add_task("runs", total=p.runs_total)
        self._bar.update(self._points, completed=p.points_done)
        self._bar.update(self._runs, completed=p.runs_done)

    def stop(self) -> None:
        if self._bar is not None:
            bar, self._bar = self._bar, None
            bar.stop()


@contextlib.contextmanager
def sweep_progress(quiet: bool) -> Iterator[_ProgressBar]:
    """A progress bar for a sweep, and the Ctrl-C contract of every sweeping command.

    On Ctrl-C (SIGINT) ``run_sweep`` has stored whole chunks only and stopped the workers; the
    command then says so in one line (:data:`INTERRUPTED_SWEEP`) and exits with code 130.
    """
    bar = _ProgressBar(enabled=not quiet)
    try:
        yield bar
    except KeyboardInterrupt:
        bar.stop()
        typer.echo(INTERRUPTED_SWEEP, err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        bar.stop()


def sweep_cmd(
    spec: str = typer.Argument(..., help="A built-in sweep (e.g. jervis-worlds) or a spec YAML."),
    db: Path | None = typer.Option(
        None, "--db", help="DuckDB file for the results (default: OUT/NAME.duckdb)."
    ),
    out: Path = typer.Option(Path("results"), "--out", help="Folder of the default --db."),
    resume: bool = typer.Option(
        False, "--resume", help="Complete a sweep already in --db: skip what is stored."
    ),
    cluster: str | None = typer.Option(
        None, "--cluster", help="Run on a Dask scheduler, e.g. tcp://HOST:8786."
    ),
    dask_local: int | None = typer.Option(
        None, "--dask-local", help="Start a Dask LocalCluster with N worker processes."
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="Local worker processes (default: all cores)."
    ),
    runs: int | None = typer.Option(None, "--runs", help="Runs per point (replaces the spec's)."),
    steps: int | None = typer.Option(None, "--steps", help="Steps per run (replaces the spec's)."),
    chunk: int | None = typer.Option(None, "--chunk", help="Runs per chunk (default: automatic)."),
    connect_timeout: float = typer.Option(
        5.0, "--connect-timeout", help="Seconds to wait for the --cluster scheduler."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Run a parameter sweep into a DuckDB file (resumable; local processes or Dask).

    Results are identical on any executor, worker count and chunk size: run i of point p draws
    from SeedSequence(seed, spawn_key=(p, i)) only.
    """
    if workers is not None and (cluster is not None or dask_local is not None):
        raise InputError(
            "--workers is for local processes; with --cluster or --dask-local the Dask "
            "workers do the work.",
            field="--workers",
            value=workers,
        )
    with sweep_progress(quiet) as bar:
        from herz.experiment import run_sweep

        report = run_sweep(
            spec,
            db=db,
            out=out,
            resume=resume,
            workers=workers,
            cluster=cluster,
            dask_local=dask_local,
            runs=runs,
            steps=steps,
            chunk=chunk,
            progress=bar,
            connect_timeout=connect_timeout,
        )
    skipped = f", {report.runs_skipped} were already stored" if report.runs_skipped else ""
    typer.echo(
        f"sweep {report.name!r}: {report.points} points × {report.runs_total // report.points} "
        f"runs; computed {report.runs_computed} runs{skipped} in {report.seconds:.1f} s "
        f"({report.runs_per_second:,.0f} runs/s) on {report.executor}; seed {report.seed}; "
        f"stored in {report.db}",
        err=True,
    )


def _warn_if_incomplete(db: Path, sweep: str | None) -> None:
    """Say on stderr when the sweep read is incomplete (interrupted, or still to be resumed):
    a table or figure of part of a design looks like the whole of it, with points missing or
    holding fewer runs. Nothing when the file cannot be read: the command itself says why."""
    from herz.store import open_results

    try:
        with open_results(db) as store:
            sweep_id = store.resolve(sweep)
            info = store.info(sweep_id)
            if info.completed:
                return
            stored = sum(store.point_run_counts(sweep_id).values())
    except InputError:
        return
    total = info.n_points * info.runs_per_point
    if stored >= total:
        return
    typer.echo(
        f"warning: sweep {info.name!r} in {db} is incomplete: {stored:,} of {total:,} runs "
        "stored; what follows covers those only (complete it with herz sweep SPEC --db "
        f"{db} --resume).",
        err=True,
    )


def _frame(db: Path, sweep: str | None, summary: bool) -> pd.DataFrame:
    from herz.analysis import sweep_summary
    from herz.store import open_results

    if summary:
        return sweep_summary(db, sweep)
    with open_results(db) as store:
        return store.runs(store.resolve(sweep))


def _check_target(path: Path, flag: str) -> None:
    if path.exists() and path.is_dir():
        raise InputError(f"{flag}: {path} is a folder, not a file.", field=flag, value=str(path))
    if not path.resolve().parent.is_dir():
        raise InputError(
            f"{flag}: the folder of {path} does not exist.", field=flag, value=str(path)
        )


def results_cmd(
    db: Path = typer.Argument(..., help="A sweep database written by `herz sweep`."),
    sweep: str | None = typer.Option(
        None, "--sweep", help="Which sweep (if the file has several)."
    ),
    summary: bool = typer.Option(
        False, "--summary", help="One row per point (P(war) with Wilson interval, ...)."
    ),
    csv: Path | None = typer.Option(None, "--csv", help="Write the table as CSV."),
    parquet: Path | None = typer.Option(None, "--parquet", help="Write the table as Parquet."),
) -> None:
    """Export a sweep's results: one row per run (parameters, run, outcomes), or --summary.

    Without --csv or --parquet the table goes to standard output as CSV.
    """
    for target, flag in ((csv, "--csv"), (parquet, "--parquet")):
        if target is not None:
            _check_target(target, flag)
    _warn_if_incomplete(db, sweep)
    frame = _frame(db, sweep, summary)
    if csv is None and parquet is None:
        _to_stdout(frame)
        return
    from herz.results import _AtomicWrite

    if csv is not None:
        with _writing(csv, "--csv"), _AtomicWrite(csv) as tmp:
            frame.to_csv(tmp, index=False)
        typer.echo(f"wrote {csv} ({len(frame)} rows)", err=True)
    if parquet is not None:
        with _writing(parquet, "--parquet"), _AtomicWrite(parquet) as tmp:
            frame.to_parquet(tmp, index=False)
        typer.echo(f"wrote {parquet} ({len(frame)} rows)", err=True)


@contextlib.contextmanager
def _writing(target: Path, flag: str) -> Iterator[None]:
    """A failed write (a full disk, no permission) is one sentence naming ``target``; the
    temporary file is gone (:class:`herz.results._AtomicWrite`) and ``target`` is untouched."""
    from herz.store import full_disk_reason

    try:
        yield
    except OSError as exc:
        reason = full_disk_reason(exc) or exc.strerror or type(exc).__name__
        raise InputError(
            f"{flag}: cannot write {target}: {reason}; nothing was written.",
            field=flag,
            value=str(target),
        ) from exc


def _to_stdout(frame: pd.DataFrame) -> None:
    """The table as CSV on standard output: a reader that stops early (``| head``) ends it
    quietly; a full disk behind a redirection is one sentence."""
    import os

    try:
        frame.to_csv(sys.stdout, index=False)
        sys.stdout.flush()
    except OSError as exc:
        # What is still buffered cannot be written either: send it nowhere, so that Python's
        # own flush at exit does not fail again with a message of its own.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        if isinstance(exc, BrokenPipeError):
            return
        from herz.store import full_disk_reason

        reason = full_disk_reason(exc) or exc.strerror or type(exc).__name__
        raise InputError(
            f"cannot write the table to standard output: {reason}.", value=reason
        ) from exc


def _save(fig: Any, out: Path) -> None:
    import matplotlib.pyplot as plt

    from herz.results import _AtomicWrite

    suffix = out.suffix.lower().lstrip(".") or "png"
    try:
        with _writing(out, "-o"), _AtomicWrite(out) as tmp:
            fig.savefig(tmp, dpi=150, format=suffix)
    finally:
        plt.close(fig)
    typer.echo(f"wrote {out}", err=True)


def _check_figure(out: Path) -> None:
    _check_target(out, "-o")
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise InputError(f"-o: {out} must end in .png, .svg or .pdf.", field="-o", value=str(out))


def plot_phase_cmd(
    db: Path = typer.Argument(..., help="A sweep database written by `herz sweep`."),
    x: str = typer.Option(..., "--x", help="Parameter on the x axis (a dotted path)."),
    y: str = typer.Option(..., "--y", help="Parameter on the y axis (a dotted path)."),
    z: str = typer.Option("p_war", "--z", help="Summary measure to colour (p_war, ...)."),
    out: Path = typer.Option(Path("phase.png"), "-o", "--output", help="Figure file."),
    sweep: str | None = typer.Option(None, "--sweep", help="Which sweep (if several)."),
    title: str | None = typer.Option(None, "--title", help="Figure title."),
) -> None:
    """Phase diagram: a heat map of a summary measure over two parameters."""
    from herz.analysis import sweep_summary
    from herz.plots.experiments import plot_phase

    _check_figure(out)
    _warn_if_incomplete(db, sweep)
    summary = sweep_summary(db, sweep)
    _save(plot_phase(summary, x, y, z, title=title), out)


def plot_sensitivity_cmd(
    db: Path = typer.Argument(..., help="A sweep database with a saltelli design."),
    output: str = typer.Option("p_war", "--z", "--output-measure", help="Summary measure."),
    out: Path = typer.Option(Path("sensitivity.png"), "-o", "--output", help="Figure file."),
    sweep: str | None = typer.Option(None, "--sweep", help="Which sweep (if several)."),
    title: str | None = typer.Option(None, "--title", help="Figure title."),
) -> None:
    """Sobol' sensitivity bars (first-order and total) of a summary measure."""
    from herz.analysis import sweep_sensitivity
    from herz.plots.experiments import plot_sensitivity

    _check_figure(out)
    _warn_if_incomplete(db, sweep)
    indices = sweep_sensitivity(db, output, sweep)
    _save(plot_sensitivity(indices, title=title), out)
    for row in indices.itertuples(index=False):
        typer.echo(
            f"{row.parameter}: S1 = {row.S1:.3f} ± {row.S1_conf:.3f}, "
            f"ST = {row.ST:.3f} ± {row.ST_conf:.3f}"
        )


def register(app: typer.Typer) -> None:
    """Add ``sweep``, ``results`` and the ``plot`` sub-app to ``app``."""
    from herz.cli._app import new_app

    app.command("sweep")(sweep_cmd)
    app.command("results")(results_cmd)
    plot = new_app("Figures of stored sweeps: phase diagrams and sensitivity bars.")
    plot.command("phase")(plot_phase_cmd)
    plot.command("sensitivity")(plot_sensitivity_cmd)
    app.add_typer(plot, name="plot")
