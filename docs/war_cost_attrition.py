"""Reproduce the numbers of docs/bargaining.md, "The cost of war from attrition" (issue #11):
``python docs/war_cost_attrition.py`` (about a minute on 2 cores).

For europe-1914 (2,000 runs) and multipolar-20 (1,000 runs), seed 7, under
``spiral.cost_model: constant`` and ``attrition``: P(war), the mean number of wars and of
crises, and the distribution over crisis sides of the cost c = C/v each side brings to its
demand p̂ − c/(1 + greed): the 10%, 50% and 90% points, and, under attrition, the same points of
each term of C/v (military losses at replacement cost, extra spending at the ceiling, war
damage). It also records each crisis's *optimism* p̂_a + p̂_b − 1, the largest total cost of
war (c_a/v_a + c_b/v_b) under which that crisis would still have been a war (Fearon 1995: war
iff the demands add up to more than 1), and the preventive wars.

The costs are read by wrapping two functions the kernel calls (herz.models.spiral.kernel's
``war_demand`` and ``attrition_war_cost``); nothing else changes, so the runs are the ones
``herz run SCENARIO --model spiral --runs R --seed 7 [--set spiral.cost_model=attrition]``
gives.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import herz
from herz.models.spiral import kernel

SEED = 7
RUNS = {"europe-1914": 2_000, "multipolar-20": 1_000}
MODELS = ("constant", "attrition")


class Recorder:
    """Wraps the kernel's ``war_demand`` and ``attrition_war_cost`` and keeps what they see."""

    def __init__(self) -> None:
        self.demand: list[np.ndarray] = []  # p̂ of each side
        self.weight: list[np.ndarray] = []  # c / v of each side (its cost over its valuation)
        self.cost: list[np.ndarray] = []  # c = C/v, the side's own cost (attrition: as computed)
        self.terms: dict[str, list[np.ndarray]] = {"military": [], "spending": [], "damage": []}
        self.face: list[np.ndarray] = []  # the military term with a unit of stock worth 1
        self._calls = 0
        self._war_demand = kernel.war_demand
        self._attrition = kernel.attrition_war_cost

    def __enter__(self) -> Recorder:
        def war_demand(p_first: Any, p_even: Any, fear: Any, cost: Any, value: Any) -> Any:
            out = self._war_demand(p_first, p_even, fear, cost, value)
            weight = np.broadcast_to(np.asarray(cost, dtype=float) / value, out.shape)
            self.demand.append(np.asarray(out + weight))
            self.weight.append(np.asarray(weight))
            self.cost.append(np.broadcast_to(np.asarray(cost, dtype=float), out.shape).copy())
            return out

        def attrition_war_cost(*args: Any, **kwargs: Any) -> Any:
            cost = self._attrition(*args, **kwargs)
            # resolve() computes a's own cost, b's own, then each one's estimate of the other's
            if self._calls % 4 < 2:
                for name, values in self.terms.items():
                    values.append(np.asarray(getattr(cost, name) / cost.stake))
                self.face.append(np.asarray(cost.military / kwargs["unit_value"] / cost.stake))
            self._calls += 1
            return cost

        kernel.war_demand = war_demand  # type: ignore[assignment]
        kernel.attrition_war_cost = attrition_war_cost  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        kernel.war_demand = self._war_demand  # type: ignore[assignment]
        kernel.attrition_war_cost = self._attrition  # type: ignore[assignment]


def _q(x: np.ndarray) -> str:
    if x.size == 0:
        return "(none)"
    lo, mid, hi = np.quantile(x, [0.1, 0.5, 0.9])
    return f"{mid:.3g} [{lo:.3g}, {hi:.3g}]"


def main() -> None:
    for name, runs in RUNS.items():
        for model in MODELS:
            with Recorder() as rec:
                res = herz.simulate(
                    name,
                    model="spiral",
                    runs=runs,
                    seed=SEED,
                    keep="summary",
                    overrides={"spiral.cost_model": model},
                )
            s = res.summary
            # resolve() calls war_demand for side a of its crises, then for side b
            cost = np.concatenate(rec.cost)
            side_a, side_b = rec.demand[0::2], rec.demand[1::2]
            optimism = np.concatenate([a + b - 1.0 for a, b in zip(side_a, side_b, strict=True)])
            w_a, w_b = rec.weight[0::2], rec.weight[1::2]
            weights = np.concatenate([a + b for a, b in zip(w_a, w_b, strict=True)])
            print(f"{name}, {runs} runs, seed {SEED}, cost_model {model}")
            print(
                f"  P(war) {s['p_war']:.4f} ± {s['p_war_se']:.4f}; mean wars {s['mean_wars']:.4f};"
                f" mean crises {s['mean_crises']:.3f}; share preventive {s['share_preventive']}"
            )
            print(f"  crisis sides: {cost.size}; c = C/v, median [10%, 90%]: {_q(cost)}")
            print(
                f"  optimism p̂_a + p̂_b − 1: {_q(optimism)}; max {optimism.max():.3f};"
                f" crises with optimism > 0: {(optimism > 0).mean():.3f}"
            )
            print(
                f"  c_a/v_a + c_b/v_b: {_q(weights)}; min {weights.min():.3f};"
                f" wars by the demands (optimism > costs): {(optimism > weights).sum()}"
            )
            for term, values in rec.terms.items():
                if values:
                    print(f"  term {term} / v: {_q(np.concatenate(values))}")
            if model == "attrition":
                spiral = res.scenario.spiral
                assert spiral is not None
                _counterfactuals(rec, optimism, cost, spiral.defeat_cost)


def _counterfactuals(
    rec: Recorder, optimism: np.ndarray, cost: np.ndarray, defeat_cost: float
) -> None:
    """Static counterfactuals on the recorded crises (not reruns): how many would have been
    wars by the demands with other valuations of the cost, the same p̂ and greed."""
    value = np.concatenate(rec.cost) / np.maximum(np.concatenate(rec.weight), 1e-300)  # 1 + greed
    mil, face = np.concatenate(rec.terms["military"]), np.concatenate(rec.face)
    flows = np.concatenate(rec.terms["spending"]) + np.concatenate(rec.terms["damage"])
    variants = {
        "stock at face value (1 a unit, not 1/(a·d))": face + flows,
        "without extra spending and war damage": mil,
        "stock at face value, no flows": face,
        "stake = the two whole economies (v / defeat_cost)": cost * defeat_cost,
    }
    # the calls alternate a, b per crisis batch; rebuild per side with the batch sizes
    sizes = [x.size for x in rec.cost]
    for label, alt in variants.items():
        parts = np.split(alt / value, np.cumsum(sizes)[:-1])
        weights = np.concatenate([a + b for a, b in zip(parts[0::2], parts[1::2], strict=True)])
        print(
            f"  if {label}: c median [10%, 90%] {_q(alt)};"
            f" crises that would be wars by the demands: {(optimism > weights).sum()}"
        )


if __name__ == "__main__":
    main()
