"""The owner's webhook endpoints: add, edit, switch on and off, rotate the secret, ping, the log,
resend, and recover what failed since a moment."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.api import ReadSession, RuntimeDep, WriteSession
from printapi.auth.principal import Environment, Principal
from printapi.dashboard import forms, service, views
from printapi.dashboard.pages import DashboardRoute, back_url, render, see_other
from printapi.dashboard.security import OwnerAction, OwnerFragment, OwnerPage, Visitor, form_of
from printapi.dashboard.service import Flash
from printapi.webhooks import service as webhooks

router = APIRouter(prefix="/dashboard/webhooks", route_class=DashboardRoute, include_in_schema=False)

LOG_PAGE = 20
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


async def _acting_as_owner(session: AsyncSession, visitor: Visitor, endpoint_id: str) -> Principal:
    """The owner in the endpoint's environment; another account's endpoint is not found."""
    endpoint = await webhooks.endpoint_of_account(
        session, account_id=visitor.account.id, endpoint_id=endpoint_id
    )
    return views.as_owner(visitor.account, endpoint.environment)


async def _done(session: AsyncSession, visitor: Visitor, text: str, *, secret: str | None = None) -> None:
    kind = "secret" if secret else "ok"
    await service.flash(session, id_hash=visitor.id_hash, messages=[Flash(kind, text, secret=secret)])


def _page_of(endpoint_id: str) -> str:
    return f"/dashboard/webhooks/{endpoint_id}"


@router.get("")
async def endpoints(request: Request, visitor: OwnerPage, session: ReadSession) -> HTMLResponse:
    return render(
        request, "owner/webhooks.html", endpoints=await views.endpoints(session, account=visitor.account)
    )


@router.post("")
async def add_endpoint(
    request: Request, visitor: OwnerAction, session: WriteSession, runtime: RuntimeDep
) -> Response:
    form = await form_of(request)
    environment = forms.choice(form, "environment", Environment, default=Environment.TEST)
    assert environment is not None
    endpoint = await webhooks.create_endpoint(
        session,
        account_id=visitor.account.id,
        environment=environment,
        url=forms.required(form, "url"),
        description=forms.text(form, "description"),
        guard=runtime.guard,
        now=runtime.clock.now(),
    )
    await _done(
        session,
        visitor,
        "Endpoint added. Copy its signing secret now: it is shown only this once.",
        secret=endpoint.secret,
    )
    return see_other(_page_of(endpoint.id))


@router.get("/{endpoint_id}")
async def endpoint_page(
    endpoint_id: str, request: Request, visitor: OwnerPage, session: ReadSession, offset: Offset = 0
) -> HTMLResponse:
    view = await views.endpoint_view(
        session, account=visitor.account, endpoint_id=endpoint_id, offset=offset, limit=LOG_PAGE
    )
    return render(request, "owner/endpoint.html", view=view)


@router.get("/{endpoint_id}/log")
async def endpoint_log(
    endpoint_id: str, request: Request, visitor: OwnerFragment, session: ReadSession, offset: Offset = 0
) -> HTMLResponse:
    """The log alone, for the page to refresh itself while a delivery is under way."""
    view = await views.endpoint_view(
        session, account=visitor.account, endpoint_id=endpoint_id, offset=offset, limit=LOG_PAGE
    )
    return render(request, "owner/_log.html", view=view)


@router.post("/{endpoint_id}")
async def edit_endpoint(
    endpoint_id: str, request: Request, visitor: OwnerAction, session: WriteSession, runtime: RuntimeDep
) -> Response:
    form = await form_of(request)
    await webhooks.update_endpoint(
        session,
        principal=await _acting_as_owner(session, visitor, endpoint_id),
        endpoint_id=endpoint_id,
        url=forms.required(form, "url"),
        description=forms.text(form, "description") or "",
        enabled=None,
        guard=runtime.guard,
        now=runtime.clock.now(),
    )
    await _done(session, visitor, "Endpoint saved.")
    return see_other(_page_of(endpoint_id))


@router.post("/{endpoint_id}/enabled")
async def switch_endpoint(
    endpoint_id: str, request: Request, visitor: OwnerAction, session: WriteSession, runtime: RuntimeDep
) -> Response:
    enabled = forms.switch(await form_of(request), "enabled")
    await webhooks.update_endpoint(
        session,
        principal=await _acting_as_owner(session, visitor, endpoint_id),
        endpoint_id=endpoint_id,
        url=None,
        description=None,
        enabled=enabled,
        guard=runtime.guard,
        now=runtime.clock.now(),
    )
    await _done(
        session, visitor, "Endpoint enabled." if enabled else "Endpoint disabled: it gets no notifications."
    )
    return see_other(_page_of(endpoint_id))


@router.post("/{endpoint_id}/rotate")
async def rotate_secret(
    endpoint_id: str, visitor: OwnerAction, session: WriteSession, runtime: RuntimeDep
) -> Response:
    overlap = timedelta(hours=runtime.settings.webhook_secret_overlap_hours)
    endpoint = await webhooks.rotate_secret(
        session,
        principal=await _acting_as_owner(session, visitor, endpoint_id),
        endpoint_id=endpoint_id,
        overlap=overlap,
        now=runtime.clock.now(),
    )
    text = (
        "New signing secret. Copy it now: it is shown only this once. "
        f"The old one keeps signing alongside it for {runtime.settings.webhook_secret_overlap_hours:g} hours."
    )
    await _done(session, visitor, text, secret=endpoint.secret)
    return see_other(_page_of(endpoint_id))


@router.post("/{endpoint_id}/ping")
async def ping(
    endpoint_id: str, visitor: OwnerAction, session: WriteSession, runtime: RuntimeDep
) -> Response:
    await webhooks.ping(
        session,
        principal=await _acting_as_owner(session, visitor, endpoint_id),
        endpoint_id=endpoint_id,
        now=runtime.clock.now(),
    )
    await _done(session, visitor, "Test ping queued: it appears in the log below.")
    return see_other(_page_of(endpoint_id))


@router.post("/{endpoint_id}/recover")
async def recover(
    endpoint_id: str, request: Request, visitor: OwnerAction, session: WriteSession, runtime: RuntimeDep
) -> Response:
    """Queue again every notification that failed since the moment given (one per order)."""
    since = forms.moment(await form_of(request), "since", runtime.zone)
    queued = await webhooks.recover(
        session,
        principal=await _acting_as_owner(session, visitor, endpoint_id),
        endpoint_id=endpoint_id,
        since=since,
        now=runtime.clock.now(),
    )
    orders = "order" if queued == 1 else "orders"
    await _done(session, visitor, f"Failed notifications of {queued} {orders} queued again.")
    return see_other(_page_of(endpoint_id))


@router.post("/{endpoint_id}/delete")
async def delete_endpoint(
    endpoint_id: str, visitor: OwnerAction, session: WriteSession, runtime: RuntimeDep
) -> Response:
    endpoint = await webhooks.endpoint_of_account(
        session, account_id=visitor.account.id, endpoint_id=endpoint_id
    )
    await webhooks.delete_endpoint(session, endpoint=endpoint, now=runtime.clock.now())
    await _done(
        session, visitor, f"Endpoint {endpoint.url} deleted; its pending notifications are cancelled."
    )
    return see_other("/dashboard/webhooks")


@router.post("/{endpoint_id}/notifications/{notification_id}/resend")
async def resend(
    endpoint_id: str,
    notification_id: str,
    request: Request,
    visitor: OwnerAction,
    session: WriteSession,
    runtime: RuntimeDep,
) -> Response:
    await webhooks.resend(
        session,
        principal=await _acting_as_owner(session, visitor, endpoint_id),
        notification_id=notification_id,
        now=runtime.clock.now(),
    )
    await _done(session, visitor, "Notification queued again.")
    return see_other(back_url(request, _page_of(endpoint_id)))
