"""The ``sensitivity`` command: Sobol' indices of an outcome through a stored ``saltelli`` sweep.

Thin: it parses the flags and calls :func:`herz.sensitivity.run_sensitivity`, which a notebook
user calls the same way. Heavy imports stay inside the command.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import typer

from herz.errors import InputError

__all__ = ["parse_param", "register"]


def parse_param(text: str) -> tuple[str, tuple[float, float]]:
    """``PATH=LOW:HIGH`` (e.g. ``spiral.war_cost=0.05:0.3``) as ``(path, (low, high))``.

    Raises
    ------
    InputError
        Naming ``--param`` for a missing ``=`` or ``:``, a bound that is not a finite number,
        or ``LOW >= HIGH``.
    """
    path, sep, rng = text.partition("=")
    low_text, colon, high_text = rng.partition(":")
    path = path.strip()
    if not sep or not colon or not path:
        raise InputError(
            f"--param: expected PATH=LOW:HIGH (e.g. spiral.war_cost=0.05:0.3), got {text!r}.",
            field="--param",
            value=text,
        )
    try:
        low, high = float(low_text), float(high_text)
    except ValueError:
        raise InputError(
            f"--param {path}: LOW and HIGH must be numbers, got {rng!r}.",
            field="--param",
            value=text,
        ) from None
    if not (math.isfinite(low) and math.isfinite(high)):
        raise InputError(
            f"--param {path}: LOW and HIGH must be finite, got {rng!r}.",
            field="--param",
            value=text,
        )
    if not low < high:
        raise InputError(
            f"--param {path}: LOW ({low:g}) must be below HIGH ({high:g}).",
            field="--param",
            value=text,
        )
    return path, (low, high)


def sensitivity_cmd(
    scenario: str = typer.Argument(..., help="A built-in scenario or a scenario YAML."),
    param: list[str] = typer.Option(
        None,
        "--param",
        "-p",
        help="A parameter and its uniform range: PATH=LOW:HIGH (repeatable).",
    ),
    outcome: str = typer.Option("war", "--outcome", help="Outcome to analyse (war: P(war))."),
    n: int = typer.Option(
        64,
        "--n",
        help="Base rows N: N·(k+2) points (a power of 2 keeps the Sobol' sequence balanced).",
    ),
    runs: int = typer.Option(200, "--runs", help="Runs per point."),
    steps: int | None = typer.Option(None, "--steps", help="Steps per run (default: scenario)."),
    seed: int | None = typer.Option(None, "--seed", help="Root seed (default: fresh, recorded)."),
    model: str = typer.Option("spiral", "--model", "-m", help="The model."),
    set_: list[str] = typer.Option(
        None, "--set", help="Fix a scenario value at every point: PATH=VALUE (repeatable)."
    ),
    name: str | None = typer.Option(
        None, "--name", help="Sweep name (default: sensitivity-SCENARIO-OUTCOME)."
    ),
    out: Path = typer.Option(Path("results"), "--out", help="Folder of the default --db."),
    db: Path | None = typer.Option(
        None, "--db", help="DuckDB file for the sweep (default: OUT/NAME.duckdb)."
    ),
    resume: bool = typer.Option(
        False, "--resume", help="Complete the sweep already in --db: skip what is stored."
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="Local worker processes (default: all cores)."
    ),
    csv: Path | None = typer.Option(None, "--csv", help="Write the indices as CSV."),
    figure: Path | None = typer.Option(
        None, "--figure", "-o", help="Write bars of S1 and ST (.png, .svg or .pdf)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Sobol' indices (first order and total) of an outcome's mean over parameter ranges.

    Runs a stored, resumable sweep on Saltelli's (2010) design (N·(k+2) points, R runs each)
    and prints S1 and ST per parameter with bootstrap 95% intervals, and the share of the
    output variance that is Monte Carlo noise (ST below it cannot be told from noise).
    """
    from herz.cli.sweep import _check_figure, _check_target, sweep_progress

    if not param:
        raise InputError(
            "--param: give at least one parameter range, e.g. --param spiral.war_cost=0.05:0.3.",
            field="--param",
        )
    ranges: dict[str, tuple[float, float]] = {}
    for text in param:
        path, bounds = parse_param(text)
        if path in ranges:
            raise InputError(f"--param {path}: given twice.", field="--param", value=text)
        ranges[path] = bounds
    overrides: dict[str, Any] = {}
    if set_:
        from herz.scenario import parse_override

        for text in set_:
            path, value = parse_override(text)
            overrides[path] = value
    if csv is not None:
        _check_target(csv, "--csv")
    if figure is not None:
        _check_figure(figure)
    from herz.sensitivity import _check_base_rows

    _check_base_rows(n, "--n")
    with sweep_progress(quiet) as bar:
        from herz.sensitivity import run_sensitivity

        result = run_sensitivity(
            scenario,
            ranges,
            outcome=outcome,
            n=n,
            runs=runs,
            steps=steps,
            seed=seed,
            model=model,
            overrides=overrides,
            name=name,
            db=db,
            out=out,
            resume=resume,
            workers=workers,
            progress=bar,
        )
    report = result.report
    assert report is not None
    typer.echo(
        f"sweep {report.name!r}: {report.points} points (N = {result.n_base}) × {result.runs} "
        f"runs; computed {report.runs_computed} runs in {report.seconds:.1f} s on "
        f"{report.executor}; seed {report.seed}; stored in {report.db}",
        err=True,
    )
    typer.echo(f"Sobol' indices of {result.measure} ({result.outcome}), 95% bootstrap intervals:")
    for row in result.indices.sort_values("ST", ascending=False).itertuples(index=False):
        typer.echo(
            f"{row.parameter}: S1 = {row.S1:.3f} [{row.S1_low:.3f}, {row.S1_high:.3f}], "
            f"ST = {row.ST:.3f} [{row.ST_low:.3f}, {row.ST_high:.3f}]"
        )
    typer.echo(
        f"Monte Carlo noise: {result.noise_share:.3f} of the output variance (standard error "
        f"of a point's mean {result.standard_error:.3f}); each ST is inflated and each S1 "
        "deflated by about that share."
    )
    if csv is not None:
        from herz.cli.sweep import _writing
        from herz.results import _AtomicWrite

        with _writing(csv, "--csv"), _AtomicWrite(csv) as tmp:
            result.indices.to_csv(tmp, index=False)
        typer.echo(f"wrote {csv}", err=True)
    if figure is not None:
        from herz.cli.sweep import _save
        from herz.plots.experiments import plot_sensitivity

        title = f"Sobol' indices of {result.measure}, {scenario}"
        _save(plot_sensitivity(result.indices, title=title), figure)


def register(app: typer.Typer) -> None:
    """Add ``sensitivity`` to ``app``."""
    app.command("sensitivity")(sensitivity_cmd)
