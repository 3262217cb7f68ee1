"""HTTP for the catalogue (spec §2 rows 12–13)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from printapi.accounts import service as accounts
from printapi.api import PageDep, ReadSession, RuntimeDep, UrlsDep, require
from printapi.auth.principal import Principal
from printapi.auth.scopes import Scope
from printapi.catalogue import service
from printapi.catalogue.schemas import ProductEntryOut, ProductListOut, ProductOut
from printapi.kit.wire import WireResponse

router = APIRouter(tags=["products"])

Browser = Annotated[Principal, Depends(require(Scope.PRODUCTS_BROWSE))]


@router.get("/products", response_model=ProductListOut, summary="The catalogue, sorted by name")
async def list_products(
    _: Browser, session: ReadSession, runtime: RuntimeDep, urls: UrlsDep, page: PageDep
) -> WireResponse:
    result = await service.list_products(session, page=page)
    return WireResponse(
        ProductListOut.of(result, lambda entry: ProductEntryOut.of(*entry, urls)), zone=runtime.zone
    )


@router.get("/products/{product_id}", response_model=ProductOut, summary="Product details")
async def get_product(
    product_id: str, principal: Browser, session: ReadSession, runtime: RuntimeDep
) -> WireResponse:
    spec, prices = await accounts.product_for(session, product_id=product_id, account_id=principal.account_id)
    return WireResponse(ProductOut.of(spec, prices), zone=runtime.zone)
