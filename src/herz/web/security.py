"""The web app's outer layer: body size cap, JSON check, Host check, HEAD and security headers.

A plain ASGI middleware (no framework types), so it sees every request before FastAPI does:

* a request whose ``Content-Length`` is over the cap gets HTTP 413 before its body is read; a
  body sent without a length (chunked) is counted as it arrives and cut off at the cap;
* a JSON body is parsed once here, strictly (:func:`json_problem`): nesting deeper than
  :data:`MAX_JSON_DEPTH`, integers longer than :data:`MAX_JSON_INT_DIGITS` digits, ``NaN``,
  ``Infinity`` and numbers beyond a double, or text that is not UTF-8, get HTTP 422 with one
  sentence before FastAPI reads the body;
* ``HEAD`` is answered as ``GET`` without the body (same status and headers);
* with ``allowed_hosts`` set, a request for another ``Host`` gets HTTP 400 (a page on another
  site that rebinds its DNS name to 127.0.0.1 cannot talk to a local server);
* every response gets a Content-Security-Policy that allows only the app's own scripts (no
  inline script, no ``eval``, nothing from other origins), plus ``nosniff``, no framing and no
  referrer; API answers are not cached.
"""

from __future__ import annotations

import json
import math
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

__all__ = [
    "CSP",
    "MAX_JSON_DEPTH",
    "MAX_JSON_INT_DIGITS",
    "BodyTooLarge",
    "SecurityMiddleware",
    "json_problem",
]

#: Deepest nesting of arrays and objects in a request body (a run request needs about 5).
MAX_JSON_DEPTH = 32
#: Most digits of an integer in a request body (a seed has at most 19).
MAX_JSON_INT_DIGITS = 100

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


class _RefusedError(ValueError):
    """A request body refused while it is parsed; the message is the answer's sentence."""


def _parse_int(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_JSON_INT_DIGITS:
        raise _RefusedError(
            f"the request body has an integer of {digits:,} digits; at most "
            f"{MAX_JSON_INT_DIGITS} digits are accepted."
        )
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        shown = text if len(text) <= 24 else text[:21] + "..."
        raise _RefusedError(
            f"the request body has the number {shown}, which is beyond the range of a 64-bit float."
        )
    return value


def _parse_constant(name: str) -> Any:
    raise _RefusedError(
        f"the request body has {name}, which is not a JSON number; send a finite number."
    )


def _too_deep(value: Any) -> bool:
    """Whether ``value`` nests arrays and objects more than :data:`MAX_JSON_DEPTH` deep."""
    if not isinstance(value, dict | list):
        return False
    stack: list[tuple[dict[str, Any] | list[Any], int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def json_problem(body: bytes) -> str | None:
    """Why ``body`` is not a JSON document this server reads, in one sentence; ``None`` when
    it is one (or is empty: FastAPI then says what is missing).

    Stricter than :func:`json.loads`: only UTF-8, no ``NaN``/``Infinity``, no number beyond a
    double, integers of at most :data:`MAX_JSON_INT_DIGITS` digits and nesting of at most
    :data:`MAX_JSON_DEPTH` levels. Bounded in time and memory by the body cap.
    """
    if not body.strip():
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "the request body is not valid JSON (it is not UTF-8 text)."
    try:
        value = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_parse_float,
            parse_constant=_parse_constant,
        )
    except _RefusedError as exc:
        return str(exc)
    except RecursionError:
        return _too_deep_sentence()
    except json.JSONDecodeError as exc:
        return (
            f"the request body is not valid JSON ({exc.msg} at line {exc.lineno}, "
            f"column {exc.colno})."
        )
    except ValueError:
        return "the request body is not valid JSON."
    if _too_deep(value):
        return _too_deep_sentence()
    return None


def _too_deep_sentence() -> str:
    return (
        f"the request body nests arrays and objects more than {MAX_JSON_DEPTH} levels deep; "
        "a run request needs far fewer."
    )


def _wants_json(method: str, path: str, headers: dict[bytes, bytes]) -> bool:
    """Whether FastAPI would parse this request's body as JSON (no type, or a JSON type)."""
    if method not in ("POST", "PUT", "PATCH") or not path.startswith("/api/"):
        return False
    kind = headers.get(b"content-type", b"").split(b";", 1)[0].strip().lower()
    return kind in (b"", b"application/json") or kind.endswith(b"+json")


async def _send_json(
    send: Send,
    status: int,
    detail: str,
    extra: list[tuple[bytes, bytes]],
    *,
    close: bool = True,
) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *([(b"connection", b"close")] if close else []),
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
        if scope.get("method") == "HEAD":
            # Answer HEAD as GET without the body: the app's routes declare GET only.
            scope = {**scope, "method": "GET"}
            send = _without_body(send)
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

        app_receive: Receive = limited_receive
        if _wants_json(scope.get("method", ""), scope.get("path", ""), headers):
            chunks: list[bytes] = []
            try:
                while True:
                    message = await limited_receive()
                    if message["type"] != "http.request":
                        return  # the client went away: nobody to answer
                    chunks.append(message.get("body", b""))
                    if not message.get("more_body", False):
                        break
            except BodyTooLarge:
                await _send_json(send, 413, _too_large(self.max_body_bytes), _HEADERS)
                return
            body = b"".join(chunks)
            problem = json_problem(body)
            if problem is not None:
                await _send_json(send, 422, problem, _HEADERS, close=False)
                return
            app_receive = _replay(body, receive)

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
            await self.app(scope, app_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await _send_json(send, 413, _too_large(self.max_body_bytes), _HEADERS)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then waits on the real one (for a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _without_body(send: Send) -> Send:
    """A ``send`` that drops the response body (a HEAD answer), keeping its headers."""

    async def head_send(message: Message) -> None:
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)

    return head_send
