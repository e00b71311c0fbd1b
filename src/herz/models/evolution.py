"""Evolution of strategies on a tournament's payoff matrix: the Moran process and replicator
dynamics.

Both read a payoff matrix ``A`` (A[i, j] = mean payoff per turn of strategy i against j, the
diagonal being self-play), typically :attr:`TournamentResult.payoff_array
<herz.models.iterated.TournamentResult.payoff_array>`; no matches are replayed.

Kept apart from :mod:`herz.models.iterated` (where ARCHITECTURE.md first put it) because it
needs only a matrix, not the match engine: it serves any symmetric game.

References
----------
Moran, P. A. P. (1958). Random processes in genetics. *Mathematical Proceedings of the
Cambridge Philosophical Society* 54(1), 60–71.
Nowak, M. A., Sasaki, A., Taylor, C. & Fudenberg, D. (2004). Emergence of cooperation and
evolutionary stability in finite populations. *Nature* 428, 646–650.
Taylor, P. D. & Jonker, L. B. (1978). Evolutionarily stable strategies and game dynamics.
*Mathematical Biosciences* 40(1–2), 145–156.
Hofbauer, J. & Sigmund, K. (1998). *Evolutionary Games and Population Dynamics*. Cambridge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from herz._validation import positive_int
from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "EvolutionResult",
    "fixation_probability",
    "moran_process",
    "replicator_dynamics",
]

FloatArray = NDArray[np.float64]


def _matrix(payoff_matrix: ArrayLike) -> FloatArray:
    try:
        a = np.asarray(payoff_matrix, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("payoff_matrix must be a square matrix of numbers.") from None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 1:
        raise InputError(
            f"payoff_matrix must be a square matrix, got shape {a.shape}.", field="payoff_matrix"
        )
    if not np.all(np.isfinite(a)):
        raise InputError("payoff_matrix must hold finite numbers.", field="payoff_matrix")
    return a


def _names(players: Sequence[str] | None, k: int) -> list[str]:
    if players is None:
        return [f"s{i}" for i in range(k)]
    names = [str(p) for p in players]
    if len(names) != k:
        raise InputError(
            f"players must name the {k} strategies of the payoff matrix, got {len(names)}.",
            field="players",
        )
    return names


#: The most generations (and Moran runs) an evolution may have: the shares are kept for every
#: generation, so 10^6 generations of ten strategies already hold 80 MB
MAX_GENERATIONS = 1_000_000


@dataclass(frozen=True, eq=False)
class EvolutionResult:
    """Population shares over time.

    Attributes
    ----------
    players:
        Strategy names.
    method:
        ``"moran"`` or ``"replicator"``.
    shares:
        Shape (runs, generations + 1, K): the share of each strategy (runs = 1 for the
        deterministic replicator dynamics).
    counts:
        Moran only: shape (runs, generations + 1, K), integer counts; ``None`` otherwise.
    population:
        The population size N (Moran) or ``None``.
    seed:
        The root seed (Moran) or ``None``.
    """

    players: list[str]
    method: str
    shares: FloatArray
    counts: NDArray[np.int64] | None = None
    population: int | None = None
    seed: int | None = None

    @property
    def generations(self) -> int:
        """The number of generations simulated."""
        return int(self.shares.shape[1] - 1)

    @property
    def mean_shares(self) -> FloatArray:
        """Shape (generations + 1, K): shares averaged over runs."""
        return np.asarray(self.shares.mean(axis=0))

    @property
    def final_shares(self) -> dict[str, float]:
        """Strategy -> share after the last generation (mean over runs)."""
        last = self.mean_shares[-1]
        return {p: float(v) for p, v in zip(self.players, last, strict=True)}

    @property
    def fixations(self) -> dict[str, int]:
        """Moran: strategy -> number of runs in which it took over the population."""
        if self.counts is None or self.population is None:
            return {}
        last = self.counts[:, -1, :]
        fixed = last == self.population
        return {p: int(fixed[:, i].sum()) for i, p in enumerate(self.players)}

    def to_frame(self) -> pd.DataFrame:
        """Mean shares as a DataFrame: one row per generation, one column per strategy."""
        import pandas as pd

        df = pd.DataFrame(self.mean_shares, columns=self.players)
        df.index.name = "generation"
        return df

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: players, method, final shares, shares over time (mean over runs)."""
        out: dict[str, Any] = {
            "players": list(self.players),
            "method": self.method,
            "generations": self.generations,
            "runs": int(self.shares.shape[0]),
            "final_shares": self.final_shares,
            "shares": self.mean_shares.tolist(),
        }
        if self.method == "moran":
            out["population"] = self.population
            out["fixations"] = self.fixations
            out["seed"] = self.seed
        return out

    def plot(self, *, ax: Any = None) -> Figure:
        """Share of the population of each strategy over the generations."""
        from herz.plots.games import shares_plot

        runs = self.shares.shape[0]
        title = (
            "Replicator dynamics"
            if self.method == "replicator"
            else f"Moran process, N = {self.population}"
            + (f", mean of {runs} runs" if runs > 1 else "")
        )
        return shares_plot(self.mean_shares, self.players, title, ax=ax)


