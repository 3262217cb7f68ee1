"""The edge of ``Idempotency-Key``: every POST and PATCH of the API that carries the header.

For such a request this middleware checks the key (a 400 naming the header), finds the API
client of the bearer token (without a valid token the header is left to the route, which answers
401), reads the body, and claims the key in a short transaction of its own (``service.claim``):
the stored answer is replayed with ``Idempotent-Replayed: true``, or a 409 or 422 is answered, or
the request runs.

A request that runs keeps its write transaction open past the route: the ``WriteSession``
dependency (``api.py``) opens it through ``HeldWrite`` instead of committing it when the route
returns, and this middleware stores the answer in it and commits before it sends the answer. So
the change and the stored answer are one transaction: a crash between them is impossible. An
answer of a route that wrote nothing (or whose change rolled back on an error) is stored in a
transaction of its own. A server error (5xx) is not stored: the key is released. Why the claim
commits apart, and the lease: docs/architecture.md §4.

Not covered: ``/oauth`` (the token request changes nothing a second one would change again) and
``/files/`` (uploads are streamed, never buffered whole; a file accepted already is not taken
again, 403, so a retried upload cannot store it twice).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from printapi.auth.principal import Principal
from printapi.idempotency import service
from printapi.idempotency.service import Answer, Claim, KeyInUse, Policy
from printapi.kit.db import Database
from printapi.kit.errors import ApiError, Unauthenticated
from printapi.kit.logging import get_logger
from printapi.kit.schema import ErrorOut
from printapi.kit.wire import WireResponse
from printapi.runtime import Runtime

log = get_logger("printapi.idempotency")

METHODS = frozenset({"POST", "PATCH"})
_STATE = "printapi.idempotency.held"


class _RolledBack(Exception):
    """Thrown into the held transaction to roll it back."""


class HeldWrite:
    """The write transaction of a request that holds an idempotency key: opened by the route's
    ``WriteSession``, committed or rolled back by the middleware."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._context: AbstractAsyncContextManager[AsyncSession] | None = None
        self.session: AsyncSession | None = None

    async def open(self) -> AsyncSession:
        if self.session is None:
            self._context = self._db.write()
            self.session = await self._context.__aenter__()
        return self.session

    @property
    def is_open(self) -> bool:
        return self._context is not None

    def _take(self) -> AbstractAsyncContextManager[AsyncSession] | None:
        context, self._context = self._context, None
        return context

    async def commit(self) -> None:
        if (context := self._take()) is not None:
            await context.__aexit__(None, None, None)

    async def roll_back(self) -> None:
        if (context := self._take()) is not None:
            error = _RolledBack()
            await context.__aexit__(type(error), error, None)


def held_write(scope: Scope) -> HeldWrite | None:
    """The held transaction of this request, when it runs under an idempotency key."""
    held: HeldWrite | None = scope.get("state", {}).get(_STATE)
    return held


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            found: str = value.decode("latin-1")
            return found
    return None


async def _caller(runtime: Runtime, authorization: str | None) -> Principal | None:
    """The caller of a bearer token, as the routes find it; None without a valid one (the route
    then answers 401)."""
    with contextlib.suppress(Unauthenticated):
        return await runtime.caller(authorization)
    return None


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body (the body limit's ``receive`` bounds it), or None if the client left."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the body read already, then the connection's messages."""
    pending = [body]

    async def replay() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": False}
        return await receive()

    return replay


@dataclass
class _Captured:
    """The app's answer, held back until it is stored (and the transaction committed)."""

    status: int = 500
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: list[bytes] = field(default_factory=list)

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            self.body.append(message.get("body", b""))

    def answer(self) -> Answer:
        headers = [(name.decode("latin-1").lower(), value.decode("latin-1")) for name, value in self.headers]
        return Answer.kept(self.status, headers, b"".join(self.body))

    async def forward(self, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": b"".join(self.body)})


async def _send_answer(send: Send, answer: Answer) -> None:
    headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in answer.headers]
    headers += [
        (b"content-length", str(len(answer.body)).encode()),
        (service.REPLAYED_HEADER.lower().encode(), b"true"),
    ]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})


async def _send_error(runtime: Runtime, scope: Scope, receive: Receive, send: Send, error: ApiError) -> None:
    scope.setdefault("state", {})["error_code"] = error.code  # the request's log line names it
    response = WireResponse(ErrorOut.of(error), zone=runtime.zone, status_code=error.status)
    await response(scope, receive, send)


