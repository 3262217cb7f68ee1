"""Mollie (iDEAL, Bancontact, cards, …) through its official SDK, ``mollie-api-python``.

The payment page creates a Mollie payment (``POST /v2/payments``) and sends the customer to its
``_links.checkout``. Mollie reports a change by posting ``id=tr_…`` to the payment's
``webhookUrl``, unsigned: we take it only as a hint and fetch the payment (``GET
/v2/payments/{id}``), so the status we act on is always Mollie's own answer. Ending a payment is
``DELETE /v2/payments/{id}`` (only while Mollie says ``isCancelable``); paying one back is ``POST
/v2/payments/{id}/refunds``.

The SDK is synchronous (``requests``): each call runs in a thread, with the SDK's connect and read
timeouts; a client is made per call, so no ``requests.Session`` is shared between threads. Every
SDK error becomes a ``ProviderError`` without the key.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import parse_qs

from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.objects.payment import Payment as MolliePayment
from mollie.api.resources import PaymentRefunds

from printapi.config import Settings
from printapi.payments.provider import CheckoutRequest, Notice, ProviderError, ProviderPayment, ProviderRefund
from printapi.payments.states import PaymentStatus, RefundStatus

T = TypeVar("T")

# Mollie's payment statuses (docs.mollie.com, "Payment status changes") as ours: open, pending
# and authorized can still end either way.
OUTCOMES = {
    "open": PaymentStatus.OPEN,
    "pending": PaymentStatus.OPEN,
    "authorized": PaymentStatus.OPEN,
    "paid": PaymentStatus.SUCCESSFUL,
    "failed": PaymentStatus.FAILED,
    "canceled": PaymentStatus.CANCELLED,
    "expired": PaymentStatus.CANCELLED,
}
REFUNDS = {
    "queued": RefundStatus.PENDING,
    "pending": RefundStatus.PENDING,
    "processing": RefundStatus.PENDING,
    "refunded": RefundStatus.REFUNDED,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.FAILED,
}


def _money(amount: Decimal) -> dict[str, str]:
    return {"currency": "EUR", "value": f"{amount:.2f}"}


def _value(money: Any) -> Decimal:
    return Decimal(str(money["value"])) if isinstance(money, Mapping) and "value" in money else Decimal(0)


class MollieProvider:
    name = "mollie"

    def __init__(self, *, api_key: str, api_url: str, timeout_seconds: float) -> None:
        self._key = api_key
        self._url = api_url
        seconds = max(1, math.ceil(timeout_seconds))  # the SDK takes whole seconds
        self._timeout = (seconds, seconds)

    @classmethod
    def configured(cls, settings: Settings) -> MollieProvider:
        assert settings.mollie_api_key is not None, "the settings refuse mollie without a key"
        return cls(
            api_key=settings.mollie_api_key.get_secret_value(),
            api_url=settings.mollie_api_url,
            timeout_seconds=settings.payment_provider_timeout_seconds,
        )

    def _client(self) -> Client:
        client = Client(api_endpoint=self._url, timeout=self._timeout, retry=0)
        client.set_api_key(self._key)
        return client

    async def _call(self, call: Callable[[Client], T]) -> T:
        def run() -> T:
            return call(self._client())

        try:
            return await asyncio.to_thread(run)
        except MollieError as exc:
            raise ProviderError(f"Mollie: {exc.__class__.__name__}: {exc}") from exc

    @staticmethod
    def _answer(payment: Any) -> ProviderPayment:
        status = str(payment.status)
        if status not in OUTCOMES:
            raise ProviderError(f"Mollie: unknown payment status {status!r}")
        amount = _value(payment.amount)
        return ProviderPayment(
            ref=str(payment.id),
            outcome=OUTCOMES[status],
            amount=amount,
            checkout_url=payment.checkout_url,
            method=payment.method,
            cancelable=bool(payment.is_cancelable),
            expired=status == "expired",
            refunded=amount > 0 and _value(payment.amount_refunded) >= amount,
        )

    async def create(self, request: CheckoutRequest) -> ProviderPayment:
        data = {
            "amount": _money(request.amount),
            "description": request.description,
            "redirectUrl": request.return_url,
            "webhookUrl": request.notify_url,
            "metadata": {"printapi_payment": request.code, "order_id": request.order_id},
        }
        payment = await self._call(
            lambda client: client.payments.create(data, idempotency_key=request.idempotency_key)
        )
        return self._answer(payment)

    async def fetch(self, ref: str) -> ProviderPayment:
        return self._answer(await self._call(lambda client: client.payments.get(ref)))

    async def cancel(self, ref: str) -> ProviderPayment:
        current = await self.fetch(ref)
        if current.outcome is not PaymentStatus.OPEN or not current.cancelable:
            return current
        canceled = await self._call(lambda client: client.payments.delete(ref))
        return self._answer(MolliePayment(canceled, None))  # type: ignore[no-untyped-call]  # the SDK's objects are untyped

    async def refund(self, ref: str, *, amount: Decimal, key: str) -> ProviderRefund:
        def create(client: Client) -> Any:
            payment = MolliePayment({"id": ref}, client)  # type: ignore[no-untyped-call]  # the SDK's objects are untyped
            refunds = PaymentRefunds(client, payment)
            data = {"amount": _money(amount), "description": "Order cancelled"}
            return refunds.create(data, idempotency_key=key)

        refund = await self._call(create)
        status = str(refund.status)
        if status not in REFUNDS:
            raise ProviderError(f"Mollie: unknown refund status {status!r}")
        return ProviderRefund(ref=str(refund.id), status=REFUNDS[status])

    def notified(self, *, body: bytes, headers: Mapping[str, str]) -> Notice | None:
        """Mollie posts ``id=tr_…`` and signs nothing: the id is only a hint to fetch that payment."""
        ids = parse_qs(body.decode("utf-8", "replace")).get("id", [])
        if len(ids) != 1 or not ids[0].startswith("tr_") or len(ids[0]) > 100:
            return None
        return Notice(payment_ref=ids[0])
