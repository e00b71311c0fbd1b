"""The machinery every ``herz`` command group shares: error handling and exit codes.

Every command calls the same functions a notebook user calls. Bad input raises
:class:`herz.errors.InputError`; the command group turns it into one line on stderr and exit
code 2, never a traceback. Heavy libraries are imported inside the commands so that
``herz --help`` stays fast.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

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
