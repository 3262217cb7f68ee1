"""The per-endpoint claim (``kit/claim.py`` through ``webhooks.repository.attempts.claim``), both databases.

Each claim takes the oldest due notifications of every endpoint below its cap, up to the room
that endpoint has left, counting the leases of every worker; a backlog behind endpoints at their
cap must not hide the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncSession

from printapi.auth.principal import Environment, Principal
from printapi.kit.outbound import OutboundGuard
from printapi.models import WebhookEndpoint, WebhookNotification
from printapi.runtime import Runtime
from printapi.webhooks import service
from printapi.webhooks.repository import attempts
from printapi.webhooks.repository.attempts import Claimed
from printapi.webhooks.states import NotificationKind, NotificationStatus
from tests.conftest import Credentials

CAP = 8
GUARD = OutboundGuard()


async def endpoint(runtime: Runtime, shop: Credentials, name: str, *, concurrency: int | None = CAP) -> int:
    """An endpoint whose slow start is over (``concurrency`` at the cap), unless told otherwise
    (None: as created)."""
    async with runtime.db.write() as session:
        created = await service.create_endpoint(
            session,
            account_id=shop.account_id,
            environment="test",
            url=f"https://{name}.example/hook",
            guard=GUARD,
            now=runtime.clock.now(),
        )
        if concurrency is not None:
            created.concurrency = concurrency
            await session.flush()
        return created.pk


async def concurrency_of(runtime: Runtime, endpoint_pk: int) -> int:
    async with runtime.db.read() as session:
        found = await session.get(WebhookEndpoint, endpoint_pk)
        assert found is not None
        return found.concurrency


async def adjust(runtime: Runtime, *, succeeded: set[int], failed: set[int], maximum: int = CAP) -> None:
    async with runtime.db.write() as session:
        await attempts.adjust_concurrency(session, succeeded=succeeded, failed=failed, maximum=maximum)


async def queue(
    runtime: Runtime, shop: Credentials, endpoint_pk: int, count: int, *, due: datetime
) -> list[int]:
    """``count`` pending notifications of one endpoint, due at ``due``, one microsecond apart."""
    rows = [
        WebhookNotification(
            id=f"msg_{endpoint_pk}_{due.timestamp():.0f}_{n}",
            endpoint_pk=endpoint_pk,
            account_id=shop.account_id,
            order_pk=None,
            order_id=None,
            kind=NotificationKind.PING,
            status=NotificationStatus.PENDING,
            attempts=0,
            next_attempt_at=due + timedelta(microseconds=n),
            created_at=due,
            changed_at=due,
        )
        for n in range(count)
    ]
    async with runtime.db.write() as session:
        session.add_all(rows)
        await session.flush()
        return [row.pk for row in rows]


async def claim(
    runtime: Runtime, *, worker: str = "worker-a", limit: int = 100, at: datetime | None = None
) -> list[Claimed]:
    async with runtime.db.write() as session:
        return await claim_in(session, runtime, worker=worker, limit=limit, at=at)


async def claim_in(
    session: AsyncSession,
    runtime: Runtime,
    *,
    worker: str = "worker-a",
    limit: int = 100,
    at: datetime | None = None,
) -> list[Claimed]:
    return await attempts.claim(
        session, now=at or runtime.clock.now(), worker=worker, lease_seconds=30, limit=limit, per_endpoint=CAP
    )


def by_endpoint(claimed: list[Claimed]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for item in claimed:
        counts[item.endpoint_pk] = counts.get(item.endpoint_pk, 0) + 1
    return counts


class TestPerEndpointClaim:
    async def test_an_endpoint_gets_its_cap_and_the_oldest_rows_first(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        one = await endpoint(runtime, shop, "one")
        now = runtime.clock.now()
        keys = await queue(runtime, shop, one, 30, due=now - timedelta(minutes=1))

        claimed = await claim(runtime)

        assert [item.pk for item in claimed] == keys[:CAP]
        assert await claim(runtime, worker="worker-b") == []  # every slot is taken, by any worker

    async def test_each_claim_binds_its_own_cap_and_limit(self, runtime: Runtime, shop: Credentials) -> None:
        """The claim's statement is built once per process; the cap and the limit of each call
        must still be that call's."""
        one = await endpoint(runtime, shop, "one")
        keys = await queue(runtime, shop, one, 30, due=runtime.clock.now() - timedelta(minutes=1))

        async def claim_with(cap: int, limit: int) -> list[int]:
            async with runtime.db.write() as session:
                claimed = await attempts.claim(
                    session,
                    now=runtime.clock.now(),
                    worker="worker-a",
                    lease_seconds=30,
                    limit=limit,
                    per_endpoint=cap,
                )
            return [item.pk for item in claimed]

        assert await claim_with(cap=2, limit=100) == keys[:2]
        assert await claim_with(cap=5, limit=100) == keys[2:5]  # 2 leased already: room for 3
        assert await claim_with(cap=8, limit=1) == keys[5:6]
        assert await claim_with(cap=8, limit=100) == keys[6:8]

    async def test_a_backlog_behind_endpoints_at_their_cap_does_not_hide_a_healthy_one(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        now = runtime.clock.now()
        dead = [await endpoint(runtime, shop, f"dead{n}") for n in range(3)]
        for pk in dead:
            await queue(runtime, shop, pk, 200, due=now - timedelta(hours=1))
        first = await claim(runtime)
        assert by_endpoint(first) == dict.fromkeys(dead, CAP)
        healthy = await endpoint(runtime, shop, "healthy")
        keys = await queue(runtime, shop, healthy, 3, due=now - timedelta(seconds=1))

        claimed = await claim(runtime, worker="worker-b")

        assert [item.pk for item in claimed] == keys

    async def test_an_endpoint_gets_only_the_room_its_leases_leave(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        now = runtime.clock.now()
        one, two = await endpoint(runtime, shop, "one"), await endpoint(runtime, shop, "two")
        await queue(runtime, shop, one, 5, due=now - timedelta(minutes=2))
        assert len(await claim(runtime)) == 5
        await queue(runtime, shop, one, 10, due=now - timedelta(minutes=1))
        await queue(runtime, shop, two, 10, due=now - timedelta(minutes=1))

        claimed = await claim(runtime, worker="worker-b")

        assert by_endpoint(claimed) == {one: CAP - 5, two: CAP}

    async def test_oldest_due_first_across_endpoints_and_the_limit_holds(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        now = runtime.clock.now()
        one, two = await endpoint(runtime, shop, "one"), await endpoint(runtime, shop, "two")
        late = await queue(runtime, shop, one, 4, due=now - timedelta(minutes=1))
        early = await queue(runtime, shop, two, 4, due=now - timedelta(minutes=3))

        claimed = await claim(runtime, limit=6)

        assert [item.pk for item in claimed] == early + late[:2]

    async def test_rows_not_yet_due_and_other_statuses_are_left(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        now = runtime.clock.now()
        one = await endpoint(runtime, shop, "one")
        (future,) = await queue(runtime, shop, one, 1, due=now + timedelta(seconds=1))
        done = await queue(runtime, shop, one, 2, due=now - timedelta(minutes=1))
        async with runtime.db.write() as session:
            await session.execute(
                update(WebhookNotification)
                .where(WebhookNotification.pk.in_(done))
                .values(status=NotificationStatus.DELIVERED)
            )

        assert await claim(runtime) == []
        assert [item.pk for item in await claim(runtime, at=now + timedelta(seconds=2))] == [future]

    async def test_an_expired_lease_frees_its_slot_and_its_row(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        now = runtime.clock.now()
        one = await endpoint(runtime, shop, "one")
        keys = await queue(runtime, shop, one, CAP + 2, due=now - timedelta(minutes=1))
        assert len(await claim(runtime)) == CAP

        later = now + timedelta(seconds=31)  # the leases (30 s) have run out
        claimed = await claim(runtime, worker="worker-b", at=later)

        assert [item.pk for item in claimed] == keys[:CAP]
        assert {item.attempts for item in claimed} == {2}

    async def test_an_endpoint_gets_no_more_than_its_own_concurrency(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        now = runtime.clock.now()
        new = await endpoint(runtime, shop, "new", concurrency=1)
        warming = await endpoint(runtime, shop, "warming", concurrency=4)
        above = await endpoint(runtime, shop, "above", concurrency=CAP * 4)  # the setting was lowered
        for pk in (new, warming, above):
            await queue(runtime, shop, pk, 20, due=now - timedelta(minutes=1))

        assert by_endpoint(await claim(runtime)) == {new: 1, warming: 4, above: CAP}
        assert await claim(runtime, worker="worker-b") == []

    async def test_a_deleted_endpoint_is_not_claimed_for(self, runtime: Runtime, shop: Credentials) -> None:
        now = runtime.clock.now()
        one = await endpoint(runtime, shop, "one")
        await queue(runtime, shop, one, 3, due=now - timedelta(minutes=1))
        async with runtime.db.write() as session:
            await session.execute(
                update(WebhookEndpoint).where(WebhookEndpoint.pk == one).values(deleted_at=now)
            )

        assert await claim(runtime) == []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_sqlite_claims_through_the_per_endpoint_index(runtime: Runtime, shop: Credentials) -> None:
    """Each endpoint's slice of the per-endpoint index, and the leases counted from the leased rows only.

    SQLite uses a partial index only when the query names its constant (``status = 'pending'``),
    and, without statistics, it would count the leases through the per-endpoint index if the
    count named the status too.
    """
    one = await endpoint(runtime, shop, "one")
    await queue(runtime, shop, one, 3, due=runtime.clock.now() - timedelta(seconds=1))
    sent: list[tuple[str, Any]] = []

    def capture(_conn: object, _cursor: object, statement: str, parameters: Any, *_rest: object) -> None:
        sent.append((statement, parameters))

    async with runtime.db.write() as session:
        connection = await session.connection()
        event.listen(connection.sync_connection, "before_cursor_execute", capture)
        try:
            assert len(await claim_in(session, runtime)) == 3
        finally:
            event.remove(connection.sync_connection, "before_cursor_execute", capture)
        (pick,) = [(sql, params) for sql, params in sent if "row_number" in sql]
        plan = (await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + pick[0], pick[1])).all()
    details = " | ".join(str(row[-1]) for row in plan)
    assert "SCAN webhook_notifications USING INDEX ix_webhook_notifications_leased" in details, details
    assert (
        "USING INDEX ix_webhook_notifications_endpoint_due (endpoint_pk=? AND next_attempt_at<?)" in details
    ), details


class TestSlowStart:
    async def test_a_new_endpoint_starts_at_one_call_in_flight(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        fresh = await endpoint(runtime, shop, "fresh", concurrency=None)

        assert await concurrency_of(runtime, fresh) == 1

    async def test_successes_double_it_up_to_the_cap(self, runtime: Runtime, shop: Credentials) -> None:
        one = await endpoint(runtime, shop, "one", concurrency=1)
        seen = []
        for _ in range(5):
            await adjust(runtime, succeeded={one}, failed=set(), maximum=6)
            seen.append(await concurrency_of(runtime, one))
        assert seen == [2, 4, 6, 6, 6]

    async def test_a_failure_halves_it_down_to_one(self, runtime: Runtime, shop: Credentials) -> None:
        one = await endpoint(runtime, shop, "one", concurrency=CAP)
        seen = []
        for _ in range(5):
            await adjust(runtime, succeeded=set(), failed={one})
            seen.append(await concurrency_of(runtime, one))
        assert seen == [CAP // 2, CAP // 4, CAP // 8, 1, 1]

    async def test_a_batch_with_both_counts_as_a_failure_and_leaves_the_others(
        self, runtime: Runtime, shop: Credentials
    ) -> None:
        mixed = await endpoint(runtime, shop, "mixed", concurrency=4)
        good = await endpoint(runtime, shop, "good", concurrency=2)
        idle = await endpoint(runtime, shop, "idle", concurrency=2)

        await adjust(runtime, succeeded={mixed, good}, failed={mixed})

        assert [await concurrency_of(runtime, pk) for pk in (mixed, good, idle)] == [2, 4, 2]

    async def test_a_new_url_starts_slowly_again(self, runtime: Runtime, shop: Credentials) -> None:
        one = await endpoint(runtime, shop, "one", concurrency=CAP)
        async with runtime.db.write() as session:
            found = await session.get(WebhookEndpoint, one)
            assert found is not None
            principal = Principal(
                account_id=shop.account_id,
                account_email=shop.email,
                environment=Environment.TEST,
                scopes=frozenset(),
            )
            await service.update_endpoint(
                session,
                principal=principal,
                endpoint_id=found.id,
                url="https://moved.example/hook",
                description=None,
                enabled=None,
                guard=GUARD,
                now=runtime.clock.now(),
            )
        assert await concurrency_of(runtime, one) == 1
