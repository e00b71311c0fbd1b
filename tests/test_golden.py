"""Behaviour is unchanged by the model-contract refactor (issue #10).

``tests/golden/record.py`` recorded, on the commit before the refactor, per-run series,
events, outcomes and summaries of Richardson and the spiral model on built-in scenarios, and
two tournaments. The same calls today must give bit-identical per-run values and aggregates
equal to a relative 1e-12. Where an outcome or summary key was renamed, :data:`RENAMED` says
so (old name → new name); that table is the rename table the docs' glossary repeats.

The spiral cases (``spiral-*``) were re-recorded on 2026-11-30 for issue #11's war-sides
change (wars between two coalitions: results change on purpose), and again on 2026-11-30 for
issue #11's time-step invariance (Wonham-scaled belief updates, exact exponential stock
updates, per-dyad crisis hazards with no cap per step: results change on purpose);
Richardson's europe-1909 cases (``rich-europe-1909-*``) were re-recorded for issue 12, when
europe-1909 gained a ``richardson:`` block fitted to NMC 1909-1913 (run as the annual
difference equation): results change on purpose. Richardson's other cases and the
tournaments' are the original recordings.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import herz

DATA = Path(__file__).parent / "golden" / "data"
_CASES = json.loads((DATA / "cases.json").read_text())

#: Per model and table: old column or summary key → new one (``None``: dropped on purpose).
#: Keys are regular expressions matched against the whole old name; ``\\1`` refers to a group.
#: The model contract (issue #10) gave outcomes one meaning across models (docs/models.md,
#: "Glossary"): the total final military is ``final_military`` and a state's is
#: ``final_military_<state>`` in every model.
RENAMED: dict[str, dict[str, dict[str, str | None]]] = {
    "richardson": {"outcomes": {r"final_(?!military)(.+)": r"final_military_\1"}, "summary": {}},
    "spiral": {"outcomes": {"final_military_total": "final_military"}, "summary": {}},
}

#: Summary keys that legitimately differ between the recording and today: the version, and
#: what describes the scenario file rather than the run (cold-war gained the Soviet signals
#: of 1987-89 for the reassurance model, issue #13; Richardson and the spiral ignore signal
#: events, so every number they produce is unchanged). The hash is checked against the
#: scenario as run instead.
_VOLATILE = {"herz_version", "scenario_hash", "sources"}

#: Per model: parameters added since the recording, at the default that keeps the recorded
#: behaviour (the summary's ``parameters`` lists every field of the block). The spiral's
#: ``cost_model`` (issue #11, the cost of war from attrition) is ``constant`` by default, which
#: is the model as recorded; ``budget_period`` 1 (issue #11) is the recorded model at yearly
#: steps, bit for bit (europe-1914, quarterly, was re-recorded).
ADDED_PARAMETERS: dict[str, dict[str, Any]] = {
    "spiral": {"cost_model": "constant", "inner_step": None, "budget_period": 1.0}
}


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    t = table.copy()
    for col in t.columns:
        if isinstance(t[col].dtype, pd.CategoricalDtype):
            t[col] = t[col].astype(str)
    return t.reset_index(drop=True)


def _renamed(table: pd.DataFrame, mapping: dict[str, str | None]) -> pd.DataFrame:
    columns: dict[str, str] = {}
    dropped: list[str] = []
    for col in table.columns:
        for pattern, new in mapping.items():
            if re.fullmatch(pattern, col):
                if new is None:
                    dropped.append(col)
                else:
                    columns[col] = re.sub(pattern, new, col)
                break
    return table.rename(columns=columns).drop(columns=dropped)


def _close(old: Any, new: Any, where: str) -> None:
    if isinstance(old, dict):
        assert isinstance(new, dict), where
        assert set(old) == set(new), f"{where}: keys {sorted(set(old) ^ set(new))}"
        for k in old:
            _close(old[k], new[k], f"{where}.{k}")
    elif isinstance(old, list):
        assert isinstance(new, list) and len(old) == len(new), where
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            _close(a, b, f"{where}[{i}]")
    elif isinstance(old, float) and isinstance(new, int | float):
        assert math.isclose(old, new, rel_tol=1e-12, abs_tol=0.0) or old == new, (
            f"{where}: {old!r} != {new!r}"
        )
    else:
        assert old == new, f"{where}: {old!r} != {new!r}"


@pytest.mark.parametrize("case", _CASES["cases"], ids=[c[0] for c in _CASES["cases"]])
def test_model_outputs_unchanged(case: list[Any]) -> None:
    name, scenario, model, kw = case
    res = herz.simulate(scenario, model=model, keep="series", **kw)
    renames = RENAMED[model]
    for stem in ("timeseries", "events", "outcomes"):
        path = DATA / f"{name}.{stem}.parquet"
        table = res.tables().get(stem)
        if not path.exists():
            assert table is None or stem == "events", f"{name}: new table {stem}"
            continue
        assert table is not None, f"{name}: {stem} is gone"
        old = pd.read_parquet(path)
        new = _plain(table)
        old = _renamed(old, renames.get(stem, {}))
        missing = set(old.columns) - set(new.columns)
        assert not missing, f"{name}.{stem}: columns gone without a rename: {sorted(missing)}"
        # bit-identical per-run values (NaN equal to NaN), same dtypes
        pd.testing.assert_frame_equal(new[list(old.columns)], old, check_exact=True)
    old_summary = json.loads((DATA / f"{name}.summary.json").read_text())
    new_summary = json.loads(res.to_json())
    for k, v in renames.get("summary", {}).items():
        if k in old_summary:
            value = old_summary.pop(k)
            if v is not None:
                old_summary[v] = value
    for key in _VOLATILE:
        old_summary.pop(key, None)
    if isinstance(old_summary.get("parameters"), dict):
        for key, default in ADDED_PARAMETERS.get(model, {}).items():
            assert new_summary["parameters"][key] == default, f"{name}: {key} is not its default"
            old_summary["parameters"].setdefault(key, default)
    assert new_summary["scenario_hash"] == res.scenario.hash()
    for key, value in old_summary.items():
        assert key in new_summary, f"{name}: summary key {key!r} gone without a rename"
        _close(value, new_summary[key], f"{name}.summary.{key}")


@pytest.mark.parametrize("case", _CASES["tournaments"], ids=[c[0] for c in _CASES["tournaments"]])
def test_tournaments_unchanged(case: list[Any]) -> None:
    name, kw = case
    old = np.load(DATA / f"{name}.npz")
    new = herz.tournament(**kw)
    assert list(old["players"]) == list(new.players)
    for field in ("payoffs", "scores", "normalised_scores", "cooperation", "match_lengths"):
        np.testing.assert_array_equal(getattr(new, field), old[field], err_msg=field)
