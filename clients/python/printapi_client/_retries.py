"""Retries: which requests are tried again, when, and the transports that do it.

A request is tried again after a connection error (refused, reset, dropped before the answer, a
timeout) or a 500, 502, 503 or 504 answer when trying it again is meant to be safe: its method is
idempotent (GET, HEAD, OPTIONS, PUT, DELETE), or it carries an ``Idempotency-Key`` (printapi
answers a repeated call with the first call's result, ``Idempotent-Replayed: true``, and changes
nothing more; uploads are not keyed: one sent again after its file was accepted is a 403). Every POST
and PATCH gets one on its first attempt, the same on every later attempt of that call (a re-send
after a token renewal included: it is the same request). A 429, and a request that never left (no
connection could be made), are tried again whatever the method. The waits grow exponentially with
full jitter; a ``Retry-After`` of a 429 or 503 is honoured instead, up to ``max_retry_after`` (a
longer one is handed to the caller).

The policy (``Retries``) is pure; ``RetryingTransport`` and ``AsyncRetryingTransport`` wrap
httpx's transports with it, so every request of the SDK, generated or hand-written, goes through
the same rules. A body that cannot be sent twice (a one-pass stream) is sent once.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import anyio
import httpx

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
KEYED = frozenset({"POST", "PATCH"})
RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
RETRY_AFTER_STATUSES = frozenset({429, 503})
# Errors after which the request may be sent again; a LocalProtocolError or UnsupportedProtocol
# would fail the same way again.
RETRIED_ERRORS = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)
UNSENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# A request extension: True on a POST that may be retried without an Idempotency-Key (the token
# request, which changes nothing that a second one would change again).
SAFE_TO_REPEAT = "printapi_client.safe_to_repeat"


class Replayable:
    """A request body that can be sent again (see ``_uploads.FileBody``)."""

    @property
    def replayable(self) -> bool:
        raise NotImplementedError


@dataclass(frozen=True)
class Retries:
    """How many times, and how long apart, a request is tried again (``Retries(attempts=1)``: never).

    ``attempts`` counts the first one. The n-th wait (n from 0) is a random time between 0 and
    ``min(max_backoff, backoff * 2**n)`` seconds.
    """

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0
    # Where the jitter comes from; tests may seed it.
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def wait(self, retry: int) -> float:
        """The wait before retry number ``retry`` (0 for the first retry)."""
        ceiling = min(self.max_backoff, self.backoff * 2.0**retry)
        return ceiling * self.rng.random()

    def after_error(self, request: httpx.Request, error: Exception, attempt: int) -> float | None:
        """The wait before the next attempt after ``error`` on attempt ``attempt`` (from 1), or None."""
        if attempt >= self.attempts or not isinstance(error, RETRIED_ERRORS):
            return None
        # Before a connection stands, nothing was sent: any request may go again.
        unsent = isinstance(error, UNSENT_ERRORS) and replayable(request)
        return self.wait(attempt - 1) if unsent or may_repeat(request) else None

    def after_answer(self, request: httpx.Request, response: httpx.Response, attempt: int) -> float | None:
        """The wait before the next attempt after ``response`` to attempt ``attempt``, or None."""
        status = response.status_code
        if attempt >= self.attempts or status not in RETRIED_STATUSES or not replayable(request):
            return None
        if status != 429 and not may_repeat(request):
            return None
        if status in RETRY_AFTER_STATUSES and (asked := retry_after(response)) is not None:
            return asked if asked <= self.max_retry_after else None
        return self.wait(attempt - 1)


def may_repeat(request: httpx.Request) -> bool:
    """Whether sending ``request`` twice does no more than sending it once, and it can be sent twice."""
    if not replayable(request):
        return False
    return (
        request.method in IDEMPOTENT
        or "Idempotency-Key" in request.headers
        or bool(request.extensions.get(SAFE_TO_REPEAT))
    )


def replayable(request: httpx.Request) -> bool:
    stream = request.stream
    return isinstance(stream, httpx.ByteStream) or (isinstance(stream, Replayable) and stream.replayable)


def give_key(request: httpx.Request) -> None:
    """An ``Idempotency-Key`` for a POST or PATCH that has none, kept for all its attempts."""
    keyed = request.method in KEYED and not request.extensions.get(SAFE_TO_REPEAT)
    if keyed and "Idempotency-Key" not in request.headers:
        request.headers["Idempotency-Key"] = str(uuid.uuid4())


def retry_after(response: httpx.Response, *, now: datetime | None = None) -> float | None:
    """The seconds a ``Retry-After`` header asks for (a number or an HTTP date), or None."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class RetryingTransport(httpx.BaseTransport):
    """``inner`` with the ``retries`` policy (sync)."""

    def __init__(self, inner: httpx.BaseTransport, retries: Retries) -> None:
        self._inner = inner
        self._retries = retries

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        give_key(request)
        attempt = 1
        while True:
            try:
                response = self._inner.handle_request(request)
            except Exception as error:
                wait = self._retries.after_error(request, error, attempt)
                if wait is None:
                    raise
            else:
                wait = self._retries.after_answer(request, response, attempt)
                if wait is None:
                    return response
                response.close()
            time.sleep(wait)
            attempt += 1

    def close(self) -> None:
        self._inner.close()


class AsyncRetryingTransport(httpx.AsyncBaseTransport):
    """``inner`` with the ``retries`` policy (async, on asyncio or trio)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, retries: Retries) -> None:
        self._inner = inner
        self._retries = retries

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        give_key(request)
        attempt = 1
        while True:
            try:
                response = await self._inner.handle_async_request(request)
            except Exception as error:
                wait = self._retries.after_error(request, error, attempt)
                if wait is None:
                    raise
            else:
                wait = self._retries.after_answer(request, response, attempt)
                if wait is None:
                    return response
                await response.aclose()
            await anyio.sleep(wait)
            attempt += 1

    async def aclose(self) -> None:
        await self._inner.aclose()
