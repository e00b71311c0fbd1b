"""The ``calibrate`` command: a model's free parameters fitted to the record of an era by ABC.

Thin: it parses the flags and calls :func:`herz.calibration.calibrate`, which a notebook user
calls the same way. Heavy imports (pyabc, pandas) stay inside the command.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from herz.errors import InputError

__all__ = ["format_table", "register"]


@contextlib.contextmanager
def _flag_for_years(years: str | None) -> Iterator[None]:
    """The API's ``years`` is the training window: ``--years`` when given, else the ERA."""
    from herz.cli._app import with_flag

    try:
        yield
    except InputError as exc:
        raise with_flag(exc, {"years": "ERA" if years is None else "--years"}) from None


def _parse_parameters(items: list[str] | None) -> Any:
    """``NAME`` (a default prior) or ``NAME=LOW:HIGH`` per item; None for the defaults."""
    if not items:
        return None
    from herz.calibration.abc import Prior

    named: list[str] = []
    ranged: dict[str, Prior] = {}
    for text in items:
        name, sep, rng = text.partition("=")
        name = name.strip()
        if not name:
            raise InputError(f"--param: expected NAME or NAME=LOW:HIGH, got {text!r}.")
        if name in named or name in ranged:  # the last one silently won
            raise InputError(
                f"--param: {name} is given twice; give each parameter once.",
                field="--param",
                value=text,
            )
        if not sep:
            named.append(name)
            continue
        low_text, colon, high_text = rng.partition(":")
        try:
            low, high = float(low_text), float(high_text)
        except ValueError:
            low = high = math.nan
        if not colon or not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise InputError(
                f"--param: expected NAME=LOW:HIGH with finite LOW < HIGH, got {text!r}.",
                field="--param",
                value=text,
            )
        ranged[name] = Prior(low, high, "given on the command line")
    if named and ranged:
        from herz.calibration.abc import DEFAULT_PRIORS

        for name in named:
            prior = DEFAULT_PRIORS.get("spiral", {}).get(name)
            if prior is None:
                raise InputError(
                    f"--param: {name!r} has no default prior; give NAME=LOW:HIGH.",
                    field="--param",
                    value=name,
                )
            ranged[name] = prior
        return ranged
    return ranged if ranged else named


def format_table(table: Any) -> str:
    """The posterior table as aligned text (parameter, mean, sd, 90% interval, prior 90%
    width, ratio)."""
    head = (
        f"{'parameter':<26} {'mean':>9} {'sd':>9} {'90% interval':>21} "
        f"{'prior 90% width':>16} {'ratio':>6}"
    )
    lines = [head]
    for name, r in table.iterrows():
        interval = f"[{r['lo']:.4g}, {r['hi']:.4g}]"
        lines.append(
            f"{name!s:<26} {r['mean']:>9.4g} {r['sd']:>9.4g} {interval:>21} "
            f"{r['prior_width']:>16.4g} {r['ratio']:>6.2f}"
        )
    return "\n".join(lines)


