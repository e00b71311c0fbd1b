"""Core CLI commands: ``scenarios``, ``show``, ``validate``, ``run`` and ``models``.

``herz run`` knows no model: it looks the model up in :mod:`herz.models`, passes
``--option NAME=VALUE`` pairs to its ``Options``, prints its declared summary fields and
writes its ``figures`` (and a report where the model has one).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from herz.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from herz.models import Model
    from herz.results import Result

__all__ = ["register"]


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def _overrides(pairs: list[str] | None) -> dict[str, Any]:
    from herz.scenario import parse_override

    out: dict[str, Any] = {}
    for text in pairs or []:
        path, value = parse_override(text)
        out[path] = value
    return out


def scenarios_cmd(
    as_json: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """List the built-in scenarios."""
    from rich.table import Table

    from herz.scenario import builtin_scenarios, load_scenario

    rows = []
    for name in builtin_scenarios():
        sc = load_scenario(name)
        rows.append(
            {
                "name": name,
                "states": len(sc.states),
                "alliances": len(sc.alliances),
                "events": len(sc.events),
                "start": sc.time.start,
                "steps": sc.time.steps,
                "description": sc.description,
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title="Built-in scenarios", title_justify="left")
    for col in ("name", "states", "alliances", "events", "from", "steps", "description"):
        table.add_column(col, overflow="fold", max_width=60 if col == "description" else None)
    for r in rows:
        table.add_row(
            str(r["name"]),
            str(r["states"]),
            str(r["alliances"]),
            str(r["events"]),
            f"{r['start']:g}",
            str(r["steps"]),
            str(r["description"])[:160],
        )
    _console().print(table)


def show_cmd(
    scenario: str = typer.Argument(..., help="A built-in name or a YAML file."),
    set_: list[str] = typer.Option(
        None, "--set", help="Override a value: PATH=VALUE (repeatable)."
    ),
    as_yaml: bool = typer.Option(False, "--yaml", help="Print the full validated YAML."),
) -> None:
    """Show a scenario: its states, alliances, events and sources."""
    from rich.table import Table

    from herz.scenario import load_scenario

    sc = load_scenario(scenario).with_overrides(_overrides(set_), source="--set")
    if as_yaml:
        typer.echo(sc.to_yaml(), nl=False)
        return
    con = _console()
    con.print(
        f"[bold]{sc.name}[/bold]  ({sc.time.start:g}, {sc.time.steps} steps of "
        f"{sc.time.step:g} years)"
    )
    if sc.description:
        con.print(sc.description)
    w = sc.world
    con.print(
        f"world: offense_advantage={w.offense_advantage:g}, "
        f"distinguishability={w.distinguishability:g}"
    )
    table = Table(title="States", title_justify="left")
    cols = ("id", "name", "military", "economy", "budget", "type", "doctrine", "intel", "bias")
    for col in cols:
        table.add_column(col, justify="right" if col in ("military", "economy") else "left")
    for s in sc.states:
        table.add_row(
            s.id,
            s.name or "",
            f"{s.military:,.3f}",
            f"{s.economy:,.1f}",
            f"{s.max_budget_share:g}",
            s.type,
            s.doctrine,
            f"{s.intelligence:g}",
            f"{s.bias:g}",
        )
    table.caption = f"military: {sc.units.military}; economy: {sc.units.economy}"
    con.print(table)
    if sc.alliances:
        at = Table(title="Alliances", title_justify="left")
        for col in ("name", "members", "kind", "reliability", "from", "until"):
            at.add_column(col)
        for a in sc.alliances:
            at.add_row(
                a.name,
                ", ".join(a.members),
                a.kind,
                f"{a.reliability:g}",
                "" if a.from_year is None else f"{a.from_year:g}",
                "" if a.until is None else f"{a.until:g}",
            )
        con.print(at)
    if sc.events:
        et = Table(title="Events", title_justify="left")
        for col in ("year", "kind", "name", "details"):
            et.add_column(col)
        for e in sc.events:
            details = e.model_dump(exclude={"year", "kind", "name"}, exclude_none=True)
            et.add_row(f"{e.year:g}", e.kind, e.name or "", json.dumps(details))
        con.print(et)
    for src in sc.sources:
        con.print(f"[dim]Source [{src.key}]: {src.citation}[/dim]")


def validate_cmd(
    files: list[Path] = typer.Argument(..., help="Scenario YAML files to check."),
) -> None:
    """Check scenario files, model blocks included; exit 2 at the first invalid one, naming
    file, field and value."""
    from herz.scenario import load_scenario
    from herz.simulation import check_scenario

    for f in files:
        sc = load_scenario(str(f))
        try:
            check_scenario(sc)
        except InputError as exc:
            message = str(exc).removeprefix(f"{sc.origin}: ")
            raise InputError(f"{f}: {message}", source=str(f), field=exc.field) from None
        n = len(sc.states)
        typer.echo(f"{f}: valid scenario {sc.name!r} ({n} state{'' if n == 1 else 's'})")


def _state_tables(result: Result, model: Model) -> list[Table]:
    """One table of the declared summary fields that are mappings keyed by state (or actor)."""
    from rich.table import Table

    s = result.summary
    ids = {*result.scenario.ids, *(s.get("actors") or [])}
    fields = [
        m
        for m in model.summary_fields
        if isinstance(s.get(m.name), dict) and s[m.name] and set(s[m.name]) <= ids
    ]  # mappings keyed by state (or bloc); others (p_dyad_war, by pair) stay in --json
    if not fields:
        return []
    keys: list[str] = []
    for m in fields:
        keys.extend(k for k in s[m.name] if k not in keys)
    table = Table(title_justify="left")
    table.add_column("state")
    for m in fields:
        table.add_column(
            m.doc.rstrip(".").replace(" per actor", "").replace(" per state", ""), justify="right"
        )
    for key in keys:
        cells = []
        for m in fields:
            value = s[m.name].get(key)
            cells.append(
                "none"
                if value is None
                else f"{value:,.4g}"
                if isinstance(value, float)
                else str(value)
            )
        table.add_row(key, *cells)
    units = s.get("units")
    if units:
        table.caption = f"units: {units}"
    return [table]


def _pct(value: float | None, signed: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def _observed_tables(table: dict[str, Any]) -> list[Table]:
    """The error against the record: per year (the total and every actor, model − observed
    in % of the record), then per series the mean and largest absolute % error, in- and
    out-of-sample."""
    from rich.table import Table

    series: dict[str, Any] = table.get("series", {})
    years: list[int] = table.get("years", [])
    if not years:
        return []
    fitted = table.get("fitted_years")
    sample_note = (
        f"in: inside the fitted years {fitted[0]}-{fitted[1]}"
        if fitted
        else "all out-of-sample: the coefficients were not fitted to these data"
    )
    names = ["total", *(k for k in series if k != "total")]
    per_year = Table(
        title=f"Error against {table['dataset']}, model − observed, % ({sample_note})",
        title_justify="left",
    )
    per_year.add_column("year")
    per_year.add_column("sample")
    for name in names:
        per_year.add_column(name, justify="right")
    for year in years:
        key = str(year)
        cells = []
        sample = ""
        for name in names:
            row = series.get(name, {}).get("years", {}).get(key)
            cells.append("" if row is None else _pct(row.get("error_pct"), signed=True))
            sample = sample or ("" if row is None else row["sample"])
        per_year.add_row(key, sample, *cells)
    summary = Table(title_justify="left", caption=f"units: {table['unit']}")
    summary.add_column("series")
    for col in ("mean |error| %", "max |error| %", "in-sample mean", "out-of-sample mean"):
        summary.add_column(col, justify="right")
    for name in names:
        entry = series.get(name, {})
        summary.add_row(
            name,
            _pct(entry.get("mean_abs_pct")),
            _pct(entry.get("max_abs_pct")),
            _pct(entry.get("mean_abs_pct_in_sample")),
            _pct(entry.get("mean_abs_pct_out_of_sample")),
        )
    return [per_year, summary]


def print_result(result: Result, con: Console) -> None:
    """Print any model's result: a header, its declared headline numbers, per-state values."""
    from rich.table import Table

    from herz.models import get_model

    model = get_model(result.model)
    s = result.summary
    opts = s.get("options") or {}
    given = ", ".join(f"{k} {v}" for k, v in opts.items() if v is not None)
    con.print(
        f"[bold]{model.title or model.name}[/bold] on [bold]{s['scenario']}[/bold]: "
        f"{s['steps']} steps of {s['dt']:g} years, {s['runs']} run(s), seed {s['seed']}"
        + (f"; {given}" if given else "")
    )
    rows = model.describe(result)
    if rows:
        table = Table(title_justify="left")
        table.add_column("measure")
        table.add_column("value (± standard error)", justify="right")
        for label, value in rows:
            table.add_row(label, value)
        con.print(table)
    for table in _state_tables(result, model):
        con.print(table)
    if isinstance(s.get("observed_error"), dict):
        for table in _observed_tables(s["observed_error"]):
            con.print(table)
        for line in s["observed_error"].get("not_compared", []):
            con.print(f"not compared: {line}")
        con.print(f"[dim]Record: {s['observed_error'].get('source', '')}[/dim]")
    for citation in s.get("sources", []):
        con.print(f"[dim]Source: {citation}[/dim]")


