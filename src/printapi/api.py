"""FastAPI dependencies shared by every router: the runtime, sessions, the caller and URLs; and
the one way a stored print file is handed out.

The edge owns the transaction: ``WriteSession`` commits when the route function has returned
(before the response is sent, so a failed commit is an error response, never a lost write) and
rolls back on any exception. Services only ``flush()``. Under an ``Idempotency-Key`` the commit
moves to the idempotency middleware, after it stored the answer in the same transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Body, Depends, Query, Request
from fastapi.openapi.models import OAuth2 as OAuth2Model
from fastapi.openapi.models import OAuthFlowClientCredentials, OAuthFlows
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from fastapi.security.base import SecurityBase
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.auth.principal import Principal
from printapi.auth.scopes import Scope
from printapi.files.service import MEDIA_OF, download_name
from printapi.idempotency.middleware import held_write
from printapi.kit.pagination import PageRequest
from printapi.kit.problems import M, Sent
from printapi.kit.urls import Urls
from printapi.models import ItemFile
from printapi.runtime import Runtime


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def get_runtime(request: Request) -> Runtime:
    return runtime_of(request)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

# The annotation of a route's JSON body: ``body: Json[OrderIn]`` (a ``Sent``: the route gets the
# body's problems, kit/problems.py). Here, with the FastAPI edge, so that the services that use
# kit/problems (``printapi worker``, the CLI commands) start without loading FastAPI.
Json = Annotated[Sent[M], Body()]

# The dependencies below take the runtime from the request, not through ``RuntimeDep``: FastAPI
# resolves every edge between dependencies anew per request (a cached one too), and the edges
# from the sessions, the URLs and the page to the runtime were a thirtieth of an order's
# placement (bench/hot_path.py).


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with runtime_of(request).db.read() as session:
        yield session


async def _write_session(request: Request) -> AsyncIterator[AsyncSession]:
    held = held_write(request.scope)
    if held is None:
        async with runtime_of(request).db.write() as session:
            yield session
        return
    # Under an Idempotency-Key the middleware commits, once the answer is stored in the same
    # transaction (idempotency/middleware.py); an error rolls it back here, as always.
    session = await held.open()
    try:
        yield session
    except BaseException:
        await held.roll_back()
        raise


ReadSession = Annotated[AsyncSession, Depends(_read_session, scope="function")]
WriteSession = Annotated[AsyncSession, Depends(_write_session, scope="function")]


async def get_urls(request: Request) -> Urls:
    version = "v1" if request.scope["path"].startswith("/v1/") else "v2"
    return Urls(runtime_of(request).settings.public_url, version)


UrlsDep = Annotated[Urls, Depends(get_urls)]


# The client-credentials flow, as OpenAPI documents it: /docs' "Authorize" button gets a token by itself.
_FLOWS = OAuth2Model(
    flows=OAuthFlows(clientCredentials=OAuthFlowClientCredentials(tokenUrl="/v2/oauth", scopes={}))
)


class _Caller(SecurityBase):
    """The caller of a route: the principal of its bearer token, which must carry ``scope``.

    One dependency, where a function depending on the principal, which depended on the runtime
    and on FastAPI's ``OAuth2`` for the header, were three: FastAPI resolves each dependency
    anew for every request, and the three cost a tenth of an order's read (bench/hot_path.py).
    Being a ``SecurityBase``, it documents the flow in OpenAPI as ``OAuth2`` did.
    """

    def __init__(self, scope: Scope) -> None:
        self.model = _FLOWS
        self.scheme_name = "clientCredentials"
        self.scope = scope

    async def __call__(self, request: Request) -> Principal:
        principal = await runtime_of(request).caller(request.headers.get("authorization"))
        principal.require(self.scope)
        return principal


def require(scope: Scope) -> Callable[[Request], Awaitable[Principal]]:
    """A dependency that yields the caller after checking that the token carries ``scope``."""
    return _Caller(scope)


# A number beyond what the database stores is invalid input, not a crash.
MAX_DB_INT = 2**31 - 1


async def get_page(
    request: Request,
    offset: Annotated[int, Query(ge=0, le=MAX_DB_INT, description="Results to skip.")] = 0,
    limit: Annotated[
        int | None, Query(ge=1, le=MAX_DB_INT, description="Page size: 20 unless given, 100 at most.")
    ] = None,
) -> PageRequest:
    settings = runtime_of(request).settings
    return PageRequest.checked(
        offset=offset,
        limit=settings.list_limit_default if limit is None else limit,
        max_limit=settings.list_limit_max,
    )


PageDep = Annotated[PageRequest, Depends(get_page)]


async def stored_file_response(runtime: Runtime, file: ItemFile, *, name: str) -> Response:
    """A stored print file as a download: a redirect to the store's short-lived URL where it has one
    (an object store: the bytes never pass through this process), else streamed by the app."""
    assert file.storage_key is not None  # files.stored() returns stored files only
    filename = download_name(name, file.file_type)
    media_type = MEDIA_OF.get(file.file_type or "", "application/octet-stream")
    url = await runtime.storage.download_url(file.storage_key, filename=filename, media_type=media_type)
    if url is not None:
        return RedirectResponse(url, status_code=307)
    return StreamingResponse(
        runtime.storage.read(file.storage_key),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
