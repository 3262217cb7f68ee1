"""Coupons on the wire: a shop's quote (spec §3.10), and the print shop's coupons (operators)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Self

from pydantic import Field, StrictInt, StrictStr

from printapi.coupons.terms import CouponScope, CouponType
from printapi.kit.schema import LocalDateTime, Number, WireModel, WireOut
from printapi.models import Coupon

if TYPE_CHECKING:  # the service reads this module's requests
    from printapi.coupons.service import Quote

Euros = Annotated[Decimal, Field(ge=0, max_digits=9, decimal_places=2)]


class CouponIn(WireModel):
    code: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    type: CouponType
    scope: CouponScope = CouponScope.PRODUCTS
    amount: Euros | None = None
    percentage: StrictInt | None = None
    expiration_date_time: Annotated[StrictStr, Field(max_length=40)] | None = None
    usage_limit: StrictInt | None = None


class CouponQuoteIn(WireModel):
    code: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    products_amount: Euros | None = None
    shipping_amount: Euros | None = None


class CouponQuoteOut(WireOut):
    expiration_date_time: LocalDateTime | None = None
    state: str
    type: str
    scope: str
    percentage: int | None = None
    amount: Number | None = None
    calculated: Number | None = None

    @classmethod
    def of(cls, quote: Quote) -> Self:
        coupon = quote.coupon
        return cls(
            expiration_date_time=coupon.expires_at,
            state=quote.state,
            type=coupon.type,
            scope=coupon.scope,
            percentage=coupon.percentage,
            amount=coupon.amount,
            calculated=quote.calculated,
        )


class CouponOut(WireOut):
    """A coupon as the print shop sees it: its terms, its limit and how often it was used."""

    code: str
    expiration_date_time: LocalDateTime | None = None
    type: str
    scope: str
    percentage: int | None = None
    amount: Number | None = None
    usage_limit: int | None = None
    used: int

    @classmethod
    def of(cls, coupon: Coupon) -> Self:
        return cls(
            code=coupon.code,
            expiration_date_time=coupon.expires_at,
            type=coupon.type,
            scope=coupon.scope,
            percentage=coupon.percentage,
            amount=coupon.amount,
            usage_limit=coupon.usage_limit,
            used=coupon.used,
        )


class CouponListOut(WireOut):
    results: list[CouponOut]
