"""Worker processes: a SIGKILL in the middle loses nothing; three workers never double-deliver.

The workers are real ``printapi worker`` processes on the test database; the notifications are
queued through the service, in one transaction, as an order change would queue them.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from printapi.auth.principal import Environment, Principal
from printapi.auth.scopes import SHOP_SCOPES
from printapi.models import WebhookAttempt, WebhookNotification
from printapi.orders import service as orders
from printapi.orders.schemas import OrderIn
from printapi.runtime import Runtime
from printapi.webhooks import service as webhooks
from tests.conftest import SECRET_KEY, Backend, make_credentials, order_body
from tests.webhooks.conftest import Receiver

PRINTAPI = Path(sys.executable).parent / "printapi"


def worker_env(backend: Backend, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PRINTAPI_")}
    env.update(
        {
            "PRINTAPI_MODE": "development",
            "PRINTAPI_DATABASE_URL": backend.url,
            "PRINTAPI_SECRET_KEY": SECRET_KEY,
            "PRINTAPI_OUTBOUND_ALLOW_NETWORKS": "127.0.0.0/8",
            "PRINTAPI_WEBHOOK_TIMEOUT_SECONDS": "2",
            "PRINTAPI_WEBHOOK_LEASE_SECONDS": "3",
            "PRINTAPI_WEBHOOK_SCHEDULE": "200ms,200ms,200ms",
            "PRINTAPI_WORKER_POLL_SECONDS": "0.2",
            "PRINTAPI_LOG_LEVEL": "WARNING",
            "PRINTAPI_LOG_FORMAT": "json",
        }
    )
    env.update(extra)
    return env


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([str(PRINTAPI), "worker"], env=env, stdout=output, stderr=output)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def queue_notifications(runtime: Runtime, *, orders_count: int, urls: list[str]) -> None:
    """``orders_count`` orders, each with one pending notification per endpoint URL."""
    credentials = await make_credentials(runtime)
    principal = Principal(
        account_id=credentials.account_id,
        account_email=credentials.email,
        environment=Environment.TEST,
        scopes=frozenset(SHOP_SCOPES),
    )
    now = runtime.clock.now()
    async with runtime.db.write() as session:
        for url in urls:
            await webhooks.create_endpoint(
                session,
                account_id=principal.account_id,
                environment="test",
                url=url,
                guard=runtime.guard,
                now=now,
            )
        request = OrderIn.model_validate(order_body())
        for _ in range(orders_count):
            order = await orders.place_order(
                session, principal=principal, request=request, express_surcharge=Decimal("0.25"), now=now
            )
            await webhooks.notify_order_changed(session, order=order, now=now)


async def count_by_status(runtime: Runtime) -> dict[str, int]:
    async with runtime.db.read() as session:
        rows = await session.execute(
            select(WebhookNotification.status, func.count()).group_by(WebhookNotification.status)
        )
        return {row[0]: row[1] for row in rows}


async def wait_until_delivered(runtime: Runtime, total: int, *, seconds: float) -> dict[str, int]:
    deadline = time.monotonic() + seconds
    counts: dict[str, int] = {}
    while time.monotonic() < deadline:
        counts = await count_by_status(runtime)
        if counts.get("delivered", 0) == total:
            return counts
        await asyncio.sleep(0.2)
    raise AssertionError(f"not all {total} delivered in time: {counts}")


class TestAWorkerKilledMidFlight:
    async def test_a_new_worker_delivers_all_500_and_none_is_lost(
        self, backend: Backend, live_runtime: Runtime, receiver: Receiver, tmp_path: Path
    ) -> None:
        log = tmp_path / "workers.log"
        env = worker_env(backend, PRINTAPI_WEBHOOK_PER_ENDPOINT="20", PRINTAPI_WEBHOOK_MAX_IN_FLIGHT="20")

        # 100 orders to 5 endpoints: an order costs the queueing ~20 times what a notification does.
        urls = [receiver.url(f"/sleep/0.05?endpoint={n}") for n in range(5)]
        first = start_worker(env, log)  # it starts up while the notifications are queued
        try:
            await queue_notifications(live_runtime, orders_count=100, urls=urls)
            await receiver.wait_for(100, seconds=30)
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        received_before = len(receiver.calls)
        second = start_worker(env, log)
        try:
            counts = await wait_until_delivered(live_runtime, 500, seconds=60)
        finally:
            stop(second)

        assert received_before < 500  # it really died in the middle
        assert counts == {"delivered": 500}
        notification_ids = {call.headers["webhook-id"] for call in receiver.calls}
        assert len(notification_ids) == 500
        assert second.returncode == 0, log.read_text()


@pytest.mark.postgres
class TestThreeWorkersOnPostgres:
    async def test_2000_notifications_each_delivered_once_by_one_worker(
        self, backend: Backend, live_runtime: Runtime, receiver: Receiver, tmp_path: Path
    ) -> None:
        if backend.name != "postgres":
            pytest.skip("several worker processes share one database on PostgreSQL")
        # 100 orders to 20 endpoints: an order costs the queueing ~20 times what a notification does.
        urls = [receiver.url(f"/shop/{n}") for n in range(20)]
        env = worker_env(backend, PRINTAPI_WEBHOOK_LEASE_SECONDS="60", PRINTAPI_WEBHOOK_TIMEOUT_SECONDS="10")

        # They start up while the notifications are queued.
        workers = [start_worker(env, tmp_path / f"worker-{n}.log") for n in range(3)]
        try:
            await queue_notifications(live_runtime, orders_count=100, urls=urls)
            counts = await wait_until_delivered(live_runtime, 2000, seconds=120)
        finally:
            for process in workers:
                stop(process)

        assert counts == {"delivered": 2000}
        per_message = Counter(call.headers["webhook-id"] for call in receiver.calls)
        assert len(per_message) == 2000
        assert max(per_message.values()) == 1
        async with live_runtime.db.read() as session:
            attempts = (await session.execute(select(func.count()).select_from(WebhookAttempt))).scalar_one()
        assert attempts == 2000
        assert all(process.returncode == 0 for process in workers)


class TestASeparateWorkerWakesOnACommit:
    async def test_the_first_attempt_does_not_wait_for_the_poll(
        self, backend: Backend, live_runtime: Runtime, receiver: Receiver, tmp_path: Path
    ) -> None:
        """With a 60 s poll, only a wake-up from this process (NOTIFY, or the SQLite doorbell) can
        bring the worker of another process to the notifications within the 15 s waited here.

        Its first claim takes one notification queued before it started, whose answer the
        receiver holds until the end: the claim is past when that call comes, and the answer
        cannot wake the worker (its recording would) before the others are in."""
        await queue_notifications(live_runtime, orders_count=1, urls=[receiver.url("/hold")])
        log = tmp_path / "worker.log"
        env = worker_env(
            backend,
            PRINTAPI_WORKER_POLL_SECONDS="60",
            PRINTAPI_WEBHOOK_TIMEOUT_SECONDS="30",  # the held call does not time out meanwhile
            PRINTAPI_WEBHOOK_LEASE_SECONDS="60",
            PRINTAPI_LOG_LEVEL="INFO",
        )
        process = start_worker(env, log)
        try:
            await receiver.wait_for(1, path="/hold", seconds=30)  # its first claim: it waits now
            await queue_notifications(live_runtime, orders_count=3, urls=[receiver.url("/status/200")])

            calls = await receiver.wait_for(3, path="/status/200", seconds=15)
            receiver.released.set()
            await wait_until_delivered(live_runtime, 4, seconds=15)  # nothing in flight when it stops
        finally:
            stop(process)

        assert sorted(call.body for call in calls) == sorted({call.body for call in calls})
        assert process.returncode == 0, log.read_text()
