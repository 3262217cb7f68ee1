"""Shipments on the wire: what the operator records, and the ``shipments`` member of an order."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, StrictInt, StrictStr

from printapi.kit.schema import LocalDateTime, Members, WireModel, WireOut
from printapi.models import Order, Shipment
from printapi.orders.states import OrderStatus

QUANTITY_MAX = 1_000_000


class ShipmentItemIn(WireModel):
    item_id: Annotated[StrictStr, Field(min_length=1, max_length=36)]
    quantity: Annotated[StrictInt, Field(ge=1, le=QUANTITY_MAX)]


class ShipmentIn(WireModel):
    """One parcel. Without ``items`` it carries everything that is left to ship."""

    carrier: Annotated[StrictStr, Field(max_length=64)] | None = None
    tracking_code: Annotated[StrictStr, Field(max_length=128)] | None = None
    tracking_url: Annotated[StrictStr, Field(max_length=512)] | None = None
    items: Annotated[list[ShipmentItemIn], Field(min_length=1, max_length=100)] | None = None


class ShipmentItemOut(WireOut):
    item_id: str
    quantity: int


class ShipmentOut(WireOut):
    """Extension: one parcel of the order, with what it carries and when it left."""

    number: int
    carrier: str | None = None
    tracking_code: str | None = None
    tracking_url: str | None = None
    items: list[ShipmentItemOut]
    date_time: LocalDateTime

    @classmethod
    def of(cls, shipment: Shipment) -> Self:
        return cls(**shipment_of(shipment))


def shipment_of(shipment: Shipment) -> Members:
    return {
        "number": shipment.number,
        "carrier": shipment.carrier,
        "tracking_code": shipment.tracking_code,
        "tracking_url": shipment.tracking_url,
        "items": [{"item_id": line.item_id, "quantity": line.quantity} for line in shipment.items],
        "date_time": shipment.shipped_at,
    }


def shipments_of(order: Order) -> list[Members]:
    """The order's parcels, first first (the order's ``shipments`` member)."""
    return [shipment_of(shipment) for shipment in order.shipments]


class RecordedShipmentOut(WireOut):
    """What recording a shipment did: the order's status after it, the parcel, and what is left."""

    id: str
    status: OrderStatus
    shipment: ShipmentOut
    left: list[ShipmentItemOut]

    @classmethod
    def of(cls, order: Order, shipment: Shipment, left: dict[str, int]) -> Self:
        return cls(
            id=order.id,
            status=order.status,
            shipment=shipment_of(shipment),
            left=[
                {"item_id": item_id, "quantity": quantity} for item_id, quantity in left.items() if quantity
            ],
        )