def replicator_dynamics(
    payoff_matrix: ArrayLike,
    generations: int = 100,
    *,
    initial: ArrayLike | None = None,
    players: Sequence[str] | None = None,
    background: float = 0.0,
) -> EvolutionResult:
    """Discrete-time replicator dynamics on a payoff matrix.

    x_i(t+1) = x_i(t) · f_i / f̄, with f = (A + b)·x(t) and f̄ = x(t)·f (Taylor & Jonker 1978;
    Hofbauer & Sigmund 1998, §9.1; the form axelrod's ``Ecosystem`` iterates). ``b`` =
    ``background`` is a baseline fitness added to every payoff; the fitnesses must be
    non-negative and the mean fitness positive. The diagonal of A (self-play) counts, as a
    strategy meets its own kind.

    Parameters
    ----------
    initial:
        Initial shares (normalised to sum to one); equal shares by default.
    """
    a = _matrix(payoff_matrix)
    k = a.shape[0]
    gens = positive_int("generations", generations, most=MAX_GENERATIONS)
    names = _names(players, k)
    if initial is None:
        x = np.full(k, 1.0 / k)
    else:
        x = np.asarray(initial, dtype=np.float64).reshape(-1)
        if x.shape != (k,) or not np.all(np.isfinite(x)) or np.any(x < 0) or x.sum() <= 0:
            raise InputError(
                f"initial must give {k} non-negative shares with a positive sum.", field="initial"
            )
        x = x / x.sum()
    fit = a + float(background)
    if not math.isfinite(float(background)) or np.any(fit < 0):
        raise InputError(
            "replicator dynamics need non-negative fitnesses; raise background (the baseline "
            f"fitness) to at least {-float(a.min()):g}.",
            field="background",
            value=background,
        )
    out = np.empty((gens + 1, k))
    out[0] = x
    for t in range(gens):
        f = fit @ x
        mean = float(x @ f)
        if mean <= 0:
            raise InputError(
                "replicator dynamics reached zero mean fitness; raise background (the "
                "baseline fitness) above 0.",
                field="background",
                value=background,
            )
        x = x * f
        x = x / x.sum()
        out[t + 1] = x
    return EvolutionResult(players=names, method="replicator", shares=out[None, :, :])


