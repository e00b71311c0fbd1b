"""One self-contained HTML report of a run: summary, figures (embedded PNG), methods, sources.

The file needs nothing beside it: figures are base64 PNG ``<img>`` tags, styles are inline, and
every piece of text from the scenario or the summary is HTML-escaped.

The **methods** section is generated from the run, for any registered model: the model and its
citation, the mechanisms switched on and off, every parameter of the model's scenario block with
its value, its default and its provenance (the ``source``, ``why``, ``after`` and ``calibrated``
entries of the field's ``json_schema_extra``: a citation, or **ours** with the reason), the
numbers hard-coded in the model (a ``constants`` module beside it, such as
:mod:`herz.models.spiral.constants`), the seeds and the rule that turns them into each run's
stream, the scenario hash and the herz version.
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from pydantic import BaseModel
    from pydantic.fields import FieldInfo

    from herz.results import Result
    from herz.scenario import Scenario

__all__ = ["ParameterRow", "figure_to_png", "parameter_rows", "provenance", "render_report"]

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#f4f4f4}img{max-width:100%}
.small{color:#666;font-size:.9em}
"""


def figure_to_png(fig: Figure, dpi: int = 110) -> bytes:
    """A matplotlib figure as PNG bytes.

    Where the figure's decorations leave its axes no room (labels of very many states),
    matplotlib's constrained layout gives up with a warning and draws the figure unlaid-out;
    that warning is about the drawing, not the run, and is not passed on.
    """
    import warnings

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="constrained_layout not applied", category=UserWarning
        )
        fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _esc(value: Any) -> str:
    if isinstance(value, float):
        return html.escape(f"{value:.6g}")
    if isinstance(value, dict | list):
        return html.escape(json.dumps(value, ensure_ascii=False))
    return html.escape(str(value))


#: Why a summary entry has no value (``None``), by the start of its name; other entries:
#: :data:`_NO_VALUE_ELSE`. The table shows "—" with the reason as the cell's title.
_NO_VALUE: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("mean_states_at_war", "mean_first_war_", "share_preemptive", "share_preventive"),
        "no run had a war",
    ),
    (("mean_trust_year",), "no run reached trust"),
)
_NO_VALUE_ELSE = "not defined for this run (an option it did not use)"


def _why_none(key: str) -> str:
    for prefixes, why in _NO_VALUE:
        if key.startswith(prefixes):
            return why
    return _NO_VALUE_ELSE


def _table(rows: list[tuple[str, Any]]) -> str:
    """Rows of name and value; a value is shown as in every table of the report (:func:`_show`),
    and a missing one ("—") says why in its title and in a note under the table."""
    cells = []
    reasons: dict[str, list[str]] = {}
    for k, v in rows:
        if v is None:
            why = _why_none(str(k))
            reasons.setdefault(why, []).append(str(k))
            cells.append(f"<tr><th>{_esc(k)}</th><td title='{_esc(why)}'>—</td></tr>")
        else:
            cells.append(f"<tr><th>{_esc(k)}</th><td>{_show(v)}</td></tr>")
    note = ""
    if reasons:
        note = (
            "<p class='small no-value'>— : no value. "
            + " ".join(
                f"{', '.join(f'<code>{_esc(k)}</code>' for k in keys)}: {_esc(why)}."
                for why, keys in reasons.items()
            )
            + "</p>"
        )
    return f"<table>{''.join(cells)}</table>{note}"


def provenance(field: FieldInfo) -> dict[str, Any]:
    """A parameter's provenance: its field's ``json_schema_extra`` (``{}`` when it has none).

    herz's models give every parameter a ``source``: a citation of the number, or ``"ours"``
    with ``why`` (the reason for the value) and optionally ``after`` (where the mechanism,
    not the number, comes from) and ``calibrated`` (``{scenario: {"value": v, "how": ...}}``
    for values fitted to data in a built-in scenario).
    """
    extra = field.json_schema_extra
    return dict(extra) if isinstance(extra, dict) else {}


@dataclass(frozen=True)
class ParameterRow:
    """One parameter of a run: its dotted name, value, default and provenance."""

    name: str
    value: Any
    default: Any
    provenance: dict[str, Any]
    description: str


def parameter_rows(params_class: type[BaseModel], params: BaseModel | None) -> list[ParameterRow]:
    """Every field of ``params_class``, nested blocks flattened (``derive.fatigue``).

    ``params`` is the run's validated block (``None``: the defaults).
    """
    from pydantic import BaseModel

    rows: list[ParameterRow] = []
    for name, field in params_class.model_fields.items():
        default = field.get_default(call_default_factory=True)
        value = getattr(params, name) if params is not None else default
        if isinstance(default, BaseModel):
            inner = value if isinstance(value, type(default)) else None
            for row in parameter_rows(type(default), inner):
                rows.append(
                    ParameterRow(
                        f"{name}.{row.name}",
                        row.value,
                        row.default,
                        row.provenance,
                        row.description,
                    )
                )
            continue
        rows.append(ParameterRow(name, value, default, provenance(field), field.description or ""))
    return rows


def _show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return _esc(value)


