"""Any axelrod strategy in herz tournaments, and herz strategies in axelrod's: the adapter.

herz's own strategies are array state machines that a whole tournament advances together
(:mod:`herz.models.iterated.kernel`). The axelrod library (Knight et al. 2016) has over 240
strategies written as Python classes. This module joins the two:

* **axelrod players in herz.** :func:`from_axelrod` (and :func:`~herz.models.iterated.get_strategy`,
  :func:`~herz.models.iterated.tournament`, ``herz tournament``, the ``iterated:`` block of a
  scenario, which all accept axelrod names, classes and instances) wrap an axelrod ``Player``
  as an :class:`~herz.models.iterated.kernel.ExternalStrategy`. Its matches run on the
  **slow path**: one match at a time, turn by turn in a Python loop that calls the player's
  ``strategy()``, beside the vectorised matches of the herz machines in the same tournament.
  The semantics are herz's: implementation noise flips the chosen action and both sides see
  the flip; misperception flips what each side records of the other (the axelrod player sees
  a stand-in opponent whose history is the one it perceived); the match's random stream is
  keyed by (pair, repetition), and the player's own generator is seeded from it, so results
  do not depend on the order of play. Each match plays a fresh ``clone()`` told the match's
  length (``inf`` with ``prob_end``), game and noise, as axelrod's ``Match`` tells it.
* **Names.** Axelrod's display names of the strategies herz has as machines give the fast
  machine (``"Grudger"``, ``"Tit For 2 Tats"``, ``"GTFT: 0.33"``: see
  :data:`AXELROD_EQUIVALENTS`); every other axelrod name (``"Prober"``, ``"Gradual"``,
  ``"First by Joss: 0.8"``, or a class name such as ``"HardProber"``) gives the slow path.
  :func:`from_axelrod` always gives the slow path, even for those names.
* **herz strategies in axelrod.** :func:`to_axelrod` returns an axelrod ``Player`` whose
  ``strategy()`` walks the herz machine (drawing from the player's own ``_random`` in the
  stochastic states), so herz strategies can enter axelrod's matches and tournaments.

axelrod is optional (``pip install 'herz[axelrod]'``) and imported only when first needed
(importing it takes seconds); without it, axelrod names are refused with an
:class:`~herz.errors.InputError` that says how to install it.

Strategies that inspect or manipulate their opponent (axelrod's cheaters, e.g. ``Darwin``)
are refused: on the slow path the opponent is a stand-in.

References
----------
Knight, V. et al. (2016). An open framework for the reproducible study of the iterated
prisoner's dilemma. *Journal of Open Research Software* 4(1), e35.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from herz.errors import InputError
from herz.models.iterated import _axelrod
from herz.models.iterated.kernel import ExternalStrategy, Strategy, _external, get_strategy

if TYPE_CHECKING:
    from herz.models.games import Game

__all__ = ["AXELROD_EQUIVALENTS", "axelrod_names", "from_axelrod", "to_axelrod"]

#: axelrod display name -> the herz machine it gives (equal play, tested against axelrod:
#: exactly for the deterministic ones, within sampling error for GTFT and Random).
AXELROD_EQUIVALENTS: dict[str, str] = {
    "Cooperator": "cooperator",
    "Defector": "defector",
    "Tit For Tat": "tit-for-tat",
    "Suspicious Tit For Tat": "suspicious-tit-for-tat",
    "Anti Tit For Tat": "anti-tit-for-tat",
    "Bully": "bully",
    "Tit For 2 Tats": "tit-for-two-tats",
    "Grudger": "grim",
    "Win-Stay Lose-Shift": "win-stay-lose-shift",
    "Alternator": "alternator",
    "GTFT": "generous-tit-for-tat",
    "Random": "random",
}


def axelrod_names() -> list[str]:
    """axelrod's display names of all its strategies, sorted; empty without axelrod.

    Every one is accepted as a strategy name; those in :data:`AXELROD_EQUIVALENTS` give herz
    machines, the others the slow path. Imports axelrod (seconds, once).
    """
    return _axelrod.display_names()


def from_axelrod(player: Any) -> ExternalStrategy:
    """An axelrod player as a herz strategy on the slow path.

    Parameters
    ----------
    player:
        An axelrod ``Player`` instance (cloned for every match, never played itself), a
        ``Player`` class (made with its defaults), or an axelrod name (display name with
        optional parameters, ``"First by Joss: 0.8"``, or class name). Names are looked up
        in axelrod even when herz has the strategy as a machine.

    Raises
    ------
    InputError
        When axelrod is not installed, the name is not axelrod's, or the player inspects
        or manipulates its opponent.
    """
    if isinstance(player, str):
        _axelrod.import_axelrod(f"the axelrod strategy {player!r}")
        found = _axelrod.lookup(player)
        if found is None:
            names = ", ".join(axelrod_names()[:8])
            raise InputError(
                f"axelrod has no strategy called {player!r} (axelrod_names() lists them: "
                f"{names}, ...).",
                field="strategies",
                value=player,
            )
        return _external(found)
    found = _axelrod.from_object(player)
    if found is None:
        raise InputError(
            f"from_axelrod takes an axelrod Player (class or instance) or name, got {player!r}.",
            value=player,
        )
    return _external(found)


def to_axelrod(strategy: str | Strategy, *, game: Game | None = None) -> Any:
    """A herz strategy as an axelrod ``Player``, for axelrod's matches and tournaments.

    Parameters
    ----------
    strategy:
        A :class:`~herz.models.iterated.kernel.Strategy` or any name
        :func:`~herz.models.iterated.get_strategy` accepts. A herz machine becomes a
        ``HerzPlayer`` whose ``strategy()`` walks the machine over the two histories and
        plays C with the state's probability (from the player's ``_random``, which axelrod
        seeds per match, in the stochastic states); its axelrod name is the display name
        followed by ``" (herz)"``. An :class:`~herz.models.iterated.kernel.ExternalStrategy`
        gives back a clone of its axelrod player.
    game:
        The stage game, for game-dependent strategies named by name (GTFT's generosity).

    Examples
    --------
    >>> import axelrod as axl  # doctest: +SKIP
    >>> axl.Match((to_axelrod("grit"), axl.Prober()), turns=6).play()  # doctest: +SKIP
    """
    s = get_strategy(strategy, game=game)
    if isinstance(s, ExternalStrategy):
        player = s.external
        if isinstance(player, _axelrod.AxelrodPlayer):
            return player.to_axelrod()
        raise InputError(f"{s.name!r} is played by outside code that is not axelrod's.")
    return _axelrod.to_axelrod_machine(s)
