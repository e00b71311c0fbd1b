"""Forecasting history out of sample with a calibrated model (issue #12, item 2).

The model half of ``herz backtest``: for each forecast origin ``Y`` of a test window, the
spiral model is run from the world as it could be known at the start of ``Y``
(:func:`herz.history.from_history.scenario_known_at`: the major powers of ``Y``, NMC and ATOP of
``Y - 1``, alliances taken to last) for ``H`` yearly steps, ``[Y, Y + H)``, with parameter sets
drawn from a :class:`herz.calibration.posterior.Posterior`, and the share of runs in which each
pair of major powers meets a crisis or a war becomes its forecast, aligned with the backtest panel
(:func:`herz.history.backtest.build_panel`, index ``origin, ccode1, ccode2``).

Draws and runs
    ``draws`` parameter sets ``θ_1 … θ_n`` are drawn from the posterior once, the same for
    every origin (draw ``i`` from ``SeedSequence([seed, 1], spawn_key=(i,))``,
    :meth:`herz.calibration.posterior.Posterior.sample`), and each is run ``runs_per_draw``
    times (default 1). Run ``j`` of draw ``i`` at origin ``Y`` is run number
    ``r = i · runs_per_draw + j`` of the stream family ``(seed, Y)``: it draws only from
    ``SeedSequence(seed, spawn_key=(Y, r))`` (``herz._random.run_generator``). So a forecast
    depends only on (seed, origin, draw), never on the worker, the chunk or the order. One run
    per draw is the default: each run is then one independent draw from the posterior
    predictive distribution, and the ``k`` of ``n`` runs with the event are counts of
    independent Bernoulli trials, which is what ``(k + ½)/(n + 1)``
    (:func:`herz.history.scoring.ensemble_probability`) is for. Several runs per draw cost less
    per run (the kernel advances a draw's runs together), but the runs of one draw share its
    parameters. Consecutive draws with the same parameters (every draw of a one-point
    posterior) are simulated in one call; by the kernel's keyed streams that gives the same
    runs as one call per draw. Calibration streams begin their keys with
    ``herz.calibration.abc.CALIBRATION_KEY`` (0xCA11B, not a year), so no forecast run shares a
    stream with a calibration run even under the same seed. Overrides the calibration held
    fixed (the posterior's ``meta["fixed"]``) are held fixed here too.
Targets
    The spiral model has crises and wars; MIDs and COW wars are mapped onto them as follows
    (:data:`TARGET_MAPPING`):

    ``mid``
        a crisis between the two in ``[Y, Y + H)`` (the spiral's crisis is a dispute with
        demands and a chance of war; settled or not, with a crisis that ends in war
        counting), or the two fought each other (an ally that joins a war against the other
        is in a dispute with it: the MID data record the joiner's dyads too);
    ``mid4``
        the two fought each other. The spiral has no MID hostility levels and no use of force
        short of war: a crisis is settled by bargaining or ends in war. Its forecast of use
        of force is therefore its war forecast, scored against the MID hostility-≥ 4 record;
        it can be no better at ranking the dyads than at ranking wars;
    ``war``
        the two fought each other on opposite sides of a war in the window (the kernel's
        ``dyads_fought``: a crisis between them that ended in war, or an ally's entry into the
        war against the other side). Every war of a run begins in the window: the scenario
        starts at peace.

    Limits: the model's crisis rate is a parameter (``spiral.crisis_rate``,
    ``spiral.crisis_base``), not a dispute count calibrated to MID 5.0 unless the posterior
    fitted it; a model war is the model's, not a war of 1,000 battle deaths; the scenario's
    alliances of kinds other than ``defense``, ``offense`` and ``entente`` (neutrality,
    non-aggression, consultation) carry no tie in the spiral.
Geography
    The scenarios built from history have no capitals (no shipped dataset has them). Without
    capitals the spiral's loss-of-strength gradient (``spiral.mechanisms.geography``,
    ``herz.models.spiral.kernel._reach``) is 1 for every pair: every state's strength
    reaches every other in full. The forecast switches the mechanism off explicitly and says
    so in :attr:`ModelForecast.notes`; the runs are the same as with it on.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from herz.calibration import Posterior
    from herz.history.backtest import Panel
    from herz.scenario import Scenario

__all__ = [
    "DEFAULTS_LABEL",
    "DEFAULT_DRAWS",
    "FORECAST_MODELS",
    "TARGET_MAPPING",
    "ModelForecast",
    "check_posterior",
    "default_posterior",
    "defaults_posterior",
    "forecast_origins",
    "forecast_panel",
    "origin_counts",
    "posterior_label",
    "posterior_years",
]

DEFAULT_DRAWS = 1000
"""Parameter draws per origin (one run each by default)."""

FORECAST_MODELS = ("spiral",)
"""Models whose runs record crises and wars by dyad."""

DEFAULTS_LABEL = "defaults (uncalibrated)"
"""What a forecast from the scenario's own parameters calls its posterior."""

