"""Recording a batch of failed attempts in one statement (``attempts.mark_failed``): each row gets
its own next attempt or is given up, and a row whose lease passed to another worker, or that was
cancelled meanwhile, is left alone; a batch of successes likewise (``attempts.mark_delivered``);
which endpoints' slow start a batch moves; and the dispatcher's recorder, which takes the failures
of a burst a chunk at a time."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import httpx
import pytest
from sqlalchemy import event, select, update

from printapi.kit.outbound import Failure
from printapi.models import WebhookNotification
from printapi.runtime import Runtime
from printapi.webhooks.delivery import Dispatcher, concurrency_changes
from printapi.webhooks.repository import attempts
from printapi.webhooks.repository.attempts import Claimed, Failed
from printapi.webhooks.sending import Outcome
from printapi.webhooks.service import delete_endpoint, find_endpoint
from tests.webhooks.conftest import WORKER, Receiver, Shop, add_endpoint, dispatcher_for, move, place


async def claim_all(runtime: Runtime, *, worker: str = WORKER) -> list[Claimed]:
    async with runtime.db.write() as session:
        return await attempts.claim(
            session, now=runtime.clock.now(), worker=worker, lease_seconds=30, limit=50, per_endpoint=8
        )


async def claimed_notifications(
    runtime: Runtime, api: httpx.AsyncClient, shop: Shop, *, name: str, endpoints: int
) -> list[Claimed]:
    """One order change to an account with ``endpoints`` endpoints, its notifications claimed."""
    for number in range(endpoints):
        await add_endpoint(api, shop, f"https://{name}{number}.example/hook")
    await place(api, shop, f"{name}-1")
    await move(api, shop, f"{name}-1", "Processing")
    return await claim_all(runtime)


async def rows(runtime: Runtime) -> dict[int, WebhookNotification]:
    async with runtime.db.read() as session:
        found = (await session.execute(select(WebhookNotification))).scalars()
        return {row.pk: row for row in found}


class TestABatchOfFailures:
    async def test_each_row_gets_its_own_outcome_and_a_lost_lease_is_left_alone(
        self, runtime: Runtime, client: httpx.AsyncClient, merchant: Shop
    ) -> None:
        first, second, third, lost = sorted(
            await claimed_notifications(runtime, client, merchant, name="shop", endpoints=4),
            key=lambda c: c.pk,
        )
        async with runtime.db.write() as session:  # another worker took the last one over
            taken = update(WebhookNotification).where(WebhookNotification.pk == lost.pk)
            await session.execute(taken.values(locked_by="worker-b"))
        now = runtime.clock.now()
        retry_1, retry_2 = now + timedelta(minutes=2), now + timedelta(minutes=5)

        async with runtime.db.write() as session:
            ours = await attempts.mark_failed(
                session,
                failed=[
                    Failed(first, retry_1, "HTTP 503"),
                    Failed(second, retry_2, "timed out after 10 s"),
                    Failed(third, None, "x" * 400),
                    Failed(lost, retry_1, "HTTP 500"),
                ],
                worker=WORKER,
                now=now,
            )
        after = await rows(runtime)

        assert ours == {first.pk, second.pk, third.pk}
        assert (after[first.pk].status, after[first.pk].next_attempt_at) == ("pending", retry_1)
        assert (after[second.pk].status, after[second.pk].next_attempt_at) == ("pending", retry_2)
        assert after[first.pk].last_error == "HTTP 503"
        assert after[second.pk].last_error == "timed out after 10 s"
        assert (after[third.pk].status, after[third.pk].finished_at) == ("failed", now)
        assert after[third.pk].last_error == "x" * 300
        assert {after[pk].locked_by for pk in ours} == {None}
        assert {after[pk].locked_until for pk in ours} == {None}
        assert after[first.pk].finished_at is None
        assert (after[lost.pk].locked_by, after[lost.pk].last_error) == ("worker-b", None)

    async def test_an_attempt_of_an_earlier_lease_changes_nothing(
        self, runtime: Runtime, client: httpx.AsyncClient, merchant: Shop
    ) -> None:
        await add_endpoint(client, merchant, "https://shop.example/hook")
        await place(client, merchant, "batch-2")
        await move(client, merchant, "batch-2", "Processing")
        (claimed,) = await claim_all(runtime)
        stale = Claimed(**{**claimed.__dict__, "attempts": claimed.attempts - 1})

        async with runtime.db.write() as session:
            ours = await attempts.mark_failed(
                session, failed=[Failed(stale, None, "late")], worker=WORKER, now=runtime.clock.now()
            )

        assert ours == set()
        assert (await rows(runtime))[claimed.pk].status == "pending"

    async def test_more_rows_than_one_statement_takes_are_recorded_in_chunks(
        self, runtime: Runtime, client: httpx.AsyncClient, merchant: Shop, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(attempts, "FAILED_CHUNK", 2)
        claimed = await claimed_notifications(runtime, client, merchant, name="chunk", endpoints=5)
        later = runtime.clock.now() + timedelta(minutes=1)

        async with runtime.db.write() as session:
            ours = await attempts.mark_failed(
                session,
                failed=[Failed(c, later, "HTTP 502") for c in claimed],
                worker=WORKER,
                now=runtime.clock.now(),
            )

        assert len(claimed) == 5
        assert ours == {c.pk for c in claimed}
        assert {row.next_attempt_at for row in (await rows(runtime)).values()} == {later}


class TestABatchOfSuccesses:
    async def test_delivered_or_due_again_when_the_order_changed_and_a_lost_lease_is_left_alone(
        self, runtime: Runtime, client: httpx.AsyncClient, merchant: Shop
    ) -> None:
        done, changed, lost, stale = sorted(
            await claimed_notifications(runtime, client, merchant, name="ok", endpoints=4),
            key=lambda c: c.pk,
        )
        later = runtime.clock.now() + timedelta(seconds=1)
        async with runtime.db.write() as session:
            row = WebhookNotification.pk
            await session.execute(
                update(WebhookNotification).where(row == changed.pk).values(changed_at=later)
            )
            await session.execute(
                update(WebhookNotification).where(row == lost.pk).values(locked_by="worker-b")
            )
        now = runtime.clock.now()

        async with runtime.db.write() as session:
            delivered, again = await attempts.mark_delivered(
                session,
                claimed=[done, changed, lost, Claimed(**{**stale.__dict__, "attempts": stale.attempts - 1})],
                worker=WORKER,
                now=now,
            )
        after = await rows(runtime)

        assert (delivered, again) == ({done.pk}, {changed.pk})
        assert (after[done.pk].status, after[done.pk].finished_at, after[done.pk].attempts) == (
            "delivered",
            now,
            1,
        )
        assert (after[changed.pk].status, after[changed.pk].attempts) == ("pending", 0)
        assert (after[changed.pk].next_attempt_at, after[changed.pk].finished_at) == (now, None)
        assert {after[pk].locked_by for pk in (done.pk, changed.pk)} == {None}
        assert (after[lost.pk].status, after[lost.pk].locked_by) == ("pending", "worker-b")
        assert (after[stale.pk].status, after[stale.pk].locked_by) == ("pending", WORKER)


class TestACancelledNotification:
    async def test_stays_cancelled_whatever_its_attempt_came_to(
        self, runtime: Runtime, client: httpx.AsyncClient, merchant: Shop
    ) -> None:
        """The state machine guards the recording: ``cancelled`` is final (``states.sources``)."""
        (claimed,) = await claimed_notifications(runtime, client, merchant, name="gone", endpoints=1)
        async with runtime.db.write() as session:
            endpoint = await find_endpoint(session, endpoint_id=(await endpoint_ids(client, merchant))[0])
            await delete_endpoint(session, endpoint=endpoint, now=runtime.clock.now())
        async with runtime.db.write() as session:  # as if the cancellation had left the lease
            await session.execute(
                update(WebhookNotification)
                .where(WebhookNotification.pk == claimed.pk)
                .values(locked_by=WORKER)
            )
        now = runtime.clock.now()

        async with runtime.db.write() as session:
            delivered, again = await attempts.mark_delivered(
                session, claimed=[claimed], worker=WORKER, now=now
            )
            ours = await attempts.mark_failed(
                session, failed=[Failed(claimed, None, "x")], worker=WORKER, now=now
            )

        assert (delivered, again, ours) == (set(), set(), set())
        assert (await rows(runtime))[claimed.pk].status == "cancelled"


async def endpoint_ids(client: httpx.AsyncClient, shop: Shop) -> list[str]:
    return [
        endpoint["id"]
        for endpoint in (await client.get("/v2/webhooks", headers=shop.headers)).json()["results"]
    ]


class TestSlowStartOfABatch:
    @staticmethod
    def claimed(endpoint_pk: int, concurrency: int) -> Claimed:
        return Claimed(
            pk=endpoint_pk * 10,
            id="msg_x",
            attempts=1,
            order_id="o",
            kind="status",
            changed_at=datetime(2026, 1, 1, tzinfo=UTC),
            url="https://x.example/hook",
            secrets=["whsec_x"],
            endpoint_pk=endpoint_pk,
            concurrency=concurrency,
        )

    def test_only_endpoints_that_can_still_move_and_a_failure_outweighs_a_success(self) -> None:
        c = self.claimed
        succeeded = [c(1, 1), c(2, 8), c(3, 4), c(5, 1)]
        failed = [Failed(c(3, 4), None, "x"), Failed(c(4, 1), None, "x"), Failed(c(5, 1), None, "x")]

        up, down = concurrency_changes(succeeded, failed, maximum=8)

        assert (up, down) == ({1}, {3})  # 2 is at the cap; 4 and 5 are at one call and failing


class TestTheRecorder:
    async def test_every_success_and_a_chunk_of_failures_go_in_one_transaction(
        self, runtime: Runtime, client: httpx.AsyncClient, merchant: Shop, webhook_http: aiohttp.ClientSession
    ) -> None:
        """A burst of timeouts is recorded a chunk at a time; a success never waits behind it."""
        good, *bad = sorted(
            await claimed_notifications(runtime, client, merchant, name="recorder", endpoints=6),
            key=lambda c: c.pk,
        )
        now = runtime.clock.now()
        timeout = Failure("timeout", "no answer within 10 s")
        recorder = dispatcher_for(runtime, webhook_http, failures_at_once=3)
        for claimed in bad:
            recorder._failures.append(Outcome(claimed, now, 10_000, None, timeout, None))
        recorder._successes.append(Outcome(good, now, 5, 200, None, "ok"))

        await recorder._record_batch()

        after = await rows(runtime)
        assert after[good.pk].status == "delivered"
        recorded = [c.pk for c in bad if after[c.pk].locked_by is None]
        assert recorded == [c.pk for c in bad[:3]]  # the oldest three failures, in the order they came
        assert [o.claimed.pk for o in recorder._failures] == [c.pk for c in bad[3:]]

        await recorder.record_pending()

        after = await rows(runtime)
        assert {after[c.pk].last_error for c in bad} == {"no answer within 10 s"}
        assert not recorder._failures

    async def test_a_stopping_dispatcher_records_every_outcome_left(
        self, runtime: Runtime, client: httpx.AsyncClient, merchant: Shop, webhook_http: aiohttp.ClientSession
    ) -> None:
        claimed = await claimed_notifications(runtime, client, merchant, name="stopping", endpoints=5)
        now = runtime.clock.now()
        timeout = Failure("timeout", "no answer within 10 s")
        dispatcher = dispatcher_for(runtime, webhook_http, failures_at_once=2)
        for item in claimed:
            dispatcher._failures.append(Outcome(item, now, 10_000, None, timeout, None))
        stopping = asyncio.Event()
        stopping.set()

        await asyncio.wait_for(dispatcher.run(stopping), timeout=10)

        after = await rows(runtime)
        assert len(claimed) == 5
        assert {after[c.pk].last_error for c in claimed} == {"no answer within 10 s"}
        assert {after[c.pk].locked_by for c in claimed} == {None}

    async def test_an_outcome_that_comes_back_while_stopping_is_recorded_too(
        self, runtime: Runtime, client: httpx.AsyncClient, merchant: Shop, webhook_http: aiohttp.ClientSession
    ) -> None:
        """The recorder may empty the queues and see ``stopping`` before the last call returns."""
        *early, late = await claimed_notifications(runtime, client, merchant, name="late", endpoints=3)
        now = runtime.clock.now()
        timeout = Failure("timeout", "no answer within 10 s")
        dispatcher = dispatcher_for(runtime, webhook_http)
        for item in early:
            dispatcher._failures.append(Outcome(item, now, 10_000, None, timeout, None))
        dispatcher._have_outcomes.set()

        async def still_in_flight() -> None:
            await asyncio.sleep(0.3)
            dispatcher._failures.append(Outcome(late, now, 10_000, None, timeout, None))
            dispatcher._have_outcomes.set()

        dispatcher._in_flight.add(asyncio.create_task(still_in_flight()))
        stopping = asyncio.Event()
        stopping.set()

        await asyncio.wait_for(dispatcher.run(stopping), timeout=10)

        after = await rows(runtime)
        assert {after[c.pk].last_error for c in [*early, late]} == {"no answer within 10 s"}


class Uniform(random.Random):
    """Jitter that always draws the top of the range, and notes what it was asked for."""

    def __init__(self) -> None:
        super().__init__(14)
        self.asked: list[tuple[float, float]] = []

    def uniform(self, a: float, b: float) -> float:
        self.asked.append((a, b))
        return b


class TestFailingEndpointsDriftApart:
    async def test_a_first_attempt_to_an_endpoint_whose_last_call_failed_waits_a_random_pause(
        self,
        runtime: Runtime,
        client: httpx.AsyncClient,
        merchant: Shop,
        receiver: Receiver,
        webhook_http: aiohttp.ClientSession,
    ) -> None:
        dead, healthy = sorted(
            await claimed_notifications(runtime, client, merchant, name="drift", endpoints=2),
            key=lambda c: c.pk,
        )
        now = runtime.clock.now()
        # A fifth of the timeout, at most 2 s; set wider here, so that the others' "at once" is clear.
        settings = runtime.settings
        assert dispatcher_for(runtime, webhook_http).config.spread_seconds == min(
            2.0, settings.webhook_timeout_seconds / 5
        )
        spread = 1.0
        jitter = Uniform()
        dispatcher = dispatcher_for(runtime, webhook_http, jitter=jitter, spread_seconds=spread)
        dispatcher._failures.append(Outcome(dead, now, 10_000, None, Failure("timeout", "x"), None))
        dispatcher._successes.append(Outcome(healthy, now, 5, 200, None, "ok"))
        await dispatcher.record_pending()

        started = asyncio.get_running_loop().time()
        first_attempt = {"attempts": 1}
        dispatcher._start(Claimed(**{**dead.__dict__, **first_attempt, "url": receiver.url("/dead-first")}))
        dispatcher._start(Claimed(**{**dead.__dict__, "attempts": 2, "url": receiver.url("/dead-retry")}))
        dispatcher._start(Claimed(**{**healthy.__dict__, **first_attempt, "url": receiver.url("/healthy")}))
        await asyncio.wait(dispatcher._in_flight)
        sent = {call.path: call.at for call in receiver.calls}

        assert jitter.asked == [(0.0, spread)]  # drawn once, for the first attempt to the failing endpoint
        assert sent["/dead-first"] - started >= spread
        assert sent["/dead-retry"] - started < spread  # a retry keeps its schedule
        assert sent["/healthy"] - started < spread  # an endpoint that answers is never paused

    async def test_a_success_ends_the_pauses(
        self, runtime: Runtime, client: httpx.AsyncClient, merchant: Shop, dispatcher: Dispatcher
    ) -> None:
        (claimed,) = await claimed_notifications(runtime, client, merchant, name="recovers", endpoints=1)
        now = runtime.clock.now()
        dispatcher._failures.append(Outcome(claimed, now, 10_000, None, Failure("timeout", "x"), None))
        await dispatcher.record_pending()
        assert dispatcher._failing == {claimed.endpoint_pk}

        # Its next call answers (its row is no longer leased: the outcome counts all the same).
        dispatcher._successes.append(Outcome(claimed, now, 5, 200, None, "ok"))
        await dispatcher.record_pending()

        assert dispatcher._failing == set()


async def test_sqlite_records_outcomes_through_the_primary_key(
    runtime: Runtime, client: httpx.AsyncClient, merchant: Shop
) -> None:
    """Row values alone (``(pk, attempts) IN (...)``) made SQLite read every pending row."""
    if runtime.db.dialect != "sqlite":
        pytest.skip("SQLite's planner")
    # Two rows a statement: SQLite reads a one-row list as an equality.
    ok, ok_too, bad, bad_too = await claimed_notifications(
        runtime, client, merchant, name="planned", endpoints=4
    )
    now = runtime.clock.now()
    sent: list[tuple[str, Any]] = []

    def capture(_conn: object, _cursor: object, statement: str, parameters: Any, *_rest: object) -> None:
        if statement.startswith("UPDATE webhook_notifications"):
            sent.append((statement, parameters))

    async with runtime.db.write() as session:
        connection = await session.connection()
        event.listen(connection.sync_connection, "before_cursor_execute", capture)
        try:
            await attempts.mark_delivered(session, claimed=[ok, ok_too], worker=WORKER, now=now)
            failed = [Failed(bad, None, "x"), Failed(bad_too, None, "x")]
            await attempts.mark_failed(session, failed=failed, worker=WORKER, now=now)
        finally:
            event.remove(connection.sync_connection, "before_cursor_execute", capture)
        plans = [
            " | ".join(
                str(row[-1]) for row in (await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, p))
            )
            for sql, p in sent
        ]

    assert len(plans) == 2
    assert all("USING INTEGER PRIMARY KEY" in plan for plan in plans), plans
