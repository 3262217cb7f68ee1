"""What happens to a payment, as events (``kit/events.py``); ``effects.py`` says what each causes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from printapi.kit.events import Event
from printapi.models import Order
from printapi.payments.states import PaymentStatus


@dataclass(frozen=True)
class PaymentSettled(Event):
    """An Open payment got its ``outcome``: its row is written, and ``order`` (its order) is
    locked, as it was before the payment's row (every path takes the order's row first)."""

    payment_pk: int
    order: Order
    outcome: PaymentStatus
    source: str
    now: datetime


@dataclass(frozen=True)
class TestClockAdvanced(Event):
    """A shop moved time forward by ``by`` for its test order: what waits on a clock for the order
    elsewhere (its webhook retries) falls due that much sooner."""

    __test__ = False  # not a pytest test class

    order_pk: int
    by: timedelta
    now: datetime
