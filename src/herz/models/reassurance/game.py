"""Kydd's trust game and reassurance game in closed form.

Sources: Kydd, A. H. (1997), "Game Theory and the Spiral Model", *World Politics* 49(3):371–400;
Kydd, A. H. (2000), "Trust, Reassurance, and Cooperation", *International Organization*
54(2):325–357; Kydd, A. H. (2005), *Trust and Mistrust in International Relations*, Princeton
University Press, ch. 2 ("Trust and the Security Dilemma", from p. 28; "The Security Dilemma
Game", from p. 29) and ch. 7 (reassurance and the end of the Cold War).

Page references are to the start of the section that sets out the game; the equations below
are written in our notation and re-derived here (the derivations are short and are in
docs/reassurance.md), not copied from the texts. What the sources leave verbal and we had to
make precise is marked **ours**.

**The one-shot security dilemma game** (Kydd 2005, p. 29; Kydd 1997). Two states each choose
C (cooperate: restrain) or D (defect: arm). A state's payoff is 1 for (C, C), 0 for (D, D),
−c for (C, D) (exploited) and t for (D, C) (exploiting). Its type is private: a *security
seeker* ("trustworthy") has t = t_S < 1 and so prefers mutual cooperation to exploiting (an
assurance game); a *greedy* state ("untrustworthy") has t = t_G > 1, so D dominates. μ_ij is
i's belief that j is greedy; the priors are common knowledge.

A security seeker cooperates iff the chance that the other cooperates, P, satisfies
P·1 + (1 − P)(−c) ≥ P·t_S, i.e. P ≥ c / (1 − t_S + c). If the other's security seeker
cooperates, P = 1 − μ, so the cooperative equilibrium needs μ ≤ μ* with the **trust threshold**

    μ* = (1 − t_S) / (1 − t_S + c)                                                    (1)

*Trust* is the observer's belief that the other is greedy below μ* (Kydd 2005, p. 3 defines
trust as the belief that the other is trustworthy; the threshold (1) is where that belief is
enough to sustain cooperation).

Perfect Bayesian equilibria of the one-shot game (types move simultaneously, so every
information set is on the path and beliefs are the priors):

* **spiral** (all types defect): always exists, since D is a best reply to D for both types;
* **cooperative** (security seekers cooperate, greedy types defect): exists iff μ_12 ≤ μ* and
  μ_21 ≤ μ*: *both* sides must trust. Beliefs about beliefs: if μ_12 ≤ μ* < μ_21, state 1
  trusts 2, but 1 knows that 2 fears it, so 2's security seeker defects, and so does 1's: a
  security seeker defects because it fears the other fears it (:func:`fear_of_fear`);
* **mixed** (security seekers cooperate with probabilities that leave the other's security
  seeker indifferent): exists iff μ_12 < μ* and μ_21 < μ*.

Where i is unsure of j's belief, **ours**: i holds a probability φ_i that j's security seeker
trusts it, and i's security seeker cooperates iff (1 − μ_ij) φ_i ≥ 1 − μ* (:func:`cooperates`).

**The reassurance game** (Kydd 2000; Kydd 2005 ch. 7). Before a round of the game above, the
sender S (belief ν that the receiver R is greedy) may cut its military by a share s ∈ [0, 1],
at the cost k·s to either type. R updates μ by Bayes' rule and then plays the cooperative
equilibrium of the continuation if it trusts (μ' ≤ μ*; it also needs ν ≤ μ*), else the spiral.
Being trusted is worth, **ours** (the stakes of Kydd's continuation game made explicit):

    B_S = H · (1 − ν (1 + c))     to a security seeker: H rounds of cooperation instead of
                                  the spiral, each worth (1 − ν)·1 + ν·(−c);
    B_G = (1 − ν) · t_G           to a greedy state: it exploits R's cooperation once and is
                                  found out;                                                 (2)

both 0 when ν > μ* (then no cooperative continuation exists). Hence

* **separating** (the security seeker sends s, the greedy state sends nothing; beliefs 0 after
  s, 1 after no signal): exists iff B_G ≤ k s ≤ B_S;
* the **minimal separating signal** is the smallest s on a grid of step ``grain`` with
  k s > B_G (the greedy state strictly prefers not to send it) and k s ≤ B_S (the security
  seeker weakly prefers to): the least-cost separating equilibrium that the Intuitive
  Criterion selects;
* **pooling on no signal**: a PBE with the off-path belief 1 after a signal; it fails the
  Intuitive Criterion when μ > μ* and some s ≤ 1 has B_G < k s < B_S;
* **pooling on s > 0**: exists iff μ ≤ μ* and k s ≤ min(B_S, B_G) (off-path belief 1);
* **semi-separating** at s with 0 < k s ≤ B_G, μ > μ* and B_S ≥ B_G: the greedy state sends s
  with probability σ = μ*(1 − μ) / (μ (1 − μ*)), so that the posterior after s is exactly μ*,
  and R (indifferent there) plays the cooperative continuation with probability
  ρ = k s / B_G (a public randomization over continuation equilibria, **ours**), which leaves
  the greedy state indifferent. The belief reaches μ* but never falls below it, so
  semi-separating signals never create trust by definition (1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Equilibrium",
    "ReassuranceGame",
    "SignalEquilibrium",
    "TrustGame",
    "cooperates",
    "fear_of_fear",
    "minimal_separating_signal",
    "one_shot_equilibria",
    "posterior",
    "signal_equilibria",
    "trust_path",
    "trust_threshold",
]

FloatArray = NDArray[np.float64]
#: Action labels of the stage game.
C, D = "C", "D"


@dataclass(frozen=True)
class TrustGame:
    """Kydd's security dilemma game (Kydd 2005, p. 29; Kydd 1997): payoffs to one player.

    Attributes
    ----------
    t_secure:
        t_S, a security seeker's payoff from exploiting (D, C); 0 ≤ t_S < 1.
    t_greedy:
        t_G, a greedy state's payoff from exploiting; t_G > 1.
    cost:
        c > 0: the loss from being exploited (C, D). (C, C) pays 1 and (D, D) pays 0.
    """

    t_secure: float = 0.5
    t_greedy: float = 1.5
    cost: float = 1.0

    def __post_init__(self) -> None:
        if not 0 <= self.t_secure < 1:
            raise ValueError(f"t_secure must be in [0, 1), got {self.t_secure!r}.")
        if not self.t_greedy > 1:
            raise ValueError(f"t_greedy must be greater than 1, got {self.t_greedy!r}.")
        if not self.cost > 0:
            raise ValueError(f"cost must be positive, got {self.cost!r}.")

    def payoff(self, own: str, other: str, *, greedy: bool) -> float:
        """The payoff of a player of the given type playing ``own`` against ``other``."""
        if own == C:
            return 1.0 if other == C else -self.cost
        if other == C:
            return self.t_greedy if greedy else self.t_secure
        return 0.0

    @property
    def threshold(self) -> float:
        """μ*, equation (1): see :func:`trust_threshold`."""
        return trust_threshold(self)


def trust_threshold(game: TrustGame) -> float:
    """μ* = (1 − t_S) / (1 − t_S + c), equation (1) of the module docstring.

    The largest belief that the other is greedy at which a security seeker still cooperates
    when the other's security seeker does (Kydd 2005, ch. 2, p. 29ff.; re-derived).
    """
    return (1.0 - game.t_secure) / (1.0 - game.t_secure + game.cost)


def cooperates(game: TrustGame, mu: float, phi: float = 1.0) -> bool:
    """Whether a security seeker cooperates given belief ``mu`` that the other is greedy and
    probability ``phi`` that the other's security seeker trusts it (**ours**, the
    second-order belief): (1 − μ) φ ≥ 1 − μ*."""
    return (1.0 - mu) * phi >= 1.0 - trust_threshold(game)


def fear_of_fear(game: TrustGame, mu_12: float, mu_21: float) -> bool:
    """Whether state 1 trusts state 2 but its security seeker defects all the same, because it
    knows that 2 fears it: μ_12 ≤ μ* < μ_21 (Kydd 1997's spiral; common-knowledge priors)."""
    threshold = trust_threshold(game)
    return mu_12 <= threshold < mu_21


@dataclass(frozen=True)
class Equilibrium:
    """One perfect Bayesian equilibrium of the one-shot game.

    ``cooperate[i][k]`` is the probability that player i (0 or 1) of type k (0: security
    seeker, 1: greedy) plays C; ``beliefs`` are (μ_12, μ_21), on the path everywhere.
    """

    name: str
    exists: bool
    condition: str
    cooperate: tuple[tuple[float, float], tuple[float, float]]
    beliefs: tuple[float, float]


def _check_belief(name: str, value: float) -> None:
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}.")


