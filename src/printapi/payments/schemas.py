"""The checkout on the wire (spec §3.9): its request, and the answer ``{amount, status, paymentUrl,
returnUrl, billing}``."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, StrictStr, field_validator
from pydantic.json_schema import SkipJsonSchema

from printapi.kit.schema import Members, Number, WireModel, WireOut
from printapi.kit.urls import Urls
from printapi.models import Payment
from printapi.orders.schemas import AddressIn, RefundOut, refund_of


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


class BillingAddressOut(WireOut):
    email: str | None = None
    name: str
    company: str | None = None
    line1: str
    line2: str | None = None
    post_code: str
    city: str
    state: str | None = None
    country: str


class BillingOut(WireOut):
    address: BillingAddressOut


class CheckoutOut(WireOut):
    """``amount`` is what the end customer pays, incl. VAT. ``method`` (extension): how the
    customer paid, as the provider names it (ideal, creditcard, card, …); ``refund`` (extension):
    once a paid order was cancelled."""

    amount: Number
    status: str
    payment_url: str
    return_url: str
    # Under /v1 the address is here, under this name, instead of in `billing` (architecture §7).
    billing_address: SkipJsonSchema[BillingAddressOut | None] = None
    billing: BillingOut | SkipJsonSchema[None]
    method: str | None = None
    refund: RefundOut | None = None

    @classmethod
    def of(cls, payment: Payment, urls: Urls) -> Self:
        address = _billing_address(payment)
        v1 = urls.version == "v1"
        return cls(
            amount=payment.amount,
            status=payment.status,
            payment_url=urls.payment(payment.code),
            return_url=payment.return_url,
            billing_address=address if v1 else None,
            billing=None if v1 else {"address": address},
            method=payment.method,
            refund=refund_of(payment),
        )


def _billing_address(payment: Payment) -> Members:
    return {
        "email": payment.billing_email,
        "name": payment.billing_name,
        "company": payment.billing_company,
        "line1": payment.billing_line1,
        "line2": payment.billing_line2,
        "post_code": payment.billing_post_code,
        "city": payment.billing_city,
        "state": payment.billing_state,
        "country": payment.billing_country,
    }
