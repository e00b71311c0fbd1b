"""History commands: ``herz data``, ``herz fit`` and ``herz scenario from-history``.

Thin wrappers over :mod:`herz.history.datasets`, :mod:`herz.history.estimate` and
:mod:`herz.history.from_history`. Every
output derived from a dataset carries its citation: a table caption, a ``sources`` key in JSON,
``#`` comment lines at the top of a CSV file. pandas, statsmodels and the herz modules are
imported inside the commands so that ``herz --help`` stays fast.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from herz.history.estimate import ActorFit, CombinedFit, RichardsonFit

__all__ = ["register"]

_FLAGS = {
    "states": "--states",
    "years": "--years",
    "year": "--year",
    "actors": "--actors",
    "version": "--version",
    "level": "--level",
    "currency": "--currency",
    "within": "--within",
    "dataset": "NAME",
    "regressor": "--regressor",
    "dyad_years": "--dyad-years",
    "burden": "--burden",
}


@contextmanager
def _as_flags() -> Iterator[None]:
    """Rename the API's field names to the CLI's flags in :class:`InputError` messages, and
    show warnings (e.g. a currency conversion) as ``warning: ...`` lines on stderr."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        except InputError as exc:
            flag = _FLAGS.get(exc.field or "")
            message = exc.message
            if flag and exc.field and message.startswith(f"{exc.field}:"):
                message = flag + message[len(exc.field) :]
            raise InputError(message, field=exc.field, value=exc.value) from None
        finally:
            for w in caught:
                typer.echo(f"warning: {w.message}", err=True)


def _console(width: int = 120) -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False, width=width)


def _clean(obj: Any) -> Any:
    """Replace non-finite floats by None so that the JSON is standard."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_clean(v) for v in obj]
    return obj


def _echo_json(payload: dict[str, Any]) -> None:
    typer.echo(json.dumps(_clean(payload), indent=2, ensure_ascii=False))


def _sources_caption(sources: list[str]) -> str:
    return "Source: " + " | ".join(sources)


# --- herz data ---------------------------------------------------------------------------------


def data_list_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """List the shipped historical datasets (with their citations)."""
    from rich.table import Table

    from herz.history import datasets

    rows: list[dict[str, Any]] = [
        {
            "name": d.name,
            "title": d.title,
            "unit": d.unit,
            "options": d.options,
            "files": list(d.files),
            "citation": d.citation(),
        }
        for d in datasets.list_datasets()
    ]
    if as_json:
        _echo_json({"datasets": rows, "sources": [r["citation"] for r in rows]})
        return
    table = Table(title="herz historical datasets")
    for col in ("name", "title", "one row per", "options"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["name"], r["title"], r["unit"], r["options"])
    con = _console()
    con.print(table)
    con.print("Sources:")
    for r in rows:
        con.print(f"  {r['name']}: {r['citation']}")


def data_show_cmd(
    name: str = typer.Argument(..., help="Dataset: nmc, states, majors, wars, mid, atop, ..."),
    states: str | None = typer.Option(
        None, "--states", help="COW abbreviations or codes, comma-separated: USA,RUS or 2,365."
    ),
    years: str | None = typer.Option(None, "--years", help="Year or inclusive range A:B."),
    within: bool = typer.Option(
        False, "--within", help="Dyadic data: keep only dyads whose two members are in --states."
    ),
    version: int | None = typer.Option(None, "--version", help="NMC version: 6 or 7."),
    level: str | None = typer.Option(
        None, "--level", help="MID level: dispute, participant or dyad-year."
    ),
    dyad_years: bool = typer.Option(
        False, "--dyad-years", help="ATOP: expand dyad spells to one row per dyad-year."
    ),
    currency: str | None = typer.Option(
        None, "--currency", help="NMC milex: native (GBP to 1913, USD after) or USD."
    ),
    csv: Annotated[
        Path | None,
        typer.Option(
            "--csv", help="Write all selected rows to this CSV file (citation as # lines)."
        ),
    ] = None,
    limit: int = typer.Option(20, "--limit", min=0, help="Rows to print (0: all)."),
) -> None:
    """Show (or export) the rows of one dataset, filtered by states and years."""
    from rich.table import Table

    from herz.history import datasets

    with _as_flags():
        frame = datasets.load(
            name,
            states=states,
            years=years,
            within=within,
            version=version,
            level=level,  # type: ignore[arg-type]
            dyad_years=True if dyad_years else None,
            currency=currency,  # type: ignore[arg-type]
        )
    sources: list[str] = list(frame.attrs["sources"])
    con = _console()
    if csv is not None:
        _write_csv(frame, csv, sources)
        con.print(f"wrote {len(frame)} rows to {csv}")
        con.print(_sources_caption(sources))
        return
    shown = frame if limit == 0 else frame.head(limit)
    table = Table(
        title=f"{name}: {len(frame)} rows"
        + (f", first {len(shown)}" if len(shown) < len(frame) else ""),
        caption=_sources_caption(sources),
        caption_justify="left",
    )
    cells = [[_cell(v) for v in row] for row in shown.itertuples(index=False)]
    width = 4
    for j, col in enumerate(frame.columns):
        col_width = max([len(str(col)), *(len(r[j]) for r in cells)])
        width += col_width + 3
        table.add_column(
            str(col),
            justify="left" if frame[col].dtype == "string" else "right",
            min_width=col_width,
        )
    for row_cells in cells:
        table.add_row(*row_cells)
    _console(max(120, width)).print(table)


def _cell(value: Any) -> str:
    import pandas as pd

    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    if isinstance(value, float):
        return f"{value:.6g}" if not value.is_integer() else f"{value:.0f}"
    return str(value)


def _write_csv(frame: pd.DataFrame, path: Path, sources: list[str]) -> None:
    """Write ``frame`` with the citation as leading ``#`` lines (read back with
    ``pandas.read_csv(path, comment="#")`` or R's ``read.csv(path, comment.char="#")``)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            for s in sources:
                fh.write(f"# Source: {s}\n")
            frame.to_csv(fh, index=False)
        tmp.replace(path)
    except OSError as exc:
        raise InputError(f"--csv: cannot write {str(path)!r}: {exc.strerror}") from None


