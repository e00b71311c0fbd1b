"""What a run would cost, checked in the server's process before the run starts.

A request of a few kilobytes can ask for a lot: 1,000 states in an override, a network of
thousands of alliance edges, an ensemble that needs gigabytes. :func:`check_cost` refuses such a
run with one sentence (HTTP 422) before anything is allocated, on three estimates:

* the states, after the overrides (``max_states``; :meth:`Limits.check_run`);
* the run's memory, as its model estimates it (:meth:`herz.models.Model.memory_bytes`), against
  three quarters of ``memory_mb`` (the rest is the run process's own code and libraries);
* the size of its result as sent, :func:`estimate_result_bytes`, against ``max_result_mb``.

The result estimate is an upper estimate of what :func:`herz.web.payload.build_payload` sends:
the charts and tables are cut to fit their share of ``max_result_mb`` by construction (see
:func:`herz.web.payload.budgets`), so what can still grow past it is what the scenario decides
(the alliance network, scripted events, labels) and a summary that grows with the square of the
states (Richardson's coefficient matrices). Both are counted here from the scenario. The actual
result is measured again in the run's process: a result over the limit is never sent or kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from herz.errors import InputError
from herz.web.errors import model_code
from herz.web.limits import Limits
from herz.web.payload import BYTES_PER_NUMBER, budgets

if TYPE_CHECKING:
    from herz.models import Model
    from herz.scenario import Scenario

__all__ = ["check_cost", "estimate_result_bytes"]

#: Share of ``memory_mb`` a model's own estimate may take; the rest is the run process itself
#: (Python, NumPy, pandas and the models: about 500 MB of address space).
MEMORY_SHARE = 0.75

#: Series variables assumed per state for a chart estimate (the spiral model has eight).
VARIABLES = 8

#: Bytes assumed per node, edge, scripted event and timeline entry of a result.
_NODE, _EDGE, _EVENT = 160, 120, 200


def _mb(n: float) -> str:
    return f"{n / 2**20:,.1f} MB" if n < 2**30 else f"{n / 2**30:,.2f} GB"


def _edges(scenario: Scenario) -> int:
    """Alliance edges of the network, at the scenario's start and at its end."""
    total = 0
    for year in (scenario.time.start, scenario.time.end):
        for alliance in scenario.alliances_at(year):
            m = len(alliance.members)
            total += m * (m - 1) // 2
    return total


def estimate_result_bytes(scenario: Scenario, *, steps: int, runs: int, limits: Limits) -> int:
    """An upper estimate of the JSON result of a run, in bytes (see the module docstring)."""
    n = len(scenario.states)
    points = min(steps + 1, limits.max_points)
    chart_values, table_bytes = budgets(limits.max_result_bytes)
    charts = min(3 * VARIABLES * max(n, 1) * points, chart_values) * BYTES_PER_NUMBER
    axes = 8 * points * BYTES_PER_NUMBER  # time, t, P(war), tension (mean, 5 %, 95 %)
    outcome_rows = min(runs, limits.max_table_rows)
    outcomes = min(outcome_rows * (4 + 4 * n) * BYTES_PER_NUMBER, table_bytes)
    events = table_bytes
    timeline = (len(scenario.events) + 4 * points) * _EVENT
    labels = sum(len(s.id) + len(s.label) + 16 for s in scenario.states)
    network = n * _NODE + _edges(scenario) * _EDGE + labels
    summary = (4 * n * n + 32 * n + 256) * BYTES_PER_NUMBER
    return int(charts + axes + outcomes + events + timeline + network + summary + 4096)


def check_cost(model: Model, scenario: Scenario, *, steps: int, runs: int, limits: Limits) -> None:
    """Refuse (:class:`InputError`, HTTP 422) a run over any of the limits of the module
    docstring, with one sentence that says which and what to ask for instead."""
    n = len(scenario.states)
    limits.check_run(runs=runs, steps=steps, states=n)
    if limits.memory_mb > 0:
        with model_code(model.name):
            need = int(model.memory_bytes(scenario, steps=steps, runs=runs, keep="series"))
        allowed = MEMORY_SHARE * limits.memory_mb * 2**20
        if need > allowed:
            raise InputError(
                f"{runs:,} runs × {steps:,} steps × {n:,} states of model {model.name!r} would "
                f"need about {_mb(need)} of memory, over this server's limit of {_mb(allowed)} "
                "per run; ask for fewer runs, steps or states.",
                field="runs",
                value=runs,
            )
    size = estimate_result_bytes(scenario, steps=steps, runs=runs, limits=limits)
    if size > limits.max_result_bytes:
        raise InputError(
            f"the result of this run would be about {_mb(size)}, over this server's limit of "
            f"{_mb(limits.max_result_bytes)} per result; ask for fewer states, alliances, "
            "events or steps.",
            field="states",
            value=size,
        )
