"""ASGI middleware that answers before the application sees a request it could not store."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send


class RejectNulMiddleware:
    """A NUL character in the path or query string is a 400: PostgreSQL text cannot hold one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope.get("query_string", b"")):
            body = json.dumps(
                {
                    "message": "The URL contains a NUL character.",
                    "hints": [],
                    "errors": [{"field": "url", "message": "must not contain NUL (%00) characters"}],
                }
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [(b"content-type", b"application/json; charset=utf-8")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