def moran_process(
    payoff_matrix: ArrayLike,
    population: int = 100,
    generations: int = 1000,
    *,
    initial: Sequence[int] | None = None,
    players: Sequence[str] | None = None,
    runs: int = 1,
    intensity: float = 1.0,
    mutation_rate: float = 0.0,
    seed: int | None = None,
) -> EvolutionResult:
    """The frequency-dependent Moran process in a finite population, many runs at once.

    Moran (1958); frequency dependence as in Nowak et al. (2004). Each generation is one
    birth–death event (axelrod's ``MoranProcess`` convention):

    1. An individual of type i earns π_i = (Σ_j n_j A[i, j] − A[i, i]) / (N − 1), its mean
       payoff against the N − 1 others; its fitness is F_i = 1 − w + w·π_i, w = ``intensity``
       (w = 1: fitness is the payoff).
    2. One individual is chosen to reproduce with probability ∝ n_i·F_i, one to die uniformly
       among all N (the parent included); the offspring takes the dead one's place. With
       ``mutation_rate`` m the offspring is, with probability m, of a type drawn uniformly
       among the other K − 1.

    Runs advance together (arrays with the run axis first); run r draws from the stream
    ``SeedSequence(seed, spawn_key=(r,))``, 4 uniforms per generation drawn up front.

    Parameters
    ----------
    population:
        N ≥ 2; the initial counts split N as evenly as possible (earlier strategies get the
        remainder) unless ``initial`` gives them.
    """
    a = _matrix(payoff_matrix)
    k = a.shape[0]
    names = _names(players, k)
    n_pop = positive_int("population", population)
    gens = positive_int("generations", generations, most=MAX_GENERATIONS)
    n_runs = positive_int("runs", runs, most=10_000)
    w = float(intensity)
    if not (math.isfinite(w) and 0.0 <= w <= 1.0):
        raise InputError(f"intensity must lie in [0, 1], got {intensity!r}.", field="intensity")
    mu = float(mutation_rate)
    if not (math.isfinite(mu) and 0.0 <= mu <= 1.0):
        raise InputError(
            f"mutation_rate must be a rate in [0, 1], got {mutation_rate!r}.",
            field="mutation_rate",
        )
    if n_pop < 2:
        raise InputError(f"population must be at least 2, got {n_pop}.", field="population")
    if initial is None:
        if n_pop < k:
            raise InputError(
                f"population must be at least the number of strategies ({k}), got {n_pop}.",
                field="population",
            )
        counts0 = np.full(k, n_pop // k, dtype=np.int64)
        counts0[: n_pop % k] += 1
    else:
        counts0 = np.asarray(initial, dtype=np.int64).reshape(-1)
        if counts0.shape != (k,) or np.any(counts0 < 0) or counts0.sum() != n_pop:
            raise InputError(
                f"initial must give {k} non-negative counts summing to population {n_pop}.",
                field="initial",
            )
    fitness_min = 1 - w + w * float(a.min())
    if fitness_min < 0:
        raise InputError(
            f"fitness 1 - w + w*payoff is negative for payoff {a.min():g}; lower intensity "
            "or shift the payoffs.",
            field="intensity",
            value=intensity,
        )
    if seed is None:
        root = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    else:
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
            raise InputError(f"seed must be a non-negative integer, got {seed!r}.", field="seed")
        root = int(seed)

    # (G, runs, 4) uniforms: birth, death, mutate?, mutant type; one stream per run
    u = np.empty((gens, n_runs, 4))
    for r in range(n_runs):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(root, spawn_key=(r,))))
        u[:, r, :] = rng.random((gens, 4))

    diag = np.diag(a)
    counts = np.tile(counts0, (n_runs, 1))
    history = np.empty((n_runs, gens + 1, k), dtype=np.int64)
    history[:, 0, :] = counts
    rows = np.arange(n_runs)
    for t in range(gens):
        ut = u[t]
        payoff = (counts @ a.T - diag) / (n_pop - 1)  # (runs, K)
        fit = (1 - w) + w * payoff
        weights = counts * fit
        total = weights.sum(axis=1)
        # all-zero fitness: reproduce uniformly
        weights = np.where(total[:, None] > 0, weights, counts.astype(np.float64))
        cum_b = np.cumsum(weights, axis=1)
        birth = (cum_b <= (ut[:, 0] * cum_b[:, -1])[:, None]).sum(axis=1)
        birth = np.minimum(birth, k - 1)
        cum_d = np.cumsum(counts, axis=1)
        death = (cum_d <= (ut[:, 1] * n_pop)[:, None]).sum(axis=1)
        death = np.minimum(death, k - 1)
        if mu > 0 and k > 1:
            mutate = ut[:, 2] < mu
            shift = 1 + np.floor(ut[:, 3] * (k - 1)).astype(np.int64)
            birth = np.where(mutate, (birth + np.minimum(shift, k - 1)) % k, birth)
        counts[rows, death] -= 1
        counts[rows, birth] += 1
        history[:, t + 1, :] = counts
    return EvolutionResult(
        players=names,
        method="moran",
        shares=history / n_pop,
        counts=history,
        population=n_pop,
        seed=root,
    )


def fixation_probability(
    payoff_matrix: ArrayLike, population: int, *, mutant: int = 0, intensity: float = 1.0
) -> float:
    """Exact probability that one mutant of type ``mutant`` takes over N − 1 residents.

    For two strategies (a 2×2 ``payoff_matrix``), with the fitnesses of :func:`moran_process`
    and no mutation: ρ = 1 / (1 + Σ_{k=1}^{N−1} Π_{j=1}^{k} g_j / f_j), where f_j and g_j are
    the fitnesses of mutant and resident when there are j mutants (Nowak et al. 2004, eq. 1;
    the standard birth–death chain).
    """
    a = _matrix(payoff_matrix)
    if a.shape != (2, 2):
        raise InputError("fixation_probability needs a 2x2 payoff matrix.", field="payoff_matrix")
    n = positive_int("population", population)
    if mutant not in (0, 1):
        raise InputError(f"mutant must be 0 or 1, got {mutant!r}.", field="mutant")
    if mutant == 1:
        a = a[::-1, ::-1]
    w = float(intensity)
    total = 1.0
    prod = 1.0
    for j in range(1, n):
        f = 1 - w + w * ((j - 1) * a[0, 0] + (n - j) * a[0, 1]) / (n - 1)
        g = 1 - w + w * (j * a[1, 0] + (n - j - 1) * a[1, 1]) / (n - 1)
        prod *= g / f
        total += prod
    return 1.0 / total
