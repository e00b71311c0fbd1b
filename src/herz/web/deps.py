"""What the routers share: the server's settings and run manager, as FastAPI dependencies.

:func:`herz.web.app.create_app` keeps both on ``app.state``; an endpoint asks for them with a
parameter annotated :data:`Settings` or :data:`Manager`, which FastAPI fills per request (and
which never appear in the OpenAPI spec).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from herz.web.limits import WebSettings
from herz.web.runner import RunManager

__all__ = ["Manager", "Settings", "get_manager", "get_settings"]


def get_settings(request: Request) -> WebSettings:
    """The settings the app was created with."""
    settings: WebSettings = request.app.state.settings
    return settings


def get_manager(request: Request) -> RunManager:
    """The app's run manager (its pool of run processes, queue and recent results)."""
    manager: RunManager = request.app.state.manager
    return manager


Settings = Annotated[WebSettings, Depends(get_settings)]
Manager = Annotated[RunManager, Depends(get_manager)]
