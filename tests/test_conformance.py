"""herz.testing: every registered model and strategy conforms; broken toys fail, by name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel, ConfigDict, Field

from herz.models import get_model, model_names
from herz.models._base import COMMON_OUTCOMES, Measure, Model, Progress
from herz.models.iterated.kernel import Strategy, get_strategy, strategy_names
from herz.results import Result
from herz.scenario import Scenario
from herz.testing import (
    MODEL_CHECKS,
    STRATEGY_CHECKS,
    ConformanceError,
    check_bad_parameters,
    check_batching,
    check_declarations,
    check_determinism,
    check_keep,
    check_model,
    check_outcome_schema,
    check_round_trip,
    check_strategy,
    check_strategy_batching,
    check_strategy_determinism,
    check_strategy_replay,
    check_strategy_tables,
    check_summary,
)


# -- a toy model that keeps the contract --------------------------------------------------------
class ToyParams(BaseModel):
    """The toy's scenario block: ``toy: {drift: ...}``."""

    model_config = ConfigDict(extra="forbid")

    drift: float = Field(default=0.01, ge=-1, le=1, description="Mean log growth per step.")
    label: str = Field(default="toy", description="A free-text label.")


class ToyOptions(BaseModel):
    """Run options of the toy."""

    model_config = ConfigDict(extra="forbid")

    noise: float = Field(default=0.1, ge=0, le=1, description="σ of the log growth per step.")
    shape: str = Field(default="lognormal", pattern="^(lognormal|flat)$")


class Toy(Model):
    """A log-normal random walk of each state's arms: the smallest model that keeps the contract."""

    name = "toy"
    title = "A random walk of arms (for the conformance tests)"
    Params: ClassVar[type[BaseModel] | None] = ToyParams
    Options: ClassVar[type[BaseModel]] = ToyOptions
    outcomes: ClassVar[tuple[Measure, ...]] = (
        COMMON_OUTCOMES["final_military"],
        COMMON_OUTCOMES["final_military_{state}"],
        COMMON_OUTCOMES["war"],
        COMMON_OUTCOMES["first_war_step"],
        Measure("n_up", "int", "steps", "Steps at which the total rose."),
        Measure("leader", "str", "", "The state with the most arms at the end."),
    )
    summary_fields: ClassVar[tuple[Measure, ...]] = (
        Measure("final_military_mean", "float", "scenario military unit", "Final total, mean."),
        Measure("final_mean", "float", "scenario military unit", "Final per state, mean."),
        Measure("label", "str", "", "The block's label."),
    )

    def draws(
        self, seed: int, runs: int, run_offset: int, stream_key: Sequence[int], n: int, steps: int
    ) -> np.ndarray:
        """Run k draws from SeedSequence(seed, spawn_key=(*stream_key, run_offset + k)) only."""
        return np.stack(
            [
                np.random.default_rng(
                    np.random.SeedSequence(seed, spawn_key=(*stream_key, run_offset + k))
                ).standard_normal((steps, n))
                for k in range(runs)
            ]
        )

    def simulate(
        self,
        scenario: Scenario,
        *,
        steps: int,
        runs: int,
        seed: int,
        keep: str = "series",
        run_offset: int = 0,
        stream_key: Sequence[int] = (),
        progress: Progress | None = None,
        noise: float = 0.1,
        shape: str = "lognormal",
    ) -> Result:
        params = self.params(scenario)
        ids = scenario.ids
        n = len(ids)
        x0 = np.array([s.military for s in scenario.states], dtype=float)
        z = self.draws(seed, runs, run_offset, stream_key, n, steps)
        growth = params.drift + noise * (z if shape == "lognormal" else np.sign(z))
        paths = np.concatenate(
            [np.broadcast_to(x0, (runs, 1, n)), x0 * np.exp(np.cumsum(growth, axis=1))], axis=1
        )
        total = paths.sum(axis=2)
        final = paths[:, -1, :]
        war = total[:, -1] > 1.2 * total[:, 0]
        first = np.where(war, np.argmax(total > 1.2 * total[:, :1], axis=1), -1)
        outcomes = pd.DataFrame(
            {
                "run": np.arange(run_offset, run_offset + runs, dtype=np.int64),
                "final_military": total[:, -1],
                **{f"final_military_{s}": final[:, i] for i, s in enumerate(ids)},
                "war": war,
                "first_war_step": pd.array(
                    [int(f) if w else None for f, w in zip(first, war, strict=True)], dtype="Int64"
                ),
                "n_up": (np.diff(total, axis=1) > 0).sum(axis=1).astype(np.int64),
                "leader": [ids[i] for i in final.argmax(axis=1)],
            }
        )
        series = None
        if keep == "series":
            t = np.arange(steps + 1)
            series = pd.DataFrame(
                {
                    "run": np.repeat(np.arange(run_offset, run_offset + runs), (steps + 1) * n),
                    "t": np.tile(np.repeat(t, n), runs),
                    "year": np.tile(
                        np.repeat(scenario.time.start + scenario.time.step * t, n), runs
                    ),
                    "state": pd.Categorical(np.tile(ids, runs * (steps + 1)), categories=ids),
                    "military": paths.reshape(-1),
                }
            )
        summary = {
            "final_military_mean": float(total[:, -1].mean()),
            "final_mean": dict(zip(ids, map(float, final.mean(axis=0)), strict=True)),
            "label": params.label,
        }
        return Result(
            model=self.name,
            scenario=scenario,
            seed=seed,
            summary=summary,
            series=series,
            outcomes=outcomes,
        )


