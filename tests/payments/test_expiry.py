"""An unpaid payment link expires (spec §3.9: 24 hours), exactly once, even racing the customer.

Time is the runtime's FixedClock. On SQLite the single writer connection serialises the racing
transactions; on PostgreSQL they truly overlap (a barrier lets both start before either writes).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from printapi import effects
from printapi.kit.clock import FixedClock
from printapi.payments import service
from printapi.payments.states import PaymentStatus
from printapi.runtime import Runtime
from printapi.worker import expire_payments
from tests.payments.conftest import (
    PrintFiles,
    checkout_body,
    choose,
    history,
    path_of,
    payment_notes,
    place,
    read_order,
    set_up,
    statuses,
    upload_all,
)

DAY = timedelta(hours=24)
# Access tokens outlive the days the clock is moved on here (they last 4 hours by default).
LONG_TOKENS = {"token_ttl_seconds": 30 * 24 * 3600}
SECOND = timedelta(seconds=1)
RACES = 5


@pytest.fixture
def settings_overrides(files_dir: Path) -> dict[str, Any]:
    return {"storage_dir": str(files_dir), **LONG_TOKENS}


async def open_payment(client: httpx.AsyncClient, headers: dict[str, str]) -> tuple[dict[str, Any], str]:
    """An order with an Open payment: (the order, the payment's code)."""
    order = await place(client, headers)
    checkout = await set_up(client, headers, order)
    code = path_of(checkout["paymentUrl"]).split("/")[3]
    return order, code


async def expire(runtime: Runtime, *, worker: str = "test-worker") -> int:
    """The expiry job as the worker runs it: its claim, then its expiries with their effects."""
    return await expire_payments(runtime, worker=worker)


class TestAnExpiredLinkBeforeTheJobRuns:
    async def test_setting_it_up_again_is_refused_and_changes_nothing(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime, clock: FixedClock
    ) -> None:
        order, _ = await open_payment(client, paying_headers)
        clock.advance(DAY + SECOND)

        again = await client.post(
            path_of(order["checkout"]["setupUrl"]), json=checkout_body(), headers=paying_headers
        )

        assert again.status_code == 403, again.text
        assert "expired" in again.json()["message"]
        assert await expire(runtime) == 1  # still the job's to cancel, once


class TestAnUnpaidPaymentExpires:
    async def test_a_second_before_the_ttl_nothing_happens(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime, clock: FixedClock
    ) -> None:
        order, _ = await open_payment(client, paying_headers)
        clock.advance(DAY - SECOND)

        assert await expire(runtime) == 0
        assert await statuses(client, paying_headers, order["id"]) == {
            "id": order["id"],
            "order": "Created",
            "payment": "Open",
        }

    async def test_past_the_ttl_the_payment_and_the_order_are_cancelled(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime, clock: FixedClock
    ) -> None:
        order, _ = await open_payment(client, paying_headers)
        clock.advance(DAY + SECOND)

        expired = await expire(runtime)

        assert expired == 1
        after = await read_order(client, paying_headers, order["id"])
        assert (after["status"], after["checkout"]["status"]) == ("Cancelled", "Cancelled")
        assert {file["status"] for file in after["items"][0]["files"].values()} == {"Cancelled"}
        assert await history(client, paying_headers) == ["Created", "Cancelled"]
        assert await payment_notes(runtime, order["id"]) == ["payment cancelled"]

    async def test_it_happens_exactly_once(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime, clock: FixedClock
    ) -> None:
        order, _ = await open_payment(client, paying_headers)
        clock.advance(DAY + SECOND)

        first = await expire(runtime)
        clock.advance(DAY)
        second = await expire(runtime)

        assert (first, second) == (1, 0)
        assert await payment_notes(runtime, order["id"]) == ["payment cancelled"]

    async def test_two_workers_at_once_expire_it_once(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime, clock: FixedClock
    ) -> None:
        order, _ = await open_payment(client, paying_headers)
        clock.advance(DAY + SECOND)

        counts = await asyncio.gather(expire(runtime, worker="one"), expire(runtime, worker="two"))

        assert sorted(counts) == [0, 1]
        assert await payment_notes(runtime, order["id"]) == ["payment cancelled"]

    async def test_the_worker_job_expires_it(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime, clock: FixedClock
    ) -> None:
        order, _ = await open_payment(client, paying_headers)
        clock.advance(DAY + SECOND)

        assert await expire_payments(runtime) == 1
        assert await expire_payments(runtime) == 0
        assert (await statuses(client, paying_headers, order["id"]))["order"] == "Cancelled"

    async def test_the_ttl_counts_from_the_checkout_setup(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime, clock: FixedClock
    ) -> None:
        order = await place(client, paying_headers)
        clock.advance(timedelta(hours=20))
        await set_up(client, paying_headers, order)
        clock.advance(timedelta(hours=20))

        early = await expire(runtime)
        clock.advance(timedelta(hours=4) + SECOND)
        late = await expire(runtime)

        assert (early, late) == (0, 1)

    async def test_an_expired_link_can_no_longer_be_paid(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime, clock: FixedClock
    ) -> None:
        order = await place(client, paying_headers)
        checkout = await set_up(client, paying_headers, order)
        page = await client.get(path_of(checkout["paymentUrl"]))
        token = page.text.split('name="token" value="')[1].split('"')[0]
        clock.advance(DAY + SECOND)
        await expire(runtime)

        response = await choose(client, checkout["paymentUrl"], "Successful", token=token)

        assert response.status_code == 303, response.text
        assert (await statuses(client, paying_headers, order["id"]))["payment"] == "Cancelled"
        assert await payment_notes(runtime, order["id"]) == ["payment cancelled"]


class TestTheTtlSetting:
    @pytest.fixture
    def settings_overrides(self, files_dir: Path) -> dict[str, Any]:
        return {"storage_dir": str(files_dir), "payment_ttl_seconds": 600, **LONG_TOKENS}

    async def test_printapi_payment_ttl_seconds_sets_how_long_a_link_lives(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime, clock: FixedClock
    ) -> None:
        await open_payment(client, paying_headers)

        clock.advance(timedelta(seconds=599))
        early = await expire(runtime)
        clock.advance(timedelta(seconds=2))
        late = await expire(runtime)

        assert (early, late) == (0, 1)


class TestAFinishedPaymentIsLeftAlone:
    @pytest.mark.parametrize("outcome", ["Successful", "Failed", "Cancelled"])
    async def test_a_payment_finished_before_the_ttl_does_not_expire(
        self,
        client: httpx.AsyncClient,
        paying_headers: dict[str, str],
        runtime: Runtime,
        clock: FixedClock,
        outcome: str,
    ) -> None:
        order = await place(client, paying_headers)
        checkout = await set_up(client, paying_headers, order)
        clock.advance(DAY - SECOND)
        await choose(client, checkout["paymentUrl"], outcome)
        rows_before = await history(client, paying_headers)
        clock.advance(DAY)

        assert await expire(runtime) == 0
        assert (await statuses(client, paying_headers, order["id"]))["payment"] == outcome
        assert await history(client, paying_headers) == rows_before


async def _pay(runtime: Runtime, code: str, barrier: asyncio.Barrier | None) -> bool:
    """The customer's confirmation, in a write transaction of its own."""
    async with runtime.db.write() as session:
        payment, _ = await service.by_payment_code(session, code=code)
        if barrier is not None:
            await barrier.wait()
        settled = await service.settle(
            session,
            payment=payment,
            outcome=PaymentStatus.SUCCESSFUL,
            source="payment",
            now=runtime.clock.now(),
            ref="race",
        )
        await effects.handle(session, settled)
        return settled is not None


async def _expire(runtime: Runtime, barrier: asyncio.Barrier | None) -> int:
    """The expiry job as the worker runs it: its claim commits, then its expiries (with what they
    cause) are written in a write transaction of their own, which the barrier holds open."""
    worker, now = "race-worker", runtime.clock.now()
    async with runtime.db.write() as session:
        due = await service.claim_expired(session, worker=worker, now=now)
    expired = 0
    async with runtime.db.write() as session:
        await session.execute(text("SELECT 1"))
        if barrier is not None:
            await barrier.wait()
        for payment in due:
            settled = await service.expire(session, payment=payment, worker=worker, now=now)
            await effects.handle(session, settled)
            expired += settled is not None
    return expired


class TestExpiryRacingASuccessfulPayment:
    async def test_exactly_one_of_the_two_wins_every_time(
        self,
        client: httpx.AsyncClient,
        paying_headers: dict[str, str],
        runtime: Runtime,
        clock: FixedClock,
        print_files: PrintFiles,
    ) -> None:
        winners: Counter[str] = Counter()
        for _ in range(RACES):
            order, code = await open_payment(client, paying_headers)
            await upload_all(client, paying_headers, order, print_files)
            clock.advance(DAY + SECOND)
            # The SQLite writer has one connection: a barrier inside a transaction would deadlock.
            barrier = asyncio.Barrier(2) if runtime.db.dialect == "postgresql" else None

            paid, expired = await asyncio.gather(_pay(runtime, code, barrier), _expire(runtime, barrier))

            assert (paid, expired) in {(True, 0), (False, 1)}
            state = await statuses(client, paying_headers, order["id"])
            notes = await payment_notes(runtime, order["id"])
            if paid:
                winners["payment"] += 1
                assert (state["payment"], state["order"]) == ("Successful", "Processing")
                assert notes == ["payment Successful"]
            else:
                winners["expiry"] += 1
                assert (state["payment"], state["order"]) == ("Cancelled", "Cancelled")
                assert notes == ["payment cancelled"]
        assert sum(winners.values()) == RACES

    async def test_the_loser_changes_nothing_afterwards(
        self, client: httpx.AsyncClient, paying_headers: dict[str, str], runtime: Runtime, clock: FixedClock
    ) -> None:
        order, code = await open_payment(client, paying_headers)
        clock.advance(DAY + SECOND)
        barrier = asyncio.Barrier(2) if runtime.db.dialect == "postgresql" else None
        await asyncio.gather(_pay(runtime, code, barrier), _expire(runtime, barrier))
        settled = await statuses(client, paying_headers, order["id"])
        rows = await history(client, paying_headers)

        assert await _pay(runtime, code, None) is False
        assert await _expire(runtime, None) == 0
        assert await statuses(client, paying_headers, order["id"]) == settled
        assert await history(client, paying_headers) == rows
