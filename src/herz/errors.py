"""The exceptions herz raises, in one place.

::

    HerzError                 base of everything herz raises on purpose
    ├── InputError            bad input from a person: a file, a flag, an API request (ValueError)
    │   ├── ScenarioError     a scenario document that does not validate
    │   └── ClusterLostError  the Dask scheduler of a sweep went away; --resume completes it
    └── ModelError            a model asked to do something it cannot (e.g. a singular system)

Every ``InputError`` carries one sentence meant for a person. It names the file (when there is
one), the field path (e.g. ``states[3].military``) and the offending value. The CLI prints it
and exits with code 2; the web API answers HTTP 422 with it.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ClusterLostError",
    "HerzError",
    "InputError",
    "ModelError",
    "NumericalOverflowWarning",
    "ScenarioError",
]


class HerzError(Exception):
    """Base class of the exceptions herz raises deliberately."""


class InputError(HerzError, ValueError):
    """Bad input from a person: one clear sentence, no traceback needed.

    Parameters
    ----------
    message:
        The sentence shown to the user.
    source:
        The file (or other origin, e.g. ``"--set"``) the input came from, if any.
    field:
        The dotted field path inside that input, e.g. ``"states[3].military"``.
    value:
        The offending value, if there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        field: str | None = None,
        value: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.field = field
        self.value = value

    def __str__(self) -> str:
        return self.message


class ScenarioError(InputError):
    """A scenario document (file, dict or override) that does not validate."""


class ClusterLostError(InputError):
    """The Dask scheduler a sweep ran on went away in the middle (it stopped, its machine or
    the network failed). Like a full disk, it is the environment's doing, not herz's: one
    sentence, exit code 2, and the chunks stored before are kept, so running the sweep again
    with ``--resume`` (``resume=True``) on any executor completes it."""


class ModelError(HerzError):
    """A model cannot do what was asked (for example, a singular Richardson system)."""


class NumericalOverflowWarning(RuntimeWarning):
    """A run went beyond the floating-point range (about 1.8e308): an explosive process (a
    runaway arms race, an economy growing for millennia) followed further than numbers can.
    The results it touched are inf or NaN (null in JSON); one warning per run call names the
    model, the scenario and the steps, instead of NumPy's raw "overflow encountered" lines."""
