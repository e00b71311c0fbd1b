"""The web app's outer layer: body size cap, Host check and security headers.

A plain ASGI middleware (no framework types), so it sees every request before FastAPI does:

* a request whose ``Content-Length`` is over the cap gets HTTP 413 before its body is read; a
  body sent without a length (chunked) is counted as it arrives and cut off at the cap;
* with ``allowed_hosts`` set, a request for another ``Host`` gets HTTP 400 (a page on another
  site that rebinds its DNS name to 127.0.0.1 cannot talk to a local server);
* every response gets a Content-Security-Policy that allows only the app's own scripts (no
  inline script, no ``eval``, nothing from other origins), plus ``nosniff``, no framing and no
  referrer; API answers are not cached.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

__all__ = ["CSP", "BodyTooLarge", "SecurityMiddleware"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Only the app's own scripts (no inline script, no eval), fonts and API; images also as data:
#: URIs (Plotly's "download as PNG" button); nothing may frame the page. Styles allow
#: 'unsafe-inline' because Plotly.js inserts its own style rules at run time (its hover labels and
#: mode bar break without them); a style cannot run code.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

_HEADERS: list[tuple[bytes, bytes]] = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class BodyTooLarge(HTTPException):
    """The request body went over the cap while it was being read (HTTP 413).

    An ``HTTPException``, so that a framework reading the body passes it on unchanged.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, _too_large(limit))


def _too_large(limit: int) -> str:
    return f"the request body is larger than this server's limit of {limit:,} bytes."


async def _send_json(
    send: Send, status: int, detail: str, extra: list[tuple[bytes, bytes]]
) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class SecurityMiddleware:
    """See the module docstring."""

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, allowed_hosts: tuple[str, ...] | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.allowed_hosts = None if allowed_hosts is None else {h.lower() for h in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        if self.allowed_hosts is not None:
            host = headers.get(b"host", b"").decode("latin-1").lower()
            name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
            if name not in self.allowed_hosts:
                await _send_json(
                    send, 400, "this server does not answer for that host name.", _HEADERS
                )
                return
        length = headers.get(b"content-length")
        if length is not None:
            try:
                size = int(length)
            except ValueError:
                await _send_json(send, 400, "the Content-Length header is not a number.", _HEADERS)
                return
            if size > self.max_body_bytes:
                await _send_json(send, 413, _too_large(self.max_body_bytes), _HEADERS)
                return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyTooLarge(self.max_body_bytes)
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _HEADERS if k not in names]
                if scope.get("path", "").startswith("/api/") and b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await _send_json(send, 413, _too_large(self.max_body_bytes), _HEADERS)