#: Tables of at least this many rows are announced on stderr before ``--out`` writes them.
LONG_WRITE_ROWS = 1_000_000


def _write_outputs(result: Result, out: Path) -> list[Path]:
    """Write tables, summary, the model's figures (and its report) into ``out`` all at once:
    first into a temporary folder beside it, then moved in, so a failure leaves nothing
    half-written."""
    from herz.models import get_model

    model = get_model(result.model)
    out_parent = out.resolve().parent
    try:
        out_parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out_parent))
    except OSError as exc:
        raise _write_error(out, exc) from exc
    try:
        result.to_csv(staging)
        figures = model.figures(result)
        if figures:
            import matplotlib.pyplot as plt

            from herz.report import figure_to_png

            pngs: dict[str, bytes] = {}
            for name, fig in figures.items():
                pngs[name] = figure_to_png(fig, dpi=120)
                (staging / name).write_bytes(pngs[name])
                plt.close(fig)
            if model.report:
                from herz.report import render_report

                (staging / "report.html").write_text(render_report(result, pngs), encoding="utf-8")
        new_names = {item.name for item in staging.iterdir()}
        if out.is_dir():
            # files of an earlier run that this one does not replace (a spiral's report.html
            # beside a Richardson run's tables): said, not deleted, since they may be the user's
            stale = sorted(p.name for p in out.iterdir() if p.name not in new_names)
            if stale:
                import warnings

                shown = ", ".join(stale[:5]) + (
                    f" and {len(stale) - 5} more" if len(stale) > 5 else ""
                )
                warnings.warn(
                    f"--out {out} already holds {len(stale)} file(s) this run does not write "
                    f"({shown}); they were left as they were, so the folder now mixes two "
                    "runs. Use an empty folder to keep one run's outputs together.",
                    stacklevel=2,
                )
        for name in sorted(new_names):
            if (out / name).is_dir():  # refused before anything moves (it failed half-way)
                raise InputError(
                    f"--out: {out / name} is a folder where the run would write its file "
                    f"{name}; nothing was written.",
                    field="--out",
                    value=str(out),
                )
        out.mkdir(parents=True, exist_ok=True)
        return _move_in(staging, out, out_parent)
    except OSError as exc:
        raise _write_error(out, exc) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _move_in(staging: Path, out: Path, parent: Path) -> list[Path]:
    """Move every file of ``staging`` into ``out``, all or none: the files they replace are
    set aside first, and a failure part-way takes the new ones out and puts the old ones back
    (the folder held a mix of two runs after a failed move). The set-aside files are the
    outputs this run replaces, and are removed once every new file is in place."""
    aside = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=parent))
    moved: list[Path] = []
    kept: list[tuple[Path, Path]] = []
    try:
        for item in sorted(staging.iterdir()):
            target = out / item.name
            if target.exists() or target.is_symlink():
                old = aside / item.name
                target.replace(old)
                kept.append((old, target))
            item.replace(target)
            moved.append(target)
    except OSError as exc:
        try:
            for target in moved:
                target.unlink(missing_ok=True)
            for old, target in reversed(kept):
                old.replace(target)
        except OSError:
            # the earlier files could not all be put back: they stay where they were set
            # aside, and the message says where (never deleted)
            raise InputError(
                f"--out: cannot write {out} ({exc.strerror or exc}), and the earlier files it "
                f"was replacing could not all be put back: they are in {aside}.",
                field="--out",
                value=str(out),
            ) from exc
        shutil.rmtree(aside, ignore_errors=True)
        raise
    shutil.rmtree(aside, ignore_errors=True)
    return moved


