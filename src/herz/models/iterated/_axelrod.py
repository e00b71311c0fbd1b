"""The machinery of the axelrod adapter: finding axelrod players and playing them turn by turn.

Used by :mod:`herz.models.iterated.kernel` (which must not depend on the public adapter,
:mod:`herz.models.iterated.axelrod_adapter`, that builds on it). Nothing here imports axelrod
until it is needed: the library takes seconds to import.

* :func:`lookup` finds an axelrod strategy by display name (``"Prober"``, ``"Tit For 2
  Tats"``), with parameters as axelrod prints them (``"First by Joss: 0.8"``), or by class
  name (``"HardProber"``), and returns an :class:`AxelrodPlayer`;
* :func:`from_object` wraps an axelrod ``Player`` class or instance;
* :class:`AxelrodPlayer` makes, for each match, an :class:`AxelrodAgent`: a fresh clone of
  the player with axelrod's match attributes (length, game, noise) and a seed, which chooses
  by calling axelrod's ``strategy()`` and records what happened with ``update_history``.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import sys
from typing import TYPE_CHECKING, Any

from herz.errors import InputError

if TYPE_CHECKING:
    from herz.models.games import Game

__all__ = [
    "INSTALL_HINT",
    "AxelrodAgent",
    "AxelrodPlayer",
    "available",
    "display_names",
    "from_object",
    "import_axelrod",
    "lookup",
]

INSTALL_HINT = "pip install 'herz[axelrod]'"


def available() -> bool:
    """Whether the axelrod library can be imported (without importing it)."""
    return "axelrod" in sys.modules or importlib.util.find_spec("axelrod") is not None


def import_axelrod(purpose: str = "this") -> Any:
    """The axelrod module; an InputError saying how to install it when it is missing."""
    try:
        import axelrod
    except ImportError:
        raise InputError(
            f"{purpose} needs the axelrod library, which is not installed ({INSTALL_HINT})."
        ) from None
    return axelrod


def _squash(name: str) -> str:
    """A name with case and every space, hyphen and underscore removed, so that a display name
    ("Nice Meta Winner") and a class name ("NiceMetaWinner") meet."""
    return "".join(ch for ch in name.lower() if ch not in " -_")


@functools.cache
def _source_names() -> tuple[frozenset[str], tuple[str, ...]]:
    """What axelrod's strategy names could be, read from its source files without importing
    it (``import axelrod`` takes about ten seconds, and a mistyped herz name should not wait
    for it): the squashed class names, ``name = "..."`` strings of class bodies and names bound
    at module level (strategies made by a factory, ``NiceMetaWinner = ...``) of
    ``axelrod/strategies``, and the display strings among them, for "did you mean". A
    superset of the real names (``tests/test_axelrod_adapter.py`` checks that every strategy
    axelrod lists is in it), so a name outside it is certainly not axelrod's."""
    spec = importlib.util.find_spec("axelrod")
    if spec is None or spec.origin is None:
        return frozenset(), ()
    from pathlib import Path

    folder = Path(spec.origin).parent / "strategies"
    squashed: set[str] = set()
    shown: set[str] = set()
    for path in folder.rglob("*.py"):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            return frozenset(), ()  # cannot read the source: no pre-check (see lookup)
        for node in tree.body:
            if isinstance(node, ast.Assign):
                squashed.update(_squash(t.id) for t in node.targets if isinstance(t, ast.Name))
        for found in ast.walk(tree):
            if not isinstance(found, ast.ClassDef):
                continue
            squashed.add(_squash(found.name))
            for item in found.body:
                if (
                    isinstance(item, ast.Assign)
                    and any(isinstance(t, ast.Name) and t.id == "name" for t in item.targets)
                    and isinstance(item.value, ast.Constant)
                    and isinstance(item.value.value, str)
                ):
                    squashed.add(_squash(item.value.value))
                    shown.add(item.value.value)
    return frozenset(squashed), tuple(sorted(shown, key=str.lower))


def could_be_axelrod(name: str) -> bool:
    """Whether ``name`` (parameters after ``:`` ignored) may name an axelrod strategy, judged
    from axelrod's source without importing it; True when the source cannot be read."""
    if "axelrod" in sys.modules:
        return True
    names, _ = _source_names()
    return not names or _squash(name.partition(":")[0]) in names


def source_display_names() -> list[str]:
    """axelrod's display names as its source spells them (for suggestions; no import)."""
    return list(_source_names()[1])


def _normalise(name: str) -> str:
    # the kernel's rule: lower case, spaces, hyphens and underscores -> single "-"
    return "-".join(name.strip().lower().replace("_", " ").replace("-", " ").split())


@functools.cache
def _index() -> dict[str, Any]:
    """Normalised name -> axelrod class: class names, then display names (which win)."""
    axl = import_axelrod("an axelrod strategy name")
    out: dict[str, Any] = {}
    for cls in axl.all_strategies:
        out[_normalise(cls.__name__)] = cls
    for cls in axl.all_strategies:
        out[_normalise(cls.name)] = cls
    return out


def display_names() -> list[str]:
    """axelrod's display names of all its strategies, sorted (empty without axelrod)."""
    if not available():
        return []
    return sorted({str(cls.name) for cls in _index().values()}, key=str.lower)


