"""Checkout requests (spec §3.9), and response shapes for the OpenAPI document."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field, StrictStr, field_validator

from printapi.kit.schema import Number, WireModel
from printapi.orders.schemas import AddressIn

# ruff: noqa: N815 - response members carry the wire's camelCase names


class BillingAddressIn(AddressIn):
    email: Annotated[StrictStr, Field(max_length=254)] | None = None


class BillingIn(WireModel):
    address: BillingAddressIn


class CheckoutIn(WireModel):
    return_url: Annotated[StrictStr, Field(min_length=5, max_length=512)]
    billing: BillingIn | None = None
    # v1 name of the billing address (architecture §7); accepted on both versions, `billing` wins.
    billing_address: BillingAddressIn | None = None

    @field_validator("return_url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value


class BillingAddressOut(BaseModel):
    email: str | None = None
    name: str
    company: str | None = None
    line1: str
    line2: str | None = None
    postCode: str
    city: str
    state: str | None = None
    country: str


class BillingOut(BaseModel):
    address: BillingAddressOut


class RefundOut(BaseModel):
    """Extension: a paid payment of a cancelled order, paid back through its provider."""

    amount: Number
    status: str  # Pending | Refunded | Failed
    dateTime: str


class CheckoutOut(BaseModel):
    """``amount`` is what the end customer pays, incl. VAT. ``method`` (extension): how the
    customer paid, as the provider names it (ideal, creditcard, card, …)."""

    amount: Number
    status: str
    paymentUrl: str
    returnUrl: str
    billing: BillingOut
    method: str | None = None
    refund: RefundOut | None = None