# --- herz fit ----------------------------------------------------------------------------------


def fit_richardson_cmd(
    actors: str = typer.Option(
        ..., "--actors", help="Two states or blocs: USA,RUS or FRN+RUS,GMY+AUH."
    ),
    years: str = typer.Option(..., "--years", help="Inclusive range of levels A:B."),
    combined: bool = typer.Option(
        False, "--combined", help="Fit Richardson's combined form Δ(U+V) = α·(U+V − s0)."
    ),
    regressor: str = typer.Option(
        "level", "--regressor", help="level: first year's levels; mean: the two years' mean."
    ),
    version: int = typer.Option(7, "--version", help="NMC version: 6 or 7."),
    currency: str = typer.Option(
        "native", "--currency", help="native (refuse to cross 1913/1914) or USD (gold parity)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the fit as JSON."),
) -> None:
    """Fit Richardson's equations by OLS to NMC military expenditure (Richardson 1960)."""
    from herz.history import estimate

    if regressor not in ("level", "mean"):
        raise InputError(f"--regressor: expected level or mean, got {regressor!r}")
    if currency not in ("native", "USD"):
        raise InputError(f"--currency: expected native or USD, got {currency!r}")
    with _as_flags():
        if combined:
            cfit = estimate.fit_combined(
                actors,
                years,
                regressor=regressor,  # type: ignore[arg-type]
                version=version,
                currency=currency,  # type: ignore[arg-type]
            )
        else:
            rfit = estimate.fit_richardson(
                actors,
                years,
                regressor=regressor,  # type: ignore[arg-type]
                version=version,
                currency=currency,  # type: ignore[arg-type]
            )
    if combined:
        if as_json:
            _echo_json(cfit.to_dict())
        else:
            _print_combined(cfit)
    elif as_json:
        _echo_json(rfit.to_dict())
    else:
        _print_richardson(rfit)


def _num(x: float) -> str:
    return f"{x:.6g}" if math.isfinite(x) else "NA"


def _actor_rows(fit: ActorFit) -> list[list[str]]:
    rows = []
    for sym, c in (("k", fit.k), ("a", fit.a), ("g", fit.g)):
        rows.append([fit.actor, sym, _num(c.value), _num(c.se), _num(c.t), f"{c.p:.3g}"])
    return rows


