"""The parcels an order leaves in: each shipment with its carrier and tracking, and what it carries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from printapi.kit.db import UTCDateTime
from printapi.models.base import Base


class Shipment(Base):
    """One parcel of an order, numbered 1, 2, … in the order it was recorded."""

    __tablename__ = "shipments"

    pk: Mapped[int] = mapped_column(primary_key=True)
    order_pk: Mapped[int] = mapped_column(ForeignKey("orders.pk", ondelete="CASCADE"))
    number: Mapped[int]
    carrier: Mapped[str | None] = mapped_column(String(64))
    tracking_code: Mapped[str | None] = mapped_column(String(128))
    tracking_url: Mapped[str | None] = mapped_column(String(512))
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Who recorded it: operator (API, console), cli, simulator, or a move to Shipped (its rest).
    source: Mapped[str] = mapped_column(String(16))

    items: Mapped[list[ShipmentItem]] = relationship(
        lazy="raise", order_by="ShipmentItem.pk", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("order_pk", "number", name="uq_shipments_order_number"),)


class ShipmentItem(Base):
    """How many of one item of the order a shipment carries."""

    __tablename__ = "shipment_items"

    pk: Mapped[int] = mapped_column(primary_key=True)
    shipment_pk: Mapped[int] = mapped_column(ForeignKey("shipments.pk", ondelete="CASCADE"))
    item_pk: Mapped[int] = mapped_column(ForeignKey("order_items.pk", ondelete="CASCADE"), index=True)
    # The item's id as the shop knows it (order_items.id), kept so the wire needs no join.
    item_id: Mapped[str] = mapped_column(String(36))
    quantity: Mapped[int]

    __table_args__ = (UniqueConstraint("shipment_pk", "item_pk", name="uq_shipment_items_shipment_item"),)
