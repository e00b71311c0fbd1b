"""The ``backtest`` command: forecast conflict among the major powers out of sample, and score it.

Thin: it parses the flags and calls :func:`herz.history.backtest.run_backtest`, which a notebook
user calls the same way. Without MODEL it scores the three baselines (climatology, persistence,
a peace-years logit); with MODEL (``spiral``) it also runs the model from each test origin's
known-at world (:func:`herz.forecast.forecast_panel`) and scores its forecast beside them.
pandas, statsmodels and the herz modules are imported inside the command so that
``herz --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from herz.cli._app import with_flag
from herz.errors import InputError

if TYPE_CHECKING:
    from herz.calibration import Posterior
    from herz.forecast import ModelForecast
    from herz.history.backtest import BacktestResult, Panel

__all__ = ["backtest_cmd", "register"]

_FLAGS = {
    "train": "--train",
    "test": "--test",
    "horizon": "--horizon",
    "target": "--target",
    "n_boot": "--bootstrap",
    "seed": "--seed",
    "posterior": "--posterior",
    "draws": "--draws",
    "runs_per_draw": "--runs-per-draw",
    "workers": "--workers",
    "model": "MODEL",
    "persistence_years": "--persistence-years",
}

#: ``--posterior defaults``: the scenario's default parameters (the uncalibrated model).
DEFAULTS = "defaults"

#: The files ``--out`` receives.
OUT_FILES = ("table.csv", "reliability.csv", "forecasts.csv", "backtest.json", "report.html")


@contextmanager
def _as_flags() -> Iterator[None]:
    """Rename the API's field names to the CLI's flags in :class:`InputError` messages."""
    try:
        yield
    except InputError as exc:
        raise with_flag(exc, _FLAGS) from None


def _targets(text: str | None) -> tuple[str, ...]:
    from herz.history.backtest import TARGETS

    if text is None:
        return tuple(TARGETS)
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    for p in parts or (text,):
        if p not in TARGETS:
            raise InputError(
                f"--target: unknown target {p!r}; expected mid, mid4 or war "
                "(or several, comma-separated).",
                field="target",
                value=text,
            )
    if len(set(parts)) != len(parts):
        raise InputError(f"--target: {text} names a target twice.", field="target", value=text)
    return parts


def _check_out(out: Path) -> None:
    from herz.results import check_folder_writable

    check_folder_writable(out, "--out")  # first: it also checks the names' lengths
    if out.exists() and not out.is_dir():
        raise InputError(f"--out: {out} exists and is not a folder.", field="--out", value=str(out))


def _write_out(result: BacktestResult, out: Path) -> None:
    """Write every file into a temporary folder first, then move them into ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent))
    mask = os.umask(0)
    os.umask(mask)
    staging.chmod(0o777 & ~mask)  # a folder as mkdir would make it, not mkdtemp's 0700
    try:
        result.table().to_csv(staging / "table.csv", index=False)
        result.reliability().to_csv(staging / "reliability.csv", index=False)
        result.forecasts.to_csv(staging / "forecasts.csv", index=False)
        (staging / "backtest.json").write_text(result.to_json() + "\n", encoding="utf-8")
        result.write_report(staging / "report.html")
        if not out.exists():
            os.replace(staging, out)
            return
        for name in OUT_FILES:
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _print_table(result: BacktestResult) -> None:
    from rich.console import Console
    from rich.table import Table

    from herz.history.backtest import SCORES, format_interval

    panel = result.panel
    title = (
        f"herz backtest: train {panel.train_years[0]}:{panel.train_years[1]} (origins "
        f"{panel.train_origins[0]}-{panel.train_origins[1]}), test {panel.test_years[0]}:"
        f"{panel.test_years[1]}, horizon {result.horizon} years"
    )
    table = Table(title=title, caption_justify="left")
    for col in ("forecaster", "target", "windows", "events"):
        table.add_column(col, justify="right" if col in ("windows", "events") else "left")
    for col in ("Brier", "BSS", "log loss", "AUC"):
        table.add_column(f"{col} [{result.level:.0%}]")
    last = None
    for row in result.table().to_dict(orient="records"):
        if last is not None and row["target"] != last:
            table.add_section()
        last = row["target"]
        table.add_row(
            str(row["forecaster"]),
            str(row["target"]),
            str(row["windows"]),
            str(row["events"]),
            *(format_interval(row, s) for s in SCORES),
        )
    con = Console(highlight=False, soft_wrap=False, width=140)
    con.print(table)
    train = panel.train
    counts = ", ".join(f"{t} {int(train[t].sum())} ({train[t].mean():.3f})" for t in result.targets)
    con.print(f"Training panel: {len(train)} dyad-windows; events (base rate): {counts}.")
    con.print(
        f"Intervals: moving-block bootstrap over forecast years, {result.n_boot} replicates, "
        f"blocks of {result.block} years, seed {result.seed}. Brier and log loss: lower is "
        "better; BSS against climatology; AUC 0.5 = no discrimination."
    )
    n_years = result.panel.test_years[1] - result.panel.test_years[0] + 1
    if result.n_boot and result.block >= n_years:
        # one block spans the whole test window: every resample is the test set itself
        con.print(
            f"note: the test window's {n_years} years make a single block of "
            f"{result.block}, so every bootstrap resample is the test set itself and the "
            "intervals have no width; a test window of several horizons gives intervals."
        )
    for target, fitted in result.baselines.items():
        for note in fitted["logit"]["notes"]:
            con.print(f"note: logit ({target}): {note}")
    for name, info in result.about.items():
        con.print(
            f"{name}: posterior {info['posterior']}; {info['draws']} draws x "
            f"{info['runs_per_draw']} run(s) = {info['runs_per_origin']} runs per origin from "
            f"the world known at each origin (NMC and ATOP of Y-1), seed {info['seed']}; "
            f"forecast (k + 1/2)/(n + 1); {len(info['origins'])} origins in "
            f"{info['seconds']:.1f} s."
        )
        for note in info["notes"]:
            con.print(f"note: {name}: {note}")
    if result.about:
        cells: dict[tuple[str, str], list[str]] = {}
        for r in result.reliability().to_dict(orient="records"):
            if r["forecaster"] in result.about and r["n"] > 0:
                cells.setdefault((str(r["forecaster"]), str(r["target"])), []).append(
                    f"{r['lower']:.1f}-{r['upper']:.1f}: {r['n']} windows, forecast "
                    f"{r['mean_forecast']:.3f}, observed {r['observed']:.3f}"
                )
        for (model, target), parts in cells.items():
            con.print(f"reliability ({model}, {target}): " + "; ".join(parts) + ".")
    con.print("Sources:")
    for source in panel.sources:
        con.print(f"  {source}")


