"""HTTP for coupons: the shop's quote (spec §3.10) and the print shop's management (operators)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field, StrictStr

from printapi.api import ReadSession, RuntimeDep, WriteSession, require
from printapi.auth.principal import Principal
from printapi.auth.scopes import Scope
from printapi.coupons import service
from printapi.coupons.schemas import CouponIn, Euros
from printapi.kit.problems import Json
from printapi.kit.schema import ErrorOut, Number, WireModel
from printapi.kit.wire import WireResponse
from printapi.models import Coupon

router = APIRouter(tags=["coupons"])

Quoter = Annotated[Principal, Depends(require(Scope.COUPONS_QUOTE))]
Operator = Annotated[Principal, Depends(require(Scope.OPERATOR))]

# ruff: noqa: N815 - response members carry the wire's camelCase names


class CouponQuoteIn(WireModel):
    code: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    products_amount: Euros | None = None
    shipping_amount: Euros | None = None


class CouponQuoteOut(BaseModel):
    expirationDateTime: str | None = None
    state: str
    type: str
    scope: str
    percentage: int | None = None
    amount: Number | None = None
    calculated: Number | None = None


def _coupon(coupon: Coupon) -> dict[str, Any]:
    return {
        "expirationDateTime": coupon.expires_at,
        "type": coupon.type,
        "scope": coupon.scope,
        "percentage": coupon.percentage,
        "amount": coupon.amount,
    }


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
    coupon = _coupon(result.coupon)
    return WireResponse(
        {
            "expirationDateTime": coupon.pop("expirationDateTime"),
            "state": result.state,
            **coupon,
            "calculated": result.calculated,
        },
        zone=runtime.zone,
    )


@router.get("/operator/coupons", summary="All coupons (operators)", tags=["operator"])
async def list_coupons(_: Operator, session: ReadSession, runtime: RuntimeDep) -> WireResponse:
    coupons = await service.all_coupons(session)
    results = [{"code": c.code, **_coupon(c), "usageLimit": c.usage_limit, "used": c.used} for c in coupons]
    return WireResponse({"results": results}, zone=runtime.zone)


@router.post("/operator/coupons", status_code=201, summary="Create a coupon (operators)", tags=["operator"])
async def create_coupon(
    body: Json[CouponIn], _: Operator, session: WriteSession, runtime: RuntimeDep
) -> WireResponse:
    coupon = await service.create_from(session, request=body, zone=runtime.zone, now=runtime.clock.now())
    return WireResponse(
        {"code": coupon.code, **_coupon(coupon), "usageLimit": coupon.usage_limit, "used": 0},
        zone=runtime.zone,
        status_code=201,
    )


@router.delete(
    "/operator/coupons/{code}", status_code=204, summary="Delete a coupon (operators)", tags=["operator"]
)
async def delete_coupon(code: str, _: Operator, session: WriteSession) -> Response:
    await service.remove(session, code=code)
    return Response(status_code=204)
