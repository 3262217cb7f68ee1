"""The checkout on the wire (spec §3.9): ``{amount, status, paymentUrl, returnUrl, billing}``."""

from __future__ import annotations

from typing import Any

from printapi.kit.urls import Urls
from printapi.models import Payment


def checkout(payment: Payment, urls: Urls) -> dict[str, Any]:
    return {
        "amount": payment.amount,
        "status": payment.status,
        "paymentUrl": urls.payment(payment.code),
        "returnUrl": payment.return_url,
        "billing": {
            "address": {
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
        },
    }