TARGET_MAPPING: dict[str, str] = {
    "mid": "a crisis between the two (settled or ending in war), or the two fought each other",
    "mid4": (
        "the two fought each other: the spiral has no use of force short of war, so its "
        "mid4 forecast is its war forecast"
    ),
    "war": "the two fought each other on opposite sides of a war (dyads_fought)",
}
"""How each backtest target is read from the spiral's runs."""

_DRAW_KEY = 1
"""Entropy appended to the seed for the posterior draws: ``sample(n, [seed, 1])``."""


def defaults_posterior(model: str = "spiral") -> Posterior:
    """A one-point posterior at the scenario's own parameters (no overrides), labelled
    :data:`DEFAULTS_LABEL`: the forecast of the uncalibrated model."""
    from herz.calibration import Posterior

    return Posterior.point(model, {}, label=DEFAULTS_LABEL, uncalibrated=True)


def default_posterior(model: str, train: tuple[int, int]) -> Posterior:
    """The posterior a backtest uses when none is given: the posterior herz ships for ``model``
    on the training years (:func:`herz.calibration.shipped_posterior_path`) if there is one,
    else :func:`defaults_posterior` (the scenario's own parameters, labelled uncalibrated)."""
    from herz.calibration import Posterior, shipped_posterior_path

    years = f"{train[0]}:{train[1]}"
    try:
        path = shipped_posterior_path(model, years)
    except InputError:  # herz ships none for this model and window
        return defaults_posterior(model)
    if not path.exists():
        return defaults_posterior(model)
    post = Posterior.load(path)
    where = f"herz/calibration/data/{path.name}"
    meta = {"label": f"shipped {model} {years} ({where})", **post.meta, "path": where}
    return Posterior(post.model, post.parameters, post.particles, post.weights, meta)


def posterior_label(posterior: Posterior) -> str:
    """How a posterior is named in tables and JSON: its ``label``, ``path`` or ``method`` and
    training years."""
    meta = posterior.meta
    if meta.get("label"):
        return str(meta["label"])
    parts = [str(meta.get("path") or meta.get("method") or "posterior")]
    years = posterior_years(posterior)
    if years is not None:
        parts.append(f"trained on {years[0]}:{years[1]}")
    return ", ".join(parts)


def posterior_years(posterior: Posterior) -> tuple[int, int] | None:
    """The training window ``meta["years"]`` as ``(A, B)``: ``[A, B]``, ``"A:B"`` or
    ``{"start": A, "end": B}``; None if the posterior records none."""
    years = posterior.meta.get("years")
    if years is None:
        return None
    try:
        if isinstance(years, str):
            a, _, b = years.partition(":")
            return (int(a), int(b or a))
        if isinstance(years, Mapping):
            return (int(years["start"]), int(years["end"]))
        a, b = years
        return (int(a), int(b))
    except (TypeError, ValueError, KeyError):
        raise InputError(
            f"posterior: its training years (meta.years) are not A:B, got {years!r}.",
            field="posterior",
            value=str(years),
        ) from None


def check_posterior(posterior: Posterior, model: str, test: tuple[int, int]) -> None:
    """Refuse a posterior of another model, or one whose training years do not end before the
    test window begins (calibration and evaluation never share years)."""
    name = posterior.meta.get("path") or "the posterior"
    if posterior.model != model:
        raise InputError(
            f"posterior: {name} is for model {posterior.model!r}, not {model!r}.",
            field="posterior",
            value=posterior.model,
        )
    if posterior.meta.get("uncalibrated"):
        return
    years = posterior_years(posterior)
    if years is None:
        raise InputError(
            f"posterior: {name} records no training years (meta.years), so herz cannot check "
            f"that they end before the test window {test[0]}:{test[1]} begins.",
            field="posterior",
            value=str(name),
        )
    if years[1] >= test[0]:
        raise InputError(
            f"posterior: {name} was calibrated on {years[0]}:{years[1]}, which does not end "
            f"before the test window {test[0]}:{test[1]} begins.",
            field="posterior",
            value=f"{years[0]}:{years[1]}",
        )


