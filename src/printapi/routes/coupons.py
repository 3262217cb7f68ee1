"""HTTP for coupons: the shop's quote (spec §3.10) and the print shop's management (operators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from printapi.api import Json, ReadSession, RuntimeDep, WriteSession, require
from printapi.auth.principal import Principal
from printapi.auth.scopes import Scope
from printapi.coupons import service
from printapi.coupons.schemas import CouponIn, CouponListOut, CouponOut, CouponQuoteIn, CouponQuoteOut
from printapi.kit.schema import ErrorOut
from printapi.kit.wire import WireResponse

router = APIRouter(tags=["coupons"])

Quoter = Annotated[Principal, Depends(require(Scope.COUPONS_QUOTE))]
Operator = Annotated[Principal, Depends(require(Scope.OPERATOR))]


@router.post(
    "/coupons/quote",
    response_model=CouponQuoteOut,
    summary="What a coupon is worth",
    responses={404: {"description": "No coupon with this code", "model": ErrorOut}},
)
async def quote_coupon(
    body: CouponQuoteIn, _: Quoter, session: ReadSession, runtime: RuntimeDep
) -> WireResponse:
    result = await service.quote(
        session,
        code=body.code,
        products=body.products_amount,
        shipping=body.shipping_amount,
        now=runtime.clock.now(),
    )
    return WireResponse(CouponQuoteOut.of(result), zone=runtime.zone)


@router.get(
    "/operator/coupons", response_model=CouponListOut, summary="All coupons (operators)", tags=["operator"]
)
async def list_coupons(_: Operator, session: ReadSession, runtime: RuntimeDep) -> WireResponse:
    coupons = await service.all_coupons(session)
    return WireResponse(CouponListOut(results=[CouponOut.of(c) for c in coupons]), zone=runtime.zone)


@router.post(
    "/operator/coupons",
    status_code=201,
    response_model=CouponOut,
    summary="Create a coupon (operators)",
    tags=["operator"],
)
async def create_coupon(
    body: Json[CouponIn], _: Operator, session: WriteSession, runtime: RuntimeDep
) -> WireResponse:
    coupon = await service.create_from(session, request=body, zone=runtime.zone, now=runtime.clock.now())
    return WireResponse(CouponOut.of(coupon), zone=runtime.zone, status_code=201)


@router.delete(
    "/operator/coupons/{code}", status_code=204, summary="Delete a coupon (operators)", tags=["operator"]
)
async def delete_coupon(code: str, _: Operator, session: WriteSession) -> Response:
    await service.remove(session, code=code)
    return Response(status_code=204)
