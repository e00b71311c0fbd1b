"""Global sensitivity analysis: Sobol' indices of a sweep outcome, through herz's own sweeps.

Which parameters drive an outcome such as P(war), over given ranges of the parameters? The
variance-based answer (Sobol' 2001) splits the variance of the output Y = f(X_1, ..., X_k),
with the X_i independent and uniform on their ranges, into the parts each parameter explains:

``S1`` (first order) = V[E(Y | X_i)] / V(Y)
    The share of the variance that X_i explains alone: how much the variance would drop, on
    average, if X_i were known. The S1 sum to 1 when the model is additive, to less when
    parameters interact.
``ST`` (total order) = E[V(Y | X_~i)] / V(Y)
    The share that X_i explains alone *or through any interaction*: the variance left, on
    average, if every parameter but X_i were known. ST = 0 means X_i can be fixed anywhere in
    its range without changing Y; ST − S1 is X_i's part in interactions.

**Design** (:func:`saltelli_design`). Saltelli et al. (2010): two N × k matrices A
and B from one 2k-dimensional scrambled Sobol' sequence (``scipy.stats.qmc.Sobol``; Owen
scrambling, seeded), and for each parameter j the matrix AB_j: A with its column j taken from
B. That is N (k + 2) model evaluations. The design is the one a sweep with
``design: {kind: saltelli, samples: N}`` lays out (:func:`herz.experiment.design_points`;
for each base row: A, AB_1, ..., AB_k, B), built by the same code, so the points analysed are
the points the sweep ran. N should be a power of 2 (the Sobol' sequence's balance).

**Estimators** (:func:`sobol_indices`), with f_A, f_B, f_AB_j the outputs on the rows of A,
B and AB_j, all centred on the mean of f_A and f_B (Sobol' & Levitan 1999), and V the variance
of f_A and f_B pooled:

- first order, Saltelli et al. (2010), Table 2 (b): S1_j = mean[f_B (f_AB_j − f_A)] / V;
- total order, Jansen (1999), Saltelli et al. (2010), Table 2 (f):
  ST_j = mean[(f_A − f_AB_j)²] / (2 V).

These are the estimators of ``scipy.stats.sobol_indices`` (method ``saltelli_2010``), which the
tests check to machine precision on the same outputs. Confidence intervals come from a
bootstrap over the N base rows (each resample keeps a row's k + 2 points together). They are
herz's one implementation of Sobol' indices: :func:`herz.analysis.sobol_indices` and
:func:`herz.analysis.sweep_sensitivity` (``herz plot sensitivity``) run the same code, which
lives in :mod:`herz.analysis`, the layer below this one.

**Evaluation through a sweep** (:func:`run_sensitivity`). Each design point is a parameter
point of a herz sweep (:func:`herz.experiment.run_sweep`) with R runs, so the evaluation is
stored in DuckDB, resumable after a crash or Ctrl-C, and parallel (local processes or Dask),
and its outcomes are bit-identical on any executor. No new sweep machinery was needed: the
``saltelli`` design is one of the sweep designs. :func:`sweep_indices` reads any stored
``saltelli`` sweep (also one run by ``herz sweep``); a point's output is the mean of an outcome
over its R runs: ``war`` gives P(war).

**Monte Carlo error.** A point's output is an estimate from R runs, Ŷ = Y + e with the noise e
independent between points, of variance v_p (the sampling variance of the point's mean, s²/R;
for a share p, p(1 − p)/(R − 1)). With m the mean of v_p over the points and V̂ = V + m the
variance of the noisy outputs, the estimators above converge not to the indices but to

    S1 → S1 (1 − η),    ST → η + ST (1 − η),    η = m / V̂,

so noise *deflates* every first-order index and *inflates* every total index: a parameter
with no effect at all shows ST ≈ η. :class:`SensitivityResult` reports the noise share η
(``noise_share``) and the indices with this bias removed (:meth:`SensitivityResult.corrected`);
a total index below about η cannot be told from noise. More runs per point (R) shrink η as 1/R;
more base rows (N) shrink the bootstrap intervals as 1/√N but not the bias.

References
----------
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. and Tarantola, S. (2010),
"Variance based sensitivity analysis of model output. Design and estimator for the total
sensitivity index", Computer Physics Communications 181(2):259–270,
doi:10.1016/j.cpc.2009.09.018.

Jansen, M. J. W. (1999), "Analysis of variance designs for model output", Computer Physics
Communications 117(1–2):35–43, doi:10.1016/S0010-4655(98)00154-4.

Sobol', I. M. (2001), "Global sensitivity indices for nonlinear mathematical models and their
Monte Carlo estimates", Mathematics and Computers in Simulation 55(1–3):271–280.

Sobol', I. M. and Levitan, Y. L. (1999), "On the use of variance reducing multipliers in Monte
Carlo computations of a global sensitivity index", Computer Physics Communications
117(1–2):52–61.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from herz.analysis import (
    _check_confidence,
    _check_count,
    _declared_measures,
    _sobol_indices,
    check_saltelli,
    declared_outcomes,
    defined_values,
)
from herz.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from herz.experiment import Progress, SweepReport

FloatArray = NDArray[np.float64]
#: A parameter's range: (low, high), low < high; the parameter is uniform on it.
Bounds = tuple[float, float]

__all__ = [
    "Bounds",
    "SensitivityResult",
    "function_indices",
    "run_sensitivity",
    "saltelli_design",
    "sobol_indices",
    "sweep_indices",
]

#: spawn_key of the bootstrap stream drawn from a sweep's seed ("boot" in ASCII); the sweep's
#: runs use two-element keys and its design stream another one-element key, so none meet.
_BOOTSTRAP_KEY = 0x626F6F74
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")


# -- input checks -----------------------------------------------------------------------------
def _check_parameters(parameters: Mapping[str, Any]) -> dict[str, Bounds]:
    """The parameters as ``{name: (low, high)}`` floats, or an :class:`InputError` naming the
    field (``parameters`` or ``parameters.<name>``)."""
    if not isinstance(parameters, Mapping) or not parameters:
        raise InputError(
            "parameters: give at least one parameter with its range (low, high).",
            field="parameters",
            value=parameters if isinstance(parameters, Mapping) else None,
        )
    out: dict[str, Bounds] = {}
    for name, bounds in parameters.items():
        field = f"parameters.{name}"
        if not isinstance(name, str) or not name:
            raise InputError(f"{field}: a parameter needs a name.", field=field, value=name)
        try:
            low, high = (float(b) for b in bounds)
            if any(isinstance(b, bool) for b in bounds):
                raise TypeError
        except (TypeError, ValueError):
            raise InputError(
                f"{field}: the range must be two numbers (low, high), got {bounds!r}.",
                field=field,
                value=bounds,
            ) from None
        if not (math.isfinite(low) and math.isfinite(high)):
            raise InputError(
                f"{field}: the range must be finite, got ({low:g}, {high:g}).",
                field=field,
                value=bounds,
            )
        if not low < high:
            raise InputError(
                f"{field}: low ({low:g}) must be below high ({high:g}).",
                field=field,
                value=bounds,
            )
        out[name] = (low, high)
    return out


# -- the design -------------------------------------------------------------------------------
def saltelli_design(parameters: Mapping[str, Bounds], n: int, *, seed: int) -> pd.DataFrame:
    """The Saltelli et al. (2010) design: N (k + 2) points for k parameters.

    For each of the ``n`` base rows i of a scrambled 2k-dimensional Sobol' sequence (A_i its
    first k coordinates, B_i the last k, scaled to the ranges), the rows A_i, then A_i with
    column j taken from B_i for j = 1..k, then B_i. This is exactly the design of a sweep with
    ``design: {kind: saltelli, samples: n}`` and the same seed
    (:func:`herz.experiment.design_points`, which this calls).

    Parameters
    ----------
    parameters:
        ``{name: (low, high)}``: each parameter is uniform on its range; ``low < high``.
    n:
        Base rows N (a power of 2 keeps the Sobol' sequence balanced).
    seed:
        Root seed; the scrambling draws from ``SeedSequence(seed, spawn_key=(design key,))``,
        as a sweep's design does.

    Returns
    -------
    DataFrame
        ``n * (k + 2)`` rows, one column per parameter, in the order above.

    Raises
    ------
    InputError
        For no parameters, a range that is not two finite numbers with low < high (naming
        ``parameters.<name>``), or ``n`` < 1.
    """
    from herz.experiment.spec import SweepSpec, design_points

    ranges = _check_parameters(parameters)
    n = _check_count("n", n, most=10_000_000)
    seed = _check_count("seed", seed, least=0)
    spec = SweepSpec.model_validate(
        {
            "name": "sensitivity",
            "scenario": "-",  # the design does not depend on the scenario
            "parameters": {p: {"low": lo, "high": hi} for p, (lo, hi) in ranges.items()},
            "design": {"kind": "saltelli", "samples": n},
            "runs": 1,
        }
    )
    return design_points(spec, seed)


# -- the estimators ---------------------------------------------------------------------------
def sobol_indices(
    outputs: ArrayLike,
    names: Sequence[str],
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int | None = 0,
) -> pd.DataFrame:
    """First-order (Saltelli et al. 2010) and total (Jansen 1999) Sobol' indices, with
    bootstrap confidence intervals.

    Parameters
    ----------
    outputs:
        One value per point of a :func:`saltelli_design` (or of a ``saltelli`` sweep), in its
        order: N base rows × (A, AB_1, ..., AB_k, B).
    names:
        The k parameter names, in the design's column order.
    n_resamples:
        Bootstrap resamples of the N base rows.
    confidence:
        Coverage of the intervals.
    seed:
        Seed of the bootstrap resampling.

    Returns
    -------
    DataFrame
        One row per parameter: ``parameter``, ``S1``, ``S1_conf``, ``S1_low``, ``S1_high``,
        ``ST``, ``ST_conf``, ``ST_low``, ``ST_high``. ``*_low``/``*_high`` is the bootstrap
        percentile interval; ``*_conf`` the normal-approximation half-width z·SE of the
        bootstrap (as :func:`herz.plots.experiments.plot_sensitivity` draws it).

    Raises
    ------
    InputError
        For no names, a number of outputs that is not a multiple of k + 2, NaN or infinite
        outputs, fewer than 2 base rows, or outputs that do not vary.
    """
    return _sobol_indices(outputs, names, n_resamples=n_resamples, confidence=confidence, seed=seed)


def function_indices(
    func: Callable[[FloatArray], ArrayLike],
    parameters: Mapping[str, Bounds],
    n: int,
    *,
    seed: int = 0,
    n_resamples: int = 1000,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Sobol' indices of a vectorized function over uniform ranges (no sweep, no noise).

    ``func`` takes an array of shape ``(points, k)`` (columns in the order of ``parameters``)
    and returns one value per point. It is evaluated on :func:`saltelli_design` and analysed
    by :func:`sobol_indices` (bootstrap seeded by ``seed`` too). For a stochastic model use
    :func:`run_sensitivity`, which also reports the Monte Carlo error.

    Examples
    --------
    >>> import numpy as np
    >>> from herz.sensitivity import function_indices
    >>> idx = function_indices(lambda x: x[:, 0] + 0.1 * x[:, 1], {"a": (0, 1), "b": (0, 1)}, 256)
    >>> idx.set_index("parameter")["ST"].round(2).tolist()
    [0.99, 0.01]
    """
    ranges = _check_parameters(parameters)
    design = saltelli_design(ranges, n, seed=seed)
    y = np.asarray(func(design.to_numpy(dtype=float)), dtype=float).ravel()
    if y.size != len(design):
        raise InputError(
            f"func: returned {y.size} values for {len(design)} points; it must return one "
            "value per row.",
            field="func",
            value=y.size,
        )
    return sobol_indices(y, list(ranges), n_resamples=n_resamples, confidence=confidence, seed=seed)


# -- through a sweep --------------------------------------------------------------------------
@dataclass(frozen=True)
class SensitivityResult:
    """Sobol' indices of an outcome over a stored ``saltelli`` sweep, with its Monte Carlo error.

    Attributes
    ----------
    indices:
        As :func:`sobol_indices` returns it: one row per parameter (``S1``, ``ST`` and their
        bootstrap intervals).
    outcome:
        The outcome analysed (``war``); ``measure`` names the per-point output (``p_war`` for
        a true/false outcome, ``mean_<outcome>`` for a number).
    measure:
        See ``outcome``.
    parameters:
        The parameters and their ranges, in the design's order.
    points:
        One row per design point: ``point``, the parameters, ``value`` (the point's output),
        ``n`` (runs where the outcome is defined) and ``noise_var`` (the sampling variance of
        ``value``: s²/n).
    n_base:
        Base rows N of the design.
    runs:
        Runs per point R.
    seed:
        The sweep's root seed (the design's, the runs' and, through another stream, the
        bootstrap's).
    output_variance:
        V̂, the variance of the outputs on the A and B points (the estimators' denominator).
    noise_variance:
        m, the mean over the points of ``noise_var``: the Monte Carlo error's variance.
    db, sweep:
        Where the sweep is stored, and its name.
    report:
        What :func:`herz.experiment.run_sweep` did (``None`` when the sweep was only read).
    """

    indices: pd.DataFrame
    outcome: str
    measure: str
    parameters: dict[str, Bounds]
    points: pd.DataFrame
    n_base: int
    runs: int
    seed: int
    output_variance: float
    noise_variance: float
    db: Path
    sweep: str
    report: SweepReport | None = None

    @property
    def noise_share(self) -> float:
        """η = m / V̂: the share of the outputs' variance that is Monte Carlo noise. Every ST is
        inflated by about η (a parameter without effect shows ST ≈ η), every S1 deflated by
        the factor 1 − η. NaN when the runs per point are too few to tell (R = 1)."""
        if not math.isfinite(self.noise_variance) or self.output_variance <= 0:
            return math.nan
        return self.noise_variance / self.output_variance

    @property
    def standard_error(self) -> float:
        """√m: the typical standard error of one point's output (e.g. of its P(war))."""
        return math.sqrt(self.noise_variance) if self.noise_variance >= 0 else math.nan

    def corrected(self) -> pd.DataFrame:
        """The indices with the noise bias removed: S1 / (1 − η) and (ST − η) / (1 − η).

        A first-order correction for independent noise of variance m at each point (see the
        module docstring); it does not narrow the intervals, which the columns keep from
        :attr:`indices`, transformed the same way.
        """
        eta = self.noise_share
        out = self.indices.copy()
        if not math.isfinite(eta) or eta >= 1:
            return out
        for col in ("S1", "S1_low", "S1_high", "S1_conf"):
            out[col] = out[col] / (1 - eta)
        for col in ("ST", "ST_low", "ST_high"):
            out[col] = (out[col] - eta) / (1 - eta)
        out["ST_conf"] = out["ST_conf"] / (1 - eta)
        return out

    def table(self, digits: int = 3) -> str:
        """The indices as a Markdown table (parameter, range, S1 and ST with their intervals),
        largest ST first."""
        rows = self.indices.sort_values("ST", ascending=False)
        lines = [
            f"| parameter | range | S1 | {_pct(self)} CI | ST | {_pct(self)} CI |",
            "|---|---|---:|---|---:|---|",
        ]
        f = f"{{:.{digits}f}}"
        for r in rows.itertuples(index=False):
            lo, hi = self.parameters[str(r.parameter)]
            lines.append(
                f"| `{r.parameter}` | {lo:g} – {hi:g} | {f.format(r.S1)} | "
                f"[{f.format(r.S1_low)}, {f.format(r.S1_high)}] | {f.format(r.ST)} | "
                f"[{f.format(r.ST_low)}, {f.format(r.ST_high)}] |"
            )
        return "\n".join(lines)


def _pct(result: SensitivityResult) -> str:
    conf = result.indices.attrs.get("confidence", 0.95)
    return f"{100 * conf:g}%"


def _outcome_kind(outcome: str, model: str) -> str:
    """The declared dtype of ``outcome`` in ``model`` (bool, int or float), or InputError."""
    from herz.models import get_model

    if not isinstance(outcome, str) or not outcome:
        raise InputError(
            f"outcome: give an outcome name, got {outcome!r}.", field="outcome", value=outcome
        )
    kinds = declared_outcomes([outcome], model)
    declared = [m for m in get_model(model).outcomes if m.dtype != "str"]
    if outcome not in kinds or kinds[outcome] == "str":
        choices = ", ".join(m.name for m in declared) or "none"
        raise InputError(
            f"outcome: the {model} model has no numeric or true/false outcome {outcome!r} "
            f"(choose: {choices}).",
            field="outcome",
            value=outcome,
        )
    return kinds[outcome]


def _check_base_rows(n: Any, name: str = "n") -> int:
    """``n`` base rows for Sobol' indices: an integer ≥ 2, checked before any sweep runs.

    The estimators need a variance across base rows; with one, the sweep ran to the end and
    only then failed ("outputs: ... need at least 2 base rows"), leaving a stored sweep that no
    analysis can use.
    """
    rows = _check_count(name, n, most=10_000_000)
    if rows < 2:
        raise InputError(
            f"{name}: Sobol' indices need at least 2 base rows (they estimate variances across "
            f"them), got {rows}.",
            field=name,
            value=rows,
        )
    return rows


def _sweep_name(scenario: str | Path, outcome: str) -> str:
    stem = Path(str(scenario)).name.removesuffix(".yaml").removesuffix(".yml")
    stem = _NAME_CHARS.sub("-", stem).strip("-._") or "scenario"
    return f"sensitivity-{stem}-{outcome}"[:100]


def run_sensitivity(
    scenario: str | Path,
    parameters: Mapping[str, Bounds],
    *,
    outcome: str = "war",
    n: int = 64,
    runs: int = 200,
    steps: int | None = None,
    seed: int | None = None,
    model: str = "spiral",
    options: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    name: str | None = None,
    db: str | Path | None = None,
    out: str | Path = "results",
    resume: bool = False,
    workers: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
) -> SensitivityResult:
    """Run a ``saltelli`` sweep and compute the Sobol' indices of an outcome's mean.

    Builds the sweep spec (``design: {kind: saltelli, samples: n}``, one parameter per
    ``parameters`` entry with ``{low, high}``), runs it with :func:`herz.experiment.run_sweep`
    (stored, resumable, parallel, exact on any executor) and analyses it with
    :func:`sweep_indices`.

    Parameters
    ----------
    scenario:
        A built-in scenario name or a scenario file.
    parameters:
        ``{dotted path: (low, high)}``: any scenario path a sweep accepts
        (``spiral.war_cost``, ``world.offense_advantage``).
    outcome:
        A ``bool`` or numeric outcome the model declares; a point's output is its mean over the
        runs (``war``: P(war)).
    n, runs, steps, seed:
        Base rows N (N (k + 2) points), runs per point R, steps per run (default: the
        scenario's), and the root seed (default: fresh entropy, recorded in the database).
    model, options, overrides:
        The model, its options, and fixed scenario changes at every point.
    name, db, out:
        The sweep's name (default ``sensitivity-<scenario>-<outcome>``) and its database
        (default ``<out>/<name>.duckdb``).
    resume:
        Complete a sweep of that name already in ``db`` (after a crash or Ctrl-C).
    workers, progress:
        Passed to :func:`herz.experiment.run_sweep`.
    n_resamples, confidence:
        Bootstrap resamples and the intervals' coverage.

    Raises
    ------
    InputError
        For anything invalid, before the database is created or touched: no parameters, a
        range with low ≥ high (``parameters.<path>``), a path the scenario lacks, an unknown
        outcome (``outcome``), ``n`` below 2 (before any run), non-positive ``runs``.
    """
    from herz.experiment import run_sweep
    from herz.models import get_model

    ranges = _check_parameters(parameters)
    n = _check_base_rows(n)
    runs = _check_count("runs", runs)
    n_resamples = _check_count("n_resamples", n_resamples)
    confidence = _check_confidence(confidence)
    if steps is not None:
        steps = _check_count("steps", steps)
    if seed is not None:
        seed = _check_count("seed", seed, least=0)
    get_model(model)  # an unknown model is one sentence naming it
    _outcome_kind(outcome, model)
    spec: dict[str, Any] = {
        "name": name if name is not None else _sweep_name(scenario, outcome),
        "description": f"Sobol' indices of {outcome} (herz.sensitivity)",
        "scenario": str(scenario),
        "model": model,
        "options": dict(options or {}),
        "overrides": dict(overrides or {}),
        "parameters": {p: {"low": lo, "high": hi} for p, (lo, hi) in ranges.items()},
        "design": {"kind": "saltelli", "samples": n},
        "runs": runs,
        "keep": "summary",
    }
    if steps is not None:
        spec["steps"] = steps
    if seed is not None:
        spec["seed"] = seed
    try:
        report = run_sweep(spec, db=db, out=out, resume=resume, workers=workers, progress=progress)
    except InputError as exc:  # the spec is ours: name the argument, not "<sweep>"
        # a parameter's range is the -p flag's ("two-state (with <sweep>: parameters): ...")
        text = str(exc).replace("<sweep>: parameters", "-p").replace("<sweep>: overrides", "--set")
        text = text.removeprefix("<sweep>: ")
        if text == str(exc):
            raise
        raise InputError(
            text if text.endswith(".") else f"{text}.", field=exc.field, value=exc.value
        ) from None
    result = sweep_indices(
        report.db, outcome, report.name, n_resamples=n_resamples, confidence=confidence
    )
    return dataclasses.replace(result, report=report)


def sweep_indices(
    db: str | Path,
    outcome: str = "war",
    sweep: str | None = None,
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
) -> SensitivityResult:
    """Sobol' indices of an outcome's per-point mean over a stored, complete ``saltelli`` sweep.

    Each point's output is the mean of ``outcome`` over the runs where it is defined (``war``:
    P(war)), its Monte Carlo variance s²/n (see the module docstring). The bootstrap draws from
    ``SeedSequence(sweep seed, spawn_key=(bootstrap key,))``, so the whole analysis follows
    from the sweep's seed.

    Raises
    ------
    InputError
        If the file holds no such sweep, the sweep is not a ``saltelli`` design or is
        incomplete, the outcome is not one of its numeric or true/false outcomes, or a point
        has no run where the outcome is defined.
    """
    import pandas as pd

    from herz.store import open_results

    n_resamples = _check_count("n_resamples", n_resamples)
    confidence = _check_confidence(confidence)
    with open_results(db) as store:
        sweep_id = store.resolve(sweep)
        info = store.info(sweep_id)
        check_saltelli(db, info)
        kind = _outcome_kind(outcome, info.model)
        if outcome not in info.outcome_columns:
            raise InputError(
                f"outcome: sweep {info.name!r} stored no outcome {outcome!r}.",
                field="outcome",
                value=outcome,
            )
        runs = store.runs(sweep_id)
        points = store.points(sweep_id)
    k = len(info.parameters)
    counts = runs.groupby("point").size()
    if len(counts) != info.n_points or (counts != info.runs_per_point).any():
        raise InputError(
            f"{db}: sweep {info.name!r} is incomplete ({len(runs)} of "
            f"{info.n_points * info.runs_per_point} runs stored); complete it with --resume "
            "(resume=True) first.",
            field="sweep",
            value=info.name,
        )
    # undefined where the model says so: the first war's size only in runs with a war
    declared = _declared_measures([outcome], info.model).get(outcome)
    values = pd.Series(defined_values(runs, outcome, declared), index=runs.index)
    grouped = values.groupby(runs["point"].to_numpy(), sort=True)
    mean = grouped.mean()
    n_def = grouped.count()
    noise = grouped.var(ddof=1) / n_def
    if (n_def == 0).any():
        bad = int(n_def.index[(n_def == 0).to_numpy()][0])
        raise InputError(
            f"outcome: {outcome!r} is undefined in every run of point {bad} (e.g. a war's "
            "step where no war happened); choose another outcome.",
            field="outcome",
            value=outcome,
        )
    params = info.spec["parameters"]
    ranges = {p: (float(params[p]["low"]), float(params[p]["high"])) for p in info.parameters}
    table = points[["point", *info.parameters]].sort_values("point").reset_index(drop=True)
    table["value"] = mean.to_numpy()
    table["n"] = n_def.to_numpy()
    table["noise_var"] = noise.to_numpy()
    boot_seed = np.random.SeedSequence(info.seed, spawn_key=(_BOOTSTRAP_KEY,))
    indices = sobol_indices(
        table["value"].to_numpy(),
        info.parameters,
        n_resamples=n_resamples,
        confidence=confidence,
        seed=int(boot_seed.generate_state(1, np.uint64)[0]),
    )
    indices.attrs["confidence"] = confidence
    y = table["value"].to_numpy().reshape(-1, k + 2)
    pooled = np.concatenate([y[:, 0], y[:, -1]])
    noise_var = table["noise_var"].to_numpy()
    measure = f"p_{outcome}" if kind == "bool" else f"mean_{outcome}"
    return SensitivityResult(
        indices=indices,
        outcome=outcome,
        measure=measure,
        parameters=ranges,
        points=table,
        n_base=len(table) // (k + 2),
        runs=info.runs_per_point,
        seed=info.seed,
        output_variance=float(pooled.var()),
        noise_variance=float(noise_var.mean()) if np.isfinite(noise_var).all() else math.nan,
        db=Path(db),
        sweep=info.name,
    )
