"""HTTP for shipping quotes (spec §2 row 10)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from printapi.api import Json, ReadSession, RuntimeDep, require
from printapi.auth.principal import Principal
from printapi.auth.scopes import Scope
from printapi.kit.wire import WireResponse
from printapi.shipping import service
from printapi.shipping.schemas import ShippingQuoteIn, ShippingQuoteOut

router = APIRouter(tags=["shipping"])


@router.post(
    "/shipping/quote", response_model=ShippingQuoteOut, summary="Shipping and handling for a would-be order"
)
async def quote_shipping(
    body: Json[ShippingQuoteIn],
    principal: Annotated[Principal, Depends(require(Scope.SHIPPING_QUOTE))],
    session: ReadSession,
    runtime: RuntimeDep,
) -> WireResponse:
    result = await service.quote(session, request=body)
    payment = await service.consumer_price(session, account_id=principal.account_id, quote=result)
    return WireResponse(ShippingQuoteOut.of(result, payment=payment), zone=runtime.zone)
