"""The print shop's operator API (extension): move any account's order, as the CLI does."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from printapi import effects
from printapi.api import MAX_DB_INT, RuntimeDep, WriteSession, require
from printapi.auth.principal import Environment, Principal
from printapi.auth.scopes import Scope
from printapi.kit.problems import Json
from printapi.kit.wire import WireResponse
from printapi.orders import service as orders
from printapi.orders.schemas import OrderStatusOut, StatusChangeIn

router = APIRouter(prefix="/operator", tags=["operator"])

Operator = Annotated[Principal, Depends(require(Scope.OPERATOR))]


@router.post(
    "/accounts/{account_id}/orders/{order_id}/status",
    response_model=OrderStatusOut,
    summary="Move an order (operators)",
    description="Processing, Shipped (with an optional trackingUrl) or Cancelled (with an optional reason).",
)
async def set_order_status(
    account_id: Annotated[int, Path(ge=1, le=MAX_DB_INT)],
    order_id: str,
    body: Json[StatusChangeIn],
    _: Operator,
    session: WriteSession,
    runtime: RuntimeDep,
    environment: Annotated[
        Environment | None, Query(description="test or live, when the account uses the id in both")
    ] = None,
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