def _whole(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise InputError(
            f"{name}: must be a whole number >= {low}, got {value!r}.", field=name, value=value
        )
    return int(value)


@dataclass(frozen=True)
class ModelForecast:
    """A model's ensemble counts per dyad-window, and the forecasts they give.

    ``counts`` has one row per origin and pair of the scenario's states, indexed by
    ``(origin, ccode1, ccode2)`` with ``ccode1 < ccode2``: ``stateabb1``, ``stateabb2``,
    ``runs`` (n) and the number of runs with a ``crisis`` between the two, in which they
    ``fought`` each other, and with each target's event (``mid``, ``mid4``, ``war``;
    :data:`TARGET_MAPPING`). An instance is a forecast function for
    :func:`herz.history.backtest.run_backtest` (``forecasts={"spiral": fc}``).
    """

    model: str
    horizon: int
    draws: int
    runs_per_draw: int
    seed: int
    posterior: str
    parameters: dict[str, Any]
    counts: pd.DataFrame
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    origins: tuple[int, ...] = field(default=())

    @property
    def runs(self) -> int:
        """Runs per origin, ``draws × runs_per_draw``."""
        return self.draws * self.runs_per_draw

    def probabilities(self, target: str) -> pd.Series:
        """``(k + ½)/(n + 1)`` for ``target``, indexed like :attr:`counts`."""
        import pandas as pd

        from herz.history.scoring import ensemble_probability

        if target not in TARGET_MAPPING:
            raise InputError(
                f"target: unknown target {target!r}; expected one of {', '.join(TARGET_MAPPING)}.",
                field="target",
                value=target,
            )
        k = self.counts[target].to_numpy()
        n = self.counts["runs"].to_numpy()
        return pd.Series(ensemble_probability(k, n), index=self.counts.index, name=target)

    def __call__(self, test: pd.DataFrame, target: str) -> np.ndarray:
        """The forecasts for the rows of a test panel (``origin``, ``ccode1``, ``ccode2``)."""
        import pandas as pd

        p = self.probabilities(target)
        key = pd.MultiIndex.from_frame(test[["origin", "ccode1", "ccode2"]])
        aligned = p.reindex(key)
        missing = aligned.isna().to_numpy()
        if missing.any():
            row = test.iloc[int(np.argmax(missing))]
            raise InputError(
                f"forecasts: the {self.model} forecast has no window for origin "
                f"{int(row['origin'])}, {row['stateabb1']}-{row['stateabb2']}.",
                field="forecasts",
                value=self.model,
            )
        return np.asarray(aligned.to_numpy(), dtype=np.float64)

    def describe(self) -> dict[str, Any]:
        """What was run, for JSON and reports."""
        return {
            "model": self.model,
            "posterior": self.posterior,
            "parameters": self.parameters,
            "draws": self.draws,
            "runs_per_draw": self.runs_per_draw,
            "runs_per_origin": self.runs,
            "seed": self.seed,
            "horizon": self.horizon,
            "origins": list(self.origins),
            "probability": "(k + 1/2) / (n + 1), k of n runs with the event",
            "targets": dict(TARGET_MAPPING),
            "notes": list(self.notes),
            "seconds": round(self.seconds, 2),
        }


def _base_overrides(scenario: Scenario, model: str) -> tuple[dict[str, Any], list[str]]:
    """Overrides every run of ``scenario`` gets, and the notes that say why."""
    from herz.scenario import SpiralParams

    params = scenario.spiral if scenario.spiral is not None else SpiralParams()
    missing = [s.id for s in scenario.states if s.capital is None]
    if model == "spiral" and missing and params.mechanisms.geography:
        return {"spiral.mechanisms.geography": False}, [
            "geography off: scenarios built from history have no capitals (no shipped "
            "dataset has them), and without capitals the spiral's loss-of-strength gradient "
            "is 1 for every pair anyway; every state's strength reaches every other in full"
        ]
    return {}, []


def _groups(draws: Sequence[Mapping[str, float]]) -> list[tuple[int, int, dict[str, float]]]:
    """Runs of consecutive equal draws: ``(first, stop, parameters)``."""
    out: list[tuple[int, int, dict[str, float]]] = []
    for i, d in enumerate(draws):
        if out and out[-1][2] == d:
            out[-1] = (out[-1][0], i + 1, out[-1][2])
        else:
            out.append((i, i + 1, dict(d)))
    return out


def origin_counts(
    origin: int,
    horizon: int,
    draws: Sequence[Mapping[str, float]],
    *,
    seed: int,
    model: str = "spiral",
    runs_per_draw: int = 1,
    draw_offset: int = 0,
    group: bool = True,
    scenario: Scenario | None = None,
    fixed: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """The ensemble counts of one origin (one row per pair; see :class:`ModelForecast`).

    ``draws[i]`` is draw ``draw_offset + i``; its runs are run numbers
    ``(draw_offset + i) · runs_per_draw + j`` of the stream family ``(seed, origin)``.
    ``group`` simulates the draws in as few calls as give the same runs: one vectorized call
    when every parameter that differs between draws may vary by run in the model
    (``run_parameters``), else one call per run of consecutive equal draws; ``group=False``
    makes one call per draw (what the vectorized path is tested against).
    ``fixed``: overrides held fixed under every draw (a posterior's ``meta["fixed"]``, what the
    calibration held fixed); the draws' own values win.
    """
    import pandas as pd

    from herz.history.from_history import scenario_known_at
    from herz.simulation import resolve_model, simulate

    sc = scenario if scenario is not None else scenario_known_at(origin, steps=horizon)
    if sc.time.step != 1:
        raise InputError(
            f"scenario: the forecast needs yearly steps, got time.step = {sc.time.step}.",
            field="time.step",
            value=sc.time.step,
        )
    base, _ = _base_overrides(sc, model)
    ids = sc.ids
    # Parameters that differ between draws: when the model lets all of them vary by run, the
    # whole origin is one vectorized call (run_overrides); each run is the same as in a call
    # per draw, so the counts do not depend on the path taken
    names = list(dict.fromkeys(k for d in draws for k in d))
    varying = [k for k in names if len({d.get(k) for d in draws}) > 1]
    allowed = set(resolve_model(model).run_parameters)
    if group and varying and all(k in allowed and all(k in d for d in draws) for k in varying):
        common = {k: v for k, v in draws[0].items() if k not in varying}
        calls: list[tuple[int, int, dict[str, float], dict[str, Any] | None]] = [
            (
                0,
                len(draws),
                common,
                {k: np.repeat([float(d[k]) for d in draws], runs_per_draw) for k in varying},
            )
        ]
    else:
        blocks = (
            _groups(draws)
            if group
            else [(i, i + 1, dict(d)) for i, d in enumerate(draws)]  # one call per draw
        )
        calls = [(first, stop, params, None) for first, stop, params in blocks]
    crisis_parts: list[pd.DataFrame] = []
    fought_parts: list[pd.DataFrame] = []
    for first, stop, params, per_run in calls:
        res = simulate(
            sc,
            model=model,
            steps=horizon,
            runs=(stop - first) * runs_per_draw,
            seed=seed,
            keep="series",
            overrides={**base, **(fixed or {}), **params},
            run_offset=(draw_offset + first) * runs_per_draw,
            stream_key=(origin,),
            run_overrides=per_run,
        )
        ev = res.events
        if ev is not None and len(ev):
            cr = ev.loc[ev["kind"] == "crisis", ["run", "states"]]
            pairs = cr["states"].str.split(",")
            crisis_parts.append(
                pd.DataFrame(
                    {"run": cr["run"].to_numpy(), "key": ["-".join(sorted(p)) for p in pairs]}
                )
            )
        out = res.outcomes
        assert out is not None
        fought = out[["run", "dyads_fought"]]
        fought = fought[fought["dyads_fought"] != ""]
        if len(fought):
            exploded = fought.assign(key=fought["dyads_fought"].str.split(",")).explode("key")
            fought_parts.append(exploded[["run", "key"]])

    def runs_by_key(parts: list[pd.DataFrame]) -> pd.DataFrame:
        if not parts:
            return pd.DataFrame({"run": pd.Series(dtype="int64"), "key": pd.Series(dtype=str)})
        return pd.concat(parts, ignore_index=True).drop_duplicates()

    crises = runs_by_key(crisis_parts)
    fights = runs_by_key(fought_parts)
    either = pd.concat([crises, fights], ignore_index=True).drop_duplicates()
    n_crisis = crises["key"].value_counts()
    n_fought = fights["key"].value_counts()
    n_mid = either["key"].value_counts()
    code = {s.id: s.ccode for s in sc.states}
    n_runs = len(draws) * runs_per_draw
    rows = []
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            ia, ib = ids[a], ids[b]
            ca, cb = code[ia], code[ib]
            if ca is None or cb is None:
                raise InputError(
                    f"scenario: state {ia if ca is None else ib} has no COW code (ccode), so "
                    "its dyads cannot be matched with the panel.",
                    field="ccode",
                )
            if ca > cb:
                ca, cb, ia, ib = cb, ca, ib, ia
            key = "-".join(sorted((ia, ib)))
            k_fought = int(n_fought.get(key, 0))
            rows.append(
                {
                    "origin": origin,
                    "ccode1": ca,
                    "ccode2": cb,
                    "stateabb1": ia,
                    "stateabb2": ib,
                    "runs": n_runs,
                    "crisis": int(n_crisis.get(key, 0)),
                    "fought": k_fought,
                    "mid": int(n_mid.get(key, 0)),
                    "mid4": k_fought,
                    "war": k_fought,
                }
            )
    frame = pd.DataFrame(rows).sort_values(["ccode1", "ccode2"], kind="stable")
    return frame.reset_index(drop=True)


def _origin_task(args: tuple[Any, ...]) -> pd.DataFrame:
    from herz.history.from_history import scenario_known_at

    origin, horizon, draws, seed, model, runs_per_draw, states, fixed = args
    scenario = scenario_known_at(origin, states, steps=horizon)
    return origin_counts(
        origin,
        horizon,
        draws,
        seed=seed,
        model=model,
        runs_per_draw=runs_per_draw,
        scenario=scenario,
        fixed=fixed,
    )


def forecast_origins(
    origins: Sequence[int],
    horizon: int,
    *,
    model: str = "spiral",
    posterior: Posterior | None = None,
    draws: int = DEFAULT_DRAWS,
    runs_per_draw: int = 1,
    seed: int | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    states: str | Sequence[str | int] | None = None,
) -> ModelForecast:
    """Run ``model`` from each origin's known-at world and count crises and wars by dyad.

    Parameters
    ----------
    origins:
        Forecast origins ``Y`` (years); the window of each is ``[Y, Y + horizon)``.
    horizon:
        ``H``, years (steps) per run.
    model:
        A model of :data:`FORECAST_MODELS`.
    posterior:
        Where the parameter sets come from; default :func:`defaults_posterior` (the scenario's
        own parameters, labelled uncalibrated). Its training years are not checked here (see
        :func:`check_posterior` and :func:`forecast_panel`).
    draws, runs_per_draw:
        Parameter sets drawn from the posterior, and runs of each, per origin.
    seed:
        Root of every stream (None: fresh entropy, recorded in the result).
    workers:
        Local processes, one origin each at a time (1: in this process). The results do not
        depend on it.
    progress:
        Called as ``progress(done, total)`` after each origin.
    states:
        The states of each origin's world (default: the major powers of the origin year;
        :func:`herz.history.from_history.scenario_known_at`).
    """
    import pandas as pd

    from herz.simulation import new_seed

    if model not in FORECAST_MODELS:
        raise InputError(
            f"model: only {', '.join(FORECAST_MODELS)} records crises and wars by dyad, which "
            f"the forecast counts; got {model!r}.",
            field="model",
            value=model,
        )
    h = _whole("horizon", horizon, 1)
    n_draws = _whole("draws", draws, 1)
    m = _whole("runs_per_draw", runs_per_draw, 1)
    n_workers = _whole("workers", workers, 1)
    root = new_seed() if seed is None else _whole("seed", seed, 0)
    years = [_whole("origin", y, 1) for y in origins]
    if not years:
        raise InputError("origins: give at least one forecast origin.", field="origins")
    post = posterior if posterior is not None else defaults_posterior(model)
    if post.model != model:
        raise InputError(
            f"posterior: it is for model {post.model!r}, not {model!r}.",
            field="posterior",
            value=post.model,
        )
    sample = post.sample(n_draws, [root, _DRAW_KEY])
    started = time.perf_counter()
    fixed = dict(post.meta.get("fixed") or {})
    tasks = [(y, h, sample, root, model, m, states, fixed) for y in years]
    frames: list[pd.DataFrame] = []
    if n_workers == 1 or len(years) == 1:
        for k, task in enumerate(tasks):
            frames.append(_origin_task(task))
            if progress is not None:
                progress(k + 1, len(tasks))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(n_workers, len(years)), mp_context=ctx) as pool:
            for k, frame in enumerate(pool.map(_origin_task, tasks)):  # in origin order
                frames.append(frame)
                if progress is not None:
                    progress(k + 1, len(tasks))
    counts = pd.concat(frames, ignore_index=True).set_index(["origin", "ccode1", "ccode2"])
    from herz.history.from_history import scenario_known_at

    first = scenario_known_at(years[0], states, steps=h)
    _, notes = _base_overrides(first, model)
    notes.append(
        f"targets: mid = {TARGET_MAPPING['mid']}; mid4 = {TARGET_MAPPING['mid4']}; "
        f"war = {TARGET_MAPPING['war']}"
    )
    if post.meta.get("uncalibrated"):
        notes.insert(
            0,
            "posterior: the scenario's default parameters, not calibrated to any years "
            "(one point; every draw is the same parameter set)",
        )
    if fixed:
        held = ", ".join(f"{k} = {v}" for k, v in fixed.items())
        notes.append(f"held fixed as in the calibration (posterior meta.fixed): {held}")
    geo = [p for p in post.parameters if "reach" in p or "geography" in p]
    if geo and any("geography off" in n for n in notes):
        notes.append(f"{', '.join(geo)}: no effect with geography off")
    return ModelForecast(
        model=model,
        horizon=h,
        draws=n_draws,
        runs_per_draw=m,
        seed=root,
        posterior=posterior_label(post),
        parameters=_parameter_summary(post, first),
        counts=counts,
        notes=tuple(notes),
        seconds=time.perf_counter() - started,
        origins=tuple(years),
    )


def _parameter_summary(posterior: Posterior, scenario: Scenario) -> dict[str, Any]:
    """The posterior's parameters (mean and 90% interval), or the scenario's own values for a
    one-point posterior at the defaults."""
    from herz.scenario import SpiralParams

    if not posterior.parameters:
        params = scenario.spiral if scenario.spiral is not None else SpiralParams()
        dump = params.model_dump(mode="json")
        return {f"spiral.{k}": v for k, v in dump.items() if isinstance(v, int | float | str)}
    table = posterior.summary(0.9)
    return {
        str(name): {str(k): float(v) for k, v in row.items()}
        for name, row in table.to_dict("index").items()
    }


def forecast_panel(
    panel: Panel,
    *,
    model: str = "spiral",
    posterior: Posterior | None = None,
    draws: int = DEFAULT_DRAWS,
    runs_per_draw: int = 1,
    seed: int | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> ModelForecast:
    """:func:`forecast_origins` for the test origins of a backtest panel, checked against it.

    Refuses (:class:`InputError`) a posterior of another model or one whose training years do
    not end before the test window begins, and a panel dyad the scenario lacks (a major power
    without NMC values in ``Y - 1``).
    """
    post = posterior if posterior is not None else defaults_posterior(model)
    check_posterior(post, model, panel.test_years)
    origins = sorted({int(y) for y in panel.test["origin"]})
    fc = forecast_origins(
        origins,
        panel.horizon,
        model=model,
        posterior=post,
        draws=draws,
        runs_per_draw=runs_per_draw,
        seed=seed,
        workers=workers,
        progress=progress,
    )
    have = set(fc.counts.index)
    test = panel.test
    for y, c1, c2, a1, a2 in zip(
        test["origin"].tolist(),
        test["ccode1"].tolist(),
        test["ccode2"].tolist(),
        test["stateabb1"].tolist(),
        test["stateabb2"].tolist(),
        strict=True,
    ):
        if (int(y), int(c1), int(c2)) not in have:
            raise InputError(
                f"test: the world known at {y} has no {a1}-{a2} pair (a major power without NMC "
                f"values in {int(y) - 1} is left out), so {model} cannot forecast it; choose "
                "other test years.",
                field="test",
                value=int(y),
            )
    return fc
