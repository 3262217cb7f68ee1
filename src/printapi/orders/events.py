"""What happens to an order, as events (``kit/events.py``); ``effects.py`` says what each causes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from printapi.kit.events import Event
from printapi.models import Order
from printapi.orders.states import OrderStatus


@dataclass(frozen=True)
class OrderStatusChanged(Event):
    """``order`` moved from ``previous`` to ``current``: its row is written (and still locked).

    ``source`` says who moved it (``api``, ``simulator``, ``operator``, ``payment``, ``expiry``,
    ``system``); ``note`` is the tracking URL or the reason, for the status history;
    ``tracking_url`` the one the move was given (a move to Shipped ships the rest with it).
    """

    order: Order
    previous: OrderStatus
    current: OrderStatus
    source: str
    note: str | None
    now: datetime
    tracking_url: str | None = None


@dataclass(frozen=True)
class OrderPlaced(Event):
    """``order`` was stored (status Created), with its history row; its webhooks stay silent."""

    order: Order
    now: datetime
