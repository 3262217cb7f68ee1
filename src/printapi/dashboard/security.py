"""The dashboard's HTTP edge: the session cookie, CSRF checks, and who may see which page.

A state-changing request is refused (403, nothing changed) unless

1. the browser's ``Origin`` (or, without one, its ``Referer``) is our own origin: the public URL
   or the host the request was sent to; and
2. it carries the session's CSRF token in the form field ``csrf_token`` or, for htmx requests,
   the ``X-CSRF-Token`` header.

Before sign-in there is no session, so the sign-in and sign-up forms carry a signed random token
that must equal the ``printapi_csrf`` cookie (a signed double submit), which stops login CSRF.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.api import ReadSession, RuntimeDep, WriteSession
from printapi.auth.hashing import keyed_hash
from printapi.dashboard import service
from printapi.dashboard.service import Flash, Person
from printapi.kit.errors import Forbidden
from printapi.runtime import Runtime

SESSION_COOKIE = "printapi_session"
ANON_COOKIE = "printapi_csrf"
COOKIE_PATH = "/dashboard"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class SignInRequired(Exception):
    """No live session: the edge sends the browser to the sign-in page."""


class Refused(Forbidden):
    """Not for this person or not from our pages: answered with a 403 page, never retried."""


class CsrfRefused(Refused):
    """A state-changing request that did not prove it comes from our own pages."""


def _refused() -> CsrfRefused:
    return CsrfRefused(
        message="This form could not be accepted: it did not come from this dashboard, or it is out of date.",
        hints=["Go back, reload the page and try again."],
    )


@dataclass(frozen=True)
class Visitor:
    """The signed-in person of a request, and the messages waiting for this page."""

    id_hash: str
    account: Person
    csrf_token: str
    flash: list[Flash]

    @property
    def is_operator(self) -> bool:
        return self.account.role == "operator"


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL, or None for one that is not a valid absolute URL."""
    try:
        parts = urlsplit(url)
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme)
    except ValueError:  # a bad port or an unclosed IPv6 bracket: not our origin
        return None
    if not parts.scheme or not parts.hostname:
        return None
    suffix = "" if port == _DEFAULT_PORTS.get(parts.scheme) else f":{port}"
    return f"{parts.scheme}://{parts.hostname}{suffix}".lower()


def same_origin(request: Request, public_url: str) -> bool:
    """Where the browser says the request comes from is us; true for clients that say nothing."""
    claimed = request.headers.get("origin")
    if claimed is None:
        referer = request.headers.get("referer")
        if referer is None:
            return True  # not a browser form post; the CSRF token still has to match
        claimed = referer
    source = origin_of(claimed)
    ours = {origin_of(public_url), origin_of(f"{request.url.scheme}://{request.headers.get('host', '')}")}
    return source is not None and source in ours


def client_address(request: Request) -> str:
    return (request.client.host if request.client else "unknown")[:64]


async def form_of(request: Request) -> dict[str, str]:
    """The text fields of a form body (parsed once; Starlette keeps it for the route)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def secure_cookies(runtime: Runtime) -> bool:
    return runtime.settings.public_url.startswith("https://")


def set_cookie(response: Response, name: str, value: str, *, secure: bool) -> None:
    response.set_cookie(name, value, path=COOKIE_PATH, httponly=True, samesite="lax", secure=secure)


def clear_cookie(response: Response, name: str, *, secure: bool) -> None:
    response.delete_cookie(name, path=COOKIE_PATH, httponly=True, samesite="lax", secure=secure)


# -- before sign-in ----------------------------------------------------------------------------


def anonymous_token(secret_key: str) -> str:
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{keyed_hash(secret_key, 'dashboard-anonymous:' + nonce)[:32]}"


def anonymous_token_valid(value: str | None, secret_key: str) -> bool:
    nonce, _, signature = (value or "").partition(".")
    expected = keyed_hash(secret_key, "dashboard-anonymous:" + nonce)[:32]
    return bool(nonce) and hmac.compare_digest(signature.encode(), expected.encode())


def check_anonymous_form(request: Request, form: dict[str, str], runtime: Runtime) -> None:
    """The sign-in and sign-up forms: our origin, and the form's token equal to the signed cookie."""
    cookie = request.cookies.get(ANON_COOKIE, "")
    sent = form.get(CSRF_FIELD, "")
    if not (
        same_origin(request, runtime.settings.public_url)
        and anonymous_token_valid(cookie, runtime.settings.secret_key)
        and hmac.compare_digest(sent.encode(), cookie.encode())
    ):
        raise _refused()


