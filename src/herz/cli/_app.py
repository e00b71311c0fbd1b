"""The machinery every ``herz`` command group shares: error handling and exit codes.

Every command calls the same functions a notebook user calls. Bad input raises
:class:`herz.errors.InputError`; the command group turns it into one line on stderr and exit
code 2, never a traceback. Heavy libraries are imported inside the commands so that
``herz --help`` stays fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import typer
from typer.core import TyperGroup

from herz.errors import InputError, ModelError

#: Exit code for bad input (a file, a flag, a value), as for command-line usage errors.
EXIT_BAD_INPUT = 2
#: Exit code for a fault inside herz or a model (not the user's doing).
EXIT_INTERNAL = 1
#: Exit code for Ctrl-C (SIGINT), as shells report a process that SIGINT ended (128 + 2).
EXIT_INTERRUPTED = 130
#: Exit code for SIGTERM (``kill``), as shells report a process that SIGTERM ended (128 + 15).
EXIT_TERMINATED = 143

#: Set when SIGTERM arrived (see :func:`handle_sigterm`): the interrupt it raised exits 143.
TERMINATED = False

#: Set by ``herz --debug``: internal faults show their traceback instead of one sentence.
DEBUG = False


class HerzGroup(TyperGroup):
    """A command group that reports errors by cause.

    - :class:`~herz.errors.InputError` (bad input): one sentence on stderr, exit code 2.
    - Ctrl-C (:class:`KeyboardInterrupt`): "interrupted" on stderr, exit code 130; SIGTERM,
      which :func:`handle_sigterm` turns into the same interrupt: "terminated", exit code 143.
    - :class:`~herz.errors.ModelError` or any unexpected exception (a defect in herz or in a
      model): a short message naming it and pointing to ``--debug``, exit code 1; with
      ``herz --debug`` the traceback is shown instead.
    """

    def invoke(self, ctx: Any) -> Any:
        import warnings

        from typer.exceptions import TyperException

        warnings.formatwarning = _one_line_warning  # "warning: ...", not file:line and source
        try:
            return super().invoke(ctx)
        except InputError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except typer.Exit as exc:
            if TERMINATED and exc.exit_code == EXIT_INTERRUPTED:  # a command's own 130
                raise typer.Exit(EXIT_TERMINATED) from None
            raise
        except (typer.Abort, TyperException):  # usage errors, --help
            raise
        except KeyboardInterrupt:
            # Ctrl-C: one line, no traceback (a command with more to say, such as ``sweep``,
            # says it and exits 130 itself).
            if TERMINATED:
                typer.echo("terminated", err=True)
                raise typer.Exit(EXIT_TERMINATED) from None
            typer.echo("interrupted", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except SystemExit:
            raise
        except BrokenPipeError:
            # the reader of stdout stopped early (``| head``): end quietly, as a filter does
            _silence_stdout()
            raise typer.Exit(0) from None
        except Exception as exc:
            if DEBUG:
                raise
            kind = "model error" if isinstance(exc, ModelError) else "internal error"
            text = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
            typer.echo(
                f"error: {kind}: {text} ({type(exc).__name__}). This is not a problem with "
                "your input; run again with 'herz --debug ...' for the traceback and report it.",
                err=True,
            )
            raise typer.Exit(EXIT_INTERNAL) from None


def handle_sigterm() -> None:
    """Make SIGTERM stop a command as Ctrl-C does, for the ``herz`` command line.

    Python's default for SIGTERM ends the process at once, so the ``finally`` blocks that
    clean up after Ctrl-C (``herz run --out``'s staging folder, a sweep's open chunk) never
    ran. The handler installed here hands SIGTERM to the SIGINT handler in force (Python's
    raises :class:`KeyboardInterrupt`; a sweep's holds it until the chunk is written), or
    raises :class:`KeyboardInterrupt` itself where SIGINT is ignored (a job started with
    ``&``). The command then ends as for Ctrl-C, but says "terminated" and exits 143. A
    second SIGTERM ends the process at once, and a process forked from this one keeps the
    default. A SIGTERM ignored when herz started stays ignored.
    """
    import os
    import signal

    if not hasattr(signal, "SIGTERM") or signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
        return
    pid = os.getpid()

    def on_sigterm(signum: int, frame: Any) -> None:
        global TERMINATED
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second one: end now
        if os.getpid() != pid:  # a forked child: end as SIGTERM says
            os.kill(os.getpid(), signal.SIGTERM)
            return
        TERMINATED = True
        handler = signal.getsignal(signal.SIGINT)
        if callable(handler):
            handler(signal.SIGINT, frame)
        else:
            raise KeyboardInterrupt

    import contextlib

    with contextlib.suppress(ValueError):  # not the main thread: leave SIGTERM as it is
        signal.signal(signal.SIGTERM, on_sigterm)


def _one_line_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, line: Any = None
) -> str:
    """A warning on the command line: one line for a person, like the errors."""
    return f"warning: {message}\n"


def _silence_stdout() -> None:
    """Point stdout at the null device, so that what is still buffered for a closed pipe
    does not fail again when Python flushes it at exit."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real stdout (a test runner's): nothing to silence
        pass


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


def with_flag(exc: InputError, flags: Mapping[str, str]) -> InputError:
    """``exc`` with the API's field name at the start of its message replaced by the command's
    flag (``years: ...`` becomes ``--years: ...``), so that the sentence names what the user
    typed; unchanged when the field has no flag."""
    flag = flags.get(exc.field or "")
    message = exc.message
    if flag and exc.field and message.startswith(f"{exc.field}:"):
        message = flag + message[len(exc.field) :]
    return InputError(message, field=exc.field, value=exc.value)
