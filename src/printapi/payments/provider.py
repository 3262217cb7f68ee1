"""Payment providers: how a customer pays, and how we learn the outcome.

A provider turns the payment page into a page of its own or a redirect to its checkout
(``start``), and turns what comes back — its callback, or here the test page's form — into an
outcome (``confirm``), verified: a forged callback gives nothing. Applying an outcome is a
compare-and-set on ``Open``, so the same callback twice changes nothing the second time.
Mollie or Stripe fit the same protocol: ``start`` redirects to their hosted checkout; ``confirm``
fetches the payment's status from their API by the id in the callback.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from printapi.payments.states import PaymentStatus


@dataclass(frozen=True)
class Render:
    """Show our own page (the test provider's choice of outcome)."""

    template: str


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
        return Render("test_payment.html")

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