# -- signed in ---------------------------------------------------------------------------------


async def _visitor(request: Request, runtime: Runtime, session: AsyncSession) -> service.Current:
    token = request.cookies.get(SESSION_COOKIE)
    found = None
    if token:
        found = await service.current(
            session, token=token, secret_key=runtime.settings.secret_key, now=runtime.clock.now()
        )
    if found is None:
        raise SignInRequired
    return found


async def page_visitor(request: Request, runtime: RuntimeDep, session: ReadSession) -> Visitor:
    """For a page: the waiting flash messages are taken (in a short write of their own)."""
    found = await _visitor(request, runtime, session)
    flash: list[Flash] = []
    if found.has_flash:
        async with runtime.db.write() as write:
            flash = await service.take_flash(
                write, id_hash=found.id_hash, secret_key=runtime.settings.secret_key, now=runtime.clock.now()
            )
    visitor = Visitor(found.id_hash, found.account, found.csrf_token, flash)
    request.state.visitor = visitor
    return visitor


async def fragment_visitor(request: Request, runtime: RuntimeDep, session: ReadSession) -> Visitor:
    """For a part of a page that refreshes itself: the flash stays for the next full page."""
    found = await _visitor(request, runtime, session)
    visitor = Visitor(found.id_hash, found.account, found.csrf_token, [])
    request.state.visitor = visitor
    return visitor


async def acting_visitor(request: Request, runtime: RuntimeDep, session: WriteSession) -> Visitor:
    """For a change: our origin, a live session, and its CSRF token; else 403 and nothing changes."""
    if not same_origin(request, runtime.settings.public_url):
        raise _refused()
    found = await _visitor(request, runtime, session)
    sent = request.headers.get(CSRF_HEADER) or (await form_of(request)).get(CSRF_FIELD, "")
    if not hmac.compare_digest(sent.encode(), found.csrf_token.encode()):
        raise _refused()
    visitor = Visitor(found.id_hash, found.account, found.csrf_token, [])
    request.state.visitor = visitor
    request.state.acted = True
    return visitor


def _owner_only(visitor: Visitor) -> Visitor:
    if visitor.is_operator:
        raise Refused(
            message="This page belongs to a shop's settings; you are signed in as an operator.",
            hints=["The production console is at /dashboard/operator."],
        )
    return visitor


def _operator_only(visitor: Visitor) -> Visitor:
    if not visitor.is_operator:
        raise Refused(message="This page is for the print shop's operators.")
    return visitor


async def owner_page(visitor: Annotated[Visitor, Depends(page_visitor)]) -> Visitor:
    return _owner_only(visitor)


async def owner_fragment(visitor: Annotated[Visitor, Depends(fragment_visitor)]) -> Visitor:
    return _owner_only(visitor)


async def owner_action(visitor: Annotated[Visitor, Depends(acting_visitor)]) -> Visitor:
    return _owner_only(visitor)


async def operator_page(visitor: Annotated[Visitor, Depends(page_visitor)]) -> Visitor:
    return _operator_only(visitor)


async def operator_action(visitor: Annotated[Visitor, Depends(acting_visitor)]) -> Visitor:
    return _operator_only(visitor)


AnyPage = Annotated[Visitor, Depends(page_visitor)]
AnyAction = Annotated[Visitor, Depends(acting_visitor)]
OwnerPage = Annotated[Visitor, Depends(owner_page)]
OwnerFragment = Annotated[Visitor, Depends(owner_fragment)]
OwnerAction = Annotated[Visitor, Depends(owner_action)]
OperatorPage = Annotated[Visitor, Depends(operator_page)]
OperatorAction = Annotated[Visitor, Depends(operator_action)]