def calibrate_cmd(
    model: str = typer.Argument(..., help="The model (spiral)."),
    era: str = typer.Argument(
        ..., help="The era whose record is matched, A:B (e.g. 1816:1899), or 'history'."
    ),
    targets: str = typer.Option(
        "mid,war,alliance,milex_growth",
        "--targets",
        help="Comma-separated moments to match: mid, war, alliance, milex_growth.",
    ),
    years: str | None = typer.Option(
        None, "--years", help="Training window A:B (default: the era)."
    ),
    horizon: int = typer.Option(
        5, "--horizon", help="H: years each world runs, and the years between origins."
    ),
    param: list[str] = typer.Option(
        None,
        "--param",
        "-p",
        help="A parameter to calibrate: NAME (default prior) or NAME=LOW:HIGH (repeatable; "
        "default: the model's five).",
    ),
    method: str = typer.Option(
        "rejection",
        "--method",
        help="rejection: a reference table of prior draws, the nearest kept and "
        "regression-adjusted (checked by SBC at this size); smc: pyabc's ABC-SMC.",
    ),
    simulations: int = typer.Option(
        10_000, "--simulations", help="rejection: rows of the reference table."
    ),
    accept: float = typer.Option(
        0.02, "--accept", help="rejection: the share of the table kept (0 < a <= 1)."
    ),
    table: Path | None = typer.Option(
        None,
        "--table",
        help="rejection: keep the reference table in this .npz file, reuse it if it exists "
        "with the same settings, and resume it after an interruption.",
    ),
    sbc: int = typer.Option(
        0,
        "--sbc",
        help="rejection: also check the calibration on N synthetic records made by the model "
        "at known parameters (simulation-based calibration from the same table).",
    ),
    population: int = typer.Option(200, "--population", help="smc: particles per generation."),
    generations: int = typer.Option(6, "--generations", help="smc: generations (at most)."),
    seed: int = typer.Option(0, "--seed", help="Calibration seed (all streams derive from it)."),
    workers: int | None = typer.Option(
        None, "--workers", help="Local worker processes (default: all cores)."
    ),
    cluster: str | None = typer.Option(
        None, "--cluster", help="Run on a Dask scheduler, e.g. tcp://HOST:8786."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the posterior JSON here."),
    as_json: bool = typer.Option(
        False, "--json", help="Print the posterior table and provenance as JSON, nothing else."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Fit a model's free parameters to moments of the historical record by ABC.

    The worlds are the major powers as known at each origin of the era (every --horizon
    years); the moments are MID, war and alliance-formation onsets per major-power dyad-year
    and the mean growth of military spending (docs/calibration.md). Prints the posterior
    table: mean, sd, 90% interval, the prior's 90% width and the ratio of the two.
    """
    names = [t.strip() for t in targets.split(",") if t.strip()]
    from herz.calibration.moments import TARGETS

    for t in names:
        if t not in TARGETS:
            raise InputError(
                f"--targets: unknown target {t!r}; expected some of {', '.join(TARGETS)}.",
                field="--targets",
                value=targets,
            )
    if not names:
        raise InputError("--targets: give at least one target.", field="--targets")
    if method not in ("rejection", "smc"):
        raise InputError(
            f"--method: unknown method {method!r}; expected rejection or smc.",
            field="--method",
            value=method,
        )
    if not (0 < accept <= 1):
        raise InputError(
            f"--accept: must be in (0, 1], got {accept}.", field="--accept", value=accept
        )
    if sbc and method != "rejection":
        raise InputError(
            "--sbc: the simulation-based check runs with --method rejection.",
            field="--sbc",
            value=sbc,
        )
    for flag, value, least in (
        ("--sbc", sbc, 0),
        ("--simulations", simulations, 10),
        ("--population", population, 2),
        ("--generations", generations, 1),
        ("--horizon", horizon, 1),
        ("--seed", seed, 0),
    ):
        if value < least:
            raise InputError(
                f"{flag}: must be at least {least}, got {value}.", field=flag, value=value
            )
    if workers is not None and workers < 1:
        raise InputError(f"--workers: must be at least 1, got {workers}.", field="--workers")
    if out is not None:
        from herz.cli.sweep import _check_target

        _check_target(out, "--out")
    if table is not None and method == "rejection":
        if table.exists():
            from herz.calibration.rejection import ReferenceTable

            ReferenceTable.load(table)  # a file that is not a table: say so before simulating
        elif not table.parent.is_dir():
            raise InputError(
                f"--table: the directory {table.parent} does not exist.",
                field="--table",
                value=str(table),
            )
    if era != "history" and ":" not in era:
        raise InputError(
            f"ERA: {era!r} is not an era A:B (e.g. 1816:1899) or 'history'; calibration reads "
            "moments of the historical record over a window of years.",
            field="ERA",
            value=era,
        )
    parameters = _parse_parameters(param)

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from herz.calibration import calibrate, posterior_table

    client: Any = None
    if cluster is not None:
        import importlib

        try:
            distributed: Any = importlib.import_module("distributed")
        except ImportError:
            raise InputError(
                "--cluster: Dask is not installed: pip install 'herz[dist]'.", field="--cluster"
            ) from None
        try:
            client = distributed.Client(cluster, timeout=10, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(
                f"--cluster: cannot reach the Dask scheduler at {cluster} ({exc}).",
                field="--cluster",
                value=cluster,
            ) from None
    from rich.console import Console

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),  # stdout is for the table or the JSON alone
        disable=quiet,
        transient=True,
    )
    tasks: dict[int, Any] = {}

    def progress(t: int, done: int, n: int) -> None:
        if t not in tasks:
            if method == "rejection":
                label = "reference table" if t == 0 else "SBC records"
            else:
                label = "distance scale" if t < 0 else f"generation {t + 1}/{generations}"
            tasks[t] = bar.add_task(label, total=n)
        bar.update(tasks[t], completed=done)

    try:
        with bar, _flag_for_years(years):
            posterior = calibrate(
                model,
                era,
                targets=names,
                years=years,
                horizon=horizon,
                parameters=parameters,
                population=population,
                generations=generations,
                seed=seed,
                workers=workers,
                client=client,
                progress=progress,
                method=method,
                simulations=simulations,
                accept=accept,
                table=table,
                sbc=sbc,
            )
    finally:
        if client is not None:
            client.close()
    ptable = posterior_table(posterior)
    if out is not None:
        posterior.save(out)
    meta = posterior.meta
    if as_json:
        doc = {
            "model": posterior.model,
            "table": ptable.reset_index().to_dict(orient="records"),
            "meta": meta,
            "out": str(out) if out is not None else None,
        }
        typer.echo(json.dumps(doc, indent=2, default=str))
        return
    abc = meta.get("abc", {})
    where = (
        f"{posterior.model} calibrated to {meta.get('era')} ({len(meta.get('origins', []))} "
        f"origins, horizon {meta.get('horizon')})"
    )
    if method == "rejection":
        how = (
            f"rejection ABC, {abc.get('kept')} of {abc.get('table_rows')} simulations kept "
            f"(ε {abc.get('epsilon', float('nan')):.3g}), regression-adjusted"
        )
    else:
        how = (
            f"ABC-SMC, {abc.get('generations_run')} generations of {abc.get('population')} "
            f"particles, {abc.get('simulations')} simulations, final ε "
            f"{(abc.get('epsilons') or [float('nan')])[-1]:.3g}"
        )
    typer.echo(f"{where}: {how}, seed {meta.get('seed')}, {meta.get('elapsed_s')} s")
    obs = ", ".join(f"{k} = {v['observed']:.4g}" for k, v in meta.get("targets", {}).items())
    typer.echo(f"observed: {obs}")
    typer.echo(format_table(ptable))
    typer.echo("ratio: 90% posterior width / 90% prior width (identified: <= 0.5)")
    check = meta.get("sbc")
    if check:
        typer.echo(format_sbc(check))
    for citation in meta.get("sources") or []:
        typer.echo(f"Source: {citation}")
    if out is not None:
        typer.echo(f"wrote {out}", err=True)


def format_sbc(check: dict[str, Any]) -> str:
    """The simulation-based check's verdicts as aligned text."""
    lines = [
        f"simulation-based calibration: {check['datasets']} synthetic records from the same "
        f"table (seed {check['seed']}), ranks among {check['draws']} draws in {check['bins']} "
        "bins",
        f"{'parameter':<26} {'chi2':>7} {'p':>8} {'in 90%':>7} {'ratio':>6}  verdict",
    ]
    for name, v in check["parameters"].items():
        uniform = "uniform" if v["uniform"] else "NOT uniform"
        ident = "identified" if v["identified"] else "not identified"
        lines.append(
            f"{name:<26} {v['chi2']:>7.1f} {v['p_value']:>8.3g} {v['coverage90']:>7.0%} "
            f"{v['mean_width_ratio']:>6.2f}  {uniform}, {ident}"
        )
    lines.append(
        "uniform: ranks consistent with a calibrated posterior (chi-square, 1% level); ratio: "
        "mean 90% width / prior's"
    )
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    """Add ``calibrate`` to ``app``."""
    app.command("calibrate")(calibrate_cmd)
