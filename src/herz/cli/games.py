"""Security-game commands: ``game``, ``tournament`` and ``evolve``.

Thin wrappers over :mod:`herz.models.games`, :mod:`herz.models.iterated` and
:mod:`herz.models.evolution`; NumPy, pandas, matplotlib and the models are imported inside the
commands so that ``herz --help`` stays fast. Bad input raises
:class:`~herz.errors.InputError`, which the command group turns into ``error: ...`` and exit 2.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from herz.errors import InputError

if TYPE_CHECKING:
    from herz.models.games import Game
    from herz.models.iterated import TournamentResult

__all__ = ["register"]

METHODS = ("moran", "replicator")


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(_jsonable(data), indent=2, allow_nan=False))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        return _jsonable(value.item())
    return value


def _parse_payoffs(text: str) -> tuple[float, float, float, float]:
    parts = [p.strip() for p in text.split(",")]
    try:
        vals = [float(p) for p in parts]
    except ValueError:
        vals = []
    if len(vals) != 4 or not all(math.isfinite(v) for v in vals):
        raise InputError(
            f"--payoffs must be four numbers R,T,S,P (e.g. 3,5,0,1), got {text!r}.",
            field="--payoffs",
            value=text,
        )
    return vals[0], vals[1], vals[2], vals[3]


def _split_strategies(text: str) -> list[str]:
    names = [s.strip() for s in text.split(",") if s.strip()]
    if len(names) < 2:
        raise InputError(
            f"--strategies needs at least two comma-separated names, got {text!r}.",
            field="--strategies",
            value=text,
        )
    return names


def _out_dir(out: Path | None) -> Path | None:
    if out is None:
        return None
    from herz.results import check_folder_writable

    check_folder_writable(out, "--out")  # first: it also checks the names' lengths
    if out.exists() and not out.is_dir():
        raise InputError(f"--out must be a directory, got the file {str(out)!r}.", field="--out")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def _print_game(game: Game) -> None:
    p = game.payoffs
    cells = [
        [f"({_fmt(p['R'])}, {_fmt(p['R'])})", f"({_fmt(p['S'])}, {_fmt(p['T'])})"],
        [f"({_fmt(p['T'])}, {_fmt(p['S'])})", f"({_fmt(p['P'])}, {_fmt(p['P'])})"],
    ]
    w = max(14, *(len(c) for row in cells for c in row)) + 2
    typer.echo(f"payoffs: R={_fmt(p['R'])} T={_fmt(p['T'])} S={_fmt(p['S'])} P={_fmt(p['P'])}")
    typer.echo("")
    typer.echo(" " * 14 + "other restrains".ljust(w) + "other arms".ljust(w))
    typer.echo("restrain (C)".ljust(14) + cells[0][0].ljust(w) + cells[0][1].ljust(w))
    typer.echo("arm (D)".ljust(14) + cells[1][0].ljust(w) + cells[1][1].ljust(w))
    typer.echo("")
    typer.echo(f"class: {game.game_class} ({game.ordering})")
    typer.echo("equilibria:")
    for e in game.equilibria:
        if e.kind == "pure":
            acts = ("C" if e.row[0] == 1 else "D") + ", " + ("C" if e.column[0] == 1 else "D")
            typer.echo(f"  pure   ({acts}): payoffs ({_fmt(e.payoffs[0])}, {_fmt(e.payoffs[1])})")
        else:
            typer.echo(
                f"  mixed  P(C) = {_fmt(e.row[0])} and {_fmt(e.column[0])}: expected payoffs "
                f"({_fmt(e.payoffs[0])}, {_fmt(e.payoffs[1])})"
            )
    world = game.world
    typer.echo(
        f"world: {world}"
        if world is not None
        else "world: n/a (give --offense-advantage and --distinguishability)"
    )


def game_cmd(
    offense_advantage: float | None = typer.Option(
        None, "--offense-advantage", help="Offense advantage ω in [0, 1] (Jervis 1978)."
    ),
    distinguishability: float | None = typer.Option(
        None, "--distinguishability", help="Offense–defense distinguishability δ in [0, 1]."
    ),
    payoffs: str | None = typer.Option(
        None, "--payoffs", help="The payoffs R,T,S,P instead of Jervis's variables."
    ),
    cost: float | None = typer.Option(
        None, "--cost", help="Cost of arms c (Jervis map; default 0.5)."
    ),
    stakes: float | None = typer.Option(
        None, "--stakes", help="Value of security v > 0 (Jervis map; default 1)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """A one-shot security game: its matrix, class, Nash equilibria and Jervis's world."""
    from herz.models.games import Game

    jervis = offense_advantage is not None or distinguishability is not None
    if payoffs is not None and jervis:
        raise InputError(
            "give either --payoffs or --offense-advantage with --distinguishability, not both."
        )
    if payoffs is not None:
        for flag, value in (("--cost", cost), ("--stakes", stakes)):
            if value is not None:  # they parametrize Jervis's map, which --payoffs replaces
                raise InputError(
                    f"{flag} is an input of Jervis's map (with --offense-advantage and "
                    f"--distinguishability); --payoffs gives the payoffs themselves.",
                    field=flag,
                    value=value,
                )
        game = Game.from_payoffs(*_parse_payoffs(payoffs))
    elif offense_advantage is not None and distinguishability is not None:
        game = Game.from_jervis(
            offense_advantage,
            distinguishability,
            cost=0.5 if cost is None else cost,
            stakes=1.0 if stakes is None else stakes,
        )
    elif jervis:
        missing = "--distinguishability" if distinguishability is None else "--offense-advantage"
        raise InputError(f"{missing} is missing: Jervis's map needs both ω and δ.")
    else:
        raise InputError("give --offense-advantage W --distinguishability D, or --payoffs R,T,S,P.")
    if as_json:
        _echo_json(game.to_dict())
    else:
        _print_game(game)


