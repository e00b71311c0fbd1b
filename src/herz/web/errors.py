"""Errors by cause, as the web API answers them: always ``{"detail": "<one sentence>"}``.

======================================================  ======  ===============================
cause                                                   status  detail
======================================================  ======  ===============================
bad input (:class:`~herz.errors.InputError`, a request  422     the sentence, naming the field
that does not validate, malformed JSON)
something named that does not exist                     404     the sentence
every worker busy and the queue full, or every          503     the sentence + ``Retry-After``
connection busy (:mod:`herz.web.server`)
the results store cannot be read (damaged, locked)      503     the sentence + ``Retry-After``
a defect in a model (:class:`~herz.errors.ModelError`   500     ``internal error in model
or any unexpected exception in model code)                      'NAME'; see the server log``
any other unexpected exception                          500     ``internal error; see the server
                                                                log``
======================================================  ======  ===============================

The traceback of a 500 goes to the server's log (logger ``herz.web``), never to the client: no
path, no stack trace, not even the exception's own message, which may hold either.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from herz.errors import InputError, ModelError
from herz.web.schemas import ErrorBody

__all__ = [
    "ERRORS",
    "INTERNAL_ERROR",
    "BusyError",
    "ModelFailedError",
    "NotFoundError",
    "StoreUnavailableError",
    "install_error_handlers",
    "model_code",
    "model_failure_detail",
    "one_sentence",
]

log = logging.getLogger("herz.web")

#: The answer to an unexpected error outside model code.
INTERNAL_ERROR = "internal error; see the server log."

#: Error answers every endpoint that takes input documents in the OpenAPI spec.
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "Not found."},
    413: {"model": ErrorBody, "description": "Request body over the limit."},
    422: {"model": ErrorBody, "description": "Bad input: one sentence says what and where."},
}


class BusyError(Exception):
    """Every worker is busy and the wait queue is full (HTTP 503, try again later)."""


class NotFoundError(Exception):
    """Something named in the request does not exist (HTTP 404)."""


class StoreUnavailableError(Exception):
    """The results store of ``--db`` cannot be read now: damaged, locked by a sweep that is
    writing it, or not a herz store (HTTP 503; the reason is in the server log)."""

    def __init__(self) -> None:
        super().__init__(
            "the results store cannot be read now (it is damaged, being written by a sweep, or "
            "not a herz results store); the server log says why."
        )


#: Seconds a client is asked to wait before it retries a 503 for an unreadable store.
STORE_RETRY_AFTER = "30"

#: Longest field path quoted in a validation error.
_MAX_WHERE = 80


class ModelFailedError(Exception):
    """A defect inside model ``model`` (HTTP 500); its traceback has been logged already."""

    def __init__(self, model: str) -> None:
        super().__init__(model)
        self.model = model


def model_failure_detail(model: str) -> str:
    """The one sentence a client sees when model ``model`` fails: no path, no traceback."""
    return f"internal error in model {model!r}; see the server log."


@contextmanager
def model_code(model: str) -> Iterator[None]:
    """Run model code in the server's process: an :class:`InputError` passes on (HTTP 422);
    a :class:`ModelError` or any other exception is logged with its traceback and becomes
    :class:`ModelFailedError` (HTTP 500)."""
    try:
        yield
    except InputError:
        raise
    except Exception as exc:
        kind = "model error" if isinstance(exc, ModelError) else "unexpected error"
        log.error("%s in model %r", kind, model, exc_info=True)
        raise ModelFailedError(model) from exc


def one_sentence(exc: RequestValidationError) -> str:
    """A request-validation error as one sentence naming the field and the value."""
    errors = list(exc.errors())
    if not errors:
        return "the request is not valid."
    first = errors[0]
    kind = str(first.get("type", ""))
    if kind == "json_invalid":
        ctx = first.get("ctx") or {}
        reason = ctx.get("error", "it cannot be parsed") if isinstance(ctx, dict) else ""
        return f"the request body is not valid JSON ({reason})."
    loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
    where = ".".join(loc) or "the request body"
    if len(where) > _MAX_WHERE:
        where = where[: _MAX_WHERE - 3] + "..."
    msg = str(first.get("msg", "is not valid"))
    msg = msg[:1].lower() + msg[1:]
    value = first.get("input")
    shown = ""
    if kind != "missing" and isinstance(value, int | float | str | bool) and len(repr(value)) < 80:
        shown = f", got {value!r}"
    more = f" ({len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
    return f"{where}: {msg}{shown}.{more}"


def _undecodable(cause: BaseException) -> str:
    """Why a request body could not be decoded, in one sentence."""
    if isinstance(cause, RecursionError):
        return "the request body is not valid JSON here (it is nested too deeply)."
    if isinstance(cause, UnicodeDecodeError):
        return "the request body is not valid JSON (it is not UTF-8 text)."
    if isinstance(cause, ValueError) and "digits" in str(cause):
        return "the request body is not valid JSON here (it has an integer of too many digits)."
    return "the request body is not valid JSON."


def install_error_handlers(app: FastAPI, *, busy_detail: str) -> None:
    """Answer every error of ``app`` as JSON by its cause (see the module docstring).

    ``busy_detail`` is the sentence of a 503 (it names the server's workers and queue).
    """

    async def input_error(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)

    async def not_found(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    async def busy(_: Request, __: Exception) -> JSONResponse:
        return JSONResponse({"detail": busy_detail}, status_code=503, headers={"Retry-After": "2"})

    async def store_unavailable(_: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(
            {"detail": str(exc)}, status_code=503, headers={"Retry-After": STORE_RETRY_AFTER}
        )

    async def invalid(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return JSONResponse({"detail": one_sentence(exc)}, status_code=422)

    async def http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else "request failed."
        if exc.status_code == 400 and exc.__cause__ is not None:
            # FastAPI answers 400 to a body it cannot decode. The security middleware refuses
            # such bodies first (herz.web.security.json_problem); this is the fallback: 422.
            return JSONResponse({"detail": _undecodable(exc.__cause__)}, status_code=422)
        if exc.status_code == 404 and detail == "Not Found":
            detail = "there is nothing at this address."
        return JSONResponse(
            {"detail": detail}, status_code=exc.status_code, headers=dict(exc.headers or {})
        )

    async def model_failure(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ModelFailedError)
        return JSONResponse({"detail": model_failure_detail(exc.model)}, status_code=500)

    async def model_error(request: Request, exc: Exception) -> JSONResponse:
        # A ModelError outside model_code(): the model is not known here.
        log.error("model error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse(
            {"detail": "internal error in a model; see the server log."}, status_code=500
        )

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": INTERNAL_ERROR}, status_code=500)

    app.add_exception_handler(InputError, input_error)
    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(BusyError, busy)
    app.add_exception_handler(StoreUnavailableError, store_unavailable)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(ModelFailedError, model_failure)
    app.add_exception_handler(ModelError, model_error)
    app.add_exception_handler(Exception, unexpected)
