"""Every mechanism of the spiral model can be switched off, and doing so moves an outcome that
the docs name by more than 5 standard errors (issue #11, item 7 and "Ablation").

``spiral.mechanisms.NAME: false`` removes one mechanism (:class:`herz.scenario.SpiralMechanisms`).
Each case names a scenario (built-in, with overrides stated here and in docs/spiral.md,
"Mechanisms and their switches"), the outcome the mechanism produces and the runs; the test
runs it with the switch on and off, the same seed, and requires the difference of the means
to exceed 5 standard errors of the difference. Some outcomes are the mechanism's own
products (states eliminated, alliance changes): removing the mechanism removes them, which is
what a switch must do; the others are the model's headline outcomes (P(war), tension, arms,
the first war's size).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import numpy as np
import pytest

import herz
from herz.scenario import SpiralMechanisms

SEEKERS_20 = {"states[*].type": "security_seeker", "states[*].doctrine": "defensive"}
#: Two seekers that read each other poorly, A reassuring (docs: "a noisy two-state world")
NOISY_TWO = {
    "states[*].intelligence": 0.0,
    "spiral.prior_greedy": 0.5,
    "states[0].doctrine": "reassurance",
}
#: Two-state with crises at a base rate and B's strength doubling at once in year 5
SHIFT_TWO = {
    "time.step": 0.25,
    "time.steps": 80,
    "spiral.crisis_base": 0.5,
    "events": [{"kind": "technology_shock", "state": "B", "year": 5.0, "factor": 2.0}],
}
#: Multipolar security seekers in the doubly dangerous world (offense, indistinguishable)
DANGER_20 = {**SEEKERS_20, "world.offense_advantage": 0.75, "world.distinguishability": 0.0}
#: ... and with offense distinguishable from defense
READABLE_20 = {**DANGER_20, "world.distinguishability": 1.0}

#: switch -> (scenario, overrides, runs, steps, outcome column, war-only)
CASES: dict[str, tuple[str, dict[str, Any], int, int | None, str, bool]] = {
    "type_uncertainty": ("europe-1914", {}, 1000, None, "mean_tension", False),
    "belief_update": ("europe-1914", {}, 1000, None, "mean_tension", False),
    "perception_noise": ("europe-1914", {}, 1000, None, "mean_tension", False),
    "bias": ("multipolar-20", DANGER_20, 300, 50, "war", False),
    "balancing": ("multipolar-20", DANGER_20, 300, 50, "n_alliance_changes", False),
    "preemption": ("multipolar-20", DANGER_20, 300, 50, "war", False),
    "preventive_war": ("two-state", SHIFT_TWO, 2000, None, "war", False),
    "private_information": ("two-state", NOISY_TWO, 1000, None, "war", False),
    "chain_ganging": ("europe-1914", {}, 1000, None, "first_war_size", True),
    "geography": ("europe-1914", {}, 1000, None, "mean_tension", False),
    "posture_choice": ("multipolar-20", READABLE_20, 300, 50, "war", False),
    "reassurance": ("two-state", NOISY_TWO, 1000, None, "mean_tension", False),
    "war_outcomes": ("multipolar-20", DANGER_20, 300, 50, "n_eliminated", False),
}


@cache
def _run(scenario: str, key: str, runs: int, steps: int | None) -> Any:
    r = herz.simulate(
        scenario,
        model="spiral",
        runs=runs,
        seed=11,
        steps=steps,
        keep="summary",
        overrides=json.loads(key),
    )
    return r.outcomes


def _outcomes(scenario: str, over: dict[str, Any], runs: int, steps: int | None) -> Any:
    return _run(scenario, json.dumps(over, sort_keys=True), runs, steps)


def _mean_se(x: Any) -> tuple[float, float]:
    a = np.asarray(x, dtype=float)
    return float(a.mean()), float(a.std(ddof=1) / np.sqrt(a.size))


def test_every_switch_has_a_case() -> None:
    assert set(CASES) == set(SpiralMechanisms.model_fields)


@pytest.mark.parametrize("switch", list(CASES))
def test_switching_a_mechanism_off_moves_its_outcome(switch: str) -> None:
    scenario, over, runs, steps, col, war_only = CASES[switch]
    off = {**over, f"spiral.mechanisms.{switch}": False}
    on_, off_ = _outcomes(scenario, over, runs, steps), _outcomes(scenario, off, runs, steps)
    if war_only:
        on_, off_ = on_[on_["war"]], off_[off_["war"]]
    (m1, s1), (m0, s0) = _mean_se(on_[col]), _mean_se(off_[col])
    msg = f"{switch} on {scenario}: {col} {m1:.4g} ± {s1:.2g} on, {m0:.4g} ± {s0:.2g} off"
    assert abs(m1 - m0) > 5 * float(np.hypot(s1, s0)), msg


def test_the_summary_reports_the_switches() -> None:
    r = herz.simulate(
        "two-state", model="spiral", runs=2, seed=0, overrides={"spiral.mechanisms.bias": False}
    )
    mech = r.summary["mechanisms"]
    assert set(mech) == set(SpiralMechanisms.model_fields)
    assert mech["bias"] is False and all(v for k, v in mech.items() if k != "bias")


def test_a_misspelt_switch_is_refused() -> None:
    with pytest.raises(herz.InputError, match="mechanisms"):
        herz.simulate(
            "two-state",
            model="spiral",
            runs=2,
            seed=0,
            overrides={"spiral.mechanisms.chaingang": False},
        )
