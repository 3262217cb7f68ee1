"""The owner's orders: the filtered list, one order, its stored files, and the test-environment simulator."""

from __future__ import annotations

import math
from typing import Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from printapi import effects
from printapi.api import ReadSession, RuntimeDep, WriteSession, stored_file_response
from printapi.auth.principal import Environment
from printapi.dashboard import forms, service, views
from printapi.dashboard.pages import DashboardRoute, render, see_other, segment
from printapi.dashboard.security import OwnerAction, OwnerPage, form_of
from printapi.dashboard.service import Flash
from printapi.files import service as files
from printapi.kit.pagination import PageRequest
from printapi.orders import service as orders
from printapi.orders.states import OrderStatus

router = APIRouter(prefix="/dashboard/orders", route_class=DashboardRoute, include_in_schema=False)

PAGE_SIZE = 25
Kind = Literal["content", "cover"]


def search_of(query: dict[str, str], zone: ZoneInfo) -> orders.OrderSearch:
    """The list's filters from the query string; dates are whole local days, both ends included."""
    return orders.OrderSearch(
        environment=forms.choice(query, "environment", Environment),
        status=forms.choice(query, "status", OrderStatus),
        created_from=forms.day_start(forms.day(query, "created_from"), zone),
        created_before=forms.day_start(forms.day(query, "created_to"), zone, next_day=True),
        text=forms.text(query, "q"),
    )


@router.get("")
async def order_list(
    request: Request, visitor: OwnerPage, session: ReadSession, runtime: RuntimeDep
) -> HTMLResponse:
    query = dict(request.query_params.items())
    number = max(1, min(forms.whole(query, "page") or 1, 100_000))
    page = await orders.search_orders(
        session,
        account_id=visitor.account.id,
        search=search_of(query, runtime.zone),
        page=PageRequest(offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE),
    )
    return render(
        request,
        "owner/orders.html",
        page=page,
        filters=query,
        number=number,
        pages=max(1, math.ceil(page.count / PAGE_SIZE)),
        statuses=list(OrderStatus),
    )


@router.get("/{environment}/{order_id}")
async def order_page(
    environment: Environment,
    order_id: str,
    request: Request,
    visitor: OwnerPage,
    session: ReadSession,
    runtime: RuntimeDep,
) -> HTMLResponse:
    view = await views.owner_order(
        session,
        account=visitor.account,
        environment=environment,
        order_id=order_id,
        zone=runtime.zone,
        now=runtime.clock.now(),
    )
    return render(request, "owner/order.html", view=view)


@router.get("/{environment}/{order_id}/items/{item_id}/files/{kind}")
async def download(
    environment: Environment,
    order_id: str,
    item_id: str,
    kind: Kind,
    visitor: OwnerPage,
    session: ReadSession,
    runtime: RuntimeDep,
) -> Response:
    file = await files.stored(
        session,
        account_id=visitor.account.id,
        environment=environment,
        order_id=order_id,
        item_id=item_id,
        kind=kind,
    )
    return await stored_file_response(runtime, file, name=f"{order_id}-{item_id}-{kind}")


@router.post("/test/{order_id}/status")
async def simulate(
    order_id: str, request: Request, visitor: OwnerAction, session: WriteSession, runtime: RuntimeDep
) -> Response:
    """The test environment's simulator: the order moves as the print shop would move it."""
    form = await form_of(request)
    change = forms.status_change(form)
    changed = await orders.simulate_status(
        session,
        principal=views.as_owner(visitor.account, Environment.TEST),
        order_id=order_id,
        change=change,
        now=runtime.clock.now(),
    )
    await effects.handle(session, changed)
    order = changed.order
    message = Flash(
        "ok", f"Order {order.id} is {order.status} now; your webhook endpoints are being notified."
    )
    await service.flash(session, id_hash=visitor.id_hash, messages=[message])
    return see_other(f"/dashboard/orders/test/{segment(order.id)}")
