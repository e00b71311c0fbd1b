"""A JSON response assembled from bytes that are already serialized.

A run's result is serialized once, in the run's process (:mod:`herz.web.runner`); every answer
that carries it (``POST /api/runs`` with ``wait``, ``GET /api/runs/{id}``) is the run's small
status document with those bytes spliced in as its ``result``, sent in slices so that no answer
copies a large result whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

__all__ = ["SplicedJSONResponse", "splice_result"]

#: Bytes per ``http.response.body`` message.
CHUNK = 256 * 1024


class SplicedJSONResponse(Response):
    """``application/json`` made of ``parts`` sent one after the other (nothing is re-encoded)."""

    media_type = "application/json"

    def __init__(self, parts: Sequence[bytes], status_code: int = 200) -> None:
        self.parts = [p for p in parts if p]
        self.status_code = status_code
        self.background = None
        self.body = b""
        size = sum(len(p) for p in self.parts)
        self.raw_headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(size).encode()),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        for part in self.parts:
            for start in range(0, len(part), CHUNK):
                chunk = part[start : start + CHUNK]
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def splice_result(document: bytes, result: bytes | None, key: bytes = b"result") -> list[bytes]:
    """The parts of ``document`` (a JSON object without ``key``) with ``key`` set to ``result``
    (JSON bytes; ``None``: ``null``)."""
    head = document.rstrip()
    if not head.endswith(b"}"):
        raise ValueError("not a JSON object")
    body = head[:-1].rstrip()
    sep = b"," if body != b"{" else b""
    return [body, sep + b'"' + key + b'":', result if result is not None else b"null", b"}"]
