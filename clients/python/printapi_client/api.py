"""``PrintApi`` and ``AsyncPrintApi``: the generated client, with tokens, retries, pages and uploads.

Each holds one httpx client whose auth flow keeps the token (``_tokens``) and whose transport
retries (``_retries``), and hands it to the generated ``AuthenticatedClient`` (``.client``), so
every generated operation gets both::

    with PrintApi(client_id, client_secret, "https://printapi.example") as api:
        order = ok(get_order.sync_detailed("shop-1001", client=api.client))

The two classes differ only where I/O happens (``def`` or ``async def``); what they decide is
shared in the modules they call.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from printapi_client._answers import Answer, Page, next_offset, ok
from printapi_client._retries import AsyncRetryingTransport, Retries, RetryingTransport
from printapi_client._tokens import AsyncTokenAuth, TokenAuth, Tokens
from printapi_client._uploads import FileBody, FileSource, upload_path
from printapi_client._version import __version__
from printapi_client.errors import ApiError
from printapi_client.generated.api.events import list_events
from printapi_client.generated.client import AuthenticatedClient
from printapi_client.generated.models.error_out import ErrorOut
from printapi_client.generated.models.event_out import EventOut
from printapi_client.generated.models.upload_out import UploadOut

Item = TypeVar("Item")
PAGE_SIZE = 100  # the most the server gives per page
EVENTS_PAGE_SIZE = 1000  # the most the event feed gives per page
USER_AGENT = f"printapi-client-python/{__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def server_url(base_url: str) -> str:
    """The server's root: the generated operations' paths begin with ``/v2/``. The ``…/v2/`` that
    the official clients take is accepted too."""
    url = base_url.rstrip("/")
    return url.removesuffix("/v2").removesuffix("/v1")


def _upload_request(
    http: httpx.Client | httpx.AsyncClient, upload_url: str, file: FileSource, content_type: str | None
) -> httpx.Request:
    body = FileBody(file)
    media = content_type or body.media_type()
    if media is None:
        raise ValueError(
            "not a PDF, PNG or JPEG by its first bytes (or a stream that cannot be read twice): "
            "say content_type="
        )
    size = body.size()
    framing = {"Content-Length": str(size)} if size is not None else {"Transfer-Encoding": "chunked"}
    request = http.build_request("POST", upload_path(upload_url), headers={"Content-Type": media, **framing})
    request.stream = body
    return request


def _uploaded(response: httpx.Response) -> UploadOut:
    if response.status_code != 200:
        raise ApiError.from_answer(response.status_code, response.content, response.headers)
    return UploadOut.from_dict(response.json())


class _Unusable(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """The generated client's other half: ``sync_detailed`` on an ``AsyncPrintApi`` (or the reverse)
    would otherwise go out without a token."""

    def __init__(self, use: str) -> None:
        self._use = use

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise RuntimeError(f"this client is {self._use}")

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise RuntimeError(f"this client is {self._use}")


def _generated(
    base: str, http: httpx.Client | None, async_http: httpx.AsyncClient | None
) -> AuthenticatedClient:
    client = AuthenticatedClient(base_url=base, token="")  # the auth flow sets the token
    sync_use = "async: call the operations' asyncio_detailed() with AsyncPrintApi"
    async_use = "sync: call the operations' sync_detailed() with PrintApi"
    client.set_httpx_client(http or httpx.Client(transport=_Unusable(sync_use)))
    client.set_async_httpx_client(async_http or httpx.AsyncClient(transport=_Unusable(async_use)))
    return client


class PrintApi:
    """A Print API client for one API client id: ``client`` for every generated operation.

    ``clock`` (seconds, ``time.monotonic``) says when the token is due; ``transport`` replaces
    httpx's (a proxy, a test transport); ``retries`` says how requests are tried again.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        base_url: str,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retries: Retries | None = None,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = server_url(base_url)
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
            transport=RetryingTransport(transport or httpx.HTTPTransport(), retries or Retries()),
        )
        self._http.auth = TokenAuth(
            Tokens(client_id=client_id, client_secret=client_secret, clock=clock), self._http
        )
        self.client = _generated(self.base_url, self._http, None)

    def each(
        self,
        operation: Callable[..., Answer[ErrorOut | Page[Item]]],
        /,
        *args: Any,
        page_size: int = PAGE_SIZE,
        **params: Any,
    ) -> Iterator[Item]:
        """Every result of a list operation, page by page (``limit``/``offset`` until ``count``):
        ``api.each(list_orders.sync_detailed)``. Arguments beyond ``client``, ``offset`` and
        ``limit`` are passed on: ``api.each(list_webhook_notifications.sync_detailed, endpoint_id)``."""
        offset: int | None = 0
        while offset is not None:
            page = ok(operation(*args, client=self.client, offset=offset, limit=page_size, **params))
            yield from page.results
            offset = next_offset(page, offset)

    def events(self, *, after: str | None = None, page_size: int = EVENTS_PAGE_SIZE) -> Iterator[EventOut]:
        """Every order and payment change after the cursor ``after`` (from the oldest kept when
        None), oldest first, until the feed has nothing more for now. Each event's ``id`` is the
        cursor after it: keep the last one you handled and pass it as ``after`` next time."""
        while True:
            page = ok(list_events.sync_detailed(client=self.client, after=after, limit=page_size))
            yield from page.results
            if not page.has_more:
                return
            after = page.cursor

    def upload(self, upload_url: str, file: FileSource, *, content_type: str | None = None) -> UploadOut:
        """Upload an item's print file to its ``uploadUrl``, from a path, a binary stream or bytes,
        streamed; the media type is read from the first bytes unless given. ``ApiError`` (400) lists
        every preflight finding of a refused file."""
        request = _upload_request(self._http, upload_url, file, content_type)
        return _uploaded(self._http.send(request))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


class AsyncPrintApi:
    """``PrintApi`` for asyncio (or trio): the generated operations' ``asyncio_detailed``."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        base_url: str,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retries: Retries | None = None,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = server_url(base_url)
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
            transport=AsyncRetryingTransport(transport or httpx.AsyncHTTPTransport(), retries or Retries()),
        )
        self._http.auth = AsyncTokenAuth(
            Tokens(client_id=client_id, client_secret=client_secret, clock=clock), self._http
        )
        self.client = _generated(self.base_url, None, self._http)

    async def each(
        self,
        operation: Callable[..., Awaitable[Answer[ErrorOut | Page[Item]]]],
        /,
        *args: Any,
        page_size: int = PAGE_SIZE,
        **params: Any,
    ) -> AsyncIterator[Item]:
        """``PrintApi.each``: ``async for order in api.each(list_orders.asyncio_detailed)``."""
        offset: int | None = 0
        while offset is not None:
            page = ok(await operation(*args, client=self.client, offset=offset, limit=page_size, **params))
            for item in page.results:
                yield item
            offset = next_offset(page, offset)

    async def events(
        self, *, after: str | None = None, page_size: int = EVENTS_PAGE_SIZE
    ) -> AsyncIterator[EventOut]:
        """``PrintApi.events``: ``async for event in api.events(after=last_seen)``."""
        while True:
            page = ok(await list_events.asyncio_detailed(client=self.client, after=after, limit=page_size))
            for event in page.results:
                yield event
            if not page.has_more:
                return
            after = page.cursor

    async def upload(
        self, upload_url: str, file: FileSource, *, content_type: str | None = None
    ) -> UploadOut:
        """``PrintApi.upload``; the file is read in a worker thread, chunk by chunk."""
        request = _upload_request(self._http, upload_url, file, content_type)
        return _uploaded(await self._http.send(request))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()