# -- broken toys ----------------------------------------------------------------------------------
class BatchDependentToy(Toy):
    """Draws once per call from default_rng(seed): run i depends on the batch it is in."""

    def draws(
        self, seed: int, runs: int, run_offset: int, stream_key: Sequence[int], n: int, steps: int
    ) -> np.ndarray:
        return np.random.default_rng(seed).standard_normal((runs, steps, n))


class MisnamedToy(Toy):
    """Declares final_military but returns final_militar."""

    def simulate(self, scenario: Scenario, **kwargs: Any) -> Result:
        result = super().simulate(scenario, **kwargs)
        assert result.outcomes is not None
        result.outcomes = result.outcomes.rename(columns={"final_military": "final_militar"})
        return result


class BadDtypeToy(Toy):
    """Declares war as bool but returns 0/1 integers."""

    def simulate(self, scenario: Scenario, **kwargs: Any) -> Result:
        result = super().simulate(scenario, **kwargs)
        assert result.outcomes is not None
        result.outcomes["war"] = result.outcomes["war"].astype(np.int64)
        return result


class BadDeclaredDtypeToy(Toy):
    """Declares an outcome with a dtype that does not exist."""

    outcomes = (*Toy.outcomes, Measure("ratio", "double", "", "Not a dtype."))  # type: ignore[arg-type]


class UndeclaredColumnToy(Toy):
    """Returns an outcome column it never declared."""

    def simulate(self, scenario: Scenario, **kwargs: Any) -> Result:
        result = super().simulate(scenario, **kwargs)
        assert result.outcomes is not None
        result.outcomes["secret"] = 1.0
        return result


class UnseededToy(Toy):
    """Draws from fresh OS entropy: not reproducible."""

    def draws(
        self, seed: int, runs: int, run_offset: int, stream_key: Sequence[int], n: int, steps: int
    ) -> np.ndarray:
        return np.random.default_rng().standard_normal((runs, steps, n))


class KeepDependentToy(Toy):
    """Computes its headline number differently when it keeps no series."""

    def simulate(self, scenario: Scenario, **kwargs: Any) -> Result:
        result = super().simulate(scenario, **kwargs)
        if kwargs.get("keep") == "summary":
            result.summary["final_military_mean"] *= 1.001
        return result


class UnlabelledToy(Toy):
    """Labels its runs 0..runs-1 whatever the run_offset."""

    def simulate(self, scenario: Scenario, **kwargs: Any) -> Result:
        result = super().simulate(scenario, **kwargs)
        assert result.outcomes is not None
        result.outcomes["run"] = np.arange(len(result.outcomes), dtype=np.int64)
        return result


class MissingSummaryToy(Toy):
    """Declares a summary field it never fills in."""

    summary_fields = (*Toy.summary_fields, Measure("p_war", "float", "share", "P(war)."))


class LaxParams(BaseModel):
    """A block that ignores unknown keys (pydantic's default), so typos pass silently."""

    drift: float = 0.01
    label: str = "toy"


class LaxParamsToy(Toy):
    Params = LaxParams


class LossyFilesToy(Toy):
    """Keeps its series in float16: CSV reads back other numbers."""

    def simulate(self, scenario: Scenario, **kwargs: Any) -> Result:
        result = super().simulate(scenario, **kwargs)
        if result.series is not None:
            result.series["military"] = result.series["military"].astype(np.float16)
        return result


class ClashingOptionToy(Toy):
    class Options(BaseModel):
        model_config = ConfigDict(extra="forbid")
        seed: int = 0

    def simulate(self, scenario: Scenario, **kwargs: Any) -> Result:
        return super().simulate(scenario, **kwargs)