def _run_tournament(
    strategies: str,
    turns: int,
    repetitions: int,
    noise: float,
    misperception: float,
    prob_end: float | None,
    seed: int | None,
    payoffs: str | None,
) -> TournamentResult:
    from herz.models.iterated import tournament

    game = _parse_payoffs(payoffs) if payoffs is not None else None
    return tournament(
        _split_strategies(strategies),
        turns=turns,
        repetitions=repetitions,
        noise=noise,
        misperception=misperception,
        seed=seed,
        prob_end=prob_end,
        game=game,
    )


_STRATEGIES_HELP = (
    "Comma-separated strategy names, e.g. tit-for-tat,grim,defector. Valid: alternator, "
    "anti-tit-for-tat, bully, cooperator, defector, defensive-realist, generous-tit-for-tat, "
    "grim, grit, offensive-realist, random, suspicious-tit-for-tat, tit-for-tat, "
    "tit-for-two-tats, win-stay-lose-shift; axelrod display names such as 'Tit For Tat', "
    "'Grudger', 'GTFT: 0.33'; and, with the axelrod library installed, any axelrod strategy "
    "('Prober', 'Gradual', ...), played on the slow path (turn by turn in Python)."
)


def tournament_cmd(
    strategies: str = typer.Option(..., "--strategies", help=_STRATEGIES_HELP),
    turns: int = typer.Option(200, "--turns", help="Turns per match (cap with --prob-end)."),
    repetitions: int = typer.Option(10, "--repetitions", help="Repetitions of every match."),
    noise: float = typer.Option(0.0, "--noise", help="Implementation noise ε in [0, 1]."),
    misperception: float = typer.Option(0.0, "--misperception", help="Misperception μ in [0, 1]."),
    prob_end: float | None = typer.Option(
        None, "--prob-end", help="Probability a match ends after each turn."
    ),
    seed: int | None = typer.Option(None, "--seed", help="Root random seed."),
    payoffs: str | None = typer.Option(
        None, "--payoffs", help="The stage game R,T,S,P (default 3,5,0,1)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    out: Path | None = typer.Option(
        None, "--out", help="Directory for the heat map (PNG) and the payoff matrix (CSV)."
    ),
) -> None:
    """A round-robin tournament of iterated security games (axelrod's conventions)."""
    out_dir = _out_dir(out)
    res = _run_tournament(
        strategies, turns, repetitions, noise, misperception, prob_end, seed, payoffs
    )
    if out_dir is not None:
        res.payoff_matrix.to_csv(out_dir / "tournament_payoff_matrix.csv")
        res.to_frame().to_csv(out_dir / "tournament_summary.csv")
        fig = res.plot()
        fig.savefig(out_dir / "tournament_payoffs.png", dpi=120)
    if as_json:
        _echo_json(res.to_dict())
        return
    frame = res.to_frame()
    typer.echo(
        f"tournament: {len(res.players)} players, {res.turns} turns, "
        f"{res.repetitions} repetitions, noise {res.noise:g}, misperception "
        f"{res.misperception:g}, seed {res.seed}"
    )
    width = max(len(p) for p in res.players) + 2
    typer.echo(f"{'rank':>4}  {'player'.ljust(width)}{'mean score':>11}{'cooperation':>13}")
    for rank, row in frame.iterrows():
        typer.echo(
            f"{rank:>4}  {str(row['player']).ljust(width)}{row['mean_score']:>11.4f}"
            f"{row['cooperation_rate']:>13.3f}"
        )
    if res.note:
        typer.echo(res.note)
    if out_dir is not None:
        typer.echo(f"wrote {out_dir / 'tournament_payoffs.png'} and CSV files")


