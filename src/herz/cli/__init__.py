"""The ``herz`` command line: a thin layer over the public Python API.

Every command calls the same functions a notebook user calls. Bad input raises
:class:`herz.errors.InputError`; the command group turns it into one line on stderr and exit
code 2, never a traceback. Heavy libraries are imported inside the commands so that
``herz --help`` stays fast. One module per capability (:mod:`~herz.cli.run`,
:mod:`~herz.cli.games`, :mod:`~herz.cli.history`, :mod:`~herz.cli.sweep`,
:mod:`~herz.cli.sensitivity`, :mod:`~herz.cli.web`),
each with a ``register(app)`` function; :mod:`~herz.cli._app` holds what they share.
"""

from __future__ import annotations

import typer

from herz._version import __version__
from herz.cli import _app, backtest, calibrate, games, history, run, sensitivity, sweep, web
from herz.cli._app import EXIT_BAD_INPUT, HerzGroup, new_app

__all__ = ["EXIT_BAD_INPUT", "HerzGroup", "app", "main", "new_app"]

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
    debug: bool = typer.Option(
        False, "--debug", help="Show the traceback of an internal error (exit code 1)."
    ),
) -> None:
    """herz: a laboratory for the security dilemma."""
    _app.DEBUG = debug


# One line per capability module.
for _module in (run, games, history, sweep, sensitivity, web, backtest, calibrate):
    _module.register(app)


def main() -> None:
    """Entry point of the ``herz`` console script (and ``python -m herz``): SIGTERM stops a
    command as Ctrl-C does, cleaning up, with exit code 143 (:func:`_app.handle_sigterm`)."""
    _app.handle_sigterm()
    app()