BROKEN: list[tuple[type[Model], str, Sequence[str]]] = [
    (BatchDependentToy, "batching", ("depend on batching", "run_offset=2")),
    (MisnamedToy, "outcome_schema", ("'final_military' missing", "'final_militar'")),
    (BadDtypeToy, "outcome_schema", ("'war' is declared bool", "int64")),
    (BadDeclaredDtypeToy, "declarations", ("'ratio' has dtype 'double'",)),
    (UndeclaredColumnToy, "outcome_schema", ("undeclared column 'secret'",)),
    (UnseededToy, "determinism", ("same seed",)),
    (KeepDependentToy, "keep", ("final_military_mean",)),
    (UnlabelledToy, "batching", ("depend on batching",)),
    (MissingSummaryToy, "summary", ("'p_war' is missing",)),
    (LaxParamsToy, "bad_parameters", ("toy.no_such_parameter_for_conformance", "accepted")),
    (LossyFilesToy, "round_trip", ("timeseries.csv['military']",)),
    (ClashingOptionToy, "declarations", ("option 'seed' clashes",)),
]


def test_a_toy_that_keeps_the_contract_passes() -> None:
    check_model(Toy)
    check_model(Toy(), seed=7, runs=3, steps=2)
    check_model(Toy, options={"noise": 0.3, "shape": "flat"}, overrides={"time.step": 0.5})


@pytest.mark.parametrize(
    "check",
    [
        check_determinism,
        check_batching,
        check_keep,
        check_outcome_schema,
        check_summary,
        check_bad_parameters,
        check_round_trip,
    ],
)
def test_each_check_alone_passes_the_toy(check: Any) -> None:
    check(Toy, "europe-1909", runs=3, steps=3)


@pytest.mark.parametrize(
    ("toy", "check", "needles"), BROKEN, ids=[t.__name__ for t, _, _ in BROKEN]
)
def test_a_broken_toy_fails_naming_what_broke(
    toy: type[Model], check: str, needles: Sequence[str]
) -> None:
    with pytest.raises(ConformanceError) as info:
        check_model(toy)
    err = info.value
    assert isinstance(err, AssertionError)
    assert err.check == check, str(err)
    assert str(err).startswith(f"model 'toy' fails the {check} check: ")
    for needle in needles:
        assert needle in str(err), str(err)


def test_the_batch_dependent_toy_passes_determinism_but_fails_batching() -> None:
    check_determinism(BatchDependentToy)  # same seed, same batch: the same numbers
    with pytest.raises(ConformanceError, match="batching"):
        check_batching(BatchDependentToy)


def test_mislabelled_runs_fail_the_outcome_schema_check_too() -> None:
    with pytest.raises(ConformanceError, match=r"must label the runs 7\.\.8"):
        check_outcome_schema(UnlabelledToy)


def test_a_model_that_raises_fails_the_check_it_broke() -> None:
    class Crashing(Toy):
        def simulate(self, scenario: Scenario, **kwargs: Any) -> Result:
            if kwargs.get("keep") == "summary":
                raise ZeroDivisionError("oops")
            return super().simulate(scenario, **kwargs)

    with pytest.raises(ConformanceError, match=r"keep check: simulate.*ZeroDivisionError: oops"):
        check_model(Crashing)


def test_skip_leaves_checks_out() -> None:
    check_model(MisnamedToy, skip=("outcome_schema",))
    with pytest.raises(ValueError, match="unknown check 'speed'"):
        check_model(Toy, skip=("speed",))
    assert MODEL_CHECKS[0] == "declarations" and "round_trip" in MODEL_CHECKS


def test_declarations_are_checked_without_running() -> None:
    check_declarations(Toy)

    class Nameless(Toy):
        name = "Not A Name"

    with pytest.raises(ConformanceError, match="lower-case identifier"):
        check_declarations(Nameless)

    class World(Toy):
        name = "world"

    with pytest.raises(ConformanceError, match="scenario field"):
        check_declarations(World)

    class Redefined(Toy):
        outcomes = (Measure("war", "int", "", "Wars."),)

    with pytest.raises(ConformanceError, match="common outcome name"):
        check_declarations(Redefined)

    class GivenNothing(Toy):  # 'given' must name a bool outcome of the model
        outcomes = (Measure("size", "int", "states", "Size.", given="war"),)

    with pytest.raises(ConformanceError, match="'given' names a bool outcome"):
        check_declarations(GivenNothing)


