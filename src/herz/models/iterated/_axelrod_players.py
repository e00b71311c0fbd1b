"""The axelrod ``Player`` subclasses of the adapter (this module imports axelrod).

Imported only on first use by :mod:`herz.models.iterated._axelrod`, because importing axelrod
takes seconds. Two players live here:

* :class:`HerzPlayer`: a herz :class:`~herz.models.iterated.kernel.Strategy` as an axelrod
  player, for axelrod's own matches and tournaments (:func:`herz.models.iterated.to_axelrod`);
* :class:`PerceivedOpponent`: what an axelrod player sees of its opponent when it plays in a
  herz match on the slow path: a stand-in whose history holds the opponent's actions as the
  player perceived them (they differ from the true ones under misperception).

Both are defined at module level so that they pickle (axelrod's parallel tournaments pickle
their players).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import axelrod as axl

if TYPE_CHECKING:
    from herz.models.iterated.kernel import Strategy

__all__ = ["HerzPlayer", "PerceivedOpponent"]

_C, _D = axl.Action.C, axl.Action.D

#: Classifier keys every axelrod player declares (axelrod's ``Classifiers``).
_PLAIN_CLASSIFIER: dict[str, Any] = {
    "memory_depth": float("inf"),
    "stochastic": False,
    "long_run_time": False,
    "inspects_source": False,
    "manipulates_source": False,
    "manipulates_state": False,
}


class HerzPlayer(axl.Player):  # type: ignore[misc]  # axelrod has no type hints
    """A herz strategy as an axelrod player: ``strategy()`` walks the herz state machine.

    Each call first advances the machine over the turns played since the last call, with the
    player's own action and the opponent's as recorded in the two histories (so an axelrod
    ``noise`` flip is seen by both, as in herz), then plays C with the state's probability
    ``p_cooperate``, drawing from the player's own ``_random`` (axelrod seeds it per match)
    when that probability lies strictly between 0 and 1.

    Parameters
    ----------
    strategy:
        The herz :class:`~herz.models.iterated.kernel.Strategy` (a machine, not an
        :class:`~herz.models.iterated.kernel.ExternalStrategy`).
    """

    name = "herz"
    classifier: ClassVar[dict[str, Any]] = dict(_PLAIN_CLASSIFIER)

    def __init__(self, strategy: Strategy) -> None:
        super().__init__()
        self.herz_strategy = strategy
        self.name = f"{strategy.display_name} (herz)"
        self.classifier["stochastic"] = bool(strategy.stochastic)
        self.classifier["memory_depth"] = 0 if strategy.n_states == 1 else float("inf")
        self._p: list[float] = [float(x) for x in strategy.p_cooperate]
        self._tr: list[list[list[int]]] = strategy.transitions.tolist()
        self._state = int(strategy.initial_state)
        self._consumed = 0

    def __repr__(self) -> str:
        return str(self.name)

    def strategy(self, opponent: Any) -> Any:
        """The next action: C or D (axelrod's ``Action``)."""
        own, other = self.history, opponent.history
        while self._consumed < len(own):
            i = self._consumed
            a = 0 if own[i] == _C else 1
            b = 0 if other[i] == _C else 1
            self._state = self._tr[self._state][a][b]
            self._consumed += 1
        p = self._p[self._state]
        if p >= 1.0:
            return _C
        if p <= 0.0:
            return _D
        return self._random.random_choice(p)


class PerceivedOpponent(axl.Player):  # type: ignore[misc]  # axelrod has no type hints
    """The opponent as an axelrod player perceives it in a herz match (never plays itself).

    Its history is the opponent's actions as perceived (after misperception) with the
    perceiving player's own actions as co-plays; ``name`` is the opponent's name. Axelrod's
    ordinary strategies read only ``history``, ``cooperations`` and ``defections`` of their
    opponent, all of which this stand-in keeps.
    """

    name = "Perceived opponent"
    classifier: ClassVar[dict[str, Any]] = dict(_PLAIN_CLASSIFIER)

    def __init__(self, label: str = "") -> None:
        super().__init__()
        if label:
            self.name = label

    def strategy(self, opponent: Any) -> Any:
        raise NotImplementedError("a perceived opponent does not play")
