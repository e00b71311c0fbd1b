"""Conformance checks for herz models and iterated-game strategies: the analogue of
scikit-learn's ``check_estimator``.

:func:`check_model` runs a model through small, cheap calls and checks that it keeps the model
contract (:mod:`herz.models._base`); :func:`check_strategy` does the same for a strategy of the
iterated games (:class:`herz.models.iterated.Strategy`). herz's own tests run both over every
registered model and strategy; third-party authors run them in theirs::

    from herz.testing import check_model

    def test_my_model_keeps_the_contract() -> None:
        check_model(MyModel)

A broken contract raises :class:`ConformanceError` (an ``AssertionError``) whose message names
the model or strategy, the check and what broke. Each check is also a public function of its
own (:func:`check_determinism`, :func:`check_batching`, ...), and ``check_model(..., skip=...)``
leaves some out by name (:data:`MODEL_CHECKS`, :data:`STRATEGY_CHECKS`).

This module never imports pytest: it only raises.
"""

from __future__ import annotations

import inspect
import json
import math
import re
import tempfile
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from herz.errors import InputError
from herz.models._base import COMMON_OUTCOMES, COMMON_SUMMARY, Measure, Model

if TYPE_CHECKING:
    from herz.models.iterated.kernel import MatchEnsemble, Strategy
    from herz.results import Result
    from herz.scenario import Scenario

__all__ = [
    "MODEL_CHECKS",
    "OPPONENTS",
    "STRATEGY_CHECKS",
    "ConformanceError",
    "check_bad_parameters",
    "check_batching",
    "check_declarations",
    "check_determinism",
    "check_keep",
    "check_model",
    "check_outcome_schema",
    "check_round_trip",
    "check_strategy",
    "check_strategy_batching",
    "check_strategy_determinism",
    "check_strategy_replay",
    "check_strategy_tables",
    "check_summary",
]

#: What :func:`check_model` accepts: a registered name, a Model subclass or an instance.
ModelLike = Model | type[Model] | str

_DTYPES = ("bool", "int", "float", "str")
#: A model's name is also its scenario block's key, so it follows the block-name rule.
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
#: Keywords of ``herz.simulate`` itself: an option of that name could never be passed.
_SIMULATE_KEYWORDS = (
    "scenario",
    "model",
    "steps",
    "runs",
    "seed",
    "overrides",
    "keep",
    "run_offset",
    "stream_key",
    "progress",
)
_COMMON_ARGUMENTS = ("steps", "runs", "seed", "keep", "run_offset", "stream_key", "progress")
_UNKNOWN_OPTION = "no_such_option_for_conformance"
_UNKNOWN_PARAMETER = "no_such_parameter_for_conformance"
#: A stream key other than the default, for the batching check (as a sweep's point would use).
_STREAM_KEY = (3,)


class ConformanceError(AssertionError):
    """A model or strategy breaks its contract.

    Attributes
    ----------
    subject:
        What was checked, e.g. ``"model 'spiral'"``.
    check:
        The check that failed (one of :data:`MODEL_CHECKS` or :data:`STRATEGY_CHECKS`).
    detail:
        What broke.
    """

    def __init__(self, subject: str, check: str, detail: str) -> None:
        super().__init__(f"{subject} fails the {check} check: {detail}")
        self.subject = subject
        self.check = check
        self.detail = detail


# --------------------------------------------------------------------------------------------
# Running a model
# --------------------------------------------------------------------------------------------


def _resolve_model(model: ModelLike) -> Model:
    """The model instance behind a name, a class or an instance."""
    if isinstance(model, str):
        from herz.models import get_model

        return get_model(model)
    if isinstance(model, type):
        if not issubclass(model, Model):
            raise TypeError(f"{model!r} is not a herz.models.Model subclass.")
        try:
            return model()
        except Exception as exc:
            subject = f"model {getattr(model, 'name', model.__name__)!r}"
            raise ConformanceError(
                subject,
                "declarations",
                f"the class cannot be instantiated without arguments ({exc!r}); models are "
                "stateless, one instance serves every call.",
            ) from exc
    if isinstance(model, Model):
        return model
    raise TypeError(
        f"check_model takes a Model subclass, an instance or a registered name, got {model!r}."
    )


def _is_registered(model: Model) -> bool:
    """Whether ``model`` is the registered model of its name (then herz.simulate can run it)."""
    from herz.models import get_model, model_names

    name = getattr(model, "name", None)
    if not isinstance(name, str) or name not in model_names():
        return False
    try:
        return type(get_model(name)) is type(model)
    except Exception:
        return False


@dataclass
class _Case:
    """One model under test on one scenario, with its base results computed once."""

    model: Model
    scenario: Scenario
    seed: int
    runs: int
    steps: int
    options: dict[str, Any]
    registered: bool = field(init=False)

    def __post_init__(self) -> None:
        self.registered = _is_registered(self.model)

    @property
    def subject(self) -> str:
        return f"model {getattr(self.model, 'name', type(self.model).__name__)!r}"

    def fail(self, check: str, detail: str) -> ConformanceError:
        return ConformanceError(self.subject, check, detail)

    def call(
        self,
        *,
        keep: str = "series",
        runs: int | None = None,
        steps: int | None = None,
        run_offset: int = 0,
        stream_key: tuple[int, ...] = (),
        options: Mapping[str, Any] | None = None,
        scenario: Scenario | None = None,
    ) -> Result:
        """Run the model; exceptions propagate (see :meth:`run`)."""
        kwargs: dict[str, Any] = {
            "steps": self.steps if steps is None else steps,
            "runs": self.runs if runs is None else runs,
            "seed": self.seed,
            "keep": keep,
            "run_offset": run_offset,
            "stream_key": stream_key,
        }
        opts = dict(self.options if options is None else options)
        sc = self.scenario if scenario is None else scenario
        from herz.simulation import simulate

        return simulate(
            sc, self.model if not self.registered else self.model.name, **kwargs, **opts
        )

    def run(self, check: str, **kwargs: Any) -> Result:
        """Run the model; any exception is a failure of ``check``."""
        try:
            result = self.call(**kwargs)
        except Exception as exc:
            shown = {
                "steps": self.steps,
                "runs": self.runs,
                "seed": self.seed,
                **{k: v for k, v in kwargs.items() if k != "scenario"},
            }
            args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
            raise self.fail(check, f"simulate({args}) raised {type(exc).__name__}: {exc}") from exc
        from herz.results import Result

        if not isinstance(result, Result):
            raise self.fail(check, f"simulate returned {type(result).__name__}, not a Result.")
        return result

    @cached_property
    def base(self) -> Result:
        """``keep="series"``, run_offset 0, the default stream."""
        return self.run("determinism")


def _case(
    model: ModelLike,
    scenario: Scenario | str | Path | Mapping[str, Any] | None,
    *,
    seed: int,
    runs: int,
    steps: int,
    options: Mapping[str, Any] | None,
    overrides: Mapping[str, Any] | None,
) -> _Case:
    from herz.scenario import load_scenario

    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 2:
        raise ValueError(f"the checks need runs >= 2 (to split an ensemble), got {runs!r}.")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}.")
    m = _resolve_model(model)
    sc = load_scenario("two-state" if scenario is None else scenario, overrides)
    return _Case(m, sc, seed, runs, steps, dict(options or {}))


# --------------------------------------------------------------------------------------------
# Comparing results
# --------------------------------------------------------------------------------------------


