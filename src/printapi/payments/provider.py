"""Payment providers: how a customer pays, and how we learn the outcome.

Two kinds take payments:

- the **test provider** (``TestProvider``): our own page offers Successful, Failed and Cancelled;
  its form carries a token only the rendered page knows (``confirm``). Test orders always pay
  here, and in development live ones do too;
- a **hosted provider** (``HostedProvider``: Mollie, Stripe, in ``mollie_provider.py`` and
  ``stripe_provider.py``): our page hands the customer to the provider's checkout
  (``create``) and the provider tells us through notifications. A notification only names the
  provider's payment (``notified``, verified where the provider signs); the outcome is always
  what the provider's API answers about it (``fetch``), so a forged, repeated or late
  notification can settle nothing the provider did not say. ``cancel`` and ``refund`` end and pay
  back a provider payment; every provider call may raise ``ProviderError`` (timeouts, 5xx, bad
  answers), and whoever called retries later (``tasks.py``).

Applying an outcome is a compare-and-set on ``Open`` (``service.settle``), so the same answer
twice changes nothing the second time. Which provider takes an order's payment is the
composition root's choice (``runtime.payments``, a ``PaymentProviders``): test orders always the
test provider, live ones the configured one; tests swap it there.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from printapi.config import Settings
from printapi.kit.errors import Forbidden
from printapi.payments.states import PaymentStatus, RefundStatus


@dataclass(frozen=True)
class Confirmation:
    outcome: PaymentStatus
    reference: str


class TestProvider:
    """Print API's test environment: the customer picks Successful, Failed or Cancelled.

    The form carries a token made from the payment code with the server's secret key, so the
    outcome can only be posted from the page we rendered.
    """

    name = "test"
    __test__ = False  # not a pytest test class

    def __init__(self, secret_key: str) -> None:
        self._key = secret_key.encode()

    def token(self, code: str) -> str:
        return hmac.new(self._key, f"test-payment:{code}".encode(), hashlib.sha256).hexdigest()

    def confirm(self, *, code: str, form: Mapping[str, str]) -> Confirmation | None:
        """The verified outcome of the page's form, or None when it is not genuine."""
        if not hmac.compare_digest(form.get("token", ""), self.token(code)):
            return None
        try:
            outcome = PaymentStatus(form.get("outcome", ""))
        except ValueError:
            return None
        if outcome is PaymentStatus.OPEN:
            return None
        return Confirmation(outcome, reference=f"test-{code}")


class ProviderError(Exception):
    """The provider could not be reached, timed out, or answered with an error: nothing is known,
    nothing changes, and the call is made again later. The message never carries a key."""


@dataclass(frozen=True)
class CheckoutRequest:
    """A provider payment to create for one of our payments."""

    code: str  # our payment's code: the provider keeps it as metadata / client reference
    order_id: str
    amount: Decimal  # euros incl. VAT
    description: str
    return_url: str  # where the provider sends the customer back (our return page)
    notify_url: str  # where the provider reports (Mollie's webhookUrl; Stripe's is per account)
    expires_at: datetime  # our link's end (Stripe Checkout expires then, within its limits)
    email: str | None
    idempotency_key: str  # the same key for the same attempt: a double click makes one payment
    now: datetime


@dataclass(frozen=True)
class ProviderPayment:
    """What the provider's API answered about one of its payments: a verified answer."""

    ref: str  # Mollie tr_…, Stripe cs_…
    outcome: PaymentStatus  # Open while it can still be paid (open, pending, authorized)
    amount: Decimal | None = None  # euros
    checkout_url: str | None = None
    method: str | None = None
    # The provider may still end it (Mollie isCancelable; an open Stripe Checkout Session).
    cancelable: bool = False
    expired: bool = False  # ended by the provider's own expiry (not by the customer)
    refunded: bool = False  # paid back in full


@dataclass(frozen=True)
class ProviderRefund:
    ref: str
    status: RefundStatus


@dataclass(frozen=True)
class Notice:
    """What a verified notification is about: a provider payment to fetch, or a refund's news."""

    payment_ref: str | None = None
    refund_ref: str | None = None
    refund_status: RefundStatus | None = None


class HostedProvider(Protocol):
    name: str

    async def create(self, request: CheckoutRequest) -> ProviderPayment: ...

    async def fetch(self, ref: str) -> ProviderPayment: ...

    async def cancel(self, ref: str) -> ProviderPayment:
        """End the provider payment if it can still be ended; what the provider says of it after."""
        ...

    async def refund(self, ref: str, *, amount: Decimal, key: str) -> ProviderRefund: ...

    def notified(self, *, body: bytes, headers: Mapping[str, str]) -> Notice | None:
        """What a notification is about, or None when it is not genuine (a bad signature)."""
        ...


PaymentProvider = TestProvider | HostedProvider


def _hosted(settings: Settings) -> HostedProvider | None:
    # Imported here: each SDK is loaded only by the deployments that use it.
    if settings.live_provider == "mollie":
        from printapi.payments.mollie_provider import MollieProvider  # noqa: PLC0415 - see above

        return MollieProvider.configured(settings)
    if settings.live_provider == "stripe":
        from printapi.payments.stripe_provider import StripeProvider  # noqa: PLC0415 - see above

        return StripeProvider.configured(settings)
    return None


@dataclass(frozen=True)
class PaymentProviders:
    """Who takes the payments of each environment: test orders always ``test`` (the test
    environment takes no money), live ones ``live``, the configured provider, if there is one."""

    test: TestProvider
    live: PaymentProvider | None

    @classmethod
    def configured(cls, settings: Settings) -> PaymentProviders:
        """The providers the settings name (``PRINTAPI_PAYMENT_PROVIDER``; in development: the test page)."""
        test = TestProvider(settings.secret_key)
        live: PaymentProvider | None = test if settings.live_provider == "test" else _hosted(settings)
        return cls(test=test, live=live)

    def for_environment(self, environment: str) -> PaymentProvider:
        """The provider of an order of ``environment``; 403 for a live order when there is none."""
        provider = self.test if environment == "test" else self.live
        if provider is None:
            raise Forbidden(
                message="No payment provider is configured for live payments.",
                hints=["The print shop sets PRINTAPI_PAYMENT_PROVIDER (mollie or stripe) and its keys."],
            )
        return provider

    def named(self, name: str) -> PaymentProvider | None:
        """The provider that took a payment (by the name stored with it), if it is still configured."""
        for provider in (self.test, self.live):
            if provider is not None and provider.name == name:
                return provider
        return None

    def hosted(self, name: str) -> HostedProvider | None:
        provider = self.named(name)
        return None if provider is None or isinstance(provider, TestProvider) else provider

    @property
    def live_name(self) -> str | None:
        return self.live.name if self.live is not None else None