def evolve_cmd(
    strategies: str = typer.Option(..., "--strategies", help=_STRATEGIES_HELP),
    method: str = typer.Option("moran", "--method", help="moran or replicator."),
    population: int | None = typer.Option(
        None, "--population", help="Population size N (moran; default 100)."
    ),
    generations: int | None = typer.Option(
        None,
        "--generations",
        help="Generations: birth-death events for moran (default 20·N), steps for replicator "
        "(default 100).",
    ),
    runs: int | None = typer.Option(
        None, "--runs", help="Independent Moran runs, averaged (default 1)."
    ),
    intensity: float | None = typer.Option(
        None, "--intensity", help="Selection intensity w (moran; default 1)."
    ),
    turns: int = typer.Option(200, "--turns", help="Turns per match of the tournament."),
    repetitions: int = typer.Option(10, "--repetitions", help="Tournament repetitions."),
    noise: float = typer.Option(0.0, "--noise", help="Implementation noise ε in [0, 1]."),
    misperception: float = typer.Option(0.0, "--misperception", help="Misperception μ in [0, 1]."),
    seed: int | None = typer.Option(None, "--seed", help="Root random seed."),
    payoffs: str | None = typer.Option(
        None, "--payoffs", help="The stage game R,T,S,P (default 3,5,0,1)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    out: Path | None = typer.Option(
        None, "--out", help="Directory for the population-share plot (PNG) and shares (CSV)."
    ),
) -> None:
    """Evolution of strategies on a tournament's payoff matrix (Moran process or replicator)."""
    from herz.models.evolution import moran_process, replicator_dynamics

    if method not in METHODS:
        raise InputError(
            f"--method must be one of {', '.join(METHODS)}, got {method!r}.", field="--method"
        )
    if method == "replicator":
        # the replicator dynamics is deterministic and infinite: these would be ignored
        for flag, value in (
            ("--population", population),
            ("--runs", runs),
            ("--intensity", intensity),
        ):
            if value is not None:
                raise InputError(
                    f"{flag} is an option of --method moran; the replicator dynamics has no "
                    f"population, runs or selection intensity (got {flag} {value}).",
                    field=flag,
                    value=value,
                )
    population = 100 if population is None else population
    runs = 1 if runs is None else runs
    intensity = 1.0 if intensity is None else intensity
    out_dir = _out_dir(out)
    if seed is None:
        # one root seed for the tournament and the Moran process, drawn here and recorded:
        # each drawing its own left the run impossible to repeat from the seed it printed
        from herz.simulation import new_seed

        seed = new_seed()
    res = _run_tournament(strategies, turns, repetitions, noise, misperception, None, seed, payoffs)
    if method == "moran":
        gens = generations if generations is not None else 20 * population
        evo = moran_process(
            res.payoff_array,
            population=population,
            generations=gens,
            players=res.players,
            runs=runs,
            intensity=intensity,
            seed=seed,
        )
    else:
        gens = generations if generations is not None else 100
        evo = replicator_dynamics(res.payoff_array, generations=gens, players=res.players)
    if out_dir is not None:
        evo.to_frame().to_csv(out_dir / f"evolution_{method}_shares.csv")
        fig = evo.plot()
        fig.savefig(out_dir / f"evolution_{method}_shares.png", dpi=120)
    if as_json:
        data = evo.to_dict()
        data["tournament"] = {"mean_scores": res.mean_scores, "seed": res.seed}
        _echo_json(data)
        return
    typer.echo(
        f"{method}: {len(evo.players)} strategies, {evo.generations} generations, seed {seed}"
    )
    width = max(len(p) for p in evo.players) + 2
    typer.echo(f"{'strategy'.ljust(width)}{'initial':>9}{'final':>9}")
    first = evo.mean_shares[0]
    for i, (name, share) in enumerate(evo.final_shares.items()):
        typer.echo(f"{name.ljust(width)}{first[i]:>9.3f}{share:>9.3f}")
    if out_dir is not None:
        typer.echo(f"wrote {out_dir / f'evolution_{method}_shares.png'}")


def _named_by_flag(command: Callable[..., None]) -> Callable[..., None]:
    """``command`` with the API's field names in its InputErrors replaced by the flags the
    user typed ("turns must be a positive integer" becomes "--turns: must be a positive
    integer"), as the other commands' errors name their flags."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            command(*args, **kwargs)
        except InputError as exc:
            field = exc.field or ""
            message = exc.message
            if field and not message.startswith("--") and message.startswith(f"{field} "):
                message = f"--{field.replace('_', '-')}: {message[len(field) + 1 :]}"
            elif field and message.startswith(f"{field}:"):
                message = f"--{field.replace('_', '-')}{message[len(field) :]}"
            raise InputError(message, field=exc.field, value=exc.value) from None

    return run


def register(app: typer.Typer) -> None:
    """Add the ``game``, ``tournament`` and ``evolve`` commands to ``app``."""
    app.command("game")(_named_by_flag(game_cmd))
    app.command("tournament")(_named_by_flag(tournament_cmd))
    app.command("evolve")(_named_by_flag(evolve_cmd))