def test_bad_arguments_of_the_checks() -> None:
    with pytest.raises(ValueError, match="runs >= 2"):
        check_model(Toy, runs=1)
    with pytest.raises(TypeError):
        check_model(42)  # type: ignore[arg-type]


# -- the registry -----------------------------------------------------------------------------
#: Settings under which each registered model draws random numbers and fills every table.
SETTINGS: dict[str, dict[str, Any]] = {
    "richardson": {"options": {"noise": 0.1}},
    "spiral": {"scenario": "europe-1914", "steps": 10},
}


@pytest.mark.parametrize("name", model_names())
def test_registered_model_conforms(name: str) -> None:
    check_model(name, **SETTINGS.get(name, {}))


@pytest.mark.parametrize("name", model_names())
def test_registered_model_conforms_on_its_defaults(name: str) -> None:
    check_model(name)


def test_a_registered_class_and_instance_run_through_herz_simulate() -> None:
    cls = type(get_model("richardson"))
    check_model(cls, options={"noise": 0.05})
    check_model(get_model("richardson"), runs=2, steps=2)


# -- strategies -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", strategy_names())
def test_registered_strategy_conforms(name: str) -> None:
    check_strategy(name)


def test_each_strategy_check_alone() -> None:
    s = get_strategy("generous-tit-for-tat")
    check_strategy_tables(s)
    check_strategy_determinism(s, seed=3)
    check_strategy_batching(s, turns=12, repetitions=3)
    check_strategy_replay(s, repetitions=2)
    assert STRATEGY_CHECKS == ("tables", "determinism", "batching", "replay")


@pytest.mark.parametrize("name", ["tit-for-tat", "random"])
def test_a_custom_memory_one_strategy_conforms(name: str) -> None:
    from herz.models.iterated.kernel import memory_one

    check_strategy(memory_one(1.0, 0.2, 1.0, 0.0, name=f"my-{name}"))


class _LyingStrategy(Strategy):
    """Claims to be deterministic while a state chooses at random."""

    @property
    def stochastic(self) -> bool:
        return False


def _corrupted(s: Strategy, **fields: Any) -> Strategy:
    """A copy with fields replaced behind the constructor's validation."""
    copy = Strategy(s.name, s.p_cooperate, s.transitions, s.initial_state)
    for key, value in fields.items():
        object.__setattr__(copy, key, value)
    return copy


@pytest.mark.parametrize(
    ("strategy", "needle"),
    [
        (
            _LyingStrategy("liar", np.array([0.5]), np.zeros((1, 2, 2), dtype=np.int64)),
            "stochastic is False",
        ),
        (_corrupted(get_strategy("tft"), transitions=np.full((5, 2, 2), 7)), "not a state"),
        (_corrupted(get_strategy("tft"), p_cooperate=np.array([1.0, 2.0, 0, 1, 0])), "[0, 1]"),
        (_corrupted(get_strategy("tft"), initial_state=9), "initial_state"),
        (_corrupted(get_strategy("tft"), name=""), "non-empty"),
    ],
)
def test_a_malformed_strategy_fails_the_tables_check(strategy: Strategy, needle: str) -> None:
    with pytest.raises(ConformanceError) as info:
        check_strategy(strategy)
    assert info.value.check == "tables"
    assert needle in str(info.value)


def test_check_strategy_rejects_unknown_skips() -> None:
    with pytest.raises(ValueError, match="unknown check"):
        check_strategy("tft", skip=("speed",))
    check_strategy("tft", skip=STRATEGY_CHECKS)


def test_the_strategy_checks_catch_a_broken_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    from herz.models.iterated import kernel

    def one_stream_per_batch(
        keys: Sequence[tuple[int, int]], entropy: int, turns: int, prob_end: float | None
    ) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(entropy)  # the draws of a match depend on its batch
        lengths = np.full(len(keys), turns, dtype=np.int64)
        return lengths, rng.random((turns, len(keys), 6))

    with monkeypatch.context() as m:
        m.setattr(kernel, "_match_lengths_and_uniforms", one_stream_per_batch)
        with pytest.raises(ConformanceError, match=r"batching check.*depend on batching"):
            check_strategy_batching("random")

    real_stack = kernel._stack

    def inverted(strategies: Sequence[Strategy]) -> Any:
        tables = real_stack(strategies)
        tables.p = 1.0 - tables.p  # the kernel plays the opposite of the tables
        return tables

    monkeypatch.setattr(kernel, "_stack", inverted)
    with pytest.raises(ConformanceError, match=r"replay check.*departs from its own tables"):
        check_strategy_replay("tit-for-tat")