def _write_error(out: Path, exc: OSError) -> InputError:
    """A failed write under ``--out`` (no room, no permission) as one sentence naming it."""
    from herz.store import full_disk_reason

    reason = full_disk_reason(exc) or exc.strerror or type(exc).__name__
    return InputError(f"--out: cannot write {out}: {reason}.", field="--out", value=str(out))


def _options(pairs: list[str] | None) -> dict[str, Any]:
    """``--option NAME=VALUE`` pairs as a dict (values read as YAML scalars)."""
    from herz.scenario import parse_override

    out: dict[str, Any] = {}
    for text in pairs or []:
        name, sep, _ = text.partition("=")
        if not sep or not name.strip():
            raise InputError(
                f"--option: expected NAME=VALUE, got {text!r}.", field="--option", value=text
            )
        name, value = parse_override(text, source="--option")
        out[name] = value
    return out


def run_cmd(
    scenario: str = typer.Argument(..., help="A built-in name or a YAML file."),
    model: str = typer.Option(
        "richardson", "--model", "-m", help="Model to run (herz models lists them)."
    ),
    steps: int | None = typer.Option(None, "--steps", help="Number of steps (default: scenario)."),
    runs: int = typer.Option(1, "--runs", help="Ensemble size."),
    seed: int | None = typer.Option(None, "--seed", help="Root seed (default: fresh, recorded)."),
    set_: list[str] = typer.Option(
        None, "--set", help="Override a scenario value: PATH=VALUE (repeatable)."
    ),
    option: list[str] = typer.Option(
        None,
        "--option",
        "-O",
        help="A model option: NAME=VALUE (repeatable; herz models --json lists each model's).",
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder for tables and plots."),
    keep: str = typer.Option(
        "series",
        "--keep",
        help="What --out writes besides the summary, outcomes and figures: series (the full "
        "timeseries.csv and events.csv, one row per run, step and state: gigabytes at 100,000 "
        "runs), events (events.csv only; the spiral) or summary (neither). Without --out "
        "nothing is kept.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON only."),
    blocs: bool = typer.Option(False, "--blocs", help="Same as --option blocs=true."),
    method: str | None = typer.Option(None, "--method", help="Same as --option method=..."),
    noise: float | None = typer.Option(None, "--noise", help="Same as --option noise=..."),
    observed: bool | None = typer.Option(
        None,
        "--observed/--no-observed",
        help="Compare with the record (the scenario's observed: block): NMC's values as "
        "points on the plot, observed_error in the summary. Default: on where the scenario "
        "has the block and the model's military is yearly spending (richardson).",
    ),
) -> None:
    """Run a model on a scenario; print a summary and optionally write results to --out."""
    from herz.models import get_model
    from herz.simulation import KEEP, memory_advice, scenario_for_run, simulate

    if steps is not None and steps < 1:
        raise InputError(f"--steps must be ≥ 1, got {steps}.", field="--steps", value=steps)
    if steps is not None and steps > 100_000:
        raise InputError(
            f"--steps must be at most 100000, got {steps}.", field="--steps", value=steps
        )
    if runs < 1:
        raise InputError(f"--runs must be ≥ 1, got {runs}.", field="--runs", value=runs)
    if seed is not None and seed < 0:
        raise InputError(f"--seed must be ≥ 0, got {seed}.", field="--seed", value=seed)
    if out is not None:
        from herz.results import check_folder_writable

        check_folder_writable(out, "--out")  # first: it also checks the names' lengths
        if out.exists() and not out.is_dir():
            raise InputError(f"--out: {out} exists and is not a folder.", field="--out", value=out)
    m = get_model(model)
    options = _options(option)
    for name, value in (("blocs", True if blocs else None), ("method", method), ("noise", noise)):
        if value is not None:
            options[name] = value
    from herz.scenario import load_scenario

    overrides = _overrides(set_)
    # validated as herz.simulate does: --steps alone is the run's length; with a --set time.*
    # the horizon covers the file's events at the new step (herz.simulation.scenario_for_run)
    sc = scenario_for_run(load_scenario(scenario), overrides, steps, source="--set")
    from herz.history.observed import COMPARABLE_MODELS

    if observed and sc.observed is None:
        raise InputError(
            f"--observed: scenario {sc.name!r} has no observed: block saying what its military "
            "is, so there is no record to compare with.",
            field="--observed",
            value=sc.name,
        )
    if observed and m.name not in COMPARABLE_MODELS:
        raise InputError(
            f"--observed: model {m.name!r} does not produce yearly spending comparable with "
            f"the record (only {', '.join(COMPARABLE_MODELS)}).",
            field="--observed",
            value=m.name,
        )
    observing = observed is not False and sc.observed is not None and m.name in COMPARABLE_MODELS
    # the series only when written out: the comparison with the record reads the model's
    # ensemble means (result.extra["means"]), kept in every mode
    if keep not in KEEP:
        raise InputError(
            f"--keep must be one of {', '.join(KEEP)}; got {keep!r}.", field="--keep", value=keep
        )
    if out is None:
        keep = "summary"
    err = _console(stderr=True)
    with contextlib.ExitStack() as stack:
        progress = None
        if m.reports_progress and err.is_terminal:  # a bar on stderr, never on stdout
            from rich.progress import Progress

            bar = stack.enter_context(Progress(console=err, transient=True))
            task = bar.add_task(f"{m.name}: {runs} run(s)", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

        stack.enter_context(
            memory_advice(
                series="--keep summary or --keep events (no series kept), or fewer --runs or "
                "--steps",
                summary="fewer --runs or --steps, or herz sweep, which runs and stores them "
                "chunk by chunk",
            )
        )
        result = simulate(
            sc,
            model=m.name,
            steps=steps,
            runs=runs,
            seed=seed,
            keep=keep,
            progress=progress,
            **options,
        )
    if observing:
        from herz.history.observed import attach

        attach(result)
    if out is not None:
        for stem, table in result.tables().items():
            if len(table) >= LONG_WRITE_ROWS:  # a long write, after the progress bar is gone
                err.print(f"writing {stem}.csv ({len(table):,} rows)…", highlight=False)
    written = _write_outputs(result, out) if out is not None else []
    if as_json:
        sys.stdout.write(result.to_json() + "\n")
        return
    con = _console()
    print_result(result, con)
    for path in written:
        con.print(f"wrote {path}")


def models_cmd(
    as_json: bool = typer.Option(
        False, "--json", help="Print each model's options, outcomes and summary schema as JSON."
    ),
) -> None:
    """List the registered models (herz's own and those of installed packages)."""
    from rich.table import Table

    from herz.models import get_model, model_names

    models = [get_model(name) for name in model_names()]
    if as_json:
        doc = [
            {
                "name": m.name,
                "title": m.title,
                "citation": m.citation,
                "options": m.Options.model_json_schema(),
                "params": None if m.Params is None else m.Params.model_json_schema(),
                "outcomes": [vars(x) for x in m.outcomes],
                "summary": [vars(x) for x in m.summary_fields],
            }
            for m in models
        ]
        typer.echo(json.dumps(doc, indent=2))
        return
    table = Table(title="Models", title_justify="left")
    for col in ("name", "what", "options", "scenario block"):
        table.add_column(col, overflow="fold")
    for m in models:
        table.add_row(
            m.name,
            m.title,
            ", ".join(m.Options.model_fields) or "none",
            f"{m.name}:" if m.Params is not None else "none",
        )
    _console().print(table)


def check_step_cmd(
    scenario: str = typer.Argument(..., help="A built-in name or a YAML file."),
    model: str = typer.Option(
        "spiral", "--model", "-m", help="Model to run (herz models lists them)."
    ),
    steps: int | None = typer.Option(
        None, "--steps", help="Steps at the coarsest dt (default: the scenario's)."
    ),
    runs: int = typer.Option(2000, "--runs", help="Ensemble size at each step."),
    seed: int = typer.Option(1, "--seed", help="Root seed (the same at each step)."),
    halvings: int = typer.Option(
        1, "--halvings", help="Compare dt with dt/2, …, dt/2^H (the finest is the reference)."
    ),
    rel_tol: float = typer.Option(
        0.01,
        "--rel-tol",
        help="Agreement: within max(3 standard errors, REL_TOL × |reference|).",
    ),
    set_: list[str] = typer.Option(
        None, "--set", help="Override a scenario value: PATH=VALUE (repeatable)."
    ),
    option: list[str] = typer.Option(
        None, "--option", "-O", help="A model option: NAME=VALUE (repeatable)."
    ),
    show_all: bool = typer.Option(
        False, "--all", help="List every per-state outcome, not only those that disagree."
    ),
    strict: bool = typer.Option(
        False, "--strict", help="Exit with code 1 when an outcome disagrees."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON records."),
) -> None:
    """Check that results do not depend on the time step: the same years at dt, dt/2, ….

    Every numeric outcome the model declares is compared with the finest step (herz.analysis.
    step_check); per-state outcomes (the beliefs about each state, each state's arms) are
    listed when they disagree, since an overall mean can agree while its parts do not.
    """
    from herz.analysis import step_check

    for flag, value, least in (("--runs", runs, 2), ("--halvings", halvings, 1)):
        if value < least:
            raise InputError(f"{flag} must be ≥ {least}, got {value}.", field=flag, value=value)
    if halvings > 6:
        raise InputError(
            f"--halvings must be at most 6, got {halvings}.", field="--halvings", value=halvings
        )
    if seed < 0:
        raise InputError(f"--seed must be ≥ 0, got {seed}.", field="--seed", value=seed)
    if not rel_tol >= 0:
        raise InputError(f"--rel-tol must be ≥ 0, got {rel_tol}.", field="--rel-tol", value=rel_tol)
    if steps is not None and not 1 <= steps <= 100_000:
        raise InputError(
            f"--steps must be in [1, 100000], got {steps}.", field="--steps", value=steps
        )
    overrides = _overrides(set_)
    if overrides:  # a bad --set is named as one (step_check's own check says "overrides")
        from herz.scenario import load_scenario
        from herz.simulation import scenario_for_run

        scenario_for_run(load_scenario(scenario), overrides, steps, source="--set")
    err = _console(stderr=True)
    with contextlib.ExitStack() as stack:
        progress = None
        if err.is_terminal:
            from rich.progress import Progress

            bar = stack.enter_context(Progress(console=err, transient=True))
            task = bar.add_task(f"{model}: {halvings + 1} ensembles of {runs}", total=halvings + 1)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

        table = step_check(
            scenario,
            model,
            runs=runs,
            seed=seed,
            halvings=halvings,
            steps=steps,
            overrides=overrides,
            rel_tol=rel_tol,
            progress=progress,
            **_options(option),
        )
    compared = table.dropna(subset=["agrees"])
    failed = sorted(set(compared.loc[~compared["agrees"].astype(bool), "outcome"]))
    if as_json:
        sys.stdout.write(table.to_json(orient="records", indent=1) + "\n")
    else:
        _print_step_check(table, failed, show_all)
    if strict and failed:
        raise typer.Exit(1)


def _print_step_check(table: Any, failed: list[str], show_all: bool) -> None:
    """The comparison as a table: an outcome a row, a column per dt, the verdict last."""
    from rich.table import Table

    con = _console()
    dts = sorted(set(table["dt"]), reverse=True)
    ref = dts[-1]
    per_state = set(table.loc[table["per_state"], "outcome"])
    shown = [
        name
        for name in dict.fromkeys(table["outcome"])
        if show_all or name not in per_state or name in failed
    ]
    out = Table(
        title=f"Same years at dt = {', '.join(f'{d:g}' for d in dts)}; reference dt = {ref:g}",
        title_justify="left",
    )
    out.add_column("outcome")
    for d in dts:
        out.add_column(f"dt {d:g}", justify="right")
    out.add_column("agrees")
    for name in shown:
        rows = table[table["outcome"] == name].set_index("dt")
        cells = []
        for d in dts:
            r = rows.loc[d]
            cell = f"{r['mean']:.4g} ± {r['se']:.2g}" if r["se"] == r["se"] else f"{r['mean']:.4g}"
            if d != ref and r["diff"] == r["diff"]:
                cell += f" (Δ {r['diff']:+.3g}, tol {r['tol']:.2g})"
            cells.append(cell)
        verdicts = rows["agrees"].dropna()
        verdict = "—" if verdicts.empty else ("yes" if bool(verdicts.all()) else "[bold]no[/bold]")
        out.add_row(name, *cells, verdict)
    con.print(out)
    hidden = sorted(per_state - set(shown))
    if hidden:
        con.print(f"{len(hidden)} per-state outcomes agree and are not listed (--all lists them).")
    n = table["outcome"].nunique()
    if failed:
        con.print(
            f"[bold]{len(failed)} of {n} outcomes depend on the time step[/bold] beyond "
            f"the tolerance: {', '.join(failed)}."
        )
    else:
        con.print(f"All {n} outcomes agree across the steps.")


def register(app: typer.Typer) -> None:
    """Add the core commands to ``app``."""
    app.command("scenarios")(scenarios_cmd)
    app.command("show")(show_cmd)
    app.command("validate")(validate_cmd)
    app.command("run")(run_cmd)
    app.command("check-step")(check_step_cmd)
    app.command("models")(models_cmd)