def _value_cell(row: ParameterRow, summary: dict[str, Any]) -> str:
    """A parameter's value; one left unset (``None``, "the run decides") that the run resolved
    and reported under the same name in its summary (reassurance's ``observer`` and
    ``sender``) shows the resolved value."""
    resolved = summary.get(row.name) if "." not in row.name else None
    if row.value is None and resolved is not None and not isinstance(resolved, dict | list):
        return f"{_show(resolved)} <span class='small'>(resolved by the run)</span>"
    return _show(row.value)


def _source_cell(row: ParameterRow, scenario_name: str) -> str:
    prov = row.provenance
    source = str(prov.get("source", "")).strip()
    why = str(prov.get("why", "")).strip()
    after = str(prov.get("after", "")).strip()
    if not source:
        text = "<i>no source given</i>"
    elif source == "ours":
        text = "<b>ours</b>" + (f": {_esc(why)}" if why else "")
        if after:
            text += f" <span class='small'>(mechanism after {_esc(after)})</span>"
    else:
        text = _esc(source) + (f" <span class='small'>({_esc(why)})</span>" if why else "")
    calibrated = prov.get("calibrated")
    cal = calibrated.get(scenario_name) if isinstance(calibrated, dict) else None
    if isinstance(cal, dict) and cal.get("value") == row.value:
        return f"<b>calibrated</b> for {_esc(scenario_name)}: {_esc(cal.get('how', ''))}"
    if row.value != row.default:
        return (
            "set by the scenario or an override (see the scenario's sources); the default's "
            f"source: {text}"
        )
    return text


def _model_of(name: str) -> Any:
    """The registered model ``name``, or None (a result of a model no longer registered)."""
    from herz.errors import HerzError
    from herz.models import get_model

    try:
        return get_model(name)
    except (HerzError, ImportError):
        return None


def _constants_of(model: Any) -> tuple[Any, ...]:
    """The numbers written into a model's code (its ``constants`` registry)."""
    return tuple(getattr(model, "constants", ()))


def _mechanisms(summary: dict[str, Any], rows: list[ParameterRow]) -> str:
    """The switches of the run: the summary's ``mechanisms``, else the block's true/false
    parameters (``rows``), else a note that the model has none."""
    mech = summary.get("mechanisms")
    if isinstance(mech, dict) and mech:
        cells = "".join(
            f"<tr><th>{_esc(k)}</th><td>{'on' if v else '<b>off</b>'}</td></tr>"
            for k, v in mech.items()
        )
        return f"<table><tr><th>mechanism</th><th>switch</th></tr>{cells}</table>"
    if isinstance(mech, list | tuple) and mech:
        return "<p>On: " + ", ".join(_esc(m) for m in mech) + ".</p>"
    switches = [r for r in rows if isinstance(r.value, bool)]
    if switches:
        return (
            "<p>The summary has no <code>mechanisms</code> entry; the run's true/false "
            "parameters: "
            + ", ".join(f"<code>{_esc(r.name)}</code> = {_show(r.value)}" for r in switches)
            + ".</p>"
        )
    return (
        "<p>All mechanisms of this version of the model are on: it has no switches "
        "(the summary has no <code>mechanisms</code> entry).</p>"
    )


def _methods(result: Result, summary: dict[str, Any], scenario: Scenario) -> str:
    """The methods section: model, mechanisms, parameters, constants, seeds, hash, version."""
    model = _model_of(result.model)
    parts = ["<h2 id='methods'>Methods</h2>"]
    if model is not None:
        parts.append(
            f"<p>Model <b>{_esc(model.name)}</b>: {_esc(model.title)}. "
            f"Citation: {_esc((model.citation or 'none given').rstrip('. '))}.</p>"
        )
    else:
        parts.append(f"<p>Model <b>{_esc(result.model)}</b> (not registered here).</p>")
    params_class = getattr(model, "Params", None)
    rows: list[ParameterRow] = []
    if params_class is not None:
        try:
            block = model.params(scenario)
        except Exception:  # the run validated it; show the defaults rather than fail
            block = None
        rows = parameter_rows(params_class, block)
    parts.append(f"<h3>Mechanisms</h3>{_mechanisms(summary, rows)}")

    if params_class is not None:
        body = "".join(
            f"<tr><th>{_esc(r.name)}</th><td>{_value_cell(r, summary)}</td>"
            f"<td>{_show(r.default)}</td><td>{_source_cell(r, scenario.name)}</td></tr>"
            for r in rows
        )
        parts.append(
            f"<h3>Parameters (the <code>{_esc(model.name)}:</code> block)</h3>"
            "<p class='small'>Every parameter of the model, with the value of this run, the "
            "default, and where the number comes from: a citation, <b>ours</b> (our choice, "
            "with the reason) or <b>calibrated</b> (fitted to data, with the years and the "
            "seed).</p>"
            "<table><tr><th>parameter</th><th>value</th><th>default</th><th>source</th></tr>"
            f"{body}</table>"
        )
    else:
        params = summary.get("parameters") or {}
        if params:
            parts.append(f"<h3>Parameters</h3>{_table(list(params.items()))}")
        else:
            parts.append("<h3>Parameters</h3><p>The model has no parameter block.</p>")

    constants = _constants_of(model) if model is not None else ()
    if constants:
        body = "".join(
            f"<tr><th>{_esc(c.name)}</th><td>{_show(c.value)}</td><td>"
            + ("<b>ours</b>" if c.source == "ours" else _esc(c.source))
            + f": {_esc(c.why)}</td><td>{_esc(c.where)}</td></tr>"
            for c in constants
        )
        parts.append(
            "<h3>Constants of the code</h3><p class='small'>Numbers written into the model's "
            "code rather than its scenario block.</p>"
            "<table><tr><th>constant</th><th>value</th><th>source</th><th>where</th></tr>"
            f"{body}</table>"
        )

    runs = summary.get("runs", "")
    offset = summary.get("run_offset", 0) or 0
    key = tuple(result.extra.get("stream_key", ())) if isinstance(result.extra, dict) else ()
    options = summary.get("options") or {}
    seed_rows: list[tuple[str, Any]] = [
        ("root seed", result.seed),
        ("runs", runs),
        ("first run", offset),
        ("stream key", list(key)),
        (
            "per-run streams",
            "run i draws only from numpy.random.SeedSequence(seed, spawn_key=(*stream_key, i)) "
            "(a PCG64 generator; herz._random), so run i is the same whatever the ensemble "
            "size, chunk or worker",
        ),
        ("steps", summary.get("steps", "")),
        ("time step (years)", summary.get("dt", "")),
        ("start (year)", summary.get("start", "")),
        ("run options", options),
        ("scenario", scenario.name),
        ("scenario hash (SHA-256)", summary.get("scenario_hash", "")),
        ("herz version", summary.get("herz_version", "")),
    ]
    parts.append(f"<h3>Seeds, scenario and version</h3>{_table(seed_rows)}")
    return "".join(parts)


