"""The table of docs/spiral.md, "Mechanisms and their switches": each switch on and off.

    python docs/mechanisms_table.py     # prints the Markdown table (a few minutes on 2 cores)

It runs the cases of ``tests/test_mechanisms.py`` (the test is their one source: scenario,
overrides, runs, steps, outcome, seed 11) with the switch on and off and prints the means, their
standard errors and the difference over its standard error, which the test requires to exceed 5.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_mechanisms import CASES, _mean_se, _outcomes  # noqa: E402

LABELS = {
    "DANGER_20": "seekers, ω = 0.75, δ = 0",
    "READABLE_20": "seekers, ω = 0.75, δ = 1",
    "SHIFT_TWO": "B doubles at once in year 5, base-rate crises",
    "NOISY_TWO": "noisy two-state, A reassuring",
}


def describe(scenario: str, over: dict[str, Any], runs: int, steps: int | None) -> str:
    import test_mechanisms as tm

    label = next((text for name, text in LABELS.items() if getattr(tm, name) == over), None)
    parts = [label] if label else []
    if steps is not None:
        parts.append(f"{steps} steps")
    inner = f" ({', '.join(parts)})" if parts else ""
    return f"{scenario}{inner}, {runs} runs"


def main() -> None:
    print("| switch | scenario (overrides) | outcome | on | off | difference / SE |")
    print("|---|---|---|---|---|---|")
    for switch, (scenario, over, runs, steps, col, war_only) in CASES.items():
        off = {**over, f"spiral.mechanisms.{switch}": False}
        on_, off_ = _outcomes(scenario, over, runs, steps), _outcomes(scenario, off, runs, steps)
        if war_only:
            on_, off_ = on_[on_["war"]], off_[off_["war"]]
        (m1, s1), (m0, s0) = _mean_se(on_[col]), _mean_se(off_[col])
        z = abs(m1 - m0) / max(float((s1**2 + s0**2) ** 0.5), 1e-300)
        outcome = f"{col} (runs with a war)" if war_only else col
        print(
            f"| `{switch}` | {describe(scenario, over, runs, steps)} | {outcome} | "
            f"{m1:.4g} ± {s1:.2g} | {m0:.4g} ± {s0:.2g} | {z:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