def _tables(result: Result) -> dict[str, pd.DataFrame | None]:
    return {"outcomes": result.outcomes, "series": result.series, "events": result.events}


def _plain(df: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as plain objects (their categories may depend on the rows)."""
    out = df.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object)
    return out


def _frame_difference(left: pd.DataFrame, right: pd.DataFrame) -> str | None:
    """pandas' description of how two frames differ (exact comparison), or None."""
    try:
        pd.testing.assert_frame_equal(left, right, check_exact=True)
    except AssertionError as exc:
        return str(exc).strip()
    return None


def _table_difference(
    name: str, left: pd.DataFrame | None, right: pd.DataFrame | None
) -> str | None:
    if left is None and right is None:
        return None
    if left is None or right is None:
        which = "first" if left is None else "second"
        return f"result.{name} is None in the {which} call only"
    diff = _frame_difference(left.reset_index(drop=True), right.reset_index(drop=True))
    return None if diff is None else f"result.{name} differs: {diff}"


def _jsonable(value: Any) -> Any:
    from herz.results import to_jsonable

    return to_jsonable(value)


def _value_difference(left: Any, right: Any, rel: float, path: str = "") -> str | None:
    """Where two JSON-like values differ (floats to relative ``rel``), or None."""
    here = path or "(top level)"
    if isinstance(left, dict) and isinstance(right, dict):
        if list(left) != list(right) and set(left) != set(right):
            only = sorted(set(left) ^ set(right))
            return f"{here}: keys {only} are in one only"
        for k in left:
            diff = _value_difference(left[k], right[k], rel, f"{path}.{k}" if path else k)
            if diff is not None:
                return diff
        return None
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return f"{here}: lengths {len(left)} and {len(right)}"
        for i, (a, b) in enumerate(zip(left, right, strict=True)):
            diff = _value_difference(a, b, rel, f"{path}[{i}]")
            if diff is not None:
                return diff
        return None
    numbers = (int, float)
    if (
        isinstance(left, numbers)
        and isinstance(right, numbers)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
    ):
        if left == right or math.isclose(left, right, rel_tol=rel, abs_tol=0.0):
            return None
        return f"{here}: {left!r} != {right!r}"
    if type(left) is not type(right) or left != right:
        return f"{here}: {left!r} != {right!r}"
    return None


def _sorted_by_run(df: pd.DataFrame) -> pd.DataFrame:
    if "run" in df.columns:
        df = df.sort_values("run", kind="stable")
    return _plain(df).reset_index(drop=True)


def _concat(parts: Sequence[pd.DataFrame | None]) -> pd.DataFrame | None:
    frames = [p for p in parts if p is not None]
    if not frames:
        return None
    if len(frames) != len(parts):
        raise ValueError("mixed")
    nonempty = [p for p in frames if len(p)]
    if not nonempty:
        return frames[0]
    return pd.concat(nonempty, ignore_index=True)


# --------------------------------------------------------------------------------------------
# The model checks
# --------------------------------------------------------------------------------------------


def _measure_problem(m: Any, where: str) -> str | None:
    """What is wrong with one declared Measure, or None."""
    if not isinstance(m, Measure):
        return f"{where}: {m!r} is not a herz.models.Measure"
    name: Any = m.name
    unit: Any = m.unit
    doc: Any = m.doc
    if not isinstance(name, str) or not name:
        return f"{where}: a Measure has no name ({m!r})"
    concrete = name.replace("{state}", "x")
    if not concrete.isidentifier() or "{" in concrete or "}" in concrete:
        return (
            f"{where}: {m.name!r} is not a valid column name (letters, digits and underscores; "
            "'{state}' is the only template)"
        )
    if m.dtype not in _DTYPES:
        return f"{where}: {m.name!r} has dtype {m.dtype!r}; choose one of {', '.join(_DTYPES)}"
    if not isinstance(unit, str):
        return f"{where}: {m.name!r} has a unit that is not a string ({unit!r})"
    if not isinstance(doc, str) or not doc.strip():
        return f"{where}: {m.name!r} has no doc line"
    return None


def _pydantic_class(value: Any) -> bool:
    return isinstance(value, type) and issubclass(value, BaseModel)


def _annotation_classes(annotation: Any) -> list[Any]:
    out = [annotation]
    for arg in typing.get_args(annotation):
        out.extend(_annotation_classes(arg))
    return out


def _declarations(case_model: Model, subject: str) -> None:
    def fail(detail: str) -> ConformanceError:
        return ConformanceError(subject, "declarations", detail)

    m = case_model
    name = getattr(m, "name", None)
    if not isinstance(name, str) or not _NAME.match(name):
        raise fail(
            f"name is {name!r}; it must be a lower-case identifier (letters, digits, '_', "
            "starting with a letter, at most 64 characters): it is also the scenario block's key."
        )
    from herz.scenario import Scenario

    scenario_field = Scenario.model_fields.get(name)
    if scenario_field is not None and (
        m.Params is None or m.Params not in _annotation_classes(scenario_field.annotation)
    ):
        raise fail(f"name {name!r} is a scenario field of its own; choose another name.")
    for attr in ("title", "citation"):
        if not isinstance(getattr(m, attr, ""), str):
            raise fail(f"{attr} must be a string, got {getattr(m, attr)!r}.")
    if m.Params is not None:
        if not _pydantic_class(m.Params):
            raise fail(f"Params must be None or a pydantic model class, got {m.Params!r}.")
        try:
            m.Params.model_json_schema()
        except Exception as exc:
            raise fail(f"Params has no JSON schema ({exc!r}); the web page needs one.") from exc
    if not _pydantic_class(m.Options):
        raise fail(f"Options must be a pydantic model class, got {m.Options!r}.")
    try:
        m.Options.model_json_schema()
    except Exception as exc:
        raise fail(f"Options has no JSON schema ({exc!r}); the web page needs one.") from exc
    try:
        m.Options()
    except Exception as exc:
        raise fail(
            f"Options() fails ({exc!r}); every option needs a default, since a run may name none."
        ) from exc
    clash = [o for o in m.Options.model_fields if o in _SIMULATE_KEYWORDS]
    if clash:
        raise fail(f"option {clash[0]!r} clashes with an argument of herz.simulate.")

    for group, measures in (("outcomes", m.outcomes), ("summary_fields", m.summary_fields)):
        if not isinstance(measures, tuple | list):
            raise fail(f"{group} must be a tuple of Measures, got {type(measures).__name__}.")
        seen: set[str] = set()
        for measure in measures:
            problem = _measure_problem(measure, group)
            if problem is not None:
                raise fail(problem + ".")
            if measure.name in seen:
                raise fail(f"{group}: {measure.name!r} is declared twice.")
            seen.add(measure.name)
    bools = {o.name for o in m.outcomes if o.dtype == "bool" and not o.per_state}
    for measure in m.outcomes:
        if measure.name == "run":
            raise fail("outcomes: 'run' is implicit; do not declare it.")
        if measure.given is not None and (
            measure.given not in bools or measure.dtype not in ("int", "float")
        ):
            raise fail(
                f"outcomes: {measure.name!r} is declared given={measure.given!r}; 'given' "
                "names a bool outcome of the model, on an int or float outcome."
            )
        common = COMMON_OUTCOMES.get(measure.name)
        if common is not None and (common.dtype, common.unit) != (measure.dtype, measure.unit):
            raise fail(
                f"outcomes: {measure.name!r} is a common outcome name (the glossary's "
                f"{common.dtype}, {common.unit!r}: {common.doc}) but is declared "
                f"{measure.dtype}, {measure.unit!r}; use COMMON_OUTCOMES[{measure.name!r}] or "
                "another name."
            )
    stamped = {c.name for c in COMMON_SUMMARY}
    for measure in m.summary_fields:
        if measure.name in stamped:
            raise fail(
                f"summary_fields: {measure.name!r} is stamped by herz.simulate "
                "(COMMON_SUMMARY); do not declare it."
            )

    try:
        params = inspect.signature(m.simulate).parameters
    except (TypeError, ValueError) as exc:
        raise fail(f"simulate has no inspectable signature ({exc!r}).") from exc
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    keyword_ok = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    for arg in (*_COMMON_ARGUMENTS, *m.Options.model_fields):
        p = params.get(arg)
        if (p is None and not takes_any) or (p is not None and p.kind not in keyword_ok):
            what = "common argument" if arg in _COMMON_ARGUMENTS else "option"
            raise fail(f"simulate does not take the {what} {arg!r} as a keyword.")


def check_declarations(model: ModelLike) -> None:
    """Check what the model declares, without running it.

    * ``name``: a lower-case identifier (it is the scenario block's key) that is not another
      scenario field;
    * ``Params``: ``None`` or a pydantic model with a JSON schema;
    * ``Options``: a pydantic model with a JSON schema, every option defaulted, no option named
      like an argument of :func:`herz.simulate`;
    * ``outcomes`` and ``summary_fields``: :class:`~herz.models.Measure` objects with valid
      names (``{state}`` the only template), dtypes ``bool``/``int``/``float``/``str``, a doc
      line, no duplicates; no ``run`` outcome; a name from the glossary
      (:data:`~herz.models._base.COMMON_OUTCOMES`) with the glossary's dtype and unit; no
      summary field that :func:`herz.simulate` stamps;
    * ``simulate``: takes every common argument and every option as a keyword.

    Raises
    ------
    ConformanceError
        Naming what is wrong.
    """
    m = _resolve_model(model)
    _declarations(m, f"model {getattr(m, 'name', type(m).__name__)!r}")


def _check_determinism(case: _Case) -> None:
    first = case.base
    second = case.run("determinism")
    for name, left in _tables(first).items():
        diff = _table_difference(name, left, _tables(second)[name])
        if diff is not None:
            raise case.fail(
                "determinism",
                f"two calls with the same seed ({case.seed}) differ: {diff}. Draw every random "
                "number from SeedSequence(seed, spawn_key=(*stream_key, run)) "
                "(herz._random.run_generator), never from global or fresh entropy.",
            )
    diff = _value_difference(_jsonable(first.summary), _jsonable(second.summary), 0.0)
    if diff is not None:
        raise case.fail(
            "determinism", f"two calls with the same seed ({case.seed}) differ in summary {diff}."
        )


def _check_batching(case: _Case) -> None:
    n = case.runs
    k = min(2, n - 1)
    pieces = [(0, k), (k, n - k)]
    for key in ((), _STREAM_KEY):
        whole = case.base if key == () else case.run("batching", stream_key=key)
        parts = [case.run("batching", run_offset=off, runs=r, stream_key=key) for off, r in pieces]
        what = ", ".join(
            f"runs {off}..{off + r - 1} (run_offset={off}, runs={r})" for off, r in pieces
        )
        for name, table in _tables(whole).items():
            try:
                joined = _concat([_tables(p)[name] for p in parts])
            except ValueError:
                raise case.fail(
                    "batching",
                    f"result.{name} is None in some pieces only ({what}, stream_key={key}).",
                ) from None
            if table is None and joined is None:
                continue
            if table is None or joined is None:
                side = "the whole ensemble" if table is None else "the pieces"
                raise case.fail("batching", f"result.{name} is None in {side} only.")
            diff = _frame_difference(_sorted_by_run(table), _sorted_by_run(joined))
            if diff is not None:
                raise case.fail(
                    "batching",
                    f"runs 0..{n - 1} in one call differ from the same runs computed in pieces "
                    f"({what}; stream_key={key}): results depend on batching. Run "
                    "run_offset + k must draw only from SeedSequence(seed, spawn_key="
                    f"(*stream_key, run_offset + k)) and be labelled so. result.{name}: {diff}",
                )


def _check_keep(case: _Case) -> None:
    series = case.base
    summary = case.run("keep", keep="summary")
    if summary.series is not None:
        raise case.fail("keep", 'keep="summary" must keep no series (result.series is None).')
    diff = _table_difference("outcomes", series.outcomes, summary.outcomes)
    if diff is not None:
        raise case.fail("keep", f'keep="series" and keep="summary" differ: {diff}')
    diff = _value_difference(_jsonable(series.summary), _jsonable(summary.summary), 1e-12)
    if diff is not None:
        raise case.fail(
            "keep", f'the summary of keep="summary" differs from that of keep="series": {diff}.'
        )


def _template_pattern(name: str) -> re.Pattern[str]:
    return re.compile(".+".join(re.escape(part) for part in name.split("{state}")))


def _dtype_matches(declared: str, column: pd.Series) -> bool:
    from pandas.api import types as pt

    dtype = column.dtype
    if declared == "bool":
        return bool(pt.is_bool_dtype(dtype))
    if declared == "int":
        return bool(pt.is_integer_dtype(dtype)) and not pt.is_bool_dtype(dtype)
    if declared == "float":
        return bool(pt.is_float_dtype(dtype))
    if isinstance(dtype, pd.CategoricalDtype):
        return bool(pt.is_string_dtype(dtype.categories.dtype)) or bool(
            pt.is_string_dtype(pd.Series(dtype.categories))
        )
    return bool(pt.is_string_dtype(column))


def _match_columns(
    measures: Sequence[Measure], columns: Iterable[str]
) -> tuple[dict[str, Measure], list[str], list[str]]:
    """Declared measure of each column, undeclared columns, declared names without a column."""
    fixed = {m.name: m for m in measures if not m.per_state}
    templates = [(m, _template_pattern(m.name)) for m in measures if m.per_state]
    owner: dict[str, Measure] = {}
    undeclared: list[str] = []
    for col in columns:
        if col in fixed:
            owner[col] = fixed[col]
            continue
        hit = next((m for m, pat in templates if pat.fullmatch(col)), None)
        if hit is None:
            undeclared.append(col)
        else:
            owner[col] = hit
    used = {m.name for m in owner.values()}
    missing = [m.name for m in measures if m.name not in used]
    return owner, undeclared, missing


def _schema_problem(case: _Case, result: Result, runs: int, run_offset: int) -> str | None:
    out = result.outcomes
    where = f"(runs={runs}, run_offset={run_offset})"
    if not isinstance(out, pd.DataFrame):
        return f"result.outcomes is {type(out).__name__}, not a DataFrame {where}"
    cols = [str(c) for c in out.columns]
    if len(set(cols)) != len(cols):
        dup = next(c for c in cols if cols.count(c) > 1)
        return f"result.outcomes has the column {dup!r} twice"
    if "run" not in cols:
        return "result.outcomes has no 'run' column"
    from pandas.api import types as pt

    if not pt.is_integer_dtype(out["run"].dtype) or pt.is_bool_dtype(out["run"].dtype):
        return f"result.outcomes['run'] has dtype {out['run'].dtype}, not an integer dtype"
    want = list(range(run_offset, run_offset + runs))
    got = [int(v) for v in out["run"]]
    if got != want:
        shown = got if len(got) <= 10 else [*got[:10], "..."]
        return (
            f"result.outcomes['run'] is {shown} {where}; it must label the runs "
            f"{run_offset}..{run_offset + runs - 1}, one row each, in order"
        )
    owner, undeclared, missing = _match_columns(
        case.model.outcomes, [c for c in cols if c != "run"]
    )
    problems: list[str] = []
    if missing:
        kind = ["a column matching " + repr(n) if "{state}" in n else repr(n) for n in missing]
        problems.append(f"declared outcome {', '.join(kind)} missing from result.outcomes")
    if undeclared:
        problems.append(
            f"result.outcomes has the undeclared column {', '.join(map(repr, undeclared))}"
        )
    if problems:
        return "; ".join(problems) + f" (columns: {cols})"
    for col, measure in owner.items():
        if not _dtype_matches(measure.dtype, out[col]):
            via = "" if col == measure.name else f" (as {measure.name!r})"
            return (
                f"outcome column {col!r} is declared {measure.dtype}{via} but has dtype "
                f"{out[col].dtype}"
            )
    labels = set(want)
    for name in ("series", "events"):
        table = getattr(result, name)
        if table is None:
            continue
        if not isinstance(table, pd.DataFrame):
            return f"result.{name} is {type(table).__name__}, not a DataFrame or None"
        if "run" not in table.columns:
            return f"result.{name} has no 'run' column"
        extra = sorted(set(int(v) for v in table["run"].unique()) - labels)
        if extra:
            return f"result.{name}['run'] has labels {extra[:5]} outside {run_offset}..{want[-1]}"
    if result.series is not None and set(int(v) for v in result.series["run"].unique()) != labels:
        return f"result.series does not hold every run {run_offset}..{want[-1]}"
    return None


def _check_outcome_schema(case: _Case) -> None:
    offset = case.runs + 3
    cases = [
        (case.base, case.runs, 0),
        (case.run("outcome_schema", run_offset=offset, runs=2), 2, offset),
    ]
    for result, runs, run_offset in cases:
        problem = _schema_problem(case, result, runs, run_offset)
        if problem is not None:
            raise case.fail("outcome_schema", problem + ".")


def _summary_value_ok(declared: str, value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, dict):
        return all(_summary_value_ok(declared, v) for v in value.values())
    if isinstance(value, list | tuple):
        return all(_summary_value_ok(declared, v) for v in value)
    if isinstance(value, np.generic):
        value = value.item()
    if declared == "bool":
        return isinstance(value, bool)
    if declared == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if declared == "float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str)


def _check_summary(case: _Case) -> None:
    result = case.base
    summary = result.summary
    if not isinstance(summary, dict):
        raise case.fail("summary", f"result.summary is {type(summary).__name__}, not a dict.")
    bad_keys = [k for k in summary if not isinstance(k, str)]
    if bad_keys:
        raise case.fail("summary", f"result.summary has non-string keys {bad_keys[:5]}.")
    missing = [c.name for c in COMMON_SUMMARY if c.name not in summary]
    if missing:
        raise case.fail(
            "summary",
            f"result.summary lacks the common keys {missing} (herz.simulate stamps them).",
        )
    for measure in case.model.summary_fields:
        if measure.per_state:
            pat = _template_pattern(measure.name)
            keys = [k for k in summary if pat.fullmatch(k)]
            if not keys:
                raise case.fail(
                    "summary", f"no summary key matches the declared field {measure.name!r}."
                )
        else:
            keys = [measure.name]
            if measure.name not in summary:
                raise case.fail(
                    "summary",
                    f"the declared summary field {measure.name!r} is missing from result.summary.",
                )
        for key in keys:
            if not _summary_value_ok(measure.dtype, summary[key]):
                raise case.fail(
                    "summary",
                    f"summary[{key!r}] is {summary[key]!r}, declared {measure.dtype} (a value, "
                    "a mapping or list of values, or None).",
                )
    expected = {
        "model": case.model.name,
        "seed": case.seed,
        "runs": case.runs,
        "steps": case.steps,
        "run_offset": 0,
    }
    for key, value in expected.items():
        if summary[key] != value:
            raise case.fail("summary", f"summary[{key!r}] is {summary[key]!r}, not {value!r}.")
    if result.model != case.model.name or result.seed != case.seed:
        raise case.fail(
            "summary",
            f"result.model, result.seed are {result.model!r}, {result.seed!r}; expected "
            f"{case.model.name!r}, {case.seed!r}.",
        )
    try:
        text = result.to_json()
        back = json.loads(text)
    except Exception as exc:
        raise case.fail(
            "summary", f"result.to_json() fails ({type(exc).__name__}: {exc}): not JSON-ready."
        ) from exc
    if not isinstance(back, dict) or set(back) != set(summary):
        raise case.fail("summary", "result.to_json() does not give back the summary's keys.")


# -- bad parameters ---------------------------------------------------------------------------
_NO_VALUE = object()


def _alternatives(
    schema: dict[str, Any], defs: dict[str, Any], depth: int = 0
) -> list[dict[str, Any]]:
    """The flat list of schemas a value may match (``$ref``, ``anyOf``, ``oneOf`` resolved)."""
    if depth > 10:
        return [{}]
    if "$ref" in schema:
        ref = str(schema["$ref"]).rsplit("/", 1)[-1]
        return _alternatives(defs.get(ref, {}), defs, depth + 1)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            out: list[dict[str, Any]] = []
            for sub in schema[key]:
                out.extend(_alternatives(sub, defs, depth + 1))
            return out
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _alternatives(schema["allOf"][0], defs, depth + 1)
    return [schema]


def _accepts(alternative: dict[str, Any], value: Any) -> bool:
    """Whether one schema alternative might accept ``value`` (True when unsure)."""
    if "enum" in alternative:
        return value in alternative["enum"]
    if "const" in alternative:
        return bool(value == alternative["const"])
    kind = alternative.get("type")
    if kind is None:
        return True  # Any, or something this check does not understand
    kinds = kind if isinstance(kind, list) else [kind]
    if isinstance(value, str):
        return "string" in kinds
    if isinstance(value, int | float) and not isinstance(value, bool):
        return bool({"number", "integer", "string"} & set(kinds))
    return True


def _bad_value(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A value no alternative of ``schema`` accepts, or ``_NO_VALUE``."""
    alternatives = _alternatives(schema, defs)
    for candidate in ("not-a-valid-value", 12345):
        if not any(_accepts(alt, candidate) for alt in alternatives):
            return candidate
    return _NO_VALUE


def _bad_fields(cls: type[BaseModel]) -> list[tuple[str, Any]]:
    """(field, bad value) for every field of ``cls`` that a bad value can be derived for."""
    schema = cls.model_json_schema()
    defs = dict(schema.get("$defs", {}))
    out: list[tuple[str, Any]] = []
    for name, sub in dict(schema.get("properties", {})).items():
        value = _bad_value(sub, defs)
        if value is not _NO_VALUE:
            out.append((name, value))
    return out


def _names_field(exc: InputError, path: str) -> bool:
    f = exc.field or ""
    return (f == path or f.startswith((path + ".", path + "["))) and path in str(exc)


def _expect_input_error(
    case: _Case, what: str, path: str, attempt: Callable[[], object], scenario_error: bool = False
) -> None:
    from herz.errors import ScenarioError

    kind = ScenarioError if scenario_error else InputError
    try:
        attempt()
    except kind as exc:
        if not _names_field(exc, path):
            raise case.fail(
                "bad_parameters",
                f"{what} raised {type(exc).__name__} with field={exc.field!r} and message "
                f"{str(exc)!r}; both must name {path!r}.",
            ) from exc
        return
    except Exception as exc:
        raise case.fail(
            "bad_parameters",
            f"{what} raised {type(exc).__name__}: {exc}; expected {kind.__name__} naming {path!r}.",
        ) from exc
    raise case.fail(
        "bad_parameters", f"{what} was accepted; expected {kind.__name__} naming {path!r}."
    )


def _check_bad_parameters(case: _Case) -> None:
    from herz.scenario import load_scenario

    small = partial(case.call, runs=1, steps=1)
    _expect_input_error(
        case,
        f"the unknown option {_UNKNOWN_OPTION}=1",
        _UNKNOWN_OPTION,
        partial(small, options={**case.options, _UNKNOWN_OPTION: 1}),
    )
    for name, value in _bad_fields(case.model.Options):
        _expect_input_error(
            case,
            f"the option {name}={value!r}",
            name,
            partial(small, options={**case.options, name: value}),
        )
    params = case.model.Params
    if params is None:
        return
    block = case.model.name

    def with_block_value(key: str, value: Any) -> Result:
        doc = case.scenario.to_dict()
        raw = doc.get(block)
        doc[block] = {**(raw if isinstance(raw, dict) else {}), key: value}
        return small(scenario=load_scenario(doc))

    _expect_input_error(
        case,
        f"the unknown key {block}.{_UNKNOWN_PARAMETER} in the scenario",
        f"{block}.{_UNKNOWN_PARAMETER}",
        partial(with_block_value, _UNKNOWN_PARAMETER, 1),
        scenario_error=True,
    )
    for name, value in _bad_fields(params):
        _expect_input_error(
            case,
            f"the scenario value {block}.{name}={value!r}",
            f"{block}.{name}",
            partial(with_block_value, name, value),
            scenario_error=True,
        )


# -- files --------------------------------------------------------------------------------------
def _textual(series: pd.Series) -> bool:
    from pandas.api import types as pt

    return not (
        pt.is_bool_dtype(series.dtype)
        or pt.is_numeric_dtype(series.dtype)
        or pt.is_datetime64_any_dtype(series.dtype)
    )


def _as_strings(series: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) or v == "" else str(v) for v in series.astype(object)]


def _exact_values(series: pd.Series, kind: str) -> list[object]:
    """The values as Python booleans or integers, None where missing."""
    out: list[object] = []
    for v in series.astype(object):
        if pd.isna(v):
            out.append(None)
        elif kind == "booleans":
            if v not in (True, False, 0, 1):
                raise ValueError(v)
            out.append(bool(v))
        else:
            if float(v) != int(v):
                raise ValueError(v)
            out.append(int(v))
    return out


def _column_difference(
    name: str, col: str, orig: pd.Series, back: pd.Series, rel: float
) -> str | None:
    from pandas.api import types as pt

    if _textual(orig):
        if _as_strings(orig) != _as_strings(back):
            return f"{name}[{col!r}] reads back as different text"
        return None
    if pt.is_bool_dtype(orig.dtype) or pt.is_integer_dtype(orig.dtype):
        kind = "booleans" if pt.is_bool_dtype(orig.dtype) else "integers"
        try:
            same = _exact_values(orig, kind) == _exact_values(back, kind)
        except (TypeError, ValueError):
            return f"{name}[{col!r}] reads back as {back.dtype}, not {kind}"
        return None if same else f"{name}[{col!r}] reads back with other {kind}"
    try:
        x = np.asarray(orig.astype("float64"), dtype=np.float64)
        y = np.asarray(back.astype("float64"), dtype=np.float64)
    except (TypeError, ValueError):
        return f"{name}[{col!r}] reads back as {back.dtype}, not numbers"
    if x.shape != y.shape or not np.array_equal(np.isnan(x), np.isnan(y)):
        return f"{name}[{col!r}] reads back with other missing values"
    ok = ~np.isnan(x)
    close = x == y if rel == 0.0 else np.isclose(x, y, rtol=rel, atol=0.0)
    wrong = np.flatnonzero(ok & ~close)
    if wrong.size == 0:
        return None
    i = int(wrong[0])
    return (
        f"{name}[{col!r}] reads back with other numbers ({wrong.size} of {x.size}; row {i}: "
        f"{x[i]!r} written, {y[i]!r} read)"
    )


def _read_back_difference(
    name: str, orig: pd.DataFrame, back: pd.DataFrame, rel: float
) -> str | None:
    if [str(c) for c in orig.columns] != [str(c) for c in back.columns]:
        return f"{name} reads back with the columns {list(back.columns)}, not {list(orig.columns)}"
    if len(orig) != len(back):
        return f"{name} reads back with {len(back)} rows, not {len(orig)}"
    for col in orig.columns:
        diff = _column_difference(name, str(col), orig[col].reset_index(drop=True), back[col], rel)
        if diff is not None:
            return diff
    return None


def _parquet_dtype_difference(name: str, orig: pd.DataFrame, back: pd.DataFrame) -> str | None:
    """Parquet keeps dtypes, categories included; only text may come back as another string
    dtype (object vs str), and an empty categorical column without its categories."""
    for col in orig.columns:
        a, b = orig[col].dtype, back[col].dtype
        if a == b:
            continue
        from pandas.api import types as pt

        if isinstance(a, pd.CategoricalDtype) and len(orig) == 0:
            continue  # an empty dictionary column keeps no categories
        text = (pt.is_object_dtype(a) or pt.is_string_dtype(a)) and not isinstance(
            a, pd.CategoricalDtype
        )
        if text and (pt.is_object_dtype(b) or pt.is_string_dtype(b)):
            continue
        return f"{name}[{col!r}] reads back as {b}, not {a}"
    return None


def _check_round_trip(case: _Case) -> None:
    result = case.base
    tables = result.tables()
    with tempfile.TemporaryDirectory(prefix="herz-conformance-") as tmp:
        for fmt in ("csv", "parquet"):
            folder = Path(tmp) / fmt
            writer = result.to_csv if fmt == "csv" else result.to_parquet
            try:
                written = writer(folder)
            except Exception as exc:
                raise case.fail(
                    "round_trip", f"result.to_{fmt}() raised {type(exc).__name__}: {exc}"
                ) from exc
            want = {f"{stem}.{fmt}" for stem in tables} | {"summary.json"}
            if {Path(p).name for p in written} != want:
                raise case.fail(
                    "round_trip",
                    f"result.to_{fmt}() wrote {sorted(Path(p).name for p in written)}, "
                    f"expected {sorted(want)}.",
                )
            present = sorted(p.name for p in folder.iterdir())
            if present != sorted(want):
                raise case.fail(
                    "round_trip",
                    f"after result.to_{fmt}() the folder holds {present}, not just the "
                    f"{len(want)} files written (temporary files left behind?).",
                )
            for stem, table in tables.items():
                path = folder / f"{stem}.{fmt}"
                if fmt == "csv":
                    text_cols = {str(c): str for c in table.columns if _textual(table[c])}
                    back = pd.read_csv(path, dtype=text_cols)
                    diff = _read_back_difference(f"{stem}.csv", table, back, 1e-12)
                else:
                    back = pd.read_parquet(path)
                    diff = _read_back_difference(f"{stem}.parquet", table, back, 0.0)
                    if diff is None:
                        diff = _parquet_dtype_difference(f"{stem}.parquet", table, back)
                if diff is not None:
                    raise case.fail("round_trip", diff + ".")
            summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
            if summary != json.loads(result.to_json()):
                raise case.fail("round_trip", f"summary.json ({fmt}) is not result.to_json().")


# --------------------------------------------------------------------------------------------
# The public model checks
# --------------------------------------------------------------------------------------------
#: The checks :func:`check_model` runs, in this order (names for its ``skip``).
MODEL_CHECKS: tuple[str, ...] = (
    "declarations",
    "determinism",
    "batching",
    "keep",
    "outcome_schema",
    "summary",
    "bad_parameters",
    "round_trip",
)

_RUNNERS: dict[str, Callable[[_Case], None]] = {
    "declarations": lambda case: _declarations(case.model, case.subject),
    "determinism": _check_determinism,
    "batching": _check_batching,
    "keep": _check_keep,
    "outcome_schema": _check_outcome_schema,
    "summary": _check_summary,
    "bad_parameters": _check_bad_parameters,
    "round_trip": _check_round_trip,
}


def check_model(
    model: ModelLike,
    scenario: Scenario | str | Path | Mapping[str, Any] | None = None,
    *,
    seed: int = 1,
    runs: int = 4,
    steps: int = 5,
    options: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
    skip: Sequence[str] = (),
) -> None:
    """Check that a model keeps the model contract; raise :class:`ConformanceError` if not.

    Runs, in order (:data:`MODEL_CHECKS`): :func:`check_declarations`,
    :func:`check_determinism`, :func:`check_batching`, :func:`check_keep`,
    :func:`check_outcome_schema`, :func:`check_summary`, :func:`check_bad_parameters` and
    :func:`check_round_trip`, sharing one base run. A registered model runs through
    :func:`herz.simulate`; a class not (yet) in the registry runs the same way: its block and
    options validated (:func:`herz.simulation.validate_options`), the common summary keys
    stamped.

    Parameters
    ----------
    model:
        A :class:`~herz.models.Model` subclass, an instance, or a registered name.
    scenario:
        What to run it on: a :class:`~herz.Scenario`, a built-in name, a YAML path or a
        document; default ``"two-state"``.
    seed, runs, steps:
        The base run. Keep them small: the checks run the model about ten times. ``runs`` must
        be at least 2 (the batching check splits the ensemble).
    options:
        The model's run options for every call (e.g. ``{"noise": 0.1}`` so that a model that is
        deterministic by default draws random numbers).
    overrides:
        Dotted-path overrides of the scenario (``{"world.offense_advantage": 0.8}``).
    skip:
        Names of checks to leave out.

    Raises
    ------
    ConformanceError
        The first check that fails: its message names the model, the check and what broke.
    ValueError
        For an unknown name in ``skip`` or ``runs < 2``.
    """
    unknown = [s for s in skip if s not in MODEL_CHECKS]
    if unknown:
        raise ValueError(f"unknown check {unknown[0]!r}; the checks: {', '.join(MODEL_CHECKS)}.")
    if "declarations" not in skip:
        check_declarations(model)
    case = _case(
        model, scenario, seed=seed, runs=runs, steps=steps, options=options, overrides=overrides
    )
    for name in MODEL_CHECKS[1:]:
        if name not in skip:
            _RUNNERS[name](case)


def _run_one(
    name: str,
    model: ModelLike,
    scenario: Scenario | str | Path | Mapping[str, Any] | None,
    seed: int,
    runs: int,
    steps: int,
    options: Mapping[str, Any] | None,
    overrides: Mapping[str, Any] | None,
) -> None:
    case = _case(
        model, scenario, seed=seed, runs=runs, steps=steps, options=options, overrides=overrides
    )
    _RUNNERS[name](case)


def check_determinism(
    model: ModelLike,
    scenario: Scenario | str | Path | Mapping[str, Any] | None = None,
    *,
    seed: int = 1,
    runs: int = 4,
    steps: int = 5,
    options: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> None:
    """Two calls with the same seed give identical outcomes, series, events (exactly) and
    summaries. Arguments as :func:`check_model`."""
    _run_one("determinism", model, scenario, seed, runs, steps, options, overrides)


def check_batching(
    model: ModelLike,
    scenario: Scenario | str | Path | Mapping[str, Any] | None = None,
    *,
    seed: int = 1,
    runs: int = 4,
    steps: int = 5,
    options: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> None:
    """Run i is the same in any batch: runs 0..n−1 in one call equal, exactly, the same runs
    computed in pieces with ``run_offset`` (runs 0–1, then 2..n−1), with the default stream
    key and with a sweep's ``stream_key``. Tables are compared with rows ordered by ``run``
    (stable, so the order within a run counts) and categorical columns as values. Arguments as
    :func:`check_model`."""
    _run_one("batching", model, scenario, seed, runs, steps, options, overrides)


def check_keep(
    model: ModelLike,
    scenario: Scenario | str | Path | Mapping[str, Any] | None = None,
    *,
    seed: int = 1,
    runs: int = 4,
    steps: int = 5,
    options: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> None:
    """``keep="summary"`` keeps no series, and gives the outcomes of ``keep="series"``
    (exactly) and its summary (key by key, floats to a relative 1e-12). Arguments as
    :func:`check_model`."""
    _run_one("keep", model, scenario, seed, runs, steps, options, overrides)


def check_outcome_schema(
    model: ModelLike,
    scenario: Scenario | str | Path | Mapping[str, Any] | None = None,
    *,
    seed: int = 1,
    runs: int = 4,
    steps: int = 5,
    options: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> None:
    """``result.outcomes`` is a DataFrame with an integer ``run`` column labelling the runs
    ``run_offset``..``run_offset + runs − 1`` in order, every declared outcome (a ``{state}``
    template: at least one column matching it), no undeclared column, and dtypes that fit the
    declared ones (``bool``; ``int``, nullable ``Int64`` included; ``float``; ``str``: strings or
    string categories). The series and events, if any, carry the same run labels. Checked at
    ``run_offset`` 0 and at a later offset. Arguments as :func:`check_model`."""
    _run_one("outcome_schema", model, scenario, seed, runs, steps, options, overrides)


def check_summary(
    model: ModelLike,
    scenario: Scenario | str | Path | Mapping[str, Any] | None = None,
    *,
    seed: int = 1,
    runs: int = 4,
    steps: int = 5,
    options: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> None:
    """``result.summary`` holds the keys :func:`herz.simulate` stamps (``COMMON_SUMMARY``) with
    the values of the call, and every declared summary field with values of its dtype (or
    mappings and lists of them, or None); ``result.to_json()`` serialises it. Arguments as
    :func:`check_model`."""
    _run_one("summary", model, scenario, seed, runs, steps, options, overrides)


def check_bad_parameters(
    model: ModelLike,
    scenario: Scenario | str | Path | Mapping[str, Any] | None = None,
    *,
    seed: int = 1,
    runs: int = 4,
    steps: int = 5,
    options: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> None:
    """Bad input raises :class:`~herz.errors.InputError` whose ``field`` and message name it:

    * an unknown option;
    * a bad value for each option a bad value can be derived for from the ``Options`` JSON
      schema (a string for a number, a boolean or a choice; a number for a string);
    * with ``Params``: an unknown key in the scenario's block, and a bad value for each of its
      fields, each a :class:`~herz.errors.ScenarioError` naming ``<name>.<key>``.

    Arguments as :func:`check_model`."""
    _run_one("bad_parameters", model, scenario, seed, runs, steps, options, overrides)


def check_round_trip(
    model: ModelLike,
    scenario: Scenario | str | Path | Mapping[str, Any] | None = None,
    *,
    seed: int = 1,
    runs: int = 4,
    steps: int = 5,
    options: Mapping[str, Any] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> None:
    """``result.to_csv`` and ``result.to_parquet`` write every table and ``summary.json``, and
    pandas reads back the same values: numbers exactly from Parquet and to a relative 1e-12
    from CSV, integers and booleans exactly, text (strings, categories) as strings. Arguments
    as :func:`check_model`."""
    _run_one("round_trip", model, scenario, seed, runs, steps, options, overrides)


# --------------------------------------------------------------------------------------------
# Strategies of the iterated games
# --------------------------------------------------------------------------------------------
#: The checks :func:`check_strategy` runs, in this order (names for its ``skip``).
STRATEGY_CHECKS: tuple[str, ...] = ("tables", "determinism", "batching", "replay")
#: The fixed opponents every strategy meets (besides a copy of itself).
OPPONENTS: tuple[str, ...] = ("cooperator", "defector", "tit-for-tat", "alternator", "random")
#: Noisy settings, so that the random streams are used.
_NOISY: dict[str, Any] = {"noise": 0.05, "misperception": 0.05, "prob_end": 0.1}


def _resolve_strategy(strategy: Strategy | str) -> Strategy:
    from herz.models.iterated.kernel import Strategy, get_strategy

    if isinstance(strategy, Strategy):
        return strategy
    if isinstance(strategy, str):
        return get_strategy(strategy)
    raise TypeError(f"check_strategy takes a Strategy or a name, got {strategy!r}.")


def _strategy_subject(s: Strategy) -> str:
    return f"strategy {getattr(s, 'name', s)!r}"


def _opponents(s: Strategy) -> list[Strategy]:
    from herz.models.iterated.kernel import get_strategy

    return [*(get_strategy(name) for name in OPPONENTS), s]


def _ensemble_difference(a: MatchEnsemble, b: MatchEnsemble, reps: int | None = None) -> str | None:
    """Where the first ``reps`` repetitions of two ensembles differ, or None."""
    n = a.lengths.shape[0] if reps is None else reps
    if b.lengths.shape[0] < n or a.lengths.shape[0] < n:
        return f"{a.lengths.shape[0]} and {b.lengths.shape[0]} repetitions"
    for r in range(n):
        la, lb = int(a.lengths[r]), int(b.lengths[r])
        if la != lb:
            return f"repetition {r}: lengths {la} and {lb}"
        if not np.array_equal(a.actions[r, :la], b.actions[r, :lb]):
            return f"repetition {r}: the actions differ"
        if not np.array_equal(a.perceived[r, :la], b.perceived[r, :lb]):
            return f"repetition {r}: the perceived actions differ"
        if not np.array_equal(a.scores[r], b.scores[r]):
            return f"repetition {r}: scores {a.scores[r].tolist()} and {b.scores[r].tolist()}"
    return None


def _strategy_tables(s: Strategy, given: Strategy | str) -> None:
    def fail(detail: str) -> ConformanceError:
        return ConformanceError(_strategy_subject(s), "tables", detail)

    from herz.models.iterated.kernel import strategy_names

    if not isinstance(s.name, str) or not s.name.strip():
        raise fail(f"name is {s.name!r}; it must be a non-empty string.")
    if not isinstance(s.display_name, str):
        raise fail(f"display_name is {s.display_name!r}; it must be a string.")
    p = s.p_cooperate
    if not isinstance(p, np.ndarray) or p.ndim != 1 or p.shape[0] < 1:
        raise fail(f"p_cooperate must be a non-empty 1-d array, got {p!r}.")
    if p.dtype != np.float64:
        raise fail(f"p_cooperate has dtype {p.dtype}, not float64.")
    if not np.all(np.isfinite(p)) or np.any(p < 0) or np.any(p > 1):
        raise fail(f"p_cooperate must lie in [0, 1], got {p.tolist()}.")
    n = int(p.shape[0])
    if s.n_states != n:
        raise fail(f"n_states is {s.n_states}, but p_cooperate has {n} states.")
    tr = s.transitions
    if not isinstance(tr, np.ndarray) or not np.issubdtype(tr.dtype, np.integer):
        raise fail(f"transitions must be an integer array, got {tr!r}.")
    if tr.shape != (n, 2, 2):
        raise fail(f"transitions has shape {tr.shape}, not ({n}, 2, 2).")
    if np.any(tr < 0) or np.any(tr >= n):
        bad = np.argwhere((tr < 0) | (tr >= n))[0].tolist()
        raise fail(f"transitions{bad} = {int(tr[tuple(bad)])} is not a state (0..{n - 1}).")
    init = s.initial_state
    if isinstance(init, bool) or not isinstance(init, int | np.integer) or not 0 <= init < n:
        raise fail(f"initial_state is {init!r}, not a state (0..{n - 1}).")
    random_states = bool(np.any((p > 0) & (p < 1)))
    if bool(s.stochastic) != random_states:
        raise fail(
            f"stochastic is {s.stochastic}, but the tables have "
            f"{'a' if random_states else 'no'} state with 0 < P(C) < 1."
        )
    if isinstance(given, str) and given in strategy_names() and s.name != given:
        raise fail(f"get_strategy({given!r}) is named {s.name!r}.")


def _strategy_determinism(s: Strategy, seed: int, turns: int, reps: int) -> None:
    from herz.models.iterated.kernel import play_match, play_matches

    def fail(detail: str) -> ConformanceError:
        return ConformanceError(_strategy_subject(s), "determinism", detail)

    for opp in _opponents(s):
        for kw in ({}, _NOISY):
            first = play_matches(s, opp, repetitions=reps, turns=turns, seed=seed, **kw)
            second = play_matches(s, opp, repetitions=reps, turns=turns, seed=seed, **kw)
            diff = _ensemble_difference(first, second)
            if diff is not None:
                raise fail(
                    f"two play_matches against {opp.name!r} with seed {seed} ({kw}): {diff}."
                )
        one = play_match(s, opp, turns=turns, seed=seed, **_NOISY)
        two = play_match(s, opp, turns=turns, seed=seed, **_NOISY)
        if not np.array_equal(one.actions, two.actions):
            raise fail(f"two play_match against {opp.name!r} with seed {seed} differ.")
    if not s.stochastic:
        for opp in _opponents(s):
            if opp.stochastic:
                continue
            a = play_matches(s, opp, repetitions=reps, turns=turns, seed=seed)
            b = play_matches(s, opp, repetitions=reps, turns=turns, seed=seed + 1)
            diff = _ensemble_difference(a, b)
            if diff is not None:
                raise fail(
                    f"it is deterministic (stochastic is False), yet its noiseless matches "
                    f"against {opp.name!r} depend on the seed: {diff}."
                )


def _strategy_batching(s: Strategy, seed: int, turns: int, reps: int) -> None:
    if reps < 2:
        raise ValueError(f"the batching check needs repetitions >= 2, got {reps!r}.")
    from herz.models.iterated import kernel
    from herz.models.iterated.kernel import play_match, play_matches, tournament

    def fail(detail: str) -> ConformanceError:
        return ConformanceError(_strategy_subject(s), "batching", detail)

    opponents = _opponents(s)
    for opp in opponents:
        whole = play_matches(s, opp, repetitions=reps, turns=turns, seed=seed, **_NOISY)
        k = min(2, reps - 1)
        head = play_matches(s, opp, repetitions=k, turns=turns, seed=seed, **_NOISY)
        diff = _ensemble_difference(head, whole, k)
        if diff is not None:
            raise fail(
                f"against {opp.name!r}, {k} repetitions differ from the first {k} of {reps}: "
                f"{diff}; results depend on batching."
            )
        single = play_match(s, opp, turns=turns, seed=seed, **_NOISY)
        n = int(whole.lengths[0])
        if single.actions.shape[0] != n or not np.array_equal(single.actions, whole.actions[0, :n]):
            raise fail(
                f"against {opp.name!r}, play_match differs from repetition 0 of play_matches; "
                "results depend on batching."
            )
        saved = kernel._BATCH_BYTES
        kernel._BATCH_BYTES = 1  # one match per kernel batch
        try:
            apart = play_matches(s, opp, repetitions=reps, turns=turns, seed=seed, **_NOISY)
        finally:
            kernel._BATCH_BYTES = saved
        diff = _ensemble_difference(apart, whole)
        if diff is not None:
            raise fail(
                f"against {opp.name!r}, matches played one kernel batch each differ from the "
                f"same matches played together: {diff}; results depend on batching."
            )
    # In a tournament, the self-play pair of the first player is pair 0: stream keys (0, r),
    # those of play_matches; the whole round robin advances in one batch.
    res = tournament(
        [s, *opponents[:-1]],
        turns=turns,
        repetitions=reps,
        noise=_NOISY["noise"],
        misperception=_NOISY["misperception"],
        seed=seed,
        prob_end=_NOISY["prob_end"],
    )
    alone = play_matches(s, s, repetitions=reps, turns=turns, seed=seed, **_NOISY)
    lengths = alone.lengths.astype(np.float64)
    per_turn = (alone.scores[:, 0] / lengths + alone.scores[:, 1] / lengths) / 2
    if not np.array_equal(res.match_lengths[0, 0], alone.lengths) or not np.array_equal(
        res.payoffs[0, 0], per_turn
    ):
        raise fail(
            "its self-play matches in a tournament differ from the same matches played alone "
            "(play_matches); results depend on batching."
        )


def _replay_problem(s: Strategy, actions: Any, perceived: Any) -> str | None:
    """Walk the machine along one side of a match; where it could not have played so."""
    state = s.initial_state
    for t in range(actions.shape[0]):
        own, seen = int(actions[t]), int(perceived[t])
        p = float(s.p_cooperate[state])
        if (own == 0 and p == 0.0) or (own == 1 and p == 1.0):
            played = "C" if own == 0 else "D"
            return f"turn {t}: it played {played} in state {state}, where P(C) = {p:g}"
        state = int(s.transitions[state, own, seen])
    return None


def _strategy_replay(s: Strategy, seed: int, turns: int, reps: int) -> None:
    from herz.models.iterated.kernel import play_matches

    for opp in _opponents(s):
        for seat in (0, 1):
            pair = (s, opp) if seat == 0 else (opp, s)
            ens = play_matches(*pair, repetitions=reps, turns=turns, seed=seed, misperception=0.1)
            for r in range(reps):
                n = int(ens.lengths[r])
                problem = _replay_problem(s, ens.actions[r, :n, seat], ens.perceived[r, :n, seat])
                if problem is not None:
                    side = "row" if seat == 0 else "column"
                    raise ConformanceError(
                        _strategy_subject(s),
                        "replay",
                        f"as {side} player against {opp.name!r} (misperception 0.1, repetition "
                        f"{r}), the match departs from its own tables: {problem}.",
                    )


def check_strategy_tables(strategy: Strategy | str) -> None:
    """The state machine is well formed: ``p_cooperate`` a float array of probabilities in
    [0, 1], ``transitions`` of shape (n_states, 2, 2) with states in range, ``initial_state`` a
    state, ``stochastic`` true exactly when some state has 0 < P(C) < 1, and a registered name
    gives a strategy of that name."""
    _strategy_tables(_resolve_strategy(strategy), strategy)


def check_strategy_determinism(
    strategy: Strategy | str, *, seed: int = 0, turns: int = 30, repetitions: int = 5
) -> None:
    """The same seed gives the same matches (with and without noise, misperception and a
    random end) against each of :data:`OPPONENTS` and itself; a deterministic strategy's
    noiseless matches against deterministic opponents do not depend on the seed."""
    _strategy_determinism(_resolve_strategy(strategy), seed, turns, repetitions)


def check_strategy_batching(
    strategy: Strategy | str, *, seed: int = 0, turns: int = 30, repetitions: int = 5
) -> None:
    """Match r is the same in any batch: the first repetitions of a larger ensemble equal a
    smaller one, ``play_match`` equals repetition 0 of ``play_matches``, one match per kernel
    batch equals all at once, and the self-play matches of a tournament equal the same matches
    played alone (all with noise, misperception and a random end).

    For one-match batches it lowers ``herz.models.iterated.kernel._BATCH_BYTES`` for a moment
    (restored after): do not play matches in other threads meanwhile."""
    _strategy_batching(_resolve_strategy(strategy), seed, turns, repetitions)


def check_strategy_replay(
    strategy: Strategy | str, *, seed: int = 0, turns: int = 30, repetitions: int = 5
) -> None:
    """Matches follow the strategy's own tables: walking the machine along what it played and
    saw (with misperception, from either seat), it never plays an action of probability 0 (so a
    deterministic strategy's play equals its replay)."""
    _strategy_replay(_resolve_strategy(strategy), seed, turns, repetitions)


def check_strategy(
    strategy: Strategy | str,
    *,
    seed: int = 0,
    turns: int = 30,
    repetitions: int = 5,
    skip: Sequence[str] = (),
) -> None:
    """Check a strategy of the iterated games; raise :class:`ConformanceError` if it fails.

    Runs :func:`check_strategy_tables`, :func:`check_strategy_determinism`,
    :func:`check_strategy_batching` and :func:`check_strategy_replay` (:data:`STRATEGY_CHECKS`;
    ``skip`` leaves some out by name).

    Parameters
    ----------
    strategy:
        A :class:`~herz.models.iterated.Strategy` or a name for
        :func:`~herz.models.iterated.get_strategy`.
    seed, turns, repetitions:
        The matches played (against :data:`OPPONENTS` and a copy of itself).
    """
    unknown = [c for c in skip if c not in STRATEGY_CHECKS]
    if unknown:
        raise ValueError(f"unknown check {unknown[0]!r}; the checks: {', '.join(STRATEGY_CHECKS)}.")
    if repetitions < 2:
        raise ValueError(f"the checks need repetitions >= 2, got {repetitions!r}.")
    s = _resolve_strategy(strategy)
    if "tables" not in skip:
        _strategy_tables(s, strategy)
    if "determinism" not in skip:
        _strategy_determinism(s, seed, turns, repetitions)
    if "batching" not in skip:
        _strategy_batching(s, seed, turns, repetitions)
    if "replay" not in skip:
        _strategy_replay(s, seed, turns, repetitions)