def render_report(result: Result, figures: dict[str, bytes]) -> str:
    """The report as one HTML document.

    Parameters
    ----------
    result:
        Any model's result; the summary's scalar entries are shown, then the figures, the
        scenario's world and states, the methods (model, mechanisms, every parameter with its
        source, the code's constants, seeds, scenario hash and version) and the sources.
    figures:
        Title → PNG bytes, embedded as base64 ``data:`` images.
    """
    from herz.results import to_jsonable

    s = to_jsonable(result.summary)
    sc = result.scenario
    title = f"herz {result.model}: {sc.name}"
    head_rows = [
        ("model", result.model),
        ("scenario", sc.name),
        ("herz version", s.get("herz_version", "")),
        ("seed", result.seed),
        ("runs", s.get("runs", "")),
        ("steps", s.get("steps", "")),
        ("scenario hash (SHA-256)", s.get("scenario_hash", "")),
    ]
    skip = {"parameters", "sources", "final_military", "states", "model", "scenario"}
    results_rows = [
        (k, v) for k, v in s.items() if k not in skip and not isinstance(v, dict | list)
    ]
    world = sc.world
    state_rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{_show(v)}</td>"
            for v in (
                st.id,
                st.label,
                st.military,
                st.economy,
                st.max_budget_share,
                st.type,
                st.doctrine,
                st.intelligence,
                st.bias,
            )
        )
        + "</tr>"
        for st in sc.states
    )
    state_head = "".join(
        f"<th>{h}</th>"
        for h in ("id", "name", "military", "economy", "budget", "type", "doctrine", "q", "β")
    )
    figs = "".join(
        f"<h3>{_esc(name)}</h3><img alt='{_esc(name)}' "
        f"src='data:image/png;base64,{base64.b64encode(png).decode('ascii')}'>"
        for name, png in figures.items()
    )
    sources = "".join(
        f"<li><b>{_esc(src.key)}</b>: {_esc(src.citation)}"
        + (f" <span class='small'>({_esc(src.used_for)})</span>" if src.used_for else "")
        + "</li>"
        for src in sc.sources
    )
    events = "".join(
        f"<tr><td>{_esc(e.year)}</td><td>{_esc(e.kind)}</td><td>{_esc(e.name or '')}</td></tr>"
        for e in sc.events
    )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{_esc(title)}</h1><p>{_esc(sc.description)}</p>"
        f"{_table(head_rows)}<h2>Results</h2>{_table(results_rows)}"
        f"<h2>Figures</h2>{figs}"
        f"<h2>Scenario</h2><p>offense advantage ω = {_esc(world.offense_advantage)}, "
        f"distinguishability δ = {_esc(world.distinguishability)}; units: military "
        f"{_esc(sc.units.military)}, economy {_esc(sc.units.economy)}.</p>"
        f"<table><tr>{state_head}</tr>{state_rows}</table>"
        + (f"<h3>Events</h3><table>{events}</table>" if events else "")
        + _methods(result, s, sc)
        + f"<h2>Sources</h2><ul>{sources}</ul>"
        f"<p class='small'>Made by herz {_esc(s.get('herz_version', ''))} with seed "
        f"{_esc(result.seed)}; rerun with the same scenario, version and seed to reproduce it."
        "</p></body></html>\n"
    )
