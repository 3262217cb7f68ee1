"""HTTP for orders: parse, call one service function, answer with a response model (spec §2 rows 2–6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from printapi import effects
from printapi.api import Json, PageDep, ReadSession, RuntimeDep, UrlsDep, WriteSession, require
from printapi.auth.principal import Principal
from printapi.auth.scopes import Scope
from printapi.kit.errors import InvalidInput
from printapi.kit.wire import WireResponse, parse_local
from printapi.orders import service
from printapi.orders.schemas import (
    OrderEstimateOut,
    OrderIn,
    OrderListOut,
    OrderOut,
    OrderStatusOut,
    OrderSummaryOut,
    StatusChangeIn,
    SyncStatusesOut,
)

router = APIRouter(tags=["orders"])

# A date with an optional time, fraction and offset; parse_local decides the rest (and rejects 2025-13-40).
SINCE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?"
    r"(Z|[+-][0-9]{2}:?[0-9]{2})?$"
)

Placer = Annotated[Principal, Depends(require(Scope.ORDERS_PLACE))]
Tracker = Annotated[Principal, Depends(require(Scope.ORDERS_TRACK))]
Browser = Annotated[Principal, Depends(require(Scope.ORDERS_BROWSE))]
Simulator = Annotated[Principal, Depends(require(Scope.ORDERS_SIMULATE))]


@router.post("/orders", status_code=201, response_model=OrderOut, summary="Place an order")
async def place_order(
    body: Json[OrderIn], principal: Placer, session: WriteSession, runtime: RuntimeDep, urls: UrlsDep
) -> WireResponse:
    # Checked and priced first, on SQLite in a read transaction: the write transaction (SQLite
    # has one writer) then holds the lock for the inserts only.
    async with runtime.db.read_before(session) as reader:
        draft = await service.prepare_order(
            reader,
            principal=principal,
            request=body,
            express_surcharge=Decimal(runtime.settings.express_surcharge),
            now=runtime.clock.now(),
        )
    now = runtime.clock.now()
    placed = await service.store_order(
        session,
        principal=principal,
        draft=draft,
        production_delay=runtime.settings.production_window,
        now=now,
    )
    await effects.handle(session, placed)  # the event feed's order.created
    order = placed.order
    return WireResponse(
        OrderOut.of(order, service.invoice_of(order), urls, actions=service.allowed_actions(order, now=now)),
        zone=runtime.zone,
        status_code=201,
        headers={"Location": urls.order(order.id)},
    )


@router.post(
    "/orders/estimate",
    response_model=OrderEstimateOut,
    summary="Estimate an order without placing it (extension)",
    description="Takes the body of POST /orders and answers what that order would be: its items, "
    "shipping method, invoice with every tax line and, with the payment screen, the customer's "
    "amount; or every problem of the body, as placing would. Nothing is written: no order, no "
    "coupon use, no webhook.",
)
async def estimate_order(
    body: Json[OrderIn], principal: Placer, session: ReadSession, runtime: RuntimeDep, urls: UrlsDep
) -> WireResponse:
    priced = await service.estimate_order(
        session,
        principal=principal,
        request=body,
        express_surcharge=Decimal(runtime.settings.express_surcharge),
        now=runtime.clock.now(),
    )
    return WireResponse(OrderEstimateOut.of(priced, urls), zone=runtime.zone)


@router.get("/orders", response_model=OrderListOut, summary="List orders, newest first")
async def list_orders(
    principal: Browser,
    session: ReadSession,
    runtime: RuntimeDep,
    urls: UrlsDep,
    page: PageDep,
) -> WireResponse:
    result = await service.list_orders(session, principal=principal, page=page)
    return WireResponse(
        OrderListOut.of(result, lambda order: OrderSummaryOut.of(order, urls)), zone=runtime.zone
    )


@router.get("/orders/{order_id}", response_model=OrderOut, summary="Read an order")
async def get_order(
    order_id: str, principal: Tracker, session: ReadSession, runtime: RuntimeDep, urls: UrlsDep
) -> WireResponse:
    order = await service.get_order(session, principal=principal, order_id=order_id)
    actions = service.allowed_actions(order, now=runtime.clock.now())
    return WireResponse(
        OrderOut.of(order, service.invoice_of(order), urls, actions=actions), zone=runtime.zone
    )


@router.post(
    "/orders/{order_id}/cancel",
    response_model=OrderOut,
    summary="Cancel an order before its production starts (extension)",
    description="While the order is Created, or Processing until its production starts "
    "(PRINTAPI_PRODUCTION_DELAY after it became Processing). Fires the order's webhook, cancels an "
    "open payment (a paid one is refunded) and gives a coupon's use back. 403 with the reason "
    "once production started, or when the order is Shipped or Cancelled.",
    responses={403: {"description": "Production started, or the order is Shipped or Cancelled"}},
)
async def cancel_order(
    order_id: str, principal: Placer, session: WriteSession, runtime: RuntimeDep, urls: UrlsDep
) -> WireResponse:
    now = runtime.clock.now()
    changed = await service.cancel_order(session, principal=principal, order_id=order_id, now=now)
    await effects.handle(session, changed)
    order = await service.get_by_pk(session, order_pk=changed.order.pk)  # as its effects left it
    actions = service.allowed_actions(order, now=now)
    return WireResponse(
        OrderOut.of(order, service.invoice_of(order), urls, actions=actions), zone=runtime.zone
    )


@router.get("/orders/{order_id}/status", response_model=OrderStatusOut, summary="Read an order's statuses")
async def get_order_status(
    order_id: str, principal: Tracker, session: ReadSession, runtime: RuntimeDep
) -> WireResponse:
    order = await service.get_order_head(session, principal=principal, order_id=order_id)
    return WireResponse(OrderStatusOut.of(order), zone=runtime.zone)


@router.post(
    "/orders/{order_id}/status",
    response_model=OrderStatusOut,
    summary="Simulate a status change of a test order (extension)",
    description="Test environment only: moves the order as the print shop would, and fires what a real "
    "change fires. Live orders answer 403.",
)
async def simulate_order_status(
    order_id: str,
    body: Json[StatusChangeIn],
    principal: Simulator,
    session: WriteSession,
    runtime: RuntimeDep,
) -> WireResponse:
    change = service.checked_change(body)
    changed = await service.simulate_status(
        session, principal=principal, order_id=order_id, change=change, now=runtime.clock.now()
    )
    await effects.handle(session, changed)
    return WireResponse(OrderStatusOut.of(changed.order), zone=runtime.zone)


@router.get("/sync/statuses", response_model=SyncStatusesOut, summary="Status changes since a moment")
async def sync_statuses(
    principal: Tracker,
    session: ReadSession,
    runtime: RuntimeDep,
    since: Annotated[str, Query(description="Local date/time, e.g. 2025-03-24T13:00:00", pattern=SINCE)],
) -> WireResponse:
    try:
        moment = parse_local(since, runtime.zone)
    except ValueError as exc:
        raise InvalidInput.on("since", str(exc)) from exc
    changes = await service.statuses_since(session, principal=principal, since=moment)
    return WireResponse(SyncStatusesOut.of(moment, changes), zone=runtime.zone)
