"""Shipping quote request and response (spec §3.8)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Self

from pydantic import Field, StrictInt, StrictStr

from printapi.kit.schema import Number, WireModel, WireOut
from printapi.shipping.rates import ShippingPreference

if TYPE_CHECKING:  # the service reads this module's requests
    from printapi.shipping.service import Quote


class QuoteItemIn(WireModel):
    product_id: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    page_count: StrictInt | None = None
    quantity: StrictInt


class ShippingQuoteIn(WireModel):
    country: Annotated[StrictStr, Field(min_length=2, max_length=2)]
    state: Annotated[StrictStr, Field(max_length=3)] | None = None
    preference: ShippingPreference = ShippingPreference.AUTO
    items: Annotated[list[QuoteItemIn], Field(min_length=1, max_length=100)]


class MethodOut(WireOut):
    name: str
    is_trackable: bool


class ShippingQuoteOut(WireOut):
    """Purchase prices excl. VAT; ``payment`` is the consumer price incl. VAT on the payment screen."""

    shipping: Number
    handling: Number
    tax_rate: Number
    payment: Number
    method: MethodOut

    @classmethod
    def of(cls, quote: Quote, *, payment: Decimal) -> Self:
        rate = quote.rate
        return cls(
            shipping=rate.shipping,
            handling=rate.handling,
            tax_rate=quote.tax_rate,
            payment=payment,
            method={"name": rate.method.name, "is_trackable": rate.method.is_trackable},
        )
