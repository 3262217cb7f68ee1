"""The print shop's operator API (extension): move any account's order and record its shipments,
as the CLI does."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from printapi import effects
from printapi.api import MAX_DB_INT, Json, RuntimeDep, WriteSession, require
from printapi.auth.principal import Environment, Principal
from printapi.auth.scopes import Scope
from printapi.kit.wire import WireResponse
from printapi.orders import service as orders
from printapi.orders.schemas import OrderStatusOut, StatusChangeIn
from printapi.orders.shipments import service as shipments
from printapi.orders.shipments.schemas import RecordedShipmentOut, ShipmentIn

router = APIRouter(prefix="/operator", tags=["operator"])

Operator = Annotated[Principal, Depends(require(Scope.OPERATOR))]
# An order of an account, as the operator names it: the account by id, the environment when the
# account uses the order's id in both.
AccountId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
OrderEnvironment = Annotated[
    Environment | None, Query(description="test or live, when the account uses the id in both")
]


@router.post(
    "/accounts/{account_id}/orders/{order_id}/status",
    response_model=OrderStatusOut,
    summary="Move an order (operators)",
    description="Processing, Shipped (with an optional trackingUrl) or Cancelled (with an optional reason).",
)
async def set_order_status(
    account_id: AccountId,
    order_id: str,
    body: Json[StatusChangeIn],
    _: Operator,
    session: WriteSession,
    runtime: RuntimeDep,
    environment: OrderEnvironment = None,
) -> WireResponse:
    change = orders.checked_change(body)
    changed = await orders.operator_set_status(
        session,
        order_id=order_id,
        account_id=account_id,
        environment=environment,
        change=change,
        now=runtime.clock.now(),
    )
    await effects.handle(session, changed)
    return WireResponse(OrderStatusOut.of(changed.order), zone=runtime.zone)


@router.post(
    "/accounts/{account_id}/orders/{order_id}/shipments",
    status_code=201,
    response_model=RecordedShipmentOut,
    summary="Record a shipment of an order (operators)",
    description="One parcel of an order in Processing: its carrier, tracking code and URL, and how many of "
    "which items it carries (without items: everything left). More than is left to ship is a 400 naming "
    "the item. The parcel that carries the last items moves the order to Shipped; any other keeps it "
    "Processing. Either way the shop's webhooks fire.",
)
async def record_shipment(
    account_id: AccountId,
    order_id: str,
    body: Json[ShipmentIn],
    _: Operator,
    session: WriteSession,
    runtime: RuntimeDep,
    environment: OrderEnvironment = None,
) -> WireResponse:
    request = shipments.checked_shipment(body)
    recorded = await shipments.operator_record(
        session,
        order_id=order_id,
        account_id=account_id,
        environment=environment,
        request=request,
        now=runtime.clock.now(),
    )
    await effects.handle(session, *recorded.events)
    out = RecordedShipmentOut.of(recorded.order, recorded.shipment, recorded.left)
    return WireResponse(out, zone=runtime.zone, status_code=201)