def one_shot_equilibria(game: TrustGame, mu_12: float, mu_21: float) -> list[Equilibrium]:
    """The spiral, cooperative and mixed equilibria of the one-shot game, each with whether it
    exists at the priors ``mu_12`` (1's belief that 2 is greedy) and ``mu_21``."""
    _check_belief("mu_12", mu_12)
    _check_belief("mu_21", mu_21)
    p = trust_threshold(game)
    beliefs = (mu_12, mu_21)
    # mixed: 1's security seeker is indifferent iff (1 − μ_12) q_2 = 1 − μ*.
    q2 = (1 - p) / (1 - mu_12) if mu_12 < 1 else math.inf
    q1 = (1 - p) / (1 - mu_21) if mu_21 < 1 else math.inf
    mixed_exists = mu_12 < p and mu_21 < p
    return [
        Equilibrium("spiral", True, "always", ((0.0, 0.0), (0.0, 0.0)), beliefs),
        Equilibrium(
            "cooperative",
            mu_12 <= p and mu_21 <= p,
            "mu_12 <= mu* and mu_21 <= mu*",
            ((1.0, 0.0), (1.0, 0.0)),
            beliefs,
        ),
        Equilibrium(
            "mixed",
            mixed_exists,
            "mu_12 < mu* and mu_21 < mu*",
            ((min(q1, 1.0), 0.0), (min(q2, 1.0), 0.0)) if mixed_exists else ((0, 0), (0, 0)),
            beliefs,
        ),
    ]