def policy_of(runtime: Runtime) -> Policy:
    settings = runtime.settings
    return Policy(
        lease=timedelta(seconds=settings.idempotency_lease_seconds),
        retention=timedelta(hours=settings.idempotency_hours),
    )


def _served(scope: Scope) -> bool:
    """Whether a route of the API serves this method at this path (the app's method table, which
    also gives a 405 its Allow header). A key sent with a request no route takes claims nothing:
    a PATCH to a path that takes POST only is a 405 whatever its key was used for before."""
    path, method, table = scope["path"], scope["method"], scope["app"].state.method_table
    return any(method in methods and pattern.match(path) for pattern, methods in table)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, *, prefixes: tuple[str, ...], except_prefixes: tuple[str, ...]) -> None:
        self.app = app
        self.prefixes = prefixes
        self.except_prefixes = except_prefixes

    def _applies(self, scope: Scope) -> bool:
        return (
            scope["type"] == "http"
            and scope["method"] in METHODS
            and scope["path"].startswith(self.prefixes)
            and not scope["path"].startswith(self.except_prefixes)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_key = _header(scope, b"idempotency-key") if self._applies(scope) else None
        if raw_key is None or not _served(scope):
            await self.app(scope, receive, send)  # no key, or no route: the router answers 404 or 405
            return
        runtime: Runtime = scope["app"].state.runtime
        try:
            key = service.checked_key(raw_key)
        except ApiError as error:
            await _send_error(runtime, scope, receive, send, error)
            return
        principal = await _caller(runtime, _header(scope, b"authorization"))
        if principal is None or principal.client_pk is None:
            await self.app(scope, receive, send)  # the route answers 401
            return
        body = await _read_body(receive)
        if body is None:
            return  # the client left before its request was whole
        fingerprint = service.fingerprint(
            method=scope["method"], path=scope["path"], query=scope.get("query_string", b""), body=body
        )
        try:
            async with runtime.db.write() as session:
                outcome = await service.claim(
                    session,
                    client_pk=principal.client_pk,
                    key=key,
                    fingerprint=fingerprint,
                    policy=policy_of(runtime),
                    now=runtime.clock.now(),
                )
        except ApiError as error:
            await _send_error(runtime, scope, receive, send, error)
            return
        if isinstance(outcome, Answer):
            # Beside the request's own line (kit/logging.py), which cannot tell a replay from a first answer.
            log.info("idempotent replay", client_pk=principal.client_pk, key=key, status=outcome.status)
            await _send_answer(send, outcome)
            return
        await self._run(runtime, outcome, scope, _replaying(body, receive), send)

    async def _run(self, runtime: Runtime, claim: Claim, scope: Scope, receive: Receive, send: Send) -> None:
        """The request under its claim: its answer is stored in its own transaction, then sent."""
        held = HeldWrite(runtime.db)
        scope.setdefault("state", {})[_STATE] = held
        captured = _Captured()
        try:
            await self.app(scope, receive, captured.send)
            await _finish(runtime, claim, held, captured.answer())
        except KeyInUse as error:  # the lease ran out and another run took the key: this change is undone
            await held.roll_back()
            await _send_error(runtime, scope, receive, send, error)
            return
        except BaseException:
            await held.roll_back()
            await _release_apart(runtime, claim)
            raise
        await captured.forward(send)


async def _finish(runtime: Runtime, claim: Claim, held: HeldWrite, answer: Answer) -> None:
    """Stores the answer (below 500) or releases the key (a server error), in the request's own
    transaction when it is still open (then commits it), else in one of its own."""
    async with _transaction(runtime, held) as session:
        if answer.status >= 500:
            await service.release(session, claim=claim)
        else:
            await service.record(session, claim=claim, answer=answer)


@contextlib.asynccontextmanager
async def _transaction(runtime: Runtime, held: HeldWrite) -> AsyncIterator[AsyncSession]:
    if held.is_open and held.session is not None:
        yield held.session
        await held.commit()
        return
    async with runtime.db.write() as session:
        yield session


async def _release_apart(runtime: Runtime, claim: Claim) -> None:
    """After a failure: the key goes, so that a retry runs anew (its lease would free it anyway)."""
    try:
        async with runtime.db.write() as session:
            await service.release(session, claim=claim)
    except Exception:  # the original failure is what the caller reports; the lease frees the key
        log.warning("could not release an idempotency key", key=claim.key, exc_info=True)
