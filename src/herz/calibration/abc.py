"""Likelihood-free calibration: ABC-SMC with pyabc, returning a :class:`Posterior`.

Method
    Approximate Bayesian computation by sequential Monte Carlo (Toni et al. 2009, 'Approximate
    Bayesian computation scheme for parameter inference and model selection in dynamical
    systems', J. R. Soc. Interface 6:187–202; Beaumont, Cornuet, Marin & Robert 2009, 'Adaptive
    approximate Bayesian computation', Biometrika 96(4):983–990), as pyabc implements it
    (Klinger, Rickert & Hasenauer 2018, 'pyABC: distributed, likelihood-free inference',
    Bioinformatics 34(20):3591–3593; Schälte, Klinger, Alamoudi & Hasenauer 2022, 'pyABC:
    Efficient and robust easy-to-use approximate Bayesian computation', JOSS 7(74):4304).
    Generation 0 samples the prior; each later one perturbs the last population with a
    multivariate normal kernel (pyabc's default, scale from the weighted covariance) and keeps
    particles within ε of the observed summary statistics; ε is the median of the last
    generation's distances (pyabc's ``QuantileEpsilon``). The distance is the Euclidean distance
    with each statistic divided by its median absolute deviation in the current generation
    (``AdaptivePNormDistance``, Prangle 2017, 'Adapting the ABC distance function', Bayesian
    Analysis 12(1):289–309), so rates of different size weigh alike.
Seeds
    One calibration seed S. pyabc's own randomness (prior draws, kernel perturbations) in task
    ``i`` of generation ``t`` comes from ``SeedSequence(S, spawn_key=(t + 1, i))`` (see
    :mod:`herz.calibration._sampler`); the simulator's run seed of the k-th simulation of that
    task, world j, is ``SeedSequence(S, spawn_key=(CALIBRATION_KEY, t + 1, i, k, j, run))``. Every
    calibration stream starts its key with :data:`CALIBRATION_KEY`, so no evaluation run
    (herz.forecast, a backtest, the SBC's synthetic data: other keys) can share one.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from herz.calibration.posterior import Posterior
from herz.calibration.priors import Prior
from herz.errors import InputError

__all__ = [
    "CALIBRATION_KEY",
    "DEFAULT_PRIORS",
    "Prior",
    "abc_smc",
    "calibrate",
    "default_workers",
]

CALIBRATION_KEY = 0xCA11B
"""First element of every simulator stream key a calibration uses (evaluations use others)."""


DEFAULT_PRIORS: dict[str, dict[str, Prior]] = {
    "spiral": {
        "spiral.crisis_base": Prior(
            0.0,
            0.5,
            "ours: from no crises without threat (herz's default 0) to a crisis every two "
            "years per state; the hazard per dyad is crisis_base / (N - 1)",
        ),
        "spiral.war_cost": Prior(
            0.0,
            0.5,
            "ours: Fearon's (1995) costs as a share of the stakes, from none to half the stakes "
            "(herz's default 0.1)",
        ),
        "spiral.base_posture": Prior(
            0.0,
            0.08,
            "ours: a burden kept whatever the threat from 0 to 8% of the economy; the "
            "from-history economies assume a mean burden of 3.5% before 1914",
        ),
        "spiral.balance_interval": Prior(
            1.0,
            30.0,
            "ours: each pair's tie reviewed every 1 to 30 years on average (herz's default 5)",
        ),
        "spiral.tolerance": Prior(
            0.05,
            0.6,
            "ours: the threat a security seeker tolerates, around herz's default 0.2 and "
            "europe-1914's calibrated 0.325 (Glaser 2010: enough for security)",
        ),
    }
}
"""The free parameters calibrated by default and their priors (all uniform; docs/calibration.md
says why these five and which of them the targets identify)."""

FIXED_FROM_HISTORY: dict[str, Any] = {"spiral.mechanisms.geography": False}
"""Overrides held fixed when the worlds come from history: from-history scenarios have no
capitals (no shipped dataset has them), so the spiral's loss-of-strength gradient would be 1 for
every pair anyway; the switch makes that explicit and recorded."""

DEFAULT_TARGETS = ("mid", "war", "alliance", "milex_growth")
"""The targets calibrated by default."""

DEFAULT_YEARS = (1816, 1899)
"""The default training window (issue #12's split: train 1816–1899)."""


def default_workers() -> int:
    """All local cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _pyabc() -> Any:
    """pyabc (untyped, so imported as Any), imported on first use."""
    import importlib

    return importlib.import_module("pyabc")


def _pyabc_version() -> str:
    return str(_pyabc().__version__)


def _quiet_pyabc() -> None:
    for name in ("ABC", "pyabc", "Sampler", "History", "Epsilon", "Distance", "Acceptor"):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith(("ABC", "pyabc")):
            logging.getLogger(name).setLevel(logging.WARNING)


def abc_smc(
    simulate: Callable[[Mapping[str, float], tuple[int, ...]], Mapping[str, float]],
    observed: Mapping[str, float],
    priors: Mapping[str, Prior],
    *,
    population: int = 200,
    generations: int = 6,
    min_epsilon: float | None = None,
    min_acceptance: float = 0.005,
    seed: int = 0,
    workers: int = 1,
    client: Any = None,
    progress: Callable[[int, int, int], None] | None = None,
    model: str = "model",
    meta: Mapping[str, Any] | None = None,
) -> Posterior:
    """Run pyabc's ABC-SMC on any simulator and return the last generation as a Posterior.

    Parameters
    ----------
    simulate:
        ``simulate(params, key) -> statistics``: one synthetic dataset's summary statistics
        (the keys of ``observed``) at ``params`` (keys of ``priors``); ``key`` identifies the
        simulation (generation + 1, task, try) for deriving its seeds.
    observed:
        The observed summary statistics.
    priors:
        Uniform priors by parameter name.
    population, generations, min_epsilon:
        Particles per generation; the most generations; stop early once ε falls to
        ``min_epsilon``.
    min_acceptance:
        Stop (keeping the last complete generation) when a generation would need more than
        ``population / min_acceptance`` simulations: each task gives up after
        ``1 / min_acceptance`` tries (pyabc's ``min_acceptance_rate``).
    seed, workers, client:
        Calibration seed; local processes; or a ``dask.distributed.Client``.
    progress:
        ``progress(generation, accepted, population)``.
    model, meta:
        Stored in the Posterior; ``meta`` is extended with the ABC settings.
    """
    from herz.calibration._sampler import KeyedSampler, current_key

    _check_positive("population", population, 2)
    _check_positive("generations", generations, 1)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed: must be a whole number >= 0, got {seed!r}.", field="seed")
    if not priors:
        raise InputError("parameters: give at least one parameter to calibrate.")
    pyabc = _pyabc()
    names = list(priors)
    keys = {name: f"p{j}" for j, name in enumerate(names)}
    stats = list(observed)
    prior = pyabc.Distribution(
        **{keys[n]: pyabc.RV("uniform", p.low, p.high - p.low) for n, p in priors.items()}
    )

    def model_fn(par: Mapping[str, float]) -> dict[str, float]:
        values = {n: float(par[keys[n]]) for n in names}
        out = simulate(values, current_key())
        return {s: float(out[s]) for s in stats}

    _quiet_pyabc()
    started = time.perf_counter()
    sampler = KeyedSampler(seed, workers=workers, client=client, progress=progress)
    distance = pyabc.AdaptivePNormDistance(p=2, scale_function=pyabc.distance.mad)
    abc = pyabc.ABCSMC(
        model_fn,
        prior,
        distance,
        population_size=population,
        sampler=sampler,
        eps=pyabc.QuantileEpsilon(alpha=0.5),
    )
    # pyabc draws from NumPy's global generator (in this process: little; tasks seed their own)
    state = np.random.get_state()  # noqa: NPY002
    np.random.seed(np.random.SeedSequence(seed).generate_state(4))  # noqa: NPY002
    tmp = tempfile.mkdtemp(prefix="herz-abc-")
    db = Path(tmp) / "abc.db"
    try:
        abc.new("sqlite:///" + str(db), {s: float(observed[s]) for s in stats})
        history = abc.run(
            max_nr_populations=generations,
            minimum_epsilon=0.0 if min_epsilon is None else min_epsilon,
            min_acceptance_rate=min_acceptance,
        )
        t_max = history.max_t
        if t_max < 0:
            raise InputError("calibration: no generation completed (no particle accepted).")
        df, w = history.get_distribution(m=0, t=t_max)
        pops = history.get_all_populations()
        eps = [float(e) for e in pops.loc[pops["t"] >= 0, "epsilon"].tolist() if e == e]
        n_sims = int(history.total_nr_simulations)
    finally:
        np.random.set_state(state)  # noqa: NPY002
        for f in Path(tmp).glob("*"):
            f.unlink()
        Path(tmp).rmdir()
    elapsed = time.perf_counter() - started
    particles = np.column_stack([np.asarray(df[keys[n]], dtype=float) for n in names])
    weights = np.asarray(w, dtype=float)
    info: dict[str, Any] = dict(meta or {})
    info |= {
        "method": "ABC-SMC (pyabc)",
        "priors": {n: p.to_dict() for n, p in priors.items()},
        "observed": {s: float(observed[s]) for s in stats},
        "seed": int(seed),
        "seeds": {
            "pyabc": "numpy global RandomState seeded per task from "
            "SeedSequence(seed, spawn_key=(generation + 1, task))",
            "simulator": "SeedSequence(seed, spawn_key=(CALIBRATION_KEY, generation + 1, task, "
            "try, world, run))",
            "calibration_key": CALIBRATION_KEY,
        },
        "abc": {
            "population": int(population),
            "generations_max": int(generations),
            "generations_run": int(t_max + 1),
            "min_epsilon": min_epsilon,
            "min_acceptance": min_acceptance,
            "epsilon": "QuantileEpsilon(alpha=0.5): the median distance of the last generation",
            "epsilons": eps,
            "distance": "AdaptivePNormDistance(p=2, scale_function=mad)",
            "transition": "MultivariateNormalTransition (pyabc default)",
            "sampler": (
                "herz KeyedSampler: dask client"
                if client is not None
                else f"herz KeyedSampler: {workers} local process(es)"
            ),
            "simulations": n_sims,
            "acceptance_rate": population * (t_max + 1) / n_sims if n_sims else None,
        },
        "pyabc_version": _pyabc_version(),
        "elapsed_s": round(elapsed, 2),
    }
    from herz._version import __version__

    info.setdefault("version", __version__)
    return Posterior(model, tuple(names), particles, weights, info)


def _check_positive(name: str, value: Any, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        raise InputError(
            f"{name}: must be a whole number >= {least}, got {value!r}.", field=name, value=value
        )


class EraSimulator:
    """``simulate(params, key)`` for :func:`abc_smc`: one synthetic history of an era's worlds.

    Picklable (it goes to worker processes): holds the worlds, the targets and the seed.
    """

    def __init__(
        self,
        model: str,
        worlds: Sequence[Any],
        horizon: int,
        targets: Sequence[str],
        seed: int,
        fixed: Mapping[str, Any],
        key_prefix: int = CALIBRATION_KEY,
    ) -> None:
        self.model = model
        self.worlds = list(worlds)
        self.horizon = horizon
        self.targets = tuple(targets)
        self.seed = seed
        self.fixed = dict(fixed)
        self.key_prefix = key_prefix

    def can_batch(self, names: Sequence[str]) -> bool:
        """Whether :meth:`batch` can vary all of ``names`` by run (the model's
        ``run_parameters``)."""
        from herz.simulation import resolve_model

        return set(names) <= set(resolve_model(self.model).run_parameters)

    def batch(
        self, theta: Mapping[str, Any], key: tuple[int, ...], run_offset: int, runs: int
    ) -> dict[str, Any]:
        """The statistics of ``runs`` histories at once, one value per history (arrays): history
        k takes the k-th value of each ``theta`` path and is run ``run_offset + k`` of the streams
        ``(seed, key_prefix, *key, world)`` (see
        :func:`herz.calibration.moments.simulated_moments_batch`). Parameters the model cannot
        vary by run are given one value for all (they must be equal)."""
        from herz.calibration.moments import simulated_moments_batch
        from herz.simulation import resolve_model

        allowed = set(resolve_model(self.model).run_parameters)
        fixed = dict(self.fixed)
        per_run: dict[str, Any] = {}
        for name, values in theta.items():
            arr = np.asarray(values, dtype=float)
            if name in allowed:
                per_run[name] = arr
            elif np.all(arr == arr[0]):
                fixed[name] = float(arr[0])
            else:
                raise InputError(
                    f"parameters: {name!r} cannot vary by run in the {self.model} model; "
                    "calibrate it with --method smc.",
                    field="parameters",
                    value=name,
                )
        return simulated_moments_batch(
            self.model,
            self.worlds,
            self.horizon,
            self.targets,
            fixed,
            per_run,
            self.seed,
            (self.key_prefix, *key),
            run_offset,
            runs,
        )

    def __call__(self, params: Mapping[str, float], key: tuple[int, ...]) -> dict[str, float]:
        from herz.calibration.moments import simulated_moments

        return simulated_moments(
            self.model,
            self.worlds,
            self.horizon,
            self.targets,
            {**self.fixed, **params},
            self.seed,
            (self.key_prefix, *key),
        )


def parse_years(value: str | tuple[int, int]) -> tuple[int, int]:
    """``"A:B"`` → ``(A, B)``; an InputError names ``years``."""
    from herz.history.datasets import parse_years as _parse

    span = _parse(value)
    if span is None:
        raise InputError(f"years: expected A:B, got {value!r}.", field="years", value=value)
    a, b = span
    if a < 1816:
        raise InputError(
            f"years: {a}:{b} starts before the data begin in 1816.", field="years", value=value
        )
    return span


def check_priors(
    model: str, parameters: Mapping[str, Prior | tuple[float, float]] | Sequence[str] | None
) -> dict[str, Prior]:
    """The priors to use: the model's defaults, a subset of them by name, or given ranges.

    Each name must be a settable override path of the model's block (checked on a scenario).
    """
    defaults = DEFAULT_PRIORS.get(model, {})
    if parameters is None:
        if not defaults:
            raise InputError(
                f"model: no default parameters to calibrate for {model!r}; give parameters.",
                field="model",
                value=model,
            )
        return dict(defaults)
    out: dict[str, Prior] = {}
    if isinstance(parameters, Mapping):
        for name, spec in parameters.items():
            out[name] = spec if isinstance(spec, Prior) else Prior(float(spec[0]), float(spec[1]))
    else:
        for name in parameters:
            if name not in defaults:
                raise InputError(
                    f"parameters: {name!r} has no default prior; give its range "
                    f"(name=low:high). Known: {', '.join(defaults)}.",
                    field="parameters",
                    value=name,
                )
            out[name] = defaults[name]
    if not out:
        raise InputError("parameters: give at least one parameter to calibrate.")
    return out


def calibrate(
    model: str = "spiral",
    era_or_scenario: str = "1816:1899",
    *,
    targets: Sequence[str] = DEFAULT_TARGETS,
    years: str | tuple[int, int] | None = None,
    horizon: int = 5,
    parameters: Mapping[str, Prior | tuple[float, float]] | Sequence[str] | None = None,
    population: int = 200,
    generations: int = 6,
    min_epsilon: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    client: Any = None,
    observed: Mapping[str, float] | None = None,
    progress: Callable[[int, int, int], None] | None = None,
    method: str = "rejection",
    simulations: int = 10_000,
    accept: float = 0.02,
    table: str | Path | None = None,
    sbc: int = 0,
) -> Posterior:
    """Calibrate ``model``'s free parameters to the record of an era by ABC.

    Two methods (docs/calibration.md compares them). ``"rejection"`` (the default) simulates a
    reference table of ``simulations`` prior draws and keeps the ``accept`` share nearest the
    record, regression-adjusted (:mod:`herz.calibration.rejection`); the table does not depend
    on the data, so the simulation-based calibration of this method runs at this very size.
    ``"smc"`` runs pyabc's ABC-SMC (:func:`abc_smc`).

    Parameters
    ----------
    model:
        A registered model's name (its worlds must produce the events the targets read:
        the spiral).
    era_or_scenario:
        An era ``"A:B"`` (the worlds are :func:`herz.history.from_history.scenario_known_at`
        of its origins; :mod:`herz.calibration.moments`) or ``"history"`` with ``years``.
    targets:
        Names from :data:`herz.calibration.moments.TARGETS`.
    years:
        The training window; defaults to the era. Only these years' record is read.
    horizon:
        H: each world runs H years; origins are H years apart.
    parameters:
        Override paths with default priors, or ``{path: Prior | (low, high)}``; default
        :data:`DEFAULT_PRIORS` of the model.
    population, generations, min_epsilon, seed, workers, client:
        ABC settings (:func:`abc_smc`); ``workers`` defaults to all local cores.
    observed:
        Replace the record's moments with these (synthetic data: tests, the SBC benchmark).
    progress:
        ``progress(generation, accepted, population)`` (SMC) or ``progress(0, done,
        simulations)`` (rejection).
    method:
        ``"rejection"`` or ``"smc"``.
    simulations, accept:
        Rejection: rows of the reference table, and the share of them kept.
    sbc:
        Rejection: also run a simulation-based calibration of ``sbc`` synthetic records
        answered from the same table (:func:`herz.calibration.rejection.run_sbc_table`; its seed is
        derived from ``seed``, its streams keyed ``SYNTHETIC_KEY``) and store its verdicts in
        ``meta["sbc"]``: does this calibration, with these priors and targets, recover known
        parameters?
    table:
        Rejection: a reference-table file (``.npz``). If it exists and was made with the same
        settings, its rows are reused (and extended if it has fewer than ``simulations``); the
        table is saved there as it grows, so an interrupted calibration resumes.

    Raises
    ------
    InputError
        An unknown model or target, a malformed era or window, bad ABC settings or priors.
    """
    from herz.calibration.moments import TARGETS, era_worlds, observed_counts, observed_moments
    from herz.models import model_names

    if model not in model_names():
        raise InputError(
            f"model: unknown model {model!r}; expected one of {', '.join(model_names())}.",
            field="model",
            value=model,
        )
    wanted = (targets,) if isinstance(targets, str) else tuple(targets)
    if not wanted:
        raise InputError("targets: give at least one target.", field="targets")
    for t in wanted:
        if t not in TARGETS:
            raise InputError(
                f"targets: unknown target {t!r}; expected some of {', '.join(TARGETS)}.",
                field="targets",
                value=t,
            )
    if len(set(wanted)) != len(wanted):
        raise InputError(f"targets: {','.join(wanted)} names a target twice.", field="targets")
    _check_positive("horizon", horizon, 1)
    if years is None:
        if era_or_scenario == "history":
            raise InputError("years: give the training window A:B.", field="years")
        years = era_or_scenario
    elif era_or_scenario != "history" and ":" in str(era_or_scenario):
        (a, b), (c, d) = parse_years(era_or_scenario), parse_years(years)
        if c < a or d > b:
            raise InputError(
                f"years: the training window {c}:{d} must lie inside the era {a}:{b}.",
                field="years",
                value=str(years),
            )
    if era_or_scenario != "history" and ":" not in str(era_or_scenario):
        raise InputError(
            f"scenario: {era_or_scenario!r} is not an era A:B; calibration reads moments of the "
            "historical record over a window of years (e.g. 1816:1899).",
            field="scenario",
            value=era_or_scenario,
        )
    span = parse_years(years)
    priors = check_priors(model, parameters)
    if method not in ("rejection", "smc"):
        raise InputError(
            f"method: unknown method {method!r}; expected rejection or smc.",
            field="method",
            value=method,
        )
    _check_positive("population", population, 2)
    _check_positive("generations", generations, 1)
    _check_positive("simulations", simulations, 10)
    if isinstance(sbc, bool) or not isinstance(sbc, int | np.integer) or sbc < 0:
        raise InputError(f"sbc: must be a whole number >= 0, got {sbc!r}.", field="sbc", value=sbc)
    if sbc and method != "rejection":
        raise InputError(
            "sbc: the simulation-based check runs with --method rejection (ABC-SMC would need a "
            "calibration per synthetic record: benchmarks/bench_sbc.py --method smc).",
            field="sbc",
            value=sbc,
        )
    if not (isinstance(accept, float | int) and not isinstance(accept, bool) and 0 < accept <= 1):
        raise InputError(
            f"accept: must be in (0, 1], got {accept!r}.", field="accept", value=accept
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed: must be a whole number >= 0, got {seed!r}.", field="seed")
    worlds = era_worlds(span, horizon)
    # every parameter must be settable on the model's scenarios (caught here, not in a worker)
    from herz.simulation import simulate

    fixed = dict(FIXED_FROM_HISTORY) if model == "spiral" else {}
    probe = {**fixed, **{n: (p.low + p.high) / 2 for n, p in priors.items()}}
    simulate(worlds[0].scenario, model, steps=1, runs=1, seed=0, overrides=probe, keep="summary")
    sources: list[str] = []
    if observed is None:
        from herz.history.backtest import HistoryData

        record = HistoryData.shipped()
        obs = observed_moments(worlds, horizon, wanted, record)
        source = "history"
        counts: dict[str, int] | None = observed_counts(worlds, horizon, record, wanted)
        sources = record.sources()  # every output derived from a dataset carries its citation
    else:
        missing = [t for t in wanted if t not in observed]
        if missing:
            raise InputError(f"observed: no value for target {missing[0]!r}.", field="observed")
        obs = {t: float(observed[t]) for t in wanted}
        source = "given"
        counts = None
    simulator = EraSimulator(model, worlds, horizon, wanted, int(seed), fixed)
    meta: dict[str, Any] = {
        "call": {
            "model": model,
            "era": str(era_or_scenario),
            "targets": list(wanted),
            "years": f"{span[0]}:{span[1]}",
            "horizon": horizon,
            "parameters": list(priors),
            "population": population,
            "generations": generations,
            "min_epsilon": min_epsilon,
            "seed": int(seed),
        },
        "era": f"{span[0]}:{span[1]}",
        "years": [span[0], span[1]],
        "horizon": horizon,
        "origins": [w.origin for w in worlds],
        "worlds": "herz.history.from_history.scenario_known_at(origin), one run of "
        f"{horizon} steps each",
        "targets": {t: {"observed": obs[t], "definition": TARGETS[t]} for t in wanted},
        "observed_source": source,
        "observed_counts": counts,
        "sources": sources,
        "fixed": fixed,
    }
    if method == "rejection":
        meta["call"] |= {"method": method, "simulations": simulations, "accept": accept}
        for k in ("population", "generations", "min_epsilon"):
            meta["call"].pop(k)
        return _calibrate_rejection(
            simulator,
            obs,
            priors,
            model=model,
            simulations=simulations,
            accept=accept,
            seed=int(seed),
            workers=default_workers() if workers is None else workers,
            client=client,
            table=table,
            progress=progress,
            meta=meta,
            sbc=int(sbc),
        )
    meta["call"]["method"] = method
    return abc_smc(
        simulator,
        obs,
        priors,
        population=population,
        generations=generations,
        min_epsilon=min_epsilon,
        seed=int(seed),
        workers=default_workers() if workers is None else workers,
        client=client,
        progress=progress,
        model=model,
        meta=meta,
    )


def _table_settings(meta: Mapping[str, Any], priors: Mapping[str, Prior]) -> dict[str, Any]:
    """What a reference table's rows depend on (a stored table is reused only if they match)."""
    call = meta["call"]
    return {
        "model": call["model"],
        "origins": list(meta["origins"]),
        "horizon": meta["horizon"],
        "targets": list(call["targets"]),
        "priors": {n: [p.low, p.high] for n, p in priors.items()},
        "fixed": meta["fixed"],
        "seed": call["seed"],
    }


def _calibrate_rejection(
    simulator: EraSimulator,
    observed: Mapping[str, float],
    priors: Mapping[str, Prior],
    *,
    model: str,
    simulations: int,
    accept: float,
    seed: int,
    workers: int,
    client: Any,
    table: str | Path | None,
    progress: Callable[[int, int, int], None] | None,
    meta: dict[str, Any],
    sbc: int = 0,
) -> Posterior:
    from herz._version import __version__
    from herz.calibration.rejection import ReferenceTable, abc_rejection, simulate_table

    settings = _table_settings(meta, priors) | {"version": __version__}
    start: ReferenceTable | None = None
    path = None if table is None else Path(table)
    if path is not None and path.exists():
        start = ReferenceTable.load(path)
        if start.meta.get("settings") != settings:
            raise InputError(
                f"{path}: this reference table was made with other settings (model, origins, "
                "horizon, targets, priors, seed or herz version); give another --table path.",
                field="table",
                value=str(path),
            )
    started = time.perf_counter()
    ref = simulate_table(
        simulator,
        priors,
        list(simulator.targets),
        simulations,
        seed=seed,
        model=model,
        workers=workers,
        client=client,
        start=start,
        checkpoint=path,
        progress=None if progress is None else (lambda d, n: progress(0, d, n)),
        meta={"settings": settings, "era": meta["era"], "origins": meta["origins"]},
    )
    if path is not None:
        ref.save(path)
    post = abc_rejection(ref, observed, priors, accept=accept, model=model, meta=meta)
    info = dict(post.meta)
    info["abc"] |= {
        "simulations": len(ref),
        "sampler": "herz dask client" if client is not None else f"{workers} local process(es)",
        "table_elapsed_s": ref.meta.get("elapsed_s"),
    }
    info["seeds"] = {
        "table": "row i: SeedSequence(seed, spawn_key=(0, i)) for the parameters; the simulator "
        "SeedSequence(seed, spawn_key=(CALIBRATION_KEY, 0, i, world, run))",
        "calibration_key": CALIBRATION_KEY,
    }
    info["seed"] = seed
    if sbc:
        info["sbc"] = _table_sbc(simulator, ref, accept, seed, sbc, workers, client, progress)
    info["elapsed_s"] = round(time.perf_counter() - started, 2)
    return Posterior(post.model, post.parameters, post.particles, post.weights, info)


def _table_sbc(
    simulator: EraSimulator,
    ref: Any,
    accept: float,
    seed: int,
    datasets: int,
    workers: int,
    client: Any,
    progress: Callable[[int, int, int], None] | None,
) -> dict[str, Any]:
    """The SBC of a rejection calibration on its own table (``calibrate(..., sbc=N)``)."""
    from herz.calibration.ranks import SYNTHETIC_KEY
    from herz.calibration.rejection import run_sbc_table

    del client  # the synthetic records are few: local processes
    sbc_seed = int(np.random.SeedSequence(seed, spawn_key=(SYNTHETIC_KEY,)).generate_state(1)[0])

    def make(s: int, prefix: int) -> EraSimulator:
        return EraSimulator(
            simulator.model,
            simulator.worlds,
            simulator.horizon,
            simulator.targets,
            s,
            simulator.fixed,
            key_prefix=prefix,
        )

    res = run_sbc_table(
        make,
        ref,
        datasets=datasets,
        accept=accept,
        seed=sbc_seed,
        workers=workers,
        progress=None if progress is None else (lambda d, n: progress(1, d, n)),
    )
    return {
        "datasets": datasets,
        "seed": sbc_seed,
        "seed_from": "SeedSequence(seed, spawn_key=(SYNTHETIC_KEY,))",
        "draws": res.n_draws,
        "bins": res.bins,
        "level": 0.01,
        "parameters": res.verdicts(),
        "elapsed_s": round(res.elapsed_s, 2),
    }


def posterior_table(posterior: Posterior, level: float = 0.9) -> Any:
    """Per parameter: mean, sd, the central ``level`` interval, the prior's interval width
    (from ``meta["priors"]``, uniform) and the ratio of the two widths (identified: ≤ 0.5)."""
    import pandas as pd

    summ = posterior.summary(level)
    lo_col, hi_col = summ.columns[3], summ.columns[4]
    priors = posterior.meta.get("priors", {})
    rows = []
    for name, row in summ.iterrows():
        p = priors.get(str(name))
        width = float(row[hi_col] - row[lo_col])
        prior_width = level * (float(p["high"]) - float(p["low"])) if p else float("nan")
        rows.append(
            {
                "parameter": name,
                "mean": float(row["mean"]),
                "sd": float(row["sd"]),
                "lo": float(row[lo_col]),
                "hi": float(row[hi_col]),
                "prior_width": prior_width,
                "ratio": width / prior_width if prior_width > 0 else float("nan"),
            }
        )
    return pd.DataFrame(rows).set_index("parameter")