def _parse_value(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def lookup(name: str) -> AxelrodPlayer | None:
    """The axelrod strategy called ``name``, or None when axelrod has none (or is missing).

    ``name`` is a display name or a class name, matched like herz names (case, spaces,
    hyphens and underscores ignored), optionally followed by ``": "`` and the parameters in
    the order axelrod prints them, e.g. ``"First by Joss: 0.8"`` or ``"Limited Retaliate:
    0.1, 20"``.

    Raises
    ------
    InputError
        When the strategy exists but does not take the parameters given.
    """
    if not available() or not could_be_axelrod(name):
        return None
    base, sep, rest = name.partition(":")
    cls = _index().get(_normalise(base))
    if cls is None:
        return None
    args = [_parse_value(a.strip()) for a in rest.split(",")] if sep and rest.strip() else []
    try:
        player = cls(*args)
    except Exception as err:  # axelrod raises anything from bad parameters
        raise InputError(
            f"axelrod's {cls.name!r} does not take the parameters {rest.strip()!r}: {err}.",
            field="strategies",
            value=name,
        ) from None
    return AxelrodPlayer(player)


def from_object(obj: Any) -> AxelrodPlayer | None:
    """An axelrod ``Player`` class (made with its defaults) or instance; None if ``obj`` is
    neither. A given instance is cloned, never played itself."""
    axl = sys.modules.get("axelrod")
    if axl is None:  # nobody made an axelrod player without importing axelrod
        return None
    if isinstance(obj, type) and issubclass(obj, axl.Player):
        try:
            return AxelrodPlayer(obj())
        except Exception as err:
            raise InputError(
                f"the axelrod class {obj.__name__} needs parameters; pass an instance: {err}.",
                field="strategies",
            ) from None
    if isinstance(obj, axl.Player):
        return AxelrodPlayer(obj.clone())
    return None


class AxelrodPlayer:
    """An axelrod player as a herz external player (it plays on the slow path).

    Attributes
    ----------
    prototype:
        The axelrod ``Player`` instance; every match plays a fresh ``clone()`` of it.
    name:
        axelrod's name of the player with its parameters (``str(player)``).
    stochastic:
        axelrod's ``stochastic`` classifier.
    """

    def __init__(self, player: Any) -> None:
        axl = import_axelrod("an axelrod player")
        if not axl.Classifiers.obey_axelrod(player):
            raise InputError(
                f"axelrod's {player.name!r} inspects or manipulates its opponent (it does not "
                "obey Axelrod's rules), which a herz match cannot offer: its opponent is a "
                "stand-in holding the history as perceived.",
                field="strategies",
                value=str(player),
            )
        self.prototype = player
        self.name = str(player)
        self.display_name = self.name
        self.stochastic = bool(axl.Classifiers["stochastic"](player))
        cls = type(player)
        self.source = f"axelrod {axl.__version__}: {cls.__module__}.{cls.__name__}"

    def __repr__(self) -> str:
        return f"AxelrodPlayer({self.name!r})"

    def new_agent(
        self, *, opponent: str, seed: int, game: Game, length: float, noise: float
    ) -> AxelrodAgent:
        """A fresh clone for one match, told the match's attributes as axelrod tells them."""
        return AxelrodAgent(self.prototype, opponent, seed, game, length, noise)

    def to_axelrod(self) -> Any:
        """A fresh clone of the axelrod player."""
        return self.prototype.clone()


class AxelrodAgent:
    """One side of one match: an axelrod player and its view of the opponent.

    :meth:`choose` calls the player's ``strategy()`` with the view; :meth:`record` appends
    the turn to both histories: to the player's the action it played (after implementation
    noise, as in axelrod) and the opponent's as it perceived it; to the view's the same pair
    swapped.
    """

    def __init__(
        self, prototype: Any, opponent: str, seed: int, game: Game, length: float, noise: float
    ) -> None:
        axl = sys.modules["axelrod"]
        from herz.models.iterated._axelrod_players import PerceivedOpponent

        player = prototype.clone()
        axl_game = axl.Game(r=game.R, s=game.S, t=game.T, p=game.P)
        player.set_match_attributes(length=length, game=axl_game, noise=noise)
        player.set_seed(seed)
        self.player = player
        self.view = PerceivedOpponent(opponent)
        self._actions = (axl.Action.C, axl.Action.D)
        self._c = axl.Action.C

    def choose(self) -> int:
        """The action the player chooses this turn: 0 = C, 1 = D."""
        return 0 if self.player.strategy(self.view) == self._c else 1

    def record(self, own: int, seen: int) -> None:
        """Record a turn: the action played and the opponent's as perceived (0 = C, 1 = D)."""
        a, b = self._actions[own], self._actions[seen]
        self.player.update_history(a, b)
        self.view.update_history(b, a)


def to_axelrod_machine(strategy: Any) -> Any:
    """A herz machine strategy as an axelrod player (:class:`HerzPlayer`)."""
    import_axelrod("exporting a herz strategy to axelrod")
    from herz.models.iterated._axelrod_players import HerzPlayer

    return HerzPlayer(strategy)
