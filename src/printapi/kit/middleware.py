"""ASGI middleware that turns away requests the application should never see, in the error body.

- ``RejectNulMiddleware``: a NUL character in the path or query string (PostgreSQL text cannot
  hold one) is a 400.
- ``BodyLimitMiddleware``: a body over the limit is a 413, whether it announced its length or
  streams it, and a streamed one aborts the request so that nothing of it is committed; path
  prefixes may have their own limit (uploads).
- ``RequireJsonMiddleware``: a body sent to a JSON endpoint under another media type is a 415.

They sit inside the request log, so their answers are logged and carry the request id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from printapi.kit.errors import ApiError, BodyTooLarge

_WRITE_METHODS = {"POST", "PUT", "PATCH"}


async def send_error(send: Send, status: int, message: str, field: str) -> None:
    await _send_body(
        send, status, {"message": message, "hints": [], "errors": [{"field": field, "message": message}]}
    )


async def _send_api_error(send: Send, error: ApiError) -> None:
    await _send_body(send, error.status, error.body())


async def _send_body(send: Send, status: int, document: dict[str, object]) -> None:
    body = json.dumps(document).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            found: bytes = value
            return found
    return None


class RejectNulMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope.get("query_string", b"")):
            await send_error(send, 400, "The URL must not contain NUL (%00) characters.", "url")
            return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """A body over the limit is a 413, and nothing the app did with it is kept.

    A declared Content-Length over the limit is answered at once, before the app runs. A streamed
    body is counted as it arrives; past the limit ``receive`` raises ``BodyTooLarge`` to whoever
    reads it, so the request is aborted rather than cut short: the route and the transaction it
    runs in see an exception and roll back, and an upload's partial file is removed. The answer is
    this middleware's 413 whatever the app made of the exception (FastAPI turns a failed read of a
    JSON body into a 400). Had the app begun its answer before the body passed the limit, a 413
    can no longer be sent: the exception propagates and the server drops the connection.
    """

    def __init__(self, app: ASGIApp, *, limit: int, prefixes: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.prefixes = dict(prefixes or {})

    def _limit_for(self, path: str) -> int:
        return next((limit for prefix, limit in self.prefixes.items() if path.startswith(prefix)), self.limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope["path"])
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_api_error(send, BodyTooLarge.over(limit))
            return
        body = _LimitedBody(receive, send, limit)
        try:
            await self.app(scope, body.receive, body.send)
        except Exception as exc:
            if body.refusal is None or not _caused_by(exc, body.refusal):
                raise
        if body.refusal is not None:
            await _send_api_error(send, body.refusal)


class _LimitedBody:
    """One request's ``receive`` and ``send`` under a body limit."""

    def __init__(self, receive: Receive, send: Send, limit: int) -> None:
        self._receive = receive
        self._send = send
        self.limit = limit
        self.received = 0
        self.error: BodyTooLarge | None = None
        self.answering = False

    @property
    def refusal(self) -> BodyTooLarge | None:
        """The error to answer with: the body passed the limit before the app began to answer."""
        return None if self.answering else self.error

    async def receive(self) -> Message:
        if self.error is not None:
            raise self.error
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.error = BodyTooLarge.over(self.limit)
                raise self.error
        return message

    async def send(self, message: Message) -> None:
        if self.refusal is not None:
            return  # the app's answer to an aborted request: the 413 replaces it
        if message["type"] == "http.response.start":
            self.answering = True
        await self._send(message)


def _caused_by(exc: BaseException, error: BaseException) -> bool:
    """Whether ``exc`` is ``error``, wraps it (``raise ... from``, an exception group) or was raised
    while handling it."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop()
        if current is error:
            return True
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(cause for cause in (current.__cause__, current.__context__) if cause is not None)
    return False


class RequireJsonMiddleware:
    """Bodies of API writes are JSON, except on the paths that take forms or files."""

    def __init__(self, app: ASGIApp, *, prefixes: tuple[str, ...], except_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.prefixes = prefixes
        self.except_prefixes = except_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in _WRITE_METHODS
            and scope["path"].startswith(self.prefixes)
            and not scope["path"].startswith(self.except_prefixes)
            and _has_body(scope)
        ):
            media = (_header(scope, b"content-type") or b"").split(b";")[0].strip().lower()
            if media != b"application/json" and not media.endswith(b"+json"):
                await send_error(
                    send, 415, "Send the body as JSON with Content-Type: application/json.", "Content-Type"
                )
                return
        await self.app(scope, receive, send)


def _has_body(scope: Scope) -> bool:
    length = _header(scope, b"content-length")
    if length is not None:
        return length.strip() not in (b"", b"0")
    return _header(scope, b"transfer-encoding") is not None
