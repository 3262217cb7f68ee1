"""Coupon requests: the print shop's new coupon (operators). The coupon service reads it."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, StrictInt, StrictStr

from printapi.coupons.terms import CouponScope, CouponType
from printapi.kit.schema import WireModel

Euros = Annotated[Decimal, Field(ge=0, max_digits=9, decimal_places=2)]


class CouponIn(WireModel):
    code: Annotated[StrictStr, Field(min_length=1, max_length=64)]
    type: CouponType
    scope: CouponScope = CouponScope.PRODUCTS
    amount: Euros | None = None
    percentage: StrictInt | None = None
    expiration_date_time: Annotated[StrictStr, Field(max_length=40)] | None = None
    usage_limit: StrictInt | None = None
