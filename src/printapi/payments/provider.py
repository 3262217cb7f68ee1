"""Payment providers: how a customer pays, and how we learn the outcome.

A provider turns the payment page into a page of its own or a redirect to its checkout
(``start``), and turns what comes back — its callback, or here the test page's form — into an
outcome (``confirm``), verified: a forged callback gives nothing. Applying an outcome is a
compare-and-set on ``Open``, so the same callback twice changes nothing the second time.
Mollie or Stripe fit the same protocol: ``start`` redirects to their hosted checkout; ``confirm``
fetches the payment's status from their API by the id in the callback.

Which provider takes an order's payment is the composition root's choice (``runtime.payments``,
a ``PaymentProviders``): test orders always the test provider, live ones the configured one.
Tests swap it there.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from printapi.config import Settings
from printapi.kit.errors import Forbidden
from printapi.payments.states import PaymentStatus


@dataclass(frozen=True)
class Render:
    """Show our own page (the test provider's choice of outcome), whose form posts ``fields``
    back with the outcome."""

    template: str
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Redirect:
    """Send the customer to the provider's checkout."""

    url: str


@dataclass(frozen=True)
class Confirmation:
    outcome: PaymentStatus
    reference: str


class PaymentProvider(Protocol):
    name: str

    def start(self, *, code: str) -> Render | Redirect: ...

    def confirm(self, *, code: str, form: Mapping[str, str]) -> Confirmation | None:
        """The verified outcome of a callback, or None when it is not genuine."""
        ...


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

    def start(self, *, code: str) -> Render:
        return Render("test_payment.html", fields={"token": self.token(code)})

    def confirm(self, *, code: str, form: Mapping[str, str]) -> Confirmation | None:
        if not hmac.compare_digest(form.get("token", ""), self.token(code)):
            return None
        try:
            outcome = PaymentStatus(form.get("outcome", ""))
        except ValueError:
            return None
        if outcome is PaymentStatus.OPEN:
            return None
        return Confirmation(outcome, reference=f"test-{code}")


@dataclass(frozen=True)
class PaymentProviders:
    """Who takes the payments of each environment: test orders always ``test`` (the test
    environment takes no money), live ones ``live``, the configured provider, if there is one."""

    test: PaymentProvider
    live: PaymentProvider | None

    @classmethod
    def configured(cls, settings: Settings) -> PaymentProviders:
        """The providers ``PRINTAPI_LIVE_PAYMENT_PROVIDER`` names (in development: the test page)."""
        test = TestProvider(settings.secret_key)
        return cls(test=test, live=test if settings.live_provider == "test" else None)

    def for_environment(self, environment: str) -> PaymentProvider:
        """The provider of an order of ``environment``; 403 for a live order when there is none."""
        provider = self.test if environment == "test" else self.live
        if provider is None:
            raise Forbidden(
                message="No payment provider is configured for live payments.",
                hints=["Live payments need a payment provider, which this server does not have yet."],
            )
        return provider
