"""Rendering dashboard pages: one autoescaping Jinja2 environment, the security headers every
page carries, and the route class that turns each expected failure into a page (never a JSON
body, never a 500).

After a failed change (an ``ApiError`` from a service) the transaction has been rolled back; the
error is then written as a flash message in a transaction of its own and the browser goes back
to the page it came from, as after a successful change (POST-redirect-GET). A refused CSRF check,
a missing session and something that is not yours are answered directly, and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context

from printapi.dashboard import service
from printapi.dashboard.security import SESSION_COOKIE, Refused, SignInRequired, clear_cookie, same_origin
from printapi.dashboard.service import Flash, TooManyAttempts
from printapi.kit.errors import ApiError, NotFound
from printapi.runtime import Runtime

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


@pass_context
def _when(context: Context, moment: datetime | None) -> str:
    return moment.astimezone(context["zone"]).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _day(day: date | None) -> str:
    return day.strftime("%a %d %b %Y") if day else "—"


def _money(amount: Decimal | None) -> str:
    return "—" if amount is None else f"€ {amount:,.2f}"


def segment(value: object) -> str:
    """One path segment, every reserved character escaped (order ids may hold ! $ & ' ( ) * + , ; =)."""
    return quote(str(value), safe="")


_templates = Environment(
    loader=PackageLoader("printapi.dashboard", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_templates.filters.update(when=_when, day=_day, money=_money, segment=segment)
_templates.globals.update(query=lambda **values: urlencode({k: v for k, v in values.items() if v}))


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    visitor = getattr(request.state, "visitor", None)
    html = _templates.get_template(template).render(
        visitor=visitor,
        csrf_token=visitor.csrf_token if visitor else "",
        flash=visitor.flash if visitor else [],
        zone=runtime_of(request).zone,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=headers)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def back_url(request: Request, default: str = "/dashboard") -> str:
    """The dashboard page the form was on (a same-origin Referer), else ``default``."""
    referer = request.headers.get("referer")
    if not referer or not same_origin(request, runtime_of(request).settings.public_url):
        return default
    parts = urlsplit(referer)
    if not parts.path.startswith("/dashboard"):
        return default
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _to_sign_in(request: Request) -> Response:
    target = "/dashboard/sign-in"
    if request.method == "GET" and request.url.path != "/dashboard":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target += "?" + urlencode({"next": here})
    response: Response = see_other(target)
    if request.headers.get("hx-request"):
        response = Response(status_code=200, headers={"HX-Redirect": target})
    if request.cookies.get(SESSION_COOKIE):
        clear_cookie(
            response, SESSION_COOKIE, secure=runtime_of(request).settings.public_url.startswith("https")
        )
    return response


def _messages(error: ApiError) -> Flash:
    details = [f"{e.field}: {e.message}" for e in error.errors[1:]] if len(error.errors) > 1 else []
    return Flash("error", error.message, hints=[*error.hints, *details])


async def _failed(request: Request, error: ApiError) -> Response:
    visitor = getattr(request.state, "visitor", None)
    retry = not isinstance(error, NotFound | Refused)  # a page to go back to and try again
    if getattr(request.state, "acted", False) and visitor is not None and retry:
        async with runtime_of(request).db.write() as session:
            await service.flash(session, id_hash=visitor.id_hash, messages=[_messages(error)])
        return see_other(back_url(request))
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, TooManyAttempts) else None
    return render(request, "error.html", status=error.status, headers=headers, error=_messages(error))


def _invalid(request: Request, exc: RequestValidationError) -> Response:
    problems = [
        f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'is invalid')}" for e in exc.errors()
    ]
    error = Flash("error", "The address or form was not understood.", hints=problems)
    return render(request, "error.html", status=400, error=error)


class DashboardFailure(Exception):
    """An expected failure of a dashboard route, on its way out of the request's transaction.

    It is raised (not answered) by the route so that the transaction rolls back first; the
    application's handler for it (``answer_failure``) then writes the page.
    """

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


async def answer_failure(request: Request, exc: Exception) -> Response:
    """The page for a failure, after the route's transaction was rolled back."""
    assert isinstance(exc, DashboardFailure)
    cause = exc.cause
    if isinstance(cause, SignInRequired):
        response = _to_sign_in(request)
    elif isinstance(cause, ApiError):
        response = await _failed(request, cause)
    else:
        assert isinstance(cause, RequestValidationError)
        response = _invalid(request, cause)
    return _secured(response)


def _secured(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class DashboardRoute(APIRoute):
    """Every dashboard route: failures become pages, and every answer carries ``HEADERS``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return _secured(await handler(request))
            except (SignInRequired, ApiError, RequestValidationError) as exc:
                raise DashboardFailure(exc) from exc

        return guarded
