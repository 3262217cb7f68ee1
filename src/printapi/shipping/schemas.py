"""Shipping quote request and response (spec §3.8)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StrictInt, StrictStr

from printapi.kit.schema import Number, WireModel
from printapi.shipping.rates import ShippingPreference


class QuoteItemIn(WireModel):
    product_id: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    page_count: StrictInt | None = None
    quantity: StrictInt


class ShippingQuoteIn(WireModel):
    country: Annotated[StrictStr, Field(min_length=2, max_length=2)]
    state: Annotated[StrictStr, Field(max_length=3)] | None = None
    preference: ShippingPreference = ShippingPreference.AUTO
    items: Annotated[list[QuoteItemIn], Field(min_length=1, max_length=100)]


class MethodOut(BaseModel):
    name: str
    isTrackable: bool  # noqa: N815 - wire name


class ShippingQuoteOut(BaseModel):
    """Purchase prices excl. VAT; ``payment`` is the consumer price incl. VAT on the payment screen."""

    shipping: Number
    handling: Number
    taxRate: Number  # noqa: N815 - wire name
    payment: Number
    method: MethodOut
