"""ASGI middleware that turns away requests the application should never see, in the error body.

- ``RejectNulMiddleware``: a NUL character in the path or query string (PostgreSQL text cannot
  hold one) is a 400.
- ``BodyLimitMiddleware``: a body over the limit is a 413, whether it announced its length or
  streams it; path prefixes may have their own limit (uploads).
- ``RequireJsonMiddleware``: a body sent to a JSON endpoint under another media type is a 415.

They sit inside the request log, so their answers are logged and carry the request id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_WRITE_METHODS = {"POST", "PUT", "PATCH"}


async def send_error(send: Send, status: int, message: str, field: str) -> None:
    body = json.dumps(
        {"message": message, "hints": [], "errors": [{"field": field, "message": message}]}
    ).encode()
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
        message = f"The request body is larger than the limit of {limit} bytes."
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await send_error(send, 413, message, "body")
            return
        received = 0
        too_large = False

        async def counting_receive() -> Message:
            # Past the limit the app sees the body end there; whatever it answers is replaced.
            nonlocal received, too_large
            if too_large:
                return {"type": "http.request", "body": b"", "more_body": False}
            message_in = await receive()
            if message_in["type"] == "http.request":
                received += len(message_in.get("body", b""))
                if received > limit:
                    too_large = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message_in

        async def guarded_send(message_out: Message) -> None:
            if not too_large:
                await send(message_out)

        await self.app(scope, counting_receive, guarded_send)
        if too_large:
            await send_error(send, 413, message, "body")


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
