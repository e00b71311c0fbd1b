"""Serving the dashboard: uvicorn with limits on connections, not only on requests.

uvicorn on its own leaves three gaps that a hostile or unlucky client finds at once:

* **No deadline for a request to arrive.** ``timeout_keep_alive`` only runs between requests, and
  h11 has no header timeout, so a connection that sends nothing, or half a request, stays open
  for as long as the client likes (Slowloris).
* **Its connection limit counts the half-sent connections.** With ``limit_concurrency`` every
  open connection counts; 64 half-sent ones and every request, ``/api/health`` included, gets a
  503 until they go.
* **Its own answers are plain text**: the 400 for a malformed request, the 503 of
  ``limit_concurrency`` and the 500 when an app fails before it answers.

:func:`uvicorn_config` closes them with an HTTP protocol of its own,
:class:`GuardedH11Protocol` (uvicorn's h11 protocol, subclassed) and a JSON fallback around
the app:

* a client has ``request_timeout_s`` from its first byte (or from connecting) to send a whole
  request, headers and body; then the connection is closed, with a JSON 408 when part of a
  request had come. A response the client stops reading for as long is dropped too. Idle
  connections between requests close after ``keep_alive_s`` (uvicorn's ``timeout_keep_alive``);
* at most ``max_connections`` are open: a new connection beyond it closes the one that has been
  idle or half-sent the longest, so half-sent connections can never lock others out; only when
  every connection has a whole request being answered does the new one get a JSON 503 with
  ``Retry-After``;
* a malformed request gets a JSON 400, headers over :data:`MAX_HEADER_BYTES` a JSON 431, an
  app failure before any answer a JSON 500.

:func:`serve` runs the app this way (``herz serve`` calls it); request headers are capped at
:data:`MAX_HEADER_BYTES`.
"""

from __future__ import annotations

import asyncio
import http
import json
import logging
import socket
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, ClassVar

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from herz.web.errors import INTERNAL_ERROR
from herz.web.limits import Limits, WebSettings

__all__ = [
    "MAX_HEADER_BYTES",
    "GuardedH11Protocol",
    "JSONFallback",
    "protocol_class",
    "serve",
    "uvicorn_config",
]

log = logging.getLogger("herz.web")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Most bytes of a request line and headers (h11's ``max_incomplete_event_size``).
MAX_HEADER_BYTES = 16 * 1024

#: Seconds a client is asked to wait (``Retry-After``) when every connection is busy.
RETRY_AFTER = "2"

_BUSY = "every connection of this server is busy answering a request; try again in a few seconds."
_BAD_HTTP = "the request is not valid HTTP/1.1 (a malformed request line or header)."
_TOO_LARGE = (
    f"the request line and headers are larger than this server's limit of "
    f"{MAX_HEADER_BYTES // 1024} KiB."
)


def _json_headers(body: bytes, retry_after: str | None = None) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", retry_after.encode()))
    return headers


def _raw_response(status: int, detail: str, retry_after: str | None = None) -> bytes:
    """A whole HTTP/1.1 JSON answer as bytes, written to a connection outside h11 (it closes)."""
    body = json.dumps({"detail": detail}).encode()
    lines = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}".encode()]
    lines += [k + b": " + v for k, v in _json_headers(body, retry_after)]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


