"""The model registry: lookup, third-party entry points, and what herz.simulate stamps once."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import herz
import herz.models as registry
from herz.errors import InputError, ModelError
from herz.models import COMMON_OUTCOMES, get_model, model_names
from herz.models._base import COMMON_SUMMARY

THIRD_PARTY = textwrap.dedent(
    '''
    """A third-party model, installed as a package with a herz.models entry point."""
    from __future__ import annotations

    import numpy as np
    import pandas as pd

    from herz._random import run_generator
    from herz.models import COMMON_OUTCOMES, Model
    from herz.results import Result


    class Doubling(Model):
        name = "doubling"
        title = "every state doubles its military, with noise"
        outcomes = (COMMON_OUTCOMES["final_military"],)

        def simulate(self, scenario, *, steps, runs, seed, keep="series", run_offset=0,
                     stream_key=(), progress=None):
            m0 = sum(s.military for s in scenario.states)
            ids = range(run_offset, run_offset + runs)
            noise = np.array([run_generator(seed, i, stream_key).normal() for i in ids])
            final = m0 * 2.0 * (1.0 + 0.01 * noise)
            out = pd.DataFrame({"run": np.arange(run_offset, run_offset + runs),
                                "final_military": final})
            return Result(model=self.name, scenario=scenario, seed=seed,
                          summary={"final_military_mean": float(final.mean())}, outcomes=out)
    '''
)


@pytest.fixture
def third_party(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A distribution on sys.path whose entry point registers ``doubling``."""
    (tmp_path / "herz_doubling.py").write_text(THIRD_PARTY)
    info = tmp_path / "herz_doubling-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: herz-doubling\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[herz.models]\ndoubling = herz_doubling:Doubling\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry._entry_points.cache_clear()
    yield tmp_path
    registry._entry_points.cache_clear()
    registry._load.cache_clear()


def test_the_registry_names_every_builtin_model_and_finds_them() -> None:
    names = model_names()
    assert names[:2] == ["richardson", "spiral"]
    for name in ("richardson", "spiral"):
        m = get_model(name)
        assert m.name == name and m.title and m.citation
        assert get_model(name) is m  # one stateless instance
    with pytest.raises(InputError, match="unknown model 'nope'; choose one of: richardson"):
        get_model("nope")


def test_a_third_party_model_registers_through_an_entry_point(third_party: Path) -> None:
    assert "doubling" in model_names()
    res = herz.simulate("two-state", model="doubling", runs=3, seed=4, keep="summary")
    assert res.summary["model"] == "doubling" and res.summary["seed"] == 4
    assert res.outcomes is not None and res.outcomes["run"].tolist() == [0, 1, 2]
    # and the sweep machinery accepts it with no other registration
    from herz.experiment import prepare_sweep

    plan = prepare_sweep(
        {
            "name": "tp",
            "scenario": "two-state",
            "model": "doubling",
            "parameters": {"world.offense_advantage": {"values": [0.1, 0.9]}},
            "runs": 2,
            "seed": 1,
        }
    )
    assert plan.n_points == 2


def test_a_registry_entry_that_is_not_a_model_is_a_model_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(registry.REGISTRY, "notamodel", "herz.errors:InputError")
    registry._load.cache_clear()
    with pytest.raises(ModelError, match=r"not a herz\.models\.Model subclass"):
        get_model("notamodel")
    registry._load.cache_clear()


def test_simulate_stamps_the_common_keys_once_for_every_model() -> None:
    for name in ("richardson", "spiral"):
        res = herz.simulate("two-state", model=name, runs=2, steps=3, seed=11, keep="summary")
        for m in COMMON_SUMMARY:
            assert m.name in res.summary, (name, m.name)
        assert res.summary["herz_version"] == herz.__version__
        assert res.summary["scenario_hash"] == res.scenario.hash()
        assert list(res.summary)[: len(COMMON_SUMMARY)] == [m.name for m in COMMON_SUMMARY]
        json.loads(res.to_json())


def test_common_outcomes_mean_the_same_in_every_model() -> None:
    """A name in the glossary is declared with the glossary's dtype and unit everywhere."""
    for name in ("richardson", "spiral"):
        for m in get_model(name).outcomes:
            if m.name in COMMON_OUTCOMES:
                assert m == COMMON_OUTCOMES[m.name], (name, m.name)


def test_bad_common_arguments_and_unknown_blocks_are_input_errors() -> None:
    with pytest.raises(InputError, match="steps must be a positive integer"):
        herz.simulate("two-state", steps=0)
    with pytest.raises(InputError, match="seed must be a non-negative integer"):
        herz.simulate("two-state", seed=-1)
    with pytest.raises(InputError, match="has no option 'chunk'"):
        herz.simulate("two-state", model="richardson", chunk=3)
    with pytest.raises(InputError, match=r"spirall: unknown field \(a model's parameters"):
        herz.simulate("two-state", overrides={"spirall.war_cost": 1.0})
    # overrides that are not a mapping of paths: an InputError, not an AttributeError
    for bad, needle in (
        ("world.offense_advantage=1", "must be a mapping"),
        ([("world.offense_advantage", 1)], "must be a mapping"),
        ({1: 2}, "a path must be a string"),
    ):
        for steps in (None, 5):
            with pytest.raises(InputError, match=needle):
                herz.simulate("two-state", overrides=bad, steps=steps)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="must be a mapping"):
        herz.load_scenario("two-state").with_overrides("x")  # type: ignore[arg-type]


def test_numpy_integers_are_integers() -> None:
    """``for n in np.arange(...)`` in a notebook: NumPy integers are accepted as runs, steps
    and seed, and give the results of the same Python ints (a bool is still refused)."""
    a = herz.simulate("two-state", runs=np.int64(3), seed=np.uint32(4), steps=np.int16(5))
    b = herz.simulate("two-state", runs=3, seed=4, steps=5)
    assert a.to_json() == b.to_json()
    with pytest.raises(InputError, match="runs must be a positive integer"):
        herz.simulate("two-state", runs=np.True_)  # type: ignore[arg-type]


def test_import_herz_loads_no_model() -> None:
    code = (
        "import sys, herz; herz.models if False else None; "
        "print(sorted(m for m in sys.modules if m.startswith('herz')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "herz.models" not in out and "numpy" not in out


def test_a_run_past_the_floating_point_range_says_so_once() -> None:
    """A runaway race followed for 10,000 years overflows: one NumericalOverflowWarning naming
    the model, the scenario and the steps (NumPy's raw 'overflow encountered' lines before,
    and null results with nothing else said); an ordinary run warns of nothing."""
    import warnings

    from herz.errors import NumericalOverflowWarning

    runaway = {"world.offense_advantage": 1, "world.distinguishability": 0}
    with pytest.warns(NumericalOverflowWarning, match="richardson on two-state.*10000 steps"):
        herz.simulate("two-state", overrides=runaway, steps=10_000, runs=1, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        herz.simulate("two-state", overrides=runaway, steps=50, runs=1, seed=1)
        herz.simulate("europe-1914", model="spiral", runs=30, seed=1)


def test_the_cli_prints_a_warning_on_one_line() -> None:
    """In its own process (pytest would capture the warning)."""
    args = ["run", "two-state", "--steps", "10000", "--runs", "1", "--seed", "1", "--json"]
    args += ["--set", "world.offense_advantage=1", "--set", "world.distinguishability=0"]
    out = subprocess.run(
        [sys.executable, "-m", "herz", *args], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("warning: richardson on two-state: "), lines
