"""A customer's payment confirmation overlapping the order's cancellation (PostgreSQL only).

The confirmation reads the payment and its order, then the order is cancelled and committed by
someone else (the shop's simulator, an operator), then the confirmation settles. Only PostgreSQL
lets the two writers overlap; SQLite's single writer serialises them (see test_payment_page.py
for the same cancellation, one after the other).
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import text

from printapi import effects
from printapi.orders import service as orders
from printapi.orders.schemas import StatusChangeIn
from printapi.orders.states import OrderStatus
from printapi.payments import service
from printapi.payments.states import PaymentStatus
from printapi.runtime import Runtime
from tests.conftest import Backend
from tests.payments.conftest import PrintFiles, history, path_of, place, set_up, statuses, upload_all


@pytest.fixture(params=[pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> Backend:
    """PostgreSQL only: SQLite's single writer cannot let two write transactions overlap."""
    result: Backend = request.getfixturevalue("postgres_backend")
    return result


async def cancel(runtime: Runtime, order_pk: int) -> None:
    async with runtime.db.write() as session:
        order = await orders.lock(session, order_pk=order_pk)
        await effects.handle(
            session,
            await orders.change_status(
                session,
                order=order,
                change=StatusChangeIn(status=OrderStatus.CANCELLED),
                source="operator",
                now=runtime.clock.now(),
            ),
        )


class TestAPaymentConfirmedWhileTheOrderIsCancelled:
    @pytest.mark.parametrize("files", ["waiting", "accepted"])
    async def test_the_order_stays_cancelled_unpaid_and_its_history_ends_cancelled(
        self,
        client: httpx.AsyncClient,
        paying_headers: dict[str, str],
        runtime: Runtime,
        print_files: PrintFiles,
        files: str,
    ) -> None:
        order = await place(client, paying_headers)
        if files == "accepted":
            await upload_all(client, paying_headers, order, print_files)
        checkout = await set_up(client, paying_headers, order)
        code = path_of(checkout["paymentUrl"]).split("/")[3]

        async with runtime.db.write() as session:
            payment, head = await service.by_payment_code(session, code=code)
            await cancel(runtime, head.pk)  # committed while the confirmation is under way
            await effects.handle(
                session,
                await service.settle(
                    session,
                    payment=payment,
                    outcome=PaymentStatus.SUCCESSFUL,
                    source="payment",
                    now=runtime.clock.now(),
                ),
            )

        rows = await history(client, paying_headers)
        # sync/statuses must not take the order back to Created after it was Cancelled.
        assert "Created" not in rows[rows.index("Cancelled") :], rows
        state = await statuses(client, paying_headers, order["id"])
        assert state["order"] == "Cancelled"
        assert state["payment"] != "Successful"


RACES = 5


async def _pay(runtime: Runtime, code: str, barrier: asyncio.Barrier) -> bool:
    async with runtime.db.write() as session:
        payment, _ = await service.by_payment_code(session, code=code)
        await barrier.wait()
        now = runtime.clock.now()
        settled = await service.settle(
            session, payment=payment, outcome=PaymentStatus.SUCCESSFUL, source="payment", now=now
        )
        await effects.handle(session, settled)
        return settled is not None


async def _cancel(runtime: Runtime, order_id: str, barrier: asyncio.Barrier) -> None:
    """The print shop cancels, the way the operator API and the console do."""
    async with runtime.db.write() as session:
        await session.execute(text("SELECT 1"))
        await barrier.wait()
        await effects.handle(
            session,
            await orders.operator_set_status(
                session,
                order_id=order_id,
                account_id=None,
                change=StatusChangeIn(status=OrderStatus.CANCELLED),
                now=runtime.clock.now(),
            ),
        )


class TestAPaymentAndACancellationAtTheSameMoment:
    async def test_neither_deadlocks_and_the_order_ends_cancelled(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime
    ) -> None:
        """Both take the order's row before the payment's, so PostgreSQL never has to abort one."""
        for _ in range(RACES):
            order = await place(client, paying_headers)
            checkout = await set_up(client, paying_headers, order)
            code = path_of(checkout["paymentUrl"]).split("/")[3]
            barrier = asyncio.Barrier(2)

            paid, _ = await asyncio.gather(
                _pay(runtime, code, barrier), _cancel(runtime, order["id"], barrier)
            )

            state = await statuses(client, paying_headers, order["id"])
            assert state["order"] == "Cancelled"
            assert state["payment"] == ("Successful" if paid else "Cancelled")
