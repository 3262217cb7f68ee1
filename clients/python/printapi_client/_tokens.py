"""The access token: fetched when first needed, renewed before it expires and once after a 401.

``Tokens`` knows the token and when to renew it, by an injected clock (``time.monotonic`` unless
told otherwise), and does no I/O. ``TokenAuth`` and ``AsyncTokenAuth`` are the httpx auth flows
around it: before a request they take the token, fetching a new one when there is none or it is
due (a minute before it expires, or after nine tenths of a shorter life); after a 401 they fetch a
new one (unless another request did meanwhile) and send the request once more. One fetch at a
time: concurrent requests wait for it rather than each fetching a token of its own.
"""

from __future__ import annotations

import math
import threading
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass

import anyio
import httpx

from printapi_client._retries import SAFE_TO_REPEAT, replayable
from printapi_client.errors import AuthenticationError

TOKEN_PATH = "/v2/oauth"  # noqa: S105 - a path, not a password
RENEW_EARLY_SECONDS = 60.0
RENEW_AFTER_SHARE = 0.9


@dataclass(frozen=True)
class _Token:
    value: str
    renew_at: float


class Tokens:
    """The token of one API client and the moment to renew it, by ``clock`` (seconds)."""

    def __init__(self, *, client_id: str, client_secret: str, clock: Callable[[], float]) -> None:
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
        }
        self._clock = clock
        self._token: _Token | None = None

    def usable(self, *, refused: str | None = None) -> str | None:
        """The token, unless there is none, it is due for renewal, or it is ``refused`` (a 401 said so)."""
        token = self._token
        if token is None or token.value == refused or self._clock() >= token.renew_at:
            return None
        return token.value

    def request(self, http: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        """``POST /v2/oauth`` for a new token (retried like an idempotent request: a second token
        does no harm)."""
        return http.build_request("POST", TOKEN_PATH, data=self._form, extensions={SAFE_TO_REPEAT: True})

    def now(self) -> float:
        return self._clock()

    def accept(self, response: httpx.Response, *, asked_at: float) -> str:
        """The token of the token endpoint's answer, kept; ``AuthenticationError`` for a refusal."""
        if response.status_code != 200:
            raise AuthenticationError.from_token_answer(
                response.status_code, response.content, response.headers
            )
        try:
            body = response.json()
            value = str(body["access_token"])
            lifetime = float(body.get("expires_in", math.inf))
        except (ValueError, KeyError, TypeError) as error:
            raise AuthenticationError.from_token_answer(
                response.status_code, response.content, response.headers
            ) from error
        renew_after = max(lifetime - RENEW_EARLY_SECONDS, lifetime * RENEW_AFTER_SHARE)
        self._token = _Token(value, asked_at + renew_after)
        return value


def _authorise(request: httpx.Request, token: str) -> httpx.Request:
    request.headers["Authorization"] = f"Bearer {token}"
    return request


class TokenAuth(httpx.Auth):
    """The token flow for ``httpx.Client`` (thread-safe)."""

    def __init__(self, tokens: Tokens, http: httpx.Client) -> None:
        self._tokens = tokens
        self._http = http
        self._lock = threading.Lock()

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        used = self._token()
        response = yield _authorise(request, used)
        if response.status_code == 401 and replayable(request):
            response.read()
            yield _authorise(request, self._token(refused=used))

    def _token(self, *, refused: str | None = None) -> str:
        with self._lock:
            token = self._tokens.usable(refused=refused)
            if token is None:
                asked_at = self._tokens.now()
                answer = self._http.send(self._tokens.request(self._http), auth=None)
                token = self._tokens.accept(answer, asked_at=asked_at)
            return token


class AsyncTokenAuth(httpx.Auth):
    """The token flow for ``httpx.AsyncClient`` (safe for concurrent tasks, on asyncio or trio)."""

    def __init__(self, tokens: Tokens, http: httpx.AsyncClient) -> None:
        self._tokens = tokens
        self._http = http
        self._lock = anyio.Lock()

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        used = await self._token()
        response = yield _authorise(request, used)
        if response.status_code == 401 and replayable(request):
            await response.aread()
            yield _authorise(request, await self._token(refused=used))

    async def _token(self, *, refused: str | None = None) -> str:
        async with self._lock:
            token = self._tokens.usable(refused=refused)
            if token is None:
                asked_at = self._tokens.now()
                answer = await self._http.send(self._tokens.request(self._http), auth=None)
                token = self._tokens.accept(answer, asked_at=asked_at)
            return token
