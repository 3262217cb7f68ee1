"""``POST /v2/webhooks/{id}/recover?since=``: after an outage, every order whose notification to
the endpoint failed since then gets one new notification, delivered to the (real, loopback)
receiver once the endpoint answers again. Driven a turn at a time on the ``FixedClock``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from printapi.kit.clock import FixedClock
from printapi.kit.schedule import JITTER
from printapi.models import WebhookEndpoint, WebhookNotification
from printapi.runtime import Runtime
from printapi.webhooks.delivery import Dispatcher
from tests.api.helpers import assert_error
from tests.conftest import bearer, make_credentials
from tests.webhooks.conftest import Receiver, Shop, add_endpoint, move, place, turn

SCHEDULE = [timedelta(minutes=minutes) for minutes in (2, 5, 60, 60, 60, 60, 60, 60, 60)]


async def give_up(runtime: Runtime, dispatcher: Dispatcher, clock: FixedClock) -> None:
    """Turns until no notification is pending: the endpoints are down, so each uses its whole
    schedule (a failing endpoint gets one call at a time)."""
    pending = select(WebhookNotification.pk).where(WebhookNotification.status == "pending").limit(1)
    for _ in range(100):
        await turn(dispatcher)
        async with runtime.db.read() as session:
            if (await session.execute(pending)).first() is None:
                return
        clock.advance(max(SCHEDULE) * (1 + JITTER) + timedelta(seconds=1))
    raise AssertionError("notifications still pending after 100 turns")


async def notifications(runtime: Runtime, endpoint: dict[str, Any]) -> list[tuple[str | None, str, str]]:
    """(order id, status, kind) of the endpoint's notifications, oldest first."""
    endpoint_pk = select(WebhookEndpoint.pk).where(WebhookEndpoint.id == endpoint["id"]).scalar_subquery()
    model = WebhookNotification
    query = (
        select(model.order_id, model.status, model.kind)
        .where(model.endpoint_pk == endpoint_pk)
        .order_by(model.pk)
    )
    async with runtime.db.read() as session:
        return [(order_id, status, kind) for order_id, status, kind in (await session.execute(query)).all()]


async def recover(
    client: httpx.AsyncClient, shop: Shop, endpoint: dict[str, Any], since: str
) -> httpx.Response:
    return await client.post(
        f"/v2/webhooks/{endpoint['id']}/recover", params={"since": since}, headers=shop.headers
    )


def local(clock: FixedClock) -> str:
    """The clock's moment as the API's local time (Europe/Amsterdam) with its offset."""
    return clock.now().isoformat()


class TestRecovery:
    async def test_every_order_that_failed_since_then_is_sent_once_more_when_the_endpoint_is_back(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
        clock: FixedClock,
    ) -> None:
        endpoint = await add_endpoint(client, merchant, receiver.url("/status/503"))
        other = await add_endpoint(client, merchant, receiver.url("/status/500"))
        # A failure before the outage that is to be recovered: left alone.
        await place(client, merchant, "before")
        await move(client, merchant, "before", "Processing")
        await give_up(runtime, dispatcher, clock)
        clock.advance(timedelta(hours=1))
        since = local(clock)
        # The outage: three orders fail, one of them twice.
        for order_id in ("o-1", "o-2", "o-3"):
            await place(client, merchant, order_id)
            await move(client, merchant, order_id, "Processing")
        await give_up(runtime, dispatcher, clock)
        await move(client, merchant, "o-1", "Shipped")
        await give_up(runtime, dispatcher, clock)
        # o-3 changes again: a pending notification exists when recovery runs.
        await move(client, merchant, "o-3", "Shipped")
        failed_before = await notifications(runtime, endpoint)
        others_before = await notifications(runtime, other)
        patched = await client.patch(
            f"/v2/webhooks/{endpoint['id']}", json={"url": receiver.url("/back")}, headers=merchant.headers
        )
        assert patched.status_code == 200, patched.text

        response = await recover(client, merchant, endpoint, since)

        assert response.status_code == 202, response.text
        assert response.json()["queued"] == 3
        assert list(response.json()) == ["since", "queued"]
        after = await notifications(runtime, endpoint)
        assert after[: len(failed_before)] == failed_before  # the failed ones stay as they were
        pending = sorted(order_id or "" for order_id, status, _ in after if status == "pending")
        assert pending == ["o-1", "o-2", "o-3"]
        assert {kind for _, status, kind in after[len(failed_before) :]} == {"resend"}
        assert await notifications(runtime, other) == others_before  # another endpoint's untouched
        for _ in range(10):  # one call at a time at first: the endpoint's last calls failed
            await turn(dispatcher)
        bodies = sorted(call.body for call in receiver.to("/back"))
        assert bodies == [b"orderId=o-1", b"orderId=o-2", b"orderId=o-3"]
        await turn(dispatcher)
        assert len(receiver.to("/back")) == 3  # each once

    async def test_nothing_failed_since_then_queues_nothing(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
        clock: FixedClock,
    ) -> None:
        endpoint = await add_endpoint(client, merchant, receiver.url("/status/503"))
        await place(client, merchant, "old")
        await move(client, merchant, "old", "Processing")
        await give_up(runtime, dispatcher, clock)
        clock.advance(timedelta(seconds=1))
        before = await notifications(runtime, endpoint)

        response = await recover(client, merchant, endpoint, local(clock))

        assert response.status_code == 202, response.text
        assert response.json()["queued"] == 0
        assert await notifications(runtime, endpoint) == before

    async def test_a_ping_that_failed_is_not_an_order_to_recover(
        self,
        client: httpx.AsyncClient,
        runtime: Runtime,
        merchant: Shop,
        receiver: Receiver,
        dispatcher: Dispatcher,
        clock: FixedClock,
    ) -> None:
        endpoint = await add_endpoint(client, merchant, receiver.url("/status/503"))
        since = local(clock)
        ping = await client.post(f"/v2/webhooks/{endpoint['id']}/ping", headers=merchant.headers)
        assert ping.status_code == 202
        await give_up(runtime, dispatcher, clock)

        response = await recover(client, merchant, endpoint, since)

        assert response.json()["queued"] == 0


class TestBadInput:
    async def test_a_since_that_is_not_a_moment_is_a_400_on_since(
        self, client: httpx.AsyncClient, runtime: Runtime, merchant: Shop, receiver: Receiver
    ) -> None:
        endpoint = await add_endpoint(client, merchant, receiver.url("/status/503"))
        for since in ("yesterday", "2025-13-40", "2025-03-29T25:00:00", ""):
            body = assert_error(await recover(client, merchant, endpoint, since), 400)
            assert "since" in body["message"]
        missing = await client.post(f"/v2/webhooks/{endpoint['id']}/recover", headers=merchant.headers)
        assert_error(missing, 400)
        assert await notifications(runtime, endpoint) == []

    async def test_an_unknown_endpoint_or_another_accounts_is_a_404(
        self, client: httpx.AsyncClient, runtime: Runtime, merchant: Shop, receiver: Receiver
    ) -> None:
        theirs = Shop(other := await make_credentials(runtime), await bearer(client, other))
        endpoint = await add_endpoint(client, theirs, receiver.url("/status/503"))

        assert_error(await recover(client, merchant, endpoint, "2025-01-01"), 404)
        assert_error(await recover(client, merchant, {"id": "ep_nope"}, "2025-01-01"), 404)
