"""Core CLI commands: ``scenarios``, ``show``, ``validate`` and ``run``."""

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
    """Check scenario files; exit 2 at the first invalid one, naming file, field and value."""
    from herz.scenario import load_scenario

    for f in files:
        sc = load_scenario(str(f))
        typer.echo(f"{f}: valid scenario {sc.name!r} ({len(sc.states)} states)")


def _print_richardson(result: Result, con: Console) -> None:
    from rich.table import Table

    s = result.summary
    con.print(
        f"[bold]Richardson[/bold] on [bold]{s['scenario']}[/bold]: {s['steps']} steps "
        f"of {s['dt']:g} years, {s['runs']} run(s), method {s['method']}, seed {s['seed']}"
    )
    table = Table(title_justify="left")
    for col in ("actor", "start", "equilibrium", "final (mean)", "fatigue a", "grievance g"):
        table.add_column(col, justify="left" if col == "actor" else "right")
    eq = s["equilibrium"] or {}
    for actor in s["actors"]:
        table.add_row(
            actor,
            f"{s['initial'][actor]:,.4g}",
            f"{eq[actor]:,.4g}" if actor in eq else "none",
            f"{s['final_mean'][actor]:,.4g}",
            f"{s['coefficients']['fatigue'][actor]:.4g}",
            f"{s['coefficients']['grievance'][actor]:,.4g}",
        )
    table.caption = f"units: {s['units']}"
    con.print(table)
    eig = ", ".join(
        f"{e['real']:.4g}" + (f"{e['imag']:+.4g}i" if abs(e["imag"]) > 1e-12 else "")
        for e in s["eigenvalues"]
    )
    verdict = "stable" if s["stable"] else "unstable"
    con.print(f"regime: [bold]{s['regime']}[/bold] ({verdict}); eigenvalues of K - A: {eig}")
    for citation in s.get("sources", []):
        con.print(f"[dim]Source: {citation}[/dim]")


def _print_spiral(result: Result, con: Console) -> None:
    from rich.table import Table

    s = result.summary

    def num(key: str, fmt: str = ".3g") -> str:
        value = s.get(key)
        se = s.get(f"{key}_se")
        if value is None:
            return "n/a"
        return f"{value:{fmt}}" + (f" ± {se:{fmt}}" if se is not None else "")

    con.print(
        f"[bold]Spiral[/bold] on [bold]{s['scenario']}[/bold]: {s['steps']} steps of "
        f"{s['dt']:g} years, {s['runs']} run(s), seed {s['seed']}; ω = "
        f"{s['offense_advantage']:g}, δ = {s['distinguishability']:g}"
    )
    table = Table(title_justify="left")
    table.add_column("measure")
    table.add_column("value (± standard error)", justify="right")
    table.add_row("P(war) (share of runs with a war)", num("p_war"))
    table.add_row("states drawn in, given a war", num("mean_states_at_war"))
    table.add_row("states in the first war, given a war", num("mean_first_war_size"))
    table.add_row("first war step, given a war", num("mean_first_war_step"))
    year = s.get("mean_first_war_year")
    table.add_row("first war year, given a war", "n/a" if year is None else f"{year:.1f}")
    table.add_row("crises per run", f"{s['mean_crises']:.3g}")
    table.add_row("tension (mean over time)", num("mean_tension"))
    table.add_row("final military, all states", num("final_military_mean"))
    con.print(table)
    arms = Table(title="Final military (ensemble mean)", title_justify="left")
    arms.add_column("state")
    arms.add_column("military", justify="right")
    for state, value in s["final_military"].items():
        arms.add_row(state, f"{value:,.4g}")
    arms.caption = f"units: {s['units']}"
    con.print(arms)
    for citation in s.get("sources", []):
        con.print(f"[dim]Source: {citation}[/dim]")


def _richardson_figures(result: Result) -> dict[str, Any]:
    if result.series is None:
        return {}
    return {"military.png": result.plot("military")}


def _spiral_figures(result: Result) -> dict[str, Any]:
    from herz.models.spiral.figures import (
        plot_spiral_arms,
        plot_spiral_tension,
        plot_war_timeline,
    )

    figs = {"arms.png": plot_spiral_arms(result), "tension.png": plot_spiral_tension(result)}
    if result.series is not None:
        figs["war_timeline.png"] = plot_war_timeline(result)
    return figs


