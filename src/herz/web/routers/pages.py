"""The page (``/``, ``/sweeps``, ``/sweeps/{id}``: one HTML file that routes client-side) and
its files: a fixed list (``app.js``, ``style.css``) plus Plotly.js from the installed ``plotly``
package. No other file is ever served; nothing comes from a CDN."""

from __future__ import annotations

import functools
import importlib.util
from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response

from herz.web.errors import NotFoundError

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

#: The page's files (the only files the app serves besides Plotly.js).
_STATIC = {
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}


@functools.cache
def _static_bytes(name: str) -> bytes:
    return (resources.files("herz.web") / "static" / name).read_bytes()


@functools.cache
def _plotly_js() -> bytes | None:
    """``plotly.min.js`` as shipped inside the installed ``plotly`` Python package."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "package_data" / "plotly.min.js"
    return path.read_bytes() if path.is_file() else None


@router.get("/")
@router.get("/sweeps")
def page() -> Response:
    """The page; it shows the view its address names."""
    return Response(
        _static_bytes("index.html"),
        media_type="text/html; charset=utf-8",
        headers={"cache-control": "no-cache"},
    )


@router.get("/sweeps/{sweep_id}")
def sweep_page(sweep_id: str) -> Response:
    """The page, showing one stored sweep."""
    return page()


@router.get("/favicon.ico")
def favicon() -> Response:
    """No icon (and no 404 in the log for it)."""
    return Response(status_code=204)


@router.get("/static/{name}")
def static(name: str) -> Response:
    """One of the page's files, by name from a fixed list."""
    if name == "plotly.min.js":
        js = _plotly_js()
        if js is None:
            raise NotFoundError(
                "Plotly.js is missing: install the web extra, pip install 'herz[web]'."
            )
        return Response(
            js,
            media_type="text/javascript; charset=utf-8",
            headers={"cache-control": "public, max-age=86400"},
        )
    if name not in _STATIC:
        raise NotFoundError(f"there is no file {name!r} here.")
    return Response(
        _static_bytes(name), media_type=_STATIC[name], headers={"cache-control": "no-cache"}
    )
