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

from herz.cli._app import with_flag
from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import Console

    from herz.history.estimate import (
        ActorFit,
        CombinedFit,
        ForecastCheck,
        PooledFit,
        RichardsonFit,
    )

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
    "forecast": "--forecast",
    "scale": "--scale",
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
            raise with_flag(exc, _FLAGS) from None
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
        ...,
        "--actors",
        help="Two states or blocs: USA,RUS or FRN+RUS,GMY+AUH; with --pooled, two or more "
        "blocs whose members are fitted one by one: UKG+FRN+RUS,GMY+AUH+ITA.",
    ),
    years: str = typer.Option(..., "--years", help="Inclusive range of levels A:B."),
    combined: bool = typer.Option(
        False, "--combined", help="Fit Richardson's combined form Δ(U+V) = α·(U+V − s0)."
    ),
    pooled: bool = typer.Option(
        False,
        "--pooled",
        help="Fit every member: Δx_i = k·R_i − a·x_i + g_i, one k and a, a g per state "
        "(R_i: the other blocs' total).",
    ),
    regressor: str = typer.Option(
        "level", "--regressor", help="level: first year's levels; mean: the two years' mean."
    ),
    version: int = typer.Option(7, "--version", help="NMC version: 6 or 7."),
    currency: str = typer.Option(
        "native", "--currency", help="native (refuse to cross 1913/1914) or USD (gold parity)."
    ),
    forecast: int | None = typer.Option(
        None,
        "--forecast",
        help="Forecast each year after A:B up to this one from the fit, beside a random walk "
        "and a log-linear trend, each with its error against NMC.",
    ),
    as_yaml: bool = typer.Option(
        False, "--yaml", help="With --pooled: print a ready richardson: scenario block."
    ),
    scale: float = typer.Option(
        1.0,
        "--scale",
        help="With --yaml: the scenario's unit per NMC unit (0.001: thousands to millions).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the fit as JSON."),
) -> None:
    """Fit Richardson's equations by OLS to NMC military expenditure (Richardson 1960)."""
    from herz.history import estimate

    if regressor not in ("level", "mean"):
        raise InputError(f"--regressor: expected level or mean, got {regressor!r}")
    if currency not in ("native", "USD"):
        raise InputError(f"--currency: expected native or USD, got {currency!r}")
    if pooled and combined:
        raise InputError(
            "--pooled: choose one form, the pooled fit or the combined form (--combined), got "
            "both.",
            field="--pooled",
        )
    if pooled and regressor != "level":
        raise InputError(
            f"--regressor: the pooled fit takes the level regressor only (Richardson's annual "
            f"difference equation), got {regressor!r}.",
            field="--regressor",
            value=regressor,
        )
    if as_yaml and not pooled:
        raise InputError(
            "--yaml: a scenario block is written from the pooled fit only; add --pooled.",
            field="--yaml",
        )
    if as_yaml and (as_json or forecast is not None):
        raise InputError(
            "--yaml: prints a scenario block and nothing else; drop --json and --forecast.",
            field="--yaml",
        )
    if not math.isfinite(scale) or scale <= 0:
        raise InputError(f"--scale: expected a number > 0, got {scale!r}.", field="--scale")
    if scale != 1.0 and not as_yaml:
        raise InputError(
            "--scale: converts the coefficients of a --yaml block; add --pooled --yaml.",
            field="--scale",
            value=scale,
        )
    form = "pooled" if pooled else "combined" if combined else "per-actor"
    check: ForecastCheck | None = None
    with _as_flags():
        if pooled:
            fit: Any = estimate.fit_pooled(
                actors,
                years,
                version=version,
                currency=currency,  # type: ignore[arg-type]
            )
        elif combined:
            fit = estimate.fit_combined(
                actors,
                years,
                regressor=regressor,  # type: ignore[arg-type]
                version=version,
                currency=currency,  # type: ignore[arg-type]
            )
        else:
            fit = estimate.fit_richardson(
                actors,
                years,
                regressor=regressor,  # type: ignore[arg-type]
                version=version,
                currency=currency,  # type: ignore[arg-type]
            )
        if forecast is not None:
            check = estimate.forecast_check(
                actors,
                years,
                forecast,
                form=form,  # type: ignore[arg-type]
                regressor=regressor,  # type: ignore[arg-type]
                version=version,
                currency=currency,  # type: ignore[arg-type]
            )
    if as_yaml:
        typer.echo(pooled_yaml(fit, scale=scale, version=version), nl=False)
        return
    if as_json:
        payload = fit.to_dict()
        if check is not None:
            payload["forecast"] = check.to_dict()
        _echo_json(payload)
        return
    if pooled:
        _print_pooled(fit)
    elif combined:
        _print_combined(fit)
    else:
        _print_richardson(fit)
    if check is not None:
        _print_forecast(check)


def _fmt(x: float) -> str:
    """A coefficient for a YAML block: 8 significant digits, plain."""
    return f"{x:.8g}"


