"""The ``herz`` command line: a thin layer over the public Python API.

Every command calls the same functions a notebook user calls. Bad input raises
:class:`herz.errors.InputError`; the command group turns it into one line on stderr and exit
code 2, never a traceback. Heavy libraries are imported inside the commands so that
``herz --help`` stays fast.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from herz._version import __version__
from herz.errors import InputError

#: Exit code for bad input (a file, a flag, a value), as for command-line usage errors.
EXIT_BAD_INPUT = 2


class HerzGroup(TyperGroup):
    """A command group that reports :class:`InputError` as one sentence and exit code 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None


def new_app(help: str) -> typer.Typer:
    """A Typer app configured the herz way (used for the main app and its sub-apps)."""
    return typer.Typer(
        cls=HerzGroup,
        help=help,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )


app = new_app(
    "herz: a laboratory for the security dilemma (Richardson arms races, Jervis's security "
    "games, the spiral model, history)."
)


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"herz {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version_callback,
        is_eager=True,
        help="Print the herz version and exit.",
    ),
) -> None:
    """herz: a laboratory for the security dilemma."""


# --- command registrations -------------------------------------------------------------------
# Each capability keeps its commands in its own module with a ``register(app)`` function;
# add one line here per module.
from herz import cli_core  # noqa: E402

cli_core.register(app)
from herz import cli_games  # noqa: E402

cli_games.register(app)
from herz import cli_history  # noqa: E402

cli_history.register(app)
from herz import cli_experiments  # noqa: E402

cli_experiments.register(app)
from herz import cli_web  # noqa: E402

cli_web.register(app)
# --- end of command registrations ------------------------------------------------------------


def main() -> None:
    """Entry point of the ``herz`` console script."""
    app()
