"""The web dashboard: a FastAPI app with a JSON API and a static page (``herz serve``).

Needs the ``web`` extra (``pip install 'herz[web]'``: FastAPI, uvicorn, plotly). Nothing here is
imported by ``import herz``; FastAPI loads only when :func:`create_app` is called.

>>> from herz.web import create_app, Limits, WebSettings      # doctest: +SKIP
>>> app = create_app(WebSettings(limits=Limits(max_runs=200)))  # doctest: +SKIP

See docs/web.md for the endpoints, the charts, the limits and the safety notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from herz.web.limits import Limits, WebSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["Limits", "WebSettings", "create_app"]


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The dashboard's ASGI app (see :func:`herz.web.app.create_app`)."""
    from herz.web.app import create_app as _create

    return _create(settings)
