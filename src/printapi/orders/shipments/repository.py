"""SQL for an order's shipments (part of the order's aggregate: its rows go with the order)."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.models import Order, OrderItem, Shipment, ShipmentItem


async def items_of(session: AsyncSession, *, order_pk: int) -> list[OrderItem]:
    """The order's items in their order (no files)."""
    query = select(OrderItem).where(OrderItem.order_pk == order_pk).order_by(OrderItem.position)
    return list((await session.execute(query)).scalars())


async def shipped_per_item(session: AsyncSession, *, order_pk: int) -> dict[int, int]:
    """How many of each item (by its key) the order's shipments carry so far."""
    query = (
        select(ShipmentItem.item_pk, func.sum(ShipmentItem.quantity))
        .join(Shipment, Shipment.pk == ShipmentItem.shipment_pk)
        .where(Shipment.order_pk == order_pk)
        .group_by(ShipmentItem.item_pk)
    )
    return {row[0]: int(row[1]) for row in await session.execute(query)}


async def last_number(session: AsyncSession, *, order_pk: int) -> int:
    """The number of the order's latest shipment; 0 when it has none."""
    query = select(func.coalesce(func.max(Shipment.number), 0)).where(Shipment.order_pk == order_pk)
    return int((await session.execute(query)).scalar_one())


async def add(session: AsyncSession, shipment: Shipment) -> Shipment:
    """A new shipment with its lines (the unique number per order decides a concurrent tie)."""
    session.add(shipment)
    await session.flush()
    return shipment


async def set_first_tracking_url(session: AsyncSession, *, order_pk: int, tracking_url: str) -> bool:
    """The order's ``trackingUrl`` becomes this one unless an earlier parcel gave it one."""
    result = await session.execute(
        update(Order)
        .where(Order.pk == order_pk, Order.tracking_url.is_(None))
        .values(tracking_url=tracking_url)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult of a DML statement
