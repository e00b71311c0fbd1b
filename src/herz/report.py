"""One self-contained HTML report of a run: summary, figures (embedded PNG), parameters, sources.

The file needs nothing beside it: figures are base64 PNG ``<img>`` tags, styles are inline, and
every piece of text from the scenario or the summary is HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from herz.results import Result

__all__ = ["figure_to_png", "render_report"]

_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;
text-align:left;vertical-align:top}th{background:#f4f4f4}img{max-width:100%}
.small{color:#666;font-size:.9em}
"""


def figure_to_png(fig: Figure, dpi: int = 110) -> bytes:
    """A matplotlib figure as PNG bytes."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _esc(value: Any) -> str:
    if isinstance(value, float):
        return html.escape(f"{value:.6g}")
    if isinstance(value, dict | list):
        return html.escape(json.dumps(value, ensure_ascii=False))
    return html.escape(str(value))


def _table(rows: list[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def render_report(result: Result, figures: dict[str, bytes]) -> str:
    """The report as one HTML document.

    Parameters
    ----------
    result:
        Any model's result; the summary's scalar entries are shown, then the scenario's world,
        states and model parameters, the figures and the sources.
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
            f"<td>{_esc(v)}</td>"
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
    params = s.get("parameters") or {}
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
        + (f"<h2>Model parameters</h2>{_table(list(params.items()))}" if params else "")
        + f"<h2>Sources</h2><ul>{sources}</ul>"
        f"<p class='small'>Made by herz {_esc(s.get('herz_version', ''))} with seed "
        f"{_esc(result.seed)}; rerun with the same scenario, version and seed to reproduce it."
        "</p></body></html>\n"
    )
