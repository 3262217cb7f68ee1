"""Stripe Checkout (cards, iDEAL, Bancontact, … as the Stripe account offers) through its official
SDK, ``stripe``.

The payment page creates a Checkout Session (``POST /v1/checkout/sessions``) and sends the
customer to its ``url``. Stripe reports through the account's webhook endpoint (our ``POST
/v2/payments/stripe/events``) with signed events (``Stripe-Signature: t=…,v1=…``), verified by the
SDK with a replay window of ``PRINTAPI_STRIPE_WEBHOOK_TOLERANCE_SECONDS``. A ``checkout.session.*``
event only names the session: we fetch it (``GET /v1/checkout/sessions/{id}`` with its
PaymentIntent), so events that come twice or out of order settle only what Stripe says now. A
session that is still open is ended with ``POST /v1/checkout/sessions/{id}/expire``; a paid one
is paid back with ``POST /v1/refunds``, whose later news come as ``refund.updated`` events.

The SDK's synchronous ``requests`` client runs in a thread, with a timeout and without the SDK's
own retries (our tasks retry); every SDK error becomes a ``ProviderError`` without the key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any, TypeVar

import stripe

from printapi.config import Settings
from printapi.payments.provider import CheckoutRequest, Notice, ProviderError, ProviderPayment, ProviderRefund
from printapi.payments.states import PaymentStatus, RefundStatus

T = TypeVar("T")

# A Checkout Session must expire between 30 minutes and 24 hours after it is made.
SESSION_SHORTEST = timedelta(minutes=31)
SESSION_LONGEST = timedelta(hours=23, minutes=59)
# PaymentIntent statuses of a completed session that was not paid (an asynchronous method).
INTENT_FAILED = {"requires_payment_method", "canceled"}
REFUNDS = {
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.PENDING,
    "succeeded": RefundStatus.REFUNDED,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.FAILED,
}
SESSION_EVENTS = (
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
)
REFUND_EVENTS = ("refund.updated", "refund.failed")


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _id(value: Any) -> str | None:
    """An expandable field: an id, an expanded object, or nothing."""
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        found = value.get("id")
        return found if isinstance(found, str) else None
    return None


class StripeProvider:
    name = "stripe"

    def __init__(
        self, *, secret_key: str, webhook_secret: str, api_url: str, timeout_seconds: float, tolerance: int
    ) -> None:
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_url},
            http_client=stripe.RequestsClient(timeout=timeout_seconds),
            max_network_retries=0,
        )
        self._webhook_secret = webhook_secret
        self._tolerance = tolerance

    @classmethod
    def configured(cls, settings: Settings) -> StripeProvider:
        assert settings.stripe_secret_key is not None, "the settings refuse stripe without keys"
        assert settings.stripe_webhook_secret is not None, "the settings refuse stripe without keys"
        return cls(
            secret_key=settings.stripe_secret_key.get_secret_value(),
            webhook_secret=settings.stripe_webhook_secret.get_secret_value(),
            api_url=settings.stripe_api_url,
            timeout_seconds=settings.payment_provider_timeout_seconds,
            tolerance=settings.stripe_webhook_tolerance_seconds,
        )

    async def _call(self, call: Callable[[], T]) -> T:
        try:
            return await asyncio.to_thread(call)
        except stripe.StripeError as exc:
            raise ProviderError(f"Stripe: {exc.__class__.__name__}: {exc.user_message or ''}") from exc

    def _retrieve(self, ref: str) -> dict[str, Any]:
        expand = ["payment_intent.payment_method", "payment_intent.latest_charge"]
        return self._client.v1.checkout.sessions.retrieve(ref, params={"expand": expand}).to_dict()

    @staticmethod
    def _answer(session: Mapping[str, Any]) -> ProviderPayment:
        status, paid = session.get("status"), session.get("payment_status")
        intent = session.get("payment_intent")
        intent = intent if isinstance(intent, Mapping) else {}
        method = intent.get("payment_method")
        charge = intent.get("latest_charge")
        charge = charge if isinstance(charge, Mapping) else {}
        total = session.get("amount_total")
        outcome = PaymentStatus.OPEN
        if status == "expired":
            outcome = PaymentStatus.CANCELLED
        elif status == "complete" and paid in ("paid", "no_payment_required"):
            outcome = PaymentStatus.SUCCESSFUL
        elif status == "complete" and intent.get("status") in INTENT_FAILED:
            outcome = PaymentStatus.FAILED
        elif status not in ("open", "complete"):
            raise ProviderError(f"Stripe: unknown Checkout Session status {status!r}")
        return ProviderPayment(
            ref=str(session["id"]),
            outcome=outcome,
            amount=Decimal(total) / 100 if isinstance(total, int) else None,
            checkout_url=session.get("url"),
            method=method.get("type") if isinstance(method, Mapping) else None,
            cancelable=status == "open",
            expired=status == "expired",
            refunded=bool(charge.get("refunded")),
        )

    async def create(self, request: CheckoutRequest) -> ProviderPayment:
        expires = min(max(request.expires_at, request.now + SESSION_SHORTEST), request.now + SESSION_LONGEST)
        metadata = {"printapi_payment": request.code, "order_id": request.order_id}
        params: dict[str, Any] = {
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": _cents(request.amount),
                        "product_data": {"name": request.description},
                    },
                }
            ],
            "success_url": request.return_url,
            "cancel_url": request.return_url,
            "client_reference_id": request.code,
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "expires_at": int(expires.timestamp()),
        }
        if request.email:
            params["customer_email"] = request.email
        options: stripe.RequestOptions = {"idempotency_key": request.idempotency_key}
        session = await self._call(
            lambda: self._client.v1.checkout.sessions.create(params=params, options=options).to_dict()  # type: ignore[arg-type]  # a plain dict of the documented parameters
        )
        return self._answer(session)

    async def fetch(self, ref: str) -> ProviderPayment:
        return self._answer(await self._call(lambda: self._retrieve(ref)))

    async def cancel(self, ref: str) -> ProviderPayment:
        current = await self.fetch(ref)
        if not current.cancelable:
            return current
        await self._call(lambda: self._client.v1.checkout.sessions.expire(ref))
        return await self.fetch(ref)

    async def refund(self, ref: str, *, amount: Decimal, key: str) -> ProviderRefund:
        session = await self._call(lambda: self._retrieve(ref))
        intent = _id(session.get("payment_intent"))
        if intent is None:
            raise ProviderError("Stripe: the Checkout Session has no PaymentIntent to refund")
        params: dict[str, Any] = {
            "payment_intent": intent,
            "amount": _cents(amount),
            "metadata": {"printapi_payment": str(session.get("client_reference_id") or "")},
        }
        options: stripe.RequestOptions = {"idempotency_key": key}
        refund = await self._call(
            lambda: self._client.v1.refunds.create(params=params, options=options).to_dict()  # type: ignore[arg-type]  # a plain dict of the documented parameters
        )
        status = str(refund.get("status"))
        if status not in REFUNDS:
            raise ProviderError(f"Stripe: unknown refund status {status!r}")
        return ProviderRefund(ref=str(refund["id"]), status=REFUNDS[status])

    def notified(self, *, body: bytes, headers: Mapping[str, str]) -> Notice | None:
        """A signed event, or None (a missing or bad signature, or one older than the tolerance)."""
        try:
            event = stripe.Webhook.construct_event(
                body, headers.get("stripe-signature"), self._webhook_secret, tolerance=self._tolerance
            ).to_dict()
        except (stripe.SignatureVerificationError, ValueError):
            return None
        kind = event.get("type")
        data = event.get("data")
        found = data.get("object") if isinstance(data, Mapping) else None
        thing: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
        if kind in SESSION_EVENTS and isinstance(thing.get("id"), str):
            return Notice(payment_ref=thing["id"])
        if kind in REFUND_EVENTS and isinstance(thing.get("id"), str) and thing.get("status") in REFUNDS:
            return Notice(refund_ref=thing["id"], refund_status=REFUNDS[thing["status"]])
        return Notice()  # an event we do not act on: acknowledged