def _print_richardson(fit: RichardsonFit) -> None:
    from rich.table import Table

    con = _console()
    table = Table(
        title=(
            f"Richardson fit {fit.x.actor} vs {fit.y.actor}, {fit.years[0]}-{fit.years[1]}: "
            f"Δx_t = k·y_t − a·x_t + g (regressor: {fit.regressor}; unit: {fit.unit})"
        ),
        caption=_sources_caption(fit.sources),
        caption_justify="left",
    )
    for col in ("actor", "coef", "estimate", "std err", "t", "p"):
        table.add_column(col, justify="left" if col in ("actor", "coef") else "right")
    for actor in (fit.x, fit.y):
        for row in _actor_rows(actor):
            table.add_row(*row)
    con.print(table)
    for actor in (fit.x, fit.y):
        con.print(
            f"{actor.actor}: R² = {actor.r2:.4f}, Durbin-Watson = {actor.durbin_watson:.3f}, "
            f"n = {actor.n}"
        )
    eq = (
        "none (a·b = k·l)"
        if fit.equilibrium is None
        else f"{fit.x.actor} = {_num(fit.equilibrium[0])}, {fit.y.actor} = "
        f"{_num(fit.equilibrium[1])}"
    )
    con.print(f"equilibrium: {eq}")
    con.print(
        f"stable (continuous): {fit.stable}; stable (yearly map): {fit.stable_discrete}; "
        f"regime: {fit.regime}"
    )


def _print_combined(fit: CombinedFit) -> None:
    from rich.table import Table

    con = _console()
    table = Table(
        title=(
            f"Richardson combined form, U = {fit.actors[0]}, V = {fit.actors[1]}, "
            f"{fit.years[0]}-{fit.years[1]}: "
            f"Δ(U+V) = α·(U+V − s0) (regressor: {fit.regressor}; unit: {fit.unit})"
        ),
        caption=_sources_caption(fit.sources),
        caption_justify="left",
    )
    for col in ("quantity", "estimate", "std err"):
        table.add_column(col, justify="left" if col == "quantity" else "right")
    table.add_row("slope α", _num(fit.slope.value), _num(fit.slope.se))
    table.add_row("intercept", _num(fit.intercept.value), _num(fit.intercept.se))
    table.add_row(
        "zero-growth level s0", _num(fit.zero_growth_level), _num(fit.zero_growth_level_se)
    )
    con.print(table)
    con.print(f"R² = {fit.r2:.4f}, Durbin-Watson = {fit.durbin_watson:.3f}, n = {fit.n}")


# --- herz scenario from-history ----------------------------------------------------------------


def from_history_cmd(
    year: int = typer.Option(..., "--year", help="The year to take the world from."),
    states: str = typer.Option(
        ..., "--states", help="COW abbreviations or codes, comma-separated: UKG,FRN,RUS,GMY."
    ),
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the scenario YAML here (default: print it)."),
    ] = None,
    version: int = typer.Option(7, "--version", help="NMC version: 6 or 7."),
    burden: float | None = typer.Option(
        None,
        "--burden",
        help="Assumed military burden for the economy proxy (default 0.035 to 1913, 0.08 "
        "from 1946, 0.05 between).",
    ),
    steps: int = typer.Option(10, "--steps", min=1, help="Yearly steps of the scenario."),
) -> None:
    """Build a scenario from NMC capabilities and ATOP alliances in force in one year."""
    from herz.history import from_history as history

    with _as_flags():
        text = history.scenario_yaml_from_history(
            year, states, version=version, burden=burden, steps=steps
        )
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp = output.with_name(output.name + ".part")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    except OSError as exc:
        raise InputError(f"-o: cannot write {str(output)!r}: {exc.strerror}") from None
    typer.echo(f"wrote {output}")


def _group() -> None:
    """A command group (the callback keeps a one-command group a group)."""


def register(app: typer.Typer) -> None:
    """Add the ``data``, ``fit`` and ``scenario`` sub-apps to ``app``."""
    from herz.cli._app import new_app

    data = new_app("Historical datasets shipped with herz (COW, MID, ATOP, arms races, ...).")
    data.callback()(_group)
    data.command("list")(data_list_cmd)
    data.command("show")(data_show_cmd)
    app.add_typer(data, name="data")

    fit = new_app("Fit models to historical data (Richardson 1960).")
    fit.callback()(_group)
    fit.command("richardson")(fit_richardson_cmd)
    app.add_typer(fit, name="fit")

    scenario = new_app("Build scenarios from historical data.")
    scenario.callback()(_group)
    scenario.command("from-history")(from_history_cmd)
    app.add_typer(scenario, name="scenario")
