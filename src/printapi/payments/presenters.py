"""The checkout on the wire (spec §3.9): ``{amount, status, paymentUrl, returnUrl, billing}``, and
the extensions of live payments: ``method`` (how the customer paid, as the provider names it) and
``refund`` (``{amount, status, dateTime}``, once a paid order was cancelled), each only when known."""

from __future__ import annotations

from typing import Any

from printapi.kit.urls import Urls
from printapi.models import Payment
from printapi.orders import presenters as order_presenters


def checkout(payment: Payment, urls: Urls) -> dict[str, Any]:
    """v2 nests the address in ``billing``; v1 calls it ``billingAddress`` (architecture §7)."""
    address = {
        "email": payment.billing_email,
        "name": payment.billing_name,
        "company": payment.billing_company,
        "line1": payment.billing_line1,
        "line2": payment.billing_line2,
        "postCode": payment.billing_post_code,
        "city": payment.billing_city,
        "state": payment.billing_state,
        "country": payment.billing_country,
    }
    body: dict[str, Any] = {
        "amount": payment.amount,
        "status": payment.status,
        "paymentUrl": urls.payment(payment.code),
        "returnUrl": payment.return_url,
    }
    if urls.version == "v1":
        body["billingAddress"] = address
    else:
        body["billing"] = {"address": address}
    body["method"] = payment.method
    body["refund"] = order_presenters.refund(payment)
    return body