# -- the reassurance game ---------------------------------------------------------------------
@dataclass(frozen=True)
class ReassuranceGame:
    """A costly signal before a round of the trust game (Kydd 2000; Kydd 2005 ch. 7).

    Attributes
    ----------
    game:
        The stage game.
    horizon:
        H > 0: rounds of cooperation a trusted security seeker gains (**ours**, equation (2)).
    signal_cost:
        k > 0: the cost of cutting the whole military (a cut of share s costs k·s).
    """

    game: TrustGame = TrustGame()
    horizon: float = 10.0
    signal_cost: float = 20.0

    def __post_init__(self) -> None:
        if not self.horizon > 0:
            raise ValueError(f"horizon must be positive, got {self.horizon!r}.")
        if not self.signal_cost > 0:
            raise ValueError(f"signal_cost must be positive, got {self.signal_cost!r}.")

    def benefit(self, nu: float, *, greedy: bool) -> float:
        """B_S or B_G, equation (2): the value to the sender of being trusted, given its belief
        ``nu`` that the receiver is greedy (0 when ν > μ*: no cooperative continuation)."""
        _check_belief("nu", nu)
        g = self.game
        if nu > trust_threshold(g):
            return 0.0
        if greedy:
            return (1.0 - nu) * g.t_greedy
        return self.horizon * (1.0 - nu * (1.0 + g.cost))

    def bounds(self, nu: float) -> tuple[float, float]:
        """(B_G / k, B_S / k): signals above the first separate; the second is the largest a
        security seeker sends (the separating set is (B_G/k, B_S/k], empty if B_G ≥ B_S)."""
        k = self.signal_cost
        return self.benefit(nu, greedy=True) / k, self.benefit(nu, greedy=False) / k

    def separates(self, size: float, nu: float) -> bool:
        """Whether a cut of ``size`` separates: k s > B_G (strict) and k s ≤ B_S (weak)."""
        k = self.signal_cost
        return (
            k * size > self.benefit(nu, greedy=True)
            and k * size <= self.benefit(nu, greedy=False)
            and 0 < size <= 1
        )

    def informative(self, size: float, nu: float) -> bool:
        """Whether R reads a cut of ``size`` as the security seeker's: k s > B_G while some
        separating equilibrium exists (B_G < B_S). Cuts above B_S/k are off the path; the
        Intuitive Criterion puts no weight on the greedy type there, for whom they are
        dominated."""
        b_g = self.benefit(nu, greedy=True)
        return size > 0 and self.signal_cost * size > b_g and b_g < self.benefit(nu, greedy=False)

    def gain(self, size: float, nu: float, *, greedy: bool, trusted: float = 1.0) -> float:
        """The sender's gain from sending ``size`` rather than nothing, when the receiver
        plays the cooperative continuation with probability ``trusted`` after it."""
        return trusted * self.benefit(nu, greedy=greedy) - self.signal_cost * size


def minimal_separating_signal(rg: ReassuranceGame, nu: float, grain: float = 0.001) -> float | None:
    """The least cut on the grid {grain, 2·grain, ..., ≤ 1} that separates, or None.

    At it the greedy state strictly prefers not to send it (k s > B_G) and the security seeker
    weakly prefers to (k s ≤ B_S); one grain less, the greedy state would weakly prefer to
    send it too.
    """
    if not 0 < grain <= 1:
        raise ValueError(f"grain must be in (0, 1], got {grain!r}.")
    b_g = rg.benefit(nu, greedy=True)
    k = rg.signal_cost
    n = max(1, math.floor(b_g / (k * grain)))
    while k * (n * grain) <= b_g:  # exact comparisons on the grid, whatever the rounding
        n += 1
    while n > 1 and k * ((n - 1) * grain) > b_g:
        n -= 1
    size = n * grain
    return size if rg.separates(size, nu) else None


