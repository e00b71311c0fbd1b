"""The web dashboard: a FastAPI app with a JSON API and a static page (``herz serve``).

Needs the ``web`` extra (``pip install 'herz[web]'``: FastAPI, uvicorn, plotly). Nothing here is
imported by ``import herz``; FastAPI loads only when :func:`create_app` is called.

>>> from herz.web import create_app, serve, Limits, WebSettings  # doctest: +SKIP
>>> app = create_app(WebSettings(limits=Limits(max_runs=200)))  # doctest: +SKIP
>>> serve(WebSettings(), host="127.0.0.1", port=8000)            # doctest: +SKIP

:func:`serve` runs the app under uvicorn with the server's connection limits (request deadline,
connection cap, JSON answers from the server itself: :mod:`herz.web.server`); another ASGI
server can run :func:`create_app`'s app, without those.

See docs/web.md for the endpoints, the charts, the limits and the safety notes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from herz.web.limits import Limits, WebSettings

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["Limits", "WebSettings", "create_app", "serve"]


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """The dashboard's ASGI app (see :func:`herz.web.app.create_app`)."""
    from herz.web.app import create_app as _create

    return _create(settings)


def serve(
    settings: WebSettings | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    **options: Any,
) -> None:
    """Run the dashboard under uvicorn until interrupted (see :func:`herz.web.server.serve`)."""
    from herz.web.server import serve as _serve

    _serve(settings, host=host, port=port, **options)
