"""Record golden outputs of herz's models before a refactor (issue #10).

Run once, on the commit *before* the move, with ``python tests/golden/record.py``. It writes
``tests/golden/data/*``: per-run series, events and outcomes (Parquet) and summaries (JSON) for
Richardson and the spiral model on built-in scenarios and several seeds, and a tournament.
``tests/test_golden.py`` compares the same calls on the current code against them:
bit-identical per-run values, aggregates to a relative 1e-12, through a rename table.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

import herz
from herz.results import to_jsonable

HERE = Path(__file__).parent / "data"

#: (case name, scenario, model, call keywords)
CASES: list[tuple[str, str, str, dict[str, object]]] = [
    ("rich-europe-1909-s1", "europe-1909", "richardson", {"runs": 3, "seed": 1, "noise": 0.1}),
    ("rich-europe-1909-blocs", "europe-1909", "richardson", {"runs": 2, "seed": 2, "blocs": True}),
    (
        "rich-cold-war-euler",
        "cold-war",
        "richardson",
        {"runs": 4, "seed": 7, "noise": 0.05, "method": "euler"},
    ),
    ("rich-two-state", "two-state", "richardson", {"runs": 1, "seed": 0}),
    ("spiral-europe-1914-s1", "europe-1914", "spiral", {"runs": 40, "seed": 1}),
    ("spiral-europe-1914-s5", "europe-1914", "spiral", {"runs": 25, "seed": 5, "run_offset": 3}),
    ("spiral-cold-war-s2", "cold-war", "spiral", {"runs": 20, "seed": 2}),
    ("spiral-multipolar-s3", "multipolar-20", "spiral", {"runs": 10, "seed": 3, "steps": 40}),
]

TOURNAMENTS: list[tuple[str, dict[str, object]]] = [
    (
        "tour-deterministic",
        {
            "strategies": ["tit-for-tat", "grim", "defector", "cooperator", "win-stay-lose-shift"],
            "turns": 50,
            "repetitions": 2,
            "seed": 1,
        },
    ),
    (
        "tour-noisy",
        {
            "strategies": ["tit-for-tat", "grit", "defensive-realist", "random"],
            "turns": 60,
            "repetitions": 5,
            "noise": 0.05,
            "misperception": 0.05,
            "seed": 3,
        },
    ),
]


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    for name, scenario, model, kw in CASES:
        res = herz.simulate(scenario, model=model, keep="series", **kw)  # type: ignore[arg-type]
        for stem, table in res.tables().items():
            t = table.copy()
            for col in t.columns:
                if isinstance(t[col].dtype, pd.CategoricalDtype):
                    t[col] = t[col].astype(str)
            t.to_parquet(HERE / f"{name}.{stem}.parquet", index=False)
        (HERE / f"{name}.summary.json").write_text(
            json.dumps(to_jsonable(res.summary), indent=1, sort_keys=True) + "\n"
        )
    for name, kw in TOURNAMENTS:
        tr = herz.tournament(**kw)  # type: ignore[arg-type]
        np.savez(
            HERE / f"{name}.npz",
            payoffs=tr.payoffs,
            scores=tr.scores,
            normalised_scores=tr.normalised_scores,
            cooperation=tr.cooperation,
            match_lengths=tr.match_lengths,
            players=np.array(tr.players),
        )
    (HERE / "cases.json").write_text(
        json.dumps(
            {"cases": CASES, "tournaments": TOURNAMENTS, "version": herz.__version__}, indent=1
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
