"""The ``backtest`` command: forecast conflict among the major powers out of sample, and score it.

Thin: it parses the flags and calls :func:`herz.history.backtest.run_backtest`, which a notebook
user calls the same way. Without MODEL it scores the three baselines (climatology, persistence,
a peace-years logit); a model's own forecast is not built yet. pandas, statsmodels and the
herz modules are imported inside the command so that ``herz --help`` stays fast.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from herz.errors import InputError

if TYPE_CHECKING:
    from herz.history.backtest import BacktestResult

__all__ = ["backtest_cmd", "register"]

_FLAGS = {
    "train": "--train",
    "test": "--test",
    "horizon": "--horizon",
    "target": "--target",
    "n_boot": "--bootstrap",
    "seed": "--seed",
}

#: The files ``--out`` receives.
OUT_FILES = ("table.csv", "reliability.csv", "forecasts.csv", "backtest.json", "report.html")


@contextmanager
def _as_flags() -> Iterator[None]:
    """Rename the API's field names to the CLI's flags in :class:`InputError` messages."""
    try:
        yield
    except InputError as exc:
        flag = _FLAGS.get(exc.field or "")
        message = exc.message
        if flag and exc.field and message.startswith(f"{exc.field}:"):
            message = flag + message[len(exc.field) :]
        raise InputError(message, field=exc.field, value=exc.value) from None


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
    return parts


def _check_out(out: Path) -> None:
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
    for target, fitted in result.baselines.items():
        for note in fitted["logit"]["notes"]:
            con.print(f"note: logit ({target}): {note}")
    con.print("Sources:")
    for source in panel.sources:
        con.print(f"  {source}")


def backtest_cmd(
    model: str | None = typer.Argument(
        None, help="A model whose forecast to score beside the baselines (not built yet)."
    ),
    train: str = typer.Option("1816:1899", "--train", help="Training years A:B (inclusive)."),
    test: str = typer.Option("1900:1913", "--test", help="Test origins C:D (inclusive)."),
    horizon: int = typer.Option(5, "--horizon", help="Window length H in years: [Y, Y+H)."),
    target: str | None = typer.Option(
        None, "--target", help="mid, mid4 or war, or several comma-separated (default: all)."
    ),
    bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap replicates (0: none)."),
    seed: int | None = typer.Option(
        None, "--seed", help="Bootstrap seed (default: fresh, recorded in the output)."
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
    prints Brier, Brier skill, log loss and AUC with moving-block bootstrap intervals.
    """
    if model is not None:
        raise InputError(
            f"MODEL: the model's own forecast ({model!r}) is not built yet; run "
            "'herz backtest' without MODEL to score the baselines.",
            field="MODEL",
            value=model,
        )
    if out is not None:
        _check_out(out)
    from herz.history.backtest import run_backtest

    with _as_flags():
        targets = _targets(target)
        result = run_backtest(train, test, horizon, targets=targets, n_boot=bootstrap, seed=seed)
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