def pooled_yaml(fit: PooledFit, *, scale: float = 1.0, version: int = 7) -> str:
    """A ``richardson:`` scenario block from a pooled fit, with a comment header saying which
    fit, which years, which regressor, the NMC version and the command that prints it.

    Reactions and fatigue are per year and do not depend on the unit; grievances (units per
    year) are multiplied by ``scale``.
    """
    command = (
        f"herz fit richardson --actors {','.join(fit.blocs)} --years "
        f"{fit.years[0]}:{fit.years[1]} --pooled"
        + (f" --version {version}" if version != 7 else "")
        + f" --yaml --scale {scale:g}"
    )
    lowest = min(z.real for z in fit.eigenvalues_map)
    lines = [
        "# Richardson coefficients fitted by herz (herz.history.estimate.fit_pooled): the pooled",
        f"#   form, Δx_i,t = k·R_i,t − a·x_i,t + g_i for the {len(fit.members)} states "
        f"{', '.join(fit.members)},",
        "#   R_i,t the summed spending of the other bloc(s), one k and one a for all, one g each",
        "#   (Richardson 1960's symmetric equations, one per state), by OLS on NMC "
        f"v{version}.0 milex",
        f"#   {fit.years[0]}-{fit.years[1]} ({fit.n} yearly changes, R² {fit.r2:.3f}), "
        "regressor: level (the first year's levels).",
        "#   Run as the fitted annual difference equation (method: euler, one-year steps): "
        "where the",
        f"#   annual map has a negative eigenvalue (here {lowest:.3f}) no differential "
        "equation matches it.",
        f"#   Grievances in the scenario's unit: NMC's {fit.unit} × {scale:g}.",
        f"#   Command: {command}",
        "richardson:",
        "  method: euler",
        "  reaction:",
    ]
    for i, m in enumerate(fit.members):
        rivals = [r for j, r in enumerate(fit.members) if fit.bloc[j] != fit.bloc[i]]
        cells = ", ".join(f"{r}: {_fmt(fit.k.value)}" for r in rivals)
        lines.append(f"    {m}: {{{cells}}}")
    lines.append(f"  fatigue: {_fmt(fit.a.value)}")
    cells = ", ".join(f"{m}: {_fmt(fit.g[m].value * scale)}" for m in fit.members)
    lines.append(f"  grievance: {{{cells}}}")
    lines += [
        "  fitted:",
        "    dataset: nmc",
        f"    version: {version}",
        f'    years: "{fit.years[0]}:{fit.years[1]}"',
        "    form: pooled",
        "    regressor: level",
        f'    command: "{command}"',
    ]
    return "\n".join(lines) + "\n"


def _print_pooled(fit: PooledFit) -> None:
    from rich.table import Table

    con = _console()
    table = Table(
        title=(
            f"Richardson pooled fit, blocs {' vs '.join(fit.blocs)}, "
            f"{fit.years[0]}-{fit.years[1]}: Δx_i = k·R_i − a·x_i + g_i, R_i the other "
            f"blocs' total (regressor: level; unit: {fit.unit})"
        ),
        caption=_sources_caption(fit.sources),
        caption_justify="left",
    )
    for col in ("coef", "estimate", "std err", "t", "p"):
        table.add_column(col, justify="left" if col == "coef" else "right")
    coefs = [("k", fit.k), ("a", fit.a), *((f"g {m}", c) for m, c in fit.g.items())]
    for sym, c in coefs:
        table.add_row(sym, _num(c.value), _num(c.se), _num(c.t), f"{c.p:.3g}")
    con.print(table)
    con.print(
        f"R² = {fit.r2:.4f}, Durbin-Watson = {_num(fit.durbin_watson)}, n = {fit.n} "
        f"({len(fit.members)} states × {fit.n // len(fit.members)} yearly changes)"
    )
    eig = ", ".join(f"{z.real:.4g}" for z in fit.eigenvalues_map)
    con.print(f"eigenvalues of the annual map I + K − aI: {eig}")
    con.print(
        f"stable (continuous): {fit.stable}; stable (yearly map): {fit.stable_discrete}; "
        f"regime: {fit.regime}"
    )
    path = fit.simulate(fit.first, fit.years[1] - fit.years[0])
    con.print(
        "in-sample, simulated from the first year: "
        + "; ".join(
            f"{fit.years[0] + t} total {_num(float(path[t].sum()))}" for t in range(len(path))
        )
    )


def _print_forecast(check: ForecastCheck) -> None:
    from rich.table import Table

    con = _console()
    table = Table(
        title=(
            f"Forecast check ({check.form} fit on {check.fitted[0]}-{check.fitted[1]}, from the "
            f"observed level in {check.fitted[1]}; unit: {check.unit})"
        ),
        caption=_sources_caption(check.sources),
        caption_justify="left",
    )
    for col in ("year", "series", "method", "forecast", "NMC", "error", "error %"):
        table.add_column(col, justify="left" if col in ("series", "method") else "right")
    for row in check.rows:
        table.add_row(
            str(row.year),
            row.series,
            row.method,
            f"{row.forecast:,.0f}",
            f"{row.observed:,.0f}",
            f"{row.error:+,.0f}",
            f"{row.error_pct:+.1f}%",
        )
    con.print(table)


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
