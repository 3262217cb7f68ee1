"""Concurrent parcels of one order, on SQLite and PostgreSQL: none ships more than was ordered.

On PostgreSQL a barrier makes every contender read the order before any of them records its
parcel; ``shipments.record`` locks the order's row first, so each one checks what the others
left. On SQLite the one writer serialises them.
"""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlalchemy import select

from printapi import effects
from printapi.auth.principal import Principal
from printapi.kit.errors import Forbidden, InvalidInput
from printapi.models import Order, Shipment, ShipmentItem
from printapi.orders import service as orders
from printapi.orders.schemas import StatusChangeIn
from printapi.orders.shipments import service as shipments
from printapi.orders.shipments.schemas import ShipmentIn, ShipmentItemIn
from printapi.orders.states import OrderStatus
from printapi.runtime import Runtime
from tests.conftest import Credentials, book_item, order_body
from tests.integration.conftest import make_principal, place

CONTENDERS = 6
TIMEOUT = 30


async def _contend(
    runtime: Runtime, principal: Principal, order_id: str, barrier: asyncio.Barrier | None
) -> str:
    """One contender: its own transaction, a parcel of one copy of item "a"."""
    try:
        async with runtime.db.write() as session:
            order = await orders.get_order_head(session, principal=principal, order_id=order_id)
            if barrier is not None:
                await barrier.wait()
            recorded = await shipments.record(
                session,
                order=order,
                request=ShipmentIn(items=[ShipmentItemIn(item_id="a", quantity=1)]),
                source="operator",
                now=runtime.clock.now(),
            )
            await effects.handle(session, *recorded.events)
            return "recorded"
    except InvalidInput:
        return "nothing left"
    except Forbidden:
        return "already shipped"


class TestConcurrentParcels:
    async def test_six_parcels_of_one_copy_for_three_copies_record_three_and_ship_the_order(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        principal = make_principal(shop)
        order_id = await place(runtime, principal, order_body(book_item(id="a", quantity=3)))
        async with runtime.db.write() as session:
            order = await orders.get_order_head(session, principal=principal, order_id=order_id)
            moved = await orders.change_status(
                session,
                order=order,
                change=StatusChangeIn(status=OrderStatus.PROCESSING),
                source="operator",
                now=runtime.clock.now(),
            )
            await effects.handle(session, moved)
        barrier = asyncio.Barrier(CONTENDERS) if runtime.db.dialect == "postgresql" else None

        async with asyncio.timeout(TIMEOUT):
            outcomes = await asyncio.gather(
                *(_contend(runtime, principal, order_id, barrier) for _ in range(CONTENDERS))
            )

        assert Counter(outcomes)["recorded"] == 3
        assert set(outcomes) <= {"recorded", "nothing left", "already shipped"}
        async with runtime.db.read() as session:
            status = (await session.execute(select(Order.status))).scalar_one()
            numbers = (
                (await session.execute(select(Shipment.number).order_by(Shipment.number))).scalars().all()
            )
            carried = (await session.execute(select(ShipmentItem.quantity))).scalars().all()
        assert status == OrderStatus.SHIPPED
        assert numbers == [1, 2, 3]
        assert sum(carried) == 3
