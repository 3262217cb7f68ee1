"""Concurrent writers: status changes and custom order ids, on SQLite and PostgreSQL.

On SQLite the single writer connection (``BEGIN IMMEDIATE``) serialises the transactions, so a
later contender reads the status the winner left. On PostgreSQL the transactions really overlap:
a barrier makes every contender read ``Created`` before any of them writes, and the
compare-and-set update is all that stands between them and a silent overwrite.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from printapi import effects
from printapi.auth.principal import Principal
from printapi.kit.errors import ConcurrentChange, Conflict, IllegalTransition
from printapi.models import Order, OrderStatusChange
from printapi.orders import repository
from printapi.orders import service as orders
from printapi.orders.schemas import StatusChangeIn
from printapi.orders.states import OrderStatus
from printapi.runtime import Runtime
from tests.conftest import Credentials, order_body
from tests.integration.conftest import make_order_request, make_principal, place

CONTENDERS = 8
TIMEOUT = 30


@pytest.fixture
def principal(shop: Credentials) -> Principal:
    return make_principal(shop)


def _barrier(runtime: Runtime, parties: int) -> asyncio.Barrier | None:
    # The SQLite writer has one connection: a contender waiting at a barrier inside its
    # transaction would hold it while the others wait for it, so there is no barrier there.
    return asyncio.Barrier(parties) if runtime.db.dialect == "postgresql" else None


async def _contend(
    runtime: Runtime,
    principal: Principal,
    order_id: str,
    target: OrderStatus,
    barrier: asyncio.Barrier | None,
) -> OrderStatus | Exception:
    """One contender: its own write transaction, reading the order and moving it."""
    try:
        async with runtime.db.write() as session:
            order = await orders.get_order_head(session, principal=principal, order_id=order_id)
            if barrier is not None:
                await barrier.wait()
            await effects.handle(
                session,
                await orders.change_status(
                    session,
                    order=order,
                    change=StatusChangeIn(status=target),
                    source="operator",
                    now=runtime.clock.now(),
                ),
            )
            return target
    except (ConcurrentChange, IllegalTransition) as lost:
        return lost


async def _moves(runtime: Runtime, order_id: str) -> list[tuple[str, str | None]]:
    async with runtime.db.read() as session:
        rows = await session.execute(
            select(OrderStatusChange.status, OrderStatusChange.previous_status)
            .join(Order, Order.pk == OrderStatusChange.order_pk)
            .where(Order.id == order_id)
            .order_by(OrderStatusChange.pk)
        )
        return [(status, previous) for status, previous in rows]


async def _status(runtime: Runtime, principal: Principal, order_id: str) -> str:
    async with runtime.db.read() as session:
        return (await orders.get_order_head(session, principal=principal, order_id=order_id)).status


class TestConcurrentStatusChanges:
    async def test_of_many_contenders_moving_the_same_order_to_processing_exactly_one_wins(
        self, runtime: Runtime, principal: Principal
    ) -> None:
        order_id = await place(runtime, principal, order_body())
        barrier = _barrier(runtime, CONTENDERS)

        async with asyncio.timeout(TIMEOUT):
            results = await asyncio.gather(
                *(
                    _contend(runtime, principal, order_id, OrderStatus.PROCESSING, barrier)
                    for _ in range(CONTENDERS)
                )
            )

        winners = [r for r in results if r == OrderStatus.PROCESSING]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1
        assert len(losers) == CONTENDERS - 1
        # Overlapping transactions (PostgreSQL) lose the compare-and-set; serialised ones (SQLite)
        # read Processing and are refused by the state machine.
        expected = ConcurrentChange if runtime.db.dialect == "postgresql" else IllegalTransition
        assert all(type(lost) is expected for lost in losers), losers
        assert await _status(runtime, principal, order_id) == "Processing"
        assert await _moves(runtime, order_id) == [("Created", None), ("Processing", "Created")]

    async def test_contenders_that_all_read_created_cannot_both_cancel_and_process_the_order(
        self, runtime: Runtime, principal: Principal
    ) -> None:
        order_id = await place(runtime, principal, order_body())
        targets = [OrderStatus.CANCELLED, OrderStatus.PROCESSING] * (CONTENDERS // 2)
        # Every contender reads Created before any of them writes, on both databases; the move
        # Processing → Cancelled is legal, so only the compare-and-set can stop a late cancel.
        async with runtime.db.read() as session:
            head = await orders.get_order_head(session, principal=principal, order_id=order_id)
        pk = head.pk
        everyone_has_read = asyncio.Barrier(len(targets))

        async def contender(target: OrderStatus) -> OrderStatus | Exception:
            async with runtime.db.read() as session:
                stale = await orders.get_order_head(session, principal=principal, order_id=order_id)
            await everyone_has_read.wait()
            try:
                async with runtime.db.write() as session:
                    session.add(stale)  # the order as this contender read it, now in its transaction
                    await effects.handle(
                        session,
                        await orders.change_status(
                            session,
                            order=stale,
                            change=StatusChangeIn(status=target),
                            source="operator",
                            now=runtime.clock.now(),
                        ),
                    )
                    return target
            except (ConcurrentChange, IllegalTransition) as lost:
                return lost

        async with asyncio.timeout(TIMEOUT):
            results = await asyncio.gather(*(contender(target) for target in targets))

        winners = [r for r in results if isinstance(r, OrderStatus)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1, results
        assert all(type(lost) is ConcurrentChange for lost in losers), losers
        assert await _status(runtime, principal, order_id) == winners[0]
        assert await _moves(runtime, order_id) == [("Created", None), (winners[0], "Created")]
        async with runtime.db.read() as session:
            files = await session.execute(
                text("SELECT status FROM item_files WHERE order_pk = :pk"), {"pk": pk}
            )
            expected_files = "Cancelled" if winners[0] == OrderStatus.CANCELLED else "AwaitingUpload"
            assert set(files.scalars()) == {expected_files}


class TestConcurrentCustomIds:
    async def test_two_orders_placed_at_once_with_the_same_custom_id_give_one_order_and_one_conflict(
        self, runtime: Runtime, principal: Principal
    ) -> None:
        async def attempt() -> str | Exception:
            try:
                return await place(runtime, principal, order_body(id="same-id"))
            except Conflict as conflict:
                return conflict

        async with asyncio.timeout(TIMEOUT):
            results = await asyncio.gather(attempt(), attempt())

        assert Counter(type(r).__name__ for r in results) == {"str": 1, "Conflict": 1}
        conflict = next(r for r in results if isinstance(r, Conflict))
        assert conflict.status == 409
        assert [e.field for e in conflict.errors] == ["id"]
        async with runtime.db.read() as session:
            assert len(await repository.find_by_id(session, order_id="same-id")) == 1
            count = (await session.execute(select(func.count()).select_from(OrderStatusChange))).scalar_one()
            assert count == 1

    @pytest.mark.postgres
    @pytest.mark.parametrize("backend", ["postgres"], indirect=True)
    async def test_an_id_inserted_by_an_open_transaction_is_a_conflict_once_that_one_commits(
        self, runtime: Runtime, principal: Principal
    ) -> None:
        """The unique index, not the existence check, decides: the second insert waits and loses.

        PostgreSQL only: SQLite serialises writers, so there the existence check always sees the
        first order and the previous test covers it.
        """

        async def second() -> str | Exception:
            try:
                return await place(runtime, principal, order_body(id="racing-id"))
            except Conflict as conflict:
                return conflict

        async with asyncio.timeout(TIMEOUT), runtime.db.write() as first:
            await orders.place_order(
                first,
                principal=principal,
                request=make_order_request(order_body(id="racing-id")),
                express_surcharge=Decimal(runtime.settings.express_surcharge),
                now=runtime.clock.now(),
            )
            racing = asyncio.create_task(second())
            # The second transaction has passed its existence check (it cannot see the first
            # order yet) once it waits on the unique index for this transaction to end.
            while not await _someone_waits_on_a_lock(runtime):
                assert not racing.done(), racing.result()
                await asyncio.sleep(0.01)

        result = await asyncio.wait_for(racing, TIMEOUT)
        assert isinstance(result, Conflict), result
        assert result.status == 409
        async with runtime.db.read() as session:
            assert len(await repository.find_by_id(session, order_id="racing-id")) == 1


async def _someone_waits_on_a_lock(runtime: Runtime) -> bool:
    async with runtime.db.read() as session:
        waiting = await session.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )
        return bool(waiting.scalar_one())