async def _busy_app(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI app a connection over ``max_connections`` gets: a JSON 503 with Retry-After."""
    body = json.dumps({"detail": _BUSY}).encode()
    headers = _json_headers(body, RETRY_AFTER)
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class JSONFallback:
    """Around the app: an exception, or no answer at all, before the app has answered becomes
    a JSON 500 (uvicorn's own is plain text). The traceback goes to the log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if started:
                raise
            log.error(
                "unexpected error on %s %s", scope.get("method"), scope.get("path"), exc_info=True
            )
        if not started:
            body = json.dumps({"detail": INTERNAL_ERROR}).encode()
            await send(
                {"type": "http.response.start", "status": 500, "headers": _json_headers(body)}
            )
            await send({"type": "http.response.body", "body": body, "more_body": False})


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a request deadline, a connection cap that closes the stalest
    connection first, and JSON answers (see the module docstring). :func:`protocol_class` makes
    one with the server's :class:`~herz.web.limits.Limits`."""

    limits: ClassVar[Limits] = Limits()
    _last_warning: ClassVar[float] = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._stall: asyncio.TimerHandle | None = None
        #: Since when this connection waits for (the rest of) a request; None while a whole
        #: request is being answered. Connections that wait can be closed for a new one.
        self.waiting_since: float | None = None
        self._received = False  # part of the current request has arrived
        self._head_bytes = 0  # bytes of the current request's line and headers so far
        self._tail = b""  # the last bytes seen while reading headers (an end split in two)

    # -- connection life ------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)  # type: ignore[arg-type]
        self.waiting_since = time.monotonic()
        self._arm()
        open_ = [p for p in self.connections if not p.transport.is_closing()]
        if len(open_) > self.limits.max_connections and not self._close_stalest(open_):
            self._warn(
                f"more than {self.limits.max_connections} connections, each with a request "
                "being answered; a new one gets 503."
            )
            self.app = _busy_app  # answered when its request arrives; then closed

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        state = self.conn.their_state
        if state in (h11.IDLE, h11.SEND_BODY):
            self._received = True
            if self.waiting_since is None:
                self.waiting_since = time.monotonic()
            if self._deadline is None:
                self._arm()
        if state is h11.IDLE and self._headers_too_large(data):
            self._answer_and_close(431, _TOO_LARGE)
            return
        super().data_received(data)
        self._track()

    def _headers_too_large(self, data: bytes) -> bool:
        """Count the bytes of the request line and headers (h11 bounds only what it buffers
        incomplete, so headers that arrive whole in one read would pass unbounded)."""
        window = self._tail + data
        end = window.find(b"\r\n\r\n")
        if end < 0:
            self._head_bytes += len(data)
            self._tail = window[-3:]
        else:
            self._head_bytes += max(end + 4 - len(self._tail), 0)
        too_large = self._head_bytes > MAX_HEADER_BYTES
        if end >= 0:
            self._head_bytes, self._tail = 0, b""
        return too_large

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self.waiting_since = time.monotonic()  # idle until the next request
            self._received = False
            self._head_bytes, self._tail = 0, b""
        self._track()

    def _track(self) -> None:
        """A whole request has arrived (or the connection ends): no deadline, not closable."""
        if self.conn.their_state not in (h11.IDLE, h11.SEND_BODY):
            self._disarm()
            self.waiting_since = None
            self._received = False

    # -- the request deadline -------------------------------------------------------------
    def _arm(self) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(self.limits.request_timeout_s, self._timed_out)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self) -> None:
        self._deadline = None
        self.drop(
            f"the request did not arrive within this server's limit of "
            f"{self.limits.request_timeout_s:g} s."
        )

    def drop(self, detail: str) -> None:
        """Close this connection; with a JSON 408 saying ``detail`` when part of a request
        had arrived and no answer has begun."""
        if self.transport.is_closing():
            return
        self._disarm()
        answering = (
            self.cycle is not None
            and self.cycle.response_started
            and not self.cycle.response_complete
        )
        if self._received and not answering:
            self.transport.write(_raw_response(408, detail))
        self.waiting_since = None
        self.transport.close()

    # -- the connection cap ---------------------------------------------------------------
    def _close_stalest(self, open_: list[Any]) -> bool:
        """Close the connection that has waited for a request the longest (not this one)."""
        waiting = [
            p
            for p in open_
            if p is not self and isinstance(p, GuardedH11Protocol) and p.waiting_since is not None
        ]
        if not waiting:
            return False
        stalest = min(waiting, key=lambda p: p.waiting_since or 0.0)
        stalest.drop(
            f"this server has {self.limits.max_connections} connections open; the one that "
            "waited longest for a request was closed."
        )
        return True

    @classmethod
    def _warn(cls, message: str) -> None:
        now = time.monotonic()
        if now - cls._last_warning >= 10.0:
            GuardedH11Protocol._last_warning = now
            log.warning(message)

    # -- a client that stops reading ------------------------------------------------------
    def pause_writing(self) -> None:
        super().pause_writing()
        if self._stall is None:
            self._stall = self.loop.call_later(self.limits.request_timeout_s, self._stalled)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._stall is not None:
            self._stall.cancel()
            self._stall = None

    def _stalled(self) -> None:
        self._stall = None
        if not self.transport.is_closing():
            self._warn("a client stopped reading its answer; its connection was dropped.")
            self.transport.abort()

    # -- uvicorn's own answers, as JSON ---------------------------------------------------
    def send_400_response(self, msg: str) -> None:
        self._answer_and_close(400, _BAD_HTTP)

    def _answer_and_close(self, status: int, detail: str) -> None:
        self._disarm()
        if not self.transport.is_closing():
            self.transport.write(_raw_response(status, detail))
        self.waiting_since = None
        self.transport.close()


def protocol_class(limits: Limits) -> type[GuardedH11Protocol]:
    """A :class:`GuardedH11Protocol` bound to ``limits`` (uvicorn makes one per connection)."""

    class HerzH11Protocol(GuardedH11Protocol):
        pass

    HerzH11Protocol.limits = limits
    return HerzH11Protocol


def uvicorn_config(
    app: ASGIApp, *, limits: Limits, host: str = "127.0.0.1", port: int = 8000, **options: Any
) -> uvicorn.Config:
    """A uvicorn configuration that serves ``app`` within ``limits`` (see the module
    docstring); ``options`` go to :class:`uvicorn.Config` (e.g. ``log_level``)."""
    settings: dict[str, Any] = {
        "host": host,
        "port": port,
        "http": protocol_class(limits),
        "ws": "none",
        "lifespan": "on",
        "server_header": False,
        "proxy_headers": False,
        "limit_concurrency": None,
        "timeout_keep_alive": limits.keep_alive_s,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
        "log_level": "info",
    }
    settings.update(options)
    return uvicorn.Config(JSONFallback(app), **settings)


def serve(
    settings: WebSettings | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    sockets: list[socket.socket] | None = None,
    **options: Any,
) -> None:
    """Run the dashboard with ``settings`` under uvicorn until interrupted (``herz serve``)."""
    from herz.web.app import create_app

    settings = settings or WebSettings()
    config = uvicorn_config(
        create_app(settings), limits=settings.limits, host=host, port=port, **options
    )
    uvicorn.Server(config).run(sockets=sockets)