#: Per model: (summary printer, figures to write, whether to write report.html).
_OUTPUTS: dict[str, tuple[Any, Any, bool]] = {
    "richardson": (_print_richardson, _richardson_figures, False),
    "spiral": (_print_spiral, _spiral_figures, True),
}


def _write_outputs(result: Result, out: Path) -> list[Path]:
    """Write tables, summary, figures (and the report) into ``out`` all at once: first into a
    temporary folder beside it, then moved in, so a failure leaves nothing half-written."""
    out_parent = out.resolve().parent
    out_parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out_parent))
    try:
        result.to_csv(staging)
        _, make_figures, with_report = _OUTPUTS.get(result.model, (None, None, False))
        if make_figures is not None:
            import matplotlib.pyplot as plt

            from herz.report import figure_to_png

            pngs: dict[str, bytes] = {}
            for name, fig in make_figures(result).items():
                pngs[name] = figure_to_png(fig, dpi=120)
                (staging / name).write_bytes(pngs[name])
                plt.close(fig)
            if with_report:
                from herz.report import render_report

                (staging / "report.html").write_text(render_report(result, pngs), encoding="utf-8")
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for item in sorted(staging.iterdir()):
            target = out / item.name
            item.replace(target)
            written.append(target)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def run_cmd(
    scenario: str = typer.Argument(..., help="A built-in name or a YAML file."),
    model: str = typer.Option("richardson", "--model", "-m", help="Model to run."),
    steps: int | None = typer.Option(None, "--steps", help="Number of steps (default: scenario)."),
    runs: int = typer.Option(1, "--runs", help="Ensemble size."),
    seed: int | None = typer.Option(None, "--seed", help="Root seed (default: fresh, recorded)."),
    set_: list[str] = typer.Option(
        None, "--set", help="Override a scenario value: PATH=VALUE (repeatable)."
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Folder for tables and plots."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON only."),
    blocs: bool = typer.Option(False, "--blocs", help="Richardson: sum alliances into blocs."),
    method: str = typer.Option("exact", "--method", help="Richardson: exact or euler."),
    noise: float | None = typer.Option(None, "--noise", help="Richardson: relative noise σ."),
) -> None:
    """Run a model on a scenario; print a summary and optionally write results to --out."""
    from herz.simulation import simulate

    if steps is not None and steps < 1:
        raise InputError(f"--steps must be ≥ 1, got {steps}.", field="--steps", value=steps)
    if runs < 1:
        raise InputError(f"--runs must be ≥ 1, got {runs}.", field="--runs", value=runs)
    if seed is not None and seed < 0:
        raise InputError(f"--seed must be ≥ 0, got {seed}.", field="--seed", value=seed)
    if out is not None and out.exists() and not out.is_dir():
        raise InputError(f"--out: {out} exists and is not a folder.", field="--out", value=out)
    options: dict[str, Any] = {}
    if model == "richardson":
        if method not in ("exact", "euler"):
            raise InputError(
                f"--method must be 'exact' or 'euler', got {method!r}.",
                field="--method",
                value=method,
            )
        options = {"blocs": blocs, "method": method}
        if noise is not None:
            if noise < 0:
                raise InputError(f"--noise must be ≥ 0, got {noise}.", field="--noise", value=noise)
            options["noise"] = noise
    from herz.scenario import load_scenario

    sc = load_scenario(scenario).with_overrides(_overrides(set_), source="--set")
    keep = "series" if (out is not None or not as_json) else "summary"
    if model == "spiral":  # large ensembles: keep the series only when it is written out
        keep = "series" if out is not None else "summary"
    err = _console(stderr=True)
    with contextlib.ExitStack() as stack:
        if model == "spiral" and err.is_terminal:  # a progress bar on stderr, never on stdout
            from rich.progress import Progress

            bar = stack.enter_context(Progress(console=err, transient=True))
            task = bar.add_task(f"spiral: {runs} run(s)", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            options["progress"] = progress
        result = simulate(sc, model=model, steps=steps, runs=runs, seed=seed, keep=keep, **options)
    written = _write_outputs(result, out) if out is not None else []
    if as_json:
        sys.stdout.write(result.to_json() + "\n")
        return
    con = _console()
    printer = _OUTPUTS.get(model, (None, None, False))[0]
    if printer is not None:
        printer(result, con)
    else:
        con.print_json(result.to_json())
    for path in written:
        con.print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    """Add the core commands to ``app``."""
    app.command("scenarios")(scenarios_cmd)
    app.command("show")(show_cmd)
    app.command("validate")(validate_cmd)
    app.command("run")(run_cmd)