def posterior(mu: float | FloatArray, p_greedy: float, p_secure: float) -> float | FloatArray:
    """Bayes' rule: P(greedy | signal) = μ p_G / (μ p_G + (1 − μ) p_S)."""
    num = np.asarray(mu) * p_greedy
    den = num + (1 - np.asarray(mu)) * p_secure
    out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.asarray(mu))
    return float(out) if np.ndim(out) == 0 else np.asarray(out, dtype=float)


@dataclass(frozen=True)
class SignalEquilibrium:
    """One equilibrium of the signalling stage for a signal of ``size``.

    ``send`` is (P(security seeker sends), P(greedy sends)); ``after_signal`` and
    ``after_none`` are R's beliefs that S is greedy after the signal and after none (off the
    path where nobody does it); ``trust_after_signal`` is the probability that R plays the
    cooperative continuation after the signal; ``intuitive`` whether it survives the
    Intuitive Criterion (None: not examined).
    """

    name: str
    exists: bool
    condition: str
    size: float
    send: tuple[float, float]
    after_signal: float
    after_none: float
    trust_after_signal: float
    intuitive: bool | None = None


def signal_equilibria(
    rg: ReassuranceGame, mu: float, nu: float, size: float
) -> list[SignalEquilibrium]:
    """Separating, pooling (on the signal and on none) and semi-separating equilibria of the
    signalling stage at prior ``mu`` (R's belief that S is greedy), ``nu`` and ``size``."""
    _check_belief("mu", mu)
    _check_belief("nu", nu)
    if not 0 < size <= 1:
        raise ValueError(f"size must be in (0, 1], got {size!r}.")
    p = trust_threshold(rg.game)
    b_s, b_g = rg.benefit(nu, greedy=False), rg.benefit(nu, greedy=True)
    ks = rg.signal_cost * size
    trusts = 1.0 if mu <= p else 0.0
    lo, _ = rg.bounds(nu)
    some_separating = b_g < b_s and lo < 1  # some s in (B_G/k, min(B_S/k, 1)] exists
    out = [
        SignalEquilibrium(
            "separating",
            b_g <= ks <= b_s,
            "B_G <= k s <= B_S",
            size,
            (1.0, 0.0),
            0.0,
            1.0,
            1.0,
            True,
        ),
        SignalEquilibrium(
            "pooling_none",
            True,
            "always (off-path belief 1 after a signal)",
            size,
            (0.0, 0.0),
            1.0,
            mu,
            0.0,
            not (mu > p and some_separating),
        ),
        SignalEquilibrium(
            "pooling",
            mu <= p and ks <= min(b_s, b_g),
            "mu <= mu* and k s <= min(B_S, B_G)",
            size,
            (1.0, 1.0),
            mu,
            1.0,
            trusts,
            None,
        ),
    ]
    semi = 0 < ks <= b_g and mu > p and b_s >= b_g and b_g > 0
    sigma = p * (1 - mu) / (mu * (1 - p)) if mu > p else 1.0
    out.append(
        SignalEquilibrium(
            "semi_separating",
            semi,
            "0 < k s <= B_G, mu > mu* and B_S >= B_G",
            size,
            (1.0, sigma if semi else 0.0),
            p,
            1.0,
            ks / b_g if semi else 0.0,
            None,
        )
    )
    return out


def trust_path(
    rg: ReassuranceGame,
    mu0: float,
    sizes: Sequence[float],
    nu: float,
    tremble: float = 0.0,
) -> FloatArray:
    """R's belief that S is greedy after each of the signals ``sizes`` (one per round), as R
    reads them in the separating equilibrium: a separating signal multiplies the odds that S is
    greedy by ``tremble`` (the chance that a greedy state sends it all the same, **ours**; 0:
    the belief drops to 0), a smaller one is pooling and leaves the belief where it is.

    Returns the beliefs before the first round and after each (length ``len(sizes) + 1``).
    """
    _check_belief("mu0", mu0)
    _check_belief("tremble", tremble)
    out = [mu0]
    mu = mu0
    for s in sizes:
        if rg.informative(s, nu):
            mu = float(posterior(mu, tremble, 1.0))
        out.append(mu)
    return np.asarray(out, dtype=float)
