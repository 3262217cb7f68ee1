"""What a shipment changes, as events (``kit/events.py``); ``effects.py`` says what each causes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from printapi.kit.events import Event
from printapi.models import Order, Shipment


@dataclass(frozen=True)
class ShipmentRecorded(Event):
    """A parcel of ``order`` left and items are still to ship: the order stays Processing.

    (The parcel that carries the last items moves the order to Shipped instead: an
    ``OrderStatusChanged``.) ``note`` describes the parcel for the status history.
    """

    order: Order
    shipment: Shipment
    source: str
    note: str
    now: datetime