def _load_posterior(path: Path) -> Posterior:
    from herz.calibration import Posterior

    post = Posterior.load(path)
    return Posterior(
        post.model, post.parameters, post.particles, post.weights, {**post.meta, "path": str(path)}
    )


def _model_forecast(
    model: str,
    panel: Panel,
    *,
    posterior: Path | None,
    draws: int | None,
    runs_per_draw: int | None,
    workers: int | None,
    seed: int,
) -> ModelForecast:
    """The model's forecast on the test panel, with a progress bar on a terminal's stderr."""
    from rich.console import Console

    from herz.forecast import DEFAULT_DRAWS, default_posterior, defaults_posterior, forecast_panel

    if posterior is None:
        post = default_posterior(model, panel.train_years)
    elif str(posterior) == DEFAULTS:
        post = defaults_posterior(model)
    else:
        post = _load_posterior(posterior)
    err = Console(stderr=True)
    with contextlib.ExitStack() as stack:
        progress = None
        if err.is_terminal:  # a bar on stderr, never on stdout
            from rich.progress import Progress

            bar = stack.enter_context(Progress(console=err, transient=True))
            task = bar.add_task(f"{model}: forecast origins", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

        return forecast_panel(
            panel,
            model=model,
            posterior=post,
            draws=DEFAULT_DRAWS if draws is None else draws,
            runs_per_draw=1 if runs_per_draw is None else runs_per_draw,
            seed=seed,
            workers=1 if workers is None else workers,
            progress=progress,
        )


def backtest_cmd(
    model: str | None = typer.Argument(
        None,
        help="A model whose forecast to score beside the baselines: spiral (omit for the "
        "baselines only).",
    ),
    train: str = typer.Option("1816:1899", "--train", help="Training years A:B (inclusive)."),
    test: str = typer.Option("1900:1913", "--test", help="Test origins C:D (inclusive)."),
    horizon: int = typer.Option(5, "--horizon", help="Window length H in years: [Y, Y+H)."),
    target: str | None = typer.Option(
        None, "--target", help="mid, mid4 or war, or several comma-separated (default: all)."
    ),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap replicates (0: none)."),
    seed: int | None = typer.Option(
        None,
        "--seed",
        help="Seed of the bootstrap and of the model's draws and runs (default: fresh, "
        "recorded in the output).",
    ),
    posterior: Path | None = typer.Option(
        None,
        "--posterior",
        help="MODEL's posterior (JSON from herz calibrate), trained before the test years, or "
        "'defaults' for the scenario's default parameters (uncalibrated). Default: the "
        "posterior herz ships for the training years if there is one, else 'defaults' (said).",
    ),
    draws: int | None = typer.Option(
        None, "--draws", help="Parameter sets drawn from the posterior per origin (default 1000)."
    ),
    runs_per_draw: int | None = typer.Option(
        None, "--runs-per-draw", help="Runs of each parameter set (default 1)."
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="Local processes over the origins (default 1; same results)."
    ),
    persistence_years: int = typer.Option(
        5,
        "--persistence-years",
        help="Window of recent_dispute, the covariate of persistence: a MID in the pair in the "
        "last this many years (ours: 5; docs/backtest.md measures 3 and 10).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON only."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help="Folder for table.csv, reliability.csv, forecasts.csv, backtest.json, report.html.",
    ),
) -> None:
    """Forecast MIDs and wars among the major powers out of sample; score against history.

    Fits climatology, persistence and a peace-years logit (Carter & Signorino 2010) on the
    training years, forecasts every major-power dyad-window [Y, Y+H) of the test years, and
    prints Brier, Brier skill, log loss and AUC with moving-block bootstrap intervals. With
    MODEL (spiral), the model is also run from the world known at each test origin, with
    parameters drawn from a posterior, and its crisis and war frequencies are scored too.
    """
    from herz.forecast import FORECAST_MODELS

    if model is not None and model not in FORECAST_MODELS:
        raise InputError(
            f"MODEL: herz backtest forecasts with {', '.join(FORECAST_MODELS)} only (the model "
            f"that records crises and wars by dyad), got {model!r}.",
            field="MODEL",
            value=model,
        )
    if model is None:
        given = {
            "--posterior": posterior,
            "--draws": draws,
            "--runs-per-draw": runs_per_draw,
            "--workers": workers,
        }
        for flag, value in given.items():
            if value is not None:
                raise InputError(
                    f"{flag}: applies to a model's forecast; name the model, as in "
                    f"'herz backtest spiral {flag} {value}'.",
                    field=flag,
                    value=str(value),
                )
    if out is not None:
        _check_out(out)
    from herz.history.backtest import build_panel, run_backtest

    with _as_flags():
        targets = _targets(target)
        if model is None:
            result = run_backtest(
                train,
                test,
                horizon,
                targets=targets,
                n_boot=bootstrap,
                seed=seed,
                persistence_years=persistence_years,
            )
        else:
            from herz.simulation import new_seed

            for name, value in (
                ("draws", draws),
                ("runs_per_draw", runs_per_draw),
                ("workers", workers),
            ):
                if value is not None and value < 1:
                    raise InputError(
                        f"{name}: must be a whole number >= 1, got {value}.",
                        field=name,
                        value=value,
                    )
            if seed is not None and seed < 0:
                raise InputError(
                    f"seed: must be a whole number >= 0, got {seed}.", field="seed", value=seed
                )
            if bootstrap < 0:
                raise InputError(
                    f"n_boot: the number of bootstrap replicates must be >= 0, got {bootstrap}.",
                    field="n_boot",
                    value=bootstrap,
                )
            root = new_seed() if seed is None else seed
            panel = build_panel(
                train, test, horizon, targets=targets, persistence_years=persistence_years
            )
            forecast = _model_forecast(
                model,
                panel,
                posterior=posterior,
                draws=draws,
                runs_per_draw=runs_per_draw,
                workers=workers,
                seed=root,
            )
            result = run_backtest(
                panel=panel,
                targets=targets,
                forecasts={model: forecast},
                about={model: forecast.describe()},
                n_boot=bootstrap,
                seed=root,
            )
    if out is not None:
        _write_out(result, out)
    if as_json:
        typer.echo(result.to_json())
    else:
        _print_table(result)
    if out is not None:
        typer.echo(f"wrote {', '.join(OUT_FILES)} to {out}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``backtest`` to ``app``."""
    app.command("backtest")(backtest_cmd)
