"""HTTP for the account's own settings (extension): payment screen, consumer prices, mails."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from printapi.accounts import service
from printapi.accounts.schemas import ProductPriceIn, SettingsIn, SettingsOut
from printapi.api import Json, ReadSession, RuntimeDep, WriteSession, require
from printapi.auth.principal import Principal
from printapi.auth.scopes import Scope
from printapi.catalogue import service as catalogue
from printapi.kit.wire import WireResponse

router = APIRouter(tags=["account"])

Owner = Annotated[Principal, Depends(require(Scope.WEBHOOKS_MANAGE))]


@router.get("/account", response_model=SettingsOut, summary="Your account's settings")
async def get_account(principal: Owner, session: ReadSession, runtime: RuntimeDep) -> WireResponse:
    return WireResponse(
        SettingsOut.of(await service.account(session, account_id=principal.account_id)), zone=runtime.zone
    )


@router.patch("/account", response_model=SettingsOut, summary="Switch the payment screen, set where mails go")
async def update_account(
    body: Json[SettingsIn], principal: Owner, session: WriteSession, runtime: RuntimeDep
) -> WireResponse:
    settings = service.checked_settings(body)
    shipping = settings.consumer_shipping
    account = await service.update(
        session,
        account_id=principal.account_id,
        payment_screen=settings.payment_screen,
        notification_email=settings.notification_email,
        consumer_shipping=shipping.rule if shipping else None,
        consumer_shipping_flat=shipping.flat if shipping else None,
    )
    return WireResponse(SettingsOut.of(account), zone=runtime.zone)


@router.put(
    "/account/prices/{product_id}",
    status_code=204,
    summary="Your customers' price of a product (incl. VAT) and of its option choices",
)
async def set_consumer_prices(
    product_id: str, body: Json[ProductPriceIn], principal: Owner, session: WriteSession
) -> Response:
    spec = await catalogue.get_product(session, product_id=product_id)
    await service.set_prices_from(session, account_id=principal.account_id, spec=spec, request=body)
    return Response(status_code=204)
